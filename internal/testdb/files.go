package testdb

import (
	"compress/gzip"
	"io"
	"os"
	"testing"
)

// ReadGzip returns the decompressed bytes of a gzipped test file (the
// bundled demo files), as they were before gzip: encoding, BOM and line
// endings kept.
func ReadGzip(t testing.TB, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
