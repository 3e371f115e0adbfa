package web

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// formationPage is "/formations/{code}" (CFD, MEFSTAT11 or SISE).
type formationPage struct {
	basePage
	F        model.Formation
	Sup      bool
	Facts    []fact
	Metiers  *metiersBlock
	Anciens  []formationLien
	Nouveaux []formationLien
	// Voies holds the national headline of each voie.
	Voies          []formationVoie
	National       *dataTable
	Regions        *dataTable
	RegionsChart   *chart
	RegionsMap     *regionMap
	Etabs          *dataTable
	EtabsPager     *tablePager
	RegionFilter   []option
	ContinuumNotes []string
	NoFigure       string
	// Famille is the famille de métiers of a bac pro specialty (or of a
	// common 2nde), nil for other formations.
	Famille *model.FamilleLien
}

// demoBlocks names the headline blocks built on synthetic figures
// (InserSup diplomas of the demonstration set).
func (p *formationPage) demoBlocks() []string {
	for _, v := range p.Voies {
		for _, h := range v.Headline {
			if h.Demo {
				return []string{"les chiffres clés de France entière"}
			}
		}
	}
	return nil
}

// formationLien is a continuum link.
type formationLien struct {
	Code, Libelle, URL string
	UnPourUn           bool
}

// formationVoie is the national headline of a formation for one voie.
type formationVoie struct {
	Voie, Label, Latest string
	LatestStatut        string
	Headline            []headlineFigure
	PartsChart          *chart
	Continuum           string
}

// option is one choice of a select.
type option struct {
	Value, Label string
	Selected     bool
}

const rowsPerPage = 50

// formationShow is GET /formations/{code}.
func (s *Server) formationShow(c *fiber.Ctx) error {
	raw := strings.Clone(c.Params("code"))
	code, kind, err := model.ParseFormationCode(raw)
	if err != nil {
		return errNotFound(model.StatutCodeInconnu, fmt.Sprintf("« %s » n'est pas un code de formation : %v.", raw, err))
	}
	return s.dataPage(c, "/formations/"+code, s.apiFormation, func(st dataState, f string) (*built, error) {
		var p *formationPage
		var err error
		if kind == model.KindSISE {
			p, err = s.formationSupPage(c, st, code)
		} else {
			p, err = s.formationPage(c, st, code)
		}
		if err != nil {
			return nil, err
		}
		if f != "html" {
			return exportTables(c, f, "formation-"+code, &p.basePage, p.tables())
		}
		linkTables(&p.basePage, p.tables())
		page, err := pageParam(c, "page")
		if err != nil {
			return nil, err
		}
		base := pageBase(c, "/formations/"+code, "page")
		if p.Etabs != nil {
			p.Etabs.SortBase = pageBase(c, "/formations/"+code, "page", "tri", "ordre")
			shown := *p.Etabs
			p.EtabsPager = shown.paginate(page, rowsPerPage, base)
			p.Etabs = &shown
		}
		return s.htmlPage("pages/formation", p)
	})
}

func (p *formationPage) tables() []*dataTable {
	return []*dataTable{p.National, p.Regions, p.Etabs}
}

// pageBase is path with the request's query minus the given parameters
// (and format).
func pageBase(c *fiber.Ctx, path string, drop ...string) string {
	q := canonicalQuery(c, append(drop, "format")...)
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

func formationFacts(fm model.Formation) []fact {
	var facts []fact
	add := func(l, v string) {
		if v != "" {
			facts = append(facts, fact{Label: l, Value: v})
		}
	}
	add("Niveau", fm.Niveau)
	if fm.LibelleBCN != fm.Libelle {
		add("Libellé BCN", fm.LibelleBCN)
	}
	add("Code formation diplôme (CFD)", fm.CFD)
	add("MEFSTAT11", fm.MEFSTAT11)
	if len(fm.MEFSTAT11AnneeTerminale) > 0 {
		add("MEFSTAT11 de l'année terminale", strings.Join(fm.MEFSTAT11AnneeTerminale, ", "))
	}
	add("Code SISE", fm.SISE)
	var voies []string
	for _, v := range fm.Voies {
		voies = append(voies, strings.ToLower(voieLabel(v)))
	}
	add("Voies", strings.Join(voies, ", "))
	add("Domaine", fm.Domaine)
	add("Discipline", fm.Discipline)
	if fm.DateOuverture != nil {
		add("Ouverture", frenchDay(*fm.DateOuverture))
	}
	if fm.DateFermeture != nil {
		add("Fermeture", frenchDay(*fm.DateFermeture))
	}
	return facts
}

// frenchDay turns "2019-09-01" into "1er septembre 2019".
func frenchDay(iso string) string {
	var y, m, d int
	if _, err := fmt.Sscanf(iso, "%d-%d-%d", &y, &m, &d); err != nil || m < 1 || m > 12 {
		return iso
	}
	day := strconv.Itoa(d)
	if d == 1 {
		day = "1er"
	}
	return fmt.Sprintf("%s %s %d", day, frenchMonths[m-1], y)
}

func liens(ls []model.FormationLien) []formationLien {
	var out []formationLien
	for _, l := range ls {
		out = append(out, formationLien{Code: l.Code, Libelle: l.Libelle, URL: "/formations/" + l.Code, UnPourUn: l.UnPourUn})
	}
	return out
}

func formationTitle(fm model.Formation) string {
	if fm.Libelle != "" {
		return fm.Libelle
	}
	return "Formation " + fm.Code
}

func (s *Server) formationPage(c *fiber.Ctx, st dataState, code string) (*formationPage, error) {
	d, err := s.store.FormationDetail(c.UserContext(), code)
	if err != nil {
		return nil, err
	}
	p := s.formationIdentity(st, d.Formation, code)
	if d.Formation.CFD != "" {
		if p.Famille, err = s.store.FamilleOf(c.UserContext(), d.Formation.CFD); err != nil {
			return nil, err
		}
	}
	voies := p.nationalBlocks(d.National)
	p.regionsTable(d.Regions, voies)
	p.etablissementsTable(c, d.Etablissements, code)
	if len(d.National) == 0 && len(d.Etablissements) == 0 {
		p.NoFigure = "Aucun chiffre d'insertion n'est publié pour cette formation, à aucun millésime, ni par ses diplômes précédent ou suivant."
	}
	p.Description = formationDescription(d.Formation, p.Voies, len(d.Etablissements))
	return p, nil
}

// formationIdentity is the page around the figures: title, facts,
// continuum links, breadcrumb and exports.
func (s *Server) formationIdentity(st dataState, fm model.Formation, code string) *formationPage {
	title := formationTitle(fm)
	path := "/formations/" + code
	p := &formationPage{F: fm, Facts: formationFacts(fm), Anciens: liens(fm.Anciens), Nouveaux: liens(fm.Nouveaux), Metiers: newMetiersBlock(fm, false)}
	p.basePage = s.newBase(st, title+" ("+code+")", "", path)
	p.Breadcrumb = []crumb{{Label: "Formations", URL: "/recherche?q=" + url.QueryEscape(fm.Niveau)}, {Label: title, URL: path}}
	if fm.Niveau == "" {
		p.Breadcrumb = p.Breadcrumb[1:]
	}
	p.Exports = exportLinks(path, nil)
	return p
}

// nationalBlocks fills one block per voie (latest headline, parts,
// continuum notes) and the table of every national millésime; it returns
// the voies in display order.
func (p *formationPage) nationalBlocks(national []model.FormationFigure) []string {
	byVoie := map[string][]model.FormationFigure{}
	var voies []string
	for _, f := range national {
		if _, ok := byVoie[f.Voie]; !ok {
			voies = append(voies, f.Voie)
		}
		byVoie[f.Voie] = append(byVoie[f.Voie], f)
	}
	slices.SortFunc(voies, func(a, b string) int { return model.VoieOrder(a) - model.VoieOrder(b) })
	notes := map[string]bool{}
	for _, v := range voies {
		figs := byVoie[v]
		slices.SortFunc(figs, func(a, b model.FormationFigure) int { return model.CompareMillesimes(a.Millesime, b.Millesime) })
		p.Voies = append(p.Voies, nationalVoie(v, figs))
		for _, f := range figs {
			if f.SourceContinuum != nil && !notes[f.SourceContinuum.Phrase()] {
				notes[f.SourceContinuum.Phrase()] = true
				p.ContinuumNotes = append(p.ContinuumNotes, fmt.Sprintf("%s : %s.", f.MillesimeLabel, f.SourceContinuum.Phrase()))
			}
		}
	}
	p.National = formationFiguresTable("national", "France entière, par voie et millésime", "france", national)
	return voies
}

// nationalVoie is the block of voie v from its national figures, most
// recent first.
func nationalVoie(v string, figs []model.FormationFigure) formationVoie {
	latest := figs[0]
	fv := formationVoie{Voie: v, Label: voieLabel(v), Latest: latest.MillesimeLabel}
	if latest.Statut != model.StatutOK {
		fv.LatestStatut = latest.StatutPhrase()
	}
	fv.Headline = []headlineFigure{headline(indTauxEmploi6, &latest.Figure, ""), headline(indTauxPoursuite, &latest.Figure, "")}
	if h, ok := countHeadline(latest.NbAnneeTerm); ok {
		fv.Headline = append(fv.Headline, h)
	}
	if latest.SourceContinuum != nil {
		fv.Continuum = latest.SourceContinuum.Phrase()
	}
	for _, f := range figs {
		if c := partsChart("parts-"+v, f.PartEmploi6Mois, f.PartPoursuiteEtudes, f.PartAutresSituations,
			"France entière : devenir des jeunes de dernière année, 6 mois après — "+f.MillesimeLabel); c != nil {
			fv.PartsChart = c
			break
		}
	}
	return fv
}

// regionsTable fills the latest millésime of each (région, voie), and the
// chart of the first voie.
func (p *formationPage) regionsTable(regions []model.RegionFigures, voies []string) {
	reg := &dataTable{ID: "regions", Caption: "Par région, dernier millésime publié",
		Columns: append([]column{{Key: "region", Label: "Région"}, {Key: "voie", Label: "Voie"}, {Key: "millesime", Label: "Millésime"}},
			figureColumns(indNbTerm, indTauxEmploi6, indTauxPoursuite)...)}
	var bars []hbar
	var values []mapValue
	for _, r := range regions {
		seen := map[string]bool{}
		for _, f := range sortedFigures(r.Chiffres) {
			if seen[f.Voie] {
				continue
			}
			seen[f.Voie] = true
			ids := figureIDs(&f)
			ids.Region = r.Region.Code
			reg.addRow(f.Demonstration, ids, append([]cell{headerCell(orCode(r.Region), "/regions/"+r.Region.Code), textCell(voieLabel(f.Voie)), textCell(f.MillesimeLabel)},
				figureCells(&f.Figure, indNbTerm, indTauxEmploi6, indTauxPoursuite)...)...).withSources(formationSources(&f)...)
			if len(voies) > 0 && f.Voie == voies[0] {
				bars = append(bars, hbar{Label: orCode(r.Region), Value: f.TauxEmploi6Mois})
				values = append(values, mapValue{Code: r.Region.Code, Value: f.TauxEmploi6Mois, Missing: f.MissingReason(model.IndTauxEmploi6Mois)})
			}
		}
	}
	if len(reg.Rows) == 0 {
		return
	}
	p.Regions = reg
	if len(voies) > 0 {
		p.RegionsChart = hbarsChartColors("regions-graphique", "Taux d'emploi à 6 mois par région — "+strings.ToLower(voieLabel(voies[0])), bars, nil,
			"Chaque barre donne le taux d'emploi à 6 mois de la région au dernier millésime publié ; le tableau « Par région » donne les mêmes valeurs et la raison de chaque valeur absente.", false)
		p.RegionsMap = franceRegionMap("regions-carte", "Carte du taux d'emploi à 6 mois par région — "+strings.ToLower(voieLabel(voies[0]))+", dernier millésime publié",
			"taux d'emploi à 6 mois", values, reg.ID, reg.Caption)
	}
}

// etablissementsTable fills the establishments offering the formation,
// sortable, filtered by ?region=.
func (p *formationPage) etablissementsTable(c *fiber.Ctx, list []model.EtablissementOffre, code string) {
	region := c.Query("region")
	etabs := &dataTable{ID: "etablissements", Caption: "Établissements qui dispensent cette formation (dernier millésime)", Sortable: true,
		Columns: append([]column{{Key: "etablissement", Label: "Établissement"}, {Key: "commune", Label: "Commune"},
			{Key: "region", Label: "Région"}, {Key: "voie", Label: "Voie"}, {Key: "millesime", Label: "Millésime"}},
			figureColumns(indNbTerm, indTauxEmploi6, indTauxPoursuite)...)}
	regions := map[string]string{}
	for _, e := range list {
		regions[e.Region.Code] = orCode(e.Region)
		if region != "" && e.Region.Code != region {
			continue
		}
		nom := e.Nom
		if nom == "" {
			nom = "Établissement " + e.UAI
		}
		ids := figureIDs(&e.Dernier)
		ids.UAI, ids.Etablissement, ids.Region = e.UAI, nom, e.Region.Code
		etabs.addRow(e.Dernier.Demonstration, ids, append([]cell{headerCell(nom, "/etablissements/"+e.UAI+"/formations/"+code), textCell(e.Commune),
			textCell(orCode(e.Region)), textCell(voieLabel(e.Voie)), textCell(e.Dernier.MillesimeLabel)},
			figureCells(&e.Dernier.Figure, indNbTerm, indTauxEmploi6, indTauxPoursuite)...)...).withSources(formationSources(&e.Dernier)...)
	}
	p.RegionFilter = regionOptions(regions, region)
	etabs.dropSparseColumn("commune")
	if len(etabs.Rows) > 0 || region != "" {
		etabs.sortByRequest(c, "etablissement")
		if len(etabs.Rows) == 0 {
			etabs.Note = "Aucun établissement de cette région ne dispense la formation dans les données chargées."
		}
		p.Etabs = etabs
	}
}

func regionOptions(regions map[string]string, selected string) []option {
	out := []option{{Value: "", Label: "Toutes les régions", Selected: selected == ""}}
	var codes []string
	for c := range regions {
		if c != "" {
			codes = append(codes, c)
		}
	}
	slices.SortFunc(codes, func(a, b string) int { return strings.Compare(model.Fold(regions[a]), model.Fold(regions[b])) })
	for _, c := range codes {
		out = append(out, option{Value: c, Label: regions[c], Selected: c == selected})
	}
	return out
}

// sortedFigures sorts formation figures from the most recent millésime.
func sortedFigures(fs []model.FormationFigure) []model.FormationFigure {
	out := slices.Clone(fs)
	slices.SortStableFunc(out, func(a, b model.FormationFigure) int {
		if c := model.CompareMillesimes(a.Millesime, b.Millesime); c != 0 {
			return c
		}
		return model.VoieOrder(a.Voie) - model.VoieOrder(b.Voie)
	})
	return out
}

// formationFiguresTable is one row per (voie, millésime) of aggregate or
// establishment figures, with the provenance of each row.
// perimetre is the level of the figures (france, region…) for the exports.
func formationFiguresTable(id, caption, perimetre string, figs []model.FormationFigure) *dataTable {
	if len(figs) == 0 {
		return nil
	}
	figs = sortedFigures(figs)
	ptrs := make([]*model.Figure, len(figs))
	for i := range figs {
		ptrs[i] = &figs[i].Figure
	}
	ins := usedIndicators(ptrs, []indicator{indNbTerm, indTauxEmploi6, indTauxPoursuite},
		indNbSortant, indPartEmploi, indPartPoursuite, indPartAutres, indTauxEmploi12, indTauxEmploi18, indTauxEmploi24)
	t := &dataTable{ID: id, Caption: caption,
		Columns: append(append([]column{{Key: "voie", Label: "Voie"}, {Key: "millesime", Label: "Millésime"}}, figureColumns(ins...)...),
			column{Key: "emploi_public", Label: "Emploi public compté"}, column{Key: "provenance", Label: "Provenance"})}
	for i := range figs {
		f := &figs[i]
		cells := append([]cell{textCell(voieLabel(f.Voie)), headerCell(f.MillesimeLabel, "")}, figureCells(&f.Figure, ins...)...)
		public := "oui"
		if f.EmploiPublicExclu {
			public = "non (sortants avant 2022)"
		}
		cells = append(cells, textCell(public), textCell(provenance(f)))
		ids := figureIDs(f)
		ids.Perimetre = perimetre
		t.addRow(f.Demonstration, ids, cells...).withSources(formationSources(f)...)
	}
	return t
}

// provenance says where a formation figure comes from, in words.
func provenance(f *model.FormationFigure) string {
	var parts []string
	if f.SourceContinuum != nil {
		parts = append(parts, f.SourceContinuum.Phrase())
	}
	if f.Calcule {
		parts = append(parts, "calculé par le site ("+agregatPhrase(f.Agregat)+")")
	} else if f.Source.Producteur != "" {
		parts = append(parts, "publié par "+f.Source.Producteur)
	}
	if f.Demonstration || f.Source.Demonstration {
		parts = append(parts, "données de démonstration")
	}
	if len(f.MillesimesDisponibles) > 0 {
		parts = append(parts, "millésimes disponibles : "+millesimeLabels(f.MillesimesDisponibles))
	}
	if len(parts) == 0 {
		return "source non renseignée"
	}
	return strings.Join(parts, " ; ")
}

func formationDescription(fm model.Formation, voies []formationVoie, n int) string {
	d := "Insertion des jeunes après " + formationTitle(fm)
	for _, v := range voies {
		if len(v.Headline) >= 2 && !v.Headline[0].Missing {
			d += fmt.Sprintf(" — %s, %s : %s en emploi à 6 mois, %s en poursuite d'études", strings.ToLower(v.Label), v.Latest, v.Headline[0].Value, v.Headline[1].Value)
		}
	}
	if n > 0 {
		d += " ; " + nOf(n, "établissement", "établissements")
	}
	return d + "."
}
