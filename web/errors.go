package web

import (
	"context"
	"errors"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
	"github.com/vitrine-inserjeunes/vitrine/internal/store"
)

// httpError is the one error type of the web layer: every failure of a
// request becomes one (see asHTTPError) and the error handler renders it
// as JSON for the API or as the HTML error page.
type httpError struct {
	Status  int
	Code    string // stable, snake_case: uai_invalide, code_inconnu, requete_invalide…
	Message string // French, for people
	// Details are machine-readable specifics (the millésimes that exist…).
	Details map[string]any
	// Heading is the title of the HTML error page (a default per status).
	Heading string
	// RetryAfter, in seconds, is sent with 429 and 503.
	RetryAfter int
	cause      error
	logged     bool // already logged (a recovered panic)
}

func (e *httpError) Error() string {
	if e.cause != nil {
		return e.Message + " : " + e.cause.Error()
	}
	return e.Message
}

func (e *httpError) Unwrap() error { return e.cause }

// errNotFound is a 404 with its reason.
func errNotFound(code, msg string) *httpError {
	return &httpError{Status: fiber.StatusNotFound, Code: code, Message: msg}
}

// errBadRequest is a 400 with its reason.
func errBadRequest(msg string) *httpError {
	return &httpError{Status: fiber.StatusBadRequest, Code: "requete_invalide", Message: msg, Heading: "Demande invalide"}
}

// errSearchUnavailable is returned while no search index is in service.
var errSearchUnavailable = &httpError{Status: fiber.StatusServiceUnavailable, Code: "recherche_indisponible", RetryAfter: 60,
	Heading: "Recherche momentanément indisponible",
	Message: "la recherche est en cours de préparation : l'index est en construction, réessayez dans une minute"}

// dbRetryAfter is the Retry-After of an outage, in seconds.
const dbRetryAfter = 5

// asHTTPError classifies any error of a handler: the one place where
// statuses are decided.
func asHTTPError(err error) *httpError {
	var he *httpError
	if errors.As(err, &he) {
		return he
	}
	var nf *model.NotFoundError
	var fe *fiber.Error
	switch {
	case errors.As(err, &nf):
		e := &httpError{Status: fiber.StatusNotFound, Code: nf.Statut, Message: nf.Message, Heading: "Aucun chiffre à cette adresse"}
		if nf.Statut == model.StatutNonDispensee {
			e.Heading = "Formation non dispensée"
		}
		if len(nf.Millesimes) > 0 {
			e.Details = map[string]any{"millesimes": nf.Millesimes}
		}
		return e
	case errors.Is(err, model.ErrNotFound):
		return &httpError{Status: fiber.StatusNotFound, Code: "introuvable", Message: "La page demandée n'existe pas."}
	case errors.Is(err, context.Canceled):
		return &httpError{Status: 499, Code: "requete_annulee", Message: "la requête a été abandonnée par le client", cause: err}
	case store.IsUnavailable(err):
		return &httpError{Status: fiber.StatusServiceUnavailable, Code: "service_indisponible", RetryAfter: dbRetryAfter, cause: err,
			Heading: "Service momentanément indisponible",
			Message: "Le service est momentanément indisponible : la base de données ne répond pas. Réessayez dans quelques secondes."}
	case errors.As(err, &fe):
		e := &httpError{Status: fe.Code, Code: "http", Message: fe.Message, Heading: "Erreur"}
		switch fe.Code {
		case fiber.StatusNotFound:
			e.Code, e.Heading = "introuvable", "Page introuvable"
			e.Message = "L'adresse demandée ne correspond à aucune page du site. Elle est peut-être mal saisie, ou la page a été déplacée."
		case fiber.StatusMethodNotAllowed:
			e.Code, e.Heading, e.Message = "methode_non_autorisee", "Méthode non autorisée", "Cette adresse ne se consulte qu'en lecture (GET)."
		case fiber.StatusRequestEntityTooLarge:
			e.Code, e.Heading, e.Message = "requete_trop_grande", "Requête trop volumineuse", "La requête dépasse la taille autorisée."
		case fiber.StatusRequestHeaderFieldsTooLarge:
			e.Code, e.Heading, e.Message = "entetes_trop_grands", "En-têtes trop volumineux", "Les en-têtes de la requête (cookies compris) dépassent la taille autorisée."
		case fiber.StatusBadRequest:
			e.Code, e.Heading, e.Message = "requete_invalide", "Demande invalide", "La requête est mal formée."
		}
		return e
	}
	return &httpError{Status: fiber.StatusInternalServerError, Code: "erreur_interne", cause: err, Heading: "Erreur du serveur",
		Message: "Une erreur inattendue nous empêche d'afficher cette page. Réessayez dans quelques instants."}
}

// apiErrorBody is the JSON body of every API error.
type apiErrorBody struct {
	Code    string         `json:"code"`
	Message string         `json:"message"`
	Details map[string]any `json:"details,omitempty"`
}

// wantsJSON tells the API (and JSON exports) from the HTML pages.
func wantsJSON(c *fiber.Ctx) bool {
	if strings.HasPrefix(c.Path(), "/api/") || strings.EqualFold(c.Query("format"), "json") {
		return true
	}
	acc := c.Get(fiber.HeaderAccept)
	return strings.Contains(acc, "application/json") && !strings.Contains(acc, "text/html")
}

// errorHandler is the one place errors become responses: JSON for the API,
// the HTML error page for the site. It logs each unexpected error once;
// database outages are logged at most once per second (dbErrors).
func (s *Server) errorHandler(c *fiber.Ctx, err error) error {
	e := asHTTPError(err)
	if requestID(c) == "" {
		return s.transportError(c, e, err)
	}
	switch {
	case e.logged, e.Status == 499:
	case e.Status == fiber.StatusServiceUnavailable && e.cause != nil:
		s.dbErrors.note(e.cause)
	case e.Status >= 500:
		s.log.Error("request failed", "method", c.Method(), "path", c.Path(), "request_id", requestID(c), "err", err)
	}
	if e.RetryAfter > 0 {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(e.RetryAfter))
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Status(e.Status)
	if c.Method() == fiber.MethodHead {
		return nil
	}
	if isExpoPath(c.Path()) { // the Exposition-compatible API's own error shape
		return c.JSON(expoErrorBody(e))
	}
	if wantsJSON(c) {
		return c.JSON(apiErrorBody{Code: e.Code, Message: e.Message, Details: e.Details})
	}
	p := &errorPage{Status: e.Status, Heading: e.Heading, Message: e.Message}
	if p.Heading == "" {
		p.Heading = "Page introuvable"
		if e.Status != fiber.StatusNotFound {
			p.Heading = "Erreur"
		}
	}
	if ms, ok := e.Details["millesimes"].([]string); ok {
		p.Message += " Millésimes disponibles : " + millesimeLabels(ms) + "."
	}
	// The database may be what failed: the last known state is enough.
	p.basePage = s.newBase(s.lastState(), p.Heading, p.Message, c.Path())
	p.NoIndex = true
	p.SignalerURL = ""
	p.Breadcrumb = []crumb{{Label: p.Heading}}
	if p.Status == fiber.StatusNotFound {
		p.Query = searchWords(c.Path())
		p.Suggestions = notFoundLinks(c)
	}
	body, rerr := s.renderPage("pages/erreur", p)
	if rerr != nil {
		s.log.Error("error page failed", "err", rerr)
		c.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
		return c.SendString(p.Heading + " : " + p.Message)
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Send(body)
}

// transportError answers what fasthttp refused before any middleware ran
// (headers too large 431, body too large 413, read timeout 408, broken
// connection): security headers, a short French text, no page rendering,
// and a debug line only (a client can cause these at will).
func (s *Server) transportError(c *fiber.Ctx, e *httpError, err error) error {
	setSecurityHeaders(c, false)
	s.log.Debug("request refused by the server", "status", e.Status, "err", err)
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
	return c.Status(e.Status).SendString(e.Heading + " : " + e.Message + "\n")
}

// rateLog logs one kind of recurring error at most once per interval,
// with the number of occurrences since the last line: an outage of the
// database must not flood the logs with one line per request.
type rateLog struct {
	log      *slog.Logger
	msg      string
	interval time.Duration

	mu         sync.Mutex
	last       time.Time
	suppressed int
}

func (r *rateLog) note(err error) {
	r.mu.Lock()
	now := time.Now()
	if now.Sub(r.last) < r.interval {
		r.suppressed++
		r.mu.Unlock()
		return
	}
	n := r.suppressed + 1
	r.last, r.suppressed = now, 0
	r.mu.Unlock()
	r.log.Error(r.msg, "count", n, "err", err)
}

// searchWords turns a missing path into words to prefill the search box:
// "/etablissements/lycee-berard" → "lycee berard".
func searchWords(path string) string {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	last, _ := url.PathUnescape(segs[len(segs)-1])
	last = strings.NewReplacer("-", " ", "_", " ", "+", " ").Replace(last)
	if len([]rune(last)) > 80 {
		last = string([]rune(last)[:80])
	}
	return strings.TrimSpace(strings.ToValidUTF8(last, ""))
}

// notFoundLinks offers the pages around a missing one: the establishment
// and the formation of a missing pair, then home and the data page.
func notFoundLinks(c *fiber.Ctx) []crumb {
	var out []crumb
	segs := strings.Split(strings.Trim(c.Path(), "/"), "/")
	if len(segs) == 4 && segs[0] == "etablissements" && segs[2] == "formations" {
		if uai, err := model.NormalizeUAI(segs[1]); err == nil {
			out = append(out, crumb{Label: "La page de l'établissement " + uai, URL: "/etablissements/" + uai})
		}
		if code, _, err := model.ParseFormationCode(segs[3]); err == nil {
			out = append(out, crumb{Label: "La page de la formation " + code, URL: "/formations/" + code})
		}
	}
	return append(out, crumb{Label: "Page d'accueil", URL: "/"}, crumb{Label: "Les données et leurs sources", URL: "/a-propos/donnees"})
}
