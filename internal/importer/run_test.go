package importer

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vitrine-inserjeunes/vitrine/internal/testdb"
)

// TestSkipInvalid: with --skip-invalid the valid rows load and the rejects
// are stored in import_files.rejects; without it, nothing is written.
func TestSkipInvalid(t *testing.T) {
	pool := testdb.Pool(t, "importer_skip")
	ctx := context.Background()
	lp := fileLines(t, "depp_ij_etab_lycee_pro_2021_2022.csv")
	const name = "depp_ij_etab_lycee_pro_2021_2022.csv"
	path := writeFile(t, t.TempDir(), name, lines("\r\n",
		lp[0],
		lp[1],                     // line 2: 0010001W ensemble, valid
		setField(lp[2], 4, "140"), // line 3: 0010006B ensemble, rate 140 → rejected
		lp[3],                     // line 4: valid
		lp[2],                     // line 5: 0010006B ensemble, valid: the rejected line 3 does not make it a duplicate
		lp[1],                     // line 6: duplicate of line 2 → rejected
	))
	wantRejects := []Reject{
		{File: name, Line: 3, Column: "Taux de poursuite d'études", Value: "140", Reason: "taux hors bornes (0 à 100 attendu)"},
		{File: name, Line: 6, Column: "uai+millesime+voie+sous_population+source", Value: "0010001W|2021_2022|scolaire|ensemble|depp_scolaire", Reason: "clé en double (déjà vue ligne 2)"},
	}

	// Without --skip-invalid: refused, nothing written.
	before := testdb.TableChecksums(t, pool)
	_, err := Run(ctx, pool, []string{path}, Options{})
	var re *RejectedError
	if !errors.As(err, &re) || !reflect.DeepEqual(re.Rejects, wantRejects) {
		t.Fatalf("without --skip-invalid: error %v, want the rejects %v", err, wantRejects)
	}
	if ch := changedTables(before, testdb.TableChecksums(t, pool)); len(ch) > 0 {
		t.Fatalf("a refused run changed %v", ch)
	}

	// With it: 3 rows load, 2 rejects are kept in the report.
	rep, err := Run(ctx, pool, []string{path}, Options{SkipInvalid: true})
	if err != nil {
		t.Fatal(err)
	}
	f := rep.Files[0]
	t.Cleanup(func() { // leave the database as found (go test -count=N)
		for _, q := range []string{`DELETE FROM ij_etab WHERE file_id = $1`, `DELETE FROM etablissement_sources WHERE file_id = $1`,
			`DELETE FROM import_files WHERE id = $1`} {
			if _, err := pool.Exec(ctx, q, f.FileID); err != nil {
				t.Error(err)
			}
		}
		if _, err := pool.Exec(ctx, `DELETE FROM import_runs WHERE id = $1`, rep.RunID); err != nil {
			t.Error(err)
		}
	})
	if f.Read != 5 || f.Loaded != 3 || f.Rejected != 2 || f.Unchanged != 0 || f.Ignored != 0 {
		t.Errorf("read %d, loaded %d, rejected %d, unchanged %d, ignored %d; want 5, 3, 2, 0, 0", f.Read, f.Loaded, f.Rejected, f.Unchanged, f.Ignored)
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM ij_etab WHERE source = 'depp_scolaire'`).Scan(&n); err != nil || n != 3 {
		t.Errorf("%d rows in ij_etab (%v), want 3", n, err)
	}
	var (
		raw              []byte
		rejected, loaded int
		runRejected      int
	)
	if err := pool.QueryRow(ctx, `SELECT f.rejects, f.rejected, f.loaded, r.rejected FROM import_files f JOIN import_runs r ON r.id = f.run_id WHERE f.id = $1`,
		f.FileID).Scan(&raw, &rejected, &loaded, &runRejected); err != nil {
		t.Fatal(err)
	}
	var stored []Reject
	if err := json.Unmarshal(raw, &stored); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(stored, wantRejects) || rejected != 2 || loaded != 3 || runRejected != 2 {
		t.Errorf("import_files: rejects %s, rejected %d, loaded %d, run rejected %d", raw, rejected, loaded, runRejected)
	}
	// The reject format of the issue: file:line: column: "value": reason.
	if got := stored[0].String(); got != name+`:3: Taux de poursuite d'études: "140": taux hors bornes (0 à 100 attendu)` {
		t.Errorf("Reject.String() = %s", got)
	}
}

// TestRunAtomicOnDatabaseError: a run that fails in the middle of its
// load (here: blocked on a lock, then cancelled) leaves every table as it
// was, although it had already written rows of its first files.
func TestRunAtomicOnDatabaseError(t *testing.T) {
	pool, _ := demoPool(t)
	ctx := context.Background()
	// A changed lycée pro file (loads before the région × formation one).
	lp := fileLines(t, "depp_ij_etab_lycee_pro_2021_2022.csv")
	rf := fileLines(t, "ij_api_region_formation_2019-2022.csv")
	dir := t.TempDir()
	paths := []string{
		writeFile(t, dir, "depp_ij_etab_lycee_pro_2021_2022.csv", lines("\r\n", lp[0], setField(lp[1], 5, "99"), lp[2])),
		writeFile(t, dir, "ij_api_region_formation.csv", lines("\n", rf[0], setField(rf[1], 17, "44"))),
	}
	before := testdb.TableChecksums(t, pool)

	// Another session holds ij_region_formation.
	blocker, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer blocker.Rollback(ctx)
	if _, err := blocker.Exec(ctx, `LOCK TABLE ij_region_formation IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	var blockerPID int
	if err := blocker.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&blockerPID); err != nil {
		t.Fatal(err)
	}

	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := Run(runCtx, pool, paths, Options{})
		done <- err
	}()
	// Wait until the import waits for that lock, its first file written.
	deadline := time.Now().Add(30 * time.Second)
	for {
		var waiting bool
		if err := pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = current_database()
			AND wait_event_type = 'Lock' AND $1 = ANY (pg_blocking_pids(pid)))`, blockerPID).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting {
			break
		}
		select {
		case err := <-done:
			t.Fatalf("the import ended before waiting for the lock: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("the import never waited for the lock")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	err = <-done
	if err == nil || !strings.Contains(err.Error(), "ij_region_formation") {
		t.Errorf("error %v, want a failure on ij_region_formation", err)
	}
	_ = blocker.Rollback(ctx)
	if ch := changedTables(before, testdb.TableChecksums(t, pool)); len(ch) > 0 {
		t.Errorf("a failed run changed %v", ch)
	}
}

// TestLockTimeout: a run that waits longer than Options.LockTimeout for the
// import lock gives up with the start time and the number of the run that
// holds it, and writes nothing; once the lock is free, it runs.
func TestLockTimeout(t *testing.T) {
	pool := baselinePool(t)
	ctx := context.Background()
	path := writeFile(t, t.TempDir(), "ref_regions.csv", rawBytes(t, "ref_regions.csv"))
	for _, c := range []struct {
		name   string
		marker int64 // the holder's run number (-1: no marker yet)
		want   string
	}{
		{"a run", 4242, " (run 4242) ; réessayez plus tard"},
		{"a dry run", 0, " (essai à blanc) ; réessayez plus tard"},
		{"a run without its number yet", -1, " ; réessayez plus tard"},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := testdb.TableChecksums(t, pool)
			holder, err := pool.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer holder.Rollback(ctx)
			var since time.Time
			if err := holder.QueryRow(ctx, `SELECT now() FROM (SELECT pg_advisory_xact_lock($1)) l`, importLock).Scan(&since); err != nil {
				t.Fatal(err)
			}
			if c.marker >= 0 {
				if _, err := holder.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, runMarkerKey(c.marker)); err != nil {
					t.Fatal(err)
				}
			}
			t0 := time.Now()
			_, err = Run(ctx, pool, []string{path}, Options{LockTimeout: 300 * time.Millisecond})
			took := time.Since(t0)
			var be *LockBusyError
			if !errors.As(err, &be) {
				t.Fatalf("error %v, want a *LockBusyError", err)
			}
			want := "un autre import est en cours depuis " + since.Local().Format("15:04:05") + c.want
			if !strings.HasPrefix(err.Error(), want) || be.Run != max(c.marker, 0) {
				t.Errorf("error\n%v\nwant\n%s…", err, want)
			}
			if took < 300*time.Millisecond || took > 10*time.Second {
				t.Errorf("gave up after %v, want 300 ms", took)
			}
			if ch := changedTables(before, testdb.TableChecksums(t, pool)); len(ch) > 0 {
				t.Errorf("tables changed: %v", ch)
			}
			// The lock free, the same run goes through (waiting as long as needed).
			done := make(chan error, 1)
			go func() {
				_, err := Run(ctx, pool, []string{path}, Options{})
				done <- err
			}()
			time.Sleep(100 * time.Millisecond)
			select {
			case err := <-done:
				t.Fatalf("the run did not wait for the lock: %v", err)
			default:
			}
			if err := holder.Rollback(ctx); err != nil {
				t.Fatal(err)
			}
			if err := <-done; err != nil {
				t.Errorf("after the lock was released: %v", err)
			}
		})
	}

	// A real run in progress (blocked on a table while it holds the
	// import lock): the second run names it.
	t.Run("a real run", func(t *testing.T) {
		blocker, err := pool.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer blocker.Rollback(ctx)
		if _, err := blocker.Exec(ctx, `LOCK TABLE regions IN ACCESS EXCLUSIVE MODE`); err != nil {
			t.Fatal(err)
		}
		type result struct {
			rep *Report
			err error
		}
		first := make(chan result, 1)
		go func() {
			// --force: the file is loaded already, and would be skipped
			// without writing (and without meeting the locked table).
			rep, err := Run(ctx, pool, []string{path}, Options{Force: true})
			first <- result{rep, err}
		}()
		deadline := time.Now().Add(30 * time.Second)
		for {
			var held bool
			// pg_locks is cluster-wide: other test databases import at the same time
			if err := pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted
				AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
				AND classid::bigint = $1 AND objid::bigint > 0)`, importRunLock).Scan(&held); err != nil {
				t.Fatal(err)
			}
			if held {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the first run never held the import lock")
			}
			time.Sleep(10 * time.Millisecond)
		}
		_, err = Run(ctx, pool, []string{path}, Options{LockTimeout: 200 * time.Millisecond})
		var be *LockBusyError
		if !errors.As(err, &be) || be.Run == 0 || be.Since.IsZero() {
			t.Fatalf("error %v, want a *LockBusyError naming the run and its start", err)
		}
		_ = blocker.Rollback(ctx)
		r := <-first
		if r.err != nil {
			t.Fatal(r.err)
		}
		if be.Run != r.rep.RunID {
			t.Errorf("the busy error names run %d, the run in progress was %d", be.Run, r.rep.RunID)
		}
	})
}

// TestAnalyzeAfterImport: a run that changed rows leaves fresh planner
// statistics on every table its files load (analyze, on several
// connections at once).
func TestAnalyzeAfterImport(t *testing.T) {
	pool, rep := demoPool(t)
	if !rep.Changed {
		t.Fatal("the demo import changed nothing")
	}
	seen := map[string]bool{}
	for _, f := range rep.Files {
		fm, ok := FormatByKind(f.Format)
		if !ok {
			t.Fatalf("%s: unknown format %s", f.Name, f.Format)
		}
		for _, tg := range fm.Targets {
			if seen[tg.Table] {
				continue
			}
			seen[tg.Table] = true
			var analyzed bool
			if err := pool.QueryRow(context.Background(), `SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables WHERE relname = $1`, tg.Table).Scan(&analyzed); err != nil {
				t.Fatal(err)
			}
			if !analyzed {
				t.Errorf("%s: not analysed after the import", tg.Table)
			}
		}
	}
	if len(seen) < 10 {
		t.Errorf("only %d tables loaded by the demo files", len(seen))
	}
}
