package model

import (
	"fmt"
	"strings"
	"testing"
)

func TestNormalizeUAI(t *testing.T) {
	tests := []struct {
		in      string
		want    string // "" when an error is expected
		errPart string
	}{
		// Real UAIs of the demo files.
		{"0010001W", "0010001W", ""},                          // lycée pro Alexandre Bérard (DEPP lycée pro)
		{"0350122T", "0350122T", ""},                          // école Les Lucioles (annuaire 035)
		{"0932492D", "0932492D", ""},                          // CFA INCM (portal export)
		{"6200001G", "6200001G", ""},                          // Corse-du-Sud
		{"0010001w", "0010001W", ""},                          // lower case accepted, upper-cased
		{"  0350122t \t", "0350122T", ""},                     // trimmed
		{"0010001X", "", "lettre de contrôle devrait être W"}, // wrong letter
		{"0350122S", "", "devrait être T"},
		{"001001W", "", "8 caractères attendus"},   // 7 characters
		{"00100011W", "", "8 caractères attendus"}, // 9 characters
		{"00A0001W", "", "non numérique"},          // letter among the digits
		{"0010001 ", "", "8 caractères attendus"},  // letter missing (trimmed to 7)
		{"00100010", "", "devrait être W"},         // digit instead of the letter
		{"", "", "UAI vide"},
		{"   ", "", "UAI vide"},
	}
	for _, tt := range tests {
		got, err := NormalizeUAI(tt.in)
		if tt.want != "" {
			if err != nil || got != tt.want {
				t.Errorf("NormalizeUAI(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
			continue
		}
		if err == nil {
			t.Errorf("NormalizeUAI(%q) = %q, want an error containing %q", tt.in, got, tt.errPart)
		} else if !strings.Contains(err.Error(), tt.errPart) {
			t.Errorf("NormalizeUAI(%q) error %q, want it to contain %q", tt.in, err, tt.errPart)
		}
	}
}

func TestUAICheckLetterNeverIOQ(t *testing.T) {
	seen := map[byte]bool{}
	for n := 0; n < 23; n++ {
		c, err := UAICheckLetter(fmt.Sprintf("%07d", n))
		if err != nil {
			t.Fatal(err)
		}
		if c == 'I' || c == 'O' || c == 'Q' {
			t.Errorf("check letter of %07d is %c", n, c)
		}
		seen[c] = true
	}
	if len(seen) != 23 {
		t.Errorf("23 distinct check letters expected for 0..22, got %d", len(seen))
	}
}

func TestNormalizeCFD(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"40030001", "40030001", true}, // BAC PRO (apprentissage CFD of the région × formation file)
		{"40030004", "40030004", true},
		{"32020008", "32020008", true}, // BTS, sample of SOURCES.md §A3
		{"01022001", "01022001", true}, // leading zero kept
		{"2500024a", "2500024A", true}, // letters allowed, upper-cased
		{" 50023217 ", "50023217", true},
		{"4003000", "", false},   // 7
		{"400300011", "", false}, // 9
		{"4003-001", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, err := NormalizeCFD(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("NormalizeCFD(%q) = %q, %v; want %q ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
		if err != nil && !strings.Contains(err.Error(), "CFD") {
			t.Errorf("NormalizeCFD(%q) error %q does not name the CFD", tt.in, err)
		}
	}
}

func TestNormalizeMEFSTAT11(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"32221022002", "32221022002", true}, // sample of SOURCES.md §A3
		{"23K00025123", "23K00025123", true}, // recent BCN code with a letter
		{"23k00025123", "23K00025123", true},
		{"25110033404", "25110033404", true}, // N_MEF sample
		{"3222102200", "", false},            // 10
		{"322210220021", "", false},          // 12
		{"32221 22002", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, err := NormalizeMEFSTAT11(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("NormalizeMEFSTAT11(%q) = %q, %v; want %q ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestNormalizeSISE(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"2500249", "2500249", true}, // Master MEEF (InserSup extract)
		{" 2500249", "2500249", true},
		{"250024", "", false},
		{"25002490", "", false},
		{"250024A", "", false}, // digits only
		{"", "", false},
	}
	for _, tt := range tests {
		got, err := NormalizeSISE(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("NormalizeSISE(%q) = %q, %v; want %q ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestParseFormationCode(t *testing.T) {
	tests := []struct {
		in   string
		want string
		kind CodeKind
		ok   bool
	}{
		{"40030001", "40030001", KindCFD, true},
		{"32020008", "32020008", KindCFD, true},
		{"32221022002", "32221022002", KindMEFSTAT11, true},
		{"23k00025123", "23K00025123", KindMEFSTAT11, true},
		{"2500249", "2500249", KindSISE, true},
		{"250024A", "", KindSISE, false}, // 7 characters but not digits
		{"4003000!", "", KindCFD, false},
		{"123456", "", "", false},
		{"123456789", "", "", false},
		{"", "", "", false},
	}
	for _, tt := range tests {
		got, kind, err := ParseFormationCode(tt.in)
		if (err == nil) != tt.ok || got != tt.want || kind != tt.kind {
			t.Errorf("ParseFormationCode(%q) = %q, %q, %v; want %q, %q, ok=%v", tt.in, got, kind, err, tt.want, tt.kind, tt.ok)
		}
	}
}

func TestDepartementOfUAI(t *testing.T) {
	tests := []struct{ uai, want string }{
		{"0350122T", "035"},
		{"0010001W", "001"},
		{"0932492D", "093"},
		{"6200001G", "02A"}, // Corse-du-Sud numbers its UAIs 620
		{"7200001N", "02B"}, // Haute-Corse 720
		{"9740001H", "974"}, // La Réunion
		{"06", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := DepartementOfUAI(tt.uai); got != tt.want {
			t.Errorf("DepartementOfUAI(%q) = %q, want %q", tt.uai, got, tt.want)
		}
		// the inverse gives back the UAI's first three characters
		if tt.want != "" {
			if got := UAIPrefixOfDepartement(tt.want); got != tt.uai[:3] {
				t.Errorf("UAIPrefixOfDepartement(%q) = %q, want %q", tt.want, got, tt.uai[:3])
			}
		}
	}
}
