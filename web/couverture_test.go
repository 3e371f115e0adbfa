package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/gofiber/fiber/v2"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
	"github.com/vitrine-inserjeunes/vitrine/internal/store"
)

// postCatalogue POSTs a body to url through the app.
func postCatalogue(t testing.TB, app *fiber.App, url, contentType string, b []byte) *http.Response {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, url, bytes.NewReader(b))
	req.Header.Set("Content-Type", contentType)
	resp, err := app.Test(req, 120_000)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	return resp
}

// multipartForm builds a multipart body: fields, and the file « fichier ».
func multipartForm(t testing.TB, fields map[string]string, file []byte) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		if err := w.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if file != nil {
		fw, err := w.CreateFormFile("fichier", "catalogue.csv")
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(file)
	}
	w.Close()
	return buf.Bytes(), w.FormDataContentType()
}

func TestCouvertureParse(t *testing.T) {
	tests := []struct {
		name     string
		in       []byte
		rows     []string // line:uai:code:kind:voie:id
		errLines []int
		errPart  string
		header   bool
	}{
		{"header, semicolons, partner id and Exposition prefixes", []byte("id;UAI;Code formation;Voie;Libellé\nA-1;0010001W;40030004;apprentissage;Bac pro\nA-2;0010001w;MEFSTAT11:23830030004;;\n"),
			[]string{"2:0010001W:40030004:cfd:apprentissage:A-1", "3:0010001W:23830030004:mefstat11::A-2"}, nil, "", true},
		{"no header, commas, blank lines skipped", []byte("0010001W,40030004\n\n0693002N,50025218,app\n"),
			[]string{"1:0010001W:40030004:cfd::", "3:0693002N:50025218:cfd:apprentissage:"}, nil, "", false},
		{"tabs and CRLF", []byte("uai\tcfd\r\n0010001W\t40030004\r\n"), []string{"2:0010001W:40030004:cfd::"}, nil, "", true},
		{"bad lines are reported with their numbers, the others kept", []byte("uai;code;voie\n0010001X;40030004\n0010001W;4003\n0010001W;40030004\n0010001W;40030004;bus\n"),
			[]string{"4:0010001W:40030004:cfd::"}, []int{2, 3, 5}, "lettre de contrôle", true},
		{"SISE code", []byte("uai;code\n0010001W;SISE:2400074\n"), []string{"2:0010001W:2400074:sise::"}, nil, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, err := parseCoverage(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range in.Rows {
				got = append(got, fmt.Sprintf("%d:%s:%s:%s:%s:%s", r.Line, r.UAI, r.Code, r.Kind, r.Voie, r.ID))
			}
			if !slices.Equal(got, tt.rows) {
				t.Errorf("rows %v\nwant %v", got, tt.rows)
			}
			var lines []int
			for _, e := range in.Errors {
				lines = append(lines, e.Line)
			}
			if !slices.Equal(lines, tt.errLines) {
				t.Errorf("error lines %v, want %v (%v)", lines, tt.errLines, in.Errors)
			}
			if tt.errPart != "" && !strings.Contains(in.Errors[0].Message, tt.errPart) {
				t.Errorf("first error %q lacks %q", in.Errors[0].Message, tt.errPart)
			}
			if in.Header != tt.header {
				t.Errorf("header detected %v, want %v", in.Header, tt.header)
			}
		})
	}

	t.Run("Windows-1252, the partner's label kept verbatim", func(t *testing.T) {
		b, err := charmap.Windows1252.NewEncoder().Bytes([]byte("uai;code;libelle\n0010001W;40030004;Métiers de l'accueil\n"))
		if err != nil {
			t.Fatal(err)
		}
		in, err := parseCoverage(b)
		if err != nil {
			t.Fatal(err)
		}
		if in.Encoding != "windows-1252" || len(in.Rows) != 1 || in.Rows[0].Libelle != "Métiers de l'accueil" {
			t.Errorf("encoding %s, rows %+v", in.Encoding, in.Rows)
		}
	})
	t.Run("a header without a code column is refused whole", func(t *testing.T) {
		_, err := parseCoverage([]byte("uai;nom\n0010001W;x\n"))
		if he, ok := err.(*httpError); !ok || he.Status != 422 || !strings.Contains(he.Message, "colonne code") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("50,000 rows read, 50,001 refused", func(t *testing.T) {
		mk := func(n int) []byte {
			var b bytes.Buffer
			b.WriteString("uai;code\n")
			for i := 0; i < n; i++ {
				b.WriteString("0010001W;40030004\n")
			}
			return b.Bytes()
		}
		in, err := parseCoverage(mk(maxCoverageRows))
		if err != nil || len(in.Rows) != maxCoverageRows {
			t.Fatalf("50,000 rows: %v, %d rows", err, len(in.Rows))
		}
		_, err = parseCoverage(mk(maxCoverageRows + 1))
		if err != errCoverageTooLong || !strings.Contains(errCoverageTooLong.Message, "50\u202f000") {
			t.Errorf("50,001 rows: err = %v", err)
		}
	})
}

// coverageCase is one catalogue row whose answer the test knows from
// the data.
type coverageCase struct {
	uai, code, want string
	demo            *bool // the figure found is synthetic (nil: not checked)
}

// coverageCatalogue builds, from the demo data (queries, not hard-coded
// results), one catalogue row per outcome the data allows.
func coverageCatalogue(t testing.TB, pool *pgxpool.Pool) []coverageCase {
	t.Helper()
	ctx := context.Background()
	// The planner needs statistics on freshly loaded tables.
	if _, err := pool.Exec(ctx, "ANALYZE"); err != nil {
		t.Fatal(err)
	}
	latest := func(voie string) string {
		rows, err := pool.Query(ctx, `SELECT DISTINCT millesime FROM ij_uai_formation WHERE voie = $1`, voie)
		if err != nil {
			t.Fatal(err)
		}
		var ms []string
		for rows.Next() {
			var m string
			rows.Scan(&m)
			ms = append(ms, m)
		}
		if len(ms) == 0 {
			t.Fatalf("no %s figure in the demo", voie)
		}
		return model.SortMillesimes(ms)[0]
	}
	lapp, lsco := latest(model.VoieApprentissage), latest(model.VoieScolaire)
	// win: the rows of the highest precedence of their key.
	const win = `SELECT DISTINCT ON (uai, millesime, voie, code) * FROM ij_uai_formation WHERE voie = $2 AND millesime = $1
ORDER BY uai, millesime, voie, code, precedence DESC`
	const published = ` AND w.taux_emploi_6_mois IS NOT NULL AND coalesce(w.nb_annee_term, 20) >= 20 AND coalesce(w.nb_sortant, 20) >= 20`
	one := func(label, q string, args ...any) []string {
		row := pool.QueryRow(ctx, q, args...)
		var a, b string
		var demo bool
		if err := row.Scan(&a, &b, &demo); err != nil {
			t.Fatalf("%s: no row in the demo data: %v", label, err)
		}
		return []string{a, b, fmt.Sprint(demo)}
	}
	demoOf := func(s string) *bool { v := s == "true"; return &v }
	var out []coverageCase
	c := one("couvert", `WITH w AS (`+win+`) SELECT w.uai, w.code, f.synthetic FROM w JOIN import_files f ON f.id = w.file_id
WHERE true`+published+` ORDER BY w.uai, w.code LIMIT 1`, lapp, model.VoieApprentissage)
	out = append(out, coverageCase{c[0], c[1], model.CouvCouvert, demoOf(c[2])})
	covered := c
	c = one("sous_seuil", `WITH w AS (`+win+`) SELECT w.uai, w.code, false FROM w
WHERE w.nb_annee_term < 20
  AND NOT EXISTS (SELECT 1 FROM ij_uai_formation g JOIN mefstat11_cfd v ON v.mefstat11 = g.code WHERE g.uai = w.uai AND v.cfd = w.code AND g.voie = 'scolaire')
ORDER BY w.uai, w.code LIMIT 1`, lapp, model.VoieApprentissage)
	out = append(out, coverageCase{c[0], c[1], model.CouvSousSeuil, nil})
	c = one("couvert_continuum", `WITH w AS (`+win+`) SELECT w.uai, l.nouveau, false FROM w JOIN bcn_formation_links l ON l.ancien = w.code
WHERE true`+published+`
  AND (SELECT count(*) FROM bcn_formation_links x WHERE x.nouveau = l.nouveau) = 1
  AND (SELECT count(*) FROM bcn_formation_links x WHERE x.ancien = l.ancien) = 1
  AND EXISTS (SELECT 1 FROM bcn_formations b WHERE b.cfd = l.nouveau)
  AND NOT EXISTS (SELECT 1 FROM ij_uai_formation g WHERE g.uai = w.uai AND g.code = l.nouveau AND g.voie = 'apprentissage' AND g.millesime = $1)
ORDER BY 1, 2 LIMIT 1`, lapp, model.VoieApprentissage)
	out = append(out, coverageCase{c[0], c[1], model.CouvContinuum, nil})
	c = one("couvert_autre_code", `WITH w AS (`+win+`) SELECT w.uai, v.cfd, false FROM w JOIN mefstat11_cfd v ON v.mefstat11 = w.code
WHERE true`+published+`
  AND NOT EXISTS (SELECT 1 FROM ij_uai_formation g WHERE g.uai = w.uai AND g.code = v.cfd AND g.voie = 'apprentissage' AND g.millesime = $3)
  AND NOT EXISTS (SELECT 1 FROM bcn_formation_links l WHERE l.ancien = v.cfd OR l.nouveau = v.cfd)
  AND EXISTS (SELECT 1 FROM bcn_formations b WHERE b.cfd = v.cfd)
ORDER BY 1, 2 LIMIT 1`, lsco, model.VoieScolaire, lapp)
	out = append(out, coverageCase{c[0], c[1], model.CouvAutreCode, nil})
	c = one("millesime_absent", `SELECT f.uai, f.code, false FROM ij_uai_formation f WHERE f.voie = 'apprentissage' AND f.millesime <> $1
  AND NOT EXISTS (SELECT 1 FROM ij_uai_formation g WHERE g.uai = f.uai AND g.code = f.code AND g.millesime = $1)
  AND NOT EXISTS (SELECT 1 FROM bcn_formation_links l WHERE l.ancien = f.code OR l.nouveau = f.code)
  AND NOT EXISTS (SELECT 1 FROM ij_uai_formation g JOIN mefstat11_cfd v ON v.mefstat11 = g.code WHERE g.uai = f.uai AND v.cfd = f.code AND g.millesime = $2)
ORDER BY 1, 2 LIMIT 1`, lapp, lsco)
	out = append(out, coverageCase{c[0], c[1], model.CouvMillesimeAbsent, nil})
	c = one("non_dispensee", `SELECT e.uai, '', false FROM etablissement_sources e
WHERE NOT EXISTS (SELECT 1 FROM ij_uai_formation f WHERE f.uai = e.uai) AND NOT EXISTS (SELECT 1 FROM insersup f WHERE f.uai = e.uai)
ORDER BY 1 LIMIT 1`)
	out = append(out, coverageCase{c[0], covered[1], model.CouvNonDispensee, nil})
	// InserSup: a headline figure of the latest year with its leavers and
	// graduates over the threshold and an employment rate.
	c = one("couvert (SISE)", `SELECT uai, sise, false FROM insersup WHERE obtention_diplome = $1 AND genre = $2 AND nationalite = $2
  AND right(millesime, 4) = (SELECT max(right(millesime, 4)) FROM insersup)
  AND nb_sortants >= 20 AND nb_sortants + nb_poursuivants >= 20 AND tx_sortants_en_emploi_sal_fr IS NOT NULL
ORDER BY 1, 2 LIMIT 1`, model.SupObtentionDiplome, model.SupEnsemble)
	out = append(out, coverageCase{c[0], c[1], model.CouvCouvert, nil})
	// A valid UAI nothing knows, codes of each kind nothing knows.
	unknownUAI := ""
	for n := 1; unknownUAI == "" && n < 1000; n++ {
		d := fmt.Sprintf("%07d", 9999000+n)
		l, _ := model.UAICheckLetter(d)
		u := d + string(l)
		var known bool
		pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM etablissement_sources WHERE uai = $1) OR EXISTS (SELECT 1 FROM ij_uai_formation WHERE uai = $1)
  OR EXISTS (SELECT 1 FROM ij_etab WHERE uai = $1) OR EXISTS (SELECT 1 FROM insersup WHERE uai = $1)`, u).Scan(&known)
		if !known {
			unknownUAI = u
		}
	}
	out = append(out, coverageCase{unknownUAI, covered[1], model.CouvUAIInconnu, nil})
	for _, code := range []string{"99999999", "99999999999", "9999999"} {
		// Unknown: no figure, and the BCN has no formation of that code
		// (99999999 is its « formation non spécifiée » placeholder).
		var known bool
		var label string
		pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM bcn_mefs WHERE mefstat11 = $1)
  OR EXISTS (SELECT 1 FROM ij_uai_formation WHERE code = $1) OR EXISTS (SELECT 1 FROM ij_region_formation WHERE code = $1)
  OR EXISTS (SELECT 1 FROM insersup WHERE sise = $1), coalesce((SELECT libelle_long FROM bcn_formations WHERE cfd = $1), '')`, code).Scan(&known, &label)
		if known || label != "" && !model.IsPlaceholderFormation(label) {
			t.Fatalf("code %s is known to the demo data: pick another", code)
		}
		out = append(out, coverageCase{covered[0], code, model.CouvCodeInconnu, nil})
	}
	return out
}

// catalogueCSV writes the cases as a catalogue with the partner's ids,
// then bad lines.
func catalogueCSV(cases []coverageCase) ([]byte, []int) {
	var b bytes.Buffer
	b.WriteString("id;uai;code;libelle\n")
	for i, c := range cases {
		fmt.Fprintf(&b, "P-%03d;%s;%s;ligne « %s »\n", i, c.uai, c.code, c.want)
	}
	n := len(cases) + 2
	b.WriteString("P-bad1;0010001X;40030004;\n") // check letter
	b.WriteString("P-bad2;0010001W;ABC;\n")      // code shape
	b.WriteString("P-bad3;;40030004;\n")         // no UAI
	return b.Bytes(), []int{n, n + 1, n + 2}
}

func TestCouvertureKnownAnswers(t *testing.T) {
	app, pool := siteTestApp(t)
	cases := coverageCatalogue(t, pool)
	cat, badLines := catalogueCSV(cases)

	// The JSON API, CSV body.
	r := postCatalogue(t, app, "/api/v1/couverture", "text/csv", cat)
	b := body(t, r)
	if r.StatusCode != 200 {
		t.Fatalf("status %d: %s", r.StatusCode, b)
	}
	var a coverageAnswer
	if err := json.Unmarshal(b, &a); err != nil {
		t.Fatal(err)
	}
	if a.NbLignes != len(cases)+3 || a.NbAnalysees != len(cases) || a.NbErreurs != 3 || len(a.Lignes) != len(cases) {
		t.Fatalf("counts: %d lines, %d analysed, %d errors, %d rows", a.NbLignes, a.NbAnalysees, a.NbErreurs, len(a.Lignes))
	}
	var errLines []int
	for _, e := range a.Erreurs {
		errLines = append(errLines, e.Line)
	}
	if !slices.Equal(errLines, badLines) {
		t.Errorf("bad lines %v, want %v (%v)", errLines, badLines, a.Erreurs)
	}
	outcomes := map[string]bool{}
	for i, c := range cases {
		row := a.Lignes[i]
		if row.Ligne != i+2 || row.ID != fmt.Sprintf("P-%03d", i) || row.Libelle != "ligne « "+c.want+" »" {
			t.Errorf("row %d: line %d, id %q, libelle %q: the partner's columns are not kept", i, row.Ligne, row.ID, row.Libelle)
		}
		if row.Outcome != c.want {
			t.Errorf("%s × %s: %s (%s), want %s", c.uai, c.code, row.Outcome, row.Reason, c.want)
		}
		if row.Reason == "" {
			t.Errorf("%s × %s: no reason", c.uai, c.code)
		}
		if c.demo != nil && row.Demonstration != *c.demo {
			t.Errorf("%s × %s: demonstration %v, want %v (the file's synthetic flag)", c.uai, c.code, row.Demonstration, *c.demo)
		}
		outcomes[row.Outcome] = true
	}
	for _, o := range []string{model.CouvCouvert, model.CouvContinuum, model.CouvAutreCode, model.CouvSousSeuil, model.CouvUAIInconnu,
		model.CouvCodeInconnu, model.CouvNonDispensee, model.CouvMillesimeAbsent} {
		if !outcomes[o] {
			t.Errorf("outcome %s not exercised", o)
		}
	}
	// Labels and levels: the one readable-label rule of the site, as the
	// formation page shows them (store.Formation), the BCN label kept in
	// libelle_bcn.
	st, rewritten := store.New(pool), 0
	for _, row := range a.Lignes {
		if row.TypeCode != string(model.KindCFD) && row.TypeCode != string(model.KindMEFSTAT11) {
			continue
		}
		f, err := st.Formation(context.Background(), row.Code)
		if err != nil || f.LibelleBCN == "" {
			continue
		}
		if row.Formation != f.Libelle || row.LibelleBCN != f.LibelleBCN || row.Niveau != f.Niveau || row.NiveauCode != f.NiveauCode {
			t.Errorf("%s: formation %q (BCN %q), niveau %q (%q); the formation page says %q (BCN %q), %q (%q)", row.Code,
				row.Formation, row.LibelleBCN, row.Niveau, row.NiveauCode, f.Libelle, f.LibelleBCN, f.Niveau, f.NiveauCode)
		}
		if row.Formation != row.LibelleBCN {
			rewritten++
		}
	}
	if rewritten == 0 {
		t.Error("no row of the catalogue has a BCN label the readable rule rewrites: the test proves nothing")
	}
	// The staged story: cumulative, one stage per covered outcome.
	if len(a.Etapes) != model.NbStages || a.Etapes[0].Couvertes != 2 || a.Etapes[1].Couvertes != 3 || a.Etapes[2].Couvertes != 4 || a.Etapes[3].Couvertes != 4 {
		t.Errorf("stages %+v", a.Etapes)
	}
	if want := model.CoverageRate(4, len(cases)); a.Etapes[3].Taux != want {
		t.Errorf("final rate %v, want %v", a.Etapes[3].Taux, want)
	}
	if a.AutreUAIDisponible {
		t.Error("the warehouse holds no UAI link: autre_uai_disponible must be false")
	}

	// The page: the answer to the multipart POST of the form.
	form, ct := multipartForm(t, map[string]string{"millesime": ""}, cat)
	r = postCatalogue(t, app, "/couverture", ct, form)
	html := body(t, r)
	if r.StatusCode != 200 || r.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("page: status %d, Cache-Control %q", r.StatusCode, r.Header.Get("Cache-Control"))
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(html))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(doc.Find("#resume-analyse").Text(), fmt.Sprintf("%d lignes lues", len(cases)+3)) ||
		!strings.Contains(doc.Find("#resume-analyse").Text(), "analyse faite en") {
		t.Errorf("summary %q", doc.Find("#resume-analyse").Text())
	}
	if doc.Find("#note-autre-uai").Length() != 1 || doc.Find("#histoire li").Length() != model.NbStages {
		t.Error("the staged story or the note on other UAIs is missing")
	}
	pageRows := tableRows(doc, "#detail")
	if len(pageRows) != len(cases) {
		t.Fatalf("%d detailed rows on the page, want %d", len(pageRows), len(cases))
	}
	if doc.Find("#erreurs tbody tr").Length() != 3 {
		t.Error("the refused lines are not listed on the page")
	}
	donnees := doc.Find("#formulaire-telechargement textarea[name=donnees]").Text()
	if donnees != string(cat) {
		t.Fatal("the download form does not carry the catalogue back")
	}

	// Downloads: the same rows as the page.
	for _, f := range []string{"csv", "xlsx"} {
		form, ct := multipartForm(t, map[string]string{"donnees": donnees, "format": f}, nil)
		r := postCatalogue(t, app, "/couverture/telechargement", ct, form)
		b := body(t, r)
		if r.StatusCode != 200 || !strings.Contains(r.Header.Get("Content-Disposition"), "couverture-catalogue."+f) {
			t.Fatalf("%s: status %d, %s", f, r.StatusCode, b[:min(len(b), 300)])
		}
		var got [][]string
		if f == "csv" {
			cr := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff"))))
			cr.Comma = ';'
			got, err = cr.ReadAll()
		} else {
			x, xerr := excelize.OpenReader(bytes.NewReader(b))
			if xerr != nil {
				t.Fatal(xerr)
			}
			got, err = x.GetRows("detail")
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(pageRows)+1 || got[0][len(got[0])-1] != demoColumn {
			t.Fatalf("%s: %d rows (header %v), want %d", f, len(got), got[0], len(pageRows)+1)
		}
		// The export-only columns (libelle_bcn, niveau_code) come first, as
		// in every export of the site; then the columns of the page.
		if !slices.Equal(got[0][:2], []string{"libelle_bcn", "niveau_code"}) || got[0][2] != "Ligne" {
			t.Fatalf("%s: header %v, want libelle_bcn, niveau_code, then the page's columns", f, got[0])
		}
		for i, pr := range pageRows {
			if !slices.Equal(got[i+1][2:2+len(pr)], pr) {
				t.Errorf("%s row %d: %v\npage: %v", f, i, got[i+1][2:2+len(pr)], pr)
			}
			if l := a.Lignes[i]; got[i+1][0] != l.LibelleBCN || got[i+1][1] != l.NiveauCode {
				t.Errorf("%s row %d: libelle_bcn %q, niveau_code %q, want %q, %q", f, i, got[i+1][0], got[i+1][1], l.LibelleBCN, l.NiveauCode)
			}
			if want := ouiNon(a.Lignes[i].Demonstration); got[i+1][len(got[i+1])-1] != want {
				t.Errorf("%s row %d: demonstration %q, want %q", f, i, got[i+1][len(got[i+1])-1], want)
			}
		}
	}

	// A shareable link: stored, shown, then expired (410), then purged (404).
	form, ct = multipartForm(t, map[string]string{"donnees": donnees}, nil)
	r = postCatalogue(t, app, "/couverture/partage", ct, form)
	body(t, r)
	loc := r.Header.Get("Location")
	if r.StatusCode != 303 || !strings.HasPrefix(loc, "/couverture/") || len(loc) != len("/couverture/")+22 {
		t.Fatalf("share: status %d, Location %q", r.StatusCode, loc)
	}
	id := strings.TrimPrefix(loc, "/couverture/")
	r = get(t, app, loc)
	shared := body(t, r)
	if r.StatusCode != 200 || !bytes.Contains(shared, []byte("Résultat partagé")) {
		t.Fatalf("shared page: %d", r.StatusCode)
	}
	sdoc, _ := goquery.NewDocumentFromReader(bytes.NewReader(shared))
	if got := tableRows(sdoc, "#detail"); !slices.EqualFunc(got, pageRows, slices.Equal) {
		t.Error("the shared page does not show the rows of the result")
	}
	var sa coverageAnswer
	if err := json.Unmarshal(body(t, get(t, app, loc+"?format=json")), &sa); err != nil || len(sa.Lignes) != len(cases) || sa.Lignes[0].Outcome != a.Lignes[0].Outcome {
		t.Errorf("shared JSON: %v, %d rows", err, len(sa.Lignes))
	}
	ctx := context.Background()
	if _, err := pool.Exec(ctx, `UPDATE couverture_partages SET expires_at = now() - interval '1 day' WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	r = get(t, app, loc)
	if b := body(t, r); r.StatusCode != 410 || !bytes.Contains(b, []byte("a expiré le")) {
		t.Errorf("expired link: status %d", r.StatusCode)
	}
	// Another share purges the expired one.
	r = postCatalogue(t, app, "/couverture/partage", ct, form)
	body(t, r)
	r = get(t, app, loc)
	if b := body(t, r); r.StatusCode != 404 || !bytes.Contains(b, []byte("n&#39;existe pas")) && !bytes.Contains(b, []byte("n'existe pas")) {
		t.Errorf("purged link: status %d", r.StatusCode)
	}
	r = get(t, app, "/couverture/pas-un-identifiant")
	body(t, r)
	if r.StatusCode != 404 {
		t.Errorf("malformed id: status %d", r.StatusCode)
	}
}

// tableRows reads the cells of the body rows of a table (the « démo »
// tag taken out).
func tableRows(doc *goquery.Document, sel string) [][]string {
	var out [][]string
	doc.Find(sel + " tbody tr").Each(func(_ int, tr *goquery.Selection) {
		var row []string
		tr.Find("th, td").Each(func(_ int, c *goquery.Selection) {
			c.Find(".vi-demo").Remove()
			row = append(row, strings.TrimSpace(c.Text()))
		})
		out = append(out, row)
	})
	return out
}

func TestCouvertureRefusals(t *testing.T) {
	app, _ := siteTestApp(t)
	var big bytes.Buffer
	big.WriteString("uai;code\n")
	for i := 0; i <= maxCoverageRows; i++ {
		big.WriteString("0010001W;40030004\n")
	}
	r := postCatalogue(t, app, "/api/v1/couverture", "text/csv", big.Bytes())
	b := body(t, r)
	var e apiErrorBody
	json.Unmarshal(b, &e)
	if r.StatusCode != 422 || e.Code != "catalogue_trop_long" || !strings.Contains(e.Message, "50\u202f000") {
		t.Errorf("50,001 rows: status %d, %s", r.StatusCode, b)
	}
	// The form keeps what was pasted and says why.
	form, ct := multipartForm(t, map[string]string{"lignes": "0010001X;40030004\n"}, nil)
	r = postCatalogue(t, app, "/couverture", ct, form)
	b = body(t, r)
	doc, _ := goquery.NewDocumentFromReader(bytes.NewReader(b))
	if r.StatusCode != 422 || doc.Find("#erreur-catalogue").Length() != 1 || doc.Find("textarea#lignes").Text() != "0010001X;40030004\n" ||
		!strings.Contains(doc.Find("#erreurs tbody").Text(), "lettre de contrôle") {
		t.Errorf("invalid catalogue: status %d", r.StatusCode)
	}
	// Other routes keep the small body limit.
	r = postCatalogue(t, app, "/recherche", "text/plain", bytes.Repeat([]byte("x"), testConfig().MaxBodyBytes+1))
	body(t, r)
	if r.StatusCode != 413 {
		t.Errorf("big body elsewhere: status %d, want 413", r.StatusCode)
	}
	r = postCatalogue(t, app, "/api/v1/couverture", "text/csv", nil)
	body(t, r)
	if r.StatusCode != 422 {
		t.Errorf("empty catalogue: status %d", r.StatusCode)
	}
}

// BenchmarkCouverture50k analyses a catalogue of 50,000 rows made of
// real (UAI, code) pairs of the demo (target: ≤ 3 s).
func BenchmarkCouverture50k(b *testing.B) {
	app, pool := siteTestApp(b)
	ctx := context.Background()
	pool.Exec(ctx, "ANALYZE")
	rows, err := pool.Query(ctx, `SELECT DISTINCT uai, code FROM ij_uai_formation ORDER BY 1, 2 LIMIT 50000`)
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	buf.WriteString("uai;code;id\n")
	n := 0
	for rows.Next() {
		var u, c string
		rows.Scan(&u, &c)
		fmt.Fprintf(&buf, "%s;%s;ID%d\n", u, c, n)
		n++
	}
	for i := 0; n < maxCoverageRows; i++ { // a few unknown pairs to fill
		fmt.Fprintf(&buf, "0010001W;%08d;X%d\n", 90000000+i, n)
		n++
	}
	cat := buf.Bytes()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		r := postCatalogue(b, app, "/api/v1/couverture", "text/csv", cat)
		out, _ := io.ReadAll(r.Body)
		r.Body.Close()
		if r.StatusCode != 200 {
			b.Fatalf("status %d: %.300s", r.StatusCode, out)
		}
		b.ReportMetric(float64(time.Since(start).Milliseconds()), "ms/catalogue")
	}
}

// couvertureTemplateCase is the coverage page for TestTemplatesRender:
// the form (zero) and a shared result (filled).
func couvertureTemplateCase(b basePage) pageCase {
	a := &coverageAnswer{NbLignes: 3, NbAnalysees: 2, NbErreurs: 1, Erreurs: []coverageLineError{{Line: 4, Message: "UAI invalide"}},
		MillesimesParVoie: map[string]string{"apprentissage": "2021_2022"}, Encodage: "utf-8", Separateur: "point-virgule",
		Lignes: []coverageRow{{Ligne: 2, UAI: "0010001W", Code: "40030004", TypeCode: "cfd", Voie: "apprentissage", Niveau: "BAC PRO",
			CoverageResult: model.CoverageResult{Outcome: model.CouvCouvert, Reason: "chiffres publiés", Stage: 1, Demonstration: true}},
			{Ligne: 3, UAI: "0010001W", Code: "40030001", TypeCode: "cfd", Voie: "apprentissage",
				CoverageResult: model.CoverageResult{Outcome: model.CouvNonDispensee, Reason: "aucun chiffre"}}}}
	a.summarise()
	p := &couverturePage{basePage: b, Millesimes: []string{"2021_2022"}, Share: &coverageShare{URL: "http://exemple.test/couverture/x", Created: "1 janvier", Expires: "31 janvier"}}
	p.Exports = coverageExportLinks("/couverture/x")
	(&Server{}).fillResult(p, a, 1)
	return pageCase{"pages/couverture", &couverturePage{}, p, []string{"#histoire li", "#etapes", "#resultats", "#par_voie", "#par_niveau", "#detail tr.vi-demo-row", "#erreurs", "#partage", "#note-autre-uai", "#telechargement-json"}}
}
