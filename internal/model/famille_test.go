package model

import "testing"

func TestFamilleSlug(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Métiers de l'hôtellerie-restauration", "metiers-de-l-hotellerie-restauration"},
		{"Artisanat et métiers d'art - facteur d'orgues", "artisanat-et-metiers-d-art-facteur-d-orgues"},
		{"Métiers de la nature - jardin - paysage - forêt", "metiers-de-la-nature-jardin-paysage-foret"},
		{"  Métiers de la mer ", "metiers-de-la-mer"},
		{"", ""},
	} {
		if got := FamilleSlug(c.in); got != c.want {
			t.Errorf("FamilleSlug(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
