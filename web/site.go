package web

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/template/html/v2"

	"github.com/vitrine-inserjeunes/vitrine/assets"
	"github.com/vitrine-inserjeunes/vitrine/internal/model"
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
}

// pageCacheBytes bounds the memory of rendered pages and exports.
const pageCacheBytes = 256 << 20

// newSite loads the embedded assets and templates. Both are compiled into
// the binary and covered by tests: an error here is a programming error.
func newSite() site {
	as, err := assets.New()
	if err != nil {
		panic(err)
	}
	e, err := newEngine(as)
	if err != nil {
		panic(err)
	}
	return site{assets: as, views: e, cache: newPageCache(pageCacheBytes), stateCache: &stateCache{},
		buildID: as.Version + "-" + viewsVersion()}
}

// newBase fills the common part of a page.
func (s *Server) newBase(c *fiber.Ctx, st dataState, title, description, path string) basePage {
	return basePage{
		Title:       title,
		Description: description,
		Path:        path,
		BaseURL:     baseURL(c),
		Demo:        st.Synthetic,
		DataVersion: st.Version,
		Nonce:       noncePlaceholder,
	}
}

// baseURL is the scheme and host the request came to.
func baseURL(c *fiber.Ctx) string {
	return c.Protocol() + "://" + c.Hostname()
}

// htmlPage renders a page struct into a cacheable response.
func (s *Server) htmlPage(name string, p page) (*built, error) {
	b, err := s.renderPage(name, p)
	if err != nil {
		return nil, err
	}
	return &built{Body: b, ContentType: fiber.MIMETextHTMLCharsetUTF8}, nil
}

// badRequest is an error that maps to 400 with a French message.
type badRequest struct{ msg string }

func (e *badRequest) Error() string { return e.msg }

// format reads ?format= (html by default).
func format(c *fiber.Ctx) (string, error) {
	f := strings.ToLower(c.Query("format"))
	switch f {
	case "", "html":
		return "html", nil
	case "csv", "xlsx", "json":
		return f, nil
	}
	return "", &badRequest{msg: fmt.Sprintf("format %q inconnu : les formats proposés sont csv, xlsx et json", f)}
}

// wantsJSON tells the API (and JSON exports) from the HTML pages.
func wantsJSON(c *fiber.Ctx) bool {
	if strings.HasPrefix(c.Path(), "/api/") || c.Query("format") == "json" {
		return true
	}
	acc := c.Get(fiber.HeaderAccept)
	return strings.Contains(acc, "application/json") && !strings.Contains(acc, "text/html")
}

// errorHandler is the one place errors become responses: JSON for the API,
// the HTML error page for the site. It logs unexpected errors once.
func (s *Server) errorHandler(c *fiber.Ctx, err error) error {
	if wantsJSON(c) {
		var br *badRequest
		if errors.As(err, &br) {
			return c.Status(fiber.StatusBadRequest).JSON(apiError{Erreur: br.msg, Code: "requete_invalide"})
		}
		return errorHandler(s.log)(c, err)
	}
	p := &errorPage{Status: fiber.StatusInternalServerError, Heading: "Erreur du serveur",
		Message: "Une erreur inattendue nous empêche d'afficher cette page. Réessayez dans quelques instants."}
	var nf *notFound
	var fe *fiber.Error
	var br *badRequest
	var mnf *model.NotFoundError
	switch {
	case errors.As(err, &mnf):
		p.Status, p.Heading, p.Message = fiber.StatusNotFound, "Aucun chiffre à cette adresse", mnf.Message
		if mnf.Statut == model.StatutNonDispensee {
			p.Heading = "Formation non dispensée"
		}
		if len(mnf.Millesimes) > 0 {
			p.Message += " Millésimes disponibles : " + millesimeLabels(mnf.Millesimes) + "."
		}
	case errors.As(err, &nf):
		p.Status, p.Heading, p.Message = fiber.StatusNotFound, "Page introuvable", nf.msg
	case errors.Is(err, model.ErrNotFound):
		p.Status, p.Heading, p.Message = fiber.StatusNotFound, "Page introuvable", "La page demandée n'existe pas."
	case errors.As(err, &br):
		p.Status, p.Heading, p.Message = fiber.StatusBadRequest, "Demande invalide", br.msg
	case errors.As(err, &fe):
		p.Status = fe.Code
		switch fe.Code {
		case fiber.StatusNotFound:
			p.Heading, p.Message = "Page introuvable", "L'adresse demandée ne correspond à aucune page du site. Elle est peut-être mal saisie, ou la page a été déplacée."
		case fiber.StatusMethodNotAllowed:
			p.Heading, p.Message = "Méthode non autorisée", "Cette page ne se consulte qu'en lecture."
		default:
			p.Heading, p.Message = "Erreur", fe.Message
		}
	default:
		s.log.Error("request failed", "method", c.Method(), "path", c.Path(), "err", err)
	}
	st, serr := s.state(c.UserContext())
	if serr != nil {
		st = dataState{} // the database may be what failed
	}
	p.basePage = s.newBase(c, st, p.Heading, p.Message, c.Path())
	p.NoIndex = true
	p.Breadcrumb = []crumb{{Label: p.Heading}}
	if p.Status == fiber.StatusNotFound {
		p.Query = searchWords(c.Path())
		p.Suggestions = notFoundLinks(c)
	}
	p.Nonce = nonceOf(c)
	body, rerr := s.renderPage("pages/erreur", p)
	if rerr != nil {
		s.log.Error("error page failed", "err", rerr)
		return c.Status(p.Status).SendString(p.Heading + " : " + p.Message)
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Status(p.Status).Send(body)
}

// searchWords turns a missing path into words to prefill the search box:
// "/etablissements/lycee-berard" → "lycee berard".
func searchWords(path string) string {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	last, _ := url.PathUnescape(segs[len(segs)-1])
	last = strings.NewReplacer("-", " ", "_", " ", "+", " ").Replace(last)
	if len(last) > 80 {
		last = last[:80]
	}
	return strings.TrimSpace(last)
}

// notFoundLinks offers the pages around a missing one: the establishment
// and the formation of a missing pair, then home and the data page.
func notFoundLinks(c *fiber.Ctx) []crumb {
	var out []crumb
	segs := strings.Split(strings.Trim(c.Path(), "/"), "/")
	if len(segs) == 4 && segs[0] == "etablissements" && segs[2] == "formations" {
		if uai, err := model.NormalizeUAI(segs[1]); err == nil {
			out = append(out, crumb{Label: "La page de l'établissement " + uai, URL: "/etablissements/" + uai})
		}
		if code, _, err := model.ParseFormationCode(segs[3]); err == nil {
			out = append(out, crumb{Label: "La page de la formation " + code, URL: "/formations/" + code})
		}
	}
	return append(out, crumb{Label: "Page d'accueil", URL: "/"}, crumb{Label: "Les données et leurs sources", URL: "/a-propos/donnees"})
}
