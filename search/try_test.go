package search_test

import (
	"context"
	"os"
	"strings"
	"testing"
)

// TestTry prints the first results of $Q (one query per line); a
// development aid, skipped unless Q is set.
func TestTry(t *testing.T) {
	qs := os.Getenv("Q")
	if qs == "" {
		t.Skip("Q non défini")
	}
	ix := demoIndex(t)
	for _, q := range strings.Split(qs, "\n") {
		res, err := ix.Search(context.Background(), searchReq(q))
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%q → %d résultats (%.2f ms) redir=%q approchant=%v", q, res.Total, res.DureeMs, res.Redirection, res.Approchant)
		for i, h := range res.Resultats {
			if i == 5 {
				break
			}
			t.Logf("   %.3f %s %s %s", h.Score, h.URL, h.Title(), h.Commune)
		}
	}
}
