// Package config reads the environment into one validated struct.
package config

import (
	"errors"
	"os"
	"strings"
)

// Config is the whole configuration of the binary.
type Config struct {
	DatabaseURL string // DATABASE_URL
	Addr        string // ADDR, default ":8080"
	DemoDir     string // DEMO_DIR, default "testdata/demo"
	IndexDir    string // INDEX_DIR, default "var/index"
}

// FromEnv reads and validates the configuration.
func FromEnv() (Config, error) {
	c := Config{
		DatabaseURL: os.Getenv("DATABASE_URL"),
		Addr:        getenv("ADDR", ":8080"),
		DemoDir:     getenv("DEMO_DIR", "testdata/demo"),
		IndexDir:    getenv("INDEX_DIR", "var/index"),
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
