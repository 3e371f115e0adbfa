package web

import (
	"encoding/json"
	"errors"

	"github.com/gofiber/fiber/v2"

	"github.com/vitrine-inserjeunes/vitrine/search"
)

// apiRecherche is GET /api/v1/recherche?q=&type=&region=&academie=&voie=&niveau=&page=&par_page=:
// the results of /recherche as JSON. A query that is a code carries
// "redirection" (the page to go to) and its one result.
func (s *Server) apiRecherche(c *fiber.Ctx) error {
	r, err := searchRequest(c)
	if err != nil {
		return err
	}
	if done, err := s.searchFromCache(c); done {
		return err
	}
	res, err := s.runSearch(c.UserContext(), r)
	if err != nil {
		return err
	}
	if res.Total == 0 && r.Filters.Empty() {
		to, ok, err := s.knownUAI(c.UserContext(), r.Q)
		if err != nil {
			return err
		}
		if ok {
			res.Redirection = to
		}
	}
	return s.serveSearch(c, func(dataState) (*built, error) {
		b, err := json.Marshal(res)
		if err != nil {
			return nil, err
		}
		return &built{Body: b, ContentType: fiber.MIMEApplicationJSONCharsetUTF8}, nil
	})
}

// suggestion is one entry of the search box's list.
type suggestion struct {
	Libelle string `json:"libelle"`
	Detail  string `json:"detail"`
	Objet   string `json:"objet"`
	URL     string `json:"url"`
}

// suggestionsJSON is the answer of GET /api/v1/suggestions.
type suggestionsJSON struct {
	Q           string       `json:"q"`
	Suggestions []suggestion `json:"suggestions"`
	// Recherche is the results page of the words typed so far.
	Recherche string `json:"recherche"`
}

// apiSuggestions is GET /api/v1/suggestions?q=&n=: what the search box
// offers while a word is being typed (its last word is a prefix). Without
// JavaScript the box is a plain form to /recherche, which also reads the
// last word as a prefix.
func (s *Server) apiSuggestions(c *fiber.Ctx) error {
	q := textParam(c, "q", maxQueryLen)
	n, err := intParam(c, "n", 0, 0, maxCountParam)
	if err != nil {
		return err
	}
	out := suggestionsJSON{Q: q, Suggestions: []suggestion{}, Recherche: searchURL(search.Request{Q: q}, nil)}
	if s.search == nil {
		return errSearchUnavailable
	}
	hits, err := s.search.Suggest(c.UserContext(), q, n)
	if errors.Is(err, search.ErrNoIndex) {
		return errSearchUnavailable
	}
	if err != nil {
		return err
	}
	for _, h := range hits {
		v := newHitView(h)
		detail := v.Code
		if len(v.Details) > 0 {
			detail = v.Details[0] + " — " + v.Code
			if h.Objet == search.KindEtablissement && len(v.Details) > 1 {
				detail = v.Details[1] + " — " + v.Code
			}
		}
		out.Suggestions = append(out.Suggestions, suggestion{Libelle: v.Title, Detail: detail, Objet: h.Objet, URL: h.URL})
	}
	c.Set(fiber.HeaderCacheControl, "public, max-age=60")
	return c.JSON(out)
}
