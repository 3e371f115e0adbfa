package store

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// This file streams every figure the site holds, for the bulk downloads
// (internal/bulk): establishment × formation (InserJeunes), région ×
// formation and France per formation (as the formation pages and the API
// compute them), and InserSup per establishment and breakdown. Every
// figure leaves through Disclose, as on the pages.

// bulkIdentity is what the bulk files say of an establishment.
type bulkIdentity struct {
	nom, commune                  string
	departement, academie, region model.Territoire
}

// BulkFigures calls fn for every figure, level by level: establishments
// (InserJeunes), régions and France (formation by formation), then
// InserSup. The warehouse tables are read as streams: memory holds the
// referentials (establishment identities, formation labels) and one
// formation at a time, never a whole figure table. fn may keep nothing of
// its argument after it returns.
func (s *Store) BulkFigures(ctx context.Context, fn func(*model.BulkFigure) error) error {
	src, err := s.readSources(ctx)
	if err != nil {
		return err
	}
	etabs, err := s.bulkIdentities(ctx)
	if err != nil {
		return err
	}
	if err := s.bulkEtabIJ(ctx, src, etabs, fn); err != nil {
		return err
	}
	if err := s.bulkFormations(ctx, fn); err != nil {
		return err
	}
	return s.bulkSup(ctx, src, etabs, fn)
}

// bulkIdentities reads the identity of every establishment with a figure
// (as Etablissement does for one: each field from the highest-precedence
// source, the département from the UAI when no source gives it).
func (s *Store) bulkIdentities(ctx context.Context) (map[string]bulkIdentity, error) {
	type dep struct{ nom, acad, acadNom, region string }
	deps := map[string]dep{}
	acadNoms := map[string]string{}
	rows, err := s.pool.Query(ctx, `SELECT code, nom, academie_code, academie_nom, region_code FROM departements`)
	if err != nil {
		return nil, fmt.Errorf("départements : %w", err)
	}
	var code string
	var d dep
	if _, err := pgx.ForEachRow(rows, []any{&code, &d.nom, &d.acad, &d.acadNom, &d.region}, func() error {
		deps[code] = d
		acadNoms[d.acad] = d.acadNom
		return nil
	}); err != nil {
		return nil, fmt.Errorf("départements : %w", err)
	}
	ref, err := s.referentiel(ctx)
	if err != nil {
		return nil, err
	}
	const q = `
WITH u AS (SELECT uai FROM ij_uai_formation UNION SELECT uai FROM insersup)
SELECT u.uai,
  coalesce((array_agg(e.nom ORDER BY e.precedence DESC) FILTER (WHERE e.nom IS NOT NULL))[1], ''),
  coalesce((array_agg(e.commune ORDER BY e.precedence DESC) FILTER (WHERE e.commune IS NOT NULL))[1], ''),
  coalesce((array_agg(e.departement ORDER BY e.precedence DESC) FILTER (WHERE e.departement IS NOT NULL))[1], ''),
  coalesce((array_agg(e.academie ORDER BY e.precedence DESC) FILTER (WHERE e.academie IS NOT NULL))[1], ''),
  coalesce((array_agg(e.region ORDER BY e.precedence DESC) FILTER (WHERE e.region IS NOT NULL))[1], '')
FROM u LEFT JOIN etablissement_sources e ON e.uai = u.uai GROUP BY u.uai`
	rows, err = s.pool.Query(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("établissements : %w", err)
	}
	out := map[string]bulkIdentity{}
	var uai, nom, commune, depCode, acad, region string
	_, err = pgx.ForEachRow(rows, []any{&uai, &nom, &commune, &depCode, &acad, &region}, func() error {
		if depCode == "" {
			depCode = model.DepartementOfUAI(uai)
		}
		d, ok := deps[depCode]
		id := bulkIdentity{departement: model.Territoire{Code: depCode}}
		if ok {
			id.departement.Nom = d.nom
			if acad == "" {
				acad = d.acad
			}
			region = d.region
		}
		id.academie = model.Territoire{Code: acad, Nom: acadNoms[acad]}
		id.region.Code = region
		if r, ok := model.RegionByCode(region); ok {
			id.region.Nom = r.Nom
		}
		id.nom, id.commune = ref.identity(uai, nom, commune)
		out[uai] = id
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("établissements : %w", err)
	}
	return out, nil
}

// bulkEtabIJ streams the establishment × formation rows, one figure per
// key from its highest-precedence source (as scanUAI).
func (s *Store) bulkEtabIJ(ctx context.Context, src map[int64]model.Source, etabs map[string]bulkIdentity,
	fn func(*model.BulkFigure) error) error {
	codes, err := collectStrings(ctx, s, `SELECT DISTINCT code FROM ij_uai_formation`)
	if err != nil {
		return fmt.Errorf("codes de formation : %w", err)
	}
	cfdOf, bcn, err := s.codeLabels(ctx, codes)
	if err != nil {
		return err
	}
	now := time.Now()
	rows, err := s.pool.Query(ctx, `SELECT uai, millesime, coalesce(region, ''), voie, code, coalesce(cfd, ''), coalesce(mefstat11, ''), `+figureCols+`,
  part_poursuite_etudes, part_emploi_6_mois, part_autres_situations, file_id
FROM ij_uai_formation ORDER BY uai, millesime, voie, code, precedence DESC`)
	if err != nil {
		return fmt.Errorf("chiffres par établissement : %w", err)
	}
	defer rows.Close()
	var cur *figRow
	emit := func(r *figRow) error {
		f := figureOf([]figRow{*r}, model.PerimetreFormation, "", false, src).Disclose()
		id := etabs[r.uai]
		bf := &model.BulkFigure{Perimetre: model.BulkEtablissement, UAI: r.uai, Nom: id.nom, Commune: id.commune,
			Departement: id.departement, Academie: id.academie, Region: id.region,
			Code: r.code, CFD: r.cfd, MEFSTAT11: r.mefstat11, IJ: &f}
		if bf.Region.Code == "" && r.region != "" {
			bf.Region = regionTerritoire(r.region)
		}
		cfd := bf.CFD
		if cfd == "" {
			cfd = cfdOf[r.code]
		}
		if b, ok := bcn[cfd]; ok && cfd != "" {
			bf.CFD, bf.Libelle, bf.LibelleBCN, bf.Niveau = cfd, b.libelle, b.libelleBCN, b.niveau
			bf.FormationFermee = model.FormationFermee(b.fermeture, now)
		}
		return fn(bf)
	}
	sc := newFigScanner(true, true)
	for rows.Next() {
		var r figRow
		if err := sc.scan(rows, &r); err != nil {
			return err
		}
		if cur != nil && cur.uai == r.uai && cur.millesime == r.millesime && cur.voie == r.voie && cur.code == r.code {
			cur.autres = append(cur.autres, r.fileID)
			if cur.region == "" {
				cur.region = r.region
			}
			continue
		}
		if cur != nil {
			if err := emit(cur); err != nil {
				return err
			}
		}
		cur = &r
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("chiffres par établissement : %w", err)
	}
	if cur != nil {
		return emit(cur)
	}
	return nil
}

// bulkWorkers formations are read at once; bulkInFlight are held at most.
const (
	bulkWorkers  = 3
	bulkInFlight = 8
)

// bulkFormations writes the région and France figures of every
// InserJeunes formation, as FormationDetail computes them for its page
// and the API (régions rebuilt from establishments where the regional
// file lacks them, national sums, continuum), one formation at a time. A
// figure reached from two codes (a MEFSTAT11 and its CFD) is written once.
func (s *Store) bulkFormations(ctx context.Context, fn func(*model.BulkFigure) error) error {
	codes, err := collectStrings(ctx, s, `SELECT coalesce(cfd, code) FROM ij_region_formation
UNION SELECT coalesce(cfd, code) FROM ij_uai_formation ORDER BY 1`)
	if err != nil {
		return fmt.Errorf("formations : %w", err)
	}
	type key struct{ perimetre, region, voie, code, millesime string }
	seen := map[key]bool{}
	// Formations are read by bulkWorkers at once (each read is a few
	// round trips) and written in the order of codes: at most
	// bulkInFlight formations are held in memory.
	type levels struct {
		fo       model.Formation
		national []model.FormationFigure
		regions  map[regKey]model.RawFormationFigure
		err      error
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	queue := make(chan chan levels, bulkInFlight)
	go func() {
		defer close(queue)
		sem := make(chan struct{}, bulkWorkers)
		for _, code := range codes {
			ch := make(chan levels, 1)
			select {
			case queue <- ch:
			case <-ctx.Done():
				return
			}
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				ch <- levels{err: ctx.Err()}
				return
			}
			go func() {
				defer func() { <-sem }()
				var l levels
				l.fo, l.national, l.regions, l.err = s.formationLevels(ctx, code)
				ch <- l
			}()
		}
	}()
	for ch := range queue {
		l := <-ch
		fo, national, regions, err := l.fo, l.national, l.regions, l.err
		if errors.Is(err, model.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		put := func(perimetre string, region model.Territoire, f model.FormationFigure) error {
			k := key{perimetre, region.Code, f.Voie, f.Code, f.Millesime}
			if seen[k] || model.IsAbsence(f.Statut) {
				return nil
			}
			seen[k] = true
			bf := &model.BulkFigure{Perimetre: perimetre, Region: region, Code: f.Code, CFD: fo.CFD, MEFSTAT11: f.MEFSTAT11,
				Libelle: fo.Libelle, LibelleBCN: fo.LibelleBCN, Niveau: fo.Niveau, FormationFermee: fo.FormationFermee, IJ: &f}
			if f.CFD != "" {
				bf.CFD = f.CFD
			}
			return fn(bf)
		}
		for _, f := range national {
			if err := put(model.BulkFrance, model.Territoire{}, f); err != nil {
				return err
			}
		}
		// In a fixed order: the same data makes the same files (and ETags)
		// on every node.
		keys := make([]regKey, 0, len(regions))
		for k := range regions {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			a, b := keys[i], keys[j]
			if a.region != b.region {
				return a.region < b.region
			}
			if c := model.CompareMillesimes(a.millesime, b.millesime); c != 0 {
				return c < 0
			}
			return model.VoieOrder(a.voie) < model.VoieOrder(b.voie)
		})
		for _, k := range keys {
			if err := put(model.BulkRegion, regionTerritoire(k.region), regions[k].Disclose()); err != nil {
				return err
			}
		}
	}
	return nil
}

// bulkSup streams the InserSup records, one figure per establishment,
// diploma, promotion(s) and breakdown (every horizon folded into it, as
// supFigures does for the pages).
func (s *Store) bulkSup(ctx context.Context, src map[int64]model.Source, etabs map[string]bulkIdentity,
	fn func(*model.BulkFigure) error) error {
	sises, err := collectStrings(ctx, s, `SELECT DISTINCT sise FROM insersup`)
	if err != nil {
		return fmt.Errorf("diplômes InserSup : %w", err)
	}
	infos, err := s.supInfos(ctx, sises)
	if err != nil {
		return err
	}
	rows, err := s.pool.Query(ctx, `SELECT uai, sise, millesime, obtention_diplome, genre, nationalite, date_inser, coalesce(region, ''),
  nb_poursuivants, nb_sortants, nb_sortants_en_emploi_sal_fr, tx_sortants_en_emploi_sal_fr::float8,
  salaire_q1, salaire_q2, salaire_q3, file_id
FROM insersup ORDER BY uai, sise, millesime, obtention_diplome, genre, nationalite, date_inser`)
	if err != nil {
		return fmt.Errorf("chiffres InserSup : %w", err)
	}
	defer rows.Close()
	var group []supRow
	emit := func() error {
		if len(group) == 0 {
			return nil
		}
		for _, raw := range supFigures(group, src) {
			f := raw.Disclose()
			r := group[0]
			id := etabs[r.uai]
			info := infos[r.sise]
			bf := &model.BulkFigure{Perimetre: model.BulkEtablissement, UAI: r.uai, Nom: id.nom, Commune: id.commune,
				Departement: id.departement, Academie: id.academie, Region: id.region,
				Code: r.sise, SISE: r.sise, Libelle: info.libelle, Niveau: info.typeLong, Sup: &f}
			if bf.Region.Code == "" && r.region != "" {
				bf.Region = regionTerritoire(r.region)
			}
			if err := fn(bf); err != nil {
				return err
			}
		}
		group = group[:0]
		return nil
	}
	for rows.Next() {
		var r supRow
		if err := rows.Scan(&r.uai, &r.sise, &r.millesime, &r.obt, &r.genre, &r.nat, &r.horizon, &r.region,
			&r.pours, &r.sortants, &r.emploi, &r.taux, &r.q1, &r.q2, &r.q3, &r.fileID); err != nil {
			return err
		}
		if n := len(group); n > 0 {
			p := group[n-1]
			if p.uai != r.uai || p.sise != r.sise || p.millesime != r.millesime || p.obt != r.obt || p.genre != r.genre || p.nat != r.nat {
				if err := emit(); err != nil {
					return err
				}
			}
		}
		group = append(group, r)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("chiffres InserSup : %w", err)
	}
	if err := emit(); err != nil {
		return err
	}
	rows.Close()
	sort.Strings(sises)
	for _, sise := range sises {
		if err := s.bulkSupLevels(ctx, sise, fn); err != nil {
			return err
		}
	}
	return nil
}

// bulkSupLevels writes the région and France figures of a SISE diploma,
// as its formation page computes them (sums over the establishments,
// rates recomputed), each headline followed by its breakdowns.
func (s *Store) bulkSupLevels(ctx context.Context, sise string, fn func(*model.BulkFigure) error) error {
	fo, lv, err := s.supFormationLevels(ctx, sise)
	if errors.Is(err, model.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, level := range []struct {
		perimetre string
		figs      map[supKey]model.InserSupFigure
	}{{model.BulkRegion, lv.region}, {model.BulkFrance, lv.national}} {
		keys := make([]supKey, 0, len(level.figs))
		for k := range level.figs {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			if keys[i].uai != keys[j].uai {
				return keys[i].uai < keys[j].uai
			}
			return model.CompareMillesimes(keys[i].millesime, keys[j].millesime) < 0
		})
		for _, k := range keys {
			head := level.figs[k]
			var region model.Territoire
			if level.perimetre == model.BulkRegion {
				region = regionTerritoire(k.uai) // the key's UAI holds the région
			}
			parts := head.Repartitions
			head.Repartitions = nil
			for _, f := range append([]model.InserSupFigure{head}, parts...) {
				bf := &model.BulkFigure{Perimetre: level.perimetre, Region: region, Code: sise, SISE: sise,
					Libelle: fo.Libelle, Niveau: fo.Niveau, Sup: &f}
				if err := fn(bf); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// formationLevels is the first half of FormationDetail, without the list
// of establishments: the formation's identity, its national figures and
// its regional ones (the same scope, rows and continuum choice).
func (s *Store) formationLevels(ctx context.Context, code string) (model.Formation, []model.FormationFigure, map[regKey]model.RawFormationFigure, error) {
	c, kind, err := model.ParseFormationCode(code)
	if err != nil || kind == model.KindSISE {
		return model.Formation{}, nil, nil, model.ErrNotFound
	}
	sc, err := s.scope(ctx, c, kind)
	if err != nil {
		return model.Formation{}, nil, nil, err
	}
	ff, err := s.loadFormationFigures(ctx, sc, "")
	if err != nil {
		return model.Formation{}, nil, nil, err
	}
	var national []model.FormationFigure
	for _, raw := range choose(sc, ff.national) {
		national = append(national, raw.Disclose())
	}
	sortFigures(national)
	return sc.f, national, choose(sc, ff.regions), nil
}
