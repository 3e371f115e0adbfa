package store_test

import (
	"context"
	"fmt"
	"io/fs"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"github.com/vitrine-inserjeunes/vitrine/internal/store"
	"github.com/vitrine-inserjeunes/vitrine/internal/testdb"
	"github.com/vitrine-inserjeunes/vitrine/migrations"
)

// TestConcurrentMigrate: two nodes migrating a fresh database at the same
// time both succeed (goose takes a session lock), and every migration is
// applied once.
func TestConcurrentMigrate(t *testing.T) {
	ctx := context.Background()
	for round := 0; round < 3; round++ {
		url := testdb.Empty(t, "store_migrate")
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i := range errs {
			st, err := store.Open(ctx, url)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = st.Migrate(ctx)
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("round %d: Migrate %d: %v", round, i, err)
			}
		}
		st, err := store.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		var applied, distinct int
		if err := st.Pool().QueryRow(ctx, `SELECT count(*), count(DISTINCT version_id) FROM goose_db_version WHERE version_id > 0`).Scan(&applied, &distinct); err != nil {
			t.Fatal(err)
		}
		if want := len(sources(t)); applied != want || distinct != want {
			t.Errorf("round %d: %d rows for %d versions in goose_db_version, want %d", round, applied, distinct, want)
		}
		if err := st.CheckMigrated(ctx); err != nil {
			t.Errorf("round %d: %v", round, err)
		}
	}
}

// sources lists the embedded migrations.
func sources(t *testing.T) []string {
	t.Helper()
	files, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil || len(files) < 4 {
		t.Fatalf("migrations: %v, %v", files, err)
	}
	return files
}

// TestCheckMigrated: a database with a pending migration (here the last
// one), or none applied, is refused with the count and the command to run;
// the check writes nothing (the empty database stays empty).
func TestCheckMigrated(t *testing.T) {
	ctx := context.Background()
	url := testdb.Empty(t, "store_check")
	st, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	all := len(sources(t))
	want := func(n int) string {
		return fmt.Sprintf("la base n'est pas à jour : %d migration(s) en attente ; lancez « vitrine migrate »", n)
	}
	if err := st.CheckMigrated(ctx); err == nil || err.Error() != want(all) {
		t.Errorf("empty database: %v, want %s", err, want(all))
	}
	var tables int
	if err := st.Pool().QueryRow(ctx, `SELECT count(*) FROM pg_tables WHERE schemaname = 'public'`).Scan(&tables); err != nil || tables != 0 {
		t.Errorf("the check created %d tables (%v)", tables, err)
	}
	// Every migration but the last, as an older binary left it.
	db := stdlib.OpenDBFromPool(st.Pool())
	defer db.Close()
	p, err := goose.NewProvider(goose.DialectPostgres, db, migrations.FS)
	if err != nil {
		t.Fatal(err)
	}
	src := p.ListSources()
	if _, err := p.UpTo(ctx, src[len(src)-2].Version); err != nil {
		t.Fatal(err)
	}
	if err := st.CheckMigrated(ctx); err == nil || err.Error() != want(1) {
		t.Errorf("one pending migration: %v, want %s", err, want(1))
	}
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := st.CheckMigrated(ctx); err != nil {
		t.Errorf("after Migrate: %v", err)
	}
}
