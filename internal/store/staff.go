package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// Staff accounts and sessions of the back-office (migration 00013).

// ErrStaffExists is returned when an account already has that email.
var ErrStaffExists = errors.New("un compte existe déjà avec cette adresse")

// StaffCredentials is what a login checks: the account, its password hash,
// its TOTP state and its failure counters.
type StaffCredentials struct {
	model.StaffMember
	PasswordHash string
	TOTPSecret   string
	TOTPLastStep int64
	Failed       int
}

const staffCols = `id, email, role, academies, totp_enrolled, disabled, locked_until, created_at`

func scanStaff(row pgx.Row, extra ...any) (model.StaffMember, error) {
	var m model.StaffMember
	err := row.Scan(append([]any{&m.ID, &m.Email, &m.Role, &m.Academies, &m.TOTPEnrolled, &m.Disabled, &m.LockedUntil, &m.CreatedAt}, extra...)...)
	return m, err
}

// CreateStaff adds an account (email, role and académies already checked
// by model.NormalizeStaff; hash an argon2id string).
func (s *Store) CreateStaff(ctx context.Context, email, role string, academies []string, hash string) (int64, error) {
	var id int64
	err := s.pool.QueryRow(ctx, `INSERT INTO staff (email, role, academies, password_hash) VALUES ($1, $2, $3, $4) RETURNING id`,
		email, role, academies, hash).Scan(&id)
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" {
		return 0, ErrStaffExists
	}
	return id, err
}

// StaffList lists every account, by email.
func (s *Store) StaffList(ctx context.Context) ([]model.StaffMember, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+staffCols+` FROM staff ORDER BY lower(email)`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []model.StaffMember
	for rows.Next() {
		m, err := scanStaff(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// StaffByID returns one account, or model.ErrNotFound.
func (s *Store) StaffByID(ctx context.Context, id int64) (model.StaffMember, error) {
	m, err := scanStaff(s.pool.QueryRow(ctx, `SELECT `+staffCols+` FROM staff WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return m, model.ErrNotFound
	}
	return m, err
}

// StaffCredentialsByEmail returns what a login checks, or
// model.ErrNotFound.
func (s *Store) StaffCredentialsByEmail(ctx context.Context, email string) (StaffCredentials, error) {
	var c StaffCredentials
	m, err := scanStaff(s.pool.QueryRow(ctx, `SELECT `+staffCols+`, password_hash, totp_secret, totp_last_step, failed_attempts
		FROM staff WHERE lower(email) = lower($1)`, email), &c.PasswordHash, &c.TOTPSecret, &c.TOTPLastStep, &c.Failed)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, model.ErrNotFound
	}
	c.StaffMember = m
	return c, err
}

// StaffCredentialsByID is StaffCredentialsByEmail by id.
func (s *Store) StaffCredentialsByID(ctx context.Context, id int64) (StaffCredentials, error) {
	var c StaffCredentials
	m, err := scanStaff(s.pool.QueryRow(ctx, `SELECT `+staffCols+`, password_hash, totp_secret, totp_last_step, failed_attempts
		FROM staff WHERE id = $1`, id), &c.PasswordHash, &c.TOTPSecret, &c.TOTPLastStep, &c.Failed)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, model.ErrNotFound
	}
	c.StaffMember = m
	return c, err
}

// StaffLoginFailed counts a failed attempt (password or code) of account
// id; the max-th locks it for lockout and starts the count again. It
// returns whether the account is now locked.
func (s *Store) StaffLoginFailed(ctx context.Context, id int64, max int, lockout time.Duration) (bool, error) {
	var locked bool
	err := s.pool.QueryRow(ctx, `UPDATE staff SET
			locked_until = CASE WHEN failed_attempts + 1 >= $2 THEN now() + $3::interval ELSE locked_until END,
			failed_attempts = CASE WHEN failed_attempts + 1 >= $2 THEN 0 ELSE failed_attempts + 1 END
		WHERE id = $1 RETURNING locked_until IS NOT NULL AND locked_until > now()`,
		id, max, fmt.Sprintf("%d milliseconds", lockout.Milliseconds())).Scan(&locked)
	return locked, err
}

// StaffLoginSucceeded clears the failure counter of id.
func (s *Store) StaffLoginSucceeded(ctx context.Context, id int64) error {
	_, err := s.pool.Exec(ctx, `UPDATE staff SET failed_attempts = 0, locked_until = NULL WHERE id = $1`, id)
	return err
}

// SetStaffTOTPSecret stores the secret drawn at the first login (only
// while the account is not enrolled).
func (s *Store) SetStaffTOTPSecret(ctx context.Context, id int64, secret string) error {
	_, err := s.pool.Exec(ctx, `UPDATE staff SET totp_secret = $2 WHERE id = $1 AND NOT totp_enrolled`, id, secret)
	return err
}

// UseStaffTOTPStep records that the code of time step was accepted for id,
// and enrols the account: false when that step (or a later one) was
// already used — a code is good once.
func (s *Store) UseStaffTOTPStep(ctx context.Context, id, step int64) (bool, error) {
	tag, err := s.pool.Exec(ctx, `UPDATE staff SET totp_last_step = $2, totp_enrolled = true WHERE id = $1 AND totp_last_step < $2`, id, step)
	return tag.RowsAffected() == 1, err
}

// ResetStaffTOTP forgets the second factor of id (lost phone): the next
// login enrols a new one. Its sessions end.
func (s *Store) ResetStaffTOTP(ctx context.Context, id int64) error {
	return s.staffUpdate(ctx, id, `UPDATE staff SET totp_secret = '', totp_enrolled = false, totp_last_step = 0 WHERE id = $1`)
}

// SetStaffDisabled disables (or enables) id; disabling ends its sessions.
func (s *Store) SetStaffDisabled(ctx context.Context, id int64, disabled bool) error {
	q := `UPDATE staff SET disabled = false WHERE id = $1`
	if disabled {
		q = `UPDATE staff SET disabled = true WHERE id = $1`
	}
	return s.staffUpdate(ctx, id, q)
}

// SetStaffPassword replaces the password hash of id and ends its sessions.
func (s *Store) SetStaffPassword(ctx context.Context, id int64, hash string) error {
	return s.staffUpdate(ctx, id, `UPDATE staff SET password_hash = $2 WHERE id = $1`, hash)
}

func (s *Store) staffUpdate(ctx context.Context, id int64, q string, args ...any) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	tag, err := tx.Exec(ctx, q, append([]any{id}, args...)...)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return model.ErrNotFound
	}
	if _, err := tx.Exec(ctx, `DELETE FROM staff_sessions WHERE staff_id = $1`, id); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// Session stages.
const (
	SessionPassword = "mot_de_passe" // password checked, code awaited: no access
	SessionComplete = "complete"
)

// StaffSession is a session row with its account.
type StaffSession struct {
	Staff     model.StaffMember
	Etape     string
	CreatedAt time.Time
	LastSeen  time.Time
	ExpiresAt time.Time
	CSRF      string
}

// CreateStaffSession stores a session (idHash: SHA-256 of the cookie
// value). replace, when set, is the hash of the session it follows (the
// password step): it is deleted in the same transaction.
func (s *Store) CreateStaffSession(ctx context.Context, idHash []byte, staffID int64, etape, csrf string, expires time.Time, replace []byte) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if replace != nil {
		if _, err := tx.Exec(ctx, `DELETE FROM staff_sessions WHERE id_hash = $1`, replace); err != nil {
			return err
		}
	}
	if _, err := tx.Exec(ctx, `DELETE FROM staff_sessions WHERE expires_at < now()`); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO staff_sessions (id_hash, staff_id, etape, csrf_token, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		idHash, staffID, etape, csrf, expires); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// StaffSessionByHash returns a session of an enabled account still within
// its absolute expiry, or model.ErrNotFound. The caller checks idle time.
func (s *Store) StaffSessionByHash(ctx context.Context, idHash []byte) (StaffSession, error) {
	var ss StaffSession
	m, err := scanStaff(s.pool.QueryRow(ctx, `SELECT `+prefixed("st.", staffCols)+`, se.etape, se.created_at, se.last_seen, se.expires_at, se.csrf_token
		FROM staff_sessions se JOIN staff st ON st.id = se.staff_id
		WHERE se.id_hash = $1 AND se.expires_at > now() AND NOT st.disabled`, idHash),
		&ss.Etape, &ss.CreatedAt, &ss.LastSeen, &ss.ExpiresAt, &ss.CSRF)
	if errors.Is(err, pgx.ErrNoRows) {
		return ss, model.ErrNotFound
	}
	ss.Staff = m
	return ss, err
}

// TouchStaffSession records activity on a session.
func (s *Store) TouchStaffSession(ctx context.Context, idHash []byte) error {
	_, err := s.pool.Exec(ctx, `UPDATE staff_sessions SET last_seen = now() WHERE id_hash = $1`, idHash)
	return err
}

// DeleteStaffSession ends a session (logout, expiry).
func (s *Store) DeleteStaffSession(ctx context.Context, idHash []byte) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM staff_sessions WHERE id_hash = $1`, idHash)
	return err
}
