package web

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// apiJSON answers c with the JSON of what build returns, through the page
// cache (keyed by data version and URL: the data change only on import).
// The store's *model.NotFoundError becomes a 404 whose code is the
// statut that says why (code_inconnu, uai_inconnu, non_dispensee…): see
// asHTTPError.
func (s *Server) apiJSON(c *fiber.Ctx, build func(ctx context.Context) (any, error)) error {
	return s.serve(c, func(dataState) (*built, error) {
		// the context serve gives the build (the data version the store
		// keeps its summaries for), not the one before it
		v, err := build(c.UserContext())
		if err != nil {
			return nil, err
		}
		b, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		return &built{Body: b, ContentType: fiber.MIMEApplicationJSONCharsetUTF8}, nil
	})
}

// formationCode reads and normalises the :code parameter (CFD, MEFSTAT11
// or SISE).
func formationCode(c *fiber.Ctx) (string, model.CodeKind, error) {
	code, kind, err := model.ParseFormationCode(strings.Clone(c.Params("code")))
	if err != nil {
		return "", "", errNotFound(model.StatutCodeInconnu, err.Error())
	}
	return code, kind, nil
}

// formationAPI is the answer of GET /api/v1/formations/{code} (CFD or
// MEFSTAT11): the national and regional figures complete, the
// establishments one page at a time (pagination; ?region= keeps those of
// one région).
type formationAPI struct {
	model.FormationDetail
	Pagination apiPagination `json:"pagination"`
}

// formationSupAPI is the same for an InserSup diploma (SISE).
type formationSupAPI struct {
	model.FormationSupDetail
	Pagination apiPagination `json:"pagination"`
}

// apiFormation answers GET /api/v1/formations/{code}: a CFD or MEFSTAT11
// gives the InserJeunes formation (national figures per millésime and
// voie, one block per région, establishments with their latest figures,
// paginated); a SISE code gives the InserSup diploma. ?format=csv (or
// Accept: text/csv) is the page of establishments as CSV.
func (s *Server) apiFormation(c *fiber.Ctx) error {
	code, kind, err := formationCode(c)
	if err != nil {
		return err
	}
	filters, pr, f, err := readListRequest(c, "region")
	if err != nil {
		return err
	}
	region := filters["region"]
	return s.serveAPI(c, func(dataState) (*built, error) {
		ctx := c.UserContext() // with the data version serveAPI sets
		if kind == model.KindSISE {
			d, err := s.store.FormationSupDetail(ctx, code)
			if err != nil {
				return nil, err
			}
			if f == "csv" {
				return nil, errBadRequest("la variante CSV de cette adresse couvre les formations InserJeunes (CFD, MEFSTAT11) : pour un diplôme InserSup, utilisez l'export de sa page, /formations/" + code + "?format=csv")
			}
			if region != "" {
				d.Etablissements = slices.DeleteFunc(d.Etablissements, func(e model.EtablissementOffreSup) bool { return e.Region.Code != region })
			}
			lo, hi, p := pr.paginate(len(d.Etablissements))
			d.Etablissements = nonNilSlice(d.Etablissements[lo:hi:hi])
			return jsonBuilt(formationSupAPI{FormationSupDetail: d, Pagination: p})
		}
		d, err := s.store.FormationDetail(ctx, code)
		if err != nil {
			return nil, err
		}
		if region != "" {
			d.Etablissements = slices.DeleteFunc(d.Etablissements, func(e model.EtablissementOffre) bool { return e.Region.Code != region })
		}
		lo, hi, p := pr.paginate(len(d.Etablissements))
		d.Etablissements = nonNilSlice(d.Etablissements[lo:hi:hi])
		if f == "csv" {
			return csvBuilt(offresTable(d.Etablissements, code), "formation-"+code+"-etablissements", p)
		}
		return jsonBuilt(formationAPI{FormationDetail: d, Pagination: p})
	})
}

// nonNilSlice makes an empty page a JSON [] rather than null.
func nonNilSlice[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// offresTable is the CSV of a page of the establishments of a formation:
// the columns of the formation page's table, in the order of the API.
func offresTable(list []model.EtablissementOffre, code string) *dataTable {
	t := &dataTable{ID: "etablissements", Columns: append([]column{{Key: "etablissement", Label: "Établissement"}, {Key: "commune", Label: "Commune"},
		{Key: "region", Label: "Région"}, {Key: "voie", Label: "Voie"}, {Key: "millesime", Label: "Millésime"}},
		figureColumns(indNbTerm, indTauxEmploi6, indTauxPoursuite)...)}
	for _, e := range list {
		nom := labelOr(e.Nom, "Établissement "+e.UAI)
		ids := figureIDs(&e.Dernier)
		ids.UAI, ids.Etablissement, ids.Region = e.UAI, nom, e.Region.Code
		t.addRow(e.Dernier.Demonstration, ids, append([]cell{headerCell(nom, "/etablissements/"+e.UAI+"/formations/"+code), textCell(e.Commune),
			textCell(orCode(e.Region)), textCell(voieLabel(e.Voie)), textCell(e.Dernier.MillesimeLabel)},
			figureCells(&e.Dernier.Figure, indNbTerm, indTauxEmploi6, indTauxPoursuite)...)...)
	}
	return t
}
