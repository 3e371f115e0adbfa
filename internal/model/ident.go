// Package model holds the domain types and the pure rules of Vitrine InserJeunes:
// identifiers and their validation, millésimes, territories, rates, rounding,
// the secret statistique and the continuum. It imports nothing of the project.
package model

import (
	"errors"
	"fmt"
	"strings"
)

// ErrNotFound is returned by the store when a record does not exist.
var ErrNotFound = errors.New("introuvable")

// uaiLetters is the check-letter alphabet of the UAI (no I, O, Q).
const uaiLetters = "ABCDEFGHJKLMNPRSTUVWXYZ"

// UAICheckLetter returns the check letter of a 7-digit UAI number.
func UAICheckLetter(digits string) (byte, error) {
	if len(digits) != 7 {
		return 0, fmt.Errorf("le numéro UAI doit avoir 7 chiffres, %q en a %d", digits, len(digits))
	}
	n := 0
	for i := 0; i < 7; i++ {
		c := digits[i]
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("le numéro UAI %q contient un caractère non numérique", digits)
		}
		n = n*10 + int(c-'0')
	}
	return uaiLetters[n%23], nil
}

// NormalizeUAI trims and upper-cases s and checks it is a valid UAI:
// 7 digits then the check letter. The error says what is wrong, in French.
func NormalizeUAI(s string) (string, error) {
	u := strings.ToUpper(strings.TrimSpace(s))
	if u == "" {
		return "", errors.New("UAI vide")
	}
	if len(u) != 8 {
		return "", fmt.Errorf("UAI %q invalide : 8 caractères attendus (7 chiffres et une lettre), %d reçus", s, len(u))
	}
	want, err := UAICheckLetter(u[:7])
	if err != nil {
		return "", fmt.Errorf("UAI %q invalide : %v", s, err)
	}
	if u[7] != want {
		return "", fmt.Errorf("UAI %q invalide : la lettre de contrôle devrait être %c", s, want)
	}
	return u, nil
}

// NormalizeCFD checks a CFD (code formation diplôme): 8 characters, digits and
// upper-case letters.
func NormalizeCFD(s string) (string, error) {
	c := strings.ToUpper(strings.TrimSpace(s))
	if len(c) != 8 || !alnum(c) {
		return "", fmt.Errorf("CFD %q invalide : 8 caractères alphanumériques attendus", s)
	}
	return c, nil
}

// NormalizeMEFSTAT11 checks a MEFSTAT11: 11 characters, digits and
// upper-case letters (recent BCN codes such as 23K00025123 carry a letter).
func NormalizeMEFSTAT11(s string) (string, error) {
	c := strings.ToUpper(strings.TrimSpace(s))
	if len(c) != 11 || !alnum(c) {
		return "", fmt.Errorf("MEFSTAT11 %q invalide : 11 caractères alphanumériques attendus", s)
	}
	return c, nil
}

// NormalizeSISE checks a SISE diploma code: 7 digits.
func NormalizeSISE(s string) (string, error) {
	c := strings.TrimSpace(s)
	if len(c) != 7 || !digitsOnly(c) {
		return "", fmt.Errorf("code SISE %q invalide : 7 chiffres attendus", s)
	}
	return c, nil
}

// CodeKind tells which identifier a formation code is.
type CodeKind string

const (
	KindCFD       CodeKind = "cfd"
	KindMEFSTAT11 CodeKind = "mefstat11"
	KindSISE      CodeKind = "sise"
)

// ParseFormationCode recognises a CFD, MEFSTAT11 or SISE code.
func ParseFormationCode(s string) (string, CodeKind, error) {
	c := strings.ToUpper(strings.TrimSpace(s))
	switch len(c) {
	case 8:
		v, err := NormalizeCFD(c)
		return v, KindCFD, err
	case 11:
		v, err := NormalizeMEFSTAT11(c)
		return v, KindMEFSTAT11, err
	case 7:
		v, err := NormalizeSISE(c)
		return v, KindSISE, err
	}
	return "", "", fmt.Errorf("code de formation %q invalide : un CFD (8 caractères), un MEFSTAT11 (11 caractères) ou un code SISE (7 chiffres) est attendu", s)
}

// DepartementOfUAI returns the département code (3 characters, as in the
// territorial table) of a UAI from its prefix: "0350122T" → "035". Corsica
// numbers its UAIs 620 (Corse-du-Sud, 02A) and 720 (Haute-Corse, 02B).
func DepartementOfUAI(uai string) string {
	if len(uai) < 3 {
		return ""
	}
	switch p := uai[:3]; p {
	case "620":
		return "02A"
	case "720":
		return "02B"
	default:
		return p
	}
}

// UAIPrefixOfDepartement is the inverse of DepartementOfUAI: the first
// three characters of the UAIs of a département (3-character code).
func UAIPrefixOfDepartement(dep string) string {
	switch dep {
	case "02A":
		return "620"
	case "02B":
		return "720"
	}
	return dep
}

func digitsOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func alnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return s != ""
}
