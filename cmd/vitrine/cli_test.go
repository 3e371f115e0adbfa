package main

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/vitrine-inserjeunes/vitrine/internal/testdb"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// vitrineBin builds the binary once for the package's tests.
func vitrineBin(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "vitrine-cmd-test")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "vitrine")
		if out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput(); err != nil {
			binErr = errors.New("go build: " + err.Error() + "\n" + string(out))
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

// result is what a run of the binary gave.
type result struct {
	code           int
	stdout, stderr string
	maxRSS         int64 // bytes
}

// runVitrine runs the binary with args and env (added to the environment
// minus DATABASE_URL).
func runVitrine(t *testing.T, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(vitrineBin(t), args...)
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "DATABASE_URL=") {
			cmd.Env = append(cmd.Env, e)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	r := result{code: cmd.ProcessState.ExitCode(), stdout: out.String(), stderr: errb.String()}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.maxRSS = ru.Maxrss << 10 // KiB on Linux
	}
	return r
}

// TestUsageErrors: every wrong invocation of every subcommand exits 2 with
// one French message (no database needed: DATABASE_URL is unset); -h exits 0.
func TestUsageErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		want string // in stderr (stdout for code 0)
	}{
		{nil, 2, "usage : vitrine <commande>"},
		{[]string{"frobnicate"}, 2, `commande inconnue "frobnicate"`},
		{[]string{"import", "--bogus"}, 2, "erreur : option inconnue : -bogus"},
		{[]string{"import"}, 2, "erreur : aucun fichier ni dossier à importer"},
		{[]string{"import", "--source"}, 2, "erreur : valeur manquante pour l'option -source"},
		{[]string{"import", "--lock-timeout", "bientôt", "x.csv"}, 2, `erreur : valeur "bientôt" invalide pour l'option -lock-timeout`},
		{[]string{"import", "--lock-timeout=-1s", "x.csv"}, 2, "erreur : --lock-timeout : durée négative"},
		{[]string{"import", "--dry-run=peut-être", "x.csv"}, 2, `erreur : valeur "peut-être" invalide pour l'option -dry-run`},
		{[]string{"serve", "--bogus"}, 2, "erreur : option inconnue : -bogus"},
		{[]string{"serve", "en-trop"}, 2, `erreur : argument inattendu : "en-trop"`},
		{[]string{"demo", "--bogus"}, 2, "erreur : option inconnue : -bogus"},
		{[]string{"migrate", "--bogus"}, 2, "erreur : option inconnue : -bogus"},
		{[]string{"migrate", "en-trop"}, 2, `erreur : argument inattendu : "en-trop"`},
		{[]string{"reindex", "--bogus"}, 2, "erreur : option inconnue : -bogus"},
		{[]string{"formats", "--bogus"}, 2, "erreur : option inconnue : -bogus"},
		{[]string{"sync", "--bogus"}, 2, "erreur : option inconnue : -bogus"},
		{[]string{"sync", "--lock-timeout=-1s"}, 2, "erreur : --lock-timeout : durée négative"},
		{[]string{"import", "-h"}, 0, "usage : vitrine import"},
		{[]string{"serve", "--help"}, 0, "usage : vitrine serve"},
		{[]string{"help"}, 0, "usage : vitrine <commande>"},
	} {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			r := runVitrine(t, nil, c.args...)
			out := r.stderr
			if c.code == 0 {
				out = r.stdout
			}
			if r.code != c.code || !strings.Contains(out, c.want) {
				t.Errorf("exit %d, want %d; stdout:\n%s\nstderr:\n%s\nwant %q", r.code, c.code, r.stdout, r.stderr, c.want)
			}
			if (c.code == 2 && strings.Count(r.stderr, "erreur :") > 1) || strings.Contains(r.stderr, "flag provided") {
				t.Errorf("the error is said more than once, or in English:\n%s", r.stderr)
			}
		})
	}
}

// demoFile returns the decompressed lines of a bundled demo file.
func demoFile(t *testing.T, name string) []string {
	t.Helper()
	b := testdb.ReadGzip(t, filepath.Join(demoDir, name+".gz"))
	return strings.Split(strings.TrimRight(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n"), "\n")
}

func setField(line string, i int, v string) string {
	f := strings.Split(line, ";")
	f[i] = v
	return strings.Join(f, ";")
}

// TestImportReport: each rejected row is printed once (it used to be
// printed by the report and again in the error), the run is refused with
// exit 3, and with --skip-invalid it loads with exit 0; importing the same
// file again is « sans changement », and the search index stays current.
func TestImportReport(t *testing.T) {
	dbURL := "DATABASE_URL=" + testdb.URL(t, "cmd_cli")
	env := []string{dbURL, "INDEX_DIR=" + t.TempDir()}
	lp := demoFile(t, "depp_ij_etab_lycee_pro_2021_2022.csv")
	const name = "depp_ij_etab_lycee_pro_2021_2022.csv"
	path := filepath.Join(t.TempDir(), name)
	bad := []string{lp[0], lp[1], setField(lp[2], 4, "140"), lp[3], setField(lp[4], 0, "0010001X")}
	if err := os.WriteFile(path, []byte(strings.Join(bad, "\r\n")+"\r\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rejects := []string{
		name + `:3: Taux de poursuite d'études: "140": taux hors bornes (0 à 100 attendu)`,
		name + `:5: n°UAI de l'établissement: "0010001X": UAI "0010001X" invalide`,
	}
	once := func(t *testing.T, r result) {
		t.Helper()
		all := r.stdout + r.stderr
		for _, rj := range rejects {
			if n := strings.Count(all, rj); n != 1 {
				t.Errorf("reject %q printed %d times:\n%s", rj, n, all)
			}
		}
	}
	r := runVitrine(t, env, "import", path)
	if r.code != 3 || !strings.Contains(r.stderr, "erreur : 2 ligne(s) rejetée(s) : rien n'a été écrit") {
		t.Errorf("exit %d, want 3; stderr:\n%s", r.code, r.stderr)
	}
	once(t, r)
	r = runVitrine(t, env, "import", "--skip-invalid", path)
	if r.code != 0 || !strings.Contains(r.stdout, "ligne(s) modifiée(s)") {
		t.Errorf("--skip-invalid: exit %d, want 0; stdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	once(t, r)

	if r = runVitrine(t, env, "reindex"); r.code != 0 || !strings.Contains(r.stdout, "index construit") {
		t.Fatalf("reindex: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runVitrine(t, env, "import", "--skip-invalid", path)
	if r.code != 0 || !strings.Contains(r.stdout, "enregistré sans changement") || !strings.Contains(r.stdout, "déjà importé, inchangé") {
		t.Errorf("same import again: exit %d, want 0 « sans changement », the file « déjà importé, inchangé »; stdout:\n%s", r.code, r.stdout)
	}
	r = runVitrine(t, env, "import", "--skip-invalid", "--force", path)
	if r.code != 0 || !strings.Contains(r.stdout, "enregistré sans changement") || strings.Contains(r.stdout, "déjà importé") {
		t.Errorf("--force: exit %d, want 0 « sans changement », the file read again; stdout:\n%s", r.code, r.stdout)
	}
	once(t, r) // read again: its rejects are printed again
	if r = runVitrine(t, env, "reindex", "--if-outdated"); r.code != 0 || !strings.Contains(r.stdout, "index à jour") {
		t.Errorf("reindex --if-outdated after an import without change: exit %d, want « index à jour »\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = runVitrine(t, env, "import", "--dry-run", "--skip-invalid", path)
	if r.code != 0 || !strings.Contains(r.stdout, "l'import ne changerait rien") {
		t.Errorf("dry run: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestHugeLineMemory: a 300 MB line in a 306 KB .csv.gz is refused with
// the line and the limit, by a process whose peak RSS stays under 64 MiB
// (it went past 2.3 GB), and nothing is written.
func TestHugeLineMemory(t *testing.T) {
	dbURL := testdb.URL(t, "cmd_cli")
	dir := t.TempDir()
	path := filepath.Join(dir, "depp_ij_etab_lycee_pro_2021_2022.csv.gz")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := gzip.NewWriter(f)
	io.WriteString(zw, demoFile(t, "depp_ij_etab_lycee_pro_2021_2022.csv")[0]+"\r\n0010001W;")
	chunk := bytes.Repeat([]byte("x"), 1<<20)
	for i := 0; i < 300; i++ {
		zw.Write(chunk)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	before := runVitrine(t, []string{"DATABASE_URL=" + dbURL}, "migrate")
	if before.code != 0 {
		t.Fatalf("migrate: %s", before.stderr)
	}
	r := runVitrine(t, []string{"DATABASE_URL=" + dbURL}, "import", path)
	want := path + ":2: ligne trop longue : plus de 1048576 octets sans fin de ligne (au plus 1 Mio par ligne)"
	if r.code != 1 || !strings.Contains(r.stderr, want) {
		t.Errorf("exit %d, want 1; stderr:\n%s\nwant %s", r.code, r.stderr, want)
	}
	st, _ := os.Stat(path)
	t.Logf("%d KB gzipped: peak RSS %.1f MiB (migrate alone: %.1f MiB)", st.Size()/1000, float64(r.maxRSS)/(1<<20), float64(before.maxRSS)/(1<<20))
	if r.maxRSS == 0 || r.maxRSS > 64<<20 {
		t.Errorf("peak RSS %d MiB, want at most 64", r.maxRSS>>20)
	}
}

// TestServeRefusesPendingMigrations: « vitrine serve » on a database that
// is not migrated says so and exits 1, without creating anything.
func TestServeRefusesPendingMigrations(t *testing.T) {
	url := testdb.Empty(t, "cmd_serve_pending")
	r := runVitrine(t, []string{"DATABASE_URL=" + url, "INDEX_DIR=" + t.TempDir(), "ADDR=127.0.0.1:0"}, "serve")
	want := "erreur : la base n'est pas à jour : "
	if r.code != 1 || !strings.Contains(r.stderr, want) || !strings.Contains(r.stderr, " migration(s) en attente ; lancez « vitrine migrate »") {
		t.Errorf("exit %d, want 1; stderr:\n%s", r.code, r.stderr)
	}
	if r := runVitrine(t, []string{"DATABASE_URL=" + url}, "migrate"); r.code != 0 {
		t.Fatalf("migrate: exit %d\n%s", r.code, r.stderr)
	}
}

// TestGen: « vitrine gen » writes the copies and says how many rows; a bad
// factor or a missing --out is a usage error (exit 2), in French.
func TestGen(t *testing.T) {
	out := t.TempDir()
	src := filepath.Join("..", "..", "testdata", "demo", "synthetic", "ij_uai_formation_2019_2020.csv.gz")
	r := runVitrine(t, nil, "gen", "--scale", "2", "--out", out, src)
	files, _ := filepath.Glob(filepath.Join(out, "*_synthetic_x2.csv.gz"))
	if r.code != 0 || len(files) != 1 || !strings.Contains(r.stdout, "1 fichier(s), 41071 ligne(s) de démonstration écrites") {
		t.Errorf("gen --scale 2: exit %d, files %v\n%s%s", r.code, files, r.stdout, r.stderr)
	}
	for _, args := range [][]string{{"gen", "--scale", "0", "--out", out}, {"gen", "--scale", "2"}} {
		if r := runVitrine(t, nil, args...); r.code != 2 || !strings.Contains(r.stderr, "usage : vitrine gen") {
			t.Errorf("%v: exit %d, want 2 with the usage\n%s", args, r.code, r.stderr)
		}
	}
}
