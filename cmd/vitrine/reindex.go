package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/vitrine-inserjeunes/vitrine/internal/config"
	"github.com/vitrine-inserjeunes/vitrine/internal/searchsource"
	"github.com/vitrine-inserjeunes/vitrine/internal/store"
	"github.com/vitrine-inserjeunes/vitrine/search"
)

// cmdReindex builds the search index from PostgreSQL into INDEX_DIR. A
// server running on the same INDEX_DIR picks the new index up at its next
// refresh (it reads CURRENT), without downtime.
func cmdReindex(ctx context.Context, log *slog.Logger, args []string) error {
	fs := newFlags("reindex", "vitrine reindex [--if-outdated]")
	ifOutdated := fs.Bool("if-outdated", false, "ne reconstruit que si l'index manque ou n'est plus à jour")
	if err := parseFlags(fs, args, 0); err != nil {
		return err
	}
	cfg, st, err := openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	ix := search.New(cfg.IndexDir, log)
	defer ix.Close()
	src := searchsource.New(st)
	var stats *search.BuildStats
	if *ifOutdated {
		stats, err = ix.Refresh(ctx, src)
	} else {
		stats, err = ix.Rebuild(ctx, src)
	}
	if err != nil {
		return err
	}
	if stats == nil {
		s := ix.Status()
		fmt.Printf("index à jour (%s, données n° %d, %d documents) : rien à faire.\n", s.Dir, s.DataVersion, s.Documents)
		return nil
	}
	fmt.Printf("index construit : %s\n  %d documents (%d établissements, %d formations), données n° %d\n  %s, %.1f Mo sur disque\n",
		stats.Dir, stats.Documents, stats.Etablissements, stats.Formations, stats.DataVersion,
		stats.Duration.Round(time.Millisecond), float64(stats.Bytes)/1e6)
	return nil
}

// indexWatchEvery is how often a server compares the data version with
// its index's (one tiny query): an import made by another process reaches
// the search within this delay, without downtime.
const indexWatchEvery = 15 * time.Second

// openSearch opens the index of INDEX_DIR for a server: an index that is
// missing is built before serving (if that fails, the site serves without
// search and the next refresh tries again); an outdated one is served
// while a fresh one is built in the background. Afterwards the index follows the data
// version (imports made by other processes) every interval, swapping
// indexes without downtime.
func openSearch(ctx context.Context, cfg config.Config, st *store.Store, log *slog.Logger, every time.Duration) (*search.Index, error) {
	ix := search.New(cfg.IndexDir, log)
	if err := ix.Open(); err != nil {
		return nil, err
	}
	src := searchsource.New(st)
	if !ix.Status().Open {
		// Without an index the site still serves every page; the search
		// says it is being prepared until a refresh succeeds.
		if _, err := ix.Refresh(ctx, src); err != nil {
			log.Error("index de recherche : construction impossible, nouvel essai dans "+every.String(), "err", err)
		}
	} else {
		go func() {
			if _, err := ix.Refresh(ctx, src); err != nil && ctx.Err() == nil {
				log.Error("index de recherche : mise à jour impossible", "err", err)
			}
		}()
	}
	go ix.Watch(ctx, src, every)
	return ix, nil
}
