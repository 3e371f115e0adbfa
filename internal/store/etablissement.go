package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// Etablissement returns the merged identity of a UAI, or model.ErrNotFound.
// Each field is taken from the highest-precedence source that fills it;
// académie and région fall back on the UAI's département prefix, then on
// the région label of the InserJeunes files.
func (s *Store) Etablissement(ctx context.Context, uai string) (model.Etablissement, error) {
	const q = `
WITH e AS (
  SELECT uai,
    (array_agg(nom ORDER BY precedence DESC) FILTER (WHERE nom IS NOT NULL))[1] AS nom,
    (array_agg(type ORDER BY precedence DESC) FILTER (WHERE type IS NOT NULL))[1] AS type,
    (array_agg(statut ORDER BY precedence DESC) FILTER (WHERE statut IS NOT NULL))[1] AS statut,
    (array_agg(adresse ORDER BY precedence DESC) FILTER (WHERE adresse IS NOT NULL))[1] AS adresse,
    (array_agg(code_postal ORDER BY precedence DESC) FILTER (WHERE code_postal IS NOT NULL))[1] AS code_postal,
    (array_agg(commune ORDER BY precedence DESC) FILTER (WHERE commune IS NOT NULL))[1] AS commune,
    (array_agg(departement ORDER BY precedence DESC) FILTER (WHERE departement IS NOT NULL))[1] AS departement,
    (array_agg(academie ORDER BY precedence DESC) FILTER (WHERE academie IS NOT NULL))[1] AS academie,
    (array_agg(region ORDER BY precedence DESC) FILTER (WHERE region IS NOT NULL))[1] AS region
  FROM etablissement_sources WHERE uai = $1 GROUP BY uai)
SELECT e.uai, coalesce(e.nom, ''), coalesce(e.type, ''), coalesce(e.statut, ''), coalesce(e.adresse, ''),
  coalesce(e.code_postal, ''), coalesce(e.commune, ''),
  coalesce(d.code, coalesce(e.departement, $2)), coalesce(d.nom, ''),
  coalesce(e.academie, d.academie_code, ''),
  coalesce((SELECT academie_nom FROM departements WHERE academie_code = coalesce(e.academie, d.academie_code) LIMIT 1), ''),
  coalesce(d.region_code, e.region, '')
FROM e LEFT JOIN departements d ON d.code = coalesce(e.departement, $2)`
	var et model.Etablissement
	err := s.pool.QueryRow(ctx, q, uai, model.DepartementOfUAI(uai)).Scan(&et.UAI, &et.Nom, &et.Type, &et.Statut,
		&et.Adresse, &et.CodePostal, &et.Commune, &et.Departement.Code, &et.Departement.Nom,
		&et.Academie.Code, &et.Academie.Nom, &et.Region.Code)
	if errors.Is(err, pgx.ErrNoRows) {
		return et, model.ErrNotFound
	}
	if err != nil {
		return et, fmt.Errorf("établissement %s : %w", uai, err)
	}
	if r, ok := model.RegionByCode(et.Region.Code); ok {
		et.Region.Nom = r.Nom
	}
	ref, err := s.referentiel(ctx)
	if err != nil {
		return et, err
	}
	et.Nom, et.Commune = ref.identity(et.UAI, et.Nom, et.Commune)
	et.Adresse = ref.address(et.Adresse)
	return et, nil
}

// EtablissementFigures returns every establishment-level figure of a UAI,
// one per (millésime, voie, sous-population): the highest-precedence source
// wins, the others are listed in AutresSources. Rows scan into a
// model.RawFigure, shown through Disclose.
func (s *Store) EtablissementFigures(ctx context.Context, uai string) ([]model.EtabFigure, error) {
	const q = `
SELECT f.millesime, f.millesime_label, f.voie, f.sous_population,
  f.taux_poursuite_etudes, f.taux_emploi_6_mois, f.taux_emploi_6_mois_attendu, f.valeur_ajoutee,
  f.part_poursuite_etudes, f.part_emploi_6_mois, f.part_autres_situations,
  f.taux_emploi_12_mois, f.taux_emploi_18_mois, f.taux_emploi_24_mois, f.taux_contrats_interrompus,
  fi.name, fi.run_id, fi.format, fi.producer, fi.synthetic
FROM ij_etab f JOIN import_files fi ON fi.id = f.file_id
WHERE f.uai = $1
ORDER BY f.millesime DESC, f.voie DESC, f.sous_population, f.precedence DESC`
	rows, err := s.pool.Query(ctx, q, uai)
	if err != nil {
		return nil, fmt.Errorf("chiffres de %s : %w", uai, err)
	}
	var out []model.EtabFigure
	defer rows.Close()
	for rows.Next() {
		var e model.EtabFigure
		var f model.RawFigure
		if err := rows.Scan(&e.Millesime, &e.MillesimeLabel, &e.Voie, &e.SousPopulation,
			&f.TauxPoursuiteEtudes, &f.TauxEmploi6Mois, &f.TauxEmploi6MoisAttendu, &f.ValeurAjoutee,
			&f.PartPoursuiteEtudes, &f.PartEmploi6Mois, &f.PartAutresSituations,
			&f.TauxEmploi12Mois, &f.TauxEmploi18Mois, &f.TauxEmploi24Mois, &f.TauxContratsInterrompus,
			&e.Source.Fichier, &e.Source.ImportRun, &e.Source.Format, &e.Source.Producteur, &e.Source.Demonstration); err != nil {
			return nil, err
		}
		if n := len(out); n > 0 && out[n-1].Millesime == e.Millesime && out[n-1].Voie == e.Voie && out[n-1].SousPopulation == e.SousPopulation {
			out[n-1].AutresSources = append(out[n-1].AutresSources, e.Source)
			continue
		}
		if m, err := model.ParseMillesime(e.Millesime); err == nil {
			e.EmploiPublicExclu = m.EmploiPublicExclu()
			e.MillesimeLabel = m.Label()
		}
		e.Figure = f.Disclose()
		out = append(out, e)
	}
	return out, rows.Err()
}
