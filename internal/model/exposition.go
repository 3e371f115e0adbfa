package model

import (
	"fmt"
	"strconv"
	"strings"
)

// This file is the one mapping from our model to the vocabulary of the
// Exposition InserJeunes API (OpenAPI document in
// testdata/exposition/exposition-inserjeunes-openapi.yml, MIT licence),
// field by field. It decides nothing about the secret statistique: every
// value it maps comes from a disclosed Figure or SupFigure, and a value
// the secret statistique withheld (Figure.withheld, SupFigure rules) is
// written null, a value that does not exist (never published, cannot be
// computed) is left out — as the partner's document says: « null quand
// les effectifs (nb_annee_term) sont < 20 ; absent si l'on ne peut pas
// les calculer ».
//
// Vocabulary (ours → theirs), see also README « API compatible Exposition
// InserJeunes » and /api/exposition-inserjeunes:
//
//	nb_annee_term            → nb_annee_term (InserSup: nb_diplomes)
//	nb_sortant               → nb_sortant (InserSup: nb_sortants)
//	nb_poursuite_etudes      → nb_poursuite_etudes (InserSup: nb_poursuivants)
//	nb_en_emploi_X_mois      → nb_en_emploi_X_mois (InserSup: nb_en_emploi_salarie_fr_X_mois)
//	part_emploi_6_mois       → taux_en_emploi_6_mois   (a part of nb_annee_term)
//	part_poursuite_etudes    → taux_en_formation       (a part of nb_annee_term)
//	part_autres_situations   → taux_autres_6_mois      (a part of nb_annee_term)
//	nb_en_emploi_X_mois / nb_annee_term (half to even) → taux_en_emploi_X_mois, X = 12, 18, 24
//	max(0, 100 − taux_en_emploi_X_mois − taux_en_formation) → taux_autres_X_mois
//	taux_contrats_interrompus → taux_rupture_contrats
//	valeur_ajoutee, demonstration → the same names (optional fields the document lacks)
//
// Our taux_emploi_X_mois (denominator nb_sortant) and taux_poursuite_etudes
// have no field there: their taux_en_emploi_* are parts of nb_annee_term.

// ExpoMessageSousSeuil is the sentence of _meta.messages when
// nb_annee_term < 20 (the partner's own wording).
const ExpoMessageSousSeuil = "Les taux ne peuvent pas être affichés car il n'y a pas assez d'élèves pour fournir une information fiable."

// ExpoNum is one number of an Exposition object: absent (Present false,
// left out of the JSON with omitzero), null (Present, Value nil: withheld
// by the secret statistique) or a value.
type ExpoNum struct {
	Present bool
	Value   *int
}

// IsZero reports whether n is absent (encoding/json omitzero).
func (n ExpoNum) IsZero() bool { return !n.Present }

// MarshalJSON writes the value or null.
func (n ExpoNum) MarshalJSON() ([]byte, error) {
	if n.Value == nil {
		return []byte("null"), nil
	}
	return strconv.AppendInt(nil, int64(*n.Value), 10), nil
}

// CSV is the cell of n in the partner's CSV exports: empty when absent,
// "null" when withheld (as the producer writes it).
func (n ExpoNum) CSV() string {
	switch {
	case !n.Present:
		return ""
	case n.Value == nil:
		return "null"
	}
	return strconv.Itoa(*n.Value)
}

func expoValue(v *int) ExpoNum { return ExpoNum{Present: true, Value: v} }

var expoNull = ExpoNum{Present: true}

// ExpoStats are the statistics of an Exposition object.
type ExpoStats struct {
	NbAnneeTerm         ExpoNum `json:"nb_annee_term,omitzero"`
	NbSortant           ExpoNum `json:"nb_sortant,omitzero"`
	NbPoursuiteEtudes   ExpoNum `json:"nb_poursuite_etudes,omitzero"`
	NbEnEmploi24Mois    ExpoNum `json:"nb_en_emploi_24_mois,omitzero"`
	NbEnEmploi18Mois    ExpoNum `json:"nb_en_emploi_18_mois,omitzero"`
	NbEnEmploi12Mois    ExpoNum `json:"nb_en_emploi_12_mois,omitzero"`
	NbEnEmploi6Mois     ExpoNum `json:"nb_en_emploi_6_mois,omitzero"`
	TauxEnEmploi24Mois  ExpoNum `json:"taux_en_emploi_24_mois,omitzero"`
	TauxEnEmploi18Mois  ExpoNum `json:"taux_en_emploi_18_mois,omitzero"`
	TauxEnEmploi12Mois  ExpoNum `json:"taux_en_emploi_12_mois,omitzero"`
	TauxEnEmploi6Mois   ExpoNum `json:"taux_en_emploi_6_mois,omitzero"`
	TauxEnFormation     ExpoNum `json:"taux_en_formation,omitzero"`
	TauxAutres6Mois     ExpoNum `json:"taux_autres_6_mois,omitzero"`
	TauxAutres12Mois    ExpoNum `json:"taux_autres_12_mois,omitzero"`
	TauxAutres18Mois    ExpoNum `json:"taux_autres_18_mois,omitzero"`
	TauxAutres24Mois    ExpoNum `json:"taux_autres_24_mois,omitzero"`
	TauxRuptureContrats ExpoNum `json:"taux_rupture_contrats,omitzero"`
	Salaire12MoisQ1     ExpoNum `json:"salaire_12_mois_q1,omitzero"`
	Salaire12MoisQ2     ExpoNum `json:"salaire_12_mois_q2,omitzero"`
	Salaire12MoisQ3     ExpoNum `json:"salaire_12_mois_q3,omitzero"`
	// ValeurAjoutee is ours (optional field the document lacks).
	ValeurAjoutee ExpoNum `json:"valeur_ajoutee,omitzero"`
	// SousSeuil: nb_annee_term < 20, the rates are null (ExpoMessageSousSeuil).
	SousSeuil bool `json:"-"`
}

// ExpoCSVStats are the statistics columns of the partner's CSV exports,
// in its order.
var ExpoCSVStats = []string{"nb_annee_term", "nb_en_emploi_12_mois", "nb_en_emploi_18_mois", "nb_en_emploi_24_mois",
	"nb_en_emploi_6_mois", "nb_poursuite_etudes", "nb_sortant", "taux_autres_12_mois", "taux_autres_18_mois",
	"taux_autres_24_mois", "taux_autres_6_mois", "taux_en_emploi_12_mois", "taux_en_emploi_18_mois",
	"taux_en_emploi_24_mois", "taux_en_emploi_6_mois", "taux_en_formation", "taux_rupture_contrats"}

// CSVCells returns the cells of ExpoCSVStats.
func (s *ExpoStats) CSVCells() []string {
	vals := []ExpoNum{s.NbAnneeTerm, s.NbEnEmploi12Mois, s.NbEnEmploi18Mois, s.NbEnEmploi24Mois, s.NbEnEmploi6Mois,
		s.NbPoursuiteEtudes, s.NbSortant, s.TauxAutres12Mois, s.TauxAutres18Mois, s.TauxAutres24Mois, s.TauxAutres6Mois,
		s.TauxEnEmploi12Mois, s.TauxEnEmploi18Mois, s.TauxEnEmploi24Mois, s.TauxEnEmploi6Mois, s.TauxEnFormation,
		s.TauxRuptureContrats}
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = v.CSV()
	}
	return out
}

// expoCount maps a count: its value; withheld by the secret statistique:
// absent (the document types nb_* as non-nullable numbers, and no count
// may be shown); never published: absent.
func expoCount(v *int) ExpoNum {
	if v == nil {
		return ExpoNum{}
	}
	return expoValue(v)
}

// expoRate maps a rate: its value; withheld: null; else absent.
func expoRate(v *int, withheld bool) ExpoNum {
	switch {
	case v != nil:
		return expoValue(v)
	case withheld:
		return expoNull
	}
	return ExpoNum{}
}

// expoPartOf is taux_en_emploi_X_mois for X ≥ 12: nb_en_emploi_X_mois over
// nb_annee_term, half to even (Rate); null when the count is withheld.
func expoPartOf(num, den ExpoNum) ExpoNum {
	switch {
	case num.Present && num.Value == nil, den.Present && den.Value == nil:
		return expoNull
	case num.Value != nil && den.Value != nil:
		if r := Rate(num.Value, den.Value); r != nil {
			return expoValue(r)
		}
	}
	return ExpoNum{}
}

// expoAutres is taux_autres_X_mois from the rounded parts (Parts).
func expoAutres(emploi, formation ExpoNum) ExpoNum {
	switch {
	case emploi.Value != nil && formation.Value != nil:
		return expoValue(Parts(formation.Value, emploi.Value))
	case emploi.Present && formation.Present:
		return expoNull
	}
	return ExpoNum{}
}

// ExpoFromFigure maps a disclosed InserJeunes figure.
func ExpoFromFigure(f *Figure) ExpoStats {
	w := func(ind Indicator) bool { return f.Value(ind) == nil && f.withheld(ind) != "" }
	// A withheld count is null for the rates computed from it.
	cnt := func(ind Indicator) ExpoNum {
		if w(ind) {
			return expoNull
		}
		return expoCount(f.Value(ind))
	}
	s := ExpoStats{
		NbAnneeTerm:         expoCount(f.NbAnneeTerm),
		TauxEnEmploi6Mois:   expoRate(f.PartEmploi6Mois, w(IndPartEmploi6Mois)),
		TauxEnFormation:     expoRate(f.PartPoursuiteEtudes, w(IndPartPoursuiteEtudes)),
		TauxAutres6Mois:     expoRate(f.PartAutresSituations, w(IndPartAutresSituations)),
		TauxRuptureContrats: expoRate(f.TauxContratsInterrompus, w(IndTauxContratsInterrompus)),
		ValeurAjoutee:       expoRate(f.ValeurAjoutee, w(IndValeurAjoutee)),
		SousSeuil:           f.Statut == StatutSousSeuil,
	}
	den := expoCount(f.NbAnneeTerm)
	s.TauxEnEmploi12Mois = expoPartOf(cnt(IndNbEnEmploi12Mois), den)
	s.TauxEnEmploi18Mois = expoPartOf(cnt(IndNbEnEmploi18Mois), den)
	s.TauxEnEmploi24Mois = expoPartOf(cnt(IndNbEnEmploi24Mois), den)
	s.TauxAutres12Mois = expoAutres(s.TauxEnEmploi12Mois, s.TauxEnFormation)
	s.TauxAutres18Mois = expoAutres(s.TauxEnEmploi18Mois, s.TauxEnFormation)
	s.TauxAutres24Mois = expoAutres(s.TauxEnEmploi24Mois, s.TauxEnFormation)
	s.NbSortant = expoCount(f.NbSortant)
	s.NbPoursuiteEtudes = expoCount(f.NbPoursuiteEtudes)
	s.NbEnEmploi6Mois = expoCount(f.NbEnEmploi6Mois)
	s.NbEnEmploi12Mois = expoCount(f.NbEnEmploi12Mois)
	s.NbEnEmploi18Mois = expoCount(f.NbEnEmploi18Mois)
	s.NbEnEmploi24Mois = expoCount(f.NbEnEmploi24Mois)
	if s.SousSeuil {
		s.nullRates()
	}
	return s
}

// nullRates writes null in every rate of the document under the
// threshold (the partner nulls every taux_*); the counts are already
// absent (withheld) and our extra fields are left out.
func (s *ExpoStats) nullRates() {
	for _, p := range []*ExpoNum{&s.TauxEnEmploi6Mois, &s.TauxEnEmploi12Mois, &s.TauxEnEmploi18Mois, &s.TauxEnEmploi24Mois,
		&s.TauxEnFormation, &s.TauxAutres6Mois, &s.TauxAutres12Mois, &s.TauxAutres18Mois, &s.TauxAutres24Mois} {
		*p = expoNull
	}
	// The fields the document does not list as rates are left out.
	for _, p := range []*ExpoNum{&s.TauxRuptureContrats, &s.ValeurAjoutee, &s.Salaire12MoisQ1, &s.Salaire12MoisQ2, &s.Salaire12MoisQ3} {
		*p = ExpoNum{}
	}
}

// ExpoFromSupFigure maps a disclosed InserSup figure: nb_annee_term is the
// number of graduates (nb_diplomes, the population of our secret
// statistique; the producer's national file uses sortants + poursuivants),
// the rates are parts of it, half to even.
func ExpoFromSupFigure(f *SupFigure) ExpoStats {
	s := ExpoStats{NbAnneeTerm: expoCount(f.NbDiplomes), SousSeuil: f.Statut == StatutSousSeuil}
	if s.SousSeuil {
		s.nullRates()
		return s
	}
	s.NbSortant = expoCount(f.NbSortants)
	s.NbPoursuiteEtudes = expoCount(f.NbPoursuivants)
	_, hideEmploi := SecretStatistique(f.NbDiplomes, f.NbSortants)
	emploi := func(i int) ExpoNum {
		n, _ := f.Emploi(i)
		if *n == nil && (hideEmploi || f.horizonWithheld(i)) {
			return expoNull
		}
		return expoCount(*n)
	}
	nb := [4]ExpoNum{emploi(0), emploi(1), emploi(2), emploi(3)}
	s.NbEnEmploi6Mois, s.NbEnEmploi12Mois, s.NbEnEmploi18Mois, s.NbEnEmploi24Mois = nb[0], nb[1], nb[2], nb[3]
	s.TauxEnFormation = expoPartOf(s.NbPoursuiteEtudes, s.NbAnneeTerm)
	s.TauxEnEmploi6Mois = expoPartOf(nb[0], s.NbAnneeTerm)
	s.TauxEnEmploi12Mois = expoPartOf(nb[1], s.NbAnneeTerm)
	s.TauxEnEmploi18Mois = expoPartOf(nb[2], s.NbAnneeTerm)
	s.TauxEnEmploi24Mois = expoPartOf(nb[3], s.NbAnneeTerm)
	s.TauxAutres6Mois = expoAutres(s.TauxEnEmploi6Mois, s.TauxEnFormation)
	s.TauxAutres12Mois = expoAutres(s.TauxEnEmploi12Mois, s.TauxEnFormation)
	s.TauxAutres18Mois = expoAutres(s.TauxEnEmploi18Mois, s.TauxEnFormation)
	s.TauxAutres24Mois = expoAutres(s.TauxEnEmploi24Mois, s.TauxEnFormation)
	// Counts withheld are left out (non-nullable in the document).
	for _, p := range []*ExpoNum{&s.NbEnEmploi6Mois, &s.NbEnEmploi12Mois, &s.NbEnEmploi18Mois, &s.NbEnEmploi24Mois} {
		if p.Present && p.Value == nil {
			*p = ExpoNum{}
		}
	}
	for _, sal := range f.Salaires {
		if sal.Mois == 12 {
			s.Salaire12MoisQ1, s.Salaire12MoisQ2, s.Salaire12MoisQ3 = expoCount(sal.Q1), expoCount(sal.Q2), expoCount(sal.Q3)
		}
	}
	return s
}

// Messages returns _meta.messages of s (nil when none).
func (s *ExpoStats) Messages() []string {
	if s.SousSeuil {
		return []string{ExpoMessageSousSeuil}
	}
	return nil
}

// Exposition filières.
const (
	ExpoFilierePro           = "pro"
	ExpoFiliereApprentissage = "apprentissage"
	ExpoFiliereSuperieur     = "superieur"
)

// ExpoFiliere is the filière of a voie: scolaire → pro (our files do not
// tell the agricultural lycées apart: no "agricole"), apprentissage →
// apprentissage, superieur → superieur.
func ExpoFiliere(voie string) string {
	switch voie {
	case VoieScolaire:
		return ExpoFilierePro
	case VoieApprentissage:
		return ExpoFiliereApprentissage
	case VoieSuperieur:
		return ExpoFiliereSuperieur
	}
	return voie
}

// ExpoCode is a code of a request: the code (CFD, MEFSTAT11, SISE) and its
// kind. The partner writes "CFD:40025214", "MEFSTAT11:32221031409",
// "SISE:2400074" (mandatory for SISE) or the bare CFD / MEFSTAT11.
type ExpoCode struct {
	Code string
	Kind CodeKind
}

// ParseExpoCode reads one code of a request.
func ParseExpoCode(s string) (ExpoCode, error) {
	t := strings.TrimSpace(s)
	prefix, rest, ok := strings.Cut(t, ":")
	want := CodeKind("")
	if ok {
		switch strings.ToUpper(prefix) {
		case "CFD":
			want = KindCFD
		case "MEFSTAT11":
			want = KindMEFSTAT11
		case "SISE":
			want = KindSISE
		default:
			return ExpoCode{}, fmt.Errorf("préfixe %q inconnu : CFD:, MEFSTAT11: ou SISE: est attendu", prefix)
		}
		t = rest
	}
	code, kind, err := ParseFormationCode(t)
	if err != nil {
		return ExpoCode{}, err
	}
	if want != "" && kind != want {
		return ExpoCode{}, fmt.Errorf("%q n'est pas un code %s", t, strings.ToUpper(string(want)))
	}
	if kind == KindSISE && want != KindSISE {
		return ExpoCode{}, fmt.Errorf("un code SISE s'écrit avec son préfixe : SISE:%s", code)
	}
	return ExpoCode{Code: code, Kind: kind}, nil
}

// ParseExpoCodes reads a list of codes separated by commas or |.
func ParseExpoCodes(s string) ([]ExpoCode, error) {
	var out []ExpoCode
	seen := map[string]bool{}
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '|' }) {
		c, err := ParseExpoCode(part)
		if err != nil {
			return nil, err
		}
		if !seen[c.Code] {
			seen[c.Code] = true
			out = append(out, c)
		}
	}
	return out, nil
}

// ExpoMillesimes returns the millésimes of ours a requested millésime
// stands for, the exact form first: the partner writes national figures
// by year (2024) and establishment and regional ones by period
// (2023_2024); ours are periods at every level (national = sum of the
// régions) and single years for InserSup. So "2024" also means
// "2023_2024" and "2023_2024" also means "2024"; "2024-2023" is
// "2023_2024".
func ExpoMillesimes(s string) ([]string, error) {
	if a, b, ok := strings.Cut(strings.TrimSpace(s), "-"); ok && a > b { // the partner sorts "2024-2023"
		s = b + "_" + a
	}
	m, err := ParseMillesime(s)
	if err != nil {
		return nil, err
	}
	if m.Start == m.End {
		return []string{m.String(), Millesime{m.End - 1, m.End}.String()}, nil
	}
	if m.End != m.Start+1 {
		return nil, fmt.Errorf("millésime %q invalide", s)
	}
	return []string{m.String(), Millesime{m.End, m.End}.String()}, nil
}

// ExpoMillesimeList reads a millésimes parameter (commas): every
// millésime it stands for (ExpoMillesimes), nil when empty.
func ExpoMillesimeList(s string) ([]string, error) {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		ms, err := ExpoMillesimes(part)
		if err != nil {
			return nil, err
		}
		out = append(out, ms...)
	}
	return out, nil
}

// ExpoDonneeSource is donnee_source: where the figures come from. The
// partner's document requires code and nom (its code writes only
// code_certification and type): we write the four.
type ExpoDonneeSource struct {
	Code              string `json:"code"`
	Nom               string `json:"nom"`
	CodeCertification string `json:"code_certification"`
	Type              string `json:"type"`
}

// Donnee source types.
const (
	ExpoSourceSelf     = "self"
	ExpoSourceAncienne = "ancienne"
	ExpoSourceNouvelle = "nouvelle"
)

// ExpoSource maps our continuum label: own figures → self (the code
// asked, its label); borrowed from the predecessor → ancienne, from the
// successor → nouvelle (the lender's code and label).
func ExpoSource(code, libelle string, sc *SourceContinuum) ExpoDonneeSource {
	if sc == nil {
		return ExpoDonneeSource{Code: code, Nom: libelle, CodeCertification: code, Type: ExpoSourceSelf}
	}
	t := ExpoSourceAncienne
	if sc.Sens == SensNouveau {
		t = ExpoSourceNouvelle
	}
	return ExpoDonneeSource{Code: sc.Code, Nom: sc.Libelle, CodeCertification: sc.Code, Type: t}
}

// ExpoMeta is _meta. date_import is required by the document (the
// producer's code strips it): the date of the import run of the figure.
type ExpoMeta struct {
	DateImport string   `json:"date_import"`
	Titre      string   `json:"titre,omitempty"`
	Details    string   `json:"details,omitempty"`
	Messages   []string `json:"messages,omitempty"`
}

// ExpoDiplome is diplome {code, libelle}: the new level of the CFD's first
// digit (5 → 3 CAP, 4 → 4 bac, 3 → 5 BTS, 2 → 6, 1 → 7, 0 → 0 MC) and our
// level label.
type ExpoDiplome struct {
	Code    string `json:"code"`
	Libelle string `json:"libelle"`
}

// ExpoDiplomeOf returns the diplome of a CFD and level label (nil when the
// CFD is unknown).
func ExpoDiplomeOf(cfd, niveau string) *ExpoDiplome {
	if cfd == "" || niveau == "" {
		return nil
	}
	code, ok := map[byte]string{'5': "3", '4': "4", '3': "5", '2': "6", '1': "7", '0': "0"}[cfd[0]]
	if !ok {
		return nil
	}
	return &ExpoDiplome{Code: code, Libelle: niveau}
}

// ExpoFamilleMetier is familleMetier. Code is our slug of the famille
// (the BCN code is not in our files).
type ExpoFamilleMetier struct {
	Code           string `json:"code"`
	Libelle        string `json:"libelle"`
	IsAnneeCommune bool   `json:"isAnneeCommune"`
}

// ExpoIdentity is what every object says of the certification.
type ExpoIdentity struct {
	Millesime            string             `json:"millesime"`
	CodeCertification    string             `json:"code_certification"`
	CodeCertificationTyp string             `json:"code_certification_type,omitempty"`
	CodeFormationDiplome string             `json:"code_formation_diplome,omitempty"`
	Filiere              string             `json:"filiere"`
	Libelle              string             `json:"libelle"`
	LibelleAncien        string             `json:"libelle_ancien,omitempty"`
	Diplome              *ExpoDiplome       `json:"diplome,omitempty"`
	DateFermeture        string             `json:"date_fermeture,omitempty"`
	FormationFermee      bool               `json:"formation_fermee"`
	FamilleMetier        *ExpoFamilleMetier `json:"familleMetier,omitempty"`
	DonneeSource         *ExpoDonneeSource  `json:"donnee_source,omitempty"`
	Demonstration        bool               `json:"demonstration"`
}

// ExpoIdentityOf fills the identity from a formation and a figure's key.
func ExpoIdentityOf(f *Formation, millesime, voie string) ExpoIdentity {
	id := ExpoIdentity{Millesime: millesime, Filiere: ExpoFiliere(voie), Libelle: f.LibelleBCN,
		CodeFormationDiplome: f.CFD, FormationFermee: f.FormationFermee, CodeCertificationTyp: expoCodeType(f.TypeCode)}
	if id.Libelle == "" {
		id.Libelle = f.Libelle
	}
	if id.Libelle == "" {
		id.Libelle = f.Code
	}
	id.CodeCertification = f.Code
	if f.DateFermeture != nil {
		id.DateFermeture = *f.DateFermeture
	}
	id.Diplome = ExpoDiplomeOf(f.CFD, f.Niveau)
	for _, a := range f.Anciens {
		if a.UnPourUn && a.LibelleBCN != "" && !strings.EqualFold(Fold(a.LibelleBCN), Fold(id.Libelle)) {
			id.LibelleAncien = a.LibelleBCN
		}
	}
	return id
}

func expoCodeType(k CodeKind) string {
	if k == KindMEFSTAT11 {
		return "mef11"
	}
	return string(k)
}

// ExpoCertification is a Certification (national) or Regionale (Region
// set) object.
type ExpoCertification struct {
	ExpoIdentity
	ExpoStats
	Region *Territoire `json:"region,omitempty"`
	Meta   ExpoMeta    `json:"_meta"`
}

// ExpoFormation is a Formation object (establishment × certification).
type ExpoFormation struct {
	UAI                  string `json:"uai"`
	LibelleEtablissement string `json:"libelle_etablissement,omitempty"`
	ExpoIdentity
	ExpoStats
	Region        Territoire  `json:"region"`
	Academie      *Territoire `json:"academie,omitempty"`
	UAIType       string      `json:"uai_type"`
	UAIDonnee     string      `json:"uai_donnee"`
	UAIDonneeType string      `json:"uai_donnee_type"`
	Meta          ExpoMeta    `json:"_meta"`
}

// ExpoUAIType is the role of the UAI as far as our files tell it: a
// voie scolaire figure is the lycée's own (lieu_formation, the
// producer's own rule); for apprenticeship and higher education our files
// do not say whether the UAI is the lieu, the formateur or the
// gestionnaire: inconnu. The figures always come from the UAI itself
// (uai_donnee = uai): we propagate nothing between UAIs.
func ExpoUAIType(voie string) string {
	if voie == VoieScolaire {
		return "lieu_formation"
	}
	return "inconnu"
}

// ExpoFiliereView is a CertificationFiliere object (vue=filieres), with
// its région in the regional view.
type ExpoFiliereView struct {
	Millesime             string       `json:"millesime"`
	CodesCertifications   []string     `json:"codes_certifications"`
	CodesFormationDiplome []string     `json:"codes_formation_diplome"`
	CodeFormationDiplome  string       `json:"code_formation_diplome,omitempty"`
	Libelle               string       `json:"libelle,omitempty"`
	LibelleAncien         string       `json:"libelle_ancien,omitempty"`
	Filiere               string       `json:"filiere"`
	Diplome               *ExpoDiplome `json:"diplome,omitempty"`
	DateFermeture         string       `json:"date_fermeture,omitempty"`
	FormationFermee       *bool        `json:"formation_fermee,omitempty"`
	ExpoStats
	Region        *Territoire `json:"region,omitempty"`
	Demonstration bool        `json:"demonstration"`
	Meta          ExpoMeta    `json:"_meta"`
}

// ExpoLatest returns the most recent millésime of ms (CompareMillesimes).
func ExpoLatest(ms []string) string {
	s := SortMillesimes(ms)
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

// ExpoPick chooses, among the millésimes available, the one a request
// asks for: the latest when req is empty; else the first form of req
// (ExpoMillesimes) that exists. ok is false when none does.
func ExpoPick(available []string, req string) (string, bool, error) {
	if req == "" {
		l := ExpoLatest(available)
		return l, l != "", nil
	}
	want, err := ExpoMillesimes(req)
	if err != nil {
		return "", false, err
	}
	for _, w := range want {
		for _, a := range available {
			if a == w {
				return a, true, nil
			}
		}
	}
	return "", false, nil
}

// ExpoDepartementOfPostalCode returns the département (3 characters, as
// the territorial table writes it) of a postal code: the partner accepts a
// postal code for a région. 97x and 98x use three digits; Corsica (20…)
// gives "02A" (both Corsican départements are in the région Corse).
func ExpoDepartementOfPostalCode(cp string) (string, bool) {
	if len(cp) != 5 || !digitsOnly(cp) {
		return "", false
	}
	switch {
	case strings.HasPrefix(cp, "97"), strings.HasPrefix(cp, "98"):
		return cp[:3], true
	case strings.HasPrefix(cp, "20"):
		return "02A", true
	}
	return "0" + cp[:2], true
}
