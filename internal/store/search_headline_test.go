package store_test

import (
	"context"
	"testing"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// TestSearchCardHeadlines: the headline of a result card is the figure the
// page shows: an establishment's, the one of its page at that millésime
// and voie; a formation's, the national figure of its page. An
// establishment without any figure shown has no headline.
func TestSearchCardHeadlines(t *testing.T) {
	st := demoStore(t)
	ctx := context.Background()
	var etabs, without, forms int
	err := st.SearchEtablissements(ctx, func(e model.SearchEtablissement) error {
		if e.Chiffre != nil && !e.AvecChiffres {
			t.Errorf("%s: headline %+v but no figure shown", e.UAI, e.Chiffre)
		}
		if !e.AvecChiffres {
			without++
		}
		if e.Chiffre == nil || etabs >= 40 {
			return nil
		}
		etabs++
		figs, err := st.EtablissementFigures(ctx, e.UAI)
		if err != nil {
			return err
		}
		for _, f := range figs {
			voie := f.Voie
			switch f.SousPopulation {
			case "apprentis":
				voie = model.VoieApprentissage
			case "voie_pro_sco":
				voie = model.VoieScolaire
			}
			if f.Millesime == e.Chiffre.Millesime && voie == e.Chiffre.Voie {
				if v := f.Figure.Value(model.Indicator(e.Chiffre.Indicateur)); v != nil && *v == e.Chiffre.Valeur {
					return nil
				}
			}
		}
		t.Errorf("%s: headline %+v is not a figure of its page", e.UAI, e.Chiffre)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = st.SearchFormations(ctx, func(f model.SearchFormation) error {
		if f.Chiffre == nil || forms >= 25 || f.CFD == "" {
			return nil
		}
		forms++
		d, err := st.FormationDetail(ctx, f.CFD)
		if err != nil {
			return err
		}
		nf := nationalFigure(t, d, f.Chiffre.Millesime, f.Chiffre.Voie)
		if v := nf.Figure.Value(model.Indicator(f.Chiffre.Indicateur)); v == nil || *v != f.Chiffre.Valeur {
			t.Errorf("%s: headline %+v, national figure of the page %v", f.CFD, f.Chiffre, v)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if etabs == 0 || forms == 0 {
		t.Fatalf("checked %d establishments and %d formations", etabs, forms)
	}
	t.Logf("%d establishment and %d formation headlines checked; %d establishments show no figure", etabs, forms, without)
}
