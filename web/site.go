package web

import (
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/template/html/v2"

	"github.com/vitrine-inserjeunes/vitrine/assets"
	"github.com/vitrine-inserjeunes/vitrine/internal/badge"
)

// site is what the HTML pages need besides the store.
type site struct {
	assets     *assets.Set
	views      *html.Engine
	cache      *pageCache
	stateCache *stateCache
	// buildID changes with the templates and assets: it is part of every
	// page ETag, so a new release is never answered with a stale 304.
	buildID string
	// badges draws the badges (internal/badge), with the vendored Marianne.
	badges *badge.Renderer
}

// newSite loads the embedded assets and templates. Both are compiled into
// the binary and covered by tests: an error here is a programming error.
func newSite(cacheBytes int) site {
	as, err := assets.New()
	if err != nil {
		panic(err)
	}
	e, err := newEngine(as)
	if err != nil {
		panic(err)
	}
	br, err := newBadgeRenderer(as)
	if err != nil {
		panic(err)
	}
	return site{assets: as, views: e, cache: newPageCache(cacheBytes), stateCache: &stateCache{},
		buildID: as.Version + "-" + viewsVersion(), badges: br}
}

// newBase fills the common part of a page. Absolute URLs start with the
// configured BASE_URL, never with the Host header of the request.
func (s *Server) newBase(st dataState, title, description, path string) basePage {
	return basePage{
		Title:           title,
		Description:     description,
		Path:            path,
		BaseURL:         s.cfg.BaseURL,
		Demo:            st.Synthetic,
		DataVersion:     st.Version,
		SignalerURL:     signalerURL(path),
		AvisSignalement: st.AvisPage,
	}
}

// htmlPage renders a page struct into a cacheable response.
func (s *Server) htmlPage(name string, p page) (*built, error) {
	markDemo(p)
	b, err := s.renderPage(name, p)
	if err != nil {
		return nil, err
	}
	return &built{Body: b, ContentType: fiber.MIMETextHTMLCharsetUTF8}, nil
}

// format reads ?format= (html by default).
func format(c *fiber.Ctx) (string, error) {
	f := strings.ToLower(c.Query("format"))
	switch f {
	case "", "html":
		return "html", nil
	case "csv", "xlsx", "json":
		return f, nil
	}
	return "", errBadRequest(fmt.Sprintf("format %q inconnu : les formats proposés sont csv, xlsx et json", f))
}
