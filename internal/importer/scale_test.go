package importer

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
	"github.com/vitrine-inserjeunes/vitrine/internal/testdb"
)

// TestScaleImportable: vitrine gen --scale 3 on a real synthetic file
// writes two copies the importer loads without a reject, marked as
// demonstration data; the table then holds 3× the rows of the original,
// and each fake millésime holds, per (voie, code), the same row count and
// sums of counts as the original millésime it was copied from.
func TestScaleImportable(t *testing.T) {
	pool := testdb.Pool(t, "importer_scale")
	ctx := context.Background()
	src := filepath.Join(demoDir, "synthetic", "ij_uai_formation_2021_2022.csv.gz")
	out := t.TempDir()
	files, err := Scale([]string{src}, out, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 {
		t.Fatalf("%d files written, want 2", len(files))
	}
	orig, err := Run(ctx, pool, []string{src}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	paths := []string{files[0].Path, files[1].Path}
	rep, err := Run(ctx, pool, paths, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := orig.Files[0].Loaded
	if want < 1000 {
		t.Fatalf("original: %d rows loaded", want)
	}
	shifted := map[string]bool{}
	for i, f := range rep.Files {
		if f.Rejected != 0 || f.Loaded != want || !f.Synthetic || f.Format != fmtUAIFormation.Kind {
			t.Errorf("%s: loaded %d (want %d), rejected %d, synthetic %v, format %s", f.Name, f.Loaded, want, f.Rejected, f.Synthetic, f.Format)
		}
		if !strings.Contains(f.Name, "synthetic") || len(f.Millesimes) != 1 || f.Millesimes[0] == "2021_2022" {
			t.Errorf("%s: millésimes %v", f.Name, f.Millesimes)
		}
		if len(f.Millesimes) == 1 {
			shifted[f.Millesimes[0]] = true
		}
		if files[i].Rows != orig.Files[0].Read {
			t.Errorf("%s: %d rows written, the original has %d", files[i].Path, files[i].Rows, orig.Files[0].Read)
		}
	}
	if len(shifted) != 2 {
		t.Fatalf("fake millésimes %v, want two distinct ones", shifted)
	}
	var total int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM ij_uai_formation`).Scan(&total); err != nil {
		t.Fatal(err)
	}
	if total != 3*want {
		t.Errorf("%d rows in ij_uai_formation, want 3 × %d", total, want)
	}
	// Per (voie, code): rows and sums of counts, in the original and each copy.
	sums := func(mill string) map[string]string {
		t.Helper()
		rows, err := pool.Query(ctx, `SELECT voie || ' ' || code, count(*) || '/' || coalesce(sum(nb_annee_term), 0) || '/' || coalesce(sum(nb_sortant), 0)
			|| '/' || coalesce(sum(nb_en_emploi_6_mois), 0) || '/' || coalesce(sum(nb_poursuite_etudes), 0)
			FROM ij_uai_formation WHERE millesime = $1 GROUP BY 1`, mill)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		out := map[string]string{}
		for rows.Next() {
			var k, v string
			if err := rows.Scan(&k, &v); err != nil {
				t.Fatal(err)
			}
			out[k] = v
		}
		return out
	}
	base := sums("2021_2022")
	if len(base) < 100 {
		t.Fatalf("only %d (voie, code) in the original", len(base))
	}
	for m := range shifted {
		if _, err := model.ParseMillesime(m); err != nil {
			t.Errorf("fake millésime %q: %v", m, err)
		}
		got := sums(m)
		if len(got) != len(base) {
			t.Errorf("%s: %d (voie, code), the original %d", m, len(got), len(base))
		}
		bad := 0
		for k, v := range base {
			if got[k] != v {
				bad++
				if bad <= 3 {
					t.Errorf("%s %s: %q, original %q", m, k, got[k], v)
				}
			}
		}
	}
	// Every copy's rows come from a demonstration file.
	var real int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM ij_uai_formation t JOIN import_files f ON f.id = t.file_id WHERE NOT f.synthetic`).Scan(&real); err != nil || real != 0 {
		t.Errorf("%d rows from non-demonstration files (%v)", real, err)
	}
}

// TestScaleRefuses: a factor below 1, a factor that would push the fake
// millésimes before 1990, and a file of another format are refused in
// French, writing nothing.
func TestScaleRefuses(t *testing.T) {
	src := filepath.Join(demoDir, "synthetic", "ij_uai_formation_2021_2022.csv.gz")
	for _, c := range []struct {
		src  string
		n    int
		want string
	}{
		{src, 0, "un facteur entier d'au moins 1"},
		{src, 40, "trop grand : les millésimes fictifs commenceraient avant 1990"},
		{demoPath("ref_regions.csv"), 2, "seuls les fichiers établissement × formation"},
	} {
		out := t.TempDir()
		files, err := Scale([]string{c.src}, out, c.n)
		if err == nil || !strings.Contains(err.Error(), c.want) || len(files) != 0 {
			t.Errorf("Scale(%s, %d): %v, %d files; want %q", filepath.Base(c.src), c.n, err, len(files), c.want)
		}
		if ents, _ := filepath.Glob(filepath.Join(out, "*")); len(ents) != 0 {
			t.Errorf("Scale(%s, %d) wrote %v", filepath.Base(c.src), c.n, ents)
		}
	}
}

// TestScaleRegional: the région × formation file is copied with the
// establishment × formation files (gen's default sources), at the same
// shift: each fake millésime then has its regional rows, the same as the
// original millésime's, from a demonstration file, so no page rebuilds
// régions from establishments for it.
func TestScaleRegional(t *testing.T) {
	pool := testdb.Pool(t, "importer_scale_regional")
	ctx := context.Background()
	etab := filepath.Join(demoDir, "synthetic", "ij_uai_formation_2021_2022.csv.gz")
	reg := filepath.Join(demoDir, "ij_api_region_formation_2019-2022.csv.gz")
	srcs, err := ScaleSources(demoDir)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(srcs, reg) {
		t.Fatalf("sources du dossier démo %v : le fichier région × formation manque", srcs)
	}
	out := t.TempDir()
	files, err := Scale([]string{etab, reg}, out, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 || files[0].Shift != files[1].Shift {
		t.Fatalf("copies %+v : deux copies au même décalage attendues", files)
	}
	if _, err := Run(ctx, pool, []string{etab, reg}, Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := Run(ctx, pool, []string{files[0].Path, files[1].Path}, Options{}); err != nil {
		t.Fatal(err)
	}
	fake, err := model.ParseMillesime("2021_2022")
	if err != nil {
		t.Fatal(err)
	}
	fakeMill := shiftYears(fake.String(), files[0].Shift)
	var origRows, fakeRows, diff, real int
	q := `SELECT count(*) FROM ij_region_formation WHERE millesime = $1`
	if err := pool.QueryRow(ctx, q, "2021_2022").Scan(&origRows); err != nil {
		t.Fatal(err)
	}
	if err := pool.QueryRow(ctx, q, fakeMill).Scan(&fakeRows); err != nil {
		t.Fatal(err)
	}
	if origRows < 1000 || fakeRows != origRows {
		t.Fatalf("lignes régionales : %d au millésime d'origine, %d au millésime fictif %s", origRows, fakeRows, fakeMill)
	}
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM ij_region_formation o
		LEFT JOIN ij_region_formation c ON c.millesime = $2 AND c.region = o.region AND c.voie = o.voie AND c.code = o.code
		WHERE o.millesime = $1 AND (c.code IS NULL OR c.nb_annee_term IS DISTINCT FROM o.nb_annee_term OR c.nb_en_emploi_6_mois IS DISTINCT FROM o.nb_en_emploi_6_mois
		  OR c.taux_emploi_6_mois IS DISTINCT FROM o.taux_emploi_6_mois)`, "2021_2022", fakeMill).Scan(&diff); err != nil {
		t.Fatal(err)
	}
	if diff != 0 {
		t.Errorf("%d lignes régionales du millésime fictif diffèrent de l'original", diff)
	}
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM ij_region_formation t JOIN import_files f ON f.id = t.file_id WHERE t.millesime = $1 AND NOT f.synthetic`, fakeMill).Scan(&real); err != nil || real != 0 {
		t.Errorf("%d lignes régionales fictives d'un fichier réel (%v)", real, err)
	}
	// Every establishment key of the fake millésime has its regional row.
	var orphan int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM (SELECT DISTINCT millesime, region, voie, code FROM ij_uai_formation WHERE millesime = $1 AND region IS NOT NULL
		EXCEPT SELECT millesime, region, voie, code FROM ij_region_formation) k`, fakeMill).Scan(&orphan); err != nil {
		t.Fatal(err)
	}
	var origOrphan int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM (SELECT DISTINCT millesime, region, voie, code FROM ij_uai_formation WHERE millesime = '2021_2022' AND region IS NOT NULL
		EXCEPT SELECT millesime, region, voie, code FROM ij_region_formation) k`).Scan(&origOrphan); err != nil {
		t.Fatal(err)
	}
	if orphan != origOrphan {
		t.Errorf("clés établissement sans ligne régionale : %d au millésime fictif, %d à l'original", orphan, origOrphan)
	}
}
