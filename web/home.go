package web

import (
	"fmt"
	"html"

	"github.com/gofiber/fiber/v2"
)

// home is a minimal page until the site issue lands its templates.
func (s *Server) home(c *fiber.Ctx) error {
	v, err := s.store.DataVersion(c.UserContext())
	if err != nil {
		return err
	}
	demo, err := s.store.HasSynthetic(c.UserContext())
	if err != nil {
		return err
	}
	notice := ""
	if demo {
		notice = `<p role="note"><strong>Données de démonstration</strong> : certains chiffres sont fictifs.</p>`
	}
	c.Type("html", "utf-8")
	return c.SendString(fmt.Sprintf(`<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Vitrine InserJeunes</title></head>
<body><main><h1>Vitrine InserJeunes</h1>%s<p>Version des données : import n° %d.</p>
<p>API : <code>%s</code></p></main></body></html>`, notice, v, html.EscapeString("/api/v1/etablissements/{uai}")))
}
