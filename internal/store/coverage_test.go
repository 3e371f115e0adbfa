package store_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/vitrine-inserjeunes/vitrine/internal/importer"
	"github.com/vitrine-inserjeunes/vitrine/internal/model"
	"github.com/vitrine-inserjeunes/vitrine/internal/store"
	"github.com/vitrine-inserjeunes/vitrine/internal/testdb"
)

// TestTerritoryCoverageOncePerVersion: the coverage of every région and
// académie, counted from the warehouse-wide read kept once per data
// version, is the one counted from the territory's own rows, and its pairs
// are the ones SQL counts straight from the table.
func TestTerritoryCoverageOncePerVersion(t *testing.T) {
	st := demoStore(t)
	pool := testdb.Pool(t, "formations")
	ctx := context.Background()
	v, err := st.DataVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	vctx := store.WithDataVersion(ctx, v)
	type territory struct {
		name, region string
		deps         []string
	}
	var ts []territory
	rows, err := pool.Query(ctx, `SELECT DISTINCT region FROM ij_uai_formation WHERE region IS NOT NULL
UNION SELECT region_code FROM departements WHERE region_code IS NOT NULL ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			t.Fatal(err)
		}
		ts = append(ts, territory{"région " + r, r, nil})
	}
	rows, err = pool.Query(ctx, `SELECT academie_code, min(region_code), array_agg(code ORDER BY code) FROM departements
WHERE academie_code IS NOT NULL AND region_code IS NOT NULL GROUP BY 1 ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var a territory
		if err := rows.Scan(&a.name, &a.region, &a.deps); err != nil {
			t.Fatal(err)
		}
		a.name = "académie " + a.name
		ts = append(ts, a)
	}
	if rows.Err() != nil {
		t.Fatal(rows.Err())
	}
	counted := 0
	for _, tr := range ts {
		plain, err := st.TerritoryCoverage(ctx, tr.region, tr.deps)
		if err != nil {
			t.Fatal(err)
		}
		kept, err := st.TerritoryCoverage(vctx, tr.region, tr.deps)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(plain, kept) {
			t.Errorf("%s : couverture gardée par version\n%+v\n≠ couverture lue du territoire\n%+v", tr.name, kept, plain)
		}
		var prefixes []string
		for _, d := range tr.deps {
			prefixes = append(prefixes, model.UAIPrefixOfDepartement(d))
		}
		want := map[string]int{}
		r, err := pool.Query(ctx, `SELECT voie, count(DISTINCT (uai, code))::int FROM ij_uai_formation
WHERE region = $1 AND ($2::text[] IS NULL OR left(uai, 3) = ANY($2)) GROUP BY voie`, tr.region, prefixes)
		if err != nil {
			t.Fatal(err)
		}
		for r.Next() {
			var voie string
			var n int
			if err := r.Scan(&voie, &n); err != nil {
				t.Fatal(err)
			}
			want[voie] = n
		}
		got := map[string]int{}
		for _, c := range kept {
			got[c.Voie] = c.Paires
			if c.Publiees+c.SousSeuil+c.NonDiffuse != c.Paires {
				t.Errorf("%s %s : %d publiées + %d sous le seuil + %d non diffusées ≠ %d paires", tr.name, c.Voie, c.Publiees, c.SousSeuil, c.NonDiffuse, c.Paires)
			}
			if c.Paires > 0 && len(c.Sources) == 0 {
				t.Errorf("%s %s : aucune source", tr.name, c.Voie)
			}
			counted += c.Paires
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s : paires par voie %v, SQL %v", tr.name, got, want)
		}
	}
	if counted == 0 {
		t.Fatal("aucune paire comptée")
	}
}

// TestRegionLabelsOncePerVersion: a région read with a data version (its
// formation codes resolved once, then kept) is the région read without.
func TestRegionLabelsOncePerVersion(t *testing.T) {
	st, ctx, vctx := demoVersioned(t)
	formations := 0
	for _, code := range []string{"53", "11", "84", "01"} {
		plain, err := st.Region(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 2; i++ { // the first call fills the memo, the second reads it
			kept, err := st.Region(vctx, code)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(plain, kept) {
				t.Fatalf("région %s (appel %d avec version) diffère de la lecture sans version", code, i+1)
			}
		}
		for _, f := range plain.Formations {
			if f.Libelle != "" {
				formations++
			}
		}
	}
	if formations == 0 {
		t.Fatal("aucune formation libellée comparée")
	}
}

// TestRebuiltRegionsOncePerVersion: where the région × formation file
// lacks keys (every row of Bretagne and every row of three codes deleted
// here), the régions rebuilt from the establishments kept once per data
// version are the ones each page reads for itself, on the région page and
// on the establishment × formation page.
func TestRebuiltRegionsOncePerVersion(t *testing.T) {
	pool := testdb.Pool(t, "rebuilt")
	ctx := context.Background()
	if _, err := importer.ImportDemo(ctx, pool, "../../testdata/demo"); err != nil {
		t.Fatal(err)
	}
	var codes []string
	if err := pool.QueryRow(ctx, `SELECT array_agg(code) FROM (SELECT code FROM ij_uai_formation u WHERE region IS NOT NULL
  AND EXISTS (SELECT 1 FROM ij_region_formation r WHERE r.code = u.code) GROUP BY code ORDER BY count(*) DESC, code LIMIT 3) c`).Scan(&codes); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `DELETE FROM ij_region_formation WHERE region = '53' OR code = ANY($1)`, codes); err != nil {
		t.Fatal(err)
	}
	var pairs [][2]string
	rows, err := pool.Query(ctx, `SELECT DISTINCT ON (code) uai, code FROM ij_uai_formation WHERE code = ANY($1) AND region IS NOT NULL ORDER BY code, uai`, codes)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var p [2]string
		if err := rows.Scan(&p[0], &p[1]); err != nil {
			t.Fatal(err)
		}
		pairs = append(pairs, p)
	}
	if rows.Err() != nil || len(pairs) == 0 {
		t.Fatalf("paires : %v (%d)", rows.Err(), len(pairs))
	}
	st := store.New(pool)
	v, err := st.DataVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	vctx := store.WithDataVersion(ctx, v)
	plain, err := st.Region(ctx, "53")
	if err != nil {
		t.Fatal(err)
	}
	if len(plain.Formations) == 0 {
		t.Fatal("Bretagne sans formation : rien n'a été reconstruit depuis les établissements")
	}
	kept, err := st.Region(vctx, "53")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(plain, kept) {
		t.Errorf("Bretagne reconstruite une fois par version ≠ lue pour elle-même")
	}
	for _, p := range pairs {
		plain, err := st.EtablissementFormation(ctx, p[0], p[1])
		if err != nil {
			t.Fatal(err)
		}
		kept, err := st.EtablissementFormation(vctx, p[0], p[1])
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(plain, kept) {
			t.Errorf("%s × %s : chiffres avec les régions reconstruites une fois par version ≠ lus pour la page", p[0], p[1])
		}
	}
}

// TestTerritoryViewsOncePerVersion: every académie (read at each call)
// and the establishments of every académie and région (kept once per
// data version and shared), read with a data version, are what a read
// without version gives, and a second read returns the kept value
// unchanged.
func TestTerritoryViewsOncePerVersion(t *testing.T) {
	st, ctx, vctx := demoVersioned(t)
	acads, err := st.Academies(ctx)
	if err != nil {
		t.Fatal(err)
	}
	formations, etabs := 0, 0
	for _, a := range acads {
		pa, pd, err := st.AcademieDetail(ctx, a.Code)
		if err != nil {
			t.Fatal(err)
		}
		deps := make([]string, len(pa.Departements))
		for i, d := range pa.Departements {
			deps[i] = d.Code
		}
		pe, err := st.TerritoryEtablissements(ctx, pa.Region.Code, deps)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 2; i++ {
			ka, kd, err := st.AcademieDetail(vctx, a.Code)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(pa, ka) || !reflect.DeepEqual(pd, kd) {
				t.Fatalf("académie %s (appel %d avec version) diffère de la lecture sans version", a.Code, i+1)
			}
			ke, err := st.TerritoryEtablissements(vctx, pa.Region.Code, deps)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(pe, ke) {
				t.Fatalf("établissements de l'académie %s (appel %d avec version) diffèrent", a.Code, i+1)
			}
		}
		formations += len(pd.Formations)
		etabs += len(pe)
	}
	for _, r := range model.AllRegions() {
		pe, err := st.TerritoryEtablissements(ctx, r.Code, nil)
		if err != nil {
			t.Fatal(err)
		}
		ke, err := st.TerritoryEtablissements(vctx, r.Code, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(pe, ke) {
			t.Fatalf("établissements de la région %s : avec version ≠ sans version", r.Code)
		}
	}
	if formations == 0 || etabs == 0 {
		t.Fatalf("%d formations, %d établissements d'académie : rien de comparé", formations, etabs)
	}
	if _, _, err := st.AcademieDetail(vctx, "ZZ"); err == nil {
		t.Error("académie ZZ inconnue : une erreur est attendue, y compris avec version")
	}
}

// TestEtabNamesOncePerVersion: the establishments offering a formation
// (InserJeunes and InserSup) named from the names kept once per data
// version are those named by their own read.
func TestEtabNamesOncePerVersion(t *testing.T) {
	st, ctx, vctx := demoVersioned(t)
	named := 0
	for _, code := range []string{"40030004", "50022137", "32221022711"} {
		plain, err := st.FormationDetail(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		kept, err := st.FormationDetail(vctx, code)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(plain.Etablissements, kept.Etablissements) {
			t.Fatalf("formation %s : établissements avec version ≠ sans version", code)
		}
		for _, e := range kept.Etablissements {
			if e.Nom != "" {
				named++
			}
		}
	}
	var sise string
	if err := st.Pool().QueryRow(ctx, `SELECT sise FROM insersup GROUP BY sise ORDER BY count(DISTINCT uai) DESC, sise LIMIT 1`).Scan(&sise); err != nil {
		t.Fatal(err)
	}
	plain, err := st.FormationSupDetail(ctx, sise)
	if err != nil {
		t.Fatal(err)
	}
	kept, err := st.FormationSupDetail(vctx, sise)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(plain, kept) {
		t.Fatalf("diplôme %s : avec version ≠ sans version", sise)
	}
	if named == 0 || len(kept.Etablissements) == 0 {
		t.Fatalf("%d établissements nommés, %d pour %s : rien de comparé", named, len(kept.Etablissements), sise)
	}
}

// demoVersioned is the demo store, a context without data version and
// one with the current version (what is kept once per version is read
// through the second).
func demoVersioned(t *testing.T) (*store.Store, context.Context, context.Context) {
	t.Helper()
	st := demoStore(t)
	ctx := context.Background()
	v, err := st.DataVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return st, ctx, store.WithDataVersion(ctx, v)
}
