package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vitrine-inserjeunes/vitrine/internal/config"
	"github.com/vitrine-inserjeunes/vitrine/internal/importer"
	"github.com/vitrine-inserjeunes/vitrine/internal/store"
	"github.com/vitrine-inserjeunes/vitrine/internal/testdb"
)

// outageSite is the demo site over a private cluster that a test can
// stop, freeze and restart.
type outageSite struct {
	cl    *testdb.Cluster
	logs  *syncBuffer
	uais  []string
	fetch func(path string) (int, http.Header)
}

func newOutageSite(t *testing.T, cfg config.Server) *outageSite {
	t.Helper()
	if testing.Short() {
		t.Skip("starts a PostgreSQL cluster")
	}
	cl := testdb.StartCluster(t)
	ctx := context.Background()
	st, err := store.Open(ctx, cl.URL("vitrine"), store.WithStatementTimeout(cfg.StatementTimeout), store.WithConnectTimeout(2*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, f := range []string{"ref_regions.csv.gz", "ref_departements_academies_regions.csv.gz", "bcn_n_niveau_formation_diplome.csv.gz",
		"bcn_n_formation_diplome.csv.gz", "bcn_n_mef.csv.gz", "depp_ij_etab_lycee_pro_2021_2022.csv.gz"} {
		files = append(files, "../testdata/demo/"+f)
	}
	if _, err := importer.Run(ctx, st.Pool(), files, importer.Options{}); err != nil {
		t.Fatal(err)
	}
	rows, err := st.Pool().Query(ctx, `SELECT DISTINCT uai FROM ij_etab ORDER BY uai LIMIT 40`)
	if err != nil {
		t.Fatal(err)
	}
	var uais []string
	for rows.Next() {
		var u string
		_ = rows.Scan(&u)
		uais = append(uais, u)
	}
	if rows.Err() != nil || len(uais) < 40 {
		t.Fatalf("%d establishments (%v)", len(uais), rows.Err())
	}
	logs := &syncBuffer{}
	cfg.AccessLog = false
	app := New(st, slog.New(slog.NewTextHandler(logs, nil)), cfg)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = app.Listener(ln) }()
	t.Cleanup(func() { _ = app.ShutdownWithTimeout(5 * time.Second) })
	base := "http://" + ln.Addr().String()
	client := &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	fetch := func(path string) (int, http.Header) {
		r, err := client.Get(base + path)
		if err != nil {
			return -1, nil
		}
		_, _ = io.Copy(io.Discard, r.Body)
		r.Body.Close()
		return r.StatusCode, r.Header
	}
	return &outageSite{cl: cl, logs: logs, uais: uais, fetch: fetch}
}

// TestDatabaseOutage stops a private PostgreSQL under load, then restarts
// it: pages already rendered stay 200 (served stale, marked), the others
// answer 503 with Retry-After, /readyz says 503, the error log holds about
// one line a second, and the site answers again soon after the restart
// without being restarted itself.
func TestDatabaseOutage(t *testing.T) {
	cfg := testConfig()
	cfg.StatementTimeout = 5 * time.Second
	o := newOutageSite(t, cfg)
	cl, logs, uais, fetch := o.cl, o.logs, o.uais, o.fetch

	// Warm pages are rendered once before the outage; cold ones never are
	// (each request names an export table nobody asked before: a parameter
	// the establishment route reads, hence a new cache key).
	warm := append([]string{"/", "/a-propos/donnees"}, prefixAll("/etablissements/", uais[:20])...)
	for _, p := range warm {
		if code, _ := fetch(p); code != http.StatusOK {
			t.Fatalf("warm-up %s: %d", p, code)
		}
	}
	var seq atomic.Int64
	cold := func() string {
		return fmt.Sprintf("/etablissements/%s?table=t%d", uais[20+int(seq.Add(1))%20], seq.Load())
	}

	type outcome struct {
		warm   bool
		path   string
		code   int
		stale  bool
		retry  string
		at     time.Time
		before time.Time
	}
	var mu sync.Mutex
	var got []outcome
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				isWarm := (i+w)%2 == 0
				p := cold()
				if isWarm {
					p = warm[(i*7+w)%len(warm)]
				}
				before := time.Now()
				code, h := fetch(p)
				o := outcome{warm: isWarm, path: p, code: code, at: time.Now(), before: before}
				if h != nil {
					o.stale, o.retry = h.Get("X-Vitrine-Stale") == "1", h.Get("Retry-After")
				}
				mu.Lock()
				got = append(got, o)
				mu.Unlock()
			}
		}(w)
	}

	time.Sleep(time.Second)
	cl.Stop()
	down := time.Now()
	time.Sleep(3 * time.Second)
	if code, h := fetch("/readyz"); code != http.StatusServiceUnavailable || h.Get("Retry-After") == "" {
		t.Errorf("/readyz during the outage: %d, Retry-After %q", code, h.Get("Retry-After"))
	}
	upStart := time.Now()
	cl.Start()
	up := time.Now()
	var recovered time.Duration = -1
	for time.Since(up) < 15*time.Second {
		if code, _ := fetch(cold()); code == http.StatusOK {
			recovered = time.Since(up)
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond)
	close(stop)
	wg.Wait()

	var during, warmOK, cold503, after, bad int
	for _, o := range got {
		switch {
		case o.code >= 500 && o.code != http.StatusServiceUnavailable, o.code == -1:
			bad++
		case o.before.After(down.Add(stateTTL+100*time.Millisecond)) && o.at.Before(upStart):
			// wholly inside the outage, once the data state kept for
			// stateTTL has expired (before, cached pages are simply fresh)
			during++
			if o.warm {
				if o.code != http.StatusOK || !o.stale {
					t.Errorf("cached page %s during the outage: %d, stale %v", o.path, o.code, o.stale)
				} else {
					warmOK++
				}
			} else if o.code != http.StatusServiceUnavailable || o.retry == "" {
				t.Errorf("uncached page during the outage: %d, Retry-After %q", o.code, o.retry)
			} else {
				cold503++
			}
		case o.before.After(up.Add(recovered)) && recovered >= 0:
			after++
			if o.code != http.StatusOK || o.stale {
				t.Errorf("after recovery: %d, stale %v", o.code, o.stale)
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d answers were 500 or no answer at all", bad)
	}
	if warmOK == 0 || cold503 == 0 || after == 0 {
		t.Fatalf("the load did not cover every phase: %d during (%d stale 200, %d 503), %d after", during, warmOK, cold503, after)
	}
	if recovered < 0 {
		t.Fatal("the site did not recover within 15 s of the restart")
	}
	outage := upStart.Sub(down)
	lines := strings.Count(logs.String(), "database unavailable")
	if max := int(outage/time.Second) + 3; lines > max || lines == 0 {
		t.Errorf("%d « database unavailable » log lines for a %v outage (want 1…%d)", lines, outage.Round(time.Millisecond), max)
	}
	t.Logf("%d requests; outage %v: %d stale 200 and %d × 503; recovered %v after the restart (server up in %v); %d error log lines",
		len(got), outage.Round(time.Millisecond), warmOK, cold503, recovered.Round(time.Millisecond), up.Sub(upStart).Round(time.Millisecond), lines)
}

func prefixAll(prefix string, xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = prefix + x
	}
	return out
}

// TestDatabaseHang freezes the database (SIGSTOP: connections stay open,
// nothing answers, as when its host hangs): cached pages keep answering
// quickly (at most one request waits for the data state, for its own
// short deadline), uncached ones fail with 503 within the request
// deadline, and the site recovers when the database thaws.
func TestDatabaseHang(t *testing.T) {
	cfg := testConfig()
	cfg.RequestTimeout, cfg.StatementTimeout = 3*time.Second, 2*time.Second
	o := newOutageSite(t, cfg)
	warm := prefixAll("/etablissements/", o.uais[:10])
	for _, p := range warm {
		if code, _ := o.fetch(p); code != http.StatusOK {
			t.Fatalf("warm-up %s: %d", p, code)
		}
	}
	o.cl.Freeze()
	thawed := false
	defer func() {
		if !thawed {
			o.cl.Thaw()
		}
	}()
	frozen := time.Now()
	var slowest time.Duration
	var warmOK int
	for time.Since(frozen) < 4*time.Second {
		for _, p := range warm {
			start := time.Now()
			code, _ := o.fetch(p)
			d := time.Since(start)
			if code != http.StatusOK {
				t.Errorf("cached page %s while the database hangs: %d after %v", p, code, d.Round(time.Millisecond))
			} else {
				warmOK++
			}
			slowest = max(slowest, d)
		}
	}
	start := time.Now()
	code, h := o.fetch("/etablissements/" + o.uais[30])
	coldTook := time.Since(start)
	if code != http.StatusServiceUnavailable || h.Get("Retry-After") == "" {
		t.Errorf("uncached page while the database hangs: %d, Retry-After %q", code, h.Get("Retry-After"))
	}
	if coldTook > cfg.RequestTimeout+2*time.Second {
		t.Errorf("uncached page answered after %v (request deadline %v)", coldTook, cfg.RequestTimeout)
	}
	if slowest > stateTimeout+time.Second {
		t.Errorf("a cached page took %v while the database hung (state deadline %v)", slowest, stateTimeout)
	}
	o.cl.Thaw()
	thawed = true
	up := time.Now()
	recovered := time.Duration(-1)
	for time.Since(up) < 20*time.Second {
		if code, _ := o.fetch("/etablissements/" + o.uais[31]); code == http.StatusOK {
			recovered = time.Since(up)
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if recovered < 0 {
		t.Fatal("no recovery within 20 s of the thaw")
	}
	if warmOK == 0 {
		t.Fatal("no cached page was checked while the database hung")
	}
	t.Logf("database frozen 4 s: %d cached answers, slowest %v; uncached 503 after %v; recovered %v after the thaw",
		warmOK, slowest.Round(time.Millisecond), coldTook.Round(time.Millisecond), recovered.Round(time.Millisecond))
}
