package web

import (
	"errors"
	"log/slog"

	"github.com/gofiber/fiber/v2"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// apiError is the JSON body of every API error.
type apiError struct {
	Erreur string `json:"erreur"`
	Code   string `json:"code"`
}

// notFound is an error that maps to 404 with its own message and code.
type notFound struct {
	msg, code string
}

func (e *notFound) Error() string { return e.msg }

func newNotFound(code, msg string) error { return &notFound{msg: msg, code: code} }

// errorHandler is the one place errors become responses; it logs once.
func errorHandler(log *slog.Logger) fiber.ErrorHandler {
	return func(c *fiber.Ctx, err error) error {
		status, body := fiber.StatusInternalServerError, apiError{Erreur: "erreur interne du serveur", Code: "erreur_interne"}
		var nf *notFound
		var fe *fiber.Error
		switch {
		case errors.As(err, &nf):
			status, body = fiber.StatusNotFound, apiError{Erreur: nf.msg, Code: nf.code}
		case errors.Is(err, model.ErrNotFound):
			status, body = fiber.StatusNotFound, apiError{Erreur: "ressource introuvable", Code: "introuvable"}
		case errors.As(err, &fe):
			status, body = fe.Code, apiError{Erreur: fe.Message, Code: "http"}
			if fe.Code == fiber.StatusNotFound {
				body = apiError{Erreur: "page introuvable", Code: "introuvable"}
			}
		default:
			log.Error("request failed", "method", c.Method(), "path", c.Path(), "err", err)
		}
		return c.Status(status).JSON(body)
	}
}
