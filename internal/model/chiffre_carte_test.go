package model

import "testing"

// TestHeadline: the card figure comes out of Disclose: a cohort under 20
// shows nothing, few leavers hide the employment rate (the rate of further
// study takes its place), a published employment rate wins.
func TestHeadline(t *testing.T) {
	for _, c := range []struct {
		name     string
		raw      RawFigure
		wantInd  string
		wantVal  int
		wantNone bool
	}{
		{"employment rate shown", RawFigure{NbAnneeTerm: Int(120), NbSortant: Int(60), TauxEmploi6Mois: Int(48), TauxPoursuiteEtudes: Int(50)}, "taux_emploi_6_mois", 48, false},
		{"under 20 sortants: poursuite instead", RawFigure{NbAnneeTerm: Int(40), NbSortant: Int(12), TauxEmploi6Mois: Int(48), TauxPoursuiteEtudes: Int(70)}, "taux_poursuite_etudes", 70, false},
		{"under 20 learners: nothing", RawFigure{NbAnneeTerm: Int(19), NbSortant: Int(19), TauxEmploi6Mois: Int(48), TauxPoursuiteEtudes: Int(50)}, "", 0, true},
		{"nothing published", RawFigure{NbAnneeTerm: Int(40)}, "", 0, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := Headline(c.raw.Disclose(), VoieScolaire, "2021_2022", "")
			if c.wantNone {
				if h != nil {
					t.Fatalf("headline %+v, want none", h)
				}
				return
			}
			if h == nil || h.Indicateur != c.wantInd || h.Valeur != c.wantVal {
				t.Fatalf("headline %+v, want %s = %d", h, c.wantInd, c.wantVal)
			}
			if h.MillesimeLibelle == "" || h.MillesimeLibelle == h.Millesime {
				t.Errorf("millésime label %q", h.MillesimeLibelle)
			}
		})
	}
}
