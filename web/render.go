package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strconv"
	"strings"

	"github.com/gofiber/template/html/v2"

	"github.com/vitrine-inserjeunes/vitrine/assets"
	"github.com/vitrine-inserjeunes/vitrine/internal/model"
	"github.com/vitrine-inserjeunes/vitrine/views"
)

// layout is the one layout of the site.
const layout = "layouts/main"

// newEngine loads the templates with the site's functions.
func newEngine(as *assets.Set) (*html.Engine, error) {
	e := html.NewFileSystem(http.FS(views.FS), ".html")
	e.AddFuncMap(template.FuncMap{
		"asset":       as.URL,
		"statutLabel": model.StatutLabel,
		"voieLabel":   voieLabel,
		"pct":         pct,
		"nombre":      formatInt,
		"add":         func(a, b int) int { return a + b },
		"lower":       strings.ToLower,
		// back-office (staff_*.go)
		"staffRoleLabel": model.StaffRoleLabel,
		"deref":          func(p *int64) int64 { return *p },
		"couvTaux":       model.CoverageRateLabel,
		"couvPoints":     func(v float64) string { return strings.TrimSuffix(model.CoverageRateLabel(v), "\u202f%") + " points" },
		"dict": func(kv ...any) map[string]any {
			m := map[string]any{}
			for i := 0; i+1 < len(kv); i += 2 {
				m[fmt.Sprint(kv[i])] = kv[i+1]
			}
			return m
		},
	})
	if err := e.Load(); err != nil {
		return nil, fmt.Errorf("gabarits : %w", err)
	}
	return e, nil
}

// renderPage renders a page template inside the layout, into bytes.
func (s *Server) renderPage(name string, p page) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(32 << 10)
	// The page first, then the layout around it (basePage.Content): the
	// engine's own {{embed}} prints a failing page's error into the HTML
	// (a func with a single error result is a value to html/template), so
	// the page is rendered on its own, where an error is returned.
	if err := s.views.Render(&buf, name, p); err != nil {
		return nil, fmt.Errorf("rendu de %s : %w", name, err)
	}
	b := p.base()
	b.Content = template.HTML(buf.String())
	defer func() { b.Content = "" }()
	var out bytes.Buffer
	out.Grow(buf.Len() + 16<<10)
	if err := s.views.Render(&out, layout, p); err != nil {
		return nil, fmt.Errorf("rendu de %s (gabarit général) : %w", name, err)
	}
	return out.Bytes(), nil
}

// pct formats an optional rate ("54 %"), "" when nil.
func pct(v *int) string {
	if v == nil {
		return ""
	}
	return strconv.Itoa(*v) + "\u202f%"
}

// voieLabel is the French label of a voie (model.VoieLabel; the name the
// templates and handlers use).
func voieLabel(v string) string { return model.VoieLabel(v) }

// viewsVersion hashes the templates (part of the page ETags).
func viewsVersion() string {
	h := sha256.New()
	fs.WalkDir(views.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(views.FS, p)
		h.Write([]byte(p))
		h.Write(b)
		return err
	})
	return hex.EncodeToString(h.Sum(nil))[:12]
}
