package web

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// The opening of a territory page: headline figures per voie beside
// France, then the labour-market context (views/partials/territoire_chiffres.html).

// territoryHeadline is the headline of one voie.
type territoryHeadline struct {
	ID             string // anchor
	Voie           string
	VoieLabel      string
	MillesimeLabel string
	Tiles          []territoryTile
	// Levels: one row per diploma level, territory beside France.
	Levels *dataTable
	Demo   bool
}

// territoryTile is one big number with its France reference.
type territoryTile struct {
	Label      string
	Value      string
	Missing    bool
	Definition string // one line, with the number itself
	Basis      string // what it is computed on
	France     string
	Anchor     string // glossary anchor
	Short      string // in-context definition
	Demo       bool
}

// laborContext is the INSEE unemployment context of the territory.
type laborContext struct {
	Region     string   // the région's sentence ("" when no rate)
	Lines      []string // what it means, France absent
	Deps       *dataTable
	Source     string
	Absent     string
	DepsHeader string
}

// headlines builds the headline of every voie from the store's
// aggregates; terrName names the territory in the columns.
func (p *territoryPage) headlines(cs []model.ChiffreCle, terrName string) {
	byVoie := map[string]*territoryHeadline{}
	var order []string
	for i := range cs {
		c := &cs[i]
		h, ok := byVoie[c.Voie]
		if !ok {
			h = &territoryHeadline{ID: "chiffres-cles-" + c.Voie, Voie: c.Voie, VoieLabel: voieLabel(c.Voie),
				MillesimeLabel: c.Territoire.MillesimeLabel}
			h.Levels = &dataTable{ID: h.ID, Caption: fmt.Sprintf("%s par niveau de diplôme, %s et France, %s", voieLabel(c.Voie), terrName, c.Territoire.MillesimeLabel),
				Columns: []column{{Key: "niveau", Label: "Niveau"},
					{Key: "emploi_territoire", Label: indTauxEmploi6.Label + ", " + terrName + " (%)", Numeric: true, Def: indTauxEmploi6.Def},
					{Key: "emploi_france", Label: indTauxEmploi6.Label + ", France (%)", Numeric: true, Def: indTauxEmploi6.Def},
					{Key: "poursuite_territoire", Label: indTauxPoursuite.Label + ", " + terrName + " (%)", Numeric: true, Def: indTauxPoursuite.Def},
					{Key: "poursuite_france", Label: indTauxPoursuite.Label + ", France (%)", Numeric: true, Def: indTauxPoursuite.Def},
					{Key: "nb_annee_term", Label: indNbTerm.Label + ", " + terrName, Numeric: true, Def: indNbTerm.Def}}}
			byVoie[c.Voie] = h
			order = append(order, c.Voie)
		}
		t, f := &c.Territoire, &c.France
		h.Demo = h.Demo || t.Demonstration || f.Demonstration
		if c.NiveauCode == "" {
			h.Tiles = []territoryTile{
				tileOf(indTauxEmploi6, t, f, "sur 100 sortants de formation, %d ont un emploi salarié 6 mois après",
					"sur 100 sortants de formation, combien ont un emploi salarié 6 mois après", model.IndNbSortant, "sortants"),
				tileOf(indTauxPoursuite, t, f, "sur 100 jeunes en année terminale, %d poursuivent des études",
					"sur 100 jeunes en année terminale, combien poursuivent des études", model.IndNbAnneeTerm, "jeunes en année terminale"),
			}
			continue
		}
		label := c.Niveau
		if label == "" {
			label = "niveau " + c.NiveauCode
		}
		h.Levels.addRow(t.Demonstration || f.Demonstration, rowIDs{Voie: c.Voie, NiveauCode: c.NiveauCode, Millesime: c.Millesime},
			headerCell(label, ""), indTauxEmploi6.cellOf(&t.Figure), indTauxEmploi6.cellOf(&f.Figure),
			indTauxPoursuite.cellOf(&t.Figure), indTauxPoursuite.cellOf(&f.Figure), countCell(&t.Figure))
	}
	for _, v := range order {
		h := byVoie[v]
		if len(h.Levels.Rows) == 0 {
			h.Levels = nil
		}
		p.Headlines = append(p.Headlines, h)
	}
}

// countCell is nb_annee_term (or why it is missing).
func countCell(f *model.Figure) cell {
	return indNbTerm.cellOf(f)
}

// tileOf is one headline number: the territory's rate, its one-line
// definition with the number, the count it rests on, and France's rate.
func tileOf(in indicator, t, f *model.FormationFigure, def, defMissing string, basis model.Indicator, basisWord string) territoryTile {
	c := in.cellOf(&t.Figure)
	tile := territoryTile{Label: in.Label, Value: c.Display(), Missing: c.Missing, Anchor: in.Def, Short: in.Short, Demo: t.Demonstration}
	if v := t.Value(in.Ind); v != nil {
		tile.Definition = capitalize(fmt.Sprintf(def, *v)) + "."
	} else {
		tile.Definition = capitalize(defMissing) + " ?"
	}
	if n := t.Value(basis); n != nil {
		tile.Basis = "Calculé sur " + formatInt(*n) + " " + basisWord
		if t.Agregat != nil {
			one, many := "formation", "formations"
			if t.Agregat.Perimetre == model.PerimetreAcademie {
				one, many = "couple établissement × formation", "couples établissement × formation"
			}
			tile.Basis += fmt.Sprintf(", somme de %s %s", formatInt(t.Agregat.Composantes), plural(t.Agregat.Composantes, one, many))
		}
		tile.Basis += "."
	}
	if v := f.Value(in.Ind); v != nil {
		tile.France = "France : " + formatInt(*v) + "\u202f%"
	} else {
		tile.France = "France : " + f.MissingReason(in.Ind)
	}
	return tile
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// percentDecimal writes an INSEE rate: 6.1 → "6,1 %", 7 → "7,0 %".
func percentDecimal(v float64) string {
	return strings.Replace(strconv.FormatFloat(v, 'f', 1, 64), ".", ",", 1) + "\u202f%"
}

// laborContextOf words the unemployment context.
func laborContextOf(ce model.ContexteEmploi, kind string) *laborContext {
	lc := &laborContext{Absent: ce.Absent}
	if r := ce.Region; r != nil {
		lc.Region = fmt.Sprintf("Taux de chômage %s en %d : %s, %s (de %s %s à %s %s).",
			dansRegion(r.Nom), r.Annee, percentDecimal(r.Taux), r.RangChomage.Label(),
			percentDecimal(r.Min.Taux), dansRegion(r.Min.Nom), percentDecimal(r.Max.Taux), dansRegion(r.Max.Nom))
	}
	if len(ce.Departements) > 0 {
		year := ce.Departements[0].Annee
		lc.DepsHeader = "Départements de la région"
		if kind == "academie" {
			lc.DepsHeader = "Départements de l'académie"
		}
		t := &dataTable{ID: "chomage-departements", Caption: fmt.Sprintf("Taux de chômage par département en %d (INSEE)", year),
			Columns: []column{{Key: "departement", Label: "Département"},
				{Key: "taux_chomage", Label: fmt.Sprintf("Taux de chômage %d (%%)", year), Numeric: true}}}
		for _, d := range ce.Departements {
			v := d.Taux
			t.addRow(false, rowIDs{Departement: d.Code}, headerCell(d.Nom+" ("+model.DepartementNumero(d.Code)+")", ""), cell{Float: &v, Unit: "%", Decimals: 1})
		}
		lc.Deps = t
	}
	if lc.Region != "" || lc.Deps != nil {
		lc.Lines = []string{
			"Un taux d'emploi plus faible dans un territoire où le chômage est élevé ne signifie pas que ses formations sont moins bonnes : le marché du travail local pèse sur l'insertion.",
			ce.FranceAbsente,
		}
	}
	var srcs []string
	for _, s := range ce.Sources {
		x := fmt.Sprintf("%s (%s, import n° %d)", s.Producteur, s.Fichier, s.ImportRun)
		if s.Licence != "" {
			x += ", " + s.Licence
		}
		srcs = append(srcs, x)
	}
	if len(srcs) > 0 {
		lc.Source = "Source : taux de chômage localisés, " + strings.Join(srcs, " ; ") + "."
	}
	return lc
}

// dansRegion is « en Bretagne », « en Île-de-France », « à La Réunion »…
func dansRegion(nom string) string {
	switch {
	case strings.HasPrefix(nom, "La ") || nom == "Mayotte":
		return "à " + nom
	case nom == "Grand Est" || nom == "Centre-Val de Loire":
		return "dans le " + nom
	case nom == "Pays de la Loire" || nom == "Hauts-de-France":
		return "dans les " + nom
	}
	return "en " + nom
}
