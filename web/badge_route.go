package web

import (
	"bytes"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/vitrine-inserjeunes/vitrine/internal/badge"
	"github.com/vitrine-inserjeunes/vitrine/internal/model"
	"github.com/vitrine-inserjeunes/vitrine/internal/store"
)

// badgeCacheControl: a badge URL carrying the current data version (?v=)
// never changes; without it (or with an older one) it is revalidated like
// a page.
const badgeCacheControl = "public, max-age=31536000, immutable"

// badgeParams are the query parameters of a badge.
type badgeParams struct {
	Format    badge.Format
	Theme     badge.Theme
	Millesime string
	Voie      string
	// Image: ?si_indisponible=image answers an honest « données non
	// disponibles » image instead of a 404.
	Image bool
}

// readBadgeParams reads and checks the parameters; every refusal lists the
// allowed values, in French.
func readBadgeParams(c *fiber.Ctx) (badgeParams, error) {
	var p badgeParams
	var err error
	if p.Format, err = badge.ParseFormat(strings.ToLower(c.Query("format"))); err != nil {
		return p, errBadRequest(upperFirst(err.Error()) + ".")
	}
	if p.Theme, err = badge.ParseTheme(strings.ToLower(c.Query("theme"))); err != nil {
		return p, errBadRequest(upperFirst(err.Error()) + ".")
	}
	switch v := c.Query("si_indisponible"); v {
	case "", "404":
	case "image":
		p.Image = true
	default:
		return p, errBadRequest(fmt.Sprintf("Le paramètre « si_indisponible » vaut %s ; valeurs possibles : image, 404.", quoteParam(v)))
	}
	switch v := c.Query("voie"); v {
	case "", model.VoieScolaire, model.VoieApprentissage:
		p.Voie = strings.Clone(v)
	default:
		return p, errBadRequest(fmt.Sprintf("Le paramètre « voie » vaut %s ; valeurs possibles : %s, %s.", quoteParam(v), model.VoieScolaire, model.VoieApprentissage))
	}
	if m := c.Query("millesime"); m != "" {
		mm, err := model.ParseMillesime(m)
		if err != nil {
			return p, errBadRequest(fmt.Sprintf("Le millésime %s n'est pas valide : %v (exemple : 2022_2023).", quoteParam(m), err))
		}
		p.Millesime = mm.String()
	}
	return p, nil
}

// badgeFile splits « 0353053D.svg » into the identifier and the output.
func badgeFile(file string) (string, badge.Output, error) {
	i := strings.LastIndexByte(file, '.')
	if i < 0 {
		return "", "", errNotFound("badge_inconnu", fmt.Sprintf("%s : l'adresse d'un badge se termine par .svg, .png ou .pdf.", quoteParam(file)))
	}
	o, err := badge.ParseOutput(strings.ToLower(file[i+1:]))
	if err != nil {
		return "", "", errNotFound("badge_inconnu", upperFirst(err.Error())+".")
	}
	return strings.Clone(file[:i]), o, nil
}

// badgeEtablissement is GET /badges/etablissements/{uai}.{svg,png,pdf}.
func (s *Server) badgeEtablissement(c *fiber.Ctx) error {
	raw, o, err := badgeFile(c.Params("file"))
	if err != nil {
		return err
	}
	uai, err := model.NormalizeUAI(raw)
	if err != nil {
		return errNotFound("uai_invalide", fmt.Sprintf("« %s » n'est pas un UAI valide : %v.", raw, err))
	}
	canonical := "/badges/etablissements/" + uai + "." + string(o)
	if c.Path() != canonical {
		return redirectCanonical(c, canonical)
	}
	p, err := readBadgeParams(c)
	if err != nil {
		return err
	}
	return s.serveBadge(c, o, p, func() (*badge.Badge, error) {
		et, vbs, err := s.etabBadges(c.UserContext(), uai, p.Millesime)
		if err != nil {
			return unavailableTitle(labelOr(et.Nom, "Établissement "+uai), s.cfg.BaseURL+"/etablissements/"+uai), err
		}
		vb, err := pickVoie(vbs, p.Voie)
		if err != nil {
			return unavailableTitle(labelOr(et.Nom, "Établissement "+uai), s.cfg.BaseURL+"/etablissements/"+uai), err
		}
		return vb.Badge, nil
	})
}

// badgeEtablissementFormation is GET
// /badges/etablissements/{uai}/formations/{code}.{svg,png,pdf}.
func (s *Server) badgeEtablissementFormation(c *fiber.Ctx) error {
	rawCode, o, err := badgeFile(c.Params("file"))
	if err != nil {
		return err
	}
	uai, err := uaiParam(c)
	if err != nil {
		return err
	}
	code, kind, err := formationParam(rawCode)
	if err != nil {
		return err
	}
	canonical := "/badges/etablissements/" + uai + "/formations/" + code + "." + string(o)
	if c.Path() != canonical {
		return redirectCanonical(c, canonical)
	}
	p, err := readBadgeParams(c)
	if err != nil {
		return err
	}
	page := s.cfg.BaseURL + "/etablissements/" + uai + "/formations/" + code
	return s.serveBadge(c, o, p, func() (*badge.Badge, error) {
		if kind == model.KindSISE {
			return unavailableTitle("Établissement "+uai, page), errNoBadgeSup()
		}
		d, vbs, err := s.pairBadges(c.UserContext(), uai, code, p.Millesime)
		if err != nil {
			return unavailableTitle(labelOr(d.Etablissement.Nom, "Établissement "+uai), page), err
		}
		vb, err := pickVoie(vbs, p.Voie)
		if err != nil {
			return unavailableTitle(labelOr(d.Etablissement.Nom, "Établissement "+uai), page), err
		}
		return vb.Badge, nil
	})
}

func unavailableTitle(title, url string) *badge.Badge {
	return &badge.Badge{Title: title, URL: url}
}

// serveBadge answers a badge from the page cache (same budget, same
// eviction as pages), keyed by its canonical URL without ?v=; the ETag
// derives from the data version, so a conditional request is answered
// 304 without any query or rendering. A badge that cannot show figures is
// a 404 with the reason, or with ?si_indisponible=image an image that
// says so.
func (s *Server) serveBadge(c *fiber.Ctx, o badge.Output, p badgeParams, describe func() (*badge.Badge, error)) error {
	v := c.Query("v")
	cacheControl := func(st dataState) string {
		if v != "" && v == strconv.FormatInt(st.Version, 10) {
			return badgeCacheControl
		}
		return pageCacheControl
	}
	c.Set("Cross-Origin-Resource-Policy", "cross-origin")
	c.Set(fiber.HeaderAccessControlAllowOrigin, "*")
	key := badgeKey(c, p)
	st, err := s.state(c.UserContext())
	if err != nil {
		if cached := s.cache.stale(key); cached != nil && store.IsUnavailable(err) { // as pages: stale during an outage
			s.dbErrors.note(err)
			c.Set("X-Vitrine-Stale", "1")
			c.Set(fiber.HeaderContentType, cached.ContentType)
			c.Set(fiber.HeaderCacheControl, "no-cache")
			return c.Send(cached.Body)
		}
		return err
	}
	cached := s.cache.get(st.Version, key)
	etag := s.etag(st.Version, key)
	if cached != nil {
		etag = cached.etag
	}
	if inm := c.Get(fiber.HeaderIfNoneMatch); inm != "" && etagMatch(inm, etag) {
		c.Set(fiber.HeaderETag, etag)
		c.Set(fiber.HeaderCacheControl, cacheControl(st))
		return c.SendStatus(fiber.StatusNotModified)
	}
	if cached == nil {
		res, err, _ := s.cache.group.Do(strconv.FormatInt(st.Version, 10)+"|"+key, func() (any, error) {
			b, err := describe()
			if err != nil {
				he := asHTTPError(err)
				if !p.Image || he.Status != fiber.StatusNotFound {
					return nil, err
				}
				b.Unavailable = strings.TrimSuffix(he.Message, ".")
			} else if b.Unavailable != "" && !p.Image {
				return nil, errNotFound(model.StatutNonDiffuse, "Aucun badge n'est proposé : "+b.Unavailable+".")
			}
			body, err := s.badges.Render(b, p.Format, p.Theme, o)
			if err != nil {
				return nil, err
			}
			np := &cachedPage{built: built{Body: bytes.Clone(body), ContentType: o.ContentType()}, etag: etag, key: key, cache: s.cache}
			if b.Unavailable != "" {
				np.Filename = "indisponible" // marks the honest image (header below)
			}
			s.cache.put(st.Version, key, np)
			return np, nil
		})
		if err != nil {
			c.Set(fiber.HeaderCacheControl, "no-cache")
			return err
		}
		cached = res.(*cachedPage)
	}
	c.Set(fiber.HeaderContentType, cached.ContentType)
	c.Set(fiber.HeaderETag, cached.etag)
	c.Set(fiber.HeaderCacheControl, cacheControl(st))
	if cached.Filename != "" {
		c.Set("X-Vitrine-Badge", "indisponible")
	}
	if o == badge.SVG && len(cached.Body) >= 1024 {
		switch acceptEncoding(c.Get(fiber.HeaderAcceptEncoding)) {
		case "br":
			c.Set(fiber.HeaderContentEncoding, "br")
			c.Set(fiber.HeaderVary, "Accept-Encoding")
			return c.Send(cached.brotli())
		case "gzip":
			c.Set(fiber.HeaderContentEncoding, "gzip")
			c.Set(fiber.HeaderVary, "Accept-Encoding")
			return c.Send(cached.gzip())
		}
	}
	return c.Send(cached.Body)
}

// badgeKey is the cache key of a badge: its path and parameters as read
// (defaults spelt out, ?v= left out: it only changes the headers) and the
// version of the drawing (the ETag derives from the key).
func badgeKey(c *fiber.Ctx, p badgeParams) string {
	q := url.Values{}
	q.Set("dessin", badge.LayoutVersion)
	q.Set("format", string(p.Format))
	q.Set("theme", string(p.Theme))
	if p.Millesime != "" {
		q.Set("millesime", p.Millesime)
	}
	if p.Voie != "" {
		q.Set("voie", p.Voie)
	}
	if p.Image {
		q.Set("si_indisponible", "image")
	}
	return c.Path() + "?" + q.Encode()
}

// badgeURL is the path of a badge with its parameters and the data
// version (the kit page's links and snippets).
func badgeURL(uai, code string, o badge.Output, f badge.Format, t badge.Theme, voie, millesime string, version int64) string {
	p := "/badges/etablissements/" + uai
	if code != "" {
		p += "/formations/" + code
	}
	q := url.Values{}
	q.Set("format", string(f))
	if t != badge.Clair {
		q.Set("theme", string(t))
	}
	if voie != "" {
		q.Set("voie", voie)
	}
	if millesime != "" {
		q.Set("millesime", millesime)
	}
	q.Set("v", strconv.FormatInt(version, 10))
	return p + "." + string(o) + "?" + q.Encode()
}
