// Package search is the full-text index of the site: establishments and
// formations, French analysis with accents folded first, exact-code hits,
// prefix suggestions, typo tolerance, facets. The index is derived data,
// rebuilt from PostgreSQL at any time (see Index.Refresh).
package search

import (
	"bytes"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/char/asciifolding"
	"github.com/blevesearch/bleve/v2/analysis/lang/fr"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/token/stop"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/analysis/tokenmap"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/registry"
)

// MappingVersion is stored in the index; an index built with another
// version is rebuilt at start-up. Bump it whenever the mapping, the
// analyzers or the shape of the indexed documents change.
const MappingVersion = 5

// Analyzer and field names.
const (
	analyzerText = "vitrine_fr"      // folded, elided, stop words out, plural stripped
	analyzerFold = "vitrine_fr_fold" // folded, elided, stop words out, no stemming (prefix/fuzzy fields)
	stopMap      = "vitrine_stop_fr"
	stopFilter   = "vitrine_stop_fr"
	pluralFilter = "vitrine_plural_fr"
)

// Indexed fields. The three text fields (stemmed) answer match queries,
// each with its weight; their words also go, folded but unstemmed, into
// "all_f", which answers prefix and fuzzy queries (bleve does not analyse
// those, so the query is folded the same way by hand).
const (
	fTitle    = "title"
	fPlace    = "place"
	fAlt      = "alt"
	fAllF     = "all_f"
	fCodes    = "codes"
	fSort     = "sort"
	fData     = "data"
	fKind     = "kind"
	fType     = "type"
	fRegion   = "region"
	fAcademie = "academie"
	fVoie     = "voie"
	fNiveau   = "niveau"
	fOpen     = "ouvert" // "1" for open formations and every establishment
	fSigle    = "sigle"  // acronyms derived from the labels (Sigles)
	fTier     = "rang"   // Document.Tier, sorted on before the score
	// fFacets holds "field=value" for every facet value of the document,
	// in doc values: one field to visit per hit instead of five makes the
	// facets of a broad query three times cheaper. The facet fields
	// themselves are only searched (filters), never visited.
	fFacets = "facets"
)

// stopWords are the French words dropped from both documents and queries.
// They are already folded (the char filter folds before the stop filter).
var stopWords = []string{
	"a", "au", "aux", "avec", "ce", "ces", "d", "dans", "de", "des", "du", "en", "et",
	"l", "la", "le", "les", "leur", "leurs", "ou", "par", "pour", "qu", "sur", "un", "une",
}

func init() {
	if err := registry.RegisterTokenFilter(pluralFilter, func(map[string]interface{}, *registry.Cache) (analysis.TokenFilter, error) {
		return pluralStripper{}, nil
	}); err != nil {
		panic(err)
	}
}

// pluralStripper is a very light French stemmer: it strips a final s or x
// from words of 4 letters or more ("lycées" → "lycee", "métiers" →
// "metier") and nothing else, so that stems stay readable and the same
// word always lands on the same term.
type pluralStripper struct{}

func (pluralStripper) Filter(in analysis.TokenStream) analysis.TokenStream {
	for _, t := range in {
		t.Term = stripPlural(t.Term)
	}
	return in
}

func stripPlural(b []byte) []byte {
	n := len(b)
	if n < 4 || bytes.ContainsAny(b, "0123456789") {
		return b
	}
	if last := b[n-1]; (last == 's' || last == 'x') && b[n-2] != 's' {
		return b[:n-1]
	}
	return b
}

// newMapping builds the index mapping. Documents are indexDoc values.
func newMapping() (*mapping.IndexMappingImpl, error) {
	im := bleve.NewIndexMapping()
	tokens := make([]interface{}, len(stopWords))
	for i, w := range stopWords {
		tokens[i] = w
	}
	if err := im.AddCustomTokenMap(stopMap, map[string]interface{}{"type": tokenmap.Name, "tokens": tokens}); err != nil {
		return nil, err
	}
	if err := im.AddCustomTokenFilter(stopFilter, map[string]interface{}{"type": stop.Name, "stop_token_map": stopMap}); err != nil {
		return nil, err
	}
	// Accents are folded FIRST, by a char filter, so that every later
	// filter (elision, stop words, stemming) sees "sete", never "sète".
	for name, filters := range map[string][]interface{}{
		analyzerFold: {lowercase.Name, fr.ElisionName, stopFilter},
		analyzerText: {lowercase.Name, fr.ElisionName, stopFilter, pluralFilter},
	} {
		if err := im.AddCustomAnalyzer(name, map[string]interface{}{
			"type":          custom.Name,
			"char_filters":  []interface{}{asciifolding.Name},
			"tokenizer":     unicode.Name,
			"token_filters": filters,
		}); err != nil {
			return nil, err
		}
	}
	im.DefaultAnalyzer = analyzerText
	im.StoreDynamic = false
	im.IndexDynamic = false
	im.DocValuesDynamic = false

	text := func(name, analyzer string) *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Name = name
		f.Analyzer = analyzer
		f.Store = false
		f.IncludeInAll = false
		f.IncludeTermVectors = false
		f.DocValues = false
		return f
	}
	kw := func(docValues bool) *mapping.FieldMapping {
		f := bleve.NewKeywordFieldMapping()
		f.Analyzer = keyword.Name
		f.Store = false
		f.IncludeInAll = false
		f.IncludeTermVectors = false
		f.DocValues = docValues // facets and sorting read doc values
		return f
	}
	doc := bleve.NewDocumentStaticMapping()
	doc.AddFieldMappingsAt(fTitle, text(fTitle, analyzerText), text(fAllF, analyzerFold))
	doc.AddFieldMappingsAt(fPlace, text(fPlace, analyzerText), text(fAllF, analyzerFold))
	doc.AddFieldMappingsAt(fAlt, text(fAlt, analyzerText), text(fAllF, analyzerFold))
	doc.AddFieldMappingsAt(fSigle, text(fSigle, analyzerFold), text(fAllF, analyzerFold))
	doc.AddFieldMappingsAt(fCodes, kw(false))
	for _, f := range []string{fType, fRegion, fAcademie, fVoie, fNiveau, fOpen} {
		doc.AddFieldMappingsAt(f, kw(false))
	}
	for _, f := range []string{fSort, fKind, fFacets, fTier} {
		doc.AddFieldMappingsAt(f, kw(true))
	}
	data := bleve.NewTextFieldMapping()
	data.Index = false
	data.Store = true
	data.IncludeInAll = false
	data.IncludeTermVectors = false
	data.DocValues = false
	doc.AddFieldMappingsAt(fData, data)
	im.DefaultMapping = doc
	return im, im.Validate()
}
