package web

import (
	_ "embed"
	"encoding/json"
	"strings"
	"sync"

	"github.com/gofiber/fiber/v2"
)

// openAPIDoc is the OpenAPI 3.1 document of /api/v1: the one description
// of its routes, parameters, answers and errors. The conformance test
// (openapi_test.go) calls every documented route, validates each answer
// against it and fails when a route of routes.go under /api/v1 is missing.
// To document a new route, add its path under "paths" (its schemas under
// "components") and a few real URLs to the test's list.
//
//go:embed openapi.json
var openAPIDoc []byte

// openAPIServed is the document as served: its server is the site's
// BASE_URL (read once).
type openAPIServed struct {
	once sync.Once
	body []byte
	err  error
}

// openAPIFor is the document with servers set to base.
func openAPIFor(base string) ([]byte, error) {
	var doc map[string]any
	if err := json.Unmarshal(openAPIDoc, &doc); err != nil {
		return nil, err
	}
	if base != "" {
		doc["servers"] = []map[string]string{{"url": strings.TrimSuffix(base, "/"), "description": "ce site"}}
	}
	return json.MarshalIndent(doc, "", " ")
}

// apiOpenAPI is GET /api/v1/openapi.json.
func (s *Server) apiOpenAPI(c *fiber.Ctx) error {
	s.openAPI.once.Do(func() { s.openAPI.body, s.openAPI.err = openAPIFor(s.cfg.BaseURL) })
	if s.openAPI.err != nil {
		return s.openAPI.err
	}
	c.Set(fiber.HeaderCacheControl, "public, max-age=3600")
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	return c.Send(s.openAPI.body)
}
