package store

import (
	"context"
	"sort"

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
	var mills []string
	for _, m := range latest {
		mills = append(mills, m)
	}
	nat, err := s.scanRegional(ctx, `SELECT millesime, region, voie, code, coalesce(cfd, ''), coalesce(mefstat11, ''), `+figureCols+`, file_id
FROM ij_region_formation WHERE millesime = ANY($1)`, mills)
	if err != nil {
		return nil, err
	}
	var codes []string
	for _, r := range nat {
		if _, ok := cfdOf[r.code]; !ok {
			codes = append(codes, r.code)
		}
	}
	natCfd, natBcn, err := s.codeLabels(ctx, codes)
	if err != nil {
		return nil, err
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
	terr, fr := group(rows), group(nat)
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

// headlineFigure aggregates rows into one disclosed figure keyed by the
// level (no formation code).
func headlineFigure(rs []figRow, perimetre, niveau string, src map[int64]model.Source) model.FormationFigure {
	raw := figureOf(rs, perimetre, niveau, true, src)
	raw.Code, raw.CFD, raw.MEFSTAT11 = niveau, "", ""
	return raw.Disclose()
}
