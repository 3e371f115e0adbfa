package web

import (
	"strconv"
	"testing"
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
