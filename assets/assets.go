// Package assets embeds the static files of the site (the vendored DSFR in
// dsfr/, written by `make assets`, and the site's own files in site/) and
// serves them under fingerprinted, immutable URLs:
// /static/<dir>/<name>.<hash>.<ext>. Stylesheet references (url(...)) are
// rewritten to the fingerprinted URLs, so a changed font or icon changes
// the stylesheet's hash too. Text files are compressed once (gzip, brotli).
package assets

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/andybalholm/brotli"
)

//go:embed dsfr site
var files embed.FS

// Prefix is the URL prefix of every asset.
const Prefix = "/static/"

// File is one served asset.
type File struct {
	Name        string // logical name, e.g. "dsfr/dsfr.min.css"
	URL         string // fingerprinted URL, e.g. "/static/dsfr/dsfr.min.3f2a9c1b0d.css"
	Hash        string
	ContentType string
	Body        []byte
	Gzip        []byte // nil when not worth compressing
	Brotli      []byte
}

// Set is every asset, by logical name and by fingerprinted URL. It is
// immutable once built.
type Set struct {
	byName map[string]*File
	byURL  map[string]*File
	// Version hashes every asset: it changes whenever one does.
	Version string
}

// New reads, fingerprints and compresses the embedded files.
func New() (*Set, error) {
	return build(files)
}

var cssURL = regexp.MustCompile(`url\(\s*(['"]?)([^'")]+)(['"]?)\s*\)`)

func build(fsys fs.FS) (*Set, error) {
	s := &Set{byName: map[string]*File{}, byURL: map[string]*File{}}
	var names, css []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		switch path.Base(p) {
		case "VERSION", "LICENSE.md", "README.md":
			return nil
		}
		if strings.HasSuffix(p, ".css") {
			css = append(css, p)
		} else {
			names = append(names, p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	sort.Strings(css)
	// non-stylesheets first, so stylesheet references resolve.
	for _, n := range append(names, css...) {
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, err
		}
		if strings.HasSuffix(n, ".css") {
			b, err = s.rewriteCSS(n, b)
			if err != nil {
				return nil, err
			}
		}
		if err := s.add(n, b); err != nil {
			return nil, err
		}
	}
	h := sha256.New()
	for _, n := range append(names, css...) {
		h.Write([]byte(s.byName[n].URL))
	}
	s.Version = hex.EncodeToString(h.Sum(nil))[:12]
	return s, nil
}

func (s *Set) rewriteCSS(name string, b []byte) ([]byte, error) {
	var missing []string
	out := cssURL.ReplaceAllFunc(b, func(m []byte) []byte {
		sub := cssURL.FindSubmatch(m)
		ref := string(sub[2])
		if strings.HasPrefix(ref, "data:") || strings.Contains(ref, "://") || strings.HasPrefix(ref, "#") {
			return m
		}
		target := path.Clean(path.Join(path.Dir(name), ref))
		f, ok := s.byName[target]
		if !ok {
			missing = append(missing, ref)
			return m
		}
		return []byte("url(" + f.URL + ")")
	})
	if len(missing) > 0 {
		return nil, fmt.Errorf("assets : %s référence des fichiers absents : %s", name, strings.Join(missing, ", "))
	}
	return out, nil
}

func (s *Set) add(name string, b []byte) error {
	sum := sha256.Sum256(b)
	hash := hex.EncodeToString(sum[:])[:10]
	ext := path.Ext(name)
	base := strings.TrimSuffix(name, ext)
	ct := mime.TypeByExtension(ext)
	switch ext {
	case ".woff2":
		ct = "font/woff2"
	case ".ico":
		ct = "image/x-icon"
	case ".js":
		ct = "text/javascript; charset=utf-8"
	case ".css":
		ct = "text/css; charset=utf-8"
	case ".svg":
		ct = "image/svg+xml"
	}
	if ct == "" {
		ct = "application/octet-stream"
	}
	f := &File{Name: name, URL: Prefix + base + "." + hash + ext, Hash: hash, ContentType: ct, Body: b}
	if compressible(ext) && len(b) > 512 {
		var gz, br bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
		zw.Write(b)
		if err := zw.Close(); err != nil {
			return err
		}
		bw := brotli.NewWriterLevel(&br, 7)
		bw.Write(b)
		if err := bw.Close(); err != nil {
			return err
		}
		f.Gzip, f.Brotli = gz.Bytes(), br.Bytes()
	}
	s.byName[name] = f
	s.byURL[f.URL] = f
	return nil
}

func compressible(ext string) bool {
	switch ext {
	case ".css", ".js", ".svg", ".ico", ".json", ".txt":
		return true
	}
	return false
}

// URL returns the fingerprinted URL of a logical name ("dsfr/dsfr.min.css").
// It panics on an unknown name: templates are tested to render, so a typo
// fails the template test, not a visitor.
func (s *Set) URL(name string) string {
	f, ok := s.byName[name]
	if !ok {
		panic("assets : fichier inconnu " + name)
	}
	return f.URL
}

// ByURL returns the asset served at a fingerprinted URL.
func (s *Set) ByURL(url string) (*File, bool) {
	f, ok := s.byURL[url]
	return f, ok
}

// ByName returns the asset of a logical name.
func (s *Set) ByName(name string) (*File, bool) {
	f, ok := s.byName[name]
	return f, ok
}

// Names lists the logical names, sorted.
func (s *Set) Names() []string {
	out := make([]string, 0, len(s.byName))
	for n := range s.byName {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
