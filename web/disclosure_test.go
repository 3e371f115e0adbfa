package web

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/valyala/fasthttp"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// TestAPIDisclosure walks every API answer of the demo data (every
// establishment with a figure, every formation code, every région, a
// sample of establishment × formation pairs) and fails on any value shown
// where the secret statistique hides it (DESIGN §3.4):
//   - nb_annee_term < 20: no rate, part or count but nb_annee_term;
//   - nb_sortant < 20: no employment rate, expected rate or valeur ajoutée;
//   - InserSup nb_diplomes < 20: nothing but nb_diplomes;
//   - InserSup nb_sortants < 20: no employment count or rate, no salary.
//
// It counts the figures those rules applied to, and fails when it met none
// of a kind: a walk that checked nothing proves nothing.
func TestAPIDisclosure(t *testing.T) {
	app, pool := siteTestApp(t)
	list := func(q string) []string { return queryStrings(t, pool, q) }
	var urls []string
	for _, u := range list(`SELECT uai FROM ij_etab UNION SELECT uai FROM ij_uai_formation UNION SELECT uai FROM insersup ORDER BY 1`) {
		urls = append(urls, "/api/v1/etablissements/"+u)
	}
	for _, c := range list(`SELECT code FROM ij_region_formation UNION SELECT cfd FROM ij_region_formation WHERE cfd IS NOT NULL
  UNION SELECT code FROM ij_uai_formation UNION SELECT cfd FROM ij_uai_formation WHERE cfd IS NOT NULL UNION SELECT sise FROM insersup ORDER BY 1`) {
		urls = append(urls, "/api/v1/formations/"+c+"?par_page=1000") // every page is followed below
	}
	for _, r := range model.AllRegions() {
		urls = append(urls, "/api/v1/regions/"+r.Code+"?par_page=1000")
	}
	// The list routes, every page (their headline figures were disclosed).
	waitAPILists(t, app)
	urls = append(urls, "/api/v1/etablissements?par_page=1000", "/api/v1/formations?par_page=1000")
	for _, p := range list(`SELECT uai || '/formations/' || code FROM (SELECT DISTINCT uai, code FROM ij_uai_formation
  UNION SELECT DISTINCT uai, sise FROM insersup) p ORDER BY md5(uai || code)`)[:60] { // ~0.4 s each
		urls = append(urls, "/api/v1/etablissements/"+p)
	}

	h := app.Handler()
	var mu sync.Mutex
	var c disclosureCounts
	work := make(chan string)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for url := range work {
				for url != "" { // a paginated answer: every page, through pagination.suivant
					var ctx fasthttp.RequestCtx
					ctx.Request.SetRequestURI(url)
					ctx.Request.Header.Set("Accept", "application/json")
					h(&ctx)
					var v any
					err := json.Unmarshal(ctx.Response.Body(), &v)
					mu.Lock()
					switch {
					case ctx.Response.StatusCode() != fasthttp.StatusOK:
						t.Errorf("GET %s: %d %.200s", url, ctx.Response.StatusCode(), ctx.Response.Body())
					case err != nil:
						t.Errorf("GET %s: %v", url, err)
					default:
						c.walk(t, url, "", v)
					}
					mu.Unlock()
					url = ""
					if m, ok := v.(map[string]any); ok {
						if p, ok := m["pagination"].(map[string]any); ok {
							url, _ = p["suivant"].(string)
						}
					}
				}
			}
		}()
	}
	for _, u := range urls {
		work <- u
	}
	close(work)
	wg.Wait()
	t.Logf("%d answers, %d figures: %d under 20 learners, %d under 20 leavers, %d InserSup under 20 graduates, %d under 20 leavers",
		len(urls), c.figures, c.fewTerm, c.fewSortant, c.fewDiplomes, c.fewSortants)
	if c.fewTerm == 0 || c.fewSortant == 0 || c.fewDiplomes == 0 || c.fewSortants == 0 {
		t.Error("the walk met no hidden figure of some kind: it checked nothing there")
	}
}

// disclosureCounts counts the figures the rules applied to.
type disclosureCounts struct {
	figures, fewTerm, fewSortant, fewDiplomes, fewSortants int
}

// walk checks every figure object (an object with a statut) under v.
func (c *disclosureCounts) walk(t *testing.T, url, path string, v any) {
	switch x := v.(type) {
	case map[string]any:
		if _, ok := x["statut"]; ok {
			c.check(t, url+" "+path, x)
		}
		for k, e := range x {
			c.walk(t, url, path+"."+k, e)
		}
	case []any:
		for i, e := range x {
			c.walk(t, url, fmt.Sprintf("%s[%d]", path, i), e)
		}
	}
}

func below(v any) bool {
	n, ok := v.(float64)
	return ok && n < model.Seuil
}

func (c *disclosureCounts) check(t *testing.T, where string, f map[string]any) {
	shown := func(keep func(k string) bool, why string) {
		for k, v := range f {
			if keep(k) {
				continue
			}
			if s, ok := v.([]any); ok && len(s) == 0 || v == nil {
				continue
			}
			t.Errorf("%s: %s = %v shown, %s", where, k, v, why)
		}
	}
	value := func(k string) bool {
		return strings.HasPrefix(k, "nb_") || strings.HasPrefix(k, "taux_") || strings.HasPrefix(k, "part_") ||
			k == "valeur_ajoutee" || k == "salaires"
	}
	c.figures++
	if _, ij := f["nb_annee_term"]; ij {
		if below(f["nb_annee_term"]) {
			c.fewTerm++
			if f["statut"] != model.StatutSousSeuil {
				t.Errorf("%s: %v learners, statut %v", where, f["nb_annee_term"], f["statut"])
			}
			shown(func(k string) bool { return !value(k) || k == "nb_annee_term" }, "fewer than 20 learners")
		}
		if below(f["nb_sortant"]) {
			c.fewSortant++
			shown(func(k string) bool {
				return !(strings.HasPrefix(k, "taux_emploi_") || k == "valeur_ajoutee")
			}, "fewer than 20 leavers")
		}
	}
	if _, sup := f["nb_diplomes"]; sup {
		if below(f["nb_diplomes"]) {
			c.fewDiplomes++
			shown(func(k string) bool { return !value(k) || k == "nb_diplomes" }, "fewer than 20 graduates")
		}
		if below(f["nb_sortants"]) {
			c.fewSortants++
			shown(func(k string) bool {
				return !(strings.HasPrefix(k, "nb_en_emploi_") || strings.HasPrefix(k, "taux_emploi_") || k == "salaires")
			}, "fewer than 20 leavers")
		}
	}
}

// queryStrings runs q, whose rows are one text column, and returns them.
func queryStrings(t testing.TB, pool *pgxpool.Pool, q string) []string {
	t.Helper()
	rows, err := pool.Query(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return out
}
