// Package web is the HTTP layer: the fiber app, the route table
// (routes.go), one handler per file, middleware and page structs.
package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/vitrine-inserjeunes/vitrine/internal/config"
	"github.com/vitrine-inserjeunes/vitrine/internal/model"
	"github.com/vitrine-inserjeunes/vitrine/internal/store"
)

// Store is what the web layer needs from the database.
type Store interface {
	Etablissement(ctx context.Context, uai string) (model.Etablissement, error)
	EtablissementFigures(ctx context.Context, uai string) ([]model.EtabFigure, error)
	DataVersion(ctx context.Context) (int64, error)
	HasSynthetic(ctx context.Context) (bool, error)
	// formations (internal/store/formation.go, insersup.go, region.go)
	FormationDetail(ctx context.Context, code string) (model.FormationDetail, error)
	FormationSupDetail(ctx context.Context, sise string) (model.FormationSupDetail, error)
	EtablissementFormation(ctx context.Context, uai, code string) (model.EtablissementFormationDetail, error)
	EtablissementSup(ctx context.Context, uai, sise string) (model.EtablissementSupDetail, error)
	EtablissementFormations(ctx context.Context, uai string) ([]model.EtablissementFormation, error)
	Region(ctx context.Context, code string) (model.RegionDetail, error)
	// site pages (internal/store/site.go)
	SiteStats(ctx context.Context) (store.SiteStats, error)
	ImportRuns(ctx context.Context) ([]store.ImportRun, error)
	SitemapEntries(ctx context.Context) (uais, formations []string, err error)
	Academies(ctx context.Context) ([][3]string, error)
	Academie(ctx context.Context, code string) (store.AcademieInfo, error)
	AcademieDetail(ctx context.Context, code string) (store.AcademieInfo, model.RegionDetail, error)
	TerritoryEtablissements(ctx context.Context, region string, deps []string) ([]store.TerritoryEtab, error)
	TerritoryCoverage(ctx context.Context, region string, deps []string) ([]store.Coverage, error)
	NationalHeadline(ctx context.Context) ([]store.NationalFigure, error)
	FormationContext(ctx context.Context, region string, keys []store.FormationKey) (map[store.FormationKey][2]model.FormationFigure, error)
}

// Server holds the dependencies of the handlers.
type Server struct {
	store Store
	log   *slog.Logger
	cfg   config.Server
	site  // pages: assets, templates, page cache (site.go)
	// search is the search index (recherche.go); nil: search unavailable.
	search Searcher
	// nodeID prefixes the request ids of this process.
	nodeID   string
	limiter  *rateLimiter
	dbErrors *rateLog
}

// New builds the fiber app with the server settings cfg
// (config.Defaults() in tests).
func New(store Store, log *slog.Logger, cfg config.Server, opts ...Option) *fiber.App {
	s := &Server{store: store, log: log, cfg: cfg, nodeID: nodeID(),
		limiter:  newRateLimiter(cfg.RateLimit, cfg.RateWindow),
		dbErrors: &rateLog{log: log, msg: "database unavailable", interval: time.Second}}
	for _, o := range opts {
		o(s)
	}
	s.site = newSite(cfg.PageCacheBytes)
	app := fiber.New(fiber.Config{
		ErrorHandler:          s.errorHandler,
		DisableStartupMessage: true,
		AppName:               "vitrine",
		ReadTimeout:           cfg.ReadTimeout,
		WriteTimeout:          cfg.WriteTimeout,
		IdleTimeout:           cfg.IdleTimeout,
		ReadBufferSize:        cfg.MaxHeaderBytes,
		BodyLimit:             cfg.MaxBodyBytes,
		// Values are copied where they outlive the request (strings.Clone):
		// fiber's immutable mode would copy every one of them.
	})
	app.Use(s.observe, securityHeaders, s.rateLimit, compression())
	s.routes(app)
	return app
}

// nodeID is a short random id of this process.
func nodeID() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
