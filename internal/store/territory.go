package store

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// academie returns an académie with its départements and région.
func (s *Store) academie(ctx context.Context, code string) (model.Academie, error) {
	a := model.Academie{Code: code}
	rows, err := s.pool.Query(ctx, `SELECT code, nom, academie_nom, region_code FROM departements WHERE academie_code = $1 ORDER BY code`, code)
	if err != nil {
		return a, fmt.Errorf("académie %s : %w", code, err)
	}
	defer rows.Close()
	for rows.Next() {
		var d model.Territoire
		if err := rows.Scan(&d.Code, &d.Nom, &a.Nom, &a.Region.Code); err != nil {
			return a, err
		}
		a.Departements = append(a.Departements, d)
	}
	if err := rows.Err(); err != nil {
		return a, err
	}
	if len(a.Departements) == 0 {
		return a, &model.NotFoundError{Statut: model.StatutCodeInconnu, Message: fmt.Sprintf("académie %q inconnue : aucun département ne lui est rattaché dans le référentiel territorial", code)}
	}
	if r, ok := model.RegionByCode(a.Region.Code); ok {
		a.Region.Nom = r.Nom
	}
	return a, nil
}

// AcademieDepartements returns the codes of the départements of an
// académie, in the order its page names them.
func (s *Store) AcademieDepartements(ctx context.Context, code string) ([]string, error) {
	a, err := s.academie(ctx, code)
	if err != nil {
		return nil, err
	}
	deps := make([]string, len(a.Departements))
	for i, d := range a.Departements {
		deps[i] = d.Code
	}
	return deps, nil
}

// AcademieDetail returns the aggregates of an académie, built like the
// région view but from the establishment × formation rows of its
// établissements (there is no académie file): every formation with its
// figures per millésime, every level per millésime and voie.
func (s *Store) AcademieDetail(ctx context.Context, code string) (model.Academie, model.RegionDetail, error) {
	return s.academieDetail(ctx, code, false)
}

// AcademieLatest is AcademieDetail restricted, as RegionLatest, to the
// latest millésime of each formation and level: what the académie's page
// and its exports show.
func (s *Store) AcademieLatest(ctx context.Context, code string) (model.Academie, model.RegionDetail, error) {
	return s.academieDetail(ctx, code, true)
}

func (s *Store) academieDetail(ctx context.Context, code string, latest bool) (model.Academie, model.RegionDetail, error) {
	var d model.RegionDetail
	a, err := s.academie(ctx, code)
	if err != nil {
		return a, d, err
	}
	d.Region = model.Territoire{Code: a.Code, Nom: a.Nom}
	deps := map[string]bool{}
	depCodes := []string{}
	for _, dep := range a.Departements {
		deps[dep.Code] = true
		depCodes = append(depCodes, dep.Code)
	}
	read := s.uaiRowsOfTerritory
	if latest {
		read = s.uaiLatestYearOfTerritory
	}
	all, err := read(ctx, a.Region.Code, depCodes)
	if err != nil {
		return a, d, err
	}
	var rows []figRow
	for _, r := range all {
		if deps[model.DepartementOfUAI(r.uai)] {
			rows = append(rows, r)
		}
	}
	if latest {
		rows = latestRows(rows)
	}
	src, err := s.sources(ctx)
	if err != nil {
		return a, d, err
	}
	type fk struct{ voie, code, millesime string }
	byKey := map[fk][]figRow{}
	var codes []string
	seenCode := map[string]bool{}
	for _, r := range rows {
		k := fk{r.voie, r.code, r.millesime}
		byKey[k] = append(byKey[k], r)
		if !seenCode[r.code] {
			seenCode[r.code] = true
			codes = append(codes, r.code)
		}
	}
	cfdOf, bcn, err := s.codeLabels(ctx, codes)
	if err != nil {
		return a, d, err
	}
	type formKey struct{ voie, code string }
	forms := map[formKey]*model.RegionFormation{}
	byNiveau := map[niveauKey][]figRow{}
	niveauLabel := map[string]string{}
	var mills []string
	for k, rs := range byKey {
		b := bcn[cfdOf[k.code]]
		rf, ok := forms[formKey{k.voie, k.code}]
		if !ok {
			rf = &model.RegionFormation{Code: k.code, CFD: cfdOf[k.code], Libelle: b.libelle, LibelleBCN: b.libelleBCN, Niveau: b.niveau, Voie: k.voie,
				DateFermeture: closedOn(b.fermeture, time.Now())}
			if k.voie == model.VoieScolaire {
				rf.MEFSTAT11 = k.code
			}
			forms[formKey{k.voie, k.code}] = rf
		}
		raw := figureOf(rs, model.PerimetreAcademie, k.code, true, src)
		raw.Code, raw.CFD, raw.MEFSTAT11 = k.code, rf.CFD, rf.MEFSTAT11
		f := raw.Disclose()
		rf.Chiffres = append(rf.Chiffres, f)
		d.Demonstration = d.Demonstration || f.Demonstration
		mills = append(mills, k.millesime)
		n := niveauKey{b.niveauCode, k.voie, k.millesime}
		byNiveau[n] = append(byNiveau[n], rs...)
		niveauLabel[b.niveauCode] = b.niveau
	}
	d.Formations, d.Niveaux = []model.RegionFormation{}, []model.RegionNiveau{}
	for _, rf := range forms {
		sortFigures(rf.Chiffres)
		d.Formations = append(d.Formations, *rf)
	}
	finishTerritory(&d, byNiveau, niveauLabel, src, latest)
	d.Millesimes = model.SortMillesimes(mills)
	if d.ChiffresCles, err = s.chiffresCles(ctx, rows, cfdOf, bcn, model.PerimetreAcademie, src); err != nil {
		return a, d, err
	}
	return a, d, nil
}

// TerritoryEtablissements returns, for a région (deps nil) or the
// départements of an académie, every establishment with its latest
// ensemble figure per voie.
//
// With a data version in the context, the list of a territory is made
// once per version and shared (callers must not modify it).
func (s *Store) TerritoryEtablissements(ctx context.Context, region string, deps []string) ([]model.TerritoryEtab, error) {
	return summary(ctx, s, "etablissements "+region+" "+strings.Join(deps, ","), func() ([]model.TerritoryEtab, error) {
		return s.territoryEtablissements(ctx, region, deps)
	})
}

// territoryEtablissements builds the list of TerritoryEtablissements.
func (s *Store) territoryEtablissements(ctx context.Context, region string, deps []string) ([]model.TerritoryEtab, error) {
	const q = `
WITH latest AS (
  SELECT DISTINCT ON (f.uai, f.voie) f.uai, f.voie, f.millesime,
    f.taux_poursuite_etudes, f.taux_emploi_6_mois, f.taux_emploi_6_mois_attendu, f.valeur_ajoutee,
    f.part_poursuite_etudes, f.part_emploi_6_mois, f.part_autres_situations,
    f.taux_emploi_12_mois, f.taux_emploi_18_mois, f.taux_emploi_24_mois, f.taux_contrats_interrompus, f.file_id
  FROM ij_etab f
  WHERE f.sous_population = 'ensemble' AND f.region = $1
  ORDER BY f.uai, f.voie, right(f.millesime, 4) DESC, f.millesime DESC, f.precedence DESC)
SELECT l.uai, coalesce(n.nom, ''), coalesce(n.commune, ''), l.voie, l.millesime,
  l.taux_poursuite_etudes, l.taux_emploi_6_mois, l.taux_emploi_6_mois_attendu, l.valeur_ajoutee,
  l.part_poursuite_etudes, l.part_emploi_6_mois, l.part_autres_situations,
  l.taux_emploi_12_mois, l.taux_emploi_18_mois, l.taux_emploi_24_mois, l.taux_contrats_interrompus,
  fi.name, fi.run_id, fi.format, fi.producer, fi.synthetic
FROM latest l
JOIN import_files fi ON fi.id = l.file_id
LEFT JOIN LATERAL (
  SELECT (array_agg(nom ORDER BY precedence DESC) FILTER (WHERE nom IS NOT NULL))[1] AS nom,
         (array_agg(commune ORDER BY precedence DESC) FILTER (WHERE commune IS NOT NULL))[1] AS commune
  FROM etablissement_sources es WHERE es.uai = l.uai) n ON true
ORDER BY 2, 1, 4`
	rows, err := s.pool.Query(ctx, q, region)
	if err != nil {
		return nil, fmt.Errorf("établissements du territoire : %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (model.TerritoryEtab, error) {
		var e model.TerritoryEtab
		var f model.RawFigure
		err := r.Scan(&e.UAI, &e.Nom, &e.Commune, &e.Voie, &e.Millesime,
			&f.TauxPoursuiteEtudes, &f.TauxEmploi6Mois, &f.TauxEmploi6MoisAttendu, &f.ValeurAjoutee,
			&f.PartPoursuiteEtudes, &f.PartEmploi6Mois, &f.PartAutresSituations,
			&f.TauxEmploi12Mois, &f.TauxEmploi18Mois, &f.TauxEmploi24Mois, &f.TauxContratsInterrompus,
			&e.Source.Fichier, &e.Source.ImportRun, &e.Source.Format, &e.Source.Producteur, &e.Source.Demonstration)
		e.Figure = f.Disclose()
		return e, err
	})
	if err != nil {
		return nil, err
	}
	if deps != nil {
		out = slices.DeleteFunc(out, func(e model.TerritoryEtab) bool { return !slices.Contains(deps, model.DepartementOfUAI(e.UAI)) })
	}
	ref, err := s.referentiel(ctx)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Nom, out[i].Commune = ref.identity(out[i].UAI, out[i].Nom, out[i].Commune)
	}
	return out, nil
}

// TerritoryCoverage counts, per voie, the establishment × formation pairs
// of a région (or of the given départements) at their latest millésime,
// by statut after the secret statistique (model.RawFigure.Disclose).
//
// With a data version in the context (WithDataVersion), the counts of
// every (région, département) are made once per version from one read of
// the latest pair rows (coverageParts) and summed here, so a territory
// page does not read and disclose its tens of thousands of rows at each
// render; without one, the territory's rows are read and counted alike.
func (s *Store) TerritoryCoverage(ctx context.Context, region string, deps []string) ([]model.Coverage, error) {
	if !hasDataVersion(ctx) {
		return s.territoryCoverage(ctx, region, deps)
	}
	return summary(ctx, s, "coverage "+region+" "+strings.Join(deps, ","), func() ([]model.Coverage, error) {
		return s.territoryCoverage(ctx, region, deps)
	})
}

// territoryCoverage is TerritoryCoverage, summed at each call.
func (s *Store) territoryCoverage(ctx context.Context, region string, deps []string) ([]model.Coverage, error) {
	src, err := s.sources(ctx)
	if err != nil {
		return nil, err
	}
	var parts map[coverageKey]*coverageAcc
	if hasDataVersion(ctx) {
		all, err := summary(ctx, s, "coverage", func() (map[coverageKey]*coverageAcc, error) {
			return s.coverageParts(ctx, "", nil, src)
		})
		if err != nil {
			return nil, err
		}
		parts = all
	} else if parts, err = s.coverageParts(ctx, region, deps, src); err != nil {
		return nil, err
	}
	byVoie := map[string]*coverageAcc{}
	for k, p := range parts {
		if k.region != region || deps != nil && !slices.Contains(deps, k.dep) {
			continue
		}
		acc, ok := byVoie[k.voie]
		if !ok {
			acc = &coverageAcc{c: model.Coverage{Voie: k.voie}, files: map[int64]bool{}}
			byVoie[k.voie] = acc
		}
		acc.merge(p)
	}
	out := make([]model.Coverage, 0, len(byVoie))
	for _, acc := range byVoie {
		c := acc.c
		ids := make([]int64, 0, len(acc.files))
		for id := range acc.files {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		for _, id := range ids {
			sc := src[id]
			c.Sources = append(c.Sources, sc)
			c.Demonstration = c.Demonstration || sc.Demonstration
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return model.VoieOrder(out[i].Voie) < model.VoieOrder(out[j].Voie) })
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// coverageKey is the voie of the pairs of one département of a région.
type coverageKey struct{ region, dep, voie string }

// coverageAcc is the coverage of some pairs (without its sources) and the
// known files their rows come from.
type coverageAcc struct {
	c     model.Coverage
	files map[int64]bool
}

// merge adds the pairs counted in p.
func (a *coverageAcc) merge(p *coverageAcc) {
	if a.c.Millesime == "" || p.c.Millesime != "" && model.CompareMillesimes(p.c.Millesime, a.c.Millesime) < 0 {
		a.c.Millesime = p.c.Millesime
	}
	a.c.Paires += p.c.Paires
	a.c.Publiees += p.c.Publiees
	a.c.SousSeuil += p.c.SousSeuil
	a.c.NonDiffuse += p.c.NonDiffuse
	for id := range p.files {
		a.files[id] = true
	}
}

// coverageParts counts the establishment × formation pairs at their
// latest millésime per (région, département, voie): of one région (and
// départements) when region is set, of every région otherwise (one read
// of the latest row of each pair, kept once per data version).
func (s *Store) coverageParts(ctx context.Context, region string, deps []string, src map[int64]model.Source) (map[coverageKey]*coverageAcc, error) {
	var all []figRow
	var err error
	if region == "" {
		all, err = s.uaiLatestOfEveryTerritory(ctx)
	} else {
		all, err = s.uaiLatestOfTerritory(ctx, region, deps)
	}
	if err != nil {
		return nil, err
	}
	type pk struct{ region, uai, voie, code string }
	latest := map[pk]figRow{}
	for _, r := range all {
		if deps != nil && !slices.Contains(deps, model.DepartementOfUAI(r.uai)) {
			continue
		}
		k := pk{r.region, r.uai, r.voie, r.code}
		if cur, ok := latest[k]; !ok || model.CompareMillesimes(r.millesime, cur.millesime) < 0 {
			latest[k] = r
		}
	}
	out := map[coverageKey]*coverageAcc{}
	for _, r := range latest {
		k := coverageKey{r.region, model.DepartementOfUAI(r.uai), r.voie}
		acc, ok := out[k]
		if !ok {
			acc = &coverageAcc{c: model.Coverage{Voie: r.voie}, files: map[int64]bool{}}
			out[k] = acc
		}
		if acc.c.Millesime == "" || model.CompareMillesimes(r.millesime, acc.c.Millesime) < 0 {
			acc.c.Millesime = r.millesime
		}
		for _, id := range append([]int64{r.fileID}, r.sources...) {
			if _, ok := src[id]; ok {
				acc.files[id] = true
			}
		}
		f := model.WithParts(r.fig).Disclose()
		acc.c.Paires++
		switch f.Statut {
		case model.StatutOK:
			acc.c.Publiees++
		case model.StatutSousSeuil:
			acc.c.SousSeuil++
		default:
			acc.c.NonDiffuse++
		}
	}
	return out, nil
}

// FormationContext returns, for each key, the figure of the région (as
// the région × formation file publishes it) and the national figure (the
// sum over every région, model.Aggregate), in one query: the comparison
// columns of an establishment's list of formations.
func (s *Store) FormationContext(ctx context.Context, region string, keys []model.FormationKey) (map[model.FormationKey]model.FormationComparison, error) {
	out := map[model.FormationKey]model.FormationComparison{}
	if len(keys) == 0 {
		return out, nil
	}
	var codes, mills []string
	seen := map[string]bool{}
	for _, k := range keys {
		if !seen[k.Code] {
			seen[k.Code] = true
			codes = append(codes, k.Code)
		}
		if !seen["m"+k.Millesime] {
			seen["m"+k.Millesime] = true
			mills = append(mills, k.Millesime)
		}
	}
	// only the millésimes the keys name (a superset of the keys: the rows
	// of other keys are not looked at)
	rows, err := s.regionalRowsOf(ctx, codes, mills)
	if err != nil {
		return nil, err
	}
	src, err := s.sources(ctx)
	if err != nil {
		return nil, err
	}
	byKey := map[model.FormationKey][]figRow{}
	for _, r := range rows {
		k := model.FormationKey{Voie: r.voie, Code: r.code, Millesime: r.millesime}
		byKey[k] = append(byKey[k], r)
	}
	for _, k := range keys {
		rs := byKey[k]
		reg := model.AbsentFigure(k.Millesime, k.Voie, k.Code, model.StatutMillesimeAbsent, nil)
		nat := reg
		if len(rs) > 0 {
			for _, r := range rs {
				if r.region == region {
					reg = figureOf([]figRow{r}, model.PerimetreRegion, k.Code, false, src).Disclose()
				}
			}
			nat = figureOf(rs, model.PerimetreNational, k.Code, true, src).Disclose()
		}
		out[k] = model.FormationComparison{Region: reg, National: nat}
	}
	return out, nil
}
