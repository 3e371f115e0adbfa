package model

import "testing"

func TestParseMillesime(t *testing.T) {
	tests := []struct {
		in    string
		want  string // canonical String(); "" when an error is expected
		label string
	}{
		// Every spelling the producers use.
		{"2023_2024", "2023_2024", "promotions 2023 et 2024"}, // DEPP files, API
		{"2023-2024", "2023_2024", "promotions 2023 et 2024"},
		{"cumul 2023-2024", "2023_2024", "promotions 2023 et 2024"}, // portal export
		{"Cumul 2022-2023", "2022_2023", "promotions 2022 et 2023"},
		{"CUMUL 2018-2019", "2018_2019", "promotions 2018 et 2019"},
		{"  cumul   2019-2020 ", "2019_2020", "promotions 2019 et 2020"},
		{"2024", "2024", "promotion 2024"},                    // national figures
		{"2020,2021", "2020_2021", "promotions 2020 et 2021"}, // InserSup CSV promo
		{"2020/2021", "2020_2021", "promotions 2020 et 2021"},
		{"2020 2021", "2020_2021", "promotions 2020 et 2021"},
		// Bad ones.
		{"", "", ""},
		{"cumul", "", ""},
		{"2023_2025", "", ""}, // not consecutive
		{"2024_2023", "", ""}, // reversed
		{"20232024", "", ""},
		{"2023_", "", ""},
		{"_2024", "", ""},
		{"23_24", "", ""},
		{"1989", "", ""}, // out of range
		{"2101", "", ""},
		{"2023-2024-2025", "", ""},
		{"cumul 2023–2024", "", ""}, // en dash is not a separator the producers use
		{"abcd_efgh", "", ""},
	}
	for _, tt := range tests {
		m, err := ParseMillesime(tt.in)
		if tt.want == "" {
			if err == nil {
				t.Errorf("ParseMillesime(%q) = %v, want an error", tt.in, m)
			} else if err.Error() == "" {
				t.Errorf("ParseMillesime(%q): empty error message", tt.in)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseMillesime(%q): %v", tt.in, err)
			continue
		}
		if m.String() != tt.want || m.Label() != tt.label {
			t.Errorf("ParseMillesime(%q) = %q / %q, want %q / %q", tt.in, m.String(), m.Label(), tt.want, tt.label)
		}
		// The canonical form parses back to itself.
		if back, err := ParseMillesime(m.String()); err != nil || back != m {
			t.Errorf("ParseMillesime(%q) round trip = %v, %v", m.String(), back, err)
		}
	}
}

func TestEmploiPublicExclu(t *testing.T) {
	tests := []struct {
		m    string
		want bool
	}{
		{"2020_2021", true},
		{"2021", true},
		{"2021_2022", false}, // 2022 leavers: public employers counted
		{"2022_2023", false},
	}
	for _, tt := range tests {
		m, err := ParseMillesime(tt.m)
		if err != nil {
			t.Fatal(err)
		}
		if got := m.EmploiPublicExclu(); got != tt.want {
			t.Errorf("%s.EmploiPublicExclu() = %v, want %v", tt.m, got, tt.want)
		}
	}
}

func TestMillesimeOfYears(t *testing.T) {
	if m, err := MillesimeOfYears(2020, 2021, "promo"); err != nil || m.String() != "2020_2021" {
		t.Errorf("MillesimeOfYears(2020, 2021) = %v, %v", m, err)
	}
	if m, err := MillesimeOfYears(2021, 2021, "promo"); err != nil || m.String() != "2021" {
		t.Errorf("MillesimeOfYears(2021, 2021) = %v, %v", m, err)
	}
	if _, err := MillesimeOfYears(2020, 2022, "promo"); err == nil {
		t.Error("MillesimeOfYears(2020, 2022): want an error")
	}
}
