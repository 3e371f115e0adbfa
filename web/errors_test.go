package web

import (
	"context"
	"errors"
	"fmt"
	"net"
	"syscall"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// TestAsHTTPError: the one classification of errors into statuses.
func TestAsHTTPError(t *testing.T) {
	for _, tc := range []struct {
		name   string
		err    error
		status int
		code   string
	}{
		{"absence statut", fmt.Errorf("store: %w", &model.NotFoundError{Statut: model.StatutMillesimeAbsent, Message: "x", Millesimes: []string{"2021_2022"}}), 404, model.StatutMillesimeAbsent},
		{"not found", fmt.Errorf("x: %w", model.ErrNotFound), 404, "introuvable"},
		{"bad request", errBadRequest("non"), 400, "requete_invalide"},
		{"route not found", fiber.ErrNotFound, 404, "introuvable"},
		{"method", fiber.ErrMethodNotAllowed, 405, "methode_non_autorisee"},
		{"body too large", fiber.ErrRequestEntityTooLarge, 413, "requete_trop_grande"},
		{"server shutting down", fmt.Errorf("q: %w", &pgconn.PgError{Code: "57P01"}), 503, "service_indisponible"},
		{"statement timeout", &pgconn.PgError{Code: "57014"}, 503, "service_indisponible"},
		{"too many connections", &pgconn.PgError{Code: "53300"}, 503, "service_indisponible"},
		{"connection refused", fmt.Errorf("dial: %w", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}), 503, "service_indisponible"},
		{"request deadline", fmt.Errorf("q: %w", context.DeadlineExceeded), 503, "service_indisponible"},
		{"client gone", context.Canceled, 499, "requete_annulee"},
		{"unique violation is a bug", &pgconn.PgError{Code: "23505"}, 500, "erreur_interne"},
		{"anything else", errors.New("boom"), 500, "erreur_interne"},
	} {
		e := asHTTPError(tc.err)
		if e.Status != tc.status || e.Code != tc.code || e.Message == "" {
			t.Errorf("%s: %d %q %q, want %d %q", tc.name, e.Status, e.Code, e.Message, tc.status, tc.code)
		}
		if e.Status == 503 && e.RetryAfter == 0 {
			t.Errorf("%s: 503 without Retry-After", tc.name)
		}
	}
	if e := asHTTPError(&model.NotFoundError{Statut: model.StatutMillesimeAbsent, Message: "x", Millesimes: []string{"2021_2022"}}); len(e.Details["millesimes"].([]string)) != 1 {
		t.Errorf("details lost: %+v", e.Details)
	}
}
