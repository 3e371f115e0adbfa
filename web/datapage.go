package web

import "github.com/gofiber/fiber/v2"

// dataPage is the prologue every data page shares: other spellings of its
// URL redirect (301) to canonical, ?format= is read (html, csv, xlsx,
// json), the JSON view is the API handler itself when api is set (cached
// under its own URL), and everything else is built by build through the
// page cache.
func (s *Server) dataPage(c *fiber.Ctx, canonical string, api fiber.Handler, build func(st dataState, f string) (*built, error)) error {
	if c.Path() != canonical {
		return redirectCanonical(c, canonical)
	}
	f, err := format(c)
	if err != nil {
		return err
	}
	if f == "json" && api != nil {
		return api(c)
	}
	return s.serve(c, func(st dataState) (*built, error) { return build(st, f) })
}

// redirectCanonical sends a permanent redirect to the canonical path,
// keeping the query.
func redirectCanonical(c *fiber.Ctx, path string) error {
	if q := c.Request().URI().QueryString(); len(q) > 0 {
		path += "?" + string(q)
	}
	c.Set(fiber.HeaderCacheControl, pageCacheControl)
	return c.Redirect(path, fiber.StatusMovedPermanently)
}
