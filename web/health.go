package web

import (
	"strconv"

	"github.com/gofiber/fiber/v2"
)

func (s *Server) healthz(c *fiber.Ctx) error { return c.SendString("ok") }

// readyz is 503 while the database does not answer: a load balancer takes
// the node out until it does (no restart needed).
func (s *Server) readyz(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	if _, err := s.store.DataVersion(c.UserContext()); err != nil {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(dbRetryAfter))
		return c.Status(fiber.StatusServiceUnavailable).SendString("base de données indisponible")
	}
	return c.SendString("ok")
}
