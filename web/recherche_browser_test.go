package web

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestBrowserSearchToEtablissement: in a real browser (Debian's chromium,
// headless), a visitor types "lycee alexandre berard" in the search box of
// the home page, submits, and lands on the establishment's page through
// the first result. The server is a real one on a loopback port, over the
// demo data and its index.
func TestBrowserSearchToEtablissement(t *testing.T) {
	ctx, base := searchBrowser(t)
	first := chromedp.CSS("#resultats .vi-result a")
	box := chromedp.CSS("#recherche-accueil-q")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("navigateur : %v", err)
		}
	}
	must(chromedp.Do(ctx,
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(box),
		chromedp.SendKeys(box, "lycee alexandre berard"),
		chromedp.Submit(box),
		chromedp.WaitVisible(first),
	))
	resultsURL, err := chromedp.Run(ctx, chromedp.Location())
	must(err)
	href, err := chromedp.Run(ctx, chromedp.AttributeValue(first, "href"))
	must(err)
	firstHref := href.Value
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	must(err)
	must(chromedp.Do(ctx, chromedp.Click(first), chromedp.WaitVisible(chromedp.CSS("main h1"))))
	finalURL, err := chromedp.Run(ctx, chromedp.Location())
	must(err)
	h1, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main h1")))
	must(err)
	saveSearchArtefact(t, "recherche-lycee-alexandre-berard.png", shot)
	if !strings.Contains(resultsURL, "/recherche?q=lycee+alexandre+berard") {
		t.Errorf("le formulaire mène à %s", resultsURL)
	}
	if firstHref != "/etablissements/0010001W" {
		t.Errorf("premier résultat %q", firstHref)
	}
	if finalURL != base+"/etablissements/0010001W" {
		t.Errorf("page atteinte %s, attendu %s/etablissements/0010001W", finalURL, base)
	}
	if !strings.Contains(h1, "Alexandre Bérard") {
		t.Errorf("titre de la page : %q", h1)
	}
}

// TestBrowserSuggestions: with JavaScript, the home page's box offers
// suggestions as a word is typed; the keyboard picks one and goes to its
// page.
func TestBrowserSuggestions(t *testing.T) {
	ctx, base := searchBrowser(t)
	box := chromedp.CSS("#recherche-accueil-q")
	option := chromedp.CSS("#recherche-accueil-q-suggestions [role=option]")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("navigateur : %v", err)
		}
	}
	must(chromedp.Do(ctx,
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(box),
		chromedp.SendKeys(box, "alexandre bera"),
		chromedp.WaitVisible(option),
	))
	expanded, err := chromedp.Run(ctx, chromedp.AttributeValue(box, "aria-expanded"))
	must(err)
	if expanded.Value != "true" {
		t.Errorf("aria-expanded = %q pendant que la liste est ouverte", expanded.Value)
	}
	first, err := chromedp.Run(ctx, chromedp.Text(option))
	must(err)
	if !strings.Contains(first, "Alexandre Bérard") {
		t.Errorf("première suggestion %q", first)
	}
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	must(err)
	saveSearchArtefact(t, "suggestions-alexandre-bera.png", shot)
	must(chromedp.Do(ctx, chromedp.SendKeys(box, kb.ArrowDown)))
	activeID, err := chromedp.Run(ctx, chromedp.AttributeValue(box, "aria-activedescendant"))
	must(err)
	if activeID.Value != "recherche-accueil-q-suggestions-0" {
		t.Errorf("flèche bas : aria-activedescendant = %q", activeID.Value)
	}
	must(chromedp.Do(ctx, chromedp.SendKeys(box, kb.Enter), chromedp.WaitVisible(chromedp.CSS("main h1"))))
	loc, err := chromedp.Run(ctx, chromedp.Location())
	must(err)
	if loc != base+"/etablissements/0010001W" {
		t.Errorf("la suggestion choisie mène à %s", loc)
	}
}

// searchBrowser starts the demo app on a loopback port and a headless
// chromium; both stop with the test.
func searchBrowser(t *testing.T) (context.Context, string) {
	t.Helper()
	chrome := searchBrowserPath(t)
	app, _, _ := searchTestApp(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = app.Listener(ln) }()
	t.Cleanup(func() { _ = ln.Close() })
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chrome),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.WindowSize(1280, 900),
	)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelT(); cancel(); cancelA() })
	return ctx, "http://" + ln.Addr().String()
}

// searchBrowserPath finds Debian's chromium (.ci/run installs it).
func searchBrowserPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("chromium introuvable : installez-le (apt-get install -y chromium), .ci/run le fait")
	return ""
}

// saveSearchArtefact writes a screenshot under $TEST_ARTEFACTS (else the
// test's temporary directory) and logs where.
func saveSearchArtefact(t *testing.T, name string, b []byte) {
	dir := os.Getenv("TEST_ARTEFACTS")
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Log(err)
		return
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Log(err)
		return
	}
	t.Logf("capture : %s", p)
}
