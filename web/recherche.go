package web

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
	"github.com/vitrine-inserjeunes/vitrine/search"
)

// Searcher is what the web layer needs from the search index
// (*search.Index).
type Searcher interface {
	Search(ctx context.Context, r search.Request) (*search.Result, error)
	Suggest(ctx context.Context, q string, n int) ([]search.Hit, error)
	Status() search.Status
}

// Option configures the app built by New.
type Option func(*Server)

// WithSearch plugs the search index in; without it the search page says
// the search is unavailable.
func WithSearch(ix Searcher) Option { return func(s *Server) { s.search = ix } }

// maxQueryLen bounds the text of a search (in characters).
const maxQueryLen = 200

// searchRequest reads the URL of a search. Values are copied: fiber's
// die with the request, and the page cache outlives it.
func searchRequest(c *fiber.Ctx) (search.Request, error) {
	get := func(k string) string { return strings.TrimSpace(textParam(c, k, 100)) }
	page, err := pageParam(c, "page")
	if err != nil {
		return search.Request{}, err
	}
	size, err := intParam(c, "par_page", 0, 0, search.MaxPageSize)
	if err != nil {
		return search.Request{}, err
	}
	return search.Request{Q: textParam(c, "q", maxQueryLen), Page: page, Size: size, Filters: search.Filters{
		Type: get("type"), Region: get("region"), Academie: get("academie"), Voie: get("voie"), Niveau: get("niveau"),
	}}, nil
}

// runSearch searches, or says why it cannot.
func (s *Server) runSearch(ctx context.Context, r search.Request) (*search.Result, error) {
	if s.search == nil {
		return nil, errSearchUnavailable
	}
	res, err := s.search.Search(ctx, r)
	if errors.Is(err, search.ErrNoIndex) {
		return nil, errSearchUnavailable
	}
	return res, err
}

// knownUAI sends a UAI that the index does not hold (an establishment
// without figures) to its page when the referential knows it.
// A database error is returned: an answer without the redirect must not
// be cached for the whole data version.
func (s *Server) knownUAI(ctx context.Context, q string) (string, bool, error) {
	uai, err := model.NormalizeUAI(q)
	if err != nil {
		return "", false, nil
	}
	if _, err := s.store.Etablissement(ctx, uai); err != nil {
		if errors.Is(err, model.ErrNotFound) {
			return "", false, nil
		}
		return "", false, err
	}
	return "/etablissements/" + uai, true, nil
}

// searchFresh reports whether the index in service holds the data version
// st: only then may a search response be cached under that version.
func (s *Server) searchFresh(st dataState) bool {
	if s.search == nil {
		return false
	}
	ist := s.search.Status()
	return ist.Open && ist.MappingVersion == search.MappingVersion && ist.DataVersion == st.Version
}

// serveSearch answers from the page cache when the index is current, else
// builds the response every time (an index being rebuilt after an import
// must not leave stale results in the cache of the new data version).
func (s *Server) serveSearch(c *fiber.Ctx, build func(st dataState) (*built, error)) error {
	st, err := s.state(c.UserContext())
	if err != nil || s.searchFresh(st) {
		return s.serve(c, build) // on a database error, serve answers stale or fails
	}
	b, err := build(st)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-cache")
	c.Set(fiber.HeaderContentType, b.ContentType)
	return c.Send(b.Body)
}

// searchFromCache answers a search from the page cache, before any search
// runs, when the index is current and the canonical URL is cached (a
// redirect is never cached, so a cached page means there was none). It
// reports whether it answered.
func (s *Server) searchFromCache(c *fiber.Ctx) (bool, error) {
	st, err := s.state(c.UserContext())
	if err != nil || !s.searchFresh(st) {
		return false, nil // serveSearch decides (stale answer, error, or no cache)
	}
	p := s.cache.get(st.Version, cacheKey(c))
	if p == nil {
		return false, nil
	}
	c.Set(fiber.HeaderVary, "Accept-Encoding")
	if inm := c.Get(fiber.HeaderIfNoneMatch); inm != "" && etagMatch(inm, p.etag) {
		c.Set(fiber.HeaderETag, p.etag)
		c.Set(fiber.HeaderCacheControl, pageCacheControl)
		return true, c.SendStatus(fiber.StatusNotModified)
	}
	return true, s.write(c, p)
}

// recherche is GET /recherche: the results page. A code (UAI, CFD,
// MEFSTAT11, SISE) goes straight to its page; words give results with
// facets and pages, all as plain links (no JavaScript needed).
func (s *Server) recherche(c *fiber.Ctx) error {
	r, err := searchRequest(c)
	if err != nil {
		return err
	}
	if done, err := s.searchFromCache(c); done {
		return err
	}
	ctx := c.UserContext()
	res, err := s.runSearch(ctx, r)
	if errors.Is(err, errSearchUnavailable) {
		return s.rechercheUnavailable(c, r)
	}
	if err != nil {
		return err
	}
	if res.Redirection != "" {
		return c.Redirect(res.Redirection, fiber.StatusFound)
	}
	if res.Total == 0 && r.Filters.Empty() {
		to, ok, err := s.knownUAI(ctx, r.Q)
		if err != nil {
			return err
		}
		if ok {
			return c.Redirect(to, fiber.StatusFound)
		}
	}
	return s.serveSearch(c, func(st dataState) (*built, error) {
		p := s.recherchePage(c, st, r, res)
		return s.htmlPage("pages/recherche", p)
	})
}

// rechercheUnavailable answers 503 while the index is being built.
func (s *Server) rechercheUnavailable(c *fiber.Ctx, r search.Request) error {
	st, err := s.state(c.UserContext())
	if err != nil {
		return err
	}
	p := s.recherchePage(c, st, r, nil)
	p.Unavailable = errSearchUnavailable.Error()
	b, err := s.renderPage("pages/recherche", p)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderRetryAfter, "60")
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Status(fiber.StatusServiceUnavailable).Send(b)
}

// recherchePage is "/recherche".
type recherchePage struct {
	basePage
	Q           string
	Unavailable string // why there are no results at all (index being built)
	Summary     string // "23 résultats pour « lycée »"
	Approchant  bool
	Hits        []hitView
	Filters     []activeFilter
	Facets      []facetView
	Pagination  *pagination
	// Hidden are the current filters, kept by the search form.
	Hidden []hiddenParam
	// Tips are shown when nothing was found.
	Tips []string
	// Territories are the cards of the territories the query names;
	// Familles the familles de métiers of the formations found.
	Territories []territoryCardView
	Familles    []model.FamilleRef
	// Ordering says in one sentence how results are ordered.
	Ordering string
}

// rechercheOrdering is the sentence under the summary.
const rechercheOrdering = "Les formations actuelles passent avant les formations fermées, et les établissements qui ont au moins un chiffre publié avant ceux dont tous les chiffres sont sous le seuil de diffusion ; à rang égal, les résultats les plus proches de la recherche viennent d'abord."

// territoryCardView is one territory card above the results.
type territoryCardView struct {
	Niveau  string // "Commune", "Région"…
	Nom     string
	URL     string // the territory's page, "" for a commune or a département
	Details []string
	Links   []crumb
}

func newTerritoryCardView(t search.TerritoryCard) territoryCardView {
	v := territoryCardView{Niveau: t.NiveauLabel(), Nom: t.Nom, URL: t.URL}
	if t.Departement != nil && t.Departement.Nom != "" {
		v.Details = append(v.Details, t.Departement.Nom+" ("+strings.TrimLeft(t.Departement.Code, "0")+")")
	}
	if t.Academie != nil && t.Academie.Nom != "" {
		v.Details = append(v.Details, "académie de "+t.Academie.Nom)
		v.Links = append(v.Links, crumb{Label: "Académie de " + t.Academie.Nom, URL: "/academies/" + url.PathEscape(t.Academie.Code)})
	}
	if t.Region != nil && t.Region.Nom != "" {
		v.Details = append(v.Details, "région "+t.Region.Nom)
		v.Links = append(v.Links, crumb{Label: "Région " + t.Region.Nom, URL: "/regions/" + url.PathEscape(t.Region.Code)})
	}
	v.Details = append(v.Details, nOf(t.NbEtablissements, "établissement", "établissements")+" avec des chiffres")
	return v
}

// hitView is one result card.
type hitView struct {
	Kind    string // "Établissement", "Formation"
	Title   string
	URL     string
	Code    string   // "UAI 0010001W", "CFD 40030004"
	Details []string // commune, département, académie…
	Tags    []string // voies, levels
	Closed  bool
	// Chiffre is the headline figure of the card, or why there is none.
	Chiffre   string
	NoChiffre string
}

// activeFilter is one filter in force, with the link that removes it.
type activeFilter struct {
	Label     string // "Région : Bretagne"
	RemoveURL string
}

// facetView is one facet of the sidebar.
type facetView struct {
	ID     string // "facette-region"
	Label  string
	Values []facetValueView
}

type facetValueView struct {
	Label  string
	Count  int
	URL    string // toggles the value
	Active bool
}

type hiddenParam struct{ Name, Value string }

// pagination is the DSFR pagination of the results.
type pagination struct {
	Page, Pages int
	First, Prev string
	Next, Last  string
	Links       []pageLink
	Label       string // "Page 2 sur 14"
}

type pageLink struct {
	N       int
	URL     string
	Current bool
	Gap     bool // an ellipsis
}

// searchURL builds /recherche with r's parameters, changed by set
// (an empty value removes the parameter); the page is reset unless set.
func searchURL(r search.Request, set map[string]string) string {
	v := url.Values{}
	put := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	put("q", strings.TrimSpace(r.Q))
	put("type", r.Type)
	put("region", r.Region)
	put("academie", r.Academie)
	put("voie", r.Voie)
	put("niveau", r.Niveau)
	for k, val := range set {
		v.Del(k)
		put(k, val)
	}
	if len(v) == 0 {
		return "/recherche"
	}
	return "/recherche?" + v.Encode()
}

func filterValue(f search.Filters, param string) string {
	switch param {
	case "type":
		return f.Type
	case "region":
		return f.Region
	case "academie":
		return f.Academie
	case "voie":
		return f.Voie
	case "niveau":
		return f.Niveau
	}
	return ""
}

var facetParams = []struct{ param, label string }{
	{"type", "Type"}, {"region", "Région"}, {"academie", "Académie"}, {"voie", "Voie"}, {"niveau", "Niveau"},
}

func (s *Server) recherchePage(c *fiber.Ctx, st dataState, r search.Request, res *search.Result) *recherchePage {
	q := strings.TrimSpace(r.Q)
	title := "Recherche"
	if q != "" {
		title = "Recherche « " + q + " »"
	}
	base := s.newBase(st, title,
		"Rechercher un établissement, une ville, une formation ou un code (UAI, CFD, MEFSTAT11, SISE) et ses chiffres d'insertion.", "/recherche")
	base.Breadcrumb = []crumb{{Label: "Recherche", URL: "/recherche"}}
	return newRecherchePage(base, r, res)
}

// newRecherchePage lays out the results of r (nil: no search was run).
func newRecherchePage(base basePage, r search.Request, res *search.Result) *recherchePage {
	q := strings.TrimSpace(r.Q)
	p := &recherchePage{basePage: base, Q: q}
	p.Query = q
	p.NoIndex = q != "" || !r.Filters.Empty()
	for _, fp := range facetParams {
		if v := filterValue(r.Filters, fp.param); v != "" {
			p.Hidden = append(p.Hidden, hiddenParam{Name: fp.param, Value: v})
		}
	}
	if res == nil {
		return p
	}
	labels := map[string]map[string]string{}
	for _, f := range res.Facettes {
		labels[f.Param] = map[string]string{}
		for _, v := range f.Valeurs {
			labels[f.Param][v.Valeur] = v.Libelle
		}
	}
	for _, fp := range facetParams {
		if v := filterValue(r.Filters, fp.param); v != "" {
			l := labels[fp.param][v]
			if l == "" {
				l = v
			}
			p.Filters = append(p.Filters, activeFilter{Label: fp.label + " : " + l, RemoveURL: searchURL(r, map[string]string{fp.param: ""})})
		}
	}
	switch {
	case q == "" && r.Filters.Empty():
		// the empty form
	case res.Total == 0:
		p.Summary = "Aucun résultat"
		if q != "" {
			p.Summary += " pour « " + q + " »"
		}
		if !r.Filters.Empty() {
			p.Summary += " avec ces filtres"
			p.Tips = append(p.Tips, "Retirez un filtre pour élargir la recherche.")
		}
		p.Tips = append(p.Tips,
			"Vérifiez l'orthographe, ou tapez seulement le début d'un mot (« boulang »).",
			"Cherchez par ville, par nom d'établissement ou par intitulé de diplôme.",
			"Un code UAI (8 caractères, ex. 0010001W), CFD (8 caractères), MEFSTAT11 (11 caractères) ou SISE (7 chiffres) mène directement à sa page.",
			"Seuls les établissements et les formations qui ont des chiffres d'insertion sont proposés.")
	default:
		n := strconv.FormatUint(res.Total, 10)
		word := " résultats"
		if res.Total == 1 {
			word = " résultat"
		}
		p.Summary = n + word
		if q != "" {
			p.Summary += " pour « " + q + " »"
		}
		p.Approchant = res.Approchant
	}
	if len(res.Resultats) > 0 {
		p.Ordering = rechercheOrdering
	}
	seenFamille := map[string]bool{}
	for _, h := range res.Resultats {
		p.Hits = append(p.Hits, newHitView(h))
		if f := h.Famille; f != nil && !seenFamille[f.Slug] {
			seenFamille[f.Slug] = true
			p.Familles = append(p.Familles, *f)
		}
	}
	for _, t := range res.Territoires {
		p.Territories = append(p.Territories, newTerritoryCardView(t))
	}
	for _, f := range res.Facettes {
		fv := facetView{ID: "facette-" + f.Param, Label: f.Libelle}
		for _, v := range f.Valeurs {
			u := searchURL(r, map[string]string{f.Param: v.Valeur})
			if v.Actif {
				u = searchURL(r, map[string]string{f.Param: ""})
			}
			fv.Values = append(fv.Values, facetValueView{Label: v.Libelle, Count: v.Nombre, URL: u, Active: v.Actif})
		}
		p.Facets = append(p.Facets, fv)
	}
	p.Pagination = newPagination(r, res)
	return p
}

func newHitView(h search.Hit) hitView {
	v := hitView{Title: h.Title(), URL: h.URL, Closed: h.FormationFermee}
	if h.Objet == search.KindEtablissement {
		v.Kind = "Établissement"
		v.Code = "UAI " + h.UAI
		if h.Type != "" {
			v.Details = append(v.Details, h.Type)
		}
		place := h.Commune
		if h.Departement != nil && h.Departement.Nom != "" {
			if place != "" {
				place += " (" + h.Departement.Nom + ")"
			} else {
				place = h.Departement.Nom
			}
		}
		if place != "" {
			v.Details = append(v.Details, place)
		}
		if h.Academie != nil && h.Academie.Nom != "" {
			v.Details = append(v.Details, "académie de "+h.Academie.Nom)
		}
		if h.Region != nil && h.Region.Nom != "" {
			v.Details = append(v.Details, h.Region.Nom)
		}
		if h.NbFormations > 0 {
			v.Details = append(v.Details, nOf(h.NbFormations, "formation", "formations")+" avec des chiffres")
		}
	} else {
		v.Kind = "Formation"
		switch {
		case h.SISE != "":
			v.Code = "SISE " + h.SISE
		default:
			v.Code = "CFD " + h.CFD
		}
		if h.Niveau != "" {
			v.Details = append(v.Details, h.Niveau)
		}
		if h.NbEtablissements > 0 {
			v.Details = append(v.Details, "proposée par "+nOf(h.NbEtablissements, "établissement", "établissements")+" avec des chiffres")
		}
		if n := len(h.Regions); n > 0 {
			v.Details = append(v.Details, "chiffres dans "+nOf(n, "région", "régions"))
		}
	}
	for _, vo := range h.Voies {
		v.Tags = append(v.Tags, voieLabel(vo))
	}
	if h.Famille != nil {
		v.Details = append(v.Details, "famille de métiers : "+h.Famille.Nom)
	}
	v.Chiffre = chiffreCarte(h.Chiffre)
	if v.Chiffre == "" {
		switch {
		case h.Objet == search.KindEtablissement && h.AvecChiffres:
			v.NoChiffre = "Chiffres par formation sur la page de l'établissement"
		case h.Objet == search.KindEtablissement:
			v.NoChiffre = "Aucun chiffre publié : effectifs sous le seuil de diffusion ou valeurs non diffusées"
		case h.SISE != "":
			v.NoChiffre = "Chiffres InserSup sur la page de la formation"
		default:
			v.NoChiffre = "Pas de chiffre national diffusé pour la dernière promotion"
		}
	}
	return v
}

// chiffreCarte words a card's headline figure (already disclosed by the
// store): « 62 % en emploi 6 mois après la sortie (France, voie scolaire,
// 2022) »; "" when there is none.
func chiffreCarte(c *model.ChiffreCarte) string {
	if c == nil {
		return ""
	}
	ctx := []string{}
	if c.Perimetre != "" {
		ctx = append(ctx, c.Perimetre)
	}
	if c.Voie != "" {
		ctx = append(ctx, strings.ToLower(voieLabel(c.Voie)))
	}
	if c.MillesimeLibelle != "" {
		ctx = append(ctx, c.MillesimeLibelle)
	}
	return fmt.Sprintf("%d %% %s (%s)", c.Valeur, c.Libelle, strings.Join(ctx, ", "))
}

// newPagination shows the first, last, current and neighbouring pages.
func newPagination(r search.Request, res *search.Result) *pagination {
	if res.Pages <= 1 {
		return nil
	}
	page := func(n int) string {
		if n == 1 {
			return searchURL(r, nil)
		}
		return searchURL(r, map[string]string{"page": strconv.Itoa(n)})
	}
	p := &pagination{Page: res.Page, Pages: res.Pages, Label: fmt.Sprintf("Page %d sur %d", res.Page, res.Pages)}
	if res.Page > 1 {
		p.First, p.Prev = page(1), page(res.Page-1)
	}
	if res.Page < res.Pages {
		p.Next, p.Last = page(res.Page+1), page(res.Pages)
	}
	last := 0
	for n := 1; n <= res.Pages; n++ {
		if n != 1 && n != res.Pages && (n < res.Page-2 || n > res.Page+2) {
			continue
		}
		if last != 0 && n > last+1 {
			p.Links = append(p.Links, pageLink{Gap: true})
		}
		p.Links = append(p.Links, pageLink{N: n, URL: page(n), Current: n == res.Page})
		last = n
	}
	return p
}
