package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/vitrine-inserjeunes/vitrine/internal/importer"
	"github.com/vitrine-inserjeunes/vitrine/internal/portalsync"
)

// cmdSync is vitrine sync: download the official portals' exports, check
// them, import them in one run (internal/portalsync). Exit codes as
// vitrine import: 1 when a download fails its checks or the import fails
// (nothing written), 2 usage, 3 rejected rows.
func cmdSync(ctx context.Context, args []string) error {
	fs := newFlags("sync", "vitrine sync [--dry-run] [--only NOM[,NOM…]] [--config FICHIER] [--garder DOSSIER] [--lock-timeout DURÉE]")
	dry := fs.Bool("dry-run", false, "télécharger, vérifier et simuler l'import, sans rien écrire")
	var only []string
	fs.Func("only", "ne synchroniser que cette source (répétable, ou noms séparés par des virgules)", func(v string) error {
		for _, n := range strings.Split(v, ",") {
			if n = strings.TrimSpace(n); n != "" {
				only = append(only, n)
			}
		}
		return nil
	})
	cfgPath := fs.String("config", "", "fichier de configuration des sources (défaut : $SYNC_CONFIG, sinon configs/sync.json)")
	keep := fs.String("garder", "", "garder les fichiers téléchargés dans ce dossier (défaut : dossier temporaire supprimé)")
	lockTimeout := fs.Duration("lock-timeout", 0, "attente maximale d'un autre import en cours (défaut : $IMPORT_LOCK_TIMEOUT, sinon 10m)")
	if err := parseFlags(fs, args, 0); err != nil {
		return err
	}
	if err := prepareImport(*lockTimeout, fs.Usage); err != nil {
		return err
	}
	cfg, st, err := openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	path := cfg.SyncConfig
	if *cfgPath != "" {
		path = *cfgPath
	}
	sc, err := portalsync.LoadConfig(path)
	if err != nil {
		return usageError{err, nil}
	}
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	opt := portalsync.Options{Only: only, DryRun: *dry, Dir: *keep, LockTimeout: cfg.ImportLockTimeout, Log: os.Stderr}
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "lock-timeout" {
			opt.LockTimeout = *lockTimeout
		}
	})
	rep, err := portalsync.Run(ctx, st.Pool(), sc, opt)
	var ue *portalsync.UnknownSourceError
	if errors.As(err, &ue) {
		return usageError{err, fs.Usage}
	}
	if rep != nil {
		printSyncReport(rep)
		if rep.Import != nil && len(rep.Import.Files) > 0 {
			fmt.Println()
			printReport(rep.Import, err == nil)
		}
	}
	var fe *portalsync.FailedError
	if errors.As(err, &fe) {
		fmt.Println("synchronisation refusée : la base n'a pas été modifiée.")
	}
	var re *importer.RejectedError
	if errors.As(err, &re) {
		return rejectedError{len(re.Rejects)}
	}
	return err
}

// printSyncReport prints one block per source: URL, size, sha256, format,
// outcome.
func printSyncReport(rep *portalsync.Report) {
	for _, s := range rep.Sources {
		fmt.Printf("source %s\n", s.Name)
		fmt.Printf("  adresse   : %s\n", s.URL)
		fmt.Printf("  fichier   : %s", s.File)
		if s.Size > 0 {
			fmt.Printf(", %d octets", s.Size)
		}
		if s.Attempts > 1 {
			fmt.Printf(", %d tentatives", s.Attempts)
		}
		fmt.Println()
		if s.SHA256 != "" {
			fmt.Printf("  sha256    : %s\n", s.SHA256)
		}
		if s.Format != "" {
			fmt.Printf("  format    : %s (%s)\n", s.Format, s.Encoding)
		}
		fmt.Printf("  résultat  : %s\n", s.Outcome)
	}
}
