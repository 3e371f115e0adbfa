package model

// ChiffreCarte is the headline figure of a search result card: one rate
// of a disclosed Figure, with what it is about.
type ChiffreCarte struct {
	Indicateur string `json:"indicateur"` // taux_emploi_6_mois or taux_poursuite_etudes
	Libelle    string `json:"libelle"`    // « en emploi 6 mois après la sortie »
	Valeur     int    `json:"valeur"`
	Voie       string `json:"voie"`
	Millesime  string `json:"millesime"`
	// MillesimeLibelle is how the millésime is shown (« promotions 2021 et 2022 »).
	MillesimeLibelle string `json:"millesime_libelle"`
	// Perimetre is « France » for a formation's national figure, "" for an
	// establishment's own.
	Perimetre string `json:"perimetre,omitempty"`
}

// cardIndicators are the rates a card shows, first shown one wins.
var cardIndicators = []struct {
	ind   Indicator
	label string
}{
	{IndTauxEmploi6Mois, "en emploi 6 mois après la sortie"},
	{IndTauxPoursuiteEtudes, "en poursuite d'études"},
}

// Headline picks the card figure of f, a Figure that went through
// Disclose (the only way to get values into one): the employment rate at
// 6 months when shown, else the rate of further study; nil when neither
// is shown (under the threshold, not published).
func Headline(f Figure, voie, millesime, perimetre string) *ChiffreCarte {
	if f.Statut != StatutOK {
		return nil
	}
	for _, c := range cardIndicators {
		if v := f.Value(c.ind); v != nil {
			ml := millesime
			if m, err := ParseMillesime(millesime); err == nil {
				ml = m.Label()
			}
			return &ChiffreCarte{Indicateur: string(c.ind), Libelle: c.label, Valeur: *v, Voie: voie,
				Millesime: millesime, MillesimeLibelle: ml, Perimetre: perimetre}
		}
	}
	return nil
}
