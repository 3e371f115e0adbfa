package web

import (
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// etablissementJSON is the answer of GET /api/v1/etablissements/{uai}.
type etablissementJSON struct {
	model.Etablissement
	Demonstration bool               `json:"demonstration"`
	Chiffres      []model.EtabFigure `json:"chiffres"`
}

func (s *Server) apiEtablissement(c *fiber.Ctx) error {
	raw := strings.Clone(c.Params("uai"))
	uai, err := model.NormalizeUAI(raw)
	if err != nil {
		return newNotFound("uai_invalide", err.Error())
	}
	ctx := c.UserContext()
	et, err := s.store.Etablissement(ctx, uai)
	if errors.Is(err, model.ErrNotFound) {
		return newNotFound(model.StatutUAIInconnu, "UAI "+uai+" inconnu : aucun établissement ni chiffre pour ce code")
	}
	if err != nil {
		return err
	}
	figs, err := s.store.EtablissementFigures(ctx, uai)
	if err != nil {
		return err
	}
	out := etablissementJSON{Etablissement: et, Chiffres: figs}
	if out.Chiffres == nil {
		out.Chiffres = []model.EtabFigure{}
	}
	for _, f := range figs {
		if f.Source.Demonstration {
			out.Demonstration = true
		}
	}
	return c.JSON(out)
}
