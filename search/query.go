package search

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// Page sizes.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
	maxWindow       = 10000 // page × size never goes beyond this
	// FuzzyMinLength is the length from which a word tolerates one typo.
	FuzzyMinLength = 5
)

// Filters are the facet filters, as given in the URL (one value each).
type Filters struct {
	Type     string `json:"type,omitempty"`
	Region   string `json:"region,omitempty"`
	Academie string `json:"academie,omitempty"`
	Voie     string `json:"voie,omitempty"`
	Niveau   string `json:"niveau,omitempty"`
}

// Empty reports whether no filter is set.
func (f Filters) Empty() bool { return f == Filters{} }

// filterFields pairs each URL parameter with its index field.
func (f Filters) fields() []struct{ param, field, value string } {
	return []struct{ param, field, value string }{
		{"type", fType, f.Type},
		{"region", fRegion, f.Region},
		{"academie", fAcademie, f.Academie},
		{"voie", fVoie, f.Voie},
		{"niveau", fNiveau, f.Niveau},
	}
}

// Request is one search.
type Request struct {
	Q string
	Filters
	Page int // from 1
	Size int // DefaultPageSize when 0
}

// Hit is one result.
type Hit struct {
	Document
	URL   string  `json:"url"`
	Score float64 `json:"score"`
}

// FacetValue is one value of a facet with its number of results.
type FacetValue struct {
	Valeur  string `json:"valeur"`
	Libelle string `json:"libelle"`
	Nombre  int    `json:"nombre"`
	Actif   bool   `json:"actif"`
}

// Facet is one facet: the URL parameter it sets and its values.
type Facet struct {
	Param   string       `json:"parametre"`
	Libelle string       `json:"libelle"`
	Valeurs []FacetValue `json:"valeurs"`
}

// Result is the answer to a Request.
type Result struct {
	Q       string  `json:"q"`
	Filtres Filters `json:"filtres"`
	// Redirection is the page of the object whose code is the whole query
	// (UAI, CFD, MEFSTAT11, SISE): the site goes straight there.
	Redirection string `json:"redirection,omitempty"`
	Total       uint64 `json:"total"`
	Page        int    `json:"page"`
	Pages       int    `json:"pages"`
	ParPage     int    `json:"par_page"`
	// Approchant is set when no object matches every word: the results
	// match all words but one.
	Approchant bool  `json:"approchant"`
	Resultats  []Hit `json:"resultats"`
	// Territoires are the territories the query names, shown first.
	Territoires []TerritoryCard `json:"territoires,omitempty"`
	Facettes    []Facet         `json:"facettes"`
	DureeMs     float64         `json:"duree_ms"`
}

// Search runs a search: exact code first, then the words of the query
// (all of them, else all but one), with the facet filters. Answers are
// cached with the index: the Result is the caller's, but its slices are
// shared and must not be modified.
func (ix *Index) Search(ctx context.Context, r Request) (res *Result, err error) {
	start := time.Now()
	h := ix.acquire()
	if h == nil {
		return nil, ErrNoIndex
	}
	defer h.release()

	size := r.Size
	if size <= 0 {
		size = DefaultPageSize
	}
	size = min(size, MaxPageSize)
	// page × size cannot overflow: page is bounded before multiplying.
	page := min(max(r.Page, 1), maxWindow/size)
	res = &Result{Q: r.Q, Filtres: r.Filters, Page: page, ParPage: size, Resultats: []Hit{}, Facettes: []Facet{}}
	defer func() {
		if res != nil {
			res.DureeMs = float64(time.Since(start).Microseconds()) / 1000
		}
	}()

	q := strings.TrimSpace(r.Q)
	if q == "" && r.Filters.Empty() {
		return res, nil
	}
	key := fmt.Sprintf("r|%s|%d|%d|%+v", r.Q, page, size, r.Filters)
	if cached, ok := h.cache.get(key); ok {
		c := *cached.(*Result) // callers may set fields of their copy
		res = &c
		return res, nil
	}
	defer func() {
		if res != nil && err == nil {
			c := *res
			h.cache.put(key, &c)
		}
	}()
	if q != "" && r.Filters.Empty() {
		hit, err := h.lookup(ctx, q)
		if err != nil {
			return nil, err
		}
		if hit != nil {
			res.Redirection = hit.URL
			res.Total, res.Pages = 1, 1
			res.Resultats = []Hit{*hit}
			return res, nil
		}
	}

	terms := h.terms(q)
	if page == 1 && r.Filters.Empty() {
		res.Territoires = h.territories.match(terms)
	}
	var main query.Query
	switch {
	case q == "":
		main = bleve.NewMatchAllQuery()
	case len(terms) == 0: // only stop words or punctuation
		return res, nil
	default:
		main = h.textQuery(terms, !endsWithSpace(r.Q), false, 0)
	}
	sr, counts, err := h.run(ctx, main, r.Filters, page, size, true)
	if err != nil {
		return nil, err
	}
	if sr.Total == 0 && len(terms) > 1 {
		// No object has every word: accept all but one.
		sr, counts, err = h.run(ctx, h.textQuery(terms, !endsWithSpace(r.Q), false, len(terms)-1), r.Filters, page, size, true)
		if err != nil {
			return nil, err
		}
		res.Approchant = sr.Total > 0
	}
	res.Total = sr.Total
	res.Pages = int((sr.Total + uint64(size) - 1) / uint64(size))
	res.Resultats, err = hits(sr)
	if err != nil {
		return nil, err
	}
	res.Facettes = h.facetList(counts, r.Filters)
	return res, nil
}

// Suggest returns up to n objects for what is being typed: the last word
// is a prefix, codes match by prefix too.
func (ix *Index) Suggest(ctx context.Context, q string, n int) ([]Hit, error) {
	h := ix.acquire()
	if h == nil {
		return nil, ErrNoIndex
	}
	defer h.release()
	if n <= 0 || n > 20 {
		n = 8
	}
	if strings.TrimSpace(q) == "" {
		return []Hit{}, nil
	}
	key := fmt.Sprintf("s|%s|%d", q, n)
	if cached, ok := h.cache.get(key); ok {
		return cached.([]Hit), nil
	}
	terms := h.terms(q)
	if len(terms) == 0 {
		return []Hit{}, nil
	}
	sr, _, err := h.run(ctx, h.textQuery(terms, !endsWithSpace(q), true, 0), Filters{}, 1, n, false)
	if err != nil {
		return nil, err
	}
	out, err := hits(sr)
	if err == nil {
		h.cache.put(key, out)
	}
	return out, err
}

// Lookup finds the object whose code (UAI, CFD, MEFSTAT11, SISE) is s,
// spelled in any case with surrounding spaces; nil when none is indexed.
func (ix *Index) Lookup(ctx context.Context, s string) (*Hit, error) {
	h := ix.acquire()
	if h == nil {
		return nil, ErrNoIndex
	}
	defer h.release()
	return h.lookup(ctx, s)
}

func (h *handle) lookup(ctx context.Context, s string) (*Hit, error) {
	code, ok := asCode(s)
	if !ok {
		return nil, nil
	}
	tq := bleve.NewTermQuery(code)
	tq.SetField(fCodes)
	req := bleve.NewSearchRequestOptions(tq, 5, 0, false)
	req.Fields = []string{fData}
	req.SortBy([]string{fKind, fSort}) // establishments before formations, then by name
	sr, err := h.idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("recherche : %w", err)
	}
	hs, err := hits(sr)
	if err != nil || len(hs) == 0 {
		return nil, err
	}
	return &hs[0], nil
}

// asCode recognises a whole query that is one identifier.
func asCode(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if u, err := model.NormalizeUAI(s); err == nil {
		return u, true
	}
	if c, _, err := model.ParseFormationCode(s); err == nil && strings.ContainsAny(c, "0123456789") {
		return c, true
	}
	return "", false
}

// terms folds and analyses the query exactly as the "_f" fields were
// analysed (model.Fold first: prefix and fuzzy queries skip analysis).
func (h *handle) terms(q string) []string {
	a := h.idx.Mapping().AnalyzerNamed(analyzerFold)
	if a == nil {
		return strings.Fields(model.Fold(q))
	}
	var out []string
	for _, t := range a.Analyze([]byte(model.Fold(q))) {
		out = append(out, string(t.Term))
	}
	return out
}

// textQuery builds the query of the words: each word must match (a
// conjunction of one disjunction per word), unless minMatch > 0, then at
// least minMatch words must. A word matches the title, the other labels or
// the place as is (analysed: plural stripped, weighted by field); a word
// the index does not know matches with one typo when it has
// FuzzyMinLength letters or more; the last word, while being typed (no
// space after it), also matches as a prefix; a word with digits matches
// codes. Open formations outrank closed diplomas. (A phrase boost on the
// title was tried: it doubled the time of "lycée professionnel" and
// changed no answer of the relevance table; field-length norms already put
// the shortest matching names first.)
//
// Known words skip the fuzzy and (on the results page) prefix expansions:
// "lycee" matches thousands of objects, and expanding it to "lyceen",
// "lycees"… would cost time for nothing.
func (h *handle) textQuery(terms []string, prefixLast, suggest bool, minMatch int) query.Query {
	exact := []struct {
		field, analyzer string
		boost           float64
	}{{fTitle, analyzerText, 4}, {fAlt, analyzerText, 2}, {fPlace, analyzerText, 2}, {fSigle, analyzerFold, 4}}
	words := make([]query.Query, 0, len(terms))
	for i, t := range terms {
		last := i == len(terms)-1
		n := utf8.RuneCountInString(t)
		if suggest && last && prefixLast && n < 2 && len(terms) > 1 {
			continue // one letter typed after a word: wait for the next
		}
		var dis []query.Query
		for _, f := range exact {
			m := bleve.NewMatchQuery(t)
			m.SetField(f.field)
			m.Analyzer = f.analyzer
			m.SetBoost(f.boost)
			dis = append(dis, m)
		}
		if n >= 4 && n <= 8 {
			// An acronym typed near its derived form (« agora » for
			// AGOA): one typo on the acronyms only, known word or not.
			sq := bleve.NewFuzzyQuery(t)
			sq.SetField(fSigle)
			sq.SetFuzziness(1)
			sq.SetBoost(1)
			dis = append(dis, sq)
		}
		known := h.known(t)
		if !known && n >= FuzzyMinLength {
			fq := bleve.NewFuzzyQuery(t)
			fq.SetField(fAllF)
			fq.SetFuzziness(1)
			fq.SetBoost(1)
			dis = append(dis, fq)
		}
		if last && prefixLast && (suggest || !known) && n >= 2 {
			pq := bleve.NewPrefixQuery(t)
			pq.SetField(fAllF)
			pq.SetBoost(1.5)
			dis = append(dis, pq)
		}
		if isCodeLike(t) {
			tq := bleve.NewTermQuery(strings.ToUpper(t))
			tq.SetField(fCodes)
			tq.SetBoost(10)
			dis = append(dis, tq)
			if last && prefixLast && len(t) >= 3 {
				pq := bleve.NewPrefixQuery(strings.ToUpper(t))
				pq.SetField(fCodes)
				pq.SetBoost(5)
				dis = append(dis, pq)
			}
		}
		words = append(words, bleve.NewDisjunctionQuery(dis...))
	}
	if len(words) == 0 {
		return bleve.NewMatchNoneQuery()
	}
	var must query.Query
	if minMatch > 0 && minMatch < len(words) {
		d := bleve.NewDisjunctionQuery(words...)
		d.SetMin(float64(minMatch))
		must = d
	} else {
		must = bleve.NewConjunctionQuery(words...)
	}
	bq := bleve.NewBooleanQuery()
	bq.AddMust(must)
	oq := bleve.NewTermQuery("1")
	oq.SetField(fOpen)
	oq.SetBoost(0.5)
	bq.AddShould(oq)
	return bq
}

// known reports whether the index holds the word (folded, unstemmed).
func (h *handle) known(t string) bool {
	_, ok := h.vocab[t]
	return ok
}

// run executes q with the filters; facets are computed when asked.
func (h *handle) run(ctx context.Context, q query.Query, f Filters, page, size int, facets bool) (*bleve.SearchResult, map[string]map[string]int, error) {
	var filters []query.Query
	for _, ff := range f.fields() {
		if ff.value == "" {
			continue
		}
		tq := bleve.NewTermQuery(ff.value)
		tq.SetField(ff.field)
		filters = append(filters, tq)
	}
	_, browse := q.(*query.MatchAllQuery)
	switch {
	case browse && len(filters) > 0:
		// Filters alone: search the filtered objects only, unscored.
		q = bleve.NewConjunctionQuery(filters...)
	case len(filters) > 0:
		bq := bleve.NewBooleanQuery()
		bq.AddMust(q)
		bq.AddFilter(bleve.NewConjunctionQuery(filters...))
		q = bq
	}
	req := bleve.NewSearchRequestOptions(q, size, (page-1)*size, false)
	req.Fields = []string{fData}
	if browse {
		req.Score = bleve.ScoreNone
		req.SortBy([]string{"-" + fTier, fSort})
	} else {
		// Current formations and establishments with figures first
		// (Document.Tier), then by relevance.
		req.SortBy([]string{"-" + fTier, "-_score"})
	}
	var c *counter
	if facets && h.facets != nil {
		ctx, c = h.facets.withCounter(ctx)
	}
	sr, err := h.idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, nil, fmt.Errorf("recherche : %w", err)
	}
	if !facets {
		return sr, nil, nil
	}
	if c != nil && !c.miss {
		return sr, c.byField(), nil
	}
	// No table (or a hit outside it): bleve counts from the doc values.
	req.AddFacet(fFacets, bleve.NewFacetRequest(fFacets, 1000))
	sr, err = h.idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, nil, fmt.Errorf("recherche : %w", err)
	}
	return sr, facetCounts(sr), nil
}

// facetCounts reads bleve's facet of fFacets as field → value → count.
func facetCounts(sr *bleve.SearchResult) map[string]map[string]int {
	counts := map[string]map[string]int{}
	if fr := sr.Facets[fFacets]; fr != nil && fr.Terms != nil {
		for _, t := range fr.Terms.Terms() {
			field, value, ok := strings.Cut(t.Term, "=")
			if !ok {
				continue
			}
			if counts[field] == nil {
				counts[field] = map[string]int{}
			}
			counts[field][value] = t.Count
		}
	}
	return counts
}

func hits(sr *bleve.SearchResult) ([]Hit, error) {
	out := make([]Hit, 0, len(sr.Hits))
	for _, m := range sr.Hits {
		var hit Hit
		if s, ok := m.Fields[fData].(string); ok {
			if err := json.Unmarshal([]byte(s), &hit.Document); err != nil {
				return nil, fmt.Errorf("recherche : document %s illisible : %w", m.ID, err)
			}
		}
		hit.URL = hit.Document.URL()
		hit.Score = m.Score
		out = append(out, hit)
	}
	return out, nil
}

var facetLabels = map[string]string{
	"type":     "Type",
	"region":   "Région",
	"academie": "Académie",
	"voie":     "Voie",
	"niveau":   "Niveau",
}

// facetLimit is the number of values shown per facet.
const facetLimit = 40

// facetList turns the counts into labelled, sorted lists; a
// selected value stays listed even when no result carries it.
func (h *handle) facetList(counts map[string]map[string]int, f Filters) []Facet {
	out := []Facet{}
	for _, ff := range f.fields() {
		facet := Facet{Param: ff.param, Libelle: facetLabels[ff.param], Valeurs: []FacetValue{}}
		for v, n := range counts[ff.field] {
			facet.Valeurs = append(facet.Valeurs, FacetValue{Valeur: v, Libelle: h.label(ff.field, v), Nombre: n, Actif: v == ff.value})
		}
		if _, ok := counts[ff.field][ff.value]; ff.value != "" && !ok {
			facet.Valeurs = append(facet.Valeurs, FacetValue{Valeur: ff.value, Libelle: h.label(ff.field, ff.value), Actif: true})
		}
		sort.Slice(facet.Valeurs, func(i, j int) bool {
			a, b := facet.Valeurs[i], facet.Valeurs[j]
			if a.Actif != b.Actif {
				return a.Actif
			}
			if a.Nombre != b.Nombre {
				return a.Nombre > b.Nombre
			}
			return a.Libelle < b.Libelle
		})
		if len(facet.Valeurs) > facetLimit {
			facet.Valeurs = facet.Valeurs[:facetLimit]
		}
		if len(facet.Valeurs) > 0 {
			out = append(out, facet)
		}
	}
	return out
}

// label is the French label of a facet value.
func (h *handle) label(field, code string) string {
	switch field {
	case fVoie:
		return model.VoieLabel(code)
	case fRegion:
		if r, ok := model.RegionByCode(code); ok {
			return r.Nom
		}
	}
	if l := h.labels[field][code]; l != "" {
		return l
	}
	return code
}

// Label is the French label of a facet value (param as in the URL).
func (ix *Index) Label(param, code string) string {
	h := ix.acquire()
	if h == nil {
		return code
	}
	defer h.release()
	for _, ff := range (Filters{}).fields() {
		if ff.param == param {
			return h.label(ff.field, code)
		}
	}
	return code
}

func isCodeLike(t string) bool {
	if len(t) < 3 || len(t) > 11 {
		return false
	}
	digits := 0
	for _, r := range t {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z':
		default:
			return false
		}
	}
	return digits >= 3
}

func endsWithSpace(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return unicode.IsSpace(r)
}
