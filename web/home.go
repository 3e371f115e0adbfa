package web

import (
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
	"github.com/vitrine-inserjeunes/vitrine/internal/store"
)

// siteStats are the counts of the home page.
type siteStats = store.SiteStats

// home is GET /: the search box, examples, key figures, the régions.
func (s *Server) home(c *fiber.Ctx) error {
	return s.serve(c, func(st dataState) (*built, error) {
		stats, err := s.store.SiteStats(c.UserContext())
		if err != nil {
			return nil, err
		}
		p := &homePage{Stats: stats}
		p.basePage = s.newBase(c, st, "", "", "/")
		p.Description = fmt.Sprintf("Que deviennent les jeunes après un CAP, un bac pro, un BTS ? Taux d'emploi, poursuite d'études et valeur ajoutée de %d établissements et %d formations, par millésime, avec les moyennes régionales et nationales.",
			stats.Etablissements, stats.Formations)
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
		if len(stats.Millesimes) > 0 {
			p.HeadlineFor = stats.Millesimes[0]
			if m, err := model.ParseMillesime(stats.Millesimes[0]); err == nil {
				p.HeadlineFor = m.Label()
			}
		}
		return s.htmlPage("pages/home", p)
	})
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
