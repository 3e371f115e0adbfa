package web

import (
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// home is GET /: the search box, examples, key figures, the régions.
func (s *Server) home(c *fiber.Ctx) error {
	return s.serve(c, func(st dataState) (*built, error) {
		stats, err := s.store.SiteStats(c.UserContext())
		if err != nil {
			return nil, err
		}
		p := &homePage{Stats: stats}
		p.basePage = s.newBase(st, "", "", "/")
		p.Description = fmt.Sprintf("Que deviennent les jeunes après un CAP, un bac pro, un BTS ? Taux d'emploi, poursuite d'études et valeur ajoutée de %s établissements et %s formations, par millésime, avec les moyennes régionales et nationales.",
			formatInt(stats.Etablissements), formatInt(stats.Formations))
		p.Examples = []crumb{
			{Label: "lycée Alexandre Bérard", URL: "/recherche?q=lyc%C3%A9e+Alexandre+B%C3%A9rard"},
			{Label: "Rennes", URL: "/recherche?q=Rennes"},
			{Label: "CAP cuisine", URL: "/recherche?q=CAP+cuisine"},
			{Label: "bac pro commerce", URL: "/recherche?q=bac+pro+commerce"},
			{Label: "0010001W (UAI)", URL: "/recherche?q=0010001W"},
		}
		for _, r := range model.AllRegions() {
			p.Regions = append(p.Regions, crumb{Label: r.Nom, URL: "/regions/" + r.Code})
		}
		p.MillesimeRange = millesimeRange(stats.Millesimes)
		nat, err := s.store.NationalHeadline(c.UserContext())
		if err != nil {
			return nil, err
		}
		for _, n := range nat {
			label := n.Millesime
			if m, err := model.ParseMillesime(n.Millesime); err == nil {
				label = m.Label()
			}
			f := n.Figure
			b := nationalBlock{Label: voieLabel(n.Voie), Millesime: label,
				Headline:   []headlineFigure{headline(indTauxEmploi6, &f, ""), headline(indTauxPoursuite, &f, "")},
				Provenance: "Calculé par le site : " + agregatPhrase(&n.Agregat) + "."}
			if h, ok := countHeadline(f.NbAnneeTerm); ok {
				b.Headline = append(b.Headline, h)
			}
			b.Parts = partsChart("parts-france-"+n.Voie, f.PartEmploi6Mois, f.PartPoursuiteEtudes, f.PartAutresSituations,
				"France entière, "+strings.ToLower(voieLabel(n.Voie))+" : devenir des jeunes de dernière année, 6 mois après — "+label)
			p.National = append(p.National, b)
		}
		regional, err := s.store.RegionalHeadline(c.UserContext())
		if err != nil {
			return nil, err
		}
		p.Maps = homeMaps(regional)
		return s.htmlPage("pages/home", p)
	})
}

// millesimeRange is « des promotions 2018 et 2019 aux promotions 2022 et
// 2023 » for millésimes sorted most recent first ("" when none).
func millesimeRange(ms []string) string {
	label := func(m string) string {
		if mm, err := model.ParseMillesime(m); err == nil {
			return mm.Label()
		}
		return m
	}
	switch len(ms) {
	case 0:
		return ""
	case 1:
		return label(ms[0])
	}
	return "des " + label(ms[len(ms)-1]) + " aux " + label(ms[0])
}

// homeMap is the map of one voie on the home page and its table.
type homeMap struct {
	Label string
	Map   *regionMap
	Table *dataTable
}

// homeMaps draws, per voie, the taux d'emploi à 6 mois of every région
// (all its formations summed) with the table of the same values; a région
// without any row has a row saying so.
func homeMaps(regional []model.RegionalFigure) []homeMap {
	var out []homeMap
	for i := 0; i < len(regional); {
		voie, mill := regional[i].Voie, regional[i].Millesime
		byCode := map[string]*model.RegionalFigure{}
		for ; i < len(regional) && regional[i].Voie == voie; i++ {
			byCode[regional[i].Region.Code] = &regional[i]
		}
		label := mill
		if m, err := model.ParseMillesime(mill); err == nil {
			label = m.Label()
		}
		id := "carte-" + voie
		t := &dataTable{ID: id + "-donnees",
			Caption: "Taux d'emploi à 6 mois par région, " + strings.ToLower(voieLabel(voie)) + ", " + label + ", toutes formations",
			Columns: append([]column{{Key: "region", Label: "Région"}}, figureColumns(indNbTerm, indNbSortant, indTauxEmploi6)...)}
		var values []mapValue
		for _, r := range model.AllRegions() {
			cells := []cell{headerCell(r.Nom, "/regions/"+r.Code)}
			ids := rowIDs{Region: r.Code, Voie: voie, Millesime: mill}
			f, ok := byCode[r.Code]
			if !ok {
				for range 3 {
					cells = append(cells, cell{Text: missingRegion, Missing: true})
				}
				t.addRow(false, ids, cells...)
				continue
			}
			t.addRow(false, ids, append(cells, figureCells(&f.Figure, indNbTerm, indNbSortant, indTauxEmploi6)...)...)
			values = append(values, mapValue{Code: r.Code, Value: f.Figure.TauxEmploi6Mois, Missing: f.Figure.MissingReason(model.IndTauxEmploi6Mois)})
		}
		t.Note = "Chaque région somme les effectifs de toutes ses formations avant de calculer le taux (les formations dont l'effectif n'est pas publié n'y entrent pas)."
		out = append(out, homeMap{Label: "Carte par région — " + strings.ToLower(voieLabel(voie)) + ", " + label,
			Map: franceRegionMap(id, "Taux d'emploi à 6 mois par région — "+strings.ToLower(voieLabel(voie))+", "+label,
				"taux d'emploi à 6 mois", values, t.ID, t.Caption),
			Table: t})
	}
	return out
}

// millesimeLabels turns millésimes into their labels.
func millesimeLabels(ms []string) string {
	out := make([]string, 0, len(ms))
	for _, m := range ms {
		if mm, err := model.ParseMillesime(m); err == nil {
			out = append(out, mm.Label())
		} else {
			out = append(out, m)
		}
	}
	return strings.Join(out, ", ")
}
