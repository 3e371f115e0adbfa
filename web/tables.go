package web

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// dataTable is one table of a page. The same value renders the HTML table
// and the CSV/XLSX exports, so the exported column names are the labels on
// screen and the exported values went through the same secret statistique.
type dataTable struct {
	ID      string // anchor and export name ("historique-scolaire")
	Caption string
	Columns []column
	Rows    []row
	// Note is shown under the table.
	Note string
	// Sort is the active server-side sort (column key, descending);
	// SortBase is the URL the header links extend (path + other params).
	Sortable bool
	SortKey  string
	SortDesc bool
	SortBase string
	// Param suffixes the query parameters of this table (tri, ordre, page)
	// when a page has several sortable tables.
	Param string
	// ExportPath is the page whose ?format=csv|xlsx&table=<ID> exports
	// this table alone (linkTables); empty for the data tables of charts.
	ExportPath string
	ExportRows int
}

// row is one table row: its cells, whether it rests on synthetic data
// (a figure's Demonstration flag, from the data), and the identifiers the
// exports add (export-only columns, see idFields).
type row struct {
	Cells []cell
	Demo  bool
	IDs   rowIDs
	// sources are the files the row's figures come from (LISEZMOI).
	sources []model.Source
}

// rowIDs are what a ministry analyst joins an exported row on; an empty
// field does not apply to the row.
type rowIDs struct {
	UAI, Etablissement   string
	CFD, MEFSTAT11, SISE string
	LibelleBCN           string // the formation's label as the BCN writes it
	NiveauCode           string
	Millesime            string // canonical form: "2021_2022"
	Voie                 string // scolaire, apprentissage, superieur
	SousPopulation       string
	Region               string // INSEE code
	Departement          string // 3-character referential code ("035")
	Perimetre            string // etablissement, region, france (tables mixing levels)
}

// HasDemo tells whether at least one row of t rests on synthetic data.
func (t *dataTable) HasDemo() bool {
	if t == nil {
		return false
	}
	for _, r := range t.Rows {
		if r.Demo {
			return true
		}
	}
	return false
}

// addRow appends a row of cells with its demonstration flag and identifiers.
func (t *dataTable) addRow(demo bool, ids rowIDs, cells ...cell) *row {
	t.Rows = append(t.Rows, row{Cells: cells, Demo: demo, IDs: ids})
	return &t.Rows[len(t.Rows)-1]
}

// withSources records the files a row's figures come from.
func (r *row) withSources(srcs ...model.Source) *row {
	for _, s := range srcs {
		if s.Fichier != "" {
			r.sources = append(r.sources, s)
		}
	}
	return r
}

// figureIDs are the identifiers of a formation figure: its codes (CFD,
// MEFSTAT11, from the key when the figure does not name them), millésime
// and voie.
func figureIDs(f *model.FormationFigure) rowIDs {
	ids := rowIDs{CFD: f.CFD, MEFSTAT11: f.MEFSTAT11, Millesime: f.Millesime, Voie: f.Voie}
	if code, kind, err := model.ParseFormationCode(f.Code); err == nil {
		switch {
		case kind == model.KindCFD && ids.CFD == "":
			ids.CFD = code
		case kind == model.KindMEFSTAT11 && ids.MEFSTAT11 == "":
			ids.MEFSTAT11 = code
		}
	}
	return ids
}

// formationSources are the files of a formation figure.
func formationSources(f *model.FormationFigure) []model.Source {
	return append([]model.Source{f.Source}, f.AutresSources...)
}

// column is a table column.
type column struct {
	Key     string // stable key (sort parameter)
	Label   string // on-screen label = exported column name
	Numeric bool
	// Def is the glossary anchor of the indicator, Help its one-line
	// definition.
	Def  string
	Help string
}

// cell is one value. Missing cells carry the reason as Text.
type cell struct {
	Text  string
	Num   *int     // numeric value (exports write it as a number)
	Float *float64 // decimal value (InserSup rates, two decimals)
	// Decimals of Float when not two (INSEE unemployment rates: one).
	Decimals int
	Unit     string
	URL      string
	Missing  bool
	// Header marks a row header (th scope=row).
	Header bool
}

func textCell(s string) cell { return cell{Text: s} }

// dropSparseColumn removes the text column key when fewer than half of the
// rows fill it (a « Commune » column empty for most CFAs says nothing and
// hides the figures): the column would be empty for most rows.
func (t *dataTable) dropSparseColumn(key string) {
	i := slices.IndexFunc(t.Columns, func(c column) bool { return c.Key == key })
	if i < 0 || len(t.Rows) == 0 {
		return
	}
	filled := 0
	for _, r := range t.Rows {
		if i < len(r.Cells) && r.Cells[i].Text != "" {
			filled++
		}
	}
	if 2*filled >= len(t.Rows) {
		return
	}
	t.Columns = slices.Delete(t.Columns, i, i+1)
	for k := range t.Rows {
		if i < len(t.Rows[k].Cells) {
			t.Rows[k].Cells = slices.Delete(t.Rows[k].Cells, i, i+1)
		}
	}
}

// numCell is a count.
func numCell(n int) cell { return cell{Num: &n} }

func headerCell(s, url string) cell { return cell{Text: s, URL: url, Header: true} }

// Display is the on-screen text of a cell.
func (c cell) Display() string {
	if c.Float != nil {
		s := c.decimal()
		if c.Unit == "%" {
			s += "\u202f%"
		}
		return s
	}
	if c.Num != nil {
		switch c.Unit {
		case "%":
			return formatInt(*c.Num) + "\u202f%"
		case "pts":
			return pointsOf(*c.Num, true)
		}
		return formatInt(*c.Num)
	}
	return c.Text
}

// Export is the exported text of a cell (numbers without unit, decimal
// comma as French spreadsheets read it).
func (c cell) Export() string {
	if c.Float != nil {
		return c.decimal()
	}
	if c.Num != nil {
		return strconv.Itoa(*c.Num)
	}
	return c.Text
}

// indicator is a figure field shown as a column. Short is its in-context
// definition (shown beside the figure, the glossary has the long one);
// Per100 words a value of it as a sentence a person can quote, with %s
// for the value (« sur 100 sortants de formation, 54 ont un emploi… »).
type indicator struct {
	Ind    model.Indicator // also the column key
	Label  string
	Unit   string
	Def    string
	Short  string
	Per100 string
}

// The one-line definitions. The taux d'emploi counts the leavers only;
// the three parts count every final-year learner: the two are never
// worded alike.
const (
	defTauxEmploi = "Part des sortants de formation (jeunes qui ne poursuivent pas d'études) en emploi salarié en France à la date indiquée. Dénominateur : les sortants."
	defPoursuite  = "Part des jeunes de l'année terminale inscrits en formation (études ou apprentissage) l'année suivante. Dénominateur : l'effectif de l'année terminale."
	defParts      = "Devenir de tous les élèves ou apprentis de dernière année, 6 mois après (en emploi salarié, en formation, autre situation) : les trois parts totalisent 100. Ce n'est pas le taux d'emploi, qui ne compte que les sortants."
	defVA         = "Écart, en points, entre le taux d'emploi à 6 mois observé et le taux attendu pour des jeunes de même profil dans un territoire au même taux de chômage."
	defAttendu    = "Taux d'emploi à 6 mois qu'aurait l'établissement si ses jeunes réussissaient comme la moyenne des jeunes de même profil et de même formation, dans un territoire au même taux de chômage."
	defEffectifs  = "Jeunes inscrits la dernière année de la formation ; les sortants sont ceux d'entre eux qui ne poursuivent pas d'études."
	defRuptures   = "Part des contrats d'apprentissage rompus avant leur terme."
)

// Indicators, in the order of the tables.
var (
	indTauxEmploi6   = indicator{Ind: model.IndTauxEmploi6Mois, Label: "Taux d'emploi à 6 mois", Unit: "%", Def: "taux-emploi", Short: defTauxEmploi, Per100: "sur 100 sortants de formation, %s ont un emploi salarié en France 6 mois après"}
	indTauxPoursuite = indicator{Ind: model.IndTauxPoursuiteEtudes, Label: "Taux de poursuite d'études", Unit: "%", Def: "taux-poursuite-etudes", Short: defPoursuite, Per100: "sur 100 jeunes en année terminale, %s poursuivent leur formation l'année suivante"}
	indAttendu       = indicator{Ind: model.IndTauxEmploi6MoisAttendu, Label: "Taux d'emploi à 6 mois attendu", Unit: "%", Def: "valeur-ajoutee", Short: defAttendu}
	indVA            = indicator{Ind: model.IndValeurAjoutee, Label: "Valeur ajoutée", Unit: "pts", Def: "valeur-ajoutee", Short: defVA}
	indPartEmploi    = indicator{Ind: model.IndPartEmploi6Mois, Label: "Dernière année : en emploi à 6 mois", Unit: "%", Def: "parts", Short: defParts}
	indPartPoursuite = indicator{Ind: model.IndPartPoursuiteEtudes, Label: "Dernière année : en formation", Unit: "%", Def: "parts", Short: defParts}
	indPartAutres    = indicator{Ind: model.IndPartAutresSituations, Label: "Dernière année : autres situations", Unit: "%", Def: "parts", Short: defParts}
	indTauxEmploi12  = indicator{Ind: model.IndTauxEmploi12Mois, Label: "Taux d'emploi à 12 mois", Unit: "%", Def: "taux-emploi", Short: defTauxEmploi}
	indTauxEmploi18  = indicator{Ind: model.IndTauxEmploi18Mois, Label: "Taux d'emploi à 18 mois", Unit: "%", Def: "taux-emploi", Short: defTauxEmploi}
	indTauxEmploi24  = indicator{Ind: model.IndTauxEmploi24Mois, Label: "Taux d'emploi à 24 mois", Unit: "%", Def: "taux-emploi", Short: defTauxEmploi}
	indInterrompus   = indicator{Ind: model.IndTauxContratsInterrompus, Label: "Taux de contrats interrompus", Unit: "%", Def: "contrats-interrompus", Short: defRuptures}
	indNbTerm        = indicator{Ind: model.IndNbAnneeTerm, Label: "Effectif en année terminale", Def: "effectifs", Short: defEffectifs}
	indNbSortant     = indicator{Ind: model.IndNbSortant, Label: "Sortants", Def: "effectifs", Short: defEffectifs}
)

// key is the column key (and sort parameter) of the indicator.
func (in indicator) key() string { return string(in.Ind) }

func (in indicator) column() column {
	l := in.Label
	switch in.Unit {
	case "%":
		l += " (%)"
	case "pts":
		l += " (points)"
	}
	return column{Key: in.key(), Label: l, Numeric: true, Def: in.Def, Help: in.Short}
}

// cellOf is the cell of one indicator of a figure: the value, or the
// reason it is missing, in words (model.Figure.MissingReason).
func (in indicator) cellOf(f *model.Figure) cell {
	if v := f.Value(in.Ind); v != nil {
		return cell{Num: v, Unit: in.Unit}
	}
	return cell{Text: f.MissingReason(in.Ind), Missing: true}
}

// figureColumns and figureCells give the columns and cells of indicators.
func figureColumns(ins ...indicator) []column {
	out := make([]column, len(ins))
	for i, in := range ins {
		out[i] = in.column()
	}
	return out
}

func figureCells(f *model.Figure, ins ...indicator) []cell {
	out := make([]cell, len(ins))
	for i, in := range ins {
		out[i] = in.cellOf(f)
	}
	return out
}

// usedIndicators keeps the indicators that at least one figure publishes,
// plus the always-shown ones.
func usedIndicators(figs []*model.Figure, always []indicator, optional ...indicator) []indicator {
	out := append([]indicator(nil), always...)
	for _, in := range optional {
		for _, f := range figs {
			if f.Value(in.Ind) != nil {
				out = append(out, in)
				break
			}
		}
	}
	return out
}

// sortRows sorts t by the column key (numbers numerically, missing values
// last, text by folded label). Unknown keys leave the order unchanged.
func (t *dataTable) sortRows(key string, desc bool) {
	idx := -1
	for i, c := range t.Columns {
		if c.Key == key {
			idx = i
		}
	}
	if idx < 0 {
		return
	}
	t.SortKey, t.SortDesc = key, desc
	// Sort keys are computed once per row, not once per comparison
	// (folding a label costs a transform chain).
	type sortable struct {
		row  row
		text string
		num  float64
		ok   bool
	}
	numeric := t.Columns[idx].Numeric
	rows := make([]sortable, len(t.Rows))
	for i, r := range t.Rows {
		rows[i].row = r
		rows[i].num, rows[i].ok = r.Cells[idx].number()
		if !rows[i].ok && !numeric {
			rows[i].text = model.Fold(r.Cells[idx].Text)
		}
	}
	slices.SortStableFunc(rows, func(a, b sortable) int {
		var r int
		switch {
		case !a.ok && !b.ok:
			if numeric {
				return 0
			}
			r = strings.Compare(a.text, b.text)
		case !a.ok:
			return 1 // missing last, whatever the order
		case !b.ok:
			return -1
		default:
			r = cmp.Compare(a.num, b.num)
		}
		if desc {
			r = -r
		}
		return r
	})
	for i := range rows {
		t.Rows[i] = rows[i].row
	}
}

// SortURL is the link of a column header: sort by it, toggling the order
// when it is already the active sort.
func (t *dataTable) SortURL(key string) string {
	desc := true
	if t.SortKey == key {
		desc = !t.SortDesc
	}
	sep := "?"
	if strings.Contains(t.SortBase, "?") {
		sep = "&"
	}
	o := "asc"
	if desc {
		o = "desc"
	}
	return t.SortBase + sep + "tri" + t.Param + "=" + key + "&ordre" + t.Param + "=" + o + "#" + t.ID
}

// AriaSort is the aria-sort value of a column header.
func (t *dataTable) AriaSort(key string) string {
	if t.SortKey != key {
		return ""
	}
	if t.SortDesc {
		return "descending"
	}
	return "ascending"
}

// frenchDecimal writes a two-decimal value with a decimal comma ("72,35").
func frenchDecimal(v float64) string {
	return strings.Replace(strconv.FormatFloat(v, 'f', 2, 64), ".", ",", 1)
}

// decimal writes Float with its decimals.
func (c cell) decimal() string {
	return strings.Replace(strconv.FormatFloat(*c.Float, 'f', c.decimals(), 64), ".", ",", 1)
}

// decimals of Float: Decimals, two by default.
func (c cell) decimals() int {
	if c.Decimals > 0 {
		return c.Decimals
	}
	return 2
}

// IsNum tells numeric cells (right-aligned).
func (c cell) IsNum() bool { return c.Num != nil || c.Float != nil }

func (c cell) number() (float64, bool) {
	switch {
	case c.Num != nil:
		return float64(*c.Num), true
	case c.Float != nil:
		return *c.Float, true
	}
	return 0, false
}

// tablePager is the page navigation of a long table.
type tablePager struct {
	Page, Pages, Total, PerPage int
	Label                       string // the table's caption
	// base is the URL without the page parameter; Anchor the table id.
	base, anchor, param string
}

// paginate keeps one page of t's rows (1-based page, clamped).
func (t *dataTable) paginate(page, perPage int, base string) *tablePager {
	n := len(t.Rows)
	pages := (n + perPage - 1) / perPage
	if pages <= 1 {
		return nil
	}
	if page < 1 {
		page = 1
	}
	if page > pages {
		page = pages
	}
	lo, hi := (page-1)*perPage, min(page*perPage, n)
	t.Rows = t.Rows[lo:hi]
	return &tablePager{Page: page, Pages: pages, Total: n, PerPage: perPage, base: base, anchor: t.ID, param: "page" + t.Param, Label: t.Caption}
}

// URL is the link of page n.
func (p *tablePager) URL(n int) string {
	sep := "?"
	if strings.Contains(p.base, "?") {
		sep = "&"
	}
	if n <= 1 {
		return p.base + "#" + p.anchor
	}
	return p.base + sep + p.param + "=" + strconv.Itoa(n) + "#" + p.anchor
}

// Window lists the page numbers around the current one (0 = ellipsis).
func (p *tablePager) Window() []int {
	var out []int
	for n := 1; n <= p.Pages; n++ {
		if n == 1 || n == p.Pages || (n >= p.Page-2 && n <= p.Page+2) {
			out = append(out, n)
		} else if len(out) > 0 && out[len(out)-1] != 0 {
			out = append(out, 0)
		}
	}
	return out
}

// First and Last are the 1-based row numbers shown.
func (p *tablePager) First() int { return (p.Page-1)*p.PerPage + 1 }
func (p *tablePager) Last() int  { return min(p.Page*p.PerPage, p.Total) }
func (p *tablePager) Prev() int  { return p.Page - 1 }
func (p *tablePager) Next() int  { return p.Page + 1 }

// sortByRequest sorts t by the request's tri and ordre (+ t.Param); an
// unknown sort key sorts as by default.
func (t *dataTable) sortByRequest(c *fiber.Ctx, defaultKey string) {
	key := c.Query("tri"+t.Param, defaultKey)
	if !slices.ContainsFunc(t.Columns, func(col column) bool { return col.Key == key }) {
		key = defaultKey
	}
	t.sortRows(key, c.Query("ordre"+t.Param) == "desc")
}

// sortAndPage sorts t from the request (tri, ordre + t.Param) and returns
// a copy holding the requested page, with its pager; t keeps every row
// (the exports).
func (t *dataTable) sortAndPage(c *fiber.Ctx, base func(drop ...string) string, defaultKey string) (*dataTable, *tablePager, error) {
	t.Sortable = true
	t.sortByRequest(c, defaultKey)
	t.SortBase = base("page"+t.Param, "tri"+t.Param, "ordre"+t.Param)
	page, err := pageParam(c, "page"+t.Param)
	if err != nil {
		return nil, nil, err
	}
	shown := *t
	pager := shown.paginate(page, rowsPerPage, base("page"+t.Param))
	return &shown, pager, nil
}

// shortDefinitions are the one-line definitions by glossary anchor (for
// columns that name an indicator without being built from one).
var shortDefinitions = map[string]string{
	"taux-emploi": defTauxEmploi, "taux-poursuite-etudes": defPoursuite, "parts": defParts,
	"valeur-ajoutee": defVA, "effectifs": defEffectifs, "contrats-interrompus": defRuptures,
}

// columnDefinition is one in-context definition under a table.
type columnDefinition struct {
	Label, Text, Anchor string
}

// Definitions are the in-context definitions of the table's indicator
// columns (one per definition: the three parts share theirs), shown in a
// toggle under the table, each linked to the glossary.
func (t *dataTable) Definitions() []columnDefinition {
	var out []columnDefinition
	seen := map[string]int{}
	for _, c := range t.Columns {
		text := c.Help
		if text == "" {
			text = shortDefinitions[c.Def]
		}
		if text == "" {
			continue
		}
		if i, ok := seen[text]; ok {
			out[i].Label += ", " + c.Label
			continue
		}
		seen[text] = len(out)
		out = append(out, columnDefinition{Label: c.Label, Text: text, Anchor: c.Def})
	}
	return out
}
