package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/gofiber/fiber/v2"
	"github.com/parquet-go/parquet-go"

	"github.com/vitrine-inserjeunes/vitrine/internal/bulk"
	"github.com/vitrine-inserjeunes/vitrine/internal/importer"
	"github.com/vitrine-inserjeunes/vitrine/internal/model"
	"github.com/vitrine-inserjeunes/vitrine/internal/store"
	"github.com/vitrine-inserjeunes/vitrine/internal/testdb"
)

// bulkApp is an app over the demo database with its own BULK_DIR.
func bulkApp(t *testing.T) (*fiber.App, *store.Store) {
	t.Helper()
	_, pool := siteTestApp(t)
	cfg := testConfig()
	cfg.BulkDir = t.TempDir()
	st := store.New(pool)
	return New(st, slog.New(slog.DiscardHandler), cfg), st
}

// bulkReady asks for a file until the build is done (503 meanwhile).
func bulkReady(t *testing.T, app *fiber.App) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Minute)
	for time.Now().Before(deadline) {
		r := get(t, app, "/donnees/telechargements/dictionnaire.json")
		body(t, r)
		switch r.StatusCode {
		case http.StatusOK:
			return
		case http.StatusServiceUnavailable:
			time.Sleep(time.Second)
		default:
			t.Fatalf("dictionnaire.json: %d", r.StatusCode)
		}
	}
	t.Fatal("bulk files still not built after 10 minutes")
}

// bulkTable is a dataset read back: its column names and rows.
type bulkTable struct {
	head []string
	rows [][]string
}

func (b bulkTable) col(name string) int { return slices.Index(b.head, name) }

func readBulkCSV(t *testing.T, gz []byte) bulkTable {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(zr).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return bulkTable{head: recs[0], rows: recs[1:]}
}

// readBulkParquet reads a Parquet file through parquet-go's row reader,
// each value as the CSV writes it (empty for null).
func readBulkParquet(t *testing.T, b []byte) bulkTable {
	t.Helper()
	f, err := parquet.OpenFile(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var out bulkTable
	for _, c := range f.Schema().Fields() {
		out.head = append(out.head, c.Name())
	}
	r := parquet.NewReader(f)
	defer r.Close()
	buf := make([]parquet.Row, 256)
	for {
		n, err := r.ReadRows(buf)
		for _, row := range buf[:n] {
			rec := make([]string, len(out.head))
			for _, v := range row {
				i := v.Column()
				switch {
				case v.IsNull():
				case v.Kind() == parquet.Boolean:
					rec[i] = strconv.FormatBool(v.Boolean())
				case v.Kind() == parquet.Int64:
					rec[i] = strconv.FormatInt(v.Int64(), 10)
				case v.Kind() == parquet.Double:
					rec[i] = strconv.FormatFloat(v.Double(), 'f', -1, 64)
				default:
					rec[i] = string(v.ByteArray())
				}
			}
			out.rows = append(out.rows, rec)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// TestBulkDownloads builds the bulk files of the demo data through the
// site, then checks what a reuser gets: 503 with Retry-After during the
// build; each file with Content-Length, ETag, Cache-Control and 304 on
// If-None-Match; the CSV and Parquet files holding the same rows; every
// figure of a sample of formations and establishments as the API gives
// it; and no value the secret statistique hides, as TestAPIDisclosure
// checks the API (the same rules, the same counters).
func TestBulkDownloads(t *testing.T) {
	app, _ := bulkApp(t)
	_, pool := siteTestApp(t)

	page := get(t, app, "/donnees/telechargements")
	html := string(body(t, page))
	if page.StatusCode != http.StatusOK || !strings.Contains(html, "Fichiers en préparation") {
		t.Fatalf("page during the build: %d, notice missing", page.StatusCode)
	}
	r := get(t, app, "/donnees/telechargements/inserjeunes.csv.gz")
	body(t, r)
	if r.StatusCode != http.StatusServiceUnavailable || r.Header.Get("Retry-After") == "" {
		t.Errorf("file during the build: %d, Retry-After %q", r.StatusCode, r.Header.Get("Retry-After"))
	}
	if r := get(t, app, "/donnees/telechargements/inconnu.csv"); r.StatusCode != http.StatusNotFound {
		t.Errorf("unknown file during the build: %d", r.StatusCode)
	}
	bulkReady(t, app)

	files := map[string][]byte{}
	for _, name := range []string{"inserjeunes.csv.gz", "inserjeunes.parquet", "insersup.csv.gz", "insersup.parquet", "dictionnaire.csv", "dictionnaire.json"} {
		r := get(t, app, "/donnees/telechargements/"+name)
		b := body(t, r)
		etag := r.Header.Get("ETag")
		if r.StatusCode != http.StatusOK || etag == "" || r.Header.Get("Cache-Control") == "" ||
			r.Header.Get("Content-Length") != strconv.Itoa(len(b)) || len(b) == 0 {
			t.Fatalf("%s: %d, ETag %q, Cache-Control %q, Content-Length %q for %d bytes", name, r.StatusCode, etag,
				r.Header.Get("Cache-Control"), r.Header.Get("Content-Length"), len(b))
		}
		r2 := get(t, app, "/donnees/telechargements/"+name, "If-None-Match", etag)
		if b2 := body(t, r2); r2.StatusCode != http.StatusNotModified || len(b2) != 0 {
			t.Errorf("%s with If-None-Match: %d, %d bytes", name, r2.StatusCode, len(b2))
		}
		files[name] = b
	}
	page = get(t, app, "/donnees/telechargements")
	html = string(body(t, page))
	if strings.Contains(html, "Fichiers en préparation") || !strings.Contains(html, `href="/donnees/telechargements/inserjeunes.parquet"`) {
		t.Error("page once built: no links to the files")
	}

	var c disclosureCounts
	tables := map[string]bulkTable{}
	for _, d := range bulk.Datasets {
		tc := readBulkCSV(t, files[d.ID+".csv.gz"])
		tp := readBulkParquet(t, files[d.ID+".parquet"])
		if !slices.Equal(tc.head, tp.head) || len(tc.rows) != len(tp.rows) || len(tc.rows) == 0 {
			t.Fatalf("%s: CSV %d columns %d rows, Parquet %d columns %d rows", d.ID, len(tc.head), len(tc.rows), len(tp.head), len(tp.rows))
		}
		for i := range tc.rows {
			if !slices.Equal(tc.rows[i], tp.rows[i]) {
				t.Fatalf("%s row %d: CSV %q, Parquet %q", d.ID, i, tc.rows[i], tp.rows[i])
			}
		}
		tables[d.ID] = tc
		// The secret statistique, row by row, as the API walk checks it.
		kinds := map[string]bulk.Kind{}
		for _, col := range d.Columns {
			kinds[col.Name] = col.Kind
		}
		for i, row := range tc.rows {
			f := map[string]any{}
			for j, name := range tc.head {
				switch {
				case kinds[name] == bulk.Int || kinds[name] == bulk.Float:
					if row[j] == "" {
						f[name] = nil
						continue
					}
					v, err := strconv.ParseFloat(row[j], 64)
					if err != nil {
						t.Fatalf("%s row %d %s: %v", d.ID, i, name, err)
					}
					f[name] = v
				default:
					f[name] = row[j]
				}
			}
			c.check(t, fmt.Sprintf("%s row %d", d.ID, i+2), f)
		}
	}
	t.Logf("%d figures: %d under 20 learners, %d under 20 leavers, %d InserSup under 20 graduates, %d under 20 leavers",
		c.figures, c.fewTerm, c.fewSortant, c.fewDiplomes, c.fewSortants)
	if c.fewTerm == 0 || c.fewSortant == 0 || c.fewDiplomes == 0 || c.fewSortants == 0 {
		t.Error("the files hold no hidden figure of some kind: the check checked nothing there")
	}

	// The API, for a sample of formations (France and régions) and of
	// establishment × formation pairs: every figure it shows is a row of
	// the file with the same values.
	ij := tables["inserjeunes"]
	index := map[string][]string{}
	key := func(perimetre, region, uai, code, voie, millesime string) string {
		return strings.Join([]string{perimetre, region, uai, code, voie, millesime}, "|")
	}
	for _, row := range ij.rows {
		// An establishment's row is keyed by its UAI, a région's by its code.
		k := key(row[ij.col("perimetre")], "", row[ij.col("uai")], row[ij.col("code")], row[ij.col("voie")], row[ij.col("millesime")])
		if row[ij.col("perimetre")] != model.BulkEtablissement {
			k = key(row[ij.col("perimetre")], row[ij.col("region_code")], "", row[ij.col("code")], row[ij.col("voie")], row[ij.col("millesime")])
		}
		if _, dup := index[k]; dup {
			t.Errorf("two rows for %s", k)
		}
		index[k] = row
	}
	compared := map[string]int{}
	compare := func(where, perimetre, region, uai string, f map[string]any) {
		statut, _ := f["statut"].(string)
		if model.IsAbsence(statut) {
			return
		}
		code, voie, mill := f["code"].(string), f["voie"].(string), f["millesime"].(string)
		row, ok := index[key(perimetre, region, uai, code, voie, mill)]
		if !ok {
			t.Errorf("%s: %s %s %s %s %s %s: no row in inserjeunes.csv.gz", where, perimetre, region, uai, code, voie, mill)
			return
		}
		compared[perimetre]++
		for _, ind := range model.Indicators() {
			want := ""
			if v, ok := f[string(ind)].(float64); ok {
				want = strconv.Itoa(int(v))
			}
			if got := row[ij.col(string(ind))]; got != want {
				t.Errorf("%s %s %s %s %s: %s = %q in the file, %q in the API", where, perimetre, code, voie, mill, ind, got, want)
			}
		}
		if got := row[ij.col("statut")]; got != statut {
			t.Errorf("%s %s %s: statut %q in the file, %q in the API", where, perimetre, code, got, statut)
		}
		cont := ""
		if sc, ok := f["source_continuum"].(map[string]any); ok {
			cont, _ = sc["code"].(string)
		}
		if got := row[ij.col("source_continuum_code")]; got != cont {
			t.Errorf("%s %s %s: source_continuum %q in the file, %q in the API", where, perimetre, code, got, cont)
		}
		if got, want := row[ij.col("demonstration")], strconv.FormatBool(f["demonstration"] == true); got != want {
			t.Errorf("%s %s %s: demonstration %s in the file, %s in the API", where, perimetre, code, got, want)
		}
	}
	list := func(q string) []string { return queryStrings(t, pool, q) }
	apiJSON := func(url string) map[string]any {
		r := get(t, app, url, "Accept", "application/json")
		b := body(t, r)
		if r.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d %.200s", url, r.StatusCode, b)
		}
		var v map[string]any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, cfd := range list(`SELECT cfd FROM (SELECT DISTINCT cfd FROM ij_region_formation WHERE cfd IS NOT NULL) x ORDER BY md5(cfd) LIMIT 25`) {
		v := apiJSON("/api/v1/formations/" + cfd)
		for _, n := range v["national"].([]any) {
			compare("/api/v1/formations/"+cfd, model.BulkFrance, "", "", n.(map[string]any))
		}
		for _, r := range v["regions"].([]any) {
			reg := r.(map[string]any)
			code := reg["region"].(map[string]any)["code"].(string)
			for _, f := range reg["chiffres"].([]any) {
				compare("/api/v1/formations/"+cfd, model.BulkRegion, code, "", f.(map[string]any))
			}
		}
	}
	for _, pair := range list(`SELECT p FROM (SELECT DISTINCT uai || '/formations/' || code AS p FROM ij_uai_formation) x ORDER BY md5(p) LIMIT 25`) {
		uai, _, _ := strings.Cut(pair, "/")
		v := apiJSON("/api/v1/etablissements/" + pair)
		for _, m := range v["chiffres"].([]any) {
			f := m.(map[string]any)["etablissement"].(map[string]any)
			if _, borrowed := f["source_continuum"]; borrowed {
				continue // the pair page borrows; the file keeps the establishment's own rows
			}
			compare("/api/v1/etablissements/"+pair, model.BulkEtablissement, "", uai, f)
		}
	}
	// InserSup: the France and région figures of every diploma, with
	// their breakdowns, as /api/v1/formations/{sise} gives them.
	sup := tables["insersup"]
	supIndex := map[string][]string{}
	for _, row := range sup.rows {
		k := strings.Join([]string{row[sup.col("perimetre")], row[sup.col("region_code")], row[sup.col("uai")], row[sup.col("sise")], row[sup.col("millesime")],
			row[sup.col("obtention_diplome")], row[sup.col("genre")], row[sup.col("nationalite")]}, "|")
		if _, dup := supIndex[k]; dup {
			t.Errorf("two insersup rows for %s", k)
		}
		supIndex[k] = row
	}
	var supCols []string
	for _, col := range bulk.Datasets[1].Columns {
		if strings.HasPrefix(col.Name, "nb_") || strings.HasPrefix(col.Name, "taux_") {
			supCols = append(supCols, col.Name)
		}
	}
	compareSup := func(where, perimetre, region string, f map[string]any) {
		k := strings.Join([]string{perimetre, region, "", f["sise"].(string), f["millesime"].(string),
			f["obtention_diplome"].(string), f["genre"].(string), f["nationalite"].(string)}, "|")
		row, ok := supIndex[k]
		if !ok {
			t.Errorf("%s: no insersup row %s", where, k)
			return
		}
		compared["insersup "+perimetre]++
		for _, name := range supCols {
			want := ""
			if v, ok := f[name].(float64); ok {
				want = strconv.FormatFloat(v, 'f', -1, 64)
			}
			if got := row[sup.col(name)]; got != want {
				t.Errorf("%s %s: %s = %q in the file, %q in the API", where, k, name, got, want)
			}
		}
		if got := row[sup.col("statut")]; got != f["statut"] {
			t.Errorf("%s %s: statut %q in the file, %v in the API", where, k, got, f["statut"])
		}
	}
	withParts := func(f map[string]any) []map[string]any {
		out := []map[string]any{f}
		if parts, ok := f["repartitions"].([]any); ok {
			for _, p := range parts {
				out = append(out, p.(map[string]any))
			}
		}
		return out
	}
	for _, sise := range list(`SELECT DISTINCT sise FROM insersup ORDER BY 1`) {
		v := apiJSON("/api/v1/formations/" + sise)
		for _, n := range v["national"].([]any) {
			for _, f := range withParts(n.(map[string]any)) {
				compareSup("/api/v1/formations/"+sise, model.BulkFrance, "", f)
			}
		}
		for _, r := range v["regions"].([]any) {
			reg := r.(map[string]any)
			code := reg["region"].(map[string]any)["code"].(string)
			for _, c := range reg["chiffres"].([]any) {
				for _, f := range withParts(c.(map[string]any)) {
					compareSup("/api/v1/formations/"+sise, model.BulkRegion, code, f)
				}
			}
		}
	}
	t.Logf("figures compared with the API: %v", compared)
	for _, p := range []string{model.BulkFrance, model.BulkRegion, model.BulkEtablissement, "insersup " + model.BulkFrance, "insersup " + model.BulkRegion} {
		if compared[p] == 0 {
			t.Errorf("no %s figure compared with the API", p)
		}
	}
}

// TestBulkPageAccessibility: the page of the bulk downloads, once the
// files are built, has no axe-core violation and fits the screens.
func TestBulkPageAccessibility(t *testing.T) {
	app, _ := bulkApp(t)
	get(t, app, "/donnees/telechargements")
	bulkReady(t, app)
	var ln net.Listener
	var err error
	for port := 19550; port < 19600; port++ {
		if ln, err = net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			break
		}
	}
	if ln == nil {
		t.Fatal(err)
	}
	go app.Listener(ln)
	defer app.Shutdown()
	base := "http://" + ln.Addr().String()
	for _, w := range screens {
		ctx := screenBrowser(t, w)
		t.Run("telechargements"+w.suffix, func(t *testing.T) {
			if err := chromedp.Do(ctx, chromedp.Navigate(base+"/donnees/telechargements"), chromedp.WaitReady(chromedp.CSS("footer"))); err != nil {
				t.Fatal(err)
			}
			checkLayout(t, ctx, w.width)
			axeViolations(t, ctx)
		})
	}
}

// telechargementsTemplateCase is the page with its files (pages_test.go).
func telechargementsTemplateCase(base basePage) pageCase {
	s := &Server{}
	s.cfg.BaseURL = base.BaseURL
	m := &bulk.Manifest{Version: 7, BuiltAt: time.Date(2026, 12, 7, 16, 0, 0, 0, time.UTC), Files: []bulk.File{
		{Name: "inserjeunes.csv.gz", Dataset: "inserjeunes", Format: "csv.gz", Size: 7_437_878, Rows: 167_215, DemoRows: 132_371},
		{Name: "inserjeunes.parquet", Dataset: "inserjeunes", Format: "parquet", Size: 7_978_380, Rows: 167_215, DemoRows: 132_371},
		{Name: "dictionnaire.json", Dataset: bulk.Dictionary, Format: "json", Size: 20_404},
	}}
	p := s.telechargementsPageOf(dataState{Version: 7, Synthetic: true}, m)
	markDemo(p) // as htmlPage does: the notice names the files
	return pageCase{"pages/telechargements", &telechargementsPage{}, p, []string{
		"a[download][href='/donnees/telechargements/inserjeunes.parquet']", "a[download][href='/donnees/telechargements/dictionnaire.json']",
		"#dictionnaire-inserjeunes td code", "#dictionnaire-insersup td code", "#licence", "section[aria-labelledby=jeu-inserjeunes] .vi-demo", "#avis-demonstration"}}
}

// TestFormatSize: French units and decimal comma.
func TestFormatSize(t *testing.T) {
	for _, tc := range []struct {
		n    int64
		want string
	}{{0, "0 octet"}, {999, "999 octets"}, {1000, "1,0\u00a0ko"}, {20_404, "20\u00a0ko"}, {7_437_878, "7,4\u00a0Mo"}, {12_500_000_000, "13\u00a0Go"}} {
		if got := formatSize(tc.n); got != tc.want {
			t.Errorf("formatSize(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}

// TestBulkNewVersion: an import that changes a figure makes a new data
// version; the site then builds new files (the page says so meanwhile),
// the changed value is in them, the old ETag no longer matches, and the
// files of the old version are gone from BULK_DIR. Its own database: it
// changes the data.
func TestBulkNewVersion(t *testing.T) {
	pool := testdb.Pool(t, "web_bulk")
	ctx := context.Background()
	if _, err := importer.ImportDemo(ctx, pool, "../testdata/demo"); err != nil {
		t.Fatal(err)
	}
	cfg := testConfig()
	cfg.BulkDir = t.TempDir()
	st := store.New(pool)
	app := New(st, slog.New(slog.DiscardHandler), cfg)
	get(t, app, "/donnees/telechargements")
	bulkReady(t, app)
	v1, err := st.DataVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	r := get(t, app, "/donnees/telechargements/inserjeunes.csv.gz")
	etag1 := r.Header.Get("ETag")
	old := readBulkCSV(t, body(t, r))

	// A figure shown in the file changes, in a new import run.
	var uai, code, voie, mill string
	var taux int
	err = pool.QueryRow(ctx, `SELECT uai, code, voie, millesime, taux_poursuite_etudes FROM ij_uai_formation
WHERE nb_annee_term >= 20 AND taux_poursuite_etudes BETWEEN 1 AND 98 ORDER BY uai, code, millesime, precedence DESC LIMIT 1`).Scan(&uai, &code, &voie, &mill, &taux)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `UPDATE ij_uai_formation SET taux_poursuite_etudes = $5 WHERE uai = $1 AND code = $2 AND voie = $3 AND millesime = $4`,
		uai, code, voie, mill, taux+1); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO import_runs (started_at, changed) VALUES (now(), true)`); err != nil {
		t.Fatal(err)
	}
	time.Sleep(stateTTL + 100*time.Millisecond) // the data state is kept stateTTL
	page := get(t, app, "/donnees/telechargements")
	if html := string(body(t, page)); !strings.Contains(html, "Fichiers en préparation") {
		t.Error("after an import, the page does not say the files are being prepared")
	}
	bulkReady(t, app)
	r = get(t, app, "/donnees/telechargements/inserjeunes.csv.gz", "If-None-Match", etag1)
	b := body(t, r)
	if r.StatusCode != http.StatusOK || r.Header.Get("ETag") == etag1 {
		t.Fatalf("new version with the old ETag: %d, ETag %q (old %q)", r.StatusCode, r.Header.Get("ETag"), etag1)
	}
	nw := readBulkCSV(t, b)
	find := func(tb bulkTable) string {
		for _, row := range tb.rows {
			if row[tb.col("perimetre")] == model.BulkEtablissement && row[tb.col("uai")] == uai && row[tb.col("code")] == code &&
				row[tb.col("voie")] == voie && row[tb.col("millesime")] == mill {
				return row[tb.col("taux_poursuite_etudes")]
			}
		}
		return "absent"
	}
	if got, was := find(nw), find(old); got != strconv.Itoa(taux+1) || was != strconv.Itoa(taux) {
		t.Errorf("%s %s %s %s: taux_poursuite_etudes %s before, %s after (want %d → %d)", uai, code, voie, mill, was, got, taux, taux+1)
	}
	if _, err := bulk.Load(cfg.BulkDir, v1); err == nil {
		t.Errorf("the files of version %d are still in BULK_DIR", v1)
	}
}
