package main

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/vitrine-inserjeunes/vitrine/internal/config"
	"github.com/vitrine-inserjeunes/vitrine/internal/mailer"
	"github.com/vitrine-inserjeunes/vitrine/internal/store"
)

// cmdPurge erases the personal data of the correction requests closed
// more than RETENTION_MONTHS ago (idempotent: a second run finds nothing).
func cmdPurge(ctx context.Context, log *slog.Logger, args []string) error {
	fs := newFlags("purge", "vitrine purge [--mois N]")
	months := fs.Int("mois", 0, "durée de conservation en mois (défaut : $RETENTION_MONTHS ou 12)")
	if err := parseFlags(fs, args, 0); err != nil {
		return err
	}
	cfg, st, err := openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.CheckMigrated(ctx); err != nil {
		return err
	}
	m := cfg.Server.RetentionMonths
	if *months != 0 {
		if *months < 1 || *months > 120 {
			return usageError{errBadMonths, fs.Usage}
		}
		m = *months
	}
	n, err := st.PurgeSignalements(ctx, m)
	if err != nil {
		return err
	}
	log.Info("purge des données personnelles des signalements", "signalements_purges", n, "conservation_mois", m)
	// Shared coverage results past their expiry go too (they hold a
	// partner's catalogue).
	p, err := st.PurgeCoverageShares(ctx, time.Now())
	if err != nil {
		return err
	}
	log.Info("purge des analyses de couverture partagées expirées", "partages_supprimes", p)
	return nil
}

var errBadMonths = errors.New("--mois : entre 1 et 120")

// startBackground runs the outbox sender of this node and, every ten
// minutes, drops the POST counters of ended windows. Several nodes run it
// side by side (store.DeliverOutbox claims with SKIP LOCKED).
func startBackground(ctx context.Context, log *slog.Logger, st *store.Store, cfg config.Config) error {
	if cfg.Server.CSRFSecret == "" {
		log.Warn("CSRF_SECRET absent : jetons du formulaire /signaler propres à ce processus ; donnez le même secret à chaque nœud")
	}
	snd, err := mailer.New(st, log, cfg.Mail)
	if err != nil {
		return err
	}
	go snd.Run(ctx)
	go func() {
		t := time.NewTicker(10 * time.Minute)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if _, err := st.CleanPostRate(ctx, cfg.Server.PostRateWindow); err != nil && ctx.Err() == nil {
					log.Warn("compteurs d'envois", "err", err)
				}
			}
		}
	}()
	return nil
}
