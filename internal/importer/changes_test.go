package importer

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/vitrine-inserjeunes/vitrine/internal/testdb"
)

// TestRunChanges checks the data release notes (import_run_changes) against
// what the files say: a synthetic file, then a real file that replaces its
// rows (deleted) and adds others, then a new version of the real file with
// some rows changed and some added, then the same file again (« sans
// changement »: no note). Every expected count is computed here from the
// lines written, per millésime.
func TestRunChanges(t *testing.T) {
	pool := testdb.Pool(t, "importer_changes")
	ctx := context.Background()
	lines := fileLines(t, "ij_api_region_formation_2019-2022.csv")
	head, data := lines[0], lines[1:]
	if len(data) < 1000 {
		t.Fatalf("only %d rows in the regional file", len(data))
	}
	const millCol, lastCol = 1, 18
	mill := func(l string) string { return strings.Split(l, ";")[millCol] }
	first := mill(data[0])
	dir := t.TempDir()
	write := func(name string, rows []string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(head+"\n"+strings.Join(rows, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	count := func(rows []string) map[string]int {
		out := map[string]int{}
		for _, l := range rows {
			out[mill(l)]++
		}
		return out
	}
	type triple struct{ add, mod, del int }
	var rep *Report // the run under check
	var err error
	notes := func(run int64) map[string]triple {
		rows, err := pool.Query(ctx, `SELECT millesime, sum(ajoutees), sum(modifiees), sum(supprimees) FROM import_run_changes
WHERE run_id = $1 AND source = 'ij_region_formation' AND table_name = 'ij_region_formation' GROUP BY 1`, run)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		out := map[string]triple{}
		for rows.Next() {
			var m string
			var c triple
			if err := rows.Scan(&m, &c.add, &c.mod, &c.del); err != nil {
				t.Fatal(err)
			}
			out[m] = c
		}
		return out
	}
	check := func(run int64, want map[string]triple) {
		t.Helper()
		// Every change the run counted is in its notes.
		var total int64
		if err := pool.QueryRow(ctx, `SELECT coalesce(sum(ajoutees + modifiees + supprimees), 0) FROM import_run_changes WHERE run_id = $1`, run).Scan(&total); err != nil {
			t.Fatal(err)
		}
		if total != rep.Changes {
			t.Errorf("run %d: %d changes in the notes, the report says %d", run, total, rep.Changes)
		}
		got := notes(run)
		for m, w := range want {
			if w == (triple{}) {
				delete(want, m)
			}
		}
		if len(got) != len(want) {
			t.Errorf("run %d: notes for %d millésime(s) %v, want %d %v", run, len(got), got, len(want), want)
		}
		for m, w := range want {
			if got[m] != w {
				t.Errorf("run %d, millésime %s: added/changed/deleted %+v, want %+v", run, m, got[m], w)
			}
		}
	}

	// 1. A synthetic file: rows of the first millésime only.
	var synth []string
	for i, l := range data {
		if i%20 == 0 && mill(l) == first {
			synth = append(synth, l)
		}
	}
	rep, err = Run(ctx, pool, []string{write("ij_region_synthetic.csv", synth)}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	check(rep.RunID, map[string]triple{first: {add: len(synth)}})

	// 2. A real file holding every synthetic row and more: the synthetic
	// rows of its scopes are deleted, its own rows added.
	var a []string
	for i, l := range data {
		if i%10 == 0 {
			a = append(a, l)
		}
	}
	rep, err = Run(ctx, pool, []string{write("ij_region_a.csv", a)}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]triple{}
	for m, n := range count(a) {
		want[m] = triple{add: n}
	}
	w := want[first]
	w.del = len(synth)
	want[first] = w
	check(rep.RunID, want)

	// 3. A new version: every 7th row has another taux de poursuite
	// d'études, and new rows are added.
	var b, changed, added []string
	for i, l := range a {
		if i%7 == 0 {
			f := strings.Split(l, ";")
			v, err := strconv.Atoi(f[lastCol])
			switch {
			case err != nil:
				f[lastCol] = "50"
			case v == 0:
				f[lastCol] = "1"
			default:
				f[lastCol] = strconv.Itoa(v - 1)
			}
			l = strings.Join(f, ";")
			changed = append(changed, l)
		}
		b = append(b, l)
	}
	for i, l := range data {
		if i%10 == 5 && i%3 == 0 {
			added = append(added, l)
			b = append(b, l)
		}
	}
	pathB := write("ij_region_b.csv", b)
	// A dry run says the same and leaves no note.
	dry, err := Run(ctx, pool, []string{pathB}, Options{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if got := notes(dryRunID); len(got) != 0 {
		t.Errorf("a dry run left notes: %v", got)
	}
	rep, err = Run(ctx, pool, []string{pathB}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if dry.Changes != rep.Changes {
		t.Errorf("dry run: %d changes, the run: %d", dry.Changes, rep.Changes)
	}
	want = map[string]triple{}
	for m, n := range count(changed) {
		want[m] = triple{mod: n}
	}
	for m, n := range count(added) {
		w := want[m]
		w.add = n
		want[m] = w
	}
	if len(changed) == 0 || len(added) == 0 {
		t.Fatalf("test data: %d changed, %d added rows", len(changed), len(added))
	}
	check(rep.RunID, want)

	// 4. The same file again: a run « sans changement », without notes.
	rep, err = Run(ctx, pool, []string{pathB}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Changed || rep.RunID == 0 {
		t.Fatalf("re-import: changed=%v run %d", rep.Changed, rep.RunID)
	}
	check(rep.RunID, map[string]triple{})

	// 5. A referential (no millésime): its notes carry the empty
	// millésime; one region renamed is one row modified.
	regions := fileLines(t, "ref_regions.csv")
	if rep, err = Run(ctx, pool, []string{demoPath("ref_regions.csv")}, Options{}); err != nil {
		t.Fatal(err)
	}
	var n triple
	if err := pool.QueryRow(ctx, `SELECT ajoutees, modifiees, supprimees FROM import_run_changes WHERE run_id = $1 AND table_name = 'regions' AND millesime = ''`,
		rep.RunID).Scan(&n.add, &n.mod, &n.del); err != nil || n != (triple{add: len(regions) - 1}) {
		t.Errorf("regions: %+v (%v), want %d added", n, err, len(regions)-1)
	}
	renamed := append([]string(nil), regions[1:]...)
	f := strings.Split(renamed[0], ";")
	f[0] += " (renommée)"
	renamed[0] = strings.Join(f, ";")
	p := filepath.Join(dir, "ref_regions.csv")
	if err := os.WriteFile(p, []byte(regions[0]+"\n"+strings.Join(renamed, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if rep, err = Run(ctx, pool, []string{p}, Options{}); err != nil {
		t.Fatal(err)
	}
	if err := pool.QueryRow(ctx, `SELECT ajoutees, modifiees, supprimees FROM import_run_changes WHERE run_id = $1 AND table_name = 'regions' AND millesime = ''`,
		rep.RunID).Scan(&n.add, &n.mod, &n.del); err != nil || n != (triple{mod: 1}) {
		t.Errorf("renamed region: %+v (%v), want 1 modified", n, err)
	}
}
