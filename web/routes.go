package web

import "github.com/gofiber/fiber/v2"

// routes is the map of the site.
func (s *Server) routes(app *fiber.App) {
	app.Get("/", s.home)
	app.Get("/healthz", s.healthz)
	app.Get("/readyz", s.readyz)

	api := app.Group("/api/v1")
	api.Get("/etablissements/:uai", s.apiEtablissement)
}
