package importer

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
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
		if ov := planOverlap(files, Options{}); ov == nil || ov.stage[0] != 0 || ov.stage[1] == 0 {
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

// TestOverlapStages: on the demo files, the overlap cuts the run in
// stages such that two files that may write the same key of a table (the
// same part of it, Target.Part) are validated in the same stage, the files
// that load once a stage is validated are in it or an earlier one, and the
// formation-level portal export (which writes establishment names, as the
// annuaire does, but under its own source) is validated after the first
// files load, not before.
func TestOverlapStages(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(demoDir, "*.gz"))
	if err != nil {
		t.Fatal(err)
	}
	synth, _ := filepath.Glob(filepath.Join(demoDir, "synthetic", "*.gz"))
	files = append(files, synth...)
	ov := planOverlap(files, Options{})
	if ov == nil || ov.stages() < 3 {
		t.Fatalf("%d demo files: plan %+v, want several stages", len(files), ov)
	}
	fmts := make([]*Format, len(files))
	for i, p := range files {
		if fmts[i], _, err = headerFormat(p, ""); err != nil {
			t.Fatal(err)
		}
	}
	pairs := 0
	for i := range files {
		for j := range files {
			if i != j && shares(partsOf(fmts[i]), partsOf(fmts[j])) {
				pairs++
				if ov.stage[i] != ov.stage[j] {
					t.Errorf("%s (stage %d) and %s (stage %d) write the same part of a table",
						filepath.Base(files[i]), ov.stage[i], filepath.Base(files[j]), ov.stage[j])
				}
			}
		}
		for s, c := range ov.cuts {
			if fmts[i].Order <= c && ov.stage[i] > s {
				t.Errorf("%s (Order %d, stage %d) loads once stage %d is validated", filepath.Base(files[i]), fmts[i].Order, ov.stage[i], s)
			}
		}
	}
	if pairs == 0 {
		t.Fatal("no two demo files share a table: the test checks nothing")
	}
	found := map[string]int{}
	for i, f := range fmts {
		found[f.Kind] = ov.stage[i]
	}
	if s, ok := found["portail_ij_lycee_pro_formation"]; !ok || s <= found["annuaire_education"] {
		t.Errorf("formation-level portal export in stage %d (found %v), annuaire in %d: want it later", s, ok, found["annuaire_education"])
	}
}

// TestFormatParts: every format that writes a table with a Part declares
// the values it writes there, and a declared value of one format is no
// other format's unless both write the same kind of rows (the depp and
// portal establishment files share "ij").
func TestFormatParts(t *testing.T) {
	checked := 0
	for _, f := range registry {
		for _, tg := range f.Targets {
			if tg.Part == "" {
				continue
			}
			checked++
			if tg.part() < 0 || !slices.Contains(tg.Key, tg.Part) {
				t.Errorf("%s: Part %q is not a key column", tg.Table, tg.Part)
			}
			if f.Parts == nil {
				t.Errorf("format %s writes %s without declaring its %s values", f.Kind, tg.Table, tg.Part)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no target has a Part")
	}
}
