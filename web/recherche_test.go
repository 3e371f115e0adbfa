package web

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/gofiber/fiber/v2"

	"github.com/vitrine-inserjeunes/vitrine/internal/importer"
	"github.com/vitrine-inserjeunes/vitrine/internal/model"
	"github.com/vitrine-inserjeunes/vitrine/internal/searchsource"
	"github.com/vitrine-inserjeunes/vitrine/internal/store"
	"github.com/vitrine-inserjeunes/vitrine/internal/testdb"
	"github.com/vitrine-inserjeunes/vitrine/search"
)

// rechercheTemplateCase is the template test case of pages/recherche
// (listed in templatePageCases).
func rechercheTemplateCase(base basePage) pageCase {
	r := search.Request{Q: "lycée", Filters: search.Filters{Region: "53"}, Page: 2}
	res := &search.Result{Q: r.Q, Total: 45, Page: 2, Pages: 3, ParPage: 20, Approchant: true,
		Resultats: []search.Hit{
			{URL: "/etablissements/0010001W", Document: search.Document{Objet: search.KindEtablissement, UAI: "0010001W", Nom: "Lycée X",
				Type: "Lycée professionnel", Commune: "Ambérieu", Voies: []string{"scolaire"}, NbFormations: 3,
				Chiffre: &model.ChiffreCarte{Indicateur: "taux_emploi_6_mois", Libelle: "en emploi 6 mois après la sortie", Valeur: 48, Voie: "scolaire", Millesime: "2021_2022", MillesimeLibelle: "promotions 2021 et 2022"}}},
			{URL: "/formations/50022137", Document: search.Document{Objet: search.KindFormation, Code: "50022137", CFD: "50022137",
				Libelle: "BOULANGER (CAP)", Niveau: "CAP", FormationFermee: true, NbEtablissements: 2, Regions: []string{"53"},
				Famille: &model.FamilleRef{Slug: "metiers-de-l-alimentation", Nom: "Métiers de l'alimentation"}}},
		},
		Territoires: []search.TerritoryCard{{Niveau: search.NiveauCommune, Code: "Rennes", Nom: "Rennes", NbEtablissements: 12,
			Departement: &model.Territoire{Code: "035", Nom: "Ille-et-Vilaine"}, Academie: &model.Territoire{Code: "14", Nom: "Rennes"}, Region: &model.Territoire{Code: "53", Nom: "Bretagne"}},
			{Niveau: search.NiveauRegion, Code: "53", Nom: "Bretagne", URL: "/regions/53", NbEtablissements: 40}},
		Facettes: []search.Facet{{Param: "region", Libelle: "Région", Valeurs: []search.FacetValue{
			{Valeur: "53", Libelle: "Bretagne", Nombre: 45, Actif: true}, {Valeur: "84", Libelle: "Auvergne-Rhône-Alpes", Nombre: 3}}},
			{Param: "niveau", Libelle: "Niveau", Valeurs: manyValues(12)}},
	}
	filled := newRecherchePage(base, r, res)
	return pageCase{"pages/recherche", &recherchePage{}, filled, []string{"#recherche-page", "#resultats .vi-result", "#facette-region a[aria-current]",
		"#filtres-actifs a", ".fr-pagination a[aria-current=page]", "#resultats-approchants", "#facette-niveau details",
		"#resultats-ordre", "#territoires .vi-territory-card a[href='/regions/53']", "#territoires .vi-territory-card a[href='/academies/14']",
		"#territoires .vi-famille-card a[href='/familles-metiers/metiers-de-l-alimentation']", "#resultats .vi-result__chiffre"}}
}

func manyValues(n int) []search.FacetValue {
	var out []search.FacetValue
	for i := range n {
		out = append(out, search.FacetValue{Valeur: string(rune('A' + i)), Libelle: "Niveau " + string(rune('A'+i)), Nombre: n - i})
	}
	return out
}

// The search app: the demo data in vitrine_test_web_search, its index.
var searchDemo struct {
	once sync.Once
	app  *fiber.App
	st   *store.Store
	ix   *search.Index
	err  error
}

func searchTestApp(t testing.TB) (*fiber.App, *store.Store, *search.Index) {
	t.Helper()
	pool := testdb.Pool(t, "web_search")
	searchDemo.once.Do(func() {
		ctx := context.Background()
		if _, err := importer.ImportDemo(ctx, pool, "../testdata/demo"); err != nil {
			searchDemo.err = err
			return
		}
		searchDemo.st = store.New(pool)
		searchDemo.ix = search.New(t.TempDir(), nil)
		if _, err := searchDemo.ix.Rebuild(ctx, searchsource.New(searchDemo.st)); err != nil {
			searchDemo.err = err
			return
		}
		searchDemo.app = New(searchDemo.st, slog.New(slog.DiscardHandler), testConfig(), WithSearch(searchDemo.ix))
	})
	if searchDemo.err != nil {
		t.Fatal(searchDemo.err)
	}
	return searchDemo.app, searchDemo.st, searchDemo.ix
}

func TestRechercheRedirectsCodes(t *testing.T) {
	app, _, _ := searchTestApp(t)
	for q, want := range map[string]string{
		"0010001w":    "/etablissements/0010001W", // UAI, any case
		" 0010001W ":  "/etablissements/0010001W",
		"40030004":    "/formations/40030004",     // CFD
		"23830022106": "/formations/40022106",     // MEFSTAT11 → its CFD
		"0351023X":    "/etablissements/0351023X", // a school without figures, known to the annuaire
	} {
		r := get(t, app, "/recherche?q="+url.QueryEscape(q))
		if r.StatusCode != fiber.StatusFound || r.Header.Get("Location") != want {
			t.Errorf("%q : %d vers %q, attendu 302 vers %q", q, r.StatusCode, r.Header.Get("Location"), want)
		}
	}
	// A valid UAI known nowhere is searched, not redirected.
	if r := get(t, app, "/recherche?q=0010002X&region=84"); r.StatusCode != fiber.StatusOK {
		t.Errorf("UAI avec filtre : %d, attendu 200", r.StatusCode)
	}
}

func TestRecherchePage(t *testing.T) {
	app, _, _ := searchTestApp(t)

	r := get(t, app, "/recherche?q="+url.QueryEscape("lycee alexandre berard"))
	if r.StatusCode != 200 {
		t.Fatalf("statut %d", r.StatusCode)
	}
	d := doc(t, r)
	if href, _ := d.Find("#resultats .vi-result a").First().Attr("href"); href != "/etablissements/0010001W" {
		t.Errorf("premier résultat %q", href)
	}
	if v, _ := d.Find("#recherche-page-q").Attr("value"); v != "lycee alexandre berard" {
		t.Errorf("la recherche n'est pas reprise dans le formulaire : %q", v)
	}
	if d.Find(`meta[name=robots][content=noindex]`).Length() != 1 {
		t.Error("une page de résultats ne doit pas être indexée")
	}

	// Facets, filters and pages are links.
	d = doc(t, get(t, app, "/recherche?q=lycee&region=53"))
	sum := d.Find("#resultats-titre").Text()
	if !strings.Contains(sum, "résultats pour « lycee »") {
		t.Errorf("résumé %q", sum)
	}
	if d.Find("#resultats .vi-result").Length() != 20 {
		t.Errorf("%d résultats sur la page 1, attendu 20", d.Find("#resultats .vi-result").Length())
	}
	if href, _ := d.Find("#filtres-actifs a").Attr("href"); href != "/recherche?q=lycee" {
		t.Errorf("retrait du filtre région : %q", href)
	}
	if d.Find("#facette-region a[aria-current=true]").Text() != "Bretagne" {
		t.Errorf("la région filtrée doit être marquée : %q", d.Find("#facette-region a[aria-current=true]").Text())
	}
	typ, ok := d.Find("#facette-type a").First().Attr("href")
	if !ok || !strings.Contains(typ, "region=53") || !strings.Contains(typ, "type=") {
		t.Errorf("lien de facette %q : doit garder la région et ajouter le type", typ)
	}
	first1, _ := d.Find("#resultats .vi-result a").First().Attr("href")
	next, ok := d.Find(".fr-pagination a[rel=next]").Attr("href")
	if !ok {
		t.Fatal("pas de page suivante")
	}
	d2 := doc(t, get(t, app, next))
	first2, _ := d2.Find("#resultats .vi-result a").First().Attr("href")
	if first2 == "" || first2 == first1 {
		t.Errorf("la page 2 (%s) doit montrer d'autres résultats : %q puis %q", next, first1, first2)
	}
	if d2.Find(".fr-pagination a[aria-current=page]").Text() != "2" {
		t.Error("la page 2 n'est pas marquée courante")
	}
	// every result of the filtered search is in Bretagne
	d.Find("#resultats .vi-result .fr-card__desc").Each(func(i int, s *goquery.Selection) {
		if !strings.Contains(s.Text(), "Bretagne") {
			t.Errorf("résultat %d hors de la région filtrée : %q", i, s.Text())
		}
	})

	// Nothing found: the page says so and how to do better.
	d = doc(t, get(t, app, "/recherche?q=zzqxwv"))
	if !strings.Contains(d.Find("#resultats-titre").Text(), "Aucun résultat") || d.Find("#conseils li").Length() == 0 {
		t.Error("une recherche sans résultat doit le dire et donner des conseils")
	}

	// Text typed by the visitor is escaped.
	b := string(body(t, get(t, app, "/recherche?q="+url.QueryEscape(`<script>alert(1)</script>`))))
	if strings.Contains(b, "<script>alert(1)") {
		t.Error("la recherche n'est pas échappée")
	}

	// The empty form.
	if r := get(t, app, "/recherche"); r.StatusCode != 200 {
		t.Errorf("formulaire vide : %d", r.StatusCode)
	}
}

func TestRechercheAPI(t *testing.T) {
	app, _, ix := searchTestApp(t)
	var res search.Result
	decode(t, get(t, app, "/api/v1/recherche?q=cap+boulanger"), &res)
	if res.Total == 0 || res.Resultats[0].URL != "/formations/50022137" || res.Resultats[0].Niveau != "CAP" {
		t.Fatalf("API : %+v", res)
	}
	// the same results as the library
	lib, err := ix.Search(context.Background(), search.Request{Q: "cap boulanger"})
	if err != nil {
		t.Fatal(err)
	}
	if lib.Total != res.Total || lib.Resultats[0].URL != res.Resultats[0].URL {
		t.Errorf("API %d/%s, index %d/%s", res.Total, res.Resultats[0].URL, lib.Total, lib.Resultats[0].URL)
	}
	decode(t, get(t, app, "/api/v1/recherche?q=0010001W"), &res)
	if res.Redirection != "/etablissements/0010001W" {
		t.Errorf("redirection %q", res.Redirection)
	}
	decode(t, get(t, app, "/api/v1/recherche?q=lycee&voie=apprentissage&par_page=5&page=2"), &res)
	if res.ParPage != 5 || res.Page != 2 || len(res.Resultats) != 5 {
		t.Errorf("pagination : %d par page, page %d, %d résultats", res.ParPage, res.Page, len(res.Resultats))
	}
	for _, h := range res.Resultats {
		if !slices.Contains(h.Voies, "apprentissage") {
			t.Errorf("%s n'a pas la voie filtrée : %v", h.URL, h.Voies)
		}
	}

	var sug suggestionsJSON
	decode(t, get(t, app, "/api/v1/suggestions?q="+url.QueryEscape("alexandre bera")), &sug)
	if len(sug.Suggestions) == 0 || sug.Suggestions[0].URL != "/etablissements/0010001W" {
		t.Fatalf("suggestions : %+v", sug)
	}
	if sug.Recherche != "/recherche?q=alexandre+bera" {
		t.Errorf("lien vers la recherche : %q", sug.Recherche)
	}
	decode(t, get(t, app, "/api/v1/suggestions?q=0010001"), &sug)
	if len(sug.Suggestions) == 0 || sug.Suggestions[0].URL != "/etablissements/0010001W" {
		t.Errorf("suggestion sur un début de code : %+v", sug)
	}
}

// Search responses are cached only while the index holds the current data
// version; without an index the search says it is being prepared.
func TestRechercheCacheAndUnavailable(t *testing.T) {
	app, st, _ := searchTestApp(t)
	r := get(t, app, "/recherche?q=rennes")
	etag := r.Header.Get("ETag")
	if etag == "" {
		t.Fatal("index à jour : la page doit porter un ETag")
	}
	if r2 := get(t, app, "/recherche?q=rennes", "If-None-Match", etag); r2.StatusCode != fiber.StatusNotModified {
		t.Errorf("revalidation : %d, attendu 304", r2.StatusCode)
	}

	// An index built from another data version: answered, never cached.
	stale := search.New(t.TempDir(), nil)
	defer stale.Close()
	src := searchsource.New(st)
	if _, err := stale.Rebuild(context.Background(), versionSource{src, 999}); err != nil {
		t.Fatal(err)
	}
	app2 := New(st, slog.New(slog.DiscardHandler), testConfig(), WithSearch(stale))
	r = get(t, app2, "/recherche?q=rennes")
	if r.StatusCode != 200 || r.Header.Get("ETag") != "" || r.Header.Get("Cache-Control") != "no-cache" {
		t.Errorf("index périmé : %d, ETag %q, Cache-Control %q", r.StatusCode, r.Header.Get("ETag"), r.Header.Get("Cache-Control"))
	}

	// No index yet.
	none := search.New(t.TempDir(), nil)
	app3 := New(st, slog.New(slog.DiscardHandler), testConfig(), WithSearch(none))
	r = get(t, app3, "/recherche?q=rennes")
	if r.StatusCode != fiber.StatusServiceUnavailable || doc(t, r).Find("#recherche-indisponible").Length() != 1 {
		t.Errorf("sans index : %d", r.StatusCode)
	}
	r = get(t, app3, "/api/v1/recherche?q=rennes")
	var e apiErrorBody
	decode(t, r, &e)
	if r.StatusCode != fiber.StatusServiceUnavailable || e.Code != "recherche_indisponible" {
		t.Errorf("API sans index : %d %+v", r.StatusCode, e)
	}
}

// versionSource reports another data version than the database's.
type versionSource struct {
	search.Source
	v int64
}

func (v versionSource) DataVersion(context.Context) (int64, error) { return v.v, nil }

func decode(t testing.TB, r *http.Response, v any) {
	t.Helper()
	if err := json.Unmarshal(body(t, r), v); err != nil {
		t.Fatalf("JSON illisible (%d) : %v", r.StatusCode, err)
	}
}
