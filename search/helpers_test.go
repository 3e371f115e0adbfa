package search_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/vitrine-inserjeunes/vitrine/internal/importer"
	"github.com/vitrine-inserjeunes/vitrine/internal/searchsource"
	"github.com/vitrine-inserjeunes/vitrine/internal/store"
	"github.com/vitrine-inserjeunes/vitrine/internal/testdb"
	"github.com/vitrine-inserjeunes/vitrine/search"
)

// The demo data is imported once per test binary into vitrine_test_search;
// the documents are read from it once and kept in memory, so that tests
// and benchmarks can build as many indexes as they need.
var demo struct {
	once sync.Once
	st   *store.Store
	docs memSource
	err  error
}

func demoStore(t testing.TB) (*store.Store, memSource) {
	t.Helper()
	pool := testdb.Pool(t, "search")
	demo.once.Do(func() {
		ctx := context.Background()
		if _, err := importer.ImportDemo(ctx, pool, "../testdata/demo"); err != nil {
			demo.err = err
			return
		}
		demo.st = store.New(pool)
		src := searchsource.New(demo.st)
		demo.docs.version, demo.err = src.DataVersion(ctx)
		if demo.err == nil {
			demo.err = src.Documents(ctx, func(d search.Document) error {
				demo.docs.docs = append(demo.docs.docs, d)
				return nil
			})
		}
	})
	if demo.err != nil {
		t.Fatalf("données de démonstration : %v", demo.err)
	}
	return demo.st, demo.docs
}

// memSource is a search.Source over documents held in memory.
type memSource struct {
	version int64
	docs    []search.Document
}

func (m memSource) DataVersion(context.Context) (int64, error) { return m.version, nil }

func (m memSource) Documents(ctx context.Context, emit func(search.Document) error) error {
	for _, d := range m.docs {
		if err := emit(d); err != nil {
			return err
		}
	}
	return nil
}

// demoIndex builds an index of the demo documents in a temporary directory.
func demoIndex(t testing.TB) *search.Index {
	t.Helper()
	_, docs := demoStore(t)
	ix := search.New(t.TempDir(), nil)
	start := time.Now()
	if _, err := ix.Rebuild(context.Background(), docs); err != nil {
		t.Fatal(err)
	}
	t.Logf("index de démonstration : %d documents en %s", len(docs.docs), time.Since(start).Round(time.Millisecond))
	t.Cleanup(func() { _ = ix.Close() })
	return ix
}
