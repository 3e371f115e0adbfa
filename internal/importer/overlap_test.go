package importer

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/vitrine-inserjeunes/vitrine/internal/testdb"
)

// sequenceValues returns the state of the sequences of import_runs and
// import_files.
func sequenceValues(t *testing.T, pool *pgxpool.Pool) [2]string {
	t.Helper()
	var out [2]string
	for i, tb := range []string{"import_runs", "import_files"} {
		if err := pool.QueryRow(context.Background(), `SELECT format('%s %s', last_value, is_called) FROM `+tb+`_id_seq`).Scan(&out[i]); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// TestOverlapLateFileRefuses: a file validated while the first files load
// (overlap.go) that has rejects, or cannot be read, refuses the run as if
// it had been validated first: nothing written, the first files reported
// as not loaded, the sequences of import_runs and import_files as they
// were; with --skip-invalid the same files load as without the overlap.
func TestOverlapLateFileRefuses(t *testing.T) {
	pool := testdb.Pool(t, "importer_overlap")
	ctx := context.Background()
	dir := t.TempDir()
	regions := demoPath("ref_regions.csv")
	rf := fileLines(t, "ij_api_region_formation_2019-2022.csv")
	const name = "ij_api_region_formation_2019-2022.csv"
	dup := writeFile(t, dir, name, lines("\n", rf[0], rf[1], rf[2], rf[1])) // line 4: duplicate of line 2
	text := lines("\n", rf[:2000]...)
	gz := gzipBytes(text)
	broken := writeFile(t, dir, "ij_api_region_formation_2019-2022.csv.gz", gz[:len(gz)*2/3])

	for _, files := range [][]string{{regions, dup}, {regions, broken}} {
		if ov := planOverlap(files, Options{}); ov == nil || ov.late[0] || !ov.late[1] {
			t.Fatalf("%s is not validated while %s loads", filepath.Base(files[1]), filepath.Base(files[0]))
		}
	}

	before, seqs := testdb.TableChecksums(t, pool), sequenceValues(t, pool)
	rep, err := Run(ctx, pool, []string{regions, dup}, Options{})
	var re *RejectedError
	if !errors.As(err, &re) || len(re.Rejects) != 1 || re.Rejects[0].Line != 4 {
		t.Fatalf("error %v, want one reject on line 4", err)
	}
	if len(rep.Files) != 2 || rep.Files[0].Loaded != 0 || rep.Files[0].FileID != 0 || rep.Files[1].Rejected != 1 {
		t.Errorf("report of a refused run: %+v", rep.Files)
	}
	if ch := changedTables(before, testdb.TableChecksums(t, pool)); len(ch) > 0 {
		t.Errorf("a refused run changed %v", ch)
	}
	if got := sequenceValues(t, pool); got != seqs {
		t.Errorf("sequences %v after a refused run, want %v", got, seqs)
	}

	rep, err = Run(ctx, pool, []string{regions, broken}, Options{})
	if err == nil || errors.As(err, &re) || (rep != nil && len(rep.Files) != 0) {
		t.Fatalf("a cut file: error %v, report %+v", err, rep)
	}
	if ch := changedTables(before, testdb.TableChecksums(t, pool)); len(ch) > 0 {
		t.Errorf("a run refused for a cut file changed %v", ch)
	}
	if got := sequenceValues(t, pool); got != seqs {
		t.Errorf("sequences %v after a cut file, want %v", got, seqs)
	}

	rep, err = Run(ctx, pool, []string{regions, dup}, Options{SkipInvalid: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Files) != 2 || rep.Files[0].Loaded == 0 || rep.Files[1].Loaded != 2 || rep.Files[1].Rejected != 1 {
		t.Errorf("with --skip-invalid: %+v", rep.Files)
	}
}
