package web

import (
	"bytes"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"github.com/vitrine-inserjeunes/vitrine/internal/badge"
	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// widgetPage is the embeddable widget: the badge's content as a small
// accessible DSFR page for an <iframe> (no script, its own layout).
type widgetPage struct {
	basePage
	Badge *badge.Badge
	// PageURL is the full page on the site (opened outside the iframe).
	PageURL string
}

// widgetTemplate is the whole widget page: no header, no footer, no
// script (not in views/pages: it has no site layout).
const widgetTemplate = "layouts/widget"

// widgetEtablissement is GET /widget/etablissements/{uai}.
func (s *Server) widgetEtablissement(c *fiber.Ctx) error {
	uai, err := uaiParam(c)
	if err != nil {
		return err
	}
	path := "/widget/etablissements/" + uai
	if c.Path() != path {
		return redirectCanonical(c, path)
	}
	p, err := readBadgeParams(c)
	if err != nil {
		return err
	}
	return s.serve(c, func(st dataState) (*built, error) {
		_, vbs, err := s.etabBadges(c.UserContext(), uai, p.Millesime)
		if err != nil {
			return nil, err
		}
		vb, err := pickVoie(vbs, p.Voie)
		if err != nil {
			return nil, err
		}
		return s.widget(st, path, vb.Badge)
	})
}

// widgetEtablissementFormation is GET /widget/etablissements/{uai}/formations/{code}.
func (s *Server) widgetEtablissementFormation(c *fiber.Ctx) error {
	uai, err := uaiParam(c)
	if err != nil {
		return err
	}
	code, kind, err := formationParam(c.Params("code"))
	if err != nil {
		return err
	}
	if kind == model.KindSISE {
		return errNoBadgeSup()
	}
	path := "/widget/etablissements/" + uai + "/formations/" + code
	if c.Path() != path {
		return redirectCanonical(c, path)
	}
	p, err := readBadgeParams(c)
	if err != nil {
		return err
	}
	return s.serve(c, func(st dataState) (*built, error) {
		_, vbs, err := s.pairBadges(c.UserContext(), uai, code, p.Millesime)
		if err != nil {
			return nil, err
		}
		vb, err := pickVoie(vbs, p.Voie)
		if err != nil {
			return nil, err
		}
		return s.widget(st, path, vb.Badge)
	})
}

func (s *Server) widget(st dataState, path string, b *badge.Badge) (*built, error) {
	p := &widgetPage{Badge: b, PageURL: b.URL}
	p.basePage = s.newBase(st, "Insertion des jeunes — "+b.Title, b.Sentence(), path)
	p.NoIndex = true
	var buf bytes.Buffer
	if err := s.views.Render(&buf, widgetTemplate, p); err != nil {
		return nil, fmt.Errorf("rendu du widget : %w", err)
	}
	return &built{Body: buf.Bytes(), ContentType: fiber.MIMETextHTMLCharsetUTF8}, nil
}
