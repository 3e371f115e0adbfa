package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/csrf"
)

// CSRF protection of the forms: fiber's csrf middleware (double submit: a
// cookie and a hidden field that must match), mounted on the form routes
// only. Its token store is not in memory: tokens are signed with
// CSRF_SECRET and carry their expiry, so any node that shares the secret
// accepts the token another node issued, and nothing is stored anywhere
// (signedTokens is a fiber.Storage that verifies instead of storing).

const (
	csrfCookie = "vitrine_csrf"
	csrfField  = "_csrf"
	csrfLocal  = "csrf"
	csrfTTL    = 2 * time.Hour
)

// signedTokens issues and checks tokens random(16) ‖ expiry(8) ‖
// HMAC-SHA256(secret)[:16], base64url.
type signedTokens struct {
	key []byte
	now func() time.Time
}

func newSignedTokens(secret string) *signedTokens {
	key := []byte(secret)
	if secret == "" { // one node only: a random secret per process
		key = make([]byte, 32)
		_, _ = rand.Read(key)
	}
	return &signedTokens{key: key, now: time.Now}
}

func (t *signedTokens) mac(payload []byte) []byte {
	m := hmac.New(sha256.New, t.key)
	m.Write([]byte("vitrine-csrf\x00"))
	m.Write(payload)
	return m.Sum(nil)[:16]
}

// generate is the KeyGenerator of the middleware.
func (t *signedTokens) generate() string {
	b := make([]byte, 24, 40)
	_, _ = rand.Read(b[:16])
	binary.BigEndian.PutUint64(b[16:24], uint64(t.now().Add(csrfTTL).Unix()))
	b = append(b, t.mac(b)...)
	return base64.RawURLEncoding.EncodeToString(b)
}

// valid reports whether token was signed with the secret and has not
// expired.
func (t *signedTokens) valid(token string) bool {
	if len(token) != 54 || strings.ContainsAny(token, "=+/") {
		return false
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(b) != 40 {
		return false
	}
	if !hmac.Equal(b[24:], t.mac(b[:24])) {
		return false
	}
	return int64(binary.BigEndian.Uint64(b[16:24])) > t.now().Unix()
}

// The fiber.Storage of the middleware: Get answers for a valid token,
// the rest stores nothing.
func (t *signedTokens) Get(key string) ([]byte, error) {
	if t.valid(key) {
		return []byte{'+'}, nil
	}
	return nil, nil
}
func (t *signedTokens) Set(string, []byte, time.Duration) error { return nil }
func (t *signedTokens) Delete(string) error                     { return nil }
func (t *signedTokens) Reset() error                            { return nil }
func (t *signedTokens) Close() error                            { return nil }

// csrfProtect is the middleware of the form routes; a refused POST gets
// the form back, filled in, with a 403 (onRefused).
func (s *Server) csrfProtect(onRefused fiber.Handler) fiber.Handler {
	return csrf.New(csrf.Config{
		KeyLookup:      "form:" + csrfField,
		CookieName:     csrfCookie,
		CookiePath:     "/signaler",
		CookieSameSite: "Lax",
		CookieHTTPOnly: true,
		CookieSecure:   strings.HasPrefix(s.cfg.BaseURL, "https://"),
		Expiration:     csrfTTL,
		KeyGenerator:   s.csrfTokens.generate,
		Storage:        s.csrfTokens,
		ContextKey:     csrfLocal,
		ErrorHandler:   func(c *fiber.Ctx, _ error) error { return onRefused(c) },
	})
}

// freshCSRF issues a new token and its cookie (a form shown again after
// the middleware refused the previous token).
func (s *Server) freshCSRF(c *fiber.Ctx) string {
	tok := s.csrfTokens.generate()
	c.Cookie(&fiber.Cookie{Name: csrfCookie, Value: tok, Path: "/signaler", SameSite: "Lax", HTTPOnly: true,
		Secure: strings.HasPrefix(s.cfg.BaseURL, "https://"), Expires: time.Now().Add(csrfTTL)})
	return tok
}
