package web

import (
	"context"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// Synthetic figures carry the « démo » badge where they appear, and the
// notice at the top names the blocks; a page without synthetic figures
// shows neither, even with demonstration data loaded.
func TestDemoMarkedInPlace(t *testing.T) {
	app, pool := siteTestApp(t)
	ctx := context.Background()
	// A pair whose figure comes from a synthetic file, and an
	// establishment with real figures and no synthetic pair (found in the
	// loaded data, not assumed).
	var uai, cfd string
	err := pool.QueryRow(ctx, `SELECT u.uai, u.code FROM ij_uai_formation u JOIN import_files f ON f.id = u.file_id
WHERE f.synthetic AND u.voie = 'apprentissage' AND u.nb_annee_term >= 20 AND u.millesime = '2021_2022' ORDER BY 1, 2 LIMIT 1`).Scan(&uai, &cfd)
	if err != nil {
		t.Fatal(err)
	}
	var realUAI string
	err = pool.QueryRow(ctx, `SELECT e.uai FROM ij_etab e WHERE NOT EXISTS (SELECT 1 FROM ij_uai_formation u WHERE u.uai = e.uai)
  AND NOT EXISTS (SELECT 1 FROM insersup s WHERE s.uai = e.uai) AND e.taux_emploi_6_mois IS NOT NULL ORDER BY 1 LIMIT 1`).Scan(&realUAI)
	if err != nil {
		t.Fatal(err)
	}

	d := doc(t, get(t, app, "/etablissements/"+uai+"/formations/"+cfd))
	if d.Find("#avis-demonstration").Length() != 1 {
		t.Errorf("pair %s × %s (synthetic): no notice", uai, cfd)
	}
	if notice := d.Find("#avis-demonstration").Text(); !strings.Contains(notice, "apprentissage") {
		t.Errorf("the notice does not name the block: %q", notice)
	}
	cards := d.Find("#voie-apprentissage .vi-figure, .vi-figures .vi-figure")
	if cards.Length() == 0 {
		t.Fatal("no headline card on the pair page")
	}
	cards.Each(func(_ int, s *goquery.Selection) {
		if s.Find(".vi-demo").Length() != 1 {
			t.Errorf("card %q has no « démo » badge", strings.TrimSpace(s.Find(".vi-figure__label").Text()))
		}
	})
	d.Find(".vi-demo").Each(func(_ int, s *goquery.Selection) {
		if !strings.Contains(s.Find(".fr-sr-only").Text(), "fictifs") {
			t.Errorf("badge without an accessible label: %q", s.Text())
		}
	})
	if d.Find("figure.vi-chart .vi-demo").Length() == 0 {
		t.Error("comparison charts of a synthetic figure have no badge")
	}

	for _, url := range []string{"/etablissements/" + realUAI, "/", "/a-propos/donnees"} {
		d := doc(t, get(t, app, url))
		if n := d.Find("#avis-demonstration").Length() + d.Find(".vi-demo").Length(); n != 0 {
			t.Errorf("%s shows no synthetic figure but has %d demonstration marks", url, n)
		}
	}
}
