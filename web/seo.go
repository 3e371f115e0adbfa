package web

import (
	"bytes"
	"encoding/xml"
	"slices"

	"github.com/gofiber/fiber/v2"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// robots is GET /robots.txt: everything may be crawled but the exports,
// the API and the search results.
func (s *Server) robots(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "public, max-age=86400")
	return c.SendString("User-agent: *\nDisallow: /api/\nDisallow: /recherche\nDisallow: /*?format=\nDisallow: /*&format=\n\nSitemap: " + s.cfg.BaseURL + "/sitemap.xml\n")
}

// sitemap is GET /sitemap.xml: the home page, the data page, every région
// and académie, every establishment and formation with figures.
func (s *Server) sitemap(c *fiber.Ctx) error {
	return s.serve(c, func(st dataState) (*built, error) {
		ctx := c.UserContext()
		uais, formations, err := s.store.SitemapEntries(ctx)
		if err != nil {
			return nil, err
		}
		acads, err := s.store.Academies(ctx)
		if err != nil {
			return nil, err
		}
		base := s.cfg.BaseURL
		paths := []string{"/", "/a-propos/donnees"}
		for _, r := range model.AllRegions() {
			paths = append(paths, "/regions/"+r.Code)
		}
		for _, a := range acads {
			paths = append(paths, "/academies/"+a.Code)
		}
		for _, u := range uais {
			paths = append(paths, "/etablissements/"+u)
		}
		for _, f := range formations {
			paths = append(paths, "/formations/"+f)
		}
		familles, err := s.store.FamilleRefs(ctx)
		if err != nil {
			return nil, err
		}
		var slugs []string
		for _, r := range familles {
			if !slices.Contains(slugs, r.Slug) {
				slugs = append(slugs, r.Slug)
			}
		}
		slices.Sort(slugs)
		for _, sl := range slugs {
			paths = append(paths, "/familles-metiers/"+sl)
		}
		var b bytes.Buffer
		b.WriteString(xml.Header)
		b.WriteString(`<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">` + "\n")
		for _, p := range paths {
			b.WriteString("<url><loc>")
			xml.EscapeText(&b, []byte(base+p))
			b.WriteString("</loc></url>\n")
		}
		b.WriteString("</urlset>\n")
		return &built{Body: b.Bytes(), ContentType: "application/xml; charset=utf-8"}, nil
	})
}
