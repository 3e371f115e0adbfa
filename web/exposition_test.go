package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/pb33f/libopenapi"
	"github.com/pb33f/libopenapi-validator/responses"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// The contract of the Exposition-compatible API: every answer of every
// implemented route, on the demo data, validates against the partner's
// own OpenAPI document (testdata/exposition, MIT licence), and its
// figures are ours through the documented mapping.

var statusKey = regexp.MustCompile(`(?m)^(\s+)(\d{3}):$`)

var expoDoc struct {
	once sync.Once
	m    *v3.Document
	rv   responses.ResponseBodyValidator
	err  error
}

func expoValidator(t *testing.T) (*v3.Document, responses.ResponseBodyValidator) {
	t.Helper()
	expoDoc.once.Do(func() {
		b, err := os.ReadFile("../testdata/exposition/exposition-inserjeunes-openapi.yml")
		if err != nil {
			expoDoc.err = err
			return
		}
		// YAML reads the document's bare response codes (200:) as integer
		// keys, which the validator cannot render back (« failed to
		// unmarshal JSON schema resource … EOF »); OpenAPI response codes are
		// strings: quote them, in memory only (the copy stays byte for byte).
		b = statusKey.ReplaceAll(b, []byte(`$1"$2":`))
		doc, err := libopenapi.NewDocument(b)
		if err != nil {
			expoDoc.err = err
			return
		}
		m, err := doc.BuildV3Model()
		if err != nil {
			expoDoc.err = err
			return
		}
		expoDoc.m = &m.Model
		expoDoc.rv = responses.NewResponseBodyValidator(&m.Model)
	})
	if expoDoc.err != nil {
		t.Fatal(expoDoc.err)
	}
	return expoDoc.m, expoDoc.rv
}

// expoCall GETs url through the app, checks its status, and validates the
// answer against the operation of the document's path template.
func expoCall(t *testing.T, template, u string, wantStatus int) []byte {
	t.Helper()
	app, _ := siteTestApp(t)
	m, rv := expoValidator(t)
	r := get(t, app, u)
	b := body(t, r)
	if r.StatusCode != wantStatus {
		t.Fatalf("GET %s: status %d, want %d: %.400s", u, r.StatusCode, wantStatus, b)
	}
	item := m.Paths.PathItems.GetOrZero(template)
	if item == nil {
		t.Fatalf("no path %s in the document", template)
	}
	req := httptest.NewRequest(http.MethodGet, u, nil)
	resp := &http.Response{StatusCode: r.StatusCode, Header: r.Header, Body: &readCloser{strings.NewReader(string(b))}, Request: req}
	if ok, errs := rv.ValidateResponseBodyWithPathItem(req, resp, item, template); !ok {
		for _, e := range errs {
			t.Errorf("GET %s (%s): %s — %s", u, template, e.Message, e.Reason)
			for _, se := range e.SchemaValidationErrors {
				t.Errorf("    %s: %s", se.FieldPath, se.Reason)
			}
		}
		t.Logf("body: %.600s", b)
	}
	return b
}

type readCloser struct{ *strings.Reader }

func (readCloser) Close() error { return nil }

func decodeObj(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("%v: %.200s", err, b)
	}
	return v
}

// expoSamples are codes found in the demo data by queries (never
// hard-coded): national codes of each voie, a pair of each voie, a pair
// under the threshold, a closed formation, a continuum borrower, an
// InserSup pair.
type expoSamples struct {
	mefs, cfds        []string
	region            string
	pairsSco, pairsAp [][2]string
	sousSeuil         [][2]string
	closed            string
	supUAI, sise      string
	unknownCode       string
	unknownUAI        string
	continuum         []string
}

func findExpoSamples(t *testing.T, pool *pgxpool.Pool) expoSamples {
	t.Helper()
	var s expoSamples
	s.mefs = queryColumn(t, pool, `SELECT code FROM ij_region_formation WHERE voie = 'scolaire' GROUP BY code ORDER BY sum(nb_annee_term) DESC LIMIT 3`)
	s.cfds = queryColumn(t, pool, `SELECT code FROM ij_region_formation WHERE voie = 'apprentissage' GROUP BY code ORDER BY sum(nb_annee_term) DESC LIMIT 3`)
	s.region = scalar[string](t, pool, `SELECT region FROM ij_region_formation WHERE code = $1 ORDER BY nb_annee_term DESC LIMIT 1`, s.mefs[0])
	pairs := func(q string) [][2]string {
		var out [][2]string
		rows, err := pool.Query(t.Context(), q)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var p [2]string
			if err := rows.Scan(&p[0], &p[1]); err != nil {
				t.Fatal(err)
			}
			out = append(out, p)
		}
		return out
	}
	s.pairsSco = pairs(`SELECT uai, code FROM ij_uai_formation WHERE voie = 'scolaire' AND nb_annee_term >= 40 ORDER BY uai, code LIMIT 2`)
	s.pairsAp = pairs(`SELECT uai, code FROM ij_uai_formation WHERE voie = 'apprentissage' AND nb_annee_term >= 40 ORDER BY uai, code LIMIT 2`)
	s.sousSeuil = pairs(`SELECT uai, code FROM ij_uai_formation u WHERE nb_annee_term BETWEEN 5 AND 19
  AND millesime = (SELECT max(millesime) FROM ij_uai_formation) AND voie = 'scolaire'
  AND NOT EXISTS (SELECT 1 FROM ij_uai_formation v WHERE v.uai = u.uai AND v.code = u.code AND v.millesime = u.millesime AND v.nb_annee_term >= 20)
  ORDER BY uai, code LIMIT 2`)
	s.closed = scalar[string](t, pool, `SELECT b.cfd FROM bcn_formations b WHERE b.date_fermeture < now()
  AND EXISTS (SELECT 1 FROM ij_region_formation r WHERE r.code = b.cfd AND r.voie = 'apprentissage') ORDER BY b.cfd LIMIT 1`)
	sup := pairs(`SELECT uai, sise FROM insersup ORDER BY uai, sise LIMIT 1`)
	if len(s.pairsSco) == 0 || len(s.pairsAp) == 0 || len(s.sousSeuil) == 0 || len(sup) == 0 {
		t.Fatalf("demo data lacks samples: %+v", s)
	}
	s.supUAI, s.sise = sup[0][0], sup[0][1]
	// a CFD the BCN and the files do not know
	for _, c := range []string{"99999998", "88888887", "77777776"} {
		if scalar[bool](t, pool, `SELECT NOT EXISTS (SELECT 1 FROM bcn_formations WHERE cfd = $1) AND NOT EXISTS (SELECT 1 FROM ij_region_formation WHERE code = $1)
  AND NOT EXISTS (SELECT 1 FROM ij_uai_formation WHERE code = $1)`, c) {
			s.unknownCode = c
			break
		}
	}
	// a well-formed UAI that no referential nor file knows
	for n := 9999999; n > 9999000 && s.unknownUAI == ""; n-- {
		d := fmt.Sprintf("%07d", n)
		l, err := model.UAICheckLetter(d)
		if err != nil {
			t.Fatal(err)
		}
		u := d + string(l)
		if scalar[bool](t, pool, `SELECT NOT EXISTS (SELECT 1 FROM ij_uai_formation WHERE uai = $1) AND NOT EXISTS (SELECT 1 FROM etablissement_sources WHERE uai = $1)`, u) {
			s.unknownUAI = u
		}
	}
	// continuum: CFDs whose 1:1 predecessor has apprenticeship figures and
	// which have none of their own for some millésime
	s.continuum = queryColumn(t, pool, `SELECT l.nouveau FROM bcn_formation_links l
WHERE (SELECT count(*) FROM bcn_formation_links x WHERE x.nouveau = l.nouveau) = 1
  AND (SELECT count(*) FROM bcn_formation_links x WHERE x.ancien = l.ancien) = 1
  AND EXISTS (SELECT 1 FROM ij_region_formation r WHERE r.code = l.ancien AND r.voie = 'apprentissage')
  AND NOT EXISTS (SELECT 1 FROM ij_region_formation r WHERE r.code = l.nouveau)
ORDER BY l.nouveau LIMIT 3`)
	if s.unknownCode == "" || s.unknownUAI == "" || s.closed == "" {
		t.Fatalf("demo data lacks samples: %+v", s)
	}
	return s
}

func queryColumn(t *testing.T, pool *pgxpool.Pool, q string, args ...any) []string {
	t.Helper()
	rows, err := pool.Query(t.Context(), q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

const (
	pathCert      = "/api/inserjeunes/certifications/{code_certification}"
	pathCerts     = "/api/inserjeunes/certifications/{codes_certifications}"
	pathRegionale = "/api/inserjeunes/regionales/{code_region}/certifications/{code_certification}"
	pathRegFil    = "/api/inserjeunes/regionales/{code_region}/certifications/{codes_certifications}"
	pathFormation = "/api/inserjeunes/formations/{uai}-{code_certification}"
	pathCertList  = "/api/inserjeunes/certifications"
	pathCertExt   = "/api/inserjeunes/certifications.{ext}"
	pathRegList   = "/api/inserjeunes/regionales"
	pathRegOf     = "/api/inserjeunes/regionales/{code_region}"
	pathRegExt    = "/api/inserjeunes/regionales.{ext}"
	pathFormList  = "/api/inserjeunes/formations"
	pathFormExt   = "/api/inserjeunes/formations.{ext}"
)

// TestExpositionContract calls every implemented route with several codes
// and validates each answer against the partner's document.
func TestExpositionContract(t *testing.T) {
	_, pool := siteTestApp(t)
	s := findExpoSamples(t, pool)
	esc := url.PathEscape

	// national: scolaire, apprentissage, closed, InserSup
	for _, c := range s.mefs {
		v := decodeObj(t, expoCall(t, pathCert, "/api/inserjeunes/certifications/"+esc("MEFSTAT11:"+c), 200))
		if v["filiere"] != "pro" || v["code_certification"] != c {
			t.Errorf("MEFSTAT11 %s: filiere %v code %v", c, v["filiere"], v["code_certification"])
		}
	}
	for _, c := range s.cfds {
		v := decodeObj(t, expoCall(t, pathCert, "/api/inserjeunes/certifications/"+c, 200))
		if v["filiere"] != "apprentissage" {
			t.Errorf("CFD %s: filiere %v", c, v["filiere"])
		}
	}
	v := decodeObj(t, expoCall(t, pathCert, "/api/inserjeunes/certifications/CFD:"+s.closed, 200))
	if v["formation_fermee"] != true || v["date_fermeture"] == nil {
		t.Errorf("closed %s: formation_fermee %v date_fermeture %v", s.closed, v["formation_fermee"], v["date_fermeture"])
	}
	v = decodeObj(t, expoCall(t, pathCert, "/api/inserjeunes/certifications/SISE:"+s.sise, 200))
	if v["filiere"] != "superieur" {
		t.Errorf("SISE %s: filiere %v", s.sise, v["filiere"])
	}
	// millésime by year (national form) and unknown millésime, unknown code
	expoCall(t, pathCert, "/api/inserjeunes/certifications/"+s.mefs[0]+"?millesime="+lastYearOf(t, pool, s.mefs[0]), 200)
	e := decodeObj(t, expoCall(t, pathCert, "/api/inserjeunes/certifications/"+s.mefs[0]+"?millesime=2001", 404))
	if e["message"] != expoPasDeMillesime || e["data"].(map[string]any)["millesimesDisponible"] == nil {
		t.Errorf("missing millésime: %v", e)
	}
	e = decodeObj(t, expoCall(t, pathCert, "/api/inserjeunes/certifications/CFD:"+s.unknownCode, 404))
	if e["message"] != expoCertificationInconnue {
		t.Errorf("unknown code: %v", e)
	}
	expoCall(t, pathCert, "/api/inserjeunes/certifications/CFD:12", 400)
	expoCall(t, pathCert, "/api/inserjeunes/certifications/"+s.mefs[0]+".svg", 404)

	// continuum: a code without own figures serves its predecessor's, labelled
	found := 0
	for _, c := range s.continuum {
		r := get(t, mustApp(t), "/api/inserjeunes/certifications/"+c)
		b := body(t, r)
		if r.StatusCode != 200 {
			continue
		}
		v := decodeObj(t, expoCall(t, pathCert, "/api/inserjeunes/certifications/"+c, 200))
		ds := v["donnee_source"].(map[string]any)
		if ds["type"] != "ancienne" || ds["code_certification"] == c {
			t.Errorf("continuum %s: donnee_source %v (%.200s)", c, ds, b)
		}
		found++
	}
	if found == 0 {
		t.Error("no continuum case found in the demo data")
	}

	// filière view: one code with vue=filieres, several codes
	v = decodeObj(t, expoCall(t, pathCerts, "/api/inserjeunes/certifications/"+s.cfds[0]+"?vue=filieres", 200))
	if _, ok := v["apprentissage"]; !ok {
		t.Errorf("vue filieres %s: no apprentissage block: %v", s.cfds[0], v)
	}
	expoCall(t, pathCerts, "/api/inserjeunes/certifications/"+esc("MEFSTAT11:"+s.mefs[0]+"|CFD:"+s.cfds[0]+","+s.cfds[1]), 200)

	// régional: INSEE code, postal code, filière view, unknown, no data
	v = decodeObj(t, expoCall(t, pathRegionale, "/api/inserjeunes/regionales/"+s.region+"/certifications/"+s.mefs[0], 200))
	if v["region"].(map[string]any)["code"] != s.region {
		t.Errorf("regionale: region %v", v["region"])
	}
	dep := scalar[string](t, pool, `SELECT code FROM departements WHERE region_code = $1 AND code ~ '^0[0-9][0-9]$' ORDER BY code LIMIT 1`, s.region)
	v = decodeObj(t, expoCall(t, pathRegionale, "/api/inserjeunes/regionales/"+dep[1:]+"000/certifications/"+s.mefs[0], 200))
	if v["region"].(map[string]any)["code"] != s.region {
		t.Errorf("postal code %s000: region %v, want %s", dep[1:], v["region"], s.region)
	}
	expoCall(t, pathRegFil, "/api/inserjeunes/regionales/"+s.region+"/certifications/"+s.cfds[0]+"?vue=filieres", 200)
	e = decodeObj(t, expoCall(t, pathRegionale, "/api/inserjeunes/regionales/"+s.region+"/certifications/"+s.unknownCode, 404))
	if e["message"] != expoFormationInconnue {
		t.Errorf("regional unknown code: %v", e)
	}
	expoCall(t, pathRegionale, "/api/inserjeunes/regionales/ZZ/certifications/"+s.mefs[0], 400)

	// establishments: each voie, InserSup, under the threshold, unknown UAI, unknown code
	for _, p := range append(append([][2]string{}, s.pairsSco...), s.pairsAp...) {
		v := decodeObj(t, expoCall(t, pathFormation, "/api/inserjeunes/formations/"+p[0]+"-"+p[1], 200))
		if v["uai"] != p[0] || v["uai_donnee"] != p[0] {
			t.Errorf("pair %v: uai %v uai_donnee %v", p, v["uai"], v["uai_donnee"])
		}
	}
	expoCall(t, pathFormation, "/api/inserjeunes/formations/"+s.supUAI+"-"+esc("SISE:"+s.sise), 200)
	for _, p := range s.sousSeuil {
		v := decodeObj(t, expoCall(t, pathFormation, "/api/inserjeunes/formations/"+p[0]+"-"+p[1], 200))
		checkExpoSousSeuil(t, p, v)
	}
	e = decodeObj(t, expoCall(t, pathFormation, "/api/inserjeunes/formations/"+s.unknownUAI+"-"+s.cfds[0], 404))
	if e["message"] != expoEtablissementInconnu {
		t.Errorf("unknown UAI %s: %v", s.unknownUAI, e)
	}
	e = decodeObj(t, expoCall(t, pathFormation, "/api/inserjeunes/formations/"+s.pairsAp[0][0]+"-"+s.unknownCode, 404))
	if e["message"] != expoFormationInconnue {
		t.Errorf("unknown code at a UAI: %v", e)
	}
	expoCall(t, pathFormation, "/api/inserjeunes/formations/nimporte", 400)
	// .svg of a pair: our badge of the same pair
	r := get(t, mustApp(t), "/api/inserjeunes/formations/"+s.pairsSco[0][0]+"-"+s.pairsSco[0][1]+".svg?imageOnError=true")
	if loc := r.Header.Get("Location"); r.StatusCode != http.StatusFound ||
		!strings.HasPrefix(loc, "/badges/etablissements/"+s.pairsSco[0][0]+"/formations/"+s.pairsSco[0][1]+".svg?") || !strings.Contains(loc, "si_indisponible=image") {
		t.Errorf("pair .svg: %d %q", r.StatusCode, loc)
	}
	// the page of the compatible API: an HTML page under /api/, with the page policy
	r = get(t, mustApp(t), "/api/exposition-inserjeunes")
	if csp := r.Header.Get("Content-Security-Policy"); r.StatusCode != 200 || !strings.HasPrefix(csp, "default-src 'self'") {
		t.Errorf("/api/exposition-inserjeunes: %d, CSP %q", r.StatusCode, csp)
	}

	// lists, JSON and CSV
	l := decodeObj(t, expoCall(t, pathCertList, "/api/inserjeunes/certifications?items_par_page=3&page=2", 200))
	if n := len(l["certifications"].([]any)); n != 3 {
		t.Errorf("certifications list: %d items", n)
	}
	expoCall(t, pathCertExt, "/api/inserjeunes/certifications.json?code_certifications="+esc("MEFSTAT11:"+s.mefs[0]+",CFD:"+s.cfds[0])+"&millesimes="+lastYearOf(t, pool, s.mefs[0]), 200)
	csvb := expoCall(t, pathCertExt, "/api/inserjeunes/certifications.csv?items_par_page=5", 200)
	if !strings.HasPrefix(string(csvb), "code_certification;code_formation_diplome;filiere;millesime;donnee_source_type") || strings.Count(string(csvb), "\n") != 6 {
		t.Errorf("certifications.csv: %.300s", csvb)
	}
	expoCall(t, pathRegList, "/api/inserjeunes/regionales?regions="+s.region+"&items_par_page=4", 200)
	expoCall(t, pathRegOf, "/api/inserjeunes/regionales/"+s.region+"?code_certifications="+s.mefs[0], 200)
	expoCall(t, pathRegExt, "/api/inserjeunes/regionales.csv?regions="+s.region, 200)
	l = decodeObj(t, expoCall(t, pathFormList, "/api/inserjeunes/formations?uais="+s.pairsSco[0][0]+","+s.pairsAp[0][0], 200))
	for _, it := range l["formations"].([]any) {
		if u := it.(map[string]any)["uai"]; u != s.pairsSco[0][0] && u != s.pairsAp[0][0] {
			t.Errorf("formations?uais: uai %v", u)
		}
	}
	expoCall(t, pathFormExt, "/api/inserjeunes/formations.csv?uais="+s.pairsAp[0][0], 200)
	expoCall(t, pathFormList, "/api/inserjeunes/formations?uais=abc", 400)
}

func mustApp(t *testing.T) *fiber.App { app, _ := siteTestApp(t); return app }

// lastYearOf is the end year of the latest millésime of a code.
func lastYearOf(t *testing.T, pool *pgxpool.Pool, code string) string {
	m := scalar[string](t, pool, `SELECT max(millesime) FROM ij_region_formation WHERE code = $1`, code)
	return m[len(m)-4:]
}

// checkExpoSousSeuil: nb_annee_term < 20 nulls every taux_* the document
// lists, leaves out every other count, and says why in _meta.messages.
func checkExpoSousSeuil(t *testing.T, p [2]string, v map[string]any) {
	t.Helper()
	n, ok := v["nb_annee_term"].(float64)
	if !ok || n >= 20 {
		t.Fatalf("pair %v: nb_annee_term %v, want < 20", p, v["nb_annee_term"])
	}
	for _, k := range []string{"taux_en_emploi_6_mois", "taux_en_emploi_12_mois", "taux_en_emploi_18_mois", "taux_en_emploi_24_mois",
		"taux_en_formation", "taux_autres_6_mois", "taux_autres_12_mois", "taux_autres_18_mois", "taux_autres_24_mois"} {
		if val, ok := v[k]; !ok || val != nil {
			t.Errorf("pair %v under the threshold: %s = %v (present %v), want null", p, k, val, ok)
		}
	}
	for k, val := range v {
		if strings.HasPrefix(k, "nb_") && k != "nb_annee_term" {
			t.Errorf("pair %v under the threshold: %s = %v shown", p, k, val)
		}
		if strings.HasPrefix(k, "taux_") && val != nil {
			t.Errorf("pair %v under the threshold: %s = %v", p, k, val)
		}
	}
	msgs, _ := v["_meta"].(map[string]any)["messages"].([]any)
	if len(msgs) != 1 || msgs[0] != model.ExpoMessageSousSeuil {
		t.Errorf("pair %v under the threshold: messages %v", p, msgs)
	}
}

// expositionTemplateCase renders the page of the compatible API.
func expositionTemplateCase(b basePage) pageCase {
	p := &expoDocPage{basePage: b, Routes: expoRoutes, Fields: expoFields, Message: model.ExpoMessageSousSeuil, Examples: expoExamples}
	return pageCase{"pages/exposition", &expoDocPage{}, p, []string{"#expo-table-routes tbody tr", "#expo-table-champs tbody tr", "#expo-secret", "section[aria-labelledby=expo-exemples] a[href^='/api/inserjeunes/']"}}
}

// TestExpositionSemantics: for a sample of formations, régions and pairs
// found by queries, the compat answer equals our own /api/v1 answer
// through the documented mapping (parts → taux_*, counts, 12-24 months
// recomputed half to even from the counts of /api/v1).
func TestExpositionSemantics(t *testing.T) {
	app, pool := siteTestApp(t)
	s := findExpoSamples(t, pool)
	compare := func(label string, ours, theirs map[string]any) {
		t.Helper()
		num := func(v any) (int, bool) {
			f, ok := v.(float64)
			return int(f), ok
		}
		pairs := [][2]string{{"nb_annee_term", "nb_annee_term"}, {"nb_sortant", "nb_sortant"}, {"nb_poursuite_etudes", "nb_poursuite_etudes"},
			{"nb_en_emploi_6_mois", "nb_en_emploi_6_mois"}, {"nb_en_emploi_12_mois", "nb_en_emploi_12_mois"},
			{"part_emploi_6_mois", "taux_en_emploi_6_mois"}, {"part_poursuite_etudes", "taux_en_formation"},
			{"part_autres_situations", "taux_autres_6_mois"}, {"taux_contrats_interrompus", "taux_rupture_contrats"}}
		for _, p := range pairs {
			o, ook := num(ours[p[0]])
			e, eok := num(theirs[p[1]])
			if ook != eok || o != e {
				t.Errorf("%s: our %s = %v, their %s = %v", label, p[0], ours[p[0]], p[1], theirs[p[1]])
			}
		}
		if n, ok := num(ours["nb_annee_term"]); ok && n >= model.Seuil {
			for _, m := range []string{"12", "18", "24"} {
				emp := ours["nb_en_emploi_"+m+"_mois"]
				want := model.Rate(intOf(emp), model.Int(n))
				got, ok := num(theirs["taux_en_emploi_"+m+"_mois"])
				if (want == nil) != !ok || (want != nil && *want != got) {
					t.Errorf("%s: taux_en_emploi_%s_mois = %v, want %v from %v / %d", label, m, theirs["taux_en_emploi_"+m+"_mois"], want, emp, n)
				}
			}
		}
		if theirs["millesime"] != ours["millesime"] || theirs["demonstration"] != ours["demonstration"] {
			t.Errorf("%s: millesime %v / %v, demonstration %v / %v", label, theirs["millesime"], ours["millesime"], theirs["demonstration"], ours["demonstration"])
		}
	}
	// the figure of /api/v1 for voie and millésime
	pick := func(figs []any, voie, millesime string) map[string]any {
		for _, f := range figs {
			m := f.(map[string]any)
			if m["voie"] == voie && m["millesime"] == millesime {
				return m
			}
		}
		return nil
	}
	n := 0
	for _, code := range append(append([]string{}, s.mefs...), s.cfds...) {
		theirs := decodeObj(t, body(t, get(t, app, "/api/inserjeunes/certifications/"+code)))
		ours := getJSON(t, "/api/v1/formations/"+code, 200)
		voie := model.VoieScolaire
		if len(code) == 8 {
			voie = model.VoieApprentissage
		}
		f := pick(ours["national"].([]any), voie, theirs["millesime"].(string))
		if f == nil {
			t.Errorf("%s: /api/v1 has no national %s figure for %v", code, voie, theirs["millesime"])
			continue
		}
		compare("national "+code, f, theirs)
		// régional: the same code in its largest région
		for _, b := range ours["regions"].([]any) {
			blk := b.(map[string]any)
			if blk["region"].(map[string]any)["code"] != s.region {
				continue
			}
			if rf := pick(blk["chiffres"].([]any), voie, theirs["millesime"].(string)); rf != nil {
				rt := decodeObj(t, body(t, get(t, app, "/api/inserjeunes/regionales/"+s.region+"/certifications/"+code)))
				if rt["millesime"] == rf["millesime"] {
					compare("région "+s.region+" "+code, rf, rt)
					n++
				}
			}
		}
		n++
	}
	for _, p := range append(append([][2]string{}, s.pairsSco...), s.pairsAp...) {
		theirs := decodeObj(t, body(t, get(t, app, "/api/inserjeunes/formations/"+p[0]+"-"+p[1])))
		ours := getJSON(t, "/api/v1/etablissements/"+p[0]+"/formations/"+p[1], 200)
		found := false
		for _, r := range ours["chiffres"].([]any) {
			row := r.(map[string]any)
			et := row["etablissement"].(map[string]any)
			if row["millesime"] == theirs["millesime"] && expoFiliereOfVoie(row["voie"]) == theirs["filiere"] {
				compare("pair "+p[0]+"-"+p[1], et, theirs)
				found = true
			}
		}
		if !found {
			t.Errorf("pair %v: no /api/v1 row for %v %v", p, theirs["millesime"], theirs["filiere"])
		}
		n++
	}
	if n < 8 {
		t.Errorf("only %d comparisons", n)
	}
}

func expoFiliereOfVoie(v any) string { s, _ := v.(string); return model.ExpoFiliere(s) }

func intOf(v any) *int {
	f, ok := v.(float64)
	if !ok {
		return nil
	}
	i := int(f)
	return &i
}
