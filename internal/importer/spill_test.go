package importer

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestSpillRoundTrip: the rows the first pass writes to disk (spill.go) are
// read back equal, value for value and type for type, to the rows a second
// reading of the file gives, for every file of the demo set; the files are
// unlinked at once (nothing left on disk, even by a killed run) and closed
// once read.
func TestSpillRoundTrip(t *testing.T) {
	files := demoFiles(t)
	synth, _ := filepath.Glob(filepath.Join(demoDir, "synthetic", "*.gz"))
	files = append(files, synth...)
	dir := t.TempDir()
	set := newSpillSet(dir)
	for _, path := range files {
		first, err := parseFileMode(path, Options{spill: set}, true)
		if err != nil {
			t.Fatal(err)
		}
		if ents, _ := os.ReadDir(dir); len(ents) != 0 {
			t.Errorf("%s: %d file(s) left on disk", path, len(ents))
		}
		p := first.parsed.spill
		if p == nil {
			// A value the encoding does not know (the INSEE rates,
			// pgtype.Numeric): read again at load, as before. The large
			// files must not be.
			if strings.Contains(path, "uai_formation") || strings.Contains(path, "formation-fine") || strings.Contains(path, "region_formation") {
				t.Errorf("%s: no spill file", path)
			}
			continue
		}
		got, err := readSpill(set, p, first.parsed.format)
		if err != nil {
			t.Fatal(err)
		}
		if len(set.open) != 0 {
			t.Errorf("%s: spill file still open after reading", path)
		}
		again, err := parseFileMode(path, Options{}, false)
		if err != nil {
			t.Fatal(err)
		}
		want := again.parsed.rows
		if len(got) != len(want) {
			t.Fatalf("%s: %d targets, want %d", path, len(got), len(want))
		}
		for tg, rows := range want {
			if !reflect.DeepEqual(got[tg], rows) {
				t.Errorf("%s: %s: the rows read back differ (%d rows, want %d)", path, tg.Table, len(got[tg]), len(rows))
			}
		}
	}
}

// TestSpillValueTypes: every type the encoding knows reads back equal; an
// unknown one abandons the spill (the file is read again at load).
func TestSpillValueTypes(t *testing.T) {
	dir := t.TempDir()
	set := newSpillSet(dir)
	tg := &Target{Table: "t", Cols: []string{"a"}}
	f := &Format{Targets: []*Target{tg}}
	row := []any{nil, "", "é\x00x", int32(-7), int64(1 << 40), 42, 3.25, true, false,
		time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)}
	w := newSpillWriter(set, f.Targets)
	w.row(tg, row)
	w.row(tg, row[:2])
	p := w.close()
	if p == nil {
		t.Fatal(w.err)
	}
	got, err := readSpill(set, p, f)
	if err != nil {
		t.Fatal(err)
	}
	if want := [][]any{row, row[:2]}; !reflect.DeepEqual(got[tg], want) {
		t.Errorf("read back %#v, want %#v", got[tg], want)
	}
	w = newSpillWriter(set, f.Targets)
	w.row(tg, []any{struct{}{}})
	if p := w.close(); p != nil {
		t.Errorf("a value of an unknown type: spill kept in %s", p.Name())
	}
	w = newSpillWriter(set, f.Targets)
	w.row(tg, row)
	if w.close() == nil {
		t.Fatal(w.err)
	}
	set.closeAll() // a refused run
	if ents, _ := os.ReadDir(dir); len(ents) != 0 || len(set.open) != 0 {
		t.Errorf("%d file(s) left in the directory, %d open", len(ents), len(set.open))
	}
}
