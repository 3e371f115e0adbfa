package model

// ChiffreCle is one headline line of a territory (région or académie): the
// figures of every formation of one voie (NiveauCode "" : every level; else
// one diploma level) at the latest millésime of that voie, aggregated per
// indicator (Aggregate), beside the same aggregate for France (every région
// of the région × formation file).
type ChiffreCle struct {
	// NiveauCode is the BCN level code, "" for every level together,
	// NiveauInconnu for formations whose level the BCN does not give.
	Voie       string `json:"voie"`
	NiveauCode string `json:"niveau_code"`
	Niveau     string `json:"niveau"`
	Millesime  string `json:"millesime"`
	// Territoire and France carry their Agregat (components summed).
	Territoire FormationFigure `json:"territoire"`
	France     FormationFigure `json:"france"`
}

// NiveauInconnu is the NiveauCode of formations without a known level.
const NiveauInconnu = "inconnu"
