package web

import (
	"context"
	"sync"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// summaryMemo keeps the warehouse-wide summaries (the counts of the site,
// the national and regional headlines of the home page): each reads every
// row of a figure table, so it is computed once per data version and kept
// whatever the page cache holds (a few kilobytes). A new data version
// drops them; an error is not kept.
type summaryMemo struct {
	mu      sync.Mutex
	version int64
	entries map[string]*summaryEntry
}

type summaryEntry struct {
	once sync.Once
	v    any
	err  error
}

// summary returns the value of name at data version st, computing it with
// load once per version (concurrent callers wait for the one computing).
func summary[T any](s *Server, st dataState, name string, load func() (T, error)) (T, error) {
	m := &s.summaries
	m.mu.Lock()
	if m.entries == nil || m.version != st.Version {
		m.entries, m.version = map[string]*summaryEntry{}, st.Version
	}
	e, ok := m.entries[name]
	if !ok {
		e = &summaryEntry{}
		m.entries[name] = e
	}
	m.mu.Unlock()
	e.once.Do(func() { e.v, e.err = load() })
	if e.err != nil {
		m.mu.Lock()
		if m.entries[name] == e {
			delete(m.entries, name)
		}
		m.mu.Unlock()
		var zero T
		return zero, e.err
	}
	return e.v.(T), nil
}

func (s *Server) siteStats(ctx context.Context, st dataState) (model.SiteStats, error) {
	return summary(s, st, "stats", func() (model.SiteStats, error) { return s.store.SiteStats(ctx) })
}

func (s *Server) nationalHeadline(ctx context.Context, st dataState) ([]model.NationalFigure, error) {
	return summary(s, st, "national", func() ([]model.NationalFigure, error) { return s.store.NationalHeadline(ctx) })
}

func (s *Server) regionalHeadline(ctx context.Context, st dataState) ([]model.RegionalFigure, error) {
	return summary(s, st, "regional", func() ([]model.RegionalFigure, error) { return s.store.RegionalHeadline(ctx) })
}
