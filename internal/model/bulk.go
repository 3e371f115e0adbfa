package model

// Levels of a figure in the bulk downloads (the perimetre column).
const (
	BulkEtablissement = "etablissement"
	BulkRegion        = "region"
	BulkFrance        = "france"
)

// BulkFigure is one figure of the bulk downloads (internal/bulk): its
// identifiers and readable labels beside one disclosed figure, InserJeunes
// (IJ) or InserSup (Sup). The figures are the outputs of Disclose
// (FormationFigure, InserSupFigure): a BulkFigure holds no raw value.
type BulkFigure struct {
	// Perimetre is BulkEtablissement, BulkRegion or BulkFrance.
	Perimetre string
	// Etablissement: set at the establishment level.
	UAI, Nom, Commune string
	Departement       Territoire
	Academie          Territoire
	// Region: the establishment's or the figure's région (INSEE code).
	Region Territoire
	// Formation identity: Code keys the figure (MEFSTAT11, CFD or SISE).
	Code, CFD, MEFSTAT11, SISE  string
	Libelle, LibelleBCN, Niveau string
	FormationFermee             bool
	IJ                          *FormationFigure
	Sup                         *InserSupFigure
}
