package model

import (
	"slices"
	"strings"
	"testing"
)

// Real codes: Bac Pro Gestion-Administration 40030001 was renovated 1:1
// into Bac Pro AGORA 40030004 (BCN N_FORMATION_DIPLOME); their terminal
// MEFSTAT11s are 23830030001 and 23830030004. UAIs are real (0010001W
// lycée Alexandre Bérard, 0693002N a CFA of the demo files).

func agora() CoverageCode {
	return CoverageCode{Code: "40030004", Kind: KindCFD, Known: true, CFD: "40030004",
		MEFSTAT11s: []string{"23810030004", "23830030004"}, Predecessor: "40030001",
		PredecessorMEFSTAT11s: []string{"23810030001", "23830030001"}}
}

func agoraMEF() CoverageCode {
	return CoverageCode{Code: "23830030004", Kind: KindMEFSTAT11, Known: true, CFD: "40030004",
		Predecessor: "40030001", PredecessorMEFSTAT11s: []string{"23830030001"}}
}

func TestCoverageCandidates(t *testing.T) {
	tests := []struct {
		name    string
		c       CoverageCode
		related []RelatedUAI
		want    []string // stage:uai:code:voie
	}{
		{"CFD: itself, its predecessor, its MEFSTAT11s", agora(), nil, []string{
			"1:0010001W:40030004:apprentissage", "2:0010001W:40030001:apprentissage",
			"3:0010001W:23810030004:scolaire", "3:0010001W:23830030004:scolaire"}},
		{"MEFSTAT11: itself, the predecessor's MEFSTAT11, its CFD", agoraMEF(), nil, []string{
			"1:0010001W:23830030004:scolaire", "2:0010001W:23830030001:scolaire", "3:0010001W:40030004:apprentissage"}},
		{"SISE: itself only", CoverageCode{Code: "2400074", Kind: KindSISE, Known: true}, nil, []string{"1:0010001W:2400074:superieur"}},
		{"a related UAI repeats stages 1 and 3 there", CoverageCode{Code: "50025218", Kind: KindCFD, Known: true, CFD: "50025218"},
			[]RelatedUAI{{UAI: "0693002N", Relation: "gestionnaire"}}, []string{
				"1:0010001W:50025218:apprentissage", "4:0693002N:50025218:apprentissage"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, c := range CoverageCandidates("0010001W", tt.c, tt.related) {
				got = append(got, strings.Join([]string{string(rune('0' + c.Stage)), c.UAI, c.Code, c.Voie}, ":"))
				if c.Detail == "" {
					t.Errorf("candidate %v has no detail", c)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v\nwant %v", got, tt.want)
			}
		})
	}
}

func TestCover(t *testing.T) {
	latest := map[string]string{VoieApprentissage: "2021_2022", VoieScolaire: "2021_2022", VoieSuperieur: "2021"}
	ok := func(m string) CoverageFigure { return CoverageFigure{Millesime: m, Statut: StatutOK} }
	under := func(m string) CoverageFigure { return CoverageFigure{Millesime: m, Statut: StatutSousSeuil} }
	// figs maps a candidate code to its figures.
	type figs map[string][]CoverageFigure
	tests := []struct {
		name        string
		uai, known  bool
		code        CoverageCode
		figs        figs
		millesimes  map[string]string
		outcome     string
		stage       int
		foundCode   string
		reasonPart  string
		disponibles []string
	}{
		{"unknown UAI wins over unknown code", false, false, agora(), nil, latest, CouvUAIInconnu, 0, "", "UAI", nil},
		{"unknown code", true, false, agora(), nil, latest, CouvCodeInconnu, 0, "", "code inconnu", nil},
		{"own figure published", true, true, agora(), figs{"40030004": {ok("2021_2022")}}, latest, CouvCouvert, 1, "40030004", "publiés", nil},
		{"own figure under the threshold: sous_seuil, the predecessor is not looked at", true, true, agora(),
			figs{"40030004": {under("2021_2022")}, "40030001": {ok("2021_2022")}}, latest, CouvSousSeuil, 0, "40030004", "moins de 20", nil},
		{"own figure under the threshold, the twin in the other voie covers", true, true, agora(),
			figs{"40030004": {under("2021_2022")}, "23830030004": {ok("2021_2022")}}, latest, CouvAutreCode, 3, "23830030004", "même diplôme", nil},
		{"no own figure: the 1:1 predecessor covers", true, true, agora(), figs{"40030001": {ok("2021_2022")}}, latest, CouvContinuum, 2, "40030001", "ancien diplôme 40030001", nil},
		{"continuum before code matching", true, true, agora(),
			figs{"40030001": {ok("2021_2022")}, "23830030004": {ok("2021_2022")}}, latest, CouvContinuum, 2, "40030001", "", nil},
		{"MEFSTAT11 covered through its CFD (apprentissage)", true, true, agoraMEF(), figs{"40030004": {ok("2021_2022")}}, latest, CouvAutreCode, 3, "40030004", "CFD 40030004", nil},
		{"published without rates: sous_seuil, said so", true, true, agora(),
			figs{"40030004": {{Millesime: "2021_2022", Statut: StatutNonDiffuse}}}, latest, CouvSousSeuil, 0, "40030004", "sans aucun taux", nil},
		{"figures of older millésimes only", true, true, agora(),
			figs{"40030004": {ok("2019_2020")}, "23830030004": {ok("2020_2021")}}, latest, CouvMillesimeAbsent, 0, "", "2020_2021, 2019_2020", []string{"2020_2021", "2019_2020"}},
		{"a millésime asked explicitly", true, true, agora(), figs{"40030004": {ok("2019_2020"), under("2021_2022")}},
			map[string]string{VoieApprentissage: "2019_2020", VoieScolaire: "2019_2020"}, CouvCouvert, 1, "40030004", "", nil},
		{"nothing anywhere", true, true, agora(), nil, latest, CouvNonDispensee, 0, "", "aucun chiffre", nil},
		{"InserSup: a cumulated millésime answers for its last year", true, true, CoverageCode{Code: "2400074", Kind: KindSISE, Known: true},
			figs{"2400074": {ok("2020_2021")}}, latest, CouvCouvert, 1, "2400074", "", nil},
		{"InserJeunes: another millésime never answers", true, true, agora(), figs{"40030004": {ok("2020_2021")}},
			map[string]string{VoieApprentissage: "2021", VoieScolaire: "2021"}, CouvMillesimeAbsent, 0, "", "", []string{"2020_2021"}},
		{"no millésime at all for the voie", true, true, agora(), figs{"40030004": {ok("2021_2022")}},
			map[string]string{}, CouvMillesimeAbsent, 0, "", "", []string{"2021_2022"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := CoverageFacts{UAIKnown: tt.uai, CodeKnown: tt.known, Code: tt.code, Millesime: tt.millesimes}
			if tt.uai && tt.known {
				f.Candidates = CoverageCandidates("0010001W", tt.code, nil)
				for _, c := range f.Candidates {
					f.Figures = append(f.Figures, tt.figs[c.Code])
				}
			}
			r := Cover(f)
			if r.Outcome != tt.outcome || r.Stage != tt.stage || r.Code != tt.foundCode {
				t.Errorf("Cover = %s (stage %d, code %q), want %s (stage %d, code %q); reason %q", r.Outcome, r.Stage, r.Code, tt.outcome, tt.stage, tt.foundCode, r.Reason)
			}
			if !strings.Contains(r.Reason, tt.reasonPart) || r.Reason == "" {
				t.Errorf("reason %q lacks %q", r.Reason, tt.reasonPart)
			}
			if !slices.Equal(r.MillesimesDisponibles, tt.disponibles) {
				t.Errorf("millésimes disponibles %v, want %v", r.MillesimesDisponibles, tt.disponibles)
			}
			if IsCovered(r.Outcome) != (tt.stage > 0) {
				t.Errorf("IsCovered(%s) disagrees with stage %d", r.Outcome, tt.stage)
			}
		})
	}
}

func TestCoverageRate(t *testing.T) {
	tests := []struct {
		n, total int
		want     float64
		label    string
	}{
		{259, 1000, 25.9, "25,9\u202f%"},
		{1, 3, 33.3, "33,3\u202f%"},
		{2, 3, 66.7, "66,7\u202f%"},
		{1, 8, 12.5, "12,5\u202f%"},  // 125 per mille exactly
		{1, 16, 6.2, "6,2\u202f%"},   // 62.5 per mille: tie to even
		{3, 16, 18.8, "18,8\u202f%"}, // 187.5: tie to even (188)
		{0, 0, 0, "0,0\u202f%"},
		{5, 5, 100, "100,0\u202f%"},
	}
	for _, tt := range tests {
		if got := CoverageRate(tt.n, tt.total); got != tt.want {
			t.Errorf("CoverageRate(%d, %d) = %v, want %v", tt.n, tt.total, got, tt.want)
		}
		if got := CoverageRateLabel(CoverageRate(tt.n, tt.total)); got != tt.label {
			t.Errorf("label of %d/%d = %q, want %q", tt.n, tt.total, got, tt.label)
		}
	}
}

func TestCoverageOutcomesStages(t *testing.T) {
	covered := 0
	for _, o := range CoverageOutcomes() {
		if CoverageOutcomeLabel(o) == o {
			t.Errorf("outcome %s has no label", o)
		}
		if st := CoverageStageOf(o); st > 0 {
			covered++
			if CoverageStageLabel(st) == "" {
				t.Errorf("stage %d has no label", st)
			}
		}
	}
	if covered != NbStages {
		t.Errorf("%d covered outcomes, want one per stage (%d)", covered, NbStages)
	}
}
