package web

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// TestCorrectionJourney is issue 11's whole path in one browser, on the
// demo site: a visitor reports an error from an establishment page and
// gets a tracking number; a moderator signs in (password and TOTP) and
// moves the request to « corrigé »; the visitor's status page then says
// « Corrigé » in its status and its public history, and the visitor's
// email announcing it waits in the outbox with the tracking link.
func TestCorrectionJourney(t *testing.T) {
	base := siteURL(t)
	_, pool := siteTestApp(t)
	ctx := browser(t, 1280, 900)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	const uai, email = "0010001W", "parcours@exemple.fr"

	// the visitor
	must(chromedp.Do(ctx, chromedp.Navigate(base+"/etablissements/"+uai), chromedp.WaitReady(chromedp.CSS("footer")),
		chromedp.Click(chromedp.CSS("#signaler-erreur a")), chromedp.WaitVisible(chromedp.CSS("#formulaire-signalement")),
		chromedp.Click(chromedp.CSS(`label[for="f-categorie-chiffre_errone"]`)),
		chromedp.SendKeys(chromedp.CSS("#f-message"), "Le nombre de sortants de 2022 ne correspond pas à nos registres."),
		chromedp.SendKeys(chromedp.CSS("#f-email"), email),
		chromedp.Click(chromedp.CSS(`#formulaire-signalement button[type="submit"]`)), chromedp.WaitVisible(chromedp.CSS("#statut"))))
	h1, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main h1")))
	must(err)
	numero := strings.TrimPrefix(h1, "Signalement ")
	if !model.ValidNumero(numero) {
		t.Fatalf("no tracking number on the page: heading %q", h1)
	}
	statut, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#statut")))
	must(err)
	if !strings.EqualFold(strings.TrimSpace(statut), model.SignalementStatutLabel(model.SignalementRecu)) { // the badge is upper-cased by CSS
		t.Errorf("new request shown as %q", statut)
	}

	// the moderator
	staffLogin(t, ctx, base, pool, newStaff(t, pool, model.StaffModerateur), func(string) {})
	must(chromedp.Do(ctx, chromedp.Navigate(base+"/staff/signalements/"+numero), chromedp.WaitVisible(chromedp.CSS("#form-statut")),
		chromedp.SetValue(chromedp.CSS("#statut"), model.SignalementCorrige),
		chromedp.SendKeys(chromedp.CSS("#note-statut"), "chiffre corrigé par la DEPP"),
		chromedp.Click(chromedp.CSS("#changer-statut")), chromedp.WaitVisible(chromedp.CSS(".fr-alert--success"))))

	// the visitor again
	must(chromedp.Do(ctx, chromedp.Navigate(base+"/signalements/"+numero), chromedp.WaitVisible(chromedp.CSS("#statut"))))
	statut, err = chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#statut")))
	must(err)
	if want := model.SignalementStatutLabel(model.SignalementCorrige); !strings.EqualFold(strings.TrimSpace(statut), want) {
		t.Errorf("status page says %q, want %q", statut, want)
	}
	history, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#historique")))
	must(err)
	if !strings.Contains(strings.ToLower(history), strings.ToLower(model.SignalementStatutLabel(model.SignalementCorrige))) {
		t.Errorf("public history does not show the change: %q", history)
	}
	axeViolations(t, ctx)

	var n int
	must(pool.QueryRow(context.Background(), `SELECT count(*) FROM outbox o JOIN signalements s ON s.id = o.signalement_id
		WHERE s.numero = $1 AND o.destinataire = $2 AND o.corps LIKE '%/signalements/' || $1 || '%'`, numero, email).Scan(&n))
	if n != 2 { // the acknowledgment and the status change
		t.Errorf("%d emails to the visitor with the tracking link, want 2", n)
	}
}
