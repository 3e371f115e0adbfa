package store

import (
	"context"
	"fmt"
	"sort"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// cfdOfCodes maps figure keys to their CFD: a MEFSTAT11 through BCN N_MEF
// (terminal year first), a CFD to itself.
func (s *Store) cfdOfCodes(ctx context.Context, codes []string) (map[string]string, error) {
	out := map[string]string{}
	var mefs []string
	for _, c := range codes {
		if len(c) == 11 {
			mefs = append(mefs, c)
		} else {
			out[c] = c
		}
	}
	if len(mefs) == 0 {
		return out, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT DISTINCT ON (mefstat11) mefstat11, cfd FROM bcn_mefs
WHERE mefstat11 = ANY($1) AND cfd IS NOT NULL ORDER BY mefstat11, (annee = duree) DESC, mef`, mefs)
	if err != nil {
		return nil, fmt.Errorf("MEFSTAT11 → CFD : %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var m, c string
		if err := rows.Scan(&m, &c); err != nil {
			return nil, err
		}
		out[m] = c
	}
	return out, rows.Err()
}

// codeLabels returns, for figure keys, their CFD and the BCN identity of
// that CFD.
func (s *Store) codeLabels(ctx context.Context, codes []string) (map[string]string, map[string]bcnFormation, error) {
	cfdOf, err := s.cfdOfCodes(ctx, codes)
	if err != nil {
		return nil, nil, err
	}
	var cfds []string
	seen := map[string]bool{}
	for _, c := range cfdOf {
		if !seen[c] {
			seen[c] = true
			cfds = append(cfds, c)
		}
	}
	bcn, err := s.bcnFormations(ctx, cfds)
	return cfdOf, bcn, err
}

// Region returns the regional aggregates of a région (INSEE code): every
// formation with its figures per millésime (as the région × formation file
// publishes them, or summed from the establishments where the file lacks
// the key), and every diploma level with its figures per millésime and
// voie, summed over its formations (rates recomputed half to even).
func (s *Store) Region(ctx context.Context, code string) (model.RegionDetail, error) {
	var d model.RegionDetail
	reg, ok := model.RegionByCode(code)
	if !ok {
		return d, &model.NotFoundError{Statut: model.StatutCodeInconnu, Message: fmt.Sprintf("région %q inconnue : code INSEE à deux caractères attendu (ex. 53 pour la Bretagne)", code)}
	}
	d.Region = model.Territoire{Code: reg.Code, Nom: reg.Nom}
	rows, err := s.regionRows(ctx, reg.Code)
	if err != nil {
		return d, err
	}
	var missing bool
	if err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM ij_uai_formation u WHERE u.region = $1
  AND NOT EXISTS (SELECT 1 FROM ij_region_formation r WHERE r.millesime = u.millesime AND r.region = u.region AND r.voie = u.voie AND r.code = u.code))`,
		reg.Code).Scan(&missing); err != nil {
		return d, err
	}
	if missing {
		uai, err := s.uaiRows(ctx, nil, "", reg.Code)
		if err != nil {
			return d, err
		}
		rows = append(rows, regionsFromUAI(rows, uai)...)
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
	type nk struct{ niveau, voie, millesime string }
	byNiveau := map[nk][]figRow{}
	niveauLabel := map[string]string{}
	var mills []string
	d.Formations, d.Niveaux = []model.RegionFormation{}, []model.RegionNiveau{}
	for k, rs := range byFormation {
		b := bcn[cfdOf[k.code]]
		rf := model.RegionFormation{Code: k.code, CFD: cfdOf[k.code], Libelle: b.libelle, Niveau: b.niveau, Voie: k.voie}
		if k.voie == model.VoieScolaire {
			rf.MEFSTAT11 = k.code
		}
		for _, r := range rs {
			f := figureOf([]figRow{r}, model.PerimetreRegion, "", false, src)
			f.Disclose()
			rf.Chiffres = append(rf.Chiffres, f)
			d.Demonstration = d.Demonstration || f.Demonstration
			mills = append(mills, r.millesime)
			nkey := nk{b.niveauCode, k.voie, r.millesime}
			byNiveau[nkey] = append(byNiveau[nkey], r)
			niveauLabel[b.niveauCode] = b.niveau
		}
		sortFigures(rf.Chiffres)
		d.Formations = append(d.Formations, rf)
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
		f := figureOf(rs, model.PerimetreNiveau, k.niveau, true, src)
		f.Code, f.CFD, f.MEFSTAT11 = k.niveau, "", ""
		f.Disclose()
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
	d.Millesimes = model.SortMillesimes(mills)
	return d, nil
}
