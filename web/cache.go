package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"hash/fnv"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/gofiber/fiber/v2"
	"golang.org/x/sync/singleflight"
)

// dataState is what every page depends on besides its URL: the data
// version (last import run) and whether demonstration data is loaded.
type dataState struct {
	Version   int64
	Synthetic bool
}

// stateCache keeps the data state for a short while, so a cached page
// costs no query at all; an import shows up within stateTTL.
type stateCache struct {
	cur atomic.Pointer[stateEntry]
	mu  sync.Mutex
}

type stateEntry struct {
	st dataState
	at time.Time
}

const stateTTL = time.Second

func (s *Server) state(ctx context.Context) (dataState, error) {
	if e := s.stateCache.cur.Load(); e != nil && time.Since(e.at) < stateTTL {
		return e.st, nil
	}
	s.stateCache.mu.Lock()
	defer s.stateCache.mu.Unlock()
	if e := s.stateCache.cur.Load(); e != nil && time.Since(e.at) < stateTTL {
		return e.st, nil
	}
	v, err := s.store.DataVersion(ctx)
	if err != nil {
		return dataState{}, err
	}
	syn, err := s.store.HasSynthetic(ctx)
	if err != nil {
		return dataState{}, err
	}
	st := dataState{Version: v, Synthetic: syn}
	s.stateCache.cur.Store(&stateEntry{st: st, at: time.Now()})
	return st, nil
}

// built is a response body made by a handler: a rendered page or an export.
type built struct {
	Body        []byte
	ContentType string
	// Filename makes the response a download (Content-Disposition).
	Filename string
}

// cachedPage is a built response kept in memory, with its compressed
// forms made on first demand.
type cachedPage struct {
	built
	etag  string
	nonce bool // the body holds noncePlaceholder

	gzOnce, brOnce sync.Once
	gz, br         []byte
}

// size is the memory a page may take once its compressed forms are made
// (they are made later, on demand: counted here as a third of the body).
func (p *cachedPage) size() int { return len(p.Body) + len(p.Body)/3 + 256 }

func (p *cachedPage) gzip() []byte {
	p.gzOnce.Do(func() {
		var b bytes.Buffer
		w, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
		w.Write(p.Body)
		w.Close()
		p.gz = b.Bytes()
	})
	return p.gz
}

func (p *cachedPage) brotli() []byte {
	p.brOnce.Do(func() {
		var b bytes.Buffer
		w := brotli.NewWriterLevel(&b, 6)
		w.Write(p.Body)
		w.Close()
		p.br = b.Bytes()
	})
	return p.br
}

// pageCache holds rendered pages and exports keyed by (data version, URL).
// The whole cache is dropped when the data version changes; past maxBytes,
// arbitrary entries are evicted.
type pageCache struct {
	mu       sync.RWMutex
	version  int64
	entries  map[string]*cachedPage
	bytes    int
	maxBytes int
	group    singleflight.Group
}

func newPageCache(maxBytes int) *pageCache {
	return &pageCache{entries: map[string]*cachedPage{}, maxBytes: maxBytes}
}

func (pc *pageCache) get(version int64, key string) *cachedPage {
	pc.mu.RLock()
	defer pc.mu.RUnlock()
	if pc.version != version {
		return nil
	}
	return pc.entries[key]
}

func (pc *pageCache) put(version int64, key string, p *cachedPage) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if version < pc.version {
		return // built from older data: do not keep
	}
	if version != pc.version {
		pc.version, pc.entries, pc.bytes = version, map[string]*cachedPage{}, 0
	}
	if old, ok := pc.entries[key]; ok {
		pc.bytes -= old.size()
	}
	pc.entries[key] = p
	pc.bytes += p.size()
	for k, e := range pc.entries { // map order is random: random eviction
		if pc.bytes <= pc.maxBytes {
			break
		}
		if k != key {
			delete(pc.entries, k)
			pc.bytes -= e.size()
		}
	}
}

// Len is the number of cached responses.
func (pc *pageCache) Len() int {
	pc.mu.RLock()
	defer pc.mu.RUnlock()
	return len(pc.entries)
}

// noncePlaceholder is rendered where a page uses its CSP nonce; cached
// bodies holding it get each request's nonce substituted.
const noncePlaceholder = "vitrine-nonce-7Q2xK9"

// pageCacheControl is the Cache-Control of public pages: browsers and
// proxies keep them a few minutes, then revalidate with the ETag.
const pageCacheControl = "public, max-age=300"

// serve answers c from the page cache, building the response with build
// on a miss. The ETag derives from the data version, the build of the
// site (templates and assets) and the URL; a matching If-None-Match gets a
// 304 without any work.
func (s *Server) serve(c *fiber.Ctx, build func(st dataState) (*built, error)) error {
	st, err := s.state(c.UserContext())
	if err != nil {
		return err
	}
	key := c.Hostname() + "|" + string(c.Request().URI().RequestURI())
	p := s.cache.get(st.Version, key)
	var etag string
	if p != nil {
		etag = p.etag
	} else {
		etag = s.etag(st.Version, key)
	}
	c.Set(fiber.HeaderVary, "Accept-Encoding")
	if inm := c.Get(fiber.HeaderIfNoneMatch); inm != "" && etagMatch(inm, etag) {
		c.Set(fiber.HeaderETag, etag)
		c.Set(fiber.HeaderCacheControl, pageCacheControl)
		return c.SendStatus(fiber.StatusNotModified)
	}
	if p == nil {
		v, err, _ := s.cache.group.Do(strconv.FormatInt(st.Version, 10)+"|"+key, func() (any, error) {
			b, err := build(st)
			if err != nil {
				return nil, err
			}
			np := &cachedPage{built: *b, etag: etag, nonce: bytes.Contains(b.Body, []byte(noncePlaceholder))}
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
	if p.nonce {
		// the body changes with every request: neither stored nor compressed here.
		c.Set(fiber.HeaderCacheControl, "no-store")
		return c.Send(bytes.ReplaceAll(p.Body, []byte(noncePlaceholder), []byte(nonceOf(c))))
	}
	c.Set(fiber.HeaderETag, p.etag)
	c.Set(fiber.HeaderCacheControl, pageCacheControl)
	if len(p.Body) < 1024 {
		return c.Send(p.Body)
	}
	switch acceptEncoding(c.Get(fiber.HeaderAcceptEncoding)) {
	case "br":
		c.Set(fiber.HeaderContentEncoding, "br")
		return c.Send(p.brotli())
	case "gzip":
		c.Set(fiber.HeaderContentEncoding, "gzip")
		return c.Send(p.gzip())
	}
	return c.Send(p.Body)
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
