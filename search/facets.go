package search

import (
	"context"
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/collector"
	index "github.com/blevesearch/bleve_index_api"
)

// facetTable holds the facet values ("field=value" terms of fFacets) of
// every document, by internal document number. The index never changes
// once built, so the table is read once when it is opened; a search then
// counts the facets of its hits from memory, through bleve's document
// match handler hook, instead of reading every hit's doc values (which
// made a broad search — "lycée", a région alone — three times slower).
type facetTable struct {
	terms []string   // term id → "field=value"
	docs  [][]uint16 // doc number → term ids
}

// docNum decodes a scorch internal id (8 bytes, big-endian doc number).
func docNum(id index.IndexInternalID) (uint64, bool) {
	if len(id) != 8 {
		return 0, false
	}
	return binary.BigEndian.Uint64(id), true
}

// loadFacetTable reads the facet doc values of every document.
func loadFacetTable(idx bleve.Index) (*facetTable, error) {
	adv, err := idx.Advanced()
	if err != nil {
		return nil, err
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	ids, err := r.DocIDReaderAll()
	if err != nil {
		return nil, err
	}
	defer ids.Close()
	dv, err := r.DocValueReader([]string{fFacets})
	if err != nil {
		return nil, err
	}
	ft := &facetTable{}
	termID := map[string]uint16{}
	for {
		id, err := ids.Next()
		if err != nil {
			return nil, fmt.Errorf("index : facettes : %w", err)
		}
		if id == nil {
			break
		}
		n, ok := docNum(id)
		if !ok || n > 1<<24 {
			return nil, nil // not scorch as we know it: bleve counts the facets
		}
		for uint64(len(ft.docs)) <= n {
			ft.docs = append(ft.docs, nil)
		}
		var list []uint16
		err = dv.VisitDocValues(id, func(_ string, term []byte) {
			t, ok := termID[string(term)]
			if !ok {
				if len(ft.terms) >= 1<<16-1 {
					return
				}
				t = uint16(len(ft.terms))
				termID[string(term)] = t
				ft.terms = append(ft.terms, string(term))
			}
			list = append(list, t)
		})
		if err != nil {
			return nil, fmt.Errorf("index : facettes : %w", err)
		}
		ft.docs[n] = list
	}
	return ft, nil
}

// counter counts the facets of the hits of one search.
type counter struct {
	ft     *facetTable
	counts []int32
	miss   bool // a hit outside the table: the counts are not to be trusted
}

// withCounter returns ctx carrying a document match handler that counts
// the facets of every hit, then hands it to bleve's top-N collection.
func (ft *facetTable) withCounter(ctx context.Context) (context.Context, *counter) {
	c := &counter{ft: ft, counts: make([]int32, len(ft.terms))}
	maker := search.MakeDocumentMatchHandler(func(sctx *search.SearchContext) (search.DocumentMatchHandler, bool, error) {
		next, loadID, err := collector.MakeTopNDocumentMatchHandler(sctx)
		if err != nil {
			return nil, false, err
		}
		return func(d *search.DocumentMatch) error {
			if d != nil {
				if n, ok := docNum(d.IndexInternalID); ok && n < uint64(len(ft.docs)) {
					for _, t := range ft.docs[n] {
						c.counts[t]++
					}
				} else {
					c.miss = true
				}
			}
			return next(d)
		}, loadID, nil
	})
	return context.WithValue(ctx, search.MakeDocumentMatchHandlerKey, maker), c
}

// byField splits the counts into field → value → count.
func (c *counter) byField() map[string]map[string]int {
	out := map[string]map[string]int{}
	for t, n := range c.counts {
		if n == 0 {
			continue
		}
		field, value, ok := strings.Cut(c.ft.terms[t], "=")
		if !ok {
			continue
		}
		if out[field] == nil {
			out[field] = map[string]int{}
		}
		out[field][value] = int(n)
	}
	return out
}
