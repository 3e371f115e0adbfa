package model

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestExpoFromFigure(t *testing.T) {
	type want map[string]any // JSON values; a key missing from want must be absent
	cases := []struct {
		name string
		raw  RawFigure
		want want
		msgs int
	}{
		{
			// BAC PRO Gestion-administration 23830030001, Auvergne-Rhône-Alpes 2020_2021 (demo file)
			name: "published parts, computed 12-24 months",
			raw: RawFigure{NbAnneeTerm: Int(4890), NbSortant: Int(1846), NbPoursuiteEtudes: Int(3044), NbEnEmploi6Mois: Int(707),
				NbEnEmploi12Mois: Int(834), NbEnEmploi18Mois: Int(940), NbEnEmploi24Mois: Int(973),
				PartPoursuiteEtudes: Int(62), PartEmploi6Mois: Int(14), PartAutresSituations: Int(24), TauxEmploi6Mois: Int(38)},
			want: want{"nb_annee_term": 4890.0, "nb_sortant": 1846.0, "nb_poursuite_etudes": 3044.0, "nb_en_emploi_6_mois": 707.0,
				"nb_en_emploi_12_mois": 834.0, "nb_en_emploi_18_mois": 940.0, "nb_en_emploi_24_mois": 973.0,
				"taux_en_emploi_6_mois": 14.0, "taux_en_formation": 62.0, "taux_autres_6_mois": 24.0,
				"taux_en_emploi_12_mois": 17.0, "taux_en_emploi_18_mois": 19.0, "taux_en_emploi_24_mois": 20.0,
				"taux_autres_12_mois": 21.0, "taux_autres_18_mois": 19.0, "taux_autres_24_mois": 18.0},
		},
		{
			// half to even: 5/10 at 12 months → 50, 1/8 → 12.5 → 12
			name: "half to even",
			raw: RawFigure{NbAnneeTerm: Int(40), NbPoursuiteEtudes: Int(5), NbEnEmploi6Mois: Int(20), NbEnEmploi12Mois: Int(5),
				NbSortant: Int(35)},
			want: want{"nb_annee_term": 40.0, "nb_sortant": 35.0, "nb_poursuite_etudes": 5.0, "nb_en_emploi_6_mois": 20.0,
				"nb_en_emploi_12_mois": 5.0, "taux_en_formation": 12.0, "taux_en_emploi_6_mois": 50.0, "taux_autres_6_mois": 38.0,
				"taux_en_emploi_12_mois": 12.0, "taux_autres_12_mois": 76.0},
		},
		{
			// CAP 23220034301 at 0911578W: 14 learners
			name: "under the threshold",
			raw: RawFigure{NbAnneeTerm: Int(14), NbSortant: Int(6), NbPoursuiteEtudes: Int(8), NbEnEmploi6Mois: Int(2),
				NbEnEmploi12Mois: Int(3), PartPoursuiteEtudes: Int(57), PartEmploi6Mois: Int(14), PartAutresSituations: Int(29),
				TauxContratsInterrompus: Int(10)},
			want: want{"nb_annee_term": 14.0, "taux_en_emploi_6_mois": nil, "taux_en_emploi_12_mois": nil, "taux_en_emploi_18_mois": nil,
				"taux_en_emploi_24_mois": nil, "taux_en_formation": nil, "taux_autres_6_mois": nil, "taux_autres_12_mois": nil,
				"taux_autres_18_mois": nil, "taux_autres_24_mois": nil},
			msgs: 1,
		},
		{
			name: "counts only, nothing at 6 months: parts absent",
			raw:  RawFigure{NbAnneeTerm: Int(25), NbSortant: Int(25)},
			want: want{"nb_annee_term": 25.0, "nb_sortant": 25.0},
		},
		{
			name: "apprenticeship extra fields",
			raw: RawFigure{NbAnneeTerm: Int(30), PartEmploi6Mois: Int(40), PartPoursuiteEtudes: Int(30), PartAutresSituations: Int(30),
				TauxContratsInterrompus: Int(18), ValeurAjoutee: Int(3), NbSortant: Int(21)},
			want: want{"nb_annee_term": 30.0, "nb_sortant": 21.0, "taux_en_emploi_6_mois": 40.0, "taux_en_formation": 30.0,
				"taux_autres_6_mois": 30.0, "taux_rupture_contrats": 18.0, "valeur_ajoutee": 3.0},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := WithParts(tc.raw).Disclose() // as the store reads a row
			s := ExpoFromFigure(&f)
			b, err := json.Marshal(s)
			if err != nil {
				t.Fatal(err)
			}
			var got map[string]any
			if err := json.Unmarshal(b, &got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, map[string]any(tc.want)) {
				t.Errorf("got  %s\nwant %v", b, tc.want)
			}
			if len(s.Messages()) != tc.msgs {
				t.Errorf("messages %v", s.Messages())
			}
		})
	}
}

// An aggregate whose part rests on fewer than 20 learners: the part is
// withheld (null), not absent.
func TestExpoAggregateWithheld(t *testing.T) {
	sum, _ := Aggregate(PerimetreNational, []RawFigure{
		{NbAnneeTerm: Int(30), NbSortant: Int(25)},
		{NbAnneeTerm: Int(12), NbSortant: Int(8), NbPoursuiteEtudes: Int(6), NbEnEmploi6Mois: Int(3)},
	})
	f := sum.Disclose()
	s := ExpoFromFigure(&f)
	if !s.TauxEnFormation.Present || s.TauxEnFormation.Value != nil {
		t.Errorf("taux_en_formation of a part resting on 12 learners: %+v (disclosed %+v)", s.TauxEnFormation, f)
	}
}

func TestExpoFromSupFigure(t *testing.T) {
	// SISE 2500249 at 0062205P (Master MEEF 2nd degré), 2020_2021
	raw := RawSupFigure{NbDiplomes: Int(134), NbSortants: Int(123), NbPoursuivants: Int(11), NbEnEmploiSalarieFr6Mois: Int(105),
		NbEnEmploiSalarieFr12Mois: Int(106)}
	r := 85.37
	raw.TauxEmploiSalarieFr6Mois = &r
	f := raw.Disclose()
	s := ExpoFromSupFigure(&f)
	check := map[string]ExpoNum{"taux_en_emploi_6_mois": s.TauxEnEmploi6Mois, "taux_en_formation": s.TauxEnFormation,
		"taux_autres_6_mois": s.TauxAutres6Mois, "taux_en_emploi_12_mois": s.TauxEnEmploi12Mois}
	want := map[string]int{"taux_en_emploi_6_mois": 78, "taux_en_formation": 8, "taux_autres_6_mois": 14, "taux_en_emploi_12_mois": 79}
	for k, v := range check {
		if v.Value == nil || *v.Value != want[k] {
			t.Errorf("%s = %+v, want %d", k, v, want[k])
		}
	}
	under := RawSupFigure{NbDiplomes: Int(12), NbSortants: Int(10)}.Disclose()
	u := ExpoFromSupFigure(&under)
	if !u.SousSeuil || u.TauxEnFormation.Value != nil || !u.TauxEnFormation.Present || u.NbSortant.Present {
		t.Errorf("under the threshold: %+v", u)
	}
}

func TestParseExpoCode(t *testing.T) {
	for in, want := range map[string]ExpoCode{
		"MEFSTAT11:32221031409": {"32221031409", KindMEFSTAT11},
		"32221031409":           {"32221031409", KindMEFSTAT11},
		"CFD:32031409":          {"32031409", KindCFD},
		"cfd:46x25201":          {"46X25201", KindCFD},
		"40025214":              {"40025214", KindCFD},
		"SISE:2400074":          {"2400074", KindSISE},
	} {
		got, err := ParseExpoCode(in)
		if err != nil || got != want {
			t.Errorf("ParseExpoCode(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"2400074", "CFD:32221031409", "RNCP:36721", "SISE:", "", "MEFSTAT11:3222"} {
		if _, err := ParseExpoCode(bad); err == nil {
			t.Errorf("ParseExpoCode(%q) accepted", bad)
		}
	}
	got, err := ParseExpoCodes("MEFSTAT11:32221031409|MEFSTAT11:32221033001,CFD:01033410|CFD:01033410")
	if err != nil || len(got) != 3 {
		t.Errorf("ParseExpoCodes: %v, %v", got, err)
	}
}

func TestExpoMillesimes(t *testing.T) {
	for in, want := range map[string]string{
		"2024": "2024,2023_2024", "2023_2024": "2023_2024,2024", "2024-2023": "2023_2024,2024",
	} {
		got, err := ExpoMillesimes(in)
		if err != nil || strings.Join(got, ",") != want {
			t.Errorf("ExpoMillesimes(%q) = %v, %v; want %s", in, got, err, want)
		}
	}
	for _, bad := range []string{"2020_2023", "abcd", "20"} {
		if _, err := ExpoMillesimes(bad); err == nil {
			t.Errorf("ExpoMillesimes(%q) accepted", bad)
		}
	}
	m, ok, err := ExpoPick([]string{"2019_2020", "2021_2022", "2020_2021"}, "")
	if m != "2021_2022" || !ok || err != nil {
		t.Errorf("ExpoPick latest = %s %v %v", m, ok, err)
	}
	if m, ok, _ := ExpoPick([]string{"2019_2020", "2020_2021"}, "2021"); !ok || m != "2020_2021" {
		t.Errorf("ExpoPick 2021 = %s %v", m, ok)
	}
	if _, ok, _ := ExpoPick([]string{"2019_2020"}, "2024"); ok {
		t.Error("ExpoPick found an absent millésime")
	}
}

func TestExpoMappings(t *testing.T) {
	for voie, want := range map[string]string{VoieScolaire: "pro", VoieApprentissage: "apprentissage", VoieSuperieur: "superieur"} {
		if got := ExpoFiliere(voie); got != want {
			t.Errorf("ExpoFiliere(%s) = %s", voie, got)
		}
	}
	if d := ExpoDiplomeOf("40025214", "BAC PRO"); d == nil || d.Code != "4" {
		t.Errorf("diplome of 40025214: %+v", d)
	}
	if d := ExpoDiplomeOf("50022002", "CAP"); d == nil || d.Code != "3" {
		t.Errorf("diplome of 50022002: %+v", d)
	}
	if d := ExpoDiplomeOf("32020008", "BTS"); d == nil || d.Code != "5" {
		t.Errorf("diplome of 32020008: %+v", d)
	}
	src := ExpoSource("40030004", "ASSISTANCE A LA GESTION", &SourceContinuum{Code: "40030001", Libelle: "GESTION-ADMINISTRATION", Sens: SensAncien})
	if src.Type != ExpoSourceAncienne || src.CodeCertification != "40030001" || src.Code != "40030001" {
		t.Errorf("continuum source: %+v", src)
	}
	if s := ExpoSource("40030001", "X", &SourceContinuum{Code: "40030004", Sens: SensNouveau}); s.Type != ExpoSourceNouvelle {
		t.Errorf("nouvelle: %+v", s)
	}
	for cp, want := range map[string]string{"69001": "069", "97411": "974", "20000": "02A", "75011": "075", "01000": "001"} {
		if got, ok := ExpoDepartementOfPostalCode(cp); !ok || got != want {
			t.Errorf("postal code %s: %s", cp, got)
		}
	}
	if _, ok := ExpoDepartementOfPostalCode("6900"); ok {
		t.Error("4-digit postal code accepted")
	}
}
