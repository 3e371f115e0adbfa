package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime/debug"
	"text/tabwriter"
	"time"

	"golang.org/x/term"

	"github.com/vitrine-inserjeunes/vitrine/internal/importer"
)

// importMemoryLimit is the soft memory limit of vitrine import.
const importMemoryLimit = 192 << 20

// importGCPercent is the GOGC of vitrine import (see prepareImport).
const importGCPercent = 400

// rejectedError: rows were rejected and the run refused (exit 3); the
// rejects themselves were printed with the report.
type rejectedError struct{ n int }

func (e rejectedError) Error() string {
	return fmt.Sprintf("%d ligne(s) rejetée(s) : rien n'a été écrit (relancez avec --skip-invalid pour charger les lignes valides)", e.n)
}

func cmdImport(ctx context.Context, args []string) error {
	fs := newFlags("import", "vitrine import [--skip-invalid] [--dry-run] [--force] [--source TYPE] [--lock-timeout DURÉE] CHEMIN...")
	skip := fs.Bool("skip-invalid", false, "charger les lignes valides et consigner les lignes rejetées dans le rapport")
	dry := fs.Bool("dry-run", false, "tout vérifier et simuler le chargement, sans rien écrire")
	source := fs.String("source", "", "forcer le format (voir « vitrine formats »)")
	force := fs.Bool("force", false, "relire aussi les fichiers déjà importés dont les lignes sont toujours les lignes en vigueur")
	synthetic := fs.Bool("synthetic", false, "marquer les fichiers comme données de démonstration")
	lockTimeout := fs.Duration("lock-timeout", 0, "attente maximale d'un autre import en cours, ex. 90s, 10m ; 0 : sans limite (défaut : $IMPORT_LOCK_TIMEOUT, sinon 10m)")
	if err := parseFlags(fs, args, -1); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usageError{errors.New("aucun fichier ni dossier à importer"), fs.Usage}
	}
	if err := prepareImport(*lockTimeout, fs.Usage); err != nil {
		return err
	}
	cfg, st, err := openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	opt := importer.Options{SkipInvalid: *skip, DryRun: *dry, Source: *source, Synthetic: *synthetic, Force: *force, LockTimeout: cfg.ImportLockTimeout}
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "lock-timeout" {
			opt.LockTimeout = *lockTimeout
		}
	})
	if term.IsTerminal(int(os.Stderr.Fd())) {
		opt.Progress = os.Stderr
	}
	rep, err := importer.Run(ctx, st.Pool(), fs.Args(), opt)
	if rep != nil && len(rep.Files) > 0 {
		printReport(rep, err == nil) // with every reject, once
	}
	var re *importer.RejectedError
	if errors.As(err, &re) {
		return rejectedError{len(re.Rejects)} // its message lists the rejects again
	}
	return err
}

func printReport(rep *importer.Report, ok bool) {
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(w, "fichier\tformat\tmillésimes\tlues\tchargées\trejetées\tinchangées\tignorées\tsecondes\t")
	skipped := 0
	for _, f := range rep.Files {
		mill := fmt.Sprint(f.Millesimes)
		if len(f.Millesimes) > 3 {
			mill = fmt.Sprintf("[%s … %s]", f.Millesimes[0], f.Millesimes[len(f.Millesimes)-1])
		}
		if f.Skipped {
			skipped++
			fmt.Fprintf(w, "%s\t%s\t%s\tdéjà importé, inchangé (fichier n° %d)\t\t\t\t\t\t\n", f.Name, f.Format, mill, f.SameAs)
			continue
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%.2f\t\n", f.Name, f.Format, mill, f.Read, f.Loaded, f.Rejected, f.Unchanged, f.Ignored, f.Seconds)
	}
	w.Flush()
	for _, f := range rep.Files {
		for _, c := range f.Checks {
			fmt.Printf("%s : %s\n", f.Name, c)
		}
	}
	if skipped > 0 {
		fmt.Printf("%d fichier(s) déjà importé(s), inchangé(s) : non relu(s) (--force pour les relire).\n", skipped)
	}
	switch {
	case !ok:
		fmt.Println("import refusé : la base n'a pas été modifiée.")
	case rep.DryRun && rep.Changed:
		fmt.Printf("essai à blanc (--dry-run) : rien n'a été écrit ; l'import modifierait %d ligne(s) (%.1f s).\n", rep.Changes, rep.Seconds)
	case rep.DryRun:
		fmt.Printf("essai à blanc (--dry-run) : rien n'a été écrit ; l'import ne changerait rien (%.1f s).\n", rep.Seconds)
	case rep.Changed:
		fmt.Printf("import n° %d enregistré : %d ligne(s) modifiée(s), version des données n° %d (%.1f s).\n", rep.RunID, rep.Changes, rep.DataVersion, rep.Seconds)
	default:
		fmt.Printf("import n° %d enregistré sans changement : aucune donnée modifiée, la version des données reste n° %d (ni cache vidé ni index reconstruit) (%.1f s).\n",
			rep.RunID, rep.DataVersion, rep.Seconds)
	}
	for _, f := range rep.Files {
		for _, r := range f.Rejects {
			fmt.Fprintln(os.Stderr, r.String())
		}
	}
}

func cmdFormats(args []string) error {
	if err := parseFlags(newFlags("formats", "vitrine formats"), args, 0); err != nil {
		return err
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "type\tproducteur\tdescription")
	for _, f := range importer.Formats() {
		fmt.Fprintf(w, "%s\t%s\t%s\n", f.Kind, f.Producer, f.Label)
	}
	return w.Flush()
}

// prepareImport is what `import` and `sync` do before they open the
// store: refuse a negative --lock-timeout, and set the soft memory limit.
// The importer holds the rows of one file at a time (and of the next
// one); the limit makes the garbage collector return what a file leaves
// behind before the next one grows the heap (peak RSS at 4× the demo
// data: 355 MB without it, ~215 MB with it). GOMEMLIMIT, when set, wins.
// Under that limit the garbage collector may also run less often than
// GOGC=100 would have it: the first pass over the files (validation) keeps
// only key hashes, a small heap that the default made the collector scan
// again every few MB of parsing (GOGC=400: 6-10 % less CPU for the import,
// peak RSS at 4× unchanged, 234 MiB, since the limit bounds it). GOGC, when
// set, wins.
func prepareImport(lockTimeout time.Duration, usage func()) error {
	if lockTimeout < 0 {
		return usageError{errors.New("--lock-timeout : durée négative"), usage}
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(importMemoryLimit)
	}
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(importGCPercent)
	}
	return nil
}
