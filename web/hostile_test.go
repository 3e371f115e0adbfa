package web

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vitrine-inserjeunes/vitrine/internal/config"
)

// syncBuffer is a log sink shared by the server goroutines and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// liveServer serves the demo data and its search index on a loopback
// port, with the real fasthttp server (timeouts and limits apply), and
// logs into the returned buffer.
func liveServer(t *testing.T, cfg config.Server) (string, *syncBuffer) {
	t.Helper()
	_, st, ix := searchTestApp(t)
	logs := &syncBuffer{}
	app := New(st, slog.New(slog.NewTextHandler(logs, nil)), cfg, WithSearch(ix))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = app.Listener(ln) }()
	t.Cleanup(func() { _ = app.ShutdownWithTimeout(5 * time.Second) })
	return ln.Addr().String(), logs
}

// rawRequest writes a request exactly as given (no client-side checks or
// escaping) and reads the response.
func rawRequest(t *testing.T, addr, method, target string, headers ...string) (*http.Response, []byte) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatalf("%s %s: the server does not answer: %v", method, trunc(target), err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(60 * time.Second))
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\n", method, target)
	host := "127.0.0.1"
	for i := 0; i+1 < len(headers); i += 2 {
		if strings.EqualFold(headers[i], "Host") {
			host = headers[i+1]
			continue
		}
		fmt.Fprintf(&b, "%s: %s\r\n", headers[i], headers[i+1])
	}
	fmt.Fprintf(&b, "Host: %s\r\nConnection: close\r\n\r\n", host)
	if _, err := io.WriteString(conn, b.String()); err != nil {
		t.Fatalf("%s %s: write: %v", method, trunc(target), err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), &http.Request{Method: method})
	if err != nil {
		t.Fatalf("%s %s: no HTTP response: %v", method, trunc(target), err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, body
}

func trunc(s string) string {
	if len(s) > 120 {
		return s[:120] + "…"
	}
	return s
}

// Payloads a hostile client puts in parameters and path segments.
var hostileValues = []string{
	"9223372036854775807", "99999999999999999999", "-9223372036854775808", "-1", "0", "1e9", "0x10", " 3",
	`"><script>alert(1)</script>`, `'><img src=x onerror=alert(1)>`, "javascript:alert(1)", "{{.}}",
	"\xff\xfe", "\xc3\x28", "a\x00b", "../../etc/passwd", "%2e%2e%2f", strings.Repeat("é", 3000),
}

// markers are what must never come back unescaped.
var xssMarkers = []string{"<script>alert(1)</script>", "<img src=x onerror=alert(1)>"}

// TestHostileRequests sends what an attacker would to every route: no
// answer is a 5xx, nothing is reflected unescaped, the process stays up.
func TestHostileRequests(t *testing.T) {
	addr, logs := liveServer(t, testConfig())
	checked := 0
	check := func(method, target string, headers ...string) (*http.Response, []byte) {
		t.Helper()
		start := time.Now()
		r, b := rawRequest(t, addr, method, target, headers...)
		if d := time.Since(start); d > 2*time.Second {
			t.Logf("slow: %s %s %v", method, trunc(target), d)
		}
		checked++
		if r.StatusCode >= 500 {
			t.Errorf("%s %s → %d", method, trunc(target), r.StatusCode)
		}
		for _, m := range xssMarkers {
			if bytes.Contains(b, []byte(m)) {
				t.Errorf("%s %s reflects %q unescaped", method, trunc(target), m)
			}
		}
		if loc := r.Header.Get("Location"); loc != "" && (!strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "//")) {
			t.Errorf("%s %s redirects off site: %q", method, trunc(target), loc)
		}
		return r, b
	}

	// The overflow that used to kill the process, on every search route.
	for _, target := range []string{
		"/recherche?q=lycee&page=9223372036854775807", "/recherche?q=lycee&page=99999999999999999999",
		"/api/v1/recherche?q=lycee&page=9223372036854775807", "/api/v1/recherche?q=lycee&page=99999999999999999999",
		"/recherche?region=53&page=9223372036854775807", "/api/v1/recherche?voie=apprentissage&page=99999999999999999999",
		"/recherche?q=lycee&page=4611686018427387904&par_page=100",
	} {
		if r, _ := check("GET", target); r.StatusCode != http.StatusOK {
			t.Errorf("GET %s → %d, want 200 (the page is clamped)", target, r.StatusCode)
		}
	}

	// Every parameter of the site, each hostile value, on a page that reads it.
	params := map[string][]string{
		"/recherche":                      {"q", "page", "par_page", "type", "region", "academie", "voie", "niveau"},
		"/api/v1/recherche":               {"q", "page", "par_page", "region", "voie"},
		"/api/v1/suggestions":             {"q", "n"},
		"/regions/94":                     {"page", "page_etab", "tri", "tri_etab", "ordre", "format", "table"},
		"/formations/40022106":            {"page", "tri", "ordre", "region", "format"},
		"/etablissements/0010001W":        {"format", "table"},
		"/api/v1/etablissements/0010001W": {"format"},
		"/api/v1/formations/40030004":     {"page", "par_page", "region", "format"},
		"/api/v1/regions/53":              {"page", "par_page", "format"},
		"/api/v1/etablissements":          {"region", "academie", "departement", "type", "voie", "page", "par_page", "format"},
		"/api/v1/formations":              {"niveau", "voie", "famille", "page", "par_page", "format"},
	}
	// The list routes read their lists in the background first (503
	// liste_en_preparation meanwhile): wait for them.
	for _, u := range []string{"/api/v1/etablissements", "/api/v1/formations"} {
		for deadline := time.Now().Add(4 * time.Minute); ; time.Sleep(time.Second) {
			r, b := rawRequest(t, addr, "GET", u)
			if r.StatusCode == http.StatusOK {
				break
			}
			if !bytes.Contains(b, []byte("liste_en_preparation")) || time.Now().After(deadline) {
				t.Fatalf("GET %s: %d %.200s", u, r.StatusCode, b)
			}
		}
	}
	for path, names := range params {
		for _, name := range names {
			for _, v := range hostileValues {
				check("GET", path+"?"+name+"="+url.QueryEscape(v))
			}
		}
	}
	// Every path segment.
	for _, tmpl := range []string{
		"/etablissements/%s", "/etablissements/%s/formations/40022106", "/etablissements/0010001W/formations/%s",
		"/formations/%s", "/regions/%s", "/academies/%s", "/api/v1/etablissements/%s", "/api/v1/formations/%s",
		"/api/v1/regions/%s", "/static/%s", "/%s",
	} {
		for _, v := range hostileValues {
			check("GET", fmt.Sprintf(tmpl, url.PathEscape(v)))
		}
	}
	// Raw bytes the client did not escape.
	for _, target := range []string{"/recherche?q=\xff\xfe", "/formations/\xc3\x28", "/recherche?q=<script>alert(1)</script>"} {
		check("GET", target)
	}

	// Big headers and cookies pass; a 100 KB query is refused, not a crash.
	cookie := "session=" + strings.Repeat("x", 8<<10)
	if r, _ := check("GET", "/etablissements/0010001W", "Cookie", cookie, "X-Padding", strings.Repeat("y", 8<<10)); r.StatusCode != http.StatusOK {
		t.Errorf("8 KB cookie and header → %d, want 200", r.StatusCode)
	}
	if r, _ := check("GET", "/recherche?q="+strings.Repeat("a", 100<<10)); r.StatusCode < 400 {
		t.Errorf("100 KB query string → %d, want a 4xx", r.StatusCode)
	}

	// Methods a read-only site does not take.
	for _, m := range []string{"POST", "PUT", "DELETE", "PATCH", "TRACE", "FOO"} {
		for _, p := range []string{"/", "/recherche", "/etablissements/0010001W", "/api/v1/formations/40030004"} {
			if r, _ := check(m, p); r.StatusCode != http.StatusMethodNotAllowed && r.StatusCode != http.StatusNotFound && r.StatusCode != http.StatusBadRequest {
				t.Errorf("%s %s → %d, want 405 (or 404/400 for methods fiber does not know)", m, p, r.StatusCode)
			}
		}
	}

	// The Host header is never reflected into absolute URLs.
	for _, p := range []string{"/", "/etablissements/0010001W", "/sitemap.xml", "/robots.txt", "/page-absente"} {
		_, b := check("GET", p, "Host", "evil.example", "X-Forwarded-Host", "evil2.example")
		if bytes.Contains(b, []byte("evil.example")) || bytes.Contains(b, []byte("evil2.example")) {
			t.Errorf("GET %s reflects the Host header", p)
		}
		if p == "/robots.txt" && !bytes.Contains(b, []byte(testConfig().BaseURL+"/sitemap.xml")) {
			t.Errorf("robots.txt does not use BASE_URL: %s", b)
		}
	}

	if r, _ := rawRequest(t, addr, "GET", "/healthz"); r.StatusCode != http.StatusOK {
		t.Errorf("healthz after the suite: %d", r.StatusCode)
	}
	if strings.Contains(logs.String(), "panic") {
		t.Errorf("a request panicked:\n%s", trunc(logs.String()))
	}
	if checked < 500 {
		t.Errorf("only %d requests checked", checked)
	}
	t.Logf("%d hostile requests, no 5xx", checked)
}
