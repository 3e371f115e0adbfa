package importer

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/vitrine-inserjeunes/vitrine/internal/testdb"
)

// TestMetiersRealFiles loads the real Certif Info and ROME files alone and
// reads every row back by its key, with its label; the four Certif Info
// labels that went through a Windows-1252 decoder come back repaired; a
// second import changes nothing.
func TestMetiersRealFiles(t *testing.T) {
	pool := testdb.Pool(t, "importer_metiers")
	ctx := context.Background()
	paths := []string{demoPath("certif_info_formations.csv"), demoPath("rome_fiches_metiers.csv"),
		demoPath("rome_appellations.csv"), demoPath("rome_domaines_professionnels.csv")}
	rep, err := Run(ctx, pool, paths, Options{})
	if err != nil {
		t.Fatal(err)
	}
	formats := map[string]string{}
	for _, f := range rep.Files {
		formats[filepath.Base(f.Name)] = f.Format
	}
	for name, want := range map[string]string{"certif_info_formations.csv": "certif_info", "rome_fiches_metiers.csv": "rome_fiches_metiers",
		"rome_appellations.csv": "rome_appellations", "rome_domaines_professionnels.csv": "rome_domaines_professionnels"} {
		if formats[name] != want {
			t.Errorf("%s detected as %q, want %q", name, formats[name], want)
		}
	}
	var licences int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM import_files WHERE licence LIKE 'Licence Ouverte 2.0%'`).Scan(&licences); err != nil || licences != 4 {
		t.Errorf("%d files with the Licence Ouverte (%v), want 4", licences, err)
	}
	for _, c := range []struct {
		file, query string
		key         []int // fields of the file making the key, joined by ';'
		label       int
	}{
		{"certif_info_formations.csv", `SELECT code_diplome || ';' || onisep || ';' || code_rs, libelle FROM certif_info`, []int{0, 36, 14}, 1},
		{"rome_fiches_metiers.csv", `SELECT code_rome, libelle FROM rome_fiches`, []int{0}, 3},
		{"rome_appellations.csv", `SELECT code_ogr, libelle_long FROM rome_appellations`, []int{0}, 1},
		{"rome_domaines_professionnels.csv", `SELECT code, libelle FROM rome_domaines`, []int{0}, 1},
	} {
		got := map[string]string{}
		rows, err := pool.Query(ctx, c.query)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var k, v string
			if err := rows.Scan(&k, &v); err != nil {
				t.Fatal(err)
			}
			got[k] = v
		}
		rows.Close()
		ls := fileLines(t, c.file)
		if len(got) != len(ls)-1 {
			t.Errorf("%s: %d rows in the table, %d in the file", c.file, len(got), len(ls)-1)
		}
		repaired := 0
		for _, l := range ls[1:] {
			f := strings.Split(l, ";")
			var k []string
			for _, i := range c.key {
				k = append(k, f[i])
			}
			v, ok := got[strings.Join(k, ";")]
			switch {
			case !ok:
				t.Errorf("%s: row %v missing", c.file, k)
			case v != f[c.label]:
				repaired++
				if strings.Contains(v, "Ã") || strings.ContainsRune(v, utf8.RuneError) || strings.ContainsRune(v, '\u00ad') {
					t.Errorf("%s: %v: label %q still garbled", c.file, k, v)
				}
			}
		}
		if c.file != "certif_info_formations.csv" && repaired != 0 {
			t.Errorf("%s: %d labels differ from the file", c.file, repaired)
		}
		if c.file == "certif_info_formations.csv" && repaired != 4 {
			t.Errorf("%s: %d labels repaired, want the 4 garbled ones", c.file, repaired)
		}
	}
	// The repaired labels, as a person reads them.
	for code, want := range map[string]string{
		"116538": "Licence pro sciences, technologies, santé métiers du bois",
		"114864": "Conduite d'une stratégie de production pour la réalisation de films documentaires",
		"104171": "Certificat de spécialisation croisière",
	} {
		var got string
		if err := pool.QueryRow(ctx, `SELECT libelle FROM certif_info WHERE code_diplome=$1 LIMIT 1`, code).Scan(&got); err != nil || got != want {
			t.Errorf("certif_info %s: %q (%v), want %q", code, got, err, want)
		}
	}
	// One row read field by field: the bac pro of SOURCES.md §E1.
	var cfd, onisep, typ, rome1 string
	if err := pool.QueryRow(ctx, `SELECT cfd, onisep, type_diplome, rome_1 FROM certif_info WHERE code_diplome='20204'`).Scan(&cfd, &onisep, &typ, &rome1); err != nil {
		t.Fatal(err)
	}
	if cfd != "40020002" || onisep != "FOR.1094" || typ != "Baccalauréat professionnel" || rome1 != "H1404" {
		t.Errorf("certif_info 20204: cfd %s, onisep %s, type %s, rome_1 %s", cfd, onisep, typ, rome1)
	}
	// Flags: O/N become booleans, transition_eco keeps its label.
	var eco, num int
	if err := pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE transition_eco IS NOT NULL), count(*) FILTER (WHERE transition_num) FROM rome_fiches`).Scan(&eco, &num); err != nil {
		t.Fatal(err)
	}
	wantEco, wantNum := 0, 0
	for _, l := range fileLines(t, "rome_fiches_metiers.csv")[1:] {
		f := strings.Split(l, ";")
		if f[4] != "" {
			wantEco++
		}
		if f[5] == "O" {
			wantNum++
		}
	}
	if eco != wantEco || num != wantNum || eco == 0 || num == 0 {
		t.Errorf("rome_fiches: %d transition_eco, %d transition_num; the file has %d and %d", eco, num, wantEco, wantNum)
	}

	again, err := Run(ctx, pool, paths, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if again.Changed || again.Changes != 0 {
		t.Errorf("re-import: changed %v, %d changes; want « sans changement »", again.Changed, again.Changes)
	}
}

// TestMetiersRejects: each rule of the Certif Info and ROME readers refuses
// its row with a French reason naming the column.
func TestMetiersRejects(t *testing.T) {
	dir := t.TempDir()
	const ci = "Code_Diplome;Libelle_Diplome;Libelle_Type_Diplome;Code_Niveau_Europeen;Date_MaJ;Code_FormaCode;Libelle_FormaCode;Code_Rome_1;Code_Rome_2;Code_Rome_3;Code_Rome_4;Code_Rome_5;Code_Nsf;Code_RNCP;Code_RS;Code_Scolarité;valideur;certificateur;Annee_Premiere_Session;Annee_Derniere_Session;Code_Ancien_Diplome;Intitulé_Ancien_Diplome;Code_Ancien_RNCP;Code_Ancien_Scolarité;`Options`;Etat;Etat_Libelle;Etat_Ancien_Diplome;Etat_Ancien_Diplome_Libelle;accessibilite_fi;accessibilite_ca;accessibilite_fc;accessibilite_cp;accessibilite_vae;accessibilite_ind;code_type_diplome;codeIdeo2"
	ciRow := func(code, lib, rome1, rncp, cfd, last, ideo string) string {
		f := make([]string, 37)
		f[0], f[1], f[2], f[7], f[13], f[15], f[19], f[36] = code, lib, "Baccalauréat professionnel", rome1, rncp, cfd, last, ideo
		return strings.Join(f, ";")
	}
	const fi = "code_rome;code_fiche_metier;code_ogr;libelle_rome;transition_eco;transition_num;transition_demo;emploi_reglemente;emploi_cadre;code_rome_parent"
	const ap = "code_ogr;libelle_appellation_long;libelle_appellation_court;code_rome;transition_eco;transition_num;transition_demo;emploi_reglemente;emploi_cadre;classification;origine"
	const dom = "code_domaine_professionnel;libelle_domaine_professionnel"
	tests := []rejectCase{
		{"good Certif Info row", "c.csv", []string{ci, ciRow("82775", "Bac pro maintenance des véhicules", "I1604", "19117", "40025214", "2026", "FOR.5615")}, "", ""},
		{"double-encoded label repaired", "c.csv", []string{ci, ciRow("116538", "Licence pro santÃ©", "", "", "", "", "")}, "", ""},
		{"bad Certif Info code", "c.csv", []string{ci, ciRow("A82", "Bac pro", "", "", "", "", "")}, "Code_Diplome", "code de certification"},
		{"empty label", "c.csv", []string{ci, ciRow("82775", "", "", "", "", "", "")}, "Libelle_Diplome", "libellé de la certification vide"},
		{"lost byte", "c.csv", []string{ci, ciRow("82775", "Bac pro \uFFFD", "", "", "", "", "")}, "Libelle_Diplome", "caractère illisible"},
		{"bad ROME code", "c.csv", []string{ci, ciRow("82775", "Bac pro", "Z1604", "", "", "", "")}, "Code_Rome_1", "code ROME attendu"},
		{"bad RNCP", "c.csv", []string{ci, ciRow("82775", "Bac pro", "", "RNCP19117", "", "", "")}, "Code_RNCP", "code RNCP attendu"},
		{"bad CFD", "c.csv", []string{ci, ciRow("82775", "Bac pro", "", "", "4002521", "", "")}, "Code_Scolarité", "CFD"},
		{"bad Onisep id", "c.csv", []string{ci, ciRow("82775", "Bac pro", "", "", "", "", "1094")}, "codeIdeo2", "FOR.1094"},
		{"bad last session", "c.csv", []string{ci, ciRow("82775", "Bac pro", "", "", "", "26", "")}, "Annee_Derniere_Session", "année sur 4 chiffres"},
		{"good fiche", "f.csv", []string{fi, "A1101;11;6;Conducteur / Conductrice d'engins agricoles;Emploi Vert;O;N;;;A1101"}, "", ""},
		{"fiche without code", "f.csv", []string{fi, ";11;6;Conducteur;;;;;;"}, "code_rome", "code ROME manquant"},
		{"fiche flag not O/N", "f.csv", []string{fi, "A1101;11;6;Conducteur;;oui;;;;"}, "transition_num", "O ou N attendu"},
		{"fiche without label", "f.csv", []string{fi, "A1101;11;6;;;;;;;"}, "libelle_rome", "libellé de la fiche métier vide"},
		{"good appellation", "a.csv", []string{ap, "10200;Abatteur / Abatteuse de carrière;Abatteur;F1402;;;;;;SYNONYME;"}, "", ""},
		{"appellation bad classification", "a.csv", []string{ap, "10200;Abatteur;Abatteur;F1402;;;;;;AUTRE;"}, "classification", "PRINCIPALE ou SYNONYME"},
		{"appellation bad OGR", "a.csv", []string{ap, "x;Abatteur;Abatteur;F1402;;;;;;;"}, "code_ogr", "code OGR attendu"},
		{"good domaine", "d.csv", []string{dom, "A11;Engins agricoles et forestiers"}, "", ""},
		{"bad domaine", "d.csv", []string{dom, "A1;Engins agricoles"}, "code_domaine_professionnel", "une lettre et deux chiffres"},
	}
	checkRejects(t, dir, "", tests)
}

// TestRepairText on the garbled sequences of the real file and on clean
// text, which must come back unchanged.
func TestRepairText(t *testing.T) {
	for in, want := range map[string]string{
		"Licence pro droit, Ã©conomie, gestion": "Licence pro droit, économie, gestion",
		"strateÌ\uFFFDgie":                      "stratégie",
		"croi\u00adsière":                       "croisière",
		"Bac pro étude et définition":           "Bac pro étude et définition",
		"Ãtre":                                  "Ãtre", // not a continuation glyph: left alone
	} {
		if got := repairText(in); got != want {
			t.Errorf("repairText(%q) = %q, want %q", in, got, want)
		}
	}
}
