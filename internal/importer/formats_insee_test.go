package importer

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/vitrine-inserjeunes/vitrine/internal/testdb"
)

// TestChomageRealFiles loads the two real INSEE files alone and reads every
// rate back: each row of the file is in the table with the same value, and
// a second import of the same files changes nothing (« sans changement »).
func TestChomageRealFiles(t *testing.T) {
	pool := testdb.Pool(t, "importer_insee")
	ctx := context.Background()
	paths := []string{demoPath("insee_chomage_regional.csv"), demoPath("insee_chomage_departemental.csv")}
	rep, err := Run(ctx, pool, paths, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Files) != 2 {
		t.Fatalf("%d files in the report, want 2", len(rep.Files))
	}
	for _, c := range []struct {
		file, query string
		key         int // fields of the key in the file (code, year)
	}{
		{"insee_chomage_regional.csv", `SELECT region || ';' || annee, taux::float8 FROM insee_chomage_region`, 0},
		{"insee_chomage_departemental.csv", `SELECT departement || ';' || annee, taux::float8 FROM insee_chomage_departement`, 1},
	} {
		got := map[string]float64{}
		rows, err := pool.Query(ctx, c.query)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var k string
			var v float64
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
		for _, l := range ls[1:] {
			f := strings.Split(l, ";")
			code, year, rate := f[0], f[1+c.key], f[2+c.key]
			want, err := strconv.ParseFloat(strings.Replace(rate, ",", ".", 1), 64)
			if err != nil {
				t.Fatalf("%s: %q: %v", c.file, l, err)
			}
			if v, ok := got[code+";"+year]; !ok || v != want {
				t.Errorf("%s: %s %s: table %v (present %v), file %s", c.file, code, year, v, ok, rate)
			}
		}
	}
	again, err := Run(ctx, pool, paths, Options{Force: true}) // read again, not skipped
	if err != nil {
		t.Fatal(err)
	}
	if again.Changed || again.Changes != 0 {
		t.Errorf("re-import: changed %v, %d changes; want « sans changement »", again.Changed, again.Changes)
	}
	for _, f := range again.Files {
		if f.Unchanged != f.Read || f.Loaded != 0 {
			t.Errorf("re-import of %s: read %d, loaded %d, unchanged %d", f.Name, f.Read, f.Loaded, f.Unchanged)
		}
	}
}

// TestChomageRejects: every rule of the INSEE readers refuses its row with
// a French reason naming the column; a run with one bad row writes nothing
// (the good file beside it included).
func TestChomageRejects(t *testing.T) {
	pool := testdb.Pool(t, "importer_insee")
	ctx := context.Background()
	dir := t.TempDir()
	const reg = "\ufeffcodeRegion;rentreeScolaire;tauxChomage"
	const dep = "codeDepartement;libelleDepartement;rentreeScolaire;tauxChomage"
	tests := []rejectCase{
		{"good regional rows", "r.csv", []string{reg, "53;2023;6,1", "11;2023;7.1", "94;2023;8"}, "", ""},
		{"good departmental rows", "d.csv", []string{dep, "001;AIN;2023;5,7", "02A;CORSE-DU-SUD;2023;6,4", "971;GUADELOUPE;2023;19,3"}, "", ""},
		{"unknown région code", "r.csv", []string{reg, "99;2023;6,1"}, "codeRegion", "code région INSEE inconnu"},
		{"académie-region code (IJ 03 is not INSEE)", "r.csv", []string{reg, "05;2023;6,1"}, "codeRegion", "code région INSEE inconnu"},
		{"unknown département code", "d.csv", []string{dep, "020;CORSE;2023;6,4"}, "codeDepartement", "code département inconnu"},
		{"département on 2 characters", "d.csv", []string{dep, "35;ILLE-ET-VILAINE;2023;5,4"}, "codeDepartement", "code département inconnu"},
		{"empty département label", "d.csv", []string{dep, "035;;2023;5,4"}, "libelleDepartement", "libellé du département vide"},
		{"rate not a number", "r.csv", []string{reg, "53;2023;six"}, "tauxChomage", "nombre attendu"},
		{"rate with two decimals", "r.csv", []string{reg, "53;2023;6,15"}, "tauxChomage", "au plus une décimale"},
		{"negative rate", "r.csv", []string{reg, "53;2023;-1"}, "tauxChomage", "nombre attendu"},
		{"rate over 100", "r.csv", []string{reg, "53;2023;100,5"}, "tauxChomage", "hors bornes (0 à 100 attendu)"},
		{"rate missing", "d.csv", []string{dep, "001;AIN;2023;"}, "tauxChomage", "valeur manquante"},
		{"rate not published marker", "r.csv", []string{reg, "53;2023;nd"}, "tauxChomage", "nombre attendu"},
		{"bad year", "r.csv", []string{reg, "53;23;6,1"}, "rentreeScolaire", "année sur 4 chiffres"},
		{"duplicate key", "r.csv", []string{reg, "53;2023;6,1", "53;2023;6,2"}, "region+annee", "clé en double (déjà vue ligne 2)"},
	}
	checkRejects(t, dir, "", tests)

	// Atomicity: a good regional file and a departmental file with one bad
	// row are refused together; nothing is written.
	good := writeFile(t, dir, "insee_chomage_regional.csv", lines("\n", reg, "53;2023;6,1", "84;2023;6,5"))
	bad := writeFile(t, dir, "insee_chomage_departemental.csv", lines("\n", dep, "035;ILLE-ET-VILAINE;2023;5,4", "036;INDRE;2023;7,7%"))
	before := testdb.TableChecksums(t, pool)
	_, err := Run(ctx, pool, []string{good, bad}, Options{})
	var re *RejectedError
	if !errors.As(err, &re) || len(re.Rejects) != 1 || re.Rejects[0].Line != 3 {
		t.Fatalf("error %v, want the one reject of line 3", err)
	}
	if ch := changedTables(before, testdb.TableChecksums(t, pool)); len(ch) > 0 {
		t.Errorf("a refused run changed %v", ch)
	}
}
