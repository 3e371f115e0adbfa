package model

import (
	"sort"
	"strings"
	"time"
)

// Formation is the identity of a formation: BCN labels and level, the
// codes that key its figures, its closing date and its continuum links.
type Formation struct {
	// Code is the code asked for, normalised; TypeCode says which kind.
	Code     string   `json:"code"`
	TypeCode CodeKind `json:"type_code"`
	CFD      string   `json:"cfd,omitempty"`
	// MEFSTAT11 is set when the formation was asked by its MEFSTAT11.
	MEFSTAT11 string `json:"mefstat11,omitempty"`
	// MEFSTAT11AnneeTerminale lists the terminal-year MEFSTAT11s of the
	// CFD (BCN N_MEF, annee = duree): the keys of its voie scolaire figures.
	MEFSTAT11AnneeTerminale []string `json:"mefstat11_annee_terminale,omitempty"`
	SISE                    string   `json:"sise,omitempty"`
	// Libelle is the readable label (model.ReadableFormationLabel),
	// LibelleBCN the label as the BCN writes it.
	Libelle    string `json:"libelle"`
	LibelleBCN string `json:"libelle_bcn,omitempty"`
	// Niveau is the diploma level's short label (CAP, BAC PRO, BTS…;
	// InserSup: the type of diploma, e.g. "Master MEEF").
	Niveau          string  `json:"niveau"`
	NiveauCode      string  `json:"niveau_code,omitempty"`
	DateOuverture   *string `json:"date_ouverture,omitempty"`
	DateFermeture   *string `json:"date_fermeture"`
	FormationFermee bool    `json:"formation_fermee"`
	// Voies with figures (scolaire, apprentissage, superieur).
	Voies []string `json:"voies"`
	// Anciens and Nouveaux are the BCN continuum links; UnPourUn marks the
	// 1:1 link, the only one that carries figures.
	Anciens  []FormationLien `json:"anciens_diplomes"`
	Nouveaux []FormationLien `json:"nouveaux_diplomes"`
	// Metiers: what Certif Info says of the CFD (métiers, Onisep, RNCP);
	// nil for a code the BCN does not know and for InserSup diplomas.
	Metiers *FormationMetiers `json:"metiers,omitempty"`
	// Domaine and Discipline (InserSup).
	Domaine    string `json:"domaine,omitempty"`
	Discipline string `json:"discipline,omitempty"`
}

// FormationLien is a predecessor or successor of a formation.
type FormationLien struct {
	Code       string `json:"code"`
	Libelle    string `json:"libelle"`
	LibelleBCN string `json:"libelle_bcn,omitempty"`
	Niveau     string `json:"niveau,omitempty"`
	UnPourUn   bool   `json:"un_pour_un"`
}

// DateLayout is the JSON form of dates (ISO 8601 day).
const DateLayout = "2006-01-02"

// FormationFermee reports whether a closing date is past at now (BCN
// DATE_FERMETURE is the last day the formation is open).
func FormationFermee(fermeture *time.Time, now time.Time) bool {
	return fermeture != nil && fermeture.Before(now)
}

// FormationFigure is one InserJeunes figure of a formation at one level
// (establishment, région, national), for one millésime and voie, as every
// output shows it: made by RawFormationFigure.Disclose or AbsentFigure.
type FormationFigure struct {
	Millesime      string `json:"millesime"`
	MillesimeLabel string `json:"millesime_libelle"`
	Voie           string `json:"voie"`
	// Code is the key of the figure: MEFSTAT11 (scolaire) or CFD
	// (apprentissage); the CFD when several MEFSTAT11s were summed.
	Code      string `json:"code"`
	CFD       string `json:"cfd,omitempty"`
	MEFSTAT11 string `json:"mefstat11,omitempty"`
	Figure
	// Calcule: the rates were computed by us from summed counts (half to
	// even); otherwise they are as the producer published them.
	Calcule           bool     `json:"calcule"`
	Agregat           *Agregat `json:"agregat,omitempty"`
	EmploiPublicExclu bool     `json:"emploi_public_exclu"`
	// Demonstration: built (at least partly) on synthetic data.
	Demonstration   bool             `json:"demonstration"`
	Source          Source           `json:"source"`
	AutresSources   []Source         `json:"autres_sources,omitempty"`
	SourceContinuum *SourceContinuum `json:"source_continuum,omitempty"`
	// MillesimesDisponibles lists the millésimes that do have figures, when
	// the statut is millesime_absent.
	MillesimesDisponibles []string `json:"millesimes_disponibles,omitempty"`
}

// RawFormationFigure is a FormationFigure before the secret statistique:
// what the store reads, sums, and chooses between (continuum). Disclose is
// the only way to a FormationFigure.
type RawFormationFigure struct {
	Millesime, Voie      string
	Code, CFD, MEFSTAT11 string
	Raw                  RawFigure
	Calcule              bool
	Agregat              *Agregat
	// Demonstration is set by aggregates when any part is synthetic; a
	// single figure takes it from its Source.
	Demonstration   bool
	Source          Source
	AutresSources   []Source
	SourceContinuum *SourceContinuum
}

// Disclose finishes a figure for output: the secret statistique
// (RawFigure.Disclose), the millésime's label and emploi_public_exclu flag,
// the demonstration flag from the source.
func (r RawFormationFigure) Disclose() FormationFigure {
	ff := FormationFigure{Millesime: r.Millesime, Voie: r.Voie, Code: r.Code, CFD: r.CFD, MEFSTAT11: r.MEFSTAT11,
		Figure: r.Raw.Disclose(), Calcule: r.Calcule, Agregat: r.Agregat, Demonstration: r.Demonstration || r.Source.Demonstration,
		Source: r.Source, AutresSources: r.AutresSources, SourceContinuum: r.SourceContinuum}
	ff.labelMillesime()
	return ff
}

func (ff *FormationFigure) labelMillesime() {
	if m, err := ParseMillesime(ff.Millesime); err == nil {
		ff.MillesimeLabel = m.Label()
		ff.EmploiPublicExclu = m.EmploiPublicExclu()
	}
}

// AbsentFigure is the figure object that says why there is no figure for
// (millésime, voie): statut is one of the IsAbsence statuts; for
// millesime_absent, disponibles lists the millésimes that exist. It holds
// no value.
func AbsentFigure(millesime, voie, code, statut string, disponibles []string) FormationFigure {
	ff := FormationFigure{Millesime: millesime, Voie: voie, Code: code, Figure: Figure{Statut: statut}}
	if statut == StatutMillesimeAbsent {
		ff.MillesimesDisponibles = append([]string{}, disponibles...)
	}
	ff.labelMillesime()
	return ff
}

// CompareMillesimes orders millésimes from the most recent: by end year,
// then start year, descending.
func CompareMillesimes(a, b string) int {
	ma, ea := ParseMillesime(a)
	mb, eb := ParseMillesime(b)
	if ea != nil || eb != nil {
		switch {
		case a > b:
			return -1
		case a < b:
			return 1
		}
		return 0
	}
	switch {
	case ma.End != mb.End:
		return mb.End - ma.End
	case ma.Start != mb.Start:
		return mb.Start - ma.Start
	}
	return 0
}

// SortMillesimes sorts millésimes from the most recent, without duplicates.
func SortMillesimes(ms []string) []string {
	seen := map[string]bool{}
	out := make([]string, 0, len(ms))
	for _, m := range ms {
		if !seen[m] {
			seen[m] = true
			out = append(out, m)
		}
	}
	sort.Slice(out, func(i, j int) bool { return CompareMillesimes(out[i], out[j]) < 0 })
	return out
}

// VoieOrder orders voies for display: scolaire, apprentissage, supérieur.
func VoieOrder(v string) int {
	switch v {
	case VoieScolaire:
		return 0
	case VoieApprentissage:
		return 1
	case VoieSuperieur:
		return 2
	}
	return 3
}

// VoieLabel is the French label of a voie.
func VoieLabel(v string) string {
	switch v {
	case VoieScolaire:
		return "Voie scolaire"
	case VoieApprentissage:
		return "Apprentissage"
	case VoieSuperieur:
		return "Enseignement supérieur"
	}
	return v
}

// FormationKey is one formation figure key: voie, code (MEFSTAT11 or
// CFD) and millésime.
type FormationKey struct{ Voie, Code, Millesime string }

// FormationComparison is what an establishment's formation is compared
// with: the figure of its région (as the région × formation file publishes
// it) and the national one (summed over the régions), for the same key.
type FormationComparison struct {
	Region   FormationFigure
	National FormationFigure
}

// RegionFigures is the block of one région on a formation page.
type RegionFigures struct {
	Region   Territoire        `json:"region"`
	Chiffres []FormationFigure `json:"chiffres"`
}

// EtablissementOffre is one establishment offering a formation, with its
// latest figure for one voie and key.
type EtablissementOffre struct {
	UAI         string          `json:"uai"`
	Nom         string          `json:"nom"`
	Commune     string          `json:"commune"`
	Departement string          `json:"departement"`
	Region      Territoire      `json:"region"`
	Voie        string          `json:"voie"`
	Millesimes  []string        `json:"millesimes"`
	Dernier     FormationFigure `json:"dernier"`
}

// FormationDetail is everything about one InserJeunes formation (CFD or
// MEFSTAT11): identity, national figures per millésime and voie, one block
// per région, and the establishments offering it with their latest figures.
type FormationDetail struct {
	Formation      Formation            `json:"formation"`
	Demonstration  bool                 `json:"demonstration"`
	Millesimes     []string             `json:"millesimes"`
	National       []FormationFigure    `json:"national"`
	Regions        []RegionFigures      `json:"regions"`
	Etablissements []EtablissementOffre `json:"etablissements"`
}

// EtabFormationMillesime holds, for one millésime and voie, the figure of
// an establishment × formation pair beside the regional and national
// figures of the same formation.
type EtabFormationMillesime struct {
	Millesime     string          `json:"millesime"`
	Voie          string          `json:"voie"`
	Etablissement FormationFigure `json:"etablissement"`
	Region        FormationFigure `json:"region"`
	National      FormationFigure `json:"national"`
}

// EtablissementFormationDetail is every millésime of one establishment ×
// formation pair.
type EtablissementFormationDetail struct {
	Etablissement Etablissement            `json:"etablissement"`
	Formation     Formation                `json:"formation"`
	Demonstration bool                     `json:"demonstration"`
	Millesimes    []string                 `json:"millesimes"`
	Chiffres      []EtabFormationMillesime `json:"chiffres"`
}

// EtablissementFormation is one formation an establishment offers, with
// its latest figure (InserJeunes) or latest headline figure (InserSup).
type EtablissementFormation struct {
	Code            string           `json:"code"`
	CFD             string           `json:"cfd,omitempty"`
	MEFSTAT11       string           `json:"mefstat11,omitempty"`
	SISE            string           `json:"sise,omitempty"`
	Libelle         string           `json:"libelle"`
	LibelleBCN      string           `json:"libelle_bcn,omitempty"`
	Niveau          string           `json:"niveau"`
	Voie            string           `json:"voie"`
	FormationFermee bool             `json:"formation_fermee"`
	DateFermeture   *string          `json:"date_fermeture,omitempty"`
	Millesimes      []string         `json:"millesimes"`
	Dernier         *FormationFigure `json:"dernier,omitempty"`
	DernierSup      *InserSupFigure  `json:"dernier_superieur,omitempty"`
}

// RegionFormation is one formation in a région, with its figures per
// millésime.
type RegionFormation struct {
	Code       string `json:"code"`
	CFD        string `json:"cfd,omitempty"`
	MEFSTAT11  string `json:"mefstat11,omitempty"`
	Libelle    string `json:"libelle"`
	LibelleBCN string `json:"libelle_bcn,omitempty"`
	Niveau     string `json:"niveau"`
	Voie       string `json:"voie"`
	// DateFermeture: the BCN closing date when the formation is closed.
	DateFermeture *string           `json:"date_fermeture,omitempty"`
	Chiffres      []FormationFigure `json:"chiffres"`
}

// RegionNiveau is one diploma level in a région: its figures per
// millésime, summed over the formations of that level.
type RegionNiveau struct {
	NiveauCode string            `json:"niveau_code"`
	Niveau     string            `json:"niveau"`
	Voie       string            `json:"voie"`
	Chiffres   []FormationFigure `json:"chiffres"`
}

// RegionDetail is the answer of the région view: aggregates per formation
// and per level.
type RegionDetail struct {
	Region        Territoire        `json:"region"`
	Demonstration bool              `json:"demonstration"`
	Millesimes    []string          `json:"millesimes"`
	Niveaux       []RegionNiveau    `json:"niveaux"`
	Formations    []RegionFormation `json:"formations"`
	// ChiffresCles: the headline of the territory beside France.
	ChiffresCles []ChiffreCle `json:"chiffres_cles"`
}

// IsPlaceholderFormation reports whether a BCN label is one of the BCN's
// reserved entries that name no formation (« FORMATION NON SPECIFIEE »
// 99999999, « SPECIALITE NON SPECIFIEE DU DOMAINE : 22 » 32022999…): they
// exist for statistical coding only and no InserJeunes file publishes
// figures under them.
func IsPlaceholderFormation(libelle string) bool {
	l := strings.ToUpper(Fold(libelle))
	return strings.Contains(l, "NON SPECIFIEE") || strings.Contains(l, "NON SPECIF.")
}
