package web

import (
	"context"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// apiEtablissementFormation answers GET
// /api/v1/etablissements/{uai}/formations/{code}: every millésime of the
// pair, each beside the regional and national figures of the same
// formation, millésime and voie (InserSup diplomas: every promotion).
func (s *Server) apiEtablissementFormation(c *fiber.Ctx) error {
	uai, err := model.NormalizeUAI(strings.Clone(c.Params("uai")))
	if err != nil {
		return errNotFound("uai_invalide", err.Error())
	}
	code, kind, err := formationCode(c)
	if err != nil {
		return err
	}
	return s.apiJSON(c, func(ctx context.Context) (any, error) {
		if kind == model.KindSISE {
			return s.store.EtablissementSup(ctx, uai, code)
		}
		return s.store.EtablissementFormation(ctx, uai, code)
	})
}
