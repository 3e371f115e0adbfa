package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/vitrine-inserjeunes/vitrine/internal/store"
)

// waitAPILists waits until the two list routes answer (their lists are
// read in the background on first demand: 503 liste_en_preparation
// meanwhile).
func waitAPILists(t testing.TB, app *fiber.App) {
	t.Helper()
	deadline := time.Now().Add(4 * time.Minute)
	for _, u := range []string{"/api/v1/etablissements?par_page=1", "/api/v1/formations?par_page=1"} {
		for {
			r := get(t, app, u)
			b := body(t, r)
			if r.StatusCode == http.StatusOK {
				break
			}
			if r.StatusCode != http.StatusServiceUnavailable || !bytes.Contains(b, []byte("liste_en_preparation")) || time.Now().After(deadline) {
				t.Fatalf("GET %s: %d %.300s", u, r.StatusCode, b)
			}
			time.Sleep(time.Second)
		}
	}
}

// listPage is the part of a list answer the tests read.
type listPage struct {
	Filtres        map[string]string `json:"filtres"`
	Pagination     apiPagination     `json:"pagination"`
	Demonstration  bool              `json:"demonstration"`
	Etablissements []etablissementItem
	Formations     []formationItem
}

func getList(t *testing.T, app *fiber.App, url string) listPage {
	t.Helper()
	r := get(t, app, url)
	b := body(t, r)
	if r.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %.300s", url, r.StatusCode, b)
	}
	var p listPage
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return p
}

// allPages follows pagination.suivant from url and returns every page.
func allPages(t *testing.T, app *fiber.App, url string) []listPage {
	t.Helper()
	var out []listPage
	for url != "" && len(out) < 1000 {
		p := getList(t, app, url)
		out = append(out, p)
		url = ""
		if p.Pagination.Suivant != nil {
			url = *p.Pagination.Suivant
		}
	}
	return out
}

func sqlCount(t *testing.T, pool *pgxpool.Pool, q string, args ...any) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// The establishment list: its total is the number of UAIs with a figure
// in the database, its pages cover it exactly once in UAI order, and each
// filter keeps exactly the items that match it.
func TestAPIListEtablissements(t *testing.T) {
	app, pool := siteTestApp(t)
	waitAPILists(t, app)
	want := sqlCount(t, pool, `SELECT count(*) FROM (SELECT uai FROM ij_etab UNION SELECT uai FROM ij_uai_formation UNION SELECT uai FROM insersup) x`)
	pages := allPages(t, app, "/api/v1/etablissements?par_page=1000")
	var all []etablissementItem
	for i, p := range pages {
		if p.Pagination.Total != want || p.Pagination.Page != i+1 || p.Pagination.Pages != (want+999)/1000 {
			t.Fatalf("page %d: pagination %+v, want total %d", i+1, p.Pagination, want)
		}
		all = append(all, p.Etablissements...)
	}
	if len(all) != want || want < 1000 {
		t.Fatalf("%d establishments over %d pages, want %d (SQL)", len(all), len(pages), want)
	}
	if !slices.IsSortedFunc(all, func(a, b etablissementItem) int { return strings.Compare(a.UAI, b.UAI) }) {
		t.Error("establishments not in UAI order")
	}
	// voie against SQL.
	for _, tc := range []struct{ voie, q string }{
		{"superieur", `SELECT count(DISTINCT uai) FROM insersup`},
		{"apprentissage", `SELECT count(*) FROM (SELECT uai FROM ij_etab WHERE sous_population = 'apprentis' OR voie = 'apprentissage'
  UNION SELECT uai FROM ij_uai_formation WHERE voie = 'apprentissage') x`},
	} {
		p := getList(t, app, "/api/v1/etablissements?par_page=1&voie="+tc.voie)
		if n := sqlCount(t, pool, tc.q); p.Pagination.Total != n || n == 0 {
			t.Errorf("voie=%s: total %d, SQL %d", tc.voie, p.Pagination.Total, n)
		}
	}
	// Territory and type filters against the complete list.
	pick := all[len(all)/2]
	for _, tc := range []struct {
		param, value string
		match        func(e etablissementItem) bool
	}{
		{"region", "53", func(e etablissementItem) bool { return e.Region.Code == "53" }},
		{"academie", pick.Academie.Code, func(e etablissementItem) bool { return e.Academie.Code == pick.Academie.Code }},
		{"departement", pick.Departement.Code, func(e etablissementItem) bool { return e.Departement.Code == pick.Departement.Code }},
		{"type", "lycee professionnel", func(e etablissementItem) bool { return e.Type == "Lycée professionnel" }},
	} {
		want := 0
		for _, e := range all {
			if tc.match(e) {
				want++
			}
		}
		var got []etablissementItem
		for _, p := range allPages(t, app, "/api/v1/etablissements?par_page=200&"+tc.param+"="+strings.ReplaceAll(tc.value, " ", "+")) {
			got = append(got, p.Etablissements...)
			if p.Pagination.Total != want {
				t.Errorf("%s=%s: total %d, want %d", tc.param, tc.value, p.Pagination.Total, want)
			}
		}
		if len(got) != want || want == 0 {
			t.Errorf("%s=%s: %d items, want %d (found guard: > 0)", tc.param, tc.value, len(got), want)
		}
		for _, e := range got {
			if !tc.match(e) {
				t.Errorf("%s=%s: %s does not match", tc.param, tc.value, e.UAI)
				break
			}
		}
	}
	// Bounds: a page past the last is the last; par_page is clamped.
	last := getList(t, app, "/api/v1/etablissements?par_page=1000&page=99999999999999999999")
	if last.Pagination.Page != len(pages) || last.Pagination.Suivant != nil || last.Pagination.Precedent == nil ||
		len(last.Etablissements) != len(pages[len(pages)-1].Etablissements) {
		t.Errorf("page past the last: %+v", last.Pagination)
	}
	if p := getList(t, app, "/api/v1/etablissements?par_page=0"); p.Pagination.ParPage != 1 || len(p.Etablissements) != 1 {
		t.Errorf("par_page=0: %+v", p.Pagination)
	}
	if p := getList(t, app, "/api/v1/etablissements?par_page=5000"); p.Pagination.ParPage != maxParPage {
		t.Errorf("par_page=5000: %+v", p.Pagination)
	}
	for _, u := range []string{"/api/v1/etablissements?page=abc", "/api/v1/etablissements?par_page=1e3", "/api/v1/etablissements?voie=lycee",
		"/api/v1/etablissements?region=99", "/api/v1/etablissements?format=xml"} {
		v := getJSON(t, u, http.StatusBadRequest)
		if v["code"] != "requete_invalide" || !strings.Contains(v["message"].(string), "«") {
			t.Errorf("%s: %v", u, v)
		}
	}
}

// The formation list: InserSup diplomas against SQL, the other filters
// against the complete list.
func TestAPIListFormations(t *testing.T) {
	app, pool := siteTestApp(t)
	waitAPILists(t, app)
	var all []formationItem
	for _, p := range allPages(t, app, "/api/v1/formations?par_page=500") {
		all = append(all, p.Formations...)
	}
	if len(all) == 0 {
		t.Fatal("no formation")
	}
	p := getList(t, app, "/api/v1/formations?voie=superieur&par_page=1000")
	if n := sqlCount(t, pool, `SELECT count(DISTINCT sise) FROM insersup`); p.Pagination.Total != n || len(p.Formations) != n || n == 0 {
		t.Errorf("voie=superieur: %d, SQL %d", p.Pagination.Total, n)
	}
	for _, f := range p.Formations {
		if f.SISE == "" || f.Code != f.SISE {
			t.Errorf("voie=superieur: %+v", f)
		}
	}
	var fam string
	for _, f := range all {
		if f.Famille != nil {
			fam = f.Famille.Slug
			break
		}
	}
	for _, tc := range []struct {
		param, value string
		match        func(f formationItem) bool
	}{
		{"niveau", "cap", func(f formationItem) bool { return f.Niveau == "CAP" }},
		{"niveau", "BAC+PRO", func(f formationItem) bool { return f.Niveau == "BAC PRO" }},
		{"voie", "apprentissage", func(f formationItem) bool { return slices.Contains(f.Voies, "apprentissage") }},
		{"famille", fam, func(f formationItem) bool { return f.Famille != nil && f.Famille.Slug == fam }},
	} {
		want := 0
		for _, f := range all {
			if tc.match(f) {
				want++
			}
		}
		var got []formationItem
		for _, p := range allPages(t, app, "/api/v1/formations?par_page=300&"+tc.param+"="+tc.value) {
			got = append(got, p.Formations...)
		}
		if len(got) != want || want == 0 {
			t.Errorf("%s=%s: %d items, want %d (found guard: > 0)", tc.param, tc.value, len(got), want)
		}
		for _, f := range got {
			if !tc.match(f) {
				t.Errorf("%s=%s: %s does not match", tc.param, tc.value, f.Code)
				break
			}
		}
	}
	// demonstration follows the data: a formation with synthetic figures only
	// in the SQL sense is flagged.
	n := sqlCount(t, pool, `SELECT count(DISTINCT i.sise) FROM insersup i JOIN import_files f ON f.id = i.file_id WHERE f.synthetic`)
	demo := 0
	for _, f := range p.Formations {
		if f.Demonstration {
			demo++
		}
	}
	if demo != n {
		t.Errorf("%d InserSup diplomas flagged demonstration, SQL %d", demo, n)
	}
}

// The paginated formation answer: national and regional blocks complete on
// every page, the establishments cut into pages whose union is the whole
// list; ?region= keeps one région.
func TestAPIFormationPagination(t *testing.T) {
	_, pool := siteTestApp(t)
	full := getJSON(t, "/api/v1/formations/40030004?par_page=1000", http.StatusOK)
	total := int(full["pagination"].(map[string]any)["total"].(float64))
	// One entry per (uai, voie) pair of its own figures or of those of
	// 40030001, the diploma it renewed 1:1 (continuum, see TestAPIFormation).
	want := sqlCount(t, pool, `SELECT count(DISTINCT (uai, voie)) FROM ij_uai_formation u LEFT JOIN mefstat11_cfd m ON m.mefstat11 = u.mefstat11
  WHERE coalesce(u.cfd, m.cfd) IN ('40030004', '40030001')`)
	if total < 1000 || total != want {
		t.Fatalf("40030004: %d establishments, SQL %d (the big answer of the issue: over 1,000)", total, want)
	}
	seen := map[string]bool{}
	var nat string
	for page := 1; ; page++ {
		v := getJSON(t, fmt.Sprintf("/api/v1/formations/40030004?par_page=300&page=%d", page), http.StatusOK)
		n, _ := json.Marshal(v["national"])
		if page == 1 {
			nat = string(n)
		} else if string(n) != nat {
			t.Errorf("page %d: national figures differ from page 1", page)
		}
		for _, e := range v["etablissements"].([]any) {
			em := e.(map[string]any)
			k := em["uai"].(string) + "/" + em["voie"].(string)
			if seen[k] {
				t.Errorf("page %d: %s twice", page, k)
			}
			seen[k] = true
		}
		p := v["pagination"].(map[string]any)
		if int(p["total"].(float64)) != total {
			t.Errorf("page %d: total %v, want %d", page, p["total"], total)
		}
		if p["suivant"] == nil {
			break
		}
	}
	if len(seen) != total {
		t.Errorf("pages hold %d establishments, total %d", len(seen), total)
	}
	reg := getJSON(t, "/api/v1/formations/40030004?region=53&par_page=1000", http.StatusOK)
	wantReg := 0
	for _, e := range full["etablissements"].([]any) {
		if e.(map[string]any)["region"].(map[string]any)["code"] == "53" {
			wantReg++
		}
	}
	// full holds the first 1000 only: count the région over every page.
	for page := 2; page <= int(full["pagination"].(map[string]any)["pages"].(float64)); page++ {
		v := getJSON(t, fmt.Sprintf("/api/v1/formations/40030004?par_page=1000&page=%d", page), http.StatusOK)
		for _, e := range v["etablissements"].([]any) {
			if e.(map[string]any)["region"].(map[string]any)["code"] == "53" {
				wantReg++
			}
		}
	}
	if got := int(reg["pagination"].(map[string]any)["total"].(float64)); got != wantReg || wantReg == 0 {
		t.Errorf("region=53: %d establishments, want %d", got, wantReg)
	}
	// The région answer: formations paginated, levels complete.
	r1 := getJSON(t, "/api/v1/regions/53?par_page=10", http.StatusOK)
	r2 := getJSON(t, "/api/v1/regions/53?par_page=10&page=2", http.StatusOK)
	n1, _ := json.Marshal(r1["niveaux"])
	n2, _ := json.Marshal(r2["niveaux"])
	if len(r1["formations"].([]any)) != 10 || string(n1) != string(n2) || r1["pagination"].(map[string]any)["total"].(float64) <= 10 {
		t.Errorf("regions/53 pages: %d formations, pagination %v", len(r1["formations"].([]any)), r1["pagination"])
	}
}

// readAPICSV parses an API CSV answer (BOM, ";").
func readAPICSV(t *testing.T, b []byte) (map[string]int, [][]string) {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("\ufeff")) {
		t.Fatalf("CSV without BOM: %.80q", b)
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff"))))
	r.Comma = ';'
	recs, err := r.ReadAll()
	if err != nil || len(recs) == 0 {
		t.Fatalf("CSV: %v", err)
	}
	cols := map[string]int{}
	for i, h := range recs[0] {
		cols[h] = i
	}
	return cols, recs[1:]
}

// The CSV variants (?format=csv and Accept: text/csv) hold the rows of the
// JSON page, in its order, with the identifier columns and demonstration.
func TestAPICSV(t *testing.T) {
	app, _ := siteTestApp(t)
	waitAPILists(t, app)
	for _, tc := range []struct {
		json, csv string
		accept    bool
		items     string
		idCol     string
		idKey     string
	}{
		{"/api/v1/etablissements?region=53&par_page=50&page=2", "/api/v1/etablissements?region=53&par_page=50&page=2&format=csv", false, "etablissements", "uai", "uai"},
		{"/api/v1/etablissements?voie=superieur&par_page=40", "/api/v1/etablissements?voie=superieur&par_page=40", true, "etablissements", "uai", "uai"},
		{"/api/v1/formations?niveau=BTS&par_page=60", "/api/v1/formations?niveau=BTS&par_page=60&format=CSV", false, "formations", "code", "code"},
		{"/api/v1/formations/40030004?par_page=70&page=3", "/api/v1/formations/40030004?par_page=70&page=3", true, "etablissements", "uai", "uai"},
	} {
		v := getJSON(t, tc.json, http.StatusOK)
		var r *http.Response
		if tc.accept {
			r = get(t, app, tc.csv, "Accept", "text/csv")
		} else {
			r = get(t, app, tc.csv)
		}
		b := body(t, r)
		if r.StatusCode != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
			t.Fatalf("GET %s: %d %s %.200s", tc.csv, r.StatusCode, r.Header.Get("Content-Type"), b)
		}
		if !strings.Contains(r.Header.Get("Vary"), "Accept") {
			t.Errorf("%s: Vary %q", tc.csv, r.Header.Get("Vary"))
		}
		if p := v["pagination"].(map[string]any); p["suivant"] != nil && !strings.Contains(r.Header.Get("Link"), `rel="next"`) {
			t.Errorf("%s: Link %q", tc.csv, r.Header.Get("Link"))
		}
		cols, rows := readAPICSV(t, b)
		items := v[tc.items].([]any)
		if len(rows) != len(items) || len(items) == 0 {
			t.Fatalf("%s: %d CSV rows, %d JSON items", tc.csv, len(rows), len(items))
		}
		id, ok1 := cols[tc.idCol]
		demo, ok2 := cols["demonstration"]
		if !ok1 || !ok2 || demo != len(cols)-1 {
			t.Fatalf("%s: columns %v", tc.csv, cols)
		}
		for i, it := range items {
			m := it.(map[string]any)
			d := m["demonstration"]
			if d == nil { // a formation's establishment: its latest figure says
				d = m["dernier"].(map[string]any)["demonstration"]
			}
			if rows[i][id] != m[tc.idKey] || rows[i][demo] != ouiNon(d == true) {
				t.Errorf("%s row %d: %s %s, JSON %v %v", tc.csv, i, rows[i][id], rows[i][demo], m[tc.idKey], d)
				break
			}
		}
	}
	// The JSON and CSV answers of one URL are cached apart.
	r := get(t, app, "/api/v1/formations?niveau=BTS&par_page=60", "Accept", "application/json")
	if b := body(t, r); !bytes.HasPrefix(b, []byte("{")) {
		t.Errorf("JSON after CSV: %.80q", b)
	}
}

// CORS: any origin may read the API with GET or HEAD, without credentials;
// a preflight is answered; errors and 429 are readable too; RateLimit-*
// headers are on every answer and exposed.
func TestAPICORSAndRateLimit(t *testing.T) {
	_, pool := siteTestApp(t)
	cfg := testConfig()
	cfg.RateLimit, cfg.RateWindow = 3, time.Hour
	app := New(store.New(pool), slog.New(slog.DiscardHandler), cfg)
	do := func(method, url string, h ...string) *http.Response {
		req, _ := http.NewRequest(method, url, nil)
		for i := 0; i+1 < len(h); i += 2 {
			req.Header.Set(h[i], h[i+1])
		}
		r, err := app.Test(req, 30_000)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	pre := do(http.MethodOptions, "/api/v1/formations/40030004", "Origin", "https://exemple.org", "Access-Control-Request-Method", "GET")
	if pre.StatusCode != http.StatusNoContent || pre.Header.Get("Access-Control-Allow-Origin") != "*" ||
		!strings.Contains(pre.Header.Get("Access-Control-Allow-Methods"), "GET") || pre.Header.Get("Access-Control-Allow-Credentials") != "" {
		t.Errorf("preflight: %d %v", pre.StatusCode, pre.Header)
	}
	if pre.Header.Get("RateLimit-Remaining") != "" {
		t.Error("a preflight is counted by the rate limit")
	}
	for i, tc := range []struct {
		url    string
		status int
	}{{"/api/v1/regions/53?par_page=1", 200}, {"/api/v1/formations/4003ZZZZ", 404}, {"/api/v1/etablissements/0010001W", 200}, {"/api/v1/regions/53?par_page=1", 429}} {
		r := do(http.MethodGet, tc.url, "Origin", "https://exemple.org")
		b := body(t, r)
		if r.StatusCode != tc.status {
			t.Fatalf("%s: %d, want %d: %.200s", tc.url, r.StatusCode, tc.status, b)
		}
		if r.Header.Get("Access-Control-Allow-Origin") != "*" || !strings.Contains(r.Header.Get("Access-Control-Expose-Headers"), "RateLimit-Remaining") {
			t.Errorf("%s: CORS headers %v", tc.url, r.Header)
		}
		if r.Header.Get("RateLimit-Limit") != "3" || r.Header.Get("RateLimit-Remaining") != fmt.Sprint(max(0, 2-i)) || r.Header.Get("RateLimit-Reset") == "" {
			t.Errorf("%s: RateLimit %q %q %q", tc.url, r.Header.Get("RateLimit-Limit"), r.Header.Get("RateLimit-Remaining"), r.Header.Get("RateLimit-Reset"))
		}
		if tc.status == 429 {
			var e apiErrorBody
			if err := json.Unmarshal(b, &e); err != nil || e.Code != "trop_de_requetes" || r.Header.Get("Retry-After") == "" {
				t.Errorf("429: %s %v", b, r.Header)
			}
		}
	}
	// The site's pages are not opened to other origins.
	if r := do(http.MethodGet, "/a-propos/donnees"); r.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Error("CORS on a page")
	}
}
