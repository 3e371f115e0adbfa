package web

import (
	"context"
	"encoding/xml"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/chromedp/chromedp"
	"github.com/gofiber/fiber/v2"

	"github.com/vitrine-inserjeunes/vitrine/internal/importer"
	"github.com/vitrine-inserjeunes/vitrine/internal/store"
	"github.com/vitrine-inserjeunes/vitrine/internal/testdb"
)

// notesFixture imports, into its own database, a regional file (every
// 20th row of the real one), then a new version of it (every 9th row of
// the first with another taux de poursuite d'études, plus new rows), then
// the same again (« sans changement »). It returns the app and, per run,
// the rows added and modified per millésime, computed from the files.
type notesRun struct {
	id            int64
	added, modded map[string]int
}

func notesFixture(t *testing.T) (*fiber.App, []notesRun, func() int64) {
	t.Helper()
	pool := testdb.Pool(t, "web_releasenotes")
	ctx := context.Background()
	raw := strings.ReplaceAll(string(testdb.ReadGzip(t, "../testdata/demo/ij_api_region_formation_2019-2022.csv.gz")), "\r\n", "\n")
	lines := strings.Split(strings.TrimRight(raw, "\n"), "\n")
	head, data := lines[0], lines[1:]
	mill := func(l string) string { return strings.Split(l, ";")[1] }
	dir := t.TempDir()
	write := func(name string, rows []string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(head+"\n"+strings.Join(rows, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	var a, b []string
	r1 := notesRun{added: map[string]int{}, modded: map[string]int{}}
	r2 := notesRun{added: map[string]int{}, modded: map[string]int{}}
	for i, l := range data {
		switch {
		case i%20 == 0:
			a = append(a, l)
			r1.added[mill(l)]++
			if len(a)%9 == 0 {
				f := strings.Split(l, ";")
				if v, err := strconv.Atoi(f[18]); err == nil && v > 0 {
					f[18] = strconv.Itoa(v - 1)
				} else {
					f[18] = "50"
				}
				l = strings.Join(f, ";")
				r2.modded[mill(l)]++
			}
			b = append(b, l)
		case i%40 == 7:
			b = append(b, l)
			r2.added[mill(l)]++
		}
	}
	var runs []notesRun
	for _, c := range []struct {
		path string
		want notesRun
	}{{write("ij_region_a.csv", a), r1}, {write("ij_region_b.csv", b), r2}, {filepath.Join(dir, "ij_region_b.csv"), notesRun{}}} {
		rep, err := importer.Run(ctx, pool, []string{c.path}, importer.Options{})
		if err != nil {
			t.Fatal(err)
		}
		c.want.id = rep.RunID
		runs = append(runs, c.want)
	}
	if runs[2].id == 0 {
		t.Fatal("the third import made no run")
	}
	again := func() int64 { // the same file once more
		rep, err := importer.Run(ctx, pool, []string{filepath.Join(dir, "ij_region_b.csv")}, importer.Options{})
		if err != nil || rep.Changed {
			t.Fatalf("re-import: %v, %+v", err, rep)
		}
		return rep.RunID
	}
	return New(store.New(pool), slog.New(slog.DiscardHandler), testConfig()), runs, again
}

// TestReleaseNotes: the page and the Atom feed tell each run with the
// counts computed from the files, the run « sans changement » as such,
// and a new run shows at once although it makes no new data version.
func TestReleaseNotes(t *testing.T) {
	app, runs, again := notesFixture(t)
	d := doc(t, get(t, app, "/a-propos/donnees"))
	if href, _ := d.Find(`head link[rel="alternate"][type="application/atom+xml"]`).Attr("href"); href != feedPath {
		t.Errorf("alternate link %q, want %s", href, feedPath)
	}
	for i, r := range runs {
		li := d.Find("#import-" + strconv.FormatInt(r.id, 10))
		text := strings.Join(strings.Fields(li.Text()), " ")
		if li.Length() != 1 {
			t.Fatalf("run %d: no note on the page", r.id)
		}
		if i == 2 {
			if !strings.Contains(text, "sans changement") {
				t.Errorf("run %d: %q, want « sans changement »", r.id, text)
			}
			continue
		}
		var add, mod int
		for _, n := range r.added {
			add += n
		}
		for _, n := range r.modded {
			mod += n
		}
		want := fmt.Sprintf("%s, %s, %s", nOf(add, "ligne ajoutée", "lignes ajoutées"), nOf(mod, "modifiée", "modifiées"), nOf(0, "supprimée", "supprimées"))
		if want = strings.Join(strings.Fields(want), " "); !strings.Contains(text, want) {
			t.Errorf("run %d: %q, want %q", r.id, text, want)
		}
		// The detail table: one row per millésime, with its counts.
		found := 0
		d.Find("#notes-de-version tbody tr").Each(func(_ int, tr *goquery.Selection) {
			cells := tr.Find("td, th")
			cell := func(j int) string { return strings.TrimSpace(cells.Eq(j).Text()) }
			if cell(0) != fmt.Sprintf("n° %d", r.id) {
				return
			}
			found++
			for m := range mergeKeys(r.added, r.modded) {
				if cell(4) == millesimeLabels([]string{m}) {
					if cell(5) != formatInt(r.added[m]) || cell(6) != formatInt(r.modded[m]) || cell(7) != "0" {
						t.Errorf("run %d, %s: cells %q %q %q, want %d %d 0", r.id, m, cell(5), cell(6), cell(7), r.added[m], r.modded[m])
					}
				}
			}
		})
		if want := len(mergeKeys(r.added, r.modded)); found != want {
			t.Errorf("run %d: %d rows in the table, want %d (one per millésime)", r.id, found, want)
		}
	}

	// The feed: Atom 1.0, one entry per run, the last first.
	resp := get(t, app, feedPath)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/atom+xml") {
		t.Errorf("feed Content-Type %q", ct)
	}
	var feed struct {
		XMLName xml.Name
		ID      string `xml:"id"`
		Title   string `xml:"title"`
		Updated string `xml:"updated"`
		Links   []struct {
			Rel  string `xml:"rel,attr"`
			Href string `xml:"href,attr"`
		} `xml:"link"`
		Author  struct{ Name string } `xml:"author>name"`
		Entries []struct {
			ID      string `xml:"id"`
			Title   string `xml:"title"`
			Updated string `xml:"updated"`
			Link    struct {
				Href string `xml:"href,attr"`
			} `xml:"link"`
			Content string `xml:"content"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal(body(t, resp), &feed); err != nil {
		t.Fatalf("the feed is not XML: %v", err)
	}
	if feed.XMLName.Space != "http://www.w3.org/2005/Atom" || feed.XMLName.Local != "feed" || feed.ID == "" || feed.Title == "" {
		t.Errorf("not an Atom feed: %+v", feed.XMLName)
	}
	self := false
	for _, l := range feed.Links {
		self = self || (l.Rel == "self" && strings.HasSuffix(l.Href, feedPath))
	}
	if !self {
		t.Error("no rel=self link")
	}
	if len(feed.Entries) != len(runs) {
		t.Fatalf("%d entries, want %d", len(feed.Entries), len(runs))
	}
	ids := map[string]bool{}
	for i, e := range feed.Entries {
		r := runs[len(runs)-1-i]
		if _, err := time.Parse(time.RFC3339, e.Updated); err != nil || ids[e.ID] || !strings.HasSuffix(e.Link.Href, "#import-"+strconv.FormatInt(r.id, 10)) {
			t.Errorf("entry %d: updated %q (%v), id %q, link %q", i, e.Updated, err, e.ID, e.Link.Href)
		}
		ids[e.ID] = true
		if (i == 0) != strings.Contains(e.Title, "sans changement") {
			t.Errorf("entry %d: title %q", i, e.Title)
		}
		for m := range r.added {
			want := fmt.Sprintf("millésime %s : %s", millesimeLabels([]string{m}), nOf(r.added[m], "ligne ajoutée", "lignes ajoutées"))
			if !strings.Contains(e.Content, want) {
				t.Errorf("entry %d: %q lacks %q", i, e.Content, want)
			}
		}
	}
	if _, err := time.Parse(time.RFC3339, feed.Updated); err != nil || feed.Updated != feed.Entries[0].Updated {
		t.Errorf("feed updated %q, want the last entry's %q", feed.Updated, feed.Entries[0].Updated)
	}

	// A new run « sans changement » shows at once (no new data version).
	id := again()
	time.Sleep(stateTTL + 100*time.Millisecond) // runs show within stateTTL, as the data version
	d = doc(t, get(t, app, "/a-propos/donnees"))
	if li := d.Find("#import-" + strconv.FormatInt(id, 10)); !strings.Contains(li.Text(), "sans changement") {
		t.Errorf("run %d, made after the page was cached, is not on it", id)
	}
}

func mergeKeys(a, b map[string]int) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

// TestReleaseNotesAccessibility: axe-core finds no violation on the page
// with its release notes, at both screen widths.
func TestReleaseNotesAccessibility(t *testing.T) {
	app, _, _ := notesFixture(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go app.Listener(ln)
	t.Cleanup(func() { app.Shutdown() })
	for _, w := range screens {
		ctx := screenBrowser(t, w)
		if err := chromedp.Do(ctx, chromedp.Navigate("http://"+ln.Addr().String()+"/a-propos/donnees#notes"), chromedp.WaitReady(chromedp.CSS("footer"))); err != nil {
			t.Fatal(err)
		}
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#notes-de-version tbody tr").length`))
		if err != nil || n == 0 {
			t.Fatalf("no release note row in the browser (%v)", err)
		}
		if shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)); err == nil {
			artefact(t, "notes-de-version"+w.suffix, shot)
		}
		checkLayout(t, ctx, w.width)
		axeViolations(t, ctx)
	}
}
