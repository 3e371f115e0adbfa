package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
)

// TestSlowloris opens connections that send half a request and wait: the
// server closes each after its read timeout, and still serves others.
func TestSlowloris(t *testing.T) {
	cfg := testConfig()
	cfg.ReadTimeout = time.Second
	addr, _ := liveServer(t, cfg)
	const n = 200
	conns := make([]net.Conn, 0, n)
	for i := 0; i < n; i++ {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "); err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	start := time.Now()
	// meanwhile a normal client is served
	if r, _ := rawRequest(t, addr, "GET", "/healthz"); r.StatusCode != http.StatusOK {
		t.Errorf("healthz beside %d half-open connections: %d", n, r.StatusCode)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var closed int
	var slowest time.Duration
	for _, c := range conns {
		wg.Add(1)
		go func(c net.Conn) {
			defer wg.Done()
			_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
			_, err := io.Copy(io.Discard, c) // returns when the server closes
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				return // still open after 10 s
			}
			mu.Lock()
			closed++
			slowest = max(slowest, time.Since(start))
			mu.Unlock()
		}(c)
	}
	wg.Wait()
	if closed != n {
		t.Errorf("%d of %d half-open connections closed by the server within 10 s", closed, n)
	}
	if slowest > cfg.ReadTimeout+3*time.Second {
		t.Errorf("the last half-open connection was closed after %v (read timeout %v)", slowest, cfg.ReadTimeout)
	}
	t.Logf("%d half-open connections closed, the last after %v (read timeout %v)", closed, slowest.Round(time.Millisecond), cfg.ReadTimeout)
}

// TestRateLimit: RateLimit-* headers, a French 429 past the limit (HTML
// and JSON), assets not counted, X-Forwarded-For believed only from a
// trusted proxy.
func TestRateLimit(t *testing.T) {
	cfg := testConfig()
	cfg.RateLimit, cfg.RateWindow = 5, time.Minute
	addr, _ := liveServer(t, cfg)
	for i := 1; i <= 5; i++ {
		r, _ := rawRequest(t, addr, "GET", "/healthz") // probes are not counted
		if r.Header.Get("RateLimit-Limit") != "" {
			t.Error("probes carry RateLimit headers")
		}
		r, _ = rawRequest(t, addr, "GET", "/a-propos/donnees")
		if r.StatusCode != http.StatusOK || r.Header.Get("RateLimit-Limit") != "5" || r.Header.Get("RateLimit-Remaining") != strconv.Itoa(5-i) {
			t.Errorf("request %d: %d, RateLimit-Limit %q, Remaining %q", i, r.StatusCode, r.Header.Get("RateLimit-Limit"), r.Header.Get("RateLimit-Remaining"))
		}
		if reset, err := strconv.Atoi(r.Header.Get("RateLimit-Reset")); err != nil || reset < 1 || reset > 60 {
			t.Errorf("RateLimit-Reset %q", r.Header.Get("RateLimit-Reset"))
		}
	}
	r, b := rawRequest(t, addr, "GET", "/a-propos/donnees")
	if r.StatusCode != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" || !strings.Contains(string(b), "Trop de requêtes") {
		t.Errorf("6th page: %d, Retry-After %q", r.StatusCode, r.Header.Get("Retry-After"))
	}
	r, b = rawRequest(t, addr, "GET", "/api/v1/etablissements/0010001W")
	var e apiErrorBody
	if err := json.Unmarshal(b, &e); err != nil || r.StatusCode != http.StatusTooManyRequests || e.Code != "trop_de_requetes" || e.Message == "" {
		t.Errorf("API past the limit: %d %s", r.StatusCode, b)
	}
	// a forged X-Forwarded-For from an untrusted peer changes nothing
	if r, _ := rawRequest(t, addr, "GET", "/", "X-Forwarded-For", "203.0.113.9"); r.StatusCode != http.StatusTooManyRequests {
		t.Errorf("forged X-Forwarded-For escaped the limit: %d", r.StatusCode)
	}

	// Behind a trusted proxy each client has its own budget.
	cfg.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	addr, _ = liveServer(t, cfg)
	for i := 0; i < 5; i++ {
		rawRequest(t, addr, "GET", "/a-propos/donnees", "X-Forwarded-For", "203.0.113.9, 127.0.0.2")
	}
	if r, _ := rawRequest(t, addr, "GET", "/a-propos/donnees", "X-Forwarded-For", "203.0.113.9"); r.StatusCode != http.StatusTooManyRequests {
		t.Errorf("client 203.0.113.9 behind the proxy, 6th request: %d", r.StatusCode)
	}
	// the client forges a first line, the proxy appends its own: the proxy's line counts
	if r, _ := rawRequest(t, addr, "GET", "/a-propos/donnees", "X-Forwarded-For", "198.51.100.99", "X-Forwarded-For", "203.0.113.9"); r.StatusCode != http.StatusTooManyRequests {
		t.Errorf("a forged first X-Forwarded-For line escaped the limit: %d", r.StatusCode)
	}
	if r, _ := rawRequest(t, addr, "GET", "/a-propos/donnees", "X-Forwarded-For", "198.51.100.7"); r.StatusCode != http.StatusOK {
		t.Errorf("another client behind the proxy: %d", r.StatusCode)
	}
}

func TestParseBounded(t *testing.T) {
	for _, tc := range []struct {
		raw     string
		want    int
		wantErr bool
	}{
		{"1", 1, false}, {"42", 42, false}, {"0", 1, false}, {"-1", 1, false}, {"+7", 7, false}, {" 3 ", 3, false},
		{"007", 7, false}, {"9223372036854775807", 1000, false}, {"99999999999999999999", 1000, false},
		{"-9223372036854775808", 1, false}, {"-99999999999999999999", 1, false}, {"000000000000000000000000005", 5, false},
		{"1e9", 0, true}, {"0x10", 0, true}, {"", 0, true}, {"-", 0, true}, {"abc", 0, true}, {"1.5", 0, true}, {"١٢", 0, true},
	} {
		got, err := parseBounded("page", tc.raw, 1, 1000)
		if (err != nil) != tc.wantErr || (!tc.wantErr && got != tc.want) {
			t.Errorf("parseBounded(%q) = %d, %v; want %d, error %v", tc.raw, got, err, tc.want, tc.wantErr)
		}
		var he *httpError
		if err != nil && (!errors.As(err, &he) || he.Status != http.StatusBadRequest || !strings.Contains(he.Message, "« page »")) {
			t.Errorf("parseBounded(%q): error %v is not a 400 naming the parameter", tc.raw, err)
		}
	}
}

func TestRateLimiterWindow(t *testing.T) {
	l := newRateLimiter(2, time.Minute)
	t0 := time.Date(2026, 12, 1, 10, 0, 30, 0, time.UTC)
	for i, want := range []bool{true, true, false} {
		if ok, _, reset := l.take("a", t0); ok != want || reset != 30 {
			t.Errorf("request %d: %v, reset %d", i, ok, reset)
		}
	}
	if ok, _, _ := l.take("b", t0); !ok {
		t.Error("another client is limited")
	}
	if ok, rem, _ := l.take("a", t0.Add(30*time.Second)); !ok || rem != 1 {
		t.Errorf("next window: %v, remaining %d", ok, rem)
	}
	if clientKey(netip.MustParseAddr("2001:db8:1:2:3:4:5:6")) != clientKey(netip.MustParseAddr("2001:db8:1:2:ffff::1")) {
		t.Error("two addresses of one IPv6 /64 are counted apart")
	}
	if clientKey(netip.MustParseAddr("::ffff:192.0.2.1")) != "192.0.2.1" {
		t.Error("IPv4-mapped address not unmapped")
	}
}

// TestCacheKey: the key is the URL as the handlers read it.
func TestCacheKey(t *testing.T) {
	app := fiber.New()
	app.Get("/*", func(c *fiber.Ctx) error { return c.SendString(cacheKey(c)) })
	checkKeys(t, app, map[string]string{
		"/x":                               "/x",
		"/x?utm_source=a&fbclid=b":         "/x",
		"/x?region=&region=84":             "/x", // c.Query reads the first, empty, value
		"/x?region=84&region=11":           "/x?region=84",
		"/x?tri=nom&page=2&utm=1":          "/x?page=2&tri=nom",
		"/x?format=CSV":                    "/x?format=csv",
		"/x?format=html":                   "/x",
		"/x?page_etab=2&page_zz9=1&tri_=a": "/x?page_etab=2",
	})
}

// checkKeys requests each target of an app whose handlers answer their
// cacheKey, and compares with the wanted key.
func checkKeys(t *testing.T, app *fiber.App, want map[string]string) {
	t.Helper()
	for target, key := range want {
		r, err := app.Test(httptest.NewRequest("GET", target, nil))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(r.Body)
		if string(b) != key {
			t.Errorf("cacheKey(%s) = %s, want %s", target, b, key)
		}
	}
}

// TestPageCacheBudget: what the cache holds stays within its budget,
// compressed forms included, and one big response is not kept.
func TestPageCacheBudget(t *testing.T) {
	pc := newPageCache(1 << 20)
	body := bytes.Repeat([]byte("<p>lycée professionnel</p>\n"), 2000) // 56 KB
	for i := 0; i < 200; i++ {
		key := "/p?page=" + strconv.Itoa(i)
		p := &cachedPage{built: built{Body: bytes.Clone(body), ContentType: "text/html"}, key: key, cache: pc}
		pc.put(1, key, p)
		p.gzip()
		p.brotli()
		if pc.Bytes() > 1<<20 {
			t.Fatalf("after %d pages the cache holds %d bytes (budget %d)", i+1, pc.Bytes(), 1<<20)
		}
	}
	if pc.Len() == 0 || pc.Len() > 20 {
		t.Errorf("%d entries of 56 KB in 1 MiB", pc.Len())
	}
	big := &cachedPage{built: built{Body: make([]byte, 300<<10)}, key: "/big", cache: pc}
	pc.put(1, "/big", big)
	if pc.get(1, "/big") != nil || pc.Len() == 0 {
		t.Errorf("a response of a quarter of the budget was kept (%d entries left)", pc.Len())
	}
	// recently used pages survive a stream of new ones
	hot := "/p?page=199"
	for i := 0; i < 100; i++ {
		if pc.get(1, hot) == nil {
			t.Fatalf("the page used before each insertion was evicted after %d insertions", i)
		}
		key := "/q?page=" + strconv.Itoa(i)
		pc.put(1, key, &cachedPage{built: built{Body: bytes.Clone(body)}, key: key, cache: pc})
	}
}

// TestRouteParams: each page keys its cache on the parameters it reads,
// and every GET route of the site says which those are.
func TestRouteParams(t *testing.T) {
	app := fiber.New()
	key := func(c *fiber.Ctx) error { return c.SendString(cacheKey(c)) }
	app.Get("/regions/:code", key)
	app.Get("/etablissements/:uai", key)
	app.Group("/api/v1").Get("/recherche", key)
	checkKeys(t, app, map[string]string{
		"/regions/53?tri_etab=nom&q=lycee&region=84": "/regions/53?tri_etab=nom",
		"/etablissements/0010001W?page=3&tri=x":      "/etablissements/0010001W",
		"/etablissements/0010001W?format=CSV":        "/etablissements/0010001W?format=csv",
		"/api/v1/recherche?q=lycee&tri=nom&page=2":   "/api/v1/recherche?page=2&q=lycee",
	})
	site := New(nil, slog.New(slog.DiscardHandler), testConfig())
	unkeyed := map[string]bool{"/healthz": true, "/readyz": true, "/robots.txt": true, "/favicon.ico": true, "/static/*": true, "/api/v1/suggestions": true}
	n := 0
	for _, r := range site.GetRoutes(true) {
		if r.Method != fiber.MethodGet || unkeyed[r.Path] {
			continue
		}
		n++
		if _, ok := routeParams[r.Path]; !ok {
			t.Errorf("route %s does not say which parameters it reads (routeParams)", r.Path)
		}
	}
	if n < 10 {
		t.Errorf("only %d routes checked", n)
	}
}
