package web

import (
	"context"
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// The data release notes: every import run, with what it changed per
// source, data and millésime, on /a-propos/donnees (section « Notes de
// version ») and in an Atom feed. The counts are the importer's
// (import_run_changes); this file only words them.

// releaseNotesShown is how many runs the page and the feed show.
const releaseNotesShown = 30

// feedPath is the Atom feed of the release notes.
const feedPath = "/a-propos/donnees/flux.atom"

// releaseNoteView is one run on the page.
type releaseNoteView struct {
	ID      int64
	Anchor  string
	Date    string
	Summary string
}

// tableLabels words the warehouse tables in the notes.
var tableLabels = map[string]string{
	"ij_etab":                   "chiffres par établissement",
	"ij_uai_formation":          "chiffres par établissement et formation",
	"ij_region_formation":       "chiffres par région et formation",
	"insersup":                  "chiffres InserSup",
	"etablissement_sources":     "fiches des établissements",
	"bcn_formations":            "formations (BCN)",
	"bcn_formation_links":       "diplômes rénovés (BCN)",
	"bcn_mefs":                  "MEF (BCN)",
	"bcn_niveaux":               "niveaux (BCN)",
	"bcn_dispositifs":           "dispositifs (BCN)",
	"bcn_groupes_specialite":    "groupes de spécialité (BCN)",
	"regions":                   "régions",
	"departements":              "départements et académies",
	"certif_info":               "certifications (Certif Info)",
	"rome_fiches":               "fiches métiers (ROME)",
	"rome_appellations":         "appellations métiers (ROME)",
	"rome_domaines":             "domaines professionnels (ROME)",
	"familles_metiers":          "familles de métiers",
	"insee_chomage_region":      "chômage régional (INSEE)",
	"insee_chomage_departement": "chômage départemental (INSEE)",
}

func tableLabel(t string) string {
	if l, ok := tableLabels[t]; ok {
		return l
	}
	return t
}

// noteSummary words what a run changed, or « sans changement ».
func noteSummary(n model.ReleaseNote) string {
	if !n.Changed {
		return "sans changement : les fichiers lus étaient déjà à jour, aucune donnée modifiée"
	}
	a, m, d := n.Totals()
	if a+m+d == 0 {
		return "données modifiées (détail non enregistré pour cet import, antérieur aux notes de version)"
	}
	return fmt.Sprintf("%s, %s, %s", nOf(a, "ligne ajoutée", "lignes ajoutées"), nOf(m, "modifiée", "modifiées"), nOf(d, "supprimée", "supprimées"))
}

func noteMillesime(m string) string {
	if m == "" {
		return "sans objet"
	}
	return millesimeLabels([]string{m})
}

// releaseNotesTable is the detail of every run's changes, one row per run,
// source, data and millésime.
func releaseNotesTable(notes []model.ReleaseNote) *dataTable {
	t := &dataTable{ID: "notes-de-version", Caption: "Notes de version : lignes ajoutées, modifiées et supprimées, par import, source et millésime",
		Columns: []column{{Key: "import", Label: "Import"}, {Key: "source", Label: "Source (format)"}, {Key: "producteur", Label: "Producteur"},
			{Key: "donnees", Label: "Données"}, {Key: "millesime", Label: "Millésime"},
			{Key: "ajoutees", Label: "Ajoutées", Numeric: true}, {Key: "modifiees", Label: "Modifiées", Numeric: true},
			{Key: "supprimees", Label: "Supprimées", Numeric: true}, {Key: "nature", Label: "Nature"}}}
	for _, n := range notes {
		for _, c := range n.Changes {
			nature := "données publiques"
			if c.Synthetic {
				nature = "démonstration (fictif)"
			}
			a, m, d := c.Added, c.Modified, c.Deleted
			// Files, not figures: no « démo » badge (as the files table).
			t.addRow(false, rowIDs{}, cell{Text: fmt.Sprintf("n° %d", n.RunID), URL: "#import-" + strconv.FormatInt(n.RunID, 10)}, textCell(c.Source),
				textCell(c.Producer), textCell(tableLabel(c.Table)), textCell(noteMillesime(c.Millesime)),
				cell{Num: &a}, cell{Num: &m}, cell{Num: &d}, textCell(nature))
		}
	}
	if len(t.Rows) == 0 {
		return nil
	}
	return t
}

// lastRunEntry is the last import run id as last read.
type lastRunEntry struct {
	key string
	at  time.Time
}

// lastRunKey is the cache key suffix of the pages that show the release
// notes: they change with every run, even one « sans changement », which
// makes no new data version. It is read at most once per stateTTL, like
// the data state, and only when the data state answers: during an outage
// the last known key is used, so that serve answers the page stale (or
// fails) at once, as for every other page.
func (s *Server) lastRunKey(c *fiber.Ctx) string {
	e := s.lastRun.Load()
	if e != nil && time.Since(e.at) < stateTTL {
		return e.key
	}
	last := ""
	if e != nil {
		last = e.key
	}
	if _, err := s.state(c.UserContext()); err != nil {
		return last // serve sees the same outage
	}
	ctx, cancel := context.WithTimeout(c.UserContext(), stateTimeout)
	defer cancel()
	id, err := s.store.LastImportRun(ctx)
	if err != nil {
		return last
	}
	key := "run=" + strconv.FormatInt(id, 10)
	s.lastRun.Store(&lastRunEntry{key: key, at: time.Now()})
	return key
}

// Atom 1.0 (RFC 4287).
type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string      `xml:"xml:lang,attr"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Sub     string      `xml:"subtitle"`
	Updated string      `xml:"updated"`
	Links   []atomLink  `xml:"link"`
	Author  atomAuthor  `xml:"author"`
	Entries []atomEntry `xml:"entry"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomAuthor struct {
	Name string `xml:"name"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

type atomEntry struct {
	ID      string   `xml:"id"`
	Title   string   `xml:"title"`
	Updated string   `xml:"updated"`
	Link    atomLink `xml:"link"`
	Summary string   `xml:"summary"`
	Content atomText `xml:"content"`
}

// aproposDonneesFeed is GET /a-propos/donnees/flux.atom: one entry per
// import run, what it changed in its content (plain text).
func (s *Server) aproposDonneesFeed(c *fiber.Ctx) error {
	return s.serveKeyed(c, s.lastRunKey(c), func(st dataState) (*built, error) {
		notes, err := s.store.ReleaseNotes(c.UserContext(), releaseNotesShown)
		if err != nil {
			return nil, err
		}
		base := s.cfg.BaseURL
		page := base + "/a-propos/donnees"
		f := atomFeed{Lang: "fr", ID: base + feedPath, Title: "Vitrine InserJeunes : notes de version des données",
			Sub:     "Chaque import de données : lignes ajoutées, modifiées et supprimées par source et millésime.",
			Updated: time.Unix(0, 0).UTC().Format(time.RFC3339),
			Links:   []atomLink{{Rel: "self", Type: "application/atom+xml", Href: base + feedPath}, {Rel: "alternate", Type: "text/html", Href: page + "#notes"}},
			Author:  atomAuthor{Name: "Vitrine InserJeunes"}}
		if len(notes) > 0 {
			f.Updated = notes[0].FinishedAt.UTC().Format(time.RFC3339)
		}
		for _, n := range notes {
			id := strconv.FormatInt(n.RunID, 10)
			title := "Import n° " + id + " du " + frenchDate(n.FinishedAt)
			if !n.Changed {
				title += " : sans changement"
			}
			var b strings.Builder
			b.WriteString(noteSummary(n) + ".")
			for _, ch := range n.Changes {
				mill := "sans millésime"
				if ch.Millesime != "" {
					mill = "millésime " + noteMillesime(ch.Millesime)
				}
				fmt.Fprintf(&b, "\n%s (%s), %s, %s : %s, %s, %s.", ch.Source, ch.Producer, tableLabel(ch.Table), mill,
					nOf(ch.Added, "ligne ajoutée", "lignes ajoutées"), nOf(ch.Modified, "modifiée", "modifiées"), nOf(ch.Deleted, "supprimée", "supprimées"))
				if ch.Synthetic {
					b.WriteString(" Données de démonstration (fictives).")
				}
			}
			f.Entries = append(f.Entries, atomEntry{ID: page + "#import-" + id, Title: title, Updated: n.FinishedAt.UTC().Format(time.RFC3339),
				Link: atomLink{Rel: "alternate", Type: "text/html", Href: page + "#import-" + id}, Summary: noteSummary(n),
				Content: atomText{Type: "text", Body: b.String()}})
		}
		body, err := xml.MarshalIndent(f, "", "  ")
		if err != nil {
			return nil, err
		}
		return &built{Body: append([]byte(xml.Header), body...), ContentType: "application/atom+xml; charset=utf-8"}, nil
	})
}
