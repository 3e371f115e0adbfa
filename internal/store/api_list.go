package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// SyntheticUAIs returns the UAIs with at least one figure from a
// synthetic (demonstration) file: establishment level, establishment ×
// formation or InserSup. The list routes of the API flag them, as the
// establishment answer does.
func (s *Store) SyntheticUAIs(ctx context.Context) (map[string]bool, error) {
	const q = `
SELECT DISTINCT t.uai FROM (
  SELECT uai, file_id FROM ij_etab UNION ALL SELECT uai, file_id FROM ij_uai_formation UNION ALL SELECT uai, file_id FROM insersup
) t JOIN import_files f ON f.id = t.file_id WHERE f.synthetic`
	return s.stringSet(ctx, "UAI de démonstration", q)
}

// SyntheticCodes returns the CFDs and SISE codes with at least one figure
// from a synthetic file (a MEFSTAT11 counts for its CFD).
func (s *Store) SyntheticCodes(ctx context.Context) (map[string]bool, error) {
	const q = `
WITH t AS (
  SELECT cfd, mefstat11, file_id FROM ij_uai_formation
  UNION ALL SELECT cfd, mefstat11, file_id FROM ij_region_formation
)
SELECT DISTINCT coalesce(t.cfd, m.cfd) FROM t JOIN import_files f ON f.id = t.file_id
  LEFT JOIN mefstat11_cfd m ON t.cfd IS NULL AND m.mefstat11 = t.mefstat11
WHERE f.synthetic AND coalesce(t.cfd, m.cfd) IS NOT NULL
UNION SELECT DISTINCT i.sise FROM insersup i JOIN import_files f ON f.id = i.file_id WHERE f.synthetic`
	return s.stringSet(ctx, "formations de démonstration", q)
}

func (s *Store) stringSet(ctx context.Context, what, q string) (map[string]bool, error) {
	rows, err := s.pool.Query(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("%s : %w", what, err)
	}
	out := map[string]bool{}
	var v string
	_, err = pgx.ForEachRow(rows, []any{&v}, func() error {
		out[v] = true
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s : %w", what, err)
	}
	return out, nil
}
