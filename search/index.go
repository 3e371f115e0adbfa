package search

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"
)

// Layout of INDEX_DIR:
//
//	CURRENT                 the name of the directory in service (written to
//	                        a temporary file then renamed: atomic)
//	m1-d42-1732860000000    one complete index: mapping version 1, data
//	                        version 42 (the last import run), build time
//
// A build writes a new directory, never touches the one in service, then
// flips CURRENT. A process serving searches holds the open index behind an
// atomic.Pointer; the old index is closed once the last search using it
// has finished, and its directory removed.
const currentFile = "CURRENT"

// Internal keys stored in the index.
var (
	keyMappingVersion = []byte("vitrine_mapping_version")
	keyDataVersion    = []byte("vitrine_data_version")
	keyLabels         = []byte("vitrine_labels")
	keyTerritories    = []byte("vitrine_territoires")
	keyBuiltAt        = []byte("vitrine_built_at")
)

// ErrNoIndex is returned by searches while no index is open.
var ErrNoIndex = errors.New("l'index de recherche n'est pas encore construit")

// Source gives the documents to index and the version of the data they
// come from (the id of the last import run).
type Source interface {
	DataVersion(ctx context.Context) (int64, error)
	Documents(ctx context.Context, emit func(Document) error) error
}

// Index is the search index of one process. Several processes (nodes) each
// keep their own Index in their own directory, built from the same
// PostgreSQL: nothing is shared between them but the database.
type Index struct {
	dir    string
	log    *slog.Logger
	cur    atomic.Pointer[handle]
	build  sync.Mutex // one build at a time in this process
	closed atomic.Bool
}

// handle is one open bleve index with its metadata and a reference count,
// so that a swapped-out index is closed only when no search uses it.
type handle struct {
	idx            bleve.Index
	name           string // directory name under dir
	mappingVersion int
	dataVersion    int64
	labels         labels
	builtAt        time.Time
	docs           uint64
	vocab          map[string]struct{} // every word of all_f
	territories    *territoryMatcher   // the territory cards
	cache          resultCache         // answers of this (immutable) index
	facets         *facetTable         // facet values of every document, by doc number

	refs    atomic.Int64
	retired atomic.Bool
	once    sync.Once
	onClose func()
}

func (h *handle) release() {
	if h.refs.Add(-1) == 0 && h.retired.Load() {
		h.close()
	}
}

func (h *handle) retire() {
	h.retired.Store(true)
	if h.refs.Load() == 0 {
		h.close()
	}
}

func (h *handle) close() {
	h.once.Do(func() {
		_ = h.idx.Close()
		if h.onClose != nil {
			h.onClose()
		}
	})
}

// labels maps facet codes to their French labels (académies, régions…),
// stored in the index with the documents.
type labels map[string]map[string]string

// New returns an Index over dir. Nothing is opened yet: call Open (serve
// what is there) and Refresh (build when missing or outdated).
func New(dir string, log *slog.Logger) *Index {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Index{dir: dir, log: log}
}

// Dir is the index directory.
func (ix *Index) Dir() string { return ix.dir }

// acquire returns the handle in service with a reference held, or nil.
func (ix *Index) acquire() *handle {
	for {
		h := ix.cur.Load()
		if h == nil {
			return nil
		}
		h.refs.Add(1)
		if ix.cur.Load() == h {
			return h
		}
		h.release()
	}
}

// swap puts h in service and retires the previous handle.
func (ix *Index) swap(h *handle) {
	if old := ix.cur.Swap(h); old != nil && old != h {
		dir := filepath.Join(ix.dir, old.name)
		old.onClose = func() {
			if err := os.RemoveAll(dir); err != nil {
				ix.log.Warn("index: suppression de l'ancien répertoire impossible", "dir", dir, "err", err)
			}
		}
		old.retire()
	}
}

// Status describes the index in service.
type Status struct {
	Open           bool      `json:"ouvert"`
	Dir            string    `json:"repertoire,omitempty"`
	MappingVersion int       `json:"version_mapping,omitempty"`
	DataVersion    int64     `json:"version_donnees,omitempty"`
	Documents      uint64    `json:"documents,omitempty"`
	BuiltAt        time.Time `json:"construit_le,omitzero"`
}

// Status returns what is in service.
func (ix *Index) Status() Status {
	h := ix.acquire()
	if h == nil {
		return Status{}
	}
	defer h.release()
	return Status{Open: true, Dir: filepath.Join(ix.dir, h.name), MappingVersion: h.mappingVersion,
		DataVersion: h.dataVersion, Documents: h.docs, BuiltAt: h.builtAt}
}

// Fresh reports whether the index in service has the current mapping and
// the given data version.
func (ix *Index) Fresh(dataVersion int64) bool {
	h := ix.cur.Load()
	return h != nil && h.mappingVersion == MappingVersion && h.dataVersion == dataVersion
}

// Open opens the index named by CURRENT, if any, and puts it in service
// even when outdated (Refresh replaces it). A missing or unreadable index
// is not an error: there is simply nothing in service.
func (ix *Index) Open() error {
	name, err := ix.readCurrent()
	if err != nil || name == "" {
		return err
	}
	if h := ix.cur.Load(); h != nil && h.name == name {
		return nil
	}
	h, err := openHandle(ix.dir, name)
	if err != nil {
		ix.log.Warn("index: ouverture impossible, il sera reconstruit", "dir", name, "err", err)
		return nil
	}
	ix.swap(h)
	return nil
}

func (ix *Index) readCurrent() (string, error) {
	b, err := os.ReadFile(filepath.Join(ix.dir, currentFile))
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	name := strings.TrimSpace(string(b))
	if name == "" || strings.ContainsAny(name, `/\`) || name == "." || name == ".." {
		return "", fmt.Errorf("index : fichier %s invalide", currentFile)
	}
	return name, nil
}

// openTimeout bounds the wait for the lock of an index another process
// holds open (bolt waits forever by default).
const openTimeout = "500ms"

func openIndex(path string) (bleve.Index, error) {
	return bleve.OpenUsing(path, map[string]interface{}{"bolt_timeout": openTimeout})
}

func openHandle(dir, name string) (*handle, error) {
	idx, err := openIndex(filepath.Join(dir, name))
	if err != nil {
		return nil, err
	}
	h := &handle{idx: idx, name: name}
	if err := h.readMeta(); err != nil {
		_ = idx.Close()
		return nil, err
	}
	return h, nil
}

func (h *handle) readMeta() error {
	mv, err := h.idx.GetInternal(keyMappingVersion)
	if err != nil {
		return err
	}
	dv, err := h.idx.GetInternal(keyDataVersion)
	if err != nil {
		return err
	}
	h.mappingVersion, _ = strconv.Atoi(string(mv))
	h.dataVersion, _ = strconv.ParseInt(string(dv), 10, 64)
	if lb, err := h.idx.GetInternal(keyLabels); err == nil && len(lb) > 0 {
		if err := json.Unmarshal(lb, &h.labels); err != nil {
			return fmt.Errorf("index : libellés illisibles : %w", err)
		}
	}
	if bt, err := h.idx.GetInternal(keyBuiltAt); err == nil && len(bt) > 0 {
		h.builtAt, _ = time.Parse(time.RFC3339Nano, string(bt))
	}
	h.docs, _ = h.idx.DocCount()
	if err := h.loadVocab(); err != nil {
		return err
	}
	tb, _ := h.idx.GetInternal(keyTerritories)
	if err := h.loadTerritories(tb); err != nil {
		return err
	}
	ft, err := loadFacetTable(h.idx)
	if err != nil {
		return err
	}
	h.facets = ft
	return nil
}

// loadVocab reads the dictionary of all_f: a query word the index knows
// needs no fuzzy expansion.
func (h *handle) loadVocab() error {
	d, err := h.idx.FieldDict(fAllF)
	if err != nil {
		return fmt.Errorf("index : dictionnaire : %w", err)
	}
	defer d.Close()
	h.vocab = map[string]struct{}{}
	for {
		e, err := d.Next()
		if err != nil {
			return fmt.Errorf("index : dictionnaire : %w", err)
		}
		if e == nil {
			return nil
		}
		h.vocab[e.Term] = struct{}{}
	}
}

// BuildStats tells what a build did.
type BuildStats struct {
	Dir            string        `json:"repertoire"`
	Documents      int           `json:"documents"`
	Etablissements int           `json:"etablissements"`
	Formations     int           `json:"formations"`
	DataVersion    int64         `json:"version_donnees"`
	Duration       time.Duration `json:"duree"`
	Bytes          int64         `json:"octets"`
}

// Refresh makes the index in service current: it opens CURRENT if another
// process (vitrine reindex, another build) already made a fresh one, else
// it builds a new index from src and swaps it in without interrupting
// searches. It returns nil stats when nothing had to be built.
func (ix *Index) Refresh(ctx context.Context, src Source) (*BuildStats, error) {
	dv, err := src.DataVersion(ctx)
	if err != nil {
		return nil, err
	}
	if ix.Fresh(dv) {
		return nil, nil
	}
	ix.build.Lock()
	defer ix.build.Unlock()
	if ix.Fresh(dv) {
		return nil, nil
	}
	if err := ix.Open(); err != nil {
		return nil, err
	}
	if ix.Fresh(dv) {
		return nil, nil
	}
	return ix.rebuild(ctx, src, dv)
}

// Rebuild builds a new index from src whatever the one in service, and
// swaps it in.
func (ix *Index) Rebuild(ctx context.Context, src Source) (*BuildStats, error) {
	dv, err := src.DataVersion(ctx)
	if err != nil {
		return nil, err
	}
	ix.build.Lock()
	defer ix.build.Unlock()
	return ix.rebuild(ctx, src, dv)
}

func (ix *Index) rebuild(ctx context.Context, src Source, dv int64) (*BuildStats, error) {
	start := time.Now()
	if err := os.MkdirAll(ix.dir, 0o755); err != nil {
		return nil, fmt.Errorf("index : %w", err)
	}
	name := fmt.Sprintf("m%d-d%d-%d", MappingVersion, dv, start.UnixNano())
	path := filepath.Join(ix.dir, name)
	stats := &BuildStats{Dir: path, DataVersion: dv}
	h, err := buildIndex(ctx, path, src, stats)
	if err != nil {
		_ = os.RemoveAll(path)
		return nil, err
	}
	h.name = name
	if ix.closed.Load() { // closed while building (shutdown): keep nothing open
		h.close()
		_ = os.RemoveAll(path)
		return nil, errors.New("index : fermé pendant la construction")
	}
	if err := ix.writeCurrent(name); err != nil {
		h.close()
		_ = os.RemoveAll(path)
		return nil, err
	}
	ix.swap(h)
	stats.Duration = time.Since(start)
	stats.Bytes = dirSize(path)
	ix.cleanup(name)
	ix.log.Info("index de recherche construit", "dir", path, "documents", stats.Documents,
		"version_donnees", dv, "duree", stats.Duration.Round(time.Millisecond), "octets", stats.Bytes)
	return stats, nil
}

// buildIndex writes a complete index at path with the offline builder (one
// merged segment), then opens it and stores the metadata.
func buildIndex(ctx context.Context, path string, src Source, stats *BuildStats) (*handle, error) {
	im, err := newMapping()
	if err != nil {
		return nil, fmt.Errorf("index : mapping : %w", err)
	}
	// The builder's scratch files go beside the index, and are removed
	// with their folder whatever happens.
	scratch := path + ".build"
	if err := os.MkdirAll(scratch, 0o700); err != nil {
		return nil, fmt.Errorf("index : %w", err)
	}
	defer os.RemoveAll(scratch)
	b, err := bleve.NewBuilder(path, im, map[string]interface{}{"batchSize": 2000, "buildPathPrefix": scratch})
	if err != nil {
		return nil, fmt.Errorf("index : %w", err)
	}
	lb := labels{}
	ts := territories{}
	seen := map[string]bool{}
	err = src.Documents(ctx, func(d Document) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		d.normalize()
		id := d.ID()
		if seen[id] { // the builder cannot update: first one wins
			return nil
		}
		seen[id] = true
		m, err := d.indexDoc()
		if err != nil {
			return err
		}
		if err := b.Index(id, m); err != nil {
			return err
		}
		lb.collect(&d)
		ts.collect(&d)
		stats.Documents++
		if d.Objet == KindEtablissement {
			stats.Etablissements++
		} else {
			stats.Formations++
		}
		return nil
	})
	if err == nil && stats.Documents == 0 {
		// An empty warehouse (a fresh database): bleve's offline builder
		// panics when closed without a segment, so the builder's files are
		// dropped and an empty index is made the ordinary way.
		err = emptyIndex(path, im)
	} else if cerr := b.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("index : construction : %w", err)
	}
	idx, err := openIndex(path)
	if err != nil {
		return nil, fmt.Errorf("index : %w", err)
	}
	lbJSON, _ := json.Marshal(lb)
	builtAt := time.Now().UTC()
	batch := idx.NewBatch()
	batch.SetInternal(keyMappingVersion, []byte(strconv.Itoa(MappingVersion)))
	batch.SetInternal(keyDataVersion, []byte(strconv.FormatInt(stats.DataVersion, 10)))
	batch.SetInternal(keyLabels, lbJSON)
	batch.SetInternal(keyTerritories, ts.marshal())
	batch.SetInternal(keyBuiltAt, []byte(builtAt.Format(time.RFC3339Nano)))
	if err := idx.Batch(batch); err != nil {
		_ = idx.Close()
		return nil, fmt.Errorf("index : métadonnées : %w", err)
	}
	h := &handle{idx: idx}
	if err := h.readMeta(); err != nil {
		_ = idx.Close()
		return nil, err
	}
	return h, nil
}

// emptyIndex replaces what is at path with an empty index of mapping im.
func emptyIndex(path string, im *mapping.IndexMappingImpl) error {
	if err := os.RemoveAll(path); err != nil {
		return err
	}
	idx, err := bleve.New(path, im)
	if err != nil {
		return err
	}
	return idx.Close()
}

func (lb labels) collect(d *Document) {
	set := func(facet, code, label string) {
		if code == "" || label == "" {
			return
		}
		if lb[facet] == nil {
			lb[facet] = map[string]string{}
		}
		lb[facet][code] = label
	}
	if d.Academie != nil {
		set(fAcademie, d.Academie.Code, d.Academie.Nom)
	}
	if d.Region != nil {
		set(fRegion, d.Region.Code, d.Region.Nom)
	}
}

// writeCurrent points CURRENT at name atomically (temporary file, fsync,
// rename).
func (ix *Index) writeCurrent(name string) error {
	tmp, err := os.CreateTemp(ix.dir, ".current-*")
	if err != nil {
		return fmt.Errorf("index : %w", err)
	}
	_, err = tmp.WriteString(name + "\n")
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), filepath.Join(ix.dir, currentFile))
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("index : %w", err)
	}
	return nil
}

// cleanup removes index directories that are neither in service nor
// recent (a directory younger than an hour may be another process's build
// in progress) nor open in another process (a server on the same INDEX_DIR
// while vitrine reindex runs): only a directory whose lock can be taken is
// removed.
func (ix *Index) cleanup(keep string) {
	entries, err := os.ReadDir(ix.dir)
	if err != nil {
		return
	}
	inUse := ""
	if h := ix.cur.Load(); h != nil {
		inUse = h.name
	}
	for _, e := range entries {
		n := e.Name()
		if !e.IsDir() || n == keep || n == inUse || !strings.HasPrefix(n, "m") {
			continue
		}
		info, err := e.Info()
		if err != nil || time.Since(info.ModTime()) < time.Hour {
			continue
		}
		path := filepath.Join(ix.dir, n)
		if idx, err := openIndex(path); err == nil {
			_ = idx.Close()
		} else if _, serr := os.Stat(filepath.Join(path, "index_meta.json")); serr == nil {
			continue // a complete index we cannot lock: someone serves it
		}
		_ = os.RemoveAll(path)
	}
}

func dirSize(path string) int64 {
	var n int64
	_ = filepath.WalkDir(path, func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}

// Watch calls Refresh every interval until ctx ends, so that an import
// made by another process (vitrine import) reaches this node's index
// within one interval, without downtime.
func (ix *Index) Watch(ctx context.Context, src Source, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := ix.Refresh(ctx, src); err != nil && ctx.Err() == nil {
				ix.log.Error("index de recherche : mise à jour impossible", "err", err)
			}
		}
	}
}

// Close closes the index in service (after the searches in flight).
func (ix *Index) Close() error {
	ix.closed.Store(true)
	if h := ix.cur.Swap(nil); h != nil {
		h.retire()
	}
	return nil
}

// resultCache keeps the answers of an index: the index never changes once
// built, so an answer stays right as long as its index is in service (the
// cache goes with the handle). Popular broad searches ("lycée", a région
// alone), whose facets count thousands of objects, then cost nothing.
type resultCache struct {
	mu sync.Mutex
	m  map[string]any
}

// resultCacheSize bounds the entries; when full, the cache starts afresh.
const resultCacheSize = 1024

// DropCache forgets the cached answers of the index in service (the
// benchmarks measure searches from scratch with it).
func (ix *Index) DropCache() {
	if h := ix.acquire(); h != nil {
		h.cache.mu.Lock()
		h.cache.m = nil
		h.cache.mu.Unlock()
		h.release()
	}
}

func (c *resultCache) get(key string) (any, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[key]
	return v, ok
}

func (c *resultCache) put(key string, v any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= resultCacheSize {
		c.m = make(map[string]any, 256)
	}
	c.m[key] = v
}
