package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"golang.org/x/sync/errgroup"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// Coverage of a partner's catalogue (model/couverture.go holds the
// rules). Everything is read set-based: a few queries for the whole
// catalogue, whatever its length, never one per row.
//
// Other UAIs of the same establishment (stage 4): the warehouse holds no
// link between UAIs today — no gestionnaire / formateur / lieu de
// formation roles (the DEPP files publish one UAI per figure), no
// successor UAI, and the annuaire's « etablissement_mere » column is not
// imported. relatedUAIs says so by returning none; the page says it too.

// catalogueKey is one place the figures of a catalogue row are looked for.
type catalogueKey struct{ uai, code, voie string }

// relatedUAIs returns the other UAIs of the same establishment of each
// UAI: none, as the warehouse holds no such link (see above).
func (s *Store) relatedUAIs(_ context.Context, _ []string) (map[string][]model.RelatedUAI, error) {
	return map[string][]model.RelatedUAI{}, nil
}

// CoverageRelatedUAIsAvailable tells whether the warehouse holds links
// between UAIs of the same establishment (stage 4 of the coverage).
func CoverageRelatedUAIsAvailable() bool { return false }

// CoverageFacts reads, for every catalogue row (rows[i] = UAI and code,
// both normalised), what model.Cover decides on. millesime is the
// millésime asked ("" = the latest of each voie). It returns the facts
// in the order of rows.
func (s *Store) CoverageFacts(ctx context.Context, uais, codes []string, kinds []model.CodeKind, millesime string) ([]model.CoverageFacts, error) {
	if len(uais) != len(codes) || len(codes) != len(kinds) {
		return nil, errors.New("couverture : listes de longueurs différentes")
	}
	// Distinct UAIs and codes.
	uaiSet, codeInfo := map[string]bool{}, map[string]*model.CoverageCode{}
	var cfds, mefs, sises []string
	for i, u := range uais {
		uaiSet[u] = false
		if _, ok := codeInfo[codes[i]]; ok {
			continue
		}
		codeInfo[codes[i]] = &model.CoverageCode{Code: codes[i], Kind: kinds[i]}
		switch kinds[i] {
		case model.KindCFD:
			cfds = append(cfds, codes[i])
		case model.KindMEFSTAT11:
			mefs = append(mefs, codes[i])
		case model.KindSISE:
			sises = append(sises, codes[i])
		}
	}
	// The UAIs, the codes and the millésimes are read side by side.
	var related map[string][]model.RelatedUAI
	var ms map[string]string
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return s.coverageUAIs(gctx, uaiSet) })
	g.Go(func() error { return s.coverageCodes(gctx, codeInfo, cfds, mefs, sises) })
	g.Go(func() (err error) { ms, err = s.coverageMillesimes(gctx, millesime); return })
	if err := g.Wait(); err != nil {
		return nil, err
	}
	related, err := s.relatedUAIs(ctx, keys(uaiSet))
	if err != nil {
		return nil, err
	}
	out := make([]model.CoverageFacts, len(uais))
	want := map[catalogueKey]bool{}
	for i, u := range uais {
		c := codeInfo[codes[i]]
		out[i] = model.CoverageFacts{UAIKnown: uaiSet[u], CodeKnown: c.Known, Code: *c, Millesime: ms}
		if !out[i].UAIKnown || !out[i].CodeKnown {
			continue
		}
		out[i].Candidates = model.CoverageCandidates(u, *c, related[u])
		for _, cand := range out[i].Candidates {
			want[catalogueKey{cand.UAI, cand.Code, cand.Voie}] = true
		}
	}
	figs, err := s.coverageFigures(ctx, want, ms)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].Figures = make([][]model.CoverageFigure, len(out[i].Candidates))
		for j, cand := range out[i].Candidates {
			out[i].Figures[j] = figs[catalogueKey{cand.UAI, cand.Code, cand.Voie}]
		}
	}
	return out, nil
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// coverageUAIs marks the UAIs the warehouse knows: in an establishment
// referential or in any figure file.
func (s *Store) coverageUAIs(ctx context.Context, set map[string]bool) error {
	rows, err := s.pool.Query(ctx, `SELECT u FROM unnest($1::text[]) u
WHERE EXISTS (SELECT 1 FROM etablissement_sources e WHERE e.uai = u)
   OR EXISTS (SELECT 1 FROM ij_uai_formation f WHERE f.uai = u)
   OR EXISTS (SELECT 1 FROM ij_etab f WHERE f.uai = u)
   OR EXISTS (SELECT 1 FROM insersup f WHERE f.uai = u)`, keys(set))
	if err != nil {
		return fmt.Errorf("couverture, UAI : %w", err)
	}
	var u string
	_, err = pgx.ForEachRow(rows, []any{&u}, func() error { set[u] = true; return nil })
	return err
}

// coverageCodes fills what the BCN, the continuum and InserSup know of
// the codes.
func (s *Store) coverageCodes(ctx context.Context, info map[string]*model.CoverageCode, cfds, mefs, sises []string) error {
	// MEFSTAT11 → CFD (the one mapping), and whether anything knows it.
	rows, err := s.pool.Query(ctx, `SELECT m, coalesce((SELECT v.cfd FROM mefstat11_cfd v WHERE v.mefstat11 = m), ''),
  EXISTS (SELECT 1 FROM bcn_mefs b WHERE b.mefstat11 = m)
  OR EXISTS (SELECT 1 FROM ij_uai_formation f WHERE f.code = m)
  OR EXISTS (SELECT 1 FROM ij_region_formation f WHERE f.code = m)
FROM unnest($1::text[]) m`, mefs)
	if err != nil {
		return fmt.Errorf("couverture, MEFSTAT11 : %w", err)
	}
	var code, cfd string
	var known bool
	cfdSet := map[string]bool{}
	for _, c := range cfds {
		cfdSet[c] = true
	}
	if _, err := pgx.ForEachRow(rows, []any{&code, &cfd, &known}, func() error {
		c := info[code]
		c.CFD, c.Known = cfd, known
		if cfd != "" {
			cfdSet[cfd] = true
		}
		return nil
	}); err != nil {
		return err
	}
	for _, c := range cfds {
		info[c].CFD = c
	}
	// The continuum: the whole graph (a few thousand BCN links) is read
	// once, cheaper than its neighbourhood of thousands of CFDs.
	all := keys(cfdSet)
	rows, err = s.pool.Query(ctx, `SELECT ancien, nouveau FROM bcn_formation_links`)
	if err != nil {
		return fmt.Errorf("couverture, continuum : %w", err)
	}
	var links []model.DiplomaLink
	var l model.DiplomaLink
	if _, err := pgx.ForEachRow(rows, []any{&l.Ancien, &l.Nouveau}, func() error { links = append(links, l); return nil }); err != nil {
		return err
	}
	cont := model.NewContinuum(links)
	type around struct{ pred, succ string }
	arounds := map[string]around{}
	for _, c := range all {
		p, _ := cont.Predecessor(c)
		n, _ := cont.Successor(c)
		arounds[c] = around{p, n}
		for _, x := range []string{p, n} {
			if x != "" {
				cfdSet[x] = true
			}
		}
	}
	all = keys(cfdSet)
	// The voie scolaire keys of every CFD (mefstat11_cfd), and the BCN
	// identity of each.
	mefsOf := map[string][]string{}
	rows, err = s.pool.Query(ctx, `SELECT v.cfd, v.mefstat11 FROM mefstat11_cfd v JOIN unnest($1::text[]) c ON c = v.cfd ORDER BY v.mefstat11`, all)
	if err != nil {
		return fmt.Errorf("couverture, MEFSTAT11 des CFD : %w", err)
	}
	var m string
	if _, err := pgx.ForEachRow(rows, []any{&cfd, &m}, func() error { mefsOf[cfd] = append(mefsOf[cfd], m); return nil }); err != nil {
		return err
	}
	type bcn struct {
		known bool
		f     bcnFormation
	}
	bcnOf := map[string]bcn{}
	// A CFD is known when the BCN names a formation by it (not one of its
	// « non spécifiée » placeholders, as scope decides) or a figure uses it.
	rows, err = s.pool.Query(ctx, `SELECT c, f.cfd IS NOT NULL,
  EXISTS (SELECT 1 FROM ij_uai_formation x WHERE x.code = c) OR EXISTS (SELECT 1 FROM ij_region_formation x WHERE x.code = c),
  coalesce(f.libelle_long, f.libelle_court, ''), coalesce(f.niveau, ''), coalesce(n.libelle_court, f.niveau, '')
FROM unnest($1::text[]) c LEFT JOIN bcn_formations f ON f.cfd = c LEFT JOIN bcn_niveaux n ON n.code = f.niveau`, all)
	if err != nil {
		return fmt.Errorf("couverture, BCN : %w", err)
	}
	// Labels and levels are shown as everywhere on the site: the readable
	// form (referentiel.readable), the BCN label kept beside it.
	ref, err := s.referentiel(ctx)
	if err != nil {
		return err
	}
	var b bcn
	var inBCN, hasFigures bool
	if _, err := pgx.ForEachRow(rows, []any{&cfd, &inBCN, &hasFigures, &b.f.libelle, &b.f.niveauCode, &b.f.niveau}, func() error {
		b.known = hasFigures || inBCN && !model.IsPlaceholderFormation(b.f.libelle)
		b.f.cfd = cfd
		ref.readable(&b.f)
		bcnOf[cfd] = b
		b = bcn{}
		return nil
	}); err != nil {
		return err
	}
	for _, c := range info {
		if c.Kind == model.KindSISE || c.CFD == "" {
			continue
		}
		a := arounds[c.CFD]
		c.Predecessor, c.Successor = a.pred, a.succ
		c.PredecessorMEFSTAT11s, c.SuccessorMEFSTAT11s = mefsOf[a.pred], mefsOf[a.succ]
		bf := bcnOf[c.CFD].f
		c.Libelle, c.LibelleBCN, c.Niveau, c.NiveauCode = bf.libelle, bf.libelleBCN, bf.niveau, bf.niveauCode
		if c.Kind == model.KindCFD {
			c.MEFSTAT11s = mefsOf[c.CFD]
			c.Known = bcnOf[c.CFD].known
		} else {
			c.Known = c.Known || bcnOf[c.CFD].known
		}
	}
	// SISE: InserSup knows it.
	rows, err = s.pool.Query(ctx, `SELECT DISTINCT ON (sise) sise, coalesce(libelle_diplome, ''), coalesce(type_diplome_long, type_diplome, '')
FROM insersup WHERE sise = ANY($1) ORDER BY sise, date_jeu DESC NULLS LAST`, sises)
	if err != nil {
		return fmt.Errorf("couverture, SISE : %w", err)
	}
	var lib, typ string
	_, err = pgx.ForEachRow(rows, []any{&code, &lib, &typ}, func() error {
		c := info[code]
		c.Known, c.Libelle, c.Niveau = true, lib, typ
		return nil
	})
	return err
}

// coverageMillesimes is the millésime looked at per voie: millesime for
// every voie when set, else the latest of each voie.
func (s *Store) coverageMillesimes(ctx context.Context, millesime string) (map[string]string, error) {
	out := map[string]string{}
	if millesime != "" {
		for _, v := range []string{model.VoieScolaire, model.VoieApprentissage, model.VoieSuperieur} {
			out[v] = millesime
		}
		return out, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT DISTINCT voie, millesime FROM ij_uai_formation
UNION SELECT DISTINCT 'superieur', millesime FROM insersup`)
	if err != nil {
		return nil, fmt.Errorf("couverture, millésimes : %w", err)
	}
	var v, m string
	_, err = pgx.ForEachRow(rows, []any{&v, &m}, func() error {
		if cur, ok := out[v]; !ok || model.CompareMillesimes(m, cur) < 0 {
			out[v] = m
		}
		return nil
	})
	return out, err
}

// CoverageMillesimes lists the millésimes of the establishment figures
// (InserJeunes and InserSup), most recent first: the choices of the form.
func (s *Store) CoverageMillesimes(ctx context.Context) ([]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT DISTINCT millesime FROM ij_uai_formation UNION SELECT DISTINCT millesime FROM insersup`)
	if err != nil {
		return nil, fmt.Errorf("millésimes : %w", err)
	}
	ms, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, err
	}
	return model.SortMillesimes(ms), nil
}

// coverageFigures reads the figures of every wanted (UAI, code, voie), of
// every millésime, each through Disclose: only its statut (and
// demonstration flag) leaves.
func (s *Store) coverageFigures(ctx context.Context, want map[catalogueKey]bool, ms map[string]string) (map[catalogueKey][]model.CoverageFigure, error) {
	// Every figure of the UAIs concerned is read (a join on the UAI, a few
	// thousand of them for a big catalogue), and the wanted keys kept: far
	// cheaper than joining hundreds of thousands of (UAI, code) pairs.
	ijUAIs, supUAIs := map[string]bool{}, map[string]bool{}
	var sus, scs []string
	for k := range want {
		if k.voie == model.VoieSuperieur {
			sus, scs = append(sus, k.uai), append(scs, k.code)
			supUAIs[k.uai] = true
		} else {
			ijUAIs[k.uai] = true
		}
	}
	src, err := s.sources(ctx)
	if err != nil {
		return nil, err
	}
	out := map[catalogueKey][]model.CoverageFigure{}
	// The figures of the millésimes looked at, whole, through Disclose;
	// of the other millésimes, only that they exist (millesime_absent).
	var looked []string
	for v, m := range ms {
		if v != model.VoieSuperieur && m != "" && !slices.Contains(looked, m) {
			looked = append(looked, m)
		}
	}
	var rows []figRow
	otherRows := []catalogueKey{}
	otherMs := []string{}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) {
		rows, err = s.scanUAI(gctx, `SELECT f.uai, f.millesime, coalesce(f.region, ''), f.voie, f.code, coalesce(f.cfd, ''), coalesce(f.mefstat11, ''), `+prefixed("f.", figureCols)+`,
  f.part_poursuite_etudes, f.part_emploi_6_mois, f.part_autres_situations, f.file_id
FROM unnest($1::text[]) w(uai) JOIN ij_uai_formation f ON f.uai = w.uai
WHERE f.millesime = ANY($2)
ORDER BY f.uai, f.millesime, f.voie, f.code, f.precedence DESC`, keys(ijUAIs), looked)
		return err
	})
	g.Go(func() error {
		others, err := s.pool.Query(gctx, `SELECT DISTINCT f.uai, f.code, f.voie, f.millesime
FROM unnest($1::text[]) w(uai) JOIN ij_uai_formation f ON f.uai = w.uai
WHERE f.millesime <> ALL($2)`, keys(ijUAIs), looked)
		if err != nil {
			return fmt.Errorf("couverture, autres millésimes : %w", err)
		}
		var k catalogueKey
		var m string
		_, err = pgx.ForEachRow(others, []any{&k.uai, &k.code, &k.voie, &m}, func() error {
			if want[k] {
				otherRows, otherMs = append(otherRows, k), append(otherMs, m)
			}
			return nil
		})
		return err
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for _, r := range rows {
		k := catalogueKey{r.uai, r.code, r.voie}
		if !want[k] || ms[r.voie] != r.millesime {
			continue
		}
		ff := figureOf([]figRow{r}, "", r.code, false, src).Disclose()
		out[k] = append(out[k], model.CoverageFigure{Millesime: r.millesime, Statut: ff.Statut, Demonstration: ff.Demonstration})
	}
	for i, k := range otherRows {
		out[k] = append(out[k], model.CoverageFigure{Millesime: otherMs[i]})
	}
	if len(sus) == 0 {
		return out, nil
	}
	srows, err := s.pool.Query(ctx, `SELECT f.uai, f.sise, f.millesime, f.obtention_diplome, f.genre, f.nationalite, f.date_inser, coalesce(f.region, ''),
  f.nb_poursuivants, f.nb_sortants, f.nb_sortants_en_emploi_sal_fr, f.tx_sortants_en_emploi_sal_fr::float8,
  f.salaire_q1, f.salaire_q2, f.salaire_q3, f.file_id
FROM (SELECT DISTINCT * FROM unnest($1::text[], $2::text[]) AS w(uai, sise)) w
JOIN insersup f ON f.uai = w.uai AND f.sise = w.sise
WHERE f.obtention_diplome = $3 AND f.genre = $4 AND f.nationalite = $4`, sus, scs, model.SupObtentionDiplome, model.SupEnsemble)
	if err != nil {
		return nil, fmt.Errorf("couverture, InserSup : %w", err)
	}
	var sup []supRow
	var r supRow
	if _, err := pgx.ForEachRow(srows, []any{&r.uai, &r.sise, &r.millesime, &r.obt, &r.genre, &r.nat, &r.horizon, &r.region,
		&r.pours, &r.sortants, &r.emploi, &r.taux, &r.q1, &r.q2, &r.q3, &r.fileID}, func() error {
		sup = append(sup, r)
		r = supRow{}
		return nil
	}); err != nil {
		return nil, err
	}
	for _, f := range supFigures(sup, src) {
		if !f.IsHeadline() {
			continue
		}
		d := f.Disclose()
		k := catalogueKey{f.UAI, f.SISE, model.VoieSuperieur}
		out[k] = append(out[k], model.CoverageFigure{Millesime: f.Millesime, Statut: d.Statut, Demonstration: d.Demonstration})
	}
	return out, nil
}

// Shareable results -------------------------------------------------------

// SaveCoverageShare stores a compressed coverage result under id until
// expires.
func (s *Store) SaveCoverageShare(ctx context.Context, id string, data []byte, lignes int, expires time.Time) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO couverture_partages (id, expires_at, lignes, data) VALUES ($1, $2, $3, $4)`,
		id, expires, lignes, data)
	if err != nil {
		return fmt.Errorf("enregistrement du lien de partage : %w", err)
	}
	return nil
}

// CoverageShare returns a stored coverage result and its expiry;
// model.ErrNotFound when id is unknown (or purged). An expired result is
// returned with its expiry: the caller tells it apart.
func (s *Store) CoverageShare(ctx context.Context, id string) (data []byte, created, expires time.Time, err error) {
	err = s.pool.QueryRow(ctx, `SELECT data, created_at, expires_at FROM couverture_partages WHERE id = $1`, id).Scan(&data, &created, &expires)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, created, expires, model.ErrNotFound
	}
	if err != nil {
		return nil, created, expires, fmt.Errorf("lien de partage : %w", err)
	}
	return data, created, expires, nil
}

// PurgeCoverageShares deletes the shared results expired before now and
// returns how many. The server calls it when a link is created; a
// `vitrine purge` command can call it too.
func (s *Store) PurgeCoverageShares(ctx context.Context, now time.Time) (int64, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM couverture_partages WHERE expires_at < $1`, now)
	if err != nil {
		return 0, fmt.Errorf("purge des liens de partage : %w", err)
	}
	return tag.RowsAffected(), nil
}
