package store

import (
	"context"
	"fmt"
	"sort"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// The headline figure of each search result card, and whether an
// establishment shows any figure at all (the search ranks those first).
// Every value goes through Disclose, then model.Headline.

// etabCards returns, per UAI, the headline of its card (its own latest
// establishment-level figure that shows a rate) and the set of UAIs with
// at least one figure shown (establishment level, establishment ×
// formation or InserSup).
func (s *Store) etabCards(ctx context.Context) (map[string]*model.ChiffreCarte, map[string]bool, error) {
	const q = `
SELECT uai, millesime, CASE sous_population WHEN 'apprentis' THEN 'apprentissage' WHEN 'voie_pro_sco' THEN 'scolaire' ELSE voie END,
  taux_poursuite_etudes, taux_emploi_6_mois, taux_emploi_6_mois_attendu, valeur_ajoutee,
  part_poursuite_etudes, part_emploi_6_mois, part_autres_situations,
  taux_emploi_12_mois, taux_emploi_18_mois, taux_emploi_24_mois, taux_contrats_interrompus
FROM ij_etab
ORDER BY uai, millesime DESC, (sous_population = 'ensemble') DESC, voie DESC, precedence DESC`
	rows, err := s.pool.Query(ctx, q)
	if err != nil {
		return nil, nil, fmt.Errorf("chiffres des cartes (établissements) : %w", err)
	}
	defer rows.Close()
	heads := map[string]*model.ChiffreCarte{}
	shown := map[string]bool{}
	for rows.Next() {
		var uai, mill, voie string
		var f model.RawFigure
		if err := rows.Scan(&uai, &mill, &voie, &f.TauxPoursuiteEtudes, &f.TauxEmploi6Mois, &f.TauxEmploi6MoisAttendu, &f.ValeurAjoutee,
			&f.PartPoursuiteEtudes, &f.PartEmploi6Mois, &f.PartAutresSituations,
			&f.TauxEmploi12Mois, &f.TauxEmploi18Mois, &f.TauxEmploi24Mois, &f.TauxContratsInterrompus); err != nil {
			return nil, nil, err
		}
		fig := f.Disclose()
		if fig.Statut == model.StatutOK {
			shown[uai] = true
		}
		if heads[uai] == nil {
			if h := model.Headline(fig, voie, mill, ""); h != nil {
				heads[uai] = h
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	rows.Close()
	uf, err := s.uaiRows(ctx, nil, "", "")
	if err != nil {
		return nil, nil, err
	}
	for _, r := range uf {
		if !shown[r.uai] && r.fig.Disclose().Statut == model.StatutOK {
			shown[r.uai] = true
		}
	}
	sup, err := s.supRows(ctx, "", "")
	if err != nil {
		return nil, nil, err
	}
	for _, f := range withBreakdowns(supFigures(sup, nil)) {
		if f.Statut == model.StatutOK {
			shown[f.UAI] = true
		}
	}
	return heads, shown, nil
}

// formationCards returns, per CFD, the national headline of its card: the
// région × formation rows of the voie's latest millésime summed
// (model.Aggregate), scolaire before apprentissage, the first that shows
// a rate.
func (s *Store) formationCards(ctx context.Context) (map[string]*model.ChiffreCarte, error) {
	rows, err := s.scanRegional(ctx, `SELECT r.millesime, r.region, r.voie, r.code, coalesce(r.cfd, m.cfd, ''), coalesce(r.mefstat11, ''), `+figureCols+`, r.file_id
FROM ij_region_formation r LEFT JOIN mefstat11_cfd m ON r.cfd IS NULL AND m.mefstat11 = r.mefstat11
WHERE r.millesime = (SELECT max(millesime) FROM ij_region_formation x WHERE x.voie = r.voie)`)
	if err != nil {
		return nil, err
	}
	type key struct{ cfd, voie string }
	parts := map[key][]model.RawFigure{}
	mill := map[key]string{}
	for _, r := range rows {
		if r.cfd == "" {
			continue
		}
		k := key{r.cfd, r.voie}
		parts[k] = append(parts[k], r.fig)
		mill[k] = r.millesime
	}
	keys := make([]key, 0, len(parts))
	for k := range parts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].cfd != keys[j].cfd {
			return keys[i].cfd < keys[j].cfd
		}
		return model.VoieOrder(keys[i].voie) < model.VoieOrder(keys[j].voie)
	})
	out := map[string]*model.ChiffreCarte{}
	for _, k := range keys {
		if out[k.cfd] != nil {
			continue
		}
		f, _ := model.Aggregate(model.PerimetreNational, parts[k])
		if h := model.Headline(f.Disclose(), k.voie, mill[k], "France"); h != nil {
			out[k.cfd] = h
		}
	}
	return out, nil
}

// familleRefs returns the famille de métiers of every specialty and
// common 2nde CFD.
func (s *Store) familleRefs(ctx context.Context) (map[string]*model.FamilleRef, error) {
	rows, err := s.pool.Query(ctx, `SELECT cfd_specialite, cfd_commun, slug, famille FROM familles_metiers`)
	if err != nil {
		return nil, fmt.Errorf("familles de métiers : %w", err)
	}
	defer rows.Close()
	out := map[string]*model.FamilleRef{}
	for rows.Next() {
		var spec, commun string
		var r model.FamilleRef
		if err := rows.Scan(&spec, &commun, &r.Slug, &r.Nom); err != nil {
			return nil, err
		}
		out[spec] = &r
		out[commun] = &r
	}
	return out, rows.Err()
}
