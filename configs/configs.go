// Package configs embeds the committed default configuration files, so the
// binary works from any directory: sync.json is the list of official
// portal exports `vitrine sync` downloads (internal/portalsync), which
// SYNC_CONFIG or --config replaces.
package configs

import _ "embed"

// Sync is configs/sync.json.
//
//go:embed sync.json
var Sync []byte
