// Command benchpages is the measuring side of scripts/bench-pages.sh:
//
//	benchpages latency BASE_URL < paths         GET each path once, in order: p50, p99, max (ms)
//	benchpages search BASE_URL QUERIES           /api/v1/recherche of each query: p50, p99, zero-result count
//	benchpages pgload DATABASE_URL               search documents of the site → table bench_docs (unaccent, pg_trgm, GIN)
//	benchpages pgsearch DATABASE_URL QUERIES     the same queries in PostgreSQL full-text search: p50, p99, zero-result count
//
// Each prints one line "p50=… p99=… max=… n=… errors=… [zero=…]".
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
	"github.com/vitrine-inserjeunes/vitrine/internal/searchsource"
	"github.com/vitrine-inserjeunes/vitrine/internal/store"
	"github.com/vitrine-inserjeunes/vitrine/search"
)

func main() {
	if len(os.Args) < 3 {
		fail("usage : benchpages latency|search|pgload|pgsearch URL [QUERIES]")
	}
	var err error
	switch os.Args[1] {
	case "latency":
		err = latency(os.Args[2])
	case "search":
		err = siteSearch(os.Args[2], arg(3))
	case "pgload":
		err = pgload(os.Args[2])
	case "pgsearch":
		err = pgsearch(os.Args[2], arg(3))
	default:
		err = fmt.Errorf("commande inconnue %q", os.Args[1])
	}
	if err != nil {
		fail(err.Error())
	}
}

func arg(i int) string {
	if len(os.Args) <= i {
		fail("fichier de requêtes attendu")
	}
	return os.Args[i]
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "benchpages : "+msg)
	os.Exit(2)
}

type stats struct {
	d      []time.Duration
	errors int
	zero   int
}

func (s *stats) print(withZero bool) {
	if len(s.d) == 0 {
		fmt.Println("n=0")
		return
	}
	sort.Slice(s.d, func(i, j int) bool { return s.d[i] < s.d[j] })
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	fmt.Printf("p50=%.1f p99=%.1f max=%.1f n=%d errors=%d", ms(s.d[len(s.d)/2]), ms(s.d[len(s.d)*99/100]), ms(s.d[len(s.d)-1]), len(s.d), s.errors)
	if withZero {
		fmt.Printf(" zero=%d", s.zero)
	}
	fmt.Println()
}

var client = &http.Client{Timeout: 60 * time.Second}

// get fetches base+path and returns the body and the time to the last byte.
func get(base, path string) ([]byte, int, time.Duration, error) {
	t0 := time.Now()
	r, err := client.Get(base + path)
	if err != nil {
		return nil, 0, 0, err
	}
	b, err := io.ReadAll(r.Body)
	r.Body.Close()
	return b, r.StatusCode, time.Since(t0), err
}

func latency(base string) error {
	var s stats
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		p := strings.TrimSpace(sc.Text())
		if p == "" {
			continue
		}
		_, code, d, err := get(base, p)
		if err != nil || code != http.StatusOK {
			s.errors++
			continue
		}
		s.d = append(s.d, d)
	}
	s.print(false)
	return sc.Err()
}

func queries(file string) ([]string, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out, nil
}

func siteSearch(base, file string) error {
	qs, err := queries(file)
	if err != nil {
		return err
	}
	var s stats
	for _, q := range qs {
		b, code, d, err := get(base, "/api/v1/recherche?q="+url.QueryEscape(q))
		if err != nil || code != http.StatusOK {
			s.errors++
			continue
		}
		var res struct {
			Total       int    `json:"total"`
			Redirection string `json:"redirection"`
		}
		if err := json.Unmarshal(b, &res); err != nil {
			s.errors++
			continue
		}
		if res.Total == 0 && res.Redirection == "" {
			s.zero++
		}
		s.d = append(s.d, d)
	}
	s.print(true)
	return nil
}

// pgload writes the documents the site indexes (searchsource, the same
// code as the bleve index) into bench_docs, with a GIN full-text index
// over the unaccented text and a trigram index over the unaccented title.
func pgload(dbURL string) error {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	if _, err := pool.Exec(ctx, `CREATE EXTENSION IF NOT EXISTS unaccent; CREATE EXTENSION IF NOT EXISTS pg_trgm;
DROP TABLE IF EXISTS bench_docs;
CREATE TABLE bench_docs (id int PRIMARY KEY, objet text, titre text, texte text);
CREATE OR REPLACE FUNCTION bench_unaccent(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT public.unaccent('public.unaccent', $1) $$;`); err != nil {
		return err
	}
	var rows [][]any
	err = searchsource.New(store.New(pool)).Documents(ctx, func(d search.Document) error {
		titre := d.Nom
		if d.Objet == search.KindFormation {
			titre = d.Libelle
		}
		parts := []string{d.UAI, d.Nom, d.Type, d.Commune, d.CodePostal, d.Code, d.CFD, d.SISE, d.Libelle, d.Niveau}
		parts = append(parts, d.MEFSTAT11s...)
		parts = append(parts, d.AnciensLibelles...)
		for _, t := range []*model.Territoire{d.Departement, d.Academie, d.Region} {
			if t != nil {
				parts = append(parts, t.Nom)
			}
		}
		rows = append(rows, []any{len(rows) + 1, d.Objet, titre, strings.Join(parts, " ")})
		return nil
	})
	if err != nil {
		return err
	}
	if _, err := pool.CopyFrom(ctx, pgx.Identifier{"bench_docs"}, []string{"id", "objet", "titre", "texte"}, pgx.CopyFromRows(rows)); err != nil {
		return err
	}
	_, err = pool.Exec(ctx, `CREATE INDEX bench_docs_fts ON bench_docs USING gin (to_tsvector('french', bench_unaccent(texte)));
CREATE INDEX bench_docs_trgm ON bench_docs USING gin (bench_unaccent(lower(titre)) gin_trgm_ops);
ANALYZE bench_docs`)
	if err == nil {
		fmt.Printf("documents=%d\n", len(rows))
	}
	return err
}

func pgsearch(dbURL, file string) error {
	qs, err := queries(file)
	if err != nil {
		return err
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	// The first 20 results by rank, and the total, as the site's first
	// page does: full-text match on the words, or trigram similarity of
	// the title (misspellings).
	const q = `WITH m AS (
  SELECT id, titre, ts_rank(to_tsvector('french', bench_unaccent(texte)), websearch_to_tsquery('french', bench_unaccent($1))) AS r
  FROM bench_docs
  WHERE to_tsvector('french', bench_unaccent(texte)) @@ websearch_to_tsquery('french', bench_unaccent($1))
     OR bench_unaccent(lower(titre)) % bench_unaccent(lower($1)))
SELECT (SELECT count(*) FROM m), coalesce((SELECT array_agg(id) FROM (SELECT id FROM m ORDER BY r DESC, id LIMIT 20) x), '{}')`
	var s stats
	for _, w := range qs {
		t0 := time.Now()
		var total int
		var ids []int32
		if err := conn.QueryRow(ctx, q, w).Scan(&total, &ids); err != nil {
			return fmt.Errorf("%q : %w", w, err)
		}
		s.d = append(s.d, time.Since(t0))
		if total == 0 {
			s.zero++
		}
	}
	s.print(true)
	return nil
}
