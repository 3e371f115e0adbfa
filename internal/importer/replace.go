package importer

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Real data replaces demonstration data cleanly.
//
// Synthetic (demonstration) files and real files load into the same tables.
// The unit of replacement is a table's scope below: a real file replaces
// every synthetic row of the scopes it covers (a real per-establishment ×
// formation file for millésime M and voie V is complete for (M, V), so the
// synthetic rows of (M, V) go, including establishments the real file does
// not list); a synthetic file never writes into a scope where real rows
// exist (its rows there are skipped). So a (scope) is either wholly real or
// wholly synthetic, whatever the import order, and no synthetic figure ever
// overwrites a real one.
//
// InserSup extracts are partial (one university, one diploma), so their
// scope is the figure itself: (millésime, UAI, SISE).
var replaceScope = map[string][]string{
	"ij_uai_formation":    {"millesime", "voie"},
	"ij_etab":             {"millesime", "voie"},
	"ij_region_formation": {"millesime", "voie"},
	"insersup":            {"millesime", "uai", "sise"},
}

// scopeTuples returns the distinct scope tuples of rows (column-major, for
// unnest) and the scope column indexes.
func scopeTuples(t *Target, rows [][]any) (idx []int, tuples [][]string) {
	for _, s := range replaceScope[t.Table] {
		for i, c := range t.Cols {
			if c == s {
				idx = append(idx, i)
			}
		}
	}
	seen := map[string]bool{}
	cols := make([][]string, len(idx))
	for _, r := range rows {
		k := scopeKey(r, idx)
		if seen[k] {
			continue
		}
		seen[k] = true
		for j, i := range idx {
			s, _ := r[i].(string)
			cols[j] = append(cols[j], s)
		}
	}
	return idx, cols
}

func scopeKey(r []any, idx []int) string {
	var b strings.Builder
	for _, i := range idx {
		s, _ := r[i].(string)
		b.WriteString(s)
		b.WriteByte(0)
	}
	return b.String()
}

// keepReal drops the rows of a synthetic file whose scope already holds
// real rows; it returns the rows to load and a note when some were dropped.
func keepReal(ctx context.Context, tx pgx.Tx, t *Target, f *FileReport, rows [][]any) ([][]any, error) {
	scope := replaceScope[t.Table]
	if !f.Synthetic || scope == nil || len(rows) == 0 {
		return rows, nil
	}
	// The scopes that hold real rows, among the rows of the file's values
	// of t.Narrow (not the whole table).
	q := fmt.Sprintf(`SELECT DISTINCT %s FROM %s AS t WHERE t.file_id IN (SELECT id FROM import_files WHERE NOT synthetic)`,
		prefixed("t.", scope), t.Table)
	var args []any
	if t.Narrow != "" {
		q += " AND t." + t.Narrow + " = ANY($1::text[])"
		args = append(args, narrowValues(t, rows))
	}
	res, err := tx.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("%s : portée des données réelles : %w", t.Table, err)
	}
	real := map[string]bool{}
	vals := make([]string, len(scope))
	ptrs := make([]any, len(scope))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for res.Next() {
		if err := res.Scan(ptrs...); err != nil {
			res.Close()
			return nil, err
		}
		r := make([]any, len(vals))
		for i, v := range vals {
			r[i] = v
		}
		real[scopeKey(r, seq(len(vals)))] = true
	}
	res.Close()
	if err := res.Err(); err != nil {
		return nil, err
	}
	if len(real) == 0 {
		return rows, nil
	}
	idx, _ := scopeTuples(t, nil)
	kept := rows[:0:0]
	dropped := 0
	for _, r := range rows {
		if real[scopeKey(r, idx)] {
			dropped++
			continue
		}
		kept = append(kept, r)
	}
	if dropped > 0 {
		f.Checks = append(f.Checks, fmt.Sprintf("%s : %d ligne(s) de démonstration ignorée(s) : des chiffres réels existent déjà pour la même portée (%s)",
			t.Table, dropped, strings.Join(scope, ", ")))
	}
	return kept, nil
}

func seq(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// replaceSynthetic deletes, before a real file is loaded, the synthetic
// rows of the scopes it covers (before: a real row equal to a synthetic one
// must be written again, under the real file), and returns how many.
func replaceSynthetic(ctx context.Context, tx pgx.Tx, t *Target, f *FileReport, rows [][]any, ch tableChanges) (int64, error) {
	scope := replaceScope[t.Table]
	if f.Synthetic || scope == nil || len(rows) == 0 {
		return 0, nil
	}
	_, tuples := scopeTuples(t, rows)
	args := make([]any, len(tuples))
	un := make([]string, len(tuples))
	for i := range tuples {
		args[i] = tuples[i]
		un[i] = fmt.Sprintf("$%d::text[]", i+1)
	}
	q := fmt.Sprintf(`DELETE FROM %s AS t USING import_files fi
WHERE fi.id = t.file_id AND fi.synthetic AND (%s) IN (SELECT * FROM unnest(%s))`,
		t.Table, prefixed("t.", scope), strings.Join(un, ", "))
	if t.Narrow != "" { // only the rows of the file's values of t.Narrow
		args = append(args, narrowValues(t, rows))
		q += fmt.Sprintf(" AND t.%s = ANY($%d::text[])", t.Narrow, len(args))
	}
	q += " RETURNING " + millesimeExpr(t, "t.")
	deleted, err := countByMillesime(ctx, tx, ch, changeDeleted, q, args...)
	if err != nil {
		return 0, fmt.Errorf("%s : remplacement des données de démonstration : %w", t.Table, err)
	}
	n := int64(deleted)
	if n > 0 {
		f.Checks = append(f.Checks, fmt.Sprintf("%s : %d ligne(s) de démonstration supprimée(s), remplacées par les chiffres réels de ce fichier", t.Table, n))
	}
	return n, nil
}

// afterLoad runs the per-format checks of a loaded file and stores every
// note of the file (replacement, checks) in import_files.checks.
func afterLoad(ctx context.Context, tx pgx.Tx, f *FileReport) error {
	switch f.Format {
	case fmtUAIFormation.Kind, fmtRegionFormation.Kind:
		lines, err := checkUAISums(ctx, tx, f.Millesimes)
		if err != nil {
			return err
		}
		f.Checks = append(f.Checks, lines...)
	}
	if len(f.Checks) == 0 {
		return nil
	}
	b, _ := json.Marshal(f.Checks)
	_, err := tx.Exec(ctx, `UPDATE import_files SET checks = $2 WHERE id = $1`, f.FileID, b)
	return err
}

// checkUAISums compares, for the given millésimes, the sums over
// establishments of the per-establishment × formation counts with the
// région × formation file, key by key (millésime, région, voie, code).
// It reports how many keys agree, differ, or exist on one side only, with
// a few examples. Nothing is said when one side holds no data.
func checkUAISums(ctx context.Context, tx pgx.Tx, mills []string) ([]string, error) {
	if len(mills) == 0 {
		return nil, nil
	}
	const q = `
WITH u AS (
  SELECT millesime, region, voie, code, count(*) AS n,
    sum(nb_annee_term) AS t, sum(nb_sortant) AS s, sum(nb_poursuite_etudes) AS p,
    sum(nb_en_emploi_6_mois) AS e6, sum(nb_en_emploi_12_mois) AS e12,
    sum(nb_en_emploi_18_mois) AS e18, sum(nb_en_emploi_24_mois) AS e24
  FROM ij_uai_formation WHERE source = 'depp_api_uai' AND millesime = ANY($1)
  GROUP BY 1, 2, 3, 4),
r AS (
  SELECT millesime, region, voie, code, nb_annee_term AS t, nb_sortant AS s, nb_poursuite_etudes AS p,
    nb_en_emploi_6_mois AS e6, nb_en_emploi_12_mois AS e12, nb_en_emploi_18_mois AS e18, nb_en_emploi_24_mois AS e24
  FROM ij_region_formation WHERE millesime = ANY($1)),
j AS (
  SELECT coalesce(u.millesime, r.millesime) AS millesime, coalesce(u.region, r.region) AS region,
    coalesce(u.voie, r.voie) AS voie, coalesce(u.code, r.code) AS code,
    u.code IS NOT NULL AS in_u, r.code IS NOT NULL AS in_r,
    (u.t, u.s, u.p, u.e6, u.e12, u.e18, u.e24) IS DISTINCT FROM (r.t, r.s, r.p, r.e6, r.e12, r.e18, r.e24) AS differ,
    format('nb_annee_term %s/%s, nb_sortant %s/%s, nb_poursuite_etudes %s/%s, nb_en_emploi_6_mois %s/%s',
      coalesce(u.t::text, '∅'), coalesce(r.t::text, '∅'), coalesce(u.s::text, '∅'), coalesce(r.s::text, '∅'),
      coalesce(u.p::text, '∅'), coalesce(r.p::text, '∅'), coalesce(u.e6::text, '∅'), coalesce(r.e6::text, '∅')) AS detail
  FROM u FULL JOIN r ON u.millesime = r.millesime AND u.region = r.region AND u.voie = r.voie AND u.code = r.code)
SELECT
  count(*) FILTER (WHERE in_u AND in_r),
  count(*) FILTER (WHERE in_u AND in_r AND differ),
  count(*) FILTER (WHERE in_u AND NOT in_r),
  count(*) FILTER (WHERE in_r AND NOT in_u),
  coalesce((SELECT array_agg(x) FROM (SELECT millesime || ' région ' || region || ' ' || voie || ' ' || code || ' : ' || detail AS x
     FROM j WHERE in_u AND in_r AND differ ORDER BY 1 LIMIT 5) e), '{}')
FROM j`
	// Nothing to compare without regional rows for these millésimes (the
	// fake millésimes of vitrine gen, a per-establishment file loaded
	// first): one index probe instead of the whole query.
	var regional bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM ij_region_formation WHERE millesime = ANY($1))`, mills).Scan(&regional); err != nil {
		return nil, fmt.Errorf("contrôle des sommes par établissement : %w", err)
	}
	if !regional {
		return nil, nil
	}
	var both, differ, onlyU, onlyR int
	var examples []string
	if err := tx.QueryRow(ctx, q, mills).Scan(&both, &differ, &onlyU, &onlyR, &examples); err != nil {
		return nil, fmt.Errorf("contrôle des sommes par établissement : %w", err)
	}
	if both+onlyU == 0 || both+onlyR == 0 {
		return nil, nil // one side is empty: nothing to compare
	}
	lines := []string{fmt.Sprintf("contrôle établissements × formation / région × formation (%s) : %d clé(s) comparée(s), %d identique(s), %d différente(s) ; %d clé(s) seulement par établissement, %d seulement dans le fichier régional",
		strings.Join(mills, ", "), both, both-differ, differ, onlyU, onlyR)}
	for _, e := range examples {
		lines = append(lines, "  écart (établissements/région) : "+e)
	}
	return lines, nil
}
