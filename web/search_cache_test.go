package web

import (
	"context"
	"log/slog"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/vitrine-inserjeunes/vitrine/search"
)

// countingSearcher is the real index, counting the searches it runs.
type countingSearcher struct {
	*search.Index
	n atomic.Int64
}

func (c *countingSearcher) Search(ctx context.Context, r search.Request) (*search.Result, error) {
	c.n.Add(1)
	return c.Index.Search(ctx, r)
}

// A search page or API answer already in the page cache is served without
// running the search again (issue 13): only the first request of each
// canonical URL searches.
func TestCachedSearchRunsNoSearch(t *testing.T) {
	_, st, ix := searchTestApp(t)
	cs := &countingSearcher{Index: ix}
	app := New(st, slog.New(slog.DiscardHandler), testConfig(), WithSearch(cs))
	for _, u := range []string{"/api/v1/recherche?q=cuisine", "/recherche?q=cuisine"} {
		before := cs.n.Load()
		for i := 0; i < 3; i++ {
			// an unknown parameter leaves the canonical URL, hence the cache entry, unchanged
			r := get(t, app, u+map[bool]string{true: "", false: "&utm_source=x"}[i == 0])
			if r.StatusCode != http.StatusOK {
				t.Fatalf("%s : %d", u, r.StatusCode)
			}
			body(t, r)
		}
		if got := cs.n.Load() - before; got != 1 {
			t.Errorf("%s demandé 3 fois : %d recherches, 1 attendue", u, got)
		}
	}
}
