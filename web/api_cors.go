package web

import "github.com/gofiber/fiber/v2"

// CORS of the API: any site may read /api/v1 answers from a browser, with
// GET or HEAD, without credentials (the API has no key and no cookie).
// It runs before the rate limit, so that a 429 or an error is readable
// too; a preflight (OPTIONS) is answered here, 204, without counting.

const (
	corsAllowMethods  = "GET, HEAD, OPTIONS"
	corsAllowHeaders  = "Accept, Accept-Language, If-None-Match, Cache-Control"
	corsExposeHeaders = "RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, RateLimit-Policy, Retry-After, Link, ETag, X-Request-Id, Content-Disposition"
	corsMaxAge        = "86400"
)

func apiCORS(c *fiber.Ctx) error {
	c.Set(fiber.HeaderAccessControlAllowOrigin, "*")
	c.Set(fiber.HeaderAccessControlExposeHeaders, corsExposeHeaders)
	if c.Method() == fiber.MethodOptions {
		c.Set(fiber.HeaderAccessControlAllowMethods, corsAllowMethods)
		c.Set(fiber.HeaderAccessControlAllowHeaders, corsAllowHeaders)
		c.Set(fiber.HeaderAccessControlMaxAge, corsMaxAge)
		c.Append(fiber.HeaderVary, "Origin, Access-Control-Request-Method, Access-Control-Request-Headers")
		c.Set(fiber.HeaderCacheControl, "public, max-age=86400")
		return c.SendStatus(fiber.StatusNoContent)
	}
	return c.Next()
}
