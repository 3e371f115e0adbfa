package importer

import (
	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// Familles de métiers of the voie professionnelle (SOURCES.md §E5), as the
// Orion team assembled them from the BCN and the ministry's published list:
// one row per bac pro specialty with the common 2nde of its famille.

var tFamilles = &Target{Table: "familles_metiers", Key: []string{"cfd_specialite"},
	Cols: []string{"cfd_specialite", "mefstat11_specialite", "specialite", "famille", "slug", "mefstat11_commun", "cfd_commun", "ministere"}}

var fmtFamilles = &Format{
	Kind: "familles_metiers", Producer: "Orion (mission InserJeunes), d'après la BCN et le ministère de l'Éducation nationale",
	Licence: "Licence Ouverte 2.0 (Etalab)",
	Label:   "Familles de métiers de la voie professionnelle et leur 2nde commune", Order: 13,
	Plain:   true,
	Targets: []*Target{tFamilles},
	Match: func(h header, _ string) bool {
		return h.has("FAMILLE", "SPECIALITE", "MEFSTAT11_COMMUN", "CFD_COMMUN", "MEFSTAT11_SPECIALITE", "CFD_SPECIALITE")
	},
	Bind: func(h header, _ string) (rowFunc, error) {
		c, err := h.cols("FAMILLE", "SPECIALITE", "MEFSTAT11_COMMUN", "CFD_COMMUN", "MEFSTAT11_SPECIALITE", "CFD_SPECIALITE", "CODE_MINISTERE_TUTELLE")
		if err != nil {
			return nil, err
		}
		return func(r *row) {
			famille := r.str(c[0])
			slug := model.FamilleSlug(famille)
			if slug == "" {
				r.reject(c[0], "nom de la famille de métiers vide")
			}
			specialite := r.str(c[1])
			if specialite == "" {
				r.reject(c[1], "nom de la spécialité vide")
			}
			mefCommun := r.mefstat11(c[2])
			cfdCommun := r.cfd(c[3])
			mefSpec := r.mefstat11(c[4])
			cfdSpec := r.cfd(c[5])
			min := r.str(c[6])
			if len(min) != 2 || !isDigits(min) {
				r.reject(c[6], "code du ministère de tutelle sur 2 chiffres attendu (ex. 06 pour l'Éducation nationale)")
			}
			if !r.bad() && cfdSpec == cfdCommun {
				r.reject(c[5], "la spécialité a le même CFD que la 2nde commune de sa famille")
			}
			if r.bad() {
				return
			}
			r.emit(tFamilles, cfdSpec, mefSpec, specialite, famille, slug, mefCommun, cfdCommun, min)
		}, nil
	},
}
