package importer

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// parsed holds the validated rows of one file, per target.
type parsed struct {
	format *Format
	rows   map[*Target][][]any
}

// FormatByKind returns a registered format.
func FormatByKind(kind string) (*Format, bool) {
	for _, f := range registry {
		if f.Kind == kind {
			return f, true
		}
	}
	return nil, false
}

// Formats lists the registered formats.
func Formats() []*Format { return append([]*Format(nil), registry...) }

func parseFile(path string, opt Options) (*FileReport, error) {
	t0 := time.Now()
	src, err := openSource(path)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	f, h, recs, err := openTable(src, opt.Source)
	if err != nil {
		return nil, err
	}
	fn, err := f.Bind(h, strings.ToLower(src.Name))
	if err != nil {
		return nil, fmt.Errorf("%s : format %s : %v", path, f.Kind, err)
	}
	fr := &FileReport{Path: path, Name: src.Name, Format: f.Kind, Synthetic: opt.Synthetic || isSyntheticPath(path)}
	p := &parsed{format: f, rows: map[*Target][][]any{}}
	seen := map[*Target]map[string]int{}
	for _, t := range f.Targets {
		seen[t] = map[string]int{}
	}
	mills := map[string]bool{}
	keyIdx := map[*Target][]int{}
	for _, t := range f.Targets {
		for _, k := range t.Key {
			for i, c := range t.Cols {
				if c == k {
					keyIdx[t] = append(keyIdx[t], i)
				}
			}
		}
	}
	_, isJSON := recs.(*jsonRecords)
	asOfCol := h.col("DATE_INTERVENTION") // BCN: last change of the row
	var kb []byte
	lastPct := -1
	for {
		rec, line, err := recs.Next()
		if err == io.EOF {
			break
		}
		var re *rowError
		if err != nil && !errors.As(err, &re) {
			return nil, err // the file cannot be read on: refused whole
		}
		r := &row{file: src.Name, line: line, rec: rec, h: h}
		if err != nil {
			// A broken quote: the reader cannot resynchronise, the rest
			// of the file is refused with this one error.
			r.rejectCol("-", "", err.Error())
			fr.Rejects = append(fr.Rejects, r.rejects...)
			fr.Rejected++
			fr.Read++
			break
		}
		fr.Read++
		if i := crField(rec); i >= 0 && !isJSON {
			r.reject(i, "retour chariot (CR) seul dans la ligne : "+errCROnly)
		} else if len(rec) != len(h.raw) {
			r.rejectCol("-", trunc(strings.Join(rec, ";"), 60),
				fmt.Sprintf("%d colonnes au lieu de %d", len(rec), len(h.raw)))
		} else if i := longField(rec); i >= 0 {
			r.reject(i, fmt.Sprintf("champ trop long (%d octets, %d au plus)", len(rec[i]), maxField))
		} else {
			fn(r)
		}
		kept := r.out[:0]
		var added []string // keys this row marked as seen, parallel to kept
		if !r.bad() {
			for _, e := range r.out {
				kb = kb[:0]
				for _, i := range keyIdx[e.t] {
					kb = appendKey(kb, e.vals[i])
				}
				k := string(kb)
				if prev, dup := seen[e.t][k]; dup {
					if e.t.DupOK {
						continue // first row wins
					}
					r.rejectCol(strings.Join(e.t.Key, "+"), strings.TrimSuffix(strings.ReplaceAll(k, "\x00", "|"), "|"),
						fmt.Sprintf("clé en double (déjà vue ligne %d)", prev))
					break
				}
				seen[e.t][k] = line
				added = append(added, k)
				kept = append(kept, e)
			}
		}
		if r.bad() {
			// A rejected row must not make a later row a duplicate.
			for i, k := range added {
				delete(seen[kept[i].t], k)
			}
			fr.Rejects = append(fr.Rejects, r.rejects...)
			fr.Rejected++
			continue
		}
		if !emitsTo(kept, f.Targets[0]) {
			fr.Ignored++ // nothing for the primary target
		}
		if asOfCol >= 0 {
			if d := dateKey(rec[asOfCol]); d > fr.asOf {
				fr.asOf = d
			}
		}
		for _, e := range kept {
			p.rows[e.t] = append(p.rows[e.t], e.vals)
		}
		for _, m := range r.mill {
			mills[m] = true
		}
		if opt.Progress != nil {
			pct := min(100, int(100*src.Progress()))
			if pct != lastPct && pct%2 == 0 {
				lastPct = pct
				bar := strings.Repeat("█", pct/4) + strings.Repeat("░", 25-pct/4)
				fmt.Fprintf(opt.Progress, "\r%s %3d%% %-40s", bar, pct, trunc(src.Name, 40))
			}
		}
	}
	if fr.Read == 0 {
		return nil, fmt.Errorf("%s : aucune ligne de données après l'en-tête", path)
	}
	if fr.SHA256, err = src.SHA256(); err != nil {
		return nil, err
	}
	fr.Encoding = src.Encoding()
	// Drop the secondary-target rows of rejected lines: already done above
	// (rows are only appended for accepted lines).
	for m := range mills {
		fr.Millesimes = append(fr.Millesimes, m)
	}
	sort.Strings(fr.Millesimes)
	if fr.Millesimes == nil {
		fr.Millesimes = []string{}
	}
	fr.parsed = p
	fr.Seconds = time.Since(t0).Seconds()
	return fr, nil
}

// appendKey appends one key value and a separator.
func appendKey(b []byte, v any) []byte {
	switch x := v.(type) {
	case string:
		b = append(b, x...)
	case nil:
	case int32:
		b = strconv.AppendInt(b, int64(x), 10)
	default:
		b = fmt.Append(b, x)
	}
	return append(b, 0)
}

// maxField bounds one field (the longest real one is a 291-byte BCN
// comment): a longer field is a broken file, not data.
const maxField = 4096

// longField returns the index of the first field longer than maxField, or -1.
func longField(rec []string) int {
	for i, s := range rec {
		if len(s) > maxField {
			return i
		}
	}
	return -1
}

// crField returns the index of the first field that holds a CR, or -1: the
// readers drop the CR of CRLF, so one left is a line ending of its own
// (old Mac files) that glued two lines together.
func crField(rec []string) int {
	for i, s := range rec {
		if strings.IndexByte(s, '\r') >= 0 {
			return i
		}
	}
	return -1
}

// dateKey turns JJ/MM/AAAA into AAAAMMJJ (comparable), "" when s is not such a date.
func dateKey(s string) string {
	s = strings.TrimSpace(s)
	if len(s) != 10 || s[2] != '/' || s[5] != '/' || !isDigits(s[:2]) || !isDigits(s[3:5]) || !isDigits(s[6:]) {
		return ""
	}
	return s[6:] + s[3:5] + s[:2]
}

// emitsTo reports whether one of es goes to t.
func emitsTo(es []emitted, t *Target) bool {
	for _, e := range es {
		if e.t == t {
			return true
		}
	}
	return false
}

// isSyntheticPath tells demonstration files by name: "synthetic" in the file
// name or a parent folder named "synthetic" (testdata/demo/synthetic).
func isSyntheticPath(path string) bool {
	if strings.Contains(strings.ToLower(filepath.Base(path)), "synthetic") {
		return true
	}
	return strings.EqualFold(filepath.Base(filepath.Dir(path)), "synthetic")
}
