// Package config reads the environment into one validated struct.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config is the whole configuration of the binary.
type Config struct {
	DatabaseURL string // DATABASE_URL
	Addr        string // ADDR, default ":8080"
	DemoDir     string // DEMO_DIR, default "testdata/demo"
	IndexDir    string // INDEX_DIR, default "var/index"
	// ImportLockTimeout bounds how long an import waits for another one
	// to finish (0: no limit).
	ImportLockTimeout time.Duration // IMPORT_LOCK_TIMEOUT, default 10m
	// SyncConfig is the file of the portal exports vitrine sync downloads
	// (SYNC_CONFIG; "": the committed configs/sync.json, embedded).
	SyncConfig string
	Server     Server
	Mail       Mail
}

// Mail is the outgoing email of the correction requests (signalements).
type Mail struct {
	// SMTPURL is smtp://[user:pass@]host[:port] (STARTTLS when offered) or
	// smtps://… (TLS from the start) (SMTP_URL); empty: mail is off and
	// messages stay in the outbox.
	SMTPURL string
	// From is the sender address (MAIL_FROM), required with SMTP_URL.
	From string
	// MaxAttempts is how many times a message is tried before it is
	// abandoned (MAIL_MAX_ATTEMPTS).
	MaxAttempts int
}

// Server is what the HTTP server and its database pool need.
type Server struct {
	// BaseURL is the public scheme and host of the site (BASE_URL): every
	// absolute URL (canonical links, sitemap, robots, badges, emails) starts
	// with it; the Host header of a request is never used.
	BaseURL string
	// ReadTimeout bounds the reading of a whole request, headers and body
	// (READ_TIMEOUT): a client that sends its headers slowly is cut off.
	ReadTimeout time.Duration
	// WriteTimeout bounds the writing of a response (WRITE_TIMEOUT).
	WriteTimeout time.Duration
	// IdleTimeout closes keep-alive connections left idle (IDLE_TIMEOUT).
	IdleTimeout time.Duration
	// MaxHeaderBytes bounds the request line and headers (MAX_HEADER_BYTES,
	// at least 16 KiB: browsers send big cookies).
	MaxHeaderBytes int
	// MaxBodyBytes bounds a request body (MAX_BODY_BYTES).
	MaxBodyBytes int
	// CoverageMaxBodyBytes bounds the body of the coverage analyser's
	// POSTs, a catalogue of up to 50,000 rows (COVERAGE_MAX_BODY_MB).
	CoverageMaxBodyBytes int
	// RequestTimeout is the deadline of every request, passed to the
	// database queries through the request context (REQUEST_TIMEOUT; 0:
	// none).
	RequestTimeout time.Duration
	// StatementTimeout is PostgreSQL's statement_timeout on the pool
	// (STATEMENT_TIMEOUT).
	StatementTimeout time.Duration
	// RateLimit is the number of requests a client IP may make per
	// RateWindow (RATE_LIMIT, RATE_LIMIT_WINDOW); 0 turns limiting off.
	RateLimit  int
	RateWindow time.Duration
	// TrustedProxies are the networks whose X-Forwarded-For is believed
	// (TRUSTED_PROXIES, comma-separated addresses or CIDRs).
	TrustedProxies []netip.Prefix
	// PageCacheBytes bounds the memory of the rendered-page cache,
	// compressed forms included (PAGE_CACHE_MB).
	PageCacheBytes int
	// AccessLog writes one log line per request (ACCESS_LOG, default on).
	AccessLog bool
	// WarmTerritories prepares the views of every région and académie in
	// the background when the data version changes, so that no visitor
	// waits for them (WARM_TERRITORIES, default on; off in Defaults, which
	// the tests use).
	WarmTerritories bool
	// PostRateLimit is the number of correction requests a client IP may
	// submit per PostRateWindow, counted in PostgreSQL so every node shares
	// it (POST_RATE_LIMIT, POST_RATE_WINDOW); 0 turns it off.
	PostRateLimit  int
	PostRateWindow time.Duration
	// CSRFSecret signs the CSRF tokens of the forms (CSRF_SECRET, at least
	// 32 characters): nodes that share it accept each other's tokens.
	// Empty: a random secret per process (one node only).
	CSRFSecret string
	// RetentionMonths is how long the personal data of a closed correction
	// request is kept before « vitrine purge » erases it (RETENTION_MONTHS);
	// the « données personnelles » page states it.
	RetentionMonths int
	// MemoryLimit is the Go runtime's soft memory limit (MEMORY_LIMIT_MB;
	// 0: none; GOMEMLIMIT, when set, wins): the garbage collector works
	// harder near it instead of letting the heap double.
	MemoryLimit int
	// Staff back-office sessions: idle expiry (STAFF_IDLE_TIMEOUT), absolute
	// expiry (STAFF_SESSION_MAX), failed logins before the account is locked
	// (STAFF_MAX_FAILURES) and for how long (STAFF_LOCKOUT).
	StaffIdleTimeout time.Duration
	StaffSessionMax  time.Duration
	StaffMaxFailures int
	StaffLockout     time.Duration
	// BulkDir holds the bulk downloads of /donnees/telechargements, built
	// once per data version (BULK_DIR, default var/bulk; each node its own).
	// Empty (Defaults, tests): a temporary directory of the process.
	BulkDir string
}

// Defaults is the server configuration used when the environment says
// nothing (tests use it as is).
func Defaults() Server {
	return Server{
		BaseURL:              "http://localhost:8080",
		ReadTimeout:          10 * time.Second,
		WriteTimeout:         30 * time.Second,
		IdleTimeout:          60 * time.Second,
		MaxHeaderBytes:       32 << 10,
		MaxBodyBytes:         1 << 20,
		CoverageMaxBodyBytes: 16 << 20,
		RequestTimeout:       15 * time.Second,
		StatementTimeout:     10 * time.Second,
		RateLimit:            600,
		RateWindow:           time.Minute,
		PageCacheBytes:       96 << 20,
		AccessLog:            true,
		MemoryLimit:          256 << 20,
		PostRateLimit:        5,
		PostRateWindow:       time.Hour,
		RetentionMonths:      12,
		StaffIdleTimeout:     30 * time.Minute,
		StaffSessionMax:      12 * time.Hour,
		StaffMaxFailures:     5,
		StaffLockout:         15 * time.Minute,
	}
}

// DefaultMail is the mail configuration when the environment says nothing.
func DefaultMail() Mail { return Mail{MaxAttempts: 8} }

// minHeaderBytes is the least header size accepted: a 6 KB cookie must pass.
const minHeaderBytes = 16 << 10

// FromEnv reads and validates the configuration.
func FromEnv() (Config, error) {
	c := Config{
		DatabaseURL: os.Getenv("DATABASE_URL"),
		Addr:        getenv("ADDR", ":8080"),
		DemoDir:     getenv("DEMO_DIR", "testdata/demo"),
		IndexDir:    getenv("INDEX_DIR", "var/index"),
		Server:      Defaults(),
		Mail:        DefaultMail(),
	}
	c.ImportLockTimeout = 10 * time.Minute
	if c.DatabaseURL == "" {
		return c, errors.New("DATABASE_URL n'est pas défini (ex. postgres://postgres@127.0.0.1:5432/vitrine) ; « make run » le trouve ou démarre PostgreSQL pour vous")
	}
	if !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") && !strings.Contains(c.DatabaseURL, "=") {
		return c, errors.New("DATABASE_URL doit être une URL postgres://… ou une chaîne clé=valeur")
	}
	s := &c.Server
	s.BaseURL = LocalBaseURL(c.Addr)
	var errs []error
	if c.SyncConfig = os.Getenv("SYNC_CONFIG"); c.SyncConfig != "" {
		if st, err := os.Stat(c.SyncConfig); err != nil || st.IsDir() {
			errs = append(errs, fmt.Errorf("SYNC_CONFIG : %q n'est pas un fichier lisible", c.SyncConfig))
		}
	}
	if v := os.Getenv("BASE_URL"); v != "" {
		b, err := ParseBaseURL(v)
		if err != nil {
			errs = append(errs, err)
		}
		s.BaseURL = b
	}
	durations := []struct {
		name string
		dst  *time.Duration
	}{
		{"READ_TIMEOUT", &s.ReadTimeout}, {"WRITE_TIMEOUT", &s.WriteTimeout}, {"IDLE_TIMEOUT", &s.IdleTimeout},
		{"REQUEST_TIMEOUT", &s.RequestTimeout}, {"STATEMENT_TIMEOUT", &s.StatementTimeout}, {"RATE_LIMIT_WINDOW", &s.RateWindow},
		{"IMPORT_LOCK_TIMEOUT", &c.ImportLockTimeout}, {"POST_RATE_WINDOW", &s.PostRateWindow},
		{"IMPORT_LOCK_TIMEOUT", &c.ImportLockTimeout},
		{"STAFF_IDLE_TIMEOUT", &s.StaffIdleTimeout}, {"STAFF_SESSION_MAX", &s.StaffSessionMax}, {"STAFF_LOCKOUT", &s.StaffLockout},
	}
	for _, d := range durations {
		if err := envDuration(d.name, d.dst); err != nil {
			errs = append(errs, err)
		}
	}
	ints := []struct {
		name     string
		dst      *int
		min, mul int
	}{
		{"MAX_HEADER_BYTES", &s.MaxHeaderBytes, minHeaderBytes, 1},
		{"MAX_BODY_BYTES", &s.MaxBodyBytes, 1 << 10, 1},
		{"COVERAGE_MAX_BODY_MB", &s.CoverageMaxBodyBytes, 1 << 20, 1 << 20},
		{"RATE_LIMIT", &s.RateLimit, 0, 1},
		{"PAGE_CACHE_MB", &s.PageCacheBytes, 0, 1 << 20},
		{"MEMORY_LIMIT_MB", &s.MemoryLimit, 0, 1 << 20},
		{"POST_RATE_LIMIT", &s.PostRateLimit, 0, 1},
		{"RETENTION_MONTHS", &s.RetentionMonths, 1, 1},
		{"MAIL_MAX_ATTEMPTS", &c.Mail.MaxAttempts, 1, 1},
		{"STAFF_MAX_FAILURES", &s.StaffMaxFailures, 1, 1},
	}
	for _, n := range ints {
		if err := envInt(n.name, n.dst, n.min, n.mul); err != nil {
			errs = append(errs, err)
		}
	}
	if s.CoverageMaxBodyBytes > 256<<20 {
		errs = append(errs, fmt.Errorf("COVERAGE_MAX_BODY_MB (%d) : au plus 256", s.CoverageMaxBodyBytes>>20))
	}
	s.BulkDir = getenv("BULK_DIR", "var/bulk")
	if err := checkBulkDir(s.BulkDir); err != nil {
		errs = append(errs, err)
	}
	if v := os.Getenv("TRUSTED_PROXIES"); v != "" {
		p, err := ParsePrefixes(v)
		if err != nil {
			errs = append(errs, err)
		}
		s.TrustedProxies = p
	}
	s.WarmTerritories = true
	if v := os.Getenv("WARM_TERRITORIES"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("WARM_TERRITORIES=%q : attendu true ou false", v))
		}
		s.WarmTerritories = b
	}
	if v := os.Getenv("ACCESS_LOG"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("ACCESS_LOG=%q : attendu true ou false", v))
		}
		s.AccessLog = b
	}
	if s.RateLimit > 0 && s.RateWindow <= 0 {
		errs = append(errs, errors.New("RATE_LIMIT_WINDOW doit être une durée positive (ex. 1m) quand RATE_LIMIT est défini"))
	}
	if s.MemoryLimit > 0 && s.MemoryLimit < s.PageCacheBytes+(64<<20) {
		errs = append(errs, fmt.Errorf("MEMORY_LIMIT_MB (%d) doit dépasser PAGE_CACHE_MB (%d) d'au moins 64", s.MemoryLimit>>20, s.PageCacheBytes>>20))
	}
	if err := c.Mail.fromEnv(); err != nil {
		errs = append(errs, err)
	}
	s.CSRFSecret = os.Getenv("CSRF_SECRET")
	if s.CSRFSecret != "" && len(s.CSRFSecret) < 32 {
		errs = append(errs, errors.New("CSRF_SECRET : au moins 32 caractères (ex. openssl rand -hex 32), le même sur chaque nœud"))
	}
	if s.PostRateLimit > 0 && s.PostRateWindow <= 0 {
		errs = append(errs, errors.New("POST_RATE_WINDOW doit être une durée positive (ex. 1h) quand POST_RATE_LIMIT est défini"))
	}
	if s.RetentionMonths > 120 {
		errs = append(errs, fmt.Errorf("RETENTION_MONTHS=%d : au plus 120 mois", s.RetentionMonths))
	}
	if s.RequestTimeout > 0 && s.StatementTimeout > s.RequestTimeout {
		errs = append(errs, fmt.Errorf("STATEMENT_TIMEOUT (%s) dépasse REQUEST_TIMEOUT (%s)", s.StatementTimeout, s.RequestTimeout))
	}
	if s.StaffIdleTimeout < time.Minute || s.StaffSessionMax < s.StaffIdleTimeout {
		errs = append(errs, fmt.Errorf("STAFF_IDLE_TIMEOUT (%s) doit valoir au moins 1m et STAFF_SESSION_MAX (%s) au moins autant", s.StaffIdleTimeout, s.StaffSessionMax))
	}
	if s.StaffLockout < time.Minute {
		errs = append(errs, fmt.Errorf("STAFF_LOCKOUT (%s) doit valoir au moins 1m", s.StaffLockout))
	}
	return c, errors.Join(errs...)
}

// checkBulkDir refuses a BULK_DIR that exists and is not a directory.
func checkBulkDir(dir string) error {
	info, err := os.Stat(dir)
	switch {
	case err == nil && !info.IsDir():
		return fmt.Errorf("BULK_DIR=%q n'est pas un répertoire", dir)
	case err != nil && !errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("BULK_DIR=%q : %v", dir, err)
	}
	return nil
}

// LocalBaseURL is the base URL of a server listening on addr on this
// machine (the default of BASE_URL).
func LocalBaseURL(addr string) string {
	_, port, err := net.SplitHostPort(addr)
	if err != nil || port == "" {
		return "http://localhost:8080"
	}
	return "http://localhost:" + port
}

// ParseBaseURL checks a BASE_URL: http(s), a host, no path, query or
// fragment; the trailing slash is dropped.
func ParseBaseURL(v string) (string, error) {
	u, err := url.Parse(strings.TrimRight(v, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", fmt.Errorf("BASE_URL=%q : attendu https://hôte[:port], sans chemin (ex. https://vitrine.inserjeunes.fr)", v)
	}
	return u.Scheme + "://" + u.Host, nil
}

// ParsePrefixes reads comma-separated addresses or CIDRs.
func ParsePrefixes(v string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range strings.Split(v, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("TRUSTED_PROXIES : %q n'est ni une adresse IP ni un réseau CIDR", s)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

func envDuration(name string, dst *time.Duration) error {
	v := os.Getenv(name)
	if v == "" {
		return nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return fmt.Errorf("%s=%q : attendu une durée comme 10s, 500ms ou 2m", name, v)
	}
	*dst = d
	return nil
}

func envInt(name string, dst *int, minimum, mul int) error {
	v := os.Getenv(name)
	if v == "" {
		return nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > (1<<40)/mul {
		return fmt.Errorf("%s=%q : attendu un nombre entier positif", name, v)
	}
	if n*mul < minimum {
		return fmt.Errorf("%s=%q : au moins %d", name, v, minimum/mul)
	}
	*dst = n * mul
	return nil
}

func getenv(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// fromEnv reads SMTP_URL and MAIL_FROM.
func (m *Mail) fromEnv() error {
	m.SMTPURL = os.Getenv("SMTP_URL")
	m.From = os.Getenv("MAIL_FROM")
	if m.SMTPURL == "" {
		return nil
	}
	if _, err := ParseSMTPURL(m.SMTPURL); err != nil {
		return err
	}
	if m.From == "" {
		return errors.New("MAIL_FROM est obligatoire avec SMTP_URL (ex. « Vitrine InserJeunes <ne-pas-repondre@exemple.fr> »)")
	}
	if _, err := mail.ParseAddress(m.From); err != nil {
		return fmt.Errorf("MAIL_FROM=%q : adresse invalide", m.From)
	}
	return nil
}

// SMTPServer is a parsed SMTP_URL.
type SMTPServer struct {
	Host     string
	Port     int
	TLS      bool // smtps: TLS from the start; smtp: STARTTLS when offered
	User     string
	Password string
}

// ParseSMTPURL reads smtp://[user:pass@]host[:port] (port 25 by default, 587
// is usual) or smtps://…(port 465 by default).
func ParseSMTPURL(v string) (SMTPServer, error) {
	bad := fmt.Errorf("SMTP_URL : attendu smtp://[utilisateur:mot-de-passe@]hôte[:port] ou smtps://… (reçu une valeur de %d caractères)", len(v))
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "" || (u.Path != "" && u.Path != "/") {
		return SMTPServer{}, bad
	}
	s := SMTPServer{Host: u.Hostname(), TLS: u.Scheme == "smtps", Port: 25}
	if s.TLS {
		s.Port = 465
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return SMTPServer{}, bad
		}
		s.Port = n
	}
	if u.User != nil {
		s.User = u.User.Username()
		s.Password, _ = u.User.Password()
	}
	return s, nil
}
