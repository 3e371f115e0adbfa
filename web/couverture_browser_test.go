package web

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestCouvertureAccessibility: the form, the result page (the answer to
// the POST, without any script of ours) and a shared result pass axe-core
// with 0 violations at 1280 and 390 px, without sideways scrolling.
func TestCouvertureAccessibility(t *testing.T) {
	base := siteURL(t)
	_, pool := siteTestApp(t)
	cat, _ := catalogueCSV(coverageCatalogue(t, pool))
	for _, w := range screens {
		ctx := screenBrowser(t, w)
		t.Run("formulaire"+w.suffix, func(t *testing.T) {
			if err := chromedp.Do(ctx, chromedp.Navigate(base+"/couverture"), chromedp.WaitReady(chromedp.CSS("footer"))); err != nil {
				t.Fatal(err)
			}
			checkLayout(t, ctx, w.width)
			axeViolations(t, ctx)
		})
		t.Run("resultat"+w.suffix, func(t *testing.T) {
			if err := chromedp.Do(ctx,
				chromedp.SetValue(chromedp.CSS("#lignes"), string(cat)),
				chromedp.Click(chromedp.CSS("#formulaire-couverture button[type=submit]")),
				loaded("#resume-analyse")); err != nil {
				t.Fatal(err)
			}
			summary, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#resume-analyse")))
			if err != nil || !strings.Contains(summary, "analyse faite en") {
				t.Fatalf("result page: %q, %v", summary, err)
			}
			shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatal(err)
			}
			artefact(t, "couverture-resultat"+w.suffix, shot)
			checkLayout(t, ctx, w.width)
			axeViolations(t, ctx)
		})
		t.Run("partage"+w.suffix, func(t *testing.T) {
			if err := chromedp.Do(ctx,
				chromedp.Click(chromedp.CSS("#formulaire-partage button[type=submit]")),
				loaded("#partage")); err != nil {
				t.Fatal(err)
			}
			shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatal(err)
			}
			artefact(t, "couverture-partage"+w.suffix, shot)
			checkLayout(t, ctx, w.width)
			axeViolations(t, ctx)
		})
	}
}

// loaded waits, after a form is submitted, for the page answering it to be
// loaded: sel is in it and its stylesheets are applied (readyState
// « complete », the load event). chromedp.Click returns at once, and the
// node being in the DOM does not mean the page is laid out: measured
// before its stylesheets arrive, a page has no scrolling container
// (« tables cut off », « scrolls sideways ») and no width (« cannot take
// screenshot with 0 width »), as TestCouvertureAccessibility/partage did
// on a busy machine. chromedp.Navigate waits for the load event itself.
func loaded(sel string) chromedp.Action[chromedp.Void] {
	js, _ := json.Marshal(sel)
	expr := `document.readyState === "complete" && document.querySelector(` + string(js) + `) !== null && document.querySelector("footer") !== null`
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		deadline := time.Now().Add(30 * time.Second)
		for {
			// An evaluation may fail while the browser is between pages.
			ok, err := chromedp.Evaluate[bool](expr)(ctx, t)
			if err == nil && ok {
				return nil
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("the page with %s did not load in 30 s (last error: %v)", sel, err)
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(50 * time.Millisecond):
			}
		}
	})
}
