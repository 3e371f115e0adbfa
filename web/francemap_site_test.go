package web

import (
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// mapOnPage reads the map figure#id of a page: its data table (the one
// its link names) and the value of every région on the SVG (nil when
// « non publié »).
func mapOnPage(t *testing.T, d *goquery.Document, id string) (svg map[string]*int, table *goquery.Selection, title string) {
	t.Helper()
	fig := d.Find("figure.vi-map#" + id)
	if fig.Length() != 1 {
		t.Fatalf("figure.vi-map#%s: %d found", id, fig.Length())
	}
	raw, err := goquery.OuterHtml(fig.Find("svg[role=img]").First())
	if err != nil || raw == "" {
		t.Fatalf("map %s: no svg[role=img] (%v)", id, err)
	}
	svg = map[string]*int{}
	for _, e := range parseSVG(t, raw) {
		code, ok := e.Attr["data-region"]
		if !ok {
			continue
		}
		if _, dup := svg[code]; dup {
			t.Errorf("map %s: région %s twice", id, code)
		}
		svg[code] = nil
		if v, ok := e.Attr["data-valeur"]; ok {
			n, err := strconv.Atoi(v)
			if err != nil {
				t.Fatalf("map %s: région %s data-valeur %q", id, code, v)
			}
			svg[code] = &n
		}
	}
	href, _ := fig.Find("figcaption a[href^='#']").Attr("href")
	table = d.Find("div.fr-table" + href + " table")
	if href == "" || table.Length() != 1 {
		t.Fatalf("map %s: link to its table %q, %d tables found", id, href, table.Length())
	}
	return svg, table, fig.Find("#" + id + "-titre").Text()
}

// tableRates reads, per région code, the taux d'emploi à 6 mois column of
// a table (nil and the reason when missing), keeping the rows keep accepts.
func tableRates(t *testing.T, table *goquery.Selection, keep func(row *goquery.Selection, col map[string]int) bool) (map[string]*int, map[string]string) {
	t.Helper()
	col := map[string]int{}
	table.Find("thead th").Each(func(i int, s *goquery.Selection) { col[strings.TrimSpace(s.Text())] = i })
	rate, ok := col[indTauxEmploi6.column().Label]
	if !ok {
		t.Fatalf("no column %q in %v", indTauxEmploi6.column().Label, col)
	}
	names := map[string]string{}
	for _, r := range model.AllRegions() {
		names[r.Nom] = r.Code
	}
	vals, reasons := map[string]*int{}, map[string]string{}
	table.Find("tbody tr").Each(func(_ int, row *goquery.Selection) {
		if keep != nil && !keep(row, col) {
			return
		}
		cells := row.Children()
		code, ok := names[strings.TrimSpace(cells.Eq(0).Text())]
		if !ok {
			t.Errorf("table row of unknown région %q", cells.Eq(0).Text())
			return
		}
		c := cells.Eq(rate)
		txt := strings.TrimSpace(c.Text())
		if c.Find(".vi-missing").Length() > 0 {
			vals[code], reasons[code] = nil, txt
			return
		}
		n, err := strconv.Atoi(strings.TrimSuffix(txt, "\u202f%"))
		if err != nil {
			t.Errorf("région %s: rate %q", code, txt)
			return
		}
		vals[code] = &n
	})
	return vals, reasons
}

func sameRates(t *testing.T, where string, svg, table map[string]*int, reasons map[string]string, mapText string) int {
	t.Helper()
	withValue := 0
	for code, tv := range table {
		sv, ok := svg[code]
		switch {
		case !ok:
			t.Errorf("%s: région %s in the table, not on the map", where, code)
		case tv == nil && sv != nil:
			t.Errorf("%s: région %s: table says %q, map shows %d", where, code, reasons[code], *sv)
		case tv != nil && (sv == nil || *sv != *tv):
			t.Errorf("%s: région %s: table %d, map %s", where, code, *tv, pct(sv))
		case tv != nil:
			withValue++
		case !strings.Contains(mapText, reasons[code]):
			t.Errorf("%s: région %s not published (%q): the legend does not say so", where, code, reasons[code])
		}
	}
	for code, sv := range svg {
		if _, ok := table[code]; !ok && sv != nil {
			t.Errorf("%s: région %s has %d on the map and no row in the table", where, code, *sv)
		}
	}
	return withValue
}

// TestMapsMatchTheirTables: the maps of the home page (one per voie) and
// of a formation page show every région, with the values of the table
// they link to; the footer credits the map.
func TestMapsMatchTheirTables(t *testing.T) {
	app, _ := siteTestApp(t)
	d := doc(t, get(t, app, "/"))
	for _, voie := range []string{model.VoieScolaire, model.VoieApprentissage} {
		svg, table, _ := mapOnPage(t, d, "carte-"+voie)
		if len(svg) != len(model.AllRegions()) {
			t.Errorf("home %s: %d régions on the map, want %d", voie, len(svg), len(model.AllRegions()))
		}
		vals, reasons := tableRates(t, table, nil)
		if len(vals) != len(model.AllRegions()) {
			t.Errorf("home %s: %d régions in the table, want every one", voie, len(vals))
		}
		text := d.Find("figure#carte-" + voie).Text()
		if n := sameRates(t, "home "+voie, svg, vals, reasons, text); n < 10 {
			t.Errorf("home %s: only %d régions with a rate", voie, n)
		}
		// Mayotte has no row in the demo regional file: said on the map, in the legend and the table
		if reasons["06"] != missingRegion || !strings.Contains(text, "Mayotte ("+missingRegion+")") {
			t.Errorf("home %s: Mayotte: table %q; legend %q", voie, reasons["06"], d.Find("figure#carte-"+voie+" .vi-map__np").Text())
		}
	}
	if foot := strings.Join(strings.Fields(d.Find("footer").Text()), " "); !strings.Contains(foot, mapAttribution()) {
		t.Errorf("footer does not credit the map (%q)", mapAttribution())
	}

	d = doc(t, get(t, app, "/formations/40031213"))
	svg, table, title := mapOnPage(t, d, "regions-carte")
	voie := ""
	for _, v := range []string{model.VoieScolaire, model.VoieApprentissage} {
		if strings.Contains(title, strings.ToLower(voieLabel(v))) {
			voie = voieLabel(v)
		}
	}
	if voie == "" {
		t.Fatalf("formation map title %q names no voie", title)
	}
	vals, reasons := tableRates(t, table, func(row *goquery.Selection, col map[string]int) bool {
		return strings.TrimSpace(row.Children().Eq(col["Voie"]).Text()) == voie
	})
	if n := sameRates(t, "formation", svg, vals, reasons, d.Find("figure#regions-carte").Text()); n < 5 {
		t.Errorf("formation: only %d régions with a rate", n)
	}
	if len(svg) != len(model.AllRegions()) {
		t.Errorf("formation: %d régions on the map", len(svg))
	}
}
