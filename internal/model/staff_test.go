package model

import (
	"strings"
	"testing"
)

func TestCanSeeSignalement(t *testing.T) {
	relais := StaffMember{Role: StaffRelais, Academies: []string{"14", "10"}}
	for _, tc := range []struct {
		m        StaffMember
		academie string
		want     bool
	}{
		{StaffMember{Role: StaffAdmin}, "14", true},
		{StaffMember{Role: StaffAdmin}, "", true},
		{StaffMember{Role: StaffModerateur}, "24", true},
		{relais, "14", true},
		{relais, "10", true},
		{relais, "24", false},
		{relais, "", false},
		{StaffMember{Role: StaffRelais}, "14", false},
		{StaffMember{Role: "inconnu"}, "14", false},
	} {
		if got := tc.m.CanSeeSignalement(tc.academie); got != tc.want {
			t.Errorf("%s %v sees %q: %v, want %v", tc.m.Role, tc.m.Academies, tc.academie, got, tc.want)
		}
	}
	if f := relais.AcademieFilter(); len(f) != 2 {
		t.Errorf("relais filter %v", f)
	}
	if f := (StaffMember{Role: StaffRelais}).AcademieFilter(); f == nil || len(f) != 0 {
		t.Errorf("relais without académie must see nothing, filter %v", f)
	}
	if f := (StaffMember{Role: StaffModerateur}).AcademieFilter(); f != nil {
		t.Errorf("moderateur filter %v", f)
	}
}

func TestNormalizeStaff(t *testing.T) {
	for _, tc := range []struct {
		email, role string
		acs         []string
		want        string // normalised email, "" when refused
		wantAcs     int
	}{
		{" Marie.Dupont@Education.gouv.fr ", StaffModerateur, nil, "marie.dupont@education.gouv.fr", 0},
		{"relais@ac-rennes.fr", StaffRelais, []string{"14", " 14", "", "10"}, "relais@ac-rennes.fr", 2},
		{"relais@ac-rennes.fr", StaffRelais, nil, "", 0},
		{"admin@x.fr", StaffAdmin, []string{"14"}, "", 0},
		{"relais@x.fr", StaffRelais, []string{"A4"}, "", 0},
		{"pas une adresse", StaffAdmin, nil, "", 0},
		{"Nom <a@b.fr>", StaffAdmin, nil, "", 0},
		{"a@b.fr", "superadmin", nil, "", 0},
	} {
		got, acs, err := NormalizeStaff(tc.email, tc.role, tc.acs)
		if tc.want == "" {
			if err == nil {
				t.Errorf("%q %s %v accepted", tc.email, tc.role, tc.acs)
			}
			continue
		}
		if err != nil || got != tc.want || len(acs) != tc.wantAcs {
			t.Errorf("%q: got %q %v %v, want %q (%d académies)", tc.email, got, acs, err, tc.want, tc.wantAcs)
		}
	}
}

func TestSignalementStatusEmail(t *testing.T) {
	for _, tc := range []struct {
		statut, motif, original string
		want                    []string
	}{
		{SignalementCorrige, "", "", []string{"« Corrigé »", "https://vitrine.example/signalements/SIG-2026-7K3QX9"}},
		{SignalementRejete, "chiffre conforme à la source", "", []string{"Motif : chiffre conforme à la source"}},
		{SignalementDoublon, "", "SIG-2026-ABCDEF", []string{"SIG-2026-ABCDEF", "https://vitrine.example/signalements/SIG-2026-ABCDEF"}},
		{SignalementTransmisProducteur, "", "", []string{"producteur"}},
	} {
		sujet, corps := SignalementStatusEmail("https://vitrine.example/", "SIG-2026-7K3QX9", tc.statut, tc.motif, tc.original)
		if !strings.Contains(sujet, "SIG-2026-7K3QX9") {
			t.Errorf("%s: subject %q", tc.statut, sujet)
		}
		for _, w := range append(tc.want, "https://vitrine.example/signalements/SIG-2026-7K3QX9") {
			if !strings.Contains(corps, w) {
				t.Errorf("%s: body lacks %q:\n%s", tc.statut, w, corps)
			}
		}
	}
}

func TestCheckStaffPassword(t *testing.T) {
	if CheckStaffPassword("court") == nil || CheckStaffPassword("éééééééééééé") != nil || CheckStaffPassword(strings.Repeat("x", 2000)) == nil {
		t.Error("password rules")
	}
}
