package web

import (
	"encoding/csv"
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// TestFormationMetiers: the formation page lists the ROME fiches Certif
// Info gives its CFD (oracle: the tables as imported), with the transition
// flags; the pair page repeats the first ones; a CFD Certif Info lacks
// says so.
func TestFormationMetiers(t *testing.T) {
	app, pool := siteTestApp(t)
	for _, cfd := range []string{"32031213", "40030004", "50022146"} {
		rows, err := pool.Query(t.Context(), `SELECT DISTINCT f.code_rome, f.libelle, coalesce(f.transition_num, false) FROM certif_info c
JOIN rome_fiches f ON f.code_rome IN (c.rome_1, c.rome_2, c.rome_3, c.rome_4, c.rome_5) WHERE c.cfd = $1`, cfd)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]bool{} // libellé → transition numérique
		for rows.Next() {
			var code, lib string
			var num bool
			if err := rows.Scan(&code, &lib, &num); err != nil {
				t.Fatal(err)
			}
			want[lib] = num
		}
		rows.Close()
		if len(want) == 0 {
			t.Fatalf("%s: no ROME fiche in the data: the test checks nothing", cfd)
		}
		d := doc(t, get(t, app, "/formations/"+cfd))
		sec := d.Find("section[aria-labelledby=metiers]")
		if sec.Length() != 1 {
			t.Fatalf("%s: %d métiers sections", cfd, sec.Length())
		}
		got := map[string]bool{}
		sec.Find("li").Each(func(_ int, li *goquery.Selection) {
			if a := li.Find("a[href*='metierscope']"); a.Length() == 1 {
				got[a.Text()] = strings.Contains(li.Text(), "Transition numérique")
			}
		})
		for lib, num := range want {
			if g, ok := got[lib]; !ok || g != num {
				t.Errorf("%s: métier %q listed %v, transition numérique %v (want %v)", cfd, lib, ok, g, num)
			}
		}
		if len(got) != len(want) {
			t.Errorf("%s: %d métiers listed, %d in the data", cfd, len(got), len(want))
		}
		if onisep := scalar[string](t, pool, `SELECT coalesce(min(onisep) FILTER (WHERE onisep LIKE 'FOR.%'), '') FROM certif_info WHERE cfd = $1`, cfd); onisep != "" &&
			sec.Find("a[href$='"+onisep+"']").Length() != 1 {
			t.Errorf("%s: no link to the Onisep page %s", cfd, onisep)
		}
	}

	// A formation with figures that Certif Info does not know.
	cfd := scalar[string](t, pool, `SELECT min(r.cfd) FROM ij_region_formation r WHERE r.cfd IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM certif_info c WHERE c.cfd = r.cfd)`)
	d := doc(t, get(t, app, "/formations/"+cfd))
	if txt := d.Find("section[aria-labelledby=metiers]").Text(); !strings.Contains(txt, "Certif Info ne connaît pas ce diplôme") {
		t.Errorf("%s (not in Certif Info): métiers section %q", cfd, txt)
	}

	// The pair page: at most three, and the link to the whole list.
	uai := scalar[string](t, pool, `SELECT min(uai) FROM ij_uai_formation WHERE cfd = '32031213'`)
	d = doc(t, get(t, app, "/etablissements/"+uai+"/formations/32031213"))
	sec := d.Find("section[aria-labelledby=metiers]")
	if n := sec.Find("a[href*='metierscope']").Length(); n != briefMetiers || sec.Find("a[href='/formations/32031213#metiers']").Length() != 1 {
		t.Errorf("pair %s × 32031213: %d métiers, link to the list %d", uai, n, sec.Find("a[href='/formations/32031213#metiers']").Length())
	}
}

// TestClosedFormationSuccessor: a closed formation says when it closed and
// links its successor (BCN links, oracle: bcn_formation_links).
func TestClosedFormationSuccessor(t *testing.T) {
	app, pool := siteTestApp(t)
	next := scalar[string](t, pool, `SELECT min(nouveau) FROM bcn_formation_links WHERE ancien = '50022139'`)
	year := scalar[string](t, pool, `SELECT to_char(date_fermeture, 'YYYY') FROM bcn_formations WHERE cfd = '50022139'`)
	d := doc(t, get(t, app, "/formations/50022139"))
	if b := d.Find("h1 + p .fr-badge--warning").Text(); b != "Formation fermée en "+year {
		t.Errorf("badge %q, want « Formation fermée en %s »", b, year)
	}
	if d.Find("p a[href='/formations/"+next+"']").Length() == 0 || !strings.Contains(d.Text(), "Remplacée par") {
		t.Errorf("50022139: no « Remplacée par » link to %s", next)
	}
}

// TestSameLabelToldApart: in the formations export of the Bretagne page,
// two rows of the same voie never show the same label for two CFDs; the
// data has such pairs (same BCN label, two CFDs).
func TestSameLabelToldApart(t *testing.T) {
	app, _ := siteTestApp(t)
	resp := get(t, app, "/regions/53?format=csv&table=formations")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(body(t, resp)), "\ufeff")))
	r.Comma = ';'
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	for _, c := range []string{"cfd", "libelle_bcn", "Formation", "Voie"} {
		if _, ok := col[c]; !ok {
			t.Fatalf("no column %s in %v", c, recs[0])
		}
	}
	shown := map[string]string{}   // voie + label → cfd
	bcnCFDs := map[string]string{} // voie + BCN label → a cfd
	sameBCN := 0
	for _, rec := range recs[1:] {
		v, cfd := rec[col["Voie"]], rec[col["cfd"]]
		k := v + "|" + rec[col["Formation"]]
		if c, ok := shown[k]; ok && c != cfd {
			t.Errorf("%q shown for %s and %s", rec[col["Formation"]], c, cfd)
		}
		shown[k] = cfd
		kb := v + "|" + rec[col["libelle_bcn"]]
		if c, ok := bcnCFDs[kb]; ok && c != cfd {
			sameBCN++
		}
		bcnCFDs[kb] = cfd
	}
	if sameBCN == 0 {
		t.Fatal("no two CFDs share a BCN label: the test checks nothing")
	}
}

// TestSparseCommuneColumn: the establishments of AGORA (40030004) are
// mostly CFAs the referentials do not place; the commune column is not
// shown, on the page or in the export.
func TestSparseCommuneColumn(t *testing.T) {
	app, _ := siteTestApp(t)
	d := doc(t, get(t, app, "/formations/40030004"))
	if d.Find("#etablissements table").Length() == 0 {
		t.Fatal("no establishments table")
	}
	if d.Find("#etablissements th").FilterFunction(func(_ int, s *goquery.Selection) bool { return strings.TrimSpace(s.Text()) == "Commune" }).Length() != 0 {
		t.Error("an empty Commune column is shown")
	}
	head := strings.SplitN(string(body(t, get(t, app, "/formations/40030004?format=csv&table=etablissements"))), "\n", 2)[0]
	if strings.Contains(head, "Commune") {
		t.Errorf("export header %q has Commune", head)
	}
}
