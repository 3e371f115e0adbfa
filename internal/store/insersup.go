package store

import (
	"context"
	"fmt"
	"sort"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// supRow is one InserSup record (one horizon).
type supRow struct {
	uai, sise, millesime, obt, genre, nat string
	horizon                               int
	region                                string
	pours, sortants, emploi               *int
	taux                                  *float64
	q1, q2, q3                            *int
	fileID                                int64
}

// supInfo is the identity of a SISE diploma as InserSup describes it.
type supInfo struct {
	libelle, typeLong, domaine, discipline string
}

// supRows returns the InserSup records of a diploma (one establishment
// when uai is set; every diploma of the establishment when sise is "").
func (s *Store) supRows(ctx context.Context, sise, uai string) ([]supRow, error) {
	q := `SELECT uai, sise, millesime, obtention_diplome, genre, nationalite, date_inser, coalesce(region, ''),
  nb_poursuivants, nb_sortants, nb_sortants_en_emploi_sal_fr, tx_sortants_en_emploi_sal_fr::float8,
  salaire_q1, salaire_q2, salaire_q3, file_id
FROM insersup WHERE true`
	var args []any
	if sise != "" {
		args = append(args, sise)
		q += fmt.Sprintf(" AND sise = $%d", len(args))
	}
	if uai != "" {
		args = append(args, uai)
		q += fmt.Sprintf(" AND uai = $%d", len(args))
	}
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("chiffres InserSup : %w", err)
	}
	defer rows.Close()
	var out []supRow
	for rows.Next() {
		var r supRow
		if err := rows.Scan(&r.uai, &r.sise, &r.millesime, &r.obt, &r.genre, &r.nat, &r.horizon, &r.region,
			&r.pours, &r.sortants, &r.emploi, &r.taux, &r.q1, &r.q2, &r.q3, &r.fileID); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// supInfos returns the label, type, domain and discipline of SISE codes.
func (s *Store) supInfos(ctx context.Context, sises []string) (map[string]supInfo, error) {
	rows, err := s.pool.Query(ctx, `SELECT DISTINCT ON (sise) sise, coalesce(libelle_diplome, ''), coalesce(type_diplome_long, ''),
  coalesce(dom_lib, ''), coalesce(sectdis_lib, discipli_lib, '')
FROM insersup WHERE sise = ANY($1) ORDER BY sise, date_jeu DESC NULLS LAST`, sises)
	if err != nil {
		return nil, fmt.Errorf("diplômes InserSup : %w", err)
	}
	defer rows.Close()
	out := map[string]supInfo{}
	for rows.Next() {
		var code string
		var i supInfo
		if err := rows.Scan(&code, &i.libelle, &i.typeLong, &i.domaine, &i.discipline); err != nil {
			return nil, err
		}
		out[code] = i
	}
	return out, rows.Err()
}

func (s *Store) formationSup(ctx context.Context, sise string) (model.Formation, error) {
	infos, err := s.supInfos(ctx, []string{sise})
	if err != nil {
		return model.Formation{}, err
	}
	i, ok := infos[sise]
	if !ok {
		return model.Formation{}, &model.NotFoundError{Statut: model.StatutCodeInconnu,
			Message: fmt.Sprintf("code SISE %s inconnu : aucun chiffre InserSup pour ce diplôme", sise)}
	}
	return model.Formation{Code: sise, TypeCode: model.KindSISE, SISE: sise, Libelle: i.libelle, Niveau: i.typeLong,
		Domaine: i.domaine, Discipline: i.discipline, Voies: []string{model.VoieSuperieur},
		Anciens: []model.FormationLien{}, Nouveaux: []model.FormationLien{}}, nil
}

// supKey identifies one InserSup figure of an establishment.
type supKey struct{ uai, sise, millesime, obt, genre, nat string }

// supFigures folds the per-horizon records into one figure per key
// (before Disclose: aggregates need the raw counts).
func supFigures(rows []supRow, src map[int64]model.Source) map[supKey]*model.RawInserSupFigure {
	out := map[supKey]*model.RawInserSupFigure{}
	for _, r := range rows {
		k := supKey{r.uai, r.sise, r.millesime, r.obt, r.genre, r.nat}
		f, ok := out[k]
		if !ok {
			f = &model.RawInserSupFigure{Millesime: r.millesime, SISE: r.sise, UAI: r.uai,
				ObtentionDiplome: r.obt, Genre: r.genre, Nationalite: r.nat, Source: src[r.fileID]}
			out[k] = f
		}
		i := model.SupHorizonIndex(r.horizon)
		if i < 0 {
			continue
		}
		// The leavers and the students going on are the same at every
		// horizon: the first published value is kept.
		v := &f.Raw
		if v.NbSortants == nil {
			v.NbSortants = r.sortants
		}
		if v.NbPoursuivants == nil {
			v.NbPoursuivants = r.pours
		}
		n, t := v.Emploi(i)
		*n, *t = r.emploi, r.taux
		if r.q1 != nil || r.q2 != nil || r.q3 != nil {
			v.Salaires = append(v.Salaires, model.Salaire{Mois: r.horizon, Q1: r.q1, Q2: r.q2, Q3: r.q3})
		}
	}
	for _, f := range out {
		v := &f.Raw
		if v.NbSortants != nil && v.NbPoursuivants != nil {
			v.NbDiplomes = model.Int(*v.NbSortants + *v.NbPoursuivants)
		}
		sort.Slice(v.Salaires, func(i, j int) bool { return v.Salaires[i].Mois < v.Salaires[j].Mois })
	}
	return out
}

// withBreakdowns turns figures of one level into headline figures
// carrying their breakdowns, one per (uai, millésime), through Disclose.
func withBreakdowns(figs map[supKey]*model.RawInserSupFigure) map[supKey]model.InserSupFigure {
	type hk struct{ uai, sise, millesime string }
	heads := map[hk]*model.RawInserSupFigure{}
	var rest []*model.RawInserSupFigure
	for _, f := range figs {
		if f.IsHeadline() {
			heads[hk{f.UAI, f.SISE, f.Millesime}] = f
		} else {
			rest = append(rest, f)
		}
	}
	for _, f := range rest {
		k := hk{f.UAI, f.SISE, f.Millesime}
		h, ok := heads[k]
		if !ok { // no headline record: an empty headline says so
			h = &model.RawInserSupFigure{Millesime: f.Millesime, SISE: f.SISE, UAI: f.UAI, ObtentionDiplome: model.SupObtentionDiplome,
				Genre: model.SupEnsemble, Nationalite: model.SupEnsemble, Source: f.Source, Calcule: f.Calcule}
			heads[k] = h
		}
		h.Repartitions = append(h.Repartitions, *f)
	}
	out := map[supKey]model.InserSupFigure{}
	for k, h := range heads {
		sort.Slice(h.Repartitions, func(i, j int) bool {
			a, b := h.Repartitions[i], h.Repartitions[j]
			if a.ObtentionDiplome != b.ObtentionDiplome {
				return a.ObtentionDiplome > b.ObtentionDiplome // diplômé first
			}
			if a.Genre != b.Genre {
				return a.Genre < b.Genre
			}
			return a.Nationalite < b.Nationalite
		})
		out[supKey{uai: k.uai, sise: k.sise, millesime: k.millesime}] = h.Disclose()
	}
	return out
}

// aggregateSup sums establishment figures per (group, millésime,
// breakdown); group names the level (a région code, or "" for national).
func aggregateSup(figs map[supKey]*model.RawInserSupFigure, perimetre string, group func(*model.RawInserSupFigure) (string, bool)) map[supKey]*model.RawInserSupFigure {
	type gk struct {
		group string
		supKey
	}
	parts := map[gk][]*model.RawInserSupFigure{}
	for k, f := range figs {
		name, ok := group(f)
		if !ok {
			continue
		}
		g := gk{name, supKey{"", k.sise, k.millesime, k.obt, k.genre, k.nat}}
		parts[g] = append(parts[g], f)
	}
	out := map[supKey]*model.RawInserSupFigure{}
	for k, ps := range parts {
		raw := make([]model.RawSupFigure, len(ps))
		demo := false
		var srcs []model.Source
		seen := map[string]bool{}
		for i, p := range ps {
			raw[i] = p.Raw
			demo = demo || p.Source.Demonstration
			if !seen[p.Source.Fichier] {
				seen[p.Source.Fichier] = true
				srcs = append(srcs, p.Source)
			}
		}
		sort.Slice(srcs, func(i, j int) bool { return srcs[i].Fichier < srcs[j].Fichier })
		sf, ag := model.AggregateSup(perimetre, raw)
		f := &model.RawInserSupFigure{Millesime: k.millesime, SISE: k.sise, UAI: k.group, ObtentionDiplome: k.obt, Genre: k.genre,
			Nationalite: k.nat, Raw: sf, Calcule: true, Agregat: &ag, Demonstration: demo, Source: srcs[0]}
		out[supKey{k.group, k.sise, k.millesime, k.obt, k.genre, k.nat}] = f
	}
	return out
}

// supLevels computes the establishment, regional and national headline
// figures (with breakdowns) of InserSup records.
func supLevels(rows []supRow, src map[int64]model.Source) (etab, region, national map[supKey]model.InserSupFigure, regionOf map[string]string) {
	figs := supFigures(rows, src)
	regionOf = map[string]string{}
	for _, r := range rows {
		if r.region != "" {
			regionOf[r.uai] = r.region
		}
	}
	regs := aggregateSup(figs, model.PerimetreRegion, func(f *model.RawInserSupFigure) (string, bool) {
		r := regionOf[f.UAI]
		return r, r != ""
	})
	nat := aggregateSup(figs, model.PerimetreNational, func(*model.RawInserSupFigure) (string, bool) { return "", true })
	region = withBreakdowns(regs)
	national = withBreakdowns(nat)
	for k, f := range region { // UAI held the région code while grouping
		f.UAI = ""
		region[k] = f
	}
	etab = withBreakdowns(figs)
	return etab, region, national, regionOf
}

// FormationSupDetail returns everything about one InserSup diploma
// (SISE): identity, national and regional headline figures per promotion
// (sums over establishments, rates recomputed at two decimals), and the
// establishments awarding it with their latest headline figure. Each
// headline figure carries its breakdowns (obtention, genre, nationalité).
func (s *Store) FormationSupDetail(ctx context.Context, sise string) (model.FormationSupDetail, error) {
	var d model.FormationSupDetail
	f, lv, err := s.supFormationLevels(ctx, sise)
	if err != nil {
		return d, err
	}
	etab, region, national, regionOf := lv.etab, lv.region, lv.national, lv.regionOf
	d.Formation = f
	d.National, d.Regions, d.Etablissements = []model.InserSupFigure{}, []model.RegionSupFigures{}, []model.EtablissementOffreSup{}
	var mills []string
	for _, n := range national {
		d.National = append(d.National, n)
		mills = append(mills, n.Millesime)
		d.Demonstration = d.Demonstration || n.Demonstration
	}
	sortSup(d.National)
	byRegion := map[string][]model.InserSupFigure{}
	for k, r := range region {
		byRegion[k.uai] = append(byRegion[k.uai], r)
	}
	for code, figs := range byRegion {
		sortSup(figs)
		d.Regions = append(d.Regions, model.RegionSupFigures{Region: regionTerritoire(code), Chiffres: figs})
	}
	sort.Slice(d.Regions, func(i, j int) bool {
		return regionSortKey(d.Regions[i].Region.Nom) < regionSortKey(d.Regions[j].Region.Nom)
	})
	byUAI := map[string][]model.InserSupFigure{}
	for _, e := range etab {
		byUAI[e.UAI] = append(byUAI[e.UAI], e)
	}
	uais := make([]string, 0, len(byUAI))
	for u := range byUAI {
		uais = append(uais, u)
	}
	names, err := s.etabNames(ctx, uais)
	if err != nil {
		return d, err
	}
	for u, figs := range byUAI {
		sortSup(figs)
		o := model.EtablissementOffreSup{UAI: u, Nom: names[u].nom, Commune: names[u].commune, Region: regionTerritoire(regionOf[u]), Dernier: figs[0]}
		for _, f := range figs {
			o.Millesimes = append(o.Millesimes, f.Millesime)
		}
		d.Etablissements = append(d.Etablissements, o)
	}
	sort.Slice(d.Etablissements, func(i, j int) bool {
		return model.Fold(d.Etablissements[i].Nom+d.Etablissements[i].UAI) < model.Fold(d.Etablissements[j].Nom+d.Etablissements[j].UAI)
	})
	d.Millesimes = model.SortMillesimes(mills)
	return d, nil
}

func sortSup(fs []model.InserSupFigure) {
	sort.SliceStable(fs, func(i, j int) bool { return model.CompareMillesimes(fs[i].Millesime, fs[j].Millesime) < 0 })
}

// EtablissementSup returns every promotion of one establishment × InserSup
// diploma pair, each beside the regional and national headline figures.
func (s *Store) EtablissementSup(ctx context.Context, uai, sise string) (model.EtablissementSupDetail, error) {
	var d model.EtablissementSupDetail
	et, err := s.etablissementOrFigures(ctx, uai)
	if err != nil {
		return d, err
	}
	f, lv, err := s.supFormationLevels(ctx, sise)
	if err != nil {
		return d, err
	}
	etab, region, national, regionOf := lv.etab, lv.region, lv.national, lv.regionOf
	d.Etablissement, d.Formation = et, f
	reg := regionOf[uai]
	regMills, natMills := []string{}, []string{}
	for k := range region {
		if k.uai == reg {
			regMills = append(regMills, k.millesime)
		}
	}
	for k := range national {
		natMills = append(natMills, k.millesime)
	}
	for k, e := range etab {
		if k.uai != uai {
			continue
		}
		row := model.SupMillesime{Millesime: k.millesime, Etablissement: e}
		if r, ok := region[supKey{uai: reg, sise: sise, millesime: k.millesime}]; ok {
			row.Region = r
		} else {
			row.Region = model.AbsentSupFigure(k.millesime, sise, regMills)
		}
		if n, ok := national[supKey{sise: sise, millesime: k.millesime}]; ok {
			row.National = n
		} else {
			row.National = model.AbsentSupFigure(k.millesime, sise, natMills)
		}
		d.Demonstration = d.Demonstration || e.Demonstration || row.National.Demonstration
		d.Chiffres = append(d.Chiffres, row)
		d.Millesimes = append(d.Millesimes, k.millesime)
	}
	if len(d.Chiffres) == 0 {
		return d, &model.NotFoundError{Statut: model.StatutNonDispensee,
			Message: fmt.Sprintf("le diplôme %s n'a aucun chiffre InserSup dans l'établissement %s", sise, uai)}
	}
	sort.Slice(d.Chiffres, func(i, j int) bool {
		return model.CompareMillesimes(d.Chiffres[i].Millesime, d.Chiffres[j].Millesime) < 0
	})
	d.Millesimes = model.SortMillesimes(d.Millesimes)
	return d, nil
}

// supLevelsOf holds the InserSup figures of one diploma at each level.
type supLevelsOf struct {
	etab, region, national map[supKey]model.InserSupFigure
	regionOf               map[string]string
}

// supFormationLevels reads a SISE diploma and its figures per
// establishment, région and nation (shared by the formation and the
// establishment × formation read paths).
func (s *Store) supFormationLevels(ctx context.Context, sise string) (model.Formation, supLevelsOf, error) {
	var lv supLevelsOf
	f, err := s.formationSup(ctx, sise)
	if err != nil {
		return f, lv, err
	}
	rows, err := s.supRows(ctx, sise, "")
	if err != nil {
		return f, lv, err
	}
	src, err := s.sources(ctx)
	if err != nil {
		return f, lv, err
	}
	lv.etab, lv.region, lv.national, lv.regionOf = supLevels(rows, src)
	return f, lv, nil
}
