package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// The queries of the Exposition-compatible API (/api/inserjeunes/…). Every
// figure leaves this file disclosed, as everywhere in the store; the
// vocabulary mapping is model/exposition.go.

// noEstablishment is a UAI no row has: loadFormationFigures then reads
// the regional rows (and the régions rebuilt from establishments) only.
const noEstablishment = "-"

// FormationFigures returns the identity of an InserJeunes formation (CFD
// or MEFSTAT11) with its national figures and one block per région, after
// the continuum and the secret statistique, without the establishments
// (FormationDetail without Etablissements).
func (s *Store) FormationFigures(ctx context.Context, code string) (model.FormationDetail, error) {
	sc, err := s.ijScope(ctx, code)
	if err != nil {
		return model.FormationDetail{}, err
	}
	ff, err := s.loadFormationFigures(ctx, sc, noEstablishment)
	if err != nil {
		return model.FormationDetail{}, err
	}
	d, mills, voies := nationalAndRegions(sc, ff)
	d.Millesimes = model.SortMillesimes(mills)
	d.Formation.Voies = sortedVoies(voies)
	return d, nil
}

// FiliereFigures is the filière view of several formations: for each
// voie and millésime, the sum of the formations' figures (each after its
// own continuum), nationally or in one région.
type FiliereFigures struct {
	// Formations are the identities of the CFDs summed (one per CFD).
	Formations []model.Formation
	// Figures: one per (voie, millésime), disclosed.
	Figures []model.FormationFigure
}

// Filieres sums, per voie and millésime, the figures of every formation
// whose CFD is one of the codes' (a MEFSTAT11 stands for its CFD, as the
// partner's vue filières does): national when region is "", else that
// région's. Each CFD's figure is chosen first (own, else 1:1 continuum),
// then the raw figures are summed (model.Aggregate) and disclosed.
func (s *Store) Filieres(ctx context.Context, codes []string, region string) (FiliereFigures, error) {
	var out FiliereFigures
	type vk struct{ voie, millesime string }
	parts := map[vk][]model.RawFormationFigure{}
	// lent: the figures already counted per key, by the CFD that owns
	// them: a code borrowing (continuum) the figure of another code of the
	// set must not count it twice; an own figure wins over a borrowed one.
	type lk struct {
		vk
		lender string
	}
	lent := map[lk]int{}
	add := func(k vk, cfd string, raw model.RawFormationFigure) {
		lender := cfd
		if raw.SourceContinuum != nil {
			lender = raw.SourceContinuum.Code
		}
		if i, dup := lent[lk{k, lender}]; dup {
			if parts[k][i].SourceContinuum != nil && raw.SourceContinuum == nil {
				parts[k][i] = raw
			}
			return
		}
		lent[lk{k, lender}] = len(parts[k])
		parts[k] = append(parts[k], raw)
	}
	seen := map[string]bool{}
	for _, code := range codes {
		c, kind, err := model.ParseFormationCode(code)
		if err != nil {
			return out, &model.NotFoundError{Statut: model.StatutCodeInconnu, Message: err.Error()}
		}
		sc, err := s.scope(ctx, c, kind)
		if err != nil {
			return out, err
		}
		if sc.f.CFD != "" && kind == model.KindMEFSTAT11 { // the CFD's scope: every voie
			if sc, err = s.scope(ctx, sc.f.CFD, model.KindCFD); err != nil {
				return out, err
			}
		}
		key := sc.f.Code
		if seen[key] {
			continue
		}
		seen[key] = true
		out.Formations = append(out.Formations, sc.f)
		ff, err := s.loadFormationFigures(ctx, sc, noEstablishment)
		if err != nil {
			return out, err
		}
		if region == "" {
			for k, raw := range choose(sc, ff.national) {
				add(vk(k), sc.f.Code, raw)
			}
			continue
		}
		for k, raw := range choose(sc, ff.regions) {
			if k.region == region {
				add(vk{k.voie, k.millesime}, sc.f.Code, raw)
			}
		}
	}
	perimetre := model.PerimetreNational
	if region != "" {
		perimetre = model.PerimetreRegion
	}
	for k, ps := range parts {
		if len(ps) == 1 {
			out.Figures = append(out.Figures, ps[0].Disclose())
			continue
		}
		raws := make([]model.RawFigure, len(ps))
		var cfds []string
		r := model.RawFormationFigure{Millesime: k.millesime, Voie: k.voie, Calcule: true, Source: ps[0].Source}
		for i, p := range ps {
			raws[i] = p.Raw
			cfds = append(cfds, p.CFD)
			r.Demonstration = r.Demonstration || p.Demonstration || p.Source.Demonstration
			if i > 0 {
				r.AutresSources = append(r.AutresSources, p.Source)
			}
		}
		sum, ag := model.Aggregate(perimetre, raws)
		r.Raw, r.Agregat, r.Code = sum, &ag, strings.Join(cfds, ",")
		out.Figures = append(out.Figures, r.Disclose())
	}
	sortFigures(out.Figures)
	return out, nil
}

// ImportDates returns the date (AAAA-MM-JJ) of each import run.
func (s *Store) ImportDates(ctx context.Context) (map[int64]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, coalesce(finished_at, started_at) FROM import_runs`)
	if err != nil {
		return nil, fmt.Errorf("dates d'import : %w", err)
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var t time.Time
		if err := rows.Scan(&id, &t); err != nil {
			return nil, err
		}
		out[id] = t.Format(model.DateLayout)
	}
	return out, rows.Err()
}

// ExpoKey is one item of a list route: a figure key.
type ExpoKey struct {
	UAI, Region, Code, Voie, Millesime string
}

// ExpoFilter narrows a list route.
type ExpoFilter struct {
	Codes      []string // CFD / MEFSTAT11 (nil: every code)
	Millesimes []string // nil: the latest millésime of the level
	Regions    []string // INSEE codes
	Academies  []string
	UAIs       []string
	Limit      int
	Offset     int
}

// ExpoListKeys returns one page of the keys of a list route and their
// total: level "national" (code, voie, millésime of the région ×
// formation file), "regional" (région too) or "etablissement" (UAI too),
// own figures only (a borrowed figure is served by the single routes),
// sorted by code, voie, millésime (then région or UAI).
func (s *Store) ExpoListKeys(ctx context.Context, level string, f ExpoFilter) ([]ExpoKey, int, error) {
	var table, cols, order string
	switch level {
	case "national":
		table, cols, order = "ij_region_formation", "'' AS uai, '' AS region, code, voie, millesime", "code, voie, millesime DESC"
	case "regional":
		table, cols, order = "ij_region_formation", "'' AS uai, region, code, voie, millesime", "region, code, voie, millesime DESC"
	case "etablissement":
		table, cols, order = "ij_uai_formation", "uai, coalesce(region, '') AS region, code, voie, millesime", "uai, code, voie, millesime DESC"
	default:
		return nil, 0, fmt.Errorf("niveau %q inconnu", level)
	}
	where := []string{"true"}
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	if f.Codes != nil {
		where = append(where, "code = ANY("+arg(f.Codes)+")")
	}
	if f.Millesimes != nil {
		where = append(where, "millesime = ANY("+arg(f.Millesimes)+")")
	} else {
		where = append(where, "millesime = (SELECT max(millesime) FROM "+table+")")
	}
	if f.Regions != nil {
		where = append(where, "region = ANY("+arg(f.Regions)+")")
	}
	if f.UAIs != nil && level == "etablissement" {
		where = append(where, "uai = ANY("+arg(f.UAIs)+")")
	}
	if f.Academies != nil && level == "etablissement" {
		rows, err := s.pool.Query(ctx, `SELECT code FROM departements WHERE academie_code = ANY($1)`, f.Academies)
		if err != nil {
			return nil, 0, fmt.Errorf("académies : %w", err)
		}
		deps, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return nil, 0, fmt.Errorf("académies : %w", err)
		}
		prefixes := []string{}
		for _, d := range deps {
			prefixes = append(prefixes, model.UAIPrefixOfDepartement(d))
		}
		where = append(where, "substr(uai, 1, 3) = ANY("+arg(prefixes)+")")
	}
	q := "SELECT DISTINCT " + cols + " FROM " + table + " WHERE " + strings.Join(where, " AND ")
	var total int
	if err := s.pool.QueryRow(ctx, "SELECT count(*) FROM ("+q+") k", args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("liste Exposition : %w", err)
	}
	q += " ORDER BY " + order + " LIMIT " + arg(f.Limit) + " OFFSET " + arg(f.Offset)
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("liste Exposition : %w", err)
	}
	defer rows.Close()
	var out []ExpoKey
	for rows.Next() {
		var k ExpoKey
		if err := rows.Scan(&k.UAI, &k.Region, &k.Code, &k.Voie, &k.Millesime); err != nil {
			return nil, 0, err
		}
		out = append(out, k)
	}
	return out, total, rows.Err()
}

// RegionOfDepartement returns the INSEE région code of a département
// (3-character code), "" when the territorial table does not know it.
func (s *Store) RegionOfDepartement(ctx context.Context, dep string) (string, error) {
	var r string
	err := s.pool.QueryRow(ctx, `SELECT coalesce((SELECT region_code FROM departements WHERE code = $1), '')`, dep).Scan(&r)
	return r, err
}
