package importer

import (
	"context"
	"fmt"
	"sort"

	"github.com/jackc/pgx/v5"
)

// The data release notes: what a run changed, per file, table and
// millésime, counted from the merge statements' own results (each one
// returns the millésime of every row it inserted, updated or deleted) and
// stored in import_run_changes in the import transaction (migration
// 00015). Nothing else writes that table: the notes on /a-propos/donnees
// and in its Atom feed cannot say anything the run did not do.

// change kinds: the index in a counts triple.
const (
	changeAdded = iota
	changeModified
	changeDeleted
)

// tableChanges counts the rows of one table per millésime ("" for a table
// without one): added, modified, deleted.
type tableChanges map[string]*[3]int

// changes returns the counts of t for f, created on first use.
func (f *FileReport) changes(t *Target) tableChanges {
	if f.changed == nil {
		f.changed = map[string]tableChanges{}
	}
	c := f.changed[t.Table]
	if c == nil {
		c = tableChanges{}
		f.changed[t.Table] = c
	}
	return c
}

// millesimeExpr is what a statement on t returns for each changed row: its
// millésime, or the empty string when the table has none. prefix
// qualifies the column.
func millesimeExpr(t *Target, prefix string) string {
	for _, c := range t.Cols {
		if c == "millesime" {
			return prefix + "millesime::text"
		}
	}
	return "''::text"
}

// countByMillesime runs a data-modifying statement ending in RETURNING
// (one text column: the millésime), adds its rows per millésime to ch under
// kind and returns how many rows it changed.
func countByMillesime(ctx context.Context, tx pgx.Tx, ch tableChanges, kind int, q string, args ...any) (int, error) {
	rows, err := tx.Query(ctx, `WITH c(m) AS (`+q+`) SELECT m, count(*) FROM c GROUP BY m`, args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	total := 0
	for rows.Next() {
		var m string
		var n int
		if err := rows.Scan(&m, &n); err != nil {
			return 0, err
		}
		if ch[m] == nil {
			ch[m] = &[3]int{}
		}
		ch[m][kind] += n
		total += n
	}
	return total, rows.Err()
}

// recordChanges writes the changes of a loaded file into
// import_run_changes (nothing when it changed nothing).
func recordChanges(ctx context.Context, tx pgx.Tx, runID int64, f *FileReport) error {
	tables := make([]string, 0, len(f.changed))
	for t := range f.changed {
		tables = append(tables, t)
	}
	sort.Strings(tables)
	for _, t := range tables {
		for m, c := range f.changed[t] {
			if c[0]+c[1]+c[2] == 0 {
				continue
			}
			if _, err := tx.Exec(ctx, `INSERT INTO import_run_changes (run_id, file_id, source, producer, table_name, millesime, ajoutees, modifiees, supprimees)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, runID, f.FileID, f.Format, f.parsed.format.Producer, t, m, c[0], c[1], c[2]); err != nil {
				return fmt.Errorf("import_run_changes : %w", err)
			}
		}
	}
	return nil
}
