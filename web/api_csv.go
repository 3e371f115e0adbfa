package web

import (
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// apiFormat is the format an API answer is asked in: csv for ?format=csv,
// or for an Accept header that asks text/csv without JSON; json
// otherwise. A format chosen by Accept is written into the query, so that
// the page cache (keyed on the URL) and the apiPagination links keep it.
func apiFormat(c *fiber.Ctx) (string, error) {
	c.Append(fiber.HeaderVary, fiber.HeaderAccept)
	switch f := strings.ToLower(c.Query("format")); f {
	case "csv", "json":
		return f, nil
	case "":
		acc := strings.ToLower(c.Get(fiber.HeaderAccept))
		if strings.Contains(acc, "text/csv") && !strings.Contains(acc, "application/json") {
			c.Request().URI().QueryArgs().Set("format", "csv")
			return "csv", nil
		}
		return "json", nil
	default:
		return "", errBadRequest(fmt.Sprintf("format %s inconnu : l'API répond en json (par défaut) ou en csv", quoteParam(f)))
	}
}

// serveAPI serves what build returns through the page cache, keeping the
// Vary: Accept of a route that negotiates its format.
func (s *Server) serveAPI(c *fiber.Ctx, build func(st dataState) (*built, error)) error {
	err := s.serve(c, build)
	c.Append(fiber.HeaderVary, fiber.HeaderAccept)
	return err
}

// csvBuilt is a page of a list as one CSV (the export's format: UTF-8
// with BOM, ";" separator, identifier columns first, demonstration
// last); its apiPagination goes in the Link header.
func csvBuilt(t *dataTable, name string, p apiPagination) (*built, error) {
	body, err := tableCSV(sheetOf(t))
	if err != nil {
		return nil, err
	}
	b := &built{Body: body, ContentType: mimeCSV, Link: p.linkHeader()}
	if p.Pages > 1 {
		name += fmt.Sprintf("-page-%d", p.Page)
	}
	b.Filename = fileName(name) + ".csv"
	return b, nil
}
