package testdb

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// Querier is a pool or a single connection.
type Querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// TableChecksums returns, for every table of schema public, the md5 of
// its rows (in a fixed order) and its row count: two calls compare whole
// databases, so a refused import or sync is shown to have changed
// nothing.
func TableChecksums(t testing.TB, pool Querier) map[string]string {
	t.Helper()
	ctx := context.Background()
	rows, err := pool.Query(ctx, `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	rows.Close()
	if len(tables) < 10 {
		t.Fatalf("only %d tables in schema public", len(tables))
	}
	var q strings.Builder
	for i, tb := range tables {
		if i > 0 {
			q.WriteString(" UNION ALL ")
		}
		q.WriteString(`SELECT '` + tb + `', md5(coalesce(string_agg(t::text, '|' ORDER BY t::text COLLATE "C"), '')) || ':' || count(*) FROM "` + tb + `" t`)
	}
	out := map[string]string{}
	rows, err = pool.Query(ctx, q.String())
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var n, sum string
		if err := rows.Scan(&n, &sum); err != nil {
			t.Fatal(err)
		}
		out[n] = sum
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
