package web

import (
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

// Server time of the HTML pages on the demo data: the fiber handler is
// called directly (no network) and the percentiles of the per-request
// durations are reported (p50-ms, p99-ms, max-ms).
//
//	go test ./web/ -run '^$' -bench 'Page' -benchtime 2000x
//
// "Cached": the page is in the page cache (keyed by data version and URL),
// as after its first visit; "Render": every request misses the cache (a
// new query string), so the store is read and the templates run.

func benchPages(b *testing.B, urls []string, render bool, headers ...string) {
	app, _ := siteTestApp(b)
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
			b.Fatalf("GET %s: %d", url, ctx.Response.StatusCode())
		}
		return d
	}
	if !render {
		for _, u := range urls {
			do(u)
		}
	}
	durs := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		u := urls[i%len(urls)]
		if render {
			u += "?bench=" + strconv.Itoa(i)
		}
		durs = append(durs, do(u))
	}
	b.StopTimer()
	sort.Slice(durs, func(i, j int) bool { return durs[i] < durs[j] })
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(durs[len(durs)/2]), "p50-ms")
	b.ReportMetric(ms(durs[len(durs)*99/100]), "p99-ms")
	b.ReportMetric(ms(durs[len(durs)-1]), "max-ms")
}

func BenchmarkPageEtablissementCached(b *testing.B) {
	benchPages(b, benchURLs(b, benchEtabs, "/etablissements/"), false)
}

func BenchmarkPageEtablissementCachedBrotli(b *testing.B) {
	benchPages(b, benchURLs(b, benchEtabs, "/etablissements/"), false, "Accept-Encoding", "br, gzip")
}

func BenchmarkPageEtablissementRender(b *testing.B) {
	benchPages(b, benchURLs(b, benchEtabs, "/etablissements/"), true)
}

func BenchmarkPageFormationCached(b *testing.B) {
	benchPages(b, benchURLs(b, benchForms, "/formations/"), false)
}

func BenchmarkPageRegionCached(b *testing.B) {
	benchPages(b, []string{"/regions/84", "/regions/11", "/regions/53"}, false)
}
