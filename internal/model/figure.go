package model

import "strings"

// Seuil is the secret-statistique threshold: no rate rests on fewer people.
const Seuil = 20

// Voie of a figure.
const (
	VoieScolaire      = "scolaire"
	VoieApprentissage = "apprentissage"
	VoieSuperieur     = "superieur"
)

// Statut of a figure (DESIGN §6).
const (
	StatutOK              = "ok"
	StatutSousSeuil       = "sous_seuil"
	StatutNonDiffuse      = "non_diffuse"
	StatutCodeInconnu     = "code_inconnu"
	StatutUAIInconnu      = "uai_inconnu"
	StatutNonDispensee    = "non_dispensee"
	StatutMillesimeAbsent = "millesime_absent"
)

// StatutLabel is the French sentence that explains a statut to a visitor.
func StatutLabel(s string) string {
	switch s {
	case StatutOK:
		return "chiffres publiés"
	case StatutSousSeuil:
		return "moins de 20 élèves en année terminale : les taux ne sont pas diffusés (secret statistique)"
	case StatutNonDiffuse:
		return "non diffusé par le producteur"
	case StatutCodeInconnu:
		return "code de formation inconnu"
	case StatutUAIInconnu:
		return "établissement (UAI) inconnu"
	case StatutNonDispensee:
		return "formation non dispensée dans cet établissement"
	case StatutMillesimeAbsent:
		return "pas de chiffres pour ce millésime"
	}
	return s
}

// figureValues are the InserJeunes indicators of one key (establishment,
// formation or territory) and millésime. nil means "not published / not
// known"; it is never replaced by 0. RawFigure and Figure share them.
type figureValues struct {
	NbAnneeTerm       *int `json:"nb_annee_term"`
	NbSortant         *int `json:"nb_sortant"`
	NbPoursuiteEtudes *int `json:"nb_poursuite_etudes"`
	NbEnEmploi6Mois   *int `json:"nb_en_emploi_6_mois"`
	NbEnEmploi12Mois  *int `json:"nb_en_emploi_12_mois"`
	NbEnEmploi18Mois  *int `json:"nb_en_emploi_18_mois"`
	NbEnEmploi24Mois  *int `json:"nb_en_emploi_24_mois"`

	TauxPoursuiteEtudes     *int `json:"taux_poursuite_etudes"`
	TauxEmploi6Mois         *int `json:"taux_emploi_6_mois"`
	TauxEmploi6MoisAttendu  *int `json:"taux_emploi_6_mois_attendu"`
	ValeurAjoutee           *int `json:"valeur_ajoutee"`
	PartPoursuiteEtudes     *int `json:"part_poursuite_etudes"`
	PartEmploi6Mois         *int `json:"part_emploi_6_mois"`
	PartAutresSituations    *int `json:"part_autres_situations"`
	TauxEmploi12Mois        *int `json:"taux_emploi_12_mois"`
	TauxEmploi18Mois        *int `json:"taux_emploi_18_mois"`
	TauxEmploi24Mois        *int `json:"taux_emploi_24_mois"`
	TauxContratsInterrompus *int `json:"taux_contrats_interrompus"`

	// agg is set by Aggregate: what each computed rate rests on (its own
	// denominator), for Disclose and MissingReason. nil for a figure as
	// published.
	agg *aggBasis
}

// RawFigure is a set of InserJeunes indicators as a file publishes them or
// as summed from others (Aggregate), before the secret statistique. The
// store reads, sums and compares RawFigures; no output holds one:
// RawFigure.Disclose is the only way from a RawFigure to a Figure.
type RawFigure figureValues

// Figure is a RawFigure through the secret statistique, with its Statut:
// what pages, exports, the API and badges show. It has the fields of
// RawFigure, promoted from an unexported embedded struct: outside this
// package no Figure literal can set them, so a Figure with values comes
// from RawFigure.Disclose (a value-less one may carry the reason it is
// absent, see AbsentFigure).
type Figure struct {
	figureValues
	Statut string `json:"statut"`
}

// Indicator names one value of a Figure by its JSON name (DESIGN §6).
type Indicator string

// The indicators of a Figure, in JSON order.
const (
	IndNbAnneeTerm             Indicator = "nb_annee_term"
	IndNbSortant               Indicator = "nb_sortant"
	IndNbPoursuiteEtudes       Indicator = "nb_poursuite_etudes"
	IndNbEnEmploi6Mois         Indicator = "nb_en_emploi_6_mois"
	IndNbEnEmploi12Mois        Indicator = "nb_en_emploi_12_mois"
	IndNbEnEmploi18Mois        Indicator = "nb_en_emploi_18_mois"
	IndNbEnEmploi24Mois        Indicator = "nb_en_emploi_24_mois"
	IndTauxPoursuiteEtudes     Indicator = "taux_poursuite_etudes"
	IndTauxEmploi6Mois         Indicator = "taux_emploi_6_mois"
	IndTauxEmploi6MoisAttendu  Indicator = "taux_emploi_6_mois_attendu"
	IndValeurAjoutee           Indicator = "valeur_ajoutee"
	IndPartPoursuiteEtudes     Indicator = "part_poursuite_etudes"
	IndPartEmploi6Mois         Indicator = "part_emploi_6_mois"
	IndPartAutresSituations    Indicator = "part_autres_situations"
	IndTauxEmploi12Mois        Indicator = "taux_emploi_12_mois"
	IndTauxEmploi18Mois        Indicator = "taux_emploi_18_mois"
	IndTauxEmploi24Mois        Indicator = "taux_emploi_24_mois"
	IndTauxContratsInterrompus Indicator = "taux_contrats_interrompus"
)

// indicators lists every indicator of a Figure, in JSON order.
func indicators() [18]Indicator {
	return [18]Indicator{IndNbAnneeTerm, IndNbSortant, IndNbPoursuiteEtudes, IndNbEnEmploi6Mois, IndNbEnEmploi12Mois,
		IndNbEnEmploi18Mois, IndNbEnEmploi24Mois, IndTauxPoursuiteEtudes, IndTauxEmploi6Mois, IndTauxEmploi6MoisAttendu,
		IndValeurAjoutee, IndPartPoursuiteEtudes, IndPartEmploi6Mois, IndPartAutresSituations, IndTauxEmploi12Mois,
		IndTauxEmploi18Mois, IndTauxEmploi24Mois, IndTauxContratsInterrompus}
}

// Indicators lists every indicator of a Figure, in JSON order (the
// columns of the bulk downloads).
func Indicators() []Indicator {
	all := indicators()
	return all[:]
}

// IsCount reports whether ind is a count (nb_*), not a rate or a part.
func (ind Indicator) IsCount() bool { return strings.HasPrefix(string(ind), "nb_") }

// RestsOnSortants reports whether ind is hidden when nb_sortant < Seuil:
// the employment rates (their denominator is nb_sortant), and the expected
// rate and valeur ajoutée derived from them (taux = attendu + valeur
// ajoutée would give a hidden taux away; the producer never publishes them
// without the taux). The part "en emploi" rests on nb_annee_term.
func (ind Indicator) RestsOnSortants() bool {
	switch ind {
	case IndTauxEmploi6Mois, IndTauxEmploi12Mois, IndTauxEmploi18Mois, IndTauxEmploi24Mois,
		IndTauxEmploi6MoisAttendu, IndValeurAjoutee:
		return true
	}
	return false
}

// field returns the field of ind (nil for an unknown indicator).
func (v *figureValues) field(ind Indicator) **int {
	switch ind {
	case IndNbAnneeTerm:
		return &v.NbAnneeTerm
	case IndNbSortant:
		return &v.NbSortant
	case IndNbPoursuiteEtudes:
		return &v.NbPoursuiteEtudes
	case IndNbEnEmploi6Mois:
		return &v.NbEnEmploi6Mois
	case IndNbEnEmploi12Mois:
		return &v.NbEnEmploi12Mois
	case IndNbEnEmploi18Mois:
		return &v.NbEnEmploi18Mois
	case IndNbEnEmploi24Mois:
		return &v.NbEnEmploi24Mois
	case IndTauxPoursuiteEtudes:
		return &v.TauxPoursuiteEtudes
	case IndTauxEmploi6Mois:
		return &v.TauxEmploi6Mois
	case IndTauxEmploi6MoisAttendu:
		return &v.TauxEmploi6MoisAttendu
	case IndValeurAjoutee:
		return &v.ValeurAjoutee
	case IndPartPoursuiteEtudes:
		return &v.PartPoursuiteEtudes
	case IndPartEmploi6Mois:
		return &v.PartEmploi6Mois
	case IndPartAutresSituations:
		return &v.PartAutresSituations
	case IndTauxEmploi12Mois:
		return &v.TauxEmploi12Mois
	case IndTauxEmploi18Mois:
		return &v.TauxEmploi18Mois
	case IndTauxEmploi24Mois:
		return &v.TauxEmploi24Mois
	case IndTauxContratsInterrompus:
		return &v.TauxContratsInterrompus
	}
	return nil
}

// Value returns the value of ind (nil when not shown, or unknown indicator).
func (f *Figure) Value(ind Indicator) *int {
	if p := f.field(ind); p != nil {
		return *p
	}
	return nil
}

// Disclose applies the secret statistique (DESIGN §3.4) and sets Statut.
// It is the one way from raw values to what every output (page, export,
// API, badge) shows:
//   - nb_annee_term < 20: every rate and every count but nb_annee_term is
//     removed, statut "sous_seuil";
//   - nb_sortant < 20: the indicators that rest on it (RestsOnSortants) are
//     removed;
//   - an aggregate (Aggregate): each rate whose own denominator is below
//     20 is removed, with the count that is its numerator and
//     part_autres_situations when a part is removed (withheld);
//   - no rate or part left: statut "non_diffuse"; else "ok".
//
// The thresholds are decided by SecretStatistique, shared with InserSup
// (RawSupFigure.Disclose). Published rates are kept as published.
func (r RawFigure) Disclose() Figure {
	f := Figure{figureValues: figureValues(r)}
	var hide []Indicator
	for _, ind := range indicators() {
		if f.withheld(ind) != "" {
			hide = append(hide, ind)
		}
	}
	for _, ind := range hide {
		*f.field(ind) = nil
	}
	hideAll, _ := SecretStatistique(f.NbAnneeTerm, f.NbSortant)
	switch {
	case hideAll:
		f.Statut = StatutSousSeuil
	case f.anyRate():
		f.Statut = StatutOK
	default:
		f.Statut = StatutNonDiffuse
	}
	return f
}

// The reasons of the secret statistique, as cells and exports word them.
const (
	reasonEleves   = "secret statistique : moins de 20 élèves"
	reasonSortants = "secret statistique : moins de 20 sortants"
)

// withheld says why the secret statistique withholds ind of v ("" when
// it does not): the one decision Disclose applies and MissingReason words.
func (v *figureValues) withheld(ind Indicator) string {
	hideAll, hideEmploi := SecretStatistique(v.NbAnneeTerm, v.NbSortant)
	switch {
	case hideAll && ind != IndNbAnneeTerm:
		return reasonEleves
	case hideEmploi && ind.RestsOnSortants():
		return reasonSortants
	case v.agg != nil:
		return v.agg.withheld(ind)
	}
	return ""
}

// anyRate reports whether a rate or a part is set.
func (v *figureValues) anyRate() bool {
	for _, ind := range indicators() {
		if !ind.IsCount() && *v.field(ind) != nil {
			return true
		}
	}
	return false
}

// MissingReason says in French why indicator ind of f shows no value ("" when
// it shows one): the reason of a figure that is absent or under the
// threshold, the threshold of the indicator's own denominator (the
// figure's nb_sortant, or for an aggregate each rate's own), else why an
// aggregate does not compute it, else the producer's own silence. It words
// the rule Disclose applies, for the cells, charts and headlines of the
// pages.
func (f *Figure) MissingReason(ind Indicator) string {
	if f.Value(ind) != nil {
		return ""
	}
	switch f.Statut {
	case StatutOK, StatutNonDiffuse, "":
	case StatutSousSeuil:
		return reasonEleves
	default:
		return StatutLabel(f.Statut)
	}
	if f.agg != nil && neverAggregated(ind) {
		return f.agg.absent(ind)
	}
	if r := f.withheld(ind); r != "" {
		return r
	}
	if f.agg != nil {
		return f.agg.absent(ind)
	}
	return StatutLabel(StatutNonDiffuse)
}

// RoundHalfEven returns round(100·num/den) with ties to even, in integers.
// ok is false when den is 0.
func RoundHalfEven(num, den int) (int, bool) {
	return roundScaled(num, den, 100)
}

// roundScaled returns round(scale·num/den) with ties to even; ok is false
// when den is 0 or num negative.
func roundScaled(num, den, scale int) (int, bool) {
	if den <= 0 || num < 0 {
		return 0, false
	}
	n := scale * num
	q, r := n/den, n%den
	switch {
	case 2*r > den:
		q++
	case 2*r == den && q%2 == 1:
		q++
	}
	return q, true
}

// Rate computes round-half-even(100·num/den) from optional counts.
func Rate(num, den *int) *int {
	if num == nil || den == nil {
		return nil
	}
	v, ok := RoundHalfEven(*num, *den)
	if !ok {
		return nil
	}
	return &v
}

// Parts computes the three parts of nb_annee_term from rounded parts:
// autres = max(0, 100 − emploi − poursuite).
func Parts(poursuite, emploi *int) (autres *int) {
	if poursuite == nil || emploi == nil {
		return nil
	}
	a := 100 - *poursuite - *emploi
	if a < 0 {
		a = 0
	}
	return &a
}

// ComputeFromCounts fills every rate of f that can be derived from its
// counts and is not already published (used for aggregates, and for the
// parts of a row that publishes counts only).
func (f *RawFigure) ComputeFromCounts() {
	fill := func(dst **int, v *int) {
		if *dst == nil {
			*dst = v
		}
	}
	fill(&f.TauxPoursuiteEtudes, Rate(f.NbPoursuiteEtudes, f.NbAnneeTerm))
	fill(&f.TauxEmploi6Mois, Rate(f.NbEnEmploi6Mois, f.NbSortant))
	fill(&f.TauxEmploi12Mois, Rate(f.NbEnEmploi12Mois, f.NbSortant))
	fill(&f.TauxEmploi18Mois, Rate(f.NbEnEmploi18Mois, f.NbSortant))
	fill(&f.TauxEmploi24Mois, Rate(f.NbEnEmploi24Mois, f.NbSortant))
	fill(&f.PartPoursuiteEtudes, Rate(f.NbPoursuiteEtudes, f.NbAnneeTerm))
	fill(&f.PartEmploi6Mois, Rate(f.NbEnEmploi6Mois, f.NbAnneeTerm))
	fill(&f.PartAutresSituations, Parts(f.PartPoursuiteEtudes, f.PartEmploi6Mois))
}

// Int returns a pointer to v (helper for optional values).
func Int(v int) *int { return &v }

// StatutPhrase words the statut of f for a visitor: StatutLabel, except a
// figure whose every rate is withheld by the threshold of its own
// denominator while nb_annee_term ≥ 20 (an aggregate, or a row with few
// leavers): it is not sous_seuil (its learners are shown), nor silent.
func (f *Figure) StatutPhrase() string {
	if f.Statut == StatutNonDiffuse {
		for _, ind := range indicators() {
			if !ind.IsCount() && f.withheld(ind) != "" {
				return "secret statistique : chaque taux repose sur moins de 20 élèves ou sortants"
			}
		}
	}
	return StatutLabel(f.Statut)
}
