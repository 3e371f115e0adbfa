// Command vitrine runs the Vitrine InserJeunes site and its tools.
//
//	vitrine serve                      serve the site on ADDR
//	vitrine migrate                    apply database migrations
//	vitrine import [flags] PATH...     import open-data files
//	vitrine sync [flags]               download the official portals' exports and import them
//	vitrine reindex [--if-outdated]    build the search index from the database into INDEX_DIR
//	vitrine demo                       migrate, load the bundled demo data if the database is empty, serve
//	vitrine staff add|list|disable|enable|reset-totp   manage the back-office accounts
//	vitrine gen --scale N --out DIR    write synthetic copies of the establishment × formation files (benchmarks)
//	vitrine purge [--mois N]           erase the personal data of correction requests closed long ago
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

const usage = `usage : vitrine <commande> [options]

commandes :
  serve     sert le site sur ADDR (défaut :8080)
  migrate   applique les migrations de la base
  import    importe des fichiers open data : vitrine import [--skip-invalid] [--dry-run] [--force] [--source TYPE] [--lock-timeout DURÉE] CHEMIN...
  demo      migre, charge les données de démonstration si la base est vide, puis sert le site
  formats   liste les formats de fichiers reconnus
  sync      télécharge les derniers fichiers des portails officiels et les importe : vitrine sync [--dry-run] [--only NOM] [--config FICHIER]
  reindex   reconstruit l'index de recherche depuis la base : vitrine reindex [--if-outdated]
  purge     efface les données personnelles des signalements clos depuis plus de RETENTION_MONTHS mois : vitrine purge [--mois N]
  staff     comptes du back-office : vitrine staff add --email … --role admin|moderateur|relais [--academie 14]… | list | disable | enable | reset-totp
  gen       multiplie les données de démonstration établissement × formation : vitrine gen --scale N --out DOSSIER [FICHIER|DOSSIER...]

environnement : DATABASE_URL (obligatoire), ADDR, BASE_URL, DEMO_DIR, INDEX_DIR, IMPORT_LOCK_TIMEOUT, SYNC_CONFIG ;
  serveur : READ_TIMEOUT, WRITE_TIMEOUT, IDLE_TIMEOUT, MAX_HEADER_BYTES, MAX_BODY_BYTES, REQUEST_TIMEOUT,
  STATEMENT_TIMEOUT, RATE_LIMIT, RATE_LIMIT_WINDOW, TRUSTED_PROXIES, PAGE_CACHE_MB, WARM_TERRITORIES, MEMORY_LIMIT_MB, ACCESS_LOG
  signalements : POST_RATE_LIMIT, POST_RATE_WINDOW, CSRF_SECRET, SMTP_URL, MAIL_FROM, MAIL_MAX_ATTEMPTS, RETENTION_MONTHS
  (voir le README)
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
		err = cmdFormats(args[1:])
	case "reindex":
		err = cmdReindex(ctx, log, args[1:])
	case "sync":
		err = cmdSync(ctx, args[1:])
	case "gen":
		err = cmdGen(args[1:])
	case "purge":
		err = cmdPurge(ctx, log, args[1:])
	case "staff":
		err = cmdStaff(ctx, args[1:], os.Stdin, os.Stdout)
	case "-h", "--help", "help":
		fmt.Print(usage)
	default:
		fmt.Fprintf(os.Stderr, "commande inconnue %q\n\n%s", args[0], usage)
		return exitUsage
	}
	if err == nil || errors.Is(err, errHelp) {
		return exitOK
	}
	fmt.Fprintln(os.Stderr, "erreur :", err)
	var ue usageError
	if errors.As(err, &ue) {
		if ue.usage != nil {
			fmt.Fprintln(os.Stderr)
			ue.usage()
		}
		return exitUsage
	}
	var re rejectedError
	if errors.As(err, &re) {
		return exitRejected
	}
	return exitFailure
}

// usageError is a wrong invocation (exit 2); usage, when set, prints the
// synopsis of the subcommand after the error.
type usageError struct {
	error
	usage func()
}

// errHelp: the usage was asked for (-h) and printed (exit 0).
var errHelp = errors.New("aide")

// newFlags returns the flag set of a subcommand; synopsis is its usage line.
func newFlags(name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage : "+synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses the arguments of a subcommand that takes at most
// maxArgs positional arguments (-1: any number). A bad option or argument
// is a usageError (exit 2), said once, in French; -h prints the usage on
// stdout and returns errHelp.
func parseFlags(fs *flag.FlagSet, args []string, maxArgs int) error {
	fs.SetOutput(io.Discard) // the flag package's own messages are in English
	err := fs.Parse(args)
	fs.SetOutput(os.Stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fs.SetOutput(os.Stdout)
		fs.Usage()
		return errHelp
	case err != nil:
		return usageError{frenchFlagError(err), fs.Usage}
	case maxArgs >= 0 && fs.NArg() > maxArgs:
		return usageError{fmt.Errorf("argument inattendu : %q", fs.Arg(maxArgs)), fs.Usage}
	}
	return nil
}

// frenchFlagError translates the errors of the flag package.
func frenchFlagError(err error) error {
	msg := err.Error()
	for _, p := range [][2]string{
		{"flag provided but not defined: ", "option inconnue : "},
		{"flag needs an argument: ", "valeur manquante pour l'option "},
		{"bad flag syntax: ", "syntaxe d'option invalide : "},
	} {
		if rest, ok := strings.CutPrefix(msg, p[0]); ok {
			return errors.New(p[1] + rest)
		}
	}
	// invalid value "x" for flag -lock-timeout: parse error
	// invalid boolean value "x" for -dry-run: parse error
	for _, p := range [][2]string{{"invalid value ", " for flag "}, {"invalid boolean value ", " for "}} {
		if rest, ok := strings.CutPrefix(msg, p[0]); ok {
			if val, rest, ok := strings.Cut(rest, p[1]); ok {
				name, _, _ := strings.Cut(rest, ": ")
				return fmt.Errorf("valeur %s invalide pour l'option %s", val, name)
			}
		}
	}
	return err
}
