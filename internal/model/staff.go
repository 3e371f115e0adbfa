package model

import (
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"
)

// Staff of the back-office (issue 11): who sees which request, and the
// email a submitter gets on each public status change. The schema is
// migrations/00013_staff.sql.

// StaffMember is a staff account as stored (never its password hash or
// TOTP secret).
type StaffMember struct {
	ID           int64
	Email        string
	Role         string
	Academies    []string // relais only
	TOTPEnrolled bool
	Disabled     bool
	LockedUntil  *time.Time
	CreatedAt    time.Time
}

// StaffRoleLabel is the French label of a staff role.
func StaffRoleLabel(role string) string {
	switch role {
	case StaffAdmin:
		return "Administrateur"
	case StaffModerateur:
		return "Modérateur"
	case StaffRelais:
		return "Relais académique"
	}
	return ""
}

// StaffRoles lists the roles with their labels, in form order.
var StaffRoles = []Categorie{
	{StaffModerateur, StaffRoleLabel(StaffModerateur)},
	{StaffRelais, StaffRoleLabel(StaffRelais)},
	{StaffAdmin, StaffRoleLabel(StaffAdmin)},
}

// CanSeeSignalement reports whether m may see (and act on) a request of
// académie: admin and moderateur see every request, a relais only those of
// its académies (a request with no académie is not theirs).
func (m StaffMember) CanSeeSignalement(academie string) bool {
	switch m.Role {
	case StaffAdmin, StaffModerateur:
		return true
	case StaffRelais:
		return academie != "" && slices.Contains(m.Academies, academie)
	}
	return false
}

// AcademieFilter is the académies a list of requests is restricted to for
// m: nil for every académie.
func (m StaffMember) AcademieFilter() []string {
	if m.Role == StaffRelais {
		if len(m.Academies) == 0 {
			return []string{} // sees nothing
		}
		return m.Academies
	}
	return nil
}

// IsAdmin reports whether m manages staff.
func (m StaffMember) IsAdmin() bool { return m.Role == StaffAdmin }

// NormalizeStaff checks and normalises a new account: email (lower case,
// one address), role, académies (codes of 2 or 3 digits, only for relais
// and at least one). The error is in French.
func NormalizeStaff(email, role string, academies []string) (string, []string, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || a.Name != "" {
		return "", nil, fmt.Errorf("adresse électronique invalide : %q", email)
	}
	if !StaffRoleValid(role) {
		return "", nil, fmt.Errorf("rôle inconnu %q : admin, moderateur ou relais", role)
	}
	var out []string
	for _, ac := range academies {
		ac = strings.TrimSpace(ac)
		if ac == "" {
			continue
		}
		if len(ac) < 2 || len(ac) > 3 || strings.Trim(ac, "0123456789") != "" {
			return "", nil, fmt.Errorf("code d'académie invalide %q : 2 ou 3 chiffres (ex. 14)", ac)
		}
		if !slices.Contains(out, ac) {
			out = append(out, ac)
		}
	}
	switch {
	case role == StaffRelais && len(out) == 0:
		return "", nil, fmt.Errorf("un relais doit avoir au moins une académie")
	case role != StaffRelais && len(out) > 0:
		return "", nil, fmt.Errorf("seul un relais a des académies")
	}
	if out == nil {
		out = []string{}
	}
	return email, out, nil
}

// MinPasswordLength is the least length of a staff password.
const MinPasswordLength = 12

// CheckStaffPassword refuses a password too short (French error).
func CheckStaffPassword(p string) error {
	if len([]rune(p)) < MinPasswordLength {
		return fmt.Errorf("le mot de passe doit compter au moins %d caractères", MinPasswordLength)
	}
	if len(p) > 1024 {
		return fmt.Errorf("le mot de passe dépasse 1 024 octets")
	}
	return nil
}

// SignalementStatusEmail is the email sent to the submitter when the
// public status of request numero becomes statut: subject and plain-text
// body in French with the tracking link baseURL/signalements/numero.
// motif is the public reason (rejete), original the original's number
// (doublon).
func SignalementStatusEmail(baseURL, numero, statut, motif, original string) (sujet, corps string) {
	link := strings.TrimRight(baseURL, "/") + "/signalements/" + numero
	sujet = fmt.Sprintf("Votre signalement %s : %s", numero, strings.ToLower(SignalementStatutLabel(statut)))
	var b strings.Builder
	b.WriteString("Bonjour,\n\n")
	fmt.Fprintf(&b, "Le statut de votre signalement %s est désormais : « %s ».\n", numero, SignalementStatutLabel(statut))
	switch statut {
	case SignalementRejete:
		fmt.Fprintf(&b, "\nMotif : %s\n", motif)
	case SignalementDoublon:
		fmt.Fprintf(&b, "\nIl fait double emploi avec le signalement %s, qui poursuit son examen : %s\n",
			original, strings.TrimRight(baseURL, "/")+"/signalements/"+original)
	case SignalementCorrige:
		b.WriteString("\nMerci : la correction sera visible sur le site à la prochaine mise à jour des données.\n")
	case SignalementTransmisProducteur:
		b.WriteString("\nIl a été transmis au producteur des données (DEPP ou SIES), seul à pouvoir corriger la source.\n")
	}
	fmt.Fprintf(&b, "\nSuivre votre signalement : %s\n\n", link)
	b.WriteString("— L'équipe Vitrine InserJeunes\n(message automatique : merci de ne pas y répondre)\n")
	return sujet, b.String()
}
