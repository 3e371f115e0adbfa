package store

import (
	"context"
	"errors"
	"io"
	"net"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Option tunes the pool opened by Open.
type Option func(*pgxpool.Config)

// WithStatementTimeout sets PostgreSQL's statement_timeout on every
// connection of the pool: no query of a request runs longer than d.
func WithStatementTimeout(d time.Duration) Option {
	return func(c *pgxpool.Config) {
		if d > 0 {
			c.ConnConfig.RuntimeParams["statement_timeout"] = strconv.FormatInt(d.Milliseconds(), 10)
		}
	}
}

// WithConnectTimeout bounds the opening of a connection, so that an
// unreachable server fails requests fast instead of holding them.
func WithConnectTimeout(d time.Duration) Option {
	return func(c *pgxpool.Config) {
		if d > 0 && (c.ConnConfig.ConnectTimeout == 0 || c.ConnConfig.ConnectTimeout > d) {
			c.ConnConfig.ConnectTimeout = d
		}
	}
}

// IsUnavailable reports whether err means the database cannot answer now
// (server down or restarting, connection lost, query or request timed
// out, too many connections) rather than a bug: the site answers 503 and
// retries later.
func IsUnavailable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, net.ErrClosed) {
		return true
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return true
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		if len(pe.Code) < 2 {
			return false
		}
		switch pe.Code[:2] {
		case "08", "57", "53": // connection exception, operator intervention (shutdown, cancel, timeout), insufficient resources
			return true
		}
		return false
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	return pgconn.SafeToRetry(err) || pgconn.Timeout(err)
}
