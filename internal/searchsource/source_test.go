package searchsource

import (
	"testing"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// Real names of the InserJeunes files (which carry no type) and of the
// referentials.
func TestEtablissementType(t *testing.T) {
	for _, c := range []struct {
		nom, ref string
		voies    []string
		want     string
	}{
		{"Lycée professionnel Alexandre Bérard - Lycée des métiers de l'énergie et de l'habitat", "Lycée professionnel", nil, TypeLP},
		{"Lycée professionnel privé Saint Joseph", "", nil, TypeLP},
		{"LP LYCEE DES METIERS", "", nil, TypeLP},
		{"Lycée polyvalent Saint-Exupéry - Lycée des métiers de l'hôtellerie", "Lycée", nil, TypeLPO},
		{"LPO Caucadis - Lycée des métiers du transport logistique", "", nil, TypeLPO},
		{"Lycée général et technologique Condorcet", "", nil, TypeLGT},
		{"Lycée d'enseignement général et technologique agricole de Brioude", "", nil, TypeLA},
		{"Lycée professionnel agricole de Montmorillon", "", nil, TypeLA},
		{"Lycée Chateaubriand", "Lycée", nil, TypeLycee},
		{"Maison Familiale Rurale de Baulon", "Autre", nil, TypeMFR},
		{"Établissement régional d'enseignement adapté", "EREA", nil, TypeEREA},
		{"Organisme de formation-Centre de formation d'apprentis CECOF BERNARD PALISSY AMBERIEU EN BUGEY", "", nil, TypeCFA},
		{"CFA du Cycle et du Motocycle - INCM", "", nil, TypeCFA},
		{"Ctre de formation d'apprentis de la Chambre de métiers", "", nil, TypeCFA},
		{"UNIVERSITE COTE D'AZUR", "", []string{model.VoieSuperieur}, TypeSup},
		{"FORMAPI", "", []string{model.VoieApprentissage}, TypeCFA},
		{"Totem Formation", "", []string{model.VoieScolaire, model.VoieApprentissage}, TypeAutre},
		{"MENSA", "Service Administratif", nil, "Service Administratif"},
	} {
		if got := EtablissementType(c.nom, c.ref, c.voies); got != c.want {
			t.Errorf("%q (%q, %v) : %q, attendu %q", c.nom, c.ref, c.voies, got, c.want)
		}
	}
}
