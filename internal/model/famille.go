package model

import "strings"

// FamilleSlug is the URL segment of a famille de métiers: its label folded
// (accents, case), every run of other characters than letters and digits
// turned into one hyphen. « Métiers de l'hôtellerie-restauration » →
// « metiers-de-l-hotellerie-restauration ».
func FamilleSlug(label string) string {
	var b strings.Builder
	dash := false
	for _, r := range Fold(label) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
			continue
		}
		dash = true
	}
	return b.String()
}
