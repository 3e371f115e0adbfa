package store_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vitrine-inserjeunes/vitrine/internal/importer"
	"github.com/vitrine-inserjeunes/vitrine/internal/store"
	"github.com/vitrine-inserjeunes/vitrine/internal/testdb"
)

// writeSubset writes the header and the first n rows of voie voie of a
// gzipped synthetic file to dir/name, as a plain (real) file would be.
func writeSubset(t *testing.T, src, dir, name, voie string, n int) string {
	t.Helper()
	sc := bufio.NewScanner(bytes.NewReader(testdb.ReadGzip(t, src)))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var b strings.Builder
	sc.Scan()
	b.WriteString(sc.Text() + "\n")
	for k := 0; k < n && sc.Scan(); {
		if strings.Contains(sc.Text(), ";"+voie+";") {
			b.WriteString(sc.Text() + "\n")
			k++
		}
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func counts(t *testing.T, st *store.Store) (synSco, realSco, synApp int) {
	t.Helper()
	err := st.Pool().QueryRow(context.Background(), `SELECT
  count(*) FILTER (WHERE f.synthetic AND u.voie = 'scolaire'),
  count(*) FILTER (WHERE NOT f.synthetic AND u.voie = 'scolaire'),
  count(*) FILTER (WHERE f.synthetic AND u.voie = 'apprentissage')
FROM ij_uai_formation u JOIN import_files f ON f.id = u.file_id WHERE u.millesime = '2021_2022'`).Scan(&synSco, &realSco, &synApp)
	if err != nil {
		t.Fatal(err)
	}
	return
}

func checksOf(rep *importer.Report) string {
	var b []string
	for _, f := range rep.Files {
		b = append(b, f.Checks...)
	}
	return strings.Join(b, "\n")
}

// Real files imported later replace the synthetic ones cleanly: a real
// file for (millésime, voie) removes every synthetic row of that scope,
// and a synthetic file imported afterwards never writes into it.
func TestRealReplacesSynthetic(t *testing.T) {
	ctx := context.Background()
	pool := testdb.Pool(t, "formations_replace")
	st := store.New(pool)
	syn := "../../testdata/demo/synthetic/ij_uai_formation_2021_2022.csv.gz"
	rep, err := importer.Run(ctx, pool, []string{syn}, importer.Options{Synthetic: true})
	if err != nil {
		t.Fatal(err)
	}
	// The file's own rows per voie (column 6), read independently.
	wantSco, wantApp := 0, 0
	for i, l := range strings.Split(string(testdb.ReadGzip(t, syn)), "\n") {
		if c := strings.Split(l, ";"); i > 0 && len(c) > 5 {
			switch c[5] {
			case "scolaire":
				wantSco++
			case "apprentissage":
				wantApp++
			}
		}
	}
	if wantSco == 0 || wantApp == 0 {
		t.Fatalf("file read: %d scolaire, %d apprentissage rows", wantSco, wantApp)
	}
	if s, r, a := counts(t, st); s != wantSco || r != 0 || a != wantApp {
		t.Fatalf("after the synthetic import: %d synthetic scolaire, %d real, %d synthetic apprentissage", s, r, a)
	}
	if ok, err := st.HasSynthetic(ctx); err != nil || !ok {
		t.Fatalf("HasSynthetic = %v, %v", ok, err)
	}
	version := func() int64 {
		v, err := st.DataVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if v := version(); !rep.Changed || v != rep.RunID {
		t.Errorf("first import: changed %v, data version %d, want run %d", rep.Changed, v, rep.RunID)
	}
	// A "real" file: 100 scolaire rows (same layout, not marked synthetic).
	dir := t.TempDir()
	real := writeSubset(t, syn, dir, "ij_uai_formation_depp_2021_2022.csv", "scolaire", 100)
	if rep, err = importer.Run(ctx, pool, []string{real}, importer.Options{}); err != nil {
		t.Fatal(err)
	}
	if s, r, a := counts(t, st); s != 0 || r != 100 || a != wantApp {
		t.Errorf("after the real scolaire file: %d synthetic scolaire (want 0), %d real (want 100), %d synthetic apprentissage (want %d)", s, r, a, wantApp)
	}
	if !strings.Contains(checksOf(rep), fmt.Sprintf("ij_uai_formation : %d ligne(s) de démonstration supprimée(s)", wantSco)) {
		t.Errorf("report = %q", checksOf(rep))
	}
	if v := version(); !rep.Changed || rep.Changes < int64(wantSco+100) || v != rep.RunID {
		t.Errorf("real file: changed %v, %d changes (want ≥ %d: the deleted demonstration rows count), data version %d, want run %d", rep.Changed, rep.Changes, wantSco+100, v, rep.RunID)
	}
	realVersion := version()
	// The synthetic file again: its scolaire rows are skipped, never overwrite.
	if rep, err = importer.Run(ctx, pool, []string{syn}, importer.Options{Synthetic: true}); err != nil {
		t.Fatal(err)
	}
	if s, r, a := counts(t, st); s != 0 || r != 100 || a != wantApp {
		t.Errorf("after re-importing the synthetic file: %d synthetic scolaire, %d real, %d synthetic apprentissage", s, r, a)
	}
	if !strings.Contains(checksOf(rep), fmt.Sprintf("%d ligne(s) de démonstration ignorée(s)", wantSco)) {
		t.Errorf("report = %q", checksOf(rep))
	}
	if v := version(); rep.Changed || v != realVersion {
		t.Errorf("the synthetic file again changes nothing: changed %v, data version %d, want %d", rep.Changed, v, realVersion)
	}
	// Real apprentissage too: no synthetic figure is left, the notice goes.
	realApp := writeSubset(t, syn, dir, "ij_uai_formation_depp_app_2021_2022.csv", "apprentissage", 10)
	if _, err = importer.Run(ctx, pool, []string{realApp}, importer.Options{}); err != nil {
		t.Fatal(err)
	}
	if s, r, a := counts(t, st); s != 0 || r != 100 || a != 0 {
		t.Errorf("after the real apprentissage file: %d, %d, %d synthetic apprentissage (want 0)", s, r, a)
	}
	if ok, err := st.HasSynthetic(ctx); err != nil || ok {
		t.Errorf("HasSynthetic = %v, %v after every synthetic row was replaced", ok, err)
	}
}
