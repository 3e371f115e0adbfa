package web

import (
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// The one place where numeric URL parameters are read: every page number,
// page size and count goes through intParam, so no value a request
// carries can overflow a computation further down.

// Bounds of the numeric parameters.
const (
	maxPageParam  = 100_000 // far beyond the last page of any table
	maxCountParam = 100
)

// intParam reads the integer parameter name of the query: def when absent
// or empty; a number out of [lo, hi] is clamped (page=99999999999999999999
// is the last page, not an overflow); anything else is a 400 that names
// the parameter.
func intParam(c *fiber.Ctx, name string, def, lo, hi int) (int, error) {
	raw := c.Query(name)
	if raw == "" {
		return def, nil
	}
	return parseBounded(name, raw, lo, hi)
}

// parseBounded parses raw as an integer clamped to [lo, hi].
func parseBounded(name, raw string, lo, hi int) (int, error) {
	s, neg := strings.TrimSpace(raw), false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		s, neg = s[1:], s[0] == '-'
	}
	if s == "" || strings.Trim(s, "0123456789") != "" {
		return 0, errBadRequest(fmt.Sprintf("le paramètre « %s » doit être un nombre entier (reçu %s)", name, quoteParam(raw)))
	}
	s = strings.TrimLeft(s, "0")
	var n int64
	if len(s) > 18 { // beyond int64: the bound, without parsing
		n = math.MaxInt64
	} else if s != "" {
		n, _ = strconv.ParseInt(s, 10, 64) // at most 18 digits: cannot fail
	}
	if neg {
		n = -n
	}
	return int(max(int64(lo), min(int64(hi), n))), nil
}

// pageParam is a 1-based page number (page, page_etab…).
func pageParam(c *fiber.Ctx, name string) (int, error) {
	return intParam(c, name, 1, 1, maxPageParam)
}

// textParam is a text parameter, copied (fiber's values die with the
// request), made valid UTF-8 and cut to n characters.
func textParam(c *fiber.Ctx, name string, n int) string {
	return cutRunes(strings.ToValidUTF8(c.Query(name), "\uFFFD"), n)
}

// cutRunes keeps the first n characters of s (a copy).
func cutRunes(s string, n int) string {
	if utf8.RuneCountInString(s) > n {
		s = string([]rune(s)[:n])
	}
	return strings.Clone(s)
}

// quoteParam quotes a value received in a request for an error message,
// cut to a readable length.
func quoteParam(v string) string {
	v = strings.ToValidUTF8(v, "\uFFFD")
	if utf8.RuneCountInString(v) > 40 {
		v = string([]rune(v)[:40]) + "…"
	}
	return "« " + v + " »"
}

// knownParams are the query parameters the site reads (a table's own
// page, tri and ordre carry its suffix: page_etab…). Only these enter the
// page cache key and the links a page builds from its URL.
var knownParams = map[string]bool{
	"format": true, "table": true, "q": true, "type": true, "region": true, "academie": true,
	"voie": true, "niveau": true, "page": true, "par_page": true, "n": true, "tri": true, "ordre": true, "uai": true,
	"millesime": true, "theme": true, "si_indisponible": true, "v": true,
	"departement": true, "famille": true,
}

// routeParams narrows knownParams per route: what each page reads. A
// parameter another page reads makes no new entry here.
var routeParams = func() map[string]map[string]bool {
	set := func(ks ...string) map[string]bool {
		m := map[string]bool{}
		for _, k := range ks {
			m[k] = true
		}
		return m
	}
	search := set("q", "type", "region", "academie", "voie", "niveau", "page", "par_page")
	export := set("format", "table")
	territory := set("format", "table", "page", "par_page", "tri", "ordre", "page_etab", "tri_etab", "ordre_etab")
	badgeQuery := set("format", "theme", "millesime", "voie", "si_indisponible", "v")
	return map[string]map[string]bool{
		"/": {}, "/sitemap.xml": {}, "/a-propos/donnees/flux.atom": {},
		"/recherche": search, "/api/v1/recherche": search,
		"/etablissements/:uai": export, "/etablissements/:uai/formations/:code": export, "/a-propos/donnees": export,
		"/formations/:code": set("format", "table", "page", "par_page", "tri", "ordre", "region"),
		"/regions/:code":    territory, "/academies/:code": territory,
		"/familles-metiers/:slug":     set("format", "table", "uai"),
		"/api/v1/etablissements/:uai": {}, "/api/v1/etablissements/:uai/formations/:code": {},
		"/api/v1/formations/:code": set("format", "region", "page", "par_page"), "/api/v1/regions/:code": set("format", "page", "par_page"),
		"/api/v1/etablissements": set("format", "region", "academie", "departement", "type", "voie", "page", "par_page"),
		"/api/v1/formations":     set("format", "niveau", "voie", "famille", "page", "par_page"),
		"/api/v1/openapi.json":   {}, "/api": {},
		"/badges/etablissements/:file":                 badgeQuery,
		"/badges/etablissements/:uai/formations/:file": badgeQuery,
		"/etablissements/:uai/kit":                     set("millesime"),
		"/etablissements/:uai/formations/:code/kit":    set("millesime"),
		"/widget/etablissements/:uai":                  set("millesime", "voie"),
		"/widget/etablissements/:uai/formations/:code": set("millesime", "voie"),
		"/signaler": set("uai", "code", "millesime", "page"), "/signalements/:numero": {}, "/donnees-personnelles": {},
		"/staff": {}, "/staff/connexion": {}, "/staff/connexion/code": {}, "/staff/comptes": {},
		"/staff/signalements":               set("statut", "categorie", "academie", "uai", "du", "au", "q", "page"),
		"/staff/signalements.csv":           set("statut", "categorie", "academie", "uai", "du", "au", "q"),
		"/staff/signalements/:numero":       set("fait"),
		"/staff/signalements/:numero/piece": {},
		"/couverture":                       {}, "/couverture/:id": set("format", "page"),
		"/donnees/telechargements": {}, "/donnees/telechargements/:file": {},
		"/api/exposition-inserjeunes":                               {},
		"/api/inserjeunes/certifications/:codes":                    set(expoParamsSingle...),
		"/api/inserjeunes/regionales/:region/certifications/:codes": set(expoParamsSingle...),
		"/api/inserjeunes/formations/:pair":                         set(expoParamsSingle...),
		"/api/inserjeunes/certifications":                           set(expoParamsList...),
		"/api/inserjeunes/certifications.json":                      set(expoParamsList...),
		"/api/inserjeunes/certifications.csv":                       set(expoParamsList...),
		"/api/inserjeunes/regionales":                               set(expoParamsList...),
		"/api/inserjeunes/regionales.json":                          set(expoParamsList...),
		"/api/inserjeunes/regionales.csv":                           set(expoParamsList...),
		"/api/inserjeunes/regionales/:region":                       set(expoParamsList...),
		"/api/inserjeunes/formations":                               set(expoParamsList...),
		"/api/inserjeunes/formations.json":                          set(expoParamsList...),
		"/api/inserjeunes/formations.csv":                           set(expoParamsList...),
	}
}()

// paramFilter tells which parameters the route of c reads (every known
// parameter on a route not listed).
func paramFilter(c *fiber.Ctx) func(string) bool {
	if m, ok := routeParams[c.Route().Path]; ok {
		return func(k string) bool { return m[k] }
	}
	return isKnownParam
}

func isKnownParam(k string) bool {
	if knownParams[k] {
		return true
	}
	prefix, suffix, ok := strings.Cut(k, "_")
	if !ok || len(suffix) == 0 || len(suffix) > 20 || strings.Trim(suffix, "abcdefghijklmnopqrstuvwxyz") != "" {
		return false
	}
	return prefix == "page" || prefix == "tri" || prefix == "ordre"
}

// canonicalQuery is the known parameters of the request as the handlers
// read them: the first value of each (an empty first value means absent),
// sorted, without drop.
func canonicalQuery(c *fiber.Ctx, drop ...string) url.Values {
	q := url.Values{}
	seen := map[string]bool{}
	reads := paramFilter(c)
	c.Request().URI().QueryArgs().VisitAll(func(k, v []byte) {
		key := string(k)
		if seen[key] || !reads(key) {
			return
		}
		seen[key] = true // the first occurrence decides, as c.Query reads it, even when empty
		if len(v) == 0 || slices.Contains(drop, key) {
			return
		}
		val := string(v)
		if key == "format" {
			val = strings.ToLower(val) // as format() reads it
			if val == "html" {
				return
			}
		}
		q.Set(key, val)
	})
	return q
}

// cacheKey is the canonical URL of the request: its path and known
// parameters (url.Values.Encode sorts them). It is a copy: fiber's path
// lives in a buffer reused by the next request.
func cacheKey(c *fiber.Ctx) string {
	q := canonicalQuery(c)
	if len(q) == 0 {
		return strings.Clone(c.Path())
	}
	return c.Path() + "?" + q.Encode()
}

// uaiParam reads the {uai} route parameter: the normalised UAI, or a 404
// that says why the text is not one (the one wording of every route).
func uaiParam(c *fiber.Ctx) (string, error) {
	raw := strings.Clone(c.Params("uai"))
	uai, err := model.NormalizeUAI(raw)
	if err != nil {
		return "", errNotFound("uai_invalide", fmt.Sprintf("« %s » n'est pas un UAI valide : %v.", raw, err))
	}
	return uai, nil
}

// formationParam reads a formation code of a route (CFD, MEFSTAT11 or
// SISE): the normalised code and its kind, or a 404 that says why.
func formationParam(raw string) (string, model.CodeKind, error) {
	raw = strings.Clone(raw)
	code, kind, err := model.ParseFormationCode(raw)
	if err != nil {
		return "", "", errNotFound(model.StatutCodeInconnu, fmt.Sprintf("« %s » n'est pas un code de formation : %v.", raw, err))
	}
	return code, kind, nil
}
