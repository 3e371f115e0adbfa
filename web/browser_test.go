package web

import (
	"context"
	_ "embed"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// Browser tests: the site served on a loopback port, driven by Debian's
// chromium through chromedp (no network: axe-core is vendored in
// testdata/axe.min.js, `make axe-core` refreshes it). Screenshots are
// written to testdata/artefacts/ at the repository root (git-ignored).

//go:embed testdata/axe.min.js
var axeSource string

var siteServer struct {
	once sync.Once
	url  string
}

// siteURL serves the demo app on 127.0.0.1 for the browser.
func siteURL(t *testing.T) string {
	t.Helper()
	app, _ := siteTestApp(t)
	siteServer.once.Do(func() {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		go app.Listener(ln)
		siteServer.url = "http://" + ln.Addr().String()
	})
	return siteServer.url
}

// chromiumPath finds Debian's chromium (CHROMIUM overrides).
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("chromium introuvable : apt-get install -y chromium (ou CHROMIUM=/chemin/du/navigateur)")
	return ""
}

// browser starts a headless chromium for one test.
func browser(t *testing.T, width, height int) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("metrics-recording-only", true),
		chromedp.Flag("mute-audio", true),
		chromedp.WindowSize(width, height),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelT(); cancelC(); cancelA() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("chromium : %v", err)
	}
	return ctx
}

// screen is a width the browser tests check pages at; suffix names its
// screenshots.
type screen struct {
	suffix        string
	width, height int
}

// screens are a desktop and a phone (390 px, emulated as a mobile).
var screens = []screen{{"", 1280, 900}, {"-390", 390, 844}}

// screenBrowser starts a browser at w, emulating a phone below 500 px.
func screenBrowser(t *testing.T, w screen) context.Context {
	t.Helper()
	ctx := browser(t, w.width, w.height)
	if w.width < 500 {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(w.width), int64(w.height), chromedp.EmulateMobile)); err != nil {
			t.Fatal(err)
		}
	}
	return ctx
}

// artefact writes a screenshot under testdata/artefacts/.
func artefact(t *testing.T, name string, png []byte) {
	dir := filepath.Join("..", "testdata", "artefacts")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

type axeResult struct {
	Violations []struct {
		ID    string `json:"id"`
		Help  string `json:"help"`
		Nodes []struct {
			Target []any  `json:"target"`
			HTML   string `json:"html"`
		} `json:"nodes"`
	} `json:"violations"`
	Passes []struct {
		ID string `json:"id"`
	} `json:"passes"`
}

// TestAccessibility runs axe-core on every page type at desktop (1280 px)
// and phone (390 px) widths: 0 violations. On each it also checks the
// layout rules a reader relies on: no table cut off (a wide table scrolls
// inside its own container, the page never scrolls sideways), chart text
// at least 12 px on screen, and on a phone the headline figures before
// the download links. Screenshots go to testdata/artefacts/.
func TestAccessibility(t *testing.T) {
	base := siteURL(t)
	pages := []struct{ name, path string }{
		{"accueil", "/"},
		{"recherche", "/recherche?q=lycee+alexandre+berard"},
		{"recherche-territoire", "/recherche?q=rennes"}, // territory cards, headline figures
		{"recherche-sigle", "/recherche?q=bac+pro+mcv"}, // famille card
		{"famille", "/familles-metiers/metiers-de-la-relation-client"},
		{"famille-etablissement", "/familles-metiers/metiers-de-la-relation-client?uai=0040007L"},
		{"etablissement", "/etablissements/0010001W"},
		{"etablissement-demo", "/etablissements/0353053D"}, // « démo » tags on its formation rows
		{"etablissement-formation", "/etablissements/0010001W/formations/40025214"},
		{"formation", "/formations/40031213"},
		{"formation-superieur", "/formations/2544681"},
		{"etablissement-formation-superieur", "/etablissements/0370800U/formations/2544681"},
		{"region", "/regions/84"},
		{"academie", "/academies/10"},
		{"donnees", "/a-propos/donnees"},
		{"api", "/api"},
		{"erreur-404", "/etablissements/9990001X"},
		{"api-exposition", "/api/exposition-inserjeunes"},
	}
	for _, w := range screens {
		ctx := screenBrowser(t, w)
		for _, pg := range pages {
			t.Run(pg.name+w.suffix, func(t *testing.T) {
				if err := chromedp.Do(ctx, chromedp.Navigate(base+pg.path), chromedp.WaitReady(chromedp.CSS("footer"))); err != nil {
					t.Fatal(err)
				}
				shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
				if err != nil {
					t.Fatal(err)
				}
				artefact(t, pg.name+w.suffix, shot)
				checkLayout(t, ctx, w.width)
				axeViolations(t, ctx)
			})
		}
	}
}

// layoutJS measures the page: sideways page overflow, tables that stick
// out of their container without being able to scroll, the smallest chart
// text on screen (font size × the SVG's scale), and the order of the
// headline figures and the downloads.
const layoutJS = `(() => {
  const out = {pageOverflow: document.documentElement.scrollWidth - window.innerWidth, cut: [], minText: 1000, minTextWhere: "", texts: 0, figuresTop: -1, exportsTop: -1};
  for (const tb of document.querySelectorAll("table")) {
    if (tb.closest("details:not([open])")) continue;
    const box = tb.getBoundingClientRect();
    let c = tb.parentElement, scrolls = false;
    for (; c && c !== document.body; c = c.parentElement) {
      const ox = getComputedStyle(c).overflowX;
      if (ox === "auto" || ox === "scroll") { scrolls = true; break; }
    }
    const limit = scrolls ? c.getBoundingClientRect().right : document.documentElement.clientWidth;
    if (box.right > limit + 1 && !scrolls) out.cut.push(tb.id || (tb.querySelector("caption") || {}).textContent || "table");
    if (!scrolls && box.right > document.documentElement.clientWidth + 1) out.cut.push(tb.closest("[id]") ? tb.closest("[id]").id : "table");
  }
  for (const svg of document.querySelectorAll("svg")) {
    const vb = svg.viewBox && svg.viewBox.baseVal;
    const r = svg.getBoundingClientRect();
    if (!vb || !vb.width || r.width === 0 || svg.closest("details:not([open])")) continue;
    const scale = r.width / vb.width;
    for (const tx of svg.querySelectorAll("text")) {
      if (getComputedStyle(tx).display === "none" || tx.getBoundingClientRect().width === 0) continue;
      const px = parseFloat(getComputedStyle(tx).fontSize) * scale;
      out.texts++;
      if (px < out.minText) { out.minText = px; out.minTextWhere = (svg.closest("[id]") || {}).id + " « " + tx.textContent + " »"; }
    }
  }
  const fig = document.querySelector(".vi-figures"), exp = document.querySelector("#telechargements");
  if (fig) out.figuresTop = fig.getBoundingClientRect().top + window.scrollY;
  if (exp) out.exportsTop = exp.getBoundingClientRect().top + window.scrollY;
  return JSON.stringify(out);
})()`

func checkLayout(t *testing.T, ctx context.Context, width int) {
	t.Helper()
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](layoutJS))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		PageOverflow float64  `json:"pageOverflow"`
		Cut          []string `json:"cut"`
		MinText      float64  `json:"minText"`
		MinTextWhere string   `json:"minTextWhere"`
		Texts        int      `json:"texts"`
		FiguresTop   float64  `json:"figuresTop"`
		ExportsTop   float64  `json:"exportsTop"`
	}
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		t.Fatal(err)
	}
	t.Logf("layout at %d px: %+v", width, m)
	if m.PageOverflow > 1 {
		t.Errorf("the page scrolls sideways by %.0f px at %d px", m.PageOverflow, width)
	}
	if len(m.Cut) > 0 {
		t.Errorf("tables cut off at %d px (no scrolling container): %v", width, m.Cut)
	}
	if m.Texts > 0 && m.MinText < 12 {
		t.Errorf("chart text of %.1f px at %d px: %s", m.MinText, width, m.MinTextWhere)
	}
	if width < 500 && m.FiguresTop >= 0 && m.ExportsTop >= 0 && m.FiguresTop > m.ExportsTop {
		t.Errorf("on a phone the downloads (%.0f px) come before the headline figures (%.0f px)", m.ExportsTop, m.FiguresTop)
	}
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// TestKeyboardNavigation: from the top of an establishment page, the Tab
// key alone reaches the skip links, the search box and the export links.
func TestKeyboardNavigation(t *testing.T) {
	base := siteURL(t)
	ctx := browser(t, 1280, 900)
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/etablissements/0010001W"), chromedp.WaitReady(chromedp.CSS("footer"))); err != nil {
		t.Fatal(err)
	}
	var seen []string
	reached := map[string]bool{}
	for i := 0; i < 120 && !(reached["search"] && reached["csv"] && reached["xlsx"]); i++ {
		if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Tab)); err != nil {
			t.Fatal(err)
		}
		desc, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => { const e = document.activeElement; return e.tagName + "#" + (e.id || "") + "|" + (e.getAttribute("href") || "") + "|" + (e.textContent || "").trim().slice(0, 40) })()`))
		if err != nil {
			t.Fatal(err)
		}
		seen = append(seen, desc)
		switch {
		case strings.HasPrefix(desc, "INPUT#recherche-entete-q"):
			reached["search"] = true
		case strings.Contains(desc, "format=csv"):
			reached["csv"] = true
		case strings.Contains(desc, "format=xlsx"):
			reached["xlsx"] = true
		}
	}
	if !strings.Contains(seen[0], "#contenu") {
		t.Errorf("first Tab stop is %q, want the skip link to the content", seen[0])
	}
	for _, k := range []string{"search", "csv", "xlsx"} {
		if !reached[k] {
			t.Errorf("Tab never reached %s; focus order:\n%s", k, strings.Join(seen, "\n"))
		}
	}
	// the search box works from the keyboard: type, Enter → results page
	if err := chromedp.Do(ctx,
		chromedp.Focus(chromedp.CSS("#recherche-entete-q")),
		chromedp.SendKeys(chromedp.CSS("#recherche-entete-q"), "lycee alexandre berard"+kb.Enter),
		chromedp.Sleep(500*time.Millisecond),
		chromedp.WaitReady(chromedp.CSS("footer")),
	); err != nil {
		t.Fatal(err)
	}
	url, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(url, "/recherche?q=lycee+alexandre+berard") && !strings.Contains(url, "/etablissements/0010001W") {
		t.Errorf("search from the keyboard went to %s", url)
	}
}

// TestWithoutJavaScript: with scripts disabled, on a phone-sized screen,
// the header search is visible and usable and the data tables are there.
func TestWithoutJavaScript(t *testing.T) {
	base := siteURL(t)
	ctx := browser(t, 390, 844)
	disable := chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := cdp.Call(ctx, t, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
			return err
		}
		return nil
	})
	if err := chromedp.Do(ctx, disable, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile),
		chromedp.Navigate(base+"/etablissements/0010001W"), chromedp.WaitReady(chromedp.CSS("footer"))); err != nil {
		t.Fatal(err)
	}
	// Runtime.evaluate still runs with the page's scripts disabled.
	js, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.hasAttribute("data-fr-js")`))
	if err != nil {
		t.Fatal(err)
	}
	if js {
		t.Fatal("the DSFR script ran: scripts are not disabled")
	}
	visible, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const r = document.querySelector("#recherche-entete-q").getBoundingClientRect(); return r.width > 100 && r.height > 20 })()`))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#historique-scolaire tbody tr").length`))
	if err != nil {
		t.Fatal(err)
	}
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	artefact(t, "sans-javascript-mobile", shot)
	if !visible {
		dbg, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => { let out = []; for (let e = document.querySelector("#recherche-entete-q"); e; e = e.parentElement) { const s = getComputedStyle(e); out.push(e.tagName + "." + e.className + " display=" + s.display + " vis=" + s.visibility + " pos=" + s.position + " op=" + s.opacity + " h=" + e.getBoundingClientRect().height) } return out.join("\n") })()`))
		t.Errorf("without JavaScript the header search box is hidden on a phone:\n%s", dbg)
	}
	if rows == 0 {
		t.Error("history table missing without JavaScript")
	}
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#recherche-entete-q"), "Rennes"),
		chromedp.Submit(chromedp.CSS("#recherche-entete")),
		chromedp.Sleep(500*time.Millisecond),
		chromedp.WaitReady(chromedp.CSS("footer")),
	); err != nil {
		t.Fatal(err)
	}
	url, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(url, "/recherche?q=Rennes") {
		t.Errorf("search without JavaScript went to %s", url)
	}
}

// TestDemoTagsInBrowser: in a real browser, the CFA whose formation rows
// are all synthetic shows a visible « démo » badge on each of them and the
// notice at the top; an establishment with only real figures shows
// neither.
func TestDemoTagsInBrowser(t *testing.T) {
	base := siteURL(t)
	_, pool := siteTestApp(t)
	var realUAI string
	if err := pool.QueryRow(t.Context(), `SELECT e.uai FROM ij_etab e WHERE NOT EXISTS (SELECT 1 FROM ij_uai_formation u WHERE u.uai = e.uai)
  AND NOT EXISTS (SELECT 1 FROM insersup s WHERE s.uai = e.uai) AND e.taux_emploi_6_mois IS NOT NULL ORDER BY 1 LIMIT 1`).Scan(&realUAI); err != nil {
		t.Fatal(err)
	}
	ctx := browser(t, 1280, 900)
	const measure = `JSON.stringify({
  rows: document.querySelectorAll("#formations tbody tr").length,
  demoRows: document.querySelectorAll("#formations tbody tr.vi-demo-row").length,
  visibleTags: [...document.querySelectorAll("#formations tbody tr.vi-demo-row .vi-demo")].filter(e => e.getBoundingClientRect().width > 0 && getComputedStyle(e).visibility !== "hidden").length,
  notice: !!document.querySelector("#avis-demonstration") && document.querySelector("#avis-demonstration").getBoundingClientRect().height > 0,
  anyTag: document.querySelectorAll(".vi-demo").length})`
	for _, tc := range []struct {
		uai  string
		demo bool
	}{{"0353053D", true}, {realUAI, false}} {
		if err := chromedp.Do(ctx, chromedp.Navigate(base+"/etablissements/"+tc.uai), chromedp.WaitReady(chromedp.CSS("footer"))); err != nil {
			t.Fatal(err)
		}
		raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](measure))
		if err != nil {
			t.Fatal(err)
		}
		var m struct {
			Rows, DemoRows, VisibleTags, AnyTag int
			Notice                              bool
		}
		if err := json.Unmarshal([]byte(raw), &m); err != nil {
			t.Fatal(err)
		}
		if tc.demo && (m.Rows == 0 || m.DemoRows != m.Rows || m.VisibleTags != m.Rows || !m.Notice) {
			t.Errorf("%s (synthetic formations): %+v, want every row tagged visibly and the notice shown", tc.uai, m)
		}
		if !tc.demo && (m.AnyTag != 0 || m.Notice) {
			t.Errorf("%s (real figures only): %+v, want no tag and no notice", tc.uai, m)
		}
	}
}
