package model

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

// Figure is one set of InserJeunes indicators for one key (establishment,
// formation or territory) and millésime. nil means "not published / not
// known"; it is never replaced by 0.
type Figure struct {
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

	Statut string `json:"statut"`
}

// rates returns pointers to every rate field of f.
func (f *Figure) rates() []**int {
	return []**int{&f.TauxPoursuiteEtudes, &f.TauxEmploi6Mois, &f.TauxEmploi6MoisAttendu,
		&f.ValeurAjoutee, &f.PartPoursuiteEtudes, &f.PartEmploi6Mois, &f.PartAutresSituations,
		&f.TauxEmploi12Mois, &f.TauxEmploi18Mois, &f.TauxEmploi24Mois, &f.TauxContratsInterrompus}
}

// emploiRates are the rates that rest on nb_sortant: the employment rates,
// and the expected rate and valeur ajoutée (taux = attendu + valeur
// ajoutée would give a hidden taux away; the producer never publishes
// them without the taux).
func (f *Figure) emploiRates() []**int {
	return []**int{&f.TauxEmploi6Mois, &f.TauxEmploi12Mois, &f.TauxEmploi18Mois, &f.TauxEmploi24Mois,
		&f.TauxEmploi6MoisAttendu, &f.ValeurAjoutee}
}

func (f *Figure) countsButTerm() []**int {
	return []**int{&f.NbSortant, &f.NbPoursuiteEtudes, &f.NbEnEmploi6Mois, &f.NbEnEmploi12Mois,
		&f.NbEnEmploi18Mois, &f.NbEnEmploi24Mois}
}

// Disclose applies the secret statistique and sets Statut. It is the one
// function every output (page, export, API, badge) goes through:
//   - nb_annee_term < 20: every rate and every count but nb_annee_term is
//     removed, statut "sous_seuil";
//   - nb_sortant < 20: the employment rates (denominator nb_sortant) are
//     removed, with the expected rate and the valeur ajoutée derived from them;
//   - nothing published at all: statut "non_diffuse";
//   - a statut that says why there is no figure at all (IsAbsence) is kept
//     and every value cleared.
//
// The thresholds are decided by SecretStatistique, shared with InserSup
// (SupFigure.Disclose). Published rates are kept as published. Disclose is idempotent.
func (f *Figure) Disclose() {
	if IsAbsence(f.Statut) { // no figure at all: keep the reason, show nothing
		*f = Figure{Statut: f.Statut}
		return
	}
	hideAll, hideEmploi := SecretStatistique(f.NbAnneeTerm, f.NbSortant)
	if hideAll {
		for _, p := range f.rates() {
			*p = nil
		}
		for _, p := range f.countsButTerm() {
			*p = nil
		}
		f.Statut = StatutSousSeuil
		return
	}
	if hideEmploi {
		for _, p := range f.emploiRates() {
			*p = nil
		}
		// the part "en emploi" rests on nb_annee_term (≥ 20 here): kept.
	}
	any := false
	for _, p := range f.rates() {
		if *p != nil {
			any = true
			break
		}
	}
	if any {
		f.Statut = StatutOK
	} else {
		f.Statut = StatutNonDiffuse
	}
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
func (f *Figure) ComputeFromCounts() {
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
