package web

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"
	"github.com/xuri/excelize/v2"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// Exports of a data page: the tables on screen, as shown (same column
// labels, same values, same reasons for the missing ones: the secret
// statistique was applied before the tables were built).
//
//   - CSV: UTF-8 with BOM, ";" separator, one table (?table=<id>, the
//     first by default): a spreadsheet opens it as is;
//   - XLSX: one sheet per table, numbers as numbers;
//   - JSON: the API view of the page's resource (handled by each page).

const (
	mimeCSV  = "text/csv; charset=utf-8"
	mimeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

// exportTables builds the CSV or XLSX export of tables; name is the file
// name without extension.
func exportTables(c *fiber.Ctx, f, name string, tables []*dataTable) (*built, error) {
	var ts []*dataTable
	for _, t := range tables {
		if t != nil {
			ts = append(ts, t)
		}
	}
	if len(ts) == 0 {
		return nil, errNotFound("aucune_donnee", "cette page n'a aucun tableau de données à exporter")
	}
	switch f {
	case "csv":
		t := ts[0]
		if id := c.Query("table"); id != "" {
			t = nil
			for _, x := range ts {
				if x.ID == id {
					t = x
				}
			}
			if t == nil {
				return nil, errBadRequest(fmt.Sprintf("tableau %q inconnu sur cette page", id))
			}
			name += "-" + id
		}
		b, err := tableCSV(t)
		if err != nil {
			return nil, err
		}
		return &built{Body: b, ContentType: mimeCSV, Filename: fileName(name) + ".csv"}, nil
	case "xlsx":
		b, err := tablesXLSX(ts)
		if err != nil {
			return nil, err
		}
		return &built{Body: b, ContentType: mimeXLSX, Filename: fileName(name) + ".xlsx"}, nil
	}
	return nil, errBadRequest("format d'export inconnu")
}

// tableCSV writes one table: BOM, header row of on-screen labels, rows.
func tableCSV(t *dataTable) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("\ufeff")
	w := csv.NewWriter(&b)
	w.Comma = ';'
	w.UseCRLF = true
	head := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		head[i] = c.Label
	}
	if err := w.Write(head); err != nil {
		return nil, err
	}
	rec := make([]string, len(t.Columns))
	for _, row := range t.Rows {
		for i := range rec {
			rec[i] = ""
			if i < len(row) {
				rec[i] = row[i].Export()
			}
		}
		if err := w.Write(rec); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return b.Bytes(), w.Error()
}

// tablesXLSX writes one sheet per table (caption in the first row).
func tablesXLSX(ts []*dataTable) ([]byte, error) {
	x := excelize.NewFile()
	defer x.Close()
	bold, err := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return nil, err
	}
	used := map[string]bool{}
	for i, t := range ts {
		name := sheetName(t, used)
		if i == 0 {
			if err := x.SetSheetName("Sheet1", name); err != nil {
				return nil, err
			}
		} else if _, err := x.NewSheet(name); err != nil {
			return nil, err
		}
		sw, err := x.NewStreamWriter(name)
		if err != nil {
			return nil, err
		}
		if err := sw.SetRow("A1", []any{excelize.Cell{Value: t.Caption, StyleID: bold}}); err != nil {
			return nil, err
		}
		head := make([]any, len(t.Columns))
		for j, c := range t.Columns {
			head[j] = excelize.Cell{Value: c.Label, StyleID: bold}
		}
		if err := sw.SetRow("A2", head); err != nil {
			return nil, err
		}
		for r, row := range t.Rows {
			vals := make([]any, len(row))
			for j, c := range row {
				if c.Num != nil {
					vals[j] = *c.Num
				} else if c.Float != nil {
					vals[j] = *c.Float
				} else {
					vals[j] = c.Text
				}
			}
			ref, _ := excelize.CoordinatesToCellName(1, r+3)
			if err := sw.SetRow(ref, vals); err != nil {
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
