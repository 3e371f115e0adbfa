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
