package config

import (
	"strings"
	"testing"
	"time"
)

func TestFromEnv(t *testing.T) {
	t.Setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/vitrine")
	t.Setenv("ADDR", "127.0.0.1:9090")
	c, err := FromEnv()
	if err != nil {
		t.Fatal(err)
	}
	if c.Server.BaseURL != "http://localhost:9090" || c.Server.ReadTimeout != 10*time.Second || c.Server.RateLimit != 600 || c.ImportLockTimeout != 10*time.Minute ||
		c.Server.BulkDir != "var/bulk" || !c.Server.WarmTerritories {
		t.Errorf("defaults: %+v", c)
	}
	t.Setenv("BASE_URL", "https://vitrine.example.fr/")
	t.Setenv("TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.7 ,::1")
	t.Setenv("MAX_HEADER_BYTES", "65536")
	t.Setenv("READ_TIMEOUT", "3s")
	t.Setenv("PAGE_CACHE_MB", "10")
	t.Setenv("ACCESS_LOG", "false")
	t.Setenv("WARM_TERRITORIES", "false")
	c, err = FromEnv()
	if err != nil {
		t.Fatal(err)
	}
	s := c.Server
	if s.BaseURL != "https://vitrine.example.fr" || len(s.TrustedProxies) != 3 || s.TrustedProxies[1].String() != "192.0.2.7/32" ||
		s.MaxHeaderBytes != 65536 || s.ReadTimeout != 3*time.Second || s.PageCacheBytes != 10<<20 || s.AccessLog || s.WarmTerritories {
		t.Errorf("from the environment: %+v", s)
	}
}

func TestFromEnvRefuses(t *testing.T) {
	for _, tc := range []struct{ name, value, want string }{
		{"BASE_URL", "vitrine.example.fr", "BASE_URL"},
		{"BASE_URL", "https://vitrine.example.fr/chemin", "BASE_URL"},
		{"BASE_URL", "javascript:alert(1)", "BASE_URL"},
		{"MAX_HEADER_BYTES", "4096", "au moins 16384"},
		{"MAX_HEADER_BYTES", "beaucoup", "MAX_HEADER_BYTES"},
		{"READ_TIMEOUT", "10", "durée"},
		{"READ_TIMEOUT", "-1s", "durée"},
		{"RATE_LIMIT", "-5", "RATE_LIMIT"},
		{"TRUSTED_PROXIES", "10.0.0.0/8,proxy.local", "proxy.local"},
		{"STATEMENT_TIMEOUT", "1m", "dépasse REQUEST_TIMEOUT"},
		{"MEMORY_LIMIT_MB", "100", "MEMORY_LIMIT_MB"},
		{"ACCESS_LOG", "peut-être", "ACCESS_LOG"},
		{"WARM_TERRITORIES", "oui", "WARM_TERRITORIES"},
		{"IMPORT_LOCK_TIMEOUT", "bientôt", "IMPORT_LOCK_TIMEOUT"},
		{"POST_RATE_LIMIT", "cinq", "POST_RATE_LIMIT"},
		{"POST_RATE_WINDOW", "une heure", "POST_RATE_WINDOW"},
		{"CSRF_SECRET", "court", "CSRF_SECRET"},
		{"RETENTION_MONTHS", "0", "RETENTION_MONTHS"},
		{"RETENTION_MONTHS", "121", "RETENTION_MONTHS"},
		{"MAIL_MAX_ATTEMPTS", "0", "MAIL_MAX_ATTEMPTS"},
		{"SMTP_URL", "http://mail.example.fr", "SMTP_URL"},
		{"SMTP_URL", "smtp://mail.example.fr:99999", "SMTP_URL"},
		{"SMTP_URL", "smtp://mail.example.fr", "MAIL_FROM est obligatoire"},
		{"STAFF_IDLE_TIMEOUT", "10s", "STAFF_IDLE_TIMEOUT"},
		{"STAFF_SESSION_MAX", "10m", "STAFF_SESSION_MAX"},
		{"STAFF_MAX_FAILURES", "0", "STAFF_MAX_FAILURES"},
		{"STAFF_LOCKOUT", "5s", "STAFF_LOCKOUT"},
		{"SYNC_CONFIG", "/nulle/part/sync.json", "SYNC_CONFIG"},
		{"SYNC_CONFIG", "/", "SYNC_CONFIG"},
		{"BULK_DIR", "config_test.go", "BULK_DIR"}, // a file, not a directory
	} {
		t.Run(tc.name+"="+tc.value, func(t *testing.T) {
			t.Setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/vitrine")
			t.Setenv(tc.name, tc.value)
			if _, err := FromEnv(); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s=%q: error %v, want one mentioning %q", tc.name, tc.value, err, tc.want)
			}
		})
	}
}

func TestMailAndSignalementsConfig(t *testing.T) {
	t.Setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/vitrine")
	c, err := FromEnv()
	if err != nil {
		t.Fatal(err)
	}
	if c.Server.PostRateLimit != 5 || c.Server.PostRateWindow != time.Hour || c.Server.RetentionMonths != 12 || c.Mail.SMTPURL != "" || c.Mail.MaxAttempts != 8 {
		t.Errorf("defaults: %+v %+v", c.Server, c.Mail)
	}
	t.Setenv("SMTP_URL", "smtps://moi:s3cr%C3%A8t@mail.example.fr")
	t.Setenv("MAIL_FROM", "Vitrine <ne-pas-repondre@example.fr>")
	t.Setenv("RETENTION_MONTHS", "24")
	t.Setenv("POST_RATE_LIMIT", "0")
	if c, err = FromEnv(); err != nil {
		t.Fatal(err)
	}
	srv, err := ParseSMTPURL(c.Mail.SMTPURL)
	if err != nil || srv.Host != "mail.example.fr" || srv.Port != 465 || !srv.TLS || srv.User != "moi" || srv.Password != "s3crèt" ||
		c.Server.RetentionMonths != 24 || c.Server.PostRateLimit != 0 {
		t.Errorf("%+v %v %+v", srv, err, c.Server)
	}
	// The refusal never repeats the password.
	t.Setenv("SMTP_URL", "smtp://moi:motdepasse@mail.example.fr:x")
	if _, err := FromEnv(); err == nil || strings.Contains(err.Error(), "motdepasse") {
		t.Errorf("error %v", err)
	}
}
