package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	"time"

	"github.com/vitrine-inserjeunes/vitrine/internal/config"
	"github.com/vitrine-inserjeunes/vitrine/internal/importer"
	"github.com/vitrine-inserjeunes/vitrine/internal/store"
	"github.com/vitrine-inserjeunes/vitrine/web"
)

func openStore(ctx context.Context) (config.Config, *store.Store, error) {
	cfg, err := config.FromEnv()
	if err != nil {
		return cfg, nil, err
	}
	st, err := store.Open(ctx, cfg.DatabaseURL)
	return cfg, st, err
}

func cmdMigrate(ctx context.Context, args []string) error {
	if err := parseFlags(newFlags("migrate", "vitrine migrate"), args, 0); err != nil {
		return err
	}
	_, st, err := openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	return st.Migrate(ctx)
}

// cmdServe serves the site; with demo, it first migrates and loads the
// bundled demo data when the database holds no import yet.
// serveGCPercent is the GOGC of vitrine serve under a memory limit.
const serveGCPercent = 300

func cmdServe(ctx context.Context, log *slog.Logger, args []string, demo bool) error {
	name := "serve"
	if demo {
		name = "demo"
	}
	fs := newFlags(name, "vitrine "+name+" [--addr ADRESSE]")
	addr := fs.String("addr", "", "adresse d'écoute (défaut : $ADDR ou :8080)")
	if err := parseFlags(fs, args, 0); err != nil {
		return err
	}
	cfg, st, err := openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if cfg.Server.MemoryLimit > 0 && os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(int64(cfg.Server.MemoryLimit))
	}
	// Under a soft memory limit, the collector may let the heap grow
	// further between cycles than GOGC=100 would: the limit still bounds
	// it. An uncached crawl of the demo's sitemap went from 258 to 310
	// req/s (p99 89–128 → 85–94 ms), RSS 180 → 270 MiB, under the default
	// 256 MiB limit (docs/PERFORMANCE.md). GOGC, when set, wins; no limit,
	// no change.
	if (cfg.Server.MemoryLimit > 0 || os.Getenv("GOMEMLIMIT") != "") && os.Getenv("GOGC") == "" {
		debug.SetGCPercent(serveGCPercent)
	}
	if *addr != "" {
		cfg.Addr = *addr
		if os.Getenv("BASE_URL") == "" {
			cfg.Server.BaseURL = config.LocalBaseURL(cfg.Addr)
		}
	}
	if !demo {
		// Migrations are applied by « vitrine migrate », once per release:
		// a server does not run over an older schema.
		if err := st.CheckMigrated(ctx); err != nil {
			return err
		}
	}
	if demo {
		if err := st.Migrate(ctx); err != nil {
			return err
		}
		v, err := st.DataVersion(ctx)
		if err != nil {
			return err
		}
		if v == 0 {
			log.Info("base vide : chargement des données de démonstration", "dir", cfg.DemoDir)
			rep, err := importDemo(ctx, st, cfg.DemoDir)
			if err != nil {
				return fmt.Errorf("données de démonstration : %w", err)
			}
			log.Info("données de démonstration chargées", "fichiers", len(rep.Files), "secondes", fmt.Sprintf("%.1f", rep.Seconds))
		}
	}
	// The search index: built now when missing, refreshed in the background
	// when outdated, then following every import (indexWatchEvery).
	ix, err := openSearch(ctx, cfg, st, log, indexWatchEvery)
	if err != nil {
		return fmt.Errorf("index de recherche : %w", err)
	}
	defer ix.Close()
	// Requests get their own pool: every statement bounded by
	// STATEMENT_TIMEOUT, connections opened fast or not at all. The import
	// and the index build above use st, without such bounds.
	webStore, err := store.Open(ctx, cfg.DatabaseURL,
		store.WithStatementTimeout(cfg.Server.StatementTimeout), store.WithConnectTimeout(3*time.Second))
	if err != nil {
		return err
	}
	defer webStore.Close()
	if err := startBackground(ctx, log, webStore, cfg); err != nil {
		return err
	}
	app := web.New(webStore, log, cfg.Server, web.WithSearch(ix), web.WithBulkStore(st), web.WithListStore(st))
	errc := make(chan error, 1)
	go func() { errc <- app.Listen(cfg.Addr) }()
	log.Info("vitrine en service", "addr", cfg.Addr)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return app.ShutdownWithContext(sctx)
	}
}

// importDemo loads the bundled demo set: real files, then the synthetic
// ones (marked as demonstration data), in two runs (see importer.ImportDemo).
func importDemo(ctx context.Context, st *store.Store, dir string) (*importer.Report, error) {
	return importer.ImportDemo(ctx, st.Pool(), dir)
}
