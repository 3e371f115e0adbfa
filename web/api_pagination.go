package web

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// Pagination of the API's lists: ?page= (1-based) and ?par_page=, read
// through intParam (a page past the last is the last one, as on the site's
// tables). Totals stay complete: apiPagination.total counts every item of the
// list, whatever the page.

const (
	defaultParPage = 100
	maxParPage     = 1000
)

// apiPagination says where a page of a list is, with the links to the pages
// around it (null at either end).
type apiPagination struct {
	Page      int     `json:"page"`
	ParPage   int     `json:"par_page"`
	Total     int     `json:"total"`
	Pages     int     `json:"pages"`
	Suivant   *string `json:"suivant"`
	Precedent *string `json:"precedent"`
}

// pageRequest is the page asked for, read before any work.
type pageRequest struct {
	page, parPage int
	path          string
	query         string // the canonical query without page (url-encoded)
}

// readPage reads page and par_page (a 400 that names the parameter when
// they are not numbers).
func readPage(c *fiber.Ctx) (pageRequest, error) {
	page, err := pageParam(c, "page")
	if err != nil {
		return pageRequest{}, err
	}
	per, err := intParam(c, "par_page", defaultParPage, 1, maxParPage)
	if err != nil {
		return pageRequest{}, err
	}
	q := canonicalQuery(c, "page")
	return pageRequest{page: page, parPage: per, path: strings.Clone(c.Path()), query: q.Encode()}, nil
}

// paginate cuts total items into pages: the bounds [lo, hi) of the page
// served, and its apiPagination block.
func (r pageRequest) paginate(total int) (lo, hi int, p apiPagination) {
	pages := max(1, (total+r.parPage-1)/r.parPage)
	page := min(r.page, pages)
	lo = min(total, (page-1)*r.parPage)
	hi = min(total, lo+r.parPage)
	p = apiPagination{Page: page, ParPage: r.parPage, Total: total, Pages: pages}
	if page < pages {
		u := r.url(page + 1)
		p.Suivant = &u
	}
	if page > 1 {
		u := r.url(page - 1)
		p.Precedent = &u
	}
	return lo, hi, p
}

// url is the address of page n of the same list.
func (r pageRequest) url(n int) string {
	q := r.query
	if q != "" {
		q += "&"
	}
	return r.path + "?" + q + "page=" + strconv.Itoa(n)
}

// linkHeader is the RFC 8288 Link header of a page (next, prev): CSV
// answers carry their apiPagination there.
func (p apiPagination) linkHeader() string {
	var parts []string
	if p.Suivant != nil {
		parts = append(parts, "<"+*p.Suivant+`>; rel="next"`)
	}
	if p.Precedent != nil {
		parts = append(parts, "<"+*p.Precedent+`>; rel="prev"`)
	}
	return strings.Join(parts, ", ")
}
