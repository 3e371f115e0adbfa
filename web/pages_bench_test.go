package web

import "testing"

// Server time of the HTML pages on the demo data: the fiber handler is
// called directly (no network) and the percentiles of the per-request
// durations are reported (benchLatency: p50-ms, p90-ms, p99-ms, max-ms).
//
//	go test ./web/ -run '^$' -bench 'Page' -benchtime 2000x
//
// "Cached": the page is in the page cache (keyed by data version and URL),
// as after its first visit; "Render": every request misses the cache (a
// new query string), so the store is read and the templates run.

func BenchmarkPageEtablissementCached(b *testing.B) {
	benchLatency(b, benchURLs(b, benchEtabs, "/etablissements/"), false)
}

func BenchmarkPageEtablissementCachedBrotli(b *testing.B) {
	benchLatency(b, benchURLs(b, benchEtabs, "/etablissements/"), false, "Accept-Encoding", "br, gzip")
}

func BenchmarkPageEtablissementRender(b *testing.B) {
	benchLatency(b, benchURLs(b, benchEtabs, "/etablissements/"), true)
}

func BenchmarkPageFormationCached(b *testing.B) {
	benchLatency(b, benchURLs(b, benchForms, "/formations/"), false)
}

func BenchmarkPageRegionCached(b *testing.B) {
	benchLatency(b, []string{"/regions/84", "/regions/11", "/regions/53"}, false)
}
