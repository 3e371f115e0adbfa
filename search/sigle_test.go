package search

import (
	"slices"
	"testing"
)

// TestSigles on real BCN labels, the acronyms written by a person.
func TestSigles(t *testing.T) {
	for _, c := range []struct {
		label, niveau string
		want          []string
	}{
		{"MANAGEMENT COMMERCIAL OPERATIONNEL (BTS)", "BTS", []string{"mco"}},
		{"ACCOMPAGNANT EDUCATIF PETITE ENFANCE (CAP)", "CAP", []string{"aepe"}},
		{"NEGOCIATION ET DIGITALISATION DE LA RELATION CLIENT (BTS)", "BTS", []string{"ndrc"}},
		{"METIERS DU COMMERCE ET DE LA VENTE OPTION A ANIMATION ET GESTION DE L'ESPACE COMMERCIAL (BAC PRO)", "BAC PRO", []string{"mcv", "mcva"}},
		{"SUPPORT A L'ACTION MANAGERIALE (BTS)", "BTS", []string{"sam"}},
		{"MAINTENANCE DES VEHICULES OPTION A VOITURES PARTICULIERES (BAC PRO)", "BAC PRO", []string{"mv", "mva"}},
		{"SERVICES INFORMATIQUES AUX ORGANISATIONS BTS 1ERE ANNEE", "BTS", []string{"sio"}},
		{"PRODUCTION ET SERVICE EN RESTAURATIONS (RAPIDE, COLLECTIVE, CAFETERIA) (CAP)", "CAP", []string{"psr"}},
		{"CUISINE (CAP)", "CAP", nil},
	} {
		got := Sigles(c.label, c.niveau)
		for _, w := range c.want {
			if !slices.Contains(got, w) {
				t.Errorf("Sigles(%q) = %v, want %s among them", c.label, got, w)
			}
		}
		if c.want == nil && len(got) > 0 {
			t.Errorf("Sigles(%q) = %v, want none", c.label, got)
		}
	}
}
