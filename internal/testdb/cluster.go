package testdb

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Cluster is a private PostgreSQL server started from the system's
// binaries (initdb, pg_ctl), as scripts/db.sh starts one: tests stop and
// restart it to see what an outage does. It is removed with the test.
type Cluster struct {
	Port int
	dir  string
	bin  string
	t    testing.TB
}

// StartCluster creates and starts a private cluster on a free port.
func StartCluster(t testing.TB) *Cluster {
	t.Helper()
	bin := pgBin()
	if bin == "" {
		t.Fatal("binaires PostgreSQL introuvables (initdb, pg_ctl) : apt-get install -y postgresql ; .ci/run les installe")
	}
	dir, err := os.MkdirTemp("", "vitrine-pg-")
	if err != nil {
		t.Fatal(err)
	}
	_ = os.Chmod(dir, 0o755) // the postgres user must reach it when we are root
	c := &Cluster{Port: freePort(t), dir: dir, bin: bin, t: t}
	data := c.data()
	if err := os.Mkdir(data, 0o700); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatal("l'utilisateur postgres est nécessaire pour lancer initdb en root : ", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		_ = os.Chown(data, uid, gid)
		_ = os.Chown(dir, uid, gid)
	}
	c.run("initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync")
	t.Cleanup(func() {
		_ = c.pgctl("stop", "-m", "immediate")
		_ = os.RemoveAll(dir)
	})
	c.Start()
	return c
}

func (c *Cluster) data() string { return filepath.Join(c.dir, "data") }

// URL is the connection URL of database db on the cluster (created when
// missing).
func (c *Cluster) URL(db string) string {
	c.t.Helper()
	base := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/", c.Port)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base+"postgres")
	if err != nil {
		c.t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	_ = conn.QueryRow(ctx, `SELECT count(*) FROM pg_database WHERE datname = $1`, db).Scan(&n)
	if n == 0 {
		if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{db}.Sanitize()); err != nil {
			c.t.Fatal(err)
		}
	}
	return base + db
}

// Start starts the server and waits until it accepts connections.
func (c *Cluster) Start() {
	c.t.Helper()
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off", c.Port, c.dir)
	if err := c.pgctl("start", "-w", "-t", "60", "-l", filepath.Join(c.dir, "server.log"), "-o", opts); err != nil {
		log, _ := os.ReadFile(filepath.Join(c.dir, "server.log"))
		c.t.Fatalf("pg_ctl start : %v\n%s", err, log)
	}
}

// Stop stops the server at once (fast shutdown: sessions are cut).
func (c *Cluster) Stop() {
	c.t.Helper()
	if err := c.pgctl("stop", "-w", "-m", "fast"); err != nil {
		c.t.Fatalf("pg_ctl stop : %v", err)
	}
}

// Freeze stops (SIGSTOP) the server and its backends: connections stay
// open and nothing answers, as when the database host hangs or the
// network drops packets. Thaw resumes them.
func (c *Cluster) Freeze() { c.signal("-STOP") }

// Thaw resumes a frozen server.
func (c *Cluster) Thaw() { c.signal("-CONT") }

func (c *Cluster) signal(sig string) {
	c.t.Helper()
	b, err := os.ReadFile(filepath.Join(c.data(), "postmaster.pid"))
	if err != nil {
		c.t.Fatal(err)
	}
	pid := strings.SplitN(string(b), "\n", 2)[0]
	pids := []string{pid}
	if out, err := exec.Command("pgrep", "-P", pid).Output(); err == nil {
		pids = append(pids, strings.Fields(string(out))...)
	}
	if out, err := exec.Command("kill", append([]string{sig}, pids...)...).CombinedOutput(); err != nil {
		c.t.Fatalf("kill %s : %v %s", sig, err, out)
	}
}

func (c *Cluster) pgctl(args ...string) error {
	cmd := c.cmd("pg_ctl", append([]string{"-D", c.data()}, args...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%w : %s", err, out)
	}
	return nil
}

func (c *Cluster) run(name string, args ...string) {
	c.t.Helper()
	if out, err := c.cmd(name, args...).CombinedOutput(); err != nil {
		c.t.Fatalf("%s : %v\n%s", name, err, out)
	}
}

// cmd runs a PostgreSQL binary, as the postgres user when we are root
// (initdb and postgres refuse to run as root).
func (c *Cluster) cmd(name string, args ...string) *exec.Cmd {
	path := filepath.Join(c.bin, name)
	if os.Geteuid() == 0 {
		return exec.Command("runuser", append([]string{"-u", "postgres", "--", path}, args...)...)
	}
	return exec.Command(path, args...)
}

// pgBin is the directory of the newest installed PostgreSQL binaries.
func pgBin() string {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	best, bestV := "", -1.0
	for _, d := range dirs {
		v, err := strconv.ParseFloat(filepath.Base(filepath.Dir(d)), 64) // 15, 9.6
		if _, serr := os.Stat(filepath.Join(d, "initdb")); serr == nil && err == nil && v > bestV {
			best, bestV = d, v
		}
	}
	if best == "" {
		if p, err := exec.LookPath("initdb"); err == nil {
			best = filepath.Dir(p)
		}
	}
	return best
}

func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
