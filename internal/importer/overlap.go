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
// writes the same part of a table), and files load in one order (Order,
// date of the data, as given). But the first files to load (the
// referentials) need only the files that write the same tables: the files
// that load later (the establishment × formation figures) can be validated
// while the first ones load, the database working on one core while the
// importer parses on the other. The files are cut in stages on their
// Orders c0 < c1 < …:
//
//   - stage 0: every file of Order ≤ c0 (they load first, in the usual
//     order) and every file that writes the same part of a table as one of
//     them (Target.Part), and so on until no file is added;
//   - stage s > 0: the files of Order ≤ cs not in an earlier stage, with
//     the same closure.
//
// Stage 0 (the referentials of the lowest Order, and what shares their
// tables) is validated first (one worker per CPU); once it is, the run
// takes the lock and loads the files of Order ≤ c0 while the later stages
// are validated in their order on one core (with one stage per Order, the
// loader waited 0.03 s for its first file on the demo, against 0.33 s when
// the first stage held half of the files' bytes); the files of Order in
// ]cs-1, cs] load once stage s is validated. A file is thus never loaded
// before every file writing a part of a table it writes is validated: the
// rows, their order, the reports and the import_files rows are those of a
// run that validated everything first. A run that a later stage refuses
// (rejects without --skip-invalid, a file that cannot be read) is rolled
// back, the report is the one of a run refused before loading, and the two
// sequences the load used (import_runs, import_files) are set back, so that
// the next run gets the number it would have had. The overlap is planned
// only when no file is skipped (current.go) and when the lock is free at
// once (otherwise the run validates everything before it waits).
type overlap struct {
	todo  []string // the files, as given
	size  []int64  // per todo index
	order []int    // per todo index: its format's Order
	stage []int    // per todo index
	cuts  []int    // per stage: the files of Order ≤ cuts[s] load once it is validated

	out  []FileReport // per todo index, as parsed (not modified afterwards)
	errs []error

	done []chan struct{} // per stage: closed once it and every earlier one are validated
	// boost lends the validation of later stages the cores the loader
	// leaves idle while it waits for a stage (wait).
	boost    chan struct{}
	allDone  chan struct{}
	stop     chan struct{}
	stopOnce sync.Once
}

// tablePart is a part of a table a format writes: part "" is the whole
// table (a format that declares no Parts, or a table without Part).
type tablePart struct{ table, part string }

func partsOf(f *Format) []tablePart {
	var out []tablePart
	for _, t := range f.Targets {
		if t.part() < 0 || f.Parts == nil {
			out = append(out, tablePart{t.Table, ""})
			continue
		}
		for _, p := range f.Parts {
			out = append(out, tablePart{t.Table, p})
		}
	}
	return out
}

// shares tells whether two formats may write the same key of a table.
func shares(a, b []tablePart) bool {
	for _, x := range a {
		for _, y := range b {
			if x.table == y.table && (x.part == "" || y.part == "" || x.part == y.part) {
				return true
			}
		}
	}
	return false
}

// planOverlap cuts files in stages (see overlap) from their headers and
// sizes, or returns nil when there is nothing to overlap or a header cannot
// be read (the first pass reports that).
func planOverlap(files []string, opt Options) *overlap {
	if len(files) < 2 {
		return nil
	}
	parts := make([][]tablePart, len(files))
	order := make([]int, len(files))
	size := make([]int64, len(files))
	for i, p := range files {
		f, n, err := headerFormat(p, opt.Source)
		if err != nil {
			return nil
		}
		parts[i], order[i], size[i] = partsOf(f), f.Order, n
	}
	orders := map[int]bool{}
	for _, o := range order {
		orders[o] = true
	}
	var cuts []int
	for o := range orders {
		cuts = append(cuts, o)
	}
	sort.Ints(cuts)
	// closure: the files of Order ≤ c, and every file that shares a
	// part of a table with one of them, until none is added.
	closure := func(c int) []bool {
		in := make([]bool, len(files))
		var queue []int
		for i := range files {
			if order[i] <= c {
				in[i] = true
				queue = append(queue, i)
			}
		}
		for len(queue) > 0 {
			i := queue[0]
			queue = queue[1:]
			for j := range files {
				if !in[j] && shares(parts[i], parts[j]) {
					in[j] = true
					queue = append(queue, j)
				}
			}
		}
		return in
	}
	o := &overlap{todo: files, size: size, order: order, stage: make([]int, len(files))}
	for i := range o.stage {
		o.stage[i] = -1
	}
	for _, c := range cuts {
		in := closure(c)
		s, added := len(o.cuts), false
		for i := range files {
			if in[i] && o.stage[i] < 0 {
				o.stage[i], added = s, true
			}
		}
		if added {
			o.cuts = append(o.cuts, c)
		} else if s > 0 {
			o.cuts[s-1] = c // nothing new to validate: those files load with the previous stage
		}
	}
	if len(o.cuts) < 2 {
		return nil
	}
	return o
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

// start validates the files, stage by stage: stage 0 with one worker per
// CPU, the next ones on one core (the database, which loads the first
// files meanwhile, needs the other one) unless the loader waits for them
// (wait: at 4× the demo, the twelve establishment × formation files of one
// stage kept the loader waiting 1 s). done[s] is closed once stages
// 0…s are validated, allDone once every file is.
func (o *overlap) start(opt Options) {
	o.out = make([]FileReport, len(o.todo))
	o.errs = make([]error, len(o.todo))
	o.allDone, o.stop = make(chan struct{}), make(chan struct{})
	o.done = make([]chan struct{}, len(o.cuts))
	stages := make([]sync.WaitGroup, len(o.cuts))
	workers := runtime.GOMAXPROCS(0)
	if opt.Progress != nil {
		workers = 1 // one progress bar at a time
	}
	// By stage; the largest first within a stage, so that the workers
	// finish together (one worker alone on the largest file last kept a
	// core idle).
	var all sync.WaitGroup
	queue := make([]int, len(o.todo))
	for i := range queue {
		queue[i] = i
		all.Add(1)
		stages[o.stage[i]].Add(1)
	}
	sort.SliceStable(queue, func(a, b int) bool {
		i, j := queue[a], queue[b]
		if o.stage[i] != o.stage[j] {
			return o.stage[i] < o.stage[j]
		}
		return o.size[i] > o.size[j]
	})
	lateSem := make(chan struct{}, 1)
	o.boost = make(chan struct{}, max(workers-1, 1))
	next := make(chan int)
	go func() {
		defer close(next)
		for k, i := range queue {
			select {
			case next <- i:
			case <-o.stop:
				for _, j := range queue[k:] { // never read: done all the same
					stages[o.stage[j]].Done()
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
				late := o.stage[i] > 0
				boosted := false
				if late {
					popt.Progress = nil // the load draws its own
					select {
					case lateSem <- struct{}{}:
					case <-o.boost: // the loader waits: the core is free
						boosted = true
					}
				}
				fr, err := parseFileMode(o.todo[i], popt, true)
				if late && !boosted {
					<-lateSem
				}
				if err != nil {
					o.errs[i] = err
				} else {
					o.out[i] = *fr
				}
				stages[o.stage[i]].Done()
				all.Done()
			}
		}()
	}
	for s := range o.done {
		o.done[s] = make(chan struct{})
		go func() {
			for k := 0; k <= s; k++ {
				stages[k].Wait()
			}
			close(o.done[s])
		}()
	}
	go func() {
		all.Wait()
		close(o.allDone)
	}()
}

// wait waits until stage s is validated; meanwhile nothing loads, and the
// validation of later stages may use every core.
func (o *overlap) wait(s int) {
	select {
	case <-o.done[s]:
		return
	default:
	}
	for k := 0; k < cap(o.boost); k++ {
		select {
		case o.boost <- struct{}{}:
		default:
		}
	}
	<-o.done[s]
	for {
		select {
		case <-o.boost:
		default:
			return
		}
	}
}

// close stops handing files to the workers (a run that ends early).
func (o *overlap) close() {
	o.stopOnce.Do(func() { close(o.stop) })
}

// stages is the number of stages.
func (o *overlap) stages() int { return len(o.cuts) }

// files returns copies of the parsed reports of the files of stages 0…s
// (s < 0: every file), as given; err is the first error in the order given
// among them. Wait for done[s] (allDone) first.
func (o *overlap) files(s int) ([]FileReport, error) {
	var out []FileReport
	for i := range o.todo {
		if s >= 0 && o.stage[i] > s {
			continue
		}
		if o.errs[i] != nil {
			return nil, o.errs[i]
		}
		out = append(out, o.out[i])
	}
	return out, nil
}

// stageFiles returns copies of the reports of the files of stage s, as
// given (done[s] closed, without errors).
func (o *overlap) stageFiles(s int) []FileReport {
	var out []FileReport
	for i := range o.todo {
		if o.stage[i] == s {
			out = append(out, o.out[i])
		}
	}
	return out
}

// loadsBy is how many of the sorted files have an Order ≤ the cut of
// stage s: they load once it is validated.
func (o *overlap) loadsBy(s int, sorted []FileReport) int {
	n := 0
	for n < len(sorted) && sorted[n].parsed.format.Order <= o.cuts[s] {
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
// when a later stage refuses the run (see overlap).
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
