// Package portalsync downloads the latest open-data files from the official
// portals (data.education.gouv.fr, data.enseignementsup-recherche.gouv.fr,
// the BCN), checks each download (HTTP status, size, the format the
// importer detects, sha256) and imports them all in one run of the
// importer: `vitrine sync`. The list of sources is configuration
// (configs/sync.json, SYNC_CONFIG, --config).
//
// A sync is all or nothing: when one download fails its checks, nothing is
// imported and the database is left as it was (rerun, or leave the source
// out with --only). An unchanged file is skipped by the importer itself,
// « déjà importé, inchangé » (internal/importer/current.go).
package portalsync

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/vitrine-inserjeunes/vitrine/configs"
	"github.com/vitrine-inserjeunes/vitrine/internal/importer"
)

// Config is a sync configuration file.
type Config struct {
	// Timeout bounds one download attempt, headers and body ("10m").
	Timeout Duration `json:"timeout"`
	// Retries is how many times a download is tried again after a
	// network error, a cut body or a 5xx, 408 or 429 answer (0–10).
	Retries int `json:"retries"`
	// Backoff is the wait before the first retry, doubled at each one
	// (capped at maxBackoff).
	Backoff Duration `json:"backoff"`
	Sources []Source `json:"sources"`
}

// Source is one file to download.
type Source struct {
	Name        string `json:"name"` // for --only and the report
	Description string `json:"description,omitempty"`
	URL         string `json:"url"`
	// File is the name the download is saved (and imported) under: its
	// extension says .csv, .json, .gz, and the importer may read it.
	File string `json:"file"`
	// Format is the format Kind the importer must detect ("": any).
	Format   string `json:"format,omitempty"`
	MinBytes int64  `json:"min_bytes"`
	MaxBytes int64  `json:"max_bytes"`
}

// Duration is a time.Duration written "90s", "10m" in JSON.
type Duration time.Duration

// UnmarshalJSON reads a Go duration string.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("durée attendue entre guillemets, ex. \"90s\" : %s", b)
	}
	v, err := time.ParseDuration(s)
	if err != nil || v < 0 {
		return fmt.Errorf("durée invalide %q (ex. 90s, 10m)", s)
	}
	*d = Duration(v)
	return nil
}

const (
	maxRetries = 10
	maxBackoff = time.Minute
)

// LoadConfig reads a configuration file; path "" is the committed default
// (configs/sync.json, embedded in the binary). Every refusal names the
// file and says what is wrong.
func LoadConfig(path string) (*Config, error) {
	b, name := configs.Sync, "configs/sync.json (par défaut)"
	if path != "" {
		var err error
		if b, err = os.ReadFile(path); err != nil {
			return nil, fmt.Errorf("configuration de synchronisation %s illisible : %w", path, err)
		}
		name = path
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	c := &Config{Timeout: Duration(10 * time.Minute), Retries: 4, Backoff: Duration(2 * time.Second)}
	if err := dec.Decode(c); err != nil {
		return nil, fmt.Errorf("configuration de synchronisation %s : %v", name, err)
	}
	if err := c.validate(); err != nil {
		return nil, fmt.Errorf("configuration de synchronisation %s : %v", name, err)
	}
	return c, nil
}

func (c *Config) validate() error {
	if c.Retries < 0 || c.Retries > maxRetries {
		return fmt.Errorf("retries : %d hors de 0 à %d", c.Retries, maxRetries)
	}
	if c.Timeout <= 0 {
		return errors.New("timeout : une durée positive est attendue")
	}
	if len(c.Sources) == 0 {
		return errors.New("aucune source (sources vide)")
	}
	seen := map[string]bool{}
	files := map[string]bool{}
	for i, s := range c.Sources {
		where := fmt.Sprintf("source %d (%q)", i+1, s.Name)
		if s.Name == "" || strings.ContainsAny(s.Name, " ,/") {
			return fmt.Errorf("%s : name obligatoire, sans espace, virgule ni barre oblique", where)
		}
		if seen[s.Name] {
			return fmt.Errorf("%s : nom en double", where)
		}
		seen[s.Name] = true
		u, err := url.Parse(s.URL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return fmt.Errorf("%s : url %q : une adresse http(s):// complète est attendue", where, s.URL)
		}
		if s.File == "" || filepath.Base(s.File) != s.File || strings.HasPrefix(s.File, ".") {
			return fmt.Errorf("%s : file %q : un nom de fichier simple est attendu (ex. fr-en-inserjeunes-cfa.csv)", where, s.File)
		}
		if n := strings.TrimSuffix(strings.ToLower(s.File), ".gz"); !strings.HasSuffix(n, ".csv") && !strings.HasSuffix(n, ".json") {
			return fmt.Errorf("%s : file %q : extension .csv, .json, .csv.gz ou .json.gz attendue", where, s.File)
		}
		if files[s.File] {
			return fmt.Errorf("%s : file %q déjà utilisé par une autre source", where, s.File)
		}
		files[s.File] = true
		if s.Format != "" {
			if _, ok := importer.FormatByKind(s.Format); !ok {
				return fmt.Errorf("%s : format %q inconnu (voir « vitrine formats »)", where, s.Format)
			}
		}
		if s.MinBytes < 0 || s.MaxBytes <= 0 || s.MinBytes > s.MaxBytes {
			return fmt.Errorf("%s : bornes de taille invalides (min_bytes %d, max_bytes %d ; 0 ≤ min ≤ max, max > 0)", where, s.MinBytes, s.MaxBytes)
		}
	}
	return nil
}

// Names lists the sources' names.
func (c *Config) Names() []string {
	out := make([]string, len(c.Sources))
	for i, s := range c.Sources {
		out[i] = s.Name
	}
	return out
}

// Options of a sync.
type Options struct {
	// Only restricts the sync to these sources (nil: all).
	Only []string
	// DryRun downloads and checks, then imports with importer's DryRun:
	// nothing is written.
	DryRun bool
	// LockTimeout is the importer's wait for another import.
	LockTimeout time.Duration
	// Client is the HTTP client (nil: one with the configuration's
	// timeout). Its Timeout is set to the configuration's when zero.
	Client *http.Client
	// Dir keeps the downloads there ("": a temporary directory removed at
	// the end).
	Dir string
	// Log receives one line per attempt that fails (nil: none).
	Log io.Writer
	// sleep waits between attempts (tests: nil is time-based).
	sleep func(context.Context, time.Duration) error
}

// SourceReport is the outcome of one source.
type SourceReport struct {
	Name     string `json:"name"`
	URL      string `json:"url"`
	File     string `json:"file"`
	Size     int64  `json:"size"`
	SHA256   string `json:"sha256"`
	Format   string `json:"format"`
	Encoding string `json:"encoding"`
	Attempts int    `json:"attempts"`
	// Outcome says, in French, what happened to the file: « erreur : … »,
	// « importé : … », « déjà importé, inchangé », « vérifié (essai à
	// blanc) ».
	Outcome string `json:"outcome"`
	Failed  bool   `json:"failed"`
	path    string
}

// Report is the outcome of a sync.
type Report struct {
	Sources []SourceReport   `json:"sources"`
	Import  *importer.Report `json:"import,omitempty"` // nil when nothing was imported
}

// FailedError: some downloads failed their checks; nothing was imported.
type FailedError struct{ Failed []string }

func (e *FailedError) Error() string {
	return fmt.Sprintf("%d source(s) en échec (%s) : rien n'a été importé, la base n'a pas été modifiée", len(e.Failed), strings.Join(e.Failed, ", "))
}

// Run downloads and checks every source (or those of opt.Only), then
// imports them in one importer run. The report is returned with the error.
func Run(ctx context.Context, pool *pgxpool.Pool, cfg *Config, opt Options) (*Report, error) {
	srcs, err := cfg.selected(opt.Only)
	if err != nil {
		return nil, err
	}
	dir := opt.Dir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "vitrine-sync-*"); err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	client := opt.Client
	if client == nil {
		client = newClient(time.Duration(cfg.Timeout))
	} else if client.Timeout == 0 {
		c := *client
		c.Timeout = time.Duration(cfg.Timeout)
		client = &c
	}
	if opt.sleep == nil {
		opt.sleep = sleepCtx
	}
	rep := &Report{}
	var failed []string
	for _, s := range srcs {
		sr := download(ctx, client, cfg, s, dir, opt)
		if sr.Failed {
			failed = append(failed, s.Name)
		}
		rep.Sources = append(rep.Sources, sr)
		if ctx.Err() != nil {
			return rep, ctx.Err()
		}
	}
	if len(failed) > 0 {
		for i := range rep.Sources {
			if !rep.Sources[i].Failed {
				rep.Sources[i].Outcome = "vérifié, non importé (une autre source est en échec)"
			}
		}
		return rep, &FailedError{Failed: failed}
	}
	paths := make([]string, len(rep.Sources))
	type origin struct {
		Name   string `json:"name"`
		URL    string `json:"url"`
		File   string `json:"file"`
		Size   int64  `json:"size"`
		SHA256 string `json:"sha256"`
	}
	origins := make([]origin, len(rep.Sources))
	for i, s := range rep.Sources {
		paths[i] = s.path
		origins[i] = origin{s.Name, s.URL, s.File, s.Size, s.SHA256}
	}
	// The run records where its files came from (import_runs.options).
	ir, err := importer.Run(ctx, pool, paths, importer.Options{DryRun: opt.DryRun, LockTimeout: opt.LockTimeout,
		Origin: map[string]any{"sync": origins}})
	rep.Import = ir
	byPath := map[string]*importer.FileReport{}
	if ir != nil {
		for i := range ir.Files {
			byPath[ir.Files[i].Path] = &ir.Files[i]
		}
	}
	for i := range rep.Sources {
		s := &rep.Sources[i]
		f := byPath[s.path]
		switch {
		case err != nil:
			s.Outcome = "non importé : l'import a été refusé (voir l'erreur)"
		case f == nil:
			s.Outcome = "non importé"
		case f.Skipped:
			s.Outcome = fmt.Sprintf("déjà importé, inchangé (fichier n° %d)", f.SameAs)
		case opt.DryRun:
			s.Outcome = fmt.Sprintf("vérifié (essai à blanc) : %d ligne(s) lue(s), %d à charger, %d inchangée(s)", f.Read, f.Loaded, f.Unchanged)
		default:
			s.Outcome = fmt.Sprintf("importé : %d ligne(s) lue(s), %d chargée(s), %d inchangée(s)", f.Read, f.Loaded, f.Unchanged)
		}
	}
	return rep, err
}

// selected returns the sources named in only (all when empty), in the
// order of the configuration.
func (c *Config) selected(only []string) ([]Source, error) {
	if len(only) == 0 {
		return c.Sources, nil
	}
	want := map[string]bool{}
	for _, n := range only {
		want[n] = true
	}
	var out []Source
	for _, s := range c.Sources {
		if want[s.Name] {
			out = append(out, s)
			delete(want, s.Name)
		}
	}
	if len(want) > 0 {
		var unknown []string
		for _, n := range only {
			if want[n] {
				unknown = append(unknown, n)
			}
		}
		return nil, &UnknownSourceError{Names: unknown, Known: c.Names()}
	}
	return out, nil
}

// UnknownSourceError: --only names a source the configuration lacks.
type UnknownSourceError struct{ Names, Known []string }

func (e *UnknownSourceError) Error() string {
	return fmt.Sprintf("source(s) inconnue(s) : %s ; sources de la configuration : %s", strings.Join(e.Names, ", "), strings.Join(e.Known, ", "))
}

func newClient(timeout time.Duration) *http.Client {
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			TLSHandshakeTimeout:   30 * time.Second,
			ResponseHeaderTimeout: 2 * time.Minute,
			// The bytes as served: a .gz is kept compressed and its
			// integrity checked by the importer's reader.
			DisableCompression: true,
		},
	}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// attemptError is a failed attempt; retry says whether another one may
// succeed.
type attemptError struct {
	msg   string
	retry bool
}

func (e *attemptError) Error() string { return e.msg }

// download fetches one source into dir (retrying what may be transient),
// then checks it.
func download(ctx context.Context, client *http.Client, cfg *Config, s Source, dir string, opt Options) SourceReport {
	sr := SourceReport{Name: s.Name, URL: s.URL, File: s.File, path: filepath.Join(dir, s.File)}
	wait := time.Duration(cfg.Backoff)
	var last error
	for attempt := 0; attempt <= cfg.Retries; attempt++ {
		if attempt > 0 {
			if err := opt.sleep(ctx, wait); err != nil {
				last = err
				break
			}
			wait = min(2*wait, maxBackoff)
		}
		sr.Attempts++
		size, sum, err := fetch(ctx, client, s, sr.path)
		if err == nil {
			sr.Size, sr.SHA256, last = size, sum, nil
			break
		}
		last = err
		if opt.Log != nil {
			fmt.Fprintf(opt.Log, "%s : tentative %d/%d : %v\n", s.Name, attempt+1, cfg.Retries+1, err)
		}
		var ae *attemptError
		if !errors.As(err, &ae) || !ae.retry || ctx.Err() != nil {
			break
		}
	}
	if last != nil {
		os.Remove(sr.path)
		sr.Failed = true
		sr.Outcome = "erreur : " + last.Error()
		if sr.Attempts > 1 {
			sr.Outcome += fmt.Sprintf(" (après %d tentatives)", sr.Attempts)
		}
		return sr
	}
	// The importer's own detection, over the whole file (a cut gzip, a
	// bad encoding, an unknown header).
	kind, enc, err := importer.Detect(sr.path)
	if err != nil {
		sr.Failed = true
		sr.Outcome = "erreur : fichier téléchargé refusé : " + strings.ReplaceAll(err.Error(), sr.path, s.File)
		return sr
	}
	sr.Format, sr.Encoding = kind, enc
	if s.Format != "" && kind != s.Format {
		sr.Failed = true
		sr.Outcome = fmt.Sprintf("erreur : format détecté %s, %s attendu : l'export a changé de forme, vérifiez l'URL ou la configuration", kind, s.Format)
		return sr
	}
	sr.Outcome = "téléchargé et vérifié"
	return sr
}

// fetch makes one attempt: GET, status, body written to path with its
// size checked against Content-Length and the bounds, and its sha256.
func fetch(ctx context.Context, client *http.Client, s Source, path string) (int64, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL, nil)
	if err != nil {
		return 0, "", &attemptError{msg: err.Error()}
	}
	req.Header.Set("User-Agent", "vitrine-inserjeunes-sync/1 (+https://github.com/vitrine-inserjeunes/vitrine)")
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", &attemptError{msg: "échec réseau : " + netErr(err), retry: true}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		retry := resp.StatusCode >= 500 || resp.StatusCode == http.StatusRequestTimeout || resp.StatusCode == http.StatusTooManyRequests
		return 0, "", &attemptError{msg: fmt.Sprintf("réponse HTTP %d %s", resp.StatusCode, http.StatusText(resp.StatusCode)), retry: retry}
	}
	if resp.ContentLength > s.MaxBytes {
		return 0, "", &attemptError{msg: fmt.Sprintf("taille annoncée %d octets, au-delà du maximum configuré (%d)", resp.ContentLength, s.MaxBytes)}
	}
	f, err := os.Create(path)
	if err != nil {
		return 0, "", err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(resp.Body, s.MaxBytes+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	switch {
	case err != nil && errors.Is(err, io.ErrUnexpectedEOF) && resp.ContentLength >= 0:
		return n, "", &attemptError{msg: fmt.Sprintf("téléchargement tronqué : %d octets reçus sur %d annoncés", n, resp.ContentLength), retry: true}
	case err != nil:
		return n, "", &attemptError{msg: fmt.Sprintf("téléchargement interrompu après %d octets : %s", n, netErr(err)), retry: true}
	case n > s.MaxBytes:
		return n, "", &attemptError{msg: fmt.Sprintf("plus de %d octets (maximum configuré) : téléchargement arrêté", s.MaxBytes)}
	case resp.ContentLength >= 0 && n != resp.ContentLength:
		return n, "", &attemptError{msg: fmt.Sprintf("téléchargement tronqué : %d octets reçus sur %d annoncés", n, resp.ContentLength), retry: true}
	case n < s.MinBytes:
		return n, "", &attemptError{msg: fmt.Sprintf("%d octets seulement, moins que le minimum configuré (%d) : export vide ou page d'erreur ?", n, s.MinBytes)}
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}

// netErr words a transport error.
func netErr(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "délai dépassé (" + err.Error() + ")"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "connexion coupée avant la fin"
	}
	return err.Error()
}
