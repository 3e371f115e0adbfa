package model

import "time"

// This file holds the answers of the store's site-wide reads (home page,
// data page, sitemap, search documents).

// SiteStats are the counts shown on the home page.
type SiteStats struct {
	Etablissements int // establishments with at least one InserJeunes figure
	Formations     int // formations (codes) with at least one figure
	// Millesimes are those of every InserJeunes figure (establishments,
	// establishment × formation, région × formation), most recent first;
	// MillesimesSup those of InserSup; MillesimeNational the latest of the
	// région × formation figures, the one the national figures show.
	Millesimes        []string
	MillesimesSup     []string
	MillesimeNational string
	LastImport        time.Time
}

// ImportRun is one import run with its files, for the "données" page.
type ImportRun struct {
	ID         int64
	FinishedAt time.Time
	RowsRead   int
	Loaded     int
	Files      []ImportFile
}

// ImportFile is one imported file.
type ImportFile struct {
	Name       string
	Format     string
	Producer   string
	Millesimes []string
	RowsRead   int
	Synthetic  bool
}

// NationalFigure is the figure of every formation of a voie, France
// entière, for the latest millésime of the région × formation file.
type NationalFigure struct {
	Voie      string
	Millesime string
	Figure    Figure
	Agregat   Agregat
}

// RegionalFigure is the figure of every formation of a voie in one
// région, for the latest millésime of the région × formation file (the
// map of the home page).
type RegionalFigure struct {
	Region    Territoire
	Voie      string
	Millesime string
	Figure    Figure
	Agregat   Agregat
}

// SearchEtablissement is an establishment as the search index sees it.
type SearchEtablissement struct {
	UAI         string
	Nom         string
	Type        string // from the referentials, "" when unknown
	Commune     string
	CodePostal  string
	Departement Territoire
	Academie    Territoire
	Region      Territoire
	Voies       []string // voies with figures: scolaire, apprentissage, superieur
	Niveaux     []string // levels of the formations with figures (CAP, BAC PRO, Master LMD…)
	Formations  int      // number of formations with figures
	// Chiffre is the headline of the card (the establishment's own latest
	// figure, disclosed); nil when none is shown.
	Chiffre *ChiffreCarte
	// AvecChiffres: at least one figure of the establishment is shown
	// (not all under the threshold or unpublished).
	AvecChiffres bool
}

// SearchFormation is a formation as the search index sees it: a CFD
// (InserJeunes) or a SISE diploma (InserSup).
type SearchFormation struct {
	CFD             string
	SISE            string
	Libelle         string // readable (model.ReadableFormationLabel)
	LibelleBCN      string // as the BCN writes it
	Niveau          string // short label of the level: CAP, BAC PRO, BTS…; InserSup: type of diploma
	Fermee          bool
	MEFSTAT11s      []string // every MEFSTAT11 of the CFD in BCN N_MEF
	Voies           []string // voies with figures (own or borrowed)
	Regions         []string // régions (INSEE) with figures
	Academies       []string // académies of the establishments with figures
	Etablissements  int      // number of establishments with figures
	AnciensLibelles []string // labels of the diplomas it replaced, up to three generations back
	// Abreviation is the BCN LIBELLE_STAT_33 (« MANAGEMENT COMMERC. OPERATIONNEL »).
	Abreviation string
	// Chiffre is the national headline of the card (latest millésime,
	// disclosed); nil when none is shown.
	Chiffre *ChiffreCarte
	// Famille is the famille de métiers of a bac pro specialty, or of a
	// common 2nde (nil when none).
	Famille *FamilleRef
}

// FamilleRef names a famille de métiers and its page.
type FamilleRef struct {
	Slug string `json:"slug"`
	Nom  string `json:"nom"`
}
