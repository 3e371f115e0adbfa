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

func TestAggregateRealRegions(t *testing.T) {
	tests := []struct {
		name                               string
		parts                              []RawFigure
		term, sortant, pours, e6, e12, e18 *int
		tp, te6, te12, pp, pe, pa          *int
		total, sans                        int
		statut                             string
	}{
		// Sums read independently from the file; rates recomputed half to even.
		{"gestion-administration 2021_2022 national", gaRegions2022,
			ip(42022), ip(16087), ip(25935), ip(5648), ip(6751), nil,
			ip(62), ip(35), ip(42), ip(62), ip(13), ip(25), 42022, 0, StatutOK},
		// Only the two régions with counts enter the field (15 learners):
		// under the threshold, only nb_annee_term is shown.
		{"AGORA apprentissage 2021_2022 national", agoraRegions2022,
			ip(15), nil, nil, nil, nil, nil,
			nil, nil, nil, nil, nil, nil, 21, 4, StatutSousSeuil},
		{"no part publishes counts", []RawFigure{reg(25, nil, nil, nil, nil, nil, nil), reg(3, nil, nil, nil, nil, nil, nil)},
			ip(28), nil, nil, nil, nil, nil,
			nil, nil, nil, nil, nil, nil, 28, 2, StatutNonDiffuse},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raw, ag := Aggregate(PerimetreNational, tc.parts)
			f := raw.Disclose()
			if ag.NbAnneeTermTotal != tc.total || ag.ComposantesSansEffectifs != tc.sans || ag.Composantes != len(tc.parts) {
				t.Errorf("agregat = %+v, want total %d, sans effectifs %d", ag, tc.total, tc.sans)
			}
			checks := []struct {
				n         string
				got, want *int
			}{{"nb_annee_term", f.NbAnneeTerm, tc.term}, {"nb_sortant", f.NbSortant, tc.sortant},
				{"nb_poursuite_etudes", f.NbPoursuiteEtudes, tc.pours}, {"nb_en_emploi_6_mois", f.NbEnEmploi6Mois, tc.e6},
				{"nb_en_emploi_12_mois", f.NbEnEmploi12Mois, tc.e12}, {"nb_en_emploi_18_mois", f.NbEnEmploi18Mois, tc.e18},
				{"taux_poursuite_etudes", f.TauxPoursuiteEtudes, tc.tp}, {"taux_emploi_6_mois", f.TauxEmploi6Mois, tc.te6},
				{"taux_emploi_12_mois", f.TauxEmploi12Mois, tc.te12}, {"part_poursuite_etudes", f.PartPoursuiteEtudes, tc.pp},
				{"part_emploi_6_mois", f.PartEmploi6Mois, tc.pe}, {"part_autres_situations", f.PartAutresSituations, tc.pa}}
			for _, c := range checks {
				if !eqp(c.got, c.want) {
					t.Errorf("%s = %s, want %s", c.n, showp(c.got), showp(c.want))
				}
			}
			if f.Statut != tc.statut {
				t.Errorf("statut = %q, want %q", f.Statut, tc.statut)
			}
		})
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
	f, _ = AggregateSup(PerimetreNational, []RawSupFigure{a, b, c})
	if f.NbEnEmploiSalarieFr12Mois != nil || f.TauxEmploiSalarieFr12Mois != nil || *f.NbSortants != 138 {
		t.Errorf("an unpublished count must make the sum unknown: %+v", f)
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
