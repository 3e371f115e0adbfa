// Package web is the HTTP layer: the fiber app, the route table
// (routes.go), one handler per file, middleware and page structs.
package web

import (
	"log/slog"

	"github.com/gofiber/fiber/v2"

	"github.com/vitrine-inserjeunes/vitrine/internal/store"
)

// Server holds the dependencies of the handlers.
//
// The handlers call the concrete *store.Store, not an interface of the web
// layer: the store has one implementation, every test runs it against a
// real PostgreSQL (DESIGN §5.12), and no test faked the 20-method interface
// that mirrored it, which only had to follow each signature change (and
// still listed a method nothing called). With the concrete type, a handler
// leads straight to its SQL, and every value it gets back is a model type
// (the store exports no result type of its own). Should a test need a fake
// one day, the handler that needs it can declare the few methods it calls.
type Server struct {
	store *store.Store
	log   *slog.Logger
	site  // pages: assets, templates, page cache (site.go)
	// search is the search index (recherche.go); nil: search unavailable.
	search Searcher
}

// New builds the fiber app.
func New(st *store.Store, log *slog.Logger, opts ...Option) *fiber.App {
	s := &Server{store: st, log: log}
	for _, o := range opts {
		o(s)
	}
	s.site = newSite()
	app := fiber.New(fiber.Config{
		ErrorHandler:          s.errorHandler,
		DisableStartupMessage: true,
		AppName:               "vitrine",
	})
	app.Use(securityHeaders, compression())
	s.routes(app)
	return app
}
