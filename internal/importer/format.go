package importer

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// Target is a table a format loads into: Cols are copied in this order
// (file_id is added by the loader); Key is the conflict key.
type Target struct {
	Table string
	Key   []string
	Cols  []string
	// DupOK: a second row with the same key in one file is dropped
	// silently (secondary targets such as establishment names).
	DupOK bool
	// Narrow is a text key column an index of the table leads with: the
	// statements of an import read only the target rows whose value of it
	// the file holds (not the whole table). "": none.
	Narrow string
	// Part is a key column whose values the formats that write the table
	// declare (Format.Parts): two files whose formats declare no common
	// value never write the same key, so one may load before the other is
	// validated (overlap.go). "": the table is one part.
	Part string
}

// part is the index of t.Part in t.Cols (-1: none).
func (t *Target) part() int {
	if t.Part == "" {
		return -1
	}
	return slices.Index(t.Cols, t.Part)
}

// Format is one source layout.
type Format struct {
	Kind     string // stable identifier, used by --source and in reports
	Producer string
	// Licence of the files, when the format declares one (stored in
	// import_files.licence).
	Licence string
	Label   string // French, for reports and the "à propos" page
	// Order sorts files of one run: referentials first.
	Order int
	// Plain: split lines on ';' with no quote handling.
	Plain bool
	// MaxField raises the bound on one field (maxField) for a format whose
	// free-text columns are long (Certif Info lists up to a hundred
	// valideurs in one field).
	MaxField int
	// Match tells whether a header (and file name) is this format.
	Match func(h header, name string) bool
	// Bind checks the header and returns the row parser.
	Bind func(h header, name string) (rowFunc, error)
	// Targets: the first one is the primary (its counts make the report).
	Targets []*Target
	// Parts are the values the format writes in the Part column of its
	// targets that have one (a row with another value is refused); nil:
	// any value, the format shares the whole of those tables.
	Parts []string
}

type rowFunc func(r *row)

// Reject is one refused row: file:line: column: value: reason.
type Reject struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Column string `json:"column"`
	Value  string `json:"value"`
	Reason string `json:"reason"`
}

func (r Reject) String() string {
	return fmt.Sprintf("%s:%d: %s: %q: %s", r.File, r.Line, r.Column, r.Value, r.Reason)
}

// row is the parsing context of one record.
type row struct {
	file    string
	line    int
	rec     []string
	h       header
	rejects []Reject
	out     []emitted
	mill    []string
}

type emitted struct {
	t    *Target
	vals []any
}

func (r *row) reject(i int, reason string) {
	col := "-"
	if i >= 0 && i < len(r.h.raw) {
		col = strings.TrimSpace(strings.Trim(r.h.raw[i], `"`))
		if col == "" {
			col = fmt.Sprintf("colonne %d", i+1)
		}
	}
	val := ""
	if i >= 0 && i < len(r.rec) {
		val = r.rec[i]
	}
	r.rejectCol(col, val, reason)
}

func (r *row) rejectCol(col, val, reason string) {
	if len(val) > 60 {
		cut := 60
		for cut > 0 && !utf8.RuneStart(val[cut]) {
			cut--
		}
		val = val[:cut] + "…"
	}
	r.rejects = append(r.rejects, Reject{File: r.file, Line: r.line, Column: col, Value: val, Reason: reason})
}

func (r *row) bad() bool { return len(r.rejects) > 0 }

func (r *row) emit(t *Target, vals ...any) {
	if len(vals) != len(t.Cols) {
		panic(fmt.Sprintf("importer: %s: %d values for %d columns", t.Table, len(vals), len(t.Cols)))
	}
	r.out = append(r.out, emitted{t, vals})
}

func (r *row) millesime(m string) { r.mill = append(r.mill, m) }

// str returns the trimmed field, "" when the column is absent (i < 0).
func (r *row) str(i int) string {
	if i < 0 || i >= len(r.rec) {
		return ""
	}
	s := strings.TrimSpace(r.rec[i])
	if strings.ContainsRune(s, '\ufeff') {
		r.reject(i, "caractère BOM (U+FEFF) inattendu au milieu du fichier")
		return ""
	}
	if m := mojibake(s); m != "" {
		r.reject(i, fmt.Sprintf("texte mal décodé (%q) : de l'UTF-8 relu comme du Windows-1252, le fichier a sans doute été converti deux fois ; réenregistrez-le en UTF-8 depuis l'original", m))
		return ""
	}
	return s
}

// mojibake returns the first sequence of s that is UTF-8 read as
// Windows-1252 (or Latin-1) and encoded again ("Ã©" for "é", "â€™" for
// "’", "Â " for a no-break space, "ï»¿" for a BOM), or "". The first
// character is the lead byte of a UTF-8 sequence shown as a letter (Ã Â Å
// â ï), the next ones continuation bytes shown as characters; no French
// word has them side by side.
func mojibake(s string) string {
	if strings.IndexByte(s, 0xC3) < 0 { // every lead shown as a letter is U+00C0–U+00FF
		return ""
	}
	for i, r := range s {
		var need int // continuation characters that must follow
		switch r {
		case 'Ã', 'Â', 'Å':
			need = 1
		case 'â', 'ï':
			need = 2
		default:
			continue
		}
		j := i + utf8.RuneLen(r)
		for k := 0; k < need; k++ {
			c, size := utf8.DecodeRuneInString(s[j:])
			if !isContinuationGlyph(c) {
				j = -1
				break
			}
			j += size
		}
		if j > 0 {
			return s[i:j]
		}
	}
	return ""
}

// continuationGlyphs are the characters bytes 0x80–0xBF (UTF-8
// continuation bytes) become when read as Windows-1252, and as Latin-1.
var continuationGlyphs = func() map[rune]bool {
	m := map[rune]bool{}
	for b := 0x80; b <= 0xBF; b++ {
		m[rune(b)] = true
		if r := cp1252[b]; r != utf8.RuneError {
			m[r] = true
		}
	}
	return m
}()

func isContinuationGlyph(r rune) bool { return continuationGlyphs[r] }

// opt returns nil for an empty field, else the string.
func (r *row) opt(i int) any {
	s := r.str(i)
	if s == "" {
		return nil
	}
	return s
}

// notPublished reports the empty field and the producers' markers.
func notPublished(s string) bool {
	switch strings.ToLower(s) {
	case "", "nd", "na", "ns", "s", "**", "null", "n.d.", "nc":
		return true
	}
	return false
}

// parseNumber parses an integer as the producers write it: "42", "-4",
// "42.0", "-4.0" (ODS doubles), "42,0". Nothing else: no exponent, no hex,
// no fraction, at most 9 digits.
func parseNumber(s string) (int, bool) {
	if i := strings.IndexAny(s, ".,"); i >= 0 {
		if i+1 == len(s) || strings.Trim(s[i+1:], "0") != "" {
			return 0, false
		}
		s = s[:i]
	}
	d := strings.TrimPrefix(strings.TrimPrefix(s, "-"), "+")
	if d == "" || len(d) > 9 || !isDigits(d) {
		return 0, false
	}
	v, err := strconv.Atoi(s)
	return v, err == nil
}

// rate reads a published percentage, 0–100; nil when not published.
func (r *row) rate(i int) *int { return r.bounded(i, 0, 100, "taux") }

// signed reads a value that may be negative (valeur ajoutée), −100…100.
func (r *row) signed(i int) *int { return r.bounded(i, -100, 100, "valeur") }

// count reads a head count ≥ 0.
func (r *row) count(i int) *int { return r.bounded(i, 0, 10_000_000, "effectif") }

func (r *row) bounded(i, lo, hi int, what string) *int {
	s := r.str(i)
	if notPublished(s) {
		return nil
	}
	v, ok := parseNumber(s)
	if !ok {
		r.reject(i, fmt.Sprintf("%s : nombre entier attendu", what))
		return nil
	}
	if v < lo || v > hi {
		r.reject(i, fmt.Sprintf("%s hors bornes (%d à %d attendu)", what, lo, hi))
		return nil
	}
	return &v
}

// decimal reads a published decimal (InserSup "86.67") as a float.
func (r *row) decimal(i int, lo, hi float64) *float64 {
	s := r.str(i)
	if notPublished(s) {
		return nil
	}
	f, err := strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		r.reject(i, "nombre attendu")
		return nil
	}
	if f < lo || f > hi {
		r.reject(i, fmt.Sprintf("valeur hors bornes (%g à %g attendu)", lo, hi))
		return nil
	}
	return &f
}

// date reads JJ/MM/AAAA; nil when empty.
func (r *row) date(i int) any {
	s := r.str(i)
	if s == "" {
		return nil
	}
	t, err := time.Parse("02/01/2006", s)
	if err != nil {
		r.reject(i, "date JJ/MM/AAAA attendue")
		return nil
	}
	return t
}

func (r *row) uai(i int) string {
	u, err := model.NormalizeUAI(r.str(i))
	if err != nil {
		r.reject(i, err.Error())
	}
	return u
}

func (r *row) cfd(i int) string {
	c, err := model.NormalizeCFD(r.str(i))
	if err != nil {
		r.reject(i, err.Error())
	}
	return c
}

func (r *row) mefstat11(i int) string {
	c, err := model.NormalizeMEFSTAT11(r.str(i))
	if err != nil {
		r.reject(i, err.Error())
	}
	return c
}

// regionLabel maps an InserJeunes région label to its INSEE code.
func (r *row) regionLabel(i int) string {
	s := r.str(i)
	if s == "" {
		return ""
	}
	reg, ok := model.RegionByLabel(s)
	if !ok {
		r.reject(i, "libellé de région inconnu")
		return ""
	}
	return reg.Code
}

// mill parses a millésime and records it for the report.
func (r *row) parseMillesime(i int) (model.Millesime, bool) {
	m, err := model.ParseMillesime(r.str(i))
	if err != nil {
		r.reject(i, err.Error())
		return m, false
	}
	r.millesime(m.String())
	return m, true
}

// iv converts an optional int for COPY.
func iv(p *int) any {
	if p == nil {
		return nil
	}
	return int32(*p)
}

func fv(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
