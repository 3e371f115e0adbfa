package web

import "github.com/gofiber/fiber/v2"

// routes is the map of the site.
func (s *Server) routes(app *fiber.App) {
	app.Get("/", s.home)
	app.Get("/healthz", s.healthz)
	app.Get("/readyz", s.readyz)

	// pages (HTML; ?format=csv|xlsx|json on data pages)
	app.Get("/recherche", s.recherche)
	app.Get("/etablissements/:uai", s.etablissementShow)
	app.Get("/etablissements/:uai/formations/:code", s.etablissementFormationShow)
	app.Get("/formations/:code", s.formationShow)
	app.Get("/familles-metiers/:slug", s.familleShow)
	app.Get("/regions/:code", s.regionShow)
	app.Get("/academies/:code", s.academieShow)
	app.Get("/etablissements/:uai/kit", s.kitEtablissement)
	app.Get("/etablissements/:uai/formations/:code/kit", s.kitEtablissementFormation)
	app.Get("/a-propos/donnees", s.aproposDonnees)
	app.Get("/api", s.apiPage)

	// badges (SVG, PNG, PDF) and the embeddable widget
	app.Get("/badges/etablissements/:uai/formations/:file", s.badgeEtablissementFormation)
	app.Get("/badges/etablissements/:file", s.badgeEtablissement)
	app.Get("/widget/etablissements/:uai", s.widgetEtablissement)
	app.Get("/widget/etablissements/:uai/formations/:code", s.widgetEtablissementFormation)
	app.Get("/sitemap.xml", s.sitemap)
	app.Get("/robots.txt", s.robots)
	app.Get("/favicon.ico", s.favicon)
	app.Get("/static/*", s.static)

	api := app.Group("/api/v1")
	api.Get("/recherche", s.apiRecherche)
	api.Get("/suggestions", s.apiSuggestions)
	api.Get("/etablissements/:uai", s.apiEtablissement)
	api.Get("/etablissements/:uai/formations/:code", s.apiEtablissementFormation)
	api.Get("/formations/:code", s.apiFormation)
	api.Get("/regions/:code", s.apiRegion)
	api.Get("/etablissements", s.apiEtablissements)
	api.Get("/formations", s.apiFormations)
	api.Get("/openapi.json", s.apiOpenAPI)
}
