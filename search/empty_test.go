package search

import (
	"context"
	"io"
	"log/slog"
	"testing"
)

// An empty warehouse (a fresh database, no import yet) builds an empty
// index that answers searches with no result; bleve's offline builder
// panicked when closed without a document.
func TestRebuildEmpty(t *testing.T) {
	ix := New(t.TempDir(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	defer ix.Close()
	src := &docsSource{}
	src.set(1)
	stats, err := ix.Rebuild(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Documents != 0 {
		t.Fatalf("%d documents in an empty index", stats.Documents)
	}
	src.set(2, etab("0010001W", "Lycée Edgar Quinet", "Bourg-en-Bresse"))
	if stats, err = ix.Rebuild(context.Background(), src); err != nil || stats.Documents != 1 {
		t.Fatalf("rebuild after the first import: %v, %+v", err, stats)
	}
}
