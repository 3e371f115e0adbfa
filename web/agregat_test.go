package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// A national figure whose régions do not all publish the counts of each
// rate says, on the formation page and in the API, how many régions enter
// each rate and how many are left out: keys found by a query on the demo
// regional file (a région with nb_poursuite_etudes but no nb_sortant), the
// expected coverage counted by the query.
func TestAggregateProvenance(t *testing.T) {
	app, pool := siteTestApp(t)
	ctx := context.Background()
	rows, err := pool.Query(ctx, `SELECT code, millesime, count(*),
  count(*) FILTER (WHERE nb_poursuite_etudes IS NOT NULL),
  count(*) FILTER (WHERE nb_sortant IS NOT NULL AND nb_en_emploi_6_mois IS NOT NULL)
FROM ij_region_formation WHERE voie = 'apprentissage' GROUP BY code, millesime
HAVING bool_or(nb_sortant IS NULL AND nb_poursuite_etudes IS NOT NULL)
  AND count(*) FILTER (WHERE nb_sortant IS NOT NULL AND nb_en_emploi_6_mois IS NOT NULL) > 0
  AND NOT EXISTS (SELECT 1 FROM ij_uai_formation u WHERE u.code = ij_region_formation.code
    AND u.millesime = ij_region_formation.millesime AND u.voie = 'apprentissage'
    AND u.region NOT IN (SELECT region FROM ij_region_formation r WHERE r.code = ij_region_formation.code
      AND r.millesime = ij_region_formation.millesime AND r.voie = 'apprentissage'))
ORDER BY code, millesime LIMIT 5`)
	if err != nil {
		t.Fatal(err)
	}
	type key struct {
		code, millesime string
		n, nP, nE       int
	}
	var keys []key
	for rows.Next() {
		var k key
		if err := rows.Scan(&k.code, &k.millesime, &k.n, &k.nP, &k.nE); err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k)
	}
	rows.Close()
	plural := func(k int, one, many string) string {
		if k == 1 {
			return "1 " + one
		}
		return fmt.Sprintf("%d %s", k, many)
	}
	found := 0
	for _, k := range keys {
		m, err := model.ParseMillesime(k.millesime)
		if err != nil {
			t.Fatal(err)
		}
		r := get(t, app, "/formations/"+k.code)
		b := body(t, r)
		if r.StatusCode != http.StatusOK {
			t.Fatalf("/formations/%s: %d", k.code, r.StatusCode)
		}
		doc, err := goquery.NewDocumentFromReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		var prov string
		doc.Find("#national tbody tr").Each(func(_ int, tr *goquery.Selection) {
			txt := tr.Text()
			if strings.Contains(txt, "Apprentissage") && strings.Contains(txt, m.Label()) && !strings.Contains(txt, "ancien diplôme") {
				prov = tr.Find("td").Last().Text()
			}
		})
		if prov == "" {
			continue // figures borrowed through the continuum
		}
		found++
		left := k.n - k.nE
		wantE := "taux d'emploi à 6 mois : somme de " + plural(k.nE, "chiffre régional", "chiffres régionaux") + ", " +
			plural(left, "sans effectifs publiés laissé de côté", "sans effectifs publiés laissés de côté")
		if !strings.Contains(prov, wantE) {
			t.Errorf("%s %s: provenance %q lacks %q", k.code, k.millesime, prov, wantE)
		}
		if k.nP == k.n && !strings.Contains(prov, fmt.Sprintf("élèves en année terminale et taux de poursuite d'études : somme de %d chiffres régionaux", k.n)) {
			t.Errorf("%s %s: provenance %q does not count the %d régions in the poursuite rate", k.code, k.millesime, prov, k.n)
		}
		v := getJSON(t, "/api/v1/formations/"+k.code, http.StatusOK)
		checked := false
		for _, f := range v["national"].([]any) {
			fm := f.(map[string]any)
			if fm["voie"] != model.VoieApprentissage || fm["millesime"] != k.millesime || fm["source_continuum"] != nil {
				continue
			}
			ind := fm["agregat"].(map[string]any)["indicateurs"].(map[string]any)
			tp := ind["taux_poursuite_etudes"].(map[string]any)
			te := ind["taux_emploi_6_mois"].(map[string]any)
			if tp["composantes"] != float64(k.nP) || tp["exclues"] != float64(k.n-k.nP) || te["composantes"] != float64(k.nE) || te["exclues"] != float64(left) {
				t.Errorf("%s %s: agregat.indicateurs %v, want poursuite %d/%d, emploi %d/%d", k.code, k.millesime, ind, k.nP, k.n-k.nP, k.nE, left)
			}
			checked = true
		}
		if !checked {
			t.Errorf("%s %s: no national figure in the API", k.code, k.millesime)
		}
	}
	if found == 0 {
		t.Fatalf("no national figure checked among %d keys", len(keys))
	}
}
