package web

import (
	"context"
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
	// Formations lists the formations with figures of their own at this
	// establishment, each with its latest figure.
	Formations []model.EtablissementFormation `json:"formations"`
}

func (s *Server) apiEtablissement(c *fiber.Ctx) error {
	raw := strings.Clone(c.Params("uai"))
	uai, err := model.NormalizeUAI(raw)
	if err != nil {
		return errNotFound("uai_invalide", err.Error())
	}
	return s.apiJSON(c, func(ctx context.Context) (any, error) {
		et, err := s.store.Etablissement(ctx, uai)
		if errors.Is(err, model.ErrNotFound) {
			return nil, errNotFound(model.StatutUAIInconnu, "UAI "+uai+" inconnu : aucun établissement ni chiffre pour ce code")
		}
		if err != nil {
			return nil, err
		}
		figs, err := s.store.EtablissementFigures(ctx, uai)
		if err != nil {
			return nil, err
		}
		forms, err := s.store.EtablissementFormations(ctx, uai)
		if err != nil {
			return nil, err
		}
		out := etablissementJSON{Etablissement: et, Chiffres: figs, Formations: forms}
		if out.Chiffres == nil {
			out.Chiffres = []model.EtabFigure{}
		}
		for _, f := range figs {
			out.Demonstration = out.Demonstration || f.Source.Demonstration
		}
		for _, f := range forms {
			out.Demonstration = out.Demonstration || (f.Dernier != nil && f.Dernier.Demonstration) ||
				(f.DernierSup != nil && f.DernierSup.Demonstration)
		}
		return out, nil
	})
}
