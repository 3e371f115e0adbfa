package web

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// TestStaffBrowser: in chromium, a moderator signs in with password and
// TOTP (enrolment at the first login, the code computed here from the
// stored secret), moves a request to « corrigé »; an admin opens the
// accounts page. axe-core finds 0 violations on the login, code, list,
// detail and accounts pages. The site is served on localhost (a secure
// context for chromium: the __Host- cookie is kept over http there).
func TestStaffBrowser(t *testing.T) {
	app, pool := staffApp(t)
	ln, err := net.Listen("tcp", "127.0.0.1:19201")
	if err != nil {
		ln, err = net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
	}
	go app.Listener(ln)
	t.Cleanup(func() { ln.Close() })
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	base := "http://localhost:" + port
	numero := newSignalement(t, pool, "14", "Le taux d'emploi affiché pour le CAP est faux", "declarant@example.fr")
	newSignalement(t, pool, "14", "autre signalement", "") // the list has two rows
	moderateur := newStaff(t, pool, model.StaffModerateur)
	admin := newStaff(t, pool, model.StaffAdmin)
	ctx := browser(t, 1280, 900)

	check := func(name string) {
		t.Helper()
		shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(90))
		if err == nil {
			artefact(t, "staff-"+name, shot)
		}
		axeViolations(t, ctx)
	}
	login := func(email string, enrolShot bool) {
		t.Helper()
		staffLogin(t, ctx, base, pool, email, func(step string) {
			if enrolShot {
				check(step)
			}
		})
	}

	login(moderateur, true)
	check("liste")
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`a[href="/staff/signalements/`+numero+`"]`)),
		chromedp.WaitVisible(chromedp.CSS("#form-statut"))); err != nil {
		t.Fatal(err)
	}
	check("detail")
	if err := chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS("#statut"), model.SignalementCorrige),
		chromedp.SendKeys(chromedp.CSS("#note-statut"), "corrigé par la DEPP"),
		chromedp.Click(chromedp.CSS("#changer-statut")),
		chromedp.WaitVisible(chromedp.CSS(".fr-alert--success"))); err != nil {
		t.Fatal(err)
	}
	statut, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#statut-actuel")))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.EqualFold(strings.TrimSpace(statut), "Corrigé") {
		t.Errorf("status shown after the change: %q", statut)
	}
	var stored string
	if err := pool.QueryRow(context.Background(), `SELECT statut FROM signalements WHERE numero = $1`, numero).Scan(&stored); err != nil || stored != model.SignalementCorrige {
		t.Errorf("stored status %q (%v)", stored, err)
	}
	check("detail-apres") // with the history rows and the email table
	// sign out, then in as an admin for the accounts page
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`form[action="/staff/deconnexion"] button`)),
		chromedp.WaitVisible(chromedp.CSS("#email"))); err != nil {
		t.Fatal(err)
	}
	login(admin, false)
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/staff/comptes"), chromedp.WaitVisible(chromedp.CSS("#nouveau-compte"))); err != nil {
		t.Fatal(err)
	}
	check("comptes")
}

// staffLogin signs email in through the browser: password, then the TOTP
// code computed from the stored secret; at is called on the login and the
// code pages.
func staffLogin(t *testing.T, ctx context.Context, base string, pool *pgxpool.Pool, email string, at func(step string)) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/staff/connexion"), chromedp.WaitVisible(chromedp.CSS("#email"))); err != nil {
		t.Fatal(err)
	}
	at("connexion")
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#mot_de_passe"), staffTestPassword),
		chromedp.Click(chromedp.CSS("#formulaire-connexion button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#code"))); err != nil {
		t.Fatal(err)
	}
	at("code")
	code := totpNow(t, pool, email, time.Now())
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#code"), code),
		chromedp.Click(chromedp.CSS("#formulaire-code button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#liste-signalements"))); err != nil {
		t.Fatal(err)
	}
}
