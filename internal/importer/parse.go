package importer

import (
	"errors"
	"fmt"
	"hash"
	"hash/fnv"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// parsed holds the validated rows of one file, per target. A first pass
// over the files of a run keeps only the hashes of the rows' keys (keys),
// not the rows: the rows of one file at a time are read again when it is
// loaded (streaming, bounded memory).
type parsed struct {
	format *Format
	rows   map[*Target][][]any
	keys   map[*Target][]keyHash // keys-only pass
	// superseded: the keys of this file a newer file of the run holds
	// (see supersede), per target.
	superseded map[*Target]map[keyHash]bool
	// spill: the file where the keys-only pass wrote the rows (spill.go);
	// nil: the rows must be read again from the source.
	spill *os.File
}

// keyHash is a 128-bit FNV-1a hash of a row's key (see appendKey).
type keyHash [16]byte

func hashKey(h hash.Hash, kb []byte) keyHash {
	h.Reset()
	h.Write(kb)
	var k keyHash
	h.Sum(k[:0])
	return k
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

// fileParser is the state of one file's parse: its rows per target, the
// keys seen (duplicates), the millésimes met.
type fileParser struct {
	opt      Options
	src      *source
	h        header
	bind     func(*row)
	isJSON   bool
	asOfCol  int // BCN DATE_INTERVENTION: last change of the row (-1: none)
	fr       *FileReport
	p        *parsed
	seen     map[*Target]map[string]int // key → line
	keyIdx   map[*Target][]int
	mills    map[string]bool
	kb       []byte
	lastPct  int
	keysOnly bool      // keep the key hashes of the rows, not the rows
	hasher   hash.Hash // for keysOnly
	spill    *spillWriter
}

func parseFile(path string, opt Options) (*FileReport, error) {
	return parseFileMode(path, opt, false)
}

// parseFileMode parses a file, keeping its rows or, keysOnly, the hashes of
// their keys.
func parseFileMode(path string, opt Options, keysOnly bool) (*FileReport, error) {
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
	fp := newFileParser(path, opt, src, f, h, fn)
	_, fp.isJSON = recs.(*jsonRecords)
	if keysOnly {
		fp.keysOnly, fp.hasher, fp.p.keys = true, fnv.New128a(), map[*Target][]keyHash{}
		if opt.spill != nil {
			fp.spill = newSpillWriter(opt.spill, f.Targets)
			defer fp.spill.close() // a file refused midway
		}
	}
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
		fp.fr.Read++
		if err != nil {
			// A broken quote: the reader cannot resynchronise, the rest
			// of the file is refused with this one error.
			r.rejectCol("-", "", err.Error())
			fp.fr.Rejects = append(fp.fr.Rejects, r.rejects...)
			fp.fr.Rejected++
			break
		}
		fp.validate(r)
		fp.keep(r, fp.dedupe(r))
		fp.progress()
	}
	if fp.spill != nil {
		fp.p.spill = fp.spill.close()
	}
	return fp.finish(path, t0)
}

func newFileParser(path string, opt Options, src *source, f *Format, h header, fn func(*row)) *fileParser {
	fp := &fileParser{opt: opt, src: src, h: h, bind: fn, asOfCol: h.col("DATE_INTERVENTION"), lastPct: -1,
		fr:   &FileReport{Path: path, Name: src.Name, Format: f.Kind, Synthetic: opt.Synthetic || isSyntheticPath(path)},
		p:    &parsed{format: f, rows: map[*Target][][]any{}},
		seen: map[*Target]map[string]int{}, keyIdx: map[*Target][]int{}, mills: map[string]bool{}}
	for _, t := range f.Targets {
		fp.seen[t] = map[string]int{}
		for _, k := range t.Key {
			for i, c := range t.Cols {
				if c == k {
					fp.keyIdx[t] = append(fp.keyIdx[t], i)
				}
			}
		}
	}
	return fp
}

// validate checks the shape of a record, then reads it with the format's
// binding (which validates each value).
func (fp *fileParser) validate(r *row) {
	rec := r.rec
	if i := crField(rec); i >= 0 && !fp.isJSON {
		r.reject(i, "retour chariot (CR) seul dans la ligne : "+errCROnly)
	} else if len(rec) != len(fp.h.raw) {
		r.rejectCol("-", trunc(strings.Join(rec, ";"), 60),
			fmt.Sprintf("%d colonnes au lieu de %d", len(rec), len(fp.h.raw)))
	} else if i := longField(rec, fp.maxField()); i >= 0 {
		r.reject(i, fmt.Sprintf("champ trop long (%d octets, %d au plus)", len(rec[i]), fp.maxField()))
	} else {
		fp.bind(r)
	}
}

// dedupe keeps the emitted rows whose key was not seen yet (a target
// marked DupOK keeps the first row; otherwise a duplicate rejects the
// line). The keys of a rejected line are forgotten again, so it makes no
// later row a duplicate.
func (fp *fileParser) dedupe(r *row) []emitted {
	kept := r.out[:0]
	if r.bad() {
		return kept
	}
	var added []string // keys this row marked as seen, parallel to kept
	for _, e := range r.out {
		if pi := e.t.part(); pi >= 0 && fp.p.format.Parts != nil {
			if v, _ := e.vals[pi].(string); !slices.Contains(fp.p.format.Parts, v) {
				r.rejectCol(e.t.Part, v, fmt.Sprintf("valeur de %s que le format %s ne déclare pas (%s)", e.t.Part, fp.p.format.Kind, strings.Join(fp.p.format.Parts, ", ")))
				break
			}
		}
		fp.kb = fp.kb[:0]
		for _, i := range fp.keyIdx[e.t] {
			fp.kb = appendKey(fp.kb, e.vals[i])
		}
		k := string(fp.kb)
		if prev, dup := fp.seen[e.t][k]; dup {
			if e.t.DupOK {
				continue // first row wins
			}
			r.rejectCol(strings.Join(e.t.Key, "+"), strings.TrimSuffix(strings.ReplaceAll(k, "\x00", "|"), "|"),
				fmt.Sprintf("clé en double (déjà vue ligne %d)", prev))
			break
		}
		fp.seen[e.t][k] = r.line
		added = append(added, k)
		kept = append(kept, e)
	}
	if r.bad() {
		for i, k := range added {
			delete(fp.seen[kept[i].t], k)
		}
	}
	return kept
}

// keep records the outcome of a line: its rejects, or its rows and
// millésimes.
func (fp *fileParser) keep(r *row, kept []emitted) {
	fr := fp.fr
	if r.bad() {
		fr.Rejects = append(fr.Rejects, r.rejects...)
		fr.Rejected++
		return
	}
	if !emitsTo(kept, fp.p.format.Targets[0]) {
		fr.Ignored++ // nothing for the primary target
	}
	if fp.asOfCol >= 0 {
		if d := dateKey(r.rec[fp.asOfCol]); d > fr.asOf {
			fr.asOf = d
		}
	}
	for _, e := range kept {
		if fp.keysOnly {
			fp.kb = fp.kb[:0]
			for _, i := range fp.keyIdx[e.t] {
				fp.kb = appendKey(fp.kb, e.vals[i])
			}
			fp.p.keys[e.t] = append(fp.p.keys[e.t], hashKey(fp.hasher, fp.kb))
			if fp.spill != nil {
				fp.spill.row(e.t, e.vals)
			}
			continue
		}
		fp.p.rows[e.t] = append(fp.p.rows[e.t], e.vals)
	}
	for _, m := range r.mill {
		fp.mills[m] = true
	}
}

// progress redraws the progress bar every 2 %.
func (fp *fileParser) progress() {
	if fp.opt.Progress == nil {
		return
	}
	pct := min(100, int(100*fp.src.Progress()))
	if pct != fp.lastPct && pct%2 == 0 {
		fp.lastPct = pct
		bar := strings.Repeat("█", pct/4) + strings.Repeat("░", 25-pct/4)
		fmt.Fprintf(fp.opt.Progress, "\r%s %3d%% %-40s", bar, pct, trunc(fp.src.Name, 40))
	}
}

// finish completes the report: checksum, encoding, millésimes, duration.
func (fp *fileParser) finish(path string, t0 time.Time) (*FileReport, error) {
	fr := fp.fr
	if fr.Read == 0 {
		return nil, fmt.Errorf("%s : aucune ligne de données après l'en-tête", path)
	}
	var err error
	if fr.SHA256, err = fp.src.SHA256(); err != nil {
		return nil, err
	}
	fr.Encoding = fp.src.Encoding()
	fr.Millesimes = []string{}
	for m := range fp.mills {
		fr.Millesimes = append(fr.Millesimes, m)
	}
	sort.Strings(fr.Millesimes)
	fr.parsed = fp.p
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

// maxField is the format's bound on one field, maxField unless it
// declares a larger one.
func (fp *fileParser) maxField() int {
	if m := fp.p.format.MaxField; m > maxField {
		return m
	}
	return maxField
}

// longField returns the index of the first field longer than maxField, or -1.
func longField(rec []string, max int) int {
	for i, s := range rec {
		if len(s) > max {
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

// Detect reads a whole file as an import reads it (gzip, encoding, line
// bounds) and returns the format its header is detected as and its
// encoding, without parsing its rows: what `vitrine sync` checks of a
// download before importing it. A cut gzip stream, a text that is neither
// UTF-8 nor Windows-1252, or a header no format recognises is an error
// (in French, naming the file).
func Detect(path string) (kind, encoding string, err error) {
	src, err := openSource(path)
	if err != nil {
		return "", "", err
	}
	defer src.Close()
	f, _, _, err := openTable(src, "")
	if err != nil {
		return "", "", err
	}
	if _, err := io.Copy(io.Discard, src.r); err != nil {
		return "", "", err
	}
	return f.Kind, src.Encoding(), nil
}
