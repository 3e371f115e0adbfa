package store

import (
	"context"
	"fmt"
	"sort"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// What the search index holds (see search/ and internal/searchsource):
//
//   - every establishment with at least one figure: establishment-level
//     InserJeunes (ij_etab), establishment × formation (ij_uai_formation)
//     or InserSup (insersup), its identity merged from the referential
//     sources like Etablissement does. Establishments without any figure
//     (the annuaire lists every nursery school of a département) are left
//     out: the site exists for figures, and pages of schools with nothing
//     to show would bury the lycées, CFAs and universities a search is
//     for. A UAI typed in the box still reaches its page when the
//     referential knows it (the search handler asks the store).
//   - every formation with a figure of its own: a CFD of the région ×
//     formation file or of the establishment × formation figures, plus
//     the new diplomas whose 1:1 predecessor has figures (their page shows
//     those figures, "chiffres issus de l'ancien diplôme"), and every
//     InserSup diploma (SISE). The ~15,000 other BCN diplomas, mostly
//     closed, have no page worth landing on; the labels of old diplomas are
//     searchable as old labels (AnciensLibelles) of the diplomas that
//     replaced them, so that a search on an old name lands on the current
//     diploma.

// SearchEtablissements calls fn for every establishment with at least one
// figure, in UAI order.
func (s *Store) SearchEtablissements(ctx context.Context, fn func(model.SearchEtablissement) error) error {
	deps, acads, err := s.territories(ctx)
	if err != nil {
		return err
	}
	heads, shown, err := s.etabCards(ctx)
	if err != nil {
		return err
	}
	const q = `
WITH uf AS (
  SELECT DISTINCT f.uai, f.voie, coalesce(f.cfd, mef.cfd) AS cfd
  FROM (SELECT DISTINCT uai, voie, cfd, mefstat11 FROM ij_uai_formation) f
  LEFT JOIN mefstat11_cfd mef ON f.cfd IS NULL AND mef.mefstat11 = f.mefstat11
), sup AS (
  SELECT uai, max(etablissement_nom) AS nom, max(region) AS region,
    array_agg(DISTINCT sise) AS sises, array_agg(DISTINCT type_diplome_long) FILTER (WHERE type_diplome_long <> '') AS niveaux
  FROM insersup GROUP BY uai
), fig AS (
  SELECT uai, CASE WHEN sous_population = 'apprentis' THEN 'apprentissage' ELSE voie END AS voie FROM ij_etab
  UNION SELECT uai, voie FROM uf
  UNION SELECT uai, 'superieur' FROM sup
), agg AS (
  SELECT uai, array_agg(DISTINCT voie) AS voies FROM fig GROUP BY uai
), ufagg AS (
  SELECT uf.uai, array_agg(DISTINCT b.niveau) FILTER (WHERE b.niveau IS NOT NULL) AS niveaux,
    count(DISTINCT uf.cfd) AS formations
  FROM uf LEFT JOIN bcn_formations b ON b.cfd = uf.cfd
  GROUP BY uf.uai
), e AS (
  SELECT s.uai,
    (array_agg(nom ORDER BY precedence DESC) FILTER (WHERE nom IS NOT NULL AND nom <> ''))[1] AS nom,
    (array_agg(type ORDER BY precedence DESC) FILTER (WHERE type IS NOT NULL AND type <> ''))[1] AS type,
    (array_agg(commune ORDER BY precedence DESC) FILTER (WHERE commune IS NOT NULL AND commune <> ''))[1] AS commune,
    (array_agg(code_postal ORDER BY precedence DESC) FILTER (WHERE code_postal IS NOT NULL AND code_postal <> ''))[1] AS code_postal,
    (array_agg(departement ORDER BY precedence DESC) FILTER (WHERE departement IS NOT NULL AND departement <> ''))[1] AS departement,
    (array_agg(academie ORDER BY precedence DESC) FILTER (WHERE academie IS NOT NULL AND academie <> ''))[1] AS academie,
    (array_agg(region ORDER BY precedence DESC) FILTER (WHERE region IS NOT NULL AND region <> ''))[1] AS region
  FROM etablissement_sources s WHERE s.uai IN (SELECT uai FROM agg) GROUP BY s.uai
)
SELECT agg.uai, coalesce(e.nom, sup.nom, ''), coalesce(e.type, ''), coalesce(e.commune, ''), coalesce(e.code_postal, ''),
  coalesce(e.departement, ''), coalesce(e.academie, ''), coalesce(e.region, sup.region, ''), agg.voies,
  coalesce(ufagg.niveaux, '{}'), coalesce(sup.niveaux, '{}'),
  coalesce(ufagg.formations, 0) + coalesce(cardinality(sup.sises), 0)
FROM agg LEFT JOIN e USING (uai) LEFT JOIN sup USING (uai) LEFT JOIN ufagg USING (uai)
ORDER BY agg.uai`
	rows, err := s.pool.Query(ctx, q)
	if err != nil {
		return fmt.Errorf("documents de recherche (établissements) : %w", err)
	}
	defer rows.Close()
	ref, err := s.referentiel(ctx)
	if err != nil {
		return err
	}
	for rows.Next() {
		var d model.SearchEtablissement
		var dep, acad, region string
		var nf int64
		var niveauCodes, supNiveaux []string
		if err := rows.Scan(&d.UAI, &d.Nom, &d.Type, &d.Commune, &d.CodePostal, &dep, &acad, &region, &d.Voies, &niveauCodes, &supNiveaux, &nf); err != nil {
			return err
		}
		d.Nom, d.Commune = ref.identity(d.UAI, d.Nom, d.Commune)
		for _, c := range niveauCodes {
			d.Niveaux = appendUnique(d.Niveaux, ref.niveau(c))
		}
		d.Niveaux = append(d.Niveaux, supNiveaux...)
		d.Formations = int(nf)
		d.Chiffre, d.AvecChiffres = heads[d.UAI], shown[d.UAI]
		if dep == "" {
			dep = model.DepartementOfUAI(d.UAI)
		}
		t := deps[dep]
		d.Departement = model.Territoire{Code: dep, Nom: t.nom}
		if acad == "" {
			acad = t.academie
		}
		d.Academie = model.Territoire{Code: acad, Nom: acads[acad]}
		if t.region != "" {
			region = t.region
		}
		if r, ok := model.RegionByCode(region); ok {
			d.Region = model.Territoire{Code: r.Code, Nom: r.Nom}
		} else if region != "" {
			d.Region = model.Territoire{Code: region}
		}
		if err := fn(d); err != nil {
			return err
		}
	}
	return rows.Err()
}

type departement struct{ nom, academie, region string }

// territories loads the département table (code → names) and the
// académie names.
func (s *Store) territories(ctx context.Context) (map[string]departement, map[string]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT code, nom, academie_code, academie_nom, region_code FROM departements`)
	if err != nil {
		return nil, nil, fmt.Errorf("départements : %w", err)
	}
	defer rows.Close()
	deps := map[string]departement{}
	acads := map[string]string{}
	for rows.Next() {
		var code, acadNom string
		var d departement
		if err := rows.Scan(&code, &d.nom, &d.academie, &acadNom, &d.region); err != nil {
			return nil, nil, err
		}
		deps[code] = d
		acads[d.academie] = acadNom
	}
	return deps, acads, rows.Err()
}

// academiesOf maps UAIs to the sorted set of their académies (from the
// UAI's département prefix).
func academiesOf(uais []string, deps map[string]departement) []string {
	set := map[string]bool{}
	for _, u := range uais {
		if a := deps[model.DepartementOfUAI(u)].academie; a != "" {
			set[a] = true
		}
	}
	out := make([]string, 0, len(set))
	for a := range set {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}

// SearchFormations calls fn for every formation with figures (own, or of
// its 1:1 predecessor), CFDs in order, then InserSup diplomas.
func (s *Store) SearchFormations(ctx context.Context, fn func(model.SearchFormation) error) error {
	deps, _, err := s.territories(ctx)
	if err != nil {
		return err
	}
	heads, err := s.formationCards(ctx)
	if err != nil {
		return err
	}
	familles, err := s.familleRefs(ctx)
	if err != nil {
		return err
	}
	const q = `
WITH mef AS (
  SELECT mefstat11, cfd FROM mefstat11_cfd
), own AS (
  SELECT DISTINCT coalesce(r.cfd, mef.cfd) AS cfd, r.voie, r.region, NULL::text AS uai
  FROM ij_region_formation r LEFT JOIN mef ON r.cfd IS NULL AND mef.mefstat11 = r.mefstat11
  UNION
  SELECT DISTINCT coalesce(f.cfd, mef.cfd), f.voie, f.region, f.uai
  FROM (SELECT DISTINCT uai, voie, region, cfd, mefstat11 FROM ij_uai_formation) f
  LEFT JOIN mef ON f.cfd IS NULL AND mef.mefstat11 = f.mefstat11
), owncfd AS (
  SELECT DISTINCT cfd FROM own WHERE cfd IS NOT NULL
), l AS (
  SELECT ancien, nouveau,
    count(*) OVER (PARTITION BY ancien) AS n_succ,
    count(*) OVER (PARTITION BY nouveau) AS n_pred
  FROM bcn_formation_links
), borrowed AS (
  -- a new formation without figures of its own, successor 1:1 of one that
  -- has some (an old diploma is found through its successor's old labels)
  SELECT l.nouveau AS cfd, l.ancien AS from_cfd FROM l
  WHERE l.n_succ = 1 AND l.n_pred = 1 AND l.ancien IN (SELECT cfd FROM owncfd) AND l.nouveau NOT IN (SELECT cfd FROM owncfd)
), figs AS (
  SELECT cfd, voie, region, uai FROM own WHERE cfd IS NOT NULL
  UNION
  SELECT b.cfd, o.voie, o.region, o.uai FROM borrowed b JOIN own o ON o.cfd = b.from_cfd
), agg AS (
  SELECT cfd, array_agg(DISTINCT voie) AS voies,
    array_agg(DISTINCT region) FILTER (WHERE region IS NOT NULL) AS regions,
    array_agg(DISTINCT uai) FILTER (WHERE uai IS NOT NULL) AS uais
  FROM figs GROUP BY cfd
), anc AS (
  WITH RECURSIVE a(cfd, ancien, depth) AS (
    SELECT nouveau, ancien, 1 FROM bcn_formation_links WHERE nouveau IN (SELECT cfd FROM agg)
    UNION
    SELECT a.cfd, k.ancien, a.depth + 1 FROM a JOIN bcn_formation_links k ON k.nouveau = a.ancien
    WHERE a.depth < 3 AND k.ancien <> a.cfd
  )
  SELECT a.cfd, array_agg(DISTINCT coalesce(f.libelle_long, f.libelle_court)) FILTER (WHERE coalesce(f.libelle_long, f.libelle_court) IS NOT NULL) AS libelles
  FROM a JOIN bcn_formations f ON f.cfd = a.ancien GROUP BY a.cfd
), mefs AS (
  SELECT cfd, array_agg(DISTINCT mefstat11) AS mefs FROM bcn_mefs
  WHERE cfd IN (SELECT cfd FROM agg) AND mefstat11 IS NOT NULL AND mefstat11 <> '' GROUP BY cfd
)
SELECT agg.cfd, coalesce(f.libelle_long, f.libelle_court, f.libelle_stat_33, ''), coalesce(f.niveau, ''),
  coalesce(f.date_fermeture < current_date, false),
  coalesce(mefs.mefs, '{}'), agg.voies, coalesce(agg.regions, '{}'), coalesce(agg.uais, '{}'), coalesce(anc.libelles, '{}'),
  coalesce(f.libelle_stat_33, '')
FROM agg
LEFT JOIN bcn_formations f ON f.cfd = agg.cfd
LEFT JOIN mefs ON mefs.cfd = agg.cfd
LEFT JOIN anc ON anc.cfd = agg.cfd
ORDER BY agg.cfd`
	rows, err := s.pool.Query(ctx, q)
	if err != nil {
		return fmt.Errorf("documents de recherche (formations) : %w", err)
	}
	defer rows.Close()
	ref, err := s.referentiel(ctx)
	if err != nil {
		return err
	}
	for rows.Next() {
		var d model.SearchFormation
		var uais []string
		var niveauCode string
		if err := rows.Scan(&d.CFD, &d.Libelle, &niveauCode, &d.Fermee, &d.MEFSTAT11s, &d.Voies, &d.Regions, &uais, &d.AnciensLibelles, &d.Abreviation); err != nil {
			return err
		}
		d.Chiffre, d.Famille = heads[d.CFD], familles[d.CFD]
		d.LibelleBCN = d.Libelle
		d.Libelle, _ = model.ReadableFormationLabel(d.LibelleBCN, ref.certif[d.CFD], ref.lex)
		d.Niveau = ref.niveau(niveauCode)
		for i, l := range d.AnciensLibelles {
			d.AnciensLibelles[i], _ = model.ReadableFormationLabel(l, "", ref.lex)
		}
		d.Academies = academiesOf(uais, deps)
		d.Etablissements = len(uais)
		if err := fn(d); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows.Close()
	return s.searchFormationsSup(ctx, deps, fn)
}

// searchFormationsSup lists the InserSup diplomas (one per SISE code).
func (s *Store) searchFormationsSup(ctx context.Context, deps map[string]departement, fn func(model.SearchFormation) error) error {
	const q = `
SELECT sise,
  coalesce((array_agg(libelle_diplome ORDER BY millesime DESC) FILTER (WHERE libelle_diplome <> ''))[1], ''),
  coalesce((array_agg(type_diplome_long ORDER BY millesime DESC) FILTER (WHERE type_diplome_long <> ''))[1], ''),
  coalesce(array_agg(DISTINCT region) FILTER (WHERE region IS NOT NULL AND region <> ''), '{}'),
  array_agg(DISTINCT uai)
FROM insersup GROUP BY sise ORDER BY sise`
	rows, err := s.pool.Query(ctx, q)
	if err != nil {
		return fmt.Errorf("documents de recherche (diplômes InserSup) : %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		d := model.SearchFormation{Voies: []string{model.VoieSuperieur}}
		var uais []string
		if err := rows.Scan(&d.SISE, &d.Libelle, &d.Niveau, &d.Regions, &uais); err != nil {
			return err
		}
		d.Academies = academiesOf(uais, deps)
		d.Etablissements = len(uais)
		if err := fn(d); err != nil {
			return err
		}
	}
	return rows.Err()
}
