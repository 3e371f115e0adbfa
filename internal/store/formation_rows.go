package store

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// This file loads the InserJeunes figure rows of formations (région ×
// formation and establishment × formation) and turns groups of them into
// model.RawFormationFigure values: a single published row is shown as
// published, several rows are summed (model.Aggregate). Rows hold
// model.RawFigure: nothing read here can be shown before Disclose.

// figRow is one région × formation or establishment × formation row.
type figRow struct {
	uai       string // "" for a regional row
	millesime string
	region    string
	voie      string
	code      string
	cfd       string
	mefstat11 string
	fig       model.RawFigure
	fileID    int64
	// autres are the lower-precedence sources of the same key.
	autres []int64
	// computed: the row is itself a sum (a région rebuilt from its
	// establishments), its rates computed.
	computed bool
	agregat  *model.Agregat
	// sources of a computed row (every file that contributed).
	sources []int64
}

// figureCols are the 7 counts and 5 rates of a figure row (figScanner).
const figureCols = `nb_annee_term, nb_sortant, nb_poursuite_etudes, nb_en_emploi_6_mois, nb_en_emploi_12_mois,
  nb_en_emploi_18_mois, nb_en_emploi_24_mois,
  taux_poursuite_etudes, taux_emploi_6_mois, taux_emploi_12_mois, taux_emploi_18_mois, taux_emploi_24_mois`

// regionalRows returns the région × formation rows of the given codes
// (every région when region is "", else that one).
func (s *Store) regionalRows(ctx context.Context, codes []string, region string) ([]figRow, error) {
	q := `SELECT millesime, region, voie, code, coalesce(cfd, ''), coalesce(mefstat11, ''), ` + figureCols + `, file_id
FROM ij_region_formation WHERE code = ANY($1) AND ($2 = '' OR region = $2)`
	return s.scanRegional(ctx, q, codes, region)
}

// regionalRowsOf returns the région × formation rows of the given codes
// and millésimes, in every région.
func (s *Store) regionalRowsOf(ctx context.Context, codes, millesimes []string) ([]figRow, error) {
	q := `SELECT millesime, region, voie, code, coalesce(cfd, ''), coalesce(mefstat11, ''), ` + figureCols + `, file_id
FROM ij_region_formation WHERE code = ANY($1) AND millesime = ANY($2)`
	return s.scanRegional(ctx, q, codes, millesimes)
}

// regionRows returns every région × formation row of one région.
func (s *Store) regionRows(ctx context.Context, region string) ([]figRow, error) {
	q := `SELECT millesime, region, voie, code, coalesce(cfd, ''), coalesce(mefstat11, ''), ` + figureCols + `, file_id
FROM ij_region_formation WHERE region = $1`
	return s.scanRegional(ctx, q, region)
}

// regionLatestYearRows returns, of the rows regionRows returns, those
// whose millésime ends in the latest year of their (voie, code): a
// superset of the latest millésime of each formation (see
// uaiLatestYearOfTerritory), read without the older ones.
func (s *Store) regionLatestYearRows(ctx context.Context, region string) ([]figRow, error) {
	q := `SELECT millesime, region, voie, code, coalesce(cfd, ''), coalesce(mefstat11, ''), ` + figureCols + `, file_id
FROM (SELECT *, max(right(millesime, 4)) OVER (PARTITION BY voie, code) AS top FROM ij_region_formation WHERE region = $1) t
WHERE right(millesime, 4) = top`
	return s.scanRegional(ctx, q, region)
}

func (s *Store) scanRegional(ctx context.Context, q string, args ...any) ([]figRow, error) {
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("chiffres régionaux : %w", err)
	}
	defer rows.Close()
	var out []figRow
	sc := newFigScanner(false, false)
	for rows.Next() {
		var r figRow
		if err := sc.scan(rows, &r); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// uaiRows returns the establishment × formation rows of the given codes
// (every code when codes is nil; one establishment when uai is set, one
// région when region is set), one per key: the highest-precedence source
// wins, the others are kept in autres.
func (s *Store) uaiRows(ctx context.Context, codes []string, uai, region string) ([]figRow, error) {
	q := `SELECT uai, millesime, coalesce(region, ''), voie, code, coalesce(cfd, ''), coalesce(mefstat11, ''), ` + figureCols + `,
  part_poursuite_etudes, part_emploi_6_mois, part_autres_situations, file_id
FROM ij_uai_formation WHERE true`
	var args []any
	if codes != nil {
		args = append(args, codes)
		q += fmt.Sprintf(" AND code = ANY($%d)", len(args))
	}
	if uai != "" {
		args = append(args, uai)
		q += fmt.Sprintf(" AND uai = $%d", len(args))
	}
	if region != "" {
		args = append(args, region)
		q += fmt.Sprintf(" AND region = $%d", len(args))
	}
	return s.scanUAI(ctx, q+" ORDER BY uai, millesime, voie, code, precedence DESC", args...)
}

// uaiRowsOfTerritory returns the establishment × formation rows of a
// région, restricted to the establishments of the given départements
// when deps is not nil (an académie), as uaiRows does.
func (s *Store) uaiRowsOfTerritory(ctx context.Context, region string, deps []string) ([]figRow, error) {
	return s.territoryRows(ctx, region, deps, false)
}

// uaiLatestOfTerritory returns, of the establishment × formation rows of
// a territory (as uaiRowsOfTerritory), only the latest millésime of each
// (establishment, voie, code), from its highest-precedence source: what
// the coverage counts, without reading the older millésimes.
func (s *Store) uaiLatestOfTerritory(ctx context.Context, region string, deps []string) ([]figRow, error) {
	return s.territoryRows(ctx, region, deps, true)
}

// uaiLatestOfEveryTerritory returns the latest row of each
// (région, establishment, voie, code) with a région, as
// uaiLatestOfTerritory does for one: the warehouse-wide read of the
// coverage, made once per data version (TerritoryCoverage).
func (s *Store) uaiLatestOfEveryTerritory(ctx context.Context) ([]figRow, error) {
	// one row per (région, pair): nothing to collapse, and two régions'
	// rows of one pair must stay apart
	return s.scanUAIRows(ctx, false, `SELECT DISTINCT ON (region, uai, voie, code) uai, millesime, region, voie, code, coalesce(cfd, ''), coalesce(mefstat11, ''), `+figureCols+`,
  part_poursuite_etudes, part_emploi_6_mois, part_autres_situations, file_id
FROM ij_uai_formation WHERE region IS NOT NULL
ORDER BY region, uai, voie, code, right(millesime, 4) DESC, millesime DESC, precedence DESC`)
}

// uaiLatestYearOfTerritory returns, of the rows uaiRowsOfTerritory
// returns, those whose millésime ends in the latest year of their
// (voie, code) in the territory: a superset of the latest millésime of
// each formation (latestRows picks it, model.CompareMillesimes ranking
// by end year first), read without the older ones.
func (s *Store) uaiLatestYearOfTerritory(ctx context.Context, region string, deps []string) ([]figRow, error) {
	cols, q, args := territoryQuery(region, deps)
	return s.scanUAI(ctx, `SELECT `+cols+` FROM (SELECT *, max(right(millesime, 4)) OVER (PARTITION BY voie, code) AS top`+q+`) t
WHERE right(millesime, 4) = top ORDER BY uai, millesime, voie, code, precedence DESC`, args...)
}

// territoryQuery is the columns, the FROM … WHERE and the arguments of
// the establishment × formation rows of a région, or of the given
// départements of it (their UAI prefixes).
func territoryQuery(region string, deps []string) (cols, q string, args []any) {
	cols = `uai, millesime, coalesce(region, ''), voie, code, coalesce(cfd, ''), coalesce(mefstat11, ''), ` + figureCols + `,
  part_poursuite_etudes, part_emploi_6_mois, part_autres_situations, file_id`
	q = ` FROM ij_uai_formation WHERE region = $1`
	args = []any{region}
	if deps != nil {
		prefixes := make([]string, 0, len(deps))
		for _, d := range deps {
			prefixes = append(prefixes, model.UAIPrefixOfDepartement(d))
		}
		args = append(args, prefixes)
		q += ` AND left(uai, 3) = ANY($2)`
	}
	return cols, q, args
}

func (s *Store) territoryRows(ctx context.Context, region string, deps []string, latest bool) ([]figRow, error) {
	if deps == nil && !latest {
		return s.uaiRows(ctx, nil, "", region)
	}
	cols, q, args := territoryQuery(region, deps)
	if latest {
		// the SQL order of millésimes of model.CompareMillesimes: latest
		// end year first, then the single-year form
		return s.scanUAI(ctx, `SELECT DISTINCT ON (uai, voie, code) `+cols+q+`
ORDER BY uai, voie, code, right(millesime, 4) DESC, millesime DESC, precedence DESC`, args...)
	}
	return s.scanUAI(ctx, `SELECT `+cols+q+` ORDER BY uai, millesime, voie, code, precedence DESC`, args...)
}

// uaiRowsWithoutRegional returns the establishment × formation rows,
// with a région, whose (millésime, région, voie, code) has no région ×
// formation row (the rows a région must be rebuilt from), of the given
// codes (every code when nil) and of one région when region is set; one
// per key as uaiRows.
func (s *Store) uaiRowsWithoutRegional(ctx context.Context, codes []string, region string) ([]figRow, error) {
	q := `SELECT uai, millesime, coalesce(region, ''), voie, code, coalesce(cfd, ''), coalesce(mefstat11, ''), ` + figureCols + `,
  part_poursuite_etudes, part_emploi_6_mois, part_autres_situations, file_id
FROM ij_uai_formation u WHERE u.region IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM ij_region_formation r WHERE r.millesime = u.millesime AND r.region = u.region AND r.voie = u.voie AND r.code = u.code%s)`
	// The codes and the région restrict both sides: stated on the
	// région × formation side too, they let PostgreSQL hash only those
	// rows of it (index ij_region_formation_code or _region) instead of
	// the whole table (a Seq Scan that enable_seqscan=off, in
	// TestPageQueriesUseIndexes, does not show: 131 → 6 ms for one CFD).
	var args []any
	var inner, outer string
	if codes != nil {
		args = append(args, codes)
		inner += fmt.Sprintf(" AND r.code = ANY($%d)", len(args))
		outer += fmt.Sprintf(" AND u.code = ANY($%d)", len(args))
	}
	if region != "" {
		args = append(args, region)
		inner += fmt.Sprintf(" AND r.region = $%d", len(args))
		outer += fmt.Sprintf(" AND u.region = $%d", len(args))
	}
	return s.scanUAI(ctx, fmt.Sprintf(q, inner)+outer+" ORDER BY uai, millesime, voie, code, precedence DESC", args...)
}

// scanUAI reads establishment × formation rows ordered by key then
// precedence, one per key (the others in autres).
func (s *Store) scanUAI(ctx context.Context, q string, args ...any) ([]figRow, error) {
	return s.scanUAIRows(ctx, true, q, args...)
}

// scanUAIRows reads establishment × formation rows, collapsing the rows of
// one key as scanUAI when collapse is set, else keeping each row.
func (s *Store) scanUAIRows(ctx context.Context, collapse bool, q string, args ...any) ([]figRow, error) {
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("chiffres par établissement : %w", err)
	}
	defer rows.Close()
	var out []figRow
	sc := newFigScanner(true, true)
	for rows.Next() {
		var r figRow
		if err := sc.scan(rows, &r); err != nil {
			return nil, err
		}
		if collapse {
			out = appendCollapsed(out, r)
		} else {
			out = append(out, r)
		}
	}
	return out, rows.Err()
}

// appendCollapsed appends r to rows ordered by key then precedence, or,
// when the last one has its key, adds r's file to that one's autres.
func appendCollapsed(rows []figRow, r figRow) []figRow {
	if n := len(rows); n > 0 {
		p := &rows[n-1]
		if p.uai == r.uai && p.millesime == r.millesime && p.voie == r.voie && p.code == r.code {
			p.autres = append(p.autres, r.fileID)
			if p.region == "" {
				p.region = r.region
			}
			return rows
		}
	}
	return append(rows, r)
}

// rebuiltRegions returns the régions rebuilt from their establishments
// (regionsFromUAI) for the keys the région × formation file lacks, of the
// given codes (every code when nil) and of one région when region is set.
// With a data version in the context, the establishment rows without a
// regional row are read once per version for the whole warehouse
// (withoutRegional; few, often none: a page no longer reads the tens of
// thousands of rows of a région or a formation to find them), and those of
// the request are picked in the same order as the query would give them.
func (s *Store) rebuiltRegions(ctx context.Context, codes []string, region string) ([]figRow, error) {
	var w *withoutRegional
	if hasDataVersion(ctx) {
		var err error
		if w, err = summary(ctx, s, "without regional", func() (*withoutRegional, error) { return s.loadWithoutRegional(ctx) }); err != nil {
			return nil, err
		}
	}
	if w == nil || w.tooMany {
		uai, err := s.uaiRowsWithoutRegional(ctx, codes, region)
		if err != nil {
			return nil, err
		}
		return regionsFromUAI(nil, uai), nil
	}
	want := map[string]bool{}
	for _, c := range codes {
		want[c] = true
	}
	var uai []figRow
	for _, r := range w.rows { // ordered by key then precedence, uncollapsed
		if codes != nil && !want[r.code] || region != "" && r.region != region {
			continue
		}
		r.autres = nil
		uai = appendCollapsed(uai, r)
	}
	return regionsFromUAI(nil, uai), nil
}

// withoutRegional are the establishment × formation rows, with a région,
// whose key has no région × formation row, one per source (not collapsed),
// or tooMany when there are more than withoutRegionalMax (then each page
// reads its own).
type withoutRegional struct {
	rows    []figRow
	tooMany bool
}

const withoutRegionalMax = 50000

// loadWithoutRegional reads them: the keys without a regional row as a
// set difference (hashed, linear whatever the planner's statistics: an
// anti-join planned on stale statistics right after an import merged on
// (millésime, voie) only and ran for minutes), then their rows.
func (s *Store) loadWithoutRegional(ctx context.Context) (*withoutRegional, error) {
	rows, err := s.scanUAIRows(ctx, false, `
WITH k AS (
  SELECT millesime, region, voie, code FROM ij_uai_formation WHERE region IS NOT NULL
  EXCEPT SELECT millesime, region, voie, code FROM ij_region_formation)
SELECT u.uai, u.millesime, u.region, u.voie, u.code, coalesce(u.cfd, ''), coalesce(u.mefstat11, ''), `+prefixed("u.", figureCols)+`,
  u.part_poursuite_etudes, u.part_emploi_6_mois, u.part_autres_situations, u.file_id
FROM ij_uai_formation u JOIN k ON k.millesime = u.millesime AND k.region = u.region AND k.voie = u.voie AND k.code = u.code
ORDER BY u.uai, u.millesime, u.voie, u.code, u.precedence DESC
LIMIT $1`, withoutRegionalMax+1)
	if err != nil {
		return nil, fmt.Errorf("chiffres par établissement sans ligne régionale : %w", err)
	}
	if len(rows) > withoutRegionalMax {
		return &withoutRegional{tooMany: true}, nil
	}
	return &withoutRegional{rows: rows}, nil
}

// prefixed qualifies each column of a comma-separated list.
func prefixed(alias, cols string) string {
	parts := strings.Split(cols, ",")
	for i, c := range parts {
		parts[i] = alias + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}

// requestMemo holds what a request reads once however many store calls
// need it (WithRequestMemo).
type requestMemo struct {
	once sync.Once
	src  map[int64]model.Source
	err  error
}

type memoKey struct{}

// WithRequestMemo returns a context under which the store reads the
// import_files table once, for every call made with it (a page makes
// several store calls that each need the sources). The memo lives as
// long as the context: one per request, so an import shows at once.
func WithRequestMemo(ctx context.Context) context.Context {
	return context.WithValue(ctx, memoKey{}, &requestMemo{})
}

// sources returns the model.Source of every import file (a small table),
// once per request memo.
func (s *Store) sources(ctx context.Context) (map[int64]model.Source, error) {
	m, ok := ctx.Value(memoKey{}).(*requestMemo)
	if !ok {
		return s.readSources(ctx)
	}
	m.once.Do(func() { m.src, m.err = s.readSources(ctx) })
	return m.src, m.err
}

func (s *Store) readSources(ctx context.Context) (map[int64]model.Source, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, name, run_id, format, producer, synthetic FROM import_files`)
	if err != nil {
		return nil, fmt.Errorf("fichiers importés : %w", err)
	}
	out := map[int64]model.Source{}
	var id int64
	var src model.Source
	_, err = pgx.ForEachRow(rows, []any{&id, &src.Fichier, &src.ImportRun, &src.Format, &src.Producteur, &src.Demonstration}, func() error {
		out[id] = src
		return nil
	})
	return out, err
}

// regionsFromUAI rebuilds, for each (millésime, région, voie, code) that
// establishments hold but the région × formation file does not, the
// regional row as the sum of its establishments.
func regionsFromUAI(regional, uai []figRow) []figRow {
	type key struct{ m, r, v, c string }
	have := map[key]bool{}
	for _, r := range regional {
		have[key{r.millesime, r.region, r.voie, r.code}] = true
	}
	groups := map[key][]int{}
	var order []key
	for i, u := range uai {
		k := key{u.millesime, u.region, u.voie, u.code}
		if have[k] || u.region == "" {
			continue
		}
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], i)
	}
	out := make([]figRow, 0, len(order))
	for _, k := range order {
		idx := groups[k]
		parts := make([]model.RawFigure, len(idx))
		seen := map[int64]bool{}
		var srcs []int64
		for j, i := range idx {
			parts[j] = uai[i].fig
			if !seen[uai[i].fileID] {
				seen[uai[i].fileID] = true
				srcs = append(srcs, uai[i].fileID)
			}
		}
		f, ag := model.Aggregate(model.PerimetreRegion, parts)
		first := uai[idx[0]]
		out = append(out, figRow{millesime: k.m, region: k.r, voie: k.v, code: k.c, cfd: first.cfd, mefstat11: first.mefstat11,
			fig: f, computed: true, agregat: &ag, sources: srcs, fileID: srcs[0]})
	}
	return out
}

// figureOf turns a group of rows into one figure, before the secret
// statistique. A single published row is shown as published (its parts
// computed from its counts where the file has none); otherwise, or when
// force is set, the counts are summed and the rates computed (perimetre
// says over what). code is the key shown when several keys were summed.
func figureOf(rows []figRow, perimetre, code string, force bool, src map[int64]model.Source) model.RawFormationFigure {
	ff := model.RawFormationFigure{Millesime: rows[0].millesime, Voie: rows[0].voie}
	if len(rows) == 1 && !force {
		r := rows[0]
		ff.Code, ff.CFD, ff.MEFSTAT11 = r.code, r.cfd, r.mefstat11
		ff.Raw = model.WithParts(r.fig)
		ff.Source = src[r.fileID]
		if r.computed {
			ff.Calcule, ff.Agregat = true, r.agregat
			ff.Source, ff.AutresSources, ff.Demonstration = sourcesOf(r.sources, src)
		} else {
			for _, id := range r.autres {
				ff.AutresSources = append(ff.AutresSources, src[id])
			}
		}
		return ff
	}
	parts := make([]model.RawFigure, len(rows))
	var ids []int64
	codes := map[string]bool{}
	for i, r := range rows {
		parts[i] = r.fig
		codes[r.code] = true
		if r.computed {
			ids = append(ids, r.sources...)
		} else {
			ids = append(ids, r.fileID)
		}
	}
	f, ag := model.Aggregate(perimetre, parts)
	ff.Raw, ff.Calcule, ff.Agregat = f, true, &ag
	if len(codes) == 1 {
		ff.Code, ff.CFD, ff.MEFSTAT11 = rows[0].code, rows[0].cfd, rows[0].mefstat11
	} else {
		ff.Code = code
	}
	ff.Source, ff.AutresSources, ff.Demonstration = sourcesOf(ids, src)
	return ff
}

// sourcesOf returns the first source, the other distinct ones, and
// whether any of them is synthetic.
func sourcesOf(ids []int64, src map[int64]model.Source) (model.Source, []model.Source, bool) {
	seen := map[int64]bool{}
	var uniq []int64
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			uniq = append(uniq, id)
		}
	}
	sort.Slice(uniq, func(i, j int) bool { return uniq[i] < uniq[j] })
	var first model.Source
	var autres []model.Source
	demo := false
	for i, id := range uniq {
		s := src[id]
		demo = demo || s.Demonstration
		if i == 0 {
			first = s
		} else {
			autres = append(autres, s)
		}
	}
	return first, autres, demo
}

// sortFigures orders figures from the latest millésime, then by voie.
func sortFigures(fs []model.FormationFigure) {
	sort.SliceStable(fs, func(i, j int) bool {
		if c := model.CompareMillesimes(fs[i].Millesime, fs[j].Millesime); c != 0 {
			return c < 0
		}
		return model.VoieOrder(fs[i].Voie) < model.VoieOrder(fs[j].Voie)
	})
}
