package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"hash/fnv"
	"io"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/gofiber/fiber/v2"
	"golang.org/x/sync/singleflight"

	"github.com/vitrine-inserjeunes/vitrine/internal/store"
)

// dataState is what every page depends on besides its URL: the data
// version (last import run) and whether demonstration data is loaded.
type dataState struct {
	Version   int64
	Synthetic bool
	// Avis fingerprints the open correction requests staff marked public
	// (store.AvisVersion; 0: none): the pages that may show the notice
	// fold it into their cache key (avisSuffix).
	Avis int64
	// AvisPage: an open public request concerns the page being built
	// (set by serve for the routes of avisRoutes).
	AvisPage bool
}

// stateCache keeps the data state for a short while, so a cached page
// costs no query at all; an import shows up within stateTTL. When the
// database fails, the failure is kept for outageBackoff: requests in the
// meantime fail fast (served stale from the page cache, or 503) instead of
// each waiting for the database.
type stateCache struct {
	cur atomic.Pointer[stateEntry]
	mu  sync.Mutex
}

type stateEntry struct {
	st  dataState // the last state read successfully
	err error     // the last read failed (st is the one before)
	at  time.Time
}

const (
	stateTTL      = time.Second
	outageBackoff = 250 * time.Millisecond
	stateTimeout  = 2 * time.Second
)

func (s *Server) state(ctx context.Context) (dataState, error) {
	fresh := func(e *stateEntry) bool {
		if e == nil {
			return false
		}
		if e.err != nil {
			return time.Since(e.at) < outageBackoff
		}
		return time.Since(e.at) < stateTTL
	}
	e := s.stateCache.cur.Load()
	if fresh(e) {
		return e.st, e.err
	}
	if !s.stateCache.mu.TryLock() {
		if e != nil { // another request is asking the database: answer with what we know
			return e.st, e.err
		}
		s.stateCache.mu.Lock()
	}
	defer s.stateCache.mu.Unlock()
	if e = s.stateCache.cur.Load(); fresh(e) {
		return e.st, e.err
	}
	// Its own short deadline: a database that hangs rather than refuses
	// holds one request for stateTimeout, not every request for its whole
	// deadline; and a request near its own deadline does not declare an
	// outage.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), stateTimeout)
	defer cancel()
	st, err := s.readState(ctx)
	if err != nil {
		var last dataState
		if e != nil {
			last = e.st
		}
		s.stateCache.cur.Store(&stateEntry{st: last, err: err, at: time.Now()})
		return last, err
	}
	s.stateCache.cur.Store(&stateEntry{st: st, at: time.Now()})
	s.warm(st.Version)
	return st, nil
}

func (s *Server) readState(ctx context.Context) (dataState, error) {
	v, err := s.store.DataVersion(ctx)
	if err != nil {
		return dataState{}, err
	}
	syn, err := s.store.HasSynthetic(store.WithDataVersion(ctx, v))
	if err != nil {
		return dataState{}, err
	}
	avis, err := s.store.AvisVersion(ctx)
	if err != nil {
		return dataState{}, err
	}
	return dataState{Version: v, Synthetic: syn, Avis: avis}, nil
}

// lastState is the last data state read successfully (zero before any).
func (s *Server) lastState() dataState {
	if e := s.stateCache.cur.Load(); e != nil {
		return e.st
	}
	return dataState{}
}

// built is a response body made by a handler: a rendered page or an export.
type built struct {
	Body        []byte
	ContentType string
	// Filename makes the response a download (Content-Disposition).
	Filename string
	// Link is the RFC 8288 Link header (pages of an API list in CSV).
	Link string
}

// cachedPage is a built response kept in memory, with its compressed
// forms made on first demand (and counted in the cache budget then).
type cachedPage struct {
	built
	etag  string
	key   string
	cache *pageCache // to account for the compressed forms

	gzOnce, brOnce sync.Once
	gz, br         []byte

	// kept: the page cache holds this page (put); served counts its
	// compressed answers. A page served once (a crawler, a page nobody
	// asks twice, a server without page cache) is compressed fast; the
	// strong forms (gzip 9, brotli 6: 5–10 ms for a 100 KB page) are made
	// once a kept page is asked again, and kept with it.
	kept   atomic.Bool
	served atomic.Int64
}

// encoded returns the body compressed for enc ("br" or "gzip").
func (p *cachedPage) encoded(enc string) []byte {
	if p.kept.Load() && p.served.Add(1) > 1 {
		if enc == "br" {
			return p.brotli()
		}
		return p.gzip()
	}
	return fastCompress(enc, p.Body)
}

// Writers of the fast compression, reused (each holds hundreds of KB).
var (
	fastGzip   = sync.Pool{New: func() any { w, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed); return w }}
	fastBrotli = sync.Pool{New: func() any { return brotli.NewWriterLevel(nil, 1) }}
)

// fastCompress compresses b for enc at the fastest level (about 1 ms for
// a 100 KB page, 4–5× smaller).
func fastCompress(enc string, b []byte) []byte {
	var out bytes.Buffer
	out.Grow(len(b) / 4)
	pool := &fastGzip
	if enc == "br" {
		pool = &fastBrotli
	}
	w := pool.Get().(interface {
		io.WriteCloser
		Reset(io.Writer)
	})
	w.Reset(&out)
	w.Write(b)
	w.Close()
	pool.Put(w)
	return out.Bytes()
}

// entryOverhead approximates what an entry costs besides its bodies: the
// key, the map slot, the struct and its headers.
const entryOverhead = 512

func (p *cachedPage) gzip() []byte {
	p.gzOnce.Do(func() {
		var b bytes.Buffer
		w, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
		w.Write(p.Body)
		w.Close()
		p.gz = bytes.Clone(b.Bytes()) // no spare capacity
		p.cache.grow(p, len(p.gz))
	})
	return p.gz
}

func (p *cachedPage) brotli() []byte {
	p.brOnce.Do(func() {
		var b bytes.Buffer
		w := brotli.NewWriterLevel(&b, 6)
		w.Write(p.Body)
		w.Close()
		p.br = bytes.Clone(b.Bytes())
		p.cache.grow(p, len(p.br))
	})
	return p.br
}

// pageCache holds rendered pages and exports keyed by (data version,
// canonical URL). The whole cache is dropped when the data version
// changes; past maxBytes (bodies, compressed forms, keys and overhead),
// the least recently used entry of a random sample is evicted. During a database outage the entries of
// the last version are served stale.
type pageCache struct {
	mu       sync.RWMutex
	version  int64
	entries  map[string]*cacheSlot
	bytes    int
	maxBytes int
	group    singleflight.Group
}

type cacheSlot struct {
	page *cachedPage
	size int
	used atomic.Int64 // last use, unix nanoseconds (eviction)
}

func newPageCache(maxBytes int) *pageCache {
	return &pageCache{entries: map[string]*cacheSlot{}, maxBytes: maxBytes}
}

func (pc *pageCache) get(version int64, key string) *cachedPage {
	pc.mu.RLock()
	defer pc.mu.RUnlock()
	if pc.version != version {
		return nil
	}
	if e := pc.entries[key]; e != nil {
		e.used.Store(time.Now().UnixNano())
		return e.page
	}
	return nil
}

// stale is the entry of key whatever its version (outages only).
func (pc *pageCache) stale(key string) *cachedPage {
	pc.mu.RLock()
	defer pc.mu.RUnlock()
	if e := pc.entries[key]; e != nil {
		return e.page
	}
	return nil
}

func (pc *pageCache) put(version int64, key string, p *cachedPage) {
	if pc.maxBytes <= 0 {
		return
	}
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if version < pc.version {
		return // built from older data: do not keep
	}
	if version != pc.version {
		pc.version, pc.entries, pc.bytes = version, map[string]*cacheSlot{}, 0
	}
	if old, ok := pc.entries[key]; ok {
		pc.bytes -= old.size
	}
	size := len(p.Body) + len(key) + entryOverhead
	if size > pc.maxBytes/4 {
		return // one response may not flush a quarter of the cache
	}
	slot := &cacheSlot{page: p, size: size}
	slot.used.Store(time.Now().UnixNano())
	pc.entries[key] = slot
	pc.bytes += size
	pc.evict(key)
	if e := pc.entries[key]; e != nil && e.page == p {
		p.kept.Store(true)
	}
}

// grow accounts for a compressed form made after p was stored.
func (pc *pageCache) grow(p *cachedPage, n int) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if e := pc.entries[p.key]; e != nil && e.page == p {
		e.size += n
		pc.bytes += n
		pc.evict(p.key)
	}
}

// evictSample is how many entries eviction compares: of each sample,
// the least recently used goes (an approximate LRU, as Redis does). A
// crawl of pages nobody asks twice then evicts its own pages, not the
// popular ones.
const evictSample = 5

// evict drops entries other than keep until the budget holds. pc.mu is
// held.
func (pc *pageCache) evict(keep string) {
	for pc.bytes > pc.maxBytes && len(pc.entries) > 1 {
		var victim string
		var oldest int64
		n := 0
		for k, e := range pc.entries { // map order is random: a random sample
			if k == keep {
				continue
			}
			if u := e.used.Load(); victim == "" || u < oldest {
				victim, oldest = k, u
			}
			if n++; n == evictSample {
				break
			}
		}
		pc.bytes -= pc.entries[victim].size
		delete(pc.entries, victim)
	}
	if pc.bytes > pc.maxBytes { // keep alone is too big
		if e, ok := pc.entries[keep]; ok {
			delete(pc.entries, keep)
			pc.bytes -= e.size
		}
	}
}

// Len is the number of cached responses.
func (pc *pageCache) Len() int {
	pc.mu.RLock()
	defer pc.mu.RUnlock()
	return len(pc.entries)
}

// Bytes is the memory the cache accounts for.
func (pc *pageCache) Bytes() int {
	pc.mu.RLock()
	defer pc.mu.RUnlock()
	return pc.bytes
}

// pageCacheControl is the Cache-Control of public pages: browsers and
// proxies keep them a few minutes, then revalidate with the ETag.
const pageCacheControl = "public, max-age=300"

// serve answers c from the page cache, building the response with build
// on a miss. The key is the canonical URL (path and known parameters: an
// unknown parameter makes no new entry). The ETag derives from the data
// version, the build of the site (templates and assets) and the key; a
// matching If-None-Match gets a 304 without any work. When the database
// is unavailable, a page already in the cache is served stale (header
// X-Vitrine-Stale) and the others fail with 503.
func (s *Server) serve(c *fiber.Ctx, build func(st dataState) (*built, error)) error {
	return s.serveKeyed(c, "", build)
}

// serveKeyed is serve for a response that depends on more than the data
// version and the URL: suffix (not empty) is added to the cache key and so
// to the ETag (the release notes depend on the last import run, changed
// or not).
func (s *Server) serveKeyed(c *fiber.Ctx, suffix string, build func(st dataState) (*built, error)) error {
	key := cacheKey(c)
	if suffix != "" {
		key += "#" + suffix
	}
	c.Set(fiber.HeaderVary, "Accept-Encoding")
	st, err := s.state(c.UserContext())
	if err != nil {
		if p := s.cache.stale(key + avisSuffix(c, s.lastState())); p != nil && store.IsUnavailable(err) {
			s.dbErrors.note(err)
			c.Set("X-Vitrine-Stale", "1")
			err := s.write(c, p)
			c.Set(fiber.HeaderCacheControl, "no-cache") // shared caches must not keep a stale page
			return err
		}
		return err
	}
	if sfx := avisSuffix(c, st); sfx != "" {
		key += sfx
		if st.AvisPage, err = s.avisPage(c); err != nil {
			return err
		}
	}
	p := s.cache.get(st.Version, key)
	var etag string
	if p != nil {
		etag = p.etag
	} else {
		etag = s.etag(st.Version, key)
	}
	if inm := c.Get(fiber.HeaderIfNoneMatch); inm != "" && etagMatch(inm, etag) {
		c.Set(fiber.HeaderETag, etag)
		c.Set(fiber.HeaderCacheControl, pageCacheControl)
		return c.SendStatus(fiber.StatusNotModified)
	}
	if p == nil {
		// The store keeps its warehouse-wide summaries for this version.
		c.SetUserContext(store.WithDataVersion(c.UserContext(), st.Version))
		v, err, _ := s.cache.group.Do(strconv.FormatInt(st.Version, 10)+"|"+key, func() (any, error) {
			b, err := build(st)
			if err != nil {
				return nil, err
			}
			np := &cachedPage{built: *b, etag: etag, key: key, cache: s.cache}
			np.Body = bytes.Clone(b.Body) // no spare capacity: the budget counts what is held
			s.cache.put(st.Version, key, np)
			return np, nil
		})
		if err != nil {
			return err
		}
		p = v.(*cachedPage)
	}
	return s.write(c, p)
}

func (s *Server) write(c *fiber.Ctx, p *cachedPage) error {
	c.Set(fiber.HeaderContentType, p.ContentType)
	if p.Filename != "" {
		c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+p.Filename+`"`)
	}
	if p.Link != "" {
		c.Set("Link", p.Link)
	}
	c.Set(fiber.HeaderETag, p.etag)
	c.Set(fiber.HeaderCacheControl, pageCacheControl)
	if len(p.Body) < 1024 || !compressible(p.ContentType) {
		return c.Send(p.Body)
	}
	if enc := acceptEncoding(c.Get(fiber.HeaderAcceptEncoding)); enc == "br" || enc == "gzip" {
		c.Set(fiber.HeaderContentEncoding, enc)
		return c.Send(p.encoded(enc))
	}
	return c.Send(p.Body)
}

// compressible tells text from formats that are compressed already
// (XLSX is a zip).
func compressible(contentType string) bool {
	return strings.HasPrefix(contentType, "text/") || strings.HasPrefix(contentType, "application/json") ||
		strings.HasPrefix(contentType, "application/xml")
}

// etag is a weak validator of (site build, data version, URL).
func (s *Server) etag(version int64, key string) string {
	h := fnv.New64a()
	h.Write([]byte(s.buildID))
	h.Write([]byte{0})
	h.Write([]byte(strconv.FormatInt(version, 10)))
	h.Write([]byte{0})
	h.Write([]byte(key))
	return `W/"` + strconv.FormatInt(version, 10) + "-" + strconv.FormatUint(h.Sum64(), 36) + `"`
}

// etagMatch compares an If-None-Match list with a weak ETag.
func etagMatch(inm, etag string) bool {
	weak := strings.TrimPrefix(etag, "W/")
	for _, t := range strings.Split(inm, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == weak {
			return true
		}
	}
	return false
}

// acceptEncoding picks br, then gzip, from an Accept-Encoding header
// (q=0 refuses a coding).
func acceptEncoding(h string) string {
	var br, gz bool
	for _, part := range strings.Split(h, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if q, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if v, err := strconv.ParseFloat(q, 64); err == nil && v <= 0 {
				continue
			}
		}
		switch strings.ToLower(strings.TrimSpace(name)) {
		case "br":
			br = true
		case "gzip":
			gz = true
		}
	}
	switch {
	case br:
		return "br"
	case gz:
		return "gzip"
	}
	return ""
}
