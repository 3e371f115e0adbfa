package web

import (
	"bytes"
	"cmp"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	vErrors "github.com/pb33f/libopenapi-validator/errors"

	"github.com/vitrine-inserjeunes/vitrine/internal/store"
)

// openAPIValidator builds the validator of the document as served.
func openAPIValidator(t *testing.T, spec []byte) validator.Validator {
	t.Helper()
	doc, err := libopenapi.NewDocument(spec)
	if err != nil {
		t.Fatal(err)
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		t.Fatalf("validator: %v", errs)
	}
	if ok, verrs := v.ValidateDocument(); !ok {
		for _, e := range verrs {
			t.Errorf("document: %s (%s)", e.Message, e.Reason)
			for _, f := range e.SchemaValidationErrors {
				t.Errorf("  %s", f.Error())
			}
		}
		t.FailNow()
	}
	return v
}

// apiCase is one call of the conformance test: its URL, the status it
// must get, and (for an error) the code of its body; a POST carries its
// body and content type.
type apiCase struct {
	url         string
	status      int
	code        string
	accept      string
	method      string // "" for GET
	body        []byte
	contentType string
}

// TestOpenAPIConformance calls every route the document describes (several
// real codes each, the CSV variants, and every error status and code) and
// validates each request and answer against the document; every GET or
// POST route of routes.go under /api/v1 must be in the document, and every
// documented path must be a route.
func TestOpenAPIConformance(t *testing.T) {
	app, pool := siteTestApp(t)
	r := get(t, app, "/api/v1/openapi.json")
	spec := body(t, r)
	if r.StatusCode != http.StatusOK || r.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("openapi.json: %d %v", r.StatusCode, r.Header)
	}
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Servers []struct{ URL string }    `json:"servers"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(spec, &doc); err != nil || doc.OpenAPI != "3.1.0" || len(doc.Servers) != 1 {
		t.Fatalf("openapi.json: %v %+v", err, doc)
	}
	base := doc.Servers[0].URL
	v := openAPIValidator(t, spec)

	// Every /api/v1 route is documented, and every documented path routed.
	routed := map[string]bool{}
	for _, rt := range app.GetRoutes(true) {
		if !strings.HasPrefix(rt.Path, "/api/v1/") || rt.Method != fiber.MethodGet && rt.Method != fiber.MethodPost {
			continue
		}
		p := rt.Path
		for _, prm := range rt.Params {
			p = strings.Replace(p, ":"+prm, "{"+prm+"}", 1)
		}
		routed[p] = true
		if _, ok := doc.Paths[p][strings.ToLower(rt.Method)]; !ok {
			t.Errorf("route %s %s is not in openapi.json", rt.Method, p)
		}
	}
	if !routed["/api/v1/couverture"] {
		t.Error("POST /api/v1/couverture is not routed: the route listing missed the POST routes")
	}
	for p := range doc.Paths {
		if !routed[p] {
			t.Errorf("openapi.json documents %s, which is no route", p)
		}
	}

	waitAPILists(t, app)
	var uais, pairs []string
	for _, q := range []struct {
		out *[]string
		sql string
	}{
		{&uais, `SELECT uai FROM (SELECT uai FROM ij_etab UNION SELECT uai FROM insersup UNION SELECT uai FROM ij_uai_formation) x ORDER BY md5(uai) LIMIT 4`},
		{&pairs, `SELECT uai || '/formations/' || code FROM (SELECT DISTINCT uai, code FROM ij_uai_formation UNION SELECT DISTINCT uai, sise FROM insersup) p ORDER BY md5(uai || code) LIMIT 4`},
	} {
		rows, err := pool.Query(t.Context(), q.sql)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			*q.out = append(*q.out, s)
		}
		rows.Close()
	}
	cases := []apiCase{
		{url: "/api/v1/etablissements"}, {url: "/api/v1/etablissements?region=53&voie=apprentissage&par_page=20&page=2"},
		{url: "/api/v1/etablissements?departement=035&type=lycee"}, {url: "/api/v1/etablissements?academie=14&format=csv"},
		{url: "/api/v1/etablissements?voie=superieur", accept: "text/csv"}, {url: "/api/v1/etablissements?page=99999"},
		{url: "/api/v1/formations"}, {url: "/api/v1/formations?niveau=CAP&voie=scolaire&par_page=5"},
		{url: "/api/v1/formations?famille=metiers-de-la-relation-client"}, {url: "/api/v1/formations?voie=superieur&format=csv"},
		{url: "/api/v1/etablissements/0010001W"}, {url: "/api/v1/etablissements/0062205P"}, {url: "/api/v1/etablissements/0930116W"},
		{url: "/api/v1/etablissements/0751497V/formations/50022137"}, {url: "/api/v1/etablissements/0062205P/formations/2500249"},
		{url: "/api/v1/etablissements/0010001W/formations/40025214"},
		{url: "/api/v1/formations/40030004"}, {url: "/api/v1/formations/40030004?page=3&par_page=500&region=84"},
		{url: "/api/v1/formations/23830030001"}, {url: "/api/v1/formations/2500249"}, {url: "/api/v1/formations/2544681"},
		{url: "/api/v1/formations/40031213?format=csv"}, {url: "/api/v1/formations/40030004", accept: "text/csv"},
		{url: "/api/v1/regions/53"}, {url: "/api/v1/regions/84?page=2&par_page=50"}, {url: "/api/v1/regions/11?format=csv"},
		{url: "/api/v1/openapi.json"},
		// errors: every status and absence code
		{url: "/api/v1/etablissements?page=abc", status: 400, code: "requete_invalide"},
		{url: "/api/v1/etablissements?voie=lycee", status: 400, code: "requete_invalide"},
		{url: "/api/v1/formations?format=xml", status: 400, code: "requete_invalide"},
		{url: "/api/v1/formations/2500249?format=csv", status: 400, code: "requete_invalide"},
		{url: "/api/v1/formations/4003ZZZZ", status: 404, code: "code_inconnu"},
		{url: "/api/v1/formations/1234567", status: 404, code: "code_inconnu"},
		{url: "/api/v1/etablissements/0000001B", status: 404, code: "uai_inconnu"},
		{url: "/api/v1/etablissements/0000001B/formations/40030001", status: 404, code: "uai_inconnu"},
		{url: "/api/v1/etablissements/0000001X", status: 404, code: "uai_invalide"},
		{url: "/api/v1/etablissements/0062205P/formations/40030001", status: 404, code: "non_dispensee"},
		{url: "/api/v1/regions/99", status: 404, code: "code_inconnu"},
		// no search index in this app: the search routes are unavailable
		{url: "/api/v1/recherche?q=lycee", status: 503, code: "recherche_indisponible"},
		{url: "/api/v1/suggestions?q=boul&n=5", status: 503, code: "recherche_indisponible"},
	}
	for _, u := range uais {
		cases = append(cases, apiCase{url: "/api/v1/etablissements/" + u})
	}
	for _, p := range pairs {
		cases = append(cases, apiCase{url: "/api/v1/etablissements/" + p})
	}
	cases = append(cases, coverageConformanceCases(t, pool)...)
	statuses := map[int]bool{}
	covered := map[string]bool{}
	for _, tc := range cases {
		if tc.status == 0 {
			tc.status = http.StatusOK
		}
		checkConformance(t, app, v, base, tc)
		statuses[tc.status] = true
		covered[pathOf(v, base, tc.url)] = true
	}

	// 429: a client over the limit.
	cfg := testConfig()
	cfg.RateLimit, cfg.RateWindow = 1, time.Hour
	limited := New(store.New(pool), slog.New(slog.DiscardHandler), cfg)
	checkConformance(t, limited, v, base, apiCase{url: "/api/v1/regions/53", status: 200})
	checkConformance(t, limited, v, base, apiCase{url: "/api/v1/regions/53", status: 429, code: "trop_de_requetes"})
	statuses[429] = true

	// The search routes with a search index (recherche_test.go's).
	withSearch, _, _ := searchTestApp(t)
	for _, tc := range []apiCase{{url: "/api/v1/recherche?q=lycee+berard"}, {url: "/api/v1/recherche?q=cuisine&voie=apprentissage&page=2"},
		{url: "/api/v1/recherche?q=0010001W"}, {url: "/api/v1/suggestions?q=boul"}, {url: "/api/v1/suggestions?q=bac+pro+mel&n=3"}} {
		tc.status = 200
		checkConformance(t, withSearch, v, base, tc)
		covered[pathOf(v, base, tc.url)] = true
	}

	for p := range doc.Paths {
		if !covered[p] {
			t.Errorf("documented path %s was not called", p)
		}
	}
	// 413: a catalogue over the body limit of the route (COVERAGE_MAX_BODY_MB,
	// at least MAX_BODY_BYTES; here 1 KiB of coverage).
	small := testConfig()
	small.CoverageMaxBodyBytes = 1 << 10
	limit := max(small.MaxBodyBytes, small.CoverageMaxBodyBytes)
	smallApp := New(store.New(pool), slog.New(slog.DiscardHandler), small)
	checkConformance(t, smallApp, v, base, apiCase{url: "/api/v1/couverture", method: http.MethodPost, contentType: "text/csv",
		body: bytes.Repeat([]byte("0010001W;40030004\n"), limit/18+1), status: 413, code: "requete_trop_grande"})
	statuses[413] = true

	for _, s := range []int{200, 400, 404, 413, 422, 429, 503} {
		if !statuses[s] {
			t.Errorf("status %d not checked", s)
		}
	}
}

// pathOf is the documented path a URL matches ("" when none).
func pathOf(v validator.Validator, base, url string) string {
	u := strings.SplitN(url, "?", 2)[0]
	segs := strings.Split(u, "/")
	switch {
	case len(segs) == 5 && (segs[3] == "etablissements" || segs[3] == "formations" || segs[3] == "regions") && segs[4] != "openapi.json":
		return "/api/v1/" + segs[3] + map[string]string{"etablissements": "/{uai}", "formations": "/{code}", "regions": "/{code}"}[segs[3]]
	case len(segs) == 7:
		return "/api/v1/etablissements/{uai}/formations/{code}"
	}
	return u
}

// coverageConformanceCases are the calls of POST /api/v1/couverture: a
// catalogue built from the demo data by queries (couverture_test.go's),
// sent as text/csv, text/plain and both multipart fields, with a
// millésime; then the 422 refusals.
func coverageConformanceCases(t *testing.T, pool *pgxpool.Pool) []apiCase {
	t.Helper()
	cat, _ := catalogueCSV(coverageCatalogue(t, pool))
	var millesime string
	if err := pool.QueryRow(t.Context(), `SELECT max(millesime) FROM ij_uai_formation WHERE voie = 'apprentissage'`).Scan(&millesime); err != nil {
		t.Fatal(err)
	}
	post := func(url, ct string, b []byte) apiCase {
		return apiCase{url: url, method: http.MethodPost, contentType: ct, body: b}
	}
	file, fileCT := multipartForm(t, map[string]string{"millesime": millesime}, cat)
	pasted, pastedCT := multipartForm(t, map[string]string{"lignes": string(cat)}, nil)
	var long bytes.Buffer
	long.WriteString("uai;code\n")
	for range maxCoverageRows + 1 {
		long.WriteString("0010001W;40030004\n")
	}
	refused := func(url, ct string, b []byte, code string) apiCase {
		c := post(url, ct, b)
		c.status, c.code = http.StatusUnprocessableEntity, code
		return c
	}
	return []apiCase{
		post("/api/v1/couverture", "text/csv", cat),
		post("/api/v1/couverture?millesime="+millesime, "text/plain; charset=utf-8", cat),
		post("/api/v1/couverture", fileCT, file),
		post("/api/v1/couverture", pastedCT, pasted),
		refused("/api/v1/couverture", "text/csv", long.Bytes(), "catalogue_trop_long"),
		refused("/api/v1/couverture", "text/csv", []byte("uai;code\n0010001X;ABC\n"), "catalogue_invalide"),
		refused("/api/v1/couverture", "text/csv", nil, "catalogue_invalide"),
		refused("/api/v1/couverture?millesime=hier", "text/csv", cat, "catalogue_invalide"),
	}
}

// checkConformance calls tc.url on app and validates the request and the
// answer against the document (the request alone is not validated for
// the 400 cases: their parameters are wrong on purpose, nor for the 413
// and 422 ones: their bodies are).
func checkConformance(t *testing.T, app *fiber.App, v validator.Validator, base string, tc apiCase) {
	t.Helper()
	method := cmp.Or(tc.method, http.MethodGet)
	newReq := func() *http.Request {
		var b io.Reader
		if tc.body != nil {
			b = bytes.NewReader(tc.body)
		}
		r := httptest.NewRequest(method, base+tc.url, b)
		if tc.accept != "" {
			r.Header.Set("Accept", tc.accept)
		}
		if tc.contentType != "" {
			r.Header.Set("Content-Type", tc.contentType)
		}
		return r
	}
	req := newReq()
	resp, err := app.Test(req, 120_000)
	if err != nil {
		t.Fatalf("%s %s: %v", method, tc.url, err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != tc.status {
		t.Errorf("%s %s: %d, want %d: %.300s", method, tc.url, resp.StatusCode, tc.status, b)
		return
	}
	if tc.code != "" {
		var e apiErrorBody
		if err := json.Unmarshal(b, &e); err != nil || e.Code != tc.code || e.Message == "" {
			t.Errorf("%s %s: body %.300s, want code %s", method, tc.url, b, tc.code)
		}
	}
	for _, h := range []string{"RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"} {
		if tc.status == http.StatusTooManyRequests && resp.Header.Get(h) == "" {
			t.Errorf("%s %s: no %s", method, tc.url, h)
		}
	}
	resp.Body = io.NopCloser(bytes.NewReader(b))
	vreq := newReq()
	var errs []*vErrors.ValidationError
	switch tc.status {
	case http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity:
		_, errs = v.ValidateHttpResponse(vreq, resp)
	default:
		_, errs = v.ValidateHttpRequestResponse(vreq, resp)
	}
	for _, e := range errs[:min(len(errs), 5)] {
		msg := e.Message + " (" + e.Reason + ")"
		for _, f := range e.SchemaValidationErrors[:min(len(e.SchemaValidationErrors), 5)] {
			msg += "; " + f.Error()
		}
		t.Errorf("%s %s (%d): %s", method, tc.url, tc.status, msg)
	}
}
