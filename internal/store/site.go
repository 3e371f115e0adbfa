package store

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// SiteStats counts what the site holds.
func (s *Store) SiteStats(ctx context.Context) (model.SiteStats, error) {
	return summary(ctx, s, "stats", func() (model.SiteStats, error) { return s.siteStats(ctx) })
}

func (s *Store) siteStats(ctx context.Context) (model.SiteStats, error) {
	var st model.SiteStats
	var last *time.Time
	err := s.pool.QueryRow(ctx, `
SELECT
  (SELECT count(*) FROM (SELECT uai FROM ij_etab UNION SELECT uai FROM ij_uai_formation) u),
  (SELECT count(*) FROM (SELECT code FROM ij_region_formation UNION SELECT code FROM ij_uai_formation) c),
  coalesce((SELECT array_agg(m) FROM (SELECT DISTINCT millesime AS m FROM ij_etab UNION SELECT DISTINCT millesime FROM ij_uai_formation
    UNION SELECT DISTINCT millesime FROM ij_region_formation) x), '{}'),
  coalesce((SELECT array_agg(DISTINCT millesime) FROM insersup), '{}'),
  coalesce((SELECT max(millesime) FROM ij_region_formation), ''),
  (SELECT max(finished_at) FROM import_runs WHERE changed)`).Scan(&st.Etablissements, &st.Formations, &st.Millesimes, &st.MillesimesSup,
		&st.MillesimeNational, &last)
	if err != nil {
		return st, fmt.Errorf("statistiques du site : %w", err)
	}
	st.Millesimes, st.MillesimesSup = model.SortMillesimes(st.Millesimes), model.SortMillesimes(st.MillesimesSup)
	if last != nil {
		st.LastImport = *last
	}
	return st, nil
}

// ImportRuns lists the import runs that changed the data, most recent
// first, with their files. Runs that changed nothing are left out: what a
// page shows depends on the data version only (pages are cached per
// version).
func (s *Store) ImportRuns(ctx context.Context) ([]model.ImportRun, error) {
	rows, err := s.pool.Query(ctx, `
SELECT r.id, r.finished_at, r.rows_read, r.loaded, f.name, f.format, f.producer, f.millesimes, f.rows_read, f.synthetic
FROM import_runs r JOIN import_files f ON f.run_id = r.id
WHERE r.changed
ORDER BY r.id DESC, f.id`)
	if err != nil {
		return nil, fmt.Errorf("imports : %w", err)
	}
	defer rows.Close()
	var out []model.ImportRun
	for rows.Next() {
		var r model.ImportRun
		var f model.ImportFile
		if err := rows.Scan(&r.ID, &r.FinishedAt, &r.RowsRead, &r.Loaded, &f.Name, &f.Format, &f.Producer, &f.Millesimes, &f.RowsRead, &f.Synthetic); err != nil {
			return nil, err
		}
		if n := len(out); n > 0 && out[n-1].ID == r.ID {
			out[n-1].Files = append(out[n-1].Files, f)
			continue
		}
		r.Files = []model.ImportFile{f}
		out = append(out, r)
	}
	return out, rows.Err()
}

// SitemapEntries lists the public pages built from the data: every
// establishment with a figure (UAI) and every formation code with one.
func (s *Store) SitemapEntries(ctx context.Context) (uais, formations []string, err error) {
	uais, err = collectStrings(ctx, s, `SELECT uai FROM ij_etab UNION SELECT uai FROM ij_uai_formation ORDER BY 1`)
	if err != nil {
		return nil, nil, fmt.Errorf("plan du site : %w", err)
	}
	formations, err = collectStrings(ctx, s, `
SELECT coalesce(cfd, code) FROM ij_region_formation
UNION SELECT coalesce(cfd, code) FROM ij_uai_formation
UNION SELECT sise FROM insersup ORDER BY 1`)
	if err != nil {
		return nil, nil, fmt.Errorf("plan du site : %w", err)
	}
	return uais, formations, nil
}

// Academies lists the académies of the territorial table (code, name,
// région; without their départements), by name.
func (s *Store) Academies(ctx context.Context) ([]model.Academie, error) {
	rows, err := s.pool.Query(ctx, `SELECT DISTINCT ON (academie_code) academie_code, academie_nom, region_code
FROM departements WHERE academie_code IS NOT NULL ORDER BY academie_code, code`)
	if err != nil {
		return nil, fmt.Errorf("académies : %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (model.Academie, error) {
		var a model.Academie
		err := r.Scan(&a.Code, &a.Nom, &a.Region.Code)
		a.Region = regionTerritoire(a.Region.Code)
		return a, err
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Nom < out[j].Nom })
	return out, err
}

func collectStrings(ctx context.Context, s *Store, q string) ([]string, error) {
	rows, err := s.pool.Query(ctx, q)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// NationalHeadline sums, per voie, every région × formation row of the
// latest millésime (model.Aggregate: counts first, rates half to even,
// secret statistique applied).
func (s *Store) NationalHeadline(ctx context.Context) ([]model.NationalFigure, error) {
	return summary(ctx, s, "national", func() ([]model.NationalFigure, error) { return s.nationalHeadline(ctx) })
}

func (s *Store) nationalHeadline(ctx context.Context) ([]model.NationalFigure, error) {
	rows, err := s.scanRegional(ctx, `SELECT millesime, region, voie, code, coalesce(cfd, ''), coalesce(mefstat11, ''), `+figureCols+`, file_id
FROM ij_region_formation r WHERE millesime = (SELECT max(millesime) FROM ij_region_formation x WHERE x.voie = r.voie)`)
	if err != nil {
		return nil, err
	}
	parts := map[string][]model.RawFigure{}
	mill := map[string]string{}
	for _, r := range rows {
		parts[r.voie] = append(parts[r.voie], r.fig)
		mill[r.voie] = r.millesime
	}
	var out []model.NationalFigure
	for v, ps := range parts {
		f, ag := model.Aggregate(model.PerimetreNational, ps)
		out = append(out, model.NationalFigure{Voie: v, Millesime: mill[v], Figure: f.Disclose(), Agregat: ag})
	}
	sort.Slice(out, func(i, j int) bool { return model.VoieOrder(out[i].Voie) < model.VoieOrder(out[j].Voie) })
	return out, nil
}

// RegionalHeadline sums, per voie and région, every région × formation
// row of the voie's latest millésime (the rows NationalHeadline sums, in
// one query; model.Aggregate, secret statistique applied), in région
// code order. A région without any row is absent.
func (s *Store) RegionalHeadline(ctx context.Context) ([]model.RegionalFigure, error) {
	return summary(ctx, s, "regional", func() ([]model.RegionalFigure, error) { return s.regionalHeadline(ctx) })
}

func (s *Store) regionalHeadline(ctx context.Context) ([]model.RegionalFigure, error) {
	rows, err := s.scanRegional(ctx, `SELECT millesime, region, voie, code, coalesce(cfd, ''), coalesce(mefstat11, ''), `+figureCols+`, file_id
FROM ij_region_formation r WHERE millesime = (SELECT max(millesime) FROM ij_region_formation x WHERE x.voie = r.voie)
ORDER BY voie, region`)
	if err != nil {
		return nil, err
	}
	type key struct{ voie, region string }
	parts := map[key][]model.RawFigure{}
	var keys []key
	mill := map[string]string{}
	for _, r := range rows {
		k := key{r.voie, r.region}
		if _, ok := parts[k]; !ok {
			keys = append(keys, k)
		}
		parts[k] = append(parts[k], r.fig)
		mill[r.voie] = r.millesime
	}
	out := make([]model.RegionalFigure, 0, len(keys))
	for _, k := range keys {
		f, ag := model.Aggregate(model.PerimetreRegion, parts[k])
		out = append(out, model.RegionalFigure{Region: regionTerritoire(k.region), Voie: k.voie, Millesime: mill[k.voie], Figure: f.Disclose(), Agregat: ag})
	}
	sort.SliceStable(out, func(i, j int) bool { return model.VoieOrder(out[i].Voie) < model.VoieOrder(out[j].Voie) })
	return out, nil
}
