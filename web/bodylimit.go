package web

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/vitrine-inserjeunes/vitrine/internal/config"
)

// Request body limits, in one place. Most routes take MAX_BODY_BYTES; the
// forms that take files take more: /signaler (an attachment of 5 Mo and the
// fields) and the coverage analyser (COVERAGE_MAX_BODY_MB). The transport
// (fasthttp) reads up to the largest of them, and bodyLimit holds each
// request to the limit of its route.

// transportBodyLimit is the largest body the server reads at all.
func transportBodyLimit(cfg config.Server) int {
	return max(cfg.MaxBodyBytes, signalerTransportLimit, cfg.CoverageMaxBodyBytes)
}

// bodyLimitOf is the largest body of a request to path.
func (s *Server) bodyLimitOf(method, path string) int {
	if method == fiber.MethodPost {
		switch p := strings.TrimSuffix(path, "/"); {
		case p == "/signaler":
			return signalerBodyLimit
		case coveragePOST[p]:
			return max(s.cfg.MaxBodyBytes, s.cfg.CoverageMaxBodyBytes)
		}
	}
	return s.cfg.MaxBodyBytes
}

// bodyLimit answers 413 to a request whose body (or announced length)
// exceeds the limit of its route.
func (s *Server) bodyLimit(c *fiber.Ctx) error {
	limit := s.bodyLimitOf(c.Method(), c.Path())
	if n := c.Request().Header.ContentLength(); n <= limit && len(c.Request().Body()) <= limit {
		return c.Next()
	}
	e := &httpError{Status: fiber.StatusRequestEntityTooLarge, Code: "requete_trop_grande", Heading: "Envoi trop volumineux",
		Message: "La requête dépasse la taille autorisée."}
	if c.Path() == "/signaler" {
		e.Message = "Votre envoi dépasse 5 Mo : le fichier joint est sans doute trop lourd. Revenez à la page précédente " +
			"(votre navigateur y a gardé vos saisies), choisissez un fichier de moins de 5 Mo ou envoyez le signalement sans fichier."
	}
	return e
}
