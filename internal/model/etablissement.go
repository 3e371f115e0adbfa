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

// Academie is an académie of the territorial table with its région; its
// départements are listed on its own page (Store.AcademieDetail), not in
// the list of every académie (Store.Academies).
type Academie struct {
	Code         string
	Nom          string
	Region       Territoire
	Departements []Territoire
}

// TerritoryEtab is one establishment of a territory with its latest
// establishment-level figure of one voie.
type TerritoryEtab struct {
	UAI, Nom, Commune string
	Voie              string
	Millesime         string
	Figure            Figure
	// Source is the file of the figure (its Demonstration flag marks
	// synthetic figures).
	Source Source
}

// Coverage counts the establishment × formation pairs of a territory at
// their latest millésime, by statut (after the secret statistique).
type Coverage struct {
	Voie       string
	Millesime  string
	Paires     int
	Publiees   int // statut ok
	SousSeuil  int // fewer than 20 learners
	NonDiffuse int
	// Demonstration: at least one pair counted comes from a synthetic
	// file; Sources lists the files counted.
	Demonstration bool
	Sources       []Source
}
