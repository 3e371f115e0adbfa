package model

import (
	"encoding/json"
	"testing"
)

func TestRoundHalfEven(t *testing.T) {
	tests := []struct {
		num, den, want int
		ok             bool
	}{
		{1, 8, 12, true},   // 12.5 → 12 (tie to even)
		{3, 8, 38, true},   // 37.5 → 38
		{5, 8, 62, true},   // 62.5 → 62
		{7, 8, 88, true},   // 87.5 → 88
		{1, 3, 33, true},   // 33.33
		{2, 3, 67, true},   // 66.67
		{65, 75, 87, true}, // 86.67 (InserSup sample)
		{9, 21, 43, true},  // 42.86 (SOURCES.md §A3: 9 of 21 in employment at 6 months → 43)
		{31, 52, 60, true}, // 59.6 (same row: poursuite 31 of 52 → 60)
		{1, 200, 0, true},  // 0.5 → 0
		{3, 200, 2, true},  // 1.5 → 2
		{0, 5, 0, true},
		{5, 5, 100, true},
		{1, 0, 0, false},
		{-1, 5, 0, false},
	}
	for _, tt := range tests {
		got, ok := RoundHalfEven(tt.num, tt.den)
		if got != tt.want || ok != tt.ok {
			t.Errorf("RoundHalfEven(%d, %d) = %d, %v; want %d, %v", tt.num, tt.den, got, ok, tt.want, tt.ok)
		}
	}
}

func TestRate(t *testing.T) {
	if r := Rate(Int(1), Int(8)); r == nil || *r != 12 {
		t.Errorf("Rate(1, 8) = %v", r)
	}
	if r := Rate(nil, Int(8)); r != nil {
		t.Errorf("Rate(nil, 8) = %v, want nil", *r)
	}
	if r := Rate(Int(3), nil); r != nil {
		t.Errorf("Rate(3, nil) = %v, want nil", *r)
	}
	if r := Rate(Int(3), Int(0)); r != nil {
		t.Errorf("Rate(3, 0) = %v, want nil", *r)
	}
}

func TestParts(t *testing.T) {
	tests := []struct {
		poursuite, emploi *int
		want              *int
	}{
		{Int(57), Int(23), Int(20)}, // 0010001W 2021_2022: 57 + 23 + 20
		{Int(42), Int(41), Int(17)}, // 0010826T 2022_2023
		{Int(60), Int(45), Int(0)},  // rounding pushed the sum over 100: never negative
		{Int(0), Int(0), Int(100)},
		{nil, Int(41), nil},
		{Int(42), nil, nil},
	}
	for _, tt := range tests {
		got := Parts(tt.poursuite, tt.emploi)
		if (got == nil) != (tt.want == nil) || got != nil && *got != *tt.want {
			t.Errorf("Parts(%v, %v) = %v, want %v", show(tt.poursuite), show(tt.emploi), show(got), show(tt.want))
		}
	}
}

func show(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

// full returns a figure with every field published.
func full(term, sortant int) RawFigure {
	return RawFigure{
		NbAnneeTerm: Int(term), NbSortant: Int(sortant), NbPoursuiteEtudes: Int(term - sortant),
		NbEnEmploi6Mois: Int(sortant / 2), NbEnEmploi12Mois: Int(sortant / 2), NbEnEmploi18Mois: Int(sortant / 2), NbEnEmploi24Mois: Int(sortant / 2),
		TauxPoursuiteEtudes: Int(40), TauxEmploi6Mois: Int(50), TauxEmploi6MoisAttendu: Int(48), ValeurAjoutee: Int(2),
		PartPoursuiteEtudes: Int(40), PartEmploi6Mois: Int(30), PartAutresSituations: Int(30),
		TauxEmploi12Mois: Int(55), TauxEmploi18Mois: Int(60), TauxEmploi24Mois: Int(62), TauxContratsInterrompus: Int(10),
	}
}

func TestDiscloseSousSeuil(t *testing.T) {
	raw := full(19, 12)
	before := raw
	f := raw.Disclose()
	if f.Statut != StatutSousSeuil {
		t.Errorf("statut %q, want sous_seuil", f.Statut)
	}
	if f.NbAnneeTerm == nil || *f.NbAnneeTerm != 19 {
		t.Errorf("nb_annee_term must stay shown, got %v", show(f.NbAnneeTerm))
	}
	for _, ind := range indicators() {
		if v := f.Value(ind); ind != IndNbAnneeTerm && v != nil {
			t.Errorf("%s is still set under the threshold: %d", ind, *v)
		}
	}
	// What leaves the API: every other field null.
	b, _ := json.Marshal(f)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	for k, v := range m {
		if k == "nb_annee_term" || k == "statut" {
			continue
		}
		if v != nil {
			t.Errorf("JSON field %s = %v under the threshold, want null", k, v)
		}
	}
	// The raw values are left alone.
	if raw != before {
		t.Error("Disclose modified its input")
	}
}

func TestDiscloseAtThreshold(t *testing.T) {
	f := full(20, 20).Disclose()
	if f.Statut != StatutOK {
		t.Errorf("statut %q, want ok", f.Statut)
	}
	want := Figure{figureValues: figureValues(full(20, 20)), Statut: StatutOK}
	a, _ := json.Marshal(f)
	b, _ := json.Marshal(want)
	if string(a) != string(b) {
		t.Errorf("at 20 every published value is kept:\n got %s\nwant %s", a, b)
	}
}

func TestDiscloseFewSortants(t *testing.T) {
	f := full(40, 19).Disclose()
	if f.Statut != StatutOK {
		t.Errorf("statut %q, want ok (poursuite still published)", f.Statut)
	}
	for name, p := range map[string]*int{
		"taux_emploi_6_mois": f.TauxEmploi6Mois, "taux_emploi_12_mois": f.TauxEmploi12Mois,
		"taux_emploi_18_mois": f.TauxEmploi18Mois, "taux_emploi_24_mois": f.TauxEmploi24Mois,
		// attendu and valeur ajoutée rest on the same 19 leavers, and
		// taux = attendu + valeur ajoutée would give the hidden rate away.
		"taux_emploi_6_mois_attendu": f.TauxEmploi6MoisAttendu, "valeur_ajoutee": f.ValeurAjoutee,
	} {
		if p != nil {
			t.Errorf("%s = %d with nb_sortant 19, want nil", name, *p)
		}
	}
	for name, p := range map[string]*int{
		"taux_poursuite_etudes": f.TauxPoursuiteEtudes, "part_poursuite_etudes": f.PartPoursuiteEtudes,
		"part_emploi_6_mois": f.PartEmploi6Mois, "part_autres_situations": f.PartAutresSituations,
		"nb_annee_term": f.NbAnneeTerm, "nb_poursuite_etudes": f.NbPoursuiteEtudes,
	} {
		if p == nil {
			t.Errorf("%s removed, but it rests on nb_annee_term = 40", name)
		}
	}
}

func TestDiscloseNothingPublished(t *testing.T) {
	f := RawFigure{}.Disclose() // establishment files publish no counts
	if f.Statut != StatutNonDiffuse {
		t.Errorf("statut %q, want non_diffuse", f.Statut)
	}
	g := RawFigure{NbAnneeTerm: Int(150), NbSortant: Int(80)}.Disclose() // counts but no rate
	if g.Statut != StatutNonDiffuse {
		t.Errorf("counts only: statut %q, want non_diffuse", g.Statut)
	}
	if g.NbAnneeTerm == nil || g.NbSortant == nil {
		t.Error("counts above the threshold must stay")
	}
	// Rates without counts (establishment files): kept as published.
	h := RawFigure{TauxEmploi6Mois: Int(54), ValeurAjoutee: Int(-2)}.Disclose()
	if h.Statut != StatutOK || h.TauxEmploi6Mois == nil || *h.ValeurAjoutee != -2 {
		t.Errorf("published rates without counts: %+v", h)
	}
}

func TestComputeFromCounts(t *testing.T) {
	// SOURCES.md §A3 sample: 2019_2020 IDF scolaire 32221022002:
	// nb_annee_term 52, nb_en_emploi_12 12, 18 12, 24 15, 6 9, poursuite 31, sortant 21;
	// published taux 12 57, 18 57, 24 71, 6 43, poursuite 60.
	f := RawFigure{NbAnneeTerm: Int(52), NbSortant: Int(21), NbPoursuiteEtudes: Int(31),
		NbEnEmploi6Mois: Int(9), NbEnEmploi12Mois: Int(12), NbEnEmploi18Mois: Int(12), NbEnEmploi24Mois: Int(15)}
	f.ComputeFromCounts()
	for name, c := range map[string]struct {
		got  *int
		want int
	}{
		"taux_poursuite_etudes": {f.TauxPoursuiteEtudes, 60}, "taux_emploi_6_mois": {f.TauxEmploi6Mois, 43},
		"taux_emploi_12_mois": {f.TauxEmploi12Mois, 57}, "taux_emploi_18_mois": {f.TauxEmploi18Mois, 57},
		"taux_emploi_24_mois":   {f.TauxEmploi24Mois, 71},
		"part_poursuite_etudes": {f.PartPoursuiteEtudes, 60}, "part_emploi_6_mois": {f.PartEmploi6Mois, 17},
		"part_autres_situations": {f.PartAutresSituations, 23},
	} {
		if c.got == nil || *c.got != c.want {
			t.Errorf("%s = %v, want %d", name, show(c.got), c.want)
		}
	}
	// A published rate is never overwritten.
	g := RawFigure{NbAnneeTerm: Int(52), NbPoursuiteEtudes: Int(31), TauxPoursuiteEtudes: Int(59)}
	g.ComputeFromCounts()
	if *g.TauxPoursuiteEtudes != 59 {
		t.Errorf("published rate overwritten: %d", *g.TauxPoursuiteEtudes)
	}
}

func TestStatutLabel(t *testing.T) {
	for _, s := range []string{StatutOK, StatutSousSeuil, StatutNonDiffuse, StatutCodeInconnu, StatutUAIInconnu, StatutNonDispensee, StatutMillesimeAbsent} {
		if l := StatutLabel(s); l == s || l == "" {
			t.Errorf("StatutLabel(%q) = %q: no French sentence", s, l)
		}
	}
}

// MissingReason words the rule of Disclose for each indicator.
func TestMissingReason(t *testing.T) {
	few := full(40, 19).Disclose()
	few.PartEmploi6Mois = nil // as if the producer left it empty
	under := full(19, 12).Disclose()
	absent := AbsentFigure("2020_2021", VoieScolaire, "23830030001", StatutMillesimeAbsent, nil).Figure
	for _, tc := range []struct {
		name string
		f    Figure
		ind  Indicator
		want string
	}{
		{"shown", few, IndTauxPoursuiteEtudes, ""},
		{"under 20 learners", under, IndTauxPoursuiteEtudes, "secret statistique : moins de 20 élèves"},
		{"under 20 learners, a count", under, IndNbSortant, "secret statistique : moins de 20 élèves"},
		{"under 20 leavers, employment", few, IndTauxEmploi6Mois, "secret statistique : moins de 20 sortants"},
		{"under 20 leavers, valeur ajoutée", few, IndValeurAjoutee, "secret statistique : moins de 20 sortants"},
		{"under 20 leavers, a part on nb_annee_term", few, IndPartEmploi6Mois, StatutLabel(StatutNonDiffuse)},
		{"not published", RawFigure{}.Disclose(), IndTauxEmploi6Mois, StatutLabel(StatutNonDiffuse)},
		{"absent", absent, IndTauxEmploi6Mois, StatutLabel(StatutMillesimeAbsent)},
	} {
		if got := tc.f.MissingReason(tc.ind); got != tc.want {
			t.Errorf("%s: %s → %q, want %q", tc.name, tc.ind, got, tc.want)
		}
	}
	sup := func(dipl, sortants int) SupFigure {
		return RawSupFigure{NbDiplomes: Int(dipl), NbSortants: Int(sortants), NbPoursuivants: Int(dipl - sortants),
			NbEnEmploiSalarieFr6Mois: Int(sortants / 2), TauxEmploiSalarieFr6Mois: fp(50)}.Disclose()
	}
	for _, tc := range []struct {
		name       string
		f          SupFigure
		onSortants bool
		want       string
	}{
		{"19 graduates", sup(19, 15), false, "secret statistique : moins de 20 diplômés"},
		{"20 graduates, 16 leavers", sup(20, 16), true, "secret statistique : moins de 20 sortants"},
		{"20 graduates, 16 leavers, a count", sup(20, 16), false, "secret statistique : moins de 20 sortants"},
		{"salary not published", sup(40, 30), true, StatutLabel(StatutNonDiffuse)},
		{"absent", AbsentSupFigure("2020", "2500249", nil).SupFigure, true, StatutLabel(StatutMillesimeAbsent)},
	} {
		if got := tc.f.MissingReason(tc.onSortants); got != tc.want {
			t.Errorf("InserSup %s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
