package web

import (
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// academieShow is GET /academies/{code}: the région view computed from the
// establishments of the académie (no file publishes académie figures).
func (s *Server) academieShow(c *fiber.Ctx) error {
	code := strings.Clone(strings.ToUpper(c.Params("code")))
	return s.dataPage(c, "/academies/"+code, nil, func(st dataState, f string) (*built, error) {
		// the page and its exports show the latest millésime of each
		// formation and level; the JSON has every one
		detail := s.store.AcademieLatest
		if f == "json" {
			detail = s.store.AcademieDetail
		}
		info, d, err := detail(c.UserContext(), code)
		if err != nil {
			return nil, err
		}
		if f == "json" {
			var deps []string
			for _, dep := range info.Departements {
				deps = append(deps, dep.Code)
			}
			ce, err := s.store.ContexteEmploi(c.UserContext(), info.Region.Code, deps)
			if err != nil {
				return nil, err
			}
			return jsonBuilt(territoryAPI{RegionDetail: d, ContexteEmploi: ce})
		}
		path := "/academies/" + code
		p := &territoryPage{Kind: "academie", Heading: "Académie de " + info.Nom}
		p.basePage = s.newBase(st, "Académie de "+info.Nom+" : insertion des jeunes par niveau, formation et établissement", "", path)
		p.Breadcrumb = []crumb{{Label: orCode(info.Region), URL: "/regions/" + info.Region.Code}, {Label: "Académie de " + info.Nom, URL: path}}
		p.Links = []link{{Label: orCode(info.Region), URL: "/regions/" + info.Region.Code}}
		p.LinksHead = "Région"
		var deps []string
		var names []string
		for _, dep := range info.Departements {
			deps = append(deps, dep.Code)
			names = append(names, dep.Nom)
		}
		p.Facts = []fact{{Label: "Départements", Value: strings.Join(names, ", ")}}
		p.HeadBasis = []string{fmt.Sprintf("Chiffres de l'académie : aucun fichier ne publie de chiffres par académie ; ce sont les sommes, indicateur par indicateur, des chiffres par établissement × formation des établissements de ses départements (%s). France : la somme de toutes les régions du fichier région × formation de la DEPP.", strings.Join(names, ", "))}
		if d.Demonstration {
			p.HeadBasis = append(p.HeadBasis, "Les chiffres par établissement × formation chargés ici sont des données de démonstration (fictives) : les chiffres de l'académie qui en sont la somme le sont aussi ; ceux de la France sont réels.")
		}
		if err := s.fillTerritory(c, p, d, "académie", info.Region.Code, deps); err != nil {
			return nil, err
		}
		p.Description = fmt.Sprintf("Académie de %s : taux d'emploi et de poursuite d'études des jeunes par niveau de diplôme, par formation et par établissement, calculés à partir des chiffres des établissements.", info.Nom)
		if f != "html" {
			p.sortTables(c)
			return exportTables(c, f, "academie-"+code, &p.basePage, p.tables())
		}
		linkTables(&p.basePage, p.tables())
		if err := p.paginate(c, path); err != nil {
			return nil, err
		}
		return s.htmlPage("pages/territoire", p)
	})
}
