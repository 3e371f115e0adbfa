package model

// Territoire is a coded territory (département, académie, région).
type Territoire struct {
	Code string `json:"code"`
	Nom  string `json:"nom"`
}

// Etablissement is an establishment identity, merged from the referentials
// (annuaire > ACCE > InserJeunes files) with the territory derived from the
// UAI's département prefix when the referentials do not know it.
type Etablissement struct {
	UAI         string     `json:"uai"`
	Nom         string     `json:"nom"`
	Type        string     `json:"type,omitempty"`
	Statut      string     `json:"statut,omitempty"`
	Adresse     string     `json:"adresse,omitempty"`
	CodePostal  string     `json:"code_postal,omitempty"`
	Commune     string     `json:"commune"`
	Departement Territoire `json:"departement"`
	Academie    Territoire `json:"academie"`
	Region      Territoire `json:"region"`
}

// Source tells where a figure comes from.
type Source struct {
	Fichier       string `json:"fichier"`
	ImportRun     int64  `json:"import_run"`
	Format        string `json:"format"`
	Producteur    string `json:"producteur"`
	Demonstration bool   `json:"demonstration"`
}

// EtabFigure is one establishment-level figure: (millésime, voie,
// sous-population) with its source and the other sources that hold the
// same key (lower precedence, kept for traceability).
type EtabFigure struct {
	Millesime      string `json:"millesime"`
	MillesimeLabel string `json:"millesime_libelle"`
	Voie           string `json:"voie"`
	SousPopulation string `json:"sous_population"`
	Figure
	EmploiPublicExclu bool     `json:"emploi_public_exclu"`
	Source            Source   `json:"source"`
	AutresSources     []Source `json:"autres_sources,omitempty"`
}
