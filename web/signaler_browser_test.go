package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestSignalerInBrowser: a visitor clicks « Signaler une erreur » on an
// establishment page, sends the form once with a mistake, corrects it,
// and gets the tracking number; axe-core finds 0 violations on the form
// (empty and with errors), the status page and the données personnelles
// page.
func TestSignalerInBrowser(t *testing.T) {
	base := siteURL(t)
	ctx := browser(t, 1280, 900)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(chromedp.Do(ctx, chromedp.Navigate(base+"/donnees-personnelles"), chromedp.WaitReady(chromedp.CSS("footer"))))
	axeViolations(t, ctx)

	// The establishment page with its link and the notice of an open
	// public request (set as staff would).
	_, pool := siteTestApp(t)
	if _, err := pool.Exec(context.Background(), `INSERT INTO signalements (numero, uai, categorie, message, avis_public)
VALUES ('SIG-2026-BRWSR2', '0010001W', 'autre', 'navigateur', true) ON CONFLICT (numero) DO UPDATE SET avis_public = true, statut = 'recu'`); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = pool.Exec(context.Background(), `UPDATE signalements SET avis_public = false WHERE numero = 'SIG-2026-BRWSR2'`)
	})
	time.Sleep(stateTTL + 100*time.Millisecond)
	must(chromedp.Do(ctx, chromedp.Navigate(base+"/etablissements/0010001W"), chromedp.WaitReady(chromedp.CSS("footer")),
		chromedp.WaitVisible(chromedp.CSS("#avis-signalement"))))
	axeViolations(t, ctx)
	must(chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#signaler-erreur a")), chromedp.WaitVisible(chromedp.CSS("#formulaire-signalement"))))
	uai, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#f-uai")))
	must(err)
	if uai != "0010001W" {
		t.Errorf("UAI prefilled with %q", uai)
	}
	axeViolations(t, ctx)
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	must(err)
	artefact(t, "signaler", shot)

	// Sent without a message: the errors, focusable from the summary.
	must(chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`label[for="f-categorie-chiffre_errone"]`)),
		chromedp.SendKeys(chromedp.CSS("#f-email"), "camille@exemple.fr"),
		chromedp.Click(chromedp.CSS(`#formulaire-signalement button[type="submit"]`)), chromedp.WaitVisible(chromedp.CSS("#erreurs"))))
	summary, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#erreurs")))
	must(err)
	if !strings.Contains(summary, "Décrivez l'erreur") {
		t.Errorf("summary %q", summary)
	}
	email, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#f-email")))
	must(err)
	if email != "camille@exemple.fr" {
		t.Errorf("email not kept: %q", email)
	}
	axeViolations(t, ctx)
	shot, err = chromedp.Run(ctx, chromedp.FullScreenshot(100))
	must(err)
	artefact(t, "signaler-erreurs", shot)

	must(chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("#f-message"), "Le taux d'emploi à 6 mois de 2022 me semble faux."),
		chromedp.Click(chromedp.CSS(`#formulaire-signalement button[type="submit"]`)), chromedp.WaitVisible(chromedp.CSS("#statut"))))
	loc, err := chromedp.Run(ctx, chromedp.Location())
	must(err)
	h1, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main h1")))
	must(err)
	numero := strings.TrimPrefix(h1, "Signalement ")
	if !strings.HasSuffix(loc, "/signalements/"+numero) || len(numero) != len("SIG-2026-XXXXXX") {
		t.Errorf("after sending: %s, heading %q", loc, h1)
	}
	axeViolations(t, ctx)
	shot, err = chromedp.Run(ctx, chromedp.FullScreenshot(100))
	must(err)
	artefact(t, "signalement", shot)
}
