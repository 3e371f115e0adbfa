package store

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// OutboxMessage is a due email of the outbox.
type OutboxMessage struct {
	ID                int64
	To, Subject, Body string
	Attempts          int // before this one
}

// OutboxResult is what a delivery attempt gave: nil error when sent.
type OutboxResult struct {
	Err error
	// Retry is when to try again after a failure; zero with GiveUp.
	Retry  time.Time
	GiveUp bool
}

// DeliverOutbox claims up to limit due messages (FOR UPDATE SKIP LOCKED:
// another node running the same loop skips them), calls send for each and
// records the outcome, all in one transaction: a message is never sent by
// two nodes at once. A crash between the delivery and the commit sends it
// again later (at least once). Messages without address (purged) are
// skipped. It returns how many were sent and how many failed.
func (s *Store) DeliverOutbox(ctx context.Context, limit int, send func(OutboxMessage) OutboxResult) (sent, failed int, err error) {
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id, destinataire, sujet, corps, tentatives FROM outbox
WHERE envoye_at IS NULL AND NOT abandonne AND destinataire <> '' AND prochain_essai <= now()
ORDER BY prochain_essai, id LIMIT $1 FOR UPDATE SKIP LOCKED`, limit)
		if err != nil {
			return err
		}
		msgs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (OutboxMessage, error) {
			var m OutboxMessage
			return m, r.Scan(&m.ID, &m.To, &m.Subject, &m.Body, &m.Attempts)
		})
		if err != nil {
			return err
		}
		for _, m := range msgs {
			res := send(m)
			if res.Err == nil {
				sent++
				_, err = tx.Exec(ctx, `UPDATE outbox SET envoye_at = now(), tentatives = tentatives + 1, derniere_erreur = '' WHERE id = $1`, m.ID)
			} else {
				failed++
				msg := res.Err.Error()
				if len(msg) > 1000 {
					msg = strings.ToValidUTF8(msg[:1000], "")
				}
				_, err = tx.Exec(ctx, `UPDATE outbox SET tentatives = tentatives + 1, derniere_erreur = $2, abandonne = $3,
  prochain_essai = CASE WHEN $3 THEN prochain_essai ELSE $4 END WHERE id = $1`, m.ID, msg, res.GiveUp, res.Retry)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	return sent, failed, err
}

// OutboxPending counts the messages not sent nor abandoned (a log line
// when mail is off).
func (s *Store) OutboxPending(ctx context.Context) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM outbox WHERE envoye_at IS NULL AND NOT abandonne`).Scan(&n)
	return n, err
}
