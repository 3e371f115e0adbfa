package web

import (
	"encoding/json"
	"fmt"
	"html/template"
	"strconv"
	"strings"

	"github.com/vitrine-inserjeunes/vitrine/assets"
	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// The map of France by région: server-rendered SVG (no client-side
// library), coloured by one rate in fixed 10-point classes, the five
// overseas régions as labelled tiles beside metropolitan France, a legend
// (HTML, outside the SVG) that counts the régions of each class and says
// which are not published and why, and a link to the data table that is
// its text alternative.

// mapGeometry is assets.FranceRegions: the closed outline of each
// metropolitan région (INSEE code) and its label point.
type mapGeometry struct {
	Source struct {
		Package, Version, License, Author string
	} `json:"source"`
	ViewBox [4]int `json:"viewBox"`
	Regions []struct {
		Code  string `json:"code"`
		Path  string `json:"path"`
		Label [2]int `json:"label"`
	} `json:"regions"`
}

// franceGeometry is parsed once; it is immutable. The embedded file is
// written by `make francemap` and checked by the tests, so a broken one is
// a build defect, not a request error.
var franceGeometry = mustGeometry(assets.FranceRegions)

func mustGeometry(b []byte) mapGeometry {
	var g mapGeometry
	if err := json.Unmarshal(b, &g); err != nil {
		panic("assets/map/regions.json : " + err.Error())
	}
	if len(g.Regions) == 0 || g.ViewBox[2] <= 0 || g.ViewBox[3] <= 0 {
		panic("assets/map/regions.json : aucune région")
	}
	return g
}

// overseas are the régions drawn as tiles, in the order of the INSEE codes.
var overseas = []string{"01", "02", "03", "04", "06"}

// mapClass is one class of the legend: rates from Min to Max included.
type mapClass struct {
	Min, Max int
	Label    string
	Color    string
}

// mapClasses are fixed 10-point classes, the same on every map (so two
// maps compare at a glance), on a light-to-dark ramp of the DSFR blue
// France (one hue: readable with any colour vision deficiency).
var mapClasses = []mapClass{
	{0, 39, "moins de 40 %", "#e3e3fd"},
	{40, 49, "de 40 à 49 %", "#9898f8"},
	{50, 59, "de 50 à 59 %", "#6a6af4"},
	{60, 69, "de 60 à 69 %", "#1212ff"},
	{70, 100, "70 % ou plus", "#000091"},
}

// classOf is the index of the class of rate v.
func classOf(v int) int {
	for i, c := range mapClasses {
		if v <= c.Max {
			return i
		}
	}
	return len(mapClasses) - 1
}

// The overseas tiles: three a row, under the map.
const (
	tilesPerRow = 3
	tileW       = 200.0
	tileH       = 56.0
	tileGap     = 6.0
	tileSwatch  = 40.0
)

const (
	mapFont       = 21 // ≥ 12 px when the 616-unit map is drawn 358 px wide (a 390 px screen)
	mapStroke     = "#3a3a3a"
	notPublished  = "Non publié"
	missingRegion = "aucun chiffre publié pour cette région"
)

// mapValue is the value of one région: a rate, or the reason it is
// missing.
type mapValue struct {
	Code    string // INSEE
	Value   *int
	Missing string
}

// regionMap is a rendered map with its legend.
type regionMap struct {
	ID, Title, Summary string
	SVG                template.HTML
	Legend             []mapLegend
	// TableID is the id of the table with the same values (the text
	// alternative), TableCaption its caption.
	TableID, TableCaption string
}

// mapLegend is one class of the legend with the régions in it.
type mapLegend struct {
	Label, Color string
	Hatched      bool
	Count        int
	// Regions are the names of the régions, Reasons the reason of each
	// (non publié only).
	Regions []string
	Reasons []string
	// Swatch is the small SVG of the class (its own pattern id).
	Swatch template.HTML
}

// CountLabel is « 3 régions », « 1 région », « aucune région ».
func (l mapLegend) CountLabel() string {
	switch l.Count {
	case 0:
		return "aucune région"
	case 1:
		return "1 région"
	}
	return strconv.Itoa(l.Count) + " régions"
}

// Detail lists the régions not published with their reasons.
func (l mapLegend) Detail() string {
	var parts []string
	for i, r := range l.Regions {
		parts = append(parts, r+" ("+l.Reasons[i]+")")
	}
	return strings.Join(parts, ", ")
}

// franceRegionMap draws every région of model.AllRegions: those without a
// value in values, or with a nil Value, are « non publié » (hatched) with
// their reason. indicator names the rate in the summary ("taux d'emploi à
// 6 mois"). tableID and tableCaption name the table holding the same
// values.
func franceRegionMap(id, title, indicator string, values []mapValue, tableID, tableCaption string) *regionMap {
	byCode := map[string]mapValue{}
	for _, v := range values {
		byCode[v.Code] = v
	}
	m := &regionMap{ID: id, Title: title, TableID: tableID, TableCaption: tableCaption}
	legend := make([]mapLegend, len(mapClasses)+1)
	for i, c := range mapClasses {
		legend[i] = mapLegend{Label: c.Label, Color: c.Color}
	}
	np := len(mapClasses)
	legend[np] = mapLegend{Label: notPublished, Color: "#f6f6f6", Hatched: true}
	type drawn struct {
		nom, fill, text string
		class           int // -1: non publié
		value           *int
	}
	regs := map[string]drawn{}
	var lo, hi *int
	var loNoms, hiNoms []string // every région at the lowest and highest value
	for _, r := range model.AllRegions() {
		v, ok := byCode[r.Code]
		d := drawn{nom: r.Nom, class: -1}
		if ok && v.Value != nil {
			d.class, d.value = classOf(*v.Value), v.Value
			d.fill, d.text = mapClasses[d.class].Color, strconv.Itoa(*v.Value)+"\u202f%"
			legend[d.class].Count++
			legend[d.class].Regions = append(legend[d.class].Regions, r.Nom)
			switch {
			case lo == nil || *v.Value < *lo:
				lo, loNoms = v.Value, []string{r.Nom}
			case *v.Value == *lo:
				loNoms = append(loNoms, r.Nom)
			}
			switch {
			case hi == nil || *v.Value > *hi:
				hi, hiNoms = v.Value, []string{r.Nom}
			case *v.Value == *hi:
				hiNoms = append(hiNoms, r.Nom)
			}
		} else {
			reason := missingRegion
			if ok && v.Missing != "" {
				reason = v.Missing
			}
			d.fill, d.text = "url(#"+id+"-np)", "non publié"
			legend[np].Count++
			legend[np].Regions = append(legend[np].Regions, r.Nom)
			legend[np].Reasons = append(legend[np].Reasons, reason)
		}
		regs[r.Code] = d
	}
	for i := range legend {
		legend[i].Swatch = mapSwatch(fmt.Sprintf("%s-legende-%d", id, i), legend[i])
	}
	m.Legend = legend

	switch {
	case lo == nil:
		m.Summary = fmt.Sprintf("Aucune région n'a de %s publié.", indicator)
	case *lo == *hi:
		m.Summary = fmt.Sprintf("Le %s est de %d %% dans chaque région où il est publié.", indicator, *lo)
	default:
		m.Summary = fmt.Sprintf("Le %s va de %d %% (%s) à %d %% (%s).", indicator, *lo, strings.Join(loNoms, ", "), *hi, strings.Join(hiNoms, ", "))
	}
	if n := legend[np].Count; n > 0 {
		m.Summary += fmt.Sprintf(" Non publié dans %s : %s.", legend[np].CountLabel(), strings.Join(legend[np].Regions, ", "))
	}

	vb := franceGeometry.ViewBox
	rows := (len(overseas) + tilesPerRow - 1) / tilesPerRow
	h := vb[3] + int(float64(rows)*(tileH+tileGap)+tileGap) + 1
	var b svgBuf
	b.f(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="%d %d %d %d" width="%d" height="%d" role="img" aria-labelledby="%s-svg-titre %s-svg-desc" focusable="false">`,
		vb[0], vb[1], vb[2], h, vb[2], h, esc(id), esc(id))
	b.f(`<title id="%s-svg-titre">%s</title><desc id="%s-svg-desc">%s</desc>`, esc(id), esc(title), esc(id), esc(m.Summary))
	b.f(`<defs>%s</defs>`, hatchPattern(id+"-np"))
	b.f(`<g stroke="%s" stroke-width="1" stroke-linejoin="round">`, mapStroke)
	for _, g := range franceGeometry.Regions {
		d, ok := regs[g.Code]
		if !ok {
			continue
		}
		b.f(`<path d="%s" fill="%s" data-region="%s" data-classe="%d"%s/>`, g.Path, d.fill, esc(g.Code), d.class, valueAttr(d.value))
	}
	b.f(`</g><g font-size="%d" fill="#161616" text-anchor="middle">`, mapFont)
	for _, g := range franceGeometry.Regions {
		d, ok := regs[g.Code]
		if !ok || d.value == nil {
			continue
		}
		w := float64(len([]rune(d.text)))*0.6*mapFont + 10
		h := float64(mapFont) + 8
		x := min(max(float64(g.Label[0])-w/2, float64(vb[0])+1), float64(vb[0]+vb[2])-w-1)
		y := float64(g.Label[1]) - h/2
		b.f(`<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" rx="4" fill="#ffffff" stroke="%s" stroke-width="1"/>`, x, y, w, h, mapStroke)
		b.f(`<text x="%.1f" y="%.1f">%s</text>`, x+w/2, y+h/2+float64(mapFont)*0.35, esc(d.text))
	}
	b.f(`</g>`)
	// the overseas régions: tiles in two rows under metropolitan France.
	for i, code := range overseas {
		d := regs[code]
		x := float64(vb[0]) + 1 + float64(i%tilesPerRow)*(tileW+tileGap)
		y := float64(vb[1]+vb[3]) + tileGap + float64(i/tilesPerRow)*(tileH+tileGap)
		b.f(`<g data-outremer="%s">`, esc(code))
		b.f(`<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#ffffff" stroke="%s" stroke-width="1"/>`, x, y, tileW, tileH, mapStroke)
		b.f(`<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s" stroke="%s" stroke-width="1" data-region="%s" data-classe="%d"%s/>`,
			x+6, y+7, tileSwatch, tileH-14, d.fill, mapStroke, esc(code), d.class, valueAttr(d.value))
		b.f(`<text x="%.1f" y="%.1f" font-size="%d" fill="#161616">%s</text>`, x+tileSwatch+14, y+tileH/2-4, mapFont, esc(d.nom))
		b.f(`<text x="%.1f" y="%.1f" font-size="%d" fill="#161616" font-weight="700">%s</text>`, x+tileSwatch+14, y+tileH/2+float64(mapFont)-2, mapFont, esc(d.text))
		b.f(`</g>`)
	}
	b.f(`</svg>`)
	m.SVG = template.HTML(b.String())
	return m
}

func valueAttr(v *int) string {
	if v == nil {
		return ""
	}
	return ` data-valeur="` + strconv.Itoa(*v) + `"`
}

// hatchPattern is the « non publié » fill: grey diagonal hatching.
func hatchPattern(id string) string {
	return `<pattern id="` + esc(id) + `" patternUnits="userSpaceOnUse" width="8" height="8" patternTransform="rotate(45)">` +
		`<rect width="8" height="8" fill="#f6f6f6"/><line x1="0" y1="0" x2="0" y2="8" stroke="#666666" stroke-width="3"/></pattern>`
}

// mapSwatch is the square of a legend class.
func mapSwatch(id string, l mapLegend) template.HTML {
	fill, defs := l.Color, ""
	if l.Hatched {
		fill, defs = "url(#"+esc(id)+")", "<defs>"+hatchPattern(id)+"</defs>"
	}
	return template.HTML(`<svg width="24" height="24" viewBox="0 0 24 24" aria-hidden="true" focusable="false" class="vi-map__swatch">` + defs +
		`<rect x="0.5" y="0.5" width="23" height="23" fill="` + fill + `" stroke="` + mapStroke + `"/></svg>`)
}

// mapAttribution is the credit of the map geometry, as the footer writes it.
func mapAttribution() string {
	s := franceGeometry.Source
	author := s.Author
	if i := strings.Index(author, " <"); i > 0 {
		author = author[:i]
	}
	return fmt.Sprintf("Fond de carte des régions : %s %s, par %s d'après MapSVG, licence %s", s.Package, s.Version, author, strings.ReplaceAll(s.License, "-", " "))
}
