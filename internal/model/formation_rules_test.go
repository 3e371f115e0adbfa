package model

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// reg builds a regional figure as the DEPP API file writes it:
// term, e12, e18, e24, e6, poursuite, sortant (nil for an empty field).
func reg(term int, e12, e18, e24, e6, pours, sortant *int) RawFigure {
	return RawFigure{NbAnneeTerm: Int(term), NbEnEmploi12Mois: e12, NbEnEmploi18Mois: e18, NbEnEmploi24Mois: e24,
		NbEnEmploi6Mois: e6, NbPoursuiteEtudes: pours, NbSortant: sortant}
}

var ip = Int

// Bac Pro Gestion-Administration, terminal year 23830030001, 2021_2022, the
// 17 rows of ij_api_region_formation_2019-2022.csv (read by hand).
var gaRegions2022 = []RawFigure{
	reg(10714, ip(1752), nil, nil, ip(1500), ip(6380), ip(4334)),
	reg(1582, ip(152), nil, nil, ip(111), ip(988), ip(594)),
	reg(308, ip(29), nil, nil, ip(16), ip(173), ip(135)),
	reg(2226, ip(386), nil, nil, ip(315), ip(1282), ip(944)),
	reg(2500, ip(428), nil, nil, ip(343), ip(1543), ip(957)),
	reg(3065, ip(454), nil, nil, ip(345), ip(1965), ip(1100)),
	reg(1738, ip(305), nil, nil, ip(262), ip(1152), ip(586)),
	reg(3462, ip(671), nil, nil, ip(489), ip(2082), ip(1380)),
	reg(4714, ip(878), nil, nil, ip(804), ip(2940), ip(1774)),
	reg(1476, ip(245), nil, nil, ip(215), ip(935), ip(541)),
	reg(1161, ip(203), nil, nil, ip(175), ip(748), ip(413)),
	reg(1350, ip(213), nil, nil, ip(185), ip(833), ip(517)),
	reg(131, ip(23), nil, nil, ip(13), ip(88), ip(43)),
	reg(3327, ip(475), nil, nil, ip(440), ip(2119), ip(1208)),
	reg(391, ip(33), nil, nil, ip(26), ip(267), ip(124)),
	reg(467, ip(22), nil, nil, ip(27), ip(282), ip(185)),
	reg(3410, ip(482), nil, nil, ip(382), ip(2158), ip(1252)),
}

// Bac Pro AGORA 40030004, apprentissage, 2021_2022: six régions, four of
// them with only nb_annee_term published.
var agoraRegions2022 = []RawFigure{
	reg(1, nil, nil, nil, nil, nil, nil),
	reg(6, ip(1), nil, nil, ip(1), ip(5), ip(1)),
	reg(3, nil, nil, nil, nil, nil, nil),
	reg(1, nil, nil, nil, nil, nil, nil),
	reg(9, ip(3), nil, nil, ip(1), ip(5), ip(4)),
	reg(1, nil, nil, nil, nil, nil, nil),
}

func eqp(a, b *int) bool { return (a == nil && b == nil) || (a != nil && b != nil && *a == *b) }

func showp(p *int) string {
	if p == nil {
		return "nil"
	}
	b, _ := json.Marshal(*p)
	return string(b)
}

// Rows of ij_api_region_formation_2019-2022.csv of each shape the
// per-indicator rule must handle, copied by hand (reg: term, e12, e18,
// e24, e6, poursuite, sortant; the row keys are the file's id column).
var (
	// 2019_2020 scolaire 23220023311, five régions: one (03, INSEE 53)
	// publishes nb_poursuite_etudes = nb_annee_term but no nb_sortant nor
	// employment count; one (14, INSEE 28) only nb_annee_term; Σ nb_sortant
	// = 19 although Σ nb_annee_term = 81.
	shape23220023311 = []RawFigure{
		reg(42, ip(2), ip(4), ip(5), ip(1), ip(31), ip(11)), // 2019_2020_10_scolaire_23220023311
		reg(3, nil, nil, nil, nil, nil, nil),                // 2019_2020_14_scolaire_23220023311
		reg(8, ip(3), ip(3), ip(3), ip(3), ip(4), ip(4)),    // 2019_2020_02_scolaire_23220023311
		reg(16, nil, nil, nil, nil, ip(16), nil),            // 2019_2020_03_scolaire_23220023311
		reg(12, ip(2), ip(1), ip(1), ip(1), ip(8), ip(4)),   // 2019_2020_06_scolaire_23220023311
	}
	// 2019_2020 scolaire 23220022002, three régions: 16 (INSEE 76)
	// publishes nb_poursuite_etudes = nb_annee_term = 28, no nb_sortant,
	// no employment count: every employment count misses one région.
	shape23220022002 = []RawFigure{
		reg(83, ip(2), ip(4), ip(6), ip(0), ip(62), ip(21)), // 2019_2020_10_scolaire_23220022002
		reg(28, nil, nil, nil, nil, ip(28), nil),            // 2019_2020_16_scolaire_23220022002
		reg(21, ip(1), ip(1), ip(3), ip(1), ip(17), ip(4)),  // 2019_2020_18_scolaire_23220022002
	}
	// 2019_2020 apprentissage 40025006, four régions: Σ nb_annee_term =
	// 23, but the two that publish counts hold 18 learners and 10 leavers.
	shape40025006 = []RawFigure{
		reg(6, ip(0), ip(0), ip(1), ip(1), ip(4), ip(2)),  // 2019_2020_10_apprentissage_40025006
		reg(2, nil, nil, nil, nil, nil, nil),              // 2019_2020_01_apprentissage_40025006
		reg(12, ip(5), ip(8), ip(8), ip(3), ip(4), ip(8)), // 2019_2020_02_apprentissage_40025006
		reg(3, nil, nil, nil, nil, nil, nil),              // 2019_2020_06_apprentissage_40025006
	}
	// 2020_2021 scolaire 23220022362, two régions of 17 learners each; 02
	// (INSEE 27) publishes only nb_poursuite_etudes = 17. The old rule
	// kept one région: 17 learners, everything withheld.
	shape23220022362 = []RawFigure{
		reg(17, ip(2), ip(2), ip(2), ip(1), ip(12), ip(5)), // 2020_2021_15_scolaire_23220022362
		reg(17, nil, nil, nil, nil, ip(17), nil),           // 2020_2021_02_scolaire_23220022362
	}
	// 2019_2020 scolaire 23220031220, three régions, every count published.
	shape23220031220 = []RawFigure{
		reg(23, ip(2), ip(3), ip(3), ip(1), ip(11), ip(12)), // 2019_2020_10_scolaire_23220031220
		reg(19, ip(1), ip(0), ip(2), ip(1), ip(12), ip(7)),  // 2019_2020_15_scolaire_23220031220
		reg(18, ip(1), ip(2), ip(4), ip(2), ip(9), ip(9)),   // 2019_2020_16_scolaire_23220031220
	}
)

func TestAggregateRealRegions(t *testing.T) {
	const (
		eleves   = "secret statistique : moins de 20 élèves"
		sortants = "secret statistique : moins de 20 sortants"
		nd       = "non diffusé par le producteur"
		mixed    = "non calculée : les parts en emploi et en poursuite d'études ne portent pas sur les mêmes composantes"
	)
	type want struct {
		v      *int
		reason string // the MissingReason when v is nil
	}
	w := func(v int) want { return want{v: ip(v)} }
	no := func(reason string) want { return want{reason: reason} }
	tests := []struct {
		name   string
		parts  []RawFigure
		values map[Indicator]want
		cover  map[Indicator]Couverture
		total  int
		sans   int
		statut string
	}{
		{"23220023311 2019_2020: nb_sortant empty with poursuite published, Σ nb_sortant < 20", shape23220023311,
			map[Indicator]want{
				IndNbAnneeTerm: w(81), // 42+3+8+16+12
				IndNbSortant:   w(19), // 11+4+4
				// 31+4+16+8 = 59 of 42+8+16+12 = 78 learners: 75.6 → 76 (the old rule: 43/62 → 69).
				IndTauxPoursuiteEtudes: w(76), IndNbPoursuiteEtudes: w(59),
				// The parts rest on the 3 régions publishing all three counts
				// (42+8+12 = 62 learners): 31+4+8 = 43/62 = 69.4 → 69 in formation.
				IndPartPoursuiteEtudes: w(69),
				// On 19 leavers: withheld, with their numerators.
				IndTauxEmploi6Mois: no(sortants), IndTauxEmploi12Mois: no(sortants), IndTauxEmploi24Mois: no(sortants),
				IndNbEnEmploi6Mois: no(sortants), IndNbEnEmploi12Mois: no(sortants), IndNbEnEmploi24Mois: no(sortants),
				// 1+3+1 = 5 of 42+8+12 = 62 learners: 8.06 → 8.
				IndPartEmploi6Mois: w(8),
				// 100 − 69 − 8: the three parts of the same 62 learners.
				IndPartAutresSituations: w(23),
				IndValeurAjoutee:        no("non calculé pour un agrégat"),
			},
			map[Indicator]Couverture{IndNbAnneeTerm: {5, 0}, IndNbSortant: {3, 2}, IndNbPoursuiteEtudes: {4, 1},
				IndTauxPoursuiteEtudes: {4, 1}, IndTauxEmploi6Mois: {3, 2}, IndPartEmploi6Mois: {3, 2}, IndPartAutresSituations: {3, 2}},
			81, 1, StatutOK},
		{"23220022002 2019_2020: employment counts miss one région", shape23220022002,
			map[Indicator]want{
				IndNbAnneeTerm: w(132), IndNbSortant: w(25), IndNbPoursuiteEtudes: w(107),
				// 62+28+17 = 107 of 132: 81.06 → 81 (the old rule: 79/104 → 76).
				IndTauxPoursuiteEtudes: w(81),
				// The parts: the 2 régions publishing every count, 83+21 = 104
				// learners, 62+17 = 79 in formation: 75.96 → 76.
				IndPartPoursuiteEtudes: w(76),
				// 0+1 = 1 of 21+4 = 25 leavers: 4; 12 months 3/25 = 12; 18 months 5/25 = 20; 24 months 9/25 = 36.
				IndTauxEmploi6Mois: w(4), IndTauxEmploi12Mois: w(12), IndTauxEmploi18Mois: w(20), IndTauxEmploi24Mois: w(36),
				IndNbEnEmploi6Mois: w(1), IndNbEnEmploi24Mois: w(9),
				// 1 of 83+21 = 104 learners: 0.96 → 1.
				IndPartEmploi6Mois: w(1), IndPartAutresSituations: w(23), // 100 − 76 − 1
			},
			map[Indicator]Couverture{IndNbAnneeTerm: {3, 0}, IndTauxPoursuiteEtudes: {3, 0}, IndTauxEmploi6Mois: {2, 1},
				IndTauxEmploi24Mois: {2, 1}, IndPartEmploi6Mois: {2, 1}},
			132, 0, StatutOK},
		{"40025006 2019_2020: Σ nb_annee_term ≥ 20, each rate's denominator < 20", shape40025006,
			map[Indicator]want{
				IndNbAnneeTerm: w(23), // 6+2+12+3; the old rule showed 18
				IndNbSortant:   w(10), // 2+8
				// 4+4 = 8 of 6+12 = 18 learners; 1+3 = 4 of 10 leavers: withheld.
				IndTauxPoursuiteEtudes: no(eleves), IndPartPoursuiteEtudes: no(eleves), IndNbPoursuiteEtudes: no(eleves),
				IndTauxEmploi6Mois: no(sortants), IndNbEnEmploi6Mois: no(sortants), IndNbEnEmploi18Mois: no(sortants),
				IndPartEmploi6Mois: no(eleves), IndPartAutresSituations: no(eleves),
			},
			map[Indicator]Couverture{IndNbAnneeTerm: {4, 0}, IndTauxPoursuiteEtudes: {2, 2}, IndTauxEmploi6Mois: {2, 2}},
			23, 2, StatutNonDiffuse},
		{"23220022362 2020_2021: the région the old rule dropped", shape23220022362,
			map[Indicator]want{
				IndNbAnneeTerm: w(34), IndNbSortant: w(5), IndNbPoursuiteEtudes: w(29),
				// 12+17 = 29 of 34: 85.3 → 85 (the old rule: sous_seuil, 17 learners).
				IndTauxPoursuiteEtudes: w(85),
				// The parts rest on the région that publishes every count, 17
				// learners: withheld, not the count of the taux.
				IndPartPoursuiteEtudes: no(eleves),
				IndTauxEmploi6Mois:     no(sortants), IndNbEnEmploi6Mois: no(sortants),
				// 1 of 17 learners: withheld, so is the third part.
				IndPartEmploi6Mois: no(eleves), IndPartAutresSituations: no(eleves),
			},
			map[Indicator]Couverture{IndTauxPoursuiteEtudes: {2, 0}, IndTauxEmploi6Mois: {1, 1}, IndNbSortant: {1, 1}},
			34, 0, StatutOK},
		{"23220031220 2019_2020: every count published", shape23220031220,
			map[Indicator]want{
				IndNbAnneeTerm: w(60), IndNbSortant: w(28), IndNbPoursuiteEtudes: w(32), IndNbEnEmploi6Mois: w(4),
				IndTauxPoursuiteEtudes:  w(53), // 32/60 = 53.3
				IndTauxEmploi6Mois:      w(14), // 4/28 = 14.3
				IndTauxEmploi12Mois:     w(14), // 4/28
				IndTauxEmploi18Mois:     w(18), // 5/28 = 17.9
				IndTauxEmploi24Mois:     w(32), // 9/28 = 32.1
				IndPartPoursuiteEtudes:  w(53),
				IndPartEmploi6Mois:      w(7),  // 4/60 = 6.7
				IndPartAutresSituations: w(40), // 100 − 53 − 7
			},
			map[Indicator]Couverture{IndTauxPoursuiteEtudes: {3, 0}, IndTauxEmploi6Mois: {3, 0}, IndPartAutresSituations: {3, 0}},
			60, 0, StatutOK},
		// Sums read independently from the file; rates recomputed half to even.
		{"gestion-administration 23830030001 2021_2022: seventeen régions, complete", gaRegions2022,
			map[Indicator]want{
				IndNbAnneeTerm: w(42022), IndNbSortant: w(16087), IndNbPoursuiteEtudes: w(25935), IndNbEnEmploi6Mois: w(5648),
				IndNbEnEmploi12Mois: w(6751), IndNbEnEmploi18Mois: no(nd),
				IndTauxPoursuiteEtudes: w(62), IndTauxEmploi6Mois: w(35), IndTauxEmploi12Mois: w(42), IndTauxEmploi18Mois: no(nd),
				IndPartPoursuiteEtudes: w(62), IndPartEmploi6Mois: w(13), IndPartAutresSituations: w(25),
			},
			map[Indicator]Couverture{IndTauxEmploi6Mois: {17, 0}, IndTauxEmploi18Mois: {0, 17}},
			42022, 0, StatutOK},
		// Two régions publish counts (6+9 = 15 learners, 1+4 = 5 leavers):
		// 21 learners in all, every rate withheld on its own denominator.
		{"AGORA 40030004 apprentissage 2021_2022", agoraRegions2022,
			map[Indicator]want{
				IndNbAnneeTerm: w(21), IndNbSortant: w(5),
				IndTauxPoursuiteEtudes: no(eleves), IndNbPoursuiteEtudes: no(eleves), IndTauxEmploi6Mois: no(sortants),
			},
			map[Indicator]Couverture{IndNbAnneeTerm: {6, 0}, IndTauxPoursuiteEtudes: {2, 4}},
			21, 4, StatutNonDiffuse},
		{"no part publishes counts", []RawFigure{reg(25, nil, nil, nil, nil, nil, nil), reg(3, nil, nil, nil, nil, nil, nil)},
			map[Indicator]want{IndNbAnneeTerm: w(28), IndNbSortant: no(nd), IndTauxPoursuiteEtudes: no(nd), IndTauxEmploi6Mois: no(nd)},
			map[Indicator]Couverture{IndNbAnneeTerm: {2, 0}, IndTauxPoursuiteEtudes: {0, 2}},
			28, 2, StatutNonDiffuse},
		{"under 20 in all", []RawFigure{reg(12, ip(1), nil, nil, ip(1), ip(6), ip(6)), reg(5, nil, nil, nil, nil, ip(5), nil)},
			map[Indicator]want{IndNbAnneeTerm: w(17), IndNbSortant: no(eleves), IndTauxPoursuiteEtudes: no(eleves), IndPartAutresSituations: no(eleves)},
			map[Indicator]Couverture{IndTauxPoursuiteEtudes: {2, 0}},
			17, 0, StatutSousSeuil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raw, ag := Aggregate(PerimetreNational, tc.parts)
			f := raw.Disclose()
			if ag.NbAnneeTermTotal != tc.total || ag.ComposantesSansEffectifs != tc.sans || ag.Composantes != len(tc.parts) {
				t.Errorf("agregat = %+v, want total %d, sans effectifs %d", ag, tc.total, tc.sans)
			}
			if f.NbAnneeTerm == nil || *f.NbAnneeTerm != ag.NbAnneeTermTotal {
				t.Errorf("nb_annee_term %s ≠ nb_annee_term_total %d", showp(f.NbAnneeTerm), ag.NbAnneeTermTotal)
			}
			for ind, want := range tc.values {
				got := f.Value(ind)
				if !eqp(got, want.v) {
					t.Errorf("%s = %s, want %s", ind, showp(got), showp(want.v))
				}
				if r := f.MissingReason(ind); want.v == nil && r != want.reason {
					t.Errorf("%s: reason %q, want %q", ind, r, want.reason)
				}
			}
			for ind, c := range tc.cover {
				if got := ag.Couverture(ind); got != c {
					t.Errorf("coverage of %s = %+v, want %+v", ind, got, c)
				}
			}
			for _, ind := range indicators() {
				if c, ok := ag.Indicateurs[ind]; ok && c.Composantes+c.Exclues != len(tc.parts) {
					t.Errorf("coverage of %s = %+v: not %d components", ind, c, len(tc.parts))
				}
			}
			if f.Statut != tc.statut {
				t.Errorf("statut = %q, want %q", f.Statut, tc.statut)
			}
		})
	}
}

// An aggregate of aggregates (the country as régions rebuilt from their
// establishments, a level as its formations) is the aggregate of their
// components: each part brings its own numerators and denominators.
func TestAggregateNested(t *testing.T) {
	found := 0
	for _, parts := range [][]RawFigure{shape23220023311, shape23220022002, shape40025006, shape23220031220, gaRegions2022} {
		flat, flatAg := Aggregate(PerimetreNational, parts)
		for cut := 1; cut < len(parts); cut++ {
			a, _ := Aggregate(PerimetreRegion, parts[:cut])
			b, _ := Aggregate(PerimetreRegion, parts[cut:])
			nested, _ := Aggregate(PerimetreNational, []RawFigure{a, b})
			ff, fn := flat.Disclose(), nested.Disclose()
			for _, ind := range indicators() {
				found++
				if !eqp(ff.Value(ind), fn.Value(ind)) || ff.MissingReason(ind) != fn.MissingReason(ind) {
					t.Errorf("cut %d of %d: %s flat %s (%q), nested %s (%q)", cut, len(parts), ind,
						showp(ff.Value(ind)), ff.MissingReason(ind), showp(fn.Value(ind)), fn.MissingReason(ind))
				}
			}
		}
		if flatAg.Composantes != len(parts) {
			t.Errorf("composantes %d", flatAg.Composantes)
		}
	}
	if found == 0 {
		t.Fatal("nothing compared")
	}
}

// The producer's rate of a single row is not carried over, and a
// published figure keeps its own parts (WithParts) while an aggregate
// keeps the absence of part_autres_situations.
func TestAggregateWithParts(t *testing.T) {
	raw, _ := Aggregate(PerimetreNational, shape23220023311)
	raw.PartAutresSituations = nil
	if got := WithParts(raw); got.PartAutresSituations != nil {
		t.Errorf("WithParts filled part_autres_situations of an aggregate: %d", *got.PartAutresSituations)
	}
	one := shape23220022002[0]
	one.TauxPoursuiteEtudes = ip(75) // as the file publishes it (62/83 = 74.7)
	if got := WithParts(one); got.PartAutresSituations == nil || *got.PartAutresSituations != 25 {
		t.Errorf("WithParts of a published row: part_autres = %s, want 25 (100 − 75 − 0)", showp(got.PartAutresSituations))
	}
}

// The JSON of an Agregat names each indicator's coverage.
func TestAgregatJSON(t *testing.T) {
	_, ag := Aggregate(PerimetreNational, shape23220023311)
	b, err := json.Marshal(ag)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{`"composantes":5`, `"nb_annee_term_total":81`, `"taux_poursuite_etudes":{"composantes":4,"exclues":1}`,
		`"taux_emploi_6_mois":{"composantes":3,"exclues":2}`} {
		if !strings.Contains(string(b), s) {
			t.Errorf("agregat JSON %s lacks %s", b, s)
		}
	}
}

// Summing counts first differs from averaging rates, and ties round to even.
func TestAggregateSumsCountsNotRates(t *testing.T) {
	// 1/8 = 12.5 % → 12; 3/8 = 37.5 % → 38 (half to even, not half up).
	a := reg(40, nil, nil, nil, ip(1), ip(32), ip(8))
	b := reg(40, nil, nil, nil, ip(3), ip(32), ip(8))
	f, _ := Aggregate(PerimetreNational, []RawFigure{a})
	if *f.TauxEmploi6Mois != 12 {
		t.Errorf("1/8 → %d, want 12 (half to even)", *f.TauxEmploi6Mois)
	}
	f, _ = Aggregate(PerimetreNational, []RawFigure{b})
	if *f.TauxEmploi6Mois != 38 {
		t.Errorf("3/8 → %d, want 38", *f.TauxEmploi6Mois)
	}
	// Two régions: 1/20 (5 %) and 30/40 (75 %): mean of rates 40, sum of counts 31/60 = 52.
	x := reg(30, nil, nil, nil, ip(1), ip(10), ip(20))
	y := reg(60, nil, nil, nil, ip(30), ip(20), ip(40))
	f, _ = Aggregate(PerimetreNational, []RawFigure{x, y})
	if *f.TauxEmploi6Mois != 52 {
		t.Errorf("aggregate taux_emploi_6_mois = %d, want 52 (31/60)", *f.TauxEmploi6Mois)
	}
	// A published rate of a part is never carried over.
	x.TauxEmploi6Mois = ip(99)
	f, _ = Aggregate(PerimetreNational, []RawFigure{x})
	if *f.TauxEmploi6Mois != 5 {
		t.Errorf("single-part aggregate kept the published rate: %d", *f.TauxEmploi6Mois)
	}
}

// The three parts computed by us sum to exactly 100 for every count
// combination (half to even never rounds both parts of a tie up).
func TestPartsSumTo100(t *testing.T) {
	for term := 20; term <= 220; term++ {
		for pours := 0; pours <= term; pours++ {
			for _, emploi := range []int{0, (term - pours) / 2, term - pours} {
				f := WithParts(RawFigure{NbAnneeTerm: ip(term), NbPoursuiteEtudes: ip(pours), NbSortant: ip(term - pours), NbEnEmploi6Mois: ip(emploi)})
				if s := *f.PartPoursuiteEtudes + *f.PartEmploi6Mois + *f.PartAutresSituations; s != 100 {
					t.Fatalf("term %d pours %d emploi %d: parts %d+%d+%d = %d", term, pours, emploi,
						*f.PartPoursuiteEtudes, *f.PartEmploi6Mois, *f.PartAutresSituations, s)
				}
			}
		}
	}
	// Published parts are kept.
	f := WithParts(RawFigure{NbAnneeTerm: ip(52), NbPoursuiteEtudes: ip(31), NbEnEmploi6Mois: ip(9), PartPoursuiteEtudes: ip(61)})
	if *f.PartPoursuiteEtudes != 61 || *f.PartEmploi6Mois != 17 || *f.PartAutresSituations != 22 {
		t.Errorf("parts = %s %s %s, want 61 17 22", showp(f.PartPoursuiteEtudes), showp(f.PartEmploi6Mois), showp(f.PartAutresSituations))
	}
}

func TestThreshold19And20(t *testing.T) {
	for _, tc := range []struct {
		term, sortant int
		statut        string
		rates, emploi bool
	}{
		{19, 19, StatutSousSeuil, false, false},
		{20, 19, StatutOK, true, false},
		{20, 20, StatutOK, true, true},
		{19, 20, StatutSousSeuil, false, false}, // impossible in real data, the rule still holds
	} {
		raw := RawFigure{NbAnneeTerm: ip(tc.term), NbSortant: ip(tc.sortant), NbPoursuiteEtudes: ip(tc.term - tc.sortant),
			NbEnEmploi6Mois: ip(tc.sortant / 2), NbEnEmploi12Mois: ip(tc.sortant / 2)}
		raw.ComputeFromCounts()
		f := raw.Disclose()
		if f.Statut != tc.statut {
			t.Errorf("%d/%d: statut %q, want %q", tc.term, tc.sortant, f.Statut, tc.statut)
		}
		if (f.PartPoursuiteEtudes != nil) != tc.rates || (f.TauxPoursuiteEtudes != nil) != tc.rates {
			t.Errorf("%d/%d: rates on nb_annee_term shown = %v, want %v", tc.term, tc.sortant, f.TauxPoursuiteEtudes != nil, tc.rates)
		}
		if (f.TauxEmploi6Mois != nil) != tc.emploi || (f.TauxEmploi12Mois != nil) != tc.emploi {
			t.Errorf("%d/%d: employment rates shown = %v, want %v", tc.term, tc.sortant, f.TauxEmploi6Mois != nil, tc.emploi)
		}
		if tc.term < 20 && (f.NbSortant != nil || f.NbPoursuiteEtudes != nil || f.NbEnEmploi6Mois != nil || f.NbAnneeTerm == nil) {
			t.Errorf("%d: only nb_annee_term may remain: %+v", tc.term, f)
		}
	}
}

func TestAbsentFigure(t *testing.T) {
	for _, st := range []string{StatutMillesimeAbsent, StatutNonDispensee, StatutCodeInconnu, StatutUAIInconnu} {
		ff := AbsentFigure("2020_2021", VoieScolaire, "23830030001", st, []string{"2021_2022", "2019_2020"})
		if ff.Statut != st || ff.NbAnneeTerm != nil || ff.anyRate() {
			t.Errorf("%s: statut %q, nb_annee_term %s", st, ff.Statut, showp(ff.NbAnneeTerm))
		}
		if (st == StatutMillesimeAbsent) != (len(ff.MillesimesDisponibles) == 2) {
			t.Errorf("%s: millesimes_disponibles %v", st, ff.MillesimesDisponibles)
		}
		if ff.MillesimeLabel != "promotions 2020 et 2021" || !ff.EmploiPublicExclu {
			t.Errorf("%s: label %q, emploi_public_exclu %v", st, ff.MillesimeLabel, ff.EmploiPublicExclu)
		}
	}
}

// Real BCN links (N_FORMATION_DIPLOME): 40031402 and 40032402 → 40030001
// (Gestion-Administration, a merge), 40030001 → 40030004 (AGORA, 1:1).
func TestContinuumRealLinks(t *testing.T) {
	c := NewContinuum([]DiplomaLink{
		{"40032402", "40030001"}, {"40031402", "40030001"}, {"40030001", "40030004"},
		{"40030001", "40030004"}, // declared on both sides: one link
		{"50033610", "50033610"}, // a self-link is ignored
	})
	tests := []struct {
		code             string
		pred, succ       string
		hasPred, hasSucc bool
	}{
		{"40030004", "40030001", "", true, false},
		{"40030001", "", "40030004", false, true}, // two predecessors: a merge carries nothing
		{"40032402", "", "", false, false},        // its successor has two predecessors
		{"50033610", "", "", false, false},
	}
	for _, tc := range tests {
		p, okp := c.Predecessor(tc.code)
		s, oks := c.Successor(tc.code)
		if p != tc.pred || okp != tc.hasPred || s != tc.succ || oks != tc.hasSucc {
			t.Errorf("%s: predecessor %q %v, successor %q %v; want %q %v, %q %v", tc.code, p, okp, s, oks, tc.pred, tc.hasPred, tc.succ, tc.hasSucc)
		}
	}
	if got := c.Anciens("40030001"); strings.Join(got, ",") != "40031402,40032402" {
		t.Errorf("anciens = %v", got)
	}
	if !c.OneToOne("40030001", "40030004") || c.OneToOne("40032402", "40030001") {
		t.Error("OneToOne")
	}
	for _, tc := range []struct {
		own, pred, succ bool
		sens            string
		ok              bool
	}{
		{true, true, true, "", true}, // own figures always win
		{false, true, true, SensAncien, true},
		{false, false, true, SensNouveau, true},
		{false, false, false, "", false},
	} {
		if sens, ok := ChooseContinuum(tc.own, tc.pred, tc.succ); sens != tc.sens || ok != tc.ok {
			t.Errorf("ChooseContinuum(%v,%v,%v) = %q %v", tc.own, tc.pred, tc.succ, sens, ok)
		}
	}
	sc := SourceContinuum{Code: "40030001", Libelle: "GESTION-ADMINISTRATION (BAC PRO)", Sens: SensAncien}
	if sc.Phrase() != "chiffres issus de l'ancien diplôme GESTION-ADMINISTRATION (BAC PRO) (40030001)" {
		t.Errorf("phrase = %q", sc.Phrase())
	}
}

func TestFormationFermee(t *testing.T) {
	d := time.Date(2022, 8, 31, 0, 0, 0, 0, time.UTC)
	if !FormationFermee(&d, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)) || FormationFermee(&d, time.Date(2022, 8, 1, 0, 0, 0, 0, time.UTC)) || FormationFermee(nil, time.Now()) {
		t.Error("FormationFermee")
	}
}

func TestSortMillesimes(t *testing.T) {
	got := SortMillesimes([]string{"2019_2020", "2021", "2021_2022", "2020_2021", "2021_2022", "2022"})
	if strings.Join(got, " ") != "2022 2021_2022 2021 2020_2021 2019_2020" {
		t.Errorf("SortMillesimes = %v", got)
	}
}

func TestRate2(t *testing.T) {
	for _, tc := range []struct {
		num, den int
		want     float64
	}{{65, 75, 86.67}, {106, 123, 86.18}, {105, 123, 85.37}, {1, 8, 12.5}, {1, 80000, 0}, {3, 80000, 0}, {5, 40000, 0.01}, {15, 80000, 0.02}} {
		if got, _ := Rate2(tc.num, tc.den); got != tc.want {
			t.Errorf("Rate2(%d, %d) = %v, want %v", tc.num, tc.den, got, tc.want)
		}
	}
}

func fp(v float64) *float64 { return &v }

// InserSup: the headline record of the real extract (Université Côte
// d'Azur, Master MEEF 2nd degré 2500249, promotions 2020-2021, 12 months):
// 123 sortants, 11 poursuivants, 106 in salaried employment, 86.18 %.
func TestSupFigureDisclose(t *testing.T) {
	real12 := RawSupFigure{NbSortants: ip(123), NbPoursuivants: ip(11), NbDiplomes: ip(134),
		NbEnEmploiSalarieFr12Mois: ip(106), TauxEmploiSalarieFr12Mois: fp(86.18),
		Salaires: []Salaire{{Mois: 12, Q2: ip(1900)}}}
	tests := []struct {
		name   string
		f      RawSupFigure
		statut string
		taux   bool
	}{
		{"real headline", real12, StatutOK, true},
		// Synthetic record: 15 sortants + 4 poursuivants, emploi "nd".
		{"19 graduates", RawSupFigure{NbSortants: ip(15), NbPoursuivants: ip(4), NbDiplomes: ip(19)}, StatutSousSeuil, false},
		{"20 graduates, 16 leavers", RawSupFigure{NbSortants: ip(16), NbPoursuivants: ip(4), NbDiplomes: ip(20),
			NbEnEmploiSalarieFr6Mois: ip(10), TauxEmploiSalarieFr6Mois: fp(62.5)}, StatutSousSeuil, false},
		{"20 leavers", RawSupFigure{NbSortants: ip(20), NbPoursuivants: ip(4), NbDiplomes: ip(24),
			NbEnEmploiSalarieFr6Mois: ip(10), TauxEmploiSalarieFr6Mois: fp(50)}, StatutOK, true},
		{"nothing published", RawSupFigure{NbSortants: ip(40), NbPoursuivants: ip(4), NbDiplomes: ip(44)}, StatutNonDiffuse, false},
	}
	for _, tc := range tests {
		f := tc.f.Disclose()
		if f.Statut != tc.statut {
			t.Errorf("%s: statut %q, want %q", tc.name, f.Statut, tc.statut)
		}
		anyTaux := false
		for i := range NbSupHorizons {
			n, r := f.Emploi(i)
			if *r != nil {
				anyTaux = true
			}
			if !tc.taux && *n != nil {
				t.Errorf("%s: employment count shown under the threshold", tc.name)
			}
		}
		if anyTaux != tc.taux {
			t.Errorf("%s: rates shown = %v, want %v", tc.name, anyTaux, tc.taux)
		}
		if !tc.taux && len(f.Salaires) > 0 {
			t.Errorf("%s: salaries shown under the threshold", tc.name)
		}
		if tc.statut == StatutSousSeuil && *tc.f.NbDiplomes < Seuil && (f.NbSortants != nil || f.NbPoursuivants != nil || f.NbDiplomes == nil) {
			t.Errorf("%s: only nb_diplomes may remain: %+v", tc.name, f)
		}
	}
	if *real12.TauxEmploiSalarieFr12Mois != 86.18 {
		t.Error("Disclose modified its input")
	}
}

func TestAggregateSup(t *testing.T) {
	// Two establishments; the second withholds its employment count ("nd").
	a := RawSupFigure{NbSortants: ip(75), NbPoursuivants: ip(6), NbEnEmploiSalarieFr12Mois: ip(65)}
	b := RawSupFigure{NbSortants: ip(48), NbPoursuivants: ip(5), NbEnEmploiSalarieFr12Mois: ip(41)}
	c := RawSupFigure{NbSortants: ip(15), NbPoursuivants: ip(4)}
	f, ag := AggregateSup(PerimetreNational, []RawSupFigure{a, b})
	if *f.NbDiplomes != 134 || *f.NbSortants != 123 || *f.NbEnEmploiSalarieFr12Mois != 106 || *f.TauxEmploiSalarieFr12Mois != 86.18 {
		t.Errorf("aggregate = %+v", f)
	}
	if f.TauxEmploiSalarieFr6Mois != nil || ag.Composantes != 2 {
		t.Errorf("6 months should be unknown: %+v %+v", f, ag)
	}
	// Per indicator: c has no employment count, it enters nb_sortants
	// (75+48+15 = 138) but not the 12-month rate (still 106/123).
	f, ag = AggregateSup(PerimetreNational, []RawSupFigure{a, b, c})
	if *f.NbSortants != 138 || *f.NbDiplomes != 153 || *f.NbEnEmploiSalarieFr12Mois != 106 || *f.TauxEmploiSalarieFr12Mois != 86.18 {
		t.Errorf("per-indicator aggregate = %+v", f)
	}
	if c := ag.Indicateurs["taux_emploi_salarie_fr_12_mois"]; c != (Couverture{Composantes: 2, Exclues: 1}) {
		t.Errorf("coverage of the 12-month rate = %+v", c)
	}
	// Only c publishes a 6-month count: 9 of its 15 leavers. The 6-month
	// rate rests on 15 leavers although the figure counts 138: withheld,
	// with its count, for that reason; the 12-month rate stays.
	c.NbEnEmploiSalarieFr6Mois = ip(9)
	raw, _ := AggregateSup(PerimetreNational, []RawSupFigure{a, b, c})
	d := raw.Disclose()
	if d.Statut != StatutOK || d.TauxEmploiSalarieFr6Mois != nil || d.NbEnEmploiSalarieFr6Mois != nil || d.TauxEmploiSalarieFr12Mois == nil {
		t.Errorf("6-month rate on 15 leavers: %+v", d)
	}
	if r := d.EmploiMissingReason(0); r != "secret statistique : moins de 20 sortants" {
		t.Errorf("6-month reason %q", r)
	}
	if r := d.EmploiMissingReason(2); r != StatutLabel(StatutNonDiffuse) {
		t.Errorf("18-month reason %q", r)
	}
}

// A figure whose learners are shown but whose every rate is withheld on
// its own denominator is neither « sous le seuil » nor silent.
func TestStatutPhrase(t *testing.T) {
	raw, _ := Aggregate(PerimetreNational, shape40025006) // 23 learners, rates on 18 and 10
	f := raw.Disclose()
	if got := f.StatutPhrase(); f.Statut != StatutNonDiffuse || got != "secret statistique : chaque taux repose sur moins de 20 élèves ou sortants" {
		t.Errorf("statut %q, phrase %q", f.Statut, got)
	}
	silent := RawFigure{NbAnneeTerm: ip(25)}.Disclose()
	if got := silent.StatutPhrase(); got != StatutLabel(StatutNonDiffuse) {
		t.Errorf("a figure without counts: %q", got)
	}
	raw, _ = Aggregate(PerimetreNational, shape23220031220)
	if f := raw.Disclose(); f.StatutPhrase() != StatutLabel(StatutOK) {
		t.Errorf("complete aggregate: %q", f.StatutPhrase())
	}
}

func TestIsPlaceholderFormation(t *testing.T) {
	// Labels of real BCN N_FORMATION_DIPLOME rows.
	cases := []struct {
		code, libelle string
		want          bool
	}{
		{"99999999", "FORMATION NON SPECIFIEE", true},
		{"32022999", "SPECIALITE NON SPECIFIEE DU DOMAINE : 22", true},
		{"32022999", "SPECIALIT.NON SPECIF.DU DOMAIN.22", true},
		{"50099999", "Formation non spécifiée", true},
		{"40030004", "CUISINE", false},
		{"50022137", "MAINTENANCE DES VEHICULES OPTION A VOITURES PARTICULIERES", false},
		{"32031213", "SPECIALITES PLURITECHNOLOGIQUES MECANIQUE-ELECTRICITE", false},
	}
	for _, tc := range cases {
		if got := IsPlaceholderFormation(tc.libelle); got != tc.want {
			t.Errorf("%s %q: %v, want %v", tc.code, tc.libelle, got, tc.want)
		}
	}
}
