package web

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/vitrine-inserjeunes/vitrine/internal/searchsource"
	"github.com/vitrine-inserjeunes/vitrine/internal/store"
	"github.com/vitrine-inserjeunes/vitrine/internal/testdb"
	"github.com/vitrine-inserjeunes/vitrine/search"
)

// statement is one SQL statement the store sent, with its arguments and
// how long it took.
type statement struct {
	SQL  string
	Args []any
	Dur  time.Duration
}

// sqlRecorder is a pgx tracer that keeps every statement sent while on.
type sqlRecorder struct {
	mu  sync.Mutex
	on  bool
	got []statement
}

type startKey struct{}

func (r *sqlRecorder) TraceQueryStart(ctx context.Context, conn *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	return context.WithValue(ctx, startKey{}, statement{SQL: data.SQL, Args: data.Args, Dur: time.Duration(time.Now().UnixNano())})
}

func (r *sqlRecorder) TraceQueryEnd(ctx context.Context, conn *pgx.Conn, data pgx.TraceQueryEndData) {
	st, ok := ctx.Value(startKey{}).(statement)
	if !ok {
		return
	}
	st.Dur = time.Duration(time.Now().UnixNano()) - st.Dur
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.on {
		r.got = append(r.got, st)
	}
}

// record runs f and returns the statements sent meanwhile.
func (r *sqlRecorder) record(f func()) []statement {
	r.mu.Lock()
	r.on, r.got = true, nil
	r.mu.Unlock()
	f()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.on = false
	return r.got
}

// pageTypes are one URL of every page type and its API equivalent, on
// the demo data. The codes are real ones of testdata/demo.
var pageTypes = []struct{ name, url string }{
	{"accueil", "/"},
	{"recherche", "/recherche?q=cuisine"},
	{"api recherche", "/api/v1/recherche?q=cuisine"},
	{"établissement", "/etablissements/0010001W"},
	{"api établissement", "/api/v1/etablissements/0010001W"},
	{"établissement × formation", "/etablissements/0831243A/formations/32221022711"},
	{"api établissement × formation", "/api/v1/etablissements/0831243A/formations/32221022711"},
	{"formation", "/formations/40030004"},
	{"api formation", "/api/v1/formations/40030004"},
	{"région", "/regions/53"},
	{"région (Île-de-France)", "/regions/11"},
	{"api région", "/api/v1/regions/53"},
	{"académie", "/academies/14"},
	{"famille de métiers", "/familles-metiers/metiers-de-la-construction-durable-du-batiment-et-des-travaux-publics"},
	{"données", "/a-propos/donnees"},
}

// tracedApp is an app over the demo data (the database of the site
// tests) without page cache, whose store sends its statements through
// rec, with a search index.
func tracedApp(t testing.TB) (*fiber.App, *sqlRecorder, *pgxpool.Pool, *search.Index, *store.Store) {
	t.Helper()
	_, pool := siteTestApp(t) // imports the demo once
	rec := &sqlRecorder{}
	st, err := store.Open(context.Background(), testdb.URL(t, "web_site"), func(c *pgxpool.Config) { c.ConnConfig.Tracer = rec })
	if err != nil {
		t.Fatal(err)
	}
	ix := search.New(t.TempDir(), nil)
	if _, err := ix.Rebuild(context.Background(), searchsource.New(store.New(pool))); err != nil {
		t.Fatal(err)
	}
	cfg := testConfig()
	cfg.PageCacheBytes = 0
	return New(st, slog.New(slog.DiscardHandler), cfg, WithSearch(ix)), rec, pool, ix, st
}

// TestPageQueriesUseIndexes renders every page type uncached, captures the
// statements the store sends (so a new page query is covered without
// listing it here), and EXPLAINs each with its arguments: none may scan a
// figure table sequentially. The tables are ANALYZEd first; the plans are
// made with enable_seqscan off, which still yields a Seq Scan when no
// index can serve the access path (the demo tables are small enough that
// the planner may rightly prefer a scan to an index that exists). The
// import_files table is read at most once per page.
func TestPageQueriesUseIndexes(t *testing.T) {
	app, rec, pool, _, st := tracedApp(t)
	ctx := context.Background()
	if _, err := pool.Exec(ctx, "ANALYZE"); err != nil {
		t.Fatal(err)
	}
	sizes, err := readTableSizes(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	explained := 0
	for _, p := range pageTypes {
		// The first render computes the warehouse-wide summaries (once per
		// data version, summaryMemo); the second is what every other
		// uncached render costs.
		if r := get(t, app, p.url); r.StatusCode != http.StatusOK {
			t.Fatalf("%s %s : %d", p.name, p.url, r.StatusCode)
		}
		loads := st.SummaryLoads()
		stmts := rec.record(func() {
			if r := get(t, app, p.url); r.StatusCode != http.StatusOK {
				t.Fatalf("%s %s : %d", p.name, p.url, r.StatusCode)
			}
		})
		// The summaries of the data version are kept: a second render
		// computes none (unless its handler lost the data version).
		if n := st.SummaryLoads() - loads; n != 0 {
			t.Errorf("%s (%s) : %d résumés de l'entrepôt recalculés au second rendu", p.name, p.url, n)
		}
		if len(stmts) == 0 && p.url != "/" && !strings.Contains(p.url, "recherche") && p.url != "/a-propos/donnees" {
			t.Errorf("%s : aucune requête capturée", p.name)
		}
		files := 0
		for _, s := range stmts {
			if wholeImportFiles.MatchString(s.SQL) {
				files++
			}
			plan, err := explain(ctx, pool, s)
			if err != nil {
				t.Errorf("%s : EXPLAIN %s : %v", p.name, oneLine(s.SQL), err)
				continue
			}
			explained++
			for _, tbl := range fullScans(plan, sizes) {
				t.Errorf("%s (%s) : lecture complète de %s dans\n%s\narguments %v", p.name, p.url, tbl, strings.Join(strings.Fields(s.SQL), " "), s.Args)
			}
			if testing.Verbose() {
				t.Logf("%s %6.2f ms %s", p.name, float64(s.Dur.Microseconds())/1000, oneLine(s.SQL))
			}
		}
		if files > 1 {
			t.Errorf("%s : la table import_files est lue %d fois en entier", p.name, files)
		}
	}
	if explained == 0 {
		t.Fatal("aucune requête expliquée")
	}
}

// wholeImportFiles matches a statement reading import_files without a
// condition (the map of every source file).
var wholeImportFiles = regexp.MustCompile(`FROM import_files(\s+[a-z]+)?\s*($|ORDER|\))`)

// explain returns the JSON plan of a statement with its arguments,
// planned with enable_seqscan off (in a transaction rolled back).
func explain(ctx context.Context, pool *pgxpool.Pool, s statement) (any, error) {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "SET LOCAL enable_seqscan = off"); err != nil {
		return nil, err
	}
	var out []byte
	if err := tx.QueryRow(ctx, "EXPLAIN (FORMAT JSON) "+s.SQL, s.Args...).Scan(&out); err != nil {
		return nil, err
	}
	var plan any
	if err := json.Unmarshal(out, &plan); err != nil {
		return nil, err
	}
	return plan, nil
}

// figureTables are the tables no page may read whole: the figure tables,
// and the BCN's formations and MEFs (a condition written with OR read the
// 11,000 formations on every formation page: 6.5 ms).
var figureTables = []string{"ij_uai_formation", "ij_etab", "ij_region_formation", "bcn_formations", "bcn_mefs"}

// tableSizes maps each figure table, and each of its indexes, to the
// table and its row count (pg_class.reltuples, after ANALYZE).
type tableSizes map[string]struct {
	table string
	rows  float64
}

func readTableSizes(ctx context.Context, pool *pgxpool.Pool) (tableSizes, error) {
	rows, err := pool.Query(ctx, `SELECT t.relname, t.relname, t.reltuples FROM pg_class t WHERE t.relname = ANY($1)
UNION ALL SELECT c.relname, t.relname, t.reltuples FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
  JOIN pg_class t ON t.oid = i.indrelid WHERE t.relname = ANY($1)`, figureTables)
	if err != nil {
		return nil, err
	}
	out := tableSizes{}
	var rel, table string
	var n float64
	_, err = pgx.ForEachRow(rows, []any{&rel, &table, &n}, func() error {
		out[rel] = struct {
			table string
			rows  float64
		}{table, n}
		return nil
	})
	return out, err
}

// fullScans lists the figure tables a JSON plan reads whole: a Seq Scan,
// or an index scan (plain, index-only or bitmap) that the planner expects
// to return at least half of the table's rows, which is what a walk of a
// whole index, or a condition on a column that is not its first, gives.
func fullScans(plan any, sizes tableSizes) []string {
	var out []string
	var walk func(any)
	walk = func(p any) {
		switch v := p.(type) {
		case []any:
			for _, e := range v {
				walk(e)
			}
		case map[string]any:
			rel, _ := v["Relation Name"].(string)
			if rel == "" {
				rel, _ = v["Index Name"].(string)
			}
			if t, ok := sizes[rel]; ok {
				est, _ := v["Plan Rows"].(float64)
				switch v["Node Type"] {
				case "Seq Scan":
					out = append(out, t.table)
				case "Index Scan", "Index Only Scan", "Bitmap Index Scan":
					if t.rows > 0 && est >= t.rows/2 {
						out = append(out, t.table+" (parcours de l'index "+rel+")")
					}
				}
			}
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(plan)
	return out
}

func oneLine(q string) string {
	s := strings.Join(strings.Fields(q), " ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// TestFullScansDetected checks the detector on plans that must read a
// whole table, and on one that must not.
func TestFullScansDetected(t *testing.T) {
	_, pool := siteTestApp(t)
	ctx := context.Background()
	if _, err := pool.Exec(ctx, "ANALYZE"); err != nil {
		t.Fatal(err)
	}
	sizes, err := readTableSizes(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		sql  string
		args []any
		want string
	}{
		{"SELECT count(*) FROM ij_uai_formation WHERE nb_sortant > $1", []any{3}, "ij_uai_formation"},
		// a walk of the whole primary key (ORDER BY), and a condition on
		// its third column: full scans that are not Seq Scans
		{"SELECT uai FROM ij_uai_formation ORDER BY uai, millesime, voie, code, source LIMIT 5", nil, "ij_uai_formation"},
		{"SELECT uai FROM ij_etab WHERE sous_population = $1", []any{"ensemble"}, "ij_etab"},
		{"SELECT uai FROM ij_uai_formation WHERE uai = $1", []any{"0010001W"}, ""},
	} {
		plan, err := explain(ctx, pool, statement{SQL: c.sql, Args: c.args})
		if err != nil {
			t.Fatal(err)
		}
		got := fullScans(plan, sizes)
		switch {
		case c.want == "" && len(got) > 0:
			t.Errorf("%s : lecture complète %v détectée à tort dans %s", c.sql, got, fmt.Sprint(plan))
		case c.want != "" && (len(got) == 0 || !strings.HasPrefix(got[0], c.want)):
			t.Errorf("%s : lecture complète de %s non détectée (%v) dans %s", c.sql, c.want, got, fmt.Sprint(plan))
		}
	}
}
