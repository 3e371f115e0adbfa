package bulk

import (
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/parquet-go/parquet-go"

	"github.com/vitrine-inserjeunes/vitrine/internal/importer"
	"github.com/vitrine-inserjeunes/vitrine/internal/model"
	"github.com/vitrine-inserjeunes/vitrine/internal/store"
	"github.com/vitrine-inserjeunes/vitrine/internal/testdb"
)

var demo struct {
	once sync.Once
	pool *pgxpool.Pool
	err  error
}

// demoStore is the store over this package's database, demo data loaded.
func demoStore(t testing.TB) (*store.Store, *pgxpool.Pool) {
	t.Helper()
	demo.once.Do(func() {
		pool := testdb.Pool(t, "bulk")
		if _, err := importer.ImportDemo(context.Background(), pool, "../../testdata/demo"); err != nil {
			demo.err = err
			return
		}
		demo.pool = pool
	})
	if demo.err != nil {
		t.Fatal(demo.err)
	}
	return store.New(demo.pool), demo.pool
}

// readCSV reads a dataset's csv.gz: header, then rows.
func readCSV(t *testing.T, path string) ([]string, [][]string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(gz).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) == 0 {
		t.Fatalf("%s: no header", path)
	}
	return recs[0], recs[1:]
}

// readParquet reads a dataset's Parquet file as CSV text (CSVValue of each
// field), with the column names of its schema.
func readParquet(t *testing.T, path string, d *Dataset) ([]string, [][]string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	info, _ := f.Stat()
	pf, err := parquet.OpenFile(f, info.Size())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range pf.Schema().Fields() {
		names = append(names, c.Name())
	}
	r := parquet.NewReader(pf)
	defer r.Close()
	typ := ParquetType(d)
	var out [][]string
	for {
		v := reflect.New(typ)
		if err := r.Read(v.Interface()); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		rec := make([]string, typ.NumField())
		for i := range rec {
			fv := v.Elem().Field(i)
			switch d.Columns[i].Kind {
			case Int:
				var x *int
				if !fv.IsNil() {
					n := int(fv.Elem().Int())
					x = &n
				}
				rec[i] = CSVValue(x)
			case Float:
				var x *float64
				if !fv.IsNil() {
					n := fv.Elem().Float()
					x = &n
				}
				rec[i] = CSVValue(x)
			default:
				rec[i] = CSVValue(fv.Interface())
			}
		}
		out = append(out, rec)
	}
	if int64(len(out)) != pf.NumRows() {
		t.Errorf("%s: read %d rows, metadata says %d", path, len(out), pf.NumRows())
	}
	return names, out
}

// TestBuildReadBack builds the files of the demo data and reads them back:
// the CSV and the Parquet file of each dataset hold the same rows, under
// the columns of the definition table, as many as the manifest says, with
// the size and hash it says; each dataset has demonstration rows and real
// ones; a second version replaces the first on disk.
func TestBuildReadBack(t *testing.T) {
	st, _ := demoStore(t)
	root := t.TempDir()
	m, err := Build(context.Background(), root, 7, st.BulkFigures)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range m.Files {
		b, err := os.ReadFile(filepath.Join(Dir(root, 7), f.Name))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		if int64(len(b)) != f.Size || hex.EncodeToString(sum[:]) != f.SHA256 {
			t.Errorf("%s: %d bytes (manifest %d), hash mismatch: %v", f.Name, len(b), f.Size, hex.EncodeToString(sum[:]) != f.SHA256)
		}
	}
	for i := range Datasets {
		d := &Datasets[i]
		var want []string
		for _, c := range d.Columns {
			want = append(want, c.Name)
		}
		head, rows := readCSV(t, filepath.Join(Dir(root, 7), d.ID+".csv.gz"))
		if !slices.Equal(head, want) {
			t.Errorf("%s.csv.gz header %v, want %v", d.ID, head, want)
		}
		pnames, prows := readParquet(t, filepath.Join(Dir(root, 7), d.ID+".parquet"), d)
		if !slices.Equal(pnames, want) {
			t.Errorf("%s.parquet columns %v, want %v", d.ID, pnames, want)
		}
		f, ok := m.File(d.ID + ".csv.gz")
		if !ok || f.Rows != len(rows) || len(prows) != len(rows) || len(rows) == 0 {
			t.Fatalf("%s: %d CSV rows, %d Parquet rows, manifest %+v", d.ID, len(rows), len(prows), f)
		}
		for j := range rows {
			if !slices.Equal(rows[j], prows[j]) {
				t.Fatalf("%s row %d differs:\ncsv     %q\nparquet %q", d.ID, j, rows[j], prows[j])
			}
		}
		demoCol := slices.Index(head, "demonstration")
		var demoRows int
		for _, r := range rows {
			if r[demoCol] == "true" {
				demoRows++
			}
		}
		if demoRows != f.DemoRows || demoRows == 0 || demoRows == len(rows) {
			t.Errorf("%s: %d demonstration rows of %d (manifest %d): want some, not all", d.ID, demoRows, len(rows), f.DemoRows)
		}
		t.Logf("%s: %d rows (%d demonstration), csv.gz %d bytes", d.ID, len(rows), demoRows, f.Size)
	}
	// The dictionary: one entry per column, in the JSON and the CSV.
	var doc struct {
		Jeux []struct {
			ID       string            `json:"id"`
			Colonnes []DictionaryEntry `json:"colonnes"`
		} `json:"jeux"`
	}
	b, err := os.ReadFile(filepath.Join(Dir(root, 7), Dictionary+".json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Jeux) != len(Datasets) {
		t.Fatalf("dictionary: %d datasets", len(doc.Jeux))
	}
	for i, j := range doc.Jeux {
		if len(j.Colonnes) != len(Datasets[i].Columns) {
			t.Errorf("dictionary %s: %d columns, %d in the files", j.ID, len(j.Colonnes), len(Datasets[i].Columns))
		}
	}

	// A new data version: its own directory, the old one removed; the
	// same data gives the same bytes (the ETags agree across nodes).
	m8, err := Build(context.Background(), root, 8, st.BulkFigures)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range m.Files {
		if f8, ok := m8.File(f.Name); !ok || f8.SHA256 != f.SHA256 {
			t.Errorf("%s: the same data built twice gave different files", f.Name)
		}
	}
	if _, err := os.Stat(Dir(root, 7)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("version 7 still on disk after version 8: %v", err)
	}
	if l8, err := Load(root, 8); err != nil || l8.Version != 8 {
		t.Errorf("Load(8) = %v, %v", l8, err)
	}
	entries, _ := os.ReadDir(root)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".build-") {
			t.Errorf("build leftover %s", e.Name())
		}
	}
}

// TestBuildFailureLeavesNothing: a source that fails mid-way publishes no
// version and leaves no temporary directory.
func TestBuildFailureLeavesNothing(t *testing.T) {
	root := t.TempDir()
	boom := errors.New("panne")
	n := 0
	_, err := Build(context.Background(), root, 3, func(ctx context.Context, fn func(*model.BulkFigure) error) error {
		f := model.RawFormationFigure{Millesime: "2022", Voie: model.VoieScolaire, Code: "40025510", Raw: model.RawFigure{NbAnneeTerm: model.Int(25)}}.Disclose()
		for range 10 {
			if err := fn(&model.BulkFigure{Perimetre: model.BulkFrance, IJ: &f}); err != nil {
				return err
			}
			n++
		}
		return boom
	})
	if !errors.Is(err, boom) || n != 10 {
		t.Fatalf("Build = %v after %d rows", err, n)
	}
	entries, _ := os.ReadDir(root)
	if len(entries) != 0 {
		t.Errorf("left behind: %v", entries)
	}
	if _, err := Load(root, 3); !IsNotBuilt(err) {
		t.Errorf("Load after a failed build: %v", err)
	}
}

// TestColumnsSpeakTheAPI: every column is a name of the API's JSON
// (DESIGN §6), a nested object flattened with "_", or one of the few
// columns the files add (perimetre: the level of the figure).
func TestColumnsSpeakTheAPI(t *testing.T) {
	names := map[string]bool{}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				n := k
				if prefix != "" {
					n = prefix + "_" + k
				}
				names[n] = true
				walk(n, e)
				walk("", e) // nested objects also have their own names
			}
		case []any:
			for _, e := range x {
				walk(prefix, e)
			}
		}
	}
	add := func(v any) {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var m any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		walk("", m)
	}
	add(model.RawFormationFigure{Millesime: "2022_2023", Voie: model.VoieScolaire, Code: "40025510", CFD: "40025510", MEFSTAT11: "24725510001",
		Raw: model.RawFigure{NbAnneeTerm: model.Int(40)}, SourceContinuum: &model.SourceContinuum{Code: "40025509"}}.Disclose())
	add(model.RawInserSupFigure{Millesime: "2021", SISE: "2500123", UAI: "0751717J"}.Disclose())
	add(model.Formation{CFD: "40025510", LibelleBCN: "x"})
	add(model.Etablissement{UAI: "0751717J"})
	for _, d := range Datasets {
		for _, c := range d.Columns {
			if c.Name == "perimetre" {
				continue
			}
			if !names[c.Name] {
				t.Errorf("%s: column %s is no name of the API", d.ID, c.Name)
			}
		}
	}
}

// BenchmarkBuild measures a full build of the demo data (both datasets,
// CSV and Parquet, dictionary).
func BenchmarkBuild(b *testing.B) {
	st, _ := demoStore(b)
	root := b.TempDir()
	ctx := context.Background()
	var m *Manifest
	for i := 0; b.Loop(); i++ {
		var err error
		if m, err = Build(ctx, root, int64(i+1), st.BulkFigures); err != nil {
			b.Fatal(err)
		}
	}
	rows := 0
	for _, f := range m.Files {
		if f.Format == "parquet" {
			rows += f.Rows
		}
	}
	b.ReportMetric(float64(rows), "rows")
}

// TestBuildSmall writes a few figures (a shown one, a hidden one, an
// InserSup one) and reads both formats back: same rows, hidden values
// empty, never 0.
func TestBuildSmall(t *testing.T) {
	root := t.TempDir()
	shown := model.RawFormationFigure{Millesime: "2022_2023", Voie: model.VoieApprentissage, Code: "40025510",
		Raw: model.RawFigure{NbAnneeTerm: model.Int(40), NbSortant: model.Int(30), TauxEmploi6Mois: model.Int(55)}}.Disclose()
	hidden := model.RawFormationFigure{Millesime: "2022_2023", Voie: model.VoieScolaire, Code: "24725510001",
		Raw: model.RawFigure{NbAnneeTerm: model.Int(12), NbSortant: model.Int(9), TauxEmploi6Mois: model.Int(50)}}.Disclose()
	sup := model.RawInserSupFigure{Millesime: "2021", SISE: "2500123", UAI: "0751717J", ObtentionDiplome: "diplômé", Genre: "ensemble", Nationalite: "ensemble"}.Disclose()
	m, err := Build(context.Background(), root, 1, func(ctx context.Context, fn func(*model.BulkFigure) error) error {
		for _, f := range []*model.BulkFigure{
			{Perimetre: model.BulkEtablissement, UAI: "0010001W", Nom: "Lycée « test », Ain", IJ: &shown},
			{Perimetre: model.BulkFrance, IJ: &hidden},
			{Perimetre: model.BulkEtablissement, UAI: "0751717J", SISE: "2500123", Sup: &sup},
		} {
			if err := fn(f); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	d := &Datasets[0]
	head, rows := readCSV(t, filepath.Join(Dir(root, 1), "inserjeunes.csv.gz"))
	_, prows := readParquet(t, filepath.Join(Dir(root, 1), "inserjeunes.parquet"), d)
	if len(rows) != 2 || len(prows) != 2 {
		t.Fatalf("%d CSV rows, %d Parquet rows", len(rows), len(prows))
	}
	for i := range rows {
		if !slices.Equal(rows[i], prows[i]) {
			t.Errorf("row %d: CSV %q, Parquet %q", i, rows[i], prows[i])
		}
	}
	col := func(name string) int { return slices.Index(head, name) }
	if rows[0][col("taux_emploi_6_mois")] != "55" || rows[0][col("nom")] != "Lycée « test », Ain" || rows[0][col("statut")] != model.StatutOK {
		t.Errorf("shown row: %q", rows[0])
	}
	if rows[1][col("taux_emploi_6_mois")] != "" || rows[1][col("nb_sortant")] != "" || rows[1][col("nb_annee_term")] != "12" || rows[1][col("statut")] != model.StatutSousSeuil {
		t.Errorf("hidden row: %q", rows[1])
	}
	if f, _ := m.File("insersup.parquet"); f.Rows != 1 {
		t.Errorf("insersup: %d rows", f.Rows)
	}
}
