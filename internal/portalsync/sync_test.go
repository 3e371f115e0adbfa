package portalsync

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/vitrine-inserjeunes/vitrine/internal/testdb"
)

const demoDir = "../../testdata/demo"

// portal replays recorded exports on loopback: each path answers the bytes
// of a file of testdata/demo, or misbehaves as told.
type portal struct {
	mu    sync.Mutex
	files map[string][]byte // path → body
	// fail500 answers 500 to the first n requests of a path (-1: always).
	fail500 map[string]int
	// truncate sends a Content-Length of the whole body but only half of
	// it, then closes the connection.
	truncate map[string]bool
	// delay holds the answer of a path back this long.
	delay map[string]time.Duration
	hits  map[string]int
}

func newPortal() *portal {
	return &portal{files: map[string][]byte{}, fail500: map[string]int{}, truncate: map[string]bool{}, delay: map[string]time.Duration{}, hits: map[string]int{}}
}

func (p *portal) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.hits[r.URL.Path]++
	body, ok := p.files[r.URL.Path]
	n := p.fail500[r.URL.Path]
	if n > 0 {
		p.fail500[r.URL.Path] = n - 1
	}
	trunc := p.truncate[r.URL.Path]
	delay := p.delay[r.URL.Path]
	p.mu.Unlock()
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
	}
	switch {
	case !ok:
		http.NotFound(w, r)
	case n != 0:
		http.Error(w, "erreur interne du portail", http.StatusInternalServerError)
	case trunc:
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusOK)
		w.Write(body[:len(body)/2])
		// The handler returns: the server closes the connection, the
		// client sees fewer bytes than announced.
	default:
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Write(body)
	}
}

func (p *portal) hitsOf(path string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.hits[path]
}

// gunzip returns the bytes of a demo file as the portal would serve them.
func gunzip(t *testing.T, name string) []byte {
	return testdb.ReadGzip(t, filepath.Join(demoDir, name+".gz"))
}

func gz(t *testing.T, b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func sum(b []byte) string { h := sha256.Sum256(b); return hex.EncodeToString(h[:]) }

func sameTables(t *testing.T, what string, before, after map[string]string, except ...string) {
	t.Helper()
	skip := map[string]bool{}
	for _, e := range except {
		skip[e] = true
	}
	for tb, s := range before {
		if !skip[tb] && after[tb] != s {
			t.Errorf("%s changed table %s", what, tb)
		}
	}
}

// setup returns a portal serving three exports (a portal CSV, a gzipped
// referential, a small INSEE file), its configuration and the pool.
func setup(t *testing.T) (*portal, *Config, *pgxpool.Pool) {
	p := newPortal()
	p.files["/cfa.csv"] = gunzip(t, "inserjeunes_cfa_etab_2018-2023.csv")
	p.files["/regions.csv.gz"] = gz(t, gunzip(t, "ref_regions.csv"))
	p.files["/chomage.csv"] = gunzip(t, "insee_chomage_regional.csv")
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	cfg := &Config{Timeout: Duration(10 * time.Second), Retries: 3, Backoff: Duration(10 * time.Millisecond), Sources: []Source{
		{Name: "regions", URL: srv.URL + "/regions.csv.gz", File: "ref_regions.csv.gz", Format: "ref_regions", MinBytes: 100, MaxBytes: 1 << 20},
		{Name: "cfa", URL: srv.URL + "/cfa.csv", File: "fr-en-inserjeunes-cfa.csv", Format: "portail_ij_cfa", MinBytes: 1000, MaxBytes: 50 << 20},
		{Name: "chomage", URL: srv.URL + "/chomage.csv", File: "insee_chomage_regional.csv", Format: "insee_chomage_regional", MinBytes: 100, MaxBytes: 1 << 20},
	}}
	if err := cfg.validate(); err != nil {
		t.Fatal(err)
	}
	return p, cfg, testdb.Pool(t, "portalsync")
}

// recordSleeps replaces the waits between attempts by a record of them.
func recordSleeps(opt *Options) *[]time.Duration {
	var waits []time.Duration
	opt.sleep = func(_ context.Context, d time.Duration) error { waits = append(waits, d); return nil }
	return &waits
}

// TestSync replays the portals: a sync that succeeds after two 500s, a
// re-sync that changes nothing, then a truncated download, a cut gzip, a
// changed header and a persistent 500, each of which leaves every table
// as it was, and a dry run that writes nothing.
func TestSync(t *testing.T) {
	p, cfg, pool := setup(t)
	ctx := context.Background()

	// 1. Success, the CFA export answering 500 twice first.
	p.fail500["/cfa.csv"] = 2
	opt := Options{}
	waits := recordSleeps(&opt)
	rep, err := Run(ctx, pool, cfg, opt)
	if err != nil {
		t.Fatalf("sync: %v (%+v)", err, rep)
	}
	if got, want := *waits, []time.Duration{10 * time.Millisecond, 20 * time.Millisecond}; len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("waits between attempts %v, want %v (exponential backoff)", got, want)
	}
	if rep.Import == nil || !rep.Import.Changed || rep.Import.RunID == 0 {
		t.Fatalf("first sync: import %+v, want a changed run", rep.Import)
	}
	paths := map[string]string{"regions": "/regions.csv.gz", "cfa": "/cfa.csv", "chomage": "/chomage.csv"}
	for _, s := range rep.Sources {
		body := p.files[paths[s.Name]]
		if s.Failed || s.Size != int64(len(body)) || s.SHA256 != sum(body) || !strings.HasPrefix(s.Outcome, "importé") {
			t.Errorf("%s: %+v, want imported, %d bytes, sha256 %s", s.Name, s, len(body), sum(body))
		}
		var stored string
		if err := pool.QueryRow(ctx, `SELECT sha256 FROM import_files WHERE run_id = $1 AND name = $2`, rep.Import.RunID, strings.TrimSuffix(s.File, ".gz")).Scan(&stored); err != nil || stored != s.SHA256 {
			t.Errorf("%s: import_files.sha256 %q (%v), want %s", s.Name, stored, err, s.SHA256)
		}
	}
	var origin string
	if err := pool.QueryRow(ctx, `SELECT options->'origin'->'sync'->1->>'url' || ' ' || (options->'origin'->'sync'->1->>'sha256') FROM import_runs WHERE id = $1`, rep.Import.RunID).Scan(&origin); err != nil ||
		origin != cfg.Sources[1].URL+" "+rep.Sources[1].SHA256 {
		t.Errorf("import_runs.options origin %q (%v), want the cfa URL and sha256", origin, err)
	}
	if rep.Sources[1].Attempts != 3 || p.hitsOf("/cfa.csv") != 3 {
		t.Errorf("cfa: %d attempts, %d requests; want 3", rep.Sources[1].Attempts, p.hitsOf("/cfa.csv"))
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM ij_etab e JOIN import_files f ON f.id = e.file_id WHERE f.run_id = $1`, rep.Import.RunID).Scan(&n); err != nil || n == 0 {
		t.Fatalf("no establishment figure from the synced CFA export (%v)", err)
	}

	// 2. Again: every file « déjà importé, inchangé », no data changed.
	before := testdb.TableChecksums(t, pool)
	rep, err = Run(ctx, pool, cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Import == nil || rep.Import.Changed {
		t.Fatalf("re-sync: %+v, want a run « sans changement »", rep.Import)
	}
	for _, s := range rep.Sources {
		if !strings.HasPrefix(s.Outcome, "déjà importé, inchangé") {
			t.Errorf("re-sync %s: %q", s.Name, s.Outcome)
		}
	}
	sameTables(t, "a re-sync", before, testdb.TableChecksums(t, pool), "import_runs")

	// 3. Failures: each leaves the database exactly as it was (import_runs
	// included), with the other sources downloaded fine.
	cfa := p.files["/cfa.csv"]
	for _, c := range []struct {
		name    string
		arrange func()
		want    string // in the failed source's outcome
		retried bool
	}{
		{"truncated", func() { p.truncate["/cfa.csv"] = true }, "tronqué", true},
		{"cut gzip", func() {
			full := gz(t, append(gunzip(t, "ref_regions.csv"), []byte("Nouvelle région;98\n")...))
			p.files["/regions.csv.gz"] = full[:len(full)-12]
		}, "gzip", false},
		{"changed header", func() {
			p.files["/cfa.csv"] = bytes.Replace(cfa, []byte("Part contrats apprentissage interrompus"), []byte("Part des ruptures"), 1)
		}, "format", false},
		{"http 500", func() { p.fail500["/cfa.csv"] = -1 }, "HTTP 500", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			saved := map[string][]byte{}
			for k, v := range p.files {
				saved[k] = v
			}
			defer func() {
				p.files, p.truncate, p.fail500 = saved, map[string]bool{}, map[string]int{}
			}()
			c.arrange()
			before := testdb.TableChecksums(t, pool)
			opt := Options{}
			recordSleeps(&opt)
			rep, err := Run(ctx, pool, cfg, opt)
			var fe *FailedError
			if !errors.As(err, &fe) || len(fe.Failed) != 1 {
				t.Fatalf("error %v, want one failed source", err)
			}
			if rep.Import != nil {
				t.Errorf("an import ran: %+v", rep.Import)
			}
			found := false
			for _, s := range rep.Sources {
				if s.Failed {
					found = true
					t.Log(s.Outcome)
					if strings.Contains(s.Outcome, os.TempDir()) {
						t.Errorf("%s: the outcome names the temporary path: %q", s.Name, s.Outcome)
					}
					if !strings.Contains(s.Outcome, c.want) || (c.retried != (s.Attempts == cfg.Retries+1)) {
						t.Errorf("%s: outcome %q after %d attempt(s), want %q, retried %v", s.Name, s.Outcome, s.Attempts, c.want, c.retried)
					}
				} else if !strings.Contains(s.Outcome, "non importé") {
					t.Errorf("%s: %q, want « non importé »", s.Name, s.Outcome)
				}
			}
			if !found {
				t.Fatal("no failed source in the report")
			}
			sameTables(t, c.name, before, testdb.TableChecksums(t, pool))
		})
	}

	// 4. A dry run with a new CFA export: checked, counted, nothing written.
	p.files["/cfa.csv"] = bytes.Replace(p.files["/cfa.csv"], []byte(";21.0;54.0;25.0;;21.0;68.0;70.0;-2.0;77.0;"), []byte(";21.0;54.0;25.0;;21.0;69.0;70.0;-1.0;77.0;"), 1)
	before = testdb.TableChecksums(t, pool)
	rep, err = Run(ctx, pool, cfg, Options{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Import == nil || !rep.Import.DryRun || !rep.Import.Changed || rep.Import.RunID != 0 {
		t.Errorf("dry run: %+v, want a dry run that would change rows", rep.Import)
	}
	if !strings.HasPrefix(rep.Sources[1].Outcome, "vérifié (essai à blanc)") {
		t.Errorf("dry run, cfa: %q", rep.Sources[1].Outcome)
	}
	sameTables(t, "a dry run", before, testdb.TableChecksums(t, pool))

	// 5. --only: the other sources are not even downloaded.
	hits := p.hitsOf("/chomage.csv")
	rep, err = Run(ctx, pool, cfg, Options{Only: []string{"regions"}})
	if err != nil || len(rep.Sources) != 1 || rep.Sources[0].Name != "regions" || p.hitsOf("/chomage.csv") != hits {
		t.Errorf("--only regions: %v, %+v", err, rep)
	}
	var ue *UnknownSourceError
	if _, err := Run(ctx, pool, cfg, Options{Only: []string{"nope"}}); !errors.As(err, &ue) || !strings.Contains(err.Error(), "cfa") {
		t.Errorf("--only nope: %v, want the list of sources", err)
	}
}

// TestLoadConfig: the committed default is valid and each broken file is
// refused with what is wrong.
func TestLoadConfig(t *testing.T) {
	c, err := LoadConfig("")
	if err != nil {
		t.Fatalf("committed configs/sync.json: %v", err)
	}
	want := map[string]bool{"insersup": false, "inserjeunes-cfa": false, "annuaire-education": false, "bcn-n-mef": false}
	for _, s := range c.Sources {
		if _, ok := want[s.Name]; ok {
			want[s.Name] = true
		}
	}
	for n, ok := range want {
		if !ok {
			t.Errorf("default configuration without %s", n)
		}
	}
	dir := t.TempDir()
	src := `{"name":"a","url":"https://example.org/a.csv","file":"a.csv","min_bytes":1,"max_bytes":10}`
	for _, c := range []struct{ body, want string }{
		{`{"sources":[]}`, "aucune source"},
		{`{"sources":[` + src + `,` + src + `]}`, "nom en double"},
		{`{"sources":[{"name":"a","url":"ftp://x/a.csv","file":"a.csv","min_bytes":1,"max_bytes":10}]}`, "http(s)"},
		{`{"sources":[{"name":"a","url":"https://x/a","file":"../a.csv","min_bytes":1,"max_bytes":10}]}`, "nom de fichier simple"},
		{`{"sources":[{"name":"a","url":"https://x/a","file":"a.xlsx","min_bytes":1,"max_bytes":10}]}`, "extension"},
		{`{"sources":[{"name":"a","url":"https://x/a","file":"a.csv","format":"zzz","min_bytes":1,"max_bytes":10}]}`, "format \"zzz\" inconnu"},
		{`{"sources":[{"name":"a","url":"https://x/a","file":"a.csv","min_bytes":10,"max_bytes":1}]}`, "bornes de taille"},
		{`{"retries":50,"sources":[` + src + `]}`, "retries"},
		{`{"timeout":"bientôt","sources":[` + src + `]}`, "durée invalide"},
		{`{"source":[]}`, "unknown field"},
	} {
		p := filepath.Join(dir, "sync.json")
		if err := os.WriteFile(p, []byte(c.body), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := LoadConfig(p)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: error %v, want %q naming the file", c.body, err, c.want)
		}
	}
	if _, err := LoadConfig(filepath.Join(dir, "absent.json")); err == nil {
		t.Error("a missing file is accepted")
	}
}

// TestSyncTimeout: a portal that does not answer within the timeout is
// retried, then the sync is refused and the database left as it was.
func TestSyncTimeout(t *testing.T) {
	p, cfg, pool := setup(t)
	cfg.Timeout = Duration(200 * time.Millisecond)
	cfg.Retries = 1
	p.delay["/chomage.csv"] = 5 * time.Second
	before := testdb.TableChecksums(t, pool)
	opt := Options{}
	recordSleeps(&opt)
	rep, err := Run(context.Background(), pool, cfg, opt)
	var fe *FailedError
	if !errors.As(err, &fe) || len(fe.Failed) != 1 || fe.Failed[0] != "chomage" {
		t.Fatalf("error %v, want chomage failed", err)
	}
	s := rep.Sources[2]
	if s.Attempts != 2 || !strings.Contains(s.Outcome, "délai dépassé") || p.hitsOf("/chomage.csv") != 2 {
		t.Errorf("chomage: %+v (%d requests), want 2 attempts, « délai dépassé »", s, p.hitsOf("/chomage.csv"))
	}
	sameTables(t, "a timeout", before, testdb.TableChecksums(t, pool))
}
