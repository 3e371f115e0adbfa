package web

import (
	"fmt"
	"html"
	"math"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/vitrine-inserjeunes/vitrine/internal/badge"
	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// kitPage is « /etablissements/{uai}/kit » (and per formation): the
// communication kit: every badge of every voie, in every format, with
// its downloads, its HTML snippet, its plain-text sentence and what each
// figure means; the widget's snippet.
type kitPage struct {
	basePage
	Nom      string
	Target   string // what the badges are about (the establishment, or the pair)
	PagePath string // the page the badges link to
	Voies    []kitVoie
}

// kitVoie is the kit of one voie.
type kitVoie struct {
	Voie, Label, Millesime string
	// Reason is why no badge is offered (secret statistique, not
	// published); then nothing else is set.
	Reason string
	// Demo: the figures are synthetic: previews carry the band, nothing is
	// offered for download.
	Demo        bool
	Sentence    string
	Figures     []badge.Figure
	Definitions []fact
	Previews    []kitPreview
	Widget      string // iframe snippet
	WidgetURL   string
}

// kitPreview is one format of a badge.
type kitPreview struct {
	Format    string
	Label     string
	Use       string
	URL       string // SVG preview (theme clair)
	Width     int
	Height    int
	Downloads []exportLink
	Snippet   string
	ID, Alt   string
}

var formatLabels = map[badge.Format][2]string{
	badge.Carre:    {"Carré (1080 × 1080 px)", "réseaux sociaux ; avec un QR code vers la page"},
	badge.Bandeau:  {"Bandeau (1200 × 400 px)", "bannière d'un site web"},
	badge.Vertical: {"Vertical (320 px de large)", "colonne latérale d'un site web"},
	badge.Affiche:  {"Affiche (A4 portrait)", "impression : PDF, ou PNG à 300 dpi ; avec un QR code vers la page"},
}

// kitEtablissement is GET /etablissements/{uai}/kit.
func (s *Server) kitEtablissement(c *fiber.Ctx) error {
	uai, err := uaiParam(c)
	if err != nil {
		return err
	}
	path := "/etablissements/" + uai
	if c.Path() != path+"/kit" {
		return redirectCanonical(c, path+"/kit")
	}
	millesime, err := kitMillesime(c)
	if err != nil {
		return err
	}
	return s.serve(c, func(st dataState) (*built, error) {
		et, vbs, err := s.etabBadges(c.UserContext(), uai, millesime)
		if err != nil {
			return nil, err
		}
		nom := labelOr(et.Nom, "Établissement "+uai)
		p := &kitPage{Nom: nom, Target: nom, PagePath: path}
		p.basePage = s.newBase(st, "Intégrer ces chiffres — "+nom, "Badges (SVG, PNG, PDF), code à intégrer et widget des chiffres d'insertion de "+nom+".", path+"/kit")
		p.Breadcrumb = append(etabBreadcrumb(et, nom), crumb{Label: "Intégrer ces chiffres", URL: path + "/kit"})
		p.NoIndex = true
		p.Voies = s.kitVoies(st, uai, "", millesime, vbs)
		return s.htmlPage("pages/kit", p)
	})
}

// kitEtablissementFormation is GET /etablissements/{uai}/formations/{code}/kit.
func (s *Server) kitEtablissementFormation(c *fiber.Ctx) error {
	uai, err := uaiParam(c)
	if err != nil {
		return err
	}
	code, kind, err := formationParam(c.Params("code"))
	if err != nil {
		return err
	}
	if kind == model.KindSISE {
		return errNoBadgeSup()
	}
	path := "/etablissements/" + uai + "/formations/" + code
	if c.Path() != path+"/kit" {
		return redirectCanonical(c, path+"/kit")
	}
	millesime, err := kitMillesime(c)
	if err != nil {
		return err
	}
	return s.serve(c, func(st dataState) (*built, error) {
		d, vbs, err := s.pairBadges(c.UserContext(), uai, code, millesime)
		if err != nil {
			return nil, err
		}
		nom := labelOr(d.Etablissement.Nom, "Établissement "+uai)
		title := formationTitle(d.Formation)
		p := &kitPage{Nom: nom, Target: title + " à " + nom, PagePath: path}
		p.basePage = s.newBase(st, "Intégrer ces chiffres — "+title+" — "+nom, "Badges (SVG, PNG, PDF), code à intégrer et widget des chiffres d'insertion de "+title+" à "+nom+".", path+"/kit")
		p.Breadcrumb = append(etabBreadcrumb(d.Etablissement, nom), crumb{Label: title, URL: path}, crumb{Label: "Intégrer ces chiffres", URL: path + "/kit"})
		p.NoIndex = true
		p.Voies = s.kitVoies(st, uai, code, millesime, vbs)
		return s.htmlPage("pages/kit", p)
	})
}

func kitMillesime(c *fiber.Ctx) (string, error) {
	m := c.Query("millesime")
	if m == "" {
		return "", nil
	}
	mm, err := model.ParseMillesime(m)
	if err != nil {
		return "", errBadRequest(fmt.Sprintf("Le millésime %s n'est pas valide : %v (exemple : 2022_2023).", quoteParam(m), err))
	}
	return mm.String(), nil
}

// kitVoies builds the kit of each voie. The badge URLs carry the voie,
// the millésime asked for (none: the badge follows the latest), and the
// data version.
func (s *Server) kitVoies(st dataState, uai, code, millesime string, vbs []voieBadge) []kitVoie {
	var out []kitVoie
	for i := range vbs {
		vb := &vbs[i]
		b := vb.Badge
		kv := kitVoie{Voie: vb.Voie, Label: voieLabel(vb.Voie), Millesime: b.Millesime}
		if !vb.Available() {
			kv.Reason = b.Unavailable
			out = append(out, kv)
			continue
		}
		kv.Demo = b.Demonstration
		kv.Sentence = b.Sentence()
		kv.Figures = b.Figures
		for _, f := range b.Figures {
			def := defTauxEmploi
			if f.Label == indTauxPoursuite.Label {
				def = defPoursuite
			}
			kv.Definitions = append(kv.Definitions, fact{Label: f.Label, Value: def})
		}
		if b.ValeurAjoutee != "" {
			kv.Definitions = append(kv.Definitions, fact{Label: indVA.Label, Value: defVA})
		}
		if b.Parts != nil {
			kv.Definitions = append(kv.Definitions, fact{Label: "Les trois parts", Value: defParts})
		}
		page := s.cfg.BaseURL + "/etablissements/" + uai
		if code != "" {
			page += "/formations/" + code
		}
		for _, f := range badge.Formats() {
			w, h := badge.Size(f)
			if h == 0 {
				h = 640 // vertical: the height follows the content; the preview scales
			}
			pv := kitPreview{Format: string(f), Label: formatLabels[f][0], Use: formatLabels[f][1],
				URL:   badgeURL(uai, code, badge.SVG, f, badge.Clair, vb.Voie, millesime, st.Version),
				Width: int(math.Round(w)), Height: int(math.Round(h)),
				ID: "kit-" + vb.Voie + "-" + string(f), Alt: "Aperçu du badge « " + formatLabels[f][0] + " » : " + kv.Sentence}
			if !kv.Demo {
				for _, t := range badge.Themes() {
					for _, o := range badge.Outputs() {
						if o == badge.SVG && f == badge.Affiche {
							continue // print: PDF or PNG
						}
						pv.Downloads = append(pv.Downloads, exportLink{Format: string(o), Label: strings.ToUpper(string(o)),
							URL:    badgeURL(uai, code, o, f, t, vb.Voie, millesime, st.Version),
							Detail: "thème " + string(t)})
					}
				}
				if f != badge.Affiche {
					pv.Snippet = fmt.Sprintf(`<a href="%s"><img src="%s" alt="%s" width="%d"></a>`, page,
						s.cfg.BaseURL+badgeURL(uai, code, badge.SVG, f, badge.Clair, vb.Voie, millesime, st.Version),
						html.EscapeString(kv.Sentence), int(math.Round(w)))
				}
			}
			kv.Previews = append(kv.Previews, pv)
		}
		wpath := "/widget/etablissements/" + uai
		if code != "" {
			wpath += "/formations/" + code
		}
		wpath += "?voie=" + vb.Voie
		if millesime != "" {
			wpath += "&millesime=" + millesime
		}
		kv.WidgetURL = wpath
		if !kv.Demo {
			kv.Widget = fmt.Sprintf(`<iframe src="%s" title="%s" width="100%%" height="480" style="border:0;max-width:480px" loading="lazy"></iframe>`,
				s.cfg.BaseURL+wpath, html.EscapeString("Insertion des jeunes — "+b.Title))
		}
		out = append(out, kv)
	}
	return out
}

// demoBlocks names the voies whose badges rest on synthetic figures.
func (p *kitPage) demoBlocks() []string {
	var out []string
	for _, v := range p.Voies {
		if v.Demo {
			out = append(out, "les badges de la voie "+strings.ToLower(v.Label)+" (aperçus seulement : rien n'est proposé au téléchargement)")
		}
	}
	return out
}
