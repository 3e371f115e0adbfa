package web

import "github.com/gofiber/fiber/v2"

func (s *Server) healthz(c *fiber.Ctx) error { return c.SendString("ok") }

func (s *Server) readyz(c *fiber.Ctx) error {
	if _, err := s.store.DataVersion(c.UserContext()); err != nil {
		return c.Status(fiber.StatusServiceUnavailable).SendString("base de données indisponible")
	}
	return c.SendString("ok")
}
