package model

import (
	"crypto/rand"
	"fmt"
	"math/big"
	"time"
)

// Correction requests (« signalements », issue 11): their categories,
// statuses, the workflow between statuses and the tracking number. The
// schema is migrations/00011_signalements.sql.

// Categories of a request, in form order.
const (
	CategorieChiffreErrone         = "chiffre_errone"
	CategorieFormationManquante    = "formation_manquante"
	CategorieIdentiteEtablissement = "identite_etablissement"
	CategorieAutre                 = "autre"
)

// Categorie is a category with its French label.
type Categorie struct{ Code, Libelle string }

// Categories lists the categories in form order.
var Categories = []Categorie{
	{CategorieChiffreErrone, "Chiffre erroné"},
	{CategorieFormationManquante, "Formation manquante ou fermée"},
	{CategorieIdentiteEtablissement, "Nom ou adresse de l'établissement"},
	{CategorieAutre, "Autre"},
}

// CategorieLabel is the French label of a category code ("" when unknown).
func CategorieLabel(code string) string {
	for _, c := range Categories {
		if c.Code == code {
			return c.Libelle
		}
	}
	return ""
}

// Statuses of a request.
const (
	SignalementRecu               = "recu"
	SignalementEnCours            = "en_cours"
	SignalementTransmisProducteur = "transmis_producteur"
	SignalementCorrige            = "corrige"
	SignalementRejete             = "rejete"
	SignalementDoublon            = "doublon"
)

// SignalementStatuts lists the statuses in workflow order with their French
// labels.
var SignalementStatuts = []Categorie{
	{SignalementRecu, "Reçu"},
	{SignalementEnCours, "En cours d'examen"},
	{SignalementTransmisProducteur, "Transmis au producteur des données"},
	{SignalementCorrige, "Corrigé"},
	{SignalementRejete, "Rejeté"},
	{SignalementDoublon, "Doublon"},
}

// SignalementStatutLabel is the French label of a status ("" when unknown).
func SignalementStatutLabel(code string) string {
	for _, s := range SignalementStatuts {
		if s.Code == code {
			return s.Libelle
		}
	}
	return ""
}

// SignalementClosed reports whether a status ends the request (corrige,
// rejete, doublon): the retention period of personal data runs from then.
func SignalementClosed(statut string) bool {
	switch statut {
	case SignalementCorrige, SignalementRejete, SignalementDoublon:
		return true
	}
	return false
}

// SignalementTransition checks a status change. Open requests move forward
// (recu → en_cours → transmis_producteur) or close (corrige, rejete,
// doublon) from any open status; a closed request may be reopened to
// en_cours. Rejete needs a public reason, doublon the original's number.
func SignalementTransition(from, to, motif, doublonDe string) error {
	if SignalementStatutLabel(to) == "" {
		return fmt.Errorf("statut inconnu « %s »", to)
	}
	if from == to {
		return fmt.Errorf("le signalement est déjà au statut « %s »", SignalementStatutLabel(to))
	}
	if SignalementClosed(from) && to != SignalementEnCours {
		return fmt.Errorf("un signalement clos (« %s ») ne peut que être rouvert (« %s »)",
			SignalementStatutLabel(from), SignalementStatutLabel(SignalementEnCours))
	}
	if to == SignalementRecu {
		return fmt.Errorf("un signalement ne revient pas au statut « %s »", SignalementStatutLabel(to))
	}
	if to == SignalementRejete && motif == "" {
		return fmt.Errorf("un rejet demande un motif public")
	}
	if to == SignalementDoublon && doublonDe == "" {
		return fmt.Errorf("un doublon demande le numéro du signalement d'origine")
	}
	return nil
}

// Staff roles.
const (
	StaffAdmin      = "admin"      // everything, manages staff
	StaffModerateur = "moderateur" // every request
	StaffRelais     = "relais"     // the requests of its académies
)

// StaffRoleValid reports whether role is a staff role.
func StaffRoleValid(role string) bool {
	return role == StaffAdmin || role == StaffModerateur || role == StaffRelais
}

// NumeroAlphabet is the alphabet of tracking numbers: digits and upper-case
// letters without 0/O, 1/I/L, so a number read aloud or retyped is not
// misread.
const NumeroAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"

// NewNumero draws a tracking number SIG-<year>-XXXXXX with crypto/rand
// (31^6 ≈ 887 million per year: not guessable, and a collision is retried
// by the caller on the unique constraint).
func NewNumero(now time.Time) (string, error) {
	b := make([]byte, 6)
	max := big.NewInt(int64(len(NumeroAlphabet)))
	for i := range b {
		n, err := rand.Int(rand.Reader, max)
		if err != nil {
			return "", err
		}
		b[i] = NumeroAlphabet[n.Int64()]
	}
	return fmt.Sprintf("SIG-%d-%s", now.Year(), b), nil
}

// ValidNumero reports whether s has the form of a tracking number.
func ValidNumero(s string) bool {
	if len(s) != len("SIG-2026-XXXXXX") || s[:4] != "SIG-" || s[8] != '-' {
		return false
	}
	for _, c := range s[4:8] {
		if c < '0' || c > '9' {
			return false
		}
	}
	for i := 9; i < len(s); i++ {
		ok := false
		for j := 0; j < len(NumeroAlphabet); j++ {
			if s[i] == NumeroAlphabet[j] {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// Submitter roles offered by the form (« vous êtes »).
var DeclarantRoles = []Categorie{
	{"etablissement", "Établissement (lycée, université…)"},
	{"cfa", "CFA"},
	{"rectorat", "Rectorat, DRAAF, région"},
	{"partenaire", "Partenaire ou réutilisateur des données"},
	{"particulier", "Particulier (jeune, famille…)"},
	{"autre", "Autre"},
}

// Signalement is a correction request as stored (00011). The personal data
// (Nom, Email, Role, ContactOK) are for staff only: public views never
// carry them.
type Signalement struct {
	ID                             int64
	Numero                         string
	CreatedAt, UpdatedAt           time.Time
	UAI, Code, Millesime, Academie string
	Page                           string
	Categorie, Message             string
	ValeurCorrecte                 string
	Statut, MotifPublic            string
	DoublonDe                      string // tracking number of the original, when doublon
	AvisPublic                     bool
	AssigneA                       *int64
	Nom, Email, Role               string
	ContactOK                      bool
	ClosedAt, PurgedAt             *time.Time
}

// SignalementEvenement is one row of a request's append-only history.
// Acteur is "public" or a staff email: public views show neither.
type SignalementEvenement struct {
	At                           time.Time
	Acteur                       string
	Nature, DeStatut, VersStatut string
	Note                         string
	Public                       bool
}
