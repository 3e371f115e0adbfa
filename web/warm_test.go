package web

import (
	"bytes"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vitrine-inserjeunes/vitrine/internal/store"
)

// TestWarmTerritories: with WARM_TERRITORIES, a new server prepares the
// summaries and the territory lists of the data version in the
// background; once it says so, rendering the home page, territory pages
// and their API answers computes no summary, and the pages are those of a server that did not prepare
// them.
func TestWarmTerritories(t *testing.T) {
	plainApp, pool := siteTestApp(t)
	st := store.New(pool)
	var logs syncBuffer
	cfg := testConfig()
	cfg.WarmTerritories = true
	cfg.PageCacheBytes = 0
	app := New(st, slog.New(slog.NewTextHandler(&logs, nil)), cfg)
	deadline := time.Now().Add(3 * time.Minute)
	for !strings.Contains(logs.String(), "territoires préparés") {
		if time.Now().After(deadline) {
			t.Fatalf("territoires non préparés en 3 min ; journal :\n%s", logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	loads := st.SummaryLoads()
	if loads == 0 {
		t.Fatal("la préparation n'a rien calculé")
	}
	for _, u := range []string{"/", "/regions/11", "/regions/53", "/academies/14", "/academies/01", "/api/v1/regions/84"} {
		r := get(t, app, u)
		got := body(t, r)
		if r.StatusCode != http.StatusOK {
			t.Fatalf("GET %s : %d", u, r.StatusCode)
		}
		if want := body(t, get(t, plainApp, u)); !bytes.Equal(got, want) {
			t.Errorf("GET %s : la page préparée diffère de celle d'un serveur sans préparation", u)
		}
	}
	if n := st.SummaryLoads() - loads; n != 0 {
		t.Errorf("%d résumés calculés au rendu de pages de territoires préparées", n)
	}
}
