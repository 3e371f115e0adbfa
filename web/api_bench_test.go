package web

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

// Server-side latency of the API on the demo data: the fiber handler is
// called directly (no network), and the percentiles of the per-request
// durations are reported (p50-ms, p90-ms, max-ms).
//
//	go test ./web/ -run '^$' -bench 'API' -benchtime 400x
//
// "warm": the answers are in the page cache (keyed by data version and
// URL), as they are after the first visit of a URL; "cold": every request
// misses the cache (a query string makes each URL new), so the store
// computes the answer and it is encoded.

func benchURLs(b *testing.B, q, prefix string) []string {
	b.Helper()
	_, pool := siteTestApp(b)
	rows, err := pool.Query(context.Background(), q)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			b.Fatal(err)
		}
		out = append(out, prefix+s)
	}
	if len(out) == 0 {
		b.Fatal("no URL")
	}
	return out
}

// 200 establishments with figures (per establishment or per formation) and
// 200 formations (CFD and MEFSTAT11 keys of the regional file), in a fixed
// pseudo-random order.
const (
	benchEtabs = `SELECT uai FROM (SELECT uai FROM ij_etab UNION SELECT uai FROM ij_uai_formation) u ORDER BY md5(uai) LIMIT 200`
	benchForms = `SELECT code FROM (SELECT DISTINCT code FROM ij_region_formation) c ORDER BY md5(code) LIMIT 200`
)

// benchLatency calls the handler for each URL (with optional header
// pairs) and reports the percentiles of the durations; cold sends them to
// the app without page cache (uncachedApp), so that every request is
// rendered. (An unknown query parameter does not make a URL new: the
// cache key is the canonical URL.)
func benchLatency(b *testing.B, urls []string, cold bool, headers ...string) {
	app, _ := siteTestApp(b)
	if cold {
		app, _ = uncachedApp(b)
	}
	h := app.Handler()
	do := func(url string) time.Duration {
		var ctx fasthttp.RequestCtx
		ctx.Request.SetRequestURI(url)
		for i := 0; i+1 < len(headers); i += 2 {
			ctx.Request.Header.Set(headers[i], headers[i+1])
		}
		t0 := time.Now()
		h(&ctx)
		d := time.Since(t0)
		if ctx.Response.StatusCode() != fasthttp.StatusOK {
			b.Fatalf("GET %s: %d %s", url, ctx.Response.StatusCode(), ctx.Response.Body())
		}
		return d
	}
	if !cold {
		for _, u := range urls { // first visits fill the cache
			do(u)
		}
	}
	durs := newDurations(b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		durs.d = append(durs.d, do(urls[i%len(urls)]))
	}
	b.StopTimer()
	durs.report(b)
}

// durations collects per-request durations and reports their percentiles
// (p50-ms, p90-ms, p99-ms, max-ms).
type durations struct{ d []time.Duration }

func newDurations(n int) *durations { return &durations{d: make([]time.Duration, 0, n)} }

func (d *durations) start() time.Time { return time.Now() }

func (d *durations) stop(t0 time.Time) { d.d = append(d.d, time.Since(t0)) }

func (d *durations) report(b *testing.B) {
	if len(d.d) == 0 {
		return
	}
	durs := d.d
	sort.Slice(durs, func(i, j int) bool { return durs[i] < durs[j] })
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(durs[len(durs)/2]), "p50-ms")
	b.ReportMetric(ms(durs[len(durs)*9/10]), "p90-ms")
	b.ReportMetric(ms(durs[len(durs)*99/100]), "p99-ms")
	b.ReportMetric(ms(durs[len(durs)-1]), "max-ms")
}

func BenchmarkAPIEtablissementWarm(b *testing.B) {
	benchLatency(b, benchURLs(b, benchEtabs, "/api/v1/etablissements/"), false, "Accept", "application/json")
}

func BenchmarkAPIEtablissementCold(b *testing.B) {
	benchLatency(b, benchURLs(b, benchEtabs, "/api/v1/etablissements/"), true, "Accept", "application/json")
}

func BenchmarkAPIFormationWarm(b *testing.B) {
	benchLatency(b, benchURLs(b, benchForms, "/api/v1/formations/"), false, "Accept", "application/json")
}

func BenchmarkAPIFormationCold(b *testing.B) {
	benchLatency(b, benchURLs(b, benchForms, "/api/v1/formations/"), true, "Accept", "application/json")
}
