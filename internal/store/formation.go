package store

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/jackc/pgx/v5"
	"golang.org/x/sync/errgroup"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// Formation returns the identity of a formation (CFD, MEFSTAT11 or SISE):
// BCN label and level, closing date, terminal-year MEFSTAT11s, continuum
// links. Unknown codes give a *model.NotFoundError (code_inconnu).
func (s *Store) Formation(ctx context.Context, code string) (model.Formation, error) {
	c, kind, err := model.ParseFormationCode(code)
	if err != nil {
		return model.Formation{}, &model.NotFoundError{Statut: model.StatutCodeInconnu, Message: err.Error()}
	}
	if kind == model.KindSISE {
		return s.formationSup(ctx, c)
	}
	sc, err := s.scope(ctx, c, kind)
	if err != nil {
		return model.Formation{}, err
	}
	return sc.f, nil
}

// formationFigures is what a formation page shows, before the continuum
// (choose) and the secret statistique (Disclose).
type formationFigures struct {
	sc  *formationScope
	src map[int64]model.Source
	// per role, keyed without role
	national [nRoles]map[natKey]model.RawFormationFigure
	regions  [nRoles]map[regKey]model.RawFormationFigure
	etabs    [nRoles]map[etabKey]model.RawFormationFigure
	etabRows map[string]figRow // one row per UAI (its région)
}

type natKey struct{ voie, millesime string }
type regKey struct{ voie, millesime, region string }
type etabKey struct{ uai, voie, millesime string }

// load reads every figure row of the scope's keys (establishments
// restricted to uai when set) and groups them by level and role.
func (s *Store) loadFormationFigures(ctx context.Context, sc *formationScope, uai string) (*formationFigures, error) {
	codes := sc.codes()
	// Independent reads run in parallel (one pool connection each).
	var regional, uaiAll, etabRows, rebuilt []figRow
	var src map[int64]model.Source
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) { regional, err = s.regionalRows(gctx, codes, ""); return })
	g.Go(func() (err error) { src, err = s.sources(gctx); return })
	if uai == "" {
		g.Go(func() (err error) { uaiAll, err = s.uaiRows(gctx, codes, "", ""); return })
	} else {
		// One establishment: of the other establishments, only the rows
		// whose key the regional file lacks are read (the régions rebuilt
		// from them).
		g.Go(func() (err error) { etabRows, err = s.uaiRows(gctx, codes, uai, ""); return })
		g.Go(func() (err error) { rebuilt, err = s.rebuiltRegions(gctx, codes, ""); return })
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if uai == "" {
		etabRows = uaiAll
		rebuilt = regionsFromUAI(regional, uaiAll)
	}
	regional = append(regional, rebuilt...)
	ff := &formationFigures{sc: sc, src: src, etabRows: map[string]figRow{}}
	for r := 0; r < nRoles; r++ {
		ff.national[r] = map[natKey]model.RawFormationFigure{}
		ff.regions[r] = map[regKey]model.RawFormationFigure{}
		ff.etabs[r] = map[etabKey]model.RawFormationFigure{}
	}
	type rk struct {
		role int
		natKey
	}
	nat := map[rk][]figRow{}
	type rrk struct {
		role int
		regKey
	}
	reg := map[rrk][]figRow{}
	for _, r := range regional {
		role := sc.role[r.code]
		nat[rk{role, natKey{r.voie, r.millesime}}] = append(nat[rk{role, natKey{r.voie, r.millesime}}], r)
		k := rrk{role, regKey{r.voie, r.millesime, r.region}}
		reg[k] = append(reg[k], r)
	}
	for k, rows := range nat {
		ff.national[k.role][k.natKey] = figureOf(rows, model.PerimetreNational, sc.cfd[k.role], true, src)
	}
	for k, rows := range reg {
		ff.regions[k.role][k.regKey] = figureOf(rows, model.PerimetreFormation, sc.cfd[k.role], false, src)
	}
	type erk struct {
		role int
		etabKey
	}
	et := map[erk][]figRow{}
	for _, r := range etabRows {
		k := erk{sc.role[r.code], etabKey{r.uai, r.voie, r.millesime}}
		et[k] = append(et[k], r)
		if _, ok := ff.etabRows[r.uai]; !ok || r.region != "" {
			ff.etabRows[r.uai] = r
		}
	}
	for k, rows := range et {
		ff.etabs[k.role][k.etabKey] = figureOf(rows, model.PerimetreFormation, sc.cfd[k.role], false, src)
	}
	return ff, nil
}

// FormationDetail returns everything about one InserJeunes formation
// (CFD or MEFSTAT11): identity, national figures per millésime and voie
// (sums over the régions, rates recomputed), one block per région, and the
// establishments offering it with their latest figure. A formation without
// its own figures for a millésime shows its 1:1 predecessor's or
// successor's, labelled (source_continuum).
func (s *Store) FormationDetail(ctx context.Context, code string) (model.FormationDetail, error) {
	sc, err := s.ijScope(ctx, code)
	if err != nil {
		return model.FormationDetail{}, err
	}
	ff, err := s.loadFormationFigures(ctx, sc, "")
	if err != nil {
		return model.FormationDetail{}, err
	}
	d, mills, voies := nationalAndRegions(sc, ff)
	d.Etablissements, err = s.offres(ctx, ff, choose(sc, ff.etabs))
	if err != nil {
		return d, err
	}
	for _, e := range d.Etablissements {
		d.Demonstration = d.Demonstration || e.Dernier.Demonstration
	}
	d.Millesimes = model.SortMillesimes(mills)
	d.Formation.Voies = sortedVoies(voies)
	return d, nil
}

// ijScope parses an InserJeunes formation code (CFD or MEFSTAT11; an
// unknown one is a code_inconnu NotFoundError, a SISE one an error) and
// returns its scope with its continuum.
func (s *Store) ijScope(ctx context.Context, code string) (*formationScope, error) {
	c, kind, err := model.ParseFormationCode(code)
	if err != nil {
		return nil, &model.NotFoundError{Statut: model.StatutCodeInconnu, Message: err.Error()}
	}
	if kind == model.KindSISE {
		return nil, fmt.Errorf("%s est un code SISE : voir FormationSupDetail", c)
	}
	return s.scope(ctx, c, kind)
}

// nationalAndRegions is a formation's detail without its establishments:
// the national figures and one block per région, each the formation's own
// or the one its continuum chose, disclosed and sorted; with the
// millésimes and voies they hold.
func nationalAndRegions(sc *formationScope, ff *formationFigures) (d model.FormationDetail, mills []string, voies map[string]bool) {
	d = model.FormationDetail{Formation: sc.f, National: []model.FormationFigure{}, Regions: []model.RegionFigures{},
		Etablissements: []model.EtablissementOffre{}}
	mills = []string{}
	voies = map[string]bool{}
	for _, raw := range choose(sc, ff.national) {
		f := raw.Disclose()
		d.National = append(d.National, f)
		mills = append(mills, f.Millesime)
		voies[f.Voie] = true
		d.Demonstration = d.Demonstration || f.Demonstration
	}
	sortFigures(d.National)
	byRegion := map[string][]model.FormationFigure{}
	for k, f := range choose(sc, ff.regions) {
		byRegion[k.region] = append(byRegion[k.region], f.Disclose())
	}
	for code, figs := range byRegion {
		sortFigures(figs)
		d.Regions = append(d.Regions, model.RegionFigures{Region: regionTerritoire(code), Chiffres: figs})
	}
	sortRegionBlocks(d.Regions)
	return d, mills, voies
}

func sortedVoies(m map[string]bool) []string {
	out := []string{}
	for v := range m {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return model.VoieOrder(out[i]) < model.VoieOrder(out[j]) })
	return out
}

func regionTerritoire(code string) model.Territoire {
	t := model.Territoire{Code: code}
	if r, ok := model.RegionByCode(code); ok {
		t.Nom = r.Nom
	}
	return t
}

// offres builds the list of establishments offering the formation: one
// entry per (UAI, voie) with its latest figure.
func (s *Store) offres(ctx context.Context, ff *formationFigures, etabs map[etabKey]model.RawFormationFigure) ([]model.EtablissementOffre, error) {
	type ov struct{ uai, voie string }
	// Every millésime of an offer is listed, only the latest is shown:
	// only that one is disclosed (a large formation has 11,000 figures at
	// 1× the demo, 45,000 at 4×).
	groups := map[ov][]model.RawFormationFigure{}
	var uais []string
	seen := map[string]bool{}
	for k, f := range etabs {
		groups[ov{k.uai, k.voie}] = append(groups[ov{k.uai, k.voie}], f)
		if !seen[k.uai] {
			seen[k.uai] = true
			uais = append(uais, k.uai)
		}
	}
	names, err := s.etabNames(ctx, uais)
	if err != nil {
		return nil, err
	}
	out := make([]model.EtablissementOffre, 0, len(groups))
	for k, figs := range groups {
		// one voie, one figure per millésime: sortFigures' order
		sort.Slice(figs, func(i, j int) bool { return model.CompareMillesimes(figs[i].Millesime, figs[j].Millesime) < 0 })
		o := model.EtablissementOffre{UAI: k.uai, Voie: k.voie, Dernier: figs[0].Disclose()}
		for _, f := range figs {
			o.Millesimes = append(o.Millesimes, f.Millesime)
		}
		n := names[k.uai]
		o.Nom, o.Commune, o.Departement = n.nom, n.commune, n.departement
		reg := n.region
		if r := ff.etabRows[k.uai].region; r != "" {
			reg = r
		}
		o.Region = regionTerritoire(reg)
		out = append(out, o)
	}
	// Sort by région, then UAI (that is, by département), then voie.
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Region.Nom != b.Region.Nom {
			return regionSortKey(a.Region.Nom) < regionSortKey(b.Region.Nom)
		}
		if a.UAI != b.UAI {
			return a.UAI < b.UAI
		}
		return model.VoieOrder(a.Voie) < model.VoieOrder(b.Voie)
	})
	return out, nil
}

// etabName is the short identity of an establishment in lists.
type etabName struct{ nom, commune, departement, region string }

// etabNames returns the best name, commune, département and région of
// each UAI, each field from the highest-precedence source that has it.
//
// With a data version in the context, the names of every establishment
// (7,418 on the demo, about 1 MB) are read once per version, in one pass
// over the table (4 ms), and picked from: a formation offered by 1,878
// establishments asked for theirs one index probe each (19 ms a render).
func (s *Store) etabNames(ctx context.Context, uais []string) (map[string]etabName, error) {
	if len(uais) == 0 {
		return map[string]etabName{}, nil
	}
	if !hasDataVersion(ctx) {
		return s.readEtabNames(ctx, uais)
	}
	all, err := summary(ctx, s, "etablissement names", func() (map[string]etabName, error) { return s.readEtabNames(ctx, nil) })
	if err != nil {
		return nil, err
	}
	out := make(map[string]etabName, len(uais))
	for _, u := range uais {
		if n, ok := all[u]; ok {
			out[u] = n
		}
	}
	return out, nil
}

// readEtabNames reads the names of uais (nil: of every establishment).
func (s *Store) readEtabNames(ctx context.Context, uais []string) (map[string]etabName, error) {
	out := map[string]etabName{}
	const q = `
SELECT uai,
  coalesce((array_agg(nom ORDER BY precedence DESC) FILTER (WHERE nom IS NOT NULL))[1], ''),
  coalesce((array_agg(commune ORDER BY precedence DESC) FILTER (WHERE commune IS NOT NULL))[1], ''),
  coalesce((array_agg(departement ORDER BY precedence DESC) FILTER (WHERE departement IS NOT NULL))[1], ''),
  coalesce((array_agg(region ORDER BY precedence DESC) FILTER (WHERE region IS NOT NULL))[1], '')
FROM etablissement_sources %s GROUP BY uai`
	var rows pgx.Rows
	var err error
	if uais == nil { // two statements: each its own plan
		rows, err = s.pool.Query(ctx, fmt.Sprintf(q, ""))
	} else {
		rows, err = s.pool.Query(ctx, fmt.Sprintf(q, "WHERE uai = ANY($1)"), uais)
	}
	if err != nil {
		return nil, fmt.Errorf("noms d'établissements : %w", err)
	}
	ref, err := s.referentiel(ctx)
	if err != nil {
		rows.Close()
		return nil, err
	}
	var u string
	var n etabName
	_, err = pgx.ForEachRow(rows, []any{&u, &n.nom, &n.commune, &n.departement, &n.region}, func() error {
		n.nom, n.commune = ref.identity(u, n.nom, n.commune)
		out[u] = n
		return nil
	})
	return out, err
}

// EtablissementFormation returns every millésime of one establishment ×
// formation pair (CFD or MEFSTAT11), each beside the regional and national
// figures of the same formation, millésime and voie. Voies where the
// establishment has no figure at all are left out; a millésime the pair
// lacks says millesime_absent with the millésimes it has. Errors:
// *model.NotFoundError with uai_inconnu, code_inconnu or non_dispensee.
func (s *Store) EtablissementFormation(ctx context.Context, uai, code string) (model.EtablissementFormationDetail, error) {
	var d model.EtablissementFormationDetail
	c, kind, err := model.ParseFormationCode(code)
	if err != nil {
		return d, &model.NotFoundError{Statut: model.StatutCodeInconnu, Message: err.Error()}
	}
	if kind == model.KindSISE {
		return d, fmt.Errorf("%s est un code SISE : voir EtablissementSup", c)
	}
	et, err := s.etablissementOrFigures(ctx, uai)
	if err != nil {
		return d, err
	}
	sc, err := s.scope(ctx, c, kind)
	if err != nil {
		return d, err
	}
	ff, err := s.loadFormationFigures(ctx, sc, uai)
	if err != nil {
		return d, err
	}
	p := pairOf(sc, ff, uai, et.Region.Code)
	if len(p.etab) == 0 {
		return d, &model.NotFoundError{Statut: model.StatutNonDispensee,
			Message: fmt.Sprintf("la formation %s n'a aucun chiffre dans l'établissement %s : elle n'y est pas dispensée (ou pas sous ce code)", c, uai)}
	}
	d.Etablissement, d.Formation = et, sc.f
	d.Chiffres = p.rows()
	var mills []string
	for _, row := range d.Chiffres {
		d.Demonstration = d.Demonstration || row.Etablissement.Demonstration || row.Region.Demonstration || row.National.Demonstration
		mills = append(mills, row.Millesime)
	}
	d.Millesimes = model.SortMillesimes(mills)
	d.Formation.Voies = p.voies()
	return d, nil
}

// pairFigures are the figures of one establishment × formation pair and
// of its formation in the pair's région and in France, after the
// continuum, before the secret statistique.
type pairFigures struct {
	uai, region    string
	mefstat11, cfd string // the formation asked for (the key an absent figure names)
	etab           map[etabKey]model.RawFormationFigure
	regional       map[regKey]model.RawFormationFigure
	national       map[natKey]model.RawFormationFigure
}

// pairOf chooses the figures of the pair (continuum); its région is the
// one its figure rows name, else the establishment's.
func pairOf(sc *formationScope, ff *formationFigures, uai, etabRegion string) pairFigures {
	region := etabRegion
	if r := ff.etabRows[uai].region; r != "" {
		region = r
	}
	return pairFigures{uai: uai, region: region, mefstat11: sc.f.MEFSTAT11, cfd: sc.f.CFD,
		etab: choose(sc, ff.etabs), regional: choose(sc, ff.regions), national: choose(sc, ff.national)}
}

// millesimes returns, per voie, the millésimes with a figure of the pair,
// of its région and of France.
func (p *pairFigures) millesimes() (pair, region, national map[string][]string) {
	pair, region, national = map[string][]string{}, map[string][]string{}, map[string][]string{}
	for k := range p.etab {
		pair[k.voie] = append(pair[k.voie], k.millesime)
	}
	for k := range p.regional {
		if k.region == p.region {
			region[k.voie] = append(region[k.voie], k.millesime)
		}
	}
	for k := range p.national {
		national[k.voie] = append(national[k.voie], k.millesime)
	}
	return pair, region, national
}

// rows returns one row per (millésime, voie) of the pair and of France in
// the voies of the pair, from the latest millésime, then by voie.
func (p *pairFigures) rows() []model.EtabFormationMillesime {
	pair, region, national := p.millesimes()
	keys := map[natKey]bool{}
	for k := range p.etab {
		keys[natKey{k.voie, k.millesime}] = true
	}
	for k := range p.national {
		if _, ok := pair[k.voie]; ok {
			keys[k] = true
		}
	}
	out := make([]model.EtabFormationMillesime, 0, len(keys))
	for k := range keys {
		e, eok := p.etab[etabKey{p.uai, k.voie, k.millesime}]
		r, rok := p.regional[regKey{k.voie, k.millesime, p.region}]
		n, nok := p.national[k]
		out = append(out, model.EtabFormationMillesime{Millesime: k.millesime, Voie: k.voie,
			Etablissement: p.figure(k, e, eok, pair), Region: p.figure(k, r, rok, region), National: p.figure(k, n, nok, national)})
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if c := model.CompareMillesimes(a.Millesime, b.Millesime); c != 0 {
			return c < 0
		}
		return model.VoieOrder(a.Voie) < model.VoieOrder(b.Voie)
	})
	return out
}

// figure is the figure f of one level for key k (found: ok) through
// Disclose, or the millesime_absent figure listing the millésimes that
// level has (mills, per voie).
func (p *pairFigures) figure(k natKey, f model.RawFormationFigure, ok bool, mills map[string][]string) model.FormationFigure {
	if ok {
		return f.Disclose()
	}
	code := p.cfd
	if k.voie == model.VoieScolaire && p.mefstat11 != "" {
		code = p.mefstat11
	}
	return model.AbsentFigure(k.millesime, k.voie, code, model.StatutMillesimeAbsent, model.SortMillesimes(mills[k.voie]))
}

// voies are the voies of the pair's own figures.
func (p *pairFigures) voies() []string {
	voies := map[string]bool{}
	for k := range p.etab {
		voies[k.voie] = true
	}
	return sortedVoies(voies)
}

// etablissementOrFigures returns the identity of a UAI; a UAI no
// referential knows but that has figures gets a minimal identity; else
// *model.NotFoundError (uai_inconnu).
func (s *Store) etablissementOrFigures(ctx context.Context, uai string) (model.Etablissement, error) {
	et, err := s.Etablissement(ctx, uai)
	if err == nil {
		return et, nil
	}
	if !errors.Is(err, model.ErrNotFound) {
		return et, err
	}
	var ok bool
	if err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM ij_uai_formation WHERE uai = $1) OR EXISTS (SELECT 1 FROM insersup WHERE uai = $1)`, uai).Scan(&ok); err != nil {
		return et, err
	}
	if !ok {
		return et, &model.NotFoundError{Statut: model.StatutUAIInconnu, Message: "UAI " + uai + " inconnu : aucun établissement ni chiffre pour ce code"}
	}
	return model.Etablissement{UAI: uai, Departement: model.Territoire{Code: model.DepartementOfUAI(uai)}}, nil
}

// regionSortKeys are the folded names of the régions, for sorting.
var regionSortKeys = func() map[string]string {
	m := map[string]string{}
	for _, r := range model.AllRegions() {
		m[r.Nom] = model.Fold(r.Nom)
	}
	return m
}()

// regionSortKey orders région names alphabetically, accents folded.
func regionSortKey(nom string) string {
	if k, ok := regionSortKeys[nom]; ok {
		return k
	}
	return model.Fold(nom)
}

func sortRegionBlocks(rs []model.RegionFigures) {
	sort.Slice(rs, func(i, j int) bool { return regionSortKey(rs[i].Region.Nom) < regionSortKey(rs[j].Region.Nom) })
}
