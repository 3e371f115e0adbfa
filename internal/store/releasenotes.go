package store

import (
	"context"
	"fmt"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// ReleaseNotes returns the last limit import runs, most recent first, each
// with what it changed per source, table and millésime (import_run_changes,
// written by the importer); runs « sans changement » are included, without
// changes.
func (s *Store) ReleaseNotes(ctx context.Context, limit int) ([]model.ReleaseNote, error) {
	rows, err := s.pool.Query(ctx, `
SELECT r.id, r.finished_at, r.changed, c.source, c.producer, c.table_name, c.millesime, coalesce(f.synthetic, false),
  coalesce(c.ajoutees, 0), coalesce(c.modifiees, 0), coalesce(c.supprimees, 0)
FROM (SELECT * FROM import_runs WHERE id > 0 ORDER BY id DESC LIMIT $1) r
LEFT JOIN import_run_changes c ON c.run_id = r.id
LEFT JOIN import_files f ON f.id = c.file_id
ORDER BY r.id DESC, c.source, c.table_name, c.millesime, c.file_id`, limit)
	if err != nil {
		return nil, fmt.Errorf("notes de version : %w", err)
	}
	defer rows.Close()
	var out []model.ReleaseNote
	for rows.Next() {
		var n model.ReleaseNote
		var source, producer, table, mill *string
		var c model.SourceChange
		if err := rows.Scan(&n.RunID, &n.FinishedAt, &n.Changed, &source, &producer, &table, &mill, &c.Synthetic, &c.Added, &c.Modified, &c.Deleted); err != nil {
			return nil, err
		}
		if k := len(out); k == 0 || out[k-1].RunID != n.RunID {
			out = append(out, n)
		}
		if source == nil {
			continue // a run without changes
		}
		c.Source, c.Producer, c.Table, c.Millesime = *source, *producer, *table, *mill
		last := &out[len(out)-1]
		// Two files of one run with the same source, table and millésime
		// make one line.
		if k := len(last.Changes); k > 0 {
			p := &last.Changes[k-1]
			if p.Source == c.Source && p.Table == c.Table && p.Millesime == c.Millesime && p.Synthetic == c.Synthetic {
				p.Added, p.Modified, p.Deleted = p.Added+c.Added, p.Modified+c.Modified, p.Deleted+c.Deleted
				continue
			}
		}
		last.Changes = append(last.Changes, c)
	}
	return out, rows.Err()
}

// LastImportRun is the id of the last import run, changed or not (0 when
// none): the release notes change with it, not only with the data version.
func (s *Store) LastImportRun(ctx context.Context) (int64, error) {
	var id int64
	err := s.pool.QueryRow(ctx, `SELECT coalesce(max(id), 0) FROM import_runs`).Scan(&id)
	return id, err
}
