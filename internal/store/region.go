package store

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// codeLabels returns, for figure keys, their CFD (a MEFSTAT11 through
// cfd_of_mefstat11, migration 00005) and the BCN identity of that CFD
// (without its terminal MEFSTAT11s), in one query. With a data version in
// the context (WithDataVersion), the codes already resolved at that
// version are not asked again (labelMemo): a page of a région or of a
// formation names hundreds of codes, each a call of cfd_of_mefstat11.
func (s *Store) codeLabels(ctx context.Context, codes []string) (map[string]string, map[string]bcnFormation, error) {
	cfdOf, bcn := map[string]string{}, map[string]bcnFormation{}
	version, memo := ctx.Value(versionKey{}).(int64)
	missing := codes
	if memo {
		missing = s.labels.lookup(version, codes, cfdOf, bcn)
		if len(missing) == 0 {
			return cfdOf, bcn, nil
		}
	}
	const q = `
SELECT c.code, coalesce(k.cfd, ''), coalesce(f.libelle_long, f.libelle_court, ''), coalesce(f.niveau, ''),
  coalesce(n.libelle_court, ''), f.date_ouverture, f.date_fermeture, f.cfd IS NOT NULL
FROM unnest($1::text[]) AS c(code)
CROSS JOIN LATERAL (SELECT CASE WHEN length(c.code) = 11 THEN cfd_of_mefstat11(c.code) ELSE c.code END AS cfd) k
LEFT JOIN bcn_formations f ON f.cfd = k.cfd
LEFT JOIN bcn_niveaux n ON n.code = f.niveau`
	rows, err := s.pool.Query(ctx, q, missing)
	if err != nil {
		return nil, nil, fmt.Errorf("libellés des formations : %w", err)
	}
	defer rows.Close()
	type found struct {
		code string
		b    bcnFormation
		in   bool // the CFD is in the BCN
	}
	var got []found
	for rows.Next() {
		var f found
		if err := rows.Scan(&f.code, &f.b.cfd, &f.b.libelle, &f.b.niveauCode, &f.b.niveau, &f.b.ouverture, &f.b.fermeture, &f.in); err != nil {
			return nil, nil, err
		}
		got = append(got, f)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	rows.Close()
	ref, err := s.referentiel(ctx)
	if err != nil {
		return nil, nil, err
	}
	readable := map[string]bcnFormation{}
	for i := range got {
		f := &got[i]
		if b, ok := readable[f.b.cfd]; ok {
			f.b = b
		} else {
			ref.readable(&f.b)
			readable[f.b.cfd] = f.b
		}
		cfdOf[f.code] = f.b.cfd
		bcn[f.b.cfd] = f.b
	}
	if memo {
		s.labels.mu.Lock()
		for _, f := range got {
			if f.in { // a code unknown to the BCN is asked again (no growth on unknown codes)
				s.labels.add(version, f.code, f.b)
			}
		}
		s.labels.mu.Unlock()
	}
	return cfdOf, bcn, nil
}

// labelMemo keeps, for one data version, the CFD and BCN identity of the
// figure codes codeLabels resolved (codes found in the BCN only, at most
// labelMemoMax: a few thousand codes are a few hundred kilobytes).
type labelMemo struct {
	mu      sync.Mutex
	version int64
	byCode  map[string]bcnFormation
}

const labelMemoMax = 50000

// lookup fills cfdOf and bcn with the codes known at version and returns
// the others.
func (m *labelMemo) lookup(version int64, codes []string, cfdOf map[string]string, bcn map[string]bcnFormation) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.version != version {
		return codes
	}
	var missing []string
	for _, c := range codes {
		b, ok := m.byCode[c]
		if !ok {
			missing = append(missing, c)
			continue
		}
		cfdOf[c] = b.cfd
		bcn[b.cfd] = b
	}
	return missing
}

// add keeps the identity of code at version (m.mu held); a newer version
// starts afresh, an older one is not kept.
func (m *labelMemo) add(version int64, code string, b bcnFormation) {
	if m.byCode == nil || version > m.version {
		m.byCode, m.version = map[string]bcnFormation{}, version
	}
	if version < m.version || len(m.byCode) >= labelMemoMax {
		return
	}
	m.byCode[code] = b
}

// Region returns the regional aggregates of a région (INSEE code): every
// formation with its figures per millésime (as the région × formation file
// publishes them, or summed from the establishments where the file lacks
// the key), and every diploma level with its figures per millésime and
// voie, summed over its formations (rates recomputed half to even).
//
// It is not kept per data version: the views of every région take about
// 40 MB of heap (and the académies 107 MB), which made the garbage
// collector of a node under its soft memory limit slow every page (see
// docs/PERFORMANCE.md).
func (s *Store) Region(ctx context.Context, code string) (model.RegionDetail, error) {
	return s.region(ctx, code, false)
}

// RegionLatest is Region restricted to what the région's page and its
// exports show: the figure of the latest millésime of each formation and
// of each level (the JSON has every millésime). Older rows are left out
// before anything is summed, so its cost follows the latest millésime,
// not the history the warehouse holds; the figures it gives are those of
// Region (TestTerritoryLatest).
func (s *Store) RegionLatest(ctx context.Context, code string) (model.RegionDetail, error) {
	return s.region(ctx, code, true)
}

func (s *Store) region(ctx context.Context, code string, latest bool) (model.RegionDetail, error) {
	var d model.RegionDetail
	reg, ok := model.RegionByCode(code)
	if !ok {
		return d, &model.NotFoundError{Statut: model.StatutCodeInconnu, Message: fmt.Sprintf("région %q inconnue : code INSEE à deux caractères attendu (ex. 53 pour la Bretagne)", code)}
	}
	d.Region = model.Territoire{Code: reg.Code, Nom: reg.Nom}
	read := s.regionRows
	if latest {
		// a superset of the latest rows (latestRows below picks them):
		// the older millésimes are not read
		read = s.regionLatestYearRows
	}
	rows, err := read(ctx, reg.Code)
	if err != nil {
		return d, err
	}
	// Only the establishment rows whose key the région × formation file
	// lacks are used (rebuiltRegions): the région is rebuilt from them,
	// the other keys are published as such.
	rebuilt, err := s.rebuiltRegions(ctx, nil, reg.Code)
	if err != nil {
		return d, err
	}
	rows = append(rows, rebuilt...)
	if latest {
		rows = latestRows(rows)
	}
	src, err := s.sources(ctx)
	if err != nil {
		return d, err
	}
	type fk struct{ voie, code string }
	byFormation := map[fk][]figRow{}
	var codes []string
	for _, r := range rows {
		k := fk{r.voie, r.code}
		if _, ok := byFormation[k]; !ok {
			codes = append(codes, r.code)
		}
		byFormation[k] = append(byFormation[k], r)
	}
	cfdOf, bcn, err := s.codeLabels(ctx, codes)
	if err != nil {
		return d, err
	}
	byNiveau := map[niveauKey][]figRow{}
	niveauLabel := map[string]string{}
	var mills []string
	d.Formations, d.Niveaux = []model.RegionFormation{}, []model.RegionNiveau{}
	for k, rs := range byFormation {
		b := bcn[cfdOf[k.code]]
		rf := model.RegionFormation{Code: k.code, CFD: cfdOf[k.code], Libelle: b.libelle, LibelleBCN: b.libelleBCN, Niveau: b.niveau, Voie: k.voie,
			DateFermeture: closedOn(b.fermeture, time.Now())}
		if k.voie == model.VoieScolaire {
			rf.MEFSTAT11 = k.code
		}
		for _, r := range rs {
			f := figureOf([]figRow{r}, model.PerimetreRegion, "", false, src).Disclose()
			rf.Chiffres = append(rf.Chiffres, f)
			d.Demonstration = d.Demonstration || f.Demonstration
			mills = append(mills, r.millesime)
			nkey := niveauKey{b.niveauCode, k.voie, r.millesime}
			byNiveau[nkey] = append(byNiveau[nkey], r)
			niveauLabel[b.niveauCode] = b.niveau
		}
		sortFigures(rf.Chiffres)
		d.Formations = append(d.Formations, rf)
	}
	finishTerritory(&d, byNiveau, niveauLabel, src, latest)
	d.Millesimes = model.SortMillesimes(mills)
	if d.ChiffresCles, err = s.chiffresCles(ctx, rows, cfdOf, bcn, model.PerimetreRegion, src); err != nil {
		return d, err
	}
	return d, nil
}

// niveauKey groups the figures of one territory by diploma level.
type niveauKey struct{ niveau, voie, millesime string }

// latestRows keeps, of a territory's rows, those of the latest millésime
// of their (voie, code) (model.CompareMillesimes).
func latestRows(rows []figRow) []figRow {
	type vc struct{ voie, code string }
	latest := map[vc]string{}
	for _, r := range rows {
		k := vc{r.voie, r.code}
		if cur, ok := latest[k]; !ok || r.millesime != cur && model.CompareMillesimes(r.millesime, cur) < 0 {
			latest[k] = r.millesime
		}
	}
	out := make([]figRow, 0, len(latest))
	for _, r := range rows {
		if r.millesime == latest[vc{r.voie, r.code}] {
			out = append(out, r)
		}
	}
	return out
}

// finishTerritory sorts the formations of a territory and builds its
// per-level aggregates (counts summed, then rates, then Disclose). latest:
// the rows are latestRows, so a level is complete at its latest
// millésime only (the formations whose latest is older are not there at
// older ones): only that one is built.
func finishTerritory(d *model.RegionDetail, byNiveau map[niveauKey][]figRow, niveauLabel map[string]string, src map[int64]model.Source, latest bool) {
	if latest {
		type lv struct{ niveau, voie string }
		top := map[lv]string{}
		for k := range byNiveau {
			l := lv{k.niveau, k.voie}
			if cur, ok := top[l]; !ok || k.millesime != cur && model.CompareMillesimes(k.millesime, cur) < 0 {
				top[l] = k.millesime
			}
		}
		for k := range byNiveau {
			if top[lv{k.niveau, k.voie}] != k.millesime {
				delete(byNiveau, k)
			}
		}
	}
	sort.Slice(d.Formations, func(i, j int) bool {
		a, b := d.Formations[i], d.Formations[j]
		if a.Niveau != b.Niveau {
			return a.Niveau < b.Niveau
		}
		if a.Libelle != b.Libelle {
			return a.Libelle < b.Libelle
		}
		if a.Voie != b.Voie {
			return model.VoieOrder(a.Voie) < model.VoieOrder(b.Voie)
		}
		return a.Code < b.Code
	})
	type lk struct{ niveau, voie string }
	levels := map[lk]*model.RegionNiveau{}
	for k, rs := range byNiveau {
		raw := figureOf(rs, model.PerimetreNiveau, k.niveau, true, src)
		raw.Code, raw.CFD, raw.MEFSTAT11 = k.niveau, "", ""
		f := raw.Disclose()
		l, ok := levels[lk{k.niveau, k.voie}]
		if !ok {
			l = &model.RegionNiveau{NiveauCode: k.niveau, Niveau: niveauLabel[k.niveau], Voie: k.voie}
			levels[lk{k.niveau, k.voie}] = l
		}
		l.Chiffres = append(l.Chiffres, f)
	}
	for _, l := range levels {
		sortFigures(l.Chiffres)
		d.Niveaux = append(d.Niveaux, *l)
	}
	sort.Slice(d.Niveaux, func(i, j int) bool {
		a, b := d.Niveaux[i], d.Niveaux[j]
		if a.NiveauCode != b.NiveauCode {
			return a.NiveauCode < b.NiveauCode
		}
		return model.VoieOrder(a.Voie) < model.VoieOrder(b.Voie)
	})
}
