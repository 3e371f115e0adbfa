package importer

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

const synDir = "../../testdata/demo/synthetic"

// synLines returns the decoded lines of a bundled synthetic file.
func synLines(t *testing.T, name string) []string {
	t.Helper()
	text := decodedText(t, filepath.Join(synDir, name+".gz"))
	out := strings.Split(strings.TrimRight(strings.ReplaceAll(text, "\r\n", "\n"), "\n"), "\n")
	return out
}

// parseRows parses one file and returns its rows for target t, as text
// sorted, and the rejects.
func parseRows(t *testing.T, path string, tg *Target) ([]string, []Reject, string) {
	t.Helper()
	fr, err := parseFile(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range fr.parsed.rows[tg] {
		out = append(out, strings.TrimSuffix(fmt.Sprintln(r...), "\n"))
	}
	sort.Strings(out)
	return out, fr.Rejects, fr.Format
}

// The portal export per lycée × formation is read with its technical
// header and with the label header of FORMATS.md §4.3a, to the same rows.
func TestPortalFormationLabelHeader(t *testing.T) {
	ls := synLines(t, "fr-en-inserjeunes-lycee_pro-formation-fine_synthetic.csv")
	body := ls[1:400]
	dir := t.TempDir()
	tech := writeFile(t, dir, "formation_fine_tech.csv", lines("\r\n", append([]string{ls[0]}, body...)...))
	label := "Année;UAI;Libellé;Région;Type diplome;Code formation mefstat11;Libellé formation;Durée formation;Diplôme rénové ou nouveau;" +
		"DEVENIR Part poursuite études;DEVENIR Part en emploi 6 mois;DEVENIR Part autre situation 6 mois;" +
		"Taux poursuite études;Taux emploi 6 mois;Taux emploi 12 mois;Taux emploi 18 mois;Taux emploi 24 mois"
	lab := writeFile(t, dir, "formation_fine_labels.csv", lines("\r\n", append([]string{"\ufeff" + label}, body...)...))
	a, rja, fa := parseRows(t, tech, tUAIFormation)
	b, rjb, fb := parseRows(t, lab, tUAIFormation)
	if fa != "portail_ij_lycee_pro_formation" || fb != fa || len(rja)+len(rjb) != 0 {
		t.Fatalf("formats %s %s, rejects %v %v", fa, fb, rja, rjb)
	}
	if len(a) != 399 || strings.Join(a, "\n") != strings.Join(b, "\n") {
		t.Errorf("technical and label headers disagree (%d / %d rows)", len(a), len(b))
	}
	// The first row of 0010001W that publishes its parts and its taux de
	// poursuite but no taux d'emploi: its values, read from the line itself.
	found := false
	for _, l := range body {
		c := strings.Split(l, ";")
		if c[1] != "0010001W" || c[9] == "" || c[12] == "" || c[13] != "" {
			continue
		}
		code := c[5]
		want := fmt.Sprintf("0010001W 2019_2020 scolaire %s portail_formation_fine 10 cumul 2019-2020 84 <nil> %s "+
			"<nil> <nil> <nil> <nil> <nil> <nil> <nil> %s <nil> <nil> <nil> <nil> %s %s %s", code, code, c[12], c[9], c[10], c[11])
		for _, r := range a {
			if strings.HasPrefix(r, "0010001W 2019_2020 scolaire "+code+" ") {
				found = true
				if r != want {
					t.Errorf("row = %s\nwant  %s", r, want)
				}
			}
		}
		break
	}
	if !found {
		t.Error("no row of 0010001W with parts and a taux de poursuite")
	}
}

// The InserSup JSON records and their ';' CSV twin give the same rows
// (promo ["2020","2021"] and "2020,2021" are the same millésime).
func TestInserSupCSVTwin(t *testing.T) {
	j, rj, fj := parseRows(t, filepath.Join(synDir, "insersup_synthetic.json.gz"), tInserSup)
	c, rc, fc := parseRows(t, filepath.Join(synDir, "insersup_synthetic.csv.gz"), tInserSup)
	if fj != "insersup" || fc != "insersup" || len(rj)+len(rc) != 0 {
		t.Fatalf("formats %s %s, rejects %v %v", fj, fc, rj, rc)
	}
	if len(j) != 3240 || strings.Join(j, "\n") != strings.Join(c, "\n") {
		t.Errorf("JSON and CSV disagree (%d / %d rows)", len(j), len(c))
	}
	cumul := 0
	for _, r := range j {
		if strings.Contains(r, " 2020_2021 ") {
			cumul++
		}
	}
	if cumul != 780 {
		t.Errorf("%d records of promotions 2020-2021, want 780", cumul)
	}
}

// The real InserSup extract: 60 records, one headline record read back.
func TestInserSupRealExtract(t *testing.T) {
	rows, rejects, f := parseRows(t, demoPath("insersup_api_extract_uca_meef_2024S2.json"), tInserSup)
	if f != "insersup" || len(rejects) != 0 || len(rows) != 60 {
		t.Fatalf("format %s, %d rows, rejects %v", f, len(rows), rejects)
	}
	want := "0062205P 2500249 2020_2021 diplômé ensemble ensemble 12 2020,2021 2024_S2 UNIVERSITE COTE D'AZUR s3t8T 93 23 " +
		"master_MEEF Master MEEF METIERS DE L'ENSEIGNEMENT, DE L'EDUCATION ET DE LA FORMATION (MEEF), 2e DEGRE SHS " +
		"Sciences humaines et sociales 06 Sciences humaines et sociales 34 Sciences de l'éducation 11 123 106 86.18 86 81.13 " +
		"<nil> <nil> <nil> <nil> <nil> <nil> <nil> <nil>"
	found := false
	for _, r := range rows {
		if r == want {
			found = true
		}
	}
	if !found {
		t.Errorf("headline record at 12 months not found; rows[0] = %s", rows[0])
	}
}

// Rows that break the rules are refused with a clear reason.
func TestFormationFormatsReject(t *testing.T) {
	dir := t.TempDir()
	uaiHeader := synLines(t, "ij_uai_formation_2021_2022.csv")[0]
	ok := "2021_2022_0922149L_scolaire_32221022207;2021_2022;10;11;0922149L;scolaire;;32221022207;20;5;;;3;11;9;;;;;55"
	insHeader := "etablissement;diplome;promo;obtention_diplome;genre;nationalite;date_inser;nb_poursuivants;nb_sortants;" +
		"nb_sortants_en_emploi_sal_fr;tx_sortants_en_emploi_sal_fr;reg_id"
	tests := []struct {
		name, file string
		data       []byte
		reason     string
	}{
		{"valid UAI × formation row", "u.csv", lines("\n", uaiHeader, ok), ""},
		{"bad UAI check letter", "u.csv", lines("\n", uaiHeader, strings.Replace(ok, ";0922149L;", ";0922149M;", 1)), "lettre de contrôle"},
		{"sortant + poursuite ≠ term", "u.csv", lines("\n", uaiHeader, strings.Replace(ok, ";20;5;", ";21;5;", 1)), "nb_sortant (9) + nb_poursuite_etudes (11) ≠ nb_annee_term (21)"},
		{"région INSEE and IJ codes disagree", "u.csv", lines("\n", uaiHeader, strings.Replace(ok, ";10;11;", ";10;53;", 1)), "incohérent"},
		{"valid InserSup row", "i.csv", lines("\n", insHeader, "0062205P;2500249;2020,2021;diplômé;ensemble;ensemble;12;11;123;106;86.18;R93"), ""},
		{"nd and ** are not published", "i.csv", lines("\n", insHeader, "0062205P;2500249;2021;diplômé;ensemble;ensemble;6;4;15;nd;**;R93"), ""},
		{"unknown horizon", "i.csv", lines("\n", insHeader, "0062205P;2500249;2021;diplômé;ensemble;ensemble;7;4;15;nd;nd;R93"), "horizon"},
		{"more employed than leavers", "i.csv", lines("\n", insHeader, "0062205P;2500249;2021;diplômé;ensemble;ensemble;6;4;15;16;100;R93"), "plus de diplômés en emploi (16) que de sortants (15)"},
		{"bad SISE", "i.csv", lines("\n", insHeader, "0062205P;250024;2021;diplômé;ensemble;ensemble;6;4;15;nd;nd;R93"), "code SISE"},
		{"promotions not consecutive", "i.csv", lines("\n", insHeader, "0062205P;2500249;2019,2021;diplômé;ensemble;ensemble;6;4;15;nd;nd;R93"), "se suivre"},
		{"unknown région", "i.csv", lines("\n", insHeader, "0062205P;2500249;2021;diplômé;ensemble;ensemble;6;4;15;nd;nd;R99"), "région inconnu"},
		{"rate over 100", "i.csv", lines("\n", insHeader, "0062205P;2500249;2021;diplômé;ensemble;ensemble;6;4;15;10;166.67;R93"), "hors bornes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := writeFile(t, dir, tc.file, tc.data)
			fr, err := parseFile(p, Options{})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range fr.Rejects {
				got = append(got, r.String())
			}
			switch {
			case tc.reason == "" && len(got) > 0:
				t.Errorf("unexpected rejects: %v", got)
			case tc.reason != "" && (len(got) == 0 || !strings.Contains(strings.Join(got, "\n"), tc.reason)):
				t.Errorf("rejects %v, want one saying %q", got, tc.reason)
			}
		})
	}
}
