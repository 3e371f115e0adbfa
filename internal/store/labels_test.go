package store_test

import (
	"context"
	"strings"
	"testing"
)

// TestReadableLabelsDemo: on the demo data, a formation's label is the
// readable one and libelle_bcn keeps the BCN's; levels are readable; the
// coverage of each path is reported.
func TestReadableLabelsDemo(t *testing.T) {
	s := demoStore(t)
	ctx := context.Background()
	for _, c := range []struct{ code, libelle, bcn, niveau string }{
		{"50022146", "Cuisine (CAP)", "CUISINE (CAP)", "CAP"},
		{"32031213", "Management commercial opérationnel (BTS)", "MANAGEMENT COMMERCIAL OPERATIONNEL (BTS)", "BTS"},
		{"56T31201", "Employé commercial (TP)", "EMPLOYE COMMERCIAL (TP)", "Titre professionnel (TP de niveau 3)"},
	} {
		f, err := s.Formation(ctx, c.code)
		if err != nil {
			t.Fatal(err)
		}
		if f.Libelle != c.libelle || f.LibelleBCN != c.bcn || f.Niveau != c.niveau {
			t.Errorf("%s: libelle %q, libelle_bcn %q, niveau %q; want %q, %q, %q", c.code, f.Libelle, f.LibelleBCN, f.Niveau, c.libelle, c.bcn, c.niveau)
		}
	}
	cov, err := s.LabelCoverage(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if cov.Formations == 0 || cov.CertifInfo+cov.Lexique+cov.Inchanges != cov.Formations || cov.CertifInfo == 0 || cov.AvecMetier == 0 {
		t.Errorf("coverage %+v", cov)
	}
	pct := func(n int) float64 { return 100 * float64(n) / float64(cov.Formations) }
	t.Logf("IJ formations: %d; Certif Info %d (%.1f %%), lexicon %d (%.1f %%), unchanged %d; with a métier %d (%.1f %%)",
		cov.Formations, cov.CertifInfo, pct(cov.CertifInfo), cov.Lexique, pct(cov.Lexique), cov.Inchanges, cov.AvecMetier, pct(cov.AvecMetier))
}

// TestMetiersDemo: the métiers of a bac pro come from its Certif Info ROME
// codes with the fiche labels; a CFD Certif Info lacks says so.
func TestMetiersDemo(t *testing.T) {
	s := demoStore(t)
	ctx := context.Background()
	fm, err := s.Metiers(ctx, "40020002") // Bac pro étude et définition de produits industriels, Code_Rome_1 H1404 (SOURCES.md §E1)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, m := range fm.Metiers {
		if m.CodeROME == "H1404" {
			found = true
			if m.Libelle == "" || m.Domaine == "" {
				t.Errorf("H1404: %+v", m)
			}
		}
	}
	if !found || !fm.CertifInfo || fm.Onisep != "FOR.1094" || !strings.HasSuffix(fm.OnisepURL, "FOR.1094") {
		t.Errorf("40020002: %+v", fm)
	}
	none, err := s.Metiers(ctx, "32031210") // NEGOCIATION ET RELATION CLIENT (BTS), closed, not in Certif Info
	if err != nil {
		t.Fatal(err)
	}
	if none.CertifInfo || len(none.Metiers) != 0 {
		t.Errorf("32031210: %+v, want nothing", none)
	}
}

// TestCommuneFromLabel: CFAs of Ille-et-Vilaine that neither the annuaire
// nor ACCE list get the commune their InserJeunes label ends with, when it
// is a commune the annuaire knows in the département; a label ending with
// no commune gets none.
func TestCommuneFromLabel(t *testing.T) {
	s := demoStore(t)
	ctx := context.Background()
	for uai, want := range map[string]string{
		"0353031E": "Saint-Malo", // « CFA Formation Avenir professionnel - Saint-Malo »
		"0352947N": "Le Rheu",    // « OF - CFA CLPS Le Rheu »
		"0352495X": "Combourg",   // « CPSA de Combourg »
		"0351884H": "",           // « CFA de la CCI d'Ille-et-Vilaine Faculté des métiers »
	} {
		et, err := s.Etablissement(ctx, uai)
		if err != nil {
			t.Fatal(err)
		}
		if et.Commune != want {
			t.Errorf("%s %q: commune %q, want %q", uai, et.Nom, et.Commune, want)
		}
	}
}
