package web

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// territoryPage is "/regions/{code}" and "/academies/{code}": for
// decision-makers, figures by level and formation, the distribution of
// establishments, and the coverage of the pairs.
type territoryPage struct {
	basePage
	Kind      string // "region" or "academie"
	Heading   string
	Links     []link // académies of the région, or the région of the académie
	LinksHead string
	Facts     []fact
	// Headlines open the page: per voie, every formation of the
	// territory beside France; HeadBasis says what the sums rest on.
	Headlines []*territoryHeadline
	HeadBasis []string
	Labor     *laborContext
	Coverage  *dataTable
	CoverText []string
	Niveaux   *dataTable
	NivChart  *chart
	Distrib   *chart
	Etabs     *dataTable
	EtabPager *tablePager
	Forms     *dataTable
	FormPager *tablePager
	NoFigure  string

	// regionCode is the INSEE code of the région (of the académie), in
	// the exported rows.
	regionCode string
}

// regionShow is GET /regions/{code} (INSEE code).
func (s *Server) regionShow(c *fiber.Ctx) error {
	raw := strings.Clone(c.Params("code"))
	reg, ok := model.RegionByCode(raw)
	if !ok {
		if r, ok2 := model.RegionByCode(fmt.Sprintf("%02s", raw)); ok2 && len(raw) == 1 {
			return redirectCanonical(c, "/regions/"+r.Code)
		}
		return errNotFound(model.StatutCodeInconnu, fmt.Sprintf("« %s » n'est pas un code de région : le code INSEE à deux chiffres est attendu (53 pour la Bretagne, 84 pour Auvergne-Rhône-Alpes…).", raw))
	}
	return s.dataPage(c, "/regions/"+reg.Code, s.apiRegion, func(st dataState, f string) (*built, error) {
		ctx := c.UserContext()
		// the page and its exports show the latest millésime of each
		// formation and level; the JSON (apiRegion) has every one
		d, err := s.store.RegionLatest(ctx, reg.Code)
		if err != nil {
			return nil, err
		}
		path := "/regions/" + reg.Code
		p := &territoryPage{Kind: "region", Heading: reg.Nom}
		p.basePage = s.newBase(st, reg.Nom+" : insertion des jeunes par niveau, formation et établissement", "", path)
		p.Breadcrumb = []crumb{{Label: reg.Nom, URL: path}}
		acads, err := s.store.Academies(ctx)
		if err != nil {
			return nil, err
		}
		for _, a := range acads {
			if a.Region.Code == reg.Code {
				p.Links = append(p.Links, link{Label: "Académie de " + a.Nom, URL: "/academies/" + a.Code})
			}
		}
		p.LinksHead = "Académies de la région"
		p.HeadBasis = []string{"Chiffres de la région : somme, indicateur par indicateur, de toutes ses formations telles que la DEPP les publie par région (fichier région × formation). France : la même somme sur toutes les régions du fichier."}
		if err := s.fillTerritory(c, p, d, reg.Nom, reg.Code, nil); err != nil {
			return nil, err
		}
		p.Description = fmt.Sprintf("%s : taux d'emploi et de poursuite d'études des jeunes par niveau de diplôme, par formation et par établissement, couverture des chiffres publiés.", reg.Nom)
		if f != "html" {
			p.sortTables(c)
			return exportTables(c, f, "region-"+reg.Code, &p.basePage, p.tables())
		}
		linkTables(&p.basePage, p.tables())
		if err := p.paginate(c, path); err != nil {
			return nil, err
		}
		return s.htmlPage("pages/territoire", p)
	})
}

func (p *territoryPage) tables() []*dataTable {
	ts := []*dataTable{p.Niveaux, p.Forms, p.Etabs, p.Coverage}
	for _, h := range p.Headlines {
		ts = append(ts, h.Levels)
	}
	if p.Labor != nil {
		ts = append(ts, p.Labor.Deps)
	}
	return ts
}

// sortTables sorts the two long tables as the request asks (the exports
// keep the order of the page).
func (p *territoryPage) sortTables(c *fiber.Ctx) {
	if p.Forms != nil {
		p.Forms.sortByRequest(c, "formation")
	}
	if p.Etabs != nil {
		p.Etabs.sortByRequest(c, "etablissement")
	}
}

// paginate keeps one page of the two long tables.
func (p *territoryPage) paginate(c *fiber.Ctx, path string) (err error) {
	base := func(drop ...string) string { return pageBase(c, path, drop...) }
	if p.Forms != nil {
		if p.Forms, p.FormPager, err = p.Forms.sortAndPage(c, base, "formation"); err != nil {
			return err
		}
	}
	if p.Etabs != nil {
		if p.Etabs, p.EtabPager, err = p.Etabs.sortAndPage(c, base, "etablissement"); err != nil {
			return err
		}
	}
	return nil
}

// fillTerritory builds the tables of a région or académie page from its
// aggregates (d), its establishments and the coverage of its pairs.
func (s *Server) fillTerritory(c *fiber.Ctx, p *territoryPage, d model.RegionDetail, name, region string, deps []string) error {
	ctx := c.UserContext()
	p.regionCode = region
	p.Exports = exportLinks(p.Path, nil)
	p.headlines(d.ChiffresCles, name)
	ce, err := s.store.ContexteEmploi(ctx, region, deps)
	if err != nil {
		return err
	}
	p.Labor = laborContextOf(ce, p.Kind)
	p.niveauxTable(d.Niveaux)
	p.formationsTable(d.Formations)
	etabs, err := s.store.TerritoryEtablissements(ctx, region, deps)
	if err != nil {
		return err
	}
	p.etablissementsTable(etabs)
	cov, err := s.store.TerritoryCoverage(ctx, region, deps)
	if err != nil {
		return err
	}
	p.coverageTable(cov)
	if p.Niveaux == nil && p.Forms == nil && p.Etabs == nil {
		p.NoFigure = "Aucun chiffre d'insertion n'est chargé pour ce territoire."
	}
	return nil
}

// niveauxTable: the latest millésime of each (level, voie), and the chart
// of the scolaire voie (else the first one).
func (p *territoryPage) niveauxTable(niveaux []model.RegionNiveau) {
	niv := &dataTable{ID: "niveaux", Caption: "Par niveau de diplôme (dernier millésime publié)",
		Columns: append([]column{{Key: "niveau", Label: "Niveau"}, {Key: "voie", Label: "Voie"}, {Key: "millesime", Label: "Millésime"}},
			figureColumns(indNbTerm, indTauxEmploi6, indTauxPoursuite, indPartEmploi, indPartPoursuite, indPartAutres)...)}
	var bars []hbar
	firstVoie, chartVoie := "", ""
	var chartMills []string
	for _, n := range niveaux {
		fs := sortedFigures(n.Chiffres)
		if len(fs) == 0 {
			continue
		}
		f := fs[0]
		label := n.Niveau
		if label == "" {
			label = "niveau non renseigné"
		}
		niv.addRow(f.Demonstration, rowIDs{NiveauCode: n.NiveauCode, Millesime: f.Millesime, Voie: n.Voie, Region: p.regionCode},
			append([]cell{headerCell(label, ""), textCell(voieLabel(n.Voie)), textCell(f.MillesimeLabel)},
				figureCells(&f.Figure, indNbTerm, indTauxEmploi6, indTauxPoursuite, indPartEmploi, indPartPoursuite, indPartAutres)...)...).
			withSources(formationSources(&f)...)
		if firstVoie == "" {
			firstVoie = n.Voie
		}
		if n.Voie == model.VoieScolaire || firstVoie == n.Voie && !slices.ContainsFunc(niveaux, func(x model.RegionNiveau) bool { return x.Voie == model.VoieScolaire }) {
			bars = append(bars, hbar{Label: label, Value: f.TauxEmploi6Mois, Missing: f.MissingReason(model.IndTauxEmploi6Mois)})
			chartVoie = n.Voie
			if !slices.Contains(chartMills, f.MillesimeLabel) {
				chartMills = append(chartMills, f.MillesimeLabel)
			}
		}
	}
	if len(niv.Rows) > 0 {
		p.Niveaux = niv
		voie, mills := strings.ToLower(voieLabel(chartVoie)), strings.Join(chartMills, ", ")
		p.NivChart = hbarsChartColors("niveaux-graphique", fmt.Sprintf("Taux d'emploi à 6 mois par niveau de diplôme, %s, %s", voie, mills), bars, nil,
			fmt.Sprintf("Chaque barre donne le taux d'emploi à 6 mois des jeunes de la %s d'un niveau de diplôme, au dernier millésime publié (%s) ; le tableau « Par niveau de diplôme » donne toutes les valeurs, des deux voies, et la raison des valeurs absentes.", voie, mills), false)
	}
}

// formationsTable: the latest figure of each (formation, voie).
func (p *territoryPage) formationsTable(formations []model.RegionFormation) {
	forms := &dataTable{ID: "formations", Caption: "Par formation (dernier millésime publié)",
		Columns: append([]column{{Key: "formation", Label: "Formation"}, {Key: "niveau", Label: "Niveau"}, {Key: "voie", Label: "Voie"},
			{Key: "millesime", Label: "Millésime"}}, figureColumns(indNbTerm, indTauxEmploi6, indTauxPoursuite)...)}
	same := make([]model.SameLabel, len(formations))
	for i, rf := range formations {
		same[i] = model.SameLabel{Libelle: labelOr(rf.Libelle, "Formation "+rf.Code), Code: labelOr(rf.CFD, rf.Code), Fermeture: rf.DateFermeture}
	}
	distinct := model.DistinctLabels(same)
	for i, rf := range formations {
		fs := sortedFigures(rf.Chiffres)
		if len(fs) == 0 {
			continue
		}
		f := fs[0]
		code := rf.CFD
		if code == "" {
			code = rf.Code
		}
		lib := distinct[i]
		ids := figureIDs(&f)
		ids.Region, ids.Voie = p.regionCode, rf.Voie
		if ids.CFD == "" {
			ids.CFD = rf.CFD
		}
		if ids.MEFSTAT11 == "" {
			ids.MEFSTAT11 = rf.MEFSTAT11
		}
		ids.LibelleBCN = rf.LibelleBCN
		forms.addRow(f.Demonstration, ids, append([]cell{headerCell(lib, "/formations/"+code), textCell(rf.Niveau), textCell(voieLabel(rf.Voie)), textCell(f.MillesimeLabel)},
			figureCells(&f.Figure, indNbTerm, indTauxEmploi6, indTauxPoursuite)...)...).withSources(formationSources(&f)...)
	}
	if len(forms.Rows) > 0 {
		p.Forms = forms
	}
}

// etablissementsTable: the establishments and their distribution.
func (p *territoryPage) etablissementsTable(etabs []model.TerritoryEtab) {
	et := &dataTable{ID: "etablissements", Caption: "Établissements (chiffres de l'établissement, dernier millésime publié)", Param: "_etab",
		Columns: append([]column{{Key: "etablissement", Label: "Établissement"}, {Key: "commune", Label: "Commune"}, {Key: "voie", Label: "Voie"},
			{Key: "millesime", Label: "Millésime"}}, figureColumns(indTauxEmploi6, indTauxPoursuite, indVA)...)}
	for i := range etabs {
		e := &etabs[i]
		nom := e.Nom
		if nom == "" {
			nom = "Établissement " + e.UAI
		}
		et.addRow(e.Source.Demonstration, rowIDs{UAI: e.UAI, Etablissement: nom, Millesime: e.Millesime, Voie: e.Voie, SousPopulation: "ensemble", Region: p.regionCode},
			append([]cell{headerCell(nom, "/etablissements/"+e.UAI), textCell(e.Commune), textCell(voieLabel(e.Voie)),
				textCell(millesimeLabels([]string{e.Millesime}))}, figureCells(&e.Figure, indTauxEmploi6, indTauxPoursuite, indVA)...)...).withSources(e.Source)
	}
	et.dropSparseColumn("commune")
	if len(et.Rows) > 0 {
		p.Etabs = et
		p.Distrib = distribution(etabs)
	}
}

// coverageTable: how many pairs have published rates, per voie.
func (p *territoryPage) coverageTable(cov []model.Coverage) {
	if len(cov) == 0 {
		return
	}
	t := &dataTable{ID: "couverture", Caption: "Couverture : couples établissement × formation au dernier millésime",
		Columns: []column{{Key: "voie", Label: "Voie"}, {Key: "millesime", Label: "Dernier millésime"},
			{Key: "paires", Label: "Couples établissement × formation", Numeric: true},
			{Key: "publiees", Label: "Avec des taux publiés", Numeric: true},
			{Key: "sous_seuil", Label: "Moins de 20 élèves (secret statistique)", Numeric: true},
			{Key: "non_diffuse", Label: "Non diffusés par le producteur", Numeric: true}}}
	for _, cv := range cov {
		cv := cv
		t.addRow(cv.Demonstration, rowIDs{Millesime: cv.Millesime, Voie: cv.Voie, Region: p.regionCode}, headerCell(voieLabel(cv.Voie), ""), textCell(millesimeLabels([]string{cv.Millesime})),
			cell{Num: &cv.Paires}, cell{Num: &cv.Publiees}, cell{Num: &cv.SousSeuil}, cell{Num: &cv.NonDiffuse}).withSources(cv.Sources...)
		if cv.Paires > 0 {
			p.CoverText = append(p.CoverText, fmt.Sprintf("%s : sur %d couples établissement × formation, %d ont des taux publiés (%d\u202f%%), %d comptent moins de 20 élèves et %d ne sont pas diffusés par le producteur.",
				voieLabel(cv.Voie), cv.Paires, cv.Publiees, cv.Publiees*100/cv.Paires, cv.SousSeuil, cv.NonDiffuse))
		}
	}
	p.Coverage = t
}

// distribution charts the share of establishments by band of employment
// rate, per voie.
func distribution(etabs []model.TerritoryEtab) *chart {
	bands := []struct {
		label  string
		lo, hi int
	}{{"moins de 30 %", 0, 30}, {"30 à 39 %", 30, 40}, {"40 à 49 %", 40, 50}, {"50 à 59 %", 50, 60}, {"60 à 69 %", 60, 70}, {"70 % et plus", 70, 1000}}
	type acc struct {
		n       []int
		total   int
		missing int
	}
	byVoie := map[string]*acc{}
	var voies []string
	for _, e := range etabs {
		a, ok := byVoie[e.Voie]
		if !ok {
			a = &acc{n: make([]int, len(bands))}
			byVoie[e.Voie] = a
			voies = append(voies, e.Voie)
		}
		if e.Figure.TauxEmploi6Mois == nil {
			a.missing++
			continue
		}
		v := *e.Figure.TauxEmploi6Mois
		for i, b := range bands {
			if v >= b.lo && v < b.hi {
				a.n[i]++
				a.total++
			}
		}
	}
	slices.SortFunc(voies, func(a, b string) int { return model.VoieOrder(a) - model.VoieOrder(b) })
	var cats []string
	for _, b := range bands {
		cats = append(cats, b.label)
	}
	t := &dataTable{ID: "distribution-donnees", Caption: "Nombre d'établissements par tranche de taux d'emploi à 6 mois",
		Columns: []column{{Key: "tranche", Label: "Taux d'emploi à 6 mois", Def: indTauxEmploi6.Def, Help: indTauxEmploi6.Short}}}
	var ss []series
	var summary []string
	for _, v := range voies {
		a := byVoie[v]
		t.Columns = append(t.Columns, column{Key: v, Label: voieLabel(v) + " : établissements", Numeric: true})
		sr := series{Label: voieLabel(v) + " (part des établissements, %)"}
		for i := range bands {
			var share *int
			if a.total > 0 {
				x, _ := model.RoundHalfEven(a.n[i], a.total)
				share = &x
			}
			sr.Values = append(sr.Values, share)
		}
		ss = append(ss, sr)
		best := 0
		for i := range bands {
			if a.n[i] > a.n[best] {
				best = i
			}
		}
		if a.total > 0 {
			summary = append(summary, fmt.Sprintf("%s : %s un taux publié, le plus souvent %s ; %s (non diffusé ou secret statistique).",
				voieLabel(v), nOf(a.total, "établissement a", "établissements ont"), bands[best].label, nOf(a.missing, "n'en a pas", "n'en ont pas")))
		}
	}
	for i, b := range bands {
		cells := []cell{headerCell(b.label, "")}
		for _, v := range voies {
			n := byVoie[v].n[i]
			cells = append(cells, cell{Num: &n})
		}
		t.addRow(false, rowIDs{}, cells...)
	}
	cells := []cell{headerCell("taux non publié", "")}
	for _, v := range voies {
		n := byVoie[v].missing
		cells = append(cells, cell{Num: &n})
	}
	t.addRow(false, rowIDs{}, cells...)
	return barsChart("distribution", "Répartition des établissements par taux d'emploi à 6 mois", cats, ss, t, strings.Join(summary, " "))
}
