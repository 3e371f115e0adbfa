package store

import (
	"context"
	"sort"
	"time"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// EtablissementFormations lists the formations of an establishment that
// have figures (InserJeunes establishment × formation, InserSup), one per
// (voie, code), each with its latest figure. No continuum here:
// the list says what the establishment's own figures are.
func (s *Store) EtablissementFormations(ctx context.Context, uai string) ([]model.EtablissementFormation, error) {
	rows, err := s.uaiRows(ctx, nil, uai, "")
	if err != nil {
		return nil, err
	}
	sup, err := s.supRows(ctx, "", uai)
	if err != nil {
		return nil, err
	}
	out := []model.EtablissementFormation{}
	if len(rows) == 0 && len(sup) == 0 {
		return out, nil
	}
	src, err := s.sources(ctx)
	if err != nil {
		return nil, err
	}
	type fk struct{ voie, code string }
	groups := map[fk][]figRow{}
	var codes []string
	for _, r := range rows {
		k := fk{r.voie, r.code}
		if _, ok := groups[k]; !ok {
			codes = append(codes, r.code)
		}
		groups[k] = append(groups[k], r)
	}
	cfdOf, bcn, err := s.codeLabels(ctx, codes)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	for k, rs := range groups {
		figs := make([]model.FormationFigure, len(rs))
		for i, r := range rs {
			figs[i] = figureOf([]figRow{r}, model.PerimetreFormation, "", false, src).Disclose()
		}
		sortFigures(figs)
		b := bcn[cfdOf[k.code]]
		ef := model.EtablissementFormation{Code: k.code, CFD: cfdOf[k.code], Libelle: b.libelle, LibelleBCN: b.libelleBCN, Niveau: b.niveau, Voie: k.voie,
			FormationFermee: model.FormationFermee(b.fermeture, now), DateFermeture: closedOn(b.fermeture, now)}
		if k.voie == model.VoieScolaire {
			ef.MEFSTAT11 = k.code
		}
		for _, f := range figs {
			ef.Millesimes = append(ef.Millesimes, f.Millesime)
		}
		last := figs[0]
		ef.Dernier = &last
		out = append(out, ef)
	}
	if len(sup) > 0 {
		heads := withBreakdowns(supFigures(sup, src))
		bySise := map[string][]model.InserSupFigure{}
		var sises []string
		for _, h := range heads {
			if _, ok := bySise[h.SISE]; !ok {
				sises = append(sises, h.SISE)
			}
			bySise[h.SISE] = append(bySise[h.SISE], h)
		}
		infos, err := s.supInfos(ctx, sises)
		if err != nil {
			return nil, err
		}
		for sise, figs := range bySise {
			sortSup(figs)
			last := figs[0]
			ef := model.EtablissementFormation{Code: sise, SISE: sise, Libelle: infos[sise].libelle, Niveau: infos[sise].typeLong,
				Voie: model.VoieSuperieur, DernierSup: &last}
			for _, f := range figs {
				ef.Millesimes = append(ef.Millesimes, f.Millesime)
			}
			out = append(out, ef)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Voie != b.Voie {
			return model.VoieOrder(a.Voie) < model.VoieOrder(b.Voie)
		}
		if a.Niveau != b.Niveau {
			return a.Niveau < b.Niveau
		}
		if a.Libelle != b.Libelle {
			return a.Libelle < b.Libelle
		}
		return a.Code < b.Code
	})
	return out, nil
}
