package model

import (
	"net/mail"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The rules of the public correction form (/signaler): what a visitor may
// send, checked once here, said in French field by field.

// Limits of the form fields, in characters.
const (
	SignalementMessageMax = 5000
	SignalementValeurMax  = 1000
	SignalementNomMax     = 200
	SignalementEmailMax   = 254
	// SignalementPieceMax is the largest attachment, in bytes (5 Mo).
	SignalementPieceMax = 5 << 20
)

// SignalementPieceTypes are the attachment types accepted, as detected
// from the content (never the name or the type the browser claims).
var SignalementPieceTypes = map[string]string{
	"application/pdf": "PDF",
	"image/png":       "PNG",
	"image/jpeg":      "JPEG",
}

// SignalementInput is what the form sends, as typed. Normalize then
// Validate it before storing.
type SignalementInput struct {
	UAI, Code, Millesime string
	Page                 string // path of the page the visitor came from
	Categorie            string
	Message              string
	ValeurCorrecte       string
	Nom, Email, Role     string
	ContactOK            bool
}

// FieldError is the French message of one invalid field.
type FieldError struct {
	Field   string // the form field name (uai, message…)
	Message string
}

// pagePath is what a concerned page may be: a site path, nothing else
// (no scheme, no host, no « // »).
var pagePath = regexp.MustCompile(`^/[a-z][a-z0-9-]*(/[A-Za-z0-9_-]+)*$`)

// Normalize trims the fields, makes them valid UTF-8 and puts the codes
// in their canonical form when they are valid (an invalid code is kept as
// typed, for Validate to report and the form to show back).
func (in *SignalementInput) Normalize() {
	for _, f := range []*string{&in.UAI, &in.Code, &in.Millesime, &in.Page, &in.Categorie, &in.Nom, &in.Email, &in.Role} {
		*f = strings.TrimSpace(strings.ToValidUTF8(*f, "\uFFFD"))
	}
	for _, f := range []*string{&in.Message, &in.ValeurCorrecte} {
		*f = strings.TrimSpace(strings.ReplaceAll(strings.ToValidUTF8(*f, "\uFFFD"), "\r\n", "\n"))
	}
	if in.UAI != "" {
		if u, err := NormalizeUAI(in.UAI); err == nil {
			in.UAI = u
		}
	}
	if in.Code != "" {
		if c, _, err := ParseFormationCode(in.Code); err == nil {
			in.Code = c
		}
	}
	if in.Millesime != "" {
		if m, err := ParseMillesime(in.Millesime); err == nil {
			in.Millesime = m.String()
		}
	}
}

// Validate lists the invalid fields in form order (nil: valid).
func (in *SignalementInput) Validate() []FieldError {
	var errs []FieldError
	add := func(field, msg string) { errs = append(errs, FieldError{field, msg}) }
	if in.UAI != "" {
		if _, err := NormalizeUAI(in.UAI); err != nil {
			add("uai", "L'UAI de l'établissement n'est pas valide (8 caractères, ex. 0010001W) : corrigez-le ou laissez le champ vide.")
		}
	}
	if in.Code != "" {
		if _, _, err := ParseFormationCode(in.Code); err != nil {
			add("code", "Le code de formation n'est pas valide (CFD à 8 chiffres, MEFSTAT11 ou code SISE) : corrigez-le ou laissez le champ vide.")
		}
	}
	if in.Millesime != "" {
		if _, err := ParseMillesime(in.Millesime); err != nil {
			add("millesime", "Le millésime n'est pas valide : indiquez une année (2023) ou deux années (2022-2023), ou laissez le champ vide.")
		}
	}
	if in.Page != "" && (len(in.Page) > 200 || !pagePath.MatchString(in.Page)) {
		add("page", "La page concernée n'est pas une adresse de ce site : repartez du lien « Signaler une erreur » de la page.")
	}
	if CategorieLabel(in.Categorie) == "" {
		add("categorie", "Choisissez le type de signalement.")
	}
	switch n := utf8.RuneCountInString(in.Message); {
	case n == 0:
		add("message", "Décrivez l'erreur ou la mise à jour à faire.")
	case n > SignalementMessageMax:
		add("message", "Le message dépasse 5 000 caractères ("+strconv.Itoa(n)+") : raccourcissez-le, ou joignez un document.")
	}
	if n := utf8.RuneCountInString(in.ValeurCorrecte); n > SignalementValeurMax {
		add("valeur_correcte", "La valeur correcte dépasse 1 000 caractères ("+strconv.Itoa(n)+") : mettez les détails dans le message.")
	}
	if utf8.RuneCountInString(in.Nom) > SignalementNomMax {
		add("nom", "Le nom dépasse 200 caractères.")
	}
	if in.Email != "" && !ValidEmail(in.Email) {
		add("email", "L'adresse électronique n'est pas valide (format attendu : nom@exemple.fr).")
	}
	if in.Role != "" && DeclarantRoleLabel(in.Role) == "" {
		add("role", "Choisissez votre situation dans la liste.")
	}
	if in.ContactOK && in.Email == "" {
		add("email", "Pour être recontacté, indiquez votre adresse électronique.")
	}
	return errs
}

// ValidEmail reports whether s is a bare email address (nom@domaine.tld),
// without display name, within 254 characters.
func ValidEmail(s string) bool {
	if len(s) > SignalementEmailMax || strings.ContainsAny(s, " <>\"\r\n") {
		return false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	return at > 0 && strings.Contains(s[at+1:], ".") && !strings.HasSuffix(s, ".")
}

// DeclarantRoleLabel is the French label of a submitter role ("" when
// unknown).
func DeclarantRoleLabel(code string) string {
	for _, r := range DeclarantRoles {
		if r.Code == code {
			return r.Libelle
		}
	}
	return ""
}
