// Package bulk builds the bulk downloads of /donnees/telechargements:
// every figure the site holds, as CSV (gzip) and Parquet, with a data
// dictionary. The columns of the files and the dictionary come from one
// table (Datasets): a column is declared once, with its name (the JSON
// name of the API, DESIGN §6; a nested object flattened with "_":
// region.code → region_code), its type, its French definition and how it
// reads a figure.
package bulk

import (
	"fmt"
	"strings"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// Kind is the type of a column.
type Kind int

const (
	// String is text (empty when the figure has none).
	String Kind = iota
	// Int is an integer, empty (null) when not shown.
	Int
	// Float is a decimal number, empty (null) when not shown.
	Float
	// Bool is true or false.
	Bool
)

// Name is the type of a column as the dictionary says it.
func (k Kind) Name() string {
	switch k {
	case Int:
		return "entier"
	case Float:
		return "décimal"
	case Bool:
		return "booléen"
	}
	return "texte"
}

// Column is one column of a dataset.
type Column struct {
	Name string
	Kind Kind
	// Doc is the French definition of the dictionary.
	Doc string
	// value reads the column of a figure: a string (String), *int (Int),
	// *float64 (Float) or bool (Bool).
	value func(*model.BulkFigure) any
}

// Value is the column's value of f: string, *int, *float64 or bool.
func (c Column) Value(f *model.BulkFigure) any { return c.value(f) }

// Dataset is one downloadable table.
type Dataset struct {
	// ID names its files: ID + ".csv.gz", ID + ".parquet".
	ID, Titre, Description string
	Columns                []Column
	// accept says whether a figure is a row of the dataset.
	accept func(*model.BulkFigure) bool
}

func str(get func(*model.BulkFigure) string) func(*model.BulkFigure) any {
	return func(f *model.BulkFigure) any { return get(f) }
}

// identity columns, shared by both datasets.
var (
	colPerimetre = Column{"perimetre", String, "niveau du chiffre : etablissement (un établissement et une formation), region (une région et une formation) ou france (une formation, somme des régions)",
		str(func(f *model.BulkFigure) string { return f.Perimetre })}
	colUAI = Column{"uai", String, "UAI de l'établissement (7 chiffres et une lettre) ; vide pour un chiffre régional ou national",
		str(func(f *model.BulkFigure) string { return f.UAI })}
	colNom = Column{"nom", String, "nom de l'établissement, sous sa forme lisible (celle des pages)",
		str(func(f *model.BulkFigure) string { return f.Nom })}
	colCommune = Column{"commune", String, "commune de l'établissement",
		str(func(f *model.BulkFigure) string { return f.Commune })}
	colDepCode = Column{"departement_code", String, "code du département de l'établissement (3 caractères, référentiel de l'éducation nationale : 001, 02A, 971)",
		str(func(f *model.BulkFigure) string { return f.Departement.Code })}
	colDepNom = Column{"departement_nom", String, "nom du département",
		str(func(f *model.BulkFigure) string { return f.Departement.Nom })}
	colAcadCode = Column{"academie_code", String, "code de l'académie de l'établissement",
		str(func(f *model.BulkFigure) string { return f.Academie.Code })}
	colAcadNom = Column{"academie_nom", String, "nom de l'académie",
		str(func(f *model.BulkFigure) string { return f.Academie.Nom })}
	colRegionCode = Column{"region_code", String, "code INSEE de la région (de l'établissement, ou du chiffre régional) ; vide pour un chiffre national",
		str(func(f *model.BulkFigure) string { return f.Region.Code })}
	colRegionNom = Column{"region_nom", String, "nom de la région",
		str(func(f *model.BulkFigure) string { return f.Region.Nom })}
	colLibelle = Column{"libelle", String, "libellé lisible de la formation (celui des pages : BCN, complété par Certif Info et remis en minuscules accentuées)",
		str(func(f *model.BulkFigure) string { return f.Libelle })}
	colNiveau = Column{"niveau", String, "niveau du diplôme (CAP, BAC PRO, BTS… ; InserSup : type de diplôme)",
		str(func(f *model.BulkFigure) string { return f.Niveau })}
	colVoie = Column{"voie", String, "scolaire, apprentissage ou superieur",
		str(func(f *model.BulkFigure) string { return voie(f) })}
	colMillesime = Column{"millesime", String, "millésime, forme du producteur : AAAA_BBBB (deux promotions cumulées) ou AAAA",
		str(func(f *model.BulkFigure) string { return millesime(f) })}
	colMillesimeLibelle = Column{"millesime_libelle", String, "millésime en clair (« promotions 2021 et 2022 »)",
		str(func(f *model.BulkFigure) string { return millesimeLibelle(f) })}
	colStatut = Column{"statut", String, "ok (chiffres publiés), sous_seuil (moins de 20 élèves ou diplômés : seul l'effectif est donné, secret statistique) ou non_diffuse (aucun taux publié par le producteur, ou chaque taux sous le seuil de son dénominateur)",
		str(func(f *model.BulkFigure) string { return statut(f) })}
	colCalcule = Column{"calcule", Bool, "true : taux calculés par le site à partir des effectifs additionnés (arrondi au plus proche, égalité au pair) ; false : taux publiés par le producteur",
		func(f *model.BulkFigure) any { return calcule(f) }}
	colDemonstration = Column{"demonstration", Bool, "true : chiffre fictif du jeu de démonstration, généré pour montrer le site ; ce n'est pas un chiffre officiel",
		func(f *model.BulkFigure) any { return demonstration(f) }}
	colSourceFichier = Column{"source_fichier", String, "fichier importé d'où vient le chiffre (le premier, pour un chiffre calculé)",
		str(func(f *model.BulkFigure) string { return source(f).Fichier })}
	colSourceRun = Column{"source_import_run", Int, "numéro de l'import de ce fichier (page « Les données »)",
		func(f *model.BulkFigure) any {
			if r := source(f).ImportRun; r > 0 {
				v := int(r)
				return &v
			}
			return (*int)(nil)
		}}
	colSourceProducteur = Column{"source_producteur", String, "producteur du fichier (DEPP, SIES…)",
		str(func(f *model.BulkFigure) string { return source(f).Producteur })}
)

// ijColumns are the columns of the InserJeunes dataset.
func ijColumns() []Column {
	cols := []Column{colPerimetre, colUAI, colNom, colCommune, colDepCode, colDepNom, colAcadCode, colAcadNom,
		colRegionCode, colRegionNom,
		{"code", String, "clé du chiffre : MEFSTAT11 de l'année terminale (voie scolaire) ou CFD (apprentissage) ; le CFD pour un chiffre qui additionne plusieurs MEFSTAT11",
			str(func(f *model.BulkFigure) string { return f.Code })},
		{"cfd", String, "code formation diplôme (BCN)", str(func(f *model.BulkFigure) string { return f.CFD })},
		{"mefstat11", String, "code MEFSTAT11 de l'année terminale (voie scolaire)", str(func(f *model.BulkFigure) string { return f.MEFSTAT11 })},
		colLibelle,
		{"libelle_bcn", String, "libellé de la formation tel que la BCN l'écrit", str(func(f *model.BulkFigure) string { return f.LibelleBCN })},
		colNiveau,
		{"formation_fermee", Bool, "true : la formation est fermée (date de fermeture BCN passée)", func(f *model.BulkFigure) any { return f.FormationFermee }},
		colVoie, colMillesime, colMillesimeLibelle,
	}
	for _, ind := range model.Indicators() {
		cols = append(cols, Column{string(ind), Int, indicatorDoc(ind), func(f *model.BulkFigure) any { return f.IJ.Value(ind) }})
	}
	cols = append(cols, colStatut, colCalcule, colDemonstration, colSourceFichier, colSourceRun, colSourceProducteur,
		Column{"source_continuum_code", String, "chiffre emprunté au diplôme qui précède ou suit celui-ci un pour un (diplôme rénové) : code de ce diplôme ; vide pour les chiffres propres de la formation",
			str(func(f *model.BulkFigure) string { return continuum(f).Code })},
		Column{"source_continuum_libelle", String, "libellé du diplôme d'où vient le chiffre emprunté",
			str(func(f *model.BulkFigure) string { return continuum(f).Libelle })},
		Column{"source_continuum_sens", String, "ancien (chiffres de l'ancien diplôme) ou nouveau (chiffres du diplôme rénové)",
			str(func(f *model.BulkFigure) string { return continuum(f).Sens })},
	)
	return cols
}

// supColumns are the columns of the InserSup dataset.
func supColumns() []Column {
	cols := []Column{colPerimetre, colUAI, colNom, colCommune, colDepCode, colDepNom, colAcadCode, colAcadNom,
		colRegionCode, colRegionNom,
		{"sise", String, "code SISE du diplôme", str(func(f *model.BulkFigure) string { return f.SISE })},
		colLibelle, colNiveau, colVoie, colMillesime, colMillesimeLibelle,
		{"obtention_diplome", String, "diplômé ou ensemble (diplômés et non-diplômés)", str(func(f *model.BulkFigure) string { return f.Sup.ObtentionDiplome })},
		{"genre", String, "femme, homme ou ensemble", str(func(f *model.BulkFigure) string { return f.Sup.Genre })},
		{"nationalite", String, "nationalité (ensemble, français…)", str(func(f *model.BulkFigure) string { return f.Sup.Nationalite })},
		{"nb_diplomes", Int, "effectif de la promotion (sortants et poursuivants) ; moins de 20 : aucun autre chiffre n'est donné", func(f *model.BulkFigure) any { return f.Sup.NbDiplomes }},
		{"nb_sortants", Int, "sortants (qui ne poursuivent pas d'études) : dénominateur des taux d'emploi", func(f *model.BulkFigure) any { return f.Sup.NbSortants }},
		{"nb_poursuivants", Int, "diplômés qui poursuivent des études", func(f *model.BulkFigure) any { return f.Sup.NbPoursuivants }},
	}
	for i, h := range model.SupHorizons() {
		cols = append(cols, Column{fmt.Sprintf("nb_en_emploi_salarie_fr_%d_mois", h), Int,
			fmt.Sprintf("sortants en emploi salarié en France %d mois après le diplôme", h),
			func(f *model.BulkFigure) any { n, _ := f.Sup.Emploi(i); return *n }})
	}
	for i, h := range model.SupHorizons() {
		cols = append(cols, Column{fmt.Sprintf("taux_emploi_salarie_fr_%d_mois", h), Float,
			fmt.Sprintf("taux d'emploi salarié en France à %d mois, en %% des sortants, deux décimales, tel que publié (non diffusé sous 20 sortants)", h),
			func(f *model.BulkFigure) any { _, t := f.Sup.Emploi(i); return *t }})
	}
	return append(cols, colStatut, colCalcule, colDemonstration, colSourceFichier, colSourceRun, colSourceProducteur)
}

// Datasets are the bulk downloads, in the order of the page.
var Datasets = []Dataset{
	{ID: "inserjeunes", Titre: "InserJeunes : lycées professionnels et apprentissage",
		Description: "Un chiffre par établissement et formation, par région et formation, et pour la France par formation, pour chaque millésime et voie.",
		Columns:     ijColumns(), accept: func(f *model.BulkFigure) bool { return f.IJ != nil }},
	{ID: "insersup", Titre: "InserSup : diplômés des universités",
		Description: "Un chiffre par établissement, diplôme (SISE), promotion(s) et répartition (obtention du diplôme, genre, nationalité), puis par région et pour la France (somme des établissements, taux recalculés).",
		Columns:     supColumns(), accept: func(f *model.BulkFigure) bool { return f.Sup != nil }},
}

// indicatorDoc is the definition of an InserJeunes indicator.
func indicatorDoc(ind model.Indicator) string {
	name := string(ind)
	mois := ""
	for _, m := range []string{"6", "12", "18", "24"} {
		if strings.Contains(name, "_"+m+"_mois") {
			mois = m
		}
	}
	switch {
	case ind == model.IndNbAnneeTerm:
		return "effectif en année terminale (seul chiffre donné sous 20 : secret statistique)"
	case ind == model.IndNbSortant:
		return "sortants : jeunes de l'année terminale qui ne poursuivent pas d'études (dénominateur des taux d'emploi)"
	case ind == model.IndNbPoursuiteEtudes:
		return "jeunes en formation l'année suivante"
	case strings.HasPrefix(name, "nb_en_emploi_"):
		return "sortants en emploi salarié en France " + mois + " mois après"
	case ind == model.IndTauxPoursuiteEtudes:
		return "taux de poursuite d'études, en % de l'effectif en année terminale"
	case ind == model.IndTauxEmploi6MoisAttendu:
		return "taux d'emploi à 6 mois attendu compte tenu du profil des élèves et du territoire, en %"
	case ind == model.IndValeurAjoutee:
		return "valeur ajoutée : écart en points entre le taux d'emploi à 6 mois et le taux attendu"
	case strings.HasPrefix(name, "taux_emploi_"):
		return "taux d'emploi salarié en France à " + mois + " mois, en % des sortants (non diffusé sous 20 sortants)"
	case ind == model.IndPartPoursuiteEtudes:
		return "part en formation 6 mois après, en % de l'effectif en année terminale"
	case ind == model.IndPartEmploi6Mois:
		return "part en emploi salarié en France 6 mois après, en % de l'effectif en année terminale"
	case ind == model.IndPartAutresSituations:
		return "part dans une autre situation : 100 − part en emploi − part en formation"
	case ind == model.IndTauxContratsInterrompus:
		return "apprentissage : taux de contrats interrompus, en %"
	}
	return name
}

func voie(f *model.BulkFigure) string {
	if f.IJ != nil {
		return f.IJ.Voie
	}
	return f.Sup.Voie
}

func millesime(f *model.BulkFigure) string {
	if f.IJ != nil {
		return f.IJ.Millesime
	}
	return f.Sup.Millesime
}

func millesimeLibelle(f *model.BulkFigure) string {
	if f.IJ != nil {
		return f.IJ.MillesimeLabel
	}
	return f.Sup.MillesimeLabel
}

func statut(f *model.BulkFigure) string {
	if f.IJ != nil {
		return f.IJ.Statut
	}
	return f.Sup.Statut
}

func calcule(f *model.BulkFigure) bool {
	if f.IJ != nil {
		return f.IJ.Calcule
	}
	return f.Sup.Calcule
}

func demonstration(f *model.BulkFigure) bool {
	if f.IJ != nil {
		return f.IJ.Demonstration
	}
	return f.Sup.Demonstration
}

func source(f *model.BulkFigure) model.Source {
	if f.IJ != nil {
		return f.IJ.Source
	}
	return f.Sup.Source
}

func continuum(f *model.BulkFigure) model.SourceContinuum {
	if f.IJ != nil && f.IJ.SourceContinuum != nil {
		return *f.IJ.SourceContinuum
	}
	return model.SourceContinuum{}
}
