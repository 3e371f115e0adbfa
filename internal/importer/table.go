package importer

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// header is the first line of a table, raw and normalised for matching.
type header struct {
	raw  []string
	norm []string // trimmed, lower-case, accents folded
	idx  map[string]int
}

func newHeader(raw []string) header {
	h := header{raw: raw, norm: make([]string, len(raw)), idx: map[string]int{}}
	for i, s := range raw {
		n := normName(s)
		h.norm[i] = n
		if _, dup := h.idx[n]; !dup && n != "" {
			h.idx[n] = i
		}
	}
	return h
}

func normName(s string) string {
	s = strings.TrimPrefix(s, "\ufeff")
	s = strings.Trim(strings.TrimSpace(s), `"`)
	return strings.Join(strings.Fields(model.Fold(s)), " ")
}

// has reports whether every name is a column.
func (h header) has(names ...string) bool {
	for _, n := range names {
		if _, ok := h.idx[normName(n)]; !ok {
			return false
		}
	}
	return true
}

// col returns the index of a column, or -1.
func (h header) col(name string) int {
	if i, ok := h.idx[normName(name)]; ok {
		return i
	}
	return -1
}

// cols resolves required columns by name; the error lists every missing one.
func (h header) cols(names ...string) ([]int, error) {
	out := make([]int, len(names))
	var missing []string
	for i, n := range names {
		out[i] = h.col(n)
		if out[i] < 0 {
			missing = append(missing, strconv.Quote(n))
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("colonne(s) manquante(s) : %s", strings.Join(missing, ", "))
	}
	return out, nil
}

// records iterates over the data rows of a table.
type records interface {
	// Next returns the next record and its 1-based line number, or io.EOF.
	// A *rowError is a broken record after which the reader cannot
	// resynchronise (a broken quote): the rest of the file is refused as
	// one rejected row. Any other error refuses the whole file.
	Next() ([]string, int, error)
}

// rowError is a record that cannot be read (see records.Next).
type rowError struct{ msg string }

func (e *rowError) Error() string { return e.msg }

// openTable detects the format of a source (forced by force when not
// empty) from its first line or its first JSON record and its name, and
// returns its header and records. The errors name the file.
func openTable(src *source, force string) (*Format, header, records, error) {
	var forced *Format
	if force != "" {
		f, ok := FormatByKind(force)
		if !ok {
			kinds := make([]string, len(registry))
			for i, f := range registry {
				kinds[i] = f.Kind
			}
			return nil, header{}, nil, fmt.Errorf("%s : --source %q inconnu ; formats connus : %s", src.Path, force, strings.Join(kinds, ", "))
		}
		forced = f
	}
	name := strings.ToLower(src.Name)
	c, err := firstNonSpace(src.r)
	if err == io.EOF {
		return nil, header{}, nil, fmt.Errorf("%s: fichier vide", src.Path)
	}
	if err != nil {
		return nil, header{}, nil, err
	}
	if c == '[' || c == '{' {
		src.dec.maxLine = 0 // a JSON document may be one line: bounded per record
		h, jr, err := openJSON(src)
		if err != nil {
			return nil, header{}, nil, err
		}
		f := forced
		if f == nil {
			if f, err = match(h, name, strings.Join(h.raw, ", ")); err != nil {
				return nil, header{}, nil, fmt.Errorf("%s : %v", src.Path, err)
			}
		}
		return f, h, jr, nil
	}
	var acc []byte
	first, err := readLine(src.r, &acc)
	if err != nil && err != io.EOF {
		return nil, header{}, nil, err
	}
	first = append([]byte(nil), first...)
	line := strings.TrimSuffix(strings.TrimSuffix(string(first), "\n"), "\r")
	if strings.IndexByte(line, '\r') >= 0 {
		return nil, header{}, nil, fmt.Errorf("%s:1: %s", src.Path, errCROnly)
	}
	f := forced
	if f == nil {
		if f, err = match(newHeader(strings.Split(line, ";")), name, line); err != nil {
			return nil, header{}, nil, fmt.Errorf("%s : %v", src.Path, err)
		}
	}
	if f.Plain {
		return f, newHeader(strings.Split(line, ";")), &plainRecords{r: src.r, line: 1}, nil
	}
	b := newBudget(src.r, maxRecord)
	r := csv.NewReader(io.MultiReader(bytes.NewReader(first), b))
	r.Comma = ';'
	r.FieldsPerRecord = -1
	r.ReuseRecord = false
	rec, err := r.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) || err == io.EOF {
			return nil, header{}, nil, fmt.Errorf("%s : ligne 1 : en-tête illisible : %v", src.Path, csvErr(err))
		}
		return nil, header{}, nil, err
	}
	return f, newHeader(rec), &csvRecords{r: r, budget: b, path: src.Path, lastLine: 1}, nil
}

// match finds the format of a header (first is the header as shown in the
// error).
func match(h header, name, first string) (*Format, error) {
	for _, f := range registry {
		if f.Match(h, name) {
			return f, nil
		}
	}
	hint := ""
	if m := mojibake(first); m != "" {
		hint = fmt.Sprintf(" ; l'en-tête semble mal décodé (%q) : le fichier a sans doute été converti deux fois, réenregistrez-le en UTF-8 depuis l'original", m)
	}
	return nil, fmt.Errorf("format non reconnu : l'en-tête %q ne correspond à aucune source connue%s (voir README, « Importing real files », ou forcez avec --source)", trunc(first, 120), hint)
}

// firstNonSpace returns the first byte that is not blank, without consuming
// anything (io.EOF when the file holds nothing else). A file whose first
// 64 KiB are blank is not JSON: 0 is returned.
func firstNonSpace(r *bufio.Reader) (byte, error) {
	for n := 64; ; n *= 4 {
		n = min(n, r.Size())
		b, err := r.Peek(n)
		for _, c := range b {
			if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
				return c, nil
			}
		}
		if err != nil {
			return 0, err
		}
		if n == r.Size() {
			return 0, nil
		}
	}
}

// readLine returns the next line with its '\n' (without one at the end of
// the file). The decoder bounds its length; the result is valid until the
// next read.
func readLine(r *bufio.Reader, acc *[]byte) ([]byte, error) {
	line, err := r.ReadSlice('\n')
	if err != bufio.ErrBufferFull {
		return line, err
	}
	b := append((*acc)[:0], line...)
	for err == bufio.ErrBufferFull {
		line, err = r.ReadSlice('\n')
		b = append(b, line...)
	}
	*acc = b
	return b, err
}

type csvRecords struct {
	r        *csv.Reader
	budget   *budgetReader
	path     string
	lastLine int // last line of the last record read
}

func (c *csvRecords) Next() ([]string, int, error) {
	c.budget.reset()
	rec, err := c.r.Read()
	if err != nil {
		// FieldPos would panic here when the error is in the first field.
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, pe.StartLine, &rowError{csvErr(err)}
		}
		if errors.Is(err, errRecordTooLong) {
			return nil, c.lastLine + 1, fmt.Errorf("%s:%d: enregistrement de plus de %d Mio (un guillemet ouvert n'est jamais fermé ?) : fichier corrompu",
				c.path, c.lastLine+1, maxRecord>>20)
		}
		return nil, c.lastLine + 1, err
	}
	line, _ := c.r.FieldPos(0)
	c.lastLine, _ = c.r.FieldPos(len(rec) - 1)
	return rec, line, nil
}

func csvErr(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		switch {
		case errors.Is(pe.Err, csv.ErrQuote):
			return "guillemet mal fermé (ligne tronquée ?)"
		case errors.Is(pe.Err, csv.ErrBareQuote):
			return "guillemet isolé dans un champ non protégé"
		}
		return pe.Err.Error()
	}
	return err.Error()
}

// plainRecords splits lines on ';' with no quoting (the BCN, annuaire and
// ACCE exports: their text fields may contain '"' literally).
type plainRecords struct {
	r    *bufio.Reader
	acc  []byte
	line int
}

func (p *plainRecords) Next() ([]string, int, error) {
	for {
		l, err := readLine(p.r, &p.acc)
		if err != nil && err != io.EOF {
			return nil, p.line + 1, err
		}
		if len(l) == 0 && err == io.EOF {
			return nil, p.line, io.EOF
		}
		p.line++
		l = bytes.TrimSuffix(bytes.TrimSuffix(l, []byte("\n")), []byte("\r"))
		if len(l) == 0 {
			continue
		}
		return strings.Split(string(l), ";"), p.line, nil
	}
}

// jsonRecords streams a JSON array of flat objects (or the array under
// "results" of an object, as the ODS API answers). A record's line is its
// number (1-based).
type jsonRecords struct {
	dec     *json.Decoder
	budget  *budgetReader
	path    string
	wrapped bool // the array is the value of "results"
	keys    []string
	known   map[string]bool
	pending []string // the first record, read to make the header
	n       int
	done    bool
}

func openJSON(src *source) (header, *jsonRecords, error) {
	b := newBudget(src.r, maxRecord)
	dec := json.NewDecoder(b)
	dec.UseNumber()
	j := &jsonRecords{dec: dec, budget: b, path: src.Path}
	tok, err := dec.Token()
	if err != nil {
		return header{}, nil, j.err(err)
	}
	notArray := fmt.Errorf("%s : JSON : un tableau d'enregistrements est attendu", src.Path)
	switch tok {
	case json.Delim('['):
	case json.Delim('{'): // {"results": [...]}
		for {
			if !dec.More() {
				return header{}, nil, notArray
			}
			b.reset()
			k, err := dec.Token()
			if err != nil {
				return header{}, nil, j.err(err)
			}
			if k == "results" {
				if t, err := dec.Token(); err != nil {
					return header{}, nil, j.err(err)
				} else if t != json.Delim('[') {
					return header{}, nil, notArray
				}
				j.wrapped = true
				break
			}
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return header{}, nil, j.err(err)
			}
		}
	default:
		return header{}, nil, notArray
	}
	if !dec.More() {
		if _, err := dec.Token(); err != nil {
			return header{}, nil, j.err(err)
		}
		return header{}, nil, fmt.Errorf("%s : JSON : aucun enregistrement", src.Path)
	}
	first, err := j.object()
	if err != nil {
		return header{}, nil, err
	}
	j.keys = make([]string, 0, len(first))
	j.known = make(map[string]bool, len(first))
	for k := range first {
		j.keys = append(j.keys, k)
		j.known[k] = true
	}
	sort.Strings(j.keys)
	j.pending = j.row(first)
	return newHeader(j.keys), j, nil
}

// object decodes the next record.
func (j *jsonRecords) object() (map[string]any, error) {
	j.budget.reset()
	var v any
	if err := j.dec.Decode(&v); err != nil {
		return nil, j.err(err)
	}
	o, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s : JSON : enregistrement %d : un objet est attendu", j.path, j.n+1)
	}
	return o, nil
}

// row lays a record out in the columns of the first one. Unknown keys (a
// key renamed in one record, even when the record has as many keys as the
// first): the record is kept but its width differs so that the row check
// reports it, in a stable order.
func (j *jsonRecords) row(o map[string]any) []string {
	rec := make([]string, len(j.keys), len(j.keys)+len(o))
	for i, k := range j.keys {
		rec[i] = jsonScalar(o[k])
	}
	var unknown []string
	for k := range o {
		if !j.known[k] {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	return append(rec, unknown...)
}

func (j *jsonRecords) Next() ([]string, int, error) {
	if j.pending != nil {
		rec := j.pending
		j.pending = nil
		j.n++
		return rec, j.n, nil
	}
	if j.done {
		return nil, j.n + 1, io.EOF
	}
	if !j.dec.More() {
		if err := j.end(); err != nil {
			return nil, j.n + 1, err
		}
		j.done = true
		return nil, j.n + 1, io.EOF
	}
	o, err := j.object()
	if err != nil {
		return nil, j.n + 1, err
	}
	j.n++
	return j.row(o), j.n, nil
}

// end reads the end of the array (and of the object around it), then
// requires the end of the file: a second document would be lost silently.
func (j *jsonRecords) end() error {
	j.budget.reset()
	if _, err := j.dec.Token(); err != nil { // ']'
		return j.err(err)
	}
	if j.wrapped {
		for j.dec.More() {
			j.budget.reset()
			if _, err := j.dec.Token(); err != nil {
				return j.err(err)
			}
			var skip json.RawMessage
			if err := j.dec.Decode(&skip); err != nil {
				return j.err(err)
			}
		}
		if _, err := j.dec.Token(); err != nil { // '}'
			return j.err(err)
		}
	}
	if _, err := j.dec.Token(); err != io.EOF {
		if err != nil {
			return j.err(err)
		}
		return fmt.Errorf("%s : JSON invalide : des données suivent la fin du document", j.path)
	}
	return nil
}

// err says what a decoding error means; the errors of the layers below
// (encoding, gzip) already say it.
func (j *jsonRecords) err(err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.Is(err, errRecordTooLong):
		return fmt.Errorf("%s : JSON : enregistrement %d de plus de %d Mio : fichier corrompu", j.path, j.n+1, maxRecord>>20)
	case errors.As(err, &se), errors.As(err, &te), err == io.ErrUnexpectedEOF, err == io.EOF:
		return fmt.Errorf("%s : JSON invalide : %v", j.path, err)
	}
	return err
}

func jsonScalar(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = jsonScalar(e)
		}
		return strings.Join(parts, ",")
	}
	b, _ := json.Marshal(v)
	return string(b)
}
