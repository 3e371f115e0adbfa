package store_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/vitrine-inserjeunes/vitrine/internal/importer"
	"github.com/vitrine-inserjeunes/vitrine/internal/model"
	"github.com/vitrine-inserjeunes/vitrine/internal/store"
	"github.com/vitrine-inserjeunes/vitrine/internal/testdb"
)

// The formation read paths are tested on the whole bundled demo set
// (real referentials and regional file, synthetic establishment ×
// formation files, real and synthetic InserSup), loaded once.
var (
	demoOnce sync.Once
	demoErr  error
)

func demoStore(t testing.TB) *store.Store {
	t.Helper()
	pool := testdb.Pool(t, "formations")
	demoOnce.Do(func() {
		_, demoErr = importer.ImportDemo(context.Background(), pool, "../../testdata/demo")
	})
	if demoErr != nil {
		t.Fatalf("demo import: %v", demoErr)
	}
	return store.New(pool)
}

func iv(p *int) string {
	if p == nil {
		return "null"
	}
	return strconv.Itoa(*p)
}

func regionFigure(t *testing.T, d model.FormationDetail, region, millesime, voie string) model.FormationFigure {
	t.Helper()
	for _, r := range d.Regions {
		if r.Region.Code != region {
			continue
		}
		for _, f := range r.Chiffres {
			if f.Millesime == millesime && f.Voie == voie {
				return f
			}
		}
	}
	t.Fatalf("%s: no figure for région %s %s %s", d.Formation.Code, region, millesime, voie)
	return model.FormationFigure{}
}

func nationalFigure(t *testing.T, d model.FormationDetail, millesime, voie string) model.FormationFigure {
	t.Helper()
	for _, f := range d.National {
		if f.Millesime == millesime && f.Voie == voie {
			return f
		}
	}
	t.Fatalf("%s: no national figure %s %s", d.Formation.Code, millesime, voie)
	return model.FormationFigure{}
}

// Golden rows of ij_api_region_formation_2019-2022.csv, read by hand:
// the API returns exactly the file's counts and rates.
func TestGoldenRegionalRows(t *testing.T) {
	s := demoStore(t)
	ctx := context.Background()
	tests := []struct {
		row                                     string
		code, region, millesime                 string
		term, sortant, pours, e6, e12, e18, e24 string
		tpours, t6, t12, t18, t24, partP, partE string
		partAutres                              string
	}{
		// 2021_2022_03_scolaire_23830030001;…;1161;203;;;175;748;413;49;;;42;64
		{"Bac Pro Gestion-Administration, Bretagne, 2021_2022", "23830030001", "53", "2021_2022",
			"1161", "413", "748", "175", "203", "null", "null", "64", "42", "49", "null", "null", "64", "15", "21"},
		// 2019_2020_10_scolaire_32221022002;…;52;12;12;15;9;31;21;57;57;71;43;60
		{"BTS, Île-de-France, 2019_2020", "32221022002", "11", "2019_2020",
			"52", "21", "31", "9", "12", "12", "15", "60", "43", "57", "57", "71", "60", "17", "23"},
		// 2019_2020_10_scolaire_32221034304;…;68;19;23;28;21;28;40;48;58;70;53;41
		// 21/40 = 52.5 %: the producer published 53 (not half to even): kept as published.
		{"published tie kept as published", "32221034304", "11", "2019_2020",
			"68", "40", "28", "21", "19", "23", "28", "41", "53", "48", "58", "70", "41", "31", "28"},
	}
	for _, tc := range tests {
		t.Run(tc.row, func(t *testing.T) {
			d, err := s.FormationDetail(ctx, tc.code)
			if err != nil {
				t.Fatal(err)
			}
			f := regionFigure(t, d, tc.region, tc.millesime, model.VoieScolaire)
			got := []string{iv(f.NbAnneeTerm), iv(f.NbSortant), iv(f.NbPoursuiteEtudes), iv(f.NbEnEmploi6Mois), iv(f.NbEnEmploi12Mois),
				iv(f.NbEnEmploi18Mois), iv(f.NbEnEmploi24Mois), iv(f.TauxPoursuiteEtudes), iv(f.TauxEmploi6Mois), iv(f.TauxEmploi12Mois),
				iv(f.TauxEmploi18Mois), iv(f.TauxEmploi24Mois), iv(f.PartPoursuiteEtudes), iv(f.PartEmploi6Mois), iv(f.PartAutresSituations)}
			want := []string{tc.term, tc.sortant, tc.pours, tc.e6, tc.e12, tc.e18, tc.e24, tc.tpours, tc.t6, tc.t12, tc.t18, tc.t24,
				tc.partP, tc.partE, tc.partAutres}
			if strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("got  %v\nwant %v", got, want)
			}
			if f.Calcule || f.Statut != model.StatutOK || f.Demonstration || f.Source.Fichier != "ij_api_region_formation_2019-2022.csv" {
				t.Errorf("calcule %v statut %q demonstration %v source %+v", f.Calcule, f.Statut, f.Demonstration, f.Source)
			}
			if f.EmploiPublicExclu != (tc.millesime != "2021_2022") {
				t.Errorf("emploi_public_exclu = %v", f.EmploiPublicExclu)
			}
		})
	}
}

// The national figure is the sum over the régions, rates recomputed half
// to even; for Bac Pro Gestion-Administration 2021_2022 the sums were read
// independently from the file: 42022 / 16087 / 25935 / 5648 / 6751.
func TestNationalIsSumOfRegions(t *testing.T) {
	s := demoStore(t)
	ctx := context.Background()
	d, err := s.FormationDetail(ctx, "23830030001")
	if err != nil {
		t.Fatal(err)
	}
	n := nationalFigure(t, d, "2021_2022", model.VoieScolaire)
	if iv(n.NbAnneeTerm) != "42022" || iv(n.NbSortant) != "16087" || iv(n.NbPoursuiteEtudes) != "25935" ||
		iv(n.NbEnEmploi6Mois) != "5648" || iv(n.NbEnEmploi12Mois) != "6751" || n.NbEnEmploi18Mois != nil {
		t.Errorf("national counts = %s %s %s %s %s", iv(n.NbAnneeTerm), iv(n.NbSortant), iv(n.NbPoursuiteEtudes), iv(n.NbEnEmploi6Mois), iv(n.NbEnEmploi12Mois))
	}
	if iv(n.TauxPoursuiteEtudes) != "62" || iv(n.TauxEmploi6Mois) != "35" || iv(n.TauxEmploi12Mois) != "42" || !n.Calcule ||
		n.Agregat == nil || n.Agregat.Composantes != 17 || n.Agregat.Perimetre != model.PerimetreNational {
		t.Errorf("national rates = %s %s %s calcule %v agregat %+v", iv(n.TauxPoursuiteEtudes), iv(n.TauxEmploi6Mois), iv(n.TauxEmploi12Mois), n.Calcule, n.Agregat)
	}
	// For every millésime and voie of a few formations: national = Σ of the
	// régions' rows in the file, indicator by indicator (model.Aggregate):
	// nb_annee_term over every région, each rate over the régions that
	// publish both its counts, withheld when that denominator is below 20.
	compared := 0
	for _, code := range []string{"23830030001", "50022137", "32221034304", "40030001", "50033610"} {
		d, err := s.FormationDetail(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range d.National {
			if n.SourceContinuum != nil {
				continue
			}
			codes := []string{n.Code}
			if n.Voie == model.VoieScolaire && n.MEFSTAT11 == "" { // the CFD's MEFSTAT11s summed
				codes = d.Formation.MEFSTAT11AnneeTerminale
			}
			var total, termP, pours, sortant, sortantE, e6 int
			err := s.Pool().QueryRow(ctx, `SELECT sum(nb_annee_term),
  coalesce(sum(nb_annee_term) FILTER (WHERE nb_poursuite_etudes IS NOT NULL), 0), coalesce(sum(nb_poursuite_etudes), 0),
  coalesce(sum(nb_sortant), 0), coalesce(sum(nb_sortant) FILTER (WHERE nb_en_emploi_6_mois IS NOT NULL), 0),
  coalesce(sum(nb_en_emploi_6_mois) FILTER (WHERE nb_sortant IS NOT NULL), 0)
FROM ij_region_formation WHERE code = ANY($1) AND millesime = $2 AND voie = $3`, codes, n.Millesime, n.Voie).Scan(&total, &termP, &pours, &sortant, &sortantE, &e6)
			if err != nil {
				t.Fatal(err)
			}
			compared++
			if n.Agregat.NbAnneeTermTotal != total || total >= 20 && iv(n.NbAnneeTerm) != strconv.Itoa(total) {
				t.Errorf("%s %s %s: total %d / nb_annee_term %s, Σ régions %d", code, n.Millesime, n.Voie, n.Agregat.NbAnneeTermTotal, iv(n.NbAnneeTerm), total)
			}
			if total < 20 {
				continue
			}
			wantP, wantE := "null", "null"
			if termP >= 20 {
				v, _ := model.RoundHalfEven(pours, termP)
				wantP = strconv.Itoa(v)
			}
			if sortantE >= 20 {
				v, _ := model.RoundHalfEven(e6, sortantE)
				wantE = strconv.Itoa(v)
			}
			if iv(n.NbSortant) != strconv.Itoa(sortant) && sortant > 0 || iv(n.TauxPoursuiteEtudes) != wantP || iv(n.TauxEmploi6Mois) != wantE {
				t.Errorf("%s %s %s: national %s/%s/%s/%s, Σ régions %d/%d/%s/%s", code, n.Millesime, n.Voie,
					iv(n.NbAnneeTerm), iv(n.NbSortant), iv(n.TauxPoursuiteEtudes), iv(n.TauxEmploi6Mois), total, sortant, wantP, wantE)
			}
		}
	}
	if compared < 20 {
		t.Errorf("only %d national figures compared", compared)
	}
}

// A région that publishes nb_poursuite_etudes and nb_annee_term but no
// nb_sortant (every leaver continued) enters the national poursuite rate
// and nb_annee_term, not the employment rates: found in the file by a
// query, compared with sums the query computes.
func TestNationalKeepsRegionWithoutSortants(t *testing.T) {
	s := demoStore(t)
	ctx := context.Background()
	rows, err := s.Pool().Query(ctx, `SELECT code, millesime, count(*), sum(nb_annee_term),
  sum(nb_annee_term) FILTER (WHERE nb_poursuite_etudes IS NOT NULL), sum(nb_poursuite_etudes),
  count(*) FILTER (WHERE nb_poursuite_etudes IS NOT NULL), count(*) FILTER (WHERE nb_sortant IS NOT NULL AND nb_en_emploi_6_mois IS NOT NULL),
  coalesce(sum(nb_annee_term) FILTER (WHERE nb_sortant IS NOT NULL AND nb_poursuite_etudes IS NOT NULL), 0)
FROM ij_region_formation WHERE voie = 'apprentissage' GROUP BY code, millesime
HAVING bool_or(nb_sortant IS NULL AND nb_poursuite_etudes IS NOT NULL)
  AND sum(nb_annee_term) FILTER (WHERE nb_poursuite_etudes IS NOT NULL) >= 20
ORDER BY code, millesime LIMIT 12`)
	if err != nil {
		t.Fatal(err)
	}
	type key struct {
		code, millesime                     string
		n, total, termP, pours, nP, nE, old int
	}
	keys, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (key, error) {
		var k key
		err := r.Scan(&k.code, &k.millesime, &k.n, &k.total, &k.termP, &k.pours, &k.nP, &k.nE, &k.old)
		return k, err
	})
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, k := range keys {
		d, err := s.FormationDetail(ctx, k.code)
		if err != nil {
			t.Fatal(err)
		}
		n := nationalFigure(t, d, k.millesime, model.VoieApprentissage)
		if n.SourceContinuum != nil || n.Agregat == nil || n.Agregat.Composantes != k.n {
			continue // borrowed, or régions rebuilt from establishments join in
		}
		found++
		wantP, _ := model.RoundHalfEven(k.pours, k.termP)
		if iv(n.NbAnneeTerm) != strconv.Itoa(k.total) || iv(n.TauxPoursuiteEtudes) != strconv.Itoa(wantP) {
			t.Errorf("%s %s: nb_annee_term %s taux_poursuite_etudes %s, want %d and %d (%d/%d; the old rule summed %d learners)",
				k.code, k.millesime, iv(n.NbAnneeTerm), iv(n.TauxPoursuiteEtudes), k.total, wantP, k.pours, k.termP, k.old)
		}
		if c := n.Agregat.Couverture(model.IndTauxPoursuiteEtudes); c != (model.Couverture{Composantes: k.nP, Exclues: k.n - k.nP}) {
			t.Errorf("%s %s: coverage of taux_poursuite_etudes %+v, want %d of %d", k.code, k.millesime, c, k.nP, k.n)
		}
		if c := n.Agregat.Couverture(model.IndTauxEmploi6Mois); c.Composantes != k.nE || k.nE >= k.nP {
			t.Errorf("%s %s: coverage of taux_emploi_6_mois %+v, want %d (< %d)", k.code, k.millesime, c, k.nE, k.nP)
		}
	}
	if found == 0 {
		t.Fatalf("no national figure compared among %d keys", len(keys))
	}
}

// The synthetic establishment × formation files sum exactly to the real
// regional file, for every key, and the import says so.
func TestUAISumsEqualRegionalFile(t *testing.T) {
	s := demoStore(t)
	ctx := context.Background()
	pool := s.Pool()
	var keys, differ, onlyU, onlyR int
	err := pool.QueryRow(ctx, `
WITH u AS (SELECT millesime, region, voie, code, sum(nb_annee_term) t, sum(nb_sortant) s, sum(nb_poursuite_etudes) p,
    sum(nb_en_emploi_6_mois) e6, sum(nb_en_emploi_12_mois) e12, sum(nb_en_emploi_18_mois) e18, sum(nb_en_emploi_24_mois) e24
  FROM ij_uai_formation WHERE source = 'depp_api_uai' GROUP BY 1, 2, 3, 4)
SELECT count(*) FILTER (WHERE u.code IS NOT NULL AND r.code IS NOT NULL),
  count(*) FILTER (WHERE (u.t, u.s, u.p, u.e6, u.e12, u.e18, u.e24) IS DISTINCT FROM
    (r.nb_annee_term, r.nb_sortant, r.nb_poursuite_etudes, r.nb_en_emploi_6_mois, r.nb_en_emploi_12_mois, r.nb_en_emploi_18_mois, r.nb_en_emploi_24_mois)),
  count(*) FILTER (WHERE r.code IS NULL), count(*) FILTER (WHERE u.code IS NULL)
FROM u FULL JOIN ij_region_formation r USING (millesime, region, voie, code)`).Scan(&keys, &differ, &onlyU, &onlyR)
	if err != nil {
		t.Fatal(err)
	}
	if keys != 29410 || differ != 0 || onlyU != 0 || onlyR != 0 {
		t.Errorf("keys %d (want 29410, every row of the regional file), differ %d, only establishments %d, only regional %d", keys, differ, onlyU, onlyR)
	}
	var checks []string
	if err := pool.QueryRow(ctx, `SELECT checks FROM import_files WHERE name = 'ij_uai_formation_2021_2022.csv'`).Scan(&checks); err != nil {
		t.Fatal(err)
	}
	if len(checks) == 0 || !strings.Contains(checks[0], "10458 clé(s) comparée(s), 10458 identique(s), 0 différente(s)") {
		t.Errorf("import summary check = %q", checks)
	}
}

// The rate-only portal layout agrees with the counts layout wherever it
// publishes: same rates, and parts equal to those computed from counts.
func TestPortalLayoutAgreesWithCounts(t *testing.T) {
	s := demoStore(t)
	rows, err := s.Pool().Query(context.Background(), `
SELECT p.taux_poursuite_etudes, p.taux_emploi_6_mois, p.taux_emploi_12_mois, p.taux_emploi_18_mois, p.taux_emploi_24_mois,
  p.part_poursuite_etudes, p.part_emploi_6_mois, p.part_autres_situations,
  a.taux_poursuite_etudes, a.taux_emploi_6_mois, a.taux_emploi_12_mois, a.taux_emploi_18_mois, a.taux_emploi_24_mois,
  a.nb_annee_term, a.nb_poursuite_etudes, a.nb_en_emploi_6_mois, a.uai, a.code, a.millesime
FROM ij_uai_formation p JOIN ij_uai_formation a ON a.uai = p.uai AND a.millesime = p.millesime AND a.voie = p.voie
  AND a.code = p.code AND a.source = 'depp_api_uai'
WHERE p.source = 'portail_formation_fine'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n, published, bad := 0, 0, 0
	for rows.Next() {
		var p, a [5]*int
		var parts [3]*int
		var term, pours, e6 *int
		var uai, code, mill string
		if err := rows.Scan(&p[0], &p[1], &p[2], &p[3], &p[4], &parts[0], &parts[1], &parts[2],
			&a[0], &a[1], &a[2], &a[3], &a[4], &term, &pours, &e6, &uai, &code, &mill); err != nil {
			t.Fatal(err)
		}
		n++
		for i := range p {
			if p[i] != nil && (a[i] == nil || *a[i] != *p[i]) {
				bad++
			}
		}
		if parts[0] != nil {
			published++
			w := model.WithParts(model.RawFigure{NbAnneeTerm: term, NbPoursuiteEtudes: pours, NbEnEmploi6Mois: e6})
			if iv(w.PartPoursuiteEtudes)+iv(w.PartEmploi6Mois)+iv(w.PartAutresSituations) != iv(parts[0])+iv(parts[1])+iv(parts[2]) {
				bad++
				if bad < 5 {
					t.Errorf("%s %s %s: parts %s %s %s, from counts %s %s %s", uai, code, mill, iv(parts[0]), iv(parts[1]), iv(parts[2]),
						iv(w.PartPoursuiteEtudes), iv(w.PartEmploi6Mois), iv(w.PartAutresSituations))
				}
			}
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	// Every portal row has its counts twin.
	var portal int
	if err := s.Pool().QueryRow(context.Background(), `SELECT count(*) FROM ij_uai_formation WHERE source = 'portail_formation_fine'`).Scan(&portal); err != nil {
		t.Fatal(err)
	}
	if n != portal || published < 30000 || bad != 0 {
		t.Errorf("compared %d rows (want %d, every portal row), %d with parts, %d disagreements", n, portal, published, bad)
	}
}

// A pair with 19 learners shows no rate (nor count but nb_annee_term);
// 20 shows them. Synthetic 2021_2022 scolaire: the first MEFSTAT11 offered
// by one establishment with 19 learners and another with 20 (fewer than 20
// sortants, a published taux de poursuite), found in the loaded rows.
func TestThresholdOnPairs(t *testing.T) {
	s := demoStore(t)
	ctx := context.Background()
	code, uai19, uai20, pours20 := testdb.ThresholdPair(t, s.Pool())
	for _, tc := range []struct {
		uai    string
		term   int
		statut string
		pours  string
	}{
		{uai19, 19, model.StatutSousSeuil, "null"},
		{uai20, 20, model.StatutOK, pours20},
	} {
		d, err := s.EtablissementFormation(ctx, tc.uai, code)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, c := range d.Chiffres {
			if c.Millesime != "2021_2022" || c.Voie != model.VoieScolaire {
				continue
			}
			found = true
			f := c.Etablissement
			if *f.NbAnneeTerm != tc.term || f.Statut != tc.statut || iv(f.TauxPoursuiteEtudes) != tc.pours || !f.Demonstration {
				t.Errorf("%s: nb_annee_term %s statut %q taux_poursuite_etudes %s demonstration %v", tc.uai, iv(f.NbAnneeTerm), f.Statut, iv(f.TauxPoursuiteEtudes), f.Demonstration)
			}
			if tc.term < 20 && (f.NbSortant != nil || f.NbPoursuiteEtudes != nil || f.PartPoursuiteEtudes != nil ||
				f.PartEmploi6Mois != nil || f.TauxEmploi6Mois != nil || f.NbEnEmploi6Mois != nil) {
				t.Errorf("%s: something but nb_annee_term is shown under the threshold: %+v", tc.uai, f.Figure)
			}
			if tc.term >= 20 && (f.PartPoursuiteEtudes == nil || f.TauxEmploi6Mois != nil) {
				t.Errorf("%s: parts must show, taux_emploi_6_mois (fewer than 20 sortants) must not: %+v", tc.uai, f.Figure)
			}
		}
		if !found || !d.Demonstration {
			t.Errorf("%s: 2021_2022 found %v, demonstration %v", tc.uai, found, d.Demonstration)
		}
		// The same pair in the establishment's formation list and on the formation page.
		forms, err := s.EtablissementFormations(ctx, tc.uai)
		if err != nil {
			t.Fatal(err)
		}
		listed := false
		for _, f := range forms {
			if f.Voie == model.VoieScolaire && (f.Code == code || f.MEFSTAT11 == code || f.Dernier != nil && f.Dernier.Code == code) {
				listed = true
				if f.Dernier == nil || f.Dernier.Statut != tc.statut || iv(f.Dernier.TauxPoursuiteEtudes) != tc.pours {
					t.Errorf("%s: formation list shows %+v", tc.uai, f.Dernier)
				}
			}
		}
		if !listed {
			t.Errorf("%s: %s not in the establishment's formation list", tc.uai, code)
		}
		fd, err := s.FormationDetail(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range fd.Etablissements {
			if o.UAI == tc.uai && o.Dernier.Millesime == "2021_2022" && (o.Dernier.Statut != tc.statut || iv(o.Dernier.TauxPoursuiteEtudes) != tc.pours) {
				t.Errorf("%s: formation page shows %s %s", tc.uai, o.Dernier.Statut, iv(o.Dernier.TauxPoursuiteEtudes))
			}
		}
	}
}

// Continuum on real BCN links: Bac Pro Gestion-Administration 40030001 →
// AGORA 40030004 (1:1). AGORA's scolaire figures are GA's, labelled; its
// own apprentissage figures of 2021_2022 win.
func TestContinuumGestionAdministration(t *testing.T) {
	s := demoStore(t)
	ctx := context.Background()
	for _, code := range []string{"40030004", "23830030004"} {
		d, err := s.FormationDetail(ctx, code)
		if err != nil {
			t.Fatal(err)
		}
		if len(d.Formation.Anciens) != 1 || d.Formation.Anciens[0].Code != "40030001" || !d.Formation.Anciens[0].UnPourUn {
			t.Errorf("%s: anciens = %+v", code, d.Formation.Anciens)
		}
		for _, m := range []string{"2019_2020", "2020_2021", "2021_2022"} {
			f := nationalFigure(t, d, m, model.VoieScolaire)
			sc := f.SourceContinuum
			if sc == nil || sc.Code != "40030001" || sc.Sens != model.SensAncien || sc.Libelle != "Gestion-administration (BAC PRO)" || f.Code != "23830030001" {
				t.Errorf("%s %s scolaire: code %s source_continuum %+v", code, m, f.Code, sc)
			}
		}
		n := nationalFigure(t, d, "2021_2022", model.VoieScolaire)
		if iv(n.NbAnneeTerm) != "42022" {
			t.Errorf("%s: borrowed national = %s, want GA's 42022", code, iv(n.NbAnneeTerm))
		}
		own := nationalFigure(t, d, "2021_2022", model.VoieApprentissage)
		if own.SourceContinuum != nil || own.Code != "40030004" || own.Agregat.NbAnneeTermTotal != 21 {
			t.Errorf("%s: own apprentissage 2021_2022 = code %s continuum %+v agregat %+v", code, own.Code, own.SourceContinuum, own.Agregat)
		}
		old := nationalFigure(t, d, "2020_2021", model.VoieApprentissage)
		if old.SourceContinuum == nil || old.Code != "40030001" {
			t.Errorf("%s: apprentissage 2020_2021 should be GA's: %+v", code, old.SourceContinuum)
		}
		if code == "23830030004" && (d.Formation.MEFSTAT11 != code || d.Formation.CFD != "40030004") {
			t.Errorf("MEFSTAT11 identity = %+v", d.Formation)
		}
	}
	// The predecessor shows its own figures only.
	d, err := s.FormationDetail(ctx, "40030001")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range d.National {
		if f.SourceContinuum != nil {
			t.Errorf("40030001 %s %s borrowed from %+v", f.Millesime, f.Voie, f.SourceContinuum)
		}
	}
	if !d.Formation.FormationFermee || d.Formation.DateFermeture == nil || *d.Formation.DateFermeture != "2022-08-31" ||
		len(d.Formation.Nouveaux) != 1 || d.Formation.Niveau != "BAC PRO" {
		t.Errorf("40030001 identity = %+v", d.Formation)
	}
	// An establishment: the pair (UAI, AGORA) borrows GA's figures.
	var uai string
	if err := s.Pool().QueryRow(ctx, `SELECT uai FROM ij_uai_formation WHERE code = '23830030001' AND millesime = '2021_2022'
  AND source = 'depp_api_uai' AND nb_annee_term >= 20 ORDER BY uai LIMIT 1`).Scan(&uai); err != nil {
		t.Fatal(err)
	}
	ef, err := s.EtablissementFormation(ctx, uai, "40030004")
	if err != nil {
		t.Fatal(err)
	}
	ok := false
	for _, c := range ef.Chiffres {
		if c.Millesime == "2021_2022" && c.Voie == model.VoieScolaire {
			ok = c.Etablissement.SourceContinuum != nil && c.Etablissement.SourceContinuum.Code == "40030001" &&
				c.Etablissement.Statut == model.StatutOK && c.National.SourceContinuum != nil
		}
	}
	if !ok {
		t.Errorf("%s × 40030004: no borrowed 2021_2022 scolaire figure: %+v", uai, ef.Chiffres)
	}
}

// InserSup: the real 60-record extract imports; the headline figures of
// Master MEEF 2nd degré (2500249) at Université Côte d'Azur read back
// exactly (diplômés, promotions 2020-2021).
func TestInserSupHeadline(t *testing.T) {
	s := demoStore(t)
	ctx := context.Background()
	var n int
	if err := s.Pool().QueryRow(ctx, `SELECT count(*) FROM insersup WHERE uai = '0062205P' AND sise = '2500249'`).Scan(&n); err != nil || n != 60 {
		t.Fatalf("records = %d, %v", n, err)
	}
	d, err := s.EtablissementSup(ctx, "0062205P", "2500249")
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Chiffres) != 1 || d.Demonstration {
		t.Fatalf("chiffres = %d, demonstration %v", len(d.Chiffres), d.Demonstration)
	}
	h := d.Chiffres[0].Etablissement
	fl := func(p *float64) string {
		if p == nil {
			return "null"
		}
		return strconv.FormatFloat(*p, 'f', -1, 64)
	}
	got := strings.Join([]string{h.Millesime, iv(h.NbSortants), iv(h.NbPoursuivants), iv(h.NbDiplomes),
		fl(h.TauxEmploiSalarieFr6Mois), fl(h.TauxEmploiSalarieFr12Mois), fl(h.TauxEmploiSalarieFr18Mois),
		fl(h.TauxEmploiSalarieFr24Mois), fl(h.TauxEmploiSalarieFr30Mois), h.Statut}, " ")
	if want := "2020_2021 123 11 134 85.37 86.18 88.62 88.62 90.24 ok"; got != want {
		t.Errorf("headline = %s\nwant       %s", got, want)
	}
	if len(h.Repartitions) != 11 {
		t.Errorf("breakdowns = %d, want 11", len(h.Repartitions))
	}
	for _, r := range h.Repartitions {
		if r.ObtentionDiplome == "diplômé" && r.Genre == "femme" && r.Nationalite == "ensemble" {
			if fl(r.TauxEmploiSalarieFr12Mois) != "86.67" || iv(r.NbSortants) != "75" {
				t.Errorf("femmes diplômées 12 mois = %s (%s sortantes), want 86.67 (75)", fl(r.TauxEmploiSalarieFr12Mois), iv(r.NbSortants))
			}
		}
	}
	fd, err := s.FormationSupDetail(ctx, "2500249")
	if err != nil {
		t.Fatal(err)
	}
	if fd.Formation.Niveau != "Master MEEF" || len(fd.National) != 1 || fl(fd.National[0].TauxEmploiSalarieFr12Mois) != "86.18" ||
		!fd.National[0].Calcule || len(fd.Etablissements) != 1 {
		t.Errorf("formation = %+v national %+v", fd.Formation, fd.National)
	}
	// Synthetic InserSup: marked as demonstration, small cohorts hidden.
	var sise string
	if err := s.Pool().QueryRow(ctx, `SELECT sise FROM insersup i JOIN import_files f ON f.id = i.file_id WHERE f.synthetic LIMIT 1`).Scan(&sise); err != nil {
		t.Fatal(err)
	}
	sd, err := s.FormationSupDetail(ctx, sise)
	if err != nil {
		t.Fatal(err)
	}
	if !sd.Demonstration {
		t.Errorf("synthetic SISE %s not marked as demonstration", sise)
	}
	for _, e := range sd.Etablissements {
		f := e.Dernier
		if f.NbDiplomes != nil && *f.NbDiplomes < 20 && (f.TauxEmploiSalarieFr12Mois != nil || f.NbSortants != nil) {
			t.Errorf("%s %s: %d graduates but figures shown", e.UAI, sise, *f.NbDiplomes)
		}
	}
}

// Why no figure: unknown code, unknown UAI, formation not taught there.
func TestAbsences(t *testing.T) {
	s := demoStore(t)
	ctx := context.Background()
	check := func(err error, statut string) {
		t.Helper()
		var nf *model.NotFoundError
		if !errors.As(err, &nf) || nf.Statut != statut || !errors.Is(err, model.ErrNotFound) {
			t.Errorf("err = %v, want statut %s", err, statut)
		}
	}
	_, err := s.FormationDetail(ctx, "4003ZZZZ")
	check(err, model.StatutCodeInconnu)
	_, err = s.FormationDetail(ctx, "23830039999")
	check(err, model.StatutCodeInconnu)
	_, err = s.FormationSupDetail(ctx, "1234567")
	check(err, model.StatutCodeInconnu)
	_, err = s.EtablissementFormation(ctx, "0000001A", "40030001") // valid checksum? not needed: unknown
	check(err, model.StatutUAIInconnu)
	_, err = s.EtablissementFormation(ctx, "0062205P", "40030001")
	check(err, model.StatutNonDispensee)
	// A millésime the pair lacks says so and lists the ones it has.
	var uai string
	if err := s.Pool().QueryRow(ctx, `SELECT uai FROM ij_uai_formation u WHERE code = '50022137' AND source = 'depp_api_uai'
  GROUP BY uai HAVING count(DISTINCT millesime) = 2 AND NOT bool_or(millesime = '2021_2022') ORDER BY uai LIMIT 1`).Scan(&uai); err != nil {
		t.Fatal(err)
	}
	d, err := s.EtablissementFormation(ctx, uai, "50022137")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, c := range d.Chiffres {
		if c.Millesime == "2021_2022" {
			found = true
			if c.Etablissement.Statut != model.StatutMillesimeAbsent || len(c.Etablissement.MillesimesDisponibles) != 2 ||
				c.Etablissement.NbAnneeTerm != nil || c.National.Statut != model.StatutOK {
				t.Errorf("%s 2021_2022: %+v", uai, c.Etablissement)
			}
		}
	}
	if !found {
		t.Errorf("%s: 2021_2022 row missing", uai)
	}
}

// Région view: per formation as published, per level the sum of its
// formations with rates recomputed.
func TestRegionLevels(t *testing.T) {
	s := demoStore(t)
	d, err := s.Region(context.Background(), "53")
	if err != nil {
		t.Fatal(err)
	}
	if d.Region.Nom != "Bretagne" || len(d.Formations) == 0 || len(d.Niveaux) == 0 {
		t.Fatalf("région = %+v, %d formations, %d niveaux", d.Region, len(d.Formations), len(d.Niveaux))
	}
	var term, pours int
	for _, f := range d.Formations {
		if f.Niveau != "BAC PRO" || f.Voie != model.VoieScolaire {
			continue
		}
		for _, c := range f.Chiffres {
			if c.Millesime == "2021_2022" {
				term += *c.NbAnneeTerm
				if c.NbPoursuiteEtudes != nil {
					pours += *c.NbPoursuiteEtudes
				}
			}
			if c.Code == "23830030001" && c.Millesime == "2021_2022" && iv(c.NbAnneeTerm) != "1161" {
				t.Errorf("GA Bretagne 2021_2022 = %s", iv(c.NbAnneeTerm))
			}
		}
	}
	for _, n := range d.Niveaux {
		if n.Niveau == "BAC PRO" && n.Voie == model.VoieScolaire {
			for _, c := range n.Chiffres {
				if c.Millesime == "2021_2022" {
					if c.Agregat.NbAnneeTermTotal != term || !c.Calcule {
						t.Errorf("BAC PRO scolaire 2021_2022: total %d, Σ formations %d", c.Agregat.NbAnneeTermTotal, term)
					}
					if c.Agregat.Couverture(model.IndNbPoursuiteEtudes).Exclues == 0 && *c.NbPoursuiteEtudes != pours {
						t.Errorf("poursuite %d, Σ %d", *c.NbPoursuiteEtudes, pours)
					}
				}
			}
		}
	}
	_, err = s.Region(context.Background(), "99")
	var nf *model.NotFoundError
	if !errors.As(err, &nf) {
		t.Errorf("région 99: %v", err)
	}
}
