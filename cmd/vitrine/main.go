// Command vitrine runs the Vitrine InserJeunes site and its tools.
//
//	vitrine serve                      serve the site on ADDR
//	vitrine migrate                    apply database migrations
//	vitrine import [flags] PATH...     import open-data files
//	vitrine reindex [--if-outdated]    build the search index from the database into INDEX_DIR
//	vitrine demo                       migrate, load the bundled demo data if the database is empty, serve
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
)

const usage = `usage : vitrine <commande> [options]

commandes :
  serve     sert le site sur ADDR (défaut :8080)
  migrate   applique les migrations de la base
  import    importe des fichiers open data : vitrine import [--skip-invalid] [--dry-run] [--source TYPE] [--lock-timeout DURÉE] CHEMIN...
  demo      migre, charge les données de démonstration si la base est vide, puis sert le site
  formats   liste les formats de fichiers reconnus
  reindex   reconstruit l'index de recherche depuis la base : vitrine reindex [--if-outdated]

environnement : DATABASE_URL (obligatoire), ADDR, DEMO_DIR, INDEX_DIR, IMPORT_LOCK_TIMEOUT
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	os.Exit(run(ctx, log, os.Args[1:]))
}

// exit codes
const (
	exitOK       = 0
	exitFailure  = 1
	exitUsage    = 2
	exitRejected = 3
)

func run(ctx context.Context, log *slog.Logger, args []string) int {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, usage)
		return exitUsage
	}
	var err error
	switch args[0] {
	case "serve":
		err = cmdServe(ctx, log, args[1:], false)
	case "demo":
		err = cmdServe(ctx, log, args[1:], true)
	case "migrate":
		err = cmdMigrate(ctx, args[1:])
	case "import":
		err = cmdImport(ctx, args[1:])
	case "formats":
		cmdFormats()
	case "reindex":
		err = cmdReindex(ctx, log, args[1:])
	case "-h", "--help", "help":
		fmt.Print(usage)
	default:
		fmt.Fprintf(os.Stderr, "commande inconnue %q\n\n%s", args[0], usage)
		return exitUsage
	}
	if err == nil {
		return exitOK
	}
	if errors.Is(err, flag.ErrHelp) {
		return exitUsage
	}
	fmt.Fprintln(os.Stderr, "erreur :", err)
	var ue usageError
	if errors.As(err, &ue) {
		return exitUsage
	}
	if errors.Is(err, errRejectedExit) {
		return exitRejected
	}
	return exitFailure
}

type usageError struct{ error }
