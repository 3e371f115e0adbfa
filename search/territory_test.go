package search_test

import (
	"context"
	"testing"

	"github.com/vitrine-inserjeunes/vitrine/search"
)

// TestTerritoryCards: a query naming a town gets its card first, with its
// département, académie and région and the number of indexed
// establishments there (counted here from the documents).
func TestTerritoryCards(t *testing.T) {
	ix := demoIndex(t)
	_, docs := demoStore(t)
	n := 0
	for _, d := range docs.docs {
		if d.Objet == search.KindEtablissement && d.Commune == "Rennes" {
			n++
		}
	}
	if n == 0 {
		t.Fatal("no establishment in Rennes in the demo documents")
	}
	res, err := ix.Search(context.Background(), search.Request{Q: "rennes"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Territoires) < 2 {
		t.Fatalf("cards %+v, want the commune and the académie", res.Territoires)
	}
	c := res.Territoires[0]
	if c.Key() != "commune:Rennes" || c.NbEtablissements != n || c.Departement == nil || c.Departement.Code != "035" ||
		c.Academie == nil || c.Academie.Code != "14" || c.Region == nil || c.Region.Code != "53" || c.URL != "" {
		t.Errorf("first card %+v, want the commune Rennes (035, académie 14, région 53) with %d establishments", c, n)
	}
	if a := res.Territoires[1]; a.Key() != "academie:14" || a.URL != "/academies/14" {
		t.Errorf("second card %+v, want the académie de Rennes", a)
	}
	// A filter or a later page shows no card; a formation query none.
	for _, r := range []search.Request{{Q: "rennes", Page: 2}, {Q: "rennes", Filters: search.Filters{Voie: "scolaire"}}, {Q: "bts mco"}} {
		res, err := ix.Search(context.Background(), r)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Territoires) > 0 {
			t.Errorf("%+v: cards %+v, want none", r, res.Territoires)
		}
	}
}

// TestTierOrder: on broad queries, no closed formation and no
// establishment without a shown figure comes before a current formation or
// an establishment with figures.
func TestTierOrder(t *testing.T) {
	ix := demoIndex(t)
	lows := 0
	for _, q := range []string{"cap", "bac pro", "lycee", "cfa", "coiffure", "rennes", "cuisine", "lycee professionnel"} {
		low, high := 0, 0
		res, err := ix.Search(context.Background(), search.Request{Q: q, Size: search.MaxPageSize})
		if err != nil {
			t.Fatal(err)
		}
		for i, h := range res.Resultats {
			if h.Tier() == "0" {
				low++
				continue
			}
			high++
			if low > 0 {
				t.Errorf("%q: result %d (%s) with figures after %d without", q, i+1, h.Title(), low)
				break
			}
		}
		t.Logf("%q: %d first-tier results, then %d", q, high, low)
		lows += low
	}
	if lows == 0 {
		t.Error("no second-tier result at all: the test checked nothing")
	}
}
