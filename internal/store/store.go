// Package store holds the read queries of the site (pages, API, search
// documents) and the migrations, over one pgxpool. The write path (COPY
// into staging tables, the upserts, import runs) belongs to
// internal/importer, which runs its own transaction on Store.Pool.
package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/vitrine-inserjeunes/vitrine/migrations"
)

// Store is the one access point to PostgreSQL.
type Store struct {
	pool *pgxpool.Pool
	// sum keeps the warehouse-wide summaries per data version (summary.go).
	sum  *summaries
	refs refCache // readable labels and métiers, per data version
	// labels keeps the codes codeLabels resolved, per data version.
	labels labelMemo
}

// Open connects to url and checks the connection.
func Open(ctx context.Context, url string, opts ...Option) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("DATABASE_URL invalide : %w", err)
	}
	for _, o := range opts {
		o(cfg)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connexion à PostgreSQL : %w", err)
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := pool.Ping(pctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connexion à PostgreSQL (%s@%s:%d/%s) : %w", cfg.ConnConfig.User, cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database, err)
	}
	return &Store{pool: pool, sum: &summaries{}}, nil
}

// New wraps an existing pool.
func New(pool *pgxpool.Pool) *Store { return &Store{pool: pool, sum: &summaries{}} }

// Pool exposes the pool (for the importer, which owns its transaction).
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Close closes the pool.
func (s *Store) Close() { s.pool.Close() }

// Migrate applies every pending migration. Goose holds a session-level
// advisory lock meanwhile: nodes that migrate at the same time apply each
// migration once, the others waiting (up to 10 minutes) then finding
// nothing left to do.
func (s *Store) Migrate(ctx context.Context) error {
	db := stdlib.OpenDBFromPool(s.pool)
	defer db.Close()
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 600))
	if err != nil {
		return fmt.Errorf("migrations : %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, migrations.FS, goose.WithSessionLocker(locker))
	if err != nil {
		return fmt.Errorf("migrations : %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrations : %w", err)
	}
	return nil
}

// CheckMigrated returns an error, in French, when migrations are pending
// (a server must not run over an older schema). It writes nothing: on a
// database never migrated, every migration is pending.
func (s *Store) CheckMigrated(ctx context.Context) error {
	n, err := s.pendingMigrations(ctx)
	if err != nil {
		return fmt.Errorf("migrations : %w", err)
	}
	if n > 0 {
		return fmt.Errorf("la base n'est pas à jour : %d migration(s) en attente ; lancez « vitrine migrate »", n)
	}
	return nil
}

func (s *Store) pendingMigrations(ctx context.Context) (int, error) {
	db := stdlib.OpenDBFromPool(s.pool)
	defer db.Close()
	// No locker: the check waits for no migration in progress (it sees the
	// state before it, so a server started meanwhile is refused).
	p, err := goose.NewProvider(goose.DialectPostgres, db, migrations.FS)
	if err != nil {
		return 0, err
	}
	var exists bool
	if err := s.pool.QueryRow(ctx, `SELECT to_regclass('goose_db_version') IS NOT NULL`).Scan(&exists); err != nil {
		return 0, err
	}
	if !exists { // Status would create the table
		return len(p.ListSources()), nil
	}
	status, err := p.Status(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, m := range status {
		if m.State == goose.StatePending {
			n++
		}
	}
	return n, nil
}

// DataVersion identifies the loaded data: the id of the last import run
// that changed something (0 when nothing was imported); a run that changed
// nothing is recorded but makes no new version. Pages and badges derive
// their ETag from it, and the search index follows it.
func (s *Store) DataVersion(ctx context.Context) (int64, error) {
	var v int64
	err := s.pool.QueryRow(ctx, `SELECT coalesce(max(id), 0) FROM import_runs WHERE changed`).Scan(&v)
	return v, err
}

// HasSynthetic reports whether any figure still comes from a synthetic
// (demonstration) file. Real files replace synthetic rows (see
// importer/replace.go), so a synthetic file whose rows were all replaced
// no longer counts.
// It depends on the data only: kept once per data version
// (WithDataVersion), as the state of every request asks it.
func (s *Store) HasSynthetic(ctx context.Context) (bool, error) {
	return summary(ctx, s, "synthetic", func() (bool, error) { return s.hasSynthetic(ctx) })
}

func (s *Store) hasSynthetic(ctx context.Context) (bool, error) {
	var b bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM import_files f WHERE f.synthetic AND (
  EXISTS (SELECT 1 FROM ij_uai_formation WHERE file_id = f.id) OR EXISTS (SELECT 1 FROM insersup WHERE file_id = f.id) OR
  EXISTS (SELECT 1 FROM ij_etab WHERE file_id = f.id) OR EXISTS (SELECT 1 FROM ij_region_formation WHERE file_id = f.id)))`).Scan(&b)
	return b, err
}
