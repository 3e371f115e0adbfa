package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/vitrine-inserjeunes/vitrine/internal/importer"
)

// defaultScaleDirs hold the files gen copies by default: the synthetic
// establishment × formation files and the région × formation file.
var defaultScaleDirs = []string{"testdata/demo/synthetic", "testdata/demo"}

// cmdGen writes N−1 synthetic copies of the establishment × formation
// files and of the région × formation file, each with its millésimes
// moved back (importer.Scale): importing them beside the demo gives N×
// its establishment × formation rows, with their regional rows.
func cmdGen(args []string) error {
	fs := newFlags("gen", "vitrine gen --scale N --out DOSSIER [FICHIER|DOSSIER...]")
	scale := fs.Int("scale", 0, "facteur N : N−1 copies de chaque fichier, aux millésimes fictifs antérieurs (1 : aucune copie)")
	out := fs.String("out", "", "dossier où écrire les copies (créé au besoin)")
	if err := parseFlags(fs, args, -1); err != nil {
		return err
	}
	if *scale < 1 {
		return usageError{errors.New("--scale : un entier d'au moins 1 est attendu"), fs.Usage}
	}
	if *out == "" {
		return usageError{errors.New("--out : dossier de sortie manquant"), fs.Usage}
	}
	paths := fs.Args()
	if len(paths) == 0 {
		paths = defaultScaleDirs
	}
	var sources []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return fmt.Errorf("%s : fichier ou dossier introuvable", p)
		}
		if !st.IsDir() {
			sources = append(sources, p)
			continue
		}
		if abs(p) == abs(*out) {
			return usageError{fmt.Errorf("--out %s : le dossier de sortie ne peut pas être un dossier source", *out), fs.Usage}
		}
		found, err := importer.ScaleSources(p)
		if err != nil {
			return err
		}
		sources = append(sources, found...)
	}
	files, err := importer.Scale(sources, *out, *scale)
	if err != nil {
		return err
	}
	rows := 0
	for _, f := range files {
		rows += f.Rows
		fmt.Printf("%s\t%d lignes\tmillésimes %s (−%d ans)\n", f.Path, f.Rows, strings.Join(f.Millesimes, ", "), f.Shift)
	}
	fmt.Printf("%d fichier(s), %d ligne(s) de démonstration écrites dans %s (facteur %d sur %d fichier(s) source)\n", len(files), rows, *out, *scale, len(sources))
	return nil
}

func abs(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	return a
}
