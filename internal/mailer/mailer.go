// Package mailer delivers the email outbox over SMTP: a background loop,
// run by every node, claims due messages (FOR UPDATE SKIP LOCKED, see
// store.DeliverOutbox), sends them with github.com/wneessen/go-mail and
// retries failures with exponential backoff until it gives up. Without
// SMTP_URL the loop sends nothing: messages stay in the outbox.
package mailer

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"time"

	mail "github.com/wneessen/go-mail"

	"github.com/vitrine-inserjeunes/vitrine/internal/config"
	"github.com/vitrine-inserjeunes/vitrine/internal/store"
)

// Sender delivers the outbox of one database.
type Sender struct {
	st  *store.Store
	log *slog.Logger
	cfg config.Mail
	srv config.SMTPServer
	// Every is the pause between two rounds (default 5 s); Batch the
	// messages claimed per round (default 20).
	Every time.Duration
	Batch int
	// BaseDelay is the first retry delay (default 1 min), doubled at each
	// attempt up to MaxDelay (default 6 h).
	BaseDelay, MaxDelay time.Duration
	// Timeout bounds one SMTP conversation (default 30 s).
	Timeout time.Duration
	// TLSConfig overrides the TLS settings (tests).
	TLSConfig *tls.Config
}

// New returns the sender of cfg; Enabled says whether it sends at all.
func New(st *store.Store, log *slog.Logger, cfg config.Mail) (*Sender, error) {
	s := &Sender{st: st, log: log, cfg: cfg, Every: 5 * time.Second, Batch: 20, BaseDelay: time.Minute, MaxDelay: 6 * time.Hour,
		Timeout: 30 * time.Second}
	if s.cfg.MaxAttempts <= 0 {
		s.cfg.MaxAttempts = config.DefaultMail().MaxAttempts
	}
	if cfg.SMTPURL != "" {
		srv, err := config.ParseSMTPURL(cfg.SMTPURL)
		if err != nil {
			return nil, err
		}
		s.srv = srv
	}
	return s, nil
}

// Enabled reports whether SMTP_URL is set.
func (s *Sender) Enabled() bool { return s.cfg.SMTPURL != "" }

// Run delivers the outbox until ctx ends. With mail off it says so once
// (with the number of messages waiting) and returns.
func (s *Sender) Run(ctx context.Context) {
	if !s.Enabled() {
		n, err := s.st.OutboxPending(ctx)
		s.log.Info("envoi des courriels désactivé (SMTP_URL absent) : les messages restent dans la boîte d'envoi", "en_attente", n, "err", err)
		return
	}
	s.log.Info("envoi des courriels actif", "hote", s.srv.Host, "port", s.srv.Port)
	t := time.NewTicker(s.Every)
	defer t.Stop()
	for {
		if _, _, err := s.Round(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("boîte d'envoi", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Round delivers the messages due now, batch after batch, until none is
// left or a batch sends nothing: how many were sent and failed.
func (s *Sender) Round(ctx context.Context) (sent, failed int, err error) {
	for ctx.Err() == nil {
		n, f, err := s.st.DeliverOutbox(ctx, s.Batch, func(m store.OutboxMessage) store.OutboxResult {
			return s.attempt(ctx, m)
		})
		sent, failed = sent+n, failed+f
		if err != nil || n+f < s.Batch {
			return sent, failed, err
		}
	}
	return sent, failed, ctx.Err()
}

// attempt sends m once and decides what follows a failure.
func (s *Sender) attempt(ctx context.Context, m store.OutboxMessage) store.OutboxResult {
	err := s.send(ctx, m)
	if err == nil {
		s.log.Info("courriel envoyé", "outbox_id", m.ID, "tentative", m.Attempts+1)
		return store.OutboxResult{}
	}
	attempts := m.Attempts + 1
	if attempts >= s.cfg.MaxAttempts {
		s.log.Error("courriel abandonné", "outbox_id", m.ID, "tentatives", attempts, "err", err)
		return store.OutboxResult{Err: err, GiveUp: true}
	}
	d := s.Backoff(attempts)
	s.log.Warn("courriel non envoyé, nouvel essai plus tard", "outbox_id", m.ID, "tentative", attempts, "dans", d.String(), "err", err)
	return store.OutboxResult{Err: err, Retry: time.Now().Add(d)}
}

// Backoff is the delay after the n-th failed attempt: BaseDelay × 2^(n-1),
// at most MaxDelay.
func (s *Sender) Backoff(n int) time.Duration {
	d := s.BaseDelay
	for i := 1; i < n && d < s.MaxDelay; i++ {
		d *= 2
	}
	return min(d, s.MaxDelay)
}

func (s *Sender) send(ctx context.Context, m store.OutboxMessage) error {
	msg := mail.NewMsg()
	if err := msg.From(s.cfg.From); err != nil {
		return fmt.Errorf("MAIL_FROM : %w", err)
	}
	if err := msg.To(m.To); err != nil {
		return fmt.Errorf("destinataire : %w", err)
	}
	msg.Subject(m.Subject)
	msg.SetDate()
	msg.SetMessageID()
	msg.SetGenHeader(mail.Header("Auto-Submitted"), "auto-generated")
	msg.SetBodyString(mail.TypeTextPlain, m.Body)
	opts := []mail.Option{mail.WithPort(s.srv.Port), mail.WithTimeout(s.Timeout), mail.WithTLSPolicy(mail.TLSOpportunistic)}
	if s.srv.TLS {
		opts = append(opts, mail.WithSSL())
	}
	if s.TLSConfig != nil {
		opts = append(opts, mail.WithTLSConfig(s.TLSConfig))
	}
	if s.srv.User != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(s.srv.User), mail.WithPassword(s.srv.Password))
	}
	c, err := mail.NewClient(s.srv.Host, opts...)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, s.Timeout)
	defer cancel()
	return c.DialAndSendWithContext(ctx, msg)
}
