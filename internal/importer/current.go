package importer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"
)

// The no-op short-circuit: a file already loaded whose rows are still the
// current ones is not read again (« déjà importé, inchangé »).
//
// A file F (sha256 S) of a run is current when L, the last import_files
// row with sha256 S, satisfies all of:
//
//  1. no file of a later run than L's changed (inserted, updated or deleted
//     rows in) any table of L's format (import_files.changed_tables);
//  2. every file that replaced rows of L in L's own run (a newer file
//     holding one of its keys, a real file deleting its demonstration rows:
//     import_files.replaced_by, recorded since migration 00008) is itself
//     current and skipped in this run: what replaced L's rows is still there;
//  3. no file of this run that is read shares a table with F (its rows
//     could meet F's keys, and supersede and the demonstration replacement
//     depend on the order of the files of one run);
//  4. F is read as L was: same demonstration flag, same format when
//     --source forces one, and L had no reject unless --skip-invalid is
//     given again (the rejects would refuse the run).
//
// Then reading F again would change no row: F's rows are in its tables as
// L's run left them, and every row of F that run did not keep is held by a
// file that is itself unchanged (rows of a demonstration file that keepReal
// dropped because real figures held their scope would be dropped again:
// those real rows are unchanged, by 1). Condition 1 is table-wide, hence
// conservative: a later change of another millésime of the same table
// makes F read again (it then loads nothing and its new row qualifies next
// time). Files imported before migration 00008 have no replaced_by: they
// are read once more. --force reads every file.

// candidate is a file that may be skipped.
type candidate struct {
	path      string
	sha       string
	synthetic bool
}

func hashFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("%s: lecture impossible: %w", path, err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("%s: lecture impossible: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func candidates(files []string, opt Options) ([]candidate, error) {
	out := make([]candidate, len(files))
	for i, p := range files {
		sha, err := hashFile(p)
		if err != nil {
			return nil, err
		}
		out[i] = candidate{path: p, sha: sha, synthetic: opt.Synthetic || isSyntheticPath(p)}
	}
	return out, nil
}

// querier is a pool or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// formatTables returns the tables a format loads into.
func formatTables(kind string) []string {
	f, ok := FormatByKind(kind)
	if !ok {
		return nil
	}
	out := make([]string, len(f.Targets))
	for i, t := range f.Targets {
		out[i] = t.Table
	}
	return out
}

// currentFiles returns, by path, the report of each candidate that meets
// conditions 1 and 4 above (2 and 3 are settled by settle).
func currentFiles(ctx context.Context, q querier, cands []candidate, opt Options) (map[string]*FileReport, error) {
	out := map[string]*FileReport{}
	if len(cands) == 0 {
		return out, nil
	}
	shas := make([]string, len(cands))
	for i, c := range cands {
		shas[i] = c.sha
	}
	type last struct {
		id, run       int64
		name, format  string
		synthetic     bool
		replacedBy    []string // nil: not recorded
		read, rejects int
		mills         []string
	}
	rows, err := q.Query(ctx, `SELECT DISTINCT ON (sha256) sha256, id, run_id, name, format, synthetic, replaced_by, rows_read, rejected, millesimes
		FROM import_files WHERE sha256 = ANY($1) ORDER BY sha256, id DESC`, shas)
	if err != nil {
		return nil, fmt.Errorf("fichiers déjà importés : %w", err)
	}
	byHash := map[string]last{}
	minRun := int64(-1)
	for rows.Next() {
		var s string
		var l last
		if err := rows.Scan(&s, &l.id, &l.run, &l.name, &l.format, &l.synthetic, &l.replacedBy, &l.read, &l.rejects, &l.mills); err != nil {
			rows.Close()
			return nil, err
		}
		byHash[s] = l
		if minRun < 0 || l.run < minRun {
			minRun = l.run
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("fichiers déjà importés : %w", err)
	}
	if len(byHash) == 0 {
		return out, nil
	}
	// The tables changed by each run after the oldest candidate's.
	type change struct {
		run    int64
		tables []string
	}
	var changes []change
	rows, err = q.Query(ctx, `SELECT run_id, changed_tables FROM import_files WHERE run_id > $1 AND changed_tables <> '{}'`, minRun)
	if err != nil {
		return nil, fmt.Errorf("fichiers déjà importés : %w", err)
	}
	for rows.Next() {
		var c change
		if err := rows.Scan(&c.run, &c.tables); err != nil {
			rows.Close()
			return nil, err
		}
		changes = append(changes, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("fichiers déjà importés : %w", err)
	}
	for _, c := range cands {
		l, ok := byHash[c.sha]
		if !ok || l.replacedBy == nil || l.synthetic != c.synthetic {
			continue
		}
		if l.rejects > 0 && !opt.SkipInvalid || opt.Source != "" && opt.Source != l.format {
			continue
		}
		tables := formatTables(l.format)
		if tables == nil {
			continue
		}
		touched := false
		for _, ch := range changes {
			if ch.run > l.run && overlaps(ch.tables, tables) {
				touched = true
				break
			}
		}
		if touched {
			continue
		}
		out[c.path] = &FileReport{Path: c.path, Name: sourceName(c.path), SHA256: c.sha, Format: l.format,
			Millesimes: l.mills, Synthetic: c.synthetic, Skipped: true, SameAs: l.id, needs: l.replacedBy}
	}
	return out, nil
}

func overlaps(a, b []string) bool {
	for _, x := range a {
		for _, y := range b {
			if x == y {
				return true
			}
		}
	}
	return false
}

// sourceName is the name a file is reported under (without .gz), as
// openSource names it.
func sourceName(path string) string {
	n := filepath.Base(path)
	if strings.HasSuffix(strings.ToLower(n), ".gz") {
		n = n[:len(n)-3]
	}
	return n
}

// settle moves out of skip the files that fail conditions 2 or 3 above and
// parses the files that must be read (every file not in skip and not
// parsed yet), until nothing moves. parsed is extended.
func settle(files []string, skip map[string]*FileReport, parsed *[]FileReport, opt Options) error {
	done := map[string]bool{}
	for _, f := range *parsed {
		done[f.Path] = true
	}
	for {
		unskipped := true
		for unskipped { // condition 2
			unskipped = false
			have := map[string]bool{}
			for _, s := range skip {
				have[s.SHA256] = true
			}
			for p, s := range skip {
				for _, n := range s.needs {
					if !have[n] {
						delete(skip, p)
						unskipped = true
						break
					}
				}
			}
		}
		var todo []string
		for _, p := range files {
			if skip[p] == nil && !done[p] {
				todo = append(todo, p)
			}
		}
		if len(todo) == 0 {
			return nil
		}
		more, err := parseAll(todo, opt)
		if err != nil {
			return err
		}
		for _, p := range todo {
			done[p] = true
		}
		*parsed = append(*parsed, more...)
		read := map[string]bool{}
		for _, f := range *parsed {
			for _, t := range f.parsed.format.Targets {
				read[t.Table] = true
			}
		}
		for p, s := range skip { // condition 3
			for _, t := range formatTables(s.Format) {
				if read[t] {
					delete(skip, p)
					break
				}
			}
		}
	}
}

// skippedReports lists the skipped files by name.
func skippedReports(skip map[string]*FileReport) []FileReport {
	out := make([]FileReport, 0, len(skip))
	for _, s := range skip {
		out = append(out, *s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}
