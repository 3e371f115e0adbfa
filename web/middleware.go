package web

import (
	cryptorand "crypto/rand"
	"encoding/base64"
	mathrand "math/rand/v2"
	"strings"
	"sync"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/compress"

	"github.com/vitrine-inserjeunes/vitrine/assets"
)

const nonceKey = "csp-nonce"

// isPageRoute tells the HTML routes from the API, the static files and the
// probes.
func isPageRoute(path string) bool {
	return !strings.HasPrefix(path, "/api/") && !strings.HasPrefix(path, assets.Prefix) &&
		path != "/healthz" && path != "/readyz"
}

// securityHeaders sets the security headers of every response. Pages get a
// Content-Security-Policy with a fresh nonce (DESIGN §5.10): scripts and
// styles from the site itself, inline ones only with the nonce; the API
// and static files get a policy that allows nothing to run.
func securityHeaders(c *fiber.Ctx) error {
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("Referrer-Policy", "strict-origin-when-cross-origin")
	c.Set("X-Frame-Options", "DENY")
	c.Set("Cross-Origin-Opener-Policy", "same-origin")
	c.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
	if !isPageRoute(c.Path()) {
		c.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
		return c.Next()
	}
	nonce := newNonce()
	c.Locals(nonceKey, nonce)
	c.Set("Content-Security-Policy", "default-src 'self'; script-src 'self' 'nonce-"+nonce+"'; style-src 'self' 'nonce-"+nonce+"'; "+
		"img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "+
		"frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
	return c.Next()
}

// nonceSources are ChaCha8 generators (a CSPRNG) seeded from crypto/rand:
// a nonce costs no system call.
var nonceSources = sync.Pool{New: func() any {
	var seed [32]byte
	if _, err := cryptorand.Read(seed[:]); err != nil {
		panic(err) // crypto/rand never fails on supported systems
	}
	return mathrand.NewChaCha8(seed)
}}

// newNonce returns 128 random bits, base64url.
func newNonce() string {
	g := nonceSources.Get().(*mathrand.ChaCha8)
	var b [16]byte
	g.Read(b[:])
	nonceSources.Put(g)
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// nonceOf is the CSP nonce of the request ("" outside pages).
func nonceOf(c *fiber.Ctx) string {
	n, _ := c.Locals(nonceKey).(string)
	return n
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
