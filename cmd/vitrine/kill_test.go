package main

import (
	"bytes"
	"context"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/vitrine-inserjeunes/vitrine/internal/testdb"
)

const demoDir = "../../testdata/demo"

// TestKillDuringImport sends SIGKILL to a real `vitrine import` child while
// it is loading (its transaction has written rows and is copying or merging
// InserJeunes figures), then checks that every table is exactly as before
// and that the next import succeeds.
func TestKillDuringImport(t *testing.T) {
	ctx := context.Background()
	bin := vitrineBin(t)
	dbURL := testdb.URL(t, "cmd_kill")
	const app = "vitrine_kill_test"
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("application_name", app)
	u.RawQuery = q.Encode()
	childURL := u.String()

	importCmd := func(args ...string) *exec.Cmd {
		cmd := exec.Command(bin, append([]string{"import"}, args...)...)
		cmd.Env = append(os.Environ(), "DATABASE_URL="+childURL)
		return cmd
	}
	// A non-empty baseline: a few real files.
	if out, err := importCmd(filepath.Join(demoDir, "ref_regions.csv.gz"), filepath.Join(demoDir, "depp_ij_etab_cfa_2022_2023.csv.gz")).CombinedOutput(); err != nil {
		t.Fatalf("baseline import: %v\n%s", err, out)
	}
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	before := testdb.TableChecksums(t, conn)
	var runsBefore int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM import_runs`).Scan(&runsBefore); err != nil {
		t.Fatal(err)
	}

	// The whole demo set, killed while it loads.
	cmd := importCmd(demoDir)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	var seen string
	deadline := time.Now().Add(2 * time.Minute)
	for seen == "" {
		select {
		case err := <-exited:
			t.Fatalf("the import ended (%v) before it was seen loading; output:\n%s", err, out.String())
		default:
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatal("the import was never seen loading InserJeunes figures")
		}
		// backend_xid: the transaction has written (import_runs, the
		// referentials); the query: it is on an InserJeunes table.
		err := conn.QueryRow(ctx, `SELECT coalesce(max(left(query, 120)), '') FROM pg_stat_activity
			WHERE application_name = $1 AND backend_xid IS NOT NULL AND query ~ 'ij_(etab|region_formation)'`, app).Scan(&seen)
		if err != nil {
			t.Fatal(err)
		}
		if seen == "" {
			time.Sleep(2 * time.Millisecond)
		}
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if err := <-exited; err == nil || !strings.Contains(err.Error(), "killed") {
		t.Fatalf("child exit: %v, want killed; output:\n%s", err, out.String())
	}
	t.Logf("killed while running: %s", seen)

	// PostgreSQL rolls the transaction back when it notices the closed
	// connection: wait until the backend is gone.
	deadline = time.Now().Add(30 * time.Second)
	for {
		var n int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE application_name = $1`, app).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the killed import's backend is still there after 30 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	after := testdb.TableChecksums(t, conn)
	for tb, sum := range before {
		if after[tb] != sum {
			t.Errorf("table %s changed by the killed import", tb)
		}
	}
	if len(after) != len(before) {
		t.Errorf("%d tables before, %d after", len(before), len(after))
	}

	// The next import succeeds and loads everything.
	if out, err := importCmd(demoDir).CombinedOutput(); err != nil {
		t.Fatalf("import after the kill: %v\n%s", err, out)
	}
	var runs, regionRows int
	if err := conn.QueryRow(ctx, `SELECT (SELECT count(*) FROM import_runs), (SELECT count(*) FROM ij_region_formation)`).Scan(&runs, &regionRows); err != nil {
		t.Fatal(err)
	}
	if runs != runsBefore+1 || regionRows != 29410 {
		t.Errorf("after the next import: %d runs (want %d), %d région × formation rows (want 29,410)", runs, runsBefore+1, regionRows)
	}
}
