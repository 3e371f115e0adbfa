package web

import (
	"strings"

	"github.com/gofiber/fiber/v2"
)

// apiDocPage is GET /api: the API told in French, for people (the
// machine-readable description is /api/v1/openapi.json).
type apiDocPage struct {
	basePage
	Base       string // BASE_URL, for the examples
	Routes     []apiRouteDoc
	RateLimit  int
	RateWindow int // seconds
}

// apiRouteDoc is one route of the page, with its curl examples.
type apiRouteDoc struct {
	ID       string
	Method   string // "" for GET
	Path     string
	Summary  string
	Params   []apiParamDoc
	Body     []apiParamDoc // what a POST sends
	Examples []string
	// CurlOptions go before the address in the examples (a POST's body).
	CurlOptions string
}

type apiParamDoc struct{ Name, Doc string }

var apiPageParamPage = []apiParamDoc{
	{"page", "numéro de page, à partir de 1 ; au-delà de la dernière, la dernière"},
	{"par_page", "éléments par page, de 1 à 1 000 (100 par défaut)"},
	{"format", "json (par défaut) ou csv ; l'en-tête Accept: text/csv donne aussi le CSV"},
}

// apiRoutes are the routes of the page, in the order a reader meets them.
func apiRoutes() []apiRouteDoc {
	return []apiRouteDoc{
		{ID: "liste-etablissements", Path: "/api/v1/etablissements", Summary: "Les établissements qui ont au moins un chiffre, par ordre d'UAI.",
			Params: append([]apiParamDoc{{"region", "code INSEE de la région (53 : Bretagne)"}, {"academie", "code ou nom de l'académie"},
				{"departement", "code (035 ou 35) ou nom du département"}, {"type", "type d'établissement (Lycée, Collège…), sans tenir compte des majuscules ni des accents"},
				{"voie", "scolaire, apprentissage ou superieur"}}, apiPageParamPage...),
			Examples: []string{"/api/v1/etablissements?region=53&voie=apprentissage&par_page=20", "/api/v1/etablissements?departement=035&format=csv"}},
		{ID: "liste-formations", Path: "/api/v1/formations", Summary: "Les formations qui ont des chiffres : CFD, puis diplômes de l'enseignement supérieur (SISE).",
			Params: append([]apiParamDoc{{"niveau", "niveau de diplôme : CAP, BAC PRO, BTS…"}, {"voie", "scolaire, apprentissage ou superieur"},
				{"famille", "famille de métiers (identifiant court, par exemple metiers-de-la-relation-client, ou nom)"}}, apiPageParamPage...),
			Examples: []string{"/api/v1/formations?niveau=CAP&voie=apprentissage", "/api/v1/formations?famille=metiers-de-la-relation-client"}},
		{ID: "etablissement", Path: "/api/v1/etablissements/{uai}", Summary: "Un établissement : identité, chiffres propres par millésime, formations avec chiffres.",
			Examples: []string{"/api/v1/etablissements/0010001W"}},
		{ID: "etablissement-formation", Path: "/api/v1/etablissements/{uai}/formations/{code}", Summary: "Une formation dans un établissement, millésime par millésime, à côté de la région et de la France.",
			Examples: []string{"/api/v1/etablissements/0751497V/formations/50022137", "/api/v1/etablissements/0062205P/formations/2500249"}},
		{ID: "formation", Path: "/api/v1/formations/{code}", Summary: "Une formation (CFD, MEFSTAT11 ou SISE) : chiffres nationaux et régionaux complets, établissements une page à la fois.",
			Params:   append([]apiParamDoc{{"region", "ne garder que les établissements d'une région (code INSEE)"}}, apiPageParamPage...),
			Examples: []string{"/api/v1/formations/40030004?page=2&par_page=500", "/api/v1/formations/40030004?region=53&format=csv"}},
		{ID: "region", Path: "/api/v1/regions/{code}", Summary: "Une région (code INSEE) : chiffres par niveau, chiffres clés, contexte d'emploi, formations une page à la fois.",
			Params: apiPageParamPage, Examples: []string{"/api/v1/regions/53", "/api/v1/regions/53?page=2"}},
		{ID: "recherche", Path: "/api/v1/recherche", Summary: "Les résultats de la recherche du site.",
			Params: []apiParamDoc{{"q", "mots cherchés"}, {"type", "etablissement ou formation"}, {"region", "code INSEE"}, {"academie", "code de l'académie"},
				{"voie", "scolaire, apprentissage ou superieur"}, {"niveau", "niveau de diplôme"}, {"page", "numéro de page"}, {"par_page", "résultats par page"}},
			Examples: []string{"/api/v1/recherche?q=cuisine+rennes"}},
		{ID: "suggestions", Path: "/api/v1/suggestions", Summary: "Ce que propose la boîte de recherche pendant la frappe.",
			Params: []apiParamDoc{{"q", "mots tapés (le dernier est un début de mot)"}, {"n", "nombre de propositions, au plus 100"}}, Examples: []string{"/api/v1/suggestions?q=boulang"}},
		{ID: "couverture", Method: "POST", Path: "/api/v1/couverture", Summary: "La couverture d'un catalogue : pour chaque ligne (UAI × code de formation), " +
			"le site publie-t-il des chiffres, comment les trouve-t-il, ou pourquoi n'en a-t-il pas ; avec un résumé par étape, résultat, voie et niveau. Rien n'est stocké.",
			Params: []apiParamDoc{{"millesime", "le millésime regardé (2021_2022, ou 2022 pour InserSup) ; par défaut le dernier de chaque voie"}},
			Body: []apiParamDoc{{"text/csv ou text/plain", "le catalogue lui-même : « uai;code », colonnes facultatives voie, libelle et id, au plus 50 000 lignes (voir la page Analyser la couverture d'un catalogue)"},
				{"multipart/form-data", "le champ fichier (le CSV) ou lignes (les lignes collées ; donnees en est synonyme), et millesime"}},
			CurlOptions: "-X POST --data-binary @catalogue.csv -H 'Content-Type: text/csv'",
			Examples:    []string{"/api/v1/couverture", "/api/v1/couverture?millesime=2021_2022"}},
		{ID: "openapi", Path: "/api/v1/openapi.json", Summary: "La description OpenAPI 3.1 de toutes ces adresses, de leurs paramètres, réponses et erreurs.",
			Examples: []string{"/api/v1/openapi.json"}},
	}
}

// apiPage is GET /api.
func (s *Server) apiPage(c *fiber.Ctx) error {
	return s.serve(c, func(st dataState) (*built, error) {
		p := &apiDocPage{Base: strings.TrimSuffix(s.cfg.BaseURL, "/"), Routes: apiRoutes(), RateLimit: s.cfg.RateLimit, RateWindow: int(s.cfg.RateWindow.Seconds())}
		p.basePage = s.newBase(st, "API : les chiffres d'insertion en JSON et en CSV",
			"L'API ouverte de Vitrine InserJeunes : établissements, formations et régions en JSON ou CSV, sans clé, avec le secret statistique appliqué.", "/api")
		p.Breadcrumb = []crumb{{Label: "API", URL: "/api"}}
		return s.htmlPage("pages/api", p)
	})
}
