package web

import (
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// pairPage is "/etablissements/{uai}/formations/{code}": one formation
// at one establishment, every millésime, beside the région and France.
type pairPage struct {
	basePage
	Etab      etabIdentity
	F         model.Formation
	Metiers   *metiersBlock
	Sup       bool
	Voies     []pairVoie
	Continuum []string
	// RoleNote explains the apprentissage UAI roles.
	RoleNote string
	Table    *dataTable
}

// pairVoie is one voie of the pair: latest comparison and charts.
type pairVoie struct {
	Voie, Label, Latest string
	LatestStatut        string
	Headline            []headlineFigure
	Compare             []*chart
	// Demo: the establishment's figure of this voie is synthetic.
	Demo bool
}

// demoBlocks names the blocks of the pair page built on synthetic figures.
func (p *pairPage) demoBlocks() []string {
	var out []string
	for _, v := range p.Voies {
		if v.Demo {
			out = append(out, "les chiffres de l'établissement en "+strings.ToLower(v.Label)+" (cartes et graphiques de comparaison)")
		}
	}
	return out
}

func (p *pairPage) tables() []*dataTable { return []*dataTable{p.Table} }

// etablissementFormationShow is GET /etablissements/{uai}/formations/{code}.
func (s *Server) etablissementFormationShow(c *fiber.Ctx) error {
	uai, err := uaiParam(c)
	if err != nil {
		return err
	}
	code, kind, err := formationParam(c.Params("code"))
	if err != nil {
		return err
	}
	return s.dataPage(c, "/etablissements/"+uai+"/formations/"+code, s.apiEtablissementFormation, func(st dataState, f string) (*built, error) {
		var p *pairPage
		var err error
		if kind == model.KindSISE {
			p, err = s.pairSupPage(c, st, uai, code)
		} else {
			p, err = s.pairPage(c, st, uai, code)
		}
		if err != nil {
			return nil, err
		}
		if f != "html" {
			return exportTables(c, f, uai+"-"+code, &p.basePage, []*dataTable{p.Table})
		}
		linkTables(&p.basePage, []*dataTable{p.Table})
		return s.htmlPage("pages/etablissement_formation", p)
	})
}

func pairBase(s *Server, c *fiber.Ctx, st dataState, et model.Etablissement, fm model.Formation) (basePage, etabIdentity) {
	nom := et.Nom
	if nom == "" {
		nom = "Établissement " + et.UAI
	}
	title := formationTitle(fm)
	path := "/etablissements/" + et.UAI + "/formations/" + fm.Code
	b := s.newBase(st, title+" — "+nom, "", path)
	b.Breadcrumb = append(etabBreadcrumb(et, nom), crumb{Label: title, URL: path})
	b.Exports = exportLinks(path, nil)
	return b, identityOf(et, nom)
}

func (s *Server) pairPage(c *fiber.Ctx, st dataState, uai, code string) (*pairPage, error) {
	d, err := s.store.EtablissementFormation(c.UserContext(), uai, code)
	if err != nil {
		return nil, err
	}
	p := &pairPage{F: d.Formation, Metiers: newMetiersBlock(d.Formation, true)}
	p.basePage, p.Etab = pairBase(s, c, st, d.Etablissement, d.Formation)
	regionName := orCode(d.Etablissement.Region)
	if regionName == "" {
		regionName = "Région"
	}
	t := &dataTable{ID: "comparaison", Caption: "Par millésime : l'établissement, sa région et la France",
		Columns: []column{{Key: "voie", Label: "Voie"}, {Key: "millesime", Label: "Millésime"},
			{Key: "etab_nb_annee_term", Label: "Établissement : effectif en année terminale", Numeric: true, Def: "effectifs"},
			{Key: "etab_taux_emploi_6_mois", Label: "Établissement : taux d'emploi à 6 mois (%)", Numeric: true, Def: "taux-emploi"},
			{Key: "etab_taux_poursuite_etudes", Label: "Établissement : taux de poursuite d'études (%)", Numeric: true, Def: "taux-poursuite-etudes"},
			{Key: "region_taux_emploi_6_mois", Label: "Région : taux d'emploi à 6 mois (%)", Numeric: true, Def: "taux-emploi"},
			{Key: "region_taux_poursuite_etudes", Label: "Région : taux de poursuite d'études (%)", Numeric: true, Def: "taux-poursuite-etudes"},
			{Key: "national_taux_emploi_6_mois", Label: "France : taux d'emploi à 6 mois (%)", Numeric: true, Def: "taux-emploi"},
			{Key: "national_taux_poursuite_etudes", Label: "France : taux de poursuite d'études (%)", Numeric: true, Def: "taux-poursuite-etudes"},
			{Key: "provenance", Label: "Provenance du chiffre de l'établissement"}}}
	seenVoie := map[string]bool{}
	notes := map[string]bool{}
	for _, m := range d.Chiffres {
		e, r, n := m.Etablissement, m.Region, m.National
		ids := figureIDs(&e)
		ids.UAI, ids.Etablissement, ids.Region, ids.Millesime, ids.Voie = uai, p.Etab.Nom, d.Etablissement.Region.Code, m.Millesime, m.Voie
		if ids.CFD == "" {
			ids.CFD = d.Formation.CFD
		}
		t.addRow(e.Demonstration || r.Demonstration || n.Demonstration, ids, textCell(voieLabel(m.Voie)), headerCell(e.MillesimeLabel+labelIfEmpty(e.MillesimeLabel, m.Millesime), ""),
			indNbTerm.cellOf(&e.Figure), indTauxEmploi6.cellOf(&e.Figure), indTauxPoursuite.cellOf(&e.Figure),
			indTauxEmploi6.cellOf(&r.Figure), indTauxPoursuite.cellOf(&r.Figure),
			indTauxEmploi6.cellOf(&n.Figure), indTauxPoursuite.cellOf(&n.Figure), textCell(provenance(&e))).
			withSources(append(formationSources(&e), append(formationSources(&r), formationSources(&n)...)...)...)
		for _, f := range []model.FormationFigure{e, r, n} {
			if f.SourceContinuum != nil && !notes[f.SourceContinuum.Phrase()] {
				notes[f.SourceContinuum.Phrase()] = true
				p.Continuum = append(p.Continuum, fmt.Sprintf("%s : %s.", labelOr(f.MillesimeLabel, m.Millesime), f.SourceContinuum.Phrase()))
			}
		}
		if seenVoie[m.Voie] { // d.Chiffres: most recent first
			continue
		}
		seenVoie[m.Voie] = true
		pv := pairVoie{Voie: m.Voie, Label: voieLabel(m.Voie), Latest: labelOr(e.MillesimeLabel, m.Millesime)}
		if e.Statut != model.StatutOK {
			pv.LatestStatut = model.StatutLabel(e.Statut)
		}
		pv.Headline = []headlineFigure{headline(indTauxEmploi6, &e.Figure, comparedTo(r.TauxEmploi6Mois, n.TauxEmploi6Mois)),
			headline(indTauxPoursuite, &e.Figure, comparedTo(r.TauxPoursuiteEtudes, n.TauxPoursuiteEtudes))}
		if h, ok := countHeadline(e.NbAnneeTerm); ok {
			pv.Headline = append(pv.Headline, h)
		}
		for i := range pv.Headline {
			pv.Headline[i].Demo = e.Demonstration
		}
		pv.Demo = e.Demonstration
		for _, in := range []indicator{indTauxEmploi6, indTauxPoursuite} {
			rows := []hbar{
				{Label: "Cet établissement", Value: e.Value(in.Ind), Missing: e.MissingReason(in.Ind)},
				{Label: regionName, Value: r.Value(in.Ind), Missing: r.MissingReason(in.Ind)},
				{Label: "France", Value: n.Value(in.Ind), Missing: n.MissingReason(in.Ind)},
			}
			id := "compare-" + m.Voie + "-" + in.key()
			tbl := &dataTable{ID: id + "-donnees", Caption: in.Label + " : établissement, région, France (" + pv.Latest + ")",
				Columns: []column{{Key: "perimetre", Label: "Périmètre"}, in.column()}}
			for i, f := range []*model.FormationFigure{&e, &r, &n} {
				tbl.addRow(f.Demonstration, rowIDs{Perimetre: []string{"etablissement", "region", "france"}[i]}, headerCell(rows[i].Label, ""), in.cellOf(&f.Figure))
			}
			if ch := hbarsChart(id, in.Label+" — "+pv.Latest, rows, tbl, compareSummary(in, rows)); ch != nil {
				ch.Demo = e.Demonstration
				pv.Compare = append(pv.Compare, ch)
			}
		}
		p.Voies = append(p.Voies, pv)
		if m.Voie == model.VoieApprentissage {
			p.RoleNote = "En apprentissage, un même centre peut être lieu de formation, formateur ou gestionnaire (organisme « CFA »). Les chiffres affichés sont ceux que le producteur publie pour cet UAI ; quand il les publie au niveau d'un autre UAI (le CFA gestionnaire par exemple), ils figurent sur la page de cet autre établissement."
		}
	}
	if len(t.Rows) > 0 {
		p.Table = t
	}
	p.Description = fmt.Sprintf("Insertion des jeunes formés en %s à %s (UAI %s), comparée à la région et à la France.", formationTitle(d.Formation), p.Etab.Nom, uai)
	return p, nil
}

func labelOr(label, m string) string {
	if label != "" {
		return label
	}
	return m
}

func labelIfEmpty(label, m string) string {
	if label == "" {
		return m
	}
	return ""
}

// comparedTo is the detail line of a headline: région and France.
func comparedTo(r, n *int) string {
	var parts []string
	if r != nil {
		parts = append(parts, fmt.Sprintf("région : %d\u202f%%", *r))
	}
	if n != nil {
		parts = append(parts, fmt.Sprintf("France : %d\u202f%%", *n))
	}
	return strings.Join(parts, " ; ")
}

// compareSummary says in words how the establishment compares.
func compareSummary(in indicator, rows []hbar) string {
	e, r, n := rows[0], rows[1], rows[2]
	if e.Value == nil {
		return fmt.Sprintf("%s de l'établissement : %s.", in.Label, e.Missing) + valuesSentence(rows[1:])
	}
	s := fmt.Sprintf("%s de l'établissement : %d\u202f%%", in.Label, *e.Value)
	if r.Value != nil {
		s += fmt.Sprintf(", %s de la région (%d\u202f%%)", posWord(*e.Value-*r.Value), *r.Value)
	}
	if n.Value != nil {
		s += fmt.Sprintf(", %s de la France entière (%d\u202f%%)", posWord(*e.Value-*n.Value), *n.Value)
	}
	return s + "."
}

func posWord(d int) string {
	switch {
	case d > 0:
		return fmt.Sprintf("%d point%s au-dessus", d, pluralS(d))
	case d < 0:
		return fmt.Sprintf("%d point%s en dessous", -d, pluralS(-d))
	}
	return "au niveau"
}

func valuesSentence(rows []hbar) string {
	var parts []string
	for _, r := range rows {
		if r.Value != nil {
			parts = append(parts, fmt.Sprintf("%s : %d\u202f%%", r.Label, *r.Value))
		} else {
			parts = append(parts, r.Label+" : "+r.Missing)
		}
	}
	return " " + strings.Join(parts, " ; ") + "."
}

func (s *Server) pairSupPage(c *fiber.Ctx, st dataState, uai, sise string) (*pairPage, error) {
	d, err := s.store.EtablissementSup(c.UserContext(), uai, sise)
	if err != nil {
		return nil, err
	}
	p := &pairPage{F: d.Formation, Sup: true}
	p.basePage, p.Etab = pairBase(s, c, st, d.Etablissement, d.Formation)
	t := &dataTable{ID: "comparaison", Caption: "Par promotion : l'établissement, sa région et la France",
		Columns: append([]column{{Key: "millesime", Label: "Promotion"}, {Key: "perimetre", Label: "Périmètre"}}, supColumns()...)}
	for i, m := range d.Chiffres {
		for _, x := range []struct {
			l, p string
			f    model.InserSupFigure
		}{{"Établissement", "etablissement", m.Etablissement}, {"Région", "region", m.Region}, {"France", "france", m.National}} {
			r := supRowOf(cell{}, &x.f, rowIDs{UAI: uai, Etablissement: p.Etab.Nom, Region: d.Etablissement.Region.Code, Perimetre: x.p})
			r.ids.Millesime = m.Millesime
			t.addRow(r.demo, r.ids, append([]cell{headerCell(labelOr(x.f.MillesimeLabel, m.Millesime), ""), textCell(x.l)}, supCells(&x.f.SupFigure)...)...).withSources(r.src)
		}
		if i == 0 {
			e := m.Etablissement
			pv := pairVoie{Voie: model.VoieSuperieur, Label: voieLabel(model.VoieSuperieur), Latest: labelOr(e.MillesimeLabel, m.Millesime), Headline: supHeadline(&e)}
			if e.Statut != model.StatutOK {
				pv.LatestStatut = model.StatutLabel(e.Statut)
			}
			p.Voies = append(p.Voies, pv)
		}
	}
	if len(t.Rows) > 0 {
		p.Table = t
	}
	p.Description = fmt.Sprintf("Insertion des diplômés de %s à %s (UAI %s, InserSup), comparée à la région et à la France.", formationTitle(d.Formation), p.Etab.Nom, uai)
	return p, nil
}
