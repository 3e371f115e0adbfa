package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// ContexteEmploi returns the labour-market context of a région (deps nil:
// its départements come from the territorial referential) or of the given
// départements of an académie in that région: the région's INSEE
// unemployment rate of the latest year of the regional file, with its rank
// and the range among the régions of that year, and the rates of the
// départements at the latest year of the departmental file. There is no
// France-wide rate in the source (model.ChomageFranceAbsent).
func (s *Store) ContexteEmploi(ctx context.Context, region string, deps []string) (model.ContexteEmploi, error) {
	ce := model.ContexteEmploi{FranceAbsente: model.ChomageFranceAbsent, Departements: []model.TauxChomage{}, Sources: []model.SourceChomage{}}
	files := map[int64]bool{}
	rows, err := s.pool.Query(ctx, `SELECT region, annee, taux::float8, file_id FROM insee_chomage_region
WHERE annee = (SELECT max(annee) FROM insee_chomage_region) ORDER BY region`)
	if err != nil {
		return ce, fmt.Errorf("taux de chômage régionaux : %w", err)
	}
	var year []model.TauxChomage
	var t model.TauxChomage
	var fileID int64
	if _, err := pgx.ForEachRow(rows, []any{&t.Code, &t.Annee, &t.Taux, &fileID}, func() error {
		if r, ok := model.RegionByCode(t.Code); ok {
			t.Nom = r.Nom
		}
		year = append(year, t)
		if t.Code == region {
			files[fileID] = true
		}
		return nil
	}); err != nil {
		return ce, err
	}
	if rang, ok := model.RankLowest(year, region); ok {
		rc := &model.RegionChomage{RangChomage: rang}
		for _, y := range year {
			if y.Code == region {
				rc.TauxChomage = y
			}
		}
		rc.Min, rc.Max, _ = model.MinMax(year)
		ce.Region = rc
	}
	if deps == nil {
		if err := s.pool.QueryRow(ctx, `SELECT coalesce(array_agg(code ORDER BY code), '{}') FROM departements WHERE region_code = $1`, region).Scan(&deps); err != nil {
			return ce, fmt.Errorf("départements de la région : %w", err)
		}
	}
	rows, err = s.pool.Query(ctx, `SELECT c.departement, coalesce(d.nom, c.libelle), c.annee, c.taux::float8, c.file_id
FROM insee_chomage_departement c LEFT JOIN departements d ON d.code = c.departement
WHERE c.departement = ANY($1) AND c.annee = (SELECT max(annee) FROM insee_chomage_departement)
ORDER BY c.departement`, deps)
	if err != nil {
		return ce, fmt.Errorf("taux de chômage départementaux : %w", err)
	}
	if _, err := pgx.ForEachRow(rows, []any{&t.Code, &t.Nom, &t.Annee, &t.Taux, &fileID}, func() error {
		ce.Departements = append(ce.Departements, t)
		files[fileID] = true
		return nil
	}); err != nil {
		return ce, err
	}
	if len(files) > 0 {
		ids := make([]int64, 0, len(files))
		for id := range files {
			ids = append(ids, id)
		}
		rows, err = s.pool.Query(ctx, `SELECT name, run_id, format, producer, coalesce(licence, '') FROM import_files WHERE id = ANY($1) ORDER BY format DESC, id`, ids)
		if err != nil {
			return ce, fmt.Errorf("sources des taux de chômage : %w", err)
		}
		var src model.SourceChomage
		if _, err := pgx.ForEachRow(rows, []any{&src.Fichier, &src.ImportRun, &src.Format, &src.Producteur, &src.Licence}, func() error {
			ce.Sources = append(ce.Sources, src)
			return nil
		}); err != nil {
			return ce, err
		}
	}
	switch {
	case len(year) == 0 && len(ce.Departements) == 0:
		ce.Absent = "Aucun taux de chômage n'est chargé : importez les taux de chômage localisés de l'INSEE (insee_chomage_regional.csv, insee_chomage_departemental.csv)."
	case ce.Region == nil && len(ce.Departements) == 0:
		ce.Absent = fmt.Sprintf("Le fichier de l'INSEE ne donne pas de taux de chômage pour ce territoire en %d.", year[0].Annee)
	}
	return ce, nil
}
