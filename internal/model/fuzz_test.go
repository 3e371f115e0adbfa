package model

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// Seeds: identifiers as they appear in the real files, and near misses.
var identSeeds = []string{
	"0010001W", "0350122T", "0932492D", "6200001G", "0010001X", "0010001w", " 0350122T ", "001001W", "00100011W",
	"40030001", "32020008", "01022001", "32221022002", "23K00025123", "2500249", "0062205P", "", "ſ", "\u00a0",
}

// FuzzNormalizeUAI: never panics; an accepted UAI is 7 ASCII digits and
// its check letter, and normalises to itself.
func FuzzNormalizeUAI(f *testing.F) {
	for _, s := range identSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := NormalizeUAI(s)
		if err != nil {
			if u != "" || err.Error() == "" {
				t.Fatalf("NormalizeUAI(%q) = %q, %v", s, u, err)
			}
			return
		}
		if len(u) != 8 || !digitsOnly(u[:7]) {
			t.Fatalf("NormalizeUAI(%q) = %q: not 7 digits and a letter", s, u)
		}
		if c, _ := UAICheckLetter(u[:7]); c != u[7] {
			t.Fatalf("NormalizeUAI(%q) = %q: check letter should be %c", s, u, c)
		}
		if again, err := NormalizeUAI(u); err != nil || again != u {
			t.Fatalf("NormalizeUAI(%q) = %q, %v; not stable", u, again, err)
		}
		if d := DepartementOfUAI(u); len(d) != 3 {
			t.Fatalf("DepartementOfUAI(%q) = %q", u, d)
		}
	})
}

// FuzzParseMillesime: never panics; an accepted millésime is one year or
// two consecutive years in range, and its canonical form parses back to it.
func FuzzParseMillesime(f *testing.F) {
	for _, s := range []string{"2023_2024", "2023-2024", "cumul 2023-2024", "Cumul 2018-2019", "2024", "2020,2021",
		"2023_2025", "cumul", "", "20232024", "1989", "2023 2024", "2020/2021", "cumul 2022-2023 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMillesime(s)
		if err != nil {
			if !utf8.ValidString(err.Error()) && utf8.ValidString(s) {
				t.Fatalf("ParseMillesime(%q): error not UTF-8", s)
			}
			return
		}
		if m.Start < 1990 || m.End > 2100 || (m.End != m.Start && m.End != m.Start+1) {
			t.Fatalf("ParseMillesime(%q) = %+v", s, m)
		}
		back, err := ParseMillesime(m.String())
		if err != nil || back != m {
			t.Fatalf("ParseMillesime(%q) = %q; round trip %+v, %v", s, m.String(), back, err)
		}
		if m.Label() == "" || strings.Contains(m.String(), " ") {
			t.Fatalf("ParseMillesime(%q): label %q, string %q", s, m.Label(), m.String())
		}
	})
}

// FuzzParseFormationCode: never panics; an accepted code has the length of
// its kind, upper-case alphanumerics only, and parses back to itself.
func FuzzParseFormationCode(f *testing.F) {
	for _, s := range identSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, kind, err := ParseFormationCode(s)
		if err != nil {
			if c != "" {
				t.Fatalf("ParseFormationCode(%q) = %q with error %v", s, c, err)
			}
			return
		}
		want := map[CodeKind]int{KindCFD: 8, KindMEFSTAT11: 11, KindSISE: 7}[kind]
		if want == 0 || len(c) != want || !alnum(c) {
			t.Fatalf("ParseFormationCode(%q) = %q, %q", s, c, kind)
		}
		if kind == KindSISE && !digitsOnly(c) {
			t.Fatalf("ParseFormationCode(%q) = SISE %q with letters", s, c)
		}
		if again, kind2, err := ParseFormationCode(c); err != nil || again != c || kind2 != kind {
			t.Fatalf("ParseFormationCode(%q) = %q, %q, %v; not stable", c, again, kind2, err)
		}
	})
}
