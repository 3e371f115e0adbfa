package web

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// sqlRate6 is the employment rate at 6 months of the scolaire voie, latest
// millésime, summed by SQL over the région × formation rows that publish
// both nb_sortant and nb_en_emploi_6_mois (where is a condition on r),
// rounded half to even in integer arithmetic.
const sqlRate6 = `
WITH s AS (
  SELECT sum(r.nb_en_emploi_6_mois)::bigint AS e, sum(r.nb_sortant)::bigint AS n FROM ij_region_formation r
  WHERE r.voie = 'scolaire' AND r.millesime = (SELECT max(millesime) FROM ij_region_formation WHERE voie = 'scolaire')
    AND r.nb_sortant IS NOT NULL AND r.nb_en_emploi_6_mois IS NOT NULL AND %s)
SELECT (CASE WHEN 2 * (100 * e %% n) > n OR 2 * (100 * e %% n) = n AND (100 * e / n) %% 2 = 1 THEN 100 * e / n + 1 ELSE 100 * e / n END)::int FROM s`

// h2Order returns the ids of the page's section headings, in order.
func h2Order(d *goquery.Document) []string {
	var ids []string
	d.Find("main h2[id]").Each(func(_ int, s *goquery.Selection) {
		id, _ := s.Attr("id")
		ids = append(ids, id)
	})
	return ids
}

func checkOrder(t *testing.T, ids []string, want ...string) {
	t.Helper()
	last := -1
	for _, w := range want {
		i := slices.Index(ids, w)
		if i < 0 || i < last {
			t.Errorf("sections %v: want %v in this order", ids, want)
			return
		}
		last = i
	}
	if ids[len(ids)-1] != want[len(want)-1] {
		t.Errorf("last section %s, want %s (sections %v)", ids[len(ids)-1], want[len(want)-1], ids)
	}
}

// TestRegionPageHeadline: /regions/53 opens with the headline beside France,
// then the INSEE context with the rank, then the formations; the coverage
// is the last section. Expected values come from SQL over the tables.
func TestRegionPageHeadline(t *testing.T) {
	app, pool := siteTestApp(t)
	d := doc(t, get(t, app, "/regions/53"))
	checkOrder(t, h2Order(d), "chiffres-cles-titre", "contexte-titre", "niveaux-titre", "formations-titre", "etablissements-titre", "couverture-titre")

	bzh := scalar[int](t, pool, fmt.Sprintf(sqlRate6, "r.region = '53'"))
	fr := scalar[int](t, pool, fmt.Sprintf(sqlRate6, "true"))
	tile := d.Find("#chiffres-cles-scolaire-titre").Parent().Find(".vi-figure").First()
	if !strings.Contains(tile.Find(".vi-figure__label").Text(), "Taux d'emploi à 6 mois") {
		t.Fatalf("first tile: %q", tile.Text())
	}
	if got := strings.TrimSpace(tile.Find(".vi-figure__value").Text()); got != fmt.Sprintf("%d\u202f%%", bzh) {
		t.Errorf("Bretagne scolaire: %q, SQL %d %%", got, bzh)
	}
	if got := strings.TrimSpace(tile.Find(".vi-figure__france").Text()); got != fmt.Sprintf("France : %d\u202f%%", fr) {
		t.Errorf("France beside it: %q, SQL %d %%", got, fr)
	}
	if def := fmt.Sprintf("Sur 100 sortants de formation, %d ont un emploi salarié 6 mois après.", bzh); !strings.Contains(tile.Text(), def) {
		t.Errorf("tile %q lacks %q", tile.Text(), def)
	}
	sortants := scalar[int](t, pool, `SELECT sum(nb_sortant)::int FROM ij_region_formation WHERE region = '53' AND voie = 'scolaire'
  AND millesime = (SELECT max(millesime) FROM ij_region_formation WHERE voie = 'scolaire') AND nb_en_emploi_6_mois IS NOT NULL`)
	if want := "Calculé sur " + formatInt(sortants) + " sortants"; !strings.Contains(tile.Text(), want) {
		t.Errorf("tile %q lacks %q (grouped count)", tile.Text(), want)
	}
	if d.Find("#chiffres-cles-apprentissage").Length() != 1 || d.Find("#chiffres-cles-scolaire tbody tr").Length() < 3 {
		t.Error("no per-level table of the two voies")
	}

	// INSEE context: rate, year, rank among the régions, range.
	var year, rank, n int
	var rate string
	if err := pool.QueryRow(t.Context(), `SELECT annee, replace(taux::text, '.', ','),
  1 + (SELECT count(*) FROM insee_chomage_region o WHERE o.annee = r.annee AND o.taux < r.taux)::int,
  (SELECT count(*) FROM insee_chomage_region o WHERE o.annee = r.annee)::int
FROM insee_chomage_region r WHERE region = '53' ORDER BY annee DESC LIMIT 1`).Scan(&year, &rate, &rank, &n); err != nil {
		t.Fatal(err)
	}
	ctx := d.Find(".vi-chomage").Text()
	for _, want := range []string{fmt.Sprintf("en %d", year), rate + "\u202f%", fmt.Sprintf("%de plus bas sur %d régions", rank, n)} {
		if !strings.Contains(ctx, want) {
			t.Errorf("context %q lacks %q", ctx, want)
		}
	}
	if sec := d.Find("#contexte-titre").Parent().Text(); !strings.Contains(sec, "France entière ne figure pas dans la source") || !strings.Contains(sec, "Licence Ouverte") {
		t.Errorf("context section does not say the France rate is absent or the licence: %q", sec)
	}
	title := d.Find("#niveaux-graphique-titre").Text()
	if !strings.Contains(title, "voie scolaire") || !strings.Contains(title, "promotions 2021 et 2022") {
		t.Errorf("level chart title %q does not name its voie and millésime", title)
	}

	// The API carries the same headline and context.
	r := get(t, app, "/api/v1/regions/53")
	body, _ := io.ReadAll(r.Body)
	var api struct {
		ChiffresCles []struct {
			Voie       string `json:"voie"`
			NiveauCode string `json:"niveau_code"`
			Territoire struct {
				TauxEmploi6Mois *int `json:"taux_emploi_6_mois"`
			}
			France struct {
				TauxEmploi6Mois *int `json:"taux_emploi_6_mois"`
			}
		} `json:"chiffres_cles"`
		ContexteEmploi struct {
			Region struct {
				Rang int `json:"rang"`
				Sur  int `json:"nb_regions"`
			} `json:"region"`
			France *float64 `json:"france"`
		} `json:"contexte_emploi"`
	}
	if err := json.Unmarshal(body, &api); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, c := range api.ChiffresCles {
		if c.Voie == "scolaire" && c.NiveauCode == "" {
			found = true
			if c.Territoire.TauxEmploi6Mois == nil || *c.Territoire.TauxEmploi6Mois != bzh || c.France.TauxEmploi6Mois == nil || *c.France.TauxEmploi6Mois != fr {
				t.Errorf("API chiffres_cles scolaire: %+v, SQL %d / %d", c, bzh, fr)
			}
		}
	}
	if !found {
		t.Error("API: no all-level scolaire line in chiffres_cles")
	}
	if api.ContexteEmploi.Region.Rang != rank || api.ContexteEmploi.Region.Sur != n || api.ContexteEmploi.France != nil {
		t.Errorf("API contexte_emploi %+v, SQL rank %d/%d", api.ContexteEmploi, rank, n)
	}
}

// TestAcademiePageHeadline: an académie page opens with its headline (the
// sum of its establishments, said so, with the démo tag on synthetic data)
// beside France, then its départements' unemployment rates and its
// région's, then the formations; coverage last.
func TestAcademiePageHeadline(t *testing.T) {
	app, pool := siteTestApp(t)
	d := doc(t, get(t, app, "/academies/14"))
	checkOrder(t, h2Order(d), "chiffres-cles-titre", "contexte-titre", "formations-titre", "couverture-titre")
	head := d.Find("#chiffres-cles-titre").Parent()
	if !strings.Contains(head.Text(), "établissement × formation") || !strings.Contains(head.Text(), "démonstration") {
		t.Errorf("the headline does not say what its sums rest on: %q", head.Find("p").First().Text())
	}
	fr := scalar[int](t, pool, fmt.Sprintf(sqlRate6, "true"))
	tile := d.Find("#chiffres-cles-scolaire-titre").Parent().Find(".vi-figure").First()
	if got := strings.TrimSpace(tile.Find(".vi-figure__france").Text()); got != fmt.Sprintf("France : %d\u202f%%", fr) {
		t.Errorf("France beside the académie: %q, SQL %d %%", got, fr)
	}
	if tile.Find(".fr-badge").Length() != 1 || !strings.Contains(tile.Find(".fr-badge").Text(), "démonstration") {
		t.Errorf("the académie tile rests on synthetic rows but carries no démo tag: %q", tile.Text())
	}
	rows, err := pool.Query(t.Context(), `SELECT d.nom || ' (' || CASE WHEN left(d.code, 1) = '0' THEN substr(d.code, 2) ELSE d.code END || ')', replace(to_char(c.taux, 'FM990.0'), '.', ',') FROM insee_chomage_departement c
  JOIN departements d ON d.code = c.departement WHERE d.academie_code = '14'
  AND c.annee = (SELECT max(annee) FROM insee_chomage_departement) ORDER BY c.departement`)
	if err != nil {
		t.Fatal(err)
	}
	var want [][2]string
	for rows.Next() {
		var nom, taux string
		if err := rows.Scan(&nom, &taux); err != nil {
			t.Fatal(err)
		}
		want = append(want, [2]string{nom, taux + "\u202f%"})
	}
	rows.Close()
	var got [][2]string
	d.Find("#chomage-departements tbody tr").Each(func(_ int, s *goquery.Selection) {
		got = append(got, [2]string{strings.TrimSpace(s.Find("th").Text()), strings.TrimSpace(s.Find("td").Last().Text())})
	})
	if len(want) != 4 || !slices.Equal(got, want) {
		t.Errorf("départements %v, SQL %v", got, want)
	}
	if !strings.Contains(d.Find(".vi-chomage").Text(), "en Bretagne") {
		t.Errorf("no rate of the région: %q", d.Find(".vi-chomage").Text())
	}
	r := get(t, app, "/academies/14?format=json")
	var api struct {
		ChiffresCles   []json.RawMessage `json:"chiffres_cles"`
		ContexteEmploi struct {
			Departements []json.RawMessage `json:"departements"`
		} `json:"contexte_emploi"`
	}
	if err := json.NewDecoder(r.Body).Decode(&api); err != nil {
		t.Fatal(err)
	}
	if len(api.ChiffresCles) == 0 || len(api.ContexteEmploi.Departements) != 4 {
		t.Errorf("académie JSON: %d chiffres_cles, %d départements", len(api.ChiffresCles), len(api.ContexteEmploi.Departements))
	}
}

// chiffresClesFixture is a headline of two lines (every level, CAP) of one
// voie, the CAP of the territory under the threshold.
func chiffresClesFixture() []model.ChiffreCle {
	ok := func(v int) *int { return &v }
	fig := func(term, sortant, emploi int) model.FormationFigure {
		raw := model.RawFigure{NbAnneeTerm: ok(term), NbSortant: ok(sortant), NbPoursuiteEtudes: ok(term - sortant), NbEnEmploi6Mois: ok(emploi)}
		raw.ComputeFromCounts()
		return model.RawFormationFigure{Millesime: "2021_2022", Voie: "scolaire", Raw: raw, Calcule: true,
			Agregat: &model.Agregat{Perimetre: model.PerimetreRegion, Composantes: 12}}.Disclose()
	}
	return []model.ChiffreCle{
		{Voie: "scolaire", Millesime: "2021_2022", Territoire: fig(1234, 600, 320), France: fig(61234, 30000, 13500)},
		{Voie: "scolaire", NiveauCode: "500", Niveau: "CAP", Millesime: "2021_2022", Territoire: fig(12, 8, 4), France: fig(9000, 5000, 1500)},
	}
}

func contexteFixture() model.ContexteEmploi {
	return model.ContexteEmploi{
		Region: &model.RegionChomage{TauxChomage: model.TauxChomage{Code: "53", Nom: "Bretagne", Annee: 2023, Taux: 6.1},
			RangChomage: model.RangChomage{Rang: 2, Sur: 17},
			Min:         model.TauxChomage{Code: "52", Nom: "Pays de la Loire", Annee: 2023, Taux: 5.9},
			Max:         model.TauxChomage{Code: "01", Nom: "Guadeloupe", Annee: 2023, Taux: 19.3}},
		Departements:  []model.TauxChomage{{Code: "035", Nom: "Ille-et-Vilaine", Annee: 2023, Taux: 5.8}},
		FranceAbsente: model.ChomageFranceAbsent,
		Sources:       []model.SourceChomage{{Fichier: "insee_chomage_regional.csv", ImportRun: 1, Producteur: "INSEE", Licence: "Licence Ouverte 2.0"}},
	}
}
