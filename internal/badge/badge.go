// Package badge draws the badges of an establishment or of an
// establishment × formation pair: one description (Badge), one layout per
// format, rendered to SVG, PNG and PDF from the same canvas, with the
// DSFR's Marianne font embedded (SVG, PDF) or rasterised (PNG).
//
// A Badge holds only text and numbers the caller took from disclosed
// figures (model.Figure): this package never sees a raw figure, so it
// cannot show one the secret statistique withholds.
package badge

import (
	"fmt"
	"strings"
)

// LayoutVersion changes whenever the drawing changes: it is part of the
// badges' cache key and ETag (with the data version), so a release that
// draws differently is never answered 304 with the old drawing.
const LayoutVersion = "1"

// Format is the shape of a badge.
type Format string

// The formats (URL parameter « format »).
const (
	Carre    Format = "carre"    // 1080×1080 px, social networks
	Bandeau  Format = "bandeau"  // 1200×400 px, web banner
	Vertical Format = "vertical" // 320 px wide, side column
	Affiche  Format = "affiche"  // A4 portrait, print (PDF, PNG at 300 dpi)
)

// Formats lists the formats in the order the kit page shows them.
func Formats() []Format { return []Format{Carre, Bandeau, Vertical, Affiche} }

// Theme is the colour scheme.
type Theme string

// The themes (URL parameter « theme »).
const (
	Clair  Theme = "clair"
	Sombre Theme = "sombre"
)

// Themes lists the themes.
func Themes() []Theme { return []Theme{Clair, Sombre} }

// Output is the file type of a rendered badge.
type Output string

// The outputs (URL extension).
const (
	SVG Output = "svg"
	PNG Output = "png"
	PDF Output = "pdf"
)

// Outputs lists the outputs.
func Outputs() []Output { return []Output{SVG, PNG, PDF} }

// ContentType is the MIME type of an output.
func (o Output) ContentType() string {
	switch o {
	case SVG:
		return "image/svg+xml"
	case PNG:
		return "image/png"
	case PDF:
		return "application/pdf"
	}
	return "application/octet-stream"
}

// ParseFormat reads a format name ("" is carre); the error lists the
// allowed ones, in French.
func ParseFormat(s string) (Format, error) {
	if s == "" {
		return Carre, nil
	}
	for _, f := range Formats() {
		if string(f) == s {
			return f, nil
		}
	}
	return "", fmt.Errorf("le format « %s » n'existe pas ; formats possibles : %s", s, join(Formats()))
}

// ParseTheme reads a theme name ("" is clair).
func ParseTheme(s string) (Theme, error) {
	if s == "" {
		return Clair, nil
	}
	for _, t := range Themes() {
		if string(t) == s {
			return t, nil
		}
	}
	return "", fmt.Errorf("le thème « %s » n'existe pas ; thèmes possibles : %s", s, join(Themes()))
}

// ParseOutput reads a file extension.
func ParseOutput(s string) (Output, error) {
	for _, o := range Outputs() {
		if string(o) == s {
			return o, nil
		}
	}
	return "", fmt.Errorf("le type de fichier « %s » n'existe pas ; types possibles : %s", s, join(Outputs()))
}

func join[T ~string](xs []T) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = string(x)
	}
	return strings.Join(s, ", ")
}

// Figure is one large number of a badge: an integer percentage.
type Figure struct {
	Label string // « Taux d'emploi à 6 mois »
	Value int
	// Sentence is its one-line definition with the value, quotable as is
	// (« Sur 100 sortants de formation, 54 ont un emploi salarié… »).
	Sentence string
}

// Display is the value as drawn (« 54 % », with a narrow no-break space).
func (f Figure) Display() string { return fmt.Sprintf("%d\u202f%%", f.Value) }

// Parts are the three parts of the final-year learners (they sum to 100).
type Parts struct {
	Emploi, Poursuite, Autres int
}

// Badge is the description of one badge: what it says, independent of its
// format, theme and output.
type Badge struct {
	Title    string // establishment name
	Subtitle string // formation label and level, or the voie
	Figures  []Figure
	Parts    *Parts
	// ValeurAjoutee is the sentence of the valeur ajoutée, when published
	// (« +10 points par rapport au taux attendu »).
	ValeurAjoutee string
	Millesime     string // « promotions 2022 et 2023 »
	Source        string // « Données InserJeunes — DEPP, DARES »
	// Notes are the caveats: public employment not counted, figures
	// borrowed from another diploma (continuum).
	Notes []string
	URL   string
	// Demonstration: the figures are synthetic; the badge carries a band.
	Demonstration bool
	// Unavailable, when set, makes the badge the honest « données non
	// disponibles » image, with this reason; it then carries no figure.
	Unavailable string
}

// DemoBand is the text of the band of a badge on synthetic figures.
const DemoBand = "DÉMONSTRATION — chiffres fictifs"

// Sentence is the badge in one French sentence: the alternative text of
// the image (SVG aria-label, <img alt>) and the brochure text.
func (b *Badge) Sentence() string {
	var s strings.Builder
	if b.Demonstration {
		s.WriteString(DemoBand + ". ")
	}
	who := b.Title
	if b.Subtitle != "" {
		who += ", " + b.Subtitle
	}
	if b.Unavailable != "" {
		fmt.Fprintf(&s, "%s : données non disponibles (%s).", who, b.Unavailable)
		if b.URL != "" {
			s.WriteString(" " + b.URL)
		}
		return s.String()
	}
	s.WriteString(who)
	if b.Millesime != "" {
		s.WriteString(", " + b.Millesime)
	}
	s.WriteString(" : ")
	for i, f := range b.Figures {
		if i > 0 {
			s.WriteString(" ; ")
		}
		fmt.Fprintf(&s, "%s %s", lowerFirst(f.Label), f.Display())
		if f.Sentence != "" {
			fmt.Fprintf(&s, " (%s)", lowerFirst(strings.TrimSuffix(f.Sentence, ".")))
		}
	}
	s.WriteString(".")
	if b.ValeurAjoutee != "" {
		fmt.Fprintf(&s, " Valeur ajoutée : %s.", b.ValeurAjoutee)
	}
	if p := b.Parts; p != nil {
		fmt.Fprintf(&s, " Six mois après leur dernière année : %d\u202f%% en emploi, %d\u202f%% en formation, %d\u202f%% dans une autre situation.", p.Emploi, p.Poursuite, p.Autres)
	}
	for _, n := range b.Notes {
		s.WriteString(" " + strings.TrimSuffix(n, ".") + ".")
	}
	if b.Source != "" {
		s.WriteString(" " + b.Source + ".")
	}
	if b.URL != "" {
		s.WriteString(" " + b.URL)
	}
	return s.String()
}

func lowerFirst(s string) string {
	for i, r := range s {
		return strings.ToLower(string(r)) + s[i+len(string(r)):]
	}
	return s
}
