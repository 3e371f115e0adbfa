package web

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/PuerkitoBio/goquery"
	"github.com/gofiber/fiber/v2"
	"github.com/xuri/excelize/v2"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// The exports are checked against the HTML page they come from: every
// table of the page (charts' data tables aside) is in the ZIP of CSVs, in
// its own CSV and in the XLSX, with the same header, rows, values and
// reasons; the identifiers make each row unique and agree with the
// row's links; the demonstration column is « oui » exactly on the rows
// that carry the « démo » tag.

// htmlTable is a table of a page as a reader sees it.
type htmlTable struct {
	id, caption string
	head        []string
	rows        [][]string // normalised cell texts (tag aside)
	demo        []bool
	links       []string // href of the first cell
	total       int      // rows in every page (pager), else len(rows)
	// tail are the rows of the last page when the table is paginated.
	tail     [][]string
	tailDemo []bool
}

// normCell makes an on-screen and an exported value comparable: units,
// signs and spaces (thousands separators) aside.
func normCell(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
	s = strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(s, "%"), "pts"), "points"), "point")
	s = strings.ReplaceAll(s, "−", "-")
	if len(s) > 1 && s[0] == '+' && s[1] >= '0' && s[1] <= '9' {
		s = s[1:]
	}
	return s
}

// visibleText is the text of n without screen-reader-only words and the
// « démo » tag.
func visibleText(n *goquery.Selection) string {
	c := n.Clone()
	c.Find(".fr-sr-only, .vi-demo, button, [role=tooltip]").Remove()
	return strings.TrimSpace(c.Text())
}

func parseRows(tbl *goquery.Selection) (rows [][]string, demo []bool, links []string) {
	tbl.Find("tbody tr").Each(func(_ int, tr *goquery.Selection) {
		var cells []string
		tr.Children().Each(func(_ int, td *goquery.Selection) { cells = append(cells, normCell(visibleText(td))) })
		rows = append(rows, cells)
		first := tr.Children().First()
		demo = append(demo, first.Find(".vi-demo").Length() > 0)
		href, _ := first.Find("a").Attr("href")
		links = append(links, href)
	})
	return rows, demo, links
}

var pagerTotal = regexp.MustCompile(`sur\s*([\d\s\x{202f}\x{a0}]+)`)

// pageTables reads the data tables of a page (not those of charts), with
// the last page of paginated ones.
func pageTables(t *testing.T, app *fiber.App, d *goquery.Document) []htmlTable {
	t.Helper()
	var out []htmlTable
	d.Find(".fr-table[id]").Each(func(_ int, s *goquery.Selection) {
		if s.Closest(".vi-chart").Length() > 0 {
			return
		}
		ht := htmlTable{id: s.AttrOr("id", ""), caption: strings.TrimSpace(s.Find("caption").Text())}
		s.Find("thead th").Each(func(_ int, th *goquery.Selection) { ht.head = append(ht.head, visibleText(th)) })
		ht.rows, ht.demo, ht.links = parseRows(s.Find("table"))
		ht.total = len(ht.rows)
		pager := d.Find("nav.fr-pagination").FilterFunction(func(_ int, n *goquery.Selection) bool {
			return n.AttrOr("aria-label", "") == "Pagination : "+ht.caption
		})
		if pager.Length() > 0 {
			m := pagerTotal.FindStringSubmatch(pager.Find("p").First().Text())
			if m == nil {
				t.Fatalf("%s: pager without total: %q", ht.id, pager.Find("p").Text())
			}
			n, err := strconv.Atoi(normCell(m[1]))
			if err != nil {
				t.Fatal(err)
			}
			ht.total = n
			last, ok := pager.Find("a.fr-pagination__link--last").Attr("href")
			if !ok {
				t.Fatalf("%s: no link to the last page", ht.id)
			}
			ld := doc(t, get(t, app, last))
			ht.tail, ht.tailDemo, _ = parseRows(ld.Find("#" + ht.id + " table"))
			if len(ht.tail) == 0 {
				t.Fatalf("%s: last page %s has no rows", ht.id, last)
			}
		}
		out = append(out, ht)
	})
	return out
}

// exportedTable is one table of an export: header and rows of text.
type exportedTable struct {
	head []string
	rows [][]string
}

// idColumnNames are the export-only identifier columns.
var idColumnNames = func() map[string]bool {
	m := map[string]bool{}
	for _, f := range idFields {
		m[f.name] = true
	}
	return m
}()

func readCSV(t *testing.T, b []byte) exportedTable {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("\ufeff")) {
		t.Fatal("CSV without UTF-8 BOM")
	}
	r := csv.NewReader(bytes.NewReader(b[3:]))
	r.Comma = ';'
	recs, err := r.ReadAll()
	if err != nil || len(recs) == 0 {
		t.Fatalf("CSV: %v (%d records)", err, len(recs))
	}
	return exportedTable{head: recs[0], rows: recs[1:]}
}

// checkExported compares an exported table with its HTML table.
func checkExported(t *testing.T, where string, ht htmlTable, et exportedTable) {
	t.Helper()
	nIDs := 0
	for nIDs < len(et.head) && idColumnNames[et.head[nIDs]] {
		nIDs++
	}
	if nIDs == 0 {
		t.Errorf("%s: no identifier column in %q", where, et.head)
	}
	if got, want := strings.Join(et.head[nIDs:], "|"), strings.Join(append(append([]string{}, ht.head...), demoColumn), "|"); got != want {
		t.Errorf("%s: header\n%s\nwant (page + demonstration)\n%s", where, got, want)
		return
	}
	if len(et.rows) != ht.total {
		t.Errorf("%s: %d rows, the page has %d", where, len(et.rows), ht.total)
		return
	}
	col := func(name string) int {
		for i, h := range et.head[:nIDs] {
			if h == name {
				return i
			}
		}
		return -1
	}
	compare := func(i int, html []string, demo bool) {
		r := et.rows[i]
		if len(r) != len(et.head) {
			t.Errorf("%s row %d: %d fields, header has %d", where, i, len(r), len(et.head))
			return
		}
		for j, h := range html {
			if got := normCell(r[nIDs+j]); got != h {
				t.Errorf("%s row %d column %q: export %q, page %q", where, i, ht.head[j], r[nIDs+j], h)
			}
		}
		if got, want := r[len(r)-1], ouiNon(demo); got != want {
			t.Errorf("%s row %d: demonstration %q, the page's tag says %q", where, i, got, want)
		}
	}
	for i, h := range ht.rows {
		compare(i, h, ht.demo[i])
	}
	for k, h := range ht.tail {
		compare(len(et.rows)-len(ht.tail)+k, h, ht.tailDemo[k])
	}
	// identifiers: unique per row, well-formed, and agreeing with the page
	seen := map[string]int{}
	for i, r := range et.rows {
		key := strings.Join(r[:nIDs], "|")
		if j, dup := seen[key]; dup {
			t.Errorf("%s: rows %d and %d share the identifiers %q", where, j, i, key)
		}
		seen[key] = i
		if c := col("uai"); c >= 0 && r[c] != "" {
			if _, err := model.NormalizeUAI(r[c]); err != nil {
				t.Errorf("%s row %d: uai %q: %v", where, i, r[c], err)
			}
		}
		if c := col("millesime"); c >= 0 && r[c] != "" {
			m, err := model.ParseMillesime(r[c])
			if err != nil || m.String() != r[c] {
				t.Errorf("%s row %d: millesime %q not canonical (%v)", where, i, r[c], err)
			}
		}
		if c := col("voie"); c >= 0 && r[c] != model.VoieScolaire && r[c] != model.VoieApprentissage && r[c] != model.VoieSuperieur {
			t.Errorf("%s row %d: voie %q", where, i, r[c])
		}
	}
	// the millésime label of the page's Millésime (or Promotion) column
	lib := col("millesime_libelle")
	for j, h := range ht.head {
		if (h != "Millésime" && h != "Promotion") || lib < 0 {
			continue
		}
		for i, hr := range ht.rows {
			if got := normCell(et.rows[i][lib]); got != hr[j] {
				t.Errorf("%s row %d: millesime_libelle %q, page %q", where, i, et.rows[i][lib], hr[j])
			}
		}
	}
	// the identifiers name what the row's link points to
	for i, href := range ht.links {
		p := strings.Split(strings.Trim(href, "/"), "/")
		r := et.rows[i]
		want := map[string]string{}
		switch {
		case len(p) == 4 && p[0] == "etablissements" && p[2] == "formations":
			want["uai"], want["code"] = p[1], p[3]
		case len(p) == 2 && p[0] == "etablissements":
			want["uai"] = p[1]
		case len(p) == 2 && p[0] == "formations":
			want["code"] = p[1]
		case len(p) == 2 && p[0] == "regions":
			want["code_region"] = p[1]
		}
		for k, v := range want {
			if k == "code" {
				if !strings.Contains("|"+strings.Join(r[:nIDs], "|")+"|", "|"+v+"|") {
					t.Errorf("%s row %d links %s but no identifier is %s: %q", where, i, href, v, r[:nIDs])
				}
				continue
			}
			if c := col(k); c < 0 || r[c] != v {
				t.Errorf("%s row %d links %s but %s is %q", where, i, href, k, safeIndex(r, c))
			}
		}
	}
}

func safeIndex(r []string, i int) string {
	if i < 0 || i >= len(r) {
		return "(absent)"
	}
	return r[i]
}

// exportPages are the data pages of every type: an establishment with
// synthetic rows (0353053D) and one whose figures are all real, pairs,
// formations (InserJeunes and InserSup), a région and an académie.
var exportPages = []struct {
	path     string
	wantDemo int // 1: some row is synthetic, -1: none is, 0: either
}{
	{"/etablissements/0353053D", 1},
	{"/etablissements/0220070G", -1},
	{"/etablissements/0353053D/formations/50022137", 1},
	{"/etablissements/0062205P/formations/2500249", -1},
	{"/formations/50022137", 0},
	{"/formations/2500249", -1},
	{"/regions/53", 1},
	{"/academies/14", 1},
}

func TestExportsMatchPages(t *testing.T) {
	app, _ := siteTestApp(t)
	for _, pg := range exportPages {
		t.Run(strings.ReplaceAll(strings.Trim(pg.path, "/"), "/", "_"), func(t *testing.T) {
			r := get(t, app, pg.path)
			if r.StatusCode != 200 {
				t.Fatalf("%s: %d", pg.path, r.StatusCode)
			}
			d := doc(t, r)
			tables := pageTables(t, app, d)
			if len(tables) == 0 {
				t.Fatal("no data table on the page")
			}
			demoRows := 0
			for _, ht := range tables {
				for _, x := range append(append([]bool{}, ht.demo...), ht.tailDemo...) {
					if x {
						demoRows++
					}
				}
				// the note says what the tag means exactly when a row has it
				hasNote := d.Find("#"+ht.id+" .vi-demo-note").Length() > 0
				if hasNote != (demoRowsOf(ht) > 0) && ht.tail == nil {
					t.Errorf("%s: demo note %v, tagged rows %d", ht.id, hasNote, demoRowsOf(ht))
				}
				// its own download links
				for _, f := range []string{"csv", "xlsx"} {
					href := pg.path + "?format=" + f + "&table=" + ht.id
					if d.Find("#"+ht.id+" .vi-table-exports a[href='"+href+"']").Length() != 1 {
						t.Errorf("%s: no link %s under the table", ht.id, href)
					}
				}
			}
			switch {
			case pg.wantDemo > 0 && demoRows == 0:
				t.Error("no row carries the « démo » tag")
			case pg.wantDemo < 0 && demoRows > 0:
				t.Errorf("%d rows carry the « démo » tag on a page of real figures", demoRows)
			}

			// ZIP: one CSV per table and a LISEZMOI
			zr := get(t, app, pg.path+"?format=csv")
			if ct := zr.Header.Get("Content-Type"); ct != mimeZIP {
				t.Fatalf("page CSV: content-type %q", ct)
			}
			if cd := zr.Header.Get("Content-Disposition"); !strings.Contains(cd, "attachment") || !strings.Contains(cd, ".zip") {
				t.Errorf("content-disposition %q", cd)
			}
			zb := body(t, zr)
			z, err := zip.NewReader(bytes.NewReader(zb), int64(len(zb)))
			if err != nil {
				t.Fatal(err)
			}
			files := map[string][]byte{}
			for _, f := range z.File {
				rc, err := f.Open()
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(rc)
				rc.Close()
				files[f.Name] = b
			}
			if len(files) != len(tables)+1 {
				t.Errorf("ZIP holds %d files, want %d tables + LISEZMOI", len(files), len(tables))
			}
			readme := string(files[readmeFile])
			for _, want := range []string{testConfig().BaseURL + pg.path, "Secret statistique", "Sources", "Définitions"} {
				if !strings.Contains(readme, want) {
					t.Errorf("LISEZMOI lacks %q", want)
				}
			}
			if got := strings.Contains(readme, "Données de démonstration"); got != (demoRows > 0) {
				t.Errorf("LISEZMOI demonstration notice %v, tagged rows on the page %d", got, demoRows)
			}
			for _, ht := range tables {
				b, ok := files[ht.id+".csv"]
				if !ok {
					t.Errorf("ZIP has no %s.csv", ht.id)
					continue
				}
				checkExported(t, "zip/"+ht.id+".csv", ht, readCSV(t, b))
				one := get(t, app, pg.path+"?format=csv&table="+ht.id)
				if ct := one.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
					t.Errorf("?table=%s: content-type %q", ht.id, ct)
				}
				if ob := body(t, one); !bytes.Equal(ob, b) {
					t.Errorf("?format=csv&table=%s differs from the ZIP's CSV", ht.id)
				}
			}

			// XLSX: « À lire », then one sheet per table
			x, err := excelize.OpenReader(bytes.NewReader(body(t, get(t, app, pg.path+"?format=xlsx"))))
			if err != nil {
				t.Fatal(err)
			}
			sheets := x.GetSheetList()
			if len(sheets) != len(tables)+1 || sheets[0] != readmeSheet {
				t.Fatalf("sheets %q for %d tables", sheets, len(tables))
			}
			lire, _ := x.GetRows(readmeSheet)
			var lireText []string
			for _, r := range lire {
				lireText = append(lireText, strings.Join(r, " "))
			}
			if got := strings.Contains(strings.Join(lireText, "\n"), "Données de démonstration"); got != (demoRows > 0) {
				t.Errorf("« À lire » demonstration notice %v, tagged rows %d", got, demoRows)
			}
			for _, ht := range tables {
				name := ht.id // sheets are named by the table ids (short enough here)
				if !slices.Contains(sheets, name) {
					t.Errorf("no sheet %q in %q", name, sheets)
					continue
				}
				rows, err := x.GetRows(name)
				if err != nil || len(rows) == 0 {
					t.Fatalf("sheet %s: %v", name, err)
				}
				et := exportedTable{head: rows[0]}
				csvT := readCSV(t, files[ht.id+".csv"])
				for k, r := range rows[1:] {
					for len(r) < len(et.head) {
						r = append(r, "")
					}
					// numbers as numbers: the CSV's decimal comma is a number here
					for j := range r {
						if k < len(csvT.rows) && j < len(csvT.rows[k]) && csvT.rows[k][j] != r[j] && csvT.rows[k][j] == strings.Replace(r[j], ".", ",", 1) {
							r[j] = csvT.rows[k][j]
						}
					}
					et.rows = append(et.rows, r)
				}
				checkExported(t, "xlsx/"+name, ht, et)
				checkSheetTypes(t, x, name, et, csvT)
			}
		})
	}
}

func demoRowsOf(ht htmlTable) int {
	n := 0
	for _, d := range ht.demo {
		if d {
			n++
		}
	}
	return n
}

// checkSheetTypes: header frozen, columns wide enough, numbers stored as
// numbers and codes as text (leading zeros kept).
func checkSheetTypes(t *testing.T, x *excelize.File, sheet string, et, csvT exportedTable) {
	t.Helper()
	panes, err := x.GetPanes(sheet)
	if err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("%s: header not frozen (%+v, %v)", sheet, panes, err)
	}
	number := regexp.MustCompile(`^-?\d+(,\d+)?$`)
	checked := map[string]bool{}
	for j, h := range et.head {
		colName, _ := excelize.ColumnNumberToName(j + 1)
		w, err := x.GetColWidth(sheet, colName)
		if err != nil || w < float64(min(60, len([]rune(h)))) {
			t.Errorf("%s: column %q is %.1f wide", sheet, h, w)
		}
		for i := range min(len(csvT.rows), 30) {
			if j >= len(csvT.rows[i]) {
				continue
			}
			v := csvT.rows[i][j]
			if v == "" {
				continue
			}
			ref, _ := excelize.CoordinatesToCellName(j+1, i+2)
			typ, err := x.GetCellType(sheet, ref)
			if err != nil {
				t.Fatal(err)
			}
			isText := typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString
			switch {
			case idColumnNames[h] && !isText:
				t.Errorf("%s %s (%s = %q): identifier not stored as text (type %v)", sheet, ref, h, v, typ)
			case !idColumnNames[h] && number.MatchString(v) && isText:
				t.Errorf("%s %s (%s = %q): number stored as text", sheet, ref, h, v)
			default:
				checked[h] = true
			}
		}
	}
	if len(checked) == 0 {
		t.Errorf("%s: no cell checked", sheet)
	}
}

// TestExportsDemoRowsFromData: on 0353053D, whose establishment ×
// formation figures all come from synthetic files (the database says
// so), every row of the formations table carries the tag; on 0220070G,
// whose figures all come from real files, no row does and no export
// mentions demonstration data.
func TestExportsDemoRowsFromData(t *testing.T) {
	app, pool := siteTestApp(t)
	synth := scalar[int64](t, pool, `SELECT count(*) FROM ij_uai_formation u JOIN import_files fi ON fi.id = u.file_id WHERE u.uai = '0353053D' AND fi.synthetic`)
	real := scalar[int64](t, pool, `SELECT count(*) FROM ij_uai_formation u JOIN import_files fi ON fi.id = u.file_id WHERE u.uai = '0353053D' AND NOT fi.synthetic`)
	if synth == 0 || real != 0 {
		t.Fatalf("0353053D: %d synthetic and %d real pair rows; the test wants only synthetic ones", synth, real)
	}
	d := doc(t, get(t, app, "/etablissements/0353053D"))
	rows := d.Find("#formations tbody tr")
	if rows.Length() == 0 {
		t.Fatal("no formation row")
	}
	rows.Each(func(i int, tr *goquery.Selection) {
		tag := tr.Children().First().Find(".vi-demo")
		if tag.Length() != 1 || !strings.Contains(tag.Text(), "chiffres fictifs de démonstration") {
			t.Errorf("formation row %d (%s): tag %q", i, strings.TrimSpace(tr.Children().First().Text()), tag.Text())
		}
	})
	// the history rows come from the real DEPP files: no tag
	if n := d.Find("[id^=historique-] tr .vi-demo").Length(); n > 0 {
		t.Errorf("%d history rows tagged, their files are real", n)
	}
	if scalar[bool](t, pool, `SELECT bool_or(fi.synthetic) FROM ij_etab e JOIN import_files fi ON fi.id = e.file_id WHERE e.uai = '0353053D'`) {
		t.Fatal("0353053D's establishment figures are synthetic: the check above does not hold")
	}

	if scalar[bool](t, pool, `SELECT bool_or(fi.synthetic) FROM ij_etab e JOIN import_files fi ON fi.id = e.file_id WHERE e.uai = '0220070G'`) ||
		scalar[int64](t, pool, `SELECT count(*) FROM ij_uai_formation WHERE uai = '0220070G'`) > 0 {
		t.Fatal("0220070G has synthetic figures: pick another real-only establishment")
	}
	real2 := body(t, get(t, app, "/etablissements/0220070G"))
	if bytes.Contains(real2, []byte("vi-demo")) {
		t.Error("the real-only establishment shows a « démo » tag or note")
	}
}

// TestExportJSONAgrees: the establishment page's JSON (the API view)
// gives the figures its tables and exports show.
func TestExportJSONAgrees(t *testing.T) {
	app, _ := siteTestApp(t)
	const uai = "0353053D"
	var api struct {
		Chiffres []struct {
			Millesime       string `json:"millesime"`
			Voie            string `json:"voie"`
			SousPopulation  string `json:"sous_population"`
			TauxEmploi6Mois *int   `json:"taux_emploi_6_mois"`
			Source          struct {
				Demonstration bool `json:"demonstration"`
			} `json:"source"`
		} `json:"chiffres"`
		Formations []struct {
			Code    string `json:"code"`
			Voie    string `json:"voie"`
			Dernier *struct {
				Millesime       string `json:"millesime"`
				TauxEmploi6Mois *int   `json:"taux_emploi_6_mois"`
				Demonstration   bool   `json:"demonstration"`
			} `json:"dernier"`
		} `json:"formations"`
	}
	if err := json.Unmarshal(body(t, get(t, app, "/etablissements/"+uai+"?format=json")), &api); err != nil {
		t.Fatal(err)
	}
	read := func(table string) exportedTable {
		return readCSV(t, body(t, get(t, app, "/etablissements/"+uai+"?format=csv&table="+table)))
	}
	index := func(et exportedTable, name string) int {
		for i, h := range et.head {
			if h == name {
				return i
			}
		}
		t.Fatalf("no column %q in %q", name, et.head)
		return -1
	}
	found := 0
	for _, f := range api.Chiffres {
		if f.SousPopulation != "ensemble" {
			continue
		}
		et := read("historique-" + f.Voie)
		m, taux, demo := index(et, "millesime"), index(et, indTauxEmploi6.column().Label), index(et, demoColumn)
		for _, r := range et.rows {
			if r[m] != f.Millesime {
				continue
			}
			found++
			want := "(absent)"
			if f.TauxEmploi6Mois != nil {
				want = strconv.Itoa(*f.TauxEmploi6Mois)
			}
			if got := r[taux]; (f.TauxEmploi6Mois != nil && got != want) || (f.TauxEmploi6Mois == nil && regexp.MustCompile(`^\d+$`).MatchString(got)) {
				t.Errorf("%s %s: CSV taux %q, JSON %s", f.Voie, f.Millesime, got, want)
			}
			if r[demo] != ouiNon(f.Source.Demonstration) {
				t.Errorf("%s %s: CSV demonstration %q, JSON %v", f.Voie, f.Millesime, r[demo], f.Source.Demonstration)
			}
		}
	}
	et := read("formations")
	code, cfd, mef, taux, demo := index(et, "voie"), -1, -1, index(et, indTauxEmploi6.column().Label), index(et, demoColumn)
	for i, h := range et.head {
		switch h {
		case "cfd":
			cfd = i
		case "mefstat11":
			mef = i
		}
	}
	for _, f := range api.Formations {
		if f.Dernier == nil {
			continue
		}
		for _, r := range et.rows {
			if r[code] != f.Voie || (safeIndex(r, cfd) != f.Code && safeIndex(r, mef) != f.Code) {
				continue
			}
			found++
			if f.Dernier.TauxEmploi6Mois != nil && r[taux] != strconv.Itoa(*f.Dernier.TauxEmploi6Mois) {
				t.Errorf("formation %s: CSV taux %q, JSON %d", f.Code, r[taux], *f.Dernier.TauxEmploi6Mois)
			}
			if r[demo] != ouiNon(f.Dernier.Demonstration) {
				t.Errorf("formation %s: CSV demonstration %q, JSON %v", f.Code, r[demo], f.Dernier.Demonstration)
			}
		}
	}
	if found < 2 {
		t.Fatalf("only %d rows matched between JSON and CSV", found)
	}
}
