package model

// Perimeters of an aggregate figure.
const (
	PerimetreNational = "national"
	PerimetreRegion   = "region"
	PerimetreNiveau   = "niveau"
	// PerimetreAcademie: the establishments of one académie summed (no
	// file publishes académie figures).
	PerimetreAcademie = "academie"
	// PerimetreFormation: several keys of one formation summed (the
	// MEFSTAT11s of one CFD, e.g. BTS in one or two years).
	PerimetreFormation = "formation"
)

// Agregat says how an aggregate figure was computed.
type Agregat struct {
	Perimetre string `json:"perimetre"`
	// Composantes is the number of figures summed.
	Composantes int `json:"composantes"`
	// ComposantesSansEffectifs are the figures that enter no rate: the
	// producer published none of their counts but (at most) nb_annee_term
	// (small cells). Their learners are in NbAnneeTermTotal only.
	ComposantesSansEffectifs int `json:"composantes_sans_effectifs"`
	// NbAnneeTermTotal counts the learners of every component that
	// publishes nb_annee_term: it is the figure's nb_annee_term.
	NbAnneeTermTotal int `json:"nb_annee_term_total"`
	// Indicateurs says, for every count and rate computed, how many
	// components enter it and how many are left out (DESIGN §3.4).
	Indicateurs map[Indicator]Couverture `json:"indicateurs"`
}

// Couverture is the coverage of one indicator of an aggregate: a count
// enters from the components that publish it, a rate from those that
// publish both its numerator and its denominator.
type Couverture struct {
	Composantes int `json:"composantes"`
	Exclues     int `json:"exclues"`
}

// Couverture returns the coverage of ind (zero when ind is not computed).
func (a *Agregat) Couverture(ind Indicator) Couverture {
	if a == nil {
		return Couverture{}
	}
	return a.Indicateurs[ind]
}

// ratio is a rate of an aggregate before rounding: its numerator and
// denominator summed over the n components where both are published.
type ratio struct {
	num, den, n int
}

// aggBasis is what Aggregate records in the figure it returns (and
// Disclose and MissingReason read): what each computed rate rests on.
// A published figure has none.
type aggBasis struct {
	rates map[Indicator]ratio
	// partsSame: part_poursuite_etudes and part_emploi_6_mois rest on the
	// same components (down to the leaves of nested aggregates), so
	// part_autres_situations = 100 − both is a part of the same people.
	partsSame bool
}

// rateDef names the numerator and denominator counts of a computed rate;
// also, when set, is a count a leaf component must publish too to enter
// (the three parts rest on the components that publish all their counts).
type rateDef struct{ ind, num, den, also Indicator }

// aggregatedRates are the rates Aggregate computes from summed counts:
// taux and part de poursuite d'études on nb_annee_term, taux d'emploi on
// nb_sortant, part en emploi on nb_annee_term. The expected rate, the
// valeur ajoutée and the broken-contract rate are never aggregated.
func aggregatedRates() [8]rateDef {
	return [8]rateDef{
		{IndTauxPoursuiteEtudes, IndNbPoursuiteEtudes, IndNbAnneeTerm, ""},
		{IndTauxEmploi6Mois, IndNbEnEmploi6Mois, IndNbSortant, ""},
		{IndTauxEmploi12Mois, IndNbEnEmploi12Mois, IndNbSortant, ""},
		{IndTauxEmploi18Mois, IndNbEnEmploi18Mois, IndNbSortant, ""},
		{IndTauxEmploi24Mois, IndNbEnEmploi24Mois, IndNbSortant, ""},
		{IndPartPoursuiteEtudes, IndNbPoursuiteEtudes, IndNbAnneeTerm, IndNbEnEmploi6Mois},
		{IndPartEmploi6Mois, IndNbEnEmploi6Mois, IndNbAnneeTerm, IndNbPoursuiteEtudes},
		{IndPartAutresSituations, "", "", ""},
	}
}

// aggregatedCounts are the counts Aggregate sums.
func aggregatedCounts() [7]Indicator {
	return [7]Indicator{IndNbAnneeTerm, IndNbSortant, IndNbPoursuiteEtudes, IndNbEnEmploi6Mois,
		IndNbEnEmploi12Mois, IndNbEnEmploi18Mois, IndNbEnEmploi24Mois}
}

// ratioOf returns the numerator and denominator a part brings to rate d:
// a nested aggregate brings its own ratio (so an aggregate of aggregates
// equals the aggregate of their components), a published figure its two
// counts when both are published.
func (r *RawFigure) ratioOf(d rateDef) (ratio, bool) {
	if r.agg != nil {
		x, ok := r.agg.rates[d.ind]
		return x, ok && x.n > 0
	}
	v := (*figureValues)(r)
	num, den := *v.field(d.num), *v.field(d.den)
	if num == nil || den == nil || d.also != "" && *v.field(d.also) == nil {
		return ratio{}, false
	}
	return ratio{num: *num, den: *den, n: 1}, true
}

// Aggregate sums parts (régions of the country, establishments of a
// région, formations of a level…) indicator by indicator (DESIGN §3.4):
//   - every count (nb_annee_term, nb_sortant, nb_poursuite_etudes,
//     nb_en_emploi_X) is the sum over the parts that publish it; so
//     nb_annee_term counts every learner of the parts;
//   - each rate sums its numerator and its denominator over the parts
//     where both are published, then rounds half to even
//     (RoundHalfEven): taux and part de poursuite d'études =
//     nb_poursuite_etudes / nb_annee_term, taux_emploi_X = nb_en_emploi_X
//     / nb_sortant;
//   - the three parts describe one population, so they rest on the parts
//     that publish nb_annee_term, nb_poursuite_etudes and
//     nb_en_emploi_6_mois alike: part_poursuite_etudes and
//     part_emploi_6_mois over those, part_autres_situations = max(0, 100 −
//     both) — they add up to 100. The part en formation may then differ
//     from the taux de poursuite d'études (over every part publishing its
//     two counts) by the parts with no employment count: Agregat says how
//     many enter each;
//   - rates are never averaged, published rates of the parts never
//     carried over; the expected rate and the valeur ajoutée are never
//     aggregated.
//
// The figure records what each rate rests on, so Disclose applies the
// threshold to each rate's own denominator and MissingReason words it; a
// part that is itself an aggregate brings its own numerators and
// denominators. Agregat says, per indicator, how many parts enter and how
// many are left out.
func Aggregate(perimetre string, parts []RawFigure) (RawFigure, Agregat) {
	ag := Agregat{Perimetre: perimetre, Composantes: len(parts), Indicateurs: map[Indicator]Couverture{}}
	var out RawFigure
	ov := (*figureValues)(&out)
	for _, ind := range aggregatedCounts() {
		sum, n := 0, 0
		for i := range parts {
			if c := *(*figureValues)(&parts[i]).field(ind); c != nil {
				sum += *c
				n++
			}
		}
		if n > 0 {
			*ov.field(ind) = Int(sum)
		}
		ag.Indicateurs[ind] = Couverture{Composantes: n, Exclues: len(parts) - n}
	}
	if out.NbAnneeTerm != nil {
		ag.NbAnneeTermTotal = *out.NbAnneeTerm
	}
	basis := &aggBasis{rates: map[Indicator]ratio{}, partsSame: true}
	entersAny := make([]bool, len(parts))
	for _, d := range aggregatedRates() {
		if d.ind == IndPartAutresSituations {
			continue
		}
		var sum ratio
		for i := range parts {
			if x, ok := parts[i].ratioOf(d); ok {
				sum.num, sum.den, sum.n = sum.num+x.num, sum.den+x.den, sum.n+1
				entersAny[i] = true
			}
		}
		basis.rates[d.ind] = sum
		ag.Indicateurs[d.ind] = Couverture{Composantes: sum.n, Exclues: len(parts) - sum.n}
		if sum.n > 0 {
			*ov.field(d.ind) = Rate(&sum.num, &sum.den)
		}
	}
	both := 0
	for i := range parts {
		p := &parts[i]
		_, inP := p.ratioOf(aggregatedRates()[5])
		_, inE := p.ratioOf(aggregatedRates()[6])
		if inP != inE || inP && p.agg != nil && !p.agg.partsSame {
			basis.partsSame = false
		}
		if inP && inE {
			both++
		}
		if !entersAny[i] {
			ag.ComposantesSansEffectifs++
		}
	}
	basis.rates[IndPartAutresSituations] = ratio{n: both}
	ag.Indicateurs[IndPartAutresSituations] = Couverture{Composantes: both, Exclues: len(parts) - both}
	if basis.partsSame {
		out.PartAutresSituations = Parts(out.PartPoursuiteEtudes, out.PartEmploi6Mois)
	}
	out.agg = basis
	return out, ag
}

// withheldInAggregate says why the threshold withholds ind of an aggregate
// ("" when it does not): a rate whose own denominator is below Seuil
// (« moins de 20 élèves » on nb_annee_term, « moins de 20 sortants » on
// nb_sortant); part_autres_situations when a part it is computed from is
// withheld (it would give that part back); a count that is the numerator
// of a withheld taux (with the denominators the figure shows, it would
// give that rate back, or a wrong one).
func (b *aggBasis) withheld(ind Indicator) string {
	for _, d := range aggregatedRates() {
		switch {
		case d.ind == IndPartAutresSituations:
			if ind == IndPartAutresSituations {
				if r := b.withheld(IndPartPoursuiteEtudes); r != "" {
					return r
				}
				return b.withheld(IndPartEmploi6Mois)
			}
		case d.ind == ind || d.num == ind && !isPart(d.ind):
			if x := b.rates[d.ind]; x.n > 0 && x.den < Seuil {
				if d.den == IndNbSortant {
					return reasonSortants
				}
				return reasonEleves
			}
		}
	}
	return ""
}

// isPart reports whether ind is one of the three parts: their
// numerators are those of the taux too, so only the taux decide whether
// a count is withheld (a part withheld on its own smaller set of
// components does not make the count over every component a leak).
func isPart(ind Indicator) bool {
	return ind == IndPartPoursuiteEtudes || ind == IndPartEmploi6Mois || ind == IndPartAutresSituations
}

// neverAggregated reports whether Aggregate never computes ind: the
// expected rate and the valeur ajoutée (a model of each establishment),
// the broken-contract rate (no count is published for it).
func neverAggregated(ind Indicator) bool {
	switch ind {
	case IndTauxEmploi6MoisAttendu, IndValeurAjoutee, IndTauxContratsInterrompus:
		return true
	}
	return false
}

// absent says why an aggregate has no value for ind that the threshold
// did not withhold.
func (b *aggBasis) absent(ind Indicator) string {
	switch {
	case neverAggregated(ind):
		return "non calculé pour un agrégat"
	case ind == IndPartAutresSituations:
		if !b.partsSame {
			return "non calculée : les parts en emploi et en poursuite d'études ne portent pas sur les mêmes composantes"
		}
	}
	return StatutLabel(StatutNonDiffuse)
}

// WithParts returns f with its three parts computed from its counts where
// the producer did not publish them (the DEPP API layout publishes counts
// and rates, not the parts). Published values are kept. An aggregate is
// returned as is: Aggregate computed every part it can.
func WithParts(f RawFigure) RawFigure {
	if f.agg != nil {
		return f
	}
	fill := func(dst **int, v *int) {
		if *dst == nil {
			*dst = v
		}
	}
	fill(&f.PartPoursuiteEtudes, Rate(f.NbPoursuiteEtudes, f.NbAnneeTerm))
	fill(&f.PartEmploi6Mois, Rate(f.NbEnEmploi6Mois, f.NbAnneeTerm))
	fill(&f.PartAutresSituations, Parts(f.PartPoursuiteEtudes, f.PartEmploi6Mois))
	return f
}
