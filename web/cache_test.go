package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"log/slog"
	"strconv"
	"testing"

	"github.com/andybalholm/brotli"

	"github.com/vitrine-inserjeunes/vitrine/internal/store"
)

func TestPageCache(t *testing.T) {
	pc := newPageCache(10 << 10)
	body := make([]byte, 1000)
	for i := 0; i < 50; i++ {
		pc.put(1, strconv.Itoa(i), &cachedPage{built: built{Body: body}})
		if pc.bytes > pc.maxBytes {
			t.Fatalf("after %d puts: %d bytes > %d", i+1, pc.bytes, pc.maxBytes)
		}
	}
	if pc.get(1, "49") == nil {
		t.Error("the last page put was evicted")
	}
	if n := pc.Len(); n < 5 || n > 10 {
		t.Errorf("%d pages kept in 10 KiB of 1 KB pages", n)
	}
	if pc.get(2, "49") != nil {
		t.Error("a page of data version 1 served for version 2")
	}
	pc.put(2, "a", &cachedPage{built: built{Body: body}})
	if pc.Len() != 1 || pc.get(1, "49") != nil {
		t.Error("a new data version did not drop the old pages")
	}
	pc.put(1, "old", &cachedPage{built: built{Body: body}})
	if pc.get(1, "old") != nil || pc.get(2, "old") != nil {
		t.Error("a page built from older data was kept")
	}
}

func TestAcceptEncoding(t *testing.T) {
	for h, want := range map[string]string{
		"":                     "",
		"gzip, deflate, br":    "br",
		"gzip":                 "gzip",
		"br;q=0, gzip":         "gzip",
		"identity":             "",
		"gzip;q=0.5, br;q=0.0": "gzip",
	} {
		if got := acceptEncoding(h); got != want {
			t.Errorf("acceptEncoding(%q) = %q, want %q", h, got, want)
		}
	}
	if !etagMatch(`"a", W/"1-x"`, `W/"1-x"`) || etagMatch(`W/"1-y"`, `W/"1-x"`) || !etagMatch("*", `W/"1-x"`) {
		t.Error("etagMatch")
	}
}

// TestCompressionFastThenStrong: a page answered compressed for the first
// time is compressed fast (a crawler's visit, a server without page cache
// pays about 1 ms, not 5–10); once kept and asked again, its strong form
// is made and served. Every form decompresses to the page.
func TestCompressionFastThenStrong(t *testing.T) {
	_, pool := siteTestApp(t)
	app := New(store.New(pool), slog.New(slog.DiscardHandler), testConfig()) // a page cache of its own
	for _, tc := range []struct{ url, enc string }{{"/regions/84", "gzip"}, {"/regions/11", "br"}} {
		want := body(t, get(t, app, tc.url))
		if len(want) < 10_000 {
			t.Fatalf("%s : page de %d octets, trop petite pour ce test", tc.url, len(want))
		}
		var sizes []int
		for i := 0; i < 3; i++ {
			r := get(t, app, tc.url, "Accept-Encoding", tc.enc)
			if ce := r.Header.Get("Content-Encoding"); ce != tc.enc {
				t.Fatalf("%s : Content-Encoding %q, %q attendu", tc.url, ce, tc.enc)
			}
			raw := body(t, r)
			sizes = append(sizes, len(raw))
			if got := decompress(t, tc.enc, raw); !bytes.Equal(got, want) {
				t.Fatalf("%s (%s, réponse %d) : le contenu décompressé diffère de la page", tc.url, tc.enc, i+1)
			}
		}
		// the first identity GET kept the page; the first compressed answer
		// is fast, the next ones strong (and identical)
		if !(sizes[1] < sizes[0]) || sizes[2] != sizes[1] {
			t.Errorf("%s (%s) : tailles %v, une première réponse rapide puis la forme forte attendues", tc.url, tc.enc, sizes)
		}
	}
}

// decompress reads a gzip or brotli body.
func decompress(t *testing.T, enc string, b []byte) []byte {
	t.Helper()
	var r io.Reader
	if enc == "br" {
		r = brotli.NewReader(bytes.NewReader(b))
	} else {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
