package web

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"flag"
	"fmt"
	"image"
	"image/png"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/vitrine-inserjeunes/vitrine/internal/badge"
	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden badges of web/testdata/badges")

// svgDoc is what a test reads of a badge SVG.
type svgDoc struct {
	Role  string `xml:"role,attr"`
	Label string `xml:"aria-label,attr"`
	Width string `xml:"width,attr"`
	Title string `xml:"title"`
	Desc  string `xml:"desc"`
	Texts []string
}

// parseBadgeSVG parses an SVG (encoding/xml: it must be well-formed) and
// collects the content of its <text> elements.
func parseBadgeSVG(t *testing.T, b []byte) svgDoc {
	t.Helper()
	var d svgDoc
	if err := xml.Unmarshal(b, &d); err != nil {
		t.Fatalf("SVG does not parse: %v", err)
	}
	dec := xml.NewDecoder(bytes.NewReader(b))
	depth := 0
	var cur strings.Builder
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG does not parse: %v", err)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			if e.Name.Local == "text" {
				depth++
			}
		case xml.EndElement:
			if e.Name.Local == "text" {
				depth--
				if depth == 0 {
					d.Texts = append(d.Texts, cur.String())
					cur.Reset()
				}
			}
		case xml.CharData:
			if depth > 0 {
				cur.Write(e)
			}
		}
	}
	return d
}

// allText is the text of the badge, its lines joined by spaces (a line
// break of a text box ends a <text> element).
func (d svgDoc) allText() string { return strings.Join(d.Texts, " ") }

// percentsIn lists the « NN % » of s.
func percentsIn(s string) []int {
	var out []int
	for _, m := range regexp.MustCompile(`(\d+)\x{202f}%`).FindAllStringSubmatch(s, -1) {
		n, _ := strconv.Atoi(m[1])
		out = append(out, n)
	}
	return out
}

// realEtabs are establishments whose latest « ensemble » figure comes from
// a real file and publishes both rates (found in the loaded data).
func realEtabs(t *testing.T, n int) []string {
	_, pool := siteTestApp(t)
	rows, err := pool.Query(context.Background(), `
SELECT e.uai FROM ij_etab e JOIN import_files f ON f.id = e.file_id
WHERE NOT f.synthetic AND e.sous_population = 'ensemble' AND e.taux_emploi_6_mois IS NOT NULL AND e.taux_poursuite_etudes IS NOT NULL
  AND e.voie = 'scolaire' AND e.valeur_ajoutee IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM ij_etab x WHERE x.uai = e.uai AND x.voie <> e.voie)
GROUP BY e.uai ORDER BY e.uai LIMIT $1`, n)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var u string
		rows.Scan(&u)
		out = append(out, u)
	}
	if len(out) < n {
		t.Fatalf("found %d real establishments with both rates, want %d", len(out), n)
	}
	return out
}

// latestAPI is the latest « ensemble » figure of voie in the API answer
// of an establishment.
func latestAPI(t *testing.T, uai, voie string) model.EtabFigure {
	app, _ := siteTestApp(t)
	var api struct {
		Chiffres []model.EtabFigure `json:"chiffres"`
	}
	if err := json.Unmarshal(body(t, get(t, app, "/api/v1/etablissements/"+uai)), &api); err != nil {
		t.Fatal(err)
	}
	var figs []model.EtabFigure
	for _, f := range api.Chiffres {
		if f.Voie == voie && f.SousPopulation == "ensemble" {
			figs = append(figs, f)
		}
	}
	if len(figs) == 0 {
		t.Fatalf("%s: no %s figure in the API", uai, voie)
	}
	slices.SortFunc(figs, func(a, b model.EtabFigure) int { return model.CompareMillesimes(a.Millesime, b.Millesime) })
	return figs[0]
}

// TestBadgeFiguresMatchAPI: for real establishments, every format and
// theme, the SVG parses, is an accessible image (role, title, desc,
// aria-label with the full sentence) and its text holds exactly the API's
// rates and parts, its millésime in words, its source and its URL; the PNG
// has the format's size and is not blank; the PDF opens with the format's
// page size. SVGs (without the embedded font data) are compared with
// golden files (-update rewrites them).
func TestBadgeFiguresMatchAPI(t *testing.T) {
	app, _ := siteTestApp(t)
	for _, uai := range realEtabs(t, 2) {
		f := latestAPI(t, uai, model.VoieScolaire)
		want := []int{*f.TauxEmploi6Mois, *f.TauxPoursuiteEtudes}
		if f.PartEmploi6Mois != nil {
			want = append(want, *f.PartEmploi6Mois, *f.PartPoursuiteEtudes, *f.PartAutresSituations)
		}
		slices.Sort(want)
		for _, fm := range badge.Formats() {
			for _, th := range badge.Themes() {
				url := fmt.Sprintf("/badges/etablissements/%s.svg?format=%s&theme=%s", uai, fm, th)
				r := get(t, app, url)
				if r.StatusCode != 200 || r.Header.Get("Content-Type") != "image/svg+xml" {
					t.Fatalf("%s: %d %s", url, r.StatusCode, r.Header.Get("Content-Type"))
				}
				b := body(t, r)
				d := parseBadgeSVG(t, b)
				txt := d.allText()
				got := percentsIn(txt)
				slices.Sort(got)
				if !slices.Equal(got, want) {
					t.Errorf("%s: percentages %v, API %v", url, got, want)
				}
				for _, s := range []string{f.MillesimeLabel, "Données InserJeunes — DEPP, DARES", "/etablissements/" + uai} {
					if !strings.Contains(txt, s) {
						t.Errorf("%s: text lacks %q", url, s)
					}
				}
				if f.ValeurAjoutee != nil && !strings.Contains(txt, pointsOf(*f.ValeurAjoutee, true)+" par rapport au taux attendu") {
					t.Errorf("%s: no valeur ajoutée %d in %q", url, *f.ValeurAjoutee, txt)
				}
				if d.Role != "img" || d.Title == "" || !strings.Contains(d.Desc, f.MillesimeLabel) || d.Label != d.Desc {
					t.Errorf("%s: role %q title %q desc %q aria-label %q", url, d.Role, d.Title, d.Desc, d.Label)
				}
				for _, p := range []int{*f.TauxEmploi6Mois, *f.TauxPoursuiteEtudes} {
					if !strings.Contains(d.Label, fmt.Sprintf("%d\u202f%%", p)) {
						t.Errorf("%s: aria-label lacks %d %%: %q", url, p, d.Label)
					}
				}
				if strings.Contains(txt, "DÉMONSTRATION") {
					t.Errorf("%s: real figures carry the demonstration band", url)
				}
				if !bytes.Contains(b, []byte("@font-face{font-family:'Marianne'")) {
					t.Errorf("%s: Marianne is not embedded", url)
				}
				golden(t, filepath.Join("testdata", "badges", fmt.Sprintf("%s-%s-%s.svg", uai, fm, th)), stripFonts(b))
			}
			checkPNG(t, fmt.Sprintf("/badges/etablissements/%s.png?format=%s", uai, fm), fm)
			checkPDF(t, fmt.Sprintf("/badges/etablissements/%s.pdf?format=%s&theme=sombre", uai, fm), fm)
		}
	}
}

var fontStyle = regexp.MustCompile(`(?s)<style>\s*@font-face.*?</style>`)

// stripFonts removes the embedded font data (its order varies, and it is
// checked apart).
func stripFonts(b []byte) []byte { return fontStyle.ReplaceAll(b, []byte("<style>FONTS</style>")) }

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *updateGolden {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -run %s -update writes it)", err, t.Name())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the badge drawn now (go test -run %s -update rewrites it after checking the drawing)", path, t.Name())
	}
}

// checkPNG: size of the format, and pixels of several colours (not blank).
func checkPNG(t *testing.T, url string, fm badge.Format) image.Image {
	t.Helper()
	a, _ := siteTestApp(t)
	r := get(t, a, url)
	if r.StatusCode != 200 || r.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("%s: %d %s", url, r.StatusCode, r.Header.Get("Content-Type"))
	}
	img, err := png.Decode(bytes.NewReader(body(t, r)))
	if err != nil {
		t.Fatalf("%s: %v", url, err)
	}
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	switch fm {
	case badge.Carre:
		if w != 1080 || h != 1080 {
			t.Errorf("%s: %d×%d, want 1080×1080", url, w, h)
		}
	case badge.Bandeau:
		if w != 1200 || h != 400 {
			t.Errorf("%s: %d×%d, want 1200×400", url, w, h)
		}
	case badge.Vertical:
		if w != 320 || h < 300 {
			t.Errorf("%s: %d×%d, want 320 wide", url, w, h)
		}
	case badge.Affiche:
		if w != 2480 || h != 3508 {
			t.Errorf("%s: %d×%d, want 2480×3508 (A4 at 300 dpi)", url, w, h)
		}
	}
	bg := img.At(0, img.Bounds().Dy()-1)
	diff := 0
	for y := 0; y < h; y += 4 {
		for x := 0; x < w; x += 4 {
			if img.At(x, y) != bg {
				diff++
			}
		}
	}
	if total := (w / 4) * (h / 4); diff < total/50 {
		t.Errorf("%s: only %d of %d sampled pixels differ from the background: blank?", url, diff, total)
	}
	return img
}

// checkPDF opens the PDF with poppler: one page of the format's size;
// its text holds the figures.
func checkPDF(t *testing.T, url string, fm badge.Format) string {
	t.Helper()
	a, _ := siteTestApp(t)
	r := get(t, a, url)
	if r.StatusCode != 200 || r.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("%s: %d %s", url, r.StatusCode, r.Header.Get("Content-Type"))
	}
	path := filepath.Join(t.TempDir(), "badge.pdf")
	if err := os.WriteFile(path, body(t, r), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdfinfo", path).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfinfo %s: %v\n%s (apt-get install poppler-utils)", url, err, out)
	}
	m := regexp.MustCompile(`Page size:\s+([\d.]+) x ([\d.]+) pts`).FindStringSubmatch(string(out))
	if m == nil || !regexp.MustCompile(`Pages:\s+1\n`).Match(out) {
		t.Fatalf("%s: pdfinfo says %s", url, out)
	}
	w, _ := strconv.ParseFloat(m[1], 64)
	h, _ := strconv.ParseFloat(m[2], 64)
	wantW, wantH := badge.Size(fm)
	const ptPerPx = 72.0 / 96
	if fm == badge.Affiche {
		if abs(int(w)-595) > 1 || abs(int(h)-842) > 1 {
			t.Errorf("%s: page %v×%v pt, want A4 (595×842)", url, w, h)
		}
	} else if abs(int(w-wantW*ptPerPx)) > 1 || (wantH > 0 && abs(int(h-wantH*ptPerPx)) > 1) {
		t.Errorf("%s: page %v×%v pt, want %v×%v px at 96 dpi", url, w, h, wantW, wantH)
	}
	txt, err := exec.Command("pdftotext", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext %s: %v", url, err)
	}
	return string(txt)
}

// TestBadgeQRCode: the QR code of the carré and affiche badges decodes to
// the page URL.
func TestBadgeQRCode(t *testing.T) {
	uai := realEtabs(t, 1)[0]
	for _, fm := range []badge.Format{badge.Carre, badge.Affiche} {
		img := checkPNG(t, "/badges/etablissements/"+uai+".png?format="+string(fm)+"&theme=sombre", fm)
		bmp, err := gozxing.NewBinaryBitmapFromImage(img)
		if err != nil {
			t.Fatal(err)
		}
		res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_TRY_HARDER: true})
		if err != nil {
			t.Fatalf("%s: QR code not decoded: %v", fm, err)
		}
		if want := testConfig().BaseURL + "/etablissements/" + uai; res.GetText() != want {
			t.Errorf("%s: QR code says %q, want %q", fm, res.GetText(), want)
		}
	}
}

// underThresholdPair is a pair whose latest apprentissage figure has
// fewer than 20 learners (the oracle is the database as imported).
func underThresholdPair(t *testing.T) (uai, cfd string) {
	_, pool := siteTestApp(t)
	var n int
	if err := pool.QueryRow(context.Background(), `
SELECT u.uai, u.cfd, u.nb_annee_term FROM ij_uai_formation u
WHERE u.source = 'depp_api_uai' AND u.voie = 'apprentissage' AND u.nb_annee_term BETWEEN 1 AND 19 AND u.cfd IS NOT NULL
  AND u.millesime = (SELECT max(millesime) FROM ij_uai_formation x WHERE x.uai = u.uai AND x.code = u.code AND x.voie = u.voie)
  AND NOT EXISTS (SELECT 1 FROM ij_uai_formation y WHERE y.uai = u.uai AND y.code = u.code AND y.millesime = u.millesime AND y.source <> u.source)
ORDER BY u.uai, u.cfd LIMIT 1`).Scan(&uai, &cfd, &n); err != nil {
		t.Fatal(err)
	}
	return uai, cfd
}

// TestBadgeNeverHidden: under the threshold, or with no rate published,
// no badge is offered: every output answers 404 with the reason in
// French; with ?si_indisponible=image, an image that says « Données non
// disponibles » and holds no percentage.
func TestBadgeNeverHidden(t *testing.T) {
	app, pool := siteTestApp(t)
	uai, cfd := underThresholdPair(t)
	var unpublished string
	if err := pool.QueryRow(context.Background(), `
SELECT e.uai FROM ij_etab e
WHERE e.taux_emploi_6_mois IS NULL AND e.taux_poursuite_etudes IS NULL AND e.part_emploi_6_mois IS NULL
  AND NOT EXISTS (SELECT 1 FROM ij_etab x WHERE x.uai = e.uai AND (x.taux_emploi_6_mois IS NOT NULL OR x.taux_poursuite_etudes IS NOT NULL))
ORDER BY 1 LIMIT 1`).Scan(&unpublished); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ path, reason string }{
		{"/badges/etablissements/" + uai + "/formations/" + cfd, "moins de 20"},
		{"/badges/etablissements/" + unpublished, "non diffusé"},
	}
	for _, tc := range cases {
		for _, o := range badge.Outputs() {
			for _, fm := range badge.Formats() {
				url := tc.path + "." + string(o) + "?voie=apprentissage&format=" + string(fm)
				if tc.reason == "non diffusé" {
					url = tc.path + "." + string(o) + "?format=" + string(fm)
				}
				r := get(t, app, url, "Accept", "application/json")
				b := body(t, r)
				if r.StatusCode != 404 || !strings.Contains(string(b), tc.reason) {
					t.Errorf("%s: %d %s, want 404 with « %s »", url, r.StatusCode, b, tc.reason)
				}
				if o == badge.PNG && fm != badge.Carre {
					continue
				}
				url += "&si_indisponible=image"
				r = get(t, app, url)
				b = body(t, r)
				if r.StatusCode != 200 || r.Header.Get("X-Vitrine-Badge") != "indisponible" || r.Header.Get("Content-Type") != o.ContentType() {
					t.Errorf("%s: %d %v", url, r.StatusCode, r.Header)
					continue
				}
				var txt string
				switch o {
				case badge.SVG:
					txt = parseBadgeSVG(t, b).allText()
				case badge.PDF:
					txt = strings.Join(strings.Fields(checkPDF(t, url, fm)), " ")
				case badge.PNG:
					checkPNG(t, url, fm)
					continue
				}
				if !strings.Contains(txt, "Données non disponibles") || !strings.Contains(txt, tc.reason) {
					t.Errorf("%s: text %q lacks « Données non disponibles » and the reason", url, txt)
				}
				if page := testConfig().BaseURL + strings.TrimPrefix(tc.path, "/badges"); !strings.Contains(txt, page) {
					t.Errorf("%s: the page URL %s is not whole in %q", url, page, txt)
				}
				if p := percentsIn(txt); len(p) > 0 {
					t.Errorf("%s: the unavailable image shows percentages %v", url, p)
				}
			}
		}
	}
}

// demoPair finds, through the API, a pair whose figure at some millésime
// is synthetic and published.
func demoPair(t *testing.T) (uai, cfd, millesime, voie string) {
	app, pool := siteTestApp(t)
	rows, err := pool.Query(context.Background(), `SELECT DISTINCT u.uai, u.code FROM ij_uai_formation u JOIN import_files f ON f.id = u.file_id
WHERE f.synthetic AND u.voie = 'apprentissage' AND u.nb_annee_term >= 20 ORDER BY 1, 2 LIMIT 5`)
	if err != nil {
		t.Fatal(err)
	}
	var pairs [][2]string
	for rows.Next() {
		var p [2]string
		rows.Scan(&p[0], &p[1])
		pairs = append(pairs, p)
	}
	rows.Close()
	for _, p := range pairs {
		var api model.EtablissementFormationDetail
		if err := json.Unmarshal(body(t, get(t, app, "/api/v1/etablissements/"+p[0]+"/formations/"+p[1])), &api); err != nil {
			t.Fatal(err)
		}
		for _, m := range api.Chiffres {
			if m.Etablissement.Demonstration && m.Etablissement.TauxEmploi6Mois != nil {
				return p[0], p[1], m.Millesime, m.Voie
			}
		}
	}
	t.Fatal("no synthetic published pair in the demo data")
	return
}

// TestBadgeDemonstration: a badge on synthetic figures carries the
// « DÉMONSTRATION — chiffres fictifs » band in every output (SVG text, PDF
// text, PNG band colour); its kit page shows previews only: no download,
// no snippet.
func TestBadgeDemonstration(t *testing.T) {
	app, _ := siteTestApp(t)
	uai, cfd, m, voie := demoPair(t)
	base := "/badges/etablissements/" + uai + "/formations/" + cfd
	q := "?millesime=" + m + "&voie=" + voie
	for _, fm := range badge.Formats() {
		r := get(t, app, base+".svg"+q+"&format="+string(fm))
		d := parseBadgeSVG(t, body(t, r))
		if !strings.Contains(d.allText(), badge.DemoBand) || !strings.HasPrefix(d.Label, badge.DemoBand) {
			t.Errorf("%s SVG: no band (%q)", fm, d.allText())
		}
		if txt := checkPDF(t, base+".pdf"+q+"&format="+string(fm), fm); !strings.Contains(txt, "DÉMONSTRATION — chiffres fictifs") {
			t.Errorf("%s PDF: no band in %q", fm, txt)
		}
	}
	img := checkPNG(t, base+".png"+q, badge.Carre)
	if r, g, b, _ := img.At(540, 4).RGBA(); r>>8 != 0xb3 || g>>8 != 0x40 || b>>8 != 0x00 {
		t.Errorf("PNG: top pixel %02x%02x%02x, want the band colour b34000", r>>8, g>>8, b>>8)
	}
	real := realEtabs(t, 1)[0]
	if img := checkPNG(t, "/badges/etablissements/"+real+".png", badge.Carre); img.At(540, 4) != img.At(0, img.Bounds().Dy()-1) {
		t.Error("a real badge has something at the band's place")
	}

	kit := "/etablissements/" + uai + "/formations/" + cfd + "/kit?millesime=" + m
	r := get(t, app, kit)
	if r.StatusCode != 200 {
		t.Fatalf("%s: %d", kit, r.StatusCode)
	}
	dk := doc(t, r)
	sec := dk.Find("#kit-" + voie).Parent()
	if sec.Find("img.vi-kit-preview").Length() != len(badge.Formats()) {
		t.Errorf("kit: %d previews, want %d", sec.Find("img.vi-kit-preview").Length(), len(badge.Formats()))
	}
	if n := sec.Find("a[download], pre.vi-kit-code").Length(); n != 0 {
		t.Errorf("kit of synthetic figures offers %d downloads or snippets", n)
	}
	if sec.Find(".fr-alert--warning .vi-demo").Length() != 1 || dk.Find("#avis-demonstration").Length() != 1 {
		t.Error("kit of synthetic figures: no warning, « démo » tag or notice")
	}
}

// TestBadgeHeaders: no cookie, CORP cross-origin, an ETag; with the
// current data version (?v=, as the kit page writes it) a year-long
// immutable Cache-Control, without it a short one; If-None-Match gets a
// 304 with no body.
func TestBadgeHeaders(t *testing.T) {
	app, _ := siteTestApp(t)
	uai := realEtabs(t, 1)[0]
	d := doc(t, get(t, app, "/etablissements/"+uai+"/kit"))
	href, ok := d.Find("a[download][href*='.png']").First().Attr("href")
	if !ok || !strings.Contains(href, "v=") {
		t.Fatalf("kit page: no PNG download link with v= (%q)", href)
	}
	if d.Find("pre.vi-kit-code").Length() == 0 || !strings.Contains(d.Find("pre.vi-kit-code").First().Text(), "alt=") {
		t.Error("kit page: no HTML snippet with an alt text")
	}
	if got := d.Find(".vi-kit-sentence").First().Text(); !strings.Contains(got, "taux d'emploi à 6 mois") {
		t.Errorf("kit page: sentence %q", got)
	}
	for _, tc := range []struct{ url, cc string }{
		{href, badgeCacheControl},
		{"/badges/etablissements/" + uai + ".svg", pageCacheControl},
		{"/badges/etablissements/" + uai + ".pdf?v=1", pageCacheControl}, // an older version
	} {
		r := get(t, app, tc.url)
		body(t, r)
		if r.StatusCode != 200 {
			t.Fatalf("%s: %d", tc.url, r.StatusCode)
		}
		h := r.Header
		if h.Get("Set-Cookie") != "" || h.Get("Cross-Origin-Resource-Policy") != "cross-origin" || h.Get("ETag") == "" || h.Get("Cache-Control") != tc.cc {
			t.Errorf("%s: headers %v", tc.url, h)
		}
		r2 := get(t, app, tc.url, "If-None-Match", h.Get("ETag"))
		if b := body(t, r2); r2.StatusCode != 304 || len(b) != 0 || r2.Header.Get("Cache-Control") != tc.cc || r2.Header.Get("Set-Cookie") != "" {
			t.Errorf("%s conditional: %d, %d bytes, %v", tc.url, r2.StatusCode, len(b), r2.Header)
		}
	}
	if l, _ := doc(t, get(t, app, "/etablissements/"+uai)).Find("#lien-kit").Attr("href"); l != "/etablissements/"+uai+"/kit" {
		t.Errorf("establishment page: « Intégrer ces chiffres » links to %q", l)
	}
}

// TestBadgeParams: invalid values are a 400 that lists the allowed ones.
func TestBadgeParams(t *testing.T) {
	app, _ := siteTestApp(t)
	uai := realEtabs(t, 1)[0]
	for _, tc := range []struct {
		url    string
		status int
		want   string
	}{
		{"/badges/etablissements/" + uai + ".svg?format=rond", 400, "carre, bandeau, vertical, affiche"},
		{"/badges/etablissements/" + uai + ".png?theme=rose", 400, "clair, sombre"},
		{"/badges/etablissements/" + uai + ".svg?si_indisponible=peut-etre", 400, "image, 404"},
		{"/badges/etablissements/" + uai + ".svg?voie=superieur", 400, "scolaire, apprentissage"},
		{"/badges/etablissements/" + uai + ".svg?millesime=20x", 400, "millésime"},
		{"/badges/etablissements/" + uai + ".svg?millesime=1990_1991", 404, "millésimes disponibles"},
		{"/badges/etablissements/" + uai + ".gif", 404, "svg, png, pdf"},
		{"/badges/etablissements/0000000A.svg", 404, "UAI"},
		{"/badges/etablissements/" + uai + "/formations/1234567.svg", 404, "InserJeunes"},
	} {
		r := get(t, app, tc.url, "Accept", "application/json")
		b := string(body(t, r))
		if r.StatusCode != tc.status || !strings.Contains(b, tc.want) {
			t.Errorf("%s: %d %s, want %d with %q", tc.url, r.StatusCode, b, tc.status, tc.want)
		}
	}
	if r := get(t, app, "/badges/etablissements/"+strings.ToLower(uai)+".svg?format=bandeau"); r.StatusCode != 301 || r.Header.Get("Location") != "/badges/etablissements/"+uai+".svg?format=bandeau" {
		t.Errorf("lower-case UAI: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
}

// TestWidget: the widget shows the badge's figures, may be framed by any
// site (frame-ancestors *, no X-Frame-Options) and runs no script; the
// other pages still refuse framing.
func TestWidget(t *testing.T) {
	app, _ := siteTestApp(t)
	uai := realEtabs(t, 1)[0]
	f := latestAPI(t, uai, model.VoieScolaire)
	r := get(t, app, "/widget/etablissements/"+uai)
	d := doc(t, r)
	if r.StatusCode != 200 || !strings.Contains(r.Header.Get("Content-Security-Policy"), "frame-ancestors *") || r.Header.Get("X-Frame-Options") != "" {
		t.Errorf("widget: %d %v", r.StatusCode, r.Header)
	}
	got := percentsIn(d.Find(".vi-widget-value").Text())
	if !slices.Equal(got, []int{*f.TauxEmploi6Mois, *f.TauxPoursuiteEtudes}) {
		t.Errorf("widget figures %v, API %d and %d", got, *f.TauxEmploi6Mois, *f.TauxPoursuiteEtudes)
	}
	if d.Find("script").Length() != 0 || !strings.Contains(d.Text(), f.MillesimeLabel) {
		t.Error("widget: a script, or no millésime")
	}
	if a, _ := d.Find("a[target=_blank]").Attr("href"); a != testConfig().BaseURL+"/etablissements/"+uai {
		t.Errorf("widget link %q", a)
	}
	p := get(t, app, "/etablissements/"+uai)
	body(t, p)
	if !strings.Contains(p.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") || p.Header.Get("X-Frame-Options") != "DENY" {
		t.Errorf("establishment page may be framed: %v", p.Header)
	}
}

// TestBadgeCaveats: a millésime of promotions that left before 2022
// carries the public-employment caveat (model.Millesime.EmploiPublicExclu
// as the API says it), a recent one does not; the pair page links to its
// kit.
func TestBadgeCaveats(t *testing.T) {
	app, pool := siteTestApp(t)
	var uai, old string
	if err := pool.QueryRow(context.Background(), `
SELECT e.uai, e.millesime FROM ij_etab e JOIN import_files f ON f.id = e.file_id
WHERE NOT f.synthetic AND e.sous_population = 'ensemble' AND e.voie = 'scolaire' AND e.taux_emploi_6_mois IS NOT NULL
  AND e.millesime IN ('2019_2020', '2020_2021')
  AND NOT EXISTS (SELECT 1 FROM ij_etab x WHERE x.uai = e.uai AND x.voie <> e.voie)
ORDER BY 1 LIMIT 1`).Scan(&uai, &old); err != nil {
		t.Fatal(err)
	}
	var api struct {
		Chiffres []model.EtabFigure `json:"chiffres"`
	}
	if err := json.Unmarshal(body(t, get(t, app, "/api/v1/etablissements/"+uai)), &api); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range api.Chiffres {
		if f.SousPopulation != "ensemble" || f.Voie != "scolaire" || f.TauxEmploi6Mois == nil {
			continue
		}
		found = true
		d := parseBadgeSVG(t, body(t, get(t, app, "/badges/etablissements/"+uai+".svg?format=affiche&millesime="+f.Millesime)))
		has := strings.Contains(d.allText(), "fonction publique")
		if has != f.EmploiPublicExclu {
			t.Errorf("%s %s: caveat shown %v, API emploi_public_exclu %v", uai, f.Millesime, has, f.EmploiPublicExclu)
		}
		if !strings.Contains(d.allText(), f.MillesimeLabel) {
			t.Errorf("%s %s: no « %s »", uai, f.Millesime, f.MillesimeLabel)
		}
	}
	if !found {
		t.Fatal("no published figure")
	}
	pu, pc := underThresholdPair(t)
	if l, _ := doc(t, get(t, app, "/etablissements/"+pu+"/formations/"+pc)).Find("#lien-kit").Attr("href"); l != "/etablissements/"+pu+"/formations/"+pc+"/kit" {
		t.Errorf("pair page: « Intégrer ces chiffres » links to %q", l)
	}
	d := doc(t, get(t, app, "/etablissements/"+pu+"/formations/"+pc+"/kit"))
	if !strings.Contains(d.Find("#kit-apprentissage").Parent().Find(".fr-alert").Text(), "moins de 20") {
		t.Error("kit of a pair under the threshold does not say why there is no badge")
	}
}
