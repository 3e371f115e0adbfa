package store

import (
	"context"
	"sync"
	"sync/atomic"
)

// Warehouse-wide summaries (the counts of the site, the national and
// regional headlines, the France figures beside a territory) read every
// row of a figure table, whatever page shows them. They depend on the data
// only, so the store computes each once per data version and keeps it (a
// few kilobytes), whether or not a page cache holds the pages: the caller
// says which version it reads through WithDataVersion (the web layer's
// data state); without it, they are computed at each call.

type versionKey struct{}

// WithDataVersion returns a context telling the store that the request
// reads data version v (DataVersion).
func WithDataVersion(ctx context.Context, v int64) context.Context {
	return context.WithValue(ctx, versionKey{}, v)
}

// hasDataVersion tells whether the context names the data version it
// reads (WithDataVersion): what is read once per version is then kept.
func hasDataVersion(ctx context.Context) bool {
	_, ok := ctx.Value(versionKey{}).(int64)
	return ok
}

// summaries keeps the summaries of one data version.
type summaries struct {
	// loads counts the summaries computed (kept or not): a render that
	// computes one at each call has lost its data version (SummaryLoads).
	loads   atomic.Int64
	mu      sync.Mutex
	version int64
	entries map[string]*summaryEntry
}

type summaryEntry struct {
	once sync.Once
	v    any
	err  error
}

// summary returns the value of key at the context's data version,
// computed by load once per version (concurrent callers wait for the one
// computing it; an error is not kept). The value is shared: callers must
// not modify it.
func summary[T any](ctx context.Context, s *Store, key string, load func() (T, error)) (T, error) {
	v, ok := ctx.Value(versionKey{}).(int64)
	if s.sum == nil {
		return load()
	}
	load = counted(&s.sum.loads, load)
	if !ok {
		return load()
	}
	m := s.sum
	m.mu.Lock()
	if m.entries == nil || v > m.version {
		m.entries, m.version = map[string]*summaryEntry{}, v
	}
	if v < m.version { // an older request: do not keep what it reads
		m.mu.Unlock()
		return load()
	}
	e, ok := m.entries[key]
	if !ok {
		e = &summaryEntry{}
		m.entries[key] = e
	}
	m.mu.Unlock()
	e.once.Do(func() { e.v, e.err = load() })
	if e.err != nil {
		m.mu.Lock()
		if m.entries[key] == e {
			delete(m.entries, key)
		}
		m.mu.Unlock()
		var zero T
		return zero, e.err
	}
	return e.v.(T), nil
}

// counted wraps load so that each call is counted in n.
func counted[T any](n *atomic.Int64, load func() (T, error)) func() (T, error) {
	return func() (T, error) {
		n.Add(1)
		return load()
	}
}

// SummaryLoads is the number of warehouse-wide summaries this store has
// computed. Once a data version's summaries are kept, a request that
// reads that version computes none: tests check a second render of every
// page type leaves it unchanged (a handler that took its context before
// the data version was set would recompute them at each render).
func (s *Store) SummaryLoads() int64 {
	if s.sum == nil {
		return 0
	}
	return s.sum.loads.Load()
}
