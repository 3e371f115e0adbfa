// Package npmpack reads the files of an npm package for the vendoring
// tools (assets/cmd/dsfr, assets/cmd/francemap): the tarball `npm pack`
// fetches through the ordinary npm client, or one given on the command
// line. Running the site never needs it, nor Node.
package npmpack

import (
	"archive/tar"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Files returns the regular files of the package spec ("@gouvfr/dsfr@1.15.3")
// that keep accepts, by their tarball name ("package/LICENSE.md"); tgz, when
// set, is read instead of running npm pack. Every name of required must be
// there.
func Files(spec, tgz string, keep func(name string) bool, required ...string) (map[string][]byte, error) {
	if tgz == "" {
		tmp, err := os.MkdirTemp("", "npmpack-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(tmp)
		cmd := exec.Command("npm", "pack", "--silent", "--pack-destination", tmp, spec)
		cmd.Stderr = os.Stderr
		name, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("npm pack %s : %w", spec, err)
		}
		tgz = filepath.Join(tmp, strings.TrimSpace(string(name)))
	}
	files, err := read(tgz, keep)
	if err != nil {
		return nil, fmt.Errorf("%s : %w", tgz, err)
	}
	for _, n := range required {
		if files[n] == nil {
			return nil, fmt.Errorf("%s absent du paquet %s", n, spec)
		}
	}
	return files, nil
}

func read(p string, keep func(string) bool) (map[string][]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	tr := tar.NewReader(gz)
	files := map[string][]byte{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return files, nil
		}
		if err != nil {
			return nil, err
		}
		if h.Typeflag != tar.TypeReg || !keep(h.Name) {
			continue
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			return nil, err
		}
		files[h.Name] = b
	}
}
