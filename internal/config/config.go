// Package config reads the environment into one validated struct.
package config

import (
	"errors"
	"fmt"
	"os"
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
}

// FromEnv reads and validates the configuration.
func FromEnv() (Config, error) {
	c := Config{
		DatabaseURL: os.Getenv("DATABASE_URL"),
		Addr:        getenv("ADDR", ":8080"),
		DemoDir:     getenv("DEMO_DIR", "testdata/demo"),
		IndexDir:    getenv("INDEX_DIR", "var/index"),
	}
	c.ImportLockTimeout = 10 * time.Minute
	if v := os.Getenv("IMPORT_LOCK_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return c, fmt.Errorf("IMPORT_LOCK_TIMEOUT=%q invalide : une durée est attendue (ex. 10m, 90s ; 0 : sans limite)", v)
		}
		c.ImportLockTimeout = d
	}
	if c.DatabaseURL == "" {
		return c, errors.New("DATABASE_URL n'est pas défini (ex. postgres://postgres@127.0.0.1:5432/vitrine) ; « make run » le trouve ou démarre PostgreSQL pour vous")
	}
	if !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") && !strings.Contains(c.DatabaseURL, "=") {
		return c, errors.New("DATABASE_URL doit être une URL postgres://… ou une chaîne clé=valeur")
	}
	return c, nil
}

func getenv(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
