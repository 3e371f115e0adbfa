package assets

import (
	"strings"
	"testing"
	"time"
)

func TestNew(t *testing.T) {
	t0 := time.Now()
	s, err := New()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("built in %v", time.Since(t0))
	css, ok := s.ByName("dsfr/dsfr.min.css")
	if !ok {
		t.Fatal("dsfr.min.css missing")
	}
	if !strings.HasPrefix(css.URL, "/static/dsfr/dsfr.min.") || !strings.HasSuffix(css.URL, ".css") {
		t.Errorf("url %s", css.URL)
	}
	font, _ := s.ByName("dsfr/fonts/Marianne-Regular.woff2")
	if font == nil || !strings.Contains(string(css.Body), "url("+font.URL+")") {
		t.Errorf("stylesheet does not reference the fingerprinted font")
	}
	if strings.Contains(string(css.Body), "url(fonts/") || strings.Contains(string(css.Body), "url(icons/") {
		t.Errorf("relative reference left in the stylesheet")
	}
	if f, ok := s.ByURL(css.URL); !ok || f != css {
		t.Errorf("ByURL")
	}
	if len(css.Brotli) == 0 || len(css.Brotli) > len(css.Body)/4 {
		t.Errorf("brotli %d of %d", len(css.Brotli), len(css.Body))
	}
}
