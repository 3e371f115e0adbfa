package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/vitrine-inserjeunes/vitrine/internal/smtpsink"
	"github.com/vitrine-inserjeunes/vitrine/internal/testdb"
)

// startNode runs `vitrine serve` on addr with env; it is killed at the end
// of the test.
func startNode(t *testing.T, addr string, env []string) string {
	t.Helper()
	cmd := exec.Command(vitrineBin(t), "serve")
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "DATABASE_URL=") {
			cmd.Env = append(cmd.Env, e)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	cmd.Env = append(cmd.Env, "ADDR="+addr, "INDEX_DIR="+t.TempDir(), "ACCESS_LOG=false")
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("logs of %s:\n%s", addr, logs.String())
		}
	})
	base := "http://" + addr
	deadline := time.Now().Add(60 * time.Second)
	for {
		r, err := http.Get(base + "/healthz")
		if err == nil {
			r.Body.Close()
			if r.StatusCode == http.StatusOK {
				return base
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not start: %v\n%s", addr, err, logs.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

var csrfInput = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// TestSignalerTwoNodes runs two `vitrine serve` processes on one
// database: the CSRF token of one is accepted by the other (shared
// CSRF_SECRET), the POST rate limit is shared (the 6th submission from one
// address, on the other node, is a 429 that keeps the input and says when
// to retry), and the acknowledgment emails reach a real SMTP server once
// each, with the tracking link built from BASE_URL, though both nodes
// run the sender.
func TestSignalerTwoNodes(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts two servers")
	}
	url := testdb.URL(t, "cmd_signaler")
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	// Some data: a server over an empty database does not start (the
	// empty search index build fails).
	var files []string
	for _, f := range []string{"ref_regions.csv.gz", "ref_departements_academies_regions.csv.gz", "bcn_n_niveau_formation_diplome.csv.gz",
		"bcn_n_formation_diplome.csv.gz", "bcn_n_mef.csv.gz", "depp_ij_etab_lycee_pro_2021_2022.csv.gz"} {
		files = append(files, "../../testdata/demo/"+f)
	}
	if r := runVitrine(t, []string{"DATABASE_URL=" + url}, append([]string{"import"}, files...)...); r.code != 0 {
		t.Fatalf("import: %d\n%s", r.code, r.stderr)
	}
	sink := smtpsink.Start(t)
	env := []string{"DATABASE_URL=" + url, "CSRF_SECRET=" + strings.Repeat("partage-", 5), "POST_RATE_LIMIT=5", "POST_RATE_WINDOW=1h",
		"SMTP_URL=smtp://" + sink.Addr, "MAIL_FROM=Vitrine InserJeunes <ne-pas-repondre@vitrine.exemple.fr>", "BASE_URL=https://vitrine.exemple.fr"}
	a := startNode(t, "127.0.0.1:19101", env)
	b := startNode(t, "127.0.0.1:19102", env)

	client := &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	r, err := client.Get(a + "/signaler?uai=0010001W")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(r.Body)
	r.Body.Close()
	m := csrfInput.FindSubmatch(page)
	var cookie string
	for _, c := range r.Cookies() {
		if c.Name == "vitrine_csrf" {
			cookie = c.Value
		}
	}
	if m == nil || cookie == "" {
		t.Fatalf("no CSRF token from node A (%d)", r.StatusCode)
	}
	post := func(base string, i int) (*http.Response, string) {
		var body bytes.Buffer
		w := multipart.NewWriter(&body)
		for k, v := range map[string]string{"_csrf": string(m[1]), "uai": "0010001W", "categorie": "chiffre_errone",
			"message": fmt.Sprintf("Signalement numéro %d", i), "email": fmt.Sprintf("visiteur%d@exemple.fr", i)} {
			_ = w.WriteField(k, v)
		}
		_ = w.Close()
		req, _ := http.NewRequest(http.MethodPost, base+"/signaler", &body)
		req.Header.Set("Content-Type", w.FormDataContentType())
		req.AddCookie(&http.Cookie{Name: "vitrine_csrf", Value: cookie})
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		out, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, string(out)
	}
	var numeros []string
	for i := 1; i <= 5; i++ {
		node := a
		if i%2 == 0 {
			node = b
		}
		resp, out := post(node, i)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("submission %d on %s: %d\n%s", i, node, resp.StatusCode, out)
		}
		numeros = append(numeros, strings.TrimPrefix(resp.Header.Get("Location"), "/signalements/"))
	}
	resp, out := post(b, 6)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" ||
		!strings.Contains(out, "Trop de signalements") || !strings.Contains(out, "Signalement numéro 6") || !strings.Contains(out, "visiteur6@exemple.fr") {
		t.Fatalf("6th submission on node B: %d Retry-After %q\n%s", resp.StatusCode, resp.Header.Get("Retry-After"), out)
	}
	var stored int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM signalements`).Scan(&stored); err != nil || stored != 5 {
		t.Fatalf("%d stored (%v)", stored, err)
	}

	// The emails: each once, with its tracking link.
	deadline := time.Now().Add(45 * time.Second)
	for len(sink.Received()) < 5 && time.Now().Before(deadline) {
		time.Sleep(250 * time.Millisecond)
	}
	time.Sleep(6 * time.Second) // a second sender round, to catch a duplicate
	got := sink.Received()
	if len(got) != 5 {
		t.Fatalf("%d emails received, want 5", len(got))
	}
	seen := map[string]bool{}
	for _, msg := range got {
		seen[msg.To[0]] = true
		found := false
		for _, n := range numeros {
			if strings.Contains(msg.Data, "https://vitrine.exemple.fr/signalements/"+n) {
				found = true
			}
		}
		if !found {
			t.Errorf("email to %v without its tracking link:\n%s", msg.To, msg.Data)
		}
	}
	if len(seen) != 5 {
		t.Errorf("recipients %v", seen)
	}
	var sent int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE envoye_at IS NOT NULL AND tentatives = 1`).Scan(&sent); err != nil || sent != 5 {
		t.Errorf("outbox: %d sent once (%v)", sent, err)
	}
}

// TestPurge: `vitrine purge` erases the personal data of requests closed
// more than RETENTION_MONTHS ago (name, email, role, attachment, email
// addresses), sets purged_at, appends a purge event, logs what it did; a
// second run changes nothing. Open and recently closed requests keep
// theirs.
func TestPurge(t *testing.T) {
	url := testdb.URL(t, "cmd_purge")
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	ins := func(numero, statut string, closedAgo string) int64 {
		var id int64
		q := `INSERT INTO signalements (numero, categorie, message, statut, nom, email, role, contact_ok, closed_at)
VALUES ($1, 'autre', 'message gardé', $2, 'Camille', 'c@exemple.fr', 'cfa', true, CASE WHEN $3 = '' THEN NULL ELSE now() - $3::interval END) RETURNING id`
		if err := conn.QueryRow(ctx, q, numero, statut, closedAgo).Scan(&id); err != nil {
			t.Fatal(err)
		}
		if _, err := conn.Exec(ctx, `INSERT INTO signalement_pieces VALUES ($1, 'p.pdf', 'application/pdf', 4, '\x25504446')`, id); err != nil {
			t.Fatal(err)
		}
		if _, err := conn.Exec(ctx, `INSERT INTO outbox (signalement_id, destinataire, sujet, corps, envoye_at) VALUES ($1, 'c@exemple.fr', 's', 'corps', now()), ($1, 'c@exemple.fr', 's', 'corps', NULL)`, id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	old := ins("SIG-2025-AAAAAA", "corrige", "13 months")
	recent := ins("SIG-2026-BBBBBB", "rejete", "2 months")
	open := ins("SIG-2024-CCCCCC", "en_cours", "")
	env := []string{"DATABASE_URL=" + url, "RETENTION_MONTHS=12"}
	for run := 1; run <= 2; run++ {
		r := runVitrine(t, env, "purge")
		want := map[int]string{1: "signalements_purges=1", 2: "signalements_purges=0"}[run]
		if r.code != 0 || !strings.Contains(r.stderr, want) || !strings.Contains(r.stderr, "conservation_mois=12") {
			t.Fatalf("run %d: exit %d\n%s", run, r.code, r.stderr)
		}
		var nom, email, role, message string
		var contact, purged bool
		var pieces, addrs, unsent, purges int
		if err := conn.QueryRow(ctx, `SELECT nom, email, role, contact_ok, purged_at IS NOT NULL, message,
  (SELECT count(*) FROM signalement_pieces WHERE signalement_id = s.id),
  (SELECT count(*) FROM outbox WHERE signalement_id = s.id AND destinataire <> ''),
  (SELECT count(*) FROM outbox WHERE signalement_id = s.id AND envoye_at IS NULL AND NOT abandonne),
  (SELECT count(*) FROM signalement_evenements WHERE signalement_id = s.id AND nature = 'purge')
FROM signalements s WHERE id = $1`, old).Scan(&nom, &email, &role, &contact, &purged, &message, &pieces, &addrs, &unsent, &purges); err != nil {
			t.Fatal(err)
		}
		if nom != "" || email != "" || role != "" || contact || !purged || message != "message gardé" || pieces != 0 || addrs != 0 || unsent != 0 || purges != 1 {
			t.Errorf("run %d, old request: %q %q %q %v purged %v %q pieces %d addresses %d unsent %d purge events %d",
				run, nom, email, role, contact, purged, message, pieces, addrs, unsent, purges)
		}
		for _, id := range []int64{recent, open} {
			var n int
			if err := conn.QueryRow(ctx, `SELECT count(*) FROM signalements s WHERE id = $1 AND email = 'c@exemple.fr' AND purged_at IS NULL
  AND EXISTS (SELECT 1 FROM signalement_pieces WHERE signalement_id = s.id)`, id).Scan(&n); err != nil || n != 1 {
				t.Errorf("run %d: request %d lost its data (%v)", run, id, err)
			}
		}
	}
	if r := runVitrine(t, []string{"DATABASE_URL=" + url}, "purge", "--mois", "0"); r.code != 0 {
		t.Errorf("--mois 0 means the default: exit %d %s", r.code, r.stderr)
	}
	if r := runVitrine(t, []string{"DATABASE_URL=" + url}, "purge", "--mois", "500"); r.code != 2 {
		t.Errorf("--mois 500: exit %d", r.code)
	}
}
