package importer

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/vitrine-inserjeunes/vitrine/internal/testdb"
)

// demoDir holds the bundled real files (the synthetic ones are in a
// sub-directory and are not read here).
const demoDir = "../../testdata/demo"

// demoFiles lists the real files of the demo set.
func demoFiles(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(demoDir, "*.gz"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no demo file under %s: %v", demoDir, err)
	}
	sort.Strings(files)
	return files
}

func demoPath(name string) string { return filepath.Join(demoDir, name+".gz") }

var (
	demoOnce sync.Once
	demoRep  *Report
	demoErr  error
)

// demoPool returns the package's database with the real demo files
// imported once, and the report of that first import (on an empty
// database: every row counts as loaded).
func demoPool(t testing.TB) (*pgxpool.Pool, *Report) {
	t.Helper()
	pool := testdb.Pool(t, "importer")
	demoOnce.Do(func() {
		demoRep, demoErr = Run(context.Background(), pool, demoFiles(t), Options{})
	})
	if demoErr != nil {
		t.Fatalf("import of the demo files: %v", demoErr)
	}
	return pool, demoRep
}

// changedTables lists the tables whose checksum differs, except those in skip.
func changedTables(before, after map[string]string, skip ...string) []string {
	ignore := map[string]bool{}
	for _, s := range skip {
		ignore[s] = true
	}
	var out []string
	for tb, sum := range before {
		if !ignore[tb] && after[tb] != sum {
			out = append(out, tb)
		}
	}
	for tb := range after {
		if _, ok := before[tb]; !ok && !ignore[tb] {
			out = append(out, tb)
		}
	}
	sort.Strings(out)
	return out
}

// fileLines returns the decoded lines (without EOL) of a demo file.
func fileLines(t testing.TB, name string) []string {
	t.Helper()
	var out []string
	sc := bufio.NewScanner(strings.NewReader(decodedText(t, demoPath(name))))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		out = append(out, strings.TrimSuffix(sc.Text(), "\r"))
	}
	return out
}

// decodedText returns the whole text of a file as the importer decodes it.
func decodedText(t testing.TB, path string) string {
	t.Helper()
	src, err := openSource(path)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	src.dec.maxLine = 0
	b, err := io.ReadAll(src.r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// rawBytes returns the decompressed bytes of a demo file, as on disk
// before gzip (encoding, BOM and line endings kept).
func rawBytes(t testing.TB, name string) []byte {
	t.Helper()
	return testdb.ReadGzip(t, demoPath(name))
}

func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write(b)
	_ = zw.Close()
	return buf.Bytes()
}

// writeFile writes data under dir and returns its path.
func writeFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// lines joins lines with sep and a final sep.
func lines(sep string, ls ...string) []byte {
	return []byte(strings.Join(ls, sep) + sep)
}

// rejectCase is one file of a format's validation table: its rows (header
// first), and the column and reason of its one reject ("" for a good file).
type rejectCase struct {
	name, file string
	rows       []string
	column     string
	reason     string
}

// checkRejects parses each case's file (in dir) and checks it has exactly
// the reject it names, or none; format, when set, is the detected format
// every file must have.
func checkRejects(t *testing.T, dir, format string, cases []rejectCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := writeFile(t, dir, tc.file, lines("\n", tc.rows...))
			fr, err := parseFile(p, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if format != "" && fr.Format != format {
				t.Fatalf("format %q, want %s", fr.Format, format)
			}
			if tc.reason == "" {
				if len(fr.Rejects) > 0 {
					t.Errorf("unexpected rejects: %v", fr.Rejects)
				}
				return
			}
			if len(fr.Rejects) != 1 || fr.Rejects[0].Column != tc.column || !strings.Contains(fr.Rejects[0].Reason, tc.reason) {
				t.Errorf("rejects %v, want one on %s saying %q", fr.Rejects, tc.column, tc.reason)
			}
		})
	}
}
