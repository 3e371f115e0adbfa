package store

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// SiteStats are the counts shown on the home page.
type SiteStats struct {
	Etablissements int      // establishments with at least one InserJeunes figure
	Formations     int      // formations (codes) with at least one figure
	Millesimes     []string // millésimes of the establishment figures, most recent first
	LastImport     time.Time
}

// SiteStats counts what the site holds.
func (s *Store) SiteStats(ctx context.Context) (SiteStats, error) {
	var st SiteStats
	var last *time.Time
	err := s.pool.QueryRow(ctx, `
SELECT
  (SELECT count(*) FROM (SELECT uai FROM ij_etab UNION SELECT uai FROM ij_uai_formation) u),
  (SELECT count(*) FROM (SELECT code FROM ij_region_formation UNION SELECT code FROM ij_uai_formation) c),
  coalesce((SELECT array_agg(m ORDER BY right(m, 4) DESC, m DESC) FROM (SELECT DISTINCT millesime AS m FROM ij_etab) x), '{}'),
  (SELECT max(finished_at) FROM import_runs)`).Scan(&st.Etablissements, &st.Formations, &st.Millesimes, &last)
	if err != nil {
		return st, fmt.Errorf("statistiques du site : %w", err)
	}
	if last != nil {
		st.LastImport = *last
	}
	return st, nil
}

// ImportRun is one import run with its files, for the "données" page.
type ImportRun struct {
	ID         int64
	FinishedAt time.Time
	RowsRead   int
	Loaded     int
	Files      []ImportFile
}

// ImportFile is one imported file.
type ImportFile struct {
	Name       string
	Format     string
	Producer   string
	Millesimes []string
	RowsRead   int
	Synthetic  bool
}

// ImportRuns lists the import runs, most recent first, with their files.
func (s *Store) ImportRuns(ctx context.Context) ([]ImportRun, error) {
	rows, err := s.pool.Query(ctx, `
SELECT r.id, r.finished_at, r.rows_read, r.loaded, f.name, f.format, f.producer, f.millesimes, f.rows_read, f.synthetic
FROM import_runs r JOIN import_files f ON f.run_id = r.id
ORDER BY r.id DESC, f.id`)
	if err != nil {
		return nil, fmt.Errorf("imports : %w", err)
	}
	defer rows.Close()
	var out []ImportRun
	for rows.Next() {
		var r ImportRun
		var f ImportFile
		if err := rows.Scan(&r.ID, &r.FinishedAt, &r.RowsRead, &r.Loaded, &f.Name, &f.Format, &f.Producer, &f.Millesimes, &f.RowsRead, &f.Synthetic); err != nil {
			return nil, err
		}
		if n := len(out); n > 0 && out[n-1].ID == r.ID {
			out[n-1].Files = append(out[n-1].Files, f)
			continue
		}
		r.Files = []ImportFile{f}
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

// Academies lists the académies of the territorial table: code, name and
// région (INSEE code).
func (s *Store) Academies(ctx context.Context) ([][3]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT DISTINCT ON (academie_code) academie_code, academie_nom, region_code
FROM departements WHERE academie_code IS NOT NULL ORDER BY academie_code, code`)
	if err != nil {
		return nil, fmt.Errorf("académies : %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) ([3]string, error) {
		var a [3]string
		err := r.Scan(&a[0], &a[1], &a[2])
		return a, err
	})
	sort.Slice(out, func(i, j int) bool { return out[i][1] < out[j][1] })
	return out, err
}

func collectStrings(ctx context.Context, s *Store, q string) ([]string, error) {
	rows, err := s.pool.Query(ctx, q)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// NationalFigure is the figure of every formation of a voie, France
// entière, for the latest millésime of the région × formation file.
type NationalFigure struct {
	Voie      string
	Millesime string
	Figure    model.Figure
	Agregat   model.Agregat
}

// NationalHeadline sums, per voie, every région × formation row of the
// latest millésime (model.Aggregate: counts first, rates half to even,
// secret statistique applied).
func (s *Store) NationalHeadline(ctx context.Context) ([]NationalFigure, error) {
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
	var out []NationalFigure
	for v, ps := range parts {
		f, ag := model.Aggregate(model.PerimetreNational, ps)
		out = append(out, NationalFigure{Voie: v, Millesime: mill[v], Figure: f.Disclose(), Agregat: ag})
	}
	sort.Slice(out, func(i, j int) bool { return model.VoieOrder(out[i].Voie) < model.VoieOrder(out[j].Voie) })
	return out, nil
}
