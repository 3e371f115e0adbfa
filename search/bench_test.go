package search_test

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/vitrine-inserjeunes/vitrine/internal/searchsource"
	"github.com/vitrine-inserjeunes/vitrine/search"
)

// BenchmarkSearch reports the latency percentiles of single searches
// (target: p99 ≤ 15 ms): "relevance" runs every query of the relevance
// table; "broad" runs queries that match thousands of objects (facets
// over every hit), a page 2 and a browse by filters alone. "froid" drops
// the answer cache before each search, "cache" lets it answer.
//
//	go test ./search/ -run '^$' -bench BenchmarkSearch -benchtime 30x
func BenchmarkSearch(b *testing.B) {
	ix := demoIndex(b)
	ctx := context.Background()
	var relevant []search.Request
	for _, c := range relevance {
		relevant = append(relevant, search.Request{Q: c.q})
	}
	broad := []search.Request{
		{Q: "lycee"}, {Q: "lycee", Page: 2}, {Q: "lycee professionnel"}, {Q: "cap"},
		{Q: "cap", Filters: search.Filters{Region: "53", Voie: "apprentissage"}},
		{Filters: search.Filters{Region: "53"}}, {Filters: search.Filters{Type: search.TypeFormation, Niveau: "BTS"}},
	}
	for _, set := range []struct {
		name string
		reqs []search.Request
	}{{"relevance", relevant}, {"broad", broad}} {
		for _, cold := range []bool{true, false} {
			name := set.name + "/cache"
			if cold {
				name = set.name + "/froid"
			}
			b.Run(name, func(b *testing.B) {
				var lat []time.Duration
				for b.Loop() {
					for _, r := range set.reqs {
						if cold {
							ix.DropCache()
						}
						start := time.Now()
						if _, err := ix.Search(ctx, r); err != nil {
							b.Fatal(err)
						}
						lat = append(lat, time.Since(start))
					}
				}
				reportPercentiles(b, lat)
			})
		}
	}
}

// BenchmarkSuggest measures the suggestions of the search box, typed one
// letter at a time, from scratch (answer cache dropped).
func BenchmarkSuggest(b *testing.B) {
	ix := demoIndex(b)
	ctx := context.Background()
	words := []string{"l", "ly", "lyc", "lycee a", "lycee alex", "lycee alexandre b", "b", "bo", "bou", "boulang", "0010", "0010001"}
	var lat []time.Duration
	b.ResetTimer()
	for b.Loop() {
		for _, w := range words {
			ix.DropCache()
			start := time.Now()
			if _, err := ix.Suggest(ctx, w, 8); err != nil {
				b.Fatal(err)
			}
			lat = append(lat, time.Since(start))
		}
	}
	b.StopTimer()
	reportPercentiles(b, lat)
}

func reportPercentiles(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) float64 {
		i := int(p * float64(len(lat)-1))
		return float64(lat[i].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(pct(1), "max-ms")
	b.ReportMetric(0, "ns/op")
}

// BenchmarkBuildFromDB builds the index from PostgreSQL (the demo data):
// the queries of the store plus the bleve build; reports the size on disk.
//
//	go test ./search/ -run '^$' -bench BenchmarkBuildFromDB -benchtime 3x
func BenchmarkBuildFromDB(b *testing.B) {
	st, _ := demoStore(b)
	src := searchsource.New(st)
	ctx := context.Background()
	var last *search.BuildStats
	for b.Loop() {
		ix := search.New(b.TempDir(), nil)
		stats, err := ix.Rebuild(ctx, src)
		if err != nil {
			b.Fatal(err)
		}
		last = stats
		_ = ix.Close()
	}
	b.ReportMetric(float64(last.Bytes)/1e6, "MB-on-disk")
	b.ReportMetric(float64(last.Documents), "documents")
}
