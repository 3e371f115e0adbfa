// Package testdb gives each test package its own fresh, migrated
// PostgreSQL database on the server named by DATABASE_URL (or
// postgres://postgres@127.0.0.1:5432/postgres). Tests skip nothing: when no
// server answers, they fail with a message saying how to get one.
package testdb

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/vitrine-inserjeunes/vitrine/internal/store"
)

var (
	mu    sync.Mutex
	pools = map[string]*pgxpool.Pool{}
	urls  = map[string]string{}
)

// BaseURL is the server the test databases are created on.
func BaseURL() string {
	if u := os.Getenv("DATABASE_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres"
}

var safe = regexp.MustCompile(`[^a-z0-9_]+`)

// DatabaseName is the database of the test package name:
// vitrine_test_<name>, plus _<VITRINE_TEST_DB_SUFFIX> when that is set, so
// two test runs on one server never drop each other's databases.
func DatabaseName(name string) string {
	if sfx := os.Getenv("VITRINE_TEST_DB_SUFFIX"); sfx != "" {
		name += "_" + sfx
	}
	return "vitrine_test_" + safe.ReplaceAllString(strings.ToLower(name), "_")
}

// URL returns the connection URL of the database named after name,
// (re)creating it on first use in this process and migrating it.
func URL(t testing.TB, name string) string {
	t.Helper()
	mu.Lock()
	defer mu.Unlock()
	if u, ok := urls[name]; ok {
		return u
	}
	u := create(t, name)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	st, err := store.Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	urls[name] = u
	return u
}

// Empty returns the URL of a new, empty (not migrated) database named
// after name, recreated at each call.
func Empty(t testing.TB, name string) string {
	t.Helper()
	mu.Lock()
	defer mu.Unlock()
	return create(t, name)
}

// create (re)creates the database of name and returns its URL.
func create(t testing.TB, name string) string {
	t.Helper()
	db := DatabaseName(name)
	base, err := url.Parse(BaseURL())
	if err != nil {
		t.Fatalf("DATABASE_URL invalide : %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, base.String())
	if err != nil {
		t.Fatalf("PostgreSQL injoignable à %s (lancez les tests avec « make test », qui en trouve ou en démarre un) : %v", base.Redacted(), err)
	}
	defer admin.Close(ctx)
	// Terminate leftovers of an earlier run, then recreate.
	_, _ = admin.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, db)
	if _, err := admin.Exec(ctx, fmt.Sprintf(`DROP DATABASE IF EXISTS %s`, db)); err != nil {
		t.Fatalf("drop %s : %v", db, err)
	}
	if _, err := admin.Exec(ctx, fmt.Sprintf(`CREATE DATABASE %s`, db)); err != nil {
		t.Fatalf("create %s : %v", db, err)
	}
	u := *base
	u.Path = "/" + db
	return u.String()
}

// Pool returns a shared pool on the package's database.
func Pool(t testing.TB, name string) *pgxpool.Pool {
	t.Helper()
	u := URL(t, name)
	mu.Lock()
	defer mu.Unlock()
	if p, ok := pools[name]; ok {
		return p
	}
	p, err := pgxpool.New(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	pools[name] = p
	return p
}
