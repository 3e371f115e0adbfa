package search_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/vitrine-inserjeunes/vitrine/search"
)

func TestProbe(t *testing.T) {
	qs := os.Getenv("PROBE")
	if qs == "" {
		t.Skip()
	}
	ix := demoIndex(t)
	for _, q := range strings.Split(qs, "|") {
		res, err := ix.Search(context.Background(), search.Request{Q: q})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%q total %d approchant %v\n%s", q, res.Total, res.Approchant, top(res, 4))
	}
}
