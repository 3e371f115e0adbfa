package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
	"github.com/vitrine-inserjeunes/vitrine/internal/store"
)

// The list routes of the Exposition-compatible API (certifications,
// regionales, formations, with .json and .csv): the partner keeps them
// behind a key; here they are public, under our rate limit. Items are our
// own figures (donnee_source.type self): a figure borrowed through the
// continuum is served by the single routes.

// expoMaxItems bounds items_par_page (the partner has no bound): each item is computed as its single route computes it (about 0.15 s uncached on a loaded 2-core machine), so a page stays well within REQUEST_TIMEOUT.
const expoMaxItems = 50

// expoPagination is the pagination object. The document types page as a
// string; items_par_page is the partner's code's own key, kept too.
type expoPagination struct {
	Page             string `json:"page"`
	ResultatsParPage int    `json:"resultats_par_page"`
	ItemsParPage     int    `json:"items_par_page"`
	NombreDePage     int    `json:"nombre_de_page"`
	Total            int    `json:"total"`
}

// expoListParams reads the parameters shared by the list routes.
func (s *Server) expoListParams(c *fiber.Ctx) (store.ExpoFilter, int, error) {
	var f store.ExpoFilter
	page, err := intParam(c, "page", 1, 1, maxPageParam)
	if err != nil {
		return f, 0, err
	}
	per, err := intParam(c, "items_par_page", 10, 1, expoMaxItems)
	if err != nil {
		return f, 0, err
	}
	f.Limit, f.Offset = per, (page-1)*per
	if v := c.Query("code_certifications"); v != "" {
		codes, err := model.ParseExpoCodes(v)
		if err != nil {
			return f, 0, expoBadRequest("code_certifications : %v", err)
		}
		f.Codes = []string{}
		for _, k := range codes {
			if k.Kind == model.KindSISE {
				return f, 0, expoBadRequest("les listes ne servent pas encore les codes SISE : interrogez /api/inserjeunes/certifications/SISE:%s", k.Code)
			}
			f.Codes = append(f.Codes, k.Code)
		}
	}
	if v := c.Query("millesimes"); v != "" {
		ms, err := model.ExpoMillesimeList(v)
		if err != nil {
			return f, 0, expoBadRequest("millesimes : %v", err)
		}
		f.Millesimes = ms
	}
	if v := c.Query("regions"); v != "" {
		f.Regions = []string{}
		for _, r := range strings.Split(v, ",") {
			code, err := s.expoRegion(c.UserContext(), strings.TrimSpace(r))
			if err != nil {
				return f, 0, err
			}
			f.Regions = append(f.Regions, code)
		}
	}
	if v := c.Query("academies"); v != "" {
		f.Academies = splitClean(v)
	}
	if v := c.Query("uais"); v != "" {
		f.UAIs = []string{}
		for _, u := range splitClean(v) {
			if !uaiPattern.MatchString(u) {
				return f, 0, expoBadRequest("uais : %s n'est pas un UAI (7 chiffres et une lettre majuscule)", quoteParam(u))
			}
			f.UAIs = append(f.UAIs, u)
		}
	}
	return f, page, nil
}

func splitClean(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, strings.Clone(p))
		}
	}
	return out
}

func expoPage(page, per, total int) expoPagination {
	n := (total + per - 1) / per
	return expoPagination{Page: strconv.Itoa(page), ResultatsParPage: per, ItemsParPage: per, NombreDePage: n, Total: total}
}

// expoListExt reads the extension of a list route (.json, .csv, none).
func expoListExt(c *fiber.Ctx) string {
	switch {
	case strings.HasSuffix(c.Path(), ".csv"):
		return "csv"
	}
	return "json"
}

// expoCertifications answers GET /api/inserjeunes/certifications[.json|.csv].
func (s *Server) expoCertifications(c *fiber.Ctx) error {
	f, page, err := s.expoListParams(c)
	if err != nil {
		return err
	}
	return s.expoList(c, "certifications", func(ctx context.Context, dates map[int64]string) ([]any, [][]string, int, error) {
		keys, total, err := s.store.ExpoListKeys(ctx, "national", f)
		if err != nil {
			return nil, nil, 0, err
		}
		memo := map[string]model.FormationDetail{}
		var items []any
		var rows [][]string
		for _, k := range keys {
			d, ok := memo[k.Code]
			if !ok {
				if d, err = s.store.FormationFigures(ctx, k.Code); err != nil {
					return nil, nil, 0, err
				}
				memo[k.Code] = d
			}
			fig, err := expoPickFigure(d.National, k.Voie, k.Millesime)
			if err != nil {
				continue
			}
			o := expoCertificationOf(&d.Formation, fig, nil, dates)
			items = append(items, o)
			rows = append(rows, append(expoCSVIdentity(&o.ExpoIdentity), append(o.CSVCells(), boolCell(o.Demonstration))...))
		}
		return items, rows, total, nil
	}, page, f.Limit)
}

// expoRegionales answers GET /api/inserjeunes/regionales[.json|.csv] and
// /api/inserjeunes/regionales/{code_region}[.json|.csv].
func (s *Server) expoRegionales(c *fiber.Ctx) error {
	f, page, err := s.expoListParams(c)
	if err != nil {
		return err
	}
	if raw := pathParam(c, "region"); raw != "" {
		raw, _ = cutExt(raw)
		r, err := s.expoRegion(c.UserContext(), raw)
		if err != nil {
			return err
		}
		f.Regions = []string{r}
	}
	return s.expoList(c, "regionales", func(ctx context.Context, dates map[int64]string) ([]any, [][]string, int, error) {
		keys, total, err := s.store.ExpoListKeys(ctx, "regional", f)
		if err != nil {
			return nil, nil, 0, err
		}
		memo := map[string]model.FormationDetail{}
		var items []any
		var rows [][]string
		for _, k := range keys {
			d, ok := memo[k.Code]
			if !ok {
				if d, err = s.store.FormationFigures(ctx, k.Code); err != nil {
					return nil, nil, 0, err
				}
				memo[k.Code] = d
			}
			for _, b := range d.Regions {
				if b.Region.Code != k.Region {
					continue
				}
				fig, err := expoPickFigure(b.Chiffres, k.Voie, k.Millesime)
				if err != nil {
					continue
				}
				t := regionTerritoire(k.Region)
				o := expoCertificationOf(&d.Formation, fig, &t, dates)
				items = append(items, o)
				rows = append(rows, append(append([]string{t.Nom}, expoCSVIdentity(&o.ExpoIdentity)...), append(o.CSVCells(), boolCell(o.Demonstration))...))
			}
		}
		return items, rows, total, nil
	}, page, f.Limit)
}

// expoFormations answers GET /api/inserjeunes/formations[.json|.csv].
func (s *Server) expoFormations(c *fiber.Ctx) error {
	f, page, err := s.expoListParams(c)
	if err != nil {
		return err
	}
	return s.expoList(c, "formations", func(ctx context.Context, dates map[int64]string) ([]any, [][]string, int, error) {
		keys, total, err := s.store.ExpoListKeys(ctx, "etablissement", f)
		if err != nil {
			return nil, nil, 0, err
		}
		var items []any
		var rows [][]string
		for _, k := range keys {
			code, kind, err := model.ParseFormationCode(k.Code)
			if err != nil {
				continue
			}
			o, err := s.expoFormationObject(ctx, k.UAI, model.ExpoCode{Code: code, Kind: kind}, k.Millesime, dates)
			if err != nil {
				continue // a key whose figure the continuum or the voie rules do not serve here
			}
			items = append(items, o)
			rows = append(rows, append(append([]string{o.UAI, o.UAIType, o.UAIDonnee, o.UAIDonneeType}, expoCSVIdentity(&o.ExpoIdentity)...),
				append(o.CSVCells(), boolCell(o.Demonstration))...))
		}
		return items, rows, total, nil
	}, page, f.Limit)
}

func boolCell(b bool) string { return strconv.FormatBool(b) }

// expoCSVIdentity are the identity cells of the CSV exports.
func expoCSVIdentity(id *model.ExpoIdentity) []string {
	var t, code string
	if id.DonneeSource != nil {
		t, code = id.DonneeSource.Type, id.DonneeSource.CodeCertification
	}
	return []string{id.CodeCertification, id.CodeFormationDiplome, id.Filiere, id.Millesime, t, code}
}

// expoCSVHeader is the header of a list's CSV export (the partner's
// columns, then demonstration).
func expoCSVHeader(list string) []string {
	id := []string{"code_certification", "code_formation_diplome", "filiere", "millesime", "donnee_source_type", "donnee_source_code_certification"}
	h := append(id, model.ExpoCSVStats...)
	switch list {
	case "regionales":
		h = append([]string{"region"}, h...)
	case "formations":
		h = append([]string{"uai", "uai_type", "uai_donnee", "uai_donnee_type"}, h...)
	}
	return append(h, "demonstration")
}

// expoList answers a list route as JSON {<list>: [...], pagination} or as
// the partner's CSV (; separated, UTF-8, attachment), through the page
// cache.
func (s *Server) expoList(c *fiber.Ctx, list string, build func(ctx context.Context, dates map[int64]string) ([]any, [][]string, int, error), page, per int) error {
	ext := expoListExt(c)
	c.Set(fiber.HeaderAccessControlAllowOrigin, "*")
	return s.serve(c, func(dataState) (*built, error) {
		ctx := c.UserContext() // with the data version serve sets
		dates, err := s.expoDates(ctx)
		if err != nil {
			return nil, err
		}
		items, rows, total, err := build(ctx, dates)
		if err != nil {
			return nil, err
		}
		if ext == "csv" {
			var b bytes.Buffer
			w := csv.NewWriter(&b)
			w.Comma = ';'
			_ = w.Write(expoCSVHeader(list))
			_ = w.WriteAll(rows)
			w.Flush()
			return &built{Body: b.Bytes(), ContentType: "text/csv; charset=UTF-8",
				Filename: "export-" + time.Now().Format(model.DateLayout) + ".csv"}, nil
		}
		if items == nil {
			items = []any{}
		}
		body, err := expoMarshal(map[string]any{list: items, "pagination": expoPage(page, per, total)})
		if err != nil {
			return nil, err
		}
		return &built{Body: body, ContentType: fiber.MIMEApplicationJSONCharsetUTF8}, nil
	})
}
