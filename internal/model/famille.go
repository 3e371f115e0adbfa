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

// Famille is a famille de métiers of the voie professionnelle (SOURCES.md
// §E5): the common 2nde pupils enter and the bac pro specialties they
// choose between at its end.
type Famille struct {
	Slug        string             `json:"slug"`
	Nom         string             `json:"nom"`
	Ministere   string             `json:"code_ministere_tutelle"`
	Commun      FamilleFormation   `json:"seconde_commune"`
	Specialites []FamilleFormation `json:"specialites"`
}

// FamilleFormation is the common 2nde or one specialty: its codes, the
// label of the familles file and the BCN one.
type FamilleFormation struct {
	CFD             string `json:"cfd"`
	MEFSTAT11       string `json:"mefstat11"`
	Libelle         string `json:"libelle"`
	LibelleBCN      string `json:"libelle_bcn,omitempty"`
	FormationFermee bool   `json:"formation_fermee"`
}

// FamilleChiffres are the figures of one specialty: the latest millésime
// of each voie (national, or of one establishment).
type FamilleChiffres struct {
	Specialite FamilleFormation  `json:"specialite"`
	Chiffres   []FormationFigure `json:"chiffres"`
}

// FamilleDetail is the page of a famille: each specialty's national
// figures and, for one establishment, the specialties it teaches.
type FamilleDetail struct {
	Famille
	National []FamilleChiffres `json:"national"`
	// Etablissement is set when the page is asked for one establishment;
	// EtabSpecialites then lists its specialties of the famille with
	// figures (the others are not taught there, or have none).
	Etablissement   *Etablissement    `json:"etablissement,omitempty"`
	EtabSpecialites []FamilleChiffres `json:"etablissement_specialites,omitempty"`
	Demonstration   bool              `json:"demonstration"`
}

// FamilleLien is what a formation page says of its famille de métiers.
type FamilleLien struct {
	Slug          string `json:"slug"`
	Nom           string `json:"nom"`
	CFDCommun     string `json:"cfd_seconde_commune"`
	LibelleCommun string `json:"libelle_seconde_commune"`
	NbSpecialites int    `json:"nb_specialites"`
	// Commune: the CFD is the common 2nde itself, not a specialty.
	Commune bool `json:"seconde_commune"`
}
