package store

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/jackc/pgx/v5"
	"golang.org/x/sync/errgroup"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// Famille returns the famille de métiers of slug with the national figures
// of its specialties (latest millésime of each voie, as the formation page
// shows them) and, when uai is set, the figures of the specialties that
// establishment teaches.
func (s *Store) Famille(ctx context.Context, slug, uai string) (model.FamilleDetail, error) {
	rows, err := s.pool.Query(ctx, `SELECT m.famille, m.ministere, m.cfd_commun, m.mefstat11_commun, coalesce(bc.libelle_long, ''),
  coalesce(bc.date_fermeture < current_date, false),
  m.cfd_specialite, m.mefstat11_specialite, m.specialite, coalesce(bs.libelle_long, ''), coalesce(bs.date_fermeture < current_date, false)
FROM familles_metiers m
LEFT JOIN bcn_formations bc ON bc.cfd = m.cfd_commun
LEFT JOIN bcn_formations bs ON bs.cfd = m.cfd_specialite
WHERE m.slug = $1 ORDER BY m.specialite, m.cfd_specialite`, slug)
	if err != nil {
		return model.FamilleDetail{}, fmt.Errorf("famille de métiers %s : %w", slug, err)
	}
	var d model.FamilleDetail
	d.Slug = slug
	for rows.Next() {
		var sp model.FamilleFormation
		if err := rows.Scan(&d.Nom, &d.Ministere, &d.Commun.CFD, &d.Commun.MEFSTAT11, &d.Commun.LibelleBCN, &d.Commun.FormationFermee,
			&sp.CFD, &sp.MEFSTAT11, &sp.Libelle, &sp.LibelleBCN, &sp.FormationFermee); err != nil {
			rows.Close()
			return model.FamilleDetail{}, err
		}
		d.Specialites = append(d.Specialites, sp)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return model.FamilleDetail{}, err
	}
	if len(d.Specialites) == 0 {
		return model.FamilleDetail{}, &model.NotFoundError{Statut: model.StatutCodeInconnu,
			Message: fmt.Sprintf("aucune famille de métiers « %s » : les familles chargées sont listées sur la page des données", slug)}
	}
	d.Commun.Libelle = "2nde professionnelle " + d.Nom
	// Each specialty's national figures only: the establishments that
	// offer it are not shown (FormationDetail read them all: up to 180 ms
	// for a famille of large specialties). Read four at a time, each on
	// its own pool connection.
	d.National = make([]model.FamilleChiffres, len(d.Specialites))
	demo := make([]bool, len(d.Specialites))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	for i, sp := range d.Specialites {
		g.Go(func() error {
			fc := model.FamilleChiffres{Specialite: sp}
			fd, err := s.FormationFigures(gctx, sp.CFD)
			switch {
			case errors.Is(err, model.ErrNotFound):
			case err != nil:
				return err
			default:
				fc.Chiffres = latestPerVoie(fd.National)
				demo[i] = fd.Demonstration
			}
			d.National[i] = fc
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return model.FamilleDetail{}, err
	}
	for _, b := range demo {
		d.Demonstration = d.Demonstration || b
	}
	if uai == "" {
		return d, nil
	}
	e, err := s.etablissementOrFigures(ctx, uai)
	if err != nil {
		return model.FamilleDetail{}, err
	}
	d.Etablissement = &e
	efs, err := s.EtablissementFormations(ctx, uai)
	if err != nil && !errors.Is(err, model.ErrNotFound) {
		return model.FamilleDetail{}, err
	}
	for _, sp := range d.Specialites {
		fc := model.FamilleChiffres{Specialite: sp}
		for _, ef := range efs {
			if ef.CFD == sp.CFD && ef.Dernier != nil {
				fc.Chiffres = append(fc.Chiffres, *ef.Dernier)
				d.Demonstration = d.Demonstration || ef.Dernier.Demonstration
			}
		}
		if len(fc.Chiffres) > 0 {
			sort.Slice(fc.Chiffres, func(i, j int) bool {
				return model.VoieOrder(fc.Chiffres[i].Voie) < model.VoieOrder(fc.Chiffres[j].Voie)
			})
			d.EtabSpecialites = append(d.EtabSpecialites, fc)
		}
	}
	if len(d.EtabSpecialites) == 0 {
		return model.FamilleDetail{}, &model.NotFoundError{Statut: model.StatutNonDispensee,
			Message: fmt.Sprintf("l'établissement %s n'a de chiffres pour aucune spécialité de la famille « %s »", uai, d.Nom)}
	}
	return d, nil
}

// latestPerVoie keeps the figure of the latest millésime of each voie.
func latestPerVoie(figs []model.FormationFigure) []model.FormationFigure {
	best := map[string]model.FormationFigure{}
	for _, f := range figs {
		if b, ok := best[f.Voie]; !ok || model.CompareMillesimes(f.Millesime, b.Millesime) > 0 {
			best[f.Voie] = f
		}
	}
	out := make([]model.FormationFigure, 0, len(best))
	for _, f := range best {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return model.VoieOrder(out[i].Voie) < model.VoieOrder(out[j].Voie) })
	return out
}

// FamilleRefs returns the famille de métiers of every specialty and
// common 2nde CFD (for the links of formation and establishment pages).
//
// The map is read once per data version (every establishment page names
// the familles of its specialties): callers must not modify it.
func (s *Store) FamilleRefs(ctx context.Context) (map[string]*model.FamilleRef, error) {
	return summary(ctx, s, "familles refs", func() (map[string]*model.FamilleRef, error) { return s.familleRefs(ctx) })
}

// FamilleOf returns the famille de métiers of a CFD (a specialty or a
// common 2nde), with its common 2nde; nil when the CFD belongs to none.
func (s *Store) FamilleOf(ctx context.Context, cfd string) (*model.FamilleLien, error) {
	var l model.FamilleLien
	var spec string
	err := s.pool.QueryRow(ctx, `SELECT m.slug, m.famille, m.cfd_commun, coalesce(b.libelle_long, ''), m.cfd_specialite,
  (SELECT count(*) FROM familles_metiers x WHERE x.slug = m.slug)
FROM familles_metiers m LEFT JOIN bcn_formations b ON b.cfd = m.cfd_commun
WHERE m.cfd_specialite = $1 OR m.cfd_commun = $1 ORDER BY (m.cfd_specialite = $1) DESC LIMIT 1`, cfd).
		Scan(&l.Slug, &l.Nom, &l.CFDCommun, &l.LibelleCommun, &spec, &l.NbSpecialites)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("famille de métiers de %s : %w", cfd, err)
	}
	l.Commune = spec != cfd
	if l.LibelleCommun != "" {
		ref, err := s.referentiel(ctx)
		if err != nil {
			return nil, err
		}
		l.LibelleCommun, _ = model.ReadableFormationLabel(l.LibelleCommun, ref.certif[l.CFDCommun], ref.lex)
	}
	return &l, nil
}
