package web

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// territoryAPI is the API view of a région or académie: its figures per
// formation and level, its headline beside France (chiffres_cles), and
// its labour-market context (contexte_emploi: INSEE unemployment rates).
type territoryAPI struct {
	model.RegionDetail
	ContexteEmploi model.ContexteEmploi `json:"contexte_emploi"`
	// Pagination of the formations (GET /api/v1/regions/{code} only: the
	// niveaux and chiffres_cles stay complete).
	Pagination *apiPagination `json:"pagination,omitempty"`
}

// apiRegion answers GET /api/v1/regions/{code_insee}: the regional
// figures of every diploma level, per millésime, the headline of the
// région beside France and its unemployment context, and its formations
// one page at a time (?format=csv: that page as CSV).
func (s *Server) apiRegion(c *fiber.Ctx) error {
	code := strings.Clone(c.Params("code"))
	pr, err := readPage(c)
	if err != nil {
		return err
	}
	f, err := apiFormat(c)
	if err != nil {
		return err
	}
	return s.serveAPI(c, func(dataState) (*built, error) {
		ctx := c.UserContext() // with the data version serveAPI sets
		d, err := s.store.Region(ctx, code)
		if err != nil {
			return nil, err
		}
		lo, hi, p := pr.paginate(len(d.Formations))
		d.Formations = nonNilSlice(d.Formations[lo:hi:hi])
		if f == "csv" {
			tp := &territoryPage{regionCode: d.Region.Code}
			tp.formationsTable(d.Formations)
			if tp.Forms == nil {
				tp.Forms = &dataTable{ID: "formations"}
			}
			return csvBuilt(tp.Forms, "region-"+d.Region.Code+"-formations", p)
		}
		ce, err := s.store.ContexteEmploi(ctx, d.Region.Code, nil)
		if err != nil {
			return nil, err
		}
		return jsonBuilt(territoryAPI{RegionDetail: d, ContexteEmploi: ce, Pagination: &p})
	})
}
