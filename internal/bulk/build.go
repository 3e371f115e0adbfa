package bulk

import (
	"bufio"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// Source streams every figure to fn (store.Store.BulkFigures).
type Source func(ctx context.Context, fn func(*model.BulkFigure) error) error

// Manifest describes the files of one data version.
type Manifest struct {
	Version int64     `json:"version"`
	BuiltAt time.Time `json:"built_at"`
	Seconds float64   `json:"seconds"`
	Files   []File    `json:"files"`
}

// File is one file of a build.
type File struct {
	Name string `json:"name"`
	// Dataset is a Dataset ID, or "dictionnaire".
	Dataset string `json:"dataset"`
	// Format: csv.gz, parquet, csv or json.
	Format string `json:"format"`
	Size   int64  `json:"size"`
	// Rows: figures in the file (0 for the dictionary).
	Rows int `json:"rows"`
	// DemoRows: rows of synthetic (demonstration) figures.
	DemoRows int    `json:"demo_rows"`
	SHA256   string `json:"sha256"`
}

// File returns the file of a manifest by name.
func (m *Manifest) File(name string) (File, bool) {
	for _, f := range m.Files {
		if f.Name == name {
			return f, true
		}
	}
	return File{}, false
}

// Dictionary is the dataset ID of the data dictionary files.
const Dictionary = "dictionnaire"

const manifestName = "manifest.json"

// Dir is the directory of the files of a data version under root.
func Dir(root string, version int64) string {
	return filepath.Join(root, "v"+strconv.FormatInt(version, 10))
}

// Load reads the manifest of a version built before (by this process or
// an earlier one); fs.ErrNotExist when there is none.
func Load(root string, version int64) (*Manifest, error) {
	b, err := os.ReadFile(filepath.Join(Dir(root, version), manifestName))
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s : %w", manifestName, err)
	}
	if m.Version != version {
		return nil, fmt.Errorf("%s : version %d, %d attendue", manifestName, m.Version, version)
	}
	return &m, nil
}

// Build writes the files of data version version under root: a temporary
// directory renamed to Dir(root, version) once complete (a reader never
// sees a partial file), then the directories of other versions removed.
// Figures are written as they come from src: memory holds a Parquet row
// group per dataset, never the whole table.
func Build(ctx context.Context, root string, version int64, src Source) (*Manifest, error) {
	start := time.Now()
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp(root, ".build-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp) // gone once renamed; removes a failed build
	ws := make([]*datasetWriter, len(Datasets))
	for i := range Datasets {
		if ws[i], err = newDatasetWriter(tmp, &Datasets[i]); err != nil {
			closeAll(ws)
			return nil, err
		}
	}
	err = src(ctx, func(f *model.BulkFigure) error {
		for _, w := range ws {
			if w.d.accept(f) {
				if err := w.write(f); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		closeAll(ws)
		return nil, err
	}
	m := &Manifest{Version: version}
	for _, w := range ws {
		files, err := w.finish()
		if err != nil {
			closeAll(ws)
			return nil, err
		}
		m.Files = append(m.Files, files...)
	}
	dict, err := writeDictionary(tmp)
	if err != nil {
		return nil, err
	}
	m.Files = append(m.Files, dict...)
	m.BuiltAt = time.Now().UTC()
	m.Seconds = time.Since(start).Seconds()
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(tmp, manifestName), b, 0o644); err != nil {
		return nil, err
	}
	final := Dir(root, version)
	if err := os.Rename(tmp, final); err != nil {
		// Another process sharing root built the same version first.
		if prev, lerr := Load(root, version); lerr == nil {
			return prev, nil
		}
		return nil, err
	}
	Prune(root, version)
	return m, nil
}

// Prune removes the directories of every version but keep (and the
// leftovers of interrupted builds older than an hour).
func Prune(root string, keep int64) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return
	}
	for _, e := range entries {
		name := e.Name()
		switch {
		case strings.HasPrefix(name, ".build-"):
			if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > time.Hour {
				os.RemoveAll(filepath.Join(root, name))
			}
		case strings.HasPrefix(name, "v") && name != filepath.Base(Dir(root, keep)):
			if _, err := strconv.ParseInt(name[1:], 10, 64); err == nil {
				os.RemoveAll(filepath.Join(root, name))
			}
		}
	}
}

// IsNotBuilt reports whether err says a version has no files yet.
func IsNotBuilt(err error) bool { return errors.Is(err, fs.ErrNotExist) }

// hashedFile is a file being written, hashed and counted as it goes.
type hashedFile struct {
	f    *os.File
	h    hash.Hash
	buf  *bufio.Writer
	name string
}

func createHashed(dir, name string) (*hashedFile, error) {
	f, err := os.Create(filepath.Join(dir, name))
	if err != nil {
		return nil, err
	}
	hf := &hashedFile{f: f, h: sha256.New(), name: name}
	hf.buf = bufio.NewWriterSize(io.MultiWriter(f, hf.h), 256<<10)
	return hf, nil
}

func (hf *hashedFile) Write(p []byte) (int, error) { return hf.buf.Write(p) }

// close flushes and closes the file, returning its size and hash.
func (hf *hashedFile) close() (int64, string, error) {
	if err := hf.buf.Flush(); err != nil {
		hf.f.Close()
		return 0, "", err
	}
	info, err := hf.f.Stat()
	if err != nil {
		hf.f.Close()
		return 0, "", err
	}
	if err := hf.f.Close(); err != nil {
		return 0, "", err
	}
	return info.Size(), hex.EncodeToString(hf.h.Sum(nil)), nil
}

// datasetWriter writes one dataset as CSV (gzip) and Parquet at once.
type datasetWriter struct {
	d          *Dataset
	csvFile    *hashedFile
	gz         *gzip.Writer
	csv        *csv.Writer
	pqFile     *hashedFile
	pq         *parquet.GenericWriter[any]
	pqRow      []any
	rowType    reflect.Type
	row        reflect.Value
	rec        []string
	rows, demo int
}

func newDatasetWriter(dir string, d *Dataset) (*datasetWriter, error) {
	w := &datasetWriter{d: d, rec: make([]string, len(d.Columns))}
	var err error
	if w.csvFile, err = createHashed(dir, d.ID+".csv.gz"); err != nil {
		return nil, err
	}
	w.gz, _ = gzip.NewWriterLevel(w.csvFile, gzip.BestSpeed)
	w.gz.Name = d.ID + ".csv"
	w.csv = csv.NewWriter(w.gz)
	head := make([]string, len(d.Columns))
	for i, c := range d.Columns {
		head[i] = c.Name
	}
	if err := w.csv.Write(head); err != nil {
		return nil, err
	}
	if w.pqFile, err = createHashed(dir, d.ID+".parquet"); err != nil {
		return nil, err
	}
	w.rowType = ParquetType(d)
	w.row = reflect.New(w.rowType).Elem()
	w.pqRow = []any{w.row.Addr().Interface()}
	w.pq = parquet.NewGenericWriter[any](w.pqFile, parquet.SchemaOf(w.row.Interface()),
		parquet.Compression(&parquet.Zstd), parquet.MaxRowsPerRowGroup(50_000),
		parquet.CreatedBy("vitrine-inserjeunes", "", ""),
		parquet.KeyValueMetadata("licence", "Licence Ouverte 2.0 (Etalab) ; chiffres de démonstration fictifs signalés par la colonne demonstration"))
	return w, nil
}

// ParquetType is the Go struct of a dataset's Parquet rows: one field per
// column, in order, named by its parquet tag (*int64 and *float64 are
// optional: null when the figure shows no value).
func ParquetType(d *Dataset) reflect.Type {
	fields := make([]reflect.StructField, len(d.Columns))
	for i, c := range d.Columns {
		var t reflect.Type
		tag := c.Name
		switch c.Kind {
		case Int:
			t = reflect.TypeFor[*int64]()
			tag += ",optional"
		case Float:
			t = reflect.TypeFor[*float64]()
			tag += ",optional"
		case Bool:
			t = reflect.TypeFor[bool]()
		default:
			t = reflect.TypeFor[string]()
		}
		fields[i] = reflect.StructField{Name: fmt.Sprintf("F%d", i), Type: t, Tag: reflect.StructTag(`parquet:"` + tag + `"`)}
	}
	return reflect.StructOf(fields)
}

// CSVValue is the CSV text of a column value: empty for a value not
// shown, a dot before decimals, true or false.
func CSVValue(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case *int:
		if x == nil {
			return ""
		}
		return strconv.Itoa(*x)
	case *float64:
		if x == nil {
			return ""
		}
		return strconv.FormatFloat(*x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	return fmt.Sprint(v)
}

func (w *datasetWriter) write(f *model.BulkFigure) error {
	for i, c := range w.d.Columns {
		v := c.value(f)
		w.rec[i] = CSVValue(v)
		fv := w.row.Field(i)
		switch x := v.(type) {
		case string:
			fv.SetString(x)
		case bool:
			fv.SetBool(x)
		case *int:
			if x == nil {
				fv.SetZero()
			} else {
				n := int64(*x)
				fv.Set(reflect.ValueOf(&n))
			}
		case *float64:
			if x == nil {
				fv.SetZero()
			} else {
				n := *x
				fv.Set(reflect.ValueOf(&n))
			}
		}
	}
	if err := w.csv.Write(w.rec); err != nil {
		return err
	}
	if _, err := w.pq.Write(w.pqRow); err != nil {
		return fmt.Errorf("parquet %s : %w", w.d.ID, err)
	}
	w.rows++
	if demonstration(f) {
		w.demo++
	}
	return nil
}

func (w *datasetWriter) finish() ([]File, error) {
	w.csv.Flush()
	if err := w.csv.Error(); err != nil {
		return nil, err
	}
	if err := w.gz.Close(); err != nil {
		return nil, err
	}
	if err := w.pq.Close(); err != nil {
		return nil, err
	}
	var out []File
	for _, x := range []struct {
		hf     *hashedFile
		format string
	}{{w.csvFile, "csv.gz"}, {w.pqFile, "parquet"}} {
		size, sum, err := x.hf.close()
		if err != nil {
			return nil, err
		}
		out = append(out, File{Name: x.hf.name, Dataset: w.d.ID, Format: x.format, Size: size, Rows: w.rows, DemoRows: w.demo, SHA256: sum})
	}
	w.csvFile, w.pqFile = nil, nil
	return out, nil
}

func closeAll(ws []*datasetWriter) {
	for _, w := range ws {
		if w == nil {
			continue
		}
		for _, hf := range []*hashedFile{w.csvFile, w.pqFile} {
			if hf != nil {
				hf.f.Close()
			}
		}
	}
}

// DictionaryEntry is one column of the data dictionary.
type DictionaryEntry struct {
	Dataset    string `json:"fichier"`
	Colonne    string `json:"colonne"`
	Type       string `json:"type"`
	Definition string `json:"definition"`
}

// DictionaryEntries is the data dictionary, from Datasets.
func DictionaryEntries() []DictionaryEntry {
	var out []DictionaryEntry
	for _, d := range Datasets {
		for _, c := range d.Columns {
			out = append(out, DictionaryEntry{Dataset: d.ID, Colonne: c.Name, Type: c.Kind.Name(), Definition: c.Doc})
		}
	}
	return out
}

// writeDictionary writes dictionnaire.csv and dictionnaire.json.
func writeDictionary(dir string) ([]File, error) {
	entries := DictionaryEntries()
	hc, err := createHashed(dir, Dictionary+".csv")
	if err != nil {
		return nil, err
	}
	cw := csv.NewWriter(hc)
	_ = cw.Write([]string{"fichier", "colonne", "type", "definition"})
	for _, e := range entries {
		_ = cw.Write([]string{e.Dataset, e.Colonne, e.Type, e.Definition})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		hc.f.Close()
		return nil, err
	}
	hj, err := createHashed(dir, Dictionary+".json")
	if err != nil {
		hc.f.Close()
		return nil, err
	}
	type ds struct {
		ID          string            `json:"id"`
		Titre       string            `json:"titre"`
		Description string            `json:"description"`
		Fichiers    []string          `json:"fichiers"`
		Colonnes    []DictionaryEntry `json:"colonnes"`
	}
	var doc struct {
		Licence  string `json:"licence"`
		Datasets []ds   `json:"jeux"`
	}
	doc.Licence = Licence
	for _, d := range Datasets {
		x := ds{ID: d.ID, Titre: d.Titre, Description: d.Description, Fichiers: []string{d.ID + ".csv.gz", d.ID + ".parquet"}}
		for _, e := range entries {
			if e.Dataset == d.ID {
				x.Colonnes = append(x.Colonnes, e)
			}
		}
		doc.Datasets = append(doc.Datasets, x)
	}
	enc := json.NewEncoder(hj)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		hc.f.Close()
		hj.f.Close()
		return nil, err
	}
	var out []File
	for _, x := range []struct {
		hf     *hashedFile
		format string
	}{{hc, "csv"}, {hj, "json"}} {
		size, sum, err := x.hf.close()
		if err != nil {
			return nil, err
		}
		out = append(out, File{Name: x.hf.name, Dataset: Dictionary, Format: x.format, Size: size, SHA256: sum})
	}
	return out, nil
}

// Licence is the licence of the files.
const Licence = "Licence Ouverte / Open Licence 2.0 (Etalab) pour les données des producteurs (DEPP, DARES, SIES, BCN, annuaire de l'éducation) ; les chiffres de démonstration (colonne demonstration = true) sont fictifs et ne sont pas des données publiques."
