package model

import "fmt"

// InserSup breakdown values of the headline figure: graduates, every
// gender, every nationality (FORMATS.md §4.6).
const (
	SupObtentionDiplome = "diplômé"
	SupEnsemble         = "ensemble"
)

// NbSupHorizons is the number of horizons InserSup publishes.
const NbSupHorizons = 5

// SupHorizons returns the months after graduation InserSup publishes, in
// order; SupFigure.Emploi is indexed like it.
func SupHorizons() [NbSupHorizons]int { return [NbSupHorizons]int{6, 12, 18, 24, 30} }

// SupHorizonIndex returns the index of a horizon in SupHorizons, or -1.
func SupHorizonIndex(mois int) int {
	for i, h := range SupHorizons() {
		if h == mois {
			return i
		}
	}
	return -1
}

// Salaire holds the net monthly salary quartiles (euros) at one horizon.
type Salaire struct {
	Mois int  `json:"mois"`
	Q1   *int `json:"q1"`
	Q2   *int `json:"q2"`
	Q3   *int `json:"q3"`
}

// supValues are the InserSup indicators, every horizon, of one key
// (establishment or aggregate × diplôme × promotion(s) × breakdown). nil
// means not published ("nd", "**", null): never 0. Rates are percentages
// with two decimals, as the producer publishes them. RawSupFigure and
// SupFigure share them.
type supValues struct {
	NbDiplomes     *int `json:"nb_diplomes"`
	NbSortants     *int `json:"nb_sortants"`
	NbPoursuivants *int `json:"nb_poursuivants"`

	NbEnEmploiSalarieFr6Mois  *int `json:"nb_en_emploi_salarie_fr_6_mois"`
	NbEnEmploiSalarieFr12Mois *int `json:"nb_en_emploi_salarie_fr_12_mois"`
	NbEnEmploiSalarieFr18Mois *int `json:"nb_en_emploi_salarie_fr_18_mois"`
	NbEnEmploiSalarieFr24Mois *int `json:"nb_en_emploi_salarie_fr_24_mois"`
	NbEnEmploiSalarieFr30Mois *int `json:"nb_en_emploi_salarie_fr_30_mois"`

	TauxEmploiSalarieFr6Mois  *float64 `json:"taux_emploi_salarie_fr_6_mois"`
	TauxEmploiSalarieFr12Mois *float64 `json:"taux_emploi_salarie_fr_12_mois"`
	TauxEmploiSalarieFr18Mois *float64 `json:"taux_emploi_salarie_fr_18_mois"`
	TauxEmploiSalarieFr24Mois *float64 `json:"taux_emploi_salarie_fr_24_mois"`
	TauxEmploiSalarieFr30Mois *float64 `json:"taux_emploi_salarie_fr_30_mois"`

	// Salaires lists the horizons where a quartile is published.
	Salaires []Salaire `json:"salaires"`

	// agg is set by AggregateSup: the denominator of each horizon's rate.
	agg *supBasis
}

// supBasis is what AggregateSup records of each horizon's rate: Σ
// nb_sortants over the n parts that publish both it and the employment
// count.
type supBasis struct {
	den, n [NbSupHorizons]int
}

// horizonWithheld reports whether the rate of horizon i of an aggregate
// rests on fewer than Seuil leavers (then its count goes too: with the
// leavers shown, it would give the rate back).
func (s *supValues) horizonWithheld(i int) bool {
	return s.agg != nil && s.agg.n[i] > 0 && s.agg.den[i] < Seuil
}

// RawSupFigure is a set of InserSup indicators as published or summed
// (AggregateSup), before the secret statistique; RawSupFigure.Disclose is
// the only way to a SupFigure.
type RawSupFigure supValues

// SupFigure is a RawSupFigure through the secret statistique, with its
// Statut. Its fields come from an unexported embedded struct, as Figure's.
type SupFigure struct {
	supValues
	Statut string `json:"statut"`
}

// Emploi returns pointers to the employment count and rate at horizon
// index i (see SupHorizons).
func (s *supValues) Emploi(i int) (**int, **float64) {
	switch i {
	case 0:
		return &s.NbEnEmploiSalarieFr6Mois, &s.TauxEmploiSalarieFr6Mois
	case 1:
		return &s.NbEnEmploiSalarieFr12Mois, &s.TauxEmploiSalarieFr12Mois
	case 2:
		return &s.NbEnEmploiSalarieFr18Mois, &s.TauxEmploiSalarieFr18Mois
	case 3:
		return &s.NbEnEmploiSalarieFr24Mois, &s.TauxEmploiSalarieFr24Mois
	case 4:
		return &s.NbEnEmploiSalarieFr30Mois, &s.TauxEmploiSalarieFr30Mois
	}
	panic("model: horizon InserSup hors bornes")
}

// Emploi returns pointers to the employment count and rate at horizon
// index i (see SupHorizons).
func (r *RawSupFigure) Emploi(i int) (**int, **float64) { return (*supValues)(r).Emploi(i) }

// Disclose applies the secret statistique (SecretStatistique, as
// RawFigure.Disclose) and sets Statut:
//   - nb_diplomes < 20: everything but nb_diplomes is removed, "sous_seuil";
//   - nb_sortants < 20: employment counts, rates and salaries are removed
//     (they rest on the leavers);
//   - no rate left: "sous_seuil" when the threshold removed them, else
//     "non_diffuse".
//
// Published rates are kept as published.
func (r RawSupFigure) Disclose() SupFigure {
	hideAll, hideEmploi := SecretStatistique(r.NbDiplomes, r.NbSortants)
	if hideAll {
		return SupFigure{supValues: supValues{NbDiplomes: r.NbDiplomes, Salaires: []Salaire{}}, Statut: StatutSousSeuil}
	}
	s := SupFigure{supValues: supValues(r)}
	if hideEmploi {
		for i := range NbSupHorizons {
			n, t := s.Emploi(i)
			*n, *t = nil, nil
		}
		s.Salaires = nil
	}
	withheld := false
	for i := range NbSupHorizons {
		if s.horizonWithheld(i) {
			n, t := s.Emploi(i)
			*n, *t = nil, nil
			withheld = true
		}
	}
	hideEmploi = hideEmploi || withheld
	if s.Salaires == nil {
		s.Salaires = []Salaire{}
	}
	for i := range NbSupHorizons {
		if _, t := s.Emploi(i); *t != nil {
			s.Statut = StatutOK
			return s
		}
	}
	if hideEmploi {
		s.Statut = StatutSousSeuil
	} else {
		s.Statut = StatutNonDiffuse
	}
	return s
}

// MissingReason says in French why a value of s is missing: onSortants is
// true for what rests on the leavers (employment counts and rates,
// salaries), false for the counts of graduates and leavers. It words the
// rule Disclose applies.
func (s *SupFigure) MissingReason(onSortants bool) string {
	hideAll, hideEmploi := SecretStatistique(s.NbDiplomes, s.NbSortants)
	switch s.Statut {
	case StatutOK, "":
	case StatutSousSeuil:
		if hideAll {
			return "secret statistique : moins de 20 diplômés"
		}
		return "secret statistique : moins de 20 sortants"
	default:
		return StatutLabel(s.Statut)
	}
	if onSortants && hideEmploi {
		return "secret statistique : moins de 20 sortants"
	}
	return StatutLabel(StatutNonDiffuse)
}

// EmploiMissingReason says in French why the employment rate of horizon
// index i is missing: MissingReason(true), or for an aggregate the
// threshold on that horizon's own leavers.
func (s *SupFigure) EmploiMissingReason(i int) string {
	if s.Statut == StatutOK && s.horizonWithheld(i) {
		return "secret statistique : moins de 20 sortants"
	}
	return s.MissingReason(true)
}

// Rate2 returns 100·num/den rounded half to even at two decimals (the
// precision InserSup publishes); ok is false when den is 0.
func Rate2(num, den int) (float64, bool) {
	q, ok := roundScaled(num, den, 10000)
	return float64(q) / 100, ok
}

// AggregateSup sums InserSup figures (establishments of a région or of the
// country) indicator by indicator, as Aggregate does: nb_diplomes,
// nb_sortants, nb_poursuivants and each employment count over the parts
// that publish it (a part's nb_diplomes is nb_sortants + nb_poursuivants
// when only those are published); each horizon's rate over the parts that
// publish both its employment count and nb_sortants, with that
// denominator recorded for Disclose. Salaries are quartiles: they cannot
// be summed and are left out.
func AggregateSup(perimetre string, parts []RawSupFigure) (RawSupFigure, Agregat) {
	ag := Agregat{Perimetre: perimetre, Composantes: len(parts), Indicateurs: map[Indicator]Couverture{}}
	out := RawSupFigure{Salaires: []Salaire{}}
	sum := func(ind Indicator, dst **int, get func(p *RawSupFigure) *int) {
		total, n := 0, 0
		for i := range parts {
			if v := get(&parts[i]); v != nil {
				total += *v
				n++
			}
		}
		if n > 0 {
			*dst = Int(total)
		}
		ag.Indicateurs[ind] = Couverture{Composantes: n, Exclues: len(parts) - n}
	}
	sum("nb_diplomes", &out.NbDiplomes, func(p *RawSupFigure) *int {
		if p.NbDiplomes == nil && p.NbSortants != nil && p.NbPoursuivants != nil {
			return Int(*p.NbSortants + *p.NbPoursuivants)
		}
		return p.NbDiplomes
	})
	sum("nb_sortants", &out.NbSortants, func(p *RawSupFigure) *int { return p.NbSortants })
	sum("nb_poursuivants", &out.NbPoursuivants, func(p *RawSupFigure) *int { return p.NbPoursuivants })
	if out.NbDiplomes != nil {
		ag.NbAnneeTermTotal = *out.NbDiplomes
	}
	basis := &supBasis{}
	enters := make([]bool, len(parts))
	for h, mois := range SupHorizons() {
		n, t := out.Emploi(h)
		sum(Indicator(fmt.Sprintf("nb_en_emploi_salarie_fr_%d_mois", mois)), n, func(p *RawSupFigure) *int { c, _ := p.Emploi(h); return *c })
		num := 0
		for i := range parts {
			p := &parts[i]
			if c, _ := p.Emploi(h); *c != nil && p.NbSortants != nil {
				num += **c
				basis.den[h] += *p.NbSortants
				basis.n[h]++
				enters[i] = true
			}
		}
		ag.Indicateurs[Indicator(fmt.Sprintf("taux_emploi_salarie_fr_%d_mois", mois))] = Couverture{Composantes: basis.n[h], Exclues: len(parts) - basis.n[h]}
		if basis.n[h] > 0 {
			if v, ok := Rate2(num, basis.den[h]); ok {
				*t = &v
			}
		}
	}
	for _, e := range enters {
		if !e {
			ag.ComposantesSansEffectifs++
		}
	}
	out.agg = basis
	return out, ag
}

// InserSupFigure is one InserSup figure of a diploma (SISE) for one
// promotion (or cumul of two), at one level: an establishment (UAI set) or
// an aggregate. The headline figure (diplômés, ensemble, ensemble) carries
// its breakdowns in Repartitions.
type InserSupFigure struct {
	Millesime        string `json:"millesime"`
	MillesimeLabel   string `json:"millesime_libelle"`
	Voie             string `json:"voie"`
	SISE             string `json:"sise"`
	UAI              string `json:"uai,omitempty"`
	ObtentionDiplome string `json:"obtention_diplome"`
	Genre            string `json:"genre"`
	Nationalite      string `json:"nationalite"`
	SupFigure
	Calcule       bool             `json:"calcule"`
	Agregat       *Agregat         `json:"agregat,omitempty"`
	Demonstration bool             `json:"demonstration"`
	Source        Source           `json:"source"`
	Repartitions  []InserSupFigure `json:"repartitions,omitempty"`
	// MillesimesDisponibles lists the promotions that do have figures,
	// when the statut is millesime_absent.
	MillesimesDisponibles []string `json:"millesimes_disponibles,omitempty"`
}

// IsHeadline reports whether f is the headline breakdown.
func (f *InserSupFigure) IsHeadline() bool {
	return isSupHeadline(f.ObtentionDiplome, f.Genre, f.Nationalite)
}

func isSupHeadline(obtention, genre, nationalite string) bool {
	return obtention == SupObtentionDiplome && genre == SupEnsemble && nationalite == SupEnsemble
}

// RawInserSupFigure is an InserSupFigure before the secret statistique:
// what the store reads, sums and groups into headlines with their
// breakdowns. Disclose is the only way to an InserSupFigure.
type RawInserSupFigure struct {
	Millesime                            string
	SISE, UAI                            string
	ObtentionDiplome, Genre, Nationalite string
	Raw                                  RawSupFigure
	Calcule                              bool
	Agregat                              *Agregat
	Demonstration                        bool
	Source                               Source
	Repartitions                         []RawInserSupFigure
}

// IsHeadline reports whether f is the headline breakdown.
func (f *RawInserSupFigure) IsHeadline() bool {
	return isSupHeadline(f.ObtentionDiplome, f.Genre, f.Nationalite)
}

// Disclose finishes the figure (and its breakdowns) for output: label,
// voie, demonstration flag, secret statistique (RawSupFigure.Disclose).
func (r RawInserSupFigure) Disclose() InserSupFigure {
	f := InserSupFigure{Millesime: r.Millesime, Voie: VoieSuperieur, SISE: r.SISE, UAI: r.UAI,
		ObtentionDiplome: r.ObtentionDiplome, Genre: r.Genre, Nationalite: r.Nationalite,
		SupFigure: r.Raw.Disclose(), Calcule: r.Calcule, Agregat: r.Agregat,
		Demonstration: r.Demonstration || r.Source.Demonstration, Source: r.Source}
	f.labelMillesime()
	if r.Repartitions != nil {
		f.Repartitions = make([]InserSupFigure, len(r.Repartitions))
		for i, p := range r.Repartitions {
			f.Repartitions[i] = p.Disclose()
		}
	}
	return f
}

func (f *InserSupFigure) labelMillesime() {
	if m, err := ParseMillesime(f.Millesime); err == nil {
		f.MillesimeLabel = m.Label()
	}
}

// AbsentSupFigure says that a diploma has no figure for a promotion at
// one level; disponibles lists the promotions that exist there.
func AbsentSupFigure(millesime, sise string, disponibles []string) InserSupFigure {
	f := InserSupFigure{Millesime: millesime, Voie: VoieSuperieur, SISE: sise,
		SupFigure:             SupFigure{supValues: supValues{Salaires: []Salaire{}}, Statut: StatutMillesimeAbsent},
		MillesimesDisponibles: SortMillesimes(disponibles)}
	f.labelMillesime()
	return f
}

// FormationSupDetail is everything about one InserSup diploma (SISE):
// identity, national and regional headline figures per promotion, and the
// establishments that award it.
type FormationSupDetail struct {
	Formation      Formation               `json:"formation"`
	Demonstration  bool                    `json:"demonstration"`
	Millesimes     []string                `json:"millesimes"`
	National       []InserSupFigure        `json:"national"`
	Regions        []RegionSupFigures      `json:"regions"`
	Etablissements []EtablissementOffreSup `json:"etablissements"`
}

// RegionSupFigures is the block of one région on an InserSup diploma page.
type RegionSupFigures struct {
	Region   Territoire       `json:"region"`
	Chiffres []InserSupFigure `json:"chiffres"`
}

// EtablissementOffreSup is one establishment awarding an InserSup diploma,
// with its latest headline figure.
type EtablissementOffreSup struct {
	UAI        string         `json:"uai"`
	Nom        string         `json:"nom"`
	Commune    string         `json:"commune"`
	Region     Territoire     `json:"region"`
	Millesimes []string       `json:"millesimes"`
	Dernier    InserSupFigure `json:"dernier"`
}

// SupMillesime holds, for one promotion, an establishment's headline
// figure (with its breakdowns) beside the regional and national ones.
type SupMillesime struct {
	Millesime     string         `json:"millesime"`
	Etablissement InserSupFigure `json:"etablissement"`
	Region        InserSupFigure `json:"region"`
	National      InserSupFigure `json:"national"`
}

// EtablissementSupDetail is every promotion of one establishment ×
// InserSup diploma pair.
type EtablissementSupDetail struct {
	Etablissement Etablissement  `json:"etablissement"`
	Formation     Formation      `json:"formation"`
	Demonstration bool           `json:"demonstration"`
	Millesimes    []string       `json:"millesimes"`
	Chiffres      []SupMillesime `json:"chiffres"`
}
