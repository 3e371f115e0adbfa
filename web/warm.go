package web

import (
	"context"
	"time"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
	"github.com/vitrine-inserjeunes/vitrine/internal/store"
)

// warmTimeout bounds one preparation of the territories.
const warmTimeout = 10 * time.Minute

// warm prepares, in the background and once per data version, the
// warehouse-wide summaries (site counts, national and regional headlines)
// and, for every région and académie, its establishments and coverage
// (the store keeps them per version, a few MB), so that no visitor or
// crawler waits for them after an import or a restart. It runs when the
// data state shows a new version (state) and the configuration asks for
// it (WARM_TERRITORIES). The figures of each territory by formation and
// level are not kept: all of them took 150 MB of heap (docs/PERFORMANCE.md).
func (s *Server) warm(v int64) {
	if !s.cfg.WarmTerritories || v == 0 {
		return
	}
	for {
		old := s.warmed.Load()
		if v <= old {
			return
		}
		if s.warmed.CompareAndSwap(old, v) {
			break
		}
	}
	go func() {
		if err := s.warmTerritories(context.Background(), v); err != nil {
			s.log.Warn("préparation des territoires interrompue", "version", v, "err", err)
		}
	}()
}

// warmTerritories reads the summaries and territory lists of data version v, one after
// the other (one core at most), and stops when a newer version is seen.
func (s *Server) warmTerritories(ctx context.Context, v int64) error {
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, warmTimeout)
	defer cancel()
	ctx = store.WithDataVersion(ctx, v)
	stale := func() bool { return s.warmed.Load() > v }
	// The warehouse-wide summaries of the home page first.
	if _, err := s.store.SiteStats(ctx); err != nil {
		return err
	}
	if _, err := s.store.NationalHeadline(ctx); err != nil {
		return err
	}
	if _, err := s.store.RegionalHeadline(ctx); err != nil {
		return err
	}
	for _, r := range model.AllRegions() {
		if stale() {
			return nil
		}
		// Read, not kept: what it leaves are the France headlines beside
		// the région and the labels of its formations (small summaries).
		if _, err := s.store.Region(ctx, r.Code); err != nil {
			return err
		}
		if _, err := s.store.TerritoryEtablissements(ctx, r.Code, nil); err != nil {
			return err
		}
		if _, err := s.store.TerritoryCoverage(ctx, r.Code, nil); err != nil {
			return err
		}
	}
	acads, err := s.store.Academies(ctx)
	if err != nil {
		return err
	}
	for _, a := range acads {
		if stale() {
			return nil
		}
		if _, _, err := s.store.AcademieDetail(ctx, a.Code); err != nil {
			return err
		}
		deps, err := s.store.AcademieDepartements(ctx, a.Code)
		if err != nil {
			return err
		}
		if _, err := s.store.TerritoryEtablissements(ctx, a.Region.Code, deps); err != nil {
			return err
		}
		if _, err := s.store.TerritoryCoverage(ctx, a.Region.Code, deps); err != nil {
			return err
		}
	}
	s.log.Info("territoires préparés", "version", v, "regions", len(model.AllRegions()), "academies", len(acads), "duree", time.Since(start).Round(time.Millisecond))
	return nil
}
