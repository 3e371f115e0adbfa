package importer

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/vitrine-inserjeunes/vitrine/internal/testdb"
)

// The no-op short-circuit (current.go), on real files in a database of
// its own: a file already imported whose rows are still current is skipped
// (« déjà importé, inchangé »), and read again as soon as anything may have
// replaced its rows.

func currentPool(t *testing.T) *pgxpool.Pool {
	t.Helper()
	pool := testdb.Pool(t, "importer_current")
	if _, err := pool.Exec(context.Background(), `TRUNCATE import_runs, import_files, ij_etab, etablissement_sources, regions, departements CASCADE`); err != nil {
		t.Fatal(err)
	}
	return pool
}

func skippedNames(rep *Report) (skipped, read []string) {
	for _, f := range rep.Files {
		if f.Skipped {
			skipped = append(skipped, f.Name)
		} else {
			read = append(read, f.Name)
		}
	}
	return skipped, read
}

func fileCount(t *testing.T, pool *pgxpool.Pool) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM import_files`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestNoOpSkipAndForce: the same files again are all skipped, write no
// data row and no import_files row (the run itself is recorded « sans
// changement »); --force reads them all and finds every row unchanged; a
// file recorded before migration 00008 (no replaced_by) is read again.
func TestNoOpSkipAndForce(t *testing.T) {
	pool := currentPool(t)
	ctx := context.Background()
	files := []string{demoPath("ref_regions.csv"), demoPath("ref_departements_academies_regions.csv"),
		demoPath("depp_ij_etab_lycee_pro_2020_2021.csv"), demoPath("depp_ij_etab_lycee_pro_2021_2022.csv")}
	first, err := Run(ctx, pool, files, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := skippedNames(first); len(s) != 0 || !first.Changed {
		t.Fatalf("first import: skipped %v, changed %v", s, first.Changed)
	}
	before, nFiles := testdb.TableChecksums(t, pool), fileCount(t, pool)
	again, err := Run(ctx, pool, files, Options{})
	if err != nil {
		t.Fatal(err)
	}
	skipped, read := skippedNames(again)
	if len(skipped) != len(files) || len(read) != 0 {
		t.Errorf("second import: skipped %v, read %v; want every file skipped", skipped, read)
	}
	if again.Changed || again.Changes != 0 || again.RunID == 0 || again.DataVersion != first.RunID {
		t.Errorf("second import: changed %v, %d changes, run %d, data version %d (want %d)", again.Changed, again.Changes, again.RunID, again.DataVersion, first.RunID)
	}
	byID := map[int64]string{}
	for _, f := range first.Files {
		byID[f.FileID] = f.SHA256
	}
	for _, f := range again.Files {
		if byID[f.SameAs] != f.SHA256 || f.SHA256 == "" || f.Read != 0 {
			t.Errorf("%s: same as file %d (sha %q), its sha %q, read %d", f.Name, f.SameAs, byID[f.SameAs], f.SHA256, f.Read)
		}
	}
	if ch := changedTables(before, testdb.TableChecksums(t, pool), "import_runs"); len(ch) > 0 {
		t.Errorf("a skipped import changed %v", ch)
	}
	if n := fileCount(t, pool); n != nFiles {
		t.Errorf("%d import_files rows after the skipped import, %d before", n, nFiles)
	}

	forced, err := Run(ctx, pool, files, Options{Force: true})
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := skippedNames(forced); len(s) != 0 || forced.Changed || len(forced.Files) != len(files) {
		t.Errorf("--force: skipped %v, changed %v, %d files", s, forced.Changed, len(forced.Files))
	}
	for _, f := range forced.Files {
		if f.Read == 0 || f.Loaded != 0 || f.Unchanged+f.Ignored != f.Read {
			t.Errorf("--force %s: read %d, loaded %d, unchanged %d, ignored %d", f.Name, f.Read, f.Loaded, f.Unchanged, f.Ignored)
		}
	}
	// A row without replaced_by (written before migration 00008): read again.
	if _, err := pool.Exec(ctx, `UPDATE import_files SET replaced_by = NULL WHERE name = 'ref_regions.csv'`); err != nil {
		t.Fatal(err)
	}
	rep, err := Run(ctx, pool, files[:1], Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s, r := skippedNames(rep); len(s) != 0 || len(r) != 1 {
		t.Errorf("file without replaced_by: skipped %v, read %v; want it read", s, r)
	}
}

// TestNoOpNotCurrent: a file is skipped only while its rows are current.
// A newer file that changes one of its figures makes it stale (read again,
// it puts its figure back); in one run where a newer file of the same key
// wins, both are skipped together afterwards, but the older one alone is
// read (its row is not the one in the table).
func TestNoOpNotCurrent(t *testing.T) {
	pool := currentPool(t)
	ctx := context.Background()
	const name = "depp_ij_etab_lycee_pro_2021_2022.csv"
	orig := demoPath(name)
	lp := fileLines(t, name)
	dir := t.TempDir()
	changed := writeFile(t, dir, name, lines("\r\n", lp[0], setField(lp[1], 5, "99"), lp[2]))
	if _, err := Run(ctx, pool, []string{orig}, Options{}); err != nil {
		t.Fatal(err)
	}
	// A later run changes one figure of the file.
	if rep, err := Run(ctx, pool, []string{changed}, Options{}); err != nil || rep.Changes != 1 {
		t.Fatalf("changed copy: %v, %+v", err, rep)
	}
	rep, err := Run(ctx, pool, []string{orig}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := skippedNames(rep); len(s) != 0 || rep.Changes != 1 {
		t.Errorf("original after a change of one of its figures: skipped %v, %d changes; want it read, 1 change", s, rep.Changes)
	}
	// Now the original is current again.
	if rep, err = Run(ctx, pool, []string{orig}, Options{}); err != nil {
		t.Fatal(err)
	}
	if s, _ := skippedNames(rep); len(s) != 1 {
		t.Errorf("original once restored: skipped %v, want it skipped", s)
	}

	// One run, the same key in two files: the later one (given second)
	// wins; the original's row at that key is replaced.
	if rep, err = Run(ctx, pool, []string{orig, changed}, Options{}); err != nil || rep.Changes != 1 {
		t.Fatalf("both files: %v, %d changes, want 1", err, rep.Changes)
	}
	if rep, err = Run(ctx, pool, []string{orig, changed}, Options{}); err != nil {
		t.Fatal(err)
	}
	if s, _ := skippedNames(rep); len(s) != 2 || rep.Changed {
		t.Errorf("both files again: skipped %v, changed %v; want both skipped", s, rep.Changed)
	}
	if rep, err = Run(ctx, pool, []string{orig}, Options{}); err != nil {
		t.Fatal(err)
	}
	if s, _ := skippedNames(rep); len(s) != 0 || rep.Changes != 1 {
		t.Errorf("the original alone after the copy won: skipped %v, %d changes; want it read, 1 change", s, rep.Changes)
	}
}

// TestNoOpRunStaysAtomic: a run where one file is skipped and another is
// refused (a rejected row) writes nothing at all, import_runs included.
func TestNoOpRunStaysAtomic(t *testing.T) {
	pool := currentPool(t)
	ctx := context.Background()
	const name = "depp_ij_etab_lycee_pro_2021_2022.csv"
	good := demoPath("ref_regions.csv")
	if _, err := Run(ctx, pool, []string{good}, Options{}); err != nil {
		t.Fatal(err)
	}
	lp := fileLines(t, name)
	bad := writeFile(t, t.TempDir(), name, lines("\r\n", lp[0], setField(lp[1], 4, "140"), lp[2]))
	before := testdb.TableChecksums(t, pool)
	rep, err := Run(ctx, pool, []string{good, bad}, Options{})
	var re *RejectedError
	if !errors.As(err, &re) {
		t.Fatalf("run with a rejected row: %v, want a RejectedError", err)
	}
	if ch := changedTables(before, testdb.TableChecksums(t, pool)); len(ch) > 0 {
		t.Errorf("a refused run changed %v", ch)
	}
	if rep == nil || len(rep.Files) == 0 || filepath.Base(rep.Files[0].Path) != name {
		t.Errorf("report of the refused run: %+v", rep)
	}
}
