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
	// ComposantesSansEffectifs are the figures left out of the counts and
	// rates because the producer did not publish their counts (small
	// cells): their learners are in NbAnneeTermTotal only.
	ComposantesSansEffectifs int `json:"composantes_sans_effectifs"`
	// NbAnneeTermTotal counts the learners of every component; the
	// figure's nb_annee_term counts those its rates rest on.
	NbAnneeTermTotal int `json:"nb_annee_term_total"`
}

// Aggregate sums the counts of parts and computes the rates from the sums
// (half to even, ComputeFromCounts). It never averages rates.
//
// A part enters the counts only when its nb_annee_term, nb_sortant and
// nb_poursuite_etudes are all published; an employment count is summed
// only when every such part publishes it (else it is unknown). So the sums
// are exact sums over one well-defined field, every invariant holds
// (nb_sortant + nb_poursuite_etudes = nb_annee_term), and the rates and the
// secret statistique rest on that field. When no part qualifies, the
// figure carries the total nb_annee_term and no rate.
//
// The rates of the result are computed, never published: the producer's
// own rates of single parts are not carried over.
func Aggregate(perimetre string, parts []RawFigure) (RawFigure, Agregat) {
	ag := Agregat{Perimetre: perimetre, Composantes: len(parts)}
	var out RawFigure
	var term, sortant, pours int
	emploi := [4]int{}
	emploiKnown := [4]bool{true, true, true, true}
	field := 0
	anyTerm := false
	for i := range parts {
		p := &parts[i]
		if p.NbAnneeTerm != nil {
			ag.NbAnneeTermTotal += *p.NbAnneeTerm
			anyTerm = true
		}
		if p.NbAnneeTerm == nil || p.NbSortant == nil || p.NbPoursuiteEtudes == nil {
			ag.ComposantesSansEffectifs++
			continue
		}
		field++
		term += *p.NbAnneeTerm
		sortant += *p.NbSortant
		pours += *p.NbPoursuiteEtudes
		for j, c := range [4]*int{p.NbEnEmploi6Mois, p.NbEnEmploi12Mois, p.NbEnEmploi18Mois, p.NbEnEmploi24Mois} {
			if c == nil {
				emploiKnown[j] = false
			} else {
				emploi[j] += *c
			}
		}
	}
	if field == 0 {
		if anyTerm {
			out.NbAnneeTerm = Int(ag.NbAnneeTermTotal)
		}
		return out, ag
	}
	out.NbAnneeTerm, out.NbSortant, out.NbPoursuiteEtudes = Int(term), Int(sortant), Int(pours)
	dst := [4]**int{&out.NbEnEmploi6Mois, &out.NbEnEmploi12Mois, &out.NbEnEmploi18Mois, &out.NbEnEmploi24Mois}
	for j := range dst {
		if emploiKnown[j] {
			*dst[j] = Int(emploi[j])
		}
	}
	out.ComputeFromCounts()
	return out, ag
}

// WithParts returns f with its three parts computed from its counts where
// the producer did not publish them (the DEPP API layout publishes counts
// and rates, not the parts). Published values are kept.
func WithParts(f RawFigure) RawFigure {
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
