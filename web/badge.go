package web

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/vitrine-inserjeunes/vitrine/assets"
	"github.com/vitrine-inserjeunes/vitrine/internal/badge"
	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// What a badge says is built here from the figures the store returns,
// which are disclosed already (model.RawFigure.Disclose): a badge reads a
// figure's values through Figure.Value, so a value the secret statistique
// withholds is nil here as on the pages, and no badge is offered for a
// figure without a published taux.

// sourceInserJeunes is the source line of an InserJeunes badge.
const sourceInserJeunes = "Données InserJeunes — DEPP, DARES"

// noteEmploiPublic is the caveat of the promotions that left before 2022.
const noteEmploiPublic = "Promotions sorties jusqu'en 2021 : l'emploi dans la fonction publique n'est pas compté dans les taux d'emploi (la DSN ne le couvre qu'à partir des sortants de 2022)."

// errNoBadgeSup is the answer of the badge, kit and widget routes to a
// SISE code: InserSup diplomas have no badge yet.
func errNoBadgeSup() error {
	return errNotFound("badge_non_propose", "Les badges ne sont proposés que pour les chiffres InserJeunes (voie professionnelle) ; les diplômes de l'enseignement supérieur (InserSup) n'en ont pas encore.")
}

// voieBadge is the badge of one voie (scolaire, apprentissage) of an
// establishment or a pair, at one millésime: Badge.Unavailable says why
// there is no figure to show.
type voieBadge struct {
	Voie      string
	Millesime string
	Badge     *badge.Badge
	// Millesimes lists the millésimes of this voie (most recent first).
	Millesimes []string
}

// Available tells whether the badge shows figures.
func (v *voieBadge) Available() bool { return v.Badge.Unavailable == "" }

// badgeFigure is what a badge needs of one figure, whichever its level.
type badgeFigure struct {
	millesime, label string
	fig              *model.Figure
	demo             bool
	emploiPublic     bool
	continuum        *model.SourceContinuum
}

// badgeFrom fills b from the figure f, or says why it cannot.
func badgeFrom(b *badge.Badge, f badgeFigure) {
	b.Millesime = labelOr(f.label, f.millesime)
	b.Source = sourceInserJeunes
	b.Demonstration = f.demo
	fig := f.fig
	if fig.Statut != model.StatutOK {
		b.Unavailable = model.StatutLabel(fig.Statut) + " (" + b.Millesime + ")"
		return
	}
	for _, in := range []indicator{indTauxEmploi6, indTauxPoursuite} {
		v := fig.Value(in.Ind)
		if v == nil {
			continue
		}
		b.Figures = append(b.Figures, badge.Figure{Label: in.Label, Value: *v,
			Sentence: upperFirst(fmt.Sprintf(in.Per100, formatInt(*v))) + "."})
	}
	if len(b.Figures) == 0 {
		b.Unavailable = fmt.Sprintf("taux d'emploi à 6 mois : %s ; taux de poursuite d'études : %s (%s)",
			fig.MissingReason(indTauxEmploi6.Ind), fig.MissingReason(indTauxPoursuite.Ind), b.Millesime)
		return
	}
	if va := fig.ValeurAjoutee; va != nil && fig.TauxEmploi6Mois != nil {
		b.ValeurAjoutee = pointsOf(*va, true) + " par rapport au taux attendu"
	}
	if e, p, a := fig.PartEmploi6Mois, fig.PartPoursuiteEtudes, fig.PartAutresSituations; e != nil && p != nil && a != nil {
		b.Parts = &badge.Parts{Emploi: *e, Poursuite: *p, Autres: *a}
	}
	if f.emploiPublic {
		b.Notes = append(b.Notes, noteEmploiPublic)
	}
	if f.continuum != nil {
		b.Notes = append(b.Notes, upperFirst(f.continuum.Phrase())+".")
	}
}

// pickVoie chooses the badge of voie (the first available one when voie
// is ""), with a French error naming the voies when there is none.
func pickVoie(vbs []voieBadge, voie string) (*voieBadge, error) {
	if len(vbs) == 0 {
		return nil, errNotFound(model.StatutNonDiffuse, "Aucun chiffre InserJeunes n'est publié ici : aucun badge n'est proposé.")
	}
	var names []string
	for i := range vbs {
		names = append(names, vbs[i].Voie)
		if vbs[i].Voie == voie {
			return &vbs[i], nil
		}
	}
	if voie != "" {
		return nil, errNotFound(model.StatutNonDiffuse, fmt.Sprintf("Pas de chiffres en voie « %s » ici ; voies possibles : %s.", voie, strings.Join(names, ", ")))
	}
	for i := range vbs {
		if vbs[i].Available() {
			return &vbs[i], nil
		}
	}
	return &vbs[0], nil
}

// millesimeOf picks millesime (canonical form) among ms, most recent
// first; "" is the latest. The error lists the ones that exist.
func millesimeOf(ms []string, millesime string) (string, error) {
	if millesime == "" {
		return ms[0], nil
	}
	m, err := model.ParseMillesime(millesime)
	if err == nil && slices.Contains(ms, m.String()) {
		return m.String(), nil
	}
	return "", errNotFound(model.StatutMillesimeAbsent, fmt.Sprintf("Pas de chiffres pour le millésime « %s » : %s ; millésimes disponibles : %s.",
		millesime, model.StatutLabel(model.StatutMillesimeAbsent), strings.Join(ms, ", ")))
}

// etabBadges is the badge of each voie of an establishment (sous-population
// « ensemble » or the first published), at millesime ("" the latest).
func (s *Server) etabBadges(ctx context.Context, uai, millesime string) (model.Etablissement, []voieBadge, error) {
	et, err := s.store.Etablissement(ctx, uai)
	if err != nil {
		return et, nil, notFoundEtab(err, uai)
	}
	figs, err := s.store.EtablissementFigures(ctx, uai)
	if err != nil {
		return et, nil, err
	}
	nom := labelOr(et.Nom, "Établissement "+uai)
	byVoie := map[string][]model.EtabFigure{}
	var voies []string
	for _, f := range figs {
		if f.Voie == model.VoieSuperieur {
			continue
		}
		if _, ok := byVoie[f.Voie]; !ok {
			voies = append(voies, f.Voie)
		}
		byVoie[f.Voie] = append(byVoie[f.Voie], f)
	}
	slices.SortFunc(voies, func(a, b string) int { return model.VoieOrder(a) - model.VoieOrder(b) })
	var out []voieBadge
	for _, v := range voies {
		main := mainSousPopulation(byVoie[v])
		slices.SortFunc(main, func(a, b model.EtabFigure) int { return model.CompareMillesimes(a.Millesime, b.Millesime) })
		vb := voieBadge{Voie: v}
		for _, f := range main {
			vb.Millesimes = append(vb.Millesimes, f.Millesime)
		}
		m, err := millesimeOf(vb.Millesimes, millesime)
		if err != nil {
			return et, nil, err
		}
		vb.Millesime = m
		i := slices.IndexFunc(main, func(f model.EtabFigure) bool { return f.Millesime == m })
		f := &main[i]
		vb.Badge = &badge.Badge{Title: nom, Subtitle: voieBlockLabel(v), URL: s.cfg.BaseURL + "/etablissements/" + uai}
		badgeFrom(vb.Badge, badgeFigure{millesime: f.Millesime, label: f.MillesimeLabel, fig: &f.Figure,
			demo: f.Source.Demonstration, emploiPublic: f.EmploiPublicExclu})
		out = append(out, vb)
	}
	return et, out, nil
}

// mainSousPopulation is the « ensemble » figures of a voie, else those of
// its first sous-population (as the establishment page shows them).
func mainSousPopulation(figs []model.EtabFigure) []model.EtabFigure {
	var first string
	var main, firstFigs []model.EtabFigure
	for _, f := range figs {
		if f.SousPopulation == "ensemble" {
			main = append(main, f)
		}
		if first == "" {
			first = f.SousPopulation
		}
		if f.SousPopulation == first {
			firstFigs = append(firstFigs, f)
		}
	}
	if main == nil {
		return firstFigs
	}
	return main
}

// pairBadges is the badge of each voie of an establishment × formation
// pair (InserJeunes), at millesime ("" the latest).
func (s *Server) pairBadges(ctx context.Context, uai, code, millesime string) (model.EtablissementFormationDetail, []voieBadge, error) {
	d, err := s.store.EtablissementFormation(ctx, uai, code)
	if err != nil {
		return d, nil, err
	}
	nom := labelOr(d.Etablissement.Nom, "Établissement "+uai)
	byVoie := map[string][]model.EtabFormationMillesime{}
	var voies []string
	for _, m := range d.Chiffres { // most recent first
		if _, ok := byVoie[m.Voie]; !ok {
			voies = append(voies, m.Voie)
		}
		byVoie[m.Voie] = append(byVoie[m.Voie], m)
	}
	slices.SortFunc(voies, func(a, b string) int { return model.VoieOrder(a) - model.VoieOrder(b) })
	var out []voieBadge
	for _, v := range voies {
		ms := byVoie[v]
		slices.SortFunc(ms, func(a, b model.EtabFormationMillesime) int { return model.CompareMillesimes(a.Millesime, b.Millesime) })
		vb := voieBadge{Voie: v}
		for _, m := range ms {
			vb.Millesimes = append(vb.Millesimes, m.Millesime)
		}
		m, err := millesimeOf(vb.Millesimes, millesime)
		if err != nil {
			return d, nil, err
		}
		vb.Millesime = m
		e := ms[slices.IndexFunc(ms, func(x model.EtabFormationMillesime) bool { return x.Millesime == m })].Etablissement
		vb.Badge = &badge.Badge{Title: nom, Subtitle: joinNonEmpty(" — ", formationTitle(d.Formation), voieLabel(v)),
			URL: s.cfg.BaseURL + "/etablissements/" + uai + "/formations/" + d.Formation.Code}
		if model.IsAbsence(e.Statut) {
			vb.Badge.Millesime = labelOr(e.MillesimeLabel, m)
			vb.Badge.Source = sourceInserJeunes
			vb.Badge.Unavailable = model.StatutLabel(e.Statut) + " (" + vb.Badge.Millesime + ")"
		} else {
			badgeFrom(vb.Badge, badgeFigure{millesime: m, label: e.MillesimeLabel, fig: &e.Figure, demo: e.Demonstration,
				emploiPublic: e.EmploiPublicExclu, continuum: e.SourceContinuum})
		}
		out = append(out, vb)
	}
	return d, out, nil
}

// notFoundEtab words the absence of an establishment.
func notFoundEtab(err error, uai string) error {
	if errors.Is(err, model.ErrNotFound) {
		return errNotFound(model.StatutUAIInconnu, fmt.Sprintf("Aucun établissement ne porte l'UAI %s dans les données chargées : %s.", uai, model.StatutLabel(model.StatutUAIInconnu)))
	}
	return err
}

// newBadgeRenderer loads the vendored Marianne (WOFF2) into the badge
// renderer.
func newBadgeRenderer(as *assets.Set) (*badge.Renderer, error) {
	reg, ok1 := as.ByName("dsfr/fonts/Marianne-Regular.woff2")
	bold, ok2 := as.ByName("dsfr/fonts/Marianne-Bold.woff2")
	if !ok1 || !ok2 {
		return nil, errors.New("badges : police Marianne absente des ressources")
	}
	return badge.NewRenderer(badge.Fonts{Regular: reg.Body, Bold: bold.Body})
}
