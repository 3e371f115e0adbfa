package badge

import (
	"bytes"
	"fmt"
	"html"
	"image/color"
	"math"
	"strings"

	"github.com/skip2/go-qrcode"
	"github.com/tdewolff/canvas"
	"github.com/tdewolff/canvas/renderers/pdf"
	"github.com/tdewolff/canvas/renderers/rasterizer"
	"github.com/tdewolff/canvas/renderers/svg"
)

// Renderer draws badges with the Marianne font. It is safe for concurrent
// use once made.
type Renderer struct {
	family *canvas.FontFamily
}

// Fonts are the font files (WOFF2, WOFF, TTF or OTF) of Marianne.
type Fonts struct {
	Regular, Bold []byte
}

// FontName is the family name of the embedded font.
const FontName = "Marianne"

// NewRenderer loads the fonts.
func NewRenderer(f Fonts) (*Renderer, error) {
	fam := canvas.NewFontFamily(FontName)
	if err := fam.LoadFont(f.Regular, 0, canvas.FontRegular); err != nil {
		return nil, fmt.Errorf("police Marianne (normale) : %w", err)
	}
	if err := fam.LoadFont(f.Bold, 0, canvas.FontBold); err != nil {
		return nil, fmt.Errorf("police Marianne (grasse) : %w", err)
	}
	return &Renderer{family: fam}, nil
}

// pxMM is the size of a design unit: one CSS pixel (1/96 inch), in mm.
const pxMM = 25.4 / 96

// layout is the geometry of a format, in design units (CSS pixels).
type layout struct {
	W, H float64 // H == 0: the height of the content (vertical)
	Pad  float64
	Base float64 // body font size
	Cols int     // 2: the banner puts figures left, the rest right
	Side bool    // figures side by side
	QR   bool
	DPI  float64 // PNG resolution
}

func layoutOf(f Format) layout {
	switch f {
	case Bandeau:
		return layout{W: 1200, H: 400, Pad: 28, Base: 18, Cols: 2, Side: true, DPI: 96}
	case Vertical:
		return layout{W: 320, Pad: 18, Base: 13, DPI: 96}
	case Affiche:
		return layout{W: 210 / pxMM, H: 297 / pxMM, Pad: 56, Base: 25, Side: true, QR: true, DPI: 300}
	}
	return layout{W: 1080, H: 1080, Pad: 64, Base: 27, Side: true, QR: true, DPI: 96}
}

// Size is the size of a badge in CSS pixels (the PNG of the affiche is
// at 300 dpi: 2480×3508).
func Size(f Format) (w, h float64) {
	l := layoutOf(f)
	return l.W, l.H
}

// palette is a theme's colours: DSFR tokens, each text colour at least
// 4.5:1 on its background.
type palette struct {
	bg, text, muted, accent, rule color.RGBA
	parts                         [3]color.RGBA
	demoBg, demoText              color.RGBA
}

func paletteOf(t Theme) palette {
	if t == Sombre {
		return palette{bg: canvas.Hex("#161616"), text: canvas.Hex("#eeeeee"), muted: canvas.Hex("#cecece"),
			accent: canvas.Hex("#8585f6"), rule: canvas.Hex("#3a3a3a"),
			parts:  [3]color.RGBA{canvas.Hex("#8585f6"), canvas.Hex("#4ab8a0"), canvas.Hex("#929292")},
			demoBg: canvas.Hex("#fc5d00"), demoText: canvas.Hex("#161616")}
	}
	return palette{bg: canvas.Hex("#ffffff"), text: canvas.Hex("#161616"), muted: canvas.Hex("#3a3a3a"),
		accent: canvas.Hex("#000091"), rule: canvas.Hex("#dddddd"),
		parts:  [3]color.RGBA{canvas.Hex("#000091"), canvas.Hex("#18753c"), canvas.Hex("#929292")},
		demoBg: canvas.Hex("#b34000"), demoText: canvas.Hex("#ffffff")}
}

// item is one thing drawn, at design coordinates from the top left.
type item struct {
	x, y, w, h float64
	fill       color.RGBA
	text       *canvas.Text // else a rectangle (or path)
	path       *canvas.Path // in mm, relative to (x, y+h) bottom left
}

// scene is a laid-out badge.
type scene struct {
	l     layout
	pal   palette
	items []item
	h     float64
	// band is the number of items of the demonstration band (at the top,
	// never moved).
	band int
}

func (r *Renderer) face(px float64, bold bool, col color.RGBA) *canvas.FontFace {
	style := canvas.FontRegular
	if bold {
		style = canvas.FontBold
	}
	return r.family.Face(px*pxMM*72/25.4, col, style, canvas.FontNormal)
}

// textBox lays s out in a box w wide (design units) and returns it with
// its height.
func (r *Renderer) textBox(s string, px, w float64, bold bool, col color.RGBA, align canvas.TextAlign) (*canvas.Text, float64) {
	t := canvas.NewTextBox(r.face(px, bold, col), s, w*pxMM, 0, align, canvas.Top, nil)
	return t, t.Bounds().H() / pxMM
}

// flow stacks items in a column.
type flow struct {
	r    *Renderer
	sc   *scene
	x, w float64
	y    float64
}

func (f *flow) text(s string, px float64, bold bool, col color.RGBA, gapAfter float64) {
	if s == "" {
		return
	}
	t, h := f.r.textBox(s, px, f.w, bold, col, canvas.Left)
	f.sc.items = append(f.sc.items, item{x: f.x, y: f.y, w: f.w, h: h, text: t})
	f.y += h + gapAfter
}

// line draws s on one line, its type shrunk until it fits the column (a
// URL has no place to break).
func (f *flow) line(s string, px float64, col color.RGBA) {
	if s == "" {
		return
	}
	if w := f.r.face(px, false, col).TextWidth(s) / pxMM; w > f.w {
		px *= f.w / w * 0.98
	}
	t, h := f.r.textBox(s, px, f.w*1.05, false, col, canvas.Left)
	f.sc.items = append(f.sc.items, item{x: f.x, y: f.y, w: f.w, h: h, text: t})
	f.y += h
}

func (f *flow) rect(x, y, w, h float64, c color.RGBA) {
	f.sc.items = append(f.sc.items, item{x: x, y: y, w: w, h: h, fill: c})
}

// Errors of Render.
var errNoFigure = fmt.Errorf("badge sans chiffre : rien à dessiner")

// lay places the badge's content at font scale k (1 = the format's
// sizes); the caller shrinks k until it fits.
func (r *Renderer) lay(b *Badge, l layout, pal palette, k float64) *scene {
	sc := &scene{l: l, pal: pal}
	base := l.Base * k
	pad := l.Pad
	top := 0.0
	if b.Demonstration {
		bh := base * 2.4
		sc.items = append(sc.items, item{x: 0, y: 0, w: l.W, h: bh, fill: pal.demoBg})
		t, th := r.textBox(DemoBand, base*1.15, l.W-2*pad, true, pal.demoText, canvas.Center)
		sc.items = append(sc.items, item{x: pad, y: (bh - th) / 2, w: l.W - 2*pad, h: th, text: t})
		top = bh
		sc.band = len(sc.items)
	}
	// accent rule at the left, DSFR-like
	colW := l.W - 2*pad
	left := &flow{r: r, sc: sc, x: pad, w: colW, y: top + pad*0.8}
	right := left
	if l.Cols == 2 {
		colW = (l.W - 3*pad) * 0.56
		left.w = colW
		right = &flow{r: r, sc: sc, x: 2*pad + colW, w: l.W - 3*pad - colW, y: top + pad*0.8}
	}
	left.text(b.Title, base*1.55, true, pal.text, base*0.3)
	left.text(b.Subtitle, base*1.05, false, pal.muted, base*0.8)

	if b.Unavailable != "" {
		left.text("Données non disponibles", base*2.2, true, pal.accent, base*0.6)
		right.text(b.Unavailable, base*1.05, false, pal.text, base*0.8)
		r.footer(b, sc, right, base, false)
		return sc
	}

	// the large numbers
	n := len(b.Figures)
	if n > 0 {
		fw := left.w
		if l.Side && n > 1 {
			fw = (left.w - pad*0.5*float64(n-1)) / float64(n)
		}
		y0, maxY := left.y, left.y
		for i, fig := range b.Figures {
			x, y := left.x, maxY
			if l.Side && n > 1 {
				x, y = left.x+float64(i)*(fw+pad*0.5), y0
			}
			cf := &flow{r: r, sc: sc, x: x, w: fw, y: y}
			cf.rect(x, y, base*0.25, 0, pal.accent) // placeholder, height fixed below
			ri := len(sc.items) - 1
			cf.x, cf.w = x+base*0.8, fw-base*0.8
			cf.text(fig.Display(), base*3.6, true, pal.accent, base*0.1)
			cf.text(fig.Label, base*1.1, true, pal.text, base*0.2)
			cf.text(fig.Sentence, base*0.9, false, pal.muted, 0)
			sc.items[ri].h = cf.y - y
			maxY = max(maxY, cf.y+base*1.0)
		}
		left.y = maxY
	}
	if b.ValeurAjoutee != "" {
		right.text("Valeur ajoutée : "+b.ValeurAjoutee, base*1.05, true, pal.text, base*0.8)
	}
	if p := b.Parts; p != nil {
		r.parts(p, sc, right, base)
	}
	for _, note := range b.Notes {
		right.text(note, base*0.85, false, pal.muted, base*0.4)
	}
	r.footer(b, sc, right, base, l.QR)
	if l.Cols == 2 {
		sc.h = max(left.y, right.y)
	}
	return sc
}

// parts draws the three parts as one proportional bar with a legend.
func (r *Renderer) parts(p *Parts, sc *scene, f *flow, base float64) {
	f.text("Six mois après la dernière année de formation :", base*0.95, true, sc.pal.text, base*0.4)
	bh := base * 1.1
	vals := []int{p.Emploi, p.Poursuite, p.Autres}
	total := p.Emploi + p.Poursuite + p.Autres
	if total <= 0 {
		return
	}
	x := f.x
	for i, v := range vals {
		w := f.w * float64(v) / float64(total)
		if w > 0 {
			f.rect(x, f.y, w, bh, sc.pal.parts[i])
		}
		x += w
	}
	f.y += bh + base*0.4
	labels := []string{"en emploi", "en formation", "autre situation"}
	stacked := f.w < base*30 // a narrow column: one legend line each
	lw := f.w / 3
	if stacked {
		lw = f.w
	}
	y := f.y
	maxH := 0.0
	for i, v := range vals {
		x := f.x + float64(i)*lw
		if stacked {
			x = f.x
		}
		f.rect(x, y+base*0.15, base*0.7, base*0.7, sc.pal.parts[i])
		t, h := r.textBox(fmt.Sprintf("%d\u202f%% %s", v, labels[i]), base*0.85, lw-base*1.1, false, sc.pal.text, canvas.Left)
		sc.items = append(sc.items, item{x: x + base*1.0, y: y, w: lw - base*1.1, h: h, text: t})
		if stacked {
			y += h + base*0.2
		} else {
			maxH = max(maxH, h)
		}
	}
	f.y = max(y, f.y+maxH) + base*0.9
}

// footer is the millésime, the source, the URL and the QR code.
func (r *Renderer) footer(b *Badge, sc *scene, f *flow, base float64, qr bool) {
	l := sc.l
	qrSize := 0.0
	if qr && b.URL != "" {
		qrSize = base * 6
	}
	w := f.w
	if qrSize > 0 {
		f.w -= qrSize + base
	}
	startY := f.y
	f.rect(f.x, f.y, w, math.Max(1, base*0.06), sc.pal.rule)
	f.y += base * 0.6
	if b.Millesime != "" {
		f.text("Millésime : "+b.Millesime, base*0.9, true, sc.pal.text, base*0.2)
	}
	f.text(b.Source, base*0.85, false, sc.pal.muted, base*0.2)
	f.line(b.URL, base*0.85, sc.pal.accent)
	if qrSize > 0 {
		x := f.x + w - qrSize
		y := startY + base*0.6
		sc.items = append(sc.items, item{x: x, y: y, w: qrSize, h: qrSize, path: qrPath(b.URL, qrSize)})
		f.y = max(f.y, y+qrSize)
	}
	f.w = w
	f.y += l.Pad * 0.6
	sc.h = f.y
}

// qrPath draws the QR code of url as dark modules on a white square
// (with a quiet zone, so it scans on the dark theme too), size design
// units wide; the path is in mm from the square's bottom left.
func qrPath(url string, size float64) *canvas.Path {
	q, err := qrcode.New(url, qrcode.Medium)
	if err != nil {
		return nil
	}
	q.DisableBorder = true
	bm := q.Bitmap()
	n := len(bm)
	if n == 0 {
		return nil
	}
	const quiet = 2
	m := size * pxMM / float64(n+2*quiet)
	p := &canvas.Path{}
	for y, row := range bm {
		for x := 0; x < len(row); x++ {
			if !row[x] {
				continue
			}
			x0 := x
			for x < len(row) && row[x] {
				x++
			}
			// a run of dark modules, from the top: y flipped
			px, py := float64(x0+quiet)*m, float64(n-1-y+quiet)*m
			p.MoveTo(px, py)
			p.LineTo(px+float64(x-x0)*m, py)
			p.LineTo(px+float64(x-x0)*m, py+m)
			p.LineTo(px, py+m)
			p.Close()
		}
	}
	return p
}

// layout fits the content in the format, shrinking the type when needed.
func (r *Renderer) layout(b *Badge, f Format, t Theme) (*scene, error) {
	if b.Unavailable == "" && len(b.Figures) == 0 {
		return nil, errNoFigure
	}
	l := layoutOf(f)
	pal := paletteOf(t)
	var sc *scene
	for k := 1.0; k > 0.4; k *= 0.92 {
		sc = r.lay(b, l, pal, k)
		if l.H == 0 || sc.h <= l.H {
			break
		}
	}
	if l.H == 0 {
		sc.l.H = math.Ceil(sc.h)
	} else if dy := (l.H - sc.h) / 2; dy > 0 { // centre the content vertically
		for i := sc.band; i < len(sc.items); i++ {
			sc.items[i].y += dy
		}
	}
	return sc, nil
}

// draw renders the scene on a canvas in mm.
func (sc *scene) draw() *canvas.Canvas {
	W, H := sc.l.W*pxMM, sc.l.H*pxMM
	c := canvas.New(W, H)
	ctx := canvas.NewContext(c)
	ctx.SetFillColor(sc.pal.bg)
	ctx.DrawPath(0, 0, canvas.Rectangle(W, H))
	for _, it := range sc.items {
		x := it.x * pxMM
		switch {
		case it.text != nil:
			ctx.DrawText(x, H-it.y*pxMM, it.text)
		case it.path != nil:
			ctx.SetFillColor(canvas.White)
			ctx.DrawPath(x, H-(it.y+it.h)*pxMM, canvas.Rectangle(it.w*pxMM, it.h*pxMM))
			ctx.SetFillColor(canvas.Hex("#161616"))
			ctx.DrawPath(x, H-(it.y+it.h)*pxMM, it.path)
		default:
			ctx.SetFillColor(it.fill)
			ctx.DrawPath(x, H-(it.y+it.h)*pxMM, canvas.Rectangle(it.w*pxMM, it.h*pxMM))
		}
	}
	return c
}

// Render draws b in format f, theme t, to output o.
func (r *Renderer) Render(b *Badge, f Format, t Theme, o Output) ([]byte, error) {
	sc, err := r.layout(b, f, t)
	if err != nil {
		return nil, err
	}
	c := sc.draw()
	var buf bytes.Buffer
	switch o {
	case SVG:
		opts := svg.DefaultOptions
		opts.SubsetFonts = true
		sv := svg.New(&buf, c.W, c.H, &opts)
		c.RenderTo(sv)
		if err := sv.Close(); err != nil {
			return nil, err
		}
		return accessibleSVG(buf.Bytes(), b, sc.l), nil
	case PNG:
		img := rasterizer.Draw(c, canvas.DPI(sc.l.DPI), canvas.DefaultColorSpace)
		if err := encodePNG(&buf, img); err != nil { // opaque: the background covers the badge
			return nil, err
		}
		return buf.Bytes(), nil
	case PDF:
		opts := pdf.DefaultOptions
		p := pdf.New(&buf, c.W, c.H, &opts)
		p.SetInfo(b.Title, b.Sentence(), "InserJeunes", "Vitrine InserJeunes", "Vitrine InserJeunes")
		p.SetLang("fr")
		c.RenderTo(p)
		if err := p.Close(); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	}
	return nil, fmt.Errorf("type de fichier inconnu : %s", o)
}

// accessibleSVG replaces the opening tag the renderer wrote by one with
// pixel dimensions, role="img", aria-label, <title> and <desc>.
func accessibleSVG(b []byte, bd *Badge, l layout) []byte {
	const end = `xmlns:xlink="http://www.w3.org/1999/xlink">`
	i := bytes.Index(b, []byte(end))
	if i < 0 {
		return b
	}
	vb := ""
	if j := bytes.Index(b[:i], []byte(`viewBox="`)); j >= 0 {
		k := bytes.IndexByte(b[j+9:i], '"')
		vb = string(b[j+9 : j+9+k])
	}
	sentence := html.EscapeString(bd.Sentence())
	title := bd.Title
	if bd.Subtitle != "" {
		title += " — " + bd.Subtitle
	}
	var s strings.Builder
	fmt.Fprintf(&s, `<svg version="1.1" width="%d" height="%d" viewBox="%s" xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" role="img" aria-label="%s" lang="fr">`,
		int(math.Round(l.W)), int(math.Round(l.H)), vb, sentence)
	fmt.Fprintf(&s, `<title>%s</title><desc>%s</desc>`, html.EscapeString(title), sentence)
	out := make([]byte, 0, len(b)+s.Len())
	out = append(out, s.String()...)
	return append(out, b[i+len(end):]...)
}
