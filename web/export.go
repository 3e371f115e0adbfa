package web

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/xuri/excelize/v2"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// Exports of a data page: the tables on screen, as shown (same column
// labels, same values, same reasons for the missing ones: the secret
// statistique was applied before the tables were built), each row led by
// its identifiers (export-only columns: UAI, codes, millésime, voie…) and
// closed by its demonstration flag.
//
//   - CSV: a ZIP of one CSV per table and a LISEZMOI.txt; ?table=<id> is
//     one CSV (UTF-8 with BOM, ";" separator: a spreadsheet opens it as is);
//   - XLSX: a first sheet « À lire » (the LISEZMOI), then one sheet per
//     table (?table=<id>: that one), numbers as numbers, header frozen;
//   - JSON: the API view of the page's resource (handled by each page).

const (
	mimeCSV  = "text/csv; charset=utf-8"
	mimeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	mimeZIP  = "application/zip"

	// readmeSheet is the first sheet of every XLSX export.
	readmeSheet = "À lire"
	readmeFile  = "LISEZMOI.txt"
	// demoColumn is the last exported column: oui when the row rests on
	// synthetic data.
	demoColumn = "demonstration"
)

// idField is an export-only identifier column.
type idField struct {
	name, doc string
	get       func(rowIDs) string
}

// idFields are the identifier columns, in their exported order; a table
// exports those that at least one of its rows fills.
var idFields = []idField{
	{"uai", "UAI de l'établissement (code à 7 chiffres et une lettre)", func(r rowIDs) string { return r.UAI }},
	{"nom_etablissement", "nom de l'établissement", func(r rowIDs) string { return r.Etablissement }},
	{"code_region", "code INSEE de la région", func(r rowIDs) string { return r.Region }},
	{"code_departement", "code du département (3 caractères, référentiel de l'éducation nationale)", func(r rowIDs) string { return r.Departement }},
	{"perimetre", "niveau du chiffre : etablissement, region ou france", func(r rowIDs) string { return r.Perimetre }},
	{"voie", "scolaire, apprentissage ou superieur", func(r rowIDs) string { return r.Voie }},
	{"cfd", "code formation diplôme (BCN)", func(r rowIDs) string { return r.CFD }},
	{"mefstat11", "code MEFSTAT11 de l'année terminale (voie scolaire)", func(r rowIDs) string { return r.MEFSTAT11 }},
	{"sise", "code SISE du diplôme (enseignement supérieur)", func(r rowIDs) string { return r.SISE }},
	{"libelle_bcn", "libellé de la formation tel que la BCN l'écrit (la colonne Formation donne sa forme lisible)", func(r rowIDs) string { return r.LibelleBCN }},
	{"niveau_code", "code du niveau de diplôme (BCN)", func(r rowIDs) string { return r.NiveauCode }},
	{"sous_population", "ensemble des sortants, apprentis (formés au lycée) ou voie_pro_sco (élèves sous statut scolaire)", func(r rowIDs) string { return r.SousPopulation }},
	{"millesime", "millésime, forme du producteur (2021_2022 : promotions 2021 et 2022)", func(r rowIDs) string { return r.Millesime }},
	{"millesime_libelle", "millésime en clair", func(r rowIDs) string { return millesimeLabels(nonEmpty(r.Millesime)) }},
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// exportSheet is a table as exported: header, then rows of string, int
// or float64 values.
type exportSheet struct {
	t    *dataTable
	ids  []idField
	head []string
	rows [][]any
}

func sheetOf(t *dataTable) exportSheet {
	s := exportSheet{t: t}
	for _, f := range idFields {
		if slices.ContainsFunc(t.Rows, func(r row) bool { return f.get(r.IDs) != "" }) {
			s.ids = append(s.ids, f)
			s.head = append(s.head, f.name)
		}
	}
	for _, c := range t.Columns {
		s.head = append(s.head, c.Label)
	}
	s.head = append(s.head, demoColumn)
	for _, r := range t.Rows {
		vals := make([]any, 0, len(s.head))
		for _, f := range s.ids {
			vals = append(vals, f.get(r.IDs))
		}
		for i := range t.Columns {
			var v any = ""
			if i < len(r.Cells) {
				c := r.Cells[i]
				switch {
				case c.Num != nil:
					v = *c.Num
				case c.Float != nil:
					v = decimalValue{v: *c.Float, d: c.decimals()}
				default:
					v = c.Text
				}
			}
			vals = append(vals, v)
		}
		vals = append(vals, ouiNon(r.Demo))
		s.rows = append(s.rows, vals)
	}
	return s
}

func ouiNon(b bool) string {
	if b {
		return "oui"
	}
	return "non"
}

// exportTables builds the CSV (ZIP) or XLSX export of the tables of page
// b; name is the file name without extension.
func exportTables(c *fiber.Ctx, f, name string, b *basePage, tables []*dataTable) (*built, error) {
	var ts []*dataTable
	for _, t := range tables {
		if t != nil {
			ts = append(ts, t)
		}
	}
	if len(ts) == 0 {
		return nil, errNotFound("aucune_donnee", "cette page n'a aucun tableau de données à exporter")
	}
	if id := c.Query("table"); id != "" {
		i := slices.IndexFunc(ts, func(t *dataTable) bool { return t.ID == id })
		if i < 0 {
			var ids []string
			for _, t := range ts {
				ids = append(ids, t.ID)
			}
			return nil, errBadRequest(fmt.Sprintf("tableau %s inconnu sur cette page : les tableaux sont %s", quoteParam(id), strings.Join(ids, ", ")))
		}
		ts = ts[i : i+1]
		name += "-" + ts[0].ID
		if f == "csv" {
			body, err := tableCSV(sheetOf(ts[0]))
			if err != nil {
				return nil, err
			}
			return &built{Body: body, ContentType: mimeCSV, Filename: fileName(name) + ".csv"}, nil
		}
	}
	sheets := make([]exportSheet, len(ts))
	for i, t := range ts {
		sheets[i] = sheetOf(t)
	}
	readme := readmeLines(b, sheets, f)
	switch f {
	case "csv":
		body, err := tablesZIP(sheets, readme)
		if err != nil {
			return nil, err
		}
		return &built{Body: body, ContentType: mimeZIP, Filename: fileName(name) + ".zip"}, nil
	case "xlsx":
		body, err := tablesXLSX(sheets, readme)
		if err != nil {
			return nil, err
		}
		return &built{Body: body, ContentType: mimeXLSX, Filename: fileName(name) + ".xlsx"}, nil
	}
	return nil, errBadRequest("format d'export inconnu : les formats proposés sont csv, xlsx et json")
}

// decimalValue is a decimal number with the decimals it is shown with
// (InserSup rates: two, INSEE unemployment rates: one).
type decimalValue struct {
	v float64
	d int
}

// csvValue is the CSV text of an exported value (decimal comma, as
// French spreadsheets read it).
func csvValue(v any) string {
	switch x := v.(type) {
	case int:
		return strconv.Itoa(x)
	case float64:
		return frenchDecimal(x)
	case decimalValue:
		return strings.Replace(strconv.FormatFloat(x.v, 'f', x.d, 64), ".", ",", 1)
	case string:
		return x
	}
	return fmt.Sprint(v)
}

// tableCSV writes one table: BOM, header row, rows.
func tableCSV(s exportSheet) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("\ufeff")
	w := csv.NewWriter(&b)
	w.Comma = ';'
	w.UseCRLF = true
	if err := w.Write(s.head); err != nil {
		return nil, err
	}
	rec := make([]string, len(s.head))
	for _, r := range s.rows {
		for i, v := range r {
			rec[i] = csvValue(v)
		}
		if err := w.Write(rec); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return b.Bytes(), w.Error()
}

// csvName is the name of a table's CSV inside the ZIP.
func csvName(t *dataTable) string {
	return strings.TrimPrefix(fileName(t.ID), "vitrine-") + ".csv"
}

// tablesZIP writes one CSV per table and the LISEZMOI.
func tablesZIP(sheets []exportSheet, readme []readmeLine) ([]byte, error) {
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	var txt strings.Builder
	txt.WriteString("\ufeff")
	for _, l := range readme {
		if l.heading && txt.Len() > 3 {
			txt.WriteString("\r\n")
		}
		txt.WriteString(l.text + "\r\n")
	}
	files := []struct {
		name string
		body []byte
	}{{readmeFile, []byte(txt.String())}}
	used := map[string]bool{readmeFile: true}
	for _, s := range sheets {
		body, err := tableCSV(s)
		if err != nil {
			return nil, err
		}
		n := csvName(s.t)
		for i := 2; used[n]; i++ {
			n = fmt.Sprintf("%s-%d.csv", strings.TrimSuffix(csvName(s.t), ".csv"), i)
		}
		used[n] = true
		files = append(files, struct {
			name string
			body []byte
		}{n, body})
	}
	for _, f := range files {
		w, err := z.CreateHeader(&zip.FileHeader{Name: f.name, Method: zip.Deflate})
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(f.body); err != nil {
			return nil, err
		}
	}
	if err := z.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// tablesXLSX writes the « À lire » sheet, then one sheet per table
// (header in the first row, frozen; column widths from the contents).
func tablesXLSX(sheets []exportSheet, readme []readmeLine) ([]byte, error) {
	x := excelize.NewFile()
	defer x.Close()
	bold, err := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return nil, err
	}
	wrap, err := x.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return nil, err
	}
	boldWrap, err := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 12}, Alignment: &excelize.Alignment{WrapText: true}})
	if err != nil {
		return nil, err
	}
	if err := x.SetSheetName("Sheet1", readmeSheet); err != nil {
		return nil, err
	}
	sw, err := x.NewStreamWriter(readmeSheet)
	if err != nil {
		return nil, err
	}
	if err := sw.SetColWidth(1, 1, 110); err != nil {
		return nil, err
	}
	for i, l := range readme {
		st := wrap
		if l.heading {
			st = boldWrap
		}
		ref, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(ref, []any{excelize.Cell{Value: l.text, StyleID: st}}); err != nil {
			return nil, err
		}
	}
	if err := sw.Flush(); err != nil {
		return nil, err
	}
	used := map[string]bool{readmeSheet: true}
	styles := map[int]int{}
	for _, s := range sheets {
		name := sheetName(s.t, used)
		if _, err := x.NewSheet(name); err != nil {
			return nil, err
		}
		sw, err := x.NewStreamWriter(name)
		if err != nil {
			return nil, err
		}
		for j, w := range columnWidths(s) {
			if err := sw.SetColWidth(j+1, j+1, w); err != nil {
				return nil, err
			}
		}
		if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
			return nil, err
		}
		head := make([]any, len(s.head))
		for j, h := range s.head {
			head[j] = excelize.Cell{Value: h, StyleID: bold}
		}
		if err := sw.SetRow("A1", head); err != nil {
			return nil, err
		}
		for r, vals := range s.rows {
			ref, _ := excelize.CoordinatesToCellName(1, r+2)
			out := make([]any, len(vals))
			for j, v := range vals {
				out[j] = v
				if d, ok := v.(decimalValue); ok {
					st, err := decimalStyle(x, d.d, styles)
					if err != nil {
						return nil, err
					}
					out[j] = excelize.Cell{Value: d.v, StyleID: st}
				}
			}
			if err := sw.SetRow(ref, out); err != nil {
				return nil, err
			}
		}
		if err := sw.Flush(); err != nil {
			return nil, err
		}
	}
	var b bytes.Buffer
	if _, err := x.WriteTo(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// columnWidths fit each column to its longest value (header included),
// within [8, 60] characters.
func columnWidths(s exportSheet) []float64 {
	w := make([]float64, len(s.head))
	for j, h := range s.head {
		w[j] = float64(utf8.RuneCountInString(h))
	}
	for _, r := range s.rows {
		for j, v := range r {
			w[j] = max(w[j], float64(utf8.RuneCountInString(csvValue(v))))
		}
	}
	for j := range w {
		w[j] = min(60, max(8, w[j]+2))
	}
	return w
}

// sheetName is a valid, unique sheet name (≤ 31 characters, no []:*?/\).
func sheetName(t *dataTable, used map[string]bool) string {
	n := t.ID
	if n == "" {
		n = "donnees"
	}
	n = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) {
			return '-'
		}
		return r
	}, n)
	for utf8.RuneCountInString(n) > 28 {
		_, size := utf8.DecodeLastRuneInString(n)
		n = n[:len(n)-size]
	}
	base := n
	for i := 2; used[n]; i++ {
		n = fmt.Sprintf("%s-%d", base, i)
	}
	used[n] = true
	return n
}

// fileName is an ASCII file name: "vitrine-0010001W", "vitrine-formation-40025510".
func fileName(s string) string {
	s = strings.ToLower(model.Fold(s))
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		default:
			b.WriteRune('-')
		}
	}
	return "vitrine-" + strings.Trim(b.String(), "-")
}

// jsonBuilt is the JSON export of a view-model.
func jsonBuilt(v any) (*built, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return &built{Body: b, ContentType: fiber.MIMEApplicationJSONCharsetUTF8}, nil
}

// decimalStyle is the number format with d decimals (0.0, 0.00), made once
// per workbook.
func decimalStyle(x *excelize.File, d int, styles map[int]int) (int, error) {
	if st, ok := styles[d]; ok {
		return st, nil
	}
	f := "0." + strings.Repeat("0", d)
	st, err := x.NewStyle(&excelize.Style{CustomNumFmt: &f})
	if err != nil {
		return 0, err
	}
	styles[d] = st
	return st, nil
}
