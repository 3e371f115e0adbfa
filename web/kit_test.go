package web

import "github.com/vitrine-inserjeunes/vitrine/internal/badge"

// kitTemplateCase is the kit page filled: one voie with a badge, one
// under the threshold.
func kitTemplateCase(base basePage) pageCase {
	b := &badge.Badge{Title: "Lycée X", Subtitle: "Voie scolaire", Millesime: "promotions 2022 et 2023", Source: sourceInserJeunes,
		Figures: []badge.Figure{{Label: indTauxEmploi6.Label, Value: 54, Sentence: "Sur 100 sortants…"}}, URL: "http://exemple.test/etablissements/0010001W"}
	s := &Server{}
	s.cfg.BaseURL = base.BaseURL
	vbs := []voieBadge{{Voie: "scolaire", Millesime: "2022_2023", Badge: b},
		{Voie: "apprentissage", Millesime: "2022_2023", Badge: &badge.Badge{Title: "Lycée X", Unavailable: "non diffusé par le producteur"}}}
	p := &kitPage{basePage: base, Nom: "Lycée X", Target: "Lycée X", PagePath: "/etablissements/0010001W", Voies: s.kitVoies(dataState{Version: 7}, "0010001W", "", "", vbs)}
	return pageCase{"pages/kit", &kitPage{}, p, []string{"#kit-scolaire", "#kit-scolaire-carre ~ .fr-grid-row img[src]", "#kit-apprentissage ~ .fr-alert, #kit-apprentissage + .fr-alert",
		"a[download][href='/badges/etablissements/0010001W.pdf?format=affiche&theme=sombre&v=7&voie=scolaire']", "pre.vi-kit-code"}}
}
