// Package migrations embeds the numbered SQL migrations (goose format).
// Migrations are append-only: never edit a file that has landed.
package migrations

import "embed"

// FS holds every *.sql migration.
//
//go:embed *.sql
var FS embed.FS
