package web

import (
	"context"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// apiRegion answers GET /api/v1/regions/{code_insee}: the regional
// figures of every formation and every diploma level, per millésime.
func (s *Server) apiRegion(c *fiber.Ctx) error {
	code := strings.Clone(c.Params("code"))
	return s.apiJSON(c, func(ctx context.Context) (any, error) {
		return s.store.Region(ctx, code)
	})
}
