package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/vitrine-inserjeunes/vitrine/internal/testdb"
)

// TestSyncCLI runs vitrine sync against a loopback portal: the report and
// the exit codes (0 imported, 0 unchanged, 1 a download refused, 2 an
// unknown source or a broken configuration, 3 rejected rows).
func TestSyncCLI(t *testing.T) {
	files := map[string][]byte{
		"/regions.csv": []byte(strings.Join(demoFile(t, "ref_regions.csv"), "\n") + "\n"),
		"/chomage.csv": []byte(strings.Join(demoFile(t, "insee_chomage_regional.csv"), "\n") + "\n"),
	}
	var mu sync.Mutex // guards broken and files
	var broken bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if broken && r.URL.Path == "/chomage.csv" {
			http.Error(w, "panne", http.StatusBadGateway)
			return
		}
		b, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(b)
	}))
	defer srv.Close()
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "sync.json")
	cfg := map[string]any{"timeout": "10s", "retries": 2, "backoff": "1ms", "sources": []map[string]any{
		{"name": "regions", "url": srv.URL + "/regions.csv", "file": "ref_regions.csv", "format": "ref_regions", "min_bytes": 10, "max_bytes": 1 << 20},
		{"name": "chomage", "url": srv.URL + "/chomage.csv", "file": "insee_chomage_regional.csv", "format": "insee_chomage_regional", "min_bytes": 10, "max_bytes": 1 << 20},
	}}
	b, _ := json.Marshal(cfg)
	if err := os.WriteFile(cfgPath, b, 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{"DATABASE_URL=" + testdb.URL(t, "cmd_sync"), "SYNC_CONFIG=" + cfgPath}
	check := func(r result, code int, want ...string) {
		t.Helper()
		for _, w := range want {
			if !strings.Contains(r.stdout+r.stderr, w) {
				t.Errorf("missing %q", w)
			}
		}
		if r.code != code || t.Failed() {
			t.Fatalf("exit %d, want %d; stdout:\n%s\nstderr:\n%s", r.code, code, r.stdout, r.stderr)
		}
	}
	first := runVitrine(t, env, "sync")
	t.Log(first.stdout)
	check(first, 0, "source regions", "adresse   : "+srv.URL+"/regions.csv", "sha256    : ", "format    : ref_regions", "résultat  : importé", "import n° ")
	check(runVitrine(t, env, "sync"), 0, "résultat  : déjà importé, inchangé", "sans changement")
	mu.Lock()
	broken = true
	mu.Unlock()
	check(runVitrine(t, env, "sync"), 1, "réponse HTTP 502", "après 3 tentatives", "synchronisation refusée : la base n'a pas été modifiée")
	check(runVitrine(t, env, "sync", "--only", "regions"), 0, "source regions", "déjà importé, inchangé")
	mu.Lock()
	broken = false
	mu.Unlock()
	check(runVitrine(t, env, "sync", "--only", "nulle-part"), 2, "source(s) inconnue(s) : nulle-part")
	check(runVitrine(t, append(env, "SYNC_CONFIG="+filepath.Join(dir, "absent.json")), "sync"), 1, "SYNC_CONFIG")
	mu.Lock()
	files["/chomage.csv"] = append(files["/chomage.csv"], []byte("53;2024;beaucoup\n")...)
	mu.Unlock()
	check(runVitrine(t, env, "sync", "--dry-run"), 3, "beaucoup")
	check(runVitrine(t, env, "sync", "--config", filepath.Join(dir, "sync.json"), "en-trop"), 2, "argument inattendu")
}
