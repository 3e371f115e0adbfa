package web

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// demoNote says what the « démo » tag of a row means (under a table that
// has one, and in the LISEZMOI of an export that holds one).
const demoNote = "Les lignes marquées « démo » reposent sur des chiffres fictifs de démonstration, générés pour montrer le site : ce ne sont pas des chiffres officiels."

// readmeLine is one line of the LISEZMOI (and of the « À lire » sheet).
type readmeLine struct {
	text    string
	heading bool
}

// readmeLines is what an export says about itself: the page, its tables
// and their identifier columns, the sources with their files and
// millésimes, the definitions of the indicators, the secret statistique,
// and the demonstration notice when a row rests on synthetic data.
func readmeLines(b *basePage, sheets []exportSheet, f string) []readmeLine {
	var out []readmeLine
	h := func(s string) { out = append(out, readmeLine{text: s, heading: true}) }
	l := func(s string) { out = append(out, readmeLine{text: s}) }
	h("Vitrine InserJeunes — " + b.Title)
	l("Page : " + b.Canonical())
	if b.DataVersion > 0 {
		l(fmt.Sprintf("Données : import n° %d.", b.DataVersion))
	}
	var demoTables []string
	for _, s := range sheets {
		if s.t.HasDemo() {
			demoTables = append(demoTables, s.t.Caption)
		}
	}
	if len(demoTables) > 0 {
		h("Données de démonstration")
		l(demoNote + " Dans ces exports, la colonne « " + demoColumn + " » vaut « oui » sur ces lignes. Tableaux concernés : " + strings.Join(demoTables, " ; ") + ".")
	}
	h("Tableaux")
	for _, s := range sheets {
		where := "onglet « " + strings.TrimSuffix(csvName(s.t), ".csv") + " »"
		if f == "csv" {
			where = "fichier " + csvName(s.t)
		}
		l(fmt.Sprintf("%s : %s (%s).", where, s.t.Caption, nOf(len(s.rows), "ligne", "lignes")))
	}
	h("Colonnes")
	l("Chaque ligne commence par ses identifiants (pour joindre ces chiffres à d'autres fichiers), puis reprend les colonnes du tableau de la page, avec les mêmes libellés et les mêmes valeurs ; les taux sont en pourcentage entier, la valeur ajoutée en points.")
	seen := map[string]bool{}
	for _, s := range sheets {
		for _, f := range s.ids {
			if !seen[f.name] {
				seen[f.name] = true
				l("- " + f.name + " : " + f.doc + ".")
			}
		}
	}
	l("- " + demoColumn + " : « oui » si la ligne repose sur des chiffres fictifs de démonstration, « non » sinon.")
	l("Une valeur absente n'est jamais remplacée par 0 : la cellule donne la raison en toutes lettres, dans les mêmes mots que la page (secret statistique, non diffusé par le producteur, millésime absent…).")
	h("Sources")
	for _, s := range readmeSources(sheets) {
		l("- " + s)
	}
	h("Définitions")
	defs := []string{"millesime", "voie"}
	for _, s := range sheets {
		for _, c := range s.t.Columns {
			if c.Def != "" && !slices.Contains(defs, c.Def) {
				defs = append(defs, c.Def)
			}
		}
	}
	for _, id := range defs {
		if d, ok := glossaryEntry(id); ok {
			l(d.Term + " : " + d.Text)
		}
	}
	h("Secret statistique")
	if d, ok := glossaryEntry("secret-statistique"); ok {
		l(d.Text)
	}
	l("Définitions complètes et précautions de lecture : " + b.BaseURL + "/a-propos/donnees")
	return out
}

func glossaryEntry(id string) (definition, bool) {
	i := slices.IndexFunc(glossary, func(d definition) bool { return d.ID == id })
	if i < 0 {
		return definition{}, false
	}
	return glossary[i], true
}

// readmeSources lists the files the rows come from, each with the
// millésimes of the rows that use it.
func readmeSources(sheets []exportSheet) []string {
	type key struct {
		file string
		run  int64
	}
	var order []key
	srcs := map[key]model.Source{}
	mills := map[key][]string{}
	for _, s := range sheets {
		for _, r := range s.t.Rows {
			for _, src := range r.sources {
				k := key{src.Fichier, src.ImportRun}
				if _, ok := srcs[k]; !ok {
					order = append(order, k)
					srcs[k] = src
				}
				if r.IDs.Millesime != "" && !slices.Contains(mills[k], r.IDs.Millesime) {
					mills[k] = append(mills[k], r.IDs.Millesime)
				}
			}
		}
	}
	slices.SortFunc(order, func(a, b key) int { return strings.Compare(a.file, b.file) })
	var out []string
	for _, k := range order {
		src := srcs[k]
		s := joinNonEmpty(" — ", src.Producteur, src.Fichier)
		if k.run > 0 {
			s += fmt.Sprintf(" (import n° %d)", k.run)
		}
		if ms := mills[k]; len(ms) > 0 {
			s += " : " + millesimeLabels(model.SortMillesimes(ms))
		}
		if src.Demonstration {
			s += " — fichier de démonstration, chiffres fictifs"
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		out = append(out, "référentiels et fichiers listés sur la page « Les données » du site.")
	}
	return out
}

// linkTables gives each table of page b its own CSV and XLSX links, and
// the page's links their size (tables, rows). Call it before a table is
// cut into pages.
func linkTables(b *basePage, tables []*dataTable) {
	n, rows := 0, 0
	for _, t := range tables {
		if t == nil {
			continue
		}
		t.ExportPath, t.ExportRows = b.Path, len(t.Rows)
		n++
		rows += len(t.Rows)
	}
	size := fmt.Sprintf("%d tableau%s, %s", n, pluralX(n), nOf(rows, "ligne", "lignes"))
	for i := range b.Exports {
		switch b.Exports[i].Format {
		case "csv":
			b.Exports[i].Detail = "ZIP : un fichier CSV par tableau et un LISEZMOI (" + size + ")"
		case "xlsx":
			b.Exports[i].Detail = fmt.Sprintf("un onglet « À lire » et un onglet par tableau (%s)", size)
		}
	}
}

func pluralX(n int) string {
	if n > 1 {
		return "x"
	}
	return ""
}

// TableExportURL is the link of one table's export (csv, xlsx).
func (t *dataTable) TableExportURL(format string) string {
	return t.ExportPath + "?" + url.Values{"format": {format}, "table": {t.ID}}.Encode()
}

// DemoNote is the sentence under a table that has synthetic rows.
func (t *dataTable) DemoNote() string { return demoNote }
