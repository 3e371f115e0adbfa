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
	app.Get("/a-propos/donnees/flux.atom", s.aproposDonneesFeed)

	// correction requests, public side (signaler.go); CSRF on the form only
	signalerCSRF := s.csrfProtect(s.signalerRefused)
	app.Get("/signaler", signalerCSRF, s.signalerForm)
	app.Post("/signaler", signalerCSRF, s.signalerSubmit)
	app.Get("/signalements/:numero", s.signalementShow)
	app.Get("/donnees-personnelles", s.donneesPersonnelles)
	app.Get("/couverture", s.couvertureForm)
	app.Post("/couverture", s.couverturePost)
	app.Post("/couverture/telechargement", s.couvertureDownload)
	app.Post("/couverture/partage", s.couvertureShare)
	app.Get("/couverture/:id", s.couvertureShared)

	// badges (SVG, PNG, PDF) and the embeddable widget
	app.Get("/badges/etablissements/:uai/formations/:file", s.badgeEtablissementFormation)
	app.Get("/badges/etablissements/:file", s.badgeEtablissement)
	app.Get("/widget/etablissements/:uai", s.widgetEtablissement)
	app.Get("/widget/etablissements/:uai/formations/:code", s.widgetEtablissementFormation)
	app.Get("/sitemap.xml", s.sitemap)
	app.Get("/robots.txt", s.robots)
	app.Get("/favicon.ico", s.favicon)
	app.Get("/static/*", s.static)

	// staff back-office (staff_auth.go, staff_signalements.go, staff_comptes.go)
	app.Get("/staff", s.staffOnly(s.staffHome))
	app.Get("/staff/connexion", s.staffLogin)
	app.Post("/staff/connexion", s.staffLoginPost)
	app.Get("/staff/connexion/code", s.staffCode)
	app.Post("/staff/connexion/code", s.staffCodePost)
	app.Post("/staff/deconnexion", s.staffOnly(s.staffLogout))
	app.Get("/staff/signalements", s.staffOnly(s.staffSignalements))
	app.Get("/staff/signalements.csv", s.staffOnly(s.staffSignalementsCSV))
	app.Post("/staff/signalements/lot", s.staffOnly(s.staffBulk))
	app.Get("/staff/signalements/:numero", s.staffOnly(s.staffSignalement))
	app.Get("/staff/signalements/:numero/piece", s.staffOnly(s.staffPiece))
	app.Post("/staff/signalements/:numero/statut", s.staffOnly(s.staffStatut))
	app.Post("/staff/signalements/:numero/assignation", s.staffOnly(s.staffAssign))
	app.Post("/staff/signalements/:numero/note", s.staffOnly(s.staffNote))
	app.Post("/staff/signalements/:numero/avis", s.staffOnly(s.staffAvis))
	app.Get("/staff/comptes", s.adminOnly(s.staffComptes))
	app.Post("/staff/comptes", s.adminOnly(s.staffComptesPost))
	app.Post("/staff/comptes/:id/:action", s.adminOnly(s.staffCompteAction))

	api := app.Group("/api/v1")
	api.Get("/recherche", s.apiRecherche)
	api.Get("/suggestions", s.apiSuggestions)
	api.Get("/etablissements/:uai", s.apiEtablissement)
	api.Get("/etablissements/:uai/formations/:code", s.apiEtablissementFormation)
	api.Get("/formations/:code", s.apiFormation)
	api.Get("/regions/:code", s.apiRegion)
	api.Post("/couverture", s.apiCouverture)
}
