package web

import (
	"context"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// territoryAPI is the API view of a région or académie: its figures per
// formation and level, its headline beside France (chiffres_cles), and
// its labour-market context (contexte_emploi: INSEE unemployment rates).
type territoryAPI struct {
	model.RegionDetail
	ContexteEmploi model.ContexteEmploi `json:"contexte_emploi"`
}

// apiRegion answers GET /api/v1/regions/{code_insee}: the regional
// figures of every formation and every diploma level, per millésime, the
// headline of the région beside France and its unemployment context.
func (s *Server) apiRegion(c *fiber.Ctx) error {
	code := strings.Clone(c.Params("code"))
	return s.apiJSON(c, func(ctx context.Context) (any, error) {
		d, err := s.store.Region(ctx, code)
		if err != nil {
			return nil, err
		}
		ce, err := s.store.ContexteEmploi(ctx, d.Region.Code, nil)
		if err != nil {
			return nil, err
		}
		return territoryAPI{RegionDetail: d, ContexteEmploi: ce}, nil
	})
}
