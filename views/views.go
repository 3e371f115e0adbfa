// Package views embeds the html templates of the site: layouts/, partials/
// pages/ and staff/ (the back-office). Template names are their paths without ".html"
// ("pages/etablissement", "partials/header").
package views

import "embed"

// FS holds every template.
//
//go:embed layouts partials pages staff
var FS embed.FS
