package search_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/vitrine-inserjeunes/vitrine/search"
)

// relevance is the relevance table: each query of a visitor, on the demo
// data, with the page its first result must be. redirect marks the queries
// that are a code, which go straight to the page.
var relevance = []struct {
	q        string
	want     string
	redirect bool
	why      string
}{
	// Names, with and without accents, any case.
	{"lycee alexandre berard", "/etablissements/0010001W", false, "name without accents"},
	{"Lycée professionnel Alexandre Bérard", "/etablissements/0010001W", false, "name with accents"},
	{"LYCÉE ALEXANDRE BÉRARD", "/etablissements/0010001W", false, "upper case"},
	{"alexandre bera", "/etablissements/0010001W", false, "last word still being typed"},
	{"Maison familiale rurale de Baulon", "/etablissements/0352027N", false, "stop words"},
	{"lycée hôtelier Sainte-Thérèse", "/etablissements/0352446U", false, "hyphenated saint name"},
	{"Sète", "/etablissements/0341024D", false, "accented town in the name"},
	{"sete", "/etablissements/0341024D", false, "Sète must match sete"},
	{"cfa sete", "/etablissements/0341024D", false, "type word and town"},
	// Communes (from the referentials: the names do not say them).
	{"tinteniac", "/etablissements/0350050P", false, "commune without accent"},
	{"Tinténiac", "/etablissements/0350050P", false, "commune with accent"},
	{"valserhone", "/etablissements/0010006B", false, "commune of the ACCE extract"},
	{"lycee professionnel vitre", "/etablissements/0350709F", false, "type and commune"},
	{"pelle dol de bretagne", "/etablissements/0350009V", false, "name and hyphenated commune"},
	{"lycee amberieu", "/etablissements/0010001W", false, "commune prefix-free match"},
	// Codes.
	{"0010001W", "/etablissements/0010001W", true, "UAI"},
	{" 0350050p ", "/etablissements/0350050P", true, "UAI in lower case with spaces"},
	{"40030004", "/formations/40030004", true, "CFD"},
	{"23830022106", "/formations/40022106", true, "MEFSTAT11 → its CFD"},
	{"32221025520", "/formations/32025520", true, "MEFSTAT11 of a BTS"},
	// Formations.
	{"cap boulanger", "/formations/50022137", false, "level and label, open diploma before the closed one"},
	{"bac pro cuisine", "/formations/40022106", false, "level and label"},
	{"cap cuisine", "/formations/50022146", false, "the current CAP (2024) before the one it replaces, same label"},
	{"électrotechnique bts", "/formations/32025520", false, "accent in the query, none in BCN"},
	{"metiers de la coiffure cap", "/formations/50033616", false, "plural and stop words"},
	// Typos (words of 5 letters or more tolerate one).
	{"lycee alexandre berrard", "/etablissements/0010001W", false, "typo in a name"},
	{"tinteniak", "/etablissements/0350050P", false, "typo in a commune"},
	{"bac pro cuisne", "/formations/40022106", false, "typo in a label"},
	{"electrotechnque bts", "/formations/32025520", false, "missing letter"},
	// Old diploma labels (continuum): the current diploma answers.
	{"industries de procedes bac pro", "/formations/40022004", false, "old label of PROCEDES DE LA CHIMIE…"},
	{"tailleur dame cap", "/formations/50024241", false, "old label TAILLEUR DAME (CAP)"},
	{"expression visuelle espaces de communication", "/formations/32032105", false, "old BTS label"},
	// Issue 9: current formations rank above closed ones, so the closed
	// GESTION-ADMINISTRATION (which has figures of its own) comes second,
	// after AGOrA that replaced it (TestClosedAfterSuccessor).
	{"gestion administration bac pro", "/formations/40030004", false, "the current diploma before the closed one it replaced"},
}

func TestRelevance(t *testing.T) {
	ix := demoIndex(t)
	ctx := context.Background()
	if len(relevance) < 25 {
		t.Fatalf("la table de pertinence doit compter au moins 25 requêtes, elle en a %d", len(relevance))
	}
	for _, c := range relevance {
		t.Run(c.q, func(t *testing.T) {
			res, err := ix.Search(ctx, search.Request{Q: c.q})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Resultats) == 0 {
				t.Fatalf("%s : aucun résultat, attendu %s", c.why, c.want)
			}
			if got := res.Resultats[0].URL; got != c.want {
				t.Errorf("%s : premier résultat %s (%s), attendu %s\n%s", c.why, got, res.Resultats[0].Title(), c.want, top(res, 5))
			}
			if got := res.Redirection != ""; got != c.redirect {
				t.Errorf("%s : redirection %q, attendue : %v", c.why, res.Redirection, c.redirect)
			}
			if c.redirect && res.Redirection != c.want {
				t.Errorf("%s : redirection vers %q, attendue %q", c.why, res.Redirection, c.want)
			}
		})
	}
}

// TestClosedAfterSuccessor: a closed diploma typed by its name still
// comes right after the diploma that replaced it.
func TestClosedAfterSuccessor(t *testing.T) {
	ix := demoIndex(t)
	res, err := ix.Search(context.Background(), search.Request{Q: "gestion administration bac pro"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Resultats) < 2 || res.Resultats[1].URL != "/formations/40030001" || !res.Resultats[1].FormationFermee {
		t.Errorf("second result is not the closed GESTION-ADMINISTRATION:\n%s", top(res, 3))
	}
}

func top(res *search.Result, n int) string {
	var b strings.Builder
	for i, h := range res.Resultats {
		if i == n {
			break
		}
		fmt.Fprintf(&b, "   %d. %.3f %s %s\n", i+1, h.Score, h.URL, h.Title())
	}
	return b.String()
}
