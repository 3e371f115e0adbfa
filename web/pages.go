package web

import (
	"html/template"
	"net/url"
	"strings"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// basePage is embedded in every page struct: what the layout needs.
type basePage struct {
	// Title is the page's own title; the layout appends the site name.
	Title string
	// Description is the meta description, written from the data.
	Description string
	// Path is the canonical path of the page ("/etablissements/0010001W");
	// BaseURL its scheme and host: the canonical link is BaseURL+Path.
	Path    string
	BaseURL string
	// Breadcrumb lists the ancestors of the page; the page itself is last.
	Breadcrumb []crumb
	// Demo is true when synthetic (demonstration) data is loaded;
	// DemoBlocks names the blocks of this page that show some (markDemo):
	// the notice appears only when there is one.
	Demo       bool
	DemoBlocks []string
	// DataVersion is the id of the last import run.
	DataVersion int64
	// Query prefills the header search box.
	Query string
	// Exports are the download links of a data page (CSV, XLSX, JSON).
	Exports []exportLink
	// NoIndex asks robots not to index the page (errors, search results).
	NoIndex bool
	// SignalerURL is the « Signaler une erreur » link of a data page,
	// prefilled (signalerURL); AvisSignalement shows « un signalement est
	// en cours d'examen » (an open request staff marked public).
	SignalerURL     string
	AvisSignalement bool
	// Content is the rendered page inside the layout (renderPage).
	Content template.HTML
	// Feeds are the page's Atom feeds (<link rel="alternate">).
	Feeds []feedLink
}

// feedLink is a feed a page announces.
type feedLink struct {
	Title string
	URL   string
}

// crumb is one breadcrumb item.
type crumb struct {
	Label string
	URL   string
}

// fact is one labelled value of an identity block (« Niveau : BAC PRO »).
type fact struct {
	Label string
	Value string
}

// exportLink is one download link.
type exportLink struct {
	Format string // csv, xlsx, json
	Label  string // "CSV"
	URL    string
	Detail string // "tableur, séparateur point-virgule"
}

// Canonical is the absolute canonical URL.
func (b *basePage) Canonical() string { return b.BaseURL + b.Path }

// base returns the embedded base (pages are passed around as any).
func (b *basePage) base() *basePage { return b }

type page interface{ base() *basePage }

// exportLinks builds the CSV/XLSX/JSON links of a data page at path.
func exportLinks(path string, q url.Values) []exportLink {
	mk := func(format string) string {
		v := url.Values{}
		for k, vs := range q {
			if k != "format" {
				v[k] = vs
			}
		}
		v.Set("format", format)
		return path + "?" + v.Encode()
	}
	return []exportLink{
		{Format: "csv", Label: "Tous les tableaux en CSV", URL: mk("csv"), Detail: "ZIP : un fichier CSV par tableau et un LISEZMOI"},
		{Format: "xlsx", Label: "Tous les tableaux en Excel (XLSX)", URL: mk("xlsx"), Detail: "un onglet « À lire » et un onglet par tableau"},
		{Format: "json", Label: "JSON", URL: mk("json"), Detail: "les données de l'API"},
	}
}

// errorPage is the HTML error page (404, 400, 500).
type errorPage struct {
	basePage
	Status  int
	Heading string
	Message string
	// Suggestions are links offered on a 404.
	Suggestions []crumb
}

// homePage is "/".
type homePage struct {
	basePage
	Stats    model.SiteStats
	Examples []crumb
	Regions  []crumb
	// MillesimeRange words the millésimes of the InserJeunes figures
	// (« des promotions 2018 et 2019 aux promotions 2022 et 2023 »).
	MillesimeRange string
	National       []nationalBlock
	// Maps are the maps of the taux d'emploi à 6 mois by région, one per
	// voie, each with its table.
	Maps []homeMap
}

// nationalBlock is the France-wide headline of one voie on the home page.
type nationalBlock struct {
	Label, Millesime string
	Headline         []headlineFigure
	Parts            *chart
	// Provenance says how the figure was summed (agregatPhrase).
	Provenance string
}

// headlineFigure is one big number of a page, with its definition.
type headlineFigure struct {
	Label      string
	Value      string // "54 %", or the reason when missing
	Missing    bool
	Definition string // anchor on /a-propos/donnees
	Detail     string // "attendu : 45 %"
	// Sentence words the value (« sur 100 sortants de formation, 54 ont
	// un emploi salarié en France 6 mois après »); DefText is the
	// in-context definition, shown in a toggle that needs no JavaScript.
	Sentence string
	DefText  string
	// Demo: the figure rests on synthetic (demonstration) data.
	Demo bool
}

// etablissementPage is "/etablissements/{uai}".
type etablissementPage struct {
	basePage
	Etab        etabIdentity
	Voies       []etabVoie
	Formations  *dataTable // formations taught, latest figures vs région and national
	Superieur   *dataTable // InserSup diplomas (universities)
	NoFigure    string     // why the establishment has no figure at all
	Millesimes  []string   // millésimes with figures, most recent first
	SourceNotes []string
	// Familles are the familles de métiers of its bac pro specialties,
	// each linked to the famille page for this establishment.
	Familles []link
}

// etabIdentity is the identity block of an establishment.
type etabIdentity struct {
	UAI, Nom, Type, Statut, Adresse, CodePostal, Commune string
	Departement, Academie, Region                        link
}

// link is a labelled link; URL may be empty.
type link struct {
	Label string
	URL   string
}

// etabVoie is the block of one voie (scolaire, apprentissage) of an
// establishment: the latest headline figures and the history.
type etabVoie struct {
	Voie           string
	Label          string // "Voie scolaire (lycée professionnel)"
	Latest         string // millésime label of the headline figures
	LatestStatut   string // reason when the latest figure is not published
	Headline       []headlineFigure
	VA             *valeurAjoutee
	PartsChart     *chart
	HistoryChart   *chart
	History        *dataTable
	EmploiPublic   bool // a millésime shown excludes public employment
	SousPopulation []*dataTable
}

// valeurAjoutee explains the valeur ajoutée of the latest figure.
type valeurAjoutee struct {
	Taux, Attendu, VA int
	// Label is « +1 point »; Sentence explains it; Benchmark says why the
	// attendu, not a regional average, is the reference.
	Label, Sentence, Benchmark string
}

// aproposPage is "/a-propos/donnees".
type aproposPage struct {
	basePage
	Runs       []importRunView
	Files      *dataTable
	Notes      []releaseNoteView // every run, the last first (releasenotes.go)
	NotesTable *dataTable
	Millesimes []string
	Glossary   []definition
}

type importRunView struct {
	ID        int64
	Date      string
	Files     int
	Rows      int
	Synthetic bool
}

// definition is one glossary entry; ID is the anchor used by "Définition"
// links across the site.
type definition struct {
	ID, Term, Text string
}

// joinNonEmpty joins the non-empty parts with sep.
func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if strings.TrimSpace(p) != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}
