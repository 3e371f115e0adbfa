package model

import "strings"

// ValidROME reports whether s is a ROME code: a letter from A to N (the
// 14 grands domaines) and four digits (A1101).
func ValidROME(s string) bool {
	return len(s) == 5 && s[0] >= 'A' && s[0] <= 'N' && isASCIIDigits(s[1:])
}

// ValidROMEDomaine reports whether s is a ROME domaine professionnel: a
// letter from A to N and two digits (A11), the first three characters of a
// ROME code.
func ValidROMEDomaine(s string) bool {
	return len(s) == 3 && s[0] >= 'A' && s[0] <= 'N' && isASCIIDigits(s[1:])
}

func isASCIIDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// ValidOnisep reports whether s is an Onisep identifier as Certif Info
// writes it (codeIdeo2): FOR.1094 for a formation, TYPDISP.17 for a type
// of dispositif.
func ValidOnisep(s string) bool {
	for _, p := range []string{"FOR.", "TYPDISP."} {
		if n, ok := strings.CutPrefix(s, p); ok {
			return isASCIIDigits(n)
		}
	}
	return false
}

// OnisepURL is the Onisep page of a formation (FOR.1094), "" for any
// other identifier.
func OnisepURL(id string) string {
	n, ok := strings.CutPrefix(id, "FOR.")
	if !ok || !isASCIIDigits(n) {
		return ""
	}
	return "https://www.onisep.fr/http/redirection/formation/slug/FOR." + n
}

// RNCPURL is the France compétences record of an RNCP code.
func RNCPURL(code string) string {
	if !isASCIIDigits(code) {
		return ""
	}
	return "https://www.francecompetences.fr/recherche/rncp/" + code + "/"
}

// Metier is a ROME fiche a formation leads to (through Certif Info
// Code_Rome_1…5), with the transition flags France Travail sets.
type Metier struct {
	CodeROME string `json:"code_rome"`
	Libelle  string `json:"libelle"`
	// Domaine is the domaine professionnel (first three characters).
	Domaine        string `json:"domaine,omitempty"`
	TransitionEco  string `json:"transition_ecologique,omitempty"` // France Travail's label (« Emploi Vert »)
	TransitionNum  bool   `json:"transition_numerique"`
	TransitionDemo bool   `json:"transition_demographique"`
}

// FormationMetiers is what Certif Info says of a CFD: the métiers it leads
// to, its Onisep page and its RNCP record.
type FormationMetiers struct {
	Metiers   []Metier `json:"metiers"`
	Onisep    string   `json:"onisep,omitempty"`
	OnisepURL string   `json:"onisep_url,omitempty"`
	RNCP      string   `json:"rncp,omitempty"`
	RNCPURL   string   `json:"rncp_url,omitempty"`
	// CertifInfo: the CFD is in Certif Info at all (a CFD that is not has
	// no métier, Onisep or RNCP link for that reason).
	CertifInfo bool `json:"certif_info"`
}

// ReadableNiveau is the readable label of a BCN diploma level: its short
// label when Certif Info writes its own labels with it (« CAP cuisine »,
// « BTS … », « Bac pro … »: CAP, BTS, BAC PRO are words people use);
// else the diploma type Certif Info gives most of its CFDs (« Titre
// professionnel (TP de niveau 3) » for TH5-T, « Diplôme d'Etat de la
// jeunesse, … » for DE JEPS) when it gives it to at least half of them;
// else the BCN long label in sentence case (« Autres diplômes de niveau
// IV » for DIV-4). certifLabels and certifTypes are the Certif Info labels
// and types of the level's CFDs (one entry per Certif Info row).
func ReadableNiveau(court, long string, certifLabels, certifTypes []string, lex *Lexicon) string {
	if court != "" && len(certifLabels) > 0 {
		prefix, n := Fold(court)+" ", 0
		for _, l := range certifLabels {
			if strings.HasPrefix(Fold(l), prefix) {
				n++
			}
		}
		if 2*n >= len(certifLabels) {
			return court
		}
	}
	if len(certifTypes) > 0 {
		count := map[string]int{}
		best := ""
		for _, t := range certifTypes {
			count[t]++
			if count[t] > count[best] || count[t] == count[best] && t < best {
				best = t
			}
		}
		if 2*count[best] >= len(certifTypes) {
			return best
		}
	}
	if long != "" {
		l, _ := ReadableFormationLabel(long, "", lex)
		return l
	}
	return court
}

// LabelCoverage counts formations by the path of their readable label.
type LabelCoverage struct {
	Formations int `json:"formations"`
	CertifInfo int `json:"certif_info"` // part of the Certif Info label
	Lexique    int `json:"lexique"`     // sentence case with the lexicon
	Inchanges  int `json:"inchanges"`   // already in mixed case
	AvecMetier int `json:"avec_metier"` // at least one ROME fiche
}

// ROMEURL is the France Travail page of a ROME fiche.
func ROMEURL(code string) string {
	if !ValidROME(code) {
		return ""
	}
	return "https://candidat.francetravail.fr/metierscope/fiche-metier/" + code
}

// NiveauFamily groups the BCN levels that differ only by the body that
// issues them: the same first two characters of the code (the level and
// its kind) and the same letters before the first digit or hyphen of the
// short label (TH3-K, TH3-X, TH3-C: « TH » of « 36 »). "" when the short
// label has no such letters.
func NiveauFamily(code, court string) string {
	i := strings.IndexFunc(court, func(r rune) bool { return r == '-' || r == ' ' || r >= '0' && r <= '9' })
	if i <= 0 || len(code) < 2 || i == len(court) {
		return ""
	}
	return code[:2] + "|" + court[:i]
}
