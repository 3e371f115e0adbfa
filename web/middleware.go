package web

import (
	"context"
	"fmt"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/compress"

	"github.com/vitrine-inserjeunes/vitrine/assets"
	"github.com/vitrine-inserjeunes/vitrine/internal/store"
)

// isPageRoute tells the HTML routes from the API, the static files and the
// probes.
func isPageRoute(path string) bool {
	return !strings.HasPrefix(path, "/api/") && !strings.HasPrefix(path, assets.Prefix) &&
		path != "/healthz" && path != "/readyz"
}

// pageCSP lets pages load scripts, styles, images and fonts from the site
// itself only: no inline script or style runs.
const pageCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
	"connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

// securityHeaders sets the security headers of every response (DESIGN
// §5.10). The API and static files get a policy that allows nothing to run.
func securityHeaders(c *fiber.Ctx) error {
	setSecurityHeaders(c, isPageRoute(c.Path()))
	if strings.HasPrefix(c.Path(), "/widget/") {
		embeddable(c)
	}
	if strings.HasPrefix(c.Path(), "/api/v1/") {
		return apiCORS(c)
	}
	return c.Next()
}

// widgetCSP is the page policy with frame-ancestors * : the widget is the
// one route any site may frame.
var widgetCSP = strings.Replace(pageCSP, "frame-ancestors 'none'", "frame-ancestors *", 1)

// embeddable lets any site frame the response (the widget route only).
func embeddable(c *fiber.Ctx) {
	c.Set("Content-Security-Policy", widgetCSP)
	c.Response().Header.Del("X-Frame-Options")
}

func setSecurityHeaders(c *fiber.Ctx, page bool) {
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	c.Set("X-Frame-Options", "DENY")
	c.Set("Cross-Origin-Opener-Policy", "same-origin")
	c.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
	if page {
		c.Set("Content-Security-Policy", pageCSP)
	} else {
		c.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
	}
}

// requestIDKey holds the request id in the fiber locals.
const requestIDKey = "request-id"

// requestID is the id of the request, in the access log, the error log
// and the X-Request-Id response header.
func requestID(c *fiber.Ctx) string {
	id, _ := c.Locals(requestIDKey).(string)
	return id
}

// requests numbers the requests of this process (ids are node prefix +
// counter: unique per node, no system call).
var requests atomic.Uint64

// observe is the first middleware: it gives the request its id and its
// deadline (the user context, which reaches pgx), keeps a panic from
// ending the process, and writes the access log line.
func (s *Server) observe(c *fiber.Ctx) (err error) {
	start := time.Now()
	id := s.nodeID + "-" + strconv.FormatUint(requests.Add(1), 36)
	c.Locals(requestIDKey, id)
	c.Set("X-Request-Id", id)
	ctx, cancel := context.WithCancel(context.Background())
	if s.cfg.RequestTimeout > 0 {
		ctx, cancel = context.WithTimeout(context.Background(), s.cfg.RequestTimeout)
	}
	defer cancel()
	// The data version last read (at most stateTTL old): a handler that
	// reads the store before serve refreshes it still gets the summaries
	// kept for a version instead of recomputing them (serve sets the
	// fresh one before any build).
	if st := s.lastState(); st.Version != 0 {
		ctx = store.WithDataVersion(ctx, st.Version)
	}
	c.SetUserContext(store.WithRequestMemo(ctx))
	func() {
		defer func() {
			if r := recover(); r != nil {
				s.log.Error("panic", "method", c.Method(), "path", c.Path(), "request_id", id, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
				err = &httpError{Status: fiber.StatusInternalServerError, Code: "erreur_interne", logged: true, Heading: "Erreur du serveur",
					Message: "Une erreur inattendue nous empêche d'afficher cette page. Réessayez dans quelques instants."}
			}
		}()
		err = c.Next()
	}()
	if err != nil {
		if herr := s.errorHandler(c, err); herr != nil {
			s.log.Error("error handler failed", "request_id", id, "err", herr)
			c.Status(fiber.StatusInternalServerError)
		}
		err = nil
	}
	if s.cfg.AccessLog {
		s.log.Info("request", "method", c.Method(), "path", c.Path(), "status", c.Response().StatusCode(),
			"duration_ms", float64(time.Since(start).Microseconds())/1000, "bytes", len(c.Response().Body()),
			"ip", s.clientIP(c), "request_id", id)
	}
	return nil
}

// compression compresses what is not compressed yet (cached pages and
// static files carry their own compressed forms).
func compression() fiber.Handler {
	return compress.New(compress.Config{Level: compress.LevelBestSpeed})
}

// static serves the fingerprinted assets: immutable, precompressed.
func (s *Server) static(c *fiber.Ctx) error {
	f, ok := s.assets.ByURL(c.Path())
	if !ok {
		return fiber.ErrNotFound
	}
	c.Set(fiber.HeaderContentType, f.ContentType)
	c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	c.Set(fiber.HeaderETag, `"`+f.Hash+`"`)
	c.Set(fiber.HeaderVary, "Accept-Encoding")
	if strings.HasSuffix(f.Name, ".woff2") || strings.HasSuffix(f.Name, ".svg") {
		c.Set("Cross-Origin-Resource-Policy", "same-origin")
	}
	if c.Get(fiber.HeaderIfNoneMatch) == `"`+f.Hash+`"` {
		return c.SendStatus(fiber.StatusNotModified)
	}
	if f.Brotli != nil {
		switch acceptEncoding(c.Get(fiber.HeaderAcceptEncoding)) {
		case "br":
			c.Set(fiber.HeaderContentEncoding, "br")
			return c.Send(f.Brotli)
		case "gzip":
			c.Set(fiber.HeaderContentEncoding, "gzip")
			return c.Send(f.Gzip)
		}
	}
	return c.Send(f.Body)
}

// favicon serves /favicon.ico (browsers ask for it at the root).
func (s *Server) favicon(c *fiber.Ctx) error {
	f, ok := s.assets.ByName("dsfr/favicon/favicon.ico")
	if !ok {
		return fiber.ErrNotFound
	}
	c.Set(fiber.HeaderContentType, f.ContentType)
	c.Set(fiber.HeaderCacheControl, "public, max-age=86400")
	return c.Send(f.Body)
}
