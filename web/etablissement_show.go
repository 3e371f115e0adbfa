package web

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// etablissementShow is GET /etablissements/{uai}: identity, headline
// figures, valeur ajoutée, history, formations. Other spellings of the
// UAI redirect to the canonical URL.
func (s *Server) etablissementShow(c *fiber.Ctx) error {
	uai, err := uaiParam(c)
	if err != nil {
		return err
	}
	return s.dataPage(c, "/etablissements/"+uai, s.apiEtablissement, func(st dataState, f string) (*built, error) {
		p, err := s.etablissementPage(c, st, uai)
		if err != nil {
			return nil, err
		}
		if f != "html" {
			return exportTables(c, f, uai, &p.basePage, p.tables())
		}
		linkTables(&p.basePage, p.tables())
		return s.htmlPage("pages/etablissement", p)
	})
}

func (p *etablissementPage) tables() []*dataTable {
	var ts []*dataTable
	for _, v := range p.Voies {
		ts = append(ts, v.History)
		ts = append(ts, v.SousPopulation...)
	}
	return append(ts, p.Formations, p.Superieur)
}

func (s *Server) etablissementPage(c *fiber.Ctx, st dataState, uai string) (*etablissementPage, error) {
	ctx := c.UserContext()
	et, err := s.store.Etablissement(ctx, uai)
	if errors.Is(err, model.ErrNotFound) {
		return nil, errNotFound(model.StatutUAIInconnu, fmt.Sprintf("Aucun établissement ne porte l'UAI %s dans les données chargées : %s.", uai, model.StatutLabel(model.StatutUAIInconnu)))
	}
	if err != nil {
		return nil, err
	}
	figs, err := s.store.EtablissementFigures(ctx, uai)
	if err != nil {
		return nil, err
	}
	nom := et.Nom
	if nom == "" {
		nom = "Établissement " + uai
	}
	path := "/etablissements/" + uai
	p := &etablissementPage{Etab: identityOf(et, nom)}
	p.basePage = s.newBase(st, nom+" ("+uai+")", "", path)
	p.Breadcrumb = etabBreadcrumb(et, nom)
	p.Exports = exportLinks(path, nil)

	byVoie := map[string][]model.EtabFigure{}
	var voies []string
	for _, f := range figs {
		if _, ok := byVoie[f.Voie]; !ok {
			voies = append(voies, f.Voie)
		}
		byVoie[f.Voie] = append(byVoie[f.Voie], f)
		if !slices.Contains(p.Millesimes, f.Millesime) {
			p.Millesimes = append(p.Millesimes, f.Millesime)
		}
	}
	p.Millesimes = model.SortMillesimes(p.Millesimes)
	slices.SortFunc(voies, func(a, b string) int { return model.VoieOrder(a) - model.VoieOrder(b) })
	base := rowIDs{UAI: uai, Etablissement: nom, Region: et.Region.Code}
	for _, v := range voies {
		p.Voies = append(p.Voies, etabVoieBlock(v, byVoie[v], base))
	}
	forms, err := s.store.EtablissementFormations(ctx, uai)
	if err != nil {
		return nil, err
	}
	p.Formations, p.Superieur, err = s.etabFormationTables(c, base, forms, et.Region)
	if err != nil {
		return nil, err
	}
	if p.Familles, err = s.etabFamilles(ctx, uai, forms); err != nil {
		return nil, err
	}
	if len(figs) == 0 && len(forms) == 0 {
		p.NoFigure = "Les fichiers InserJeunes chargés ne publient aucun chiffre d'insertion pour cet établissement, à aucun millésime (par exemple parce qu'il ne forme pas en voie professionnelle, ou parce qu'il est trop récent)."
	}
	p.Description = etabDescription(et, nom, p.Voies)
	return p, nil
}

func identityOf(et model.Etablissement, nom string) etabIdentity {
	id := etabIdentity{UAI: et.UAI, Nom: nom, Type: et.Type, Statut: et.Statut, Adresse: et.Adresse,
		CodePostal: et.CodePostal, Commune: et.Commune}
	if et.Departement.Code != "" {
		id.Departement = link{Label: joinNonEmpty(" ", et.Departement.Nom, "("+model.DepartementNumero(et.Departement.Code)+")")}
	}
	if et.Academie.Code != "" {
		id.Academie = link{Label: orCode(et.Academie), URL: "/academies/" + et.Academie.Code}
	}
	if et.Region.Code != "" {
		id.Region = link{Label: orCode(et.Region), URL: "/regions/" + et.Region.Code}
	}
	return id
}

func orCode(t model.Territoire) string {
	if t.Nom != "" {
		return t.Nom
	}
	return t.Code
}

func etabBreadcrumb(et model.Etablissement, nom string) []crumb {
	var bc []crumb
	if et.Region.Code != "" {
		bc = append(bc, crumb{Label: orCode(et.Region), URL: "/regions/" + et.Region.Code})
	}
	if et.Academie.Code != "" {
		bc = append(bc, crumb{Label: "Académie " + orCode(et.Academie), URL: "/academies/" + et.Academie.Code})
	}
	return append(bc, crumb{Label: nom, URL: "/etablissements/" + et.UAI})
}

// sousPopulationLabel names the sub-populations of the InserJeunes files.
func sousPopulationLabel(sp string) string {
	switch sp {
	case "ensemble":
		return "Ensemble des sortants"
	case "apprentis":
		return "Apprentis formés au lycée"
	case "voie_pro_sco":
		return "Élèves de la voie professionnelle sous statut scolaire"
	}
	return sp
}

// voieBlockLabel is the heading of a voie on an establishment page.
func voieBlockLabel(v string) string {
	switch v {
	case model.VoieScolaire:
		return "Voie scolaire (lycée professionnel)"
	case model.VoieApprentissage:
		return "Apprentissage (centre de formation d'apprentis)"
	case model.VoieSuperieur:
		return "Enseignement supérieur"
	}
	return v
}

// base holds the establishment's identifiers (UAI, name, région) for the
// exported rows.
func etabVoieBlock(voie string, figs []model.EtabFigure, base rowIDs) etabVoie {
	b := etabVoie{Voie: voie, Label: voieBlockLabel(voie)}
	bySP := map[string][]model.EtabFigure{}
	var sps []string
	for _, f := range figs {
		if _, ok := bySP[f.SousPopulation]; !ok {
			sps = append(sps, f.SousPopulation)
		}
		bySP[f.SousPopulation] = append(bySP[f.SousPopulation], f)
	}
	main := bySP["ensemble"]
	if main == nil && len(sps) > 0 {
		main = bySP[sps[0]]
	}
	slices.SortFunc(main, func(a, b model.EtabFigure) int { return model.CompareMillesimes(a.Millesime, b.Millesime) })
	if len(main) > 0 {
		latest := &main[0]
		b.Latest = latest.MillesimeLabel
		if latest.Statut != model.StatutOK {
			b.LatestStatut = model.StatutLabel(latest.Statut)
		}
		f := &latest.Figure
		b.Headline = []headlineFigure{
			headline(indTauxEmploi6, f, ""),
			headline(indTauxPoursuite, f, ""),
			headline(indVA, f, attenduDetail(f)),
		}
		if f.TauxContratsInterrompus != nil {
			b.Headline = append(b.Headline, headline(indInterrompus, f, ""))
		}
		b.VA = valeurAjouteeOf(f)
		for i := range main { // the most recent figure that publishes the three parts
			g := &main[i].Figure
			if c := partsChart("parts-"+voie, g.PartEmploi6Mois, g.PartPoursuiteEtudes, g.PartAutresSituations,
				"Devenir des jeunes de dernière année, 6 mois après — "+main[i].MillesimeLabel); c != nil {
				b.PartsChart = c
				break
			}
		}
	}
	b.History = historyTable("historique-"+voie, "Chiffres par millésime — "+voieLabel(voie)+", ensemble des sortants", main, base)
	b.HistoryChart = historyChart("evolution-"+voie, voie, main)
	for _, f := range figs {
		if f.EmploiPublicExclu {
			b.EmploiPublic = true
		}
	}
	for _, sp := range sps {
		if sp == "ensemble" {
			continue
		}
		l := bySP[sp]
		slices.SortFunc(l, func(a, b model.EtabFigure) int { return model.CompareMillesimes(a.Millesime, b.Millesime) })
		b.SousPopulation = append(b.SousPopulation, historyTable("historique-"+voie+"-"+sp,
			"Chiffres par millésime — "+voieLabel(voie)+", "+strings.ToLower(sousPopulationLabel(sp)), l, base))
	}
	return b
}

// headline is one big number of the latest figure.
func headline(in indicator, f *model.Figure, detail string) headlineFigure {
	c := in.cellOf(f)
	h := headlineFigure{Label: in.Label, Value: c.Display(), Missing: c.Missing, Definition: in.Def, Detail: detail, DefText: in.Short}
	if v := f.Value(in.Ind); v != nil && in.Per100 != "" {
		h.Sentence = upperFirst(fmt.Sprintf(in.Per100, formatInt(*v))) + "."
	}
	return h
}

// countHeadline is the headline card of the final-year headcount.
func countHeadline(n *int) (headlineFigure, bool) {
	if n == nil {
		return headlineFigure{}, false
	}
	return headlineFigure{Label: "Jeunes en année terminale", Value: formatInt(*n), Definition: indNbTerm.Def, DefText: indNbTerm.Short}, true
}

// upperFirst capitalises the first letter of s.
func upperFirst(s string) string {
	for i, r := range s {
		return strings.ToUpper(string(r)) + s[i+len(string(r)):]
	}
	return s
}

func attenduDetail(f *model.Figure) string {
	if f.TauxEmploi6MoisAttendu == nil {
		return ""
	}
	return fmt.Sprintf("taux d'emploi attendu : %d\u202f%%", *f.TauxEmploi6MoisAttendu)
}

// valeurAjouteeOf explains the valeur ajoutée in a sentence. The producer
// computes it before rounding the two rates: when the rounded rates differ
// by another amount (71 % and 71 % with a valeur ajoutée of +1), the
// sentence says so instead of « dépasse de 1 point le taux attendu (71 %) ».
func valeurAjouteeOf(f *model.Figure) *valeurAjoutee {
	if f.TauxEmploi6Mois == nil || f.TauxEmploi6MoisAttendu == nil || f.ValeurAjoutee == nil {
		return nil
	}
	va := &valeurAjoutee{Taux: *f.TauxEmploi6Mois, Attendu: *f.TauxEmploi6MoisAttendu, VA: *f.ValeurAjoutee}
	va.Label = pointsOf(va.VA, true)
	const profil = " pour des jeunes de même profil (âge, sexe, niveau, origine sociale, formation) dans un territoire au même taux de chômage"
	obs := fmt.Sprintf("Le taux d'emploi à 6 mois observé (%d\u202f%%)", va.Taux)
	switch {
	case va.Taux-va.Attendu != va.VA && va.VA != 0:
		sens := "dépasse le taux attendu"
		if va.VA < 0 {
			sens = "est inférieur au taux attendu"
		}
		same := fmt.Sprintf("et le taux attendu%s (%d\u202f%%) sont arrondis", profil, va.Attendu)
		if va.Taux == va.Attendu {
			same = fmt.Sprintf("et le taux attendu%s s'arrondissent tous deux à %d\u202f%%", profil, va.Taux)
		}
		va.Sentence = fmt.Sprintf("%s %s ; avant arrondi, le taux observé %s de %s.", obs, same, sens, pointsOf(abs(va.VA), false))
	case va.VA > 0:
		va.Sentence = fmt.Sprintf("%s dépasse de %s le taux attendu (%d\u202f%%)%s : l'établissement fait mieux que prévu.", obs, pointsOf(va.VA, false), va.Attendu, profil)
	case va.VA < 0:
		va.Sentence = fmt.Sprintf("%s est inférieur de %s au taux attendu (%d\u202f%%)%s.", obs, pointsOf(-va.VA, false), va.Attendu, profil)
	default:
		va.Sentence = fmt.Sprintf("%s est égal au taux attendu%s.", obs, profil)
	}
	va.Benchmark = "Le taux attendu tient compte des formations de l'établissement et du profil de ses élèves : c'est la référence qui convient pour le juger, plutôt qu'une moyenne régionale, qui mêle d'autres formations et d'autres publics."
	return va
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// historyTable is one row per millésime (most recent first); base holds
// the establishment's identifiers.
func historyTable(id, caption string, figs []model.EtabFigure, base rowIDs) *dataTable {
	if len(figs) == 0 {
		return nil
	}
	ptrs := make([]*model.Figure, len(figs))
	for i := range figs {
		ptrs[i] = &figs[i].Figure
	}
	ins := usedIndicators(ptrs, []indicator{indTauxEmploi6, indTauxPoursuite},
		indAttendu, indVA, indPartEmploi, indPartPoursuite, indPartAutres, indTauxEmploi12, indTauxEmploi18, indTauxEmploi24, indInterrompus)
	t := &dataTable{ID: id, Caption: caption}
	t.Columns = append([]column{{Key: "millesime", Label: "Millésime"}}, figureColumns(ins...)...)
	t.Columns = append(t.Columns, column{Key: "emploi_public", Label: "Emploi public compté"}, column{Key: "source", Label: "Source"})
	publicExclu := false
	for i := range figs {
		f := &figs[i]
		public := "oui"
		if f.EmploiPublicExclu {
			public = "non (sortants avant 2022)"
			publicExclu = true
		}
		cells := append([]cell{headerCell(f.MillesimeLabel, "")}, figureCells(&f.Figure, ins...)...)
		cells = append(cells, textCell(public))
		src := joinNonEmpty(" — ", f.Source.Producteur, f.Source.Fichier)
		if src == "" {
			src = "source non renseignée"
		}
		if f.Source.Demonstration {
			src += " (démonstration)"
		}
		if n := len(f.AutresSources); n > 0 {
			src += fmt.Sprintf(" (et %d autre%s source%s de priorité moindre)", n, pluralS(n), pluralS(n))
		}
		cells = append(cells, textCell(src))
		ids := base
		ids.Millesime, ids.Voie, ids.SousPopulation = f.Millesime, f.Voie, f.SousPopulation
		t.addRow(f.Source.Demonstration, ids, cells...).withSources(append([]model.Source{f.Source}, f.AutresSources...)...)
	}
	if publicExclu {
		t.Note = "Promotions sorties jusqu'en 2021 : l'emploi dans la fonction publique n'est pas compté dans les taux d'emploi (la DSN ne le couvre qu'à partir des sortants de 2022)."
	}
	return t
}

// historyChart draws the employment and further-study rates over the
// millésimes (oldest first).
func historyChart(id, voie string, figs []model.EtabFigure) *chart {
	if len(figs) < 2 {
		return nil
	}
	var cats []string
	emploi := series{Label: "Taux d'emploi à 6 mois"}
	pours := series{Label: "Taux de poursuite d'études"}
	for i := len(figs) - 1; i >= 0; i-- {
		f := figs[i]
		cats = append(cats, shortMillesime(f.Millesime))
		emploi.Values = append(emploi.Values, f.TauxEmploi6Mois)
		pours.Values = append(pours.Values, f.TauxPoursuiteEtudes)
	}
	table := &dataTable{ID: id + "-donnees", Caption: "Données du graphique : évolution des taux — " + voieLabel(voie),
		Columns: append([]column{{Key: "millesime", Label: "Millésime"}}, figureColumns(indTauxEmploi6, indTauxPoursuite)...)}
	for i := range figs {
		table.addRow(figs[i].Source.Demonstration, rowIDs{Millesime: figs[i].Millesime}, append([]cell{headerCell(figs[i].MillesimeLabel, "")},
			figureCells(&figs[i].Figure, indTauxEmploi6, indTauxPoursuite)...)...)
	}
	return barsChart(id, "Évolution des taux — "+voieLabel(voie), cats, []series{emploi, pours}, table,
		evolutionSummary(figs))
}

// evolutionSummary says in words how the employment rate moved between
// the oldest and the latest published millésime.
func evolutionSummary(figs []model.EtabFigure) string {
	var first, last *model.EtabFigure
	for i := range figs { // figs: most recent first
		if figs[i].TauxEmploi6Mois == nil {
			continue
		}
		if last == nil {
			last = &figs[i]
		}
		first = &figs[i]
	}
	if first == nil || first == last {
		return "Le taux d'emploi à 6 mois n'est publié que pour un millésime au plus : le tableau ci-dessous donne chaque valeur et la raison des valeurs manquantes."
	}
	d := *last.TauxEmploi6Mois - *first.TauxEmploi6Mois
	move := "est stable"
	switch {
	case d > 0:
		move = fmt.Sprintf("progresse de %d point%s", d, pluralS(d))
	case d < 0:
		move = fmt.Sprintf("recule de %d point%s", -d, pluralS(-d))
	}
	return fmt.Sprintf("Le taux d'emploi à 6 mois %s, de %d\u202f%% (%s) à %d\u202f%% (%s).", move,
		*first.TauxEmploi6Mois, first.MillesimeLabel, *last.TauxEmploi6Mois, last.MillesimeLabel)
}

// shortMillesime is the axis label of a millésime: "2021-22", "2024".
func shortMillesime(m string) string {
	mm, err := model.ParseMillesime(m)
	if err != nil {
		return m
	}
	if mm.Start == mm.End {
		return fmt.Sprint(mm.Start)
	}
	return fmt.Sprintf("%d-%02d", mm.Start, mm.End%100)
}

func etabDescription(et model.Etablissement, nom string, voies []etabVoie) string {
	where := joinNonEmpty(", ", et.Commune, orCode(et.Region))
	d := fmt.Sprintf("Insertion des jeunes formés à %s", nom)
	if where != "" {
		d += " (" + where + ")"
	}
	d += ", UAI " + et.UAI
	for _, v := range voies {
		if len(v.Headline) >= 2 && !v.Headline[0].Missing {
			d += fmt.Sprintf(" — %s, %s : %s en emploi à 6 mois, %s en poursuite d'études", strings.ToLower(voieLabel(v.Voie)), v.Latest, v.Headline[0].Value, v.Headline[1].Value)
		}
	}
	return d + "."
}

// etabFormationTables lists the formations of an establishment with their
// latest figures beside the région and France (InserJeunes), and the
// InserSup diplomas.
func (s *Server) etabFormationTables(c *fiber.Ctx, base rowIDs, forms []model.EtablissementFormation, region model.Territoire) (ij, sup *dataTable, err error) {
	uai := base.UAI
	var keys []model.FormationKey
	for _, f := range forms {
		if f.Dernier != nil {
			keys = append(keys, formationKey(f.Dernier))
		}
	}
	cmp, err := s.store.FormationContext(c.UserContext(), region.Code, keys)
	if err != nil {
		return nil, nil, err
	}
	ij = &dataTable{ID: "formations", Caption: "Formations de l'établissement (dernier millésime publié), comparées à la région et à la France",
		Columns: []column{{Key: "formation", Label: "Formation"}, {Key: "niveau", Label: "Niveau"}, {Key: "voie", Label: "Voie"},
			{Key: "millesime", Label: "Millésime"},
			{Key: "nb_annee_term", Label: "Effectif en année terminale", Numeric: true, Def: "effectifs"},
			{Key: "taux_emploi_6_mois", Label: "Taux d'emploi à 6 mois (%)", Numeric: true, Def: "taux-emploi"},
			{Key: "region_taux_emploi_6_mois", Label: "Région : taux d'emploi à 6 mois (%)", Numeric: true, Def: "taux-emploi"},
			{Key: "national_taux_emploi_6_mois", Label: "France : taux d'emploi à 6 mois (%)", Numeric: true, Def: "taux-emploi"},
			{Key: "taux_poursuite_etudes", Label: "Taux de poursuite d'études (%)", Numeric: true, Def: "taux-poursuite-etudes"},
			{Key: "region_taux_poursuite_etudes", Label: "Région : taux de poursuite d'études (%)", Numeric: true, Def: "taux-poursuite-etudes"},
			{Key: "national_taux_poursuite_etudes", Label: "France : taux de poursuite d'études (%)", Numeric: true, Def: "taux-poursuite-etudes"}}}
	var sups []supRow
	same := make([]model.SameLabel, len(forms))
	for i, f := range forms {
		same[i] = model.SameLabel{Libelle: labelOr(f.Libelle, "Formation "+f.Code), Code: labelOr(f.CFD, f.Code), Fermeture: f.DateFermeture}
	}
	distinct := model.DistinctLabels(same)
	for i, f := range forms {
		if e := f.DernierSup; e != nil {
			sups = append(sups, supRowOf(headerCell(labelOr(f.Libelle, f.Code)+" — "+e.MillesimeLabel, "/etablissements/"+uai+"/formations/"+f.Code), e, base))
			continue
		}
		if f.Dernier == nil {
			continue
		}
		code := f.Code
		lib := distinct[i]
		if f.FormationFermee && f.DateFermeture == nil {
			lib += " (formation fermée)"
		}
		e := f.Dernier
		rn := cmp[formationKey(e)]
		r, n := rn.Region.Figure, rn.National.Figure
		ids := figureIDs(e)
		ids.UAI, ids.Etablissement, ids.Region = base.UAI, base.Etablissement, base.Region
		if ids.CFD == "" {
			ids.CFD = f.CFD
		}
		ids.LibelleBCN = f.LibelleBCN
		demo := e.Demonstration || rn.Region.Demonstration || rn.National.Demonstration
		ij.addRow(demo, ids, headerCell(lib, "/etablissements/"+uai+"/formations/"+code), textCell(f.Niveau), textCell(voieLabel(f.Voie)),
			textCell(labelOr(e.MillesimeLabel, e.Millesime)), indNbTerm.cellOf(&e.Figure),
			indTauxEmploi6.cellOf(&e.Figure), indTauxEmploi6.cellOf(&r), indTauxEmploi6.cellOf(&n),
			indTauxPoursuite.cellOf(&e.Figure), indTauxPoursuite.cellOf(&r), indTauxPoursuite.cellOf(&n)).
			withSources(append(formationSources(e), append(formationSources(&rn.Region), formationSources(&rn.National)...)...)...)
	}
	if len(ij.Rows) == 0 {
		ij = nil
	}
	sup = supTable("superieur", "Diplômes de l'enseignement supérieur (InserSup, dernière promotion publiée)", "Diplôme", sups)
	return ij, sup, nil
}

// formationKey is the key of a formation figure.
func formationKey(f *model.FormationFigure) model.FormationKey {
	return model.FormationKey{Voie: f.Voie, Code: f.Code, Millesime: f.Millesime}
}

// etabFamilles lists the familles de métiers of the specialties an
// establishment has figures for, each linked to the famille page for it.
func (s *Server) etabFamilles(ctx context.Context, uai string, forms []model.EtablissementFormation) ([]link, error) {
	refs, err := s.store.FamilleRefs(ctx)
	if err != nil {
		return nil, err
	}
	var out []link
	seen := map[string]bool{}
	for _, f := range forms {
		r := refs[f.CFD]
		if r == nil || seen[r.Slug] || f.Dernier == nil {
			continue
		}
		seen[r.Slug] = true
		out = append(out, link{Label: r.Nom, URL: "/familles-metiers/" + r.Slug + "?uai=" + url.QueryEscape(uai)})
	}
	slices.SortFunc(out, func(a, b link) int { return strings.Compare(a.Label, b.Label) })
	return out, nil
}
