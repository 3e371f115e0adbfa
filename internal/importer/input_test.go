package importer

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"github.com/vitrine-inserjeunes/vitrine/internal/testdb"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// lineStart returns the offset of line n (1-based) in b.
func lineStart(t *testing.T, b []byte, n int) int {
	t.Helper()
	off := 0
	for l := 1; l < n; l++ {
		i := bytes.IndexByte(b[off:], '\n')
		if i < 0 {
			t.Fatalf("fewer than %d lines", n)
		}
		off += i + 1
	}
	return off
}

// TestMixedEncodingRefused: a UTF-8 file without BOM where one é of line
// 500 was written in Windows-1252 used to be decoded whole as Windows-1252
// and imported (every other accent turned into "Ã©"); with an accented
// header, the same defect gave « format non reconnu ». Both are now refused
// with the line and the offset of the bad byte, plain or gzipped, and the
// database is left as it was.
func TestMixedEncodingRefused(t *testing.T) {
	pool := baselinePool(t)
	ctx := context.Background()
	base := testdb.TableChecksums(t, pool)
	for _, c := range []struct {
		demo string // real file the input is made from
		gz   bool
	}{
		{"annuaire_education_dep035_2023-06.csv", false}, // header without accent
		{"annuaire_education_dep035_2023-06.csv", true},
		{"depp_ij_etab_lycee_pro_2021_2022.csv", false}, // accented header
	} {
		t.Run(fmt.Sprintf("%s gz=%v", c.demo, c.gz), func(t *testing.T) {
			b := bytes.TrimPrefix(rawBytes(t, c.demo), []byte("\xef\xbb\xbf"))
			start := lineStart(t, b, 500)
			end := start + bytes.IndexByte(b[start:], '\n')
			i := bytes.Index(b[start:end], []byte("é"))
			if i < 0 {
				t.Fatalf("no é on line 500 of %s", c.demo)
			}
			off := start + i
			if bytes.IndexFunc(b[:off], func(r rune) bool { return r > 0x7F }) < 0 {
				t.Fatal("no multi-byte UTF-8 sequence before line 500: the case would be plain Windows-1252")
			}
			data := append(append(b[:off:off], 0xE9), b[off+2:]...)
			name := c.demo
			if c.gz {
				data, name = gzipBytes(data), name+".gz"
			}
			path := writeFile(t, t.TempDir(), name, data)
			_, err := Run(ctx, pool, []string{path}, Options{SkipInvalid: true})
			want := fmt.Sprintf("%s:500: octet 0xE9 invalide en UTF-8 à l'octet %d : le fichier mélange des encodages ; réenregistrez-le en UTF-8", path, off)
			if err == nil || err.Error() != want {
				t.Errorf("error\n%v\nwant\n%s", err, want)
			}
			if ch := changedTables(base, testdb.TableChecksums(t, pool)); len(ch) > 0 {
				t.Errorf("tables changed: %v", ch)
			}
		})
	}
}

// TestWindows1252Files: a file with no multi-byte UTF-8 sequence at all is
// Windows-1252, decoded right (the real BCN and ACCE exports), with and
// without a bad byte far from the start.
func TestWindows1252Files(t *testing.T) {
	for _, name := range []string{"bcn_n_formation_diplome.csv", "acce_uai_extrait_2024-02.csv"} {
		fr, err := parseFile(demoPath(name), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if fr.Encoding != "windows-1252" || fr.Rejected != 0 {
			t.Errorf("%s: encoding %s, %d rejects", name, fr.Encoding, fr.Rejected)
		}
	}
	text := decodedText(t, demoPath("bcn_n_formation_diplome.csv"))
	if !strings.Contains(text, "é") || strings.Contains(text, "Ã") {
		t.Error("the Windows-1252 BCN file is not decoded to é")
	}
	// 0x81 is undefined in Windows-1252: refused with its place.
	b := rawBytes(t, "bcn_n_formation_diplome.csv")
	start := lineStart(t, b, 3000)
	i := start + bytes.IndexByte(b[start:], 0xE9)
	if i < start {
		t.Fatal("no é (0xE9) after line 3000")
	}
	line := 3000 + bytes.Count(b[start:i], []byte("\n"))
	b[i] = 0x81
	path := writeFile(t, t.TempDir(), "bcn_n_formation_diplome.csv", b)
	_, err := parseFile(path, Options{})
	want := fmt.Sprintf("%s:%d: octet 0x81 à l'octet %d : encodage non reconnu : ni UTF-8 ni Windows-1252", path, line, i)
	if err == nil || err.Error() != want {
		t.Errorf("error\n%v\nwant\n%s", err, want)
	}
}

// TestDecoderChunkBoundaries: multi-byte sequences cut by the decoder's
// reads (at every offset around a 64 KiB chunk) decode the same.
func TestDecoderChunkBoundaries(t *testing.T) {
	for pad := 0; pad < 8; pad++ {
		var b strings.Builder
		b.WriteString(strings.Repeat("a", sniffLen+64<<10-4+pad))
		b.WriteString("é€𝄞;\n")
		want := b.String()
		path := writeFile(t, t.TempDir(), "x.csv", []byte(want))
		if got := decodedText(t, path); got != want {
			t.Fatalf("pad %d: decoded text differs", pad)
		}
		// The same in Windows-1252: é at every offset around the chunk end.
		b1252 := append(bytes.Repeat([]byte("a"), sniffLen+64<<10-2+pad), 0xE9, 0x80, ';', '\n')
		path = writeFile(t, t.TempDir(), "y.csv", b1252)
		if got := decodedText(t, path); got != strings.Repeat("a", sniffLen+64<<10-2+pad)+"é€;\n" {
			t.Fatalf("pad %d: Windows-1252 text differs", pad)
		}
	}
}

// hugeLineFile writes, gzipped, a header then one line of n bytes.
func hugeLineFile(t testing.TB, dir string, n int) string {
	t.Helper()
	path := filepath.Join(dir, "depp_ij_etab_lycee_pro_2021_2022.csv.gz")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := gzip.NewWriter(f)
	head := fileLines(t, "depp_ij_etab_lycee_pro_2021_2022.csv")[0]
	if _, err := io.WriteString(zw, head+"\r\n0010001W;"); err != nil {
		t.Fatal(err)
	}
	chunk := bytes.Repeat([]byte("x"), 1<<20)
	for w := 0; w < n; w += len(chunk) {
		if _, err := zw.Write(chunk[:min(len(chunk), n-w)]); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestHugeLineBoundedMemory: a 300 MB line in a small .csv.gz used to be
// read whole (2.3 GB of memory) before the field limit refused it; it is
// refused when the line passes 1 MiB, naming the line and the limit, with
// a few MiB allocated, and the database is unchanged.
func TestHugeLineBoundedMemory(t *testing.T) {
	pool := baselinePool(t)
	base := testdb.TableChecksums(t, pool)
	path := hugeLineFile(t, t.TempDir(), 300<<20)
	st, _ := os.Stat(path)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	t0 := time.Now()
	_, err := Run(context.Background(), pool, []string{path}, Options{})
	took := time.Since(t0)
	runtime.ReadMemStats(&after)
	want := path + ":2: ligne trop longue : plus de 1048576 octets sans fin de ligne (au plus 1 Mio par ligne)"
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error\n%v\nwant\n%s…", err, want)
	}
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("%.0f KB gzipped: refused in %v, %.1f MiB allocated", float64(st.Size())/1e3, took.Round(time.Millisecond), float64(alloc)/(1<<20))
	if alloc > 32<<20 {
		t.Errorf("%d MiB allocated to refuse the file, want at most 32", alloc>>20)
	}
	if ch := changedTables(base, testdb.TableChecksums(t, pool)); len(ch) > 0 {
		t.Errorf("tables changed: %v", ch)
	}
}
