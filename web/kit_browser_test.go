package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestKitInBrowser: the kit pages (real figures, synthetic figures) and the
// widget have 0 axe-core violations and no sideways scrolling at desktop
// and phone widths; the kit's previews load.
func TestKitInBrowser(t *testing.T) {
	base := siteURL(t)
	uai, cfd, m, _ := demoPair(t)
	pages := []struct{ name, path string }{
		{"kit-etablissement", "/etablissements/0010001W/kit"},
		{"kit-etablissement-formation-demo", "/etablissements/" + uai + "/formations/" + cfd + "/kit?millesime=" + m},
		{"widget", "/widget/etablissements/0010001W"},
	}
	for _, w := range screens {
		ctx := screenBrowser(t, w)
		for _, pg := range pages {
			t.Run(pg.name+w.suffix, func(t *testing.T) {
				if err := chromedp.Do(ctx, chromedp.Navigate(base+pg.path), chromedp.WaitReady(chromedp.CSS("main"))); err != nil {
					t.Fatal(err)
				}
				// every preview is decoded (lazy images: scroll them in first)
				loaded, err := chromedp.Run(ctx, chromedp.Evaluate[string](`Promise.all([...document.querySelectorAll("img.vi-kit-preview")].map(i => { i.loading = "eager"; return i.decode().then(() => i.naturalWidth > 0, () => false); })).then(r => JSON.stringify(r))`, chromedp.EvalAwaitPromise))
				if err != nil {
					t.Fatal(err)
				}
				if (loaded == "[]" && pg.name != "widget") || strings.Contains(loaded, "false") {
					t.Errorf("previews loaded: %s", loaded)
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

// TestWidgetInIframe: a page of another origin frames the widget, which
// shows its figures; the same page cannot frame an establishment page
// (frame-ancestors 'none'), so the check can fail.
func TestWidgetInIframe(t *testing.T) {
	base := siteURL(t)
	uai := realEtabs(t, 1)[0]
	f := latestAPI(t, uai, "scolaire")
	ln, err := net.Listen("tcp", "localhost:0") // another origin than 127.0.0.1
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html lang="fr"><head><title>Site d'un lycée</title></head><body><main><h1>Nos résultats</h1>
<iframe id="widget" src="%s/widget/etablissements/%s" title="Insertion des jeunes" width="100%%" height="480" style="border:0;max-width:480px"></iframe>
<iframe id="page" src="%s/etablissements/%s" title="Page interdite" width="400" height="200"></iframe></main></body></html>`, base, uai, base, uai)
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	host := "http://" + ln.Addr().String()
	ctx := browser(t, 800, 900)
	if err := chromedp.Do(ctx, chromedp.Navigate(host+"/"), chromedp.WaitReady(chromedp.CSS("#widget")), chromedp.Sleep(2*time.Second)); err != nil {
		t.Fatal(err)
	}
	frameText := func(id, sel string) string {
		nodes, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSS("#"+id)))
		if err != nil || len(nodes) == 0 {
			t.Fatalf("iframe #%s: %v", id, err)
		}
		tctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		txt, _ := chromedp.Run(tctx, chromedp.Text(chromedp.CSS(sel), chromedp.FromNode(nodes[0])))
		return txt
	}
	got := frameText("widget", "main")
	for _, want := range []string{fmt.Sprintf("%d\u202f%%", *f.TauxEmploi6Mois), fmt.Sprintf("%d\u202f%%", *f.TauxPoursuiteEtudes), f.MillesimeLabel} {
		if !strings.Contains(got, want) {
			t.Errorf("the framed widget does not show %q: %q", want, got)
		}
	}
	if txt := frameText("page", "main"); strings.Contains(txt, "UAI") {
		t.Errorf("an establishment page was framed by another site: %q", truncate(txt, 200))
	}
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	artefact(t, "widget-iframe", shot)
}

// axeViolations runs axe-core on the page: every violation is an error.
func axeViolations(t *testing.T, ctx context.Context) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](axeSource+";true")); err != nil {
		t.Fatal(err)
	}
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](`axe.run(document, {resultTypes: ["violations"]}).then(r => JSON.stringify(r))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	var res axeResult
	if err := json.Unmarshal([]byte(raw), &res); err != nil {
		t.Fatal(err)
	}
	for _, v := range res.Violations {
		var where []string
		for i, n := range v.Nodes {
			if i == 5 {
				where = append(where, fmt.Sprintf("… (%d nœuds)", len(v.Nodes)))
				break
			}
			where = append(where, fmt.Sprint(n.Target)+" "+truncate(n.HTML, 140))
		}
		t.Errorf("axe %s: %s\n  %s", v.ID, v.Help, strings.Join(where, "\n  "))
	}
}
