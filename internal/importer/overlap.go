package importer

import (
	"context"
	"fmt"
	"runtime"
	"sort"
	"sync"

	"github.com/jackc/pgx/v5"
)

// Validation overlapped with loading.
//
// Every file is validated before any of its rows is loaded into a table it
// shares with another file (supersede needs the keys of every file that
// writes the table), and files load in one order (Order, date of the data,
// as given). But the first files to load (the referentials) need only the
// files that write the same tables: the files that load last (the
// establishment × formation figures) can be validated while the first ones
// load, the database working on one core while the importer parses on the
// other. The files are cut in two on an Order c:
//
//   - early: every file of Order ≤ c (they load first, in the usual order)
//     and every other file that writes one of their tables;
//   - late: the other files (Order > c, none of the early files' tables).
//
// Early files are validated first; once they are, the run takes the lock and
// loads the files of Order ≤ c while the late files are validated; then the
// rest loads, in the usual order. The rows, their order, the reports and the
// import_files rows are those of a run that validated everything first. A
// run that the late files refuse (rejects without --skip-invalid, a file
// that cannot be read) is rolled back, the report is the one of a run
// refused before loading, and the two sequences the load used (import_runs,
// import_files) are set back, so that the next run gets the number it
// would have had. The overlap is planned only when no file is skipped
// (current.go) and when the lock is free at once (otherwise the run
// validates everything before it waits, as before).
type overlap struct {
	todo     []string // the files, as given
	size     []int64  // per todo index
	late     []bool   // per todo index
	maxOrder int      // c: the files of Order ≤ c load first
	tables   map[string]bool

	out  []FileReport // per todo index, as parsed (not modified afterwards)
	errs []error

	earlyDone, allDone chan struct{}
	stop               chan struct{}
	stopOnce           sync.Once
}

// planOverlap cuts files in early and late (see overlap) from their headers
// and sizes, or returns nil when there is nothing to overlap or a header
// cannot be read (the first pass reports that).
func planOverlap(files []string, opt Options) *overlap {
	if len(files) < 2 {
		return nil
	}
	fmts := make([]*Format, len(files))
	size := make([]int64, len(files))
	for i, p := range files {
		f, n, err := headerFormat(p, opt.Source)
		if err != nil {
			return nil
		}
		fmts[i], size[i] = f, n
	}
	orders := map[int]bool{}
	for _, f := range fmts {
		orders[f.Order] = true
	}
	var cuts []int
	for o := range orders {
		cuts = append(cuts, o)
	}
	sort.Ints(cuts)
	// The cut that balances what loads while the late files are validated
	// (the files of Order ≤ c) with what is validated then (the late files),
	// both measured by the files' sizes.
	var best *overlap
	var bestScore int64
	for _, c := range cuts {
		tables := map[string]bool{}
		var first int64
		for i, f := range fmts {
			if f.Order <= c {
				first += size[i]
				for _, t := range f.Targets {
					tables[t.Table] = true
				}
			}
		}
		late := make([]bool, len(files))
		var second int64
		for i, f := range fmts {
			if f.Order <= c {
				continue
			}
			late[i] = true
			for _, t := range f.Targets {
				if tables[t.Table] {
					late[i] = false
				}
			}
			if late[i] {
				second += size[i]
			}
		}
		if score := min(first, second); score > bestScore {
			bestScore = score
			best = &overlap{todo: files, size: size, late: late, maxOrder: c, tables: tables}
		}
	}
	return best
}

// headerFormat returns the format of a file from its header (force: the
// --source kind) and the file's size.
func headerFormat(path, force string) (*Format, int64, error) {
	src, err := openSource(path)
	if err != nil {
		return nil, 0, err
	}
	defer src.Close()
	f, _, _, err := openTable(src, force)
	if err != nil {
		return nil, 0, err
	}
	return f, src.Size, nil
}

// start validates the files, early ones first, with one worker per CPU;
// earlyDone is closed once the early ones are, allDone once all are.
func (o *overlap) start(opt Options) {
	o.out = make([]FileReport, len(o.todo))
	o.errs = make([]error, len(o.todo))
	o.earlyDone, o.allDone, o.stop = make(chan struct{}), make(chan struct{}), make(chan struct{})
	workers := runtime.GOMAXPROCS(0)
	if opt.Progress != nil {
		workers = 1 // one progress bar at a time
	}
	// Early files first; the largest first within each group, so that
	// the workers finish together (one worker alone on the largest file
	// last kept a core idle).
	var early, all sync.WaitGroup
	queue := make([]int, len(o.todo))
	for i := range queue {
		queue[i] = i
		all.Add(1)
		if !o.late[i] {
			early.Add(1)
		}
	}
	sort.SliceStable(queue, func(a, b int) bool {
		i, j := queue[a], queue[b]
		if o.late[i] != o.late[j] {
			return !o.late[i]
		}
		return o.size[i] > o.size[j]
	})
	// The late files are validated on one core: the database, which
	// loads the first files meanwhile, needs the other one.
	lateSem := make(chan struct{}, 1)
	next := make(chan int)
	go func() {
		defer close(next)
		for k, i := range queue {
			select {
			case next <- i:
			case <-o.stop:
				for _, j := range queue[k:] { // never read: done all the same
					if !o.late[j] {
						early.Done()
					}
					all.Done()
				}
				return
			}
		}
	}()
	for w := 0; w < workers; w++ {
		go func() {
			for i := range next {
				popt := opt
				if o.late[i] {
					popt.Progress = nil // the load draws its own
					lateSem <- struct{}{}
				}
				fr, err := parseFileMode(o.todo[i], popt, true)
				if o.late[i] {
					<-lateSem
				}
				if err != nil {
					o.errs[i] = err
				} else {
					o.out[i] = *fr
				}
				if !o.late[i] {
					early.Done()
				}
				all.Done()
			}
		}()
	}
	go func() {
		early.Wait()
		close(o.earlyDone)
	}()
	go func() {
		all.Wait()
		close(o.allDone)
	}()
}

// close stops handing files to the workers (a run that ends early).
func (o *overlap) close() {
	o.stopOnce.Do(func() { close(o.stop) })
}

// files returns copies of the parsed reports, as given: the early files
// (late false) or every file (late true); err is the first error in the
// order given among them. Wait for earlyDone or allDone first.
func (o *overlap) files(late bool) ([]FileReport, error) {
	var out []FileReport
	for i := range o.todo {
		if o.late[i] && !late {
			continue
		}
		if o.errs[i] != nil {
			return nil, o.errs[i]
		}
		out = append(out, o.out[i])
	}
	return out, nil
}

// lateFiles returns copies of the late files' reports, as given.
func (o *overlap) lateFiles() []FileReport {
	var out []FileReport
	for i := range o.todo {
		if o.late[i] {
			out = append(out, o.out[i])
		}
	}
	return out
}

// earlyTarget tells whether t is a table of the files that load first.
func (o *overlap) earlyTarget(t *Target) bool { return o.tables[t.Table] }

// firstCount is how many of the sorted early files load first.
func (o *overlap) firstCount(sorted []FileReport) int {
	n := 0
	for n < len(sorted) && sorted[n].parsed.format.Order <= o.maxOrder {
		n++
	}
	return n
}

// tryLockImports takes the import lock if no other run holds it.
func tryLockImports(ctx context.Context, tx pgx.Tx) (bool, error) {
	var got bool
	if err := tx.QueryRow(ctx, `SELECT pg_try_advisory_xact_lock($1)`, importLock).Scan(&got); err != nil {
		return false, fmt.Errorf("verrou d'import : %w", err)
	}
	return got, nil
}

// sequences are the values of the sequences a load uses, to set them back
// when the late files refuse the run (see overlap).
type sequences struct {
	names  []string
	values []int64
	called []bool
}

func saveSequences(ctx context.Context, tx pgx.Tx) (*sequences, error) {
	s := &sequences{}
	for _, t := range []string{"import_runs", "import_files"} {
		var name string
		var v int64
		var called bool
		if err := tx.QueryRow(ctx, `SELECT pg_get_serial_sequence($1, 'id')`, t).Scan(&name); err != nil {
			return nil, err
		}
		if err := tx.QueryRow(ctx, `SELECT last_value, is_called FROM `+name).Scan(&v, &called); err != nil {
			return nil, err
		}
		s.names, s.values, s.called = append(s.names, name), append(s.values, v), append(s.called, called)
	}
	return s, nil
}

// restore sets the sequences back (setval is not rolled back with the
// transaction; the import lock keeps other runs from drawing meanwhile).
func (s *sequences) restore(ctx context.Context, tx pgx.Tx) error {
	for i, n := range s.names {
		if _, err := tx.Exec(ctx, `SELECT setval($1::regclass, $2, $3)`, n, s.values[i], s.called[i]); err != nil {
			return err
		}
	}
	return nil
}
