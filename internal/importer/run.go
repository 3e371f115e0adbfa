// Package importer reads the open-data source files (one reader per
// format, detected from the header), validates every row, and loads a whole
// run atomically: COPY straight into the target when none of a file's keys
// is there yet, else COPY into a staging table and one set-based upsert per
// table; one transaction, one import_runs row.
package importer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Options of a run.
type Options struct {
	SkipInvalid bool   // load valid rows, store the rejects in the report
	DryRun      bool   // parse and load, then roll back
	Source      string // force a format Kind for every file
	// Synthetic marks every file of the run as demonstration data (files
	// whose name contains "synthetic" are marked anyway).
	Synthetic bool
	// Progress receives a progress bar (nil: none).
	Progress io.Writer
	// LockTimeout bounds the wait for another import to finish (imports
	// are serialised); past it the run fails with a *LockBusyError. 0:
	// wait as long as it takes.
	LockTimeout time.Duration
	// Force reads every file, even one already imported whose rows are
	// still the current ones (see current.go): without it such a file is
	// skipped, « déjà importé, inchangé ».
	Force bool
	// Origin, when set, is stored in import_runs.options under "origin":
	// where the files came from (vitrine sync: each source's URL, size
	// and sha256).
	Origin any

	// spill holds the files where the first pass writes the rows it
	// validated (spill.go); nil: none, the load reads the files again.
	spill *spillSet
}

// FileReport is the outcome of one file.
type FileReport struct {
	Path       string   `json:"path"`
	Name       string   `json:"name"`
	SHA256     string   `json:"sha256"`
	Format     string   `json:"format"`
	Encoding   string   `json:"encoding"`
	Millesimes []string `json:"millesimes"`
	Read       int      `json:"rows_read"`
	Loaded     int      `json:"loaded"`
	Rejected   int      `json:"rejected"`
	Unchanged  int      `json:"unchanged"`
	// Ignored: valid rows that load nothing by design (a second row with
	// the key of a DupOK target, a referential row without a key, a key
	// a newer file of the same run also holds: see supersede); read =
	// loaded + unchanged + rejected + ignored. Not stored: import_files
	// keeps rows_read, loaded, unchanged and rejected.
	Ignored   int      `json:"ignored"`
	Seconds   float64  `json:"seconds"`
	Synthetic bool     `json:"synthetic"`
	Rejects   []Reject `json:"rejects,omitempty"`
	FileID    int64    `json:"file_id,omitempty"`
	parsed    *parsed

	// Checks are notes on the loaded data (consistency checks, demonstration
	// rows replaced or skipped), in French; see replace.go.
	Checks []string `json:"checks,omitempty"`

	// Skipped: the file was already imported and its rows are still the
	// current ones (see current.go); it was not read again. SameAs is the
	// import_files row of that import.
	Skipped bool     `json:"skipped,omitempty"`
	SameAs  int64    `json:"same_as_file,omitempty"`
	needs   []string // sha256 of the files that must be skipped too (current.go)

	// What the load did, for import_files.changed_tables and intact.
	replacedBy    map[string]bool // sha256 of the later files of the run that replaced rows of this one
	changedTables []string        // tables where rows were inserted, updated or deleted
	deletedTables map[string]bool // tables where demonstration rows were deleted
	// rows inserted, updated, deleted per table and millésime (changes.go)
	changed map[string]tableChanges

	// asOf is the date of the data (AAAAMMJJ, "" when unknown): the
	// latest BCN DATE_INTERVENTION of the file. Files of one Order load
	// oldest first, so a newer snapshot wins over an older one.
	asOf string
}

// Report is the outcome of a run.
type Report struct {
	RunID  int64        `json:"run_id"` // 0 for a dry run
	Files  []FileReport `json:"files"`
	DryRun bool         `json:"dry_run"`
	// Changes counts the rows the run inserted, updated or deleted, in
	// every table it loads (a dry run: would have). A run without changes
	// is recorded « sans changement » and makes no new data version.
	Changes int64 `json:"changes"`
	Changed bool  `json:"changed"`
	// DataVersion is the data version once the run is committed: its own
	// id when it changed something, else the version already in service
	// (0 for a dry run).
	DataVersion int64   `json:"data_version"`
	Seconds     float64 `json:"seconds"`
}

// Rejects returns every reject of the run.
func (r *Report) Rejects() []Reject {
	var out []Reject
	for _, f := range r.Files {
		out = append(out, f.Rejects...)
	}
	return out
}

// ErrRejected is wrapped by Run when rows were rejected without --skip-invalid.
var ErrRejected = errors.New("des lignes ont été rejetées : rien n'a été écrit (relancez avec --skip-invalid pour charger les lignes valides)")

// RejectedError lists the rejects of a refused run.
type RejectedError struct{ Rejects []Reject }

func (e *RejectedError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d ligne(s) rejetée(s) : rien n'a été écrit (relancez avec --skip-invalid pour charger les lignes valides)", len(e.Rejects))
	for i, r := range e.Rejects {
		if i == 20 {
			fmt.Fprintf(&b, "\n… et %d autre(s)", len(e.Rejects)-20)
			break
		}
		b.WriteString("\n")
		b.WriteString(r.String())
	}
	return b.String()
}

func (e *RejectedError) Unwrap() error { return ErrRejected }

// Expand turns paths (files or directories) into the list of importable
// files, sorted by name.
func Expand(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("%s : fichier ou dossier introuvable", p)
		}
		if !st.IsDir() {
			out = append(out, p)
			continue
		}
		ents, err := os.ReadDir(p)
		if err != nil {
			return nil, fmt.Errorf("%s : %w", p, err)
		}
		for _, e := range ents {
			if !e.IsDir() && supported(e.Name()) {
				out = append(out, filepath.Join(p, e.Name()))
			}
		}
	}
	if len(out) == 0 {
		return nil, errors.New("aucun fichier à importer (.csv, .csv.gz, .json, .json.gz)")
	}
	return out, nil
}

func supported(name string) bool {
	n := strings.ToLower(strings.TrimSuffix(strings.ToLower(name), ".gz"))
	return strings.HasSuffix(n, ".csv") || strings.HasSuffix(n, ".json")
}

// Run imports paths in one transaction.
func Run(ctx context.Context, pool *pgxpool.Pool, paths []string, opt Options) (*Report, error) {
	start := time.Now()
	files, err := Expand(paths)
	if err != nil {
		return nil, err
	}
	rep := &Report{DryRun: opt.DryRun}
	opt.spill = newSpillSet("")
	defer opt.spill.closeAll()
	// 1. Find the files already imported whose rows are still current
	// (current.go); they are not read again. The answer is checked again
	// under the import lock below.
	var cands []candidate
	skip := map[string]*FileReport{}
	if !opt.Force {
		if cands, err = candidates(files, opt); err != nil {
			return rep, err
		}
		if skip, err = currentFiles(ctx, pool, cands, opt); err != nil {
			return rep, err
		}
	}
	// 2. Parse and validate every other file before touching the
	// database, keeping in memory only the hashes of the rows' keys (the
	// rows go to disk, spill.go); files are independent, so they are parsed
	// in parallel.
	// When nothing is skipped, the files that load last are validated
	// while the first ones load (overlap.go).
	var parsed []FileReport
	var ov *overlap
	if len(skip) == 0 {
		ov = planOverlap(files, opt)
	}
	if ov != nil {
		ov.start(opt)
		defer ov.close()
		<-ov.done[0]
		trace(start, "stage 0 validated (%d stages)", ov.stages())
		early, err := ov.files(0)
		if err == nil && (opt.SkipInvalid || len((&Report{Files: early}).Rejects()) == 0) {
			parsed = early
		} else {
			// Refused: with every file's error or rejects, as below.
			<-ov.allDone
			if parsed, err = ov.files(-1); err != nil {
				return rep, err
			}
			ov = nil
		}
	} else if err := settle(files, skip, &parsed, opt); err != nil {
		return rep, err
	}
	rep.Files = parsed
	if rj := rep.Rejects(); len(rj) > 0 && !opt.SkipInvalid {
		return rep, &RejectedError{Rejects: rj}
	}
	// 3. Load, atomically.
	tx, err := pool.Begin(ctx)
	if err != nil {
		return rep, fmt.Errorf("connexion à la base : %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	// One import at a time: a second run waits for the first to commit.
	// A run whose later stages are still being validated waits for them
	// first when the lock is taken (it may be refused without waiting).
	locked := false
	if ov != nil {
		if locked, err = tryLockImports(ctx, tx); err != nil {
			return rep, err
		}
		if !locked {
			<-ov.allDone
			if rep.Files, err = ov.files(-1); err != nil {
				return rep, err
			}
			ov = nil
			if rj := rep.Rejects(); len(rj) > 0 && !opt.SkipInvalid {
				return rep, &RejectedError{Rejects: rj}
			}
		}
	}
	if !locked {
		if err := lockImports(ctx, pool, tx, opt.LockTimeout); err != nil {
			return rep, err
		}
	}
	trace(start, "lock taken")
	if len(skip) > 0 {
		// Another run may have committed since: the files it made stale
		// are read now, under the lock.
		var kept []candidate
		for _, c := range cands {
			if skip[c.path] != nil {
				kept = append(kept, c)
			}
		}
		still, err := currentFiles(ctx, tx, kept, opt)
		if err != nil {
			return rep, err
		}
		for p := range skip {
			if still[p] == nil {
				delete(skip, p)
			}
		}
		if err := settle(files, skip, &parsed, opt); err != nil {
			return rep, err
		}
		rep.Files = parsed
		if rj := rep.Rejects(); len(rj) > 0 && !opt.SkipInvalid {
			return rep, &RejectedError{Rejects: rj}
		}
	}
	order := make(map[string]int, len(files))
	for i, p := range files {
		if _, dup := order[p]; !dup {
			order[p] = i
		}
	}
	sortFiles(rep.Files, order)
	first := len(rep.Files) // the files loaded before more is called
	var more func() ([]FileReport, error)
	if ov == nil {
		supersede(rep.Files, nil)
	} else {
		// Every file that writes a part of a table the files of stage 0
		// write is in stage 0 (overlap): their keys are all here.
		first = ov.loadsBy(0, rep.Files)
		supersede(rep.Files, nil)
		pending := append([]FileReport(nil), rep.Files[first:]...) // validated, not loaded yet
		s := 0
		more = func() ([]FileReport, error) {
			if s+1 >= ov.stages() {
				return nil, nil
			}
			s++
			ov.wait(s)
			trace(start, "stage %d validated", s)
			if _, err := ov.files(s); err != nil {
				rep.Files = nil
				return nil, err
			}
			stage := ov.stageFiles(s)
			if rj := (&Report{Files: stage}).Rejects(); len(rj) > 0 && !opt.SkipInvalid {
				// as a run refused before loading: every file's report
				<-ov.allDone
				all, err := ov.files(-1)
				if err != nil {
					rep.Files = nil
					return nil, err
				}
				rep.Files = all
				return nil, &RejectedError{Rejects: (&Report{Files: all}).Rejects()}
			}
			sortFiles(stage, order)
			supersede(stage, nil)
			pending = append(pending, stage...)
			sortFiles(pending, order)
			n := ov.loadsBy(s, pending)
			batch := pending[:n:n]
			pending = pending[n:]
			return batch, nil
		}
	}
	if err := load(ctx, tx, rep, opt, start, first, more); err != nil {
		return rep, err
	}
	trace(start, "committed")
	if rep.Changed && !opt.DryRun {
		analyze(ctx, pool, rep.Files)
		trace(start, "analysed")
	}
	rep.Files = append(rep.Files, skippedReports(skip)...)
	rep.Seconds = time.Since(start).Seconds()
	return rep, nil
}

// sortFiles sorts the files of a run in their load order: by Order, then
// date of the data, then as given (order: the index of each path).
func sortFiles(files []FileReport, order map[string]int) {
	sort.SliceStable(files, func(i, j int) bool {
		a, b := &files[i], &files[j]
		if a.parsed.format.Order != b.parsed.format.Order {
			return a.parsed.format.Order < b.parsed.format.Order
		}
		if a.asOf != b.asOf {
			return a.asOf < b.asOf
		}
		return order[a.Path] < order[b.Path] // as given
	})
}

// load loads rep.Files and commits (a dry run: rolls back). With more, it
// loads the first files of rep.Files, then each batch more returns (the
// next files in load order, once validated) until it returns none; the
// batches replace the other files in rep.Files; an error of more refuses
// the run.
func load(ctx context.Context, tx pgx.Tx, rep *Report, opt Options, start time.Time, first int, more func() ([]FileReport, error)) error {
	// The merges are set-based joins of a staging table with its target,
	// whose statistics are stale within the run (a table filled by the
	// previous file still looks empty): a nested loop would scan the target
	// once per staged row, and merge joins sort multi-column text keys,
	// which is slow under a libc collation. Hash joins, with enough
	// work_mem not to spill (the default 4 MB spills at ~20,000 rows), are
	// right for every statement of an import. Each statement reads only the
	// rows of the file's keys (Target.Narrow): a hash of the whole target
	// per file made the cost grow with files × table size. For the same
	// reasons, grouping is hashed, not sorted: on stale statistics the
	// consistency check after each establishment × formation file (replace.go)
	// sorted the file's 45,000 rows on four text columns to group them, 110 ms
	// of its 150 (ORDER BY still sorts: it has no other way). JIT compilation
	// costs more than it saves on these statements. These settings last for
	// this transaction only.
	if _, err := tx.Exec(ctx, `SET LOCAL enable_nestloop = off; SET LOCAL enable_mergejoin = off; SET LOCAL enable_sort = off; SET LOCAL work_mem = '128MB'; SET LOCAL jit = off`); err != nil {
		return err
	}
	var err error
	opts := map[string]any{"skip_invalid": opt.SkipInvalid, "source": opt.Source, "synthetic": opt.Synthetic}
	if opt.Origin != nil {
		opts["origin"] = opt.Origin
	}
	optJSON, err := json.Marshal(opts)
	if err != nil {
		return fmt.Errorf("import_runs : options : %w", err)
	}
	// A run a later stage refuses sets back the sequences it drew from.
	var seqs *sequences
	if more != nil && !opt.DryRun {
		if seqs, err = saveSequences(ctx, tx); err != nil {
			return err
		}
	}
	// A dry run takes no number from the sequences (each try would burn
	// one): its rows, rolled back, carry negative ids no real run has.
	runID := int64(dryRunID)
	if opt.DryRun {
		_, err = tx.Exec(ctx, `INSERT INTO import_runs (id, started_at, options) VALUES ($1, $2, $3)`, runID, start, optJSON)
	} else {
		err = tx.QueryRow(ctx, `INSERT INTO import_runs (started_at, options) VALUES ($1, $2) RETURNING id`, start, optJSON).Scan(&runID)
	}
	if err != nil {
		return fmt.Errorf("import_runs : %w", err)
	}
	// Tell a run that waits for the lock which run holds it.
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, runMarkerKey(runID)); err != nil {
		return err
	}
	var tot FileReport
	var changes int64
	// The rows of one file at a time (and of the next one, read while this
	// one loads): memory follows the largest file, not the run. offset is
	// the index in the run of files[0].
	loadFiles := func(files []FileReport, offset int) error {
		type fileRows struct {
			rows map[*Target][][]any
			err  error
		}
		next := make(chan fileRows) // unbuffered: one file read ahead, not two
		stop := make(chan struct{})
		defer close(stop)
		go func() { // it and the loop below share the array of files only
			for i := range files {
				r, err := rowsOf(&files[i], opt)
				select {
				case next <- fileRows{r, err}:
				case <-stop:
					return
				}
				if err != nil {
					return
				}
			}
		}()
		for i := range files {
			f := &files[i]
			t0 := time.Now()
			fr := <-next
			waited := time.Since(t0).Seconds()
			if fr.err != nil {
				return fr.err
			}
			f.parsed.rows = fr.rows
			if opt.Progress != nil {
				fmt.Fprintf(opt.Progress, "\rchargement %-60s", trunc(f.Name, 60))
			}
			var fileID int64 // from the sequence
			if opt.DryRun {
				fileID = -int64(offset + i + 1)
			}
			n, err := loadFile(ctx, tx, runID, fileID, f)
			f.parsed.rows = nil
			if err != nil {
				return fmt.Errorf("%s : chargement : %w", f.Name, err)
			}
			changes += n
			trace(start, "loaded %s (%d rows, waited %.3f s for its rows)", f.Name, f.Loaded, waited)
			f.Seconds += time.Since(t0).Seconds()
			tot.Read += f.Read
			tot.Loaded += f.Loaded
			tot.Rejected += f.Rejected
			tot.Unchanged += f.Unchanged
			if _, err := tx.Exec(ctx, `UPDATE import_files SET loaded=$2, unchanged=$3, seconds=$4, changed_tables=$5 WHERE id=$1`,
				f.FileID, f.Loaded, f.Unchanged, f.Seconds, append([]string{}, f.changedTables...)); err != nil {
				return err
			}
		}
		return nil
	}
	if err := loadFiles(rep.Files[:first], 0); err != nil {
		return err
	}
	for loaded := first; more != nil; {
		trace(start, "%d files loaded", loaded)
		batch, err := more()
		if err != nil {
			if seqs != nil {
				// Best effort: a failure leaves a gap in the numbers, as a
				// failed load does.
				_ = seqs.restore(ctx, tx)
			}
			return err
		}
		if batch == nil {
			break
		}
		rep.Files = append(rep.Files[:loaded:loaded], batch...)
		if err := loadFiles(rep.Files[loaded:], loaded); err != nil {
			return err
		}
		loaded += len(batch)
	}
	for i, f := range rep.Files {
		if _, err := tx.Exec(ctx, `UPDATE import_files SET replaced_by = $2 WHERE id = $1`, f.FileID, replacedBy(rep.Files, i)); err != nil {
			return err
		}
	}
	if opt.Progress != nil {
		fmt.Fprintf(opt.Progress, "\r%-72s\r", "")
	}
	rep.Changes, rep.Changed = changes, changes > 0
	if _, err := tx.Exec(ctx, `UPDATE import_runs SET finished_at=now(), rows_read=$2, loaded=$3, rejected=$4, unchanged=$5, duration_ms=$6, changed=$7 WHERE id=$1`,
		runID, tot.Read, tot.Loaded, tot.Rejected, tot.Unchanged, time.Since(start).Milliseconds(), rep.Changed); err != nil {
		return err
	}
	if opt.DryRun {
		return nil // deferred rollback
	}
	if err := tx.QueryRow(ctx, `SELECT coalesce(max(id), 0) FROM import_runs WHERE changed`).Scan(&rep.DataVersion); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return err
	}
	rep.RunID = runID
	return nil
}

// analyze refreshes the planner statistics of the tables a run loaded:
// right after a large import, before autovacuum gets to them, the pages'
// and the coverage analyser's plans were built on the empty tables'
// statistics (a query of 1.7 s took 1 min 45). What those plans need is
// the tables' sizes and the spread of their indexed columns: only those
// columns are analysed, on a sample of 300 × analyzeTarget rows (a full
// ANALYZE of ij_uai_formation alone took 0.36 s on the demo, 0.11 s of it
// reading its 30,000-row sample, ~20 ms per column). An ANALYZE with a
// column list does not reset the table's count of changes, so autovacuum
// still analyses every column on the full sample within a minute. The
// tables are analysed on one connection per CPU, the ones the run wrote
// most first. A failure here changes nothing the import did, so it is
// ignored.
func analyze(ctx context.Context, pool *pgxpool.Pool, files []FileReport) {
	seen := map[string]bool{}
	var tables []string
	for _, f := range files {
		for _, fm := range registry {
			if fm.Kind != f.Format {
				continue
			}
			for _, t := range fm.Targets {
				if !seen[t.Table] {
					seen[t.Table] = true
					tables = append(tables, t.Table)
				}
			}
		}
	}
	written := map[string]int{}
	for _, f := range files {
		for t, ch := range f.changed {
			for _, c := range ch {
				written[t] += c[0] + c[1] + c[2]
			}
		}
	}
	sort.SliceStable(tables, func(i, j int) bool { return written[tables[i]] > written[tables[j]] })
	next := make(chan string)
	var wg sync.WaitGroup
	for w := 0; w < min(runtime.GOMAXPROCS(0), len(tables)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range next {
				_ = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
					var cols []string
					if err := tx.QueryRow(ctx, `SELECT coalesce(array_agg(DISTINCT a.attname::text), '{}') FROM pg_index i
JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey) WHERE i.indrelid = $1::regclass`,
						pgx.Identifier{t}.Sanitize()).Scan(&cols); err != nil {
						return err
					}
					q := "ANALYZE " + pgx.Identifier{t}.Sanitize()
					if len(cols) > 0 {
						ids := make([]string, len(cols))
						for i, c := range cols {
							ids[i] = pgx.Identifier{c}.Sanitize()
						}
						q += " (" + strings.Join(ids, ", ") + ")"
					}
					_, err := tx.Exec(ctx, "SET LOCAL default_statistics_target = "+strconv.Itoa(analyzeTarget)+"; "+q)
					return err
				})
			}
		}()
	}
	for _, t := range tables {
		next <- t
	}
	close(next)
	wg.Wait()
}

// analyzeTarget is the statistics target of analyze (PostgreSQL's default
// is 100).
const analyzeTarget = 30

// dryRunID is the id of the import_runs row of a dry run (rolled back).
const dryRunID = -1

// Imports are serialised by a transaction-level advisory lock. The run that
// holds it also holds a second one whose key carries its number (classid
// importRunLock, objid the run id; 0 for a dry run), so that a run that
// gives up waiting can say which run is in progress, from pg_locks alone:
// both vanish with the transaction, whatever ends it (commit, rollback, a
// killed process).
const (
	importLock    = 7243101
	importRunLock = 7243102
)

func runMarkerKey(runID int64) int64 {
	if runID < 0 {
		runID = 0
	}
	return importRunLock<<32 | runID&0xFFFFFFFF
}

// LockBusyError: another import held the lock for longer than
// Options.LockTimeout.
type LockBusyError struct {
	Since  time.Time // start of the other run's transaction (zero: unknown)
	Run    int64     // the other run's number (0: unknown)
	DryRun bool      // the other run is a dry run
	Waited time.Duration
}

func (e *LockBusyError) Error() string {
	var b strings.Builder
	b.WriteString("un autre import est en cours")
	if !e.Since.IsZero() {
		since := e.Since.Local()
		if since.Format(time.DateOnly) == time.Now().Format(time.DateOnly) {
			b.WriteString(" depuis " + since.Format("15:04:05"))
		} else {
			b.WriteString(" depuis le " + since.Format("02/01/2006 à 15:04:05"))
		}
	}
	switch {
	case e.Run > 0:
		fmt.Fprintf(&b, " (run %d)", e.Run)
	case e.DryRun:
		b.WriteString(" (essai à blanc)")
	}
	fmt.Fprintf(&b, " ; réessayez plus tard (attente maximale de %s dépassée, voir --lock-timeout)", e.Waited)
	return b.String()
}

// lockImports takes the import lock in tx, waiting at most timeout (0: no
// limit) for the run that holds it.
func lockImports(ctx context.Context, pool *pgxpool.Pool, tx pgx.Tx, timeout time.Duration) error {
	if timeout > 0 {
		if _, err := tx.Exec(ctx, fmt.Sprintf(`SET LOCAL lock_timeout = %d`, max(1, timeout.Milliseconds()))); err != nil {
			return err
		}
	}
	_, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, importLock)
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "55P03" /* lock_not_available */ {
		return lockHolder(ctx, pool, timeout)
	}
	if err != nil {
		return fmt.Errorf("verrou d'import : %w", err)
	}
	if timeout > 0 {
		_, err = tx.Exec(ctx, `SET LOCAL lock_timeout TO DEFAULT`)
	}
	return err
}

// lockHolder describes the run that holds the import lock (its transaction
// failed: this asks on another connection).
func lockHolder(ctx context.Context, pool *pgxpool.Pool, waited time.Duration) error {
	e := &LockBusyError{Waited: waited}
	var since *time.Time
	var run *int64
	err := pool.QueryRow(ctx, `
SELECT a.xact_start,
  (SELECT m.objid::bigint FROM pg_locks m WHERE m.pid = l.pid AND m.locktype = 'advisory' AND m.granted
     AND m.database = l.database AND m.classid::bigint = $2 AND m.objsubid = 1 LIMIT 1)
FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
  AND l.classid::bigint = 0 AND l.objid::bigint = $1 AND l.objsubid = 1
LIMIT 1`, importLock, importRunLock).Scan(&since, &run)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%v (run en cours introuvable : %w)", e, err)
	}
	if since != nil {
		e.Since = *since
	}
	if run != nil {
		e.Run, e.DryRun = *run, *run == 0
	}
	return e
}

// loadFile loads one file under fileID (0: the next id of the sequence)
// and returns how many rows it inserted, updated or deleted.
func loadFile(ctx context.Context, tx pgx.Tx, runID, fileID int64, f *FileReport) (int64, error) {
	p := f.parsed
	rejects, _ := json.Marshal(f.Rejects)
	if f.Rejects == nil {
		rejects = []byte("[]")
	}
	if err := tx.QueryRow(ctx, `INSERT INTO import_files (id, run_id, name, sha256, format, producer, millesimes, rows_read, loaded, rejected, unchanged, seconds, synthetic, rejects, licence)
		VALUES (CASE WHEN $1::bigint = 0 THEN nextval(pg_get_serial_sequence('import_files', 'id')) ELSE $1 END,
		$2,$3,$4,$5,$6,$7,$8,0,$9,0,0,$10,$11,nullif($12, '')) RETURNING id`,
		fileID, runID, f.Name, f.SHA256, f.Format, p.format.Producer, f.Millesimes, f.Read, f.Rejected, f.Synthetic, rejects, p.format.Licence).Scan(&f.FileID); err != nil {
		return 0, err
	}
	var changes int64
	for ti, t := range p.format.Targets {
		rows, err := keepReal(ctx, tx, t, f, p.rows[t])
		if err != nil {
			return 0, err
		}
		deleted, err := replaceSynthetic(ctx, tx, t, f, rows, f.changes(t))
		if err != nil {
			return 0, err
		}
		ins, upd, err := upsert(ctx, tx, t, rows, f.FileID, f.changes(t))
		if err != nil {
			return 0, err
		}
		changes += deleted + int64(ins+upd)
		if deleted > 0 {
			if f.deletedTables == nil {
				f.deletedTables = map[string]bool{}
			}
			f.deletedTables[t.Table] = true
		}
		if deleted+int64(ins+upd) > 0 {
			f.changedTables = append(f.changedTables, t.Table)
		}
		if ti == 0 {
			f.Loaded = ins + upd
			f.Unchanged = len(rows) - ins - upd
			f.Ignored += len(p.rows[t]) - len(rows) // demonstration rows where real ones exist
		}
	}
	if err := recordChanges(ctx, tx, runID, f); err != nil {
		return 0, err
	}
	return changes, afterLoad(ctx, tx, f)
}

// upsert copies rows into a staging table and merges them into t with one
// statement; rows whose values did not change are left untouched.
func upsert(ctx context.Context, tx pgx.Tx, t *Target, rows [][]any, fileID int64, ch tableChanges) (inserted, updated int, err error) {
	if len(rows) == 0 {
		return 0, 0, nil
	}
	if n, ok, err := copyNew(ctx, tx, t, rows, fileID, ch); err != nil || ok {
		return n, 0, err
	}
	stg := "stg_" + t.Table
	cols := strings.Join(t.Cols, ", ")
	if _, err = tx.Exec(ctx, fmt.Sprintf(`DROP TABLE IF EXISTS %s; CREATE TEMP TABLE %s ON COMMIT DROP AS SELECT %s FROM %s WITH NO DATA`,
		stg, stg, cols, t.Table)); err != nil {
		return 0, 0, fmt.Errorf("staging %s : %w", t.Table, err)
	}
	if _, err = tx.CopyFrom(ctx, pgx.Identifier{stg}, t.Cols, pgx.CopyFromRows(rows)); err != nil {
		return 0, 0, fmt.Errorf("COPY %s : %w", t.Table, err)
	}
	isKey := map[string]bool{}
	for _, k := range t.Key {
		isKey[k] = true
	}
	var data, on []string
	for _, c := range t.Cols {
		if !isKey[c] {
			data = append(data, c)
		}
	}
	for _, k := range t.Key {
		on = append(on, "t."+k+" = s."+k)
	}
	join := strings.Join(on, " AND ")
	// Only the target rows that can match: those of the file's values of
	// the narrowing column (an index leads with it).
	narrow := ""
	var vals []string
	if t.Narrow != "" {
		vals = narrowValues(t, rows)
		narrow = " AND t." + t.Narrow + " = ANY($2::text[])"
	}
	// Two set-based statements (hash joins) rather than INSERT … ON
	// CONFLICT, whose per-row speculative insertion is several times
	// slower on large files: update the rows whose values changed, then
	// insert the new keys. Rows whose values did not change are left
	// untouched (they keep the file they came from).
	if len(data) > 0 {
		set := make([]string, 0, len(data)+1)
		old := make([]string, len(data))
		neu := make([]string, len(data))
		for i, c := range data {
			set = append(set, c+" = s."+c)
			old[i] = "t." + c
			neu[i] = "s." + c
		}
		set = append(set, "file_id = $1")
		// The statement answers its changed rows per millésime (the data
		// release notes, changes.go).
		updated, err = countByMillesime(ctx, tx, ch, changeModified, fmt.Sprintf(`UPDATE %s AS t SET %s FROM %s AS s WHERE %s%s AND (%s) IS DISTINCT FROM (%s) RETURNING %s`,
			t.Table, strings.Join(set, ", "), stg, join, narrow, strings.Join(old, ", "), strings.Join(neu, ", "), millesimeExpr(t, "t.")), narrowArgs(fileID, vals)...)
		if err != nil {
			return 0, 0, fmt.Errorf("mise à jour %s : %w", t.Table, err)
		}
	}
	inserted, err = countByMillesime(ctx, tx, ch, changeAdded, fmt.Sprintf(`INSERT INTO %s (%s, file_id) SELECT %s, $1 FROM %s AS s WHERE NOT EXISTS (SELECT 1 FROM %s AS t WHERE %s%s) RETURNING %s`,
		t.Table, cols, prefixed("s.", t.Cols), stg, t.Table, join, narrow, millesimeExpr(t, "")), narrowArgs(fileID, vals)...)
	if err != nil {
		return 0, 0, fmt.Errorf("insertion %s : %w", t.Table, err)
	}
	return inserted, updated, nil
}

// copyNew copies rows straight into t when none of their keys is there
// yet, the common case of a first import: no staging table, no merge, and
// COPY writes the table in batches where INSERT … SELECT writes it row by
// row (about half the time of upsert's two statements on the demo's
// establishment × formation files). Whether a key is there is left to a
// unique index on (a subset of) t.Key: the COPY runs under a savepoint and
// the first duplicate key makes it fail at once; ok is false then, nothing
// was written, and the caller merges the rows (upsert). A table without
// such an index is always merged.
func copyNew(ctx context.Context, tx pgx.Tx, t *Target, rows [][]any, fileID int64, ch tableChanges) (n int, ok bool, err error) {
	var unique bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_index i
WHERE i.indrelid = $1::regclass AND i.indisunique AND i.indimmediate AND i.indpred IS NULL AND i.indexprs IS NULL
  AND (SELECT array_agg(a.attname::text) FROM pg_attribute a WHERE a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)) <@ $2::text[])`,
		pgx.Identifier{t.Table}.Sanitize(), t.Key).Scan(&unique); err != nil {
		return 0, false, fmt.Errorf("index unique de %s : %w", t.Table, err)
	}
	if !unique {
		return 0, false, nil
	}
	if _, err := tx.Exec(ctx, `SAVEPOINT copy_new`); err != nil {
		return 0, false, err
	}
	row := make([]any, len(t.Cols)+1)
	row[len(t.Cols)] = fileID
	i := -1
	_, err = tx.CopyFrom(ctx, pgx.Identifier{t.Table}, append(append([]string{}, t.Cols...), "file_id"), pgx.CopyFromFunc(func() ([]any, error) {
		if i++; i == len(rows) {
			return nil, nil
		}
		copy(row, rows[i]) // encoded before the next call: row is reused
		return row, nil
	}))
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" /* unique_violation */ {
		if _, err := tx.Exec(ctx, `ROLLBACK TO SAVEPOINT copy_new; RELEASE SAVEPOINT copy_new`); err != nil {
			return 0, false, err
		}
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("COPY %s : %w", t.Table, err)
	}
	if _, err := tx.Exec(ctx, `RELEASE SAVEPOINT copy_new`); err != nil {
		return 0, false, err
	}
	// What the merge statements would have answered: every row added, per
	// millésime (millesimeExpr).
	mi := -1
	for j, c := range t.Cols {
		if c == "millesime" {
			mi = j
		}
	}
	for _, r := range rows {
		m := ""
		if mi >= 0 {
			if m, ok = r[mi].(string); !ok {
				m = fmt.Sprint(r[mi])
			}
		}
		if ch[m] == nil {
			ch[m] = &[3]int{}
		}
		ch[m][changeAdded]++
	}
	return len(rows), true, nil
}

// narrowValues returns the distinct values of t.Narrow in rows.
func narrowValues(t *Target, rows [][]any) []string {
	i := -1
	for j, c := range t.Cols {
		if c == t.Narrow {
			i = j
		}
	}
	seen := map[string]bool{}
	out := []string{}
	for _, r := range rows {
		if s, ok := r[i].(string); ok && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func narrowArgs(fileID int64, vals []string) []any {
	if vals == nil {
		return []any{fileID}
	}
	return []any{fileID, vals}
}

// parseAll parses files with one worker per CPU, keeping the hashes of the
// rows' keys, not the rows (spill.go); the first error
// (in file order) wins.
func parseAll(files []string, opt Options) ([]FileReport, error) {
	out := make([]FileReport, len(files))
	errs := make([]error, len(files))
	workers := runtime.GOMAXPROCS(0)
	if opt.Progress != nil {
		workers = 1 // one progress bar at a time
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				fr, err := parseFileMode(files[i], opt, true)
				if err != nil {
					errs[i] = err
					continue
				}
				out[i] = *fr
			}
		}()
	}
	for i := range files {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func prefixed(p string, cols []string) string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = p + c
	}
	return strings.Join(out, ", ")
}

// trunc shortens s to at most n bytes, on a rune boundary.
func trunc(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - 1
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// supersede keeps, for a key that several files of the run write into the
// same table, the row of the last file only (files are sorted: referentials
// first, then oldest snapshot first). Loading every version would rewrite
// the key once per file and make a re-import of the same files report
// changes. A superseded row of a file's primary target counts as ignored.
// It works on the key hashes of the first pass and records, per file, the
// keys to drop when its rows are read again (load); the hashes are freed.
// only, when not nil, limits the work to the targets it accepts (the
// hashes of the others are kept).
func supersede(files []FileReport, only func(*Target) bool) {
	claimed := map[*Target]map[keyHash]int{} // key → the file that holds it
	for i := len(files) - 1; i >= 0; i-- {
		f := &files[i]
		p := f.parsed
		for ti, t := range p.format.Targets {
			if only != nil && !only(t) {
				continue
			}
			keys := p.keys[t]
			delete(p.keys, t)
			if len(keys) == 0 {
				continue
			}
			if claimed[t] == nil {
				claimed[t] = map[keyHash]int{}
			}
			var mine []keyHash
			for _, k := range keys {
				if j, ok := claimed[t][k]; ok {
					if ti == 0 {
						f.Ignored++
					}
					if f.replacedBy == nil {
						f.replacedBy = map[string]bool{}
					}
					f.replacedBy[files[j].SHA256] = true
					if p.superseded == nil {
						p.superseded = map[*Target]map[keyHash]bool{}
					}
					if p.superseded[t] == nil {
						p.superseded[t] = map[keyHash]bool{}
					}
					p.superseded[t][k] = true
					continue
				}
				mine = append(mine, k)
			}
			for _, k := range mine {
				claimed[t][k] = i
			}
		}
	}
}

// rowsOf returns the rows of a file of the run (the first pass kept only
// their keys in memory): decoded from its spill file, else read from the
// file again; it drops those a newer file of the run holds.
func rowsOf(f *FileReport, opt Options) (map[*Target][][]any, error) {
	if f.parsed == nil {
		return nil, fmt.Errorf("%s : fichier non validé avant le chargement (erreur interne) ; rien n'a été écrit, relancez l'import", f.Path)
	}
	var rows map[*Target][][]any
	if sp := f.parsed.spill; sp != nil {
		// The rows the first pass validated (spill.go).
		f.parsed.spill = nil
		var err error
		if rows, err = readSpill(opt.spill, sp, f.parsed.format); err != nil {
			return nil, err
		}
	} else {
		fr, err := parseFileMode(f.Path, opt, false)
		if err != nil {
			return nil, err
		}
		if fr.SHA256 != f.SHA256 {
			return nil, fmt.Errorf("%s : le fichier a changé pendant l'import ; relancez l'import", f.Path)
		}
		rows = fr.parsed.rows
	}
	sup := f.parsed.superseded
	if len(sup) == 0 {
		return rows, nil
	}
	h := fnv.New128a()
	var kb []byte
	for t, drop := range sup {
		idx := keyIndexes(t)
		keep := rows[t][:0]
		for _, r := range rows[t] {
			kb = kb[:0]
			for _, j := range idx {
				kb = appendKey(kb, r[j])
			}
			if !drop[hashKey(h, kb)] {
				keep = append(keep, r)
			}
		}
		rows[t] = keep
	}
	return rows, nil
}

// replacedBy returns the sha256 of the files loaded after files[i] in the
// run that replaced some of its rows (see current.go): the newer files that
// held one of its keys (supersede) and, for a demonstration file, the real
// files that deleted demonstration rows in one of its tables.
func replacedBy(files []FileReport, i int) []string {
	f := &files[i]
	set := map[string]bool{}
	for s := range f.replacedBy {
		set[s] = true
	}
	if f.Synthetic {
		for j := i + 1; j < len(files); j++ {
			for _, t := range f.parsed.format.Targets {
				if files[j].deletedTables[t.Table] {
					set[files[j].SHA256] = true
				}
			}
		}
	}
	out := make([]string, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// keyIndexes returns the positions of t's key columns in t.Cols.
func keyIndexes(t *Target) []int {
	var idx []int
	for _, k := range t.Key {
		for i, c := range t.Cols {
			if c == k {
				idx = append(idx, i)
			}
		}
	}
	return idx
}
