package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/vitrine-inserjeunes/vitrine/internal/testdb"
)

// getJSON GETs an API URL and decodes its JSON body.
func getJSON(t *testing.T, url string, wantStatus int) map[string]any {
	t.Helper()
	app, _ := siteTestApp(t)
	r := get(t, app, url, "Accept", "application/json")
	b := body(t, r)
	if r.StatusCode != wantStatus {
		t.Fatalf("GET %s: status %d, want %d: %.300s", url, r.StatusCode, wantStatus, b)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("GET %s: Content-Type %q", url, ct)
	}
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return v
}

// figureObjects walks a JSON answer and returns every figure object (an
// object with a statut and a millésime).
func figureObjects(v any, out *[]map[string]any) {
	switch x := v.(type) {
	case map[string]any:
		if _, ok := x["statut"]; ok {
			if _, ok := x["millesime"]; ok {
				*out = append(*out, x)
			}
		}
		for _, e := range x {
			figureObjects(e, out)
		}
	case []any:
		for _, e := range x {
			figureObjects(e, out)
		}
	}
}

// Every figure object carries millesime, voie, statut and source; none
// under the threshold shows a rate.
func checkFigures(t *testing.T, url string, v map[string]any) int {
	t.Helper()
	var figs []map[string]any
	figureObjects(v, &figs)
	for _, f := range figs {
		for _, k := range []string{"millesime", "voie", "statut", "source"} {
			if _, ok := f[k]; !ok {
				t.Errorf("%s: figure without %q: %v", url, k, f)
				return len(figs)
			}
		}
		if _, ok := f["source"].(map[string]any)["demonstration"]; !ok {
			t.Errorf("%s: source without demonstration: %v", url, f)
		}
		if f["statut"] == "sous_seuil" {
			for k, val := range f {
				if (strings.HasPrefix(k, "taux_") || strings.HasPrefix(k, "part_") || k == "nb_sortant" || k == "nb_sortants") && val != nil {
					t.Errorf("%s: %s = %v under the threshold", url, k, val)
				}
			}
		}
	}
	return len(figs)
}

func TestAPIFormation(t *testing.T) {
	for _, url := range []string{
		"/api/v1/formations/23830030001", "/api/v1/formations/40030004", "/api/v1/formations/2500249",
		"/api/v1/etablissements/0751497V/formations/50022137", "/api/v1/etablissements/0062205P/formations/2500249",
		"/api/v1/regions/53", "/api/v1/etablissements/0930116W",
	} {
		v := getJSON(t, url, http.StatusOK)
		if n := checkFigures(t, url, v); n == 0 {
			t.Errorf("%s: no figure object", url)
		}
	}
	// Golden row (2021_2022_03_scolaire_23830030001 of the regional file).
	v := getJSON(t, "/api/v1/formations/23830030001", http.StatusOK)
	var bretagne map[string]any
	for _, r := range v["regions"].([]any) {
		rb := r.(map[string]any)
		if rb["region"].(map[string]any)["code"] == "53" {
			for _, f := range rb["chiffres"].([]any) {
				if fm := f.(map[string]any); fm["millesime"] == "2021_2022" && fm["voie"] == "scolaire" {
					bretagne = f.(map[string]any)
				}
			}
		}
	}
	got := sprint(bretagne["nb_annee_term"], bretagne["nb_sortant"], bretagne["nb_poursuite_etudes"], bretagne["nb_en_emploi_6_mois"],
		bretagne["taux_emploi_6_mois"], bretagne["taux_emploi_12_mois"], bretagne["taux_poursuite_etudes"], bretagne["statut"])
	if got != "1161 413 748 175 42 49 64 ok" {
		t.Errorf("Bretagne 2021_2022 = %s", got)
	}
	if v["demonstration"] != true { // its establishments come from the synthetic files
		t.Error("formation built on synthetic establishments not marked demonstration")
	}
	// Continuum: AGORA shows Gestion-Administration's scolaire figures.
	v = getJSON(t, "/api/v1/formations/40030004", http.StatusOK)
	borrowed := 0
	for _, f := range v["national"].([]any) {
		fm := f.(map[string]any)
		if fm["voie"] == "scolaire" {
			sc, _ := fm["source_continuum"].(map[string]any)
			if sc["code"] != "40030001" || sc["sens"] != "ancien" || sc["libelle"] != "Gestion-administration (BAC PRO)" {
				t.Errorf("40030004 %v scolaire: source_continuum %v", fm["millesime"], fm["source_continuum"])
			}
			borrowed++
		}
	}
	if borrowed != 3 {
		t.Errorf("%d borrowed scolaire millésimes, want 3", borrowed)
	}
}

// The same formation at 19 and 20 learners (synthetic 2021_2022
// scolaire, the first such MEFSTAT11 of the loaded rows): no rate at 19,
// rates at 20.
func TestAPIThreshold(t *testing.T) {
	_, pool := siteTestApp(t)
	code, uai19, uai20, pours20 := testdb.ThresholdPair(t, pool)
	for _, tc := range []struct {
		uai, statut, pours string
	}{{uai19, "sous_seuil", "<nil>"}, {uai20, "ok", pours20}} {
		url := "/api/v1/etablissements/" + tc.uai + "/formations/" + code
		v := getJSON(t, url, http.StatusOK)
		found := 0
		for _, c := range v["chiffres"].([]any) {
			cm := c.(map[string]any)
			if cm["millesime"] != "2021_2022" {
				continue
			}
			found++
			e := cm["etablissement"].(map[string]any)
			if e["statut"] != tc.statut || sprint(e["taux_poursuite_etudes"]) != tc.pours || sprint(e["part_poursuite_etudes"]) != tc.pours || e["demonstration"] != true {
				t.Errorf("%s: statut %v taux_poursuite_etudes %v part %v demonstration %v", tc.uai, e["statut"], e["taux_poursuite_etudes"], e["part_poursuite_etudes"], e["demonstration"])
			}
		}
		if found != 1 {
			t.Errorf("%s: %d figures of 2021_2022, want 1 (the test checked nothing)", url, found)
		}
	}
}

func TestAPIFormationErrors(t *testing.T) {
	for _, tc := range []struct {
		url, code string
	}{
		{"/api/v1/formations/4003ZZZZ", "code_inconnu"},
		{"/api/v1/formations/12", "code_inconnu"},
		{"/api/v1/formations/1234567", "code_inconnu"},
		{"/api/v1/etablissements/0062205P/formations/40030001", "non_dispensee"},
		{"/api/v1/etablissements/0000001B/formations/40030001", "uai_inconnu"},
		{"/api/v1/etablissements/0000001X/formations/40030001", "uai_invalide"},
		{"/api/v1/regions/99", "code_inconnu"},
	} {
		v := getJSON(t, tc.url, http.StatusNotFound)
		if v["code"] != tc.code || v["message"] == "" {
			t.Errorf("%s: %v, want code %s", tc.url, v, tc.code)
		}
	}
}

func TestAPIInserSup(t *testing.T) {
	v := getJSON(t, "/api/v1/etablissements/0062205P/formations/2500249", http.StatusOK)
	e := v["chiffres"].([]any)[0].(map[string]any)["etablissement"].(map[string]any)
	got := sprint(e["millesime"], e["voie"], e["nb_sortants"], e["nb_poursuivants"], e["nb_diplomes"],
		e["taux_emploi_salarie_fr_6_mois"], e["taux_emploi_salarie_fr_12_mois"], e["taux_emploi_salarie_fr_30_mois"], e["statut"], v["demonstration"])
	if got != "2020_2021 superieur 123 11 134 85.37 86.18 90.24 ok false" {
		t.Errorf("headline = %s", got)
	}
	// The establishment answer lists its formations, InserSup included.
	et := getJSON(t, "/api/v1/etablissements/0062205P", http.StatusOK)
	found := false
	for _, f := range et["formations"].([]any) {
		fm := f.(map[string]any)
		if fm["code"] == "2500249" && fm["voie"] == "superieur" && fm["dernier_superieur"] != nil {
			found = true
		}
	}
	if !found {
		t.Errorf("0062205P formations = %v", et["formations"])
	}
}

// sprint joins values with spaces.
func sprint(vs ...any) string {
	return strings.TrimSuffix(fmt.Sprintln(vs...), "\n")
}
