package web

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// familleShow is GET /familles-metiers/{slug}: the famille de métiers of
// the voie professionnelle, its common 2nde and the figures of its bac pro
// specialties side by side (national; ?uai= for the specialties one
// establishment teaches) — the choice a pupil makes at the end of the 2nde.
func (s *Server) familleShow(c *fiber.Ctx) error {
	slug := strings.Clone(strings.ToLower(c.Params("slug")))
	uai := ""
	if q := strings.TrimSpace(textParam(c, "uai", 20)); q != "" {
		u, err := model.NormalizeUAI(q)
		if err != nil {
			return errBadRequest("paramètre uai : " + err.Error())
		}
		uai = u
	}
	canonical := "/familles-metiers/" + slug
	return s.dataPage(c, canonical, nil, func(st dataState, f string) (*built, error) {
		d, err := s.store.Famille(c.UserContext(), slug, uai)
		if err != nil {
			return nil, err
		}
		if f == "json" {
			return jsonBuilt(d)
		}
		p := newFamillePage(s.newBase(st, d.Nom+" : famille de métiers, 2nde commune et spécialités de bac pro", "", canonical), d)
		if uai != "" {
			q := url.Values{"uai": {uai}}
			p.Path = canonical + "?" + q.Encode()
			p.Exports = exportLinks(canonical, q)
		} else {
			p.Exports = exportLinks(canonical, nil)
		}
		if f != "html" {
			return exportTables(c, f, "famille-metiers-"+slug, &p.basePage, p.tables())
		}
		linkTables(&p.basePage, p.tables())
		if uai != "" { // per-table links would lose ?uai=: the page's links carry it
			for _, t := range p.tables() {
				if t != nil {
					t.ExportPath = ""
				}
			}
		}
		return s.htmlPage("pages/famille", p)
	})
}

// famillePage is "/familles-metiers/{slug}".
type famillePage struct {
	basePage
	D        model.FamilleDetail
	Commun   formationLien
	Specs    []familleSpecView
	National *dataTable
	Etab     *dataTable
	EtabNom  string
	EtabURL  string
	NoFigure []string // specialties without any national figure
}

type familleSpecView struct {
	Libelle, LibelleBCN, URL, CFD string
	Fermee                        bool
}

func (p *famillePage) tables() []*dataTable { return []*dataTable{p.National, p.Etab} }

func newFamillePage(base basePage, d model.FamilleDetail) *famillePage {
	p := &famillePage{basePage: base, D: d}
	p.Description = fmt.Sprintf("Famille de métiers « %s » : la 2nde professionnelle commune et les %d spécialités de bac pro entre lesquelles choisir, avec leurs taux d'emploi et de poursuite d'études.", d.Nom, len(d.Specialites))
	p.Breadcrumb = []crumb{{Label: "Familles de métiers", URL: ""}, {Label: d.Nom, URL: "/familles-metiers/" + d.Slug}}
	p.Commun = formationLien{Code: d.Commun.CFD, Libelle: firstNonEmpty(d.Commun.LibelleBCN, d.Commun.Libelle), URL: "/formations/" + d.Commun.CFD}
	for _, sp := range d.Specialites {
		p.Specs = append(p.Specs, familleSpecView{Libelle: sp.Libelle, LibelleBCN: sp.LibelleBCN, URL: "/formations/" + sp.CFD, CFD: sp.CFD, Fermee: sp.FormationFermee})
	}
	p.National = familleTable("specialites-france", "Spécialités de la famille, France entière (dernier millésime de chaque voie)", "france", d.National, nil)
	for _, fc := range d.National {
		if len(fc.Chiffres) == 0 {
			p.NoFigure = append(p.NoFigure, fc.Specialite.Libelle)
		}
	}
	if d.Etablissement != nil {
		p.EtabNom = firstNonEmpty(d.Etablissement.Nom, "Établissement "+d.Etablissement.UAI)
		p.EtabURL = "/etablissements/" + d.Etablissement.UAI
		p.Etab = familleTable("specialites-etablissement", "Spécialités enseignées par "+p.EtabNom+" (dernier millésime de chaque voie)", "etablissement", d.EtabSpecialites, d.Etablissement)
		p.Breadcrumb = append(p.Breadcrumb, crumb{Label: p.EtabNom, URL: ""})
	}
	return p
}

// familleTable is one row per specialty and voie: its latest figure.
func familleTable(id, caption, perimetre string, specs []model.FamilleChiffres, e *model.Etablissement) *dataTable {
	var ptrs []*model.Figure
	for i := range specs {
		for j := range specs[i].Chiffres {
			ptrs = append(ptrs, &specs[i].Chiffres[j].Figure)
		}
	}
	ins := usedIndicators(ptrs, []indicator{indNbTerm, indTauxEmploi6, indTauxPoursuite}, indPartEmploi, indPartPoursuite, indPartAutres, indTauxEmploi12)
	t := &dataTable{ID: id, Caption: caption,
		Columns: append(append([]column{{Key: "specialite", Label: "Spécialité"}, {Key: "voie", Label: "Voie"}, {Key: "millesime", Label: "Millésime"}}, figureColumns(ins...)...),
			column{Key: "provenance", Label: "Provenance"})}
	for _, fc := range specs {
		if len(fc.Chiffres) == 0 {
			cells := []cell{headerCell(fc.Specialite.Libelle, "/formations/"+fc.Specialite.CFD), textCell(""), textCell("")}
			for range ins {
				cells = append(cells, cell{Text: "aucun chiffre publié", Missing: true})
			}
			cells = append(cells, textCell(""))
			t.addRow(false, rowIDs{CFD: fc.Specialite.CFD, MEFSTAT11: fc.Specialite.MEFSTAT11, Perimetre: perimetre}, cells...)
			continue
		}
		for i := range fc.Chiffres {
			f := &fc.Chiffres[i]
			cells := append([]cell{headerCell(fc.Specialite.Libelle, "/formations/"+fc.Specialite.CFD), textCell(voieLabel(f.Voie)), textCell(f.MillesimeLabel)},
				figureCells(&f.Figure, ins...)...)
			cells = append(cells, textCell(provenance(f)))
			ids := figureIDs(f)
			if ids.CFD == "" {
				ids.CFD = fc.Specialite.CFD
			}
			ids.Perimetre = perimetre
			if e != nil {
				ids.UAI, ids.Etablissement, ids.Region = e.UAI, e.Nom, e.Region.Code
			}
			t.addRow(f.Demonstration, ids, cells...).withSources(formationSources(f)...)
		}
	}
	return t
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
