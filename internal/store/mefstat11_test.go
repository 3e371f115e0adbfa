package store_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"golang.org/x/sync/errgroup"

	"github.com/vitrine-inserjeunes/vitrine/internal/importer"
	"github.com/vitrine-inserjeunes/vitrine/internal/model"
	"github.com/vitrine-inserjeunes/vitrine/internal/store"
	"github.com/vitrine-inserjeunes/vitrine/internal/testdb"
)

// TestMEFSTAT11ToCFD: every read path maps a MEFSTAT11 to the same CFD,
// the one of the view mefstat11_cfd (migration 00005: terminal year first,
// then the smallest MEF), on every MEFSTAT11 of the demo BCN. The four
// former call sites (formation scope, codeLabels, the two search document
// queries) once disagreed on 32710013401. The database holds the demo BCN
// files and one establishment × formation row per MEFSTAT11, each at an
// establishment of its own, without CFD (as the voie scolaire files write
// them), so that the search documents show which CFD each row went to.
func TestMEFSTAT11ToCFD(t *testing.T) {
	ctx := context.Background()
	pool := testdb.Pool(t, "mefstat11")
	files, err := filepath.Glob("../../testdata/demo/bcn_*.csv.gz")
	if err != nil || len(files) == 0 {
		t.Fatalf("BCN files: %v %v", files, err)
	}
	if _, err := importer.Run(ctx, pool, files, importer.Options{}); err != nil {
		t.Fatal(err)
	}
	st := store.New(pool)

	// The rule, computed here from N_MEF.
	type mefRow struct {
		mef, cfd     string
		annee, duree *int
	}
	rows, err := pool.Query(ctx, `SELECT mefstat11, mef, cfd, annee, duree FROM bcn_mefs WHERE mefstat11 IS NOT NULL AND cfd IS NOT NULL`)
	if err != nil {
		t.Fatal(err)
	}
	byMEF := map[string][]mefRow{}
	for rows.Next() {
		var m string
		var r mefRow
		if err := rows.Scan(&m, &r.mef, &r.cfd, &r.annee, &r.duree); err != nil {
			t.Fatal(err)
		}
		byMEF[m] = append(byMEF[m], r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	var mefs []string
	ambiguous := 0
	for m, rs := range byMEF {
		terminal := func(r mefRow) bool { return r.annee != nil && r.duree != nil && *r.annee == *r.duree }
		sort.Slice(rs, func(i, j int) bool {
			if ti, tj := terminal(rs[i]), terminal(rs[j]); ti != tj {
				return ti
			}
			return rs[i].mef < rs[j].mef
		})
		want[m] = rs[0].cfd
		mefs = append(mefs, m)
		for _, r := range rs[1:] {
			if r.cfd != rs[0].cfd {
				ambiguous++
				break
			}
		}
	}
	sort.Strings(mefs)
	if len(mefs) < 10000 || ambiguous == 0 {
		t.Fatalf("%d MEFSTAT11s, %d with several CFDs: the demo BCN is not what this test expects", len(mefs), ambiguous)
	}
	if want["32710013401"] != "32113401" {
		t.Fatalf("32710013401 → %s, want 32113401 (MEF 3171340131 before 4181340131, neither terminal)", want["32710013401"])
	}
	check := func(site string, got map[string]string) {
		t.Helper()
		bad := 0
		for _, m := range mefs {
			if got[m] != want[m] {
				if bad++; bad <= 5 {
					t.Errorf("%s: %s → %q, want %q", site, m, got[m], want[m])
				}
			}
		}
	}

	// The view.
	view := map[string]string{}
	vrows, err := pool.Query(ctx, `SELECT mefstat11, cfd FROM mefstat11_cfd`)
	if err != nil {
		t.Fatal(err)
	}
	for vrows.Next() {
		var m, c string
		if err := vrows.Scan(&m, &c); err != nil {
			t.Fatal(err)
		}
		view[m] = c
	}
	check("view mefstat11_cfd", view)

	// codeLabels (région, académie, establishment formations).
	labels, err := st.CFDsOfCodes(ctx, mefs)
	if err != nil {
		t.Fatal(err)
	}
	check("codeLabels", labels)

	// The formation scope (formation and establishment × formation pages).
	scope := make(map[string]string, len(mefs))
	got := make([]string, len(mefs))
	placeholders := make([]bool, len(mefs))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	for i, m := range mefs {
		g.Go(func() error {
			f, err := st.Formation(gctx, m)
			got[i] = f.CFD
			var nf *model.NotFoundError
			if errors.As(err, &nf) && strings.Contains(nf.Message, "réservé par la BCN") {
				// A BCN placeholder (« SPECIALITE NON SPECIFIEE ») has no
				// page; its CFD is checked by the other paths.
				got[i], placeholders[i] = view[m], true
				return nil
			}
			return err
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	nph := 0
	for i, m := range mefs {
		scope[m] = got[i]
		if placeholders[i] {
			nph++
		}
	}
	if nph == len(mefs) {
		t.Fatal("every MEFSTAT11 was a placeholder: the scope was not checked")
	}
	check("Formation (scope)", scope)

	// The search documents: one figure row per MEFSTAT11, at establishment
	// T<n>, keyed by the MEFSTAT11 alone.
	if _, err := pool.Exec(ctx, `
INSERT INTO ij_uai_formation (uai, millesime, voie, code, source, precedence, millesime_label, mefstat11, file_id)
SELECT 'T' || lpad(n::text, 7, '0'), '2021_2022', 'scolaire', m, 'test', 0, '2021_2022', m, 0
FROM unnest($1::text[]) WITH ORDINALITY AS u(m, n)`, mefs); err != nil {
		t.Fatal(err)
	}
	uaiOf := func(i int) string { return fmt.Sprintf("T%07d", i+1) }
	perCFD := map[string]int{}
	for _, m := range mefs {
		perCFD[want[m]]++
	}
	// Establishments: each has one formation, the one its row maps to;
	// its level is that CFD's, as the page of the CFD itself shows it
	// (readable level, model.ReadableNiveau).
	// One Formation call per level code (the labels depend on the level).
	niveau := map[string]string{}
	byLevel := map[string]string{} // level code → its label
	nrows, err := pool.Query(ctx, `SELECT f.cfd, f.niveau FROM bcn_formations f WHERE f.cfd = ANY($1) AND f.niveau IS NOT NULL`, slices.Collect(maps.Keys(perCFD)))
	if err != nil {
		t.Fatal(err)
	}
	levelOf := map[string]string{}
	for nrows.Next() {
		var c, n string
		if err := nrows.Scan(&c, &n); err != nil {
			t.Fatal(err)
		}
		levelOf[c] = n
	}
	for c, n := range levelOf {
		if _, ok := byLevel[n]; !ok {
			f, err := st.Formation(ctx, c)
			if err != nil {
				t.Fatal(err)
			}
			byLevel[n] = f.Niveau
		}
		niveau[c] = byLevel[n]
	}
	etabs := map[string]model.SearchEtablissement{}
	if err := st.SearchEtablissements(ctx, func(e model.SearchEtablissement) error { etabs[e.UAI] = e; return nil }); err != nil {
		t.Fatal(err)
	}
	bad := 0
	for i, m := range mefs {
		e := etabs[uaiOf(i)]
		if e.Formations != 1 || strings.Join(e.Niveaux, ",") != niveau[want[m]] {
			if bad++; bad <= 5 {
				t.Errorf("search establishment %s (row %s): %d formations, levels %v, want 1 formation of level %q (CFD %s)",
					e.UAI, m, e.Formations, e.Niveaux, niveau[want[m]], want[m])
			}
		}
	}
	// Formations: the document of a CFD counts the establishments whose
	// row maps to it.
	docs := map[string]model.SearchFormation{}
	if err := st.SearchFormations(ctx, func(f model.SearchFormation) error { docs[f.CFD] = f; return nil }); err != nil {
		t.Fatal(err)
	}
	for c, n := range perCFD {
		if d, ok := docs[c]; !ok || d.Etablissements != n {
			t.Errorf("search formation %s: %d establishments (found %v), want %d", c, d.Etablissements, ok, n)
		}
	}
}
