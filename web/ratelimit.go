package web

import (
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/vitrine-inserjeunes/vitrine/assets"
)

// rateLimiter counts the requests of each client in fixed windows
// (RATE_LIMIT requests per RATE_LIMIT_WINDOW). The counts live in the
// memory of one node: behind a load balancer over n nodes a client gets
// up to n times the limit (see the README).
type rateLimiter struct {
	limit  int
	window time.Duration

	mu     sync.Mutex
	start  time.Time      // of the current window
	counts map[string]int // requests per client in the current window
}

// maxTrackedClients bounds the memory of the limiter: past it, the
// clients not seen yet in the window share one count (under a flood of
// new addresses they are limited together rather than not at all).
const maxTrackedClients = 200_000

func newRateLimiter(limit int, window time.Duration) *rateLimiter {
	if limit <= 0 || window <= 0 {
		return nil
	}
	return &rateLimiter{limit: limit, window: window, counts: map[string]int{}}
}

// take counts one request of key at now: allowed, remaining requests and
// seconds until the window resets.
func (l *rateLimiter) take(key string, now time.Time) (ok bool, remaining, reset int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.start) >= l.window || now.Before(l.start) {
		l.start = now.Truncate(l.window)
		clear(l.counts)
	}
	if _, seen := l.counts[key]; !seen && len(l.counts) >= maxTrackedClients {
		key = "*"
	}
	n := l.counts[key] + 1
	l.counts[key] = n
	reset = int((l.start.Add(l.window).Sub(now) + time.Second - 1) / time.Second)
	return n <= l.limit, max(0, l.limit-n), max(reset, 1)
}

// rateLimit is the middleware: RateLimit-* headers on every counted
// response, a French 429 past the limit. Static files and probes are not
// counted (a page loads several assets; they are immutable).
func (s *Server) rateLimit(c *fiber.Ctx) error {
	if s.limiter == nil {
		return c.Next()
	}
	p := c.Path()
	if strings.HasPrefix(p, assets.Prefix) || p == "/healthz" || p == "/readyz" || p == "/favicon.ico" {
		return c.Next()
	}
	ok, remaining, reset := s.limiter.take(clientKey(s.clientIP(c)), time.Now())
	c.Set("RateLimit-Policy", strconv.Itoa(s.limiter.limit)+";w="+strconv.Itoa(int(s.limiter.window/time.Second)))
	c.Set("RateLimit-Limit", strconv.Itoa(s.limiter.limit))
	c.Set("RateLimit-Remaining", strconv.Itoa(remaining))
	c.Set("RateLimit-Reset", strconv.Itoa(reset))
	if !ok {
		return &httpError{Status: fiber.StatusTooManyRequests, Code: "trop_de_requetes", RetryAfter: reset,
			Heading: "Trop de requêtes",
			Message: "Vous avez envoyé beaucoup de requêtes en peu de temps. Patientez " + strconv.Itoa(reset) + " seconde" + pluralS(reset) +
				" avant de réessayer ; pour des téléchargements en nombre, utilisez les exports CSV ou l'API."}
	}
	return c.Next()
}

// clientKey is what the limiter counts: the address, or its /64 for IPv6
// (one subscriber usually holds a whole /64).
func clientKey(ip netip.Addr) string {
	if ip.Is6() && !ip.Is4In6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return ip.Unmap().String()
}

// clientIP is the address of the client: the peer of the connection, or,
// when the peer is a trusted proxy (TRUSTED_PROXIES), the last address of
// X-Forwarded-For that is not itself a trusted proxy.
func (s *Server) clientIP(c *fiber.Ctx) netip.Addr {
	peer, _ := netip.AddrFromSlice(c.Context().RemoteIP())
	peer = peer.Unmap()
	if !s.trusted(peer) {
		return peer
	}
	// Every X-Forwarded-For line, in order: a proxy may add its own line
	// after the one the client forged.
	var parts []string
	for _, h := range c.Request().Header.PeekAll(fiber.HeaderXForwardedFor) {
		parts = append(parts, strings.Split(string(h), ",")...)
	}
	for i := len(parts) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(parts[i]))
		if err != nil {
			break // a malformed hop: stop at the last address we can trust
		}
		a = a.Unmap()
		if !s.trusted(a) {
			return a
		}
		peer = a
	}
	return peer
}

func (s *Server) trusted(a netip.Addr) bool {
	for _, p := range s.cfg.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
