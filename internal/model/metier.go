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
