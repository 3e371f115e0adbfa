package mailer

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vitrine-inserjeunes/vitrine/internal/config"
	"github.com/vitrine-inserjeunes/vitrine/internal/smtpsink"
	"github.com/vitrine-inserjeunes/vitrine/internal/store"
	"github.com/vitrine-inserjeunes/vitrine/internal/testdb"
)

func newStore(t *testing.T) *store.Store {
	t.Helper()
	pool := testdb.Pool(t, "mailer")
	if _, err := pool.Exec(context.Background(), `TRUNCATE outbox`); err != nil {
		t.Fatal(err)
	}
	return store.New(pool)
}

// TestSenderDeliversAndRetries: a message reaches the SMTP server and is
// marked sent; while the server refuses, the message is retried later
// with a growing delay, then delivered once the server accepts again;
// after MaxAttempts failures it is abandoned.
func TestSenderDeliversAndRetries(t *testing.T) {
	ctx := context.Background()
	sink := smtpsink.Start(t)
	st := newStore(t)
	pool := st.Pool()
	s, err := New(st, slog.New(slog.DiscardHandler), config.Mail{SMTPURL: "smtp://" + sink.Addr, From: "Vitrine <ne-pas-repondre@exemple.fr>", MaxAttempts: 3})
	if err != nil {
		t.Fatal(err)
	}
	var id int64
	if err := pool.QueryRow(ctx, `INSERT INTO outbox (destinataire, sujet, corps) VALUES ('a@exemple.fr', 'Signalement reçu', 'Suivi : https://vitrine.example/signalements/SIG-2026-ABCDEF') RETURNING id`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	sent, failed, err := s.Round(ctx)
	if err != nil || sent != 1 || failed != 0 {
		t.Fatalf("round: sent %d failed %d err %v", sent, failed, err)
	}
	got := sink.Received()
	if len(got) != 1 || len(got[0].To) != 1 || got[0].To[0] != "a@exemple.fr" || got[0].From != "ne-pas-repondre@exemple.fr" ||
		!strings.Contains(got[0].Data, "https://vitrine.example/signalements/SIG-2026-ABCDEF") {
		t.Fatalf("received %+v", got)
	}
	var sentAt *time.Time
	if err := pool.QueryRow(ctx, `SELECT envoye_at FROM outbox WHERE id = $1`, id).Scan(&sentAt); err != nil || sentAt == nil {
		t.Fatalf("envoye_at %v %v", sentAt, err)
	}
	if n, _, _ := s.Round(ctx); n != 0 {
		t.Errorf("sent again: %d", n)
	}

	// The server refuses: retried later, the error kept.
	sink.SetFailing(true)
	if err := pool.QueryRow(ctx, `INSERT INTO outbox (destinataire, sujet, corps) VALUES ('b@exemple.fr', 's', 'c') RETURNING id`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if sent, failed, err := s.Round(ctx); err != nil || sent != 0 || failed != 1 {
		t.Fatalf("failing round: sent %d failed %d err %v", sent, failed, err)
	}
	var tries int
	var next time.Time
	var lastErr string
	var abandoned bool
	row := func() {
		t.Helper()
		if err := pool.QueryRow(ctx, `SELECT tentatives, prochain_essai, derniere_erreur, abandonne FROM outbox WHERE id = $1`, id).
			Scan(&tries, &next, &lastErr, &abandoned); err != nil {
			t.Fatal(err)
		}
	}
	row()
	if tries != 1 || time.Until(next) < 50*time.Second || !strings.Contains(lastErr, "451") || abandoned {
		t.Fatalf("after a failure: tentatives %d, prochain_essai in %s, erreur %q, abandonne %v", tries, time.Until(next), lastErr, abandoned)
	}
	if sent, failed, _ := s.Round(ctx); sent+failed != 0 {
		t.Fatalf("not due yet, but tried: %d %d", sent, failed)
	}
	// Due again and the server accepts: delivered.
	sink.SetFailing(false)
	if _, err := pool.Exec(ctx, `UPDATE outbox SET prochain_essai = now() WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	if sent, _, err := s.Round(ctx); sent != 1 || err != nil {
		t.Fatalf("retry: sent %d err %v", sent, err)
	}
	if len(sink.Received()) != 2 {
		t.Fatalf("%d messages", len(sink.Received()))
	}

	// Always refused: abandoned after MaxAttempts.
	sink.SetFailing(true)
	if err := pool.QueryRow(ctx, `INSERT INTO outbox (destinataire, sujet, corps) VALUES ('c@exemple.fr', 's', 'c') RETURNING id`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if _, err := pool.Exec(ctx, `UPDATE outbox SET prochain_essai = now() WHERE id = $1`, id); err != nil {
			t.Fatal(err)
		}
		if _, failed, err := s.Round(ctx); failed != 1 || err != nil {
			t.Fatalf("attempt %d: failed %d err %v", i+1, failed, err)
		}
	}
	row()
	if tries != 3 || !abandoned {
		t.Fatalf("tentatives %d abandonne %v", tries, abandoned)
	}
}

// TestSenderTwoNodes: two senders on one outbox deliver each message
// exactly once (FOR UPDATE SKIP LOCKED).
func TestSenderTwoNodes(t *testing.T) {
	ctx := context.Background()
	sink := smtpsink.Start(t)
	st := newStore(t)
	const n = 30
	for i := 0; i < n; i++ {
		if _, err := st.Pool().Exec(ctx, `INSERT INTO outbox (destinataire, sujet, corps) VALUES ($1, 's', 'c')`, fmt.Sprintf("n%d@exemple.fr", i)); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for range 2 {
		s, err := New(st, slog.New(slog.DiscardHandler), config.Mail{SMTPURL: "smtp://" + sink.Addr, From: "v@exemple.fr"})
		if err != nil {
			t.Fatal(err)
		}
		s.Batch = 3
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, err := s.Round(ctx)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]int{}
	for _, m := range sink.Received() {
		seen[m.To[0]]++
	}
	if len(seen) != n {
		t.Fatalf("%d distinct recipients, want %d", len(seen), n)
	}
	for to, k := range seen {
		if k != 1 {
			t.Errorf("%s received %d times", to, k)
		}
	}
}

func TestBackoff(t *testing.T) {
	s := &Sender{BaseDelay: time.Minute, MaxDelay: time.Hour}
	for n, want := range map[int]time.Duration{1: time.Minute, 2: 2 * time.Minute, 4: 8 * time.Minute, 7: time.Hour, 40: time.Hour} {
		if got := s.Backoff(n); got != want {
			t.Errorf("Backoff(%d) = %s, want %s", n, got, want)
		}
	}
}

// TestMailOff: without SMTP_URL, Run returns at once and the message
// stays in the outbox.
func TestMailOff(t *testing.T) {
	st := newStore(t)
	if _, err := st.Pool().Exec(context.Background(), `INSERT INTO outbox (destinataire, sujet, corps) VALUES ('x@exemple.fr', 's', 'c')`); err != nil {
		t.Fatal(err)
	}
	s, err := New(st, slog.New(slog.DiscardHandler), config.Mail{})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { s.Run(context.Background()); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return with mail off")
	}
	if n, err := st.OutboxPending(context.Background()); n != 1 || err != nil {
		t.Fatalf("pending %d %v", n, err)
	}
}
