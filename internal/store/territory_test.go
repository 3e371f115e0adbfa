package store_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
	"github.com/vitrine-inserjeunes/vitrine/internal/testdb"
)

// sums are the counts of one headline group, summed by SQL straight from
// the tables (not by the code under test).
type sums struct {
	n, term                int // components, Σ nb_annee_term over all
	fieldTerm              int // Σ nb_annee_term where nb_sortant and nb_poursuite_etudes are published too
	sortant, emploi6       int // Σ over components publishing both nb_sortant and nb_en_emploi_6_mois
	poursuite, termPours   int // Σ over components publishing nb_poursuite_etudes (and nb_annee_term)
	shapeSortantOnlyAbsent int // components with nb_sortant empty but nb_poursuite_etudes published
}

// groupSQL sums, per (voie, level), the components of the latest
// millésime of each voie; from is a query yielding (millesime, voie, code,
// nb_annee_term, nb_sortant, nb_poursuite_etudes, nb_en_emploi_6_mois).
func groupSQL(from string) string {
	return `
WITH c AS (` + from + `),
lvl AS (
  SELECT c.*, coalesce(NULLIF(f.niveau, ''), 'inconnu') AS niveau
  FROM c LEFT JOIN bcn_formations f ON f.cfd = CASE WHEN length(c.code) = 11 THEN cfd_of_mefstat11(c.code) ELSE c.code END),
g AS (
  SELECT voie, niveau, nb_annee_term, nb_sortant, nb_poursuite_etudes, nb_en_emploi_6_mois FROM lvl
  UNION ALL SELECT voie, '', nb_annee_term, nb_sortant, nb_poursuite_etudes, nb_en_emploi_6_mois FROM lvl)
SELECT voie, niveau, count(*)::int, coalesce(sum(nb_annee_term), 0)::int,
  coalesce(sum(nb_annee_term) FILTER (WHERE nb_sortant IS NOT NULL AND nb_poursuite_etudes IS NOT NULL), 0)::int,
  coalesce(sum(nb_sortant) FILTER (WHERE nb_en_emploi_6_mois IS NOT NULL), 0)::int,
  coalesce(sum(nb_en_emploi_6_mois) FILTER (WHERE nb_sortant IS NOT NULL), 0)::int,
  coalesce(sum(nb_poursuite_etudes) FILTER (WHERE nb_annee_term IS NOT NULL), 0)::int,
  coalesce(sum(nb_annee_term) FILTER (WHERE nb_poursuite_etudes IS NOT NULL), 0)::int,
  count(*) FILTER (WHERE nb_sortant IS NULL AND nb_poursuite_etudes IS NOT NULL)::int
FROM g GROUP BY 1, 2`
}

func querySums(t *testing.T, q string, args ...any) map[[2]string]sums {
	t.Helper()
	pool := testdb.Pool(t, "formations")
	rows, err := pool.Query(context.Background(), q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[[2]string]sums{}
	for rows.Next() {
		var voie, niv string
		var s sums
		if err := rows.Scan(&voie, &niv, &s.n, &s.term, &s.fieldTerm, &s.sortant, &s.emploi6, &s.poursuite, &s.termPours, &s.shapeSortantOnlyAbsent); err != nil {
			t.Fatal(err)
		}
		out[[2]string{voie, niv}] = s
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// halfEven is 100·a/b rounded half to even, written again here.
func halfEven(a, b int) int {
	q, r := 100*a/b, 100*a%b
	if 2*r > b || 2*r == b && q%2 == 1 {
		q++
	}
	return q
}

// checkHeadline compares a headline figure with the SQL sums. The checks
// hold under the aggregation rule of today (components with all three
// counts published) and under the per-indicator rule of DESIGN §3.4: the
// employment rate rests on the components publishing nb_sortant and
// nb_en_emploi_6_mois under both; the rate of poursuite d'études is only
// compared on groups where both rules take the same components.
func checkHeadline(t *testing.T, what string, f model.FormationFigure, s sums, checked *[3]int) {
	t.Helper()
	if f.Agregat == nil {
		t.Errorf("%s: no agregat", what)
		return
	}
	if f.Agregat.Composantes != s.n || f.Agregat.NbAnneeTermTotal != s.term {
		t.Errorf("%s: %d components, Σ nb_annee_term %d; SQL: %d, %d", what, f.Agregat.Composantes, f.Agregat.NbAnneeTermTotal, s.n, s.term)
	}
	checked[0]++
	if s.fieldTerm >= 20 && s.term >= 20 && s.sortant >= 20 {
		want := halfEven(s.emploi6, s.sortant)
		if f.TauxEmploi6Mois == nil || *f.TauxEmploi6Mois != want {
			t.Errorf("%s: taux_emploi_6_mois %v, SQL %d/%d = %d", what, fmtp(f.TauxEmploi6Mois), s.emploi6, s.sortant, want)
		}
		checked[1]++
	}
	if s.shapeSortantOnlyAbsent == 0 && s.fieldTerm >= 20 && s.termPours > 0 {
		want := halfEven(s.poursuite, s.termPours)
		if f.TauxPoursuiteEtudes == nil || *f.TauxPoursuiteEtudes != want {
			t.Errorf("%s: taux_poursuite_etudes %v, SQL %d/%d = %d", what, fmtp(f.TauxPoursuiteEtudes), s.poursuite, s.termPours, want)
		}
		checked[2]++
	}
}

func fmtp(p *int) string {
	if p == nil {
		return "null"
	}
	return fmt.Sprint(*p)
}

// TestRegionHeadlineAgainstSQL: the headline of Bretagne and of France, per
// voie and level, against sums computed by SQL over the région × formation
// file of the demo data.
func TestRegionHeadlineAgainstSQL(t *testing.T) {
	st := demoStore(t)
	d, err := st.Region(context.Background(), "53")
	if err != nil {
		t.Fatal(err)
	}
	from := `SELECT r.millesime, r.voie, r.code, r.nb_annee_term, r.nb_sortant, r.nb_poursuite_etudes, r.nb_en_emploi_6_mois
  FROM ij_region_formation r JOIN (SELECT voie, max(right(millesime, 4)) AS y FROM ij_region_formation WHERE region = '53' GROUP BY voie) l
  ON l.voie = r.voie AND right(r.millesime, 4) = l.y WHERE `
	terr := querySums(t, groupSQL(from+`r.region = '53'`))
	fr := querySums(t, groupSQL(from+`true`))
	if len(d.ChiffresCles) != len(terr) {
		t.Errorf("%d headline groups, SQL %d", len(d.ChiffresCles), len(terr))
	}
	var checked [3]int
	voies := map[string]bool{}
	for _, c := range d.ChiffresCles {
		k := [2]string{c.Voie, c.NiveauCode}
		s, ok := terr[k]
		if !ok {
			t.Errorf("headline group %v not in SQL", k)
			continue
		}
		if c.Millesime != "2021_2022" || c.Territoire.Millesime != c.Millesime || c.France.Millesime != c.Millesime {
			t.Errorf("%v: millésime %s (territory %s, France %s), want 2021_2022", k, c.Millesime, c.Territoire.Millesime, c.France.Millesime)
		}
		if c.Territoire.Agregat == nil || c.Territoire.Agregat.Perimetre != model.PerimetreRegion || c.France.Agregat == nil || c.France.Agregat.Perimetre != model.PerimetreNational {
			t.Errorf("%v: perimeters %+v / %+v", k, c.Territoire.Agregat, c.France.Agregat)
		}
		checkHeadline(t, fmt.Sprintf("Bretagne %v", k), c.Territoire, s, &checked)
		checkHeadline(t, fmt.Sprintf("France %v", k), c.France, fr[k], &checked)
		if c.NiveauCode == "" {
			voies[c.Voie] = true
		}
	}
	if !voies[model.VoieScolaire] || !voies[model.VoieApprentissage] {
		t.Errorf("all-level headline lines for %v, want scolaire and apprentissage", voies)
	}
	if checked[1] < 10 || checked[2] < 10 {
		t.Errorf("only %v figures compared (groups, employment rates, poursuite rates)", checked)
	}
	t.Logf("compared %d groups, %d employment rates, %d poursuite rates", checked[0], checked[1], checked[2])
}

// TestAcademieHeadlineAgainstSQL: the académie of Rennes is the sum of the
// establishment × formation rows of its départements' establishments (the
// highest-precedence source of each key), against SQL.
func TestAcademieHeadlineAgainstSQL(t *testing.T) {
	st := demoStore(t)
	_, d, err := st.AcademieDetail(context.Background(), "14")
	if err != nil {
		t.Fatal(err)
	}
	from := `SELECT DISTINCT ON (u.uai, u.millesime, u.voie, u.code) u.millesime, u.voie, u.code,
    u.nb_annee_term, u.nb_sortant, u.nb_poursuite_etudes, u.nb_en_emploi_6_mois
  FROM ij_uai_formation u JOIN (SELECT voie, max(right(millesime, 4)) AS y FROM ij_uai_formation
    WHERE region = '53' AND left(uai, 3) IN (SELECT code FROM departements WHERE academie_code = '14') GROUP BY voie) l
    ON l.voie = u.voie AND right(u.millesime, 4) = l.y
  WHERE u.region = '53' AND left(u.uai, 3) IN (SELECT code FROM departements WHERE academie_code = '14')
  ORDER BY u.uai, u.millesime, u.voie, u.code, u.precedence DESC`
	terr := querySums(t, groupSQL(from))
	if len(d.ChiffresCles) == 0 || len(d.ChiffresCles) != len(terr) {
		t.Fatalf("%d headline groups, SQL %d", len(d.ChiffresCles), len(terr))
	}
	var checked [3]int
	for _, c := range d.ChiffresCles {
		k := [2]string{c.Voie, c.NiveauCode}
		s, ok := terr[k]
		if !ok {
			t.Errorf("headline group %v not in SQL", k)
			continue
		}
		if c.Territoire.Agregat == nil || c.Territoire.Agregat.Perimetre != model.PerimetreAcademie {
			t.Errorf("%v: perimeter %+v, want academie", k, c.Territoire.Agregat)
		}
		// The demo's establishment × formation rows are all synthetic.
		if !c.Territoire.Demonstration || c.France.Demonstration {
			t.Errorf("%v: demonstration territory %v, France %v; want true, false", k, c.Territoire.Demonstration, c.France.Demonstration)
		}
		checkHeadline(t, fmt.Sprintf("Rennes %v", k), c.Territoire, s, &checked)
	}
	if checked[1] < 5 || checked[2] < 5 {
		t.Errorf("only %v figures compared", checked)
	}
}

// TestContexteEmploi: the unemployment context of Bretagne and of the
// académie of Rennes against SQL over the INSEE tables.
func TestContexteEmploi(t *testing.T) {
	st := demoStore(t)
	pool := testdb.Pool(t, "formations")
	ctx := context.Background()
	var year, rank, n int
	var rate, lo, hi float64
	if err := pool.QueryRow(ctx, `SELECT annee, taux::float8,
  1 + (SELECT count(*) FROM insee_chomage_region o WHERE o.annee = r.annee AND o.taux < r.taux),
  (SELECT count(*) FROM insee_chomage_region o WHERE o.annee = r.annee),
  (SELECT min(taux)::float8 FROM insee_chomage_region o WHERE o.annee = r.annee),
  (SELECT max(taux)::float8 FROM insee_chomage_region o WHERE o.annee = r.annee)
FROM insee_chomage_region r WHERE region = '53' ORDER BY annee DESC LIMIT 1`).Scan(&year, &rate, &rank, &n, &lo, &hi); err != nil {
		t.Fatal(err)
	}
	ce, err := st.ContexteEmploi(ctx, "53", nil)
	if err != nil {
		t.Fatal(err)
	}
	r := ce.Region
	if r == nil || r.Annee != year || r.Taux != rate || r.Rang != rank || r.Sur != n || r.Min.Taux != lo || r.Max.Taux != hi {
		t.Fatalf("région 53: %+v; SQL: %d %v rank %d/%d, range %v–%v", r, year, rate, rank, n, lo, hi)
	}
	if ce.France != nil || ce.FranceAbsente == "" {
		t.Errorf("France %v, absent %q: the source has no France-wide rate", ce.France, ce.FranceAbsente)
	}
	if len(ce.Sources) != 2 || ce.Sources[0].Producteur != "INSEE" || ce.Sources[0].Licence == "" {
		t.Errorf("sources %+v, want the two INSEE files with their licence", ce.Sources)
	}
	if len(ce.Departements) != 4 { // 022, 029, 035, 056
		t.Errorf("départements %+v, want the 4 of Bretagne", ce.Departements)
	}
	deps := []string{"035", "056"}
	ca, err := st.ContexteEmploi(ctx, "53", deps)
	if err != nil {
		t.Fatal(err)
	}
	for i, dep := range deps {
		var want float64
		if err := pool.QueryRow(ctx, `SELECT taux::float8 FROM insee_chomage_departement WHERE departement = $1 ORDER BY annee DESC LIMIT 1`, dep).Scan(&want); err != nil {
			t.Fatal(err)
		}
		if i >= len(ca.Departements) || ca.Departements[i].Code != dep || ca.Departements[i].Taux != want || ca.Departements[i].Nom == "" {
			t.Errorf("département %s: %+v, want %v", dep, ca.Departements, want)
		}
	}
	if mayotte, err := st.ContexteEmploi(ctx, "06", nil); err != nil || mayotte.Region != nil || mayotte.Absent == "" {
		t.Errorf("Mayotte (not in the INSEE files): %+v, %v; want no rate and a reason", mayotte, err)
	}
}

// TestTerritoryLatest: for every région and académie of the demo, the
// latest-only view (what the pages and their exports show) holds, for
// each formation and each level, exactly the latest figure of the full
// view, and the same headline figures.
func TestTerritoryLatest(t *testing.T) {
	st := demoStore(t)
	ctx := context.Background()
	type view struct {
		name       string
		full, last model.RegionDetail
	}
	var views []view
	for _, r := range model.AllRegions() {
		full, err := st.Region(ctx, r.Code)
		if err != nil {
			t.Fatal(err)
		}
		last, err := st.RegionLatest(ctx, r.Code)
		if err != nil {
			t.Fatal(err)
		}
		views = append(views, view{"région " + r.Code, full, last})
	}
	acads, err := st.Academies(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range acads {
		_, full, err := st.AcademieDetail(ctx, a.Code)
		if err != nil {
			t.Fatal(err)
		}
		_, last, err := st.AcademieLatest(ctx, a.Code)
		if err != nil {
			t.Fatal(err)
		}
		views = append(views, view{"académie " + a.Code, full, last})
	}
	older := 0
	for _, v := range views {
		if !reflect.DeepEqual(v.full.ChiffresCles, v.last.ChiffresCles) {
			t.Errorf("%s : chiffres clés différents", v.name)
		}
		if len(v.full.Formations) != len(v.last.Formations) || len(v.full.Niveaux) != len(v.last.Niveaux) {
			t.Errorf("%s : %d formations, %d niveaux ; vue du dernier millésime : %d, %d", v.name,
				len(v.full.Formations), len(v.full.Niveaux), len(v.last.Formations), len(v.last.Niveaux))
			continue
		}
		type fk struct{ voie, code string }
		lastForm := map[fk]model.RegionFormation{}
		for _, f := range v.last.Formations {
			lastForm[fk{f.Voie, f.Code}] = f
		}
		for _, f := range v.full.Formations {
			l, ok := lastForm[fk{f.Voie, f.Code}]
			if !ok || len(l.Chiffres) != 1 || len(f.Chiffres) == 0 || !reflect.DeepEqual(l.Chiffres[0], f.Chiffres[0]) {
				t.Errorf("%s : formation %s %s : le dernier millésime diffère de la vue complète", v.name, f.Voie, f.Code)
				continue
			}
			older += len(f.Chiffres) - 1
		}
		for i, n := range v.full.Niveaux {
			l := v.last.Niveaux[i]
			if l.NiveauCode != n.NiveauCode || l.Voie != n.Voie || len(l.Chiffres) != 1 || !reflect.DeepEqual(l.Chiffres[0], n.Chiffres[0]) {
				t.Errorf("%s : niveau %s %s : le dernier millésime diffère de la vue complète", v.name, n.Voie, n.NiveauCode)
			}
		}
	}
	if older == 0 {
		t.Fatal("aucune formation n'a de millésime antérieur : rien n'est laissé de côté, le test ne prouve rien")
	}
}
