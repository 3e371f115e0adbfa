package web

import (
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// Every indicator shown has its definition in context, without
// JavaScript: each headline card a toggle, each table whose columns are
// rates a « Définitions des colonnes » toggle naming those columns; each
// links to the glossary.
func TestDefinitionsInContext(t *testing.T) {
	app, _ := siteTestApp(t)
	cards, tables := 0, 0
	for _, url := range []string{"/", "/etablissements/0010001W", "/etablissements/0010001W/formations/40025214", "/formations/40031213", "/regions/53"} {
		d := doc(t, get(t, app, url))
		d.Find(".vi-figure").Each(func(_ int, s *goquery.Selection) {
			label := strings.TrimSpace(s.Find(".vi-figure__label").Text())
			if !strings.Contains(strings.ToLower(label), "taux") {
				return
			}
			cards++
			def := s.Find("details.vi-def")
			if def.Length() != 1 || def.Find("summary").Length() != 1 || len(strings.TrimSpace(def.Find("p").Text())) < 40 {
				t.Errorf("%s: card %q has no in-context definition", url, label)
			}
			if href, _ := def.Find("a").Attr("href"); !strings.HasPrefix(href, "/a-propos/donnees#") {
				t.Errorf("%s: card %q: definition not linked to the glossary (%q)", url, label, href)
			}
		})
		d.Find(".fr-table").Each(func(_ int, s *goquery.Selection) {
			var rates []string
			s.Find("thead th").Each(func(_ int, th *goquery.Selection) {
				l := strings.TrimSpace(th.Clone().Find(".fr-sr-only").Remove().End().Text())
				if strings.Contains(strings.ToLower(l), "taux d'emploi") {
					rates = append(rates, l)
				}
			})
			if len(rates) == 0 {
				return
			}
			tables++
			defs := s.Find("details.vi-def--table")
			if defs.Length() != 1 {
				t.Errorf("%s: table %s shows %v without column definitions", url, s.AttrOr("id", "?"), rates)
				return
			}
			text := defs.Text()
			for _, r := range rates {
				if !strings.Contains(text, r) {
					t.Errorf("%s: table %s: no definition names %q", url, s.AttrOr("id", "?"), r)
				}
			}
			if !strings.Contains(text, "sortants") {
				t.Errorf("%s: table %s: the taux d'emploi definition does not say it counts leavers: %q", url, s.AttrOr("id", "?"), text)
			}
		})
	}
	if cards < 5 || tables < 5 {
		t.Fatalf("checked %d cards and %d tables: too few to mean anything", cards, tables)
	}
}
