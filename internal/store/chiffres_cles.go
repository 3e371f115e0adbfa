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
	nat, err := s.franceRows(ctx, latest)
	if err != nil {
		return nil, err
	}
	natCfd, natBcn := map[string]string{}, map[string]bcnFormation{}
	for k, v := range nat.cfdOf {
		natCfd[k] = v
	}
	for k, v := range nat.bcn {
		natBcn[k] = v
	}
	for k, v := range cfdOf {
		natCfd[k] = v
	}
	for k, v := range bcn {
		natBcn[k] = v
	}
	type gk struct{ voie, niveau string }
	label := map[string]string{}
	group := func(rs []figRow) map[gk][]figRow {
		out := map[gk][]figRow{}
		for _, r := range rs {
			if latest[r.voie] != r.millesime {
				continue
			}
			b := natBcn[natCfd[r.code]]
			if b.niveauCode == "" { // "" is the key of every level
				b.niveauCode, b.niveau = model.NiveauInconnu, "niveau non renseigné"
			}
			label[b.niveauCode] = b.niveau
			out[gk{r.voie, ""}] = append(out[gk{r.voie, ""}], r)
			out[gk{r.voie, b.niveauCode}] = append(out[gk{r.voie, b.niveauCode}], r)
		}
		return out
	}
	terr, fr := group(rows), group(nat.rows)
	out := make([]model.ChiffreCle, 0, len(terr))
	for k, rs := range terr {
		c := model.ChiffreCle{Voie: k.voie, NiveauCode: k.niveau, Niveau: label[k.niveau], Millesime: latest[k.voie]}
		c.Territoire = headlineFigure(rs, perimetre, k.niveau, src)
		if len(fr[k]) > 0 {
			c.France = headlineFigure(fr[k], model.PerimetreNational, k.niveau, src)
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

// franceData is every région × formation row of some millésimes, with
// the labels of their codes.
type franceData struct {
	rows  []figRow
	cfdOf map[string]string
	bcn   map[string]bcnFormation
}

// franceRows reads every région × formation row of the given millésimes
// (voie → millésime), with the labels of their codes: the France beside
// a territory, a warehouse-wide read kept once per data version.
func (s *Store) franceRows(ctx context.Context, latest map[string]string) (franceData, error) {
	var mills []string
	for _, m := range latest {
		mills = append(mills, m)
	}
	slices.Sort(mills)
	mills = slices.Compact(mills)
	return summary(ctx, s, "france "+strings.Join(mills, ","), func() (franceData, error) {
		rows, err := s.scanRegional(ctx, `SELECT millesime, region, voie, code, coalesce(cfd, ''), coalesce(mefstat11, ''), `+figureCols+`, file_id
FROM ij_region_formation WHERE millesime = ANY($1)`, mills)
		if err != nil {
			return franceData{}, err
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
		return franceData{rows, cfdOf, bcn}, err
	})
}

// headlineFigure aggregates rows into one disclosed figure keyed by the
// level (no formation code).
func headlineFigure(rs []figRow, perimetre, niveau string, src map[int64]model.Source) model.FormationFigure {
	raw := figureOf(rs, perimetre, niveau, true, src)
	raw.Code, raw.CFD, raw.MEFSTAT11 = niveau, "", ""
	return raw.Disclose()
}
