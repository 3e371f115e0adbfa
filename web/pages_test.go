package web

import (
	"bytes"
	"fmt"
	"io/fs"
	"log/slog"
	"regexp"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/vitrine-inserjeunes/vitrine/internal/config"
	"github.com/vitrine-inserjeunes/vitrine/internal/model"
	"github.com/vitrine-inserjeunes/vitrine/views"
)

// pageCase is one template with a zero-valued and a filled page struct.
type pageCase struct {
	name   string
	zero   page
	filled page
	// want are selectors the filled page must hold.
	want []string
}

// templatePageCases lists every page template; TestEveryTemplateIsTested
// fails when a template of views/pages has no case here.
func templatePageCases() []pageCase {
	filledBase := func(title, path string) basePage {
		return basePage{Title: title, Description: "description", Path: path, BaseURL: "http://exemple.test",
			Breadcrumb: []crumb{{Label: "Région", URL: "/regions/84"}, {Label: title, URL: path}},
			Demo:       true, DemoBlocks: []string{"le tableau « Formations »"}, DataVersion: 7, Query: "berard", Exports: exportLinks(path, nil)}
	}
	ok := func(v int) *int { return &v }
	figs := etabFixture()
	etab := &etablissementPage{basePage: filledBase("Lycée X", "/etablissements/0010001W"),
		Etab: etabIdentity{UAI: "0010001W", Nom: "Lycée X", Type: "Lycée professionnel", Commune: "Ambérieu",
			Academie: link{Label: "Lyon", URL: "/academies/10"}, Region: link{Label: "Auvergne-Rhône-Alpes", URL: "/regions/84"}},
		Voies:      []etabVoie{etabVoieBlock("scolaire", figs, rowIDs{UAI: "0010001W"})},
		Millesimes: []string{"2021_2022", "2020_2021"},
		NoFigure:   "aucun chiffre",
		Formations: &dataTable{ID: "formations", Caption: "Formations", Columns: []column{{Key: "f", Label: "Formation"}}, Rows: []row{{Cells: []cell{headerCell("CAP", "/x")}, Demo: true}}, ExportPath: "/etablissements/0010001W", ExportRows: 1},
		Superieur:  &dataTable{ID: "superieur", Caption: "Supérieur", Columns: []column{{Key: "f", Label: "Diplôme"}}, Rows: []row{{Cells: []cell{headerCell("Master", "/y")}}}},
	}
	apropos := &aproposPage{basePage: filledBase("Les données", "/a-propos/donnees"), Glossary: glossary,
		Runs: []importRunView{{ID: 3, Date: "1 janvier 2026 à 10h00", Files: 2, Rows: 10}}, Millesimes: []string{"2021_2022"},
		Files: &dataTable{ID: "fichiers", Caption: "Fichiers", Columns: []column{{Key: "a", Label: "A"}}, Rows: []row{{Cells: []cell{textCell("x")}}}}}
	home := &homePage{basePage: filledBase("", "/"), Stats: model.SiteStats{Etablissements: 3, Formations: 4, Millesimes: []string{"2021_2022"}},
		Examples: []crumb{{Label: "Rennes", URL: "/recherche?q=Rennes"}}, Regions: []crumb{{Label: "Bretagne", URL: "/regions/53"}},
		National: []nationalBlock{{Label: "Voie scolaire", Millesime: "promotions 2021 et 2022", Headline: []headlineFigure{{Label: "Taux d'emploi à 6 mois", Value: "54 %", Definition: "taux-emploi"}},
			Parts: partsChart("parts-france-scolaire", ok(20), ok(50), ok(30), "Parts")}}, MillesimeRange: "des promotions 2018 et 2019 aux promotions 2022 et 2023",
		Maps: homeMaps([]model.RegionalFigure{{Region: model.Territoire{Code: "53", Nom: "Bretagne"}, Voie: "scolaire", Millesime: "2021_2022",
			Figure: model.RawFigure{NbAnneeTerm: ok(100), NbSortant: ok(60), NbEnEmploi6Mois: ok(33), TauxEmploi6Mois: ok(55)}.Disclose()}})}
	erreur := &errorPage{basePage: filledBase("Page introuvable", "/x"), Status: 404, Heading: "Page introuvable", Message: "absent",
		Suggestions: []crumb{{Label: "Accueil", URL: "/"}}}
	ff := func(m, voie string, f model.RawFigure) model.FormationFigure {
		return model.RawFormationFigure{Millesime: m, Voie: voie, Raw: f}.Disclose()
	}
	fm := model.Formation{Code: "40031213", CFD: "40031213", Libelle: "MÉTIERS DU COMMERCE (BAC PRO)", Niveau: "BAC PRO",
		Voies: []string{"scolaire"}, Anciens: []model.FormationLien{{Code: "40031202", Libelle: "COMMERCE (BAC PRO)", UnPourUn: true}}}
	nat := []model.FormationFigure{
		ff("2021_2022", "scolaire", model.RawFigure{NbAnneeTerm: ok(21171), TauxEmploi6Mois: ok(43), TauxPoursuiteEtudes: ok(55),
			PartEmploi6Mois: ok(19), PartPoursuiteEtudes: ok(55), PartAutresSituations: ok(26)}),
		ff("2020_2021", "scolaire", model.RawFigure{NbAnneeTerm: ok(12), TauxEmploi6Mois: ok(41), TauxPoursuiteEtudes: ok(50)}), // under the threshold
	}
	nat[1].SourceContinuum = &model.SourceContinuum{Code: "40031202", Libelle: "COMMERCE (BAC PRO)", Sens: "ancien"}
	formation := &formationPage{basePage: filledBase("Commerce", "/formations/40031213"), F: fm, Facts: formationFacts(fm), Anciens: liens(fm.Anciens),
		Voies:          []formationVoie{{Voie: "scolaire", Label: "Voie scolaire", Latest: "promotions 2021 et 2022", Headline: []headlineFigure{headline(indTauxEmploi6, &nat[0].Figure, "")}, PartsChart: partsChart("parts-scolaire", ok(19), ok(55), ok(26), "Parts")}},
		National:       formationFiguresTable("national", "France", "france", nat),
		ContinuumNotes: []string{"promotions 2020 et 2021 : chiffres issus de l'ancien diplôme COMMERCE (BAC PRO) (40031202)."},
		RegionFilter:   []option{{Value: "", Label: "Toutes"}, {Value: "84", Label: "ARA"}, {Value: "53", Label: "Bretagne", Selected: true}}}
	etabsT := &dataTable{ID: "etablissements", Caption: "Établissements", Sortable: true, SortBase: "/formations/40031213",
		Columns: []column{{Key: "etablissement", Label: "Établissement"}, indTauxEmploi6.column()}}
	for i := 0; i < 120; i++ {
		etabsT.addRow(false, rowIDs{}, headerCell(fmt.Sprintf("Lycée %03d", i), "/etablissements/0010001W/formations/40031213"), indTauxEmploi6.cellOf(&nat[i%2].Figure))
	}
	etabsT.sortRows("taux_emploi_6_mois", true)
	formation.Etabs = etabsT
	formation.Regions = &dataTable{ID: "regions", Caption: "Par région", Columns: []column{{Key: "region", Label: "Région"}}, Rows: []row{{Cells: []cell{headerCell("Bretagne", "/regions/53")}}}}
	formation.RegionsMap = franceRegionMap("regions-carte", "Carte", "taux d'emploi à 6 mois", []mapValue{{Code: "53", Value: ok(61)}}, "regions", "Par région")
	formation.EtabsPager = formation.Etabs.paginate(2, rowsPerPage, "/formations/40031213")
	pair := &pairPage{basePage: filledBase("Commerce — Lycée X", "/etablissements/0010001W/formations/40031213"), F: fm,
		Etab: etabIdentity{UAI: "0010001W", Nom: "Lycée X"}, Continuum: []string{"x"}, RoleNote: "rôles",
		Voies: []pairVoie{{Voie: "scolaire", Label: "Voie scolaire", Latest: "promotions 2021 et 2022",
			Compare: []*chart{hbarsChart("compare-scolaire", "Taux", []hbar{{Label: "Cet établissement", Missing: "secret statistique : moins de 20 élèves"}, {Label: "Région", Value: ok(49)}, {Label: "France", Value: ok(43)}}, nil, "résumé")}}},
		Table: formationFiguresTable("comparaison", "Comparaison", "etablissement", nat)}
	terr := &territoryPage{basePage: filledBase("Bretagne", "/regions/53"), Kind: "region", Heading: "Bretagne",
		Links: []link{{Label: "Académie de Rennes", URL: "/academies/14"}}, LinksHead: "Académies", Facts: []fact{{Label: "Départements", Value: "Finistère"}},
		CoverText: []string{"sur 10 couples…"},
		Coverage:  &dataTable{ID: "couverture", Caption: "Couverture", Columns: []column{{Key: "voie", Label: "Voie"}}, Rows: []row{{Cells: []cell{headerCell("Voie scolaire", "")}}}},
		Niveaux:   formationFiguresTable("niveaux", "Niveaux", "region", nat),
		NivChart:  hbarsChartColors("niveaux-graphique", "Niveaux", []hbar{{Label: "CAP", Value: ok(40)}, {Label: "BAC PRO", Value: ok(50)}}, nil, "résumé", false),
		Distrib:   distribution([]model.TerritoryEtab{{UAI: "0350001A", Voie: "scolaire", Figure: nat[0].Figure}, {UAI: "0350002B", Voie: "apprentissage", Figure: nat[1].Figure}}),
		Forms:     formationFiguresTable("formations", "Formations", "region", nat), Etabs: etabsT}
	terr.headlines(chiffresClesFixture(), "Bretagne") // territory_test.go
	terr.Labor = laborContextOf(contexteFixture(), "region")
	cases := []pageCase{
		{"pages/formation", &formationPage{}, formation, []string{"#national", "#etablissements", "#filtre-region", ".fr-pagination", "#parts-scolaire", ".fr-callout", "#regions-carte svg[role=img]", "#regions-carte a[href='#regions']"}},
		{"pages/etablissement_formation", &pairPage{}, pair, []string{"#comparaison", "#compare-scolaire", ".fr-highlight"}},
		{"pages/territoire", &territoryPage{}, terr, []string{"#couverture", "#niveaux", "#niveaux-graphique", "#distribution", "#formations", "#etablissements",
			"#chiffres-cles-titre", "section[aria-labelledby=chiffres-cles-scolaire-titre] .vi-figure__france", "#chiffres-cles-scolaire", "#contexte-titre ~ .vi-chomage", "#chomage-departements"}},
		{"pages/home", &homePage{}, home, []string{"#recherche-accueil", "#avis-demonstration", ".vi-figure", "#parts-france-scolaire", "#carte-scolaire svg[role=img] path[data-region='53'][data-valeur='55']", "#carte-scolaire-donnees", "#attribution-carte"}},
		{"pages/etablissement", &etablissementPage{}, etab, []string{"#voie-scolaire", "#historique-scolaire", "#parts-scolaire", ".fr-highlight", "#historique-scolaire-apprentis", "#formations", "#superieur",
			"#formations tr.vi-demo-row th .vi-demo", "#formations .vi-demo-note", "#formations .vi-table-exports a[href='/etablissements/0010001W?format=csv&table=formations']"}},
		{"pages/apropos_donnees", &aproposPage{}, apropos, []string{"#glossaire", "#taux-emploi", "#fichiers"}},
		{"pages/erreur", &errorPage{}, erreur, []string{"#recherche-erreur"}},
		expositionTemplateCase(filledBase("API compatible Exposition InserJeunes", "/api/exposition-inserjeunes")),          // exposition_test.go
		rechercheTemplateCase(filledBase("Recherche « lycée »", "/recherche")),                                              // recherche_test.go
		familleTemplateCase(filledBase("Métiers de la relation client", "/familles-metiers/metiers-de-la-relation-client")), // famille_test.go
		kitTemplateCase(filledBase("Intégrer ces chiffres", "/etablissements/0010001W/kit")),                                // kit_test.go
		couvertureTemplateCase(filledBase("Couverture", "/couverture/x")),                                                   // couverture_test.go
		telechargementsTemplateCase(filledBase("Téléchargements en masse", "/donnees/telechargements")),                     // telechargements_test.go
		{"pages/api", &apiDocPage{}, &apiDocPage{basePage: filledBase("API", "/api"), Base: "https://exemple.gouv.fr", Routes: apiRoutes(), RateLimit: 600, RateWindow: 60},
			[]string{"#route-liste-etablissements", "#route-formation", "#route-couverture", "#table-vocabulaire", "a[href='/api/v1/openapi.json']", "#limites", "a[href='/api/exposition-inserjeunes']"}},
	}
	return append(cases, signalerTemplateCases(filledBase)...) // signaler_test.go
}

func testServer(t testing.TB) *Server {
	t.Helper()
	return &Server{log: slog.New(slog.DiscardHandler), cfg: config.Defaults(), site: newSite(config.Defaults().PageCacheBytes)}
}

// TestTemplatesRender renders every page struct zero-valued and filled.
func TestTemplatesRender(t *testing.T) {
	s := testServer(t)
	for _, tc := range templatePageCases() {
		for _, variant := range []struct {
			label string
			p     page
		}{{"zero", tc.zero}, {"filled", tc.filled}} {
			t.Run(tc.name+"/"+variant.label, func(t *testing.T) {
				b, err := s.renderPage(tc.name, variant.p)
				if err != nil {
					t.Fatal(err)
				}
				doc, err := goquery.NewDocumentFromReader(bytes.NewReader(b))
				if err != nil {
					t.Fatal(err)
				}
				if doc.Find("html[lang=fr] footer.fr-footer").Length() == 0 {
					t.Error("no DSFR footer")
				}
				for _, sel := range []string{"header.fr-header", "main#contenu", ".fr-skiplinks", "form#recherche-entete[action='/recherche'] input[name=q]"} {
					if doc.Find(sel).Length() == 0 {
						t.Errorf("missing %s", sel)
					}
				}
				if variant.label == "filled" {
					for _, sel := range tc.want {
						if doc.Find(sel).Length() == 0 {
							t.Errorf("filled page lacks %s", sel)
						}
					}
					if doc.Find(".fr-breadcrumb a[aria-current=page]").Length() != 1 {
						t.Error("breadcrumb has no current page")
					}
				}
				// every id is unique (axe: duplicate-id)
				seen := map[string]bool{}
				doc.Find("[id]").Each(func(_ int, n *goquery.Selection) {
					id, _ := n.Attr("id")
					if seen[id] {
						t.Errorf("duplicate id %q", id)
					}
					seen[id] = true
				})
				// a missing value is never shown as a bare dash
				doc.Find("td, .vi-figure__value").Each(func(_ int, n *goquery.Selection) {
					if txt := strings.TrimSpace(n.Text()); txt == "-" || txt == "—" || txt == "–" {
						t.Errorf("bare dash in %s", goquery.NodeName(n))
					}
				})
			})
		}
	}
}

// TestEveryTemplateIsTested: each views/pages template has a case above.
func TestEveryTemplateIsTested(t *testing.T) {
	cases := map[string]bool{}
	for _, tc := range templatePageCases() {
		cases[tc.name] = true
	}
	err := fs.WalkDir(views.FS, "pages", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		name := strings.TrimSuffix(p, ".html")
		if !cases[name] {
			t.Errorf("template %s is not rendered by TestTemplatesRender (add a pageCase)", name)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// etabFixture are establishment figures as a file publishes them, put
// through the secret statistique as the store does: the 2020_2021 one has
// 12 learners and published rates.
func etabFixture() []model.EtabFigure {
	ok := func(v int) *int { return &v }
	return []model.EtabFigure{
		{Millesime: "2021_2022", MillesimeLabel: "promotions 2021 et 2022", Voie: "scolaire", SousPopulation: "ensemble",
			Figure: model.RawFigure{TauxEmploi6Mois: ok(54), TauxPoursuiteEtudes: ok(57), TauxEmploi6MoisAttendu: ok(45), ValeurAjoutee: ok(9),
				PartEmploi6Mois: ok(23), PartPoursuiteEtudes: ok(57), PartAutresSituations: ok(20)}.Disclose(),
			Source: model.Source{Fichier: "f.csv", Producteur: "DEPP"}},
		{Millesime: "2020_2021", MillesimeLabel: "promotions 2020 et 2021", Voie: "scolaire", SousPopulation: "ensemble",
			Figure: underThreshold().Disclose(), EmploiPublicExclu: true,
			Source: model.Source{Fichier: "g.csv", Producteur: "DEPP", Demonstration: true}},
		{Millesime: "2021_2022", MillesimeLabel: "promotions 2021 et 2022", Voie: "scolaire", SousPopulation: "apprentis",
			Figure: model.RawFigure{}.Disclose()},
	}
}

// underThreshold is a raw figure of 12 learners whose file publishes every
// rate (as a careless producer would).
func underThreshold() model.RawFigure {
	ok := func(v int) *int { return &v }
	return model.RawFigure{NbAnneeTerm: ok(12), NbSortant: ok(8), NbPoursuiteEtudes: ok(4), NbEnEmploi6Mois: ok(5),
		TauxEmploi6Mois: ok(63), TauxPoursuiteEtudes: ok(33), TauxEmploi6MoisAttendu: ok(50), ValeurAjoutee: ok(13),
		PartEmploi6Mois: ok(42), PartPoursuiteEtudes: ok(33), PartAutresSituations: ok(25), TauxEmploi12Mois: ok(70)}
}

// TestEtablissementSecretStatistique: a figure under the threshold, read
// with its rates published, goes the way of the store's figures (Disclose)
// and of the page (etabVoieBlock, template): its row shows the reason in
// words in every indicator cell, and no rate.
func TestEtablissementSecretStatistique(t *testing.T) {
	raw := underThreshold()
	if raw.TauxEmploi6Mois == nil || raw.TauxPoursuiteEtudes == nil || *raw.NbAnneeTerm >= model.Seuil {
		t.Fatal("the fixture must publish rates on fewer than 20 learners")
	}
	s := testServer(t)
	p := &etablissementPage{Voies: []etabVoie{etabVoieBlock("scolaire", etabFixture(), rowIDs{})}}
	p.Title = "Lycée X"
	b, err := s.renderPage("pages/etablissement", p)
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := goquery.NewDocumentFromReader(bytes.NewReader(b))
	row := doc.Find("#historique-scolaire tbody tr").FilterFunction(func(_ int, r *goquery.Selection) bool {
		return strings.Contains(r.Find("th").Text(), "2020 et 2021")
	})
	if row.Length() != 1 {
		t.Fatalf("row of the millésime under the threshold not found")
	}
	cells := 0
	row.Find("td").Each(func(i int, td *goquery.Selection) {
		txt := td.Text()
		if strings.Contains(txt, "%") || strings.Contains(txt, "pts") {
			t.Errorf("cell %d shows a rate under the threshold: %q", i, txt)
		}
		if td.Find(".vi-missing").Length() > 0 {
			cells++
		}
	})
	// every rate column of the table (the 2021_2022 row publishes 7)
	if cells < 7 {
		t.Errorf("%d cells say why they are empty, want every rate column", cells)
	}
	if got := row.Find("td .vi-missing").First().Text(); !strings.Contains(got, "moins de 20") {
		t.Errorf("reason = %q, want the secret statistique in words", got)
	}
}

// TestIconsVendored: every fr-icon-* class of the templates is defined in
// the vendored icons stylesheet (else run `make assets`).
func TestIconsVendored(t *testing.T) {
	s := testServer(t)
	css, ok := s.assets.ByName("dsfr/icons.min.css")
	if !ok {
		t.Fatal("dsfr/icons.min.css missing: run make assets")
	}
	re := regexp.MustCompile(`fr-icon-[a-z0-9]+(?:-[a-z0-9]+)*`)
	fs.WalkDir(views.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := fs.ReadFile(views.FS, p)
		for _, m := range re.FindAllString(string(b), -1) {
			if !strings.Contains(string(css.Body), "."+m+":") {
				t.Errorf("%s uses %s, absent from assets/dsfr/icons.min.css: run make assets", p, m)
			}
		}
		return nil
	})
}

// A page whose template fails answers an error, never a 200 page with the
// error text inside the layout (the engine's {{embed}} printed it).
func TestTemplateErrorIsReturned(t *testing.T) {
	s := testServer(t)
	b, err := s.renderPage("pages/etablissement", &formationPage{}) // wrong page struct: .Etab does not exist
	if err == nil {
		t.Fatalf("no error; rendered %d bytes", len(b))
	}
	if !strings.Contains(err.Error(), "Etab") {
		t.Errorf("error %q does not name the failing field", err)
	}
}
