package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
	"github.com/vitrine-inserjeunes/vitrine/internal/store"
)

// The coverage analyser (/couverture, POST /api/v1/couverture): a partner
// sends its catalogue (UAI × formation code), the site answers, row by
// row, whether it holds figures for it and through which stage of the
// mission's staged story, or why not (model.Cover), with a summary by
// stage, outcome, voie and level, and downloads. Nothing is stored unless
// the visitor asks for a shareable link (couverture_partages, expiring
// after coverageShareTTL). Without JavaScript: the result page is the
// answer to the POST, and it says how many rows were read and how long
// the analysis took.

const (
	// coverageShareTTL is the life of a shareable link.
	coverageShareTTL = 30 * 24 * time.Hour
	// coverageDetailRows is how many detailed rows the answer to the POST
	// shows (every row is in the downloads; a shared result pages them).
	coverageDetailRows = 500
	// coveragePerPage is the page size of the detail of a shared result.
	coveragePerPage = 200
	// coverageTimeout bounds the analysis of one catalogue.
	coverageTimeout = 60 * time.Second
)

// coverageRow is one analysed catalogue row (JSON API, downloads, table).
type coverageRow struct {
	Ligne    int    `json:"ligne"`
	ID       string `json:"id"`
	UAI      string `json:"uai"`
	Code     string `json:"code"`
	TypeCode string `json:"type_code"`
	Voie     string `json:"voie"`
	Libelle  string `json:"libelle"`
	// Formation and Niveau are readable, as the formation pages show them;
	// LibelleBCN and NiveauCode are the BCN's own (absent for a SISE code).
	Formation  string `json:"formation"`
	LibelleBCN string `json:"libelle_bcn,omitempty"`
	Niveau     string `json:"niveau"`
	NiveauCode string `json:"niveau_code,omitempty"`
	model.CoverageResult
}

// coverageStage is one step of the staged story (cumulative).
type coverageStage struct {
	Etape     int     `json:"etape"`
	Libelle   string  `json:"libelle"`
	Couvertes int     `json:"couvertes"`
	Taux      float64 `json:"taux"`
	Gain      int     `json:"gain"`
	GainTaux  float64 `json:"gain_points"`
}

// coverageCount is the count of one outcome.
type coverageCount struct {
	Resultat string  `json:"resultat"`
	Libelle  string  `json:"libelle"`
	Nombre   int     `json:"nombre"`
	Taux     float64 `json:"taux"`
}

// coverageGroup is the coverage of the rows of one voie or level.
type coverageGroup struct {
	Groupe        string  `json:"groupe"`
	Lignes        int     `json:"lignes"`
	Direct        int     `json:"couvertes_direct"`
	TauxDirect    float64 `json:"taux_direct"`
	Couvertes     int     `json:"couvertes"`
	Taux          float64 `json:"taux"`
	SousSeuil     int     `json:"sous_seuil"`
	TauxSousSeuil float64 `json:"taux_sous_seuil"`
}

// coverageAnswer is the whole result: the JSON answer of the API, what a
// shared link stores, what the page and downloads show.
type coverageAnswer struct {
	NbLignes           int                 `json:"nb_lignes"`
	NbAnalysees        int                 `json:"nb_analysees"`
	NbErreurs          int                 `json:"nb_erreurs"`
	Erreurs            []coverageLineError `json:"erreurs"`
	Millesime          string              `json:"millesime_demande"`
	MillesimesParVoie  map[string]string   `json:"millesimes_par_voie"`
	Etapes             []coverageStage     `json:"etapes"`
	ParResultat        []coverageCount     `json:"par_resultat"`
	ParVoie            []coverageGroup     `json:"par_voie"`
	ParNiveau          []coverageGroup     `json:"par_niveau"`
	AutreUAIDisponible bool                `json:"autre_uai_disponible"`
	Demonstration      bool                `json:"demonstration"`
	Encodage           string              `json:"encodage"`
	Separateur         string              `json:"separateur"`
	ColonneID          string              `json:"colonne_id,omitempty"`
	ColonnesIgnorees   []string            `json:"colonnes_ignorees,omitempty"`
	AnalyseLe          time.Time           `json:"analyse_le"`
	DureeMs            int64               `json:"duree_ms"`
	DataVersion        int64               `json:"version_donnees"`
	Lignes             []coverageRow       `json:"lignes"`
}

// analyseCoverage analyses a parsed catalogue against the warehouse.
func (s *Server) analyseCoverage(ctx context.Context, in *coverageInput, millesime string, version int64) (*coverageAnswer, error) {
	start := time.Now()
	a := &coverageAnswer{NbLignes: in.NbLines, NbAnalysees: len(in.Rows), NbErreurs: in.NbErrors, Erreurs: in.Errors,
		Millesime: millesime, Encodage: in.Encoding, Separateur: in.Separator, ColonneID: in.IDColumn,
		ColonnesIgnorees: in.Ignored, AutreUAIDisponible: store.CoverageRelatedUAIsAvailable(), DataVersion: version}
	if a.Erreurs == nil {
		a.Erreurs = []coverageLineError{}
	}
	n := len(in.Rows)
	uais, codes, kinds := make([]string, n), make([]string, n), make([]model.CodeKind, n)
	for i, r := range in.Rows {
		uais[i], codes[i], kinds[i] = r.UAI, r.Code, r.Kind
	}
	facts, err := s.store.CoverageFacts(ctx, uais, codes, kinds, millesime)
	if err != nil {
		return nil, err
	}
	a.Lignes = make([]coverageRow, n)
	for i, r := range in.Rows {
		f := &facts[i]
		voie := r.Voie
		if voie == "" {
			voie = model.VoieOfCode(r.Kind)
		}
		row := coverageRow{Ligne: r.Line, ID: r.ID, UAI: r.UAI, Code: r.Code, TypeCode: string(r.Kind), Voie: voie,
			Libelle: r.Libelle, Formation: f.Code.Libelle, LibelleBCN: f.Code.LibelleBCN, Niveau: f.Code.Niveau, NiveauCode: f.Code.NiveauCode,
			CoverageResult: model.Cover(*f)}
		if row.CoverageResult.Millesime == "" && row.Outcome != model.CouvUAIInconnu && row.Outcome != model.CouvCodeInconnu {
			row.CoverageResult.Millesime = f.Millesime[model.VoieOfCode(r.Kind)]
		}
		a.Demonstration = a.Demonstration || row.Demonstration
		a.Lignes[i] = row
		if a.MillesimesParVoie == nil {
			a.MillesimesParVoie = f.Millesime
		}
	}
	if a.MillesimesParVoie == nil {
		a.MillesimesParVoie = map[string]string{}
	}
	a.summarise()
	a.AnalyseLe = time.Now().UTC()
	a.DureeMs = time.Since(start).Milliseconds()
	return a, nil
}

// summarise computes the staged story and the counts.
func (a *coverageAnswer) summarise() {
	total := len(a.Lignes)
	var byStage [model.NbStages + 1]int
	byOutcome := map[string]int{}
	type acc struct{ lignes, direct, couvertes, sous int }
	voies, niveaux := map[string]*acc{}, map[string]*acc{}
	for _, r := range a.Lignes {
		byStage[model.CoverageStageOf(r.Outcome)]++
		byOutcome[r.Outcome]++
		niv := r.Niveau
		if niv == "" {
			niv = "niveau inconnu"
		}
		for _, g := range []struct {
			m map[string]*acc
			k string
		}{{voies, r.Voie}, {niveaux, niv}} {
			x := g.m[g.k]
			if x == nil {
				x = &acc{}
				g.m[g.k] = x
			}
			x.lignes++
			switch {
			case r.Outcome == model.CouvCouvert:
				x.direct++
				x.couvertes++
			case model.IsCovered(r.Outcome):
				x.couvertes++
			case r.Outcome == model.CouvSousSeuil:
				x.sous++
			}
		}
	}
	cum := 0
	a.Etapes = nil
	for st := model.StageDirect; st <= model.NbStages; st++ {
		cum += byStage[st]
		a.Etapes = append(a.Etapes, coverageStage{Etape: st, Libelle: model.CoverageStageLabel(st), Couvertes: cum,
			Taux: model.CoverageRate(cum, total), Gain: byStage[st], GainTaux: model.CoverageRate(byStage[st], total)})
	}
	a.ParResultat = nil
	for _, o := range model.CoverageOutcomes() {
		a.ParResultat = append(a.ParResultat, coverageCount{Resultat: o, Libelle: model.CoverageOutcomeLabel(o), Nombre: byOutcome[o],
			Taux: model.CoverageRate(byOutcome[o], total)})
	}
	groups := func(m map[string]*acc, order func(a, b string) int) []coverageGroup {
		ks := make([]string, 0, len(m))
		for k := range m {
			ks = append(ks, k)
		}
		slices.SortFunc(ks, order)
		out := []coverageGroup{}
		for _, k := range ks {
			x := m[k]
			out = append(out, coverageGroup{Groupe: k, Lignes: x.lignes, Direct: x.direct, TauxDirect: model.CoverageRate(x.direct, x.lignes),
				Couvertes: x.couvertes, Taux: model.CoverageRate(x.couvertes, x.lignes), SousSeuil: x.sous, TauxSousSeuil: model.CoverageRate(x.sous, x.lignes)})
		}
		return out
	}
	a.ParVoie = groups(voies, func(x, y string) int { return model.VoieOrder(x) - model.VoieOrder(y) })
	a.ParNiveau = groups(niveaux, strings.Compare)
}

// Tables of a result: the same values on the page and in the downloads.

func pctCell(v float64) cell { return cell{Float: &v, Decimals: 1, Unit: "%"} }

func (a *coverageAnswer) stageTable() *dataTable {
	t := &dataTable{ID: "etapes", Caption: "Couverture du catalogue, étape par étape (cumul)",
		Columns: []column{{Key: "etape", Label: "Étape"}, {Key: "couvertes", Label: "Lignes couvertes (cumul)", Numeric: true},
			{Key: "taux", Label: "Taux de couverture (cumul)", Numeric: true}, {Key: "gain", Label: "Lignes gagnées à cette étape", Numeric: true},
			{Key: "gain_points", Label: "Gain (points de pourcentage)", Numeric: true}}}
	for _, e := range a.Etapes {
		h := textCell(fmt.Sprintf("%d. %s", e.Etape, e.Libelle))
		h.Header = true
		t.addRow(false, rowIDs{}, h, numCell(e.Couvertes), pctCell(e.Taux), numCell(e.Gain), cell{Float: ptr(e.GainTaux), Decimals: 1})
	}
	return t
}

func ptr[T any](v T) *T { return &v }

func (a *coverageAnswer) outcomeTable() *dataTable {
	t := &dataTable{ID: "resultats", Caption: "Lignes par résultat",
		Columns: []column{{Key: "resultat", Label: "Résultat"}, {Key: "code", Label: "Code du résultat"},
			{Key: "nombre", Label: "Lignes", Numeric: true}, {Key: "taux", Label: "Part du catalogue", Numeric: true}}}
	for _, o := range a.ParResultat {
		h := textCell(o.Libelle)
		h.Header = true
		t.addRow(false, rowIDs{}, h, textCell(o.Resultat), numCell(o.Nombre), pctCell(o.Taux))
	}
	return t
}

func groupTable(id, caption, first string, gs []coverageGroup, label func(string) string) *dataTable {
	t := &dataTable{ID: id, Caption: caption,
		Columns: []column{{Key: "groupe", Label: first}, {Key: "lignes", Label: "Lignes", Numeric: true},
			{Key: "direct", Label: "Couvertes directement", Numeric: true}, {Key: "taux_direct", Label: "Taux direct", Numeric: true},
			{Key: "couvertes", Label: "Couvertes (toutes étapes)", Numeric: true}, {Key: "taux", Label: "Taux final", Numeric: true},
			{Key: "sous_seuil", Label: "Sous le seuil", Numeric: true}, {Key: "taux_sous_seuil", Label: "Part sous le seuil", Numeric: true}}}
	for _, g := range gs {
		h := textCell(label(g.Groupe))
		h.Header = true
		t.addRow(false, rowIDs{}, h, numCell(g.Lignes), numCell(g.Direct), pctCell(g.TauxDirect), numCell(g.Couvertes), pctCell(g.Taux),
			numCell(g.SousSeuil), pctCell(g.TauxSousSeuil))
	}
	return t
}

// detailColumns are the columns of the detailed table (and of the CSV).
var detailColumns = []column{{Key: "ligne", Label: "Ligne", Numeric: true}, {Key: "id", Label: "Identifiant (catalogue)"},
	{Key: "uai", Label: "UAI"}, {Key: "code", Label: "Code"}, {Key: "type_code", Label: "Type de code"}, {Key: "voie", Label: "Voie"},
	{Key: "libelle", Label: "Libellé (catalogue)"}, {Key: "formation", Label: "Formation"}, {Key: "niveau", Label: "Niveau"},
	{Key: "resultat", Label: "Résultat"}, {Key: "raison", Label: "Raison"}, {Key: "millesime", Label: "Millésime"},
	{Key: "uai_donnees", Label: "UAI des chiffres"}, {Key: "code_donnees", Label: "Code des chiffres"}, {Key: "voie_donnees", Label: "Voie des chiffres"}}

// detailTable is the table of rows [lo, hi) of the result. The BCN label
// and level code go to the downloads only (libelle_bcn, niveau_code), as
// on every data page.
func (a *coverageAnswer) detailTable(lo, hi int) *dataTable {
	t := &dataTable{ID: "detail", Caption: "Résultat ligne par ligne", Columns: detailColumns}
	for _, r := range a.Lignes[lo:hi] {
		t.addRow(r.Demonstration, rowIDs{LibelleBCN: r.LibelleBCN, NiveauCode: r.NiveauCode}, numCell(r.Ligne), textCell(r.ID), textCell(r.UAI), textCell(r.Code), textCell(r.TypeCode),
			textCell(r.Voie), textCell(r.Libelle), textCell(r.Formation), textCell(r.Niveau), textCell(r.Outcome), textCell(r.Reason),
			textCell(r.CoverageResult.Millesime), textCell(r.CoverageResult.UAI), textCell(r.CoverageResult.Code), textCell(r.CoverageResult.Voie))
	}
	return t
}

func (a *coverageAnswer) errorTable() *dataTable {
	t := &dataTable{ID: "erreurs", Caption: "Lignes écartées",
		Columns: []column{{Key: "ligne", Label: "Ligne", Numeric: true}, {Key: "message", Label: "Erreur"}}}
	for _, e := range a.Erreurs {
		t.addRow(false, rowIDs{}, numCell(e.Line), textCell(e.Message))
	}
	return t
}

// export builds the CSV (the detailed table) or the XLSX (every table).
func (a *coverageAnswer) export(b *basePage, f string) (*built, error) {
	detail := a.detailTable(0, len(a.Lignes))
	switch f {
	case "csv":
		body, err := tableCSV(sheetOf(detail))
		if err != nil {
			return nil, err
		}
		return &built{Body: body, ContentType: mimeCSV, Filename: "couverture-catalogue.csv"}, nil
	case "xlsx":
		tables := []*dataTable{detail, a.stageTable(), a.outcomeTable(),
			groupTable("par_voie", "Couverture par voie", "Voie", a.ParVoie, voieLabel),
			groupTable("par_niveau", "Couverture par niveau", "Niveau", a.ParNiveau, func(s string) string { return s })}
		if len(a.Erreurs) > 0 {
			tables = append(tables, a.errorTable())
		}
		sheets := make([]exportSheet, len(tables))
		for i, t := range tables {
			sheets[i] = sheetOf(t)
		}
		body, err := tablesXLSX(sheets, readmeLines(b, sheets, f))
		if err != nil {
			return nil, err
		}
		return &built{Body: body, ContentType: mimeXLSX, Filename: "couverture-catalogue.xlsx"}, nil
	}
	return nil, errBadRequest("format de téléchargement inconnu : csv ou xlsx")
}

// couverturePage is the form and, after a POST, the result.
type couverturePage struct {
	basePage
	Millesimes []string
	Millesime  string
	Pasted     string
	Error      string
	Result     *coverageAnswer
	// Donnees is the catalogue text, sent back by the download and share
	// forms (nothing is stored).
	Donnees                                 string
	Stages, Outcomes, ByVoie, ByNiveau, Det *dataTable
	Errors                                  *dataTable
	Pager                                   *tablePager
	DetailNote                              string
	// Share is set on a shared result.
	Share *coverageShare
	// Duree and Lignes say how long the analysis took, for how many rows.
	Duree string
}

type coverageShare struct {
	URL, Created, Expires string
}

// coverageExportLinks are the downloads of a shared result (its every
// row, whatever the page of the detail shown).
func coverageExportLinks(path string) []exportLink {
	return []exportLink{
		{Format: "csv", Label: "Résultat ligne par ligne en CSV", URL: path + "?format=csv",
			Detail: "toutes les lignes, séparateur point-virgule, avec le libellé BCN de chaque formation"},
		{Format: "xlsx", Label: "Tous les tableaux en Excel (XLSX)", URL: path + "?format=xlsx",
			Detail: "un onglet « À lire », le détail ligne par ligne et un onglet par synthèse"},
		{Format: "json", Label: "JSON", URL: path + "?format=json", Detail: "la réponse complète, comme celle de l'API"},
	}
}

func (p *couverturePage) tables() []*dataTable {
	return []*dataTable{p.Stages, p.Outcomes, p.ByVoie, p.ByNiveau, p.Det}
}

// MillesimeOptions are the choices of the form (« promotions 2021 et
// 2022 (2021_2022) »).
func (p *couverturePage) MillesimeOptions() []option {
	var out []option
	for _, m := range p.Millesimes {
		out = append(out, option{Value: m, Label: millesimeLabels([]string{m}) + " (" + m + ")", Selected: m == p.Millesime})
	}
	return out
}

// RelatedUAINote says why stage 4 finds nothing.
func (p *couverturePage) RelatedUAINote() string {
	if p.Result == nil || p.Result.AutreUAIDisponible {
		return ""
	}
	return "Les données chargées ne relient aucun UAI à un autre (ni rôles gestionnaire, formateur ou lieu de formation, ni UAI successeur) : l'étape « autre UAI » ne peut rien couvrir pour l'instant."
}

// MillesimeLabel is the millésime looked at, per voie.
func (p *couverturePage) MillesimeText() string {
	if p.Result == nil {
		return ""
	}
	if p.Result.Millesime != "" {
		return millesimeLabels([]string{p.Result.Millesime})
	}
	var parts []string
	for _, v := range []string{model.VoieScolaire, model.VoieApprentissage, model.VoieSuperieur} {
		if m := p.Result.MillesimesParVoie[v]; m != "" {
			parts = append(parts, voieLabel(v)+" : "+millesimeLabels([]string{m}))
		}
	}
	return "le plus récent de chaque voie (" + strings.Join(parts, " ; ") + ")"
}

// couvertureForm is GET /couverture.
func (s *Server) couvertureForm(c *fiber.Ctx) error {
	return s.serve(c, func(st dataState) (*built, error) {
		p, err := s.newCouverturePage(c.UserContext(), st)
		if err != nil {
			return nil, err
		}
		return s.htmlPage("pages/couverture", p)
	})
}

func (s *Server) newCouverturePage(ctx context.Context, st dataState) (*couverturePage, error) {
	ms, err := s.store.CoverageMillesimes(ctx)
	if err != nil {
		return nil, err
	}
	p := &couverturePage{Millesimes: ms}
	p.basePage = s.newBase(st, "Analyser la couverture d'un catalogue",
		"Envoyez votre catalogue de formations (UAI et code CFD, MEFSTAT11 ou SISE) : le site dit, ligne par ligne, s'il publie des chiffres d'insertion et pourquoi.",
		"/couverture")
	p.Breadcrumb = []crumb{{Label: "Analyser la couverture d'un catalogue", URL: "/couverture"}}
	return p, nil
}

// coverageRequest is what a POST carries: the catalogue bytes, the
// millésime asked, the text pasted (to fill the form again).
type coverageRequest struct {
	raw       []byte
	millesime string
	pasted    string
}

// readCoverageRequest reads a POST: a multipart or urlencoded form
// (fichier, lignes or donnees; millesime), or, for the API, a raw CSV body.
func readCoverageRequest(c *fiber.Ctx) (*coverageRequest, error) {
	r := &coverageRequest{}
	m := strings.TrimSpace(string(c.Request().URI().QueryArgs().Peek("millesime")))
	ct := strings.ToLower(string(c.Request().Header.ContentType()))
	switch {
	case strings.HasPrefix(ct, "multipart/form-data"):
		form, err := c.MultipartForm()
		if err != nil {
			return nil, errBadRequest("formulaire illisible : " + err.Error())
		}
		if v := form.Value["millesime"]; len(v) > 0 && strings.TrimSpace(v[0]) != "" {
			m = strings.TrimSpace(v[0])
		}
		for _, name := range []string{"fichier", "file"} {
			if fs := form.File[name]; len(fs) > 0 && fs[0].Size > 0 {
				b, err := readPart(fs[0])
				if err != nil {
					return nil, err
				}
				r.raw = b
			}
		}
		if r.raw == nil {
			for _, name := range []string{"lignes", "donnees"} {
				if v := form.Value[name]; len(v) > 0 && strings.TrimSpace(v[0]) != "" {
					r.raw = []byte(v[0])
					r.pasted = strings.Clone(v[0])
					break
				}
			}
		}
	case strings.HasPrefix(ct, "application/x-www-form-urlencoded"):
		if v := strings.TrimSpace(c.FormValue("millesime")); v != "" {
			m = v
		}
		for _, name := range []string{"lignes", "donnees"} {
			if v := c.FormValue(name); strings.TrimSpace(v) != "" {
				r.raw = []byte(v)
				r.pasted = strings.Clone(v)
				break
			}
		}
	default: // text/csv, text/plain or none: the body is the catalogue
		r.raw = bytes.Clone(c.Body())
	}
	if m != "" {
		mm, err := model.ParseMillesime(m)
		if err != nil {
			return r, errCoverageInput(fmt.Sprintf("Millésime %s invalide : %v.", quoteParam(m), err))
		}
		r.millesime = mm.String()
	}
	r.millesime = strings.Clone(r.millesime)
	return r, nil
}

func readPart(fh *multipart.FileHeader) ([]byte, error) {
	f, err := fh.Open()
	if err != nil {
		return nil, errBadRequest("fichier illisible : " + err.Error())
	}
	defer f.Close()
	return io.ReadAll(f)
}

// runCoverage reads, parses and analyses the catalogue of a POST.
func (s *Server) runCoverage(c *fiber.Ctx) (*coverageRequest, *coverageAnswer, dataState, error) {
	st, err := s.state(c.UserContext())
	if err != nil {
		return nil, nil, st, err
	}
	req, err := readCoverageRequest(c)
	if err != nil {
		return req, nil, st, err
	}
	if len(bytes.TrimSpace(req.raw)) == 0 {
		return req, nil, st, errCoverageInput("Aucun catalogue reçu : choisissez un fichier CSV ou collez des lignes « uai;code ».")
	}
	in, err := parseCoverage(req.raw)
	if err != nil {
		return req, nil, st, err
	}
	if len(in.Rows) == 0 {
		e := errCoverageInput(fmt.Sprintf("Aucune ligne valide dans le catalogue (%s écartées) : corrigez les erreurs ci-dessous.", formatInt(in.NbErrors)))
		e.Details = map[string]any{"erreurs": in.Errors}
		return req, nil, st, e
	}
	// A catalogue of 50,000 rows takes seconds, more on a busy machine:
	// the analysis has its own deadline, beyond REQUEST_TIMEOUT (each
	// statement keeps STATEMENT_TIMEOUT).
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.UserContext()), coverageTimeout)
	defer cancel()
	a, err := s.analyseCoverage(ctx, in, req.millesime, st.Version)
	return req, a, st, err
}

// couverturePost is POST /couverture: the result page is the answer.
func (s *Server) couverturePost(c *fiber.Ctx) error {
	req, a, st, err := s.runCoverage(c)
	if err != nil {
		var he *httpError
		if !errors.As(err, &he) || he.Status != 422 && he.Status != 400 {
			return err
		}
		// The form again, with the error and what was pasted.
		p, perr := s.newCouverturePage(c.UserContext(), st)
		if perr != nil {
			return err
		}
		p.Error = he.Message
		if req != nil {
			p.Pasted, p.Millesime = cutRunes(req.pasted, 200_000), req.millesime
		}
		if es, ok := he.Details["erreurs"].([]coverageLineError); ok && len(es) > 0 {
			p.Errors = (&coverageAnswer{Erreurs: es}).errorTable()
		}
		p.NoIndex = true
		return s.sendPage(c, 422, p)
	}
	p, err := s.newCouverturePage(c.UserContext(), st)
	if err != nil {
		return err
	}
	p.Millesime = req.millesime
	p.Donnees = string(req.raw)
	s.fillResult(p, a, 0)
	return s.sendPage(c, fiber.StatusOK, p)
}

// fillResult puts a result on the page: the summary tables and, from
// page (0 = the answer to the POST: the first coverageDetailRows rows),
// the detail.
func (s *Server) fillResult(p *couverturePage, a *coverageAnswer, page int) {
	p.Result = a
	p.Title = "Couverture du catalogue : résultat"
	p.NoIndex = true
	p.Stages, p.Outcomes = a.stageTable(), a.outcomeTable()
	p.ByVoie = groupTable("par_voie", "Couverture par voie", "Voie", a.ParVoie, voieLabel)
	p.ByNiveau = groupTable("par_niveau", "Couverture par niveau de diplôme", "Niveau", a.ParNiveau, func(s string) string { return s })
	if len(a.Erreurs) > 0 {
		p.Errors = a.errorTable()
	}
	p.Duree = durationText(a.DureeMs)
	n := len(a.Lignes)
	if page == 0 {
		hi := min(n, coverageDetailRows)
		p.Det = a.detailTable(0, hi)
		if hi < n {
			p.DetailNote = fmt.Sprintf("Le tableau montre les %s premières lignes sur %s : toutes sont dans les téléchargements, et un lien de partage les affiche page par page.",
				formatInt(hi), formatInt(n))
		}
		return
	}
	p.Det = a.detailTable(0, n)
	p.Pager = p.Det.paginate(page, coveragePerPage, p.Path)
}

func durationText(ms int64) string {
	if ms < 1000 {
		return fmt.Sprintf("%d ms", ms)
	}
	return strings.Replace(fmt.Sprintf("%.1f s", float64(ms)/1000), ".", ",", 1)
}

// sendPage renders a page that is not cached (a POST's answer, a shared
// result).
func (s *Server) sendPage(c *fiber.Ctx, status int, p page) error {
	b, err := s.htmlPage("pages/couverture", p)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderContentType, b.ContentType)
	return c.Status(status).Send(b.Body)
}

// couvertureDownload is POST /couverture/telechargement: the result of
// the catalogue sent back by the result page, as CSV or XLSX.
func (s *Server) couvertureDownload(c *fiber.Ctx) error {
	f := strings.ToLower(strings.TrimSpace(c.FormValue("format")))
	if f != "csv" && f != "xlsx" {
		return errBadRequest("format de téléchargement inconnu : csv ou xlsx")
	}
	f = strings.Clone(f)
	_, a, st, err := s.runCoverage(c)
	if err != nil {
		return err
	}
	b := s.newBase(st, "Couverture du catalogue", "", "/couverture")
	out, err := a.export(&b, f)
	if err != nil {
		return err
	}
	return sendDownload(c, out)
}

func sendDownload(c *fiber.Ctx, b *built) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderContentType, b.ContentType)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+b.Filename+`"`)
	return c.Send(b.Body)
}

// couvertureShare is POST /couverture/partage: the result is stored
// (compressed) under a random id and the visitor sent to its page.
func (s *Server) couvertureShare(c *fiber.Ctx) error {
	_, a, _, err := s.runCoverage(c)
	if err != nil {
		return err
	}
	id, err := newShareID()
	if err != nil {
		return err
	}
	data, err := compressAnswer(a)
	if err != nil {
		return err
	}
	ctx := c.UserContext()
	if err := s.store.SaveCoverageShare(ctx, id, data, a.NbAnalysees, time.Now().Add(coverageShareTTL)); err != nil {
		return err
	}
	// Expired links are deleted as new ones are made.
	if _, err := s.store.PurgeCoverageShares(ctx, time.Now()); err != nil {
		s.log.Warn("purge of coverage shares failed", "err", err)
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Redirect("/couverture/"+id, fiber.StatusSeeOther)
}

// newShareID is 128 random bits, base64url (22 characters).
func newShareID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

func compressAnswer(a *coverageAnswer) ([]byte, error) {
	var buf bytes.Buffer
	z, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	if err := json.NewEncoder(z).Encode(a); err != nil {
		return nil, err
	}
	if err := z.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func decompressAnswer(b []byte) (*coverageAnswer, error) {
	z, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	defer z.Close()
	a := &coverageAnswer{}
	if err := json.NewDecoder(z).Decode(a); err != nil {
		return nil, err
	}
	return a, nil
}

// errShareUnknown and errShareExpired answer a shared link that is not
// (or no longer) there.
var errShareUnknown = errNotFound("lien_inconnu",
	"Ce lien de partage n'existe pas ou a expiré et été supprimé. Relancez l'analyse du catalogue depuis la page « Analyser la couverture d'un catalogue » (/couverture).")

func errShareExpired(at time.Time) *httpError {
	return &httpError{Status: fiber.StatusGone, Code: "lien_expire", Heading: "Lien de partage expiré",
		Message: "Ce lien de partage a expiré le " + frenchDate(at) + " : les résultats partagés sont gardés " +
			fmt.Sprintf("%d jours", int(coverageShareTTL.Hours()/24)) + ". Relancez l'analyse du catalogue depuis la page « Analyser la couverture d'un catalogue » (/couverture)."}
}

// couvertureShared is GET /couverture/:id: a stored result, its detail
// page by page, ?format=csv|xlsx|json.
func (s *Server) couvertureShared(c *fiber.Ctx) error {
	id := strings.Clone(c.Params("id"))
	if len(id) != 22 || strings.Trim(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
		return errShareUnknown
	}
	f, err := format(c)
	if err != nil {
		return err
	}
	page, err := pageParam(c, "page")
	if err != nil {
		return err
	}
	data, created, expires, err := s.store.CoverageShare(c.UserContext(), id)
	if errors.Is(err, model.ErrNotFound) {
		return errShareUnknown
	}
	if err != nil {
		return err
	}
	if time.Now().After(expires) {
		return errShareExpired(expires)
	}
	a, err := decompressAnswer(data)
	if err != nil {
		return fmt.Errorf("lien de partage %s illisible : %w", id, err)
	}
	st, err := s.state(c.UserContext())
	if err != nil {
		return err
	}
	path := "/couverture/" + id
	switch f {
	case "json":
		c.Set(fiber.HeaderCacheControl, "no-store")
		return c.JSON(a)
	case "csv", "xlsx":
		b := s.newBase(st, "Couverture du catalogue (résultat partagé)", "", path)
		out, err := a.export(&b, f)
		if err != nil {
			return err
		}
		return sendDownload(c, out)
	}
	p, err := s.newCouverturePage(c.UserContext(), st)
	if err != nil {
		return err
	}
	p.Path = path
	p.Breadcrumb = []crumb{{Label: "Analyser la couverture d'un catalogue", URL: "/couverture"}, {Label: "Résultat partagé"}}
	p.Share = &coverageShare{URL: s.cfg.BaseURL + path, Created: frenchDate(created), Expires: frenchDate(expires)}
	p.Exports = coverageExportLinks(path)
	s.fillResult(p, a, page)
	p.Title = "Couverture du catalogue : résultat partagé"
	return s.sendPage(c, fiber.StatusOK, p)
}

// apiCouverture is POST /api/v1/couverture: the JSON answer.
func (s *Server) apiCouverture(c *fiber.Ctx) error {
	_, a, _, err := s.runCoverage(c)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(a)
}

// coveragePOST lists the routes that take a catalogue.
var coveragePOST = map[string]bool{"/couverture": true, "/couverture/telechargement": true, "/couverture/partage": true, "/api/v1/couverture": true}
