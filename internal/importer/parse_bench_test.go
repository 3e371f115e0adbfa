package importer

import (
	"path/filepath"
	"testing"
)

func BenchmarkParseDemo(b *testing.B) {
	files, _ := filepath.Glob("../../testdata/demo/*.gz")
	for i := 0; i < b.N; i++ {
		for _, f := range files {
			if _, err := parseFile(f, Options{}); err != nil {
				b.Fatal(err)
			}
		}
	}
}
