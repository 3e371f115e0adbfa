package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/vitrine-inserjeunes/vitrine/internal/bulk"
	"github.com/vitrine-inserjeunes/vitrine/internal/store"
)

// The bulk downloads (/donnees/telechargements): every figure as CSV
// (gzip) and Parquet with the data dictionary, built by internal/bulk once
// per data version into BULK_DIR, in the background. A request never
// waits for a build: while it runs, the page says « en préparation » and
// a file answers 503 with Retry-After (a build outlasts REQUEST_TIMEOUT on
// real data). The files are served from disk (bounded memory) with
// Content-Length and an ETag from their SHA-256; If-None-Match gets 304.

// bulkRetryAfter is the Retry-After of a file asked for during a build.
const bulkRetryAfter = 30

// bulkFailBackoff: after a failed build, requests get the failure for
// that long before a new build starts.
const bulkFailBackoff = time.Minute

// bulkFiles is the state of this node's bulk downloads.
type bulkFiles struct {
	dir   string
	store *store.Store // unbounded pool (no statement timeout): a build streams whole tables
	log   *slog.Logger

	mu       sync.Mutex
	ready    *bulk.Manifest // the files of the last version built
	building int64          // version being built (0: none)
	failed   int64          // version whose last build failed
	failErr  error
	failAt   time.Time
}

// WithBulkStore gives the bulk downloads their own store (the import and
// index pool of cmd/vitrine, without statement timeout); by default they
// use the request store.
func WithBulkStore(st *store.Store) Option { return func(s *Server) { s.bulk.store = st } }

// errBulkBuilding answers a file asked for during its build (logged: the
// build logs its start and end, not each request that waits).
var errBulkBuilding = &httpError{Status: fiber.StatusServiceUnavailable, Code: "telechargements_en_preparation", RetryAfter: bulkRetryAfter,
	Heading: "Fichiers en préparation", logged: true,
	Message: "Les fichiers de téléchargement de la version actuelle des données sont en préparation : réessayez dans une minute."}

// errBulkFailed answers while the last build of the version failed (the
// build logged why); a new one starts after bulkFailBackoff.
func errBulkFailed(err error) *httpError {
	return &httpError{Status: fiber.StatusServiceUnavailable, Code: "telechargements_indisponibles", cause: err, logged: true,
		Heading: "Téléchargements indisponibles", RetryAfter: int(bulkFailBackoff.Seconds()),
		Message: "La préparation des fichiers a échoué ; elle sera relancée dans une minute."}
}

// manifest returns the files of data version v, building them in the
// background when missing: (nil, nil) while the build runs.
func (b *bulkFiles) manifest(v int64) (*bulk.Manifest, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ready != nil && b.ready.Version == v {
		return b.ready, nil
	}
	if b.building == v {
		return nil, nil
	}
	if b.dir == "" { // no BULK_DIR (tests): this process's own directory
		dir, err := os.MkdirTemp("", "vitrine-bulk-")
		if err != nil {
			return nil, err
		}
		b.dir = dir
	}
	if m, err := bulk.Load(b.dir, v); err == nil {
		b.ready = m
		return m, nil
	}
	if b.failed == v && time.Since(b.failAt) < bulkFailBackoff {
		return nil, b.failErr
	}
	if b.building != 0 {
		return nil, nil // an older version is still being built: this one starts after it
	}
	b.building = v
	go b.build(v)
	return nil, nil
}

// build writes the files of version v. A version that changes during the
// build (an import) is not published: the next request builds the new one.
func (b *bulkFiles) build(v int64) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	ctx = store.WithDataVersion(ctx, v)
	m, err := bulk.Build(ctx, b.dir, v, b.store.BulkFigures)
	if err == nil {
		var now int64
		if now, err = b.store.DataVersion(ctx); err == nil && now != v {
			os.RemoveAll(bulk.Dir(b.dir, v))
			err = fmt.Errorf("les données ont changé pendant la préparation (version %d → %d)", v, now)
		}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.building = 0
	if err != nil {
		b.log.Error("téléchargements en masse", "version", v, "err", err)
		b.failed, b.failErr, b.failAt = v, err, time.Now()
		return
	}
	b.ready = m
	b.log.Info("téléchargements en masse prêts", "version", v, "secondes", fmt.Sprintf("%.1f", m.Seconds))
}

// telechargementsPage is the page of the bulk downloads.
type telechargementsPage struct {
	basePage
	// Manifest is nil while the files are being prepared.
	Manifest *bulk.Manifest
	Datasets []bulkDatasetView
	// Dictionary lists every column of every dataset.
	Dictionary []bulkDatasetView
	BuiltAt    string
	Licence    string
	DemoRows   int
}

type bulkDatasetView struct {
	ID, Titre, Description string
	Rows                   string
	Files                  []bulkFileView
	Columns                []bulk.DictionaryEntry
	DemoRows               int
	DemoRowsText           string
}

type bulkFileView struct {
	Name, URL, Format, Size string
}

func (p *telechargementsPage) demoBlocks() []string {
	if p.DemoRows > 0 {
		return []string{"les fichiers à télécharger (colonne demonstration)"}
	}
	return nil
}

// telechargements is GET /donnees/telechargements.
func (s *Server) telechargements(c *fiber.Ctx) error {
	st, err := s.state(c.UserContext())
	if err != nil {
		return err
	}
	m, err := s.bulk.manifest(st.Version)
	if err != nil {
		return errBulkFailed(err)
	}
	p := s.telechargementsPageOf(st, m)
	if m == nil {
		// Being prepared: not cached by anyone, asked again soon.
		c.Set(fiber.HeaderCacheControl, "no-store")
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(bulkRetryAfter))
	}
	b, err := s.htmlPage("pages/telechargements", p)
	if err != nil {
		return err
	}
	if m != nil {
		c.Set(fiber.HeaderCacheControl, "public, no-cache")
	}
	c.Set(fiber.HeaderContentType, b.ContentType)
	return c.Send(b.Body)
}

// telechargementsPageOf is the page for the data state st and the files
// m (nil while they are being prepared).
func (s *Server) telechargementsPageOf(st dataState, m *bulk.Manifest) *telechargementsPage {
	p := &telechargementsPage{Manifest: m, Licence: bulk.Licence}
	p.basePage = s.newBase(st, "Téléchargements en masse", "Tous les chiffres d'insertion de Vitrine InserJeunes (InserJeunes, InserSup) en CSV et Parquet, avec leur dictionnaire des données.", "/donnees/telechargements")
	p.Breadcrumb = []crumb{{Label: "Les données", URL: "/a-propos/donnees"}, {Label: "Téléchargements en masse", URL: "/donnees/telechargements"}}
	entries := bulk.DictionaryEntries()
	for _, d := range bulk.Datasets {
		v := bulkDatasetView{ID: d.ID, Titre: d.Titre, Description: d.Description}
		for _, e := range entries {
			if e.Dataset == d.ID {
				v.Columns = append(v.Columns, e)
			}
		}
		if m != nil {
			for _, f := range m.Files {
				if f.Dataset == d.ID {
					v.Rows = nOf(f.Rows, "ligne", "lignes")
					v.DemoRows, v.DemoRowsText = f.DemoRows, formatInt(f.DemoRows)
					v.Files = append(v.Files, bulkFileView{Name: f.Name, URL: "/donnees/telechargements/" + f.Name,
						Format: bulkFormatLabel(f.Format), Size: formatSize(f.Size)})
				}
			}
			p.DemoRows += v.DemoRows
		}
		p.Datasets = append(p.Datasets, v)
	}
	if m != nil {
		p.BuiltAt = frenchDate(m.BuiltAt)
		dict := bulkDatasetView{ID: bulk.Dictionary}
		for _, f := range m.Files {
			if f.Dataset == bulk.Dictionary {
				dict.Files = append(dict.Files, bulkFileView{Name: f.Name, URL: "/donnees/telechargements/" + f.Name,
					Format: bulkFormatLabel(f.Format), Size: formatSize(f.Size)})
			}
		}
		p.Dictionary = []bulkDatasetView{dict}
	}
	return p
}

func bulkFormatLabel(f string) string {
	switch f {
	case "csv.gz":
		return "CSV compressé (gzip)"
	case "parquet":
		return "Parquet"
	case "csv":
		return "CSV"
	case "json":
		return "JSON"
	}
	return f
}

var bulkContentTypes = map[string]string{
	"csv.gz":  "application/gzip",
	"parquet": "application/vnd.apache.parquet",
	"csv":     mimeCSV,
	"json":    fiber.MIMEApplicationJSONCharsetUTF8,
}

// telechargementFile is GET /donnees/telechargements/:file.
func (s *Server) telechargementFile(c *fiber.Ctx) error {
	name := c.Params("file")
	st, err := s.state(c.UserContext())
	if err != nil {
		return err
	}
	m, err := s.bulk.manifest(st.Version)
	if err != nil {
		return errBulkFailed(err)
	}
	if m == nil {
		// Only names the build makes wait; others are unknown at once.
		if !bulkKnownName(name) {
			return bulkNotFound(name)
		}
		return errBulkBuilding
	}
	f, ok := m.File(name)
	if !ok {
		return bulkNotFound(name)
	}
	// From the content alone: a file the next import leaves unchanged
	// keeps its ETag, and every node that built it gives the same.
	etag := `"` + f.SHA256[:32] + `"`
	c.Set(fiber.HeaderETag, etag)
	c.Set(fiber.HeaderCacheControl, "public, no-cache")
	if inm := c.Get(fiber.HeaderIfNoneMatch); inm != "" && etagMatch(inm, etag) {
		return c.SendStatus(fiber.StatusNotModified)
	}
	file, err := os.Open(filepath.Join(bulk.Dir(s.bulk.dir, m.Version), f.Name))
	if errors.Is(err, os.ErrNotExist) {
		// Removed under us (a newer version pruned it): forget and rebuild.
		s.bulk.mu.Lock()
		if s.bulk.ready == m {
			s.bulk.ready = nil
		}
		s.bulk.mu.Unlock()
		return errBulkBuilding
	}
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, bulkContentTypes[f.Format])
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="vitrine-`+f.Name+`"`)
	if c.Method() == fiber.MethodHead {
		file.Close()
		c.Response().Header.SetContentLength(int(f.Size))
		return nil
	}
	// SendStream with the size: Content-Length set, the body read from
	// the file as it is written (fasthttp closes it).
	return c.SendStream(file, int(f.Size))
}

func bulkKnownName(name string) bool {
	for _, d := range bulk.Datasets {
		if name == d.ID+".csv.gz" || name == d.ID+".parquet" {
			return true
		}
	}
	return name == bulk.Dictionary+".csv" || name == bulk.Dictionary+".json"
}

func bulkNotFound(name string) error {
	return errNotFound("fichier_inconnu", fmt.Sprintf("fichier %s inconnu : les fichiers sont listés sur /donnees/telechargements", quoteParam(name)))
}
