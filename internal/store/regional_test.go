package store_test

import (
	"context"
	"testing"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// TestRegionalHeadline: per voie, the régions of the home map split the
// rows the national headline sums: same millésime, and their components
// and learners add up to the national ones.
func TestRegionalHeadline(t *testing.T) {
	s := demoStore(t)
	ctx := context.Background()
	nat, err := s.NationalHeadline(ctx)
	if err != nil {
		t.Fatal(err)
	}
	reg, err := s.RegionalHeadline(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(nat) == 0 || len(reg) == 0 {
		t.Fatalf("%d national, %d regional figures", len(nat), len(reg))
	}
	for _, n := range nat {
		comp, term, regions := 0, 0, map[string]bool{}
		for _, r := range reg {
			if r.Voie != n.Voie {
				continue
			}
			if r.Millesime != n.Millesime {
				t.Errorf("%s %s: millésime %s, national %s", r.Voie, r.Region.Code, r.Millesime, n.Millesime)
			}
			if _, ok := model.RegionByCode(r.Region.Code); !ok || r.Region.Nom == "" {
				t.Errorf("%s: région %+v unknown", r.Voie, r.Region)
			}
			if regions[r.Region.Code] {
				t.Errorf("%s: région %s twice", r.Voie, r.Region.Code)
			}
			regions[r.Region.Code] = true
			if r.Agregat.Perimetre != model.PerimetreRegion {
				t.Errorf("%s %s: périmètre %q", r.Voie, r.Region.Code, r.Agregat.Perimetre)
			}
			comp += r.Agregat.Composantes
			term += r.Agregat.NbAnneeTermTotal
		}
		if len(regions) < 10 {
			t.Errorf("%s: %d régions", n.Voie, len(regions))
		}
		if comp != n.Agregat.Composantes || term != n.Agregat.NbAnneeTermTotal {
			t.Errorf("%s: régions sum %d components and %d learners, national %d and %d", n.Voie, comp, term, n.Agregat.Composantes, n.Agregat.NbAnneeTermTotal)
		}
	}
	// voies in their order, régions in code order within a voie
	for i := 1; i < len(reg); i++ {
		a, b := reg[i-1], reg[i]
		if model.VoieOrder(a.Voie) > model.VoieOrder(b.Voie) || a.Voie == b.Voie && a.Region.Code >= b.Region.Code {
			t.Errorf("order: %s %s before %s %s", a.Voie, a.Region.Code, b.Voie, b.Region.Code)
		}
	}
}
