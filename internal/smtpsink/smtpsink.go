// Package smtpsink is a real SMTP server (github.com/emersion/go-smtp) on
// loopback for the tests: it keeps what it receives and, while Failing,
// refuses every message with a temporary error (451).
package smtpsink

import (
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Sink is a running SMTP server.
type Sink struct {
	Addr string // host:port

	mu      sync.Mutex
	msgs    []Message
	failing bool
}

// Message is one message received.
type Message struct {
	From string
	To   []string
	Data string
}

// Start serves a sink on 127.0.0.1 until the test ends.
func Start(t testing.TB) *Sink {
	t.Helper()
	sink := &Sink{}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{sink: sink}, nil }))
	srv.Domain = "localhost"
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sink.Addr = ln.Addr().String()
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return sink
}

// Received is a copy of the messages received so far.
func (s *Sink) Received() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// SetFailing makes the server refuse (or accept again) every message.
func (s *Sink) SetFailing(b bool) {
	s.mu.Lock()
	s.failing = b
	s.mu.Unlock()
}

type session struct {
	sink *Sink
	cur  Message
}

func (s *session) Reset()        { s.cur = Message{} }
func (s *session) Logout() error { return nil }

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.sink.mu.Lock()
	defer s.sink.mu.Unlock()
	if s.sink.failing {
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "indisponible pour le test"}
	}
	s.cur.From = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.cur.To = append(s.cur.To, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.Data = string(b)
	s.sink.mu.Lock()
	s.sink.msgs = append(s.sink.msgs, s.cur)
	s.sink.mu.Unlock()
	return nil
}
