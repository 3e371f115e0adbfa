package model

import (
	"sync"
	"testing"
)

// The 17 région labels seen in the InserJeunes files (FORMATS.md §4.10)
// and their INSEE codes.
var ijRegionLabels = []struct{ label, code string }{
	{"AUVERGNE-RHONE-ALPES", "84"},
	{"BOURGOGNE-FRANCHE-COMTE", "27"},
	{"BRETAGNE", "53"},
	{"CENTRE-VAL DE LOIRE", "24"},
	{"CORSE", "94"},
	{"GRAND EST", "44"},
	{"GUADELOUPE", "01"},
	{"GUYANE", "03"},
	{"HAUTS-DE-FRANCE", "32"},
	{"ILE-DE-FRANCE", "11"},
	{"LA REUNION", "04"},
	{"MARTINIQUE", "02"},
	{"NORMANDIE", "28"},
	{"NOUVELLE-AQUITAINE", "75"},
	{"OCCITANIE", "76"},
	{"PAYS DE LA LOIRE", "52"},
	{"PROVENCE-ALPES-COTE D'AZUR", "93"},
}

func TestRegionByLabel(t *testing.T) {
	if len(ijRegionLabels) != 17 {
		t.Fatalf("%d labels, FORMATS.md lists 17", len(ijRegionLabels))
	}
	for _, tt := range ijRegionLabels {
		r, ok := RegionByLabel(tt.label)
		if !ok || r.Code != tt.code {
			t.Errorf("RegionByLabel(%q) = %+v, %v; want code %s", tt.label, r, ok, tt.code)
		}
	}
	// Accent, case, space and apostrophe variants.
	variants := []struct{ label, code string }{
		{"Île-de-France", "11"},
		{"île-de-france", "11"},
		{"La Réunion", "04"},
		{"  la   reunion ", "04"},
		{"Provence-Alpes-Côte d’Azur", "93"},
		{"Auvergne-Rhône-Alpes", "84"},
		{"Centre-Val de Loire", "24"},
	}
	for _, tt := range variants {
		r, ok := RegionByLabel(tt.label)
		if !ok || r.Code != tt.code {
			t.Errorf("RegionByLabel(%q) = %+v, %v; want code %s", tt.label, r, ok, tt.code)
		}
	}
	for _, bad := range []string{"", "ILE DE FRANCE NORD", "RHONE-ALPES", "LIMOUSIN", "ALSACE", "FRANCE"} {
		if r, ok := RegionByLabel(bad); ok {
			t.Errorf("RegionByLabel(%q) = %+v, want not found", bad, r)
		}
	}
}

func TestRegionByIJCode(t *testing.T) {
	// FORMATS.md §4.5: code_region_ij → code_region (INSEE).
	want := map[string]string{
		"01": "84", "02": "27", "03": "53", "04": "24", "05": "94", "06": "44", "07": "01", "08": "03",
		"09": "32", "10": "11", "11": "04", "12": "02", "14": "28", "15": "75", "16": "76", "17": "52", "18": "93",
	}
	for ij, insee := range want {
		r, ok := RegionByIJCode(ij)
		if !ok || r.Code != insee {
			t.Errorf("RegionByIJCode(%q) = %+v, %v; want INSEE %s", ij, r, ok, insee)
		}
		// And back: the région of the INSEE code carries the same IJ code.
		if r2, ok := RegionByCode(insee); !ok || r2.IJ != ij {
			t.Errorf("RegionByCode(%q).IJ = %q, want %q", insee, r2.IJ, ij)
		}
	}
	for _, bad := range []string{"13", "00", "19", "", "1"} {
		if r, ok := RegionByIJCode(bad); ok {
			t.Errorf("RegionByIJCode(%q) = %+v, want not found", bad, r)
		}
	}
}

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Sète", "sete"},
		{"ÉLÈVES", "eleves"},
		{"dont élèves en voie pro sco", "dont eleves en voie pro sco"},
		{"n°UAI de l'établissement", "n°uai de l'etablissement"},
		{"Ç", "c"},
		{"CAP CUISINE", "cap cuisine"}, // the ASCII path
		{"", ""},
		{"Bac pro Métiers de l’électricité", "bac pro metiers de l’electricite"},
	}
	for _, tt := range tests {
		if got := Fold(tt.in); got != tt.want {
			t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	// The transformers are shared between goroutines (foldChains): each
	// answer stays the one of its own input.
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				tt := tests[(g+i)%len(tests)]
				if got := Fold(tt.in); got != tt.want {
					t.Errorf("Fold(%q) en parallèle = %q, want %q", tt.in, got, tt.want)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestDepartementNumero(t *testing.T) {
	// Codes of ref_departements_academies_regions.csv.
	for code, want := range map[string]string{"001": "01", "035": "35", "094": "94", "02A": "2A", "02B": "2B", "971": "971", "976": "976", "": ""} {
		if got := DepartementNumero(code); got != want {
			t.Errorf("DepartementNumero(%q) = %q, want %q", code, got, want)
		}
	}
}
