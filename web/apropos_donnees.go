package web

import (
	"fmt"
	"time"
	_ "time/tzdata" // dates are shown in Europe/Paris whatever the host has

	"github.com/gofiber/fiber/v2"
)

// aproposDonnees is GET /a-propos/donnees: sources, millésimes, import
// runs, definitions, caveats and glossary.
func (s *Server) aproposDonnees(c *fiber.Ctx) error {
	f, err := format(c)
	if err != nil {
		return err
	}
	if f == "json" {
		return errBadRequest("cette page n'a pas de vue JSON : les imports sont exportables en CSV ou XLSX")
	}
	// The release notes show every run, even one « sans changement ».
	return s.serveKeyed(c, s.lastRunKey(c), func(st dataState) (*built, error) {
		runs, err := s.store.ImportRuns(c.UserContext())
		if err != nil {
			return nil, err
		}
		p := &aproposPage{Glossary: glossary}
		p.basePage = s.newBase(st, "Les données : sources, définitions, précautions", "", "/a-propos/donnees")
		p.Feeds = []feedLink{{Title: "Notes de version des données (Atom)", URL: feedPath}}
		notes, err := s.store.ReleaseNotes(c.UserContext(), releaseNotesShown)
		if err != nil {
			return nil, err
		}
		for _, n := range notes {
			p.Notes = append(p.Notes, releaseNoteView{ID: n.RunID, Anchor: fmt.Sprintf("import-%d", n.RunID), Date: frenchDate(n.FinishedAt), Summary: noteSummary(n)})
		}
		p.NotesTable = releaseNotesTable(notes)
		p.Breadcrumb = []crumb{{Label: "Les données", URL: "/a-propos/donnees"}}
		p.Exports = exportLinks("/a-propos/donnees", nil)[:2]
		files := &dataTable{ID: "fichiers", Caption: "Fichiers importés, par import",
			Columns: []column{{Key: "import", Label: "Import"}, {Key: "date", Label: "Date"}, {Key: "fichier", Label: "Fichier"},
				{Key: "producteur", Label: "Producteur"}, {Key: "format", Label: "Format"}, {Key: "millesimes", Label: "Millésimes"},
				{Key: "lignes", Label: "Lignes lues", Numeric: true}, {Key: "nature", Label: "Nature"}}}
		for _, r := range runs {
			v := importRunView{ID: r.ID, Date: frenchDate(r.FinishedAt), Files: len(r.Files), Rows: r.RowsRead}
			for _, f := range r.Files {
				nature := "données publiques"
				if f.Synthetic {
					nature = "démonstration (fictif)"
					v.Synthetic = true
				}
				n := f.RowsRead
				ms := "sans objet (référentiel)"
				if len(f.Millesimes) > 0 {
					ms = millesimeLabels(f.Millesimes)
				}
				// Synthetic files are named in the « Nature » column: they are
				// files, not figures, and get no « démo » badge.
				files.addRow(false, rowIDs{}, textCell(fmt.Sprintf("n° %d", r.ID)), textCell(v.Date), textCell(f.Name),
					textCell(f.Producer), textCell(f.Format), textCell(ms), cell{Num: &n}, textCell(nature))
			}
			p.Runs = append(p.Runs, v)
		}
		if len(files.Rows) > 0 {
			p.Files = files
		}
		stats, err := s.store.SiteStats(c.UserContext())
		if err != nil {
			return nil, err
		}
		if r := millesimeRange(stats.Millesimes); r != "" {
			p.Millesimes = append(p.Millesimes, fmt.Sprintf("InserJeunes (lycées professionnels et CFA) : %s, %s : %s.",
				nOf(len(stats.Millesimes), "millésime", "millésimes"), r, millesimeLabels(stats.Millesimes)))
		}
		if stats.MillesimeNational != "" {
			p.Millesimes = append(p.Millesimes, "Chiffres régionaux et nationaux : jusqu'aux "+millesimeLabels([]string{stats.MillesimeNational})+
				" (les chiffres nationaux sont la somme des chiffres régionaux).")
		}
		if len(stats.MillesimesSup) > 0 {
			p.Millesimes = append(p.Millesimes, fmt.Sprintf("InserSup (universités) : %s.", millesimeLabels(stats.MillesimesSup)))
		}
		p.Description = "Sources (InserJeunes, InserSup, BCN, annuaire de l'éducation), millésimes, imports, définitions des indicateurs et précautions de lecture de Vitrine InserJeunes."
		if f != "html" {
			return exportTables(c, f, "imports", &p.basePage, []*dataTable{p.Files})
		}
		linkTables(&p.basePage, []*dataTable{p.Files})
		return s.htmlPage("pages/apropos_donnees", p)
	})
}

var frenchMonths = []string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

func frenchDate(t time.Time) string {
	if t.IsZero() {
		return "date inconnue"
	}
	t = t.In(paris)
	return fmt.Sprintf("%d %s %d à %02dh%02d", t.Day(), frenchMonths[t.Month()-1], t.Year(), t.Hour(), t.Minute())
}

// paris is the time zone of the dates shown (UTC when the zone database
// is missing).
var paris = func() *time.Location {
	if l, err := time.LoadLocation("Europe/Paris"); err == nil {
		return l
	}
	return time.UTC
}()

// glossary is the list of definitions; IDs are the anchors of the
// "Définition" links of the site.
var glossary = []definition{
	{ID: "taux-emploi", Term: "Taux d'emploi à 6, 12, 18 ou 24 mois",
		Text: "Part des sortants (jeunes qui n'ont pas poursuivi d'études) en emploi salarié en France 6, 12, 18 ou 24 mois après la fin de leur formation. Le dénominateur est le nombre de sortants : un taux d'emploi n'est publié que si au moins 20 jeunes sont sortis."},
	{ID: "taux-poursuite-etudes", Term: "Taux de poursuite d'études",
		Text: "Part des jeunes inscrits en année terminale qui sont en formation (y compris en apprentissage) l'année suivante. Le dénominateur est l'effectif en année terminale."},
	{ID: "valeur-ajoutee", Term: "Valeur ajoutée et taux d'emploi attendu",
		Text: "Le taux d'emploi attendu est celui qu'aurait l'établissement si ses élèves réussissaient comme la moyenne des élèves de même profil (âge, sexe, niveau, origine sociale, formation suivie) dans un territoire au même taux de chômage. La valeur ajoutée est l'écart, en points, entre le taux d'emploi observé à 6 mois et ce taux attendu : positive, l'établissement insère mieux que prévu."},
	{ID: "parts", Term: "En emploi, en formation, autres situations",
		Text: "Les trois parts décrivent la situation, 6 mois après, de l'ensemble des jeunes de l'année terminale (même dénominateur) : en emploi salarié en France, en formation, ou dans une autre situation (recherche d'emploi, inactivité, emploi non salarié ou à l'étranger). Elles totalisent 100 ; la part « autres situations » est le complément des deux autres, arrondies. Pour un chiffre calculé par le site (France, région, niveau), les trois parts portent sur les chiffres qui publient les trois effectifs (année terminale, poursuite d'études, emploi à 6 mois) : la part « en formation » peut alors différer du taux de poursuite d'études, calculé sur tous les chiffres qui publient ses deux effectifs."},
	{ID: "contrats-interrompus", Term: "Taux de contrats interrompus",
		Text: "Apprentissage : part des contrats d'apprentissage rompus avant leur terme parmi les apprentis de l'établissement."},
	{ID: "effectifs", Term: "Effectif en année terminale, sortants",
		Text: "L'effectif en année terminale compte les jeunes inscrits la dernière année de la formation ; les sortants sont ceux d'entre eux qui ne poursuivent pas d'études l'année suivante."},
	{ID: "millesime", Term: "Millésime",
		Text: "Les chiffres InserJeunes cumulent deux promotions pour être plus robustes : « promotions 2021 et 2022 » (millésime 2021_2022) réunit les jeunes sortis en 2021 et en 2022. Les chiffres nationaux du site sont la somme des chiffres régionaux : ils portent sur les mêmes deux promotions. InserSup compte une promotion de diplômés (« promotion 2021 ») ou deux."},
	{ID: "secret-statistique", Term: "Secret statistique",
		Text: "Aucun taux ne repose sur moins de 20 jeunes : lorsque l'année terminale compte moins de 20 élèves ou apprentis, seul cet effectif est affiché ; un taux d'emploi demande en plus au moins 20 sortants. Le site l'applique partout : pages, exports, API."},
	{ID: "emploi-public", Term: "Emploi public avant 2022",
		Text: "Les taux d'emploi viennent de la déclaration sociale nominative (DSN) des employeurs. L'emploi dans la fonction publique n'y figure qu'à partir des sortants de 2022 : pour les promotions antérieures, les taux d'emploi le sous-estiment."},
	{ID: "dsn", Term: "Champ de l'emploi mesuré",
		Text: "Seul l'emploi salarié en France est mesuré (DSN) : l'emploi non salarié (indépendants, auto-entrepreneurs), à l'étranger ou dans certains régimes particuliers n'est pas compté comme emploi."},
	{ID: "voie", Term: "Voie",
		Text: "Voie scolaire : élèves de lycée professionnel sous statut scolaire (chiffres par MEFSTAT11 de l'année terminale). Apprentissage : apprentis des centres de formation d'apprentis (chiffres par CFD, code du diplôme). Enseignement supérieur : diplômés des universités (InserSup, code SISE)."},
	{ID: "continuum", Term: "Diplôme rénové (continuum)",
		Text: "Quand un diplôme est rénové, il change de code. Si l'ancien et le nouveau diplôme se correspondent un pour un, le site montre les chiffres de l'ancien pour le nouveau lorsqu'il n'en a pas encore, en le disant : « chiffres issus de l'ancien diplôme »."},
	{ID: "raisons", Term: "Chiffre absent",
		Text: "Un chiffre absent est toujours expliqué : sous le seuil de 20 élèves (secret statistique), non diffusé par le producteur, formation non dispensée dans l'établissement, millésime absent, code ou UAI inconnu."},
	{ID: "demonstration", Term: "Données de démonstration",
		Text: "Le jeu de démonstration complète les fichiers publics par des fichiers fictifs au format réel (chiffres par établissement et formation, InserSup). Chaque chiffre fictif porte la mention « démo » là où il apparaît (ligne de tableau, carte, graphique), les pages qui en montrent le disent en tête et les exports les signalent (colonne « demonstration ») : ces chiffres ne sont pas officiels. Ils ne remplacent jamais un chiffre réel du même périmètre et ne servent jamais aux chiffres clés d'un établissement."},
}
