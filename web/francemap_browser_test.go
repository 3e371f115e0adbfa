package web

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestMapInBrowser: the home page and a formation page with their maps,
// at 1280 and 390 px: axe-core finds no violation, every text of the maps
// is drawn at least 12 px high, the overseas tiles are visible, and the
// maps are saved as screenshots (testdata/artefacts/carte-*).
func TestMapInBrowser(t *testing.T) {
	base := siteURL(t)
	for _, width := range []int{1280, 390} {
		ctx := browser(t, width, 900)
		if width < 500 { // below chromium's smallest window: a phone viewport
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(width), 844, chromedp.EmulateMobile)); err != nil {
				t.Fatal(err)
			}
		}
		for _, pg := range []struct{ name, path, fig string }{
			{"accueil", "/", "#carte-scolaire"},
			{"formation", "/formations/40031213", "#regions-carte"},
		} {
			t.Run(fmt.Sprintf("%s-%d", pg.name, width), func(t *testing.T) {
				if err := chromedp.Do(ctx, chromedp.Navigate(base+pg.path), chromedp.WaitReady(chromedp.CSS("footer"))); err != nil {
					t.Fatal(err)
				}
				// the smallest text of the maps, in CSS pixels, and the tiles on screen
				raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](`JSON.stringify((() => {
  const texts = [...document.querySelectorAll("figure.vi-map svg[role=img] text")];
  const sizes = texts.map(e => e.getBoundingClientRect().height);
  const tiles = [...document.querySelectorAll("`+pg.fig+` svg [data-outremer]")].map(g => { const r = g.getBoundingClientRect(); return r.width > 40 && r.height > 10 });
  const svg = document.querySelector("`+pg.fig+` svg[role=img]").getBoundingClientRect();
  return {n: texts.length, min: Math.min(...sizes), tiles: tiles.filter(Boolean).length, svgW: svg.width, docW: document.documentElement.scrollWidth};
})())`))
				if err != nil {
					t.Fatal(err)
				}
				var m struct {
					N     int
					Min   float64
					Tiles int
					SvgW  float64
					DocW  float64
				}
				if err := json.Unmarshal([]byte(raw), &m); err != nil {
					t.Fatal(err)
				}
				// the box of a text is about 1.15 × its font size: 13.8 px for 12 px
				if m.N == 0 || m.Min < 12*1.1 {
					t.Errorf("%d texts on the maps, smallest box %.1f px high: want ≥ 12 px text", m.N, m.Min)
				}
				if m.Tiles != len(overseas) {
					t.Errorf("%d overseas tiles visible, want %d", m.Tiles, len(overseas))
				}
				if m.DocW > float64(width) || m.SvgW > float64(width) {
					t.Errorf("map %.0f px wide, page %.0f px, on a %d px screen", m.SvgW, m.DocW, width)
				}
				shot, err := chromedp.Run(ctx, chromedp.ScreenshotScale(pg.fig, 1))
				if err != nil {
					t.Fatal(err)
				}
				artefact(t, fmt.Sprintf("carte-%s-%d", pg.name, width), shot)
				if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](axeSource+";true")); err != nil {
					t.Fatal(err)
				}
				res, err := chromedp.Run(ctx, chromedp.Evaluate[string](`axe.run(document, {resultTypes: ["violations"]}).then(r => JSON.stringify(r))`, chromedp.EvalAwaitPromise))
				if err != nil {
					t.Fatal(err)
				}
				var ax axeResult
				if err := json.Unmarshal([]byte(res), &ax); err != nil {
					t.Fatal(err)
				}
				for _, v := range ax.Violations {
					var where []string
					for _, n := range v.Nodes {
						where = append(where, fmt.Sprint(n.Target)+" "+truncate(n.HTML, 140))
					}
					t.Errorf("axe %s: %s\n  %s", v.ID, v.Help, strings.Join(where, "\n  "))
				}
			})
		}
	}
}
