package web

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/brotli"
	"github.com/gofiber/fiber/v2"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/xuri/excelize/v2"

	"github.com/vitrine-inserjeunes/vitrine/internal/config"
	"github.com/vitrine-inserjeunes/vitrine/internal/importer"
	"github.com/vitrine-inserjeunes/vitrine/internal/store"
	"github.com/vitrine-inserjeunes/vitrine/internal/testdb"
)

// The site tests run on the bundled demo data (real files and synthetic
// ones), imported once into the database vitrine_test_web_site.
var siteDemo struct {
	once sync.Once
	pool *pgxpool.Pool
	app  *fiber.App
	err  error
}

func siteTestApp(t testing.TB) (*fiber.App, *pgxpool.Pool) {
	t.Helper()
	siteDemo.once.Do(func() {
		pool := testdb.Pool(t, "web_site")
		if _, err := importer.ImportDemo(context.Background(), pool, "../testdata/demo"); err != nil {
			siteDemo.err = err
			return
		}
		siteDemo.pool = pool
		siteDemo.app = New(store.New(pool), slog.New(slog.DiscardHandler), testConfig())
	})
	if siteDemo.err != nil {
		t.Fatal(siteDemo.err)
	}
	return siteDemo.app, siteDemo.pool
}

// get sends a GET through the app (no network).
func get(t testing.TB, app *fiber.App, url string, headers ...string) *http.Response {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, url, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := app.Test(req, 30_000)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return resp
}

func body(t testing.TB, r *http.Response) []byte {
	t.Helper()
	b, err := io.ReadAll(r.Body)
	r.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func doc(t testing.TB, r *http.Response) *goquery.Document {
	t.Helper()
	d, err := goquery.NewDocumentFromReader(bytes.NewReader(body(t, r)))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// scalar runs a one-value query (the oracle of the tests: the database as
// the importer loaded it, not the pages).
func scalar[T any](t testing.TB, pool *pgxpool.Pool, q string, args ...any) T {
	t.Helper()
	var v T
	if err := pool.QueryRow(context.Background(), q, args...).Scan(&v); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return v
}

func TestSiteRoutes(t *testing.T) {
	app, _ := siteTestApp(t)
	cases := []struct {
		url      string
		status   int
		ctype    string
		selector string // must match in HTML answers
	}{
		{"/", 200, "text/html", "form#recherche-accueil[action='/recherche'] input[name=q]"},
		{"/etablissements/0010001W", 200, "text/html", "h1"},
		{"/a-propos/donnees", 200, "text/html", "#glossaire"},
		{"/a-propos/donnees?format=csv", 200, "application/zip", ""},
		{"/a-propos/donnees?format=csv&table=fichiers", 200, "text/csv", ""},
		{"/etablissements/0010001W?format=csv", 200, "application/zip", ""},
		{"/etablissements/0010001W?format=csv&table=historique-scolaire", 200, "text/csv", ""},
		{"/etablissements/0010001W?format=xlsx&table=historique-scolaire", 200, "application/vnd.openxmlformats", ""},
		{"/etablissements/0010001W?format=csv&table=inconnu", 400, "text/html", "h1"},
		{"/etablissements/0010001W?format=xlsx", 200, "application/vnd.openxmlformats", ""},
		{"/etablissements/0010001W?format=json", 200, "application/json", ""},
		{"/etablissements/0010001W?format=pdf", 400, "text/html", "h1"},
		{"/etablissements/" + unknownUAI, 404, "text/html", "form#recherche-erreur input[name=q]"}, // valid UAI, unknown
		{"/etablissements/pas-un-uai", 404, "text/html", "form#recherche-erreur"},
		{"/page/qui/n/existe/pas", 404, "text/html", "form#recherche-erreur"},
		{"/api/v1/nexistepas", 404, "application/json", ""},
		{"/etablissements/0010001W/formations/40025214", 200, "text/html", "#comparaison"},
		{"/etablissements/0010001W/formations/40025214?format=csv", 200, "application/zip", ""},
		{"/etablissements/0010001W/formations/40025214?format=csv&table=comparaison", 200, "text/csv", ""},
		{"/etablissements/0010001W/formations/40025214?format=json", 200, "application/json", ""},
		{"/etablissements/0010001W/formations/99999999", 404, "text/html", "form#recherche-erreur"},
		{"/formations/40031213", 200, "text/html", "#etablissements"},
		{"/formations/23830031213", 200, "text/html", "#national"}, // MEFSTAT11
		{"/formations/40031213?format=xlsx", 200, "application/vnd.openxmlformats", ""},
		{"/formations/40031213?format=json", 200, "application/json", ""},
		{"/formations/40031213?tri=taux_emploi_6_mois&ordre=desc&page=2", 200, "text/html", "#etablissements [aria-sort=descending]"},
		{"/formations/nimportequoi", 404, "text/html", "form#recherche-erreur"},
		{"/formations/99999999", 404, "text/html", "form#recherche-erreur"}, // BCN « FORMATION NON SPECIFIEE »
		{"/formations/32022999", 404, "text/html", "form#recherche-erreur"},
		{"/api/v1/formations/99999999", 404, "application/json", ""},
		{"/regions/84", 200, "text/html", "#couverture"},
		{"/regions/84?format=csv", 200, "application/zip", ""},
		{"/regions/84?format=csv&table=formations", 200, "text/csv", ""},
		{"/regions/99", 404, "text/html", "form#recherche-erreur"},
		{"/academies/10", 200, "text/html", "#niveaux"},
		{"/academies/10?format=xlsx", 200, "application/vnd.openxmlformats", ""},
		{"/academies/ZZ", 404, "text/html", "form#recherche-erreur"},
		{"/sitemap.xml", 200, "application/xml", ""},
		{"/robots.txt", 200, "text/plain", ""},
		{"/favicon.ico", 200, "image/", ""},
		{"/healthz", 200, "text/plain", ""},
		{"/readyz", 200, "text/plain", ""},
	}
	for _, tc := range cases {
		t.Run(tc.url, func(t *testing.T) {
			r := get(t, app, tc.url)
			if r.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", r.StatusCode, tc.status)
			}
			if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, tc.ctype) {
				t.Errorf("content-type %q, want %s…", ct, tc.ctype)
			}
			if r.Header.Get("X-Content-Type-Options") != "nosniff" || r.Header.Get("Content-Security-Policy") == "" {
				t.Error("security headers missing")
			}
			if tc.selector != "" {
				d := doc(t, r)
				if d.Find(tc.selector).Length() == 0 {
					t.Errorf("no %s", tc.selector)
				}
			}
		})
	}
}

func TestEtablissementPage(t *testing.T) {
	app, pool := siteTestApp(t)
	const uai = "0010001W"
	d := doc(t, get(t, app, "/etablissements/"+uai))
	nom := scalar[string](t, pool, `SELECT nom FROM etablissement_sources WHERE uai = $1 ORDER BY precedence DESC LIMIT 1`, uai)
	if got := strings.TrimSpace(d.Find("h1").Text()); got != nom {
		t.Errorf("h1 %q, want %q", got, nom)
	}
	if !strings.Contains(d.Find("title").Text(), uai) {
		t.Errorf("title %q lacks the UAI", d.Find("title").Text())
	}
	if c, _ := d.Find("link[rel=canonical]").Attr("href"); !strings.HasSuffix(c, "/etablissements/"+uai) {
		t.Errorf("canonical %q", c)
	}
	if m, _ := d.Find("meta[name=description]").Attr("content"); !strings.Contains(m, uai) {
		t.Errorf("description %q", m)
	}
	// headline: the latest scolaire rate of the file, as published
	var mill string
	var taux int
	if err := pool.QueryRow(context.Background(), `SELECT millesime, taux_emploi_6_mois FROM ij_etab
		WHERE uai = $1 AND voie = 'scolaire' AND sous_population = 'ensemble' ORDER BY millesime DESC LIMIT 1`, uai).Scan(&mill, &taux); err != nil {
		t.Fatal(err)
	}
	head := d.Find("#voie-scolaire").Parent().Find(".vi-figure").First()
	if !strings.Contains(head.Find(".vi-figure__label").Text(), "Taux d'emploi à 6 mois") {
		t.Fatalf("first headline is %q", head.Text())
	}
	if got := strings.TrimSpace(head.Find(".vi-figure__value").Text()); got != strconv.Itoa(taux)+"\u202f%" {
		t.Errorf("headline %q, want %d %%", got, taux)
	}
	if href, _ := head.Find("a").Attr("href"); href != "/a-propos/donnees#taux-emploi" {
		t.Errorf("definition link %q", href)
	}
	// history: one row per millésime of the file
	n := scalar[int](t, pool, `SELECT count(DISTINCT millesime) FROM ij_etab WHERE uai = $1 AND voie = 'scolaire' AND sous_population = 'ensemble'`, uai)
	if got := d.Find("#historique-scolaire tbody tr").Length(); got != n {
		t.Errorf("%d history rows, want %d", got, n)
	}
	// every empty cell says why
	d.Find("#historique-scolaire td").Each(func(_ int, td *goquery.Selection) {
		if strings.TrimSpace(td.Text()) == "" {
			t.Errorf("empty cell in the history table")
		}
	})
	// territory links lead to existing routes (no dead link)
	d.Find(".vi-identity a, .fr-breadcrumb a[href]").Each(func(_ int, a *goquery.Selection) {
		href, _ := a.Attr("href")
		if r := get(t, app, href); r.StatusCode != 200 && r.StatusCode != 301 {
			t.Errorf("link %s: %d", href, r.StatusCode)
		}
	})
}

func TestCanonicalRedirect(t *testing.T) {
	app, _ := siteTestApp(t)
	for from, to := range map[string]string{
		"/etablissements/0010001w?format=csv":          "/etablissements/0010001W?format=csv",
		"/formations/4003121a":                         "/formations/4003121A",
		"/etablissements/0010001w/formations/40025214": "/etablissements/0010001W/formations/40025214",
		"/regions/1":   "/regions/01",
		"/academies/a": "/academies/A",
	} {
		r := get(t, app, from)
		if r.StatusCode != 301 || r.Header.Get("Location") != to {
			t.Errorf("%s: status %d location %q, want 301 %s", from, r.StatusCode, r.Header.Get("Location"), to)
		}
	}
}

// TestPairSecretStatistique: a pair with fewer than 20 learners in the
// last millésime shows its headcount and, for every rate, the reason in
// words: on the page and in the CSV.
func TestPairSecretStatistique(t *testing.T) {
	app, pool := siteTestApp(t)
	var uai, cfd string
	var n int
	if err := pool.QueryRow(context.Background(), `
SELECT u.uai, u.cfd, u.nb_annee_term FROM ij_uai_formation u
WHERE u.source = 'depp_api_uai' AND u.voie = 'apprentissage' AND u.nb_annee_term BETWEEN 1 AND 19 AND u.cfd IS NOT NULL
  AND u.millesime = (SELECT max(millesime) FROM ij_uai_formation x WHERE x.uai = u.uai AND x.code = u.code AND x.voie = u.voie)
  AND NOT EXISTS (SELECT 1 FROM ij_uai_formation y WHERE y.uai = u.uai AND y.code = u.code AND y.millesime = u.millesime AND y.source <> u.source)
ORDER BY u.uai, u.cfd LIMIT 1`).Scan(&uai, &cfd, &n); err != nil {
		t.Fatal(err)
	}
	page := "/etablissements/" + uai + "/formations/" + cfd
	r := get(t, app, page)
	if r.StatusCode != 200 {
		t.Fatalf("%s: %d", page, r.StatusCode)
	}
	d := doc(t, r)
	row := d.Find("#comparaison tbody tr").First()
	cells := row.Find("td")
	if got := strings.TrimSpace(cells.Eq(1).Text()); got != strconv.Itoa(n) {
		t.Errorf("headcount %q, want %d", got, n)
	}
	for i := 2; i <= 3; i++ { // establishment rates
		if txt := strings.TrimSpace(cells.Eq(i).Text()); strings.Contains(txt, "%") || !strings.Contains(txt, "moins de 20") {
			t.Errorf("establishment rate cell %d = %q, want the secret statistique in words", i, txt)
		}
	}
	csvBody := body(t, get(t, app, page+"?format=csv&table=comparaison"))
	cr := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(csvBody, []byte("\ufeff"))))
	cr.Comma = ';'
	recs, err := cr.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := func(label string) int {
		for i, h := range recs[0] {
			if h == label {
				return i
			}
		}
		t.Fatalf("no column %q in %q", label, recs[0])
		return -1
	}
	emploi, poursuite := col("Établissement : taux d'emploi à 6 mois (%)"), col("Établissement : taux de poursuite d'études (%)")
	if len(recs) < 2 || !strings.Contains(recs[1][emploi], "moins de 20") || !strings.Contains(recs[1][poursuite], "moins de 20") {
		t.Errorf("CSV row %q does not hide the rates", recs[1])
	}
	if got := recs[1][col("uai")]; got != uai {
		t.Errorf("CSV row identifies UAI %q, want %s", got, uai)
	}
}

// TestExportsParseBack: the page CSV is a ZIP (a LISEZMOI and one CSV per
// table: BOM, ";", identifiers, on-screen labels, demonstration), one
// table's CSV is ?table=<id>, the XLSX starts with « À lire » and holds
// one sheet per table; JSON is the API view. TestExportsMatchPages
// (export_test.go) checks every value of every page type.
func TestExportsParseBack(t *testing.T) {
	app, _ := siteTestApp(t)
	const page = "/etablissements/0010001W"
	d := doc(t, get(t, app, page))
	tables := pageTables(t, app, d)
	if len(tables) == 0 {
		t.Fatal("no table on the page")
	}
	first := tables[0]

	r := get(t, app, page+"?format=csv")
	if cd := r.Header.Get("Content-Disposition"); !strings.Contains(cd, "attachment") || !strings.Contains(cd, ".zip") {
		t.Errorf("content-disposition %q", cd)
	}
	zb := body(t, r)
	z, err := zip.NewReader(bytes.NewReader(zb), int64(len(zb)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range z.File {
		names = append(names, f.Name)
	}
	if len(names) != len(tables)+1 || !slices.Contains(names, readmeFile) || !slices.Contains(names, first.id+".csv") {
		t.Errorf("ZIP files %q, page tables %d", names, len(tables))
	}

	r = get(t, app, page+"?format=csv&table="+first.id)
	if cd := r.Header.Get("Content-Disposition"); !strings.Contains(cd, first.id+".csv") {
		t.Errorf("content-disposition %q", cd)
	}
	b := body(t, r)
	if !bytes.HasPrefix(b, []byte("\ufeff")) {
		t.Fatal("no UTF-8 BOM")
	}
	cr := csv.NewReader(bytes.NewReader(b[3:]))
	cr.Comma = ';'
	recs, err := cr.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if recs[0][0] != "uai" || recs[0][len(recs[0])-1] != demoColumn {
		t.Errorf("CSV header %q: identifiers first, demonstration last", recs[0])
	}
	if got := strings.Join(recs[0], "|"); !strings.Contains(got, "|"+strings.Join(first.head, "|")+"|") {
		t.Errorf("CSV header %q\nscreen      %q", recs[0], first.head)
	}
	if len(recs)-1 != len(first.rows) {
		t.Errorf("CSV has %d rows, screen %d", len(recs)-1, len(first.rows))
	}
	for _, rec := range recs[1:] {
		if rec[0] != "0010001W" {
			t.Errorf("row %q: uai %q", rec, rec[0])
		}
	}

	x, err := excelize.OpenReader(bytes.NewReader(body(t, get(t, app, page+"?format=xlsx"))))
	if err != nil {
		t.Fatal(err)
	}
	sheets := x.GetSheetList()
	if len(sheets) != len(tables)+1 || sheets[0] != readmeSheet {
		t.Errorf("sheets %q, %d tables on screen", sheets, len(tables))
	}
	xrows, err := x.GetRows(first.id)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(xrows[0], "|") != strings.Join(recs[0], "|") || len(xrows)-1 != len(first.rows) {
		t.Errorf("XLSX header %q, %d rows", xrows[0], len(xrows)-1)
	}

	pageJSON := body(t, get(t, app, page+"?format=json"))
	apiJSON := body(t, get(t, app, "/api/v1/etablissements/0010001W"))
	if !bytes.Equal(pageJSON, apiJSON) {
		t.Error("?format=json differs from the API")
	}
	var v map[string]any
	if err := json.Unmarshal(pageJSON, &v); err != nil || v["uai"] != "0010001W" {
		t.Errorf("json: %v %v", err, v["uai"])
	}
}

func TestCachingHeaders(t *testing.T) {
	app, _ := siteTestApp(t)
	const page = "/etablissements/0010001W"
	r := get(t, app, page)
	plain := body(t, r)
	etag := r.Header.Get("ETag")
	if etag == "" || !strings.Contains(r.Header.Get("Cache-Control"), "public") {
		t.Fatalf("etag %q cache-control %q", etag, r.Header.Get("Cache-Control"))
	}
	if r2 := get(t, app, page, "If-None-Match", etag); r2.StatusCode != 304 {
		t.Errorf("revalidation: %d, want 304", r2.StatusCode)
	}
	if r2 := get(t, app, page, "If-None-Match", `W/"autre"`); r2.StatusCode != 200 {
		t.Errorf("other etag: %d, want 200", r2.StatusCode)
	}
	if other := get(t, app, "/etablissements/0350122T"); other.Header.Get("ETag") == etag {
		t.Error("two pages share an ETag")
	}
	// compression
	r = get(t, app, page, "Accept-Encoding", "br, gzip")
	if r.Header.Get("Content-Encoding") != "br" {
		t.Fatalf("content-encoding %q", r.Header.Get("Content-Encoding"))
	}
	dec, err := io.ReadAll(brotli.NewReader(bytes.NewReader(body(t, r))))
	if err != nil || !bytes.Equal(dec, plain) {
		t.Errorf("brotli body differs (%v)", err)
	}
	r = get(t, app, page, "Accept-Encoding", "gzip")
	zr, err := gzip.NewReader(bytes.NewReader(body(t, r)))
	if err != nil {
		t.Fatal(err)
	}
	dec, _ = io.ReadAll(zr)
	if !bytes.Equal(dec, plain) {
		t.Error("gzip body differs")
	}
	// pages run the site's own scripts and styles only, nothing inline; the API allows nothing
	if csp := get(t, app, page).Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self';") ||
		!strings.Contains(csp, "style-src 'self';") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("page CSP %q", csp)
	}
	if csp := get(t, app, "/api/v1/etablissements/0010001W").Header.Get("Content-Security-Policy"); !strings.HasPrefix(csp, "default-src 'none'") {
		t.Errorf("API CSP %q", csp)
	}
}

func TestStaticAssets(t *testing.T) {
	app, _ := siteTestApp(t)
	d := doc(t, get(t, app, "/"))
	var urls []string
	d.Find("link[rel=stylesheet], script[src]").Each(func(_ int, s *goquery.Selection) {
		u, ok := s.Attr("href")
		if !ok {
			u, _ = s.Attr("src")
		}
		urls = append(urls, u)
	})
	if len(urls) < 3 {
		t.Fatalf("assets %v", urls)
	}
	for _, u := range urls {
		r := get(t, app, u, "Accept-Encoding", "gzip")
		if r.StatusCode != 200 || r.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
			t.Errorf("%s: %d %q", u, r.StatusCode, r.Header.Get("Cache-Control"))
		}
	}
	if r := get(t, app, strings.Replace(urls[0], ".css", "0.css", 1)); r.StatusCode != 404 {
		t.Errorf("unknown fingerprint: %d", r.StatusCode)
	}
	// the fonts the stylesheet references are served
	css := body(t, get(t, app, urls[0]))
	i := bytes.Index(css, []byte("/static/dsfr/fonts/Marianne-Regular."))
	if i < 0 {
		t.Fatal("stylesheet does not reference Marianne")
	}
	font := string(css[i : i+bytes.IndexByte(css[i:], ')')])
	if r := get(t, app, font); r.StatusCode != 200 || r.Header.Get("Content-Type") != "font/woff2" {
		t.Errorf("%s: %d %s", font, r.StatusCode, r.Header.Get("Content-Type"))
	}
}

func TestSitemap(t *testing.T) {
	app, pool := siteTestApp(t)
	var sm struct {
		URLs []struct {
			Loc string `xml:"loc"`
		} `xml:"url"`
	}
	if err := xml.Unmarshal(body(t, get(t, app, "/sitemap.xml")), &sm); err != nil {
		t.Fatal(err)
	}
	n := scalar[int](t, pool, `SELECT count(*) FROM (SELECT uai FROM ij_etab UNION SELECT uai FROM ij_uai_formation) u`)
	etabs := 0
	for _, u := range sm.URLs {
		if strings.Contains(u.Loc, "/etablissements/") {
			etabs++
		}
	}
	if etabs != n {
		t.Errorf("%d establishments in the sitemap, %d with figures", etabs, n)
	}
	nf := scalar[int](t, pool, `SELECT count(DISTINCT slug) FROM familles_metiers`)
	fams := 0
	for _, u := range sm.URLs {
		if strings.Contains(u.Loc, "/familles-metiers/") {
			fams++
		}
	}
	if nf == 0 || fams != nf {
		t.Errorf("%d famille pages in the sitemap, %d familles loaded", fams, nf)
	}
	robots := string(body(t, get(t, app, "/robots.txt")))
	if !strings.Contains(robots, "Sitemap: ") || !strings.Contains(robots, "Disallow: /api/") {
		t.Errorf("robots.txt: %s", robots)
	}
}

// unknownUAI is a valid UAI (check letter right) that no file holds:
// département 999 does not exist.
const unknownUAI = "9990001X"

// TestHomeNationalFigures: the France-wide employment rate of the home
// page is the sum of the regional counts of the latest millésime (parts
// with their three counts), rounded half to even.
func TestHomeNationalFigures(t *testing.T) {
	app, pool := siteTestApp(t)
	// Per indicator (model.Aggregate): the employment rate sums the rows
	// that publish both nb_en_emploi_6_mois and nb_sortant.
	var emploi, sortant, n, withEmploi int
	if err := pool.QueryRow(context.Background(), `
SELECT coalesce(sum(nb_en_emploi_6_mois) FILTER (WHERE nb_sortant IS NOT NULL), 0),
  coalesce(sum(nb_sortant) FILTER (WHERE nb_en_emploi_6_mois IS NOT NULL), 0), count(*),
  count(*) FILTER (WHERE nb_sortant IS NOT NULL AND nb_en_emploi_6_mois IS NOT NULL) FROM ij_region_formation r
WHERE voie = 'scolaire' AND millesime = (SELECT max(millesime) FROM ij_region_formation WHERE voie = 'scolaire')`).Scan(&emploi, &sortant, &n, &withEmploi); err != nil {
		t.Fatal(err)
	}
	d := doc(t, get(t, app, "/"))
	var got, prov string
	d.Find("h3").Each(func(_ int, h *goquery.Selection) {
		if strings.Contains(h.Text(), "Voie scolaire") {
			got = strings.TrimSpace(h.Next().Find(".vi-figure__value").First().Text())
			prov = h.NextAllFiltered("p").First().Text()
		}
	})
	want := "secret statistique : moins de 20 sortants"
	if sortant >= 20 {
		q, r := (100*emploi)/sortant, (100*emploi)%sortant
		if 2*r > sortant || 2*r == sortant && q%2 == 1 {
			q++
		}
		want = strconv.Itoa(q) + "\u202f%"
	}
	if got != want {
		t.Errorf("national employment rate %q, want %q (Σ emploi %d / Σ sortants %d)", got, want, emploi, sortant)
	}
	// The provenance counts the rows that enter the employment rate.
	prov = strings.NewReplacer("\u202f", "", "\u00a0", "").Replace(prov)
	wantProv := fmt.Sprintf("somme des effectifs de %d chiffres régionaux", n)
	if withEmploi < n {
		wantProv = fmt.Sprintf("taux d'emploi à 6 mois : somme de %d chiffres régionaux, %d sans effectifs publiés", withEmploi, n-withEmploi)
	}
	if !strings.Contains(prov, wantProv) {
		t.Errorf("national provenance %q lacks %q", prov, wantProv)
	}
}

// testConfig is the server configuration of the tests: the defaults,
// without the rate limit (the tests send thousands of requests from one
// address; TestRateLimit checks the limiter).
func testConfig() config.Server {
	c := config.Defaults()
	c.RateLimit = 0
	c.PostRateLimit = 0 // TestSignalerRateLimit checks it
	return c
}
