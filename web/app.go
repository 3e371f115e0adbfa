// Package web is the HTTP layer: the fiber app, the route table
// (routes.go), one handler per file, middleware and page structs.
package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/vitrine-inserjeunes/vitrine/internal/config"
	"github.com/vitrine-inserjeunes/vitrine/internal/store"
)

// Server holds the dependencies of the handlers.
//
// The handlers call the concrete *store.Store, not an interface of the web
// layer: the store has one implementation, every test runs it against a
// real PostgreSQL (DESIGN §5.12), and no test faked the 20-method interface
// that mirrored it, which only had to follow each signature change (and
// still listed a method nothing called). With the concrete type, a handler
// leads straight to its SQL, and every value it gets back is a model type
// (the store exports no result type of its own). Should a test need a fake
// one day, the handler that needs it can declare the few methods it calls.
type Server struct {
	store *store.Store
	log   *slog.Logger
	cfg   config.Server
	site  // pages: assets, templates, page cache (site.go)
	// search is the search index (recherche.go); nil: search unavailable.
	search Searcher
	// nodeID prefixes the request ids of this process.
	nodeID   string
	limiter  *rateLimiter
	dbErrors *rateLog
	// csrfTokens signs the CSRF tokens of the forms (csrf.go).
	csrfTokens *signedTokens
	lastRun    atomic.Pointer[lastRunEntry] // releasenotes.go
	// bulk: the bulk downloads of this node (telechargements.go).
	bulk *bulkFiles
	// apiLists are the lists of the API's list routes (api_list.go).
	apiLists apiLists
	openAPI  openAPIServed // GET /api/v1/openapi.json (api_openapi.go)
	// warmed is the last data version whose territories were prepared
	// (warm.go).
	warmed atomic.Int64
}

// New builds the fiber app with the server settings cfg
// (config.Defaults() in tests).
func New(st *store.Store, log *slog.Logger, cfg config.Server, opts ...Option) *fiber.App {
	s := &Server{store: st, log: log, cfg: cfg, nodeID: nodeID(),
		limiter:    newRateLimiter(cfg.RateLimit, cfg.RateWindow),
		dbErrors:   &rateLog{log: log, msg: "database unavailable", interval: time.Second},
		csrfTokens: newSignedTokens(cfg.CSRFSecret),
		bulk:       &bulkFiles{dir: cfg.BulkDir, store: st, log: log}}
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
		// Forms that take files (/signaler, the coverage analyser) get
		// larger bodies: the transport reads up to the largest limit and
		// bodyLimit (bodylimit.go) holds each route to its own.
		BodyLimit: transportBodyLimit(cfg),
		// Values are copied where they outlive the request (strings.Clone):
		// fiber's immutable mode would copy every one of them.
	})
	app.Use(s.observe, securityHeaders, s.rateLimit, s.bodyLimit, compression())
	s.routes(app)
	if cfg.WarmTerritories {
		// Prepare the territories of the current data version now, not at
		// the first visit (warm.go).
		go func() { _, _ = s.state(context.Background()) }()
	}
	return app
}

// nodeID is a short random id of this process.
func nodeID() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
