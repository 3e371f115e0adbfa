package web

import (
	"fmt"
	"html/template"
	"strconv"
	"strings"
)

// chart is a server-rendered SVG chart with its text summary and its data
// table (in a <details>, so it works without JavaScript). The SVG is
// hidden from assistive technologies: the summary and the table carry the
// same information.
type chart struct {
	ID      string
	Title   string
	Summary string
	SVG     template.HTML
	Legend  []legendItem
	Table   *dataTable
	// Definition is the one-line definition of what the chart counts;
	// Class a style variant (vi-chart--devenir for the three parts).
	Definition string
	Class      string
	// Demo: the chart rests on synthetic (demonstration) data.
	Demo bool
}

type legendItem struct {
	Label, Color, Value string
}

// Colours: DSFR blue France, green and grey, each with a contrast ratio
// of at least 4.5:1 against white (for labels drawn on the bars).
var seriesColors = []string{"#000091", "#18753c", "#666666", "#a558a0"}

const (
	chartW    = 640
	fontSize  = 13
	textColor = "#161616"
	gridColor = "#dddddd"
)

type svgBuf struct{ strings.Builder }

func (b *svgBuf) f(format string, a ...any) { fmt.Fprintf(&b.Builder, format, a...) }

func esc(s string) string { return template.HTMLEscapeString(s) }

// partsChart is one horizontal bar of 100 % split into the three parts of
// the leavers: en emploi, en formation, autres situations.
func partsChart(id string, emploi, formation, autres *int, title string) *chart {
	if emploi == nil || formation == nil || autres == nil {
		return nil
	}
	parts := []struct {
		label string
		v     int
	}{{"En emploi", *emploi}, {"En formation", *formation}, {"Autres situations", *autres}}
	total := 0
	for _, p := range parts {
		total += p.v
	}
	if total <= 0 {
		return nil
	}
	const h = 48
	var b svgBuf
	b.f(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" aria-hidden="true" focusable="false">`, chartW, h, chartW, h)
	x := 0.0
	c := &chart{ID: id, Title: title, Definition: defParts, Class: "vi-chart--devenir"}
	for i, p := range parts {
		w := float64(chartW) * float64(p.v) / float64(total)
		col := seriesColors[i]
		b.f(`<rect x="%.1f" y="0" width="%.1f" height="%d" fill="%s"/>`, x, w, h, col)
		if w >= 56 {
			b.f(`<text x="%.1f" y="%d" fill="#ffffff" font-size="%d" font-weight="700" text-anchor="middle">%d %%</text>`, x+w/2, h/2+5, fontSize+2, p.v)
		}
		x += w
		c.Legend = append(c.Legend, legendItem{Label: p.label, Color: col, Value: strconv.Itoa(p.v) + "\u202f%"})
	}
	b.f(`</svg>`)
	c.SVG = template.HTML(b.String())
	c.Summary = fmt.Sprintf("Sur 100 jeunes de dernière année (sortants ou non), %d sont en emploi salarié en France 6 mois après, %d sont en formation et %d dans une autre situation (chômage, inactivité, emploi non salarié ou à l'étranger).",
		parts[0].v, parts[1].v, parts[2].v)
	c.Table = &dataTable{ID: id + "-donnees", Caption: title,
		Columns: []column{{Key: "situation", Label: "Situation"}, {Key: "part", Label: "Part des jeunes (%)", Numeric: true}}}
	for _, p := range parts {
		v := p.v
		c.Table.addRow(false, rowIDs{}, headerCell(p.label, ""), cell{Num: &v, Unit: "%"})
	}
	return c
}

// series is one line of values over the categories of a chart.
type series struct {
	Label  string
	Values []*int
}

// barsChart draws grouped vertical bars (one group per category, one bar
// per series) on a 0–100 % scale; a missing value is marked "n. d.".
// table is the data table of the same values (with the reasons of the
// missing ones), summary the sentence that says what the chart shows.
func barsChart(id, title string, categories []string, ss []series, table *dataTable, summary string) *chart {
	if len(categories) == 0 || len(ss) == 0 {
		return nil
	}
	any := false
	for _, s := range ss {
		for _, v := range s.Values {
			if v != nil {
				any = true
			}
		}
	}
	if !any {
		return nil
	}
	const (
		h, top, bottom, left, right = 260, 20, 40, 40, 8
	)
	plotH := float64(h - top - bottom)
	plotW := float64(chartW - left - right)
	groupW := plotW / float64(len(categories))
	barW := groupW * 0.8 / float64(len(ss))
	if barW > 56 {
		barW = 56
	}
	var b svgBuf
	b.f(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" aria-hidden="true" focusable="false">`, chartW, h, chartW, h)
	for _, g := range []int{0, 25, 50, 75, 100} {
		y := float64(top) + plotH*(1-float64(g)/100)
		b.f(`<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="%s" stroke-width="1"/>`, left, y, chartW-right, y, gridColor)
		b.f(`<text x="%d" y="%.1f" fill="%s" font-size="%d" text-anchor="end">%d %%</text>`, left-6, y+4, textColor, fontSize-1, g)
	}
	c := &chart{ID: id, Title: title, Summary: summary, Table: table}
	for gi, cat := range categories {
		gx := float64(left) + groupW*float64(gi)
		inner := barW * float64(len(ss))
		x0 := gx + (groupW-inner)/2
		for si, s := range ss {
			x := x0 + barW*float64(si)
			col := seriesColors[si%len(seriesColors)]
			var v *int
			if gi < len(s.Values) {
				v = s.Values[gi]
			}
			if v == nil {
				b.f(`<text x="%.1f" y="%.1f" fill="%s" font-size="%d" text-anchor="middle">n. d.</text>`, x+barW/2, float64(top)+plotH-4, textColor, fontSize-2)
				continue
			}
			val := *v
			if val < 0 {
				val = 0
			}
			if val > 100 {
				val = 100
			}
			bh := plotH * float64(val) / 100
			b.f(`<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"/>`, x+1, float64(top)+plotH-bh, barW-2, bh, col)
			b.f(`<text x="%.1f" y="%.1f" fill="%s" font-size="%d" text-anchor="middle">%d</text>`, x+barW/2, float64(top)+plotH-bh-4, textColor, fontSize-1, *v)
		}
		b.f(`<text x="%.1f" y="%d" fill="%s" font-size="%d" text-anchor="middle">%s</text>`, gx+groupW/2, h-bottom+18, textColor, fontSize-1, esc(cat))
	}
	b.f(`</svg>`)
	c.SVG = template.HTML(b.String())
	for si, s := range ss {
		c.Legend = append(c.Legend, legendItem{Label: s.Label, Color: seriesColors[si%len(seriesColors)]})
	}
	return c
}

// hbar is one row of a horizontal bar chart.
type hbar struct {
	Label string
	Value *int
	// Missing is the reason when Value is nil.
	Missing string
}

// hbarsChart draws one horizontal bar per row on a 0–100 % scale
// (établissement, région, France…), each row in its own colour.
func hbarsChart(id, title string, rows []hbar, table *dataTable, summary string) *chart {
	return hbarsChartColors(id, title, rows, table, summary, true)
}

// hbarsChartColors draws the bars in one colour unless multi is set.
func hbarsChartColors(id, title string, rows []hbar, table *dataTable, summary string, multi bool) *chart {
	any := false
	for _, r := range rows {
		if r.Value != nil {
			any = true
		}
	}
	if !any {
		return nil
	}
	const (
		rowH, labelW, right = 34, 200, 56
	)
	h := rowH*len(rows) + 8
	plotW := float64(chartW - labelW - right)
	var b svgBuf
	b.f(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" aria-hidden="true" focusable="false">`, chartW, h, chartW, h)
	for i, r := range rows {
		y := float64(4 + rowH*i)
		label := r.Label
		if len([]rune(label)) > 30 {
			label = string([]rune(label)[:29]) + "…"
		}
		b.f(`<text x="%d" y="%.1f" fill="%s" font-size="%d" text-anchor="end">%s</text>`, labelW-8, y+rowH/2+4, textColor, fontSize, esc(label))
		if r.Value == nil {
			b.f(`<text x="%d" y="%.1f" fill="%s" font-size="%d">n. d.</text>`, labelW+4, y+rowH/2+4, textColor, fontSize-1)
			continue
		}
		v := *r.Value
		if v < 0 {
			v = 0
		}
		if v > 100 {
			v = 100
		}
		w := plotW * float64(v) / 100
		col := seriesColors[0]
		if multi {
			col = seriesColors[i%len(seriesColors)]
		}
		b.f(`<rect x="%d" y="%.1f" width="%.1f" height="%d" fill="%s"/>`, labelW, y+4, w, rowH-10, col)
		b.f(`<text x="%.1f" y="%.1f" fill="%s" font-size="%d" font-weight="700">%d %%</text>`, float64(labelW)+w+6, y+rowH/2+4, textColor, fontSize, *r.Value)
	}
	b.f(`</svg>`)
	return &chart{ID: id, Title: title, Summary: summary, Table: table, SVG: template.HTML(b.String())}
}
