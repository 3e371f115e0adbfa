package web

import (
	"sort"
	"testing"
	"time"

	"github.com/valyala/fasthttp"
)

// Server time of the badges on the demo data (the fiber handler called
// directly, no network):
//
//	go test ./web/ -run '^$' -bench 'Badge' -benchtime 2000x
//
// Conditional: a cached badge asked again with its ETag (If-None-Match),
// answered 304 without rendering; Cached: the cached body (PNG, 1080 px);
// the rendering itself is measured in internal/badge (BenchmarkSVGCarre…).

func benchBadge(b *testing.B, url string, conditional bool) {
	app, _ := siteTestApp(b)
	uai := "0010001W"
	url = "/badges/etablissements/" + uai + url
	h := app.Handler()
	var etag string
	do := func(u string) (time.Duration, int) {
		var ctx fasthttp.RequestCtx
		ctx.Request.SetRequestURI(u)
		if etag != "" {
			ctx.Request.Header.Set("If-None-Match", etag)
		}
		t0 := time.Now()
		h(&ctx)
		d := time.Since(t0)
		if etag == "" {
			etag = string(ctx.Response.Header.Peek("ETag"))
		}
		return d, ctx.Response.StatusCode()
	}
	if _, st := do(url); st != 200 {
		b.Fatalf("GET %s: %d", url, st)
	}
	if !conditional {
		etag = "-"
	}
	want := map[bool]int{true: 304, false: 200}[conditional]
	durs := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d, st := do(url)
		if st != want {
			b.Fatalf("GET %s: %d, want %d", url, st, want)
		}
		durs = append(durs, d)
	}
	b.StopTimer()
	sort.Slice(durs, func(i, j int) bool { return durs[i] < durs[j] })
	us := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1000 }
	b.ReportMetric(us(durs[len(durs)/2]), "p50-µs")
	b.ReportMetric(us(durs[len(durs)*99/100]), "p99-µs")
}

func BenchmarkBadgeConditional304(b *testing.B) { benchBadge(b, ".png?format=carre&v=1", true) }
func BenchmarkBadgeCachedPNG(b *testing.B)      { benchBadge(b, ".png?format=carre", false) }
