package web

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// apiJSON answers c with the JSON of what build returns, through the page
// cache (keyed by data version and URL: the data change only on import).
// The store's *model.NotFoundError becomes a 404 whose code is the
// statut that says why (code_inconnu, uai_inconnu, non_dispensee…): see
// asHTTPError.
func (s *Server) apiJSON(c *fiber.Ctx, build func(ctx context.Context) (any, error)) error {
	return s.serve(c, func(dataState) (*built, error) {
		// the context serve gives the build (the data version the store
		// keeps its summaries for), not the one before it
		v, err := build(c.UserContext())
		if err != nil {
			return nil, err
		}
		b, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		return &built{Body: b, ContentType: fiber.MIMEApplicationJSONCharsetUTF8}, nil
	})
}

// formationCode reads and normalises the :code parameter (CFD, MEFSTAT11
// or SISE).
func formationCode(c *fiber.Ctx) (string, model.CodeKind, error) {
	code, kind, err := model.ParseFormationCode(strings.Clone(c.Params("code")))
	if err != nil {
		return "", "", errNotFound(model.StatutCodeInconnu, err.Error())
	}
	return code, kind, nil
}

// apiFormation answers GET /api/v1/formations/{code}: a CFD or MEFSTAT11
// gives the InserJeunes formation (national figures per millésime and
// voie, one block per région, establishments with their latest figures);
// a SISE code gives the InserSup diploma.
func (s *Server) apiFormation(c *fiber.Ctx) error {
	code, kind, err := formationCode(c)
	if err != nil {
		return err
	}
	return s.apiJSON(c, func(ctx context.Context) (any, error) {
		if kind == model.KindSISE {
			return s.store.FormationSupDetail(ctx, code)
		}
		return s.store.FormationDetail(ctx, code)
	})
}
