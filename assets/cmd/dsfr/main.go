// Command dsfr vendors the parts of the DSFR (@gouvfr/dsfr, npm) the site
// uses into assets/dsfr, so that running the site needs no Node:
//
//	go run ./assets/cmd/dsfr -version 1.15.3 -views views -out assets/dsfr
//
// It fetches the package with `npm pack` (the ordinary npm client), then
// copies dsfr.min.css (WOFF fallbacks dropped: every browser that runs the
// DSFR reads WOFF2), the WOFF2 fonts and icons that stylesheet references,
// dsfr.module.min.js, the favicons, and an icons.min.css holding only the
// fr-icon-* classes the templates under -views use, with their SVG files.
// `make assets` runs it; its output is committed.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/vitrine-inserjeunes/vitrine/assets/internal/npmpack"
)

func main() {
	version := flag.String("version", "", "version of @gouvfr/dsfr (pinned)")
	views := flag.String("views", "views", "templates folder scanned for fr-icon-* classes")
	out := flag.String("out", "assets/dsfr", "output folder (replaced)")
	tgz := flag.String("tgz", "", "use this package tarball instead of running npm pack")
	flag.Parse()
	if *version == "" && *tgz == "" {
		fmt.Fprintln(os.Stderr, "dsfr : -version est obligatoire")
		os.Exit(2)
	}
	if err := run(*version, *views, *out, *tgz); err != nil {
		fmt.Fprintln(os.Stderr, "dsfr :", err)
		os.Exit(1)
	}
}

func run(version, views, out, tgz string) error {
	// only what we may copy: dist/, the licence and the manifest.
	files, err := npmpack.Files("@gouvfr/dsfr@"+version, tgz, func(n string) bool {
		return strings.HasPrefix(n, "package/dist/") || n == "package/LICENSE.md" || n == "package/package.json"
	}, "package/package.json")
	if err != nil {
		return err
	}
	pkgVersion := versionOf(files["package/package.json"])
	if version != "" && pkgVersion != version {
		return fmt.Errorf("version du paquet %q, %q attendue", pkgVersion, version)
	}
	dist := func(p string) ([]byte, error) {
		b, ok := files["package/dist/"+p]
		if !ok {
			return nil, fmt.Errorf("%s absent du paquet", p)
		}
		return b, nil
	}
	write := map[string][]byte{}

	// 1. the stylesheet, its fonts and icons.
	css, err := dist("dsfr.min.css")
	if err != nil {
		return err
	}
	css = woffFallback.ReplaceAll(css, nil)
	write["dsfr.min.css"] = css
	for _, ref := range urlRefs(css) {
		b, err := dist(ref)
		if err != nil {
			return fmt.Errorf("dsfr.min.css : %w", err)
		}
		write[ref] = b
	}

	// 2. the icon classes used by the templates.
	used, err := usedIcons(views)
	if err != nil {
		return err
	}
	iconsCSS, err := dist("utility/icons/icons.main.min.css")
	if err != nil {
		return err
	}
	icons, missing := pickIconRules(string(iconsCSS), used)
	if len(missing) > 0 {
		return fmt.Errorf("classes d'icône inconnues du DSFR %s : %s", pkgVersion, strings.Join(missing, ", "))
	}
	write["icons.min.css"] = []byte(icons)
	for _, ref := range urlRefs([]byte(icons)) {
		b, err := dist(ref)
		if err != nil {
			return fmt.Errorf("icons.min.css : %w", err)
		}
		write[ref] = b
	}

	// 3. the script (progressive enhancement only) and the favicons.
	for _, p := range []string{"dsfr.module.min.js", "favicon/favicon.svg", "favicon/favicon.ico", "favicon/apple-touch-icon.png"} {
		b, err := dist(p)
		if err != nil {
			return err
		}
		write[p] = b
	}
	lic, ok := files["package/LICENSE.md"]
	if !ok {
		return errors.New("LICENSE.md absent du paquet")
	}
	write["LICENSE.md"] = lic
	names := make([]string, 0, len(write))
	for n := range write {
		names = append(names, n)
	}
	sort.Strings(names)
	write["VERSION"] = []byte(fmt.Sprintf("@gouvfr/dsfr %s, vendored by `make assets` (assets/cmd/dsfr); do not edit.\nicons: %s\nfiles:\n  %s\n",
		pkgVersion, strings.Join(used, " "), strings.Join(names, "\n  ")))

	if err := os.RemoveAll(out); err != nil {
		return err
	}
	for name, b := range write {
		p := filepath.Join(out, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			return err
		}
	}
	fmt.Printf("DSFR %s : %d fichiers écrits dans %s (%d icônes)\n", pkgVersion, len(write), out, len(used))
	return nil
}

var versionRe = regexp.MustCompile(`"version"\s*:\s*"([^"]+)"`)

func versionOf(pkgJSON []byte) string {
	if m := versionRe.FindSubmatch(pkgJSON); m != nil {
		return string(m[1])
	}
	return ""
}

// woffFallback matches the WOFF fallback of an @font-face src list.
var woffFallback = regexp.MustCompile(`,url\([^)]*\.woff\) format\("woff"\)`)

var urlRe = regexp.MustCompile(`url\(\s*['"]?([^'")]+)['"]?\s*\)`)

// urlRefs lists the relative file references of a stylesheet, resolved
// from the dist root, without data: URIs.
func urlRefs(css []byte) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range urlRe.FindAllSubmatch(css, -1) {
		ref := string(m[1])
		if strings.HasPrefix(ref, "data:") || strings.Contains(ref, "://") {
			continue
		}
		ref = path.Clean(strings.TrimPrefix(strings.TrimPrefix(ref, "../../"), "./"))
		if !seen[ref] {
			seen[ref] = true
			out = append(out, ref)
		}
	}
	sort.Strings(out)
	return out
}

var iconClassRe = regexp.MustCompile(`fr-icon-[a-z0-9]+(?:-[a-z0-9]+)*`)

// usedIcons lists the fr-icon-* classes of the templates (sizes excluded).
func usedIcons(dir string) ([]string, error) {
	set := map[string]bool{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range iconClassRe.FindAll(b, -1) {
			set[string(m)] = true
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("gabarits %s : %w", dir, err)
	}
	var out []string
	for c := range set {
		out = append(out, c)
	}
	sort.Strings(out)
	return out, nil
}

// pickIconRules keeps the rules of icons.min.css whose selectors are all
// about the used classes; references are rewritten from the dist root.
func pickIconRules(css string, used []string) (string, []string) {
	want := map[string]bool{}
	for _, u := range used {
		want[u] = true
	}
	found := map[string]bool{}
	var b strings.Builder
	b.WriteString("/* DSFR icons used by the site's templates (generated by assets/cmd/dsfr) */\n")
	for _, rule := range strings.Split(css, "}") {
		i := strings.Index(rule, "{")
		if i < 0 {
			continue
		}
		sel := strings.TrimSpace(rule[:i])
		if strings.HasPrefix(sel, "@") || strings.Contains(sel, "*/") {
			if j := strings.LastIndex(sel, "*/"); j >= 0 {
				sel = strings.TrimSpace(sel[j+2:])
			} else {
				continue
			}
		}
		ok := sel != ""
		cls := ""
		for _, part := range strings.Split(sel, ",") {
			c := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSpace(part), ":before"), ":after")
			c = strings.TrimPrefix(c, ".")
			if !want[c] {
				ok = false
				break
			}
			cls = c
		}
		if !ok {
			continue
		}
		found[cls] = true
		body := strings.ReplaceAll(rule[i:], "../../icons/", "icons/")
		b.WriteString(sel + body + "}\n")
	}
	var missing []string
	for _, u := range used {
		if !found[u] {
			missing = append(missing, u)
		}
	}
	return b.String(), missing
}
