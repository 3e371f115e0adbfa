package importer

import (
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
	Next() ([]string, int, error)
	// Offset is how many bytes of the text were consumed (for progress).
	Offset() int64
}

// openTable splits a decoded source into header and records. JSON arrays of
// objects become a table whose columns are the keys of the first object.
func openTable(src *source, quoted bool) (header, records, error) {
	t := strings.TrimLeft(src.Text, " \t\r\n")
	if strings.HasPrefix(t, "[") || strings.HasPrefix(t, "{") {
		return openJSON(src.Text)
	}
	if quoted {
		r := csv.NewReader(strings.NewReader(src.Text))
		r.Comma = ';'
		r.FieldsPerRecord = -1
		r.ReuseRecord = false
		rec, err := r.Read()
		if err != nil {
			return header{}, nil, fmt.Errorf("ligne 1 : en-tête illisible : %v", csvErr(err))
		}
		return newHeader(rec), &csvRecords{r: r, size: int64(len(src.Text))}, nil
	}
	pr := &plainRecords{text: src.Text}
	rec, _, err := pr.Next()
	if err != nil {
		return header{}, nil, errors.New("ligne 1 : en-tête absent")
	}
	return newHeader(rec), pr, nil
}

type csvRecords struct {
	r    *csv.Reader
	size int64
}

func (c *csvRecords) Next() ([]string, int, error) {
	rec, err := c.r.Read()
	if err != nil {
		// FieldPos would panic here when the error is in the first field.
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, pe.StartLine, fmt.Errorf("%s", csvErr(err))
		}
		return nil, 0, err
	}
	line, _ := c.r.FieldPos(0)
	return rec, line, nil
}

func (c *csvRecords) Offset() int64 { return c.r.InputOffset() }

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
	text string
	pos  int
	line int
}

func (p *plainRecords) Next() ([]string, int, error) {
	for p.pos < len(p.text) {
		end := strings.IndexByte(p.text[p.pos:], '\n')
		var l string
		if end < 0 {
			l = p.text[p.pos:]
			p.pos = len(p.text)
		} else {
			l = p.text[p.pos : p.pos+end]
			p.pos += end + 1
		}
		p.line++
		l = strings.TrimSuffix(l, "\r")
		if l == "" {
			continue
		}
		return strings.Split(l, ";"), p.line, nil
	}
	return nil, p.line, io.EOF
}

func (p *plainRecords) Offset() int64 { return int64(p.pos) }

// jsonRecords holds a decoded JSON array of flat objects.
type jsonRecords struct {
	rows [][]string
	i    int
}

func (j *jsonRecords) Next() ([]string, int, error) {
	if j.i >= len(j.rows) {
		return nil, j.i + 1, io.EOF
	}
	j.i++
	return j.rows[j.i-1], j.i, nil // line = record number (1-based)
}

func (j *jsonRecords) Offset() int64 { return int64(j.i) }

func openJSON(text string) (header, records, error) {
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return header{}, nil, fmt.Errorf("JSON invalide : %v", err)
	}
	if obj, ok := v.(map[string]any); ok { // {"results": [...]} as the ODS API answers
		if res, ok := obj["results"]; ok {
			v = res
		}
	}
	arr, ok := v.([]any)
	if !ok {
		return header{}, nil, errors.New("JSON : un tableau d'enregistrements est attendu")
	}
	if len(arr) == 0 {
		return header{}, nil, errors.New("JSON : aucun enregistrement")
	}
	first, ok := arr[0].(map[string]any)
	if !ok {
		return header{}, nil, errors.New("JSON : enregistrement 1 : un objet est attendu")
	}
	keys := make([]string, 0, len(first))
	for k := range first {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	jr := &jsonRecords{}
	for n, it := range arr {
		o, ok := it.(map[string]any)
		if !ok {
			return header{}, nil, fmt.Errorf("JSON : enregistrement %d : un objet est attendu", n+1)
		}
		rec := make([]string, len(keys))
		for i, k := range keys {
			rec[i] = jsonScalar(o[k])
		}
		// Unknown keys (a key renamed in one record, even when the
		// record has as many keys as the first): keep the record but make
		// its width differ so the row check reports it, in a stable order.
		var unknown []string
		for k := range o {
			if _, ok := first[k]; !ok {
				unknown = append(unknown, k)
			}
		}
		sort.Strings(unknown)
		rec = append(rec, unknown...)
		jr.rows = append(jr.rows, rec)
	}
	return newHeader(keys), jr, nil
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
