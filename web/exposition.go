package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// The Exposition-compatible API: the public read routes of the Exposition
// InserJeunes API (/api/inserjeunes/…), same paths, parameters and JSON
// shapes as its OpenAPI document, so that a partner moves by changing a
// base URL. The vocabulary mapping is internal/model/exposition.go; the
// figures are our disclosed ones. Public, no key, under our rate limit.

// expoPrefix is the path prefix of the compatible routes.
const expoPrefix = "/api/inserjeunes/"

// The partner's 404 messages (its document and code).
const (
	expoCertificationInconnue = "Certification inconnue"
	expoFormationInconnue     = "Formation inconnue"
	expoEtablissementInconnu  = "Etablissement inconnu"
	expoPasDeDonnees          = "Pas de données disponibles"
	expoPasDeMillesime        = "Pas de données pour le millésime"
	expoDonneesNonDisponibles = "Données non disponibles"
)

// expoError is the partner's error body: {statusCode, error, message, data}.
type expoError struct {
	StatusCode int            `json:"statusCode"`
	Error      string         `json:"error"`
	Message    string         `json:"message"`
	Data       map[string]any `json:"data,omitempty"`
}

// expoErrorBody renders an httpError (decided by asHTTPError, as every
// error) in the partner's shape: the French message, and for a missing
// millésime data {millesime, millesimesDisponible}.
func expoErrorBody(e *httpError) expoError {
	b := expoError{StatusCode: e.Status, Error: expoStatusText(e.Status), Message: e.Message}
	if ms, ok := e.Details["millesimes"].([]string); ok {
		b.Data = map[string]any{"millesimesDisponible": ms}
		if m, ok := e.Details["millesime"].(string); ok {
			b.Data["millesime"] = m
		}
	}
	return b
}

func expoStatusText(status int) string {
	switch status {
	case fiber.StatusBadRequest:
		return "Bad Request"
	case fiber.StatusNotFound:
		return "Not Found"
	case fiber.StatusTooManyRequests:
		return "Too Many Requests"
	case fiber.StatusServiceUnavailable:
		return "Service Unavailable"
	}
	return fiber.ErrInternalServerError.Message
}

// isExpoPath reports whether a path is one of the compatible routes.
func isExpoPath(path string) bool { return strings.HasPrefix(path, expoPrefix) }

// expoNotFound is a 404 with the partner's message; millesimes, when not
// nil, are the millésimes that do exist (« Pas de données pour le
// millésime »).
func expoNotFound(msg, millesime string, millesimes []string) *httpError {
	e := errNotFound("introuvable", msg)
	if millesimes != nil {
		e.Code = model.StatutMillesimeAbsent
		e.Details = map[string]any{"millesimes": model.SortMillesimes(millesimes), "millesime": millesime}
	}
	return e
}

// expoBadRequest is the partner's validation error (400).
func expoBadRequest(format string, args ...any) *httpError {
	return errBadRequest("Erreur de validation : " + fmt.Sprintf(format, args...))
}

// expoAsNotFound turns the store's reasons into the partner's messages
// (code unknown → msgCode, UAI unknown → « Etablissement inconnu »,
// formation not taught there → « Formation inconnue »).
func expoAsNotFound(err error, msgCode string) error {
	var nf *model.NotFoundError
	if !errors.As(err, &nf) {
		return err
	}
	switch nf.Statut {
	case model.StatutUAIInconnu:
		return expoNotFound(expoEtablissementInconnu, "", nil)
	case model.StatutNonDispensee:
		return expoNotFound(expoFormationInconnue, "", nil)
	}
	return expoNotFound(msgCode, "", nil)
}

// expoJSON answers c with the JSON of build through the page cache, with
// the partner's CORS header (a public read API).
func (s *Server) expoJSON(c *fiber.Ctx, build func(ctx context.Context) (any, error)) error {
	c.Set(fiber.HeaderAccessControlAllowOrigin, "*")
	return s.apiJSON(c, build)
}

// pathParam reads a route parameter, unescaped (CFD%3A… is CFD:…) and
// copied.
func pathParam(c *fiber.Ctx, name string) string {
	raw := c.Params(name)
	if v, err := url.PathUnescape(raw); err == nil {
		raw = v
	}
	return strings.Clone(raw)
}

// cutExt splits a trailing .svg / .json / .csv off a path parameter.
func cutExt(v string) (string, string) {
	for _, ext := range []string{".svg", ".json", ".csv"} {
		if strings.HasSuffix(strings.ToLower(v), ext) {
			return v[:len(v)-len(ext)], ext[1:]
		}
	}
	return v, ""
}

// expoMillesimeParam reads ?millesime (one millésime, year or period).
func expoMillesimeParam(c *fiber.Ctx) (string, error) {
	m := strings.Clone(strings.TrimSpace(c.Query("millesime")))
	if m == "" {
		return "", nil
	}
	if _, err := model.ExpoMillesimes(m); err != nil {
		return "", expoBadRequest("le millésime %s n'est pas valide (exemples : 2024, 2023_2024)", quoteParam(m))
	}
	return m, nil
}

// expoDates returns the import date of each run (for _meta.date_import).
func (s *Server) expoDates(ctx context.Context) (map[int64]string, error) {
	return s.store.ImportDates(ctx)
}

// expoMeta builds _meta.
func expoMeta(dates map[int64]string, src model.Source, titre, details string, stats *model.ExpoStats) model.ExpoMeta {
	return model.ExpoMeta{DateImport: dates[src.ImportRun], Titre: titre, Details: details, Messages: stats.Messages()}
}

// expoVoieOf is the voie of a single code: a MEFSTAT11 keys voie
// scolaire figures, a CFD apprenticeship ones, a SISE InserSup ones.
func expoVoieOf(k model.CodeKind) string {
	switch k {
	case model.KindMEFSTAT11:
		return model.VoieScolaire
	case model.KindSISE:
		return model.VoieSuperieur
	}
	return model.VoieApprentissage
}

// expoPickFigure picks, of figs, the figure of voie for the requested
// millésime (the latest when empty); a 404 lists the millésimes that
// exist.
func expoPickFigure(figs []model.FormationFigure, voie, millesime string) (*model.FormationFigure, error) {
	var avail []string
	for _, f := range figs {
		if f.Voie == voie && !model.IsAbsence(f.Statut) {
			avail = append(avail, f.Millesime)
		}
	}
	m, ok, err := model.ExpoPick(avail, millesime)
	if err != nil {
		return nil, expoBadRequest("%v", err)
	}
	if !ok {
		return nil, expoNotFound(expoPasDeMillesime, millesime, append([]string{}, avail...))
	}
	for i := range figs {
		if figs[i].Voie == voie && figs[i].Millesime == m {
			return &figs[i], nil
		}
	}
	return nil, expoNotFound(expoPasDeMillesime, millesime, avail)
}

// expoCertificationOf maps one figure of a formation.
func expoCertificationOf(f *model.Formation, fig *model.FormationFigure, region *model.Territoire, dates map[int64]string) model.ExpoCertification {
	out := model.ExpoCertification{ExpoIdentity: model.ExpoIdentityOf(f, fig.Millesime, fig.Voie), ExpoStats: model.ExpoFromFigure(&fig.Figure),
		Region: region}
	src := model.ExpoSource(f.Code, out.Libelle, fig.SourceContinuum)
	out.DonneeSource = &src
	out.Demonstration = fig.Demonstration
	titre := "Certification " + f.Code
	details := fmt.Sprintf("Données InserJeunes pour la certification %s (%s filière %s), pour le millésime %s", f.Code, f.Niveau, out.Filiere, fig.Millesime)
	if region != nil {
		titre += ", région " + region.Nom
		details = fmt.Sprintf("Données InserJeunes pour la certification %s (%s filière %s) dans la région %s, pour le millésime %s", f.Code, f.Niveau, out.Filiere, region.Nom, fig.Millesime)
	}
	out.Meta = expoMeta(dates, fig.Source, titre, details, &out.ExpoStats)
	return out
}

// expoSupCertificationOf maps an InserSup headline figure.
func expoSupCertificationOf(f *model.Formation, fig *model.InserSupFigure, dates map[int64]string) model.ExpoCertification {
	out := model.ExpoCertification{ExpoIdentity: model.ExpoIdentityOf(f, fig.Millesime, model.VoieSuperieur), ExpoStats: model.ExpoFromSupFigure(&fig.SupFigure)}
	out.CodeCertification = "SISE:" + f.Code
	src := model.ExpoSource(out.CodeCertification, out.Libelle, nil)
	out.DonneeSource = &src
	out.Demonstration = fig.Demonstration
	out.Meta = expoMeta(dates, fig.Source, "Certification "+out.CodeCertification,
		fmt.Sprintf("Données InserSup pour la certification %s (%s), pour le millésime %s", f.Code, f.Niveau, fig.Millesime), &out.ExpoStats)
	return out
}

// expoCertification answers GET /api/inserjeunes/certifications/{code}
// (one code: a Certification; several codes or vue=filieres: the filière
// view), and its .svg variant.
func (s *Server) expoCertification(c *fiber.Ctx) error {
	raw, ext := cutExt(pathParam(c, "codes"))
	millesime, err := expoMillesimeParam(c)
	if err != nil {
		return err
	}
	codes, err := model.ParseExpoCodes(raw)
	if err != nil || len(codes) == 0 {
		return expoBadRequest("code de certification %s invalide : %v", quoteParam(raw), err)
	}
	if ext == "svg" {
		return expoNotFound(expoDonneesNonDisponibles, "", nil)
	}
	if ext != "" {
		return expoNotFound(expoCertificationInconnue, "", nil)
	}
	vue := c.Query("vue")
	if vue != "" && vue != "filieres" {
		return expoBadRequest("le paramètre « vue » vaut %s ; valeur possible : filieres", quoteParam(vue))
	}
	if len(codes) > 1 || vue == "filieres" {
		return s.expoFilieres(c, codes, "", millesime)
	}
	code := codes[0]
	return s.expoJSON(c, func(ctx context.Context) (any, error) {
		dates, err := s.expoDates(ctx)
		if err != nil {
			return nil, err
		}
		if code.Kind == model.KindSISE {
			d, err := s.store.FormationSupDetail(ctx, code.Code)
			if err != nil {
				return nil, expoAsNotFound(err, expoCertificationInconnue)
			}
			fig, err := expoPickSup(d.National, millesime)
			if err != nil {
				return nil, err
			}
			return expoSupCertificationOf(&d.Formation, fig, dates), nil
		}
		d, err := s.store.FormationFigures(ctx, code.Code)
		if err != nil {
			return nil, expoAsNotFound(err, expoCertificationInconnue)
		}
		fig, err := expoPickFigure(d.National, expoVoieOf(code.Kind), millesime)
		if err != nil {
			return nil, err
		}
		return expoCertificationOf(&d.Formation, fig, nil, dates), nil
	})
}

// expoPickSup picks the headline InserSup figure of the requested
// millésime (the latest when empty).
func expoPickSup(figs []model.InserSupFigure, millesime string) (*model.InserSupFigure, error) {
	var avail []string
	for _, f := range figs {
		if f.IsHeadline() && !model.IsAbsence(f.Statut) {
			avail = append(avail, f.Millesime)
		}
	}
	m, ok, err := model.ExpoPick(avail, millesime)
	if err != nil {
		return nil, expoBadRequest("%v", err)
	}
	for i := range figs {
		if ok && figs[i].IsHeadline() && figs[i].Millesime == m {
			return &figs[i], nil
		}
	}
	return nil, expoNotFound(expoPasDeMillesime, millesime, append([]string{}, avail...))
}

// expoFilieres answers the filière view (national, or one région).
func (s *Server) expoFilieres(c *fiber.Ctx, codes []model.ExpoCode, region, millesime string) error {
	var list []string
	for _, k := range codes {
		if k.Kind == model.KindSISE {
			return expoBadRequest("la vue par filière ne prend pas de code SISE")
		}
		list = append(list, k.Code)
	}
	return s.expoJSON(c, func(ctx context.Context) (any, error) {
		dates, err := s.expoDates(ctx)
		if err != nil {
			return nil, err
		}
		ff, err := s.store.Filieres(ctx, list, region)
		if err != nil {
			msg := expoCertificationInconnue
			if region != "" {
				msg = expoFormationInconnue
			}
			return nil, expoAsNotFound(err, msg)
		}
		var avail []string
		for _, f := range ff.Figures {
			if f.Voie != model.VoieSuperieur && !model.IsAbsence(f.Statut) {
				avail = append(avail, f.Millesime)
			}
		}
		m, ok, err := model.ExpoPick(avail, millesime)
		if err != nil {
			return nil, expoBadRequest("%v", err)
		}
		if !ok {
			if region != "" && len(avail) == 0 {
				return nil, expoNotFound(expoPasDeDonnees, "", nil)
			}
			return nil, expoNotFound(expoPasDeMillesime, millesime, avail)
		}
		out := map[string]model.ExpoFiliereView{}
		for i := range ff.Figures {
			fig := &ff.Figures[i]
			if fig.Millesime != m || fig.Voie == model.VoieSuperieur {
				continue
			}
			out[model.ExpoFiliere(fig.Voie)] = expoFiliereOf(ff.Formations, list, fig, region, dates)
		}
		return out, nil
	})
}

// expoFiliereOf maps one voie of the filière view.
func expoFiliereOf(fs []model.Formation, codes []string, fig *model.FormationFigure, region string, dates map[int64]string) model.ExpoFiliereView {
	v := model.ExpoFiliereView{Millesime: fig.Millesime, CodesCertifications: codes, Filiere: model.ExpoFiliere(fig.Voie),
		ExpoStats: model.ExpoFromFigure(&fig.Figure), Demonstration: fig.Demonstration, CodesFormationDiplome: []string{}}
	for _, f := range fs {
		if f.CFD != "" {
			v.CodesFormationDiplome = append(v.CodesFormationDiplome, f.CFD)
		}
	}
	if len(fs) == 1 {
		id := model.ExpoIdentityOf(&fs[0], fig.Millesime, fig.Voie)
		v.CodeFormationDiplome, v.Libelle, v.LibelleAncien, v.Diplome, v.DateFermeture = id.CodeFormationDiplome, id.Libelle, id.LibelleAncien, id.Diplome, id.DateFermeture
		fermee := id.FormationFermee
		v.FormationFermee = &fermee
	}
	titre := "Certifications " + strings.Join(codes, ", ")
	if region != "" {
		t := regionTerritoire(region)
		v.Region = &t
		titre += ", région " + t.Nom
	}
	v.Meta = expoMeta(dates, fig.Source, titre, fmt.Sprintf("Données InserJeunes agrégées pour la filière %s, pour le millésime %s", v.Filiere, fig.Millesime), &v.ExpoStats)
	return v
}

// regionTerritoire is a région {code, nom} from its INSEE code.
func regionTerritoire(code string) model.Territoire {
	t := model.Territoire{Code: code}
	if r, ok := model.RegionByCode(code); ok {
		t.Nom = r.Nom
	}
	return t
}

// expoRegion reads a région: an INSEE code, or a postal code (the
// partner's API climbs to its région).
func (s *Server) expoRegion(ctx context.Context, raw string) (string, error) {
	if _, ok := model.RegionByCode(raw); ok {
		return raw, nil
	}
	if dep, ok := model.ExpoDepartementOfPostalCode(raw); ok {
		r, err := s.store.RegionOfDepartement(ctx, dep)
		if err != nil {
			return "", err
		}
		if r != "" {
			return r, nil
		}
	}
	return "", expoBadRequest("région %s inconnue : un code INSEE de région (ex. 84) ou un code postal est attendu", quoteParam(raw))
}

// expoRegionale answers GET
// /api/inserjeunes/regionales/{code_region}/certifications/{code}.
func (s *Server) expoRegionale(c *fiber.Ctx) error {
	raw, ext := cutExt(pathParam(c, "codes"))
	regionRaw := pathParam(c, "region")
	millesime, err := expoMillesimeParam(c)
	if err != nil {
		return err
	}
	codes, err := model.ParseExpoCodes(raw)
	if err != nil || len(codes) == 0 {
		return expoBadRequest("code de certification %s invalide : %v", quoteParam(raw), err)
	}
	region, err := s.expoRegion(c.UserContext(), regionRaw)
	if err != nil {
		return err
	}
	if ext == "svg" {
		return expoNotFound(expoDonneesNonDisponibles, "", nil)
	}
	if ext != "" {
		return expoNotFound(expoFormationInconnue, "", nil)
	}
	vue := c.Query("vue")
	if vue != "" && vue != "filieres" {
		return expoBadRequest("le paramètre « vue » vaut %s ; valeur possible : filieres", quoteParam(vue))
	}
	if len(codes) > 1 || vue == "filieres" {
		return s.expoFilieres(c, codes, region, millesime)
	}
	code := codes[0]
	if code.Kind == model.KindSISE {
		return expoBadRequest("les chiffres régionaux InserSup ne sont pas servis par cette route (code SISE)")
	}
	return s.expoJSON(c, func(ctx context.Context) (any, error) {
		dates, err := s.expoDates(ctx)
		if err != nil {
			return nil, err
		}
		d, err := s.store.FormationFigures(ctx, code.Code)
		if err != nil {
			return nil, expoAsNotFound(err, expoFormationInconnue)
		}
		var figs []model.FormationFigure
		for _, b := range d.Regions {
			if b.Region.Code == region {
				figs = b.Chiffres
			}
		}
		voie := expoVoieOf(code.Kind)
		has := false
		for _, f := range figs {
			has = has || f.Voie == voie
		}
		if !has {
			return nil, expoNotFound(expoPasDeDonnees, "", nil)
		}
		fig, err := expoPickFigure(figs, voie, millesime)
		if err != nil {
			return nil, err
		}
		t := regionTerritoire(region)
		return expoCertificationOf(&d.Formation, fig, &t, dates), nil
	})
}

// uaiPattern is the partner's UAI pattern (checked before our check letter).
var uaiPattern = regexp.MustCompile(`^[0-9]{7}[A-Z]$`)

// expoFormation answers GET /api/inserjeunes/formations/{uai}-{code}
// and its .svg variant (our badge of the pair).
func (s *Server) expoFormation(c *fiber.Ctx) error {
	raw, ext := cutExt(pathParam(c, "pair"))
	uai, codeRaw, ok := strings.Cut(raw, "-")
	if !ok || !uaiPattern.MatchString(uai) {
		return expoBadRequest("%s : l'adresse attendue est /api/inserjeunes/formations/{uai}-{code_certification} (UAI : 7 chiffres et une lettre majuscule)", quoteParam(raw))
	}
	code, err := model.ParseExpoCode(codeRaw)
	if err != nil {
		return expoBadRequest("code de certification %s invalide : %v", quoteParam(codeRaw), err)
	}
	millesime, err := expoMillesimeParam(c)
	if err != nil {
		return err
	}
	if _, err := model.NormalizeUAI(uai); err != nil {
		return expoNotFound(expoEtablissementInconnu, "", nil)
	}
	switch ext {
	case "svg":
		return s.expoFormationSVG(c, uai, code, millesime)
	case "":
	default:
		return expoNotFound(expoFormationInconnue, "", nil)
	}
	return s.expoJSON(c, func(ctx context.Context) (any, error) {
		dates, err := s.expoDates(ctx)
		if err != nil {
			return nil, err
		}
		return s.expoFormationObject(ctx, uai, code, millesime, dates)
	})
}

// expoFormationObject builds the Formation object of a pair.
func (s *Server) expoFormationObject(ctx context.Context, uai string, code model.ExpoCode, millesime string, dates map[int64]string) (*model.ExpoFormation, error) {
	if code.Kind == model.KindSISE {
		d, err := s.store.EtablissementSup(ctx, uai, code.Code)
		if err != nil {
			return nil, expoAsNotFound(err, expoFormationInconnue)
		}
		var figs []model.InserSupFigure
		for _, r := range d.Chiffres {
			figs = append(figs, r.Etablissement)
		}
		fig, err := expoPickSup(figs, millesime)
		if err != nil {
			return nil, err
		}
		out := &model.ExpoFormation{UAI: uai, LibelleEtablissement: d.Etablissement.Nom,
			ExpoIdentity: model.ExpoIdentityOf(&d.Formation, fig.Millesime, model.VoieSuperieur),
			ExpoStats:    model.ExpoFromSupFigure(&fig.SupFigure), Region: d.Etablissement.Region}
		out.CodeCertification = "SISE:" + d.Formation.Code
		expoFinishFormation(out, &d.Etablissement, model.VoieSuperieur, nil, fig.Demonstration)
		out.Meta = expoMeta(dates, fig.Source, "Certification "+out.CodeCertification+", établissement "+uai,
			fmt.Sprintf("Données InserSup pour la certification %s dispensée par l'établissement %s, pour le millésime %s", d.Formation.Code, uai, fig.Millesime), &out.ExpoStats)
		return out, nil
	}
	d, err := s.store.EtablissementFormation(ctx, uai, code.Code)
	if err != nil {
		return nil, expoAsNotFound(err, expoFormationInconnue)
	}
	voie := expoVoieOf(code.Kind)
	var figs []model.FormationFigure
	for _, r := range d.Chiffres {
		figs = append(figs, r.Etablissement)
	}
	has := false
	for _, f := range figs {
		has = has || (f.Voie == voie && !model.IsAbsence(f.Statut))
	}
	if !has {
		return nil, expoNotFound(expoFormationInconnue, "", nil)
	}
	fig, err := expoPickFigure(figs, voie, millesime)
	if err != nil {
		return nil, err
	}
	out := &model.ExpoFormation{UAI: uai, LibelleEtablissement: d.Etablissement.Nom,
		ExpoIdentity: model.ExpoIdentityOf(&d.Formation, fig.Millesime, fig.Voie),
		ExpoStats:    model.ExpoFromFigure(&fig.Figure), Region: d.Etablissement.Region}
	expoFinishFormation(out, &d.Etablissement, voie, fig.SourceContinuum, fig.Demonstration)
	out.Meta = expoMeta(dates, fig.Source, "Certification "+d.Formation.Code+", établissement "+uai,
		fmt.Sprintf("Données InserJeunes pour la certification %s (%s filière %s) dispensée par l'établissement %s, pour le millésime %s",
			d.Formation.Code, d.Formation.Niveau, out.Filiere, uai, fig.Millesime), &out.ExpoStats)
	return out, nil
}

func expoFinishFormation(out *model.ExpoFormation, et *model.Etablissement, voie string, sc *model.SourceContinuum, demo bool) {
	if et.Academie.Code != "" {
		a := et.Academie
		out.Academie = &a
	}
	src := model.ExpoSource(out.CodeCertification, out.Libelle, sc)
	out.DonneeSource = &src
	out.Demonstration = demo
	out.UAIType = model.ExpoUAIType(voie)
	out.UAIDonnee, out.UAIDonneeType = out.UAI, out.UAIType
}

// expoFormationSVG answers the .svg variant of a pair with our badge of
// the same pair (a redirect keeps one drawing): theme and the partner's
// imageOnError are translated; certifications and régions have no badge
// (404 « Données non disponibles »).
func (s *Server) expoFormationSVG(c *fiber.Ctx, uai string, code model.ExpoCode, millesime string) error {
	if code.Kind == model.KindSISE {
		return expoNotFound(expoDonneesNonDisponibles, "", nil)
	}
	q := url.Values{}
	q.Set("voie", expoVoieOf(code.Kind))
	if millesime != "" {
		if ms, err := model.ExpoMillesimes(millesime); err == nil {
			for _, m := range ms {
				if strings.Contains(m, "_") {
					q.Set("millesime", m)
				}
			}
		}
	}
	switch c.Query("imageOnError") {
	case "", "false":
	case "true", "empty":
		q.Set("si_indisponible", "image")
	default:
		return expoBadRequest("le paramètre « imageOnError » vaut %s ; valeurs possibles : true, false, empty", quoteParam(c.Query("imageOnError")))
	}
	c.Set(fiber.HeaderAccessControlAllowOrigin, "*")
	return c.Redirect("/badges/etablissements/"+uai+"/formations/"+code.Code+".svg?"+q.Encode(), fiber.StatusFound)
}

// expoParamsSingle are the query parameters of the single routes.
var expoParamsSingle = []string{"millesime", "vue", "direction", "theme", "imageOnError"}

// expoParamsList are the query parameters of the list routes.
var expoParamsList = []string{"millesimes", "code_certifications", "regions", "academies", "uais", "page", "items_par_page"}

// expoMarshal is json.Marshal (kept beside the CSV writer for tests).
func expoMarshal(v any) ([]byte, error) { return json.Marshal(v) }
