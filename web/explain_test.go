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
	{"données", "/a-propos/donnees"},
}

// tracedApp is an app over the demo data (the database of the site
// tests) without page cache, whose store sends its statements through
// rec, with a search index.
func tracedApp(t testing.TB) (*fiber.App, *sqlRecorder, *pgxpool.Pool, *search.Index) {
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
	return New(st, slog.New(slog.DiscardHandler), cfg, WithSearch(ix)), rec, pool, ix
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
	app, rec, pool, _ := tracedApp(t)
	ctx := context.Background()
	if _, err := pool.Exec(ctx, "ANALYZE"); err != nil {
		t.Fatal(err)
	}
	figureTables := []string{"ij_uai_formation", "ij_etab", "ij_region_formation"}
	explained := 0
	for _, p := range pageTypes {
		// The first render computes the warehouse-wide summaries (once per
		// data version, summaryMemo); the second is what every other
		// uncached render costs.
		if r := get(t, app, p.url); r.StatusCode != http.StatusOK {
			t.Fatalf("%s %s : %d", p.name, p.url, r.StatusCode)
		}
		stmts := rec.record(func() {
			if r := get(t, app, p.url); r.StatusCode != http.StatusOK {
				t.Fatalf("%s %s : %d", p.name, p.url, r.StatusCode)
			}
		})
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
			for _, tbl := range figureTables {
				if seqScans(plan, tbl) {
					t.Errorf("%s (%s) : Seq Scan de %s dans\n%s", p.name, p.url, tbl, oneLine(s.SQL))
				}
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

// seqScans tells whether a JSON plan reads the whole of table: a Seq
// Scan, or an index scan without an index condition (what the planner
// falls back to for an ORDER BY when sequential scans are off).
func seqScans(plan any, table string) bool {
	switch v := plan.(type) {
	case []any:
		for _, e := range v {
			if seqScans(e, table) {
				return true
			}
		}
	case map[string]any:
		if v["Relation Name"] == table {
			switch v["Node Type"] {
			case "Seq Scan":
				return true
			case "Index Scan", "Index Only Scan":
				if _, ok := v["Index Cond"]; !ok {
					return true
				}
			}
		}
		for _, e := range v {
			if seqScans(e, table) {
				return true
			}
		}
	}
	return false
}

func oneLine(q string) string {
	s := strings.Join(strings.Fields(q), " ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// TestSeqScansDetected checks the detector on a plan that must scan.
func TestSeqScansDetected(t *testing.T) {
	_, pool := siteTestApp(t)
	plan, err := explain(context.Background(), pool, statement{SQL: "SELECT count(*) FROM ij_uai_formation WHERE nb_sortant > $1", Args: []any{3}})
	if err != nil {
		t.Fatal(err)
	}
	if !seqScans(plan, "ij_uai_formation") {
		t.Fatalf("aucun Seq Scan détecté dans %s", fmt.Sprint(plan))
	}
	if seqScans(plan, "ij_etab") {
		t.Fatal("Seq Scan d'une table absente détecté")
	}
	// A walk of a whole index (no condition) is a full scan too; a lookup
	// by key is not.
	full, err := explain(context.Background(), pool, statement{SQL: "SELECT uai FROM ij_uai_formation ORDER BY uai, millesime, voie, code, source LIMIT 5"})
	if err != nil {
		t.Fatal(err)
	}
	if !seqScans(full, "ij_uai_formation") {
		t.Fatalf("parcours complet d'index non détecté dans %s", fmt.Sprint(full))
	}
	key, err := explain(context.Background(), pool, statement{SQL: "SELECT uai FROM ij_uai_formation WHERE uai = $1", Args: []any{"0010001W"}})
	if err != nil {
		t.Fatal(err)
	}
	if seqScans(key, "ij_uai_formation") {
		t.Fatalf("accès par clé pris pour un parcours complet : %s", fmt.Sprint(key))
	}
}
