package web

import (
	"strings"
	"testing"

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
				chromedp.WaitReady(chromedp.CSS("#resume-analyse")),
				chromedp.WaitReady(chromedp.CSS("footer"))); err != nil {
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
				chromedp.WaitReady(chromedp.CSS("#partage")),
				chromedp.WaitReady(chromedp.CSS("footer"))); err != nil {
				t.Fatal(err)
			}
			checkLayout(t, ctx, w.width)
			axeViolations(t, ctx)
		})
	}
}
