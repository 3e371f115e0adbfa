package web

import (
	"strings"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// agregatNoun names the components of an aggregate in French (singular,
// plural): a national figure sums régions' figures, a région's or an
// académie's its establishments', a level's its formations'.
type agregatNoun struct{ chiffre, chiffres string }

func nounOf(perimetre string) agregatNoun {
	switch perimetre {
	case model.PerimetreNational:
		return agregatNoun{"chiffre régional", "chiffres régionaux"}
	case model.PerimetreRegion, model.PerimetreAcademie:
		return agregatNoun{"chiffre d'établissement", "chiffres d'établissements"}
	case model.PerimetreNiveau:
		return agregatNoun{"chiffre de formation", "chiffres de formations"}
	}
	return agregatNoun{"chiffre", "chiffres"}
}

// agregatIndicators are the indicators the provenance of an aggregate
// speaks of (those of the tables and headlines), with their labels.
var agregatIndicators = []struct {
	ind   model.Indicator
	label string
}{
	{model.IndNbAnneeTerm, "élèves en année terminale"},
	{model.IndTauxPoursuiteEtudes, "taux de poursuite d'études"},
	{model.IndTauxEmploi6Mois, "taux d'emploi à 6 mois"},
}

// agregatPhrase says how an aggregate was summed, from the coverage of
// each indicator (model.Agregat.Indicateurs): « somme des effectifs de 9
// chiffres régionaux » when every component enters every indicator, else
// one clause per coverage, e.g. « élèves en année terminale : somme de 9
// chiffres régionaux ; taux de poursuite d'études : somme de 8 chiffres
// régionaux, 1 sans effectifs publiés laissé de côté ». The one wording of
// every page that shows an aggregate.
func agregatPhrase(ag *model.Agregat) string {
	if ag == nil || ag.Composantes == 0 {
		return "somme des effectifs"
	}
	n := nounOf(ag.Perimetre)
	some := func(k int) string {
		if k == 1 {
			return "1 " + n.chiffre
		}
		return formatInt(k) + " " + n.chiffres
	}
	if ag.Indicateurs == nil {
		return "somme des effectifs de " + some(ag.Composantes)
	}
	type group struct {
		labels []string
		c      model.Couverture
	}
	var groups []group
	complete := true
	for _, x := range agregatIndicators {
		c := ag.Couverture(x.ind)
		complete = complete && c.Exclues == 0
		found := false
		for i := range groups {
			if groups[i].c == c {
				groups[i].labels = append(groups[i].labels, x.label)
				found = true
			}
		}
		if !found {
			groups = append(groups, group{[]string{x.label}, c})
		}
	}
	if complete {
		return "somme des effectifs de " + some(ag.Composantes)
	}
	clauses := make([]string, 0, len(groups))
	for _, g := range groups {
		s := joinEt(g.labels) + " : "
		if g.c.Composantes == 0 {
			s += "aucun " + n.chiffre + " avec effectifs publiés"
		} else {
			s += "somme de " + some(g.c.Composantes)
		}
		if k := g.c.Exclues; k > 0 && g.c.Composantes > 0 {
			s += ", " + formatInt(k) + " sans effectifs publiés laissé" + pluralS(k) + " de côté"
		}
		clauses = append(clauses, s)
	}
	return strings.Join(clauses, " ; ")
}

// joinEt joins labels with commas and « et ».
func joinEt(labels []string) string {
	if len(labels) < 2 {
		return strings.Join(labels, "")
	}
	return strings.Join(labels[:len(labels)-1], ", ") + " et " + labels[len(labels)-1]
}
