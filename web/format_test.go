package web

import (
	"strings"
	"testing"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

func TestFrenchNumbers(t *testing.T) {
	for _, tc := range []struct {
		got, want string
	}{
		{formatInt(0), "0"}, {formatInt(999), "999"}, {formatInt(1000), "1\u202f000"},
		{formatInt(42022), "42\u202f022"}, {formatInt(616087), "616\u202f087"}, {formatInt(-12890), "−12\u202f890"},
		{pointsOf(1, true), "+1\u00a0point"}, {pointsOf(0, true), "0\u00a0point"}, {pointsOf(-1, true), "−1\u00a0point"},
		{pointsOf(2, true), "+2\u00a0points"}, {pointsOf(-3, false), "−3\u00a0points"},
		{nOf(1, "établissement", "établissements"), "1 établissement"}, {nOf(0, "chiffre", "chiffres"), "0 chiffre"},
		{nOf(1878, "établissement", "établissements"), "1\u202f878 établissements"},
		{cell{Num: model.Int(12890)}.Display(), "12\u202f890"}, {cell{Num: model.Int(1), Unit: "pts"}.Display(), "+1\u00a0point"},
		{cell{Num: model.Int(-4), Unit: "pts"}.Display(), "−4\u00a0points"}, {cell{Num: model.Int(71), Unit: "%"}.Display(), "71\u202f%"},
	} {
		if tc.got != tc.want {
			t.Errorf("%q, want %q", tc.got, tc.want)
		}
	}
}

// The valeur ajoutée is computed by the producer before rounding: the
// sentence never says « dépasse de 1 points le taux attendu (71 %) » when
// both rates read 71 %.
func TestValeurAjouteeSentence(t *testing.T) {
	fig := func(taux, attendu, va int) *model.Figure {
		f := model.RawFigure{NbAnneeTerm: model.Int(80), NbSortant: model.Int(40), TauxEmploi6Mois: model.Int(taux),
			TauxEmploi6MoisAttendu: model.Int(attendu), ValeurAjoutee: model.Int(va)}.Disclose()
		return &f
	}
	for _, tc := range []struct {
		taux, attendu, va int
		label             string
		has, hasNot       []string
	}{
		{71, 71, 1, "+1\u00a0point", []string{"s'arrondissent tous deux à 71\u202f%", "dépasse le taux attendu de 1\u00a0point"}, []string{"points", "dépasse de"}},
		{71, 71, -1, "−1\u00a0point", []string{"s'arrondissent tous deux à 71\u202f%", "est inférieur au taux attendu de 1\u00a0point"}, nil},
		{65, 60, 5, "+5\u00a0points", []string{"dépasse de 5\u00a0points le taux attendu (60\u202f%)", "fait mieux que prévu"}, []string{"arrondi"}},
		{57, 60, -3, "−3\u00a0points", []string{"est inférieur de 3\u00a0points au taux attendu (60\u202f%)"}, []string{"arrondi"}},
		{58, 60, -1, "−1\u00a0point", []string{"sont arrondis", "est inférieur au taux attendu de 1\u00a0point"}, nil},
		{60, 60, 0, "0\u00a0point", []string{"est égal au taux attendu"}, nil},
	} {
		v := valeurAjouteeOf(fig(tc.taux, tc.attendu, tc.va))
		if v == nil {
			t.Fatalf("%+v: no valeur ajoutée", tc)
		}
		if v.Label != tc.label {
			t.Errorf("%d/%d/%d: label %q, want %q", tc.taux, tc.attendu, tc.va, v.Label, tc.label)
		}
		for _, s := range tc.has {
			if !strings.Contains(v.Sentence, s) {
				t.Errorf("%d/%d/%d: %q lacks %q", tc.taux, tc.attendu, tc.va, v.Sentence, s)
			}
		}
		for _, s := range tc.hasNot {
			if strings.Contains(v.Sentence, s) {
				t.Errorf("%d/%d/%d: %q has %q", tc.taux, tc.attendu, tc.va, v.Sentence, s)
			}
		}
		if !strings.Contains(v.Benchmark, "taux attendu") {
			t.Errorf("no benchmark sentence: %q", v.Benchmark)
		}
	}
}
