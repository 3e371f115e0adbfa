package model

import "testing"

func TestValidDepartement(t *testing.T) {
	for code, want := range map[string]bool{
		"001": true, "035": true, "095": true, "02A": true, "02B": true, "971": true, "976": true,
		"020": false, "000": false, "096": false, "970": false, "977": false, "35": false, "0035": false, "2A": false, "02C": false, "": false,
	} {
		if got := ValidDepartement(code); got != want {
			t.Errorf("ValidDepartement(%q) = %v, want %v", code, got, want)
		}
	}
}

// The 17 régions of insee_chomage_regional.csv for 2023 (SOURCES.md §E6);
// ranks read by hand from the sorted rates: 52 5,9 < 53 6,1 < 27 = 84 6,5 <
// 75 = 94 6,6 < 24 7,0 < 11 = 28 7,1 < 44 7,4 < 93 8,1 < 76 8,9 < 32 9,3 <
// 02 10,3 < 03 16,3 < 04 18,7 < 01 19,3.
var chomage2023 = []TauxChomage{
	{Code: "01", Taux: 19.3}, {Code: "02", Taux: 10.3}, {Code: "03", Taux: 16.3}, {Code: "04", Taux: 18.7},
	{Code: "11", Taux: 7.1}, {Code: "24", Taux: 7}, {Code: "27", Taux: 6.5}, {Code: "28", Taux: 7.1},
	{Code: "32", Taux: 9.3}, {Code: "44", Taux: 7.4}, {Code: "52", Taux: 5.9}, {Code: "53", Taux: 6.1},
	{Code: "75", Taux: 6.6}, {Code: "76", Taux: 8.9}, {Code: "84", Taux: 6.5}, {Code: "93", Taux: 8.1}, {Code: "94", Taux: 6.6},
}

func TestRankLowest(t *testing.T) {
	tests := []struct {
		code  string
		label string
	}{
		{"52", "le plus bas des 17 régions"},
		{"53", "2e plus bas sur 17 régions"},
		{"27", "3e plus bas sur 17 régions (ex æquo)"},
		{"84", "3e plus bas sur 17 régions (ex æquo)"},
		{"94", "5e plus bas sur 17 régions (ex æquo)"},
		{"24", "7e plus bas sur 17 régions"},
		{"28", "8e plus bas sur 17 régions (ex æquo)"},
		{"44", "10e plus bas sur 17 régions"},
		{"01", "le plus élevé des 17 régions"},
	}
	for _, tc := range tests {
		r, ok := RankLowest(chomage2023, tc.code)
		if !ok || r.Label() != tc.label {
			t.Errorf("%s: %+v %v → %q, want %q", tc.code, r, ok, r.Label(), tc.label)
		}
	}
	if _, ok := RankLowest(chomage2023, "06"); ok {
		t.Error("Mayotte (06) is not in the 2023 file: no rank expected")
	}
	lo, hi, ok := MinMax(chomage2023)
	if !ok || lo.Code != "52" || lo.Taux != 5.9 || hi.Code != "01" || hi.Taux != 19.3 {
		t.Errorf("MinMax = %+v, %+v, %v; want 52 5,9 and 01 19,3", lo, hi, ok)
	}
}
