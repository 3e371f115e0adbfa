package importer

import (
	"context"
	"strings"
	"testing"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// TestFamillesRealFile reads every row of the real §E5 file back from the
// table: same famille, specialty and codes, the slug of the famille.
func TestFamillesRealFile(t *testing.T) {
	pool, _ := demoPool(t)
	ctx := context.Background()
	ls := fileLines(t, "familles_metiers_2nde_commune.csv")
	if len(ls) != 91 {
		t.Fatalf("%d lines in the file, want 91 (header and 90 rows)", len(ls))
	}
	for _, l := range ls[1:] {
		f := strings.Split(l, ";")
		var famille, specialite, slug, mefC, cfdC, mefS, min string
		err := pool.QueryRow(ctx, `SELECT famille, specialite, slug, mefstat11_commun, cfd_commun, mefstat11_specialite, ministere
			FROM familles_metiers WHERE cfd_specialite = $1`, f[5]).Scan(&famille, &specialite, &slug, &mefC, &cfdC, &mefS, &min)
		if err != nil {
			t.Errorf("%s: %v", f[5], err)
			continue
		}
		got := []string{famille, specialite, mefC, cfdC, mefS, min}
		want := []string{f[0], f[1], f[2], f[3], f[4], f[6]}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%s: column %d = %q, file %q", f[5], i, got[i], want[i])
			}
		}
		if slug != model.FamilleSlug(f[0]) {
			t.Errorf("%s: slug %q", f[5], slug)
		}
	}
}

// TestFamillesRejects: each rule refuses its row with a French reason
// naming the column.
func TestFamillesRejects(t *testing.T) {
	dir := t.TempDir()
	const h = "\ufeffFAMILLE;SPECIALITE;MEFSTAT11_COMMUN;CFD_COMMUN;MEFSTAT11_SPECIALITE;CFD_SPECIALITE;CODE_MINISTERE_TUTELLE"
	const good = "Métiers de la mer;Conduite et gestion des entreprises maritimes;23810020007;40020007;23830020107;40020107;28"
	tests := []rejectCase{
		{"good row", "familles.csv", []string{h, good}, "", ""},
		{"empty famille", "familles.csv", []string{h, ";Travaux publics;23810020006;40020006;23830023102;40023102;06"}, "FAMILLE", "famille de métiers vide"},
		{"empty specialty", "familles.csv", []string{h, "Métiers de la mer;;23810020007;40020007;23830020107;40020107;28"}, "SPECIALITE", "spécialité vide"},
		{"bad MEFSTAT11", "familles.csv", []string{h, "Métiers de la mer;X;2381002000;40020007;23830020107;40020107;28"}, "MEFSTAT11_COMMUN", "MEFSTAT11"},
		{"bad CFD", "familles.csv", []string{h, "Métiers de la mer;X;23810020007;40020007;23830020107;4002010;28"}, "CFD_SPECIALITE", "CFD"},
		{"bad ministry", "familles.csv", []string{h, "Métiers de la mer;X;23810020007;40020007;23830020107;40020107;6"}, "CODE_MINISTERE_TUTELLE", "2 chiffres"},
		{"specialty is the common 2nde", "familles.csv", []string{h, "Métiers de la mer;X;23810020007;40020007;23810020007;40020007;28"}, "CFD_SPECIALITE", "même CFD"},
		{"duplicate specialty", "familles.csv", []string{h, good, good}, "cfd_specialite", "clé en double"},
	}
	checkRejects(t, dir, "familles_metiers", tests)
}
