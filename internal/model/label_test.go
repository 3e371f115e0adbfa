package model

import (
	"bufio"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// realLexicon builds the lexicon from the mixed-case labels of the real
// demo files, as the store does from their tables: Certif Info labels and
// diploma types, ROME fiches and appellations, annuaire establishment
// names (SOURCES.md §E1–E3, §D1).
var realLexicon = sync.OnceValue(func() *Lexicon {
	lex := NewLexicon()
	for _, f := range []struct {
		name string
		cols []int
	}{
		{"certif_info_formations.csv", []int{1, 2}},
		{"rome_fiches_metiers.csv", []int{3}},
		{"rome_appellations.csv", []int{1}},
		{"annuaire_education_dep035_2023-06.csv", []int{1}},
	} {
		fh, err := os.Open(filepath.Join("..", "..", "testdata", "demo", f.name+".gz"))
		if err != nil {
			panic(err)
		}
		gz, err := gzip.NewReader(fh)
		if err != nil {
			panic(err)
		}
		sc := bufio.NewScanner(gz)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		sc.Scan() // header
		for sc.Scan() {
			rec := strings.Split(sc.Text(), ";")
			for _, c := range f.cols {
				if c < len(rec) {
					lex.Add(rec[c])
				}
			}
		}
		fh.Close()
	}
	return lex
})

// TestReadableFormationLabel: real BCN labels (V_FORMATION_DIPLOME
// LIBELLE_LONG_200), with the Certif Info label of their CFD where it has
// one, and the title a person would write.
func TestReadableFormationLabel(t *testing.T) {
	lex := realLexicon()
	tests := []struct {
		cfd, bcn, certif, want string
		src                    LabelSource
	}{
		{"50022146", "CUISINE (CAP)", "CAP cuisine", "Cuisine (CAP)", LabelCertifInfo},
		{"40025214", "MAINTENANCE DES VEHICULES OPTION A VOITURES PARTICULIERES (BAC PRO)", "Bac pro maintenance des véhicules option A voitures particulières",
			"Maintenance des véhicules option A voitures particulières (BAC PRO)", LabelCertifInfo},
		{"40030004", "ASSISTANCE A LA GESTION DES ORGANISATIONS ET DE LEURS ACTIVITES (BAC PRO)", "Bac pro assistance à la gestion des organisations et de leurs activités",
			"Assistance à la gestion des organisations et de leurs activités (BAC PRO)", LabelCertifInfo},
		{"32031213", "MANAGEMENT COMMERCIAL OPERATIONNEL (BTS)", "BTS management commercial opérationnel", "Management commercial opérationnel (BTS)", LabelCertifInfo},
		{"50022341", "ORFEVRE OPTION B : TOURNEUR REPOUSSEUR EN ORFEVRERIE (CAP)", "CAP orfèvre option B : tourneur-repousseur en orfèvrerie",
			"Orfèvre option B : tourneur-repousseur en orfèvrerie (CAP)", LabelCertifInfo},
		{"56T31201", "EMPLOYE COMMERCIAL (TP)", "Titre professionnel employé commercial", "Employé commercial (TP)", LabelCertifInfo},
		{"32020116", "CYBERSECURITE, INFORMATIQUE ET RESEAUX, ELECTRONIQUE, OPTION A INFORMATIQUE ET RESEAUX (BTS)",
			"BTS cybersécurité, informatique et réseaux, électronique option A informatique et réseaux",
			"Cybersécurité, informatique et réseaux, électronique option A informatique et réseaux (BTS)", LabelCertifInfo},
		// No Certif Info label: the lexicon.
		{"32031210", "NEGOCIATION ET RELATION CLIENT (BTS)", "", "Négociation et relation client (BTS)", LabelLexicon},
		{"50033611", "ESTHETIQUE COSMETIQUE PARFUMERIE (CAP)", "", "Esthétique cosmétique parfumerie (CAP)", LabelLexicon},
		{"01033601", "COLORISTE TEINTURIER (MC AU CAP)", "", "Coloriste teinturier (MC au CAP)", LabelLexicon},
		{"45022305", "HAUT-FOURNISTE (BP DEPARTEMENTAL)", "", "Haut-fourniste (BP départemental)", LabelLexicon},
		{"40020104", "METIERS DU PILOTAGE ET DE LA MAINTENANCE D'INSTALLATIONS AUTOMATISEES 2NDE COMMUNE (BAC PRO)", "",
			"Métiers du pilotage et de la maintenance d'installations automatisées 2nde commune (BAC PRO)", LabelLexicon},
		{"16C20002", "MANAGER EN ORGANISATION ET GESTION INDUSTRIELLE (MOGI) (ESTIA)", "",
			"Manager en organisation et gestion industrielle (MOGI) (ESTIA)", LabelLexicon},
		// A Certif Info label whose words differ (the BCN title is cut):
		// the lexicon, not a wrong slice.
		{"50021303", "DEVELOPPEMENT OPTION : GESTION ET ENTRETIEN EN MILIEU MARIN (CERTIFICAT D'APTITUDE PROFESSIONNELLE AU) ( DIPLOME TOM )",
			"CAP développement option 5 : gestion et entretien en milieu marin",
			"Développement option : gestion et entretien en milieu marin (certificat d'aptitude professionnelle au) ( diplôme TOM )", LabelLexicon},
		// Roman numerals and acronyms stay.
		{"", "TECHNICIEN DE NIVEAU II EN BTP", "", "Technicien de niveau II en BTP", LabelLexicon},
		// Already readable: unchanged.
		{"", "Cuisine (CAP)", "CAP cuisine", "Cuisine (CAP)", LabelUnchanged},
	}
	for _, tc := range tests {
		got, src := ReadableFormationLabel(tc.bcn, tc.certif, lex)
		if got != tc.want || src != tc.src {
			t.Errorf("%s %q: %q (path %d), want %q (path %d)", tc.cfd, tc.bcn, got, src, tc.want, tc.src)
		}
	}
}

// TestReadableName: establishment names and addresses of the InserJeunes
// files and of the annuaire, in capitals.
func TestReadableName(t *testing.T) {
	lex := realLexicon()
	// « BERARD » keeps no accent: no mixed-case label of the data writes
	// « Bérard », and the rule invents nothing.
	for in, want := range map[string]string{
		"223 rue ALEXANDRE BERARD":              "223 rue Alexandre Berard",
		"CFA DES METIERS DE L'AUTOMOBILE":       "CFA des métiers de l'automobile",
		"LYCEE PROFESSIONNEL JEAN MOULIN":       "Lycée professionnel Jean Moulin",
		"Centre de formation d'apprentis CECOF": "Centre de formation d'apprentis CECOF",
		"Lycée DES METIERS":                     "Lycée des métiers",
		"LYCEE POLYVALENT ASSOMPTION":           "Lycée polyvalent Assomption",
		"Ecole élémentaire publique de Cardroc": "Ecole élémentaire publique de Cardroc",
	} {
		f := ReadableName
		if strings.Contains(in, "rue") {
			f = ReadableAddress
		}
		if got := f(in, lex); got != want {
			t.Errorf("ReadableName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestDistinctLabels: the two « CUISINE (CAP) » of the BCN (50022146, and
// 50022139 whose DATE_FERMETURE is 31/08/2025 in V_FORMATION_DIPLOME)
// beside formations with their own label (COIFFURE 50033606 closed on
// 31/08/2011).
func TestDistinctLabels(t *testing.T) {
	cuisine, coiffure := "2025-08-31", "2011-08-31"
	got := DistinctLabels([]SameLabel{
		{Libelle: "Cuisine (CAP)", Code: "50022146"},
		{Libelle: "Cuisine (CAP)", Code: "50022139", Fermeture: &cuisine},
		{Libelle: "Pâtissier (CAP)", Code: "50022141"}, // the same formation in the other voie
		{Libelle: "Pâtissier (CAP)", Code: "50022141"},
		{Libelle: "Coiffure (CAP)", Code: "50033606", Fermeture: &coiffure},
	})
	want := []string{"Cuisine (CAP) — 50022146", "Cuisine (CAP) — 50022139, fermée en 2025", "Pâtissier (CAP)", "Pâtissier (CAP)", "Coiffure (CAP) (fermée en 2011)"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%d: %q, want %q", i, got[i], want[i])
		}
	}
}

func TestCommuneInLabel(t *testing.T) {
	communes := map[string]string{}
	for _, c := range []string{"Rennes", "Saint-Malo", "Le Rheu", "Bruz"} {
		communes[CommuneKey(c)] = c
	}
	for label, want := range map[string]string{
		"CFA Formation Avenir professionnel - Saint-Malo": "Saint-Malo",
		"OF - CFA CLPS LE RHEU":                           "Le Rheu",
		"AFTEC Rennes":                                    "Rennes",
		"Rennes":                                          "", // the whole label is no place
		"CFA de la CCI d'Ille-et-Vilaine":                 "",
		"Lycée Rennes Bruz Sud":                           "",
	} {
		if got := CommuneInLabel(label, communes); got != want {
			t.Errorf("CommuneInLabel(%q) = %q, want %q", label, got, want)
		}
	}
}

// TestReadableNiveau on real BCN levels (N_NIVEAU_FORMATION_DIPLOME) with
// Certif Info rows of their CFDs as the demo data has them.
func TestReadableNiveau(t *testing.T) {
	lex := realLexicon()
	tp := "Titre professionnel (TP de niveau 3)"
	for _, c := range []struct {
		court, long string
		libs, types []string
		want        string
	}{
		{"CAP", "CERTIFICAT D'APTITUDE PROFESSIONNELLE", []string{"CAP cuisine", "CAP pâtissier", "CAP coiffure"},
			[]string{"Certificat d'aptitude professionnelle", "Certificat d'aptitude professionnelle", "Certificat d'aptitude professionnelle"}, "CAP"},
		{"TH5-T", "TH DE NIV 5 MINISTERE DU TRAVAIL - AFPA", []string{"Titre professionnel employé commercial", "Titre professionnel peintre en carrosserie"},
			[]string{tp, tp}, tp},
		{"DE JEPS", "DIPLOME D'ETAT DE LA JEUNESSE, DE L'EDUCATION POPULAIRE ET DU SPORT", []string{"DEJEPS spécialité perfectionnement sportif mention golf"},
			[]string{"Diplôme d'Etat de la jeunesse, de l'éducation populaire et du sport"}, "Diplôme d'Etat de la jeunesse, de l'éducation populaire et du sport"},
		{"DIV-4", "AUTRES DIPLOMES DE NIVEAU IV", nil, nil, "Autres diplômes de niveau IV"},
	} {
		if got := ReadableNiveau(c.court, c.long, c.libs, c.types, lex); got != c.want {
			t.Errorf("%s: %q, want %q", c.court, got, c.want)
		}
	}
	if NiveauFamily("36K", "TH3-K") != NiveauFamily("36X", "TH3-X") || NiveauFamily("36K", "TH3-K") == "" {
		t.Error("TH3-K and TH3-X are not one family")
	}
	if f := NiveauFamily("500", "CAP"); f != "" {
		t.Errorf("CAP has family %q", f)
	}
}
