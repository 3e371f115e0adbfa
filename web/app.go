// Package web is the HTTP layer: the fiber app, the route table
// (routes.go), one handler per file, middleware and page structs.
package web

import (
	"context"
	"log/slog"

	"github.com/gofiber/fiber/v2"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// Store is what the web layer needs from the database.
type Store interface {
	Etablissement(ctx context.Context, uai string) (model.Etablissement, error)
	EtablissementFigures(ctx context.Context, uai string) ([]model.EtabFigure, error)
	DataVersion(ctx context.Context) (int64, error)
	HasSynthetic(ctx context.Context) (bool, error)
}

// Server holds the dependencies of the handlers.
type Server struct {
	store Store
	log   *slog.Logger
}

// New builds the fiber app.
func New(store Store, log *slog.Logger) *fiber.App {
	s := &Server{store: store, log: log}
	app := fiber.New(fiber.Config{
		ErrorHandler:          errorHandler(log),
		DisableStartupMessage: true,
		AppName:               "vitrine",
	})
	app.Use(securityHeaders)
	s.routes(app)
	return app
}

func securityHeaders(c *fiber.Ctx) error {
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	c.Set("X-Frame-Options", "DENY")
	c.Set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'")
	return c.Next()
}
