package store

import (
	"context"
	"slices"
	"sort"
	"strings"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// chiffresCles builds the headline of a territory from its rows (the
// région × formation rows of a région, the establishment × formation rows
// of an académie): for the latest millésime of each voie, every formation
// aggregated per voie and per diploma level (model.Aggregate), beside the
// same aggregate over every région of the région × formation file.
func (s *Store) chiffresCles(ctx context.Context, rows []figRow, cfdOf map[string]string, bcn map[string]bcnFormation,
	perimetre string, src map[int64]model.Source) ([]model.ChiffreCle, error) {
	latest := map[string]string{} // voie → millésime
	for _, r := range rows {
		if cur, ok := latest[r.voie]; !ok || model.CompareMillesimes(r.millesime, cur) < 0 {
			latest[r.voie] = r.millesime
		}
	}
	if len(latest) == 0 {
		return []model.ChiffreCle{}, nil
	}
	france, err := s.franceHeadlines(ctx, latest, src)
	if err != nil {
		return nil, err
	}
	label := map[string]string{}
	terr := groupByLevel(rows, latest, cfdOf, bcn, label)
	out := make([]model.ChiffreCle, 0, len(terr))
	for k, rs := range terr {
		c := model.ChiffreCle{Voie: k.voie, NiveauCode: k.niveau, Niveau: label[k.niveau], Millesime: latest[k.voie]}
		c.Territoire = headlineFigure(rs, perimetre, k.niveau, src)
		if f, ok := france[k]; ok {
			c.France = f
		} else {
			c.France = model.AbsentFigure(c.Millesime, k.voie, k.niveau, model.StatutMillesimeAbsent, nil)
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Voie != b.Voie {
			return model.VoieOrder(a.Voie) < model.VoieOrder(b.Voie)
		}
		if (a.NiveauCode == "") != (b.NiveauCode == "") {
			return a.NiveauCode == ""
		}
		return a.NiveauCode < b.NiveauCode
	})
	return out, nil
}

// levelKey is a voie and a diploma level ("" for every level).
type levelKey struct{ voie, niveau string }

// groupByLevel groups the rows of each voie's latest millésime by voie
// and by voie and level, and records the level labels.
func groupByLevel(rows []figRow, latest map[string]string, cfdOf map[string]string, bcn map[string]bcnFormation, label map[string]string) map[levelKey][]figRow {
	out := map[levelKey][]figRow{}
	for _, r := range rows {
		if latest[r.voie] != r.millesime {
			continue
		}
		b := bcn[cfdOf[r.code]]
		if b.niveauCode == "" { // "" is the key of every level
			b.niveauCode, b.niveau = model.NiveauInconnu, "niveau non renseigné"
		}
		label[b.niveauCode] = b.niveau
		out[levelKey{r.voie, ""}] = append(out[levelKey{r.voie, ""}], r)
		out[levelKey{r.voie, b.niveauCode}] = append(out[levelKey{r.voie, b.niveauCode}], r)
	}
	return out
}

// franceHeadlines aggregates every région × formation row of each voie's
// given millésime (voie → millésime), per voie and per voie and level:
// the France beside a territory, a warehouse-wide read kept once per data
// version.
func (s *Store) franceHeadlines(ctx context.Context, latest map[string]string, src map[int64]model.Source) (map[levelKey]model.FormationFigure, error) {
	var mills, key []string
	for v, m := range latest {
		mills = append(mills, m)
		key = append(key, v+"="+m)
	}
	slices.Sort(mills)
	mills = slices.Compact(mills)
	slices.Sort(key)
	return summary(ctx, s, "france "+strings.Join(key, ","), func() (map[levelKey]model.FormationFigure, error) {
		rows, err := s.scanRegional(ctx, `SELECT millesime, region, voie, code, coalesce(cfd, ''), coalesce(mefstat11, ''), `+figureCols+`, file_id
FROM ij_region_formation WHERE millesime = ANY($1)`, mills)
		if err != nil {
			return nil, err
		}
		seen := map[string]bool{}
		var codes []string
		for _, r := range rows {
			if !seen[r.code] {
				seen[r.code] = true
				codes = append(codes, r.code)
			}
		}
		cfdOf, bcn, err := s.codeLabels(ctx, codes)
		if err != nil {
			return nil, err
		}
		out := map[levelKey]model.FormationFigure{}
		for k, rs := range groupByLevel(rows, latest, cfdOf, bcn, map[string]string{}) {
			out[k] = headlineFigure(rs, model.PerimetreNational, k.niveau, src)
		}
		return out, nil
	})
}

// headlineFigure aggregates rows into one disclosed figure keyed by the
// level (no formation code).
func headlineFigure(rs []figRow, perimetre, niveau string, src map[int64]model.Source) model.FormationFigure {
	raw := figureOf(rs, perimetre, niveau, true, src)
	raw.Code, raw.CFD, raw.MEFSTAT11 = niveau, "", ""
	return raw.Disclose()
}
