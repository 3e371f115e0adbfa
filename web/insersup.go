package web

import (
	"fmt"
	"slices"

	"github.com/gofiber/fiber/v2"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// InserSup (higher education) figures: counts, employment rates with two
// decimals at 6 to 30 months, median salary.

func supColumns() []column {
	cols := []column{{Key: "nb_diplomes", Label: "Diplômés", Numeric: true, Def: "effectifs"},
		{Key: "nb_sortants", Label: "Sortants", Numeric: true, Def: "effectifs"}}
	for _, h := range model.SupHorizons() {
		cols = append(cols, column{Key: fmt.Sprintf("taux_emploi_salarie_fr_%d_mois", h), Label: fmt.Sprintf("Emploi salarié en France à %d mois (%%)", h), Numeric: true, Def: "taux-emploi"})
	}
	return append(cols, column{Key: "salaire_median", Label: "Salaire net mensuel médian (euros)", Numeric: true})
}

func supCells(f *model.SupFigure) []cell {
	count := func(v *int) cell { // graduates and leavers: not resting on the leavers' threshold
		if v != nil {
			return cell{Num: v}
		}
		return cell{Text: f.MissingReason(false), Missing: true}
	}
	out := []cell{count(f.NbDiplomes), count(f.NbSortants)}
	for i := range model.NbSupHorizons {
		_, t := f.Emploi(i)
		if *t != nil {
			out = append(out, cell{Float: *t, Unit: "%"})
		} else {
			out = append(out, cell{Text: f.EmploiMissingReason(i), Missing: true})
		}
	}
	var med *int
	for _, s := range f.Salaires {
		if s.Q2 != nil {
			med = s.Q2
			break
		}
	}
	if med != nil {
		out = append(out, cell{Num: med})
	} else {
		out = append(out, cell{Text: f.MissingReason(true), Missing: true})
	}
	return out
}

// supRow is one row of an InserSup table: its label and its figure, with
// the figure's demonstration flag, identifiers and source.
type supRow struct {
	label cell
	fig   *model.SupFigure
	demo  bool
	ids   rowIDs
	src   model.Source
}

// supRowOf is the row of an InserSup figure (identifiers from the figure).
func supRowOf(label cell, f *model.InserSupFigure, ids rowIDs) supRow {
	ids.SISE, ids.Millesime, ids.Voie = f.SISE, f.Millesime, model.VoieSuperieur
	if ids.UAI == "" {
		ids.UAI = f.UAI
	}
	return supRow{label: label, fig: &f.SupFigure, demo: f.Demonstration, ids: ids, src: f.Source}
}

// supTable is one row per figure, with a leading label column.
func supTable(id, caption, first string, rows []supRow) *dataTable {
	if len(rows) == 0 {
		return nil
	}
	t := &dataTable{ID: id, Caption: caption, Columns: append([]column{{Key: "libelle", Label: first}}, supColumns()...)}
	for _, r := range rows {
		t.addRow(r.demo, r.ids, append([]cell{r.label}, supCells(r.fig)...)...).withSources(r.src)
	}
	return t
}

func supHeadline(f *model.InserSupFigure) []headlineFigure {
	out := []headlineFigure{}
	for _, i := range []int{0, 2} { // 6 and 18 months
		_, t := f.Emploi(i)
		h := headlineFigure{Label: fmt.Sprintf("Emploi salarié en France à %d mois", model.SupHorizons()[i]), Definition: "taux-emploi",
			DefText: fmt.Sprintf("Part des diplômés sortants (qui ne poursuivent pas d'études) en emploi salarié en France %d mois après l'obtention du diplôme.", model.SupHorizons()[i])}
		if *t != nil {
			h.Value = frenchDecimal(**t) + "\u202f%"
		} else {
			h.Value, h.Missing = f.EmploiMissingReason(i), true
		}
		out = append(out, h)
	}
	if f.NbDiplomes != nil {
		out = append(out, headlineFigure{Label: "Diplômés", Value: formatInt(*f.NbDiplomes), Definition: "effectifs",
			DefText: "Diplômés de la promotion ; les taux d'emploi portent sur ceux qui ne poursuivent pas d'études (sortants)."})
	}
	for i := range out {
		out[i].Demo = f.Demonstration
	}
	return out
}

func sortSup(fs []model.InserSupFigure) []model.InserSupFigure {
	out := slices.Clone(fs)
	slices.SortStableFunc(out, func(a, b model.InserSupFigure) int { return model.CompareMillesimes(a.Millesime, b.Millesime) })
	return out
}

// formationSupPage is the page of an InserSup diploma (SISE code).
func (s *Server) formationSupPage(c *fiber.Ctx, st dataState, sise string) (*formationPage, error) {
	d, err := s.store.FormationSupDetail(c.UserContext(), sise)
	if err != nil {
		return nil, err
	}
	fm := d.Formation
	title := formationTitle(fm)
	path := "/formations/" + sise
	p := &formationPage{F: fm, Sup: true, Facts: formationFacts(fm)}
	p.basePage = s.newBase(st, title+" ("+sise+")", "", path)
	p.Breadcrumb = []crumb{{Label: title, URL: path}}
	p.Exports = exportLinks(path, nil)
	nat := sortSup(d.National)
	if len(nat) > 0 {
		p.Voies = []formationVoie{{Voie: model.VoieSuperieur, Label: voieLabel(model.VoieSuperieur), Latest: nat[0].MillesimeLabel, Headline: supHeadline(&nat[0])}}
		if nat[0].Statut != model.StatutOK {
			p.Voies[0].LatestStatut = model.StatutLabel(nat[0].Statut)
		}
	}
	natRows := make([]supRow, len(nat))
	for i := range nat {
		natRows[i] = supRowOf(headerCell(nat[i].MillesimeLabel, ""), &nat[i], rowIDs{Perimetre: "france"})
	}
	p.National = supTable("national", "France entière, par promotion (diplômés)", "Promotion", natRows)
	var regRows []supRow
	for _, r := range d.Regions {
		if fs := sortSup(r.Chiffres); len(fs) > 0 {
			regRows = append(regRows, supRowOf(headerCell(orCode(r.Region)+" ("+fs[0].MillesimeLabel+")", "/regions/"+r.Region.Code), &fs[0], rowIDs{Region: r.Region.Code}))
		}
	}
	p.Regions = supTable("regions", "Par région, dernière promotion publiée", "Région", regRows)
	etabs := &dataTable{ID: "etablissements", Caption: "Établissements qui délivrent ce diplôme (dernière promotion)", Sortable: true,
		Columns: append([]column{{Key: "etablissement", Label: "Établissement"}, {Key: "commune", Label: "Commune"}, {Key: "region", Label: "Région"},
			{Key: "millesime", Label: "Promotion"}}, supColumns()...)}
	for _, e := range d.Etablissements {
		nom := e.Nom
		if nom == "" {
			nom = "Établissement " + e.UAI
		}
		r := supRowOf(cell{}, &e.Dernier, rowIDs{UAI: e.UAI, Etablissement: nom, Region: e.Region.Code})
		etabs.addRow(r.demo, r.ids, append([]cell{headerCell(nom, "/etablissements/"+e.UAI+"/formations/"+sise), textCell(e.Commune),
			textCell(orCode(e.Region)), textCell(e.Dernier.MillesimeLabel)}, supCells(&e.Dernier.SupFigure)...)...).withSources(r.src)
	}
	etabs.dropSparseColumn("commune")
	if len(etabs.Rows) > 0 {
		etabs.sortByRequest(c, "etablissement")
		p.Etabs = etabs
	}
	if len(nat) == 0 && len(d.Etablissements) == 0 {
		p.NoFigure = "Aucun chiffre InserSup n'est publié pour ce diplôme."
	}
	p.Description = "Insertion des diplômés de " + title + " (InserSup) : emploi salarié en France de 6 à 30 mois, par promotion, région et établissement."
	return p, nil
}
