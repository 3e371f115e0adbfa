package web

import (
	"bufio"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"github.com/vitrine-inserjeunes/vitrine/search"
)

// Uncached render of every page type: the app has no page cache
// (PAGE_CACHE_MB=0), so every request reads the store and runs the
// templates; the search answers are dropped before each search request.
// The warehouse-wide summaries of the home and données pages are kept
// once per data version whatever the cache (summaryMemo): their first
// render after an import costs more, and is not what these measure.
//
//	go test ./web/ -run '^$' -bench 'PageUncached' -benchtime 400x

var uncached struct {
	once sync.Once
	app  *fiber.App
	ix   *search.Index
}

func uncachedApp(b *testing.B) (*fiber.App, *search.Index) {
	b.Helper()
	uncached.once.Do(func() {
		uncached.app, _, _, uncached.ix, _ = tracedApp(b)
	})
	return uncached.app, uncached.ix
}

// benchQueries is the fixed mix of search queries (testdata/bench).
func benchQueries(b *testing.B) []string {
	f, err := os.Open("../testdata/bench/recherche.txt")
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	if len(out) < 200 {
		b.Fatalf("%d requêtes, 200 attendues au moins", len(out))
	}
	return out
}

func BenchmarkPageUncached(b *testing.B) {
	app, ix := uncachedApp(b)
	h := app.Handler()
	prefixed := func(q, prefix string) func() []string { return func() []string { return benchURLs(b, q, prefix) } }
	list := func(us ...string) func() []string { return func() []string { return us } }
	searches := func(prefix string) func() []string {
		return func() []string {
			var out []string
			for _, q := range benchQueries(b) {
				out = append(out, prefix+url.QueryEscape(q))
			}
			return out
		}
	}
	const etabForm = `SELECT uai || '/formations/' || code FROM (SELECT DISTINCT uai, code FROM ij_uai_formation) k ORDER BY md5(uai || code) LIMIT 200`
	const regions = `SELECT code FROM regions WHERE code IN (SELECT region FROM ij_region_formation) ORDER BY code`
	const academies = `SELECT DISTINCT academie_code FROM departements WHERE academie_code IS NOT NULL ORDER BY 1`
	const familles = `SELECT DISTINCT slug FROM familles_metiers ORDER BY 1`
	for _, pt := range []struct {
		name string
		urls func() []string
		json bool
		// prepared: the store keeps the establishment list and coverage
		// of each of these territories once per data version, prepared in
		// the background when the version changes (WARM_TERRITORIES,
		// warm.go); each is visited once before timing, as that
		// preparation would.
		prepared bool
	}{
		{"accueil", list("/"), false, false},
		{"recherche", searches("/recherche?q="), false, false},
		{"api-recherche", searches("/api/v1/recherche?q="), true, false},
		{"etablissement", prefixed(benchEtabs, "/etablissements/"), false, false},
		{"api-etablissement", prefixed(benchEtabs, "/api/v1/etablissements/"), true, false},
		{"etablissement-formation", prefixed(etabForm, "/etablissements/"), false, false},
		{"api-etablissement-formation", prefixed(etabForm, "/api/v1/etablissements/"), true, false},
		{"formation", prefixed(benchForms, "/formations/"), false, false},
		{"api-formation", prefixed(benchForms, "/api/v1/formations/"), true, false},
		{"region", prefixed(regions, "/regions/"), false, true},
		{"api-region", prefixed(regions, "/api/v1/regions/"), true, true},
		{"academie", prefixed(academies, "/academies/"), false, true},
		{"famille", prefixed(familles, "/familles-metiers/"), false, false},
		{"donnees", list("/a-propos/donnees"), false, false},
	} {
		b.Run(pt.name, func(b *testing.B) {
			urls := pt.urls()
			hdr := "text/html"
			if pt.json {
				hdr = "application/json"
			}
			do := func(u string) (int, []byte) {
				var ctx fasthttp.RequestCtx
				ctx.Request.SetRequestURI(u)
				ctx.Request.Header.Set("Accept", hdr)
				h(&ctx)
				return ctx.Response.StatusCode(), ctx.Response.Body()
			}
			// One visit first: the summaries of the data version.
			first := urls[:1]
			if pt.prepared {
				first = urls
			}
			for _, u := range first {
				if code, body := do(u); code != fasthttp.StatusOK {
					b.Fatalf("GET %s : %d %.300s", u, code, body)
				}
			}
			durs := newDurations(b.N)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				u := urls[i%len(urls)]
				if strings.Contains(u, "recherche") {
					ix.DropCache()
				}
				t := durs.start()
				code, body := do(u)
				durs.stop(t)
				if code != fasthttp.StatusOK && code != fasthttp.StatusFound {
					b.Fatalf("GET %s : %d %.300s", u, code, body)
				}
			}
			b.StopTimer()
			durs.report(b)
		})
	}
}
