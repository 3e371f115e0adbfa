package web

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
	"github.com/vitrine-inserjeunes/vitrine/internal/testdb"
)

// familleRows reads the real §E5 file: the rows of one famille, by its
// label (the slug is the page's).
func familleRows(t *testing.T, famille string) (commun string, specs map[string]string) {
	t.Helper()
	text := strings.TrimPrefix(string(testdb.ReadGzip(t, "../testdata/demo/familles_metiers_2nde_commune.csv.gz")), "\ufeff")
	specs = map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(text), "\n")[1:] {
		f := strings.Split(l, ";")
		if f[0] == famille {
			commun = f[3]
			specs[f[5]] = f[1]
		}
	}
	if len(specs) == 0 {
		t.Fatalf("no row of %q in the familles file", famille)
	}
	return commun, specs
}

// TestFamillePage: the page of « Métiers de la relation client » names its
// common 2nde and every specialty of the §E5 rows, and its national table
// shows, for each specialty, the latest national figure of each voie as
// the formation's own API gives it.
func TestFamillePage(t *testing.T) {
	app, pool := siteTestApp(t)
	const famille = "Métiers de la relation client"
	slug := model.FamilleSlug(famille)
	commun, specs := familleRows(t, famille)
	d := doc(t, get(t, app, "/familles-metiers/"+slug))
	if h := strings.TrimSpace(d.Find("h1").Text()); h != famille {
		t.Errorf("h1 %q", h)
	}
	if d.Find("#seconde-commune ~ p a[href='/formations/"+commun+"']").Length() == 0 {
		t.Errorf("no link to the common 2nde %s", commun)
	}
	for cfd, label := range specs {
		if d.Find("#specialites ~ ul a[href='/formations/"+cfd+"']").Length() == 0 {
			t.Errorf("specialty %s (%s) not listed", cfd, label)
		}
	}
	// The national table against the formation API.
	checked := 0
	for cfd := range specs {
		var api struct {
			National []struct {
				Millesime      string `json:"millesime"`
				MillesimeLabel string `json:"millesime_libelle"`
				Voie           string `json:"voie"`
				Taux           *int   `json:"taux_emploi_6_mois"`
			} `json:"national"`
		}
		r := get(t, app, "/api/v1/formations/"+cfd)
		if r.StatusCode != 200 {
			continue
		}
		if err := json.Unmarshal(body(t, r), &api); err != nil {
			t.Fatal(err)
		}
		latest := map[string]int{}
		for i, f := range api.National {
			if j, ok := latest[f.Voie]; !ok || model.CompareMillesimes(f.Millesime, api.National[j].Millesime) > 0 {
				latest[f.Voie] = i
			}
		}
		for voie, i := range latest {
			f := api.National[i]
			want := "non"
			if f.Taux != nil {
				want = strings.TrimSpace(strings.Split(pct(f.Taux), " ")[0])
			}
			found := false
			d.Find("#specialites-france tbody tr").Each(func(_ int, tr *goquery.Selection) {
				if a, _ := tr.Find("th a").Attr("href"); a != "/formations/"+cfd {
					return
				}
				if !strings.Contains(tr.Text(), voieLabel(voie)) || !strings.Contains(tr.Text(), f.MillesimeLabel) {
					return
				}
				found = true
				if f.Taux != nil && !strings.Contains(tr.Text(), want) {
					t.Errorf("%s %s: row %q lacks the rate %s", cfd, voie, strings.Join(strings.Fields(tr.Text()), " "), want)
				}
			})
			if !found {
				t.Errorf("%s %s %s: no row in the national table", cfd, voie, f.Millesime)
			}
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("no national figure checked")
	}

	// One establishment: its specialties of the famille only.
	uai := scalar[string](t, pool, `SELECT uai FROM ij_uai_formation u LEFT JOIN mefstat11_cfd m ON m.mefstat11 = u.mefstat11
WHERE coalesce(u.cfd, m.cfd) = ANY($1) GROUP BY uai ORDER BY count(DISTINCT coalesce(u.cfd, m.cfd)) DESC, uai LIMIT 1`, keys(specs))
	taught := scalar[[]string](t, pool, `SELECT array_agg(DISTINCT coalesce(u.cfd, m.cfd)) FROM ij_uai_formation u LEFT JOIN mefstat11_cfd m ON m.mefstat11 = u.mefstat11
WHERE u.uai = $1 AND coalesce(u.cfd, m.cfd) = ANY($2)`, uai, keys(specs))
	de := doc(t, get(t, app, "/familles-metiers/"+slug+"?uai="+uai))
	if de.Find("#etablissement-titre a[href='/etablissements/"+uai+"']").Length() == 0 {
		t.Errorf("%s: no establishment heading", uai)
	}
	for _, cfd := range taught {
		if de.Find("#specialites-etablissement tbody th a[href='/formations/"+cfd+"']").Length() == 0 {
			t.Errorf("%s: taught specialty %s missing from its table", uai, cfd)
		}
	}
	de.Find("#specialites-etablissement tbody th a").Each(func(_ int, a *goquery.Selection) {
		h, _ := a.Attr("href")
		if !contains(taught, strings.TrimPrefix(h, "/formations/")) {
			t.Errorf("%s: specialty %s listed but not taught", uai, h)
		}
	})
	// Linked from the establishment and formation pages.
	if doc(t, get(t, app, "/etablissements/"+uai)).Find("#familles a[href='/familles-metiers/"+slug+"?uai="+url.QueryEscape(uai)+"']").Length() == 0 {
		t.Errorf("establishment %s does not link its famille page", uai)
	}
	for cfd := range specs {
		if doc(t, get(t, app, "/formations/"+cfd)).Find("#famille a[href='/familles-metiers/"+slug+"']").Length() == 0 {
			t.Errorf("formation %s does not name its famille", cfd)
		}
	}
}

// TestFamilleRoutes: exports, bad input, unknown famille.
func TestFamilleRoutes(t *testing.T) {
	app, pool := siteTestApp(t)
	slug := model.FamilleSlug("Métiers de la relation client")
	noFig := scalar[string](t, pool, `SELECT e.uai FROM ij_etab e WHERE NOT EXISTS (SELECT 1 FROM ij_uai_formation u WHERE u.uai = e.uai) ORDER BY e.uai LIMIT 1`)
	for _, c := range []struct {
		url    string
		status int
		ctype  string
		text   string
	}{
		{"/familles-metiers/" + slug + "?format=csv", 200, "application/zip", ""},
		{"/familles-metiers/" + slug + "?format=xlsx", 200, "application/vnd.openxmlformats", ""},
		{"/familles-metiers/" + slug + "?format=csv&table=specialites-france", 200, "text/csv", ""},
		{"/familles-metiers/" + slug + "?format=json", 200, "application/json", ""},
		{"/familles-metiers/" + strings.ToUpper(slug), 301, "", ""},
		{"/familles-metiers/nexiste-pas", 404, "text/html", "aucune famille de métiers"},
		{"/familles-metiers/" + slug + "?uai=123", 400, "text/html", "paramètre uai"},
		{"/familles-metiers/" + slug + "?uai=" + noFig, 404, "text/html", "aucune spécialité"},
	} {
		r := get(t, app, c.url)
		if r.StatusCode != c.status {
			t.Errorf("%s: status %d, want %d", c.url, r.StatusCode, c.status)
			continue
		}
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, c.ctype) {
			t.Errorf("%s: content-type %q", c.url, ct)
		}
		if c.text != "" && !strings.Contains(string(body(t, r)), c.text) {
			t.Errorf("%s: body lacks %q", c.url, c.text)
		}
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// familleTemplateCase is the template test case of pages/famille.
func familleTemplateCase(base basePage) pageCase {
	ok := func(v int) *int { return &v }
	fig := model.RawFormationFigure{Millesime: "2021_2022", Voie: "scolaire", Raw: model.RawFigure{NbAnneeTerm: ok(120), NbSortant: ok(60), TauxEmploi6Mois: ok(48), TauxPoursuiteEtudes: ok(50)}}.Disclose()
	spec := model.FamilleFormation{CFD: "40031213", MEFSTAT11: "23830031213", Libelle: "Métiers du commerce et de la vente option A"}
	other := model.FamilleFormation{CFD: "40031212", MEFSTAT11: "23830031212", Libelle: "Métiers de l'accueil", FormationFermee: true}
	d := model.FamilleDetail{Famille: model.Famille{Slug: "metiers-de-la-relation-client", Nom: "Métiers de la relation client",
		Commun:      model.FamilleFormation{CFD: "40031211", MEFSTAT11: "23810031211", LibelleBCN: "METIERS DE LA RELATION CLIENT 2NDE COMMUNE (BAC PRO)"},
		Specialites: []model.FamilleFormation{spec, other}},
		National:        []model.FamilleChiffres{{Specialite: spec, Chiffres: []model.FormationFigure{fig}}, {Specialite: other}},
		Etablissement:   &model.Etablissement{UAI: "0010001W", Nom: "Lycée X"},
		EtabSpecialites: []model.FamilleChiffres{{Specialite: spec, Chiffres: []model.FormationFigure{fig}}}}
	p := newFamillePage(base, d)
	linkTables(&p.basePage, p.tables())
	return pageCase{"pages/famille", &famillePage{}, p, []string{"#seconde-commune ~ p a[href='/formations/40031211']", "#specialites ~ ul a[href='/formations/40031212'] ~ .fr-badge",
		"#specialites-france tbody th a", "#specialites-etablissement", "#etablissement-titre a[href='/etablissements/0010001W']"}}
}
