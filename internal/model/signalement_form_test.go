package model

import (
	"strings"
	"testing"
)

func TestSignalementInputValidate(t *testing.T) {
	valid := func() SignalementInput {
		return SignalementInput{UAI: "0010001W", Code: "40025214", Millesime: "2022-2023", Page: "/etablissements/0010001W",
			Categorie: CategorieChiffreErrone, Message: "Le taux d'emploi affiché est faux.", Email: "a.b@exemple.fr", Role: "etablissement", ContactOK: true}
	}
	cases := []struct {
		name   string
		change func(*SignalementInput)
		fields []string // invalid fields, in order
	}{
		{"valid", func(*SignalementInput) {}, nil},
		{"nothing concerned is fine", func(in *SignalementInput) { in.UAI, in.Code, in.Millesime, in.Page = "", "", "", "" }, nil},
		{"lower-case uai normalised", func(in *SignalementInput) { in.UAI = " 0010001w " }, nil},
		{"wrong uai check letter", func(in *SignalementInput) { in.UAI = "0010001X" }, []string{"uai"}},
		{"bad code", func(in *SignalementInput) { in.Code = "abc" }, []string{"code"}},
		{"bad millesime", func(in *SignalementInput) { in.Millesime = "hier" }, []string{"millesime"}},
		{"page with host", func(in *SignalementInput) { in.Page = "//evil.example/x" }, []string{"page"}},
		{"page javascript", func(in *SignalementInput) { in.Page = "javascript:alert(1)" }, []string{"page"}},
		{"no category", func(in *SignalementInput) { in.Categorie = "" }, []string{"categorie"}},
		{"unknown category", func(in *SignalementInput) { in.Categorie = "spam" }, []string{"categorie"}},
		{"empty message", func(in *SignalementInput) { in.Message = "   " }, []string{"message"}},
		{"message 5000 ok", func(in *SignalementInput) { in.Message = strings.Repeat("é", 5000) }, nil},
		{"message 5001", func(in *SignalementInput) { in.Message = strings.Repeat("é", 5001) }, []string{"message"}},
		{"valeur too long", func(in *SignalementInput) { in.ValeurCorrecte = strings.Repeat("x", 1001) }, []string{"valeur_correcte"}},
		{"nom too long", func(in *SignalementInput) { in.Nom = strings.Repeat("x", 201) }, []string{"nom"}},
		{"bad email", func(in *SignalementInput) { in.Email = "pas une adresse" }, []string{"email"}},
		{"email display name", func(in *SignalementInput) { in.Email = "Jean <j@exemple.fr>" }, []string{"email"}},
		{"email no dot", func(in *SignalementInput) { in.Email = "j@localhost" }, []string{"email"}},
		{"unknown role", func(in *SignalementInput) { in.Role = "ministre" }, []string{"role"}},
		{"contact without email", func(in *SignalementInput) { in.Email = "" }, []string{"email"}},
		{"no email no contact", func(in *SignalementInput) { in.Email, in.ContactOK = "", false }, nil},
		{"several", func(in *SignalementInput) { in.Categorie, in.Message = "", "" }, []string{"categorie", "message"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := valid()
			tc.change(&in)
			in.Normalize()
			errs := in.Validate()
			var got []string
			for _, e := range errs {
				got = append(got, e.Field)
				if e.Message == "" {
					t.Errorf("%s: empty message", e.Field)
				}
			}
			if strings.Join(got, ",") != strings.Join(tc.fields, ",") {
				t.Errorf("invalid fields %v, want %v (%v)", got, tc.fields, errs)
			}
		})
	}
}

func TestSignalementNormalize(t *testing.T) {
	in := SignalementInput{UAI: " 0010001w", Code: "40025214 ", Millesime: "2022_2023", Message: "a\r\nb\xff"}
	in.Normalize()
	if in.UAI != "0010001W" || in.Code != "40025214" || in.Millesime != "2022_2023" || in.Message != "a\nb\uFFFD" {
		t.Errorf("%+v", in)
	}
}
