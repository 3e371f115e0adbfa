package importer

import (
	"compress/gzip"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
)

// The data scaler (vitrine gen --scale N): more establishment × formation
// rows for the benchmarks, in files the importer reads.
//
// Copy k (1 ≤ k < N) of every source file is the same file with every
// millésime moved back by scaleBase + k × span years (span: the years the
// source millésimes cover), so the copies are complete, consistent
// millésimes (the same establishments, formations and counts as the
// original, their id column rewritten) that no real file holds: at 1× the
// demo holds N = 1 copy, the original. Copies are demonstration data: their
// names say "synthetic". The région × formation file is copied alike, so
// that a fake millésime is as complete as a real one: its establishment
// rows have their regional rows, and the pages compare them with the
// région and France as they do for a real millésime, instead of
// rebuilding every région from the establishments (which no real
// millésime needs).

// scaleBase keeps the fake millésimes clear of the real ones (2018 on).
const scaleBase = 7

// ScaleFormats are the formats the scaler copies.
var ScaleFormats = []string{fmtUAIFormation.Kind, fmtPortalFormation.Kind, fmtRegionFormation.Kind}

// ScaledFile is one file written by Scale.
type ScaledFile struct {
	Source     string   `json:"source"`
	Path       string   `json:"path"`
	Copy       int      `json:"copy"` // k: the years are moved back by Shift
	Shift      int      `json:"shift"`
	Rows       int      `json:"rows"`
	Millesimes []string `json:"millesimes"`
}

// Scale writes, into outDir, N−1 copies of each source file (see above).
func Scale(sources []string, outDir string, n int) ([]ScaledFile, error) {
	if n < 1 {
		return nil, fmt.Errorf("--scale %d : un facteur entier d'au moins 1 est attendu", n)
	}
	if len(sources) == 0 {
		return nil, errors.New("aucun fichier source établissement × formation")
	}
	// The span of the source millésimes, over every source.
	lo, hi := 0, 0
	for _, src := range sources {
		a, b, err := scaleYears(src)
		if err != nil {
			return nil, err
		}
		if lo == 0 || a < lo {
			lo = a
		}
		hi = max(hi, b)
	}
	span := max(hi-lo, 1)
	if lo-(scaleBase+(n-1)*span) < 1990 {
		most := (lo-1990-scaleBase)/span + 1
		return nil, fmt.Errorf("--scale %d trop grand : les millésimes fictifs commenceraient avant 1990 (au plus --scale %d avec ces fichiers)", n, most)
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return nil, fmt.Errorf("%s : %w", outDir, err)
	}
	var out []ScaledFile
	for _, src := range sources {
		for k := 1; k < n; k++ {
			sf, err := scaleFile(src, outDir, k, scaleBase+k*span)
			if err != nil {
				return nil, err
			}
			out = append(out, *sf)
		}
	}
	return out, nil
}

// scaleOpen returns the reader of a source and the columns holding its
// millésime (the first one) and its id (-1: none).
func scaleOpen(path string) (*source, *Format, header, records, [2]int, error) {
	src, err := openSource(path)
	if err != nil {
		return nil, nil, header{}, nil, [2]int{}, err
	}
	f, h, recs, err := openTable(src, "")
	if err != nil {
		src.Close()
		return nil, nil, header{}, nil, [2]int{}, err
	}
	cols := [2]int{-1, -1}
	switch f.Kind {
	case fmtUAIFormation.Kind, fmtRegionFormation.Kind:
		cols = [2]int{h.col("millesime"), h.col("id")}
	case fmtPortalFormation.Kind:
		cols[0] = h.col("annee")
		if cols[0] < 0 {
			cols[0] = h.col("Année")
		}
	default:
		src.Close()
		return nil, nil, header{}, nil, cols, fmt.Errorf("%s : format %s : seuls les fichiers établissement × formation et région × formation (%s) se multiplient",
			path, f.Kind, strings.Join(ScaleFormats, ", "))
	}
	if _, ok := recs.(*csvRecords); !ok || cols[0] < 0 {
		src.Close()
		return nil, nil, header{}, nil, cols, fmt.Errorf("%s : colonne du millésime introuvable", path)
	}
	return src, f, h, recs, cols, nil
}

// scaleYears returns the first and last years of the millésimes of a file.
func scaleYears(path string) (lo, hi int, err error) {
	src, _, _, recs, cols, err := scaleOpen(path)
	if err != nil {
		return 0, 0, err
	}
	defer src.Close()
	for {
		rec, line, err := recs.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, 0, fmt.Errorf("%s:%d: %v", path, line, err)
		}
		if cols[0] >= len(rec) {
			return 0, 0, fmt.Errorf("%s:%d: ligne trop courte", path, line)
		}
		m, err := model.ParseMillesime(rec[cols[0]])
		if err != nil {
			return 0, 0, fmt.Errorf("%s:%d: %v", path, line, err)
		}
		if lo == 0 || m.Start < lo {
			lo = m.Start
		}
		hi = max(hi, m.End)
	}
	if lo == 0 {
		return 0, 0, fmt.Errorf("%s : aucune ligne de données", path)
	}
	return lo, hi, nil
}

var yearRE = regexp.MustCompile(`(19|20)\d\d`)

func shiftYears(s string, by int) string {
	return yearRE.ReplaceAllStringFunc(s, func(y string) string {
		n, _ := strconv.Atoi(y)
		return strconv.Itoa(n - by)
	})
}

// scaleFile writes copy k of src, every millésime moved back by shift years.
func scaleFile(path, outDir string, k, shift int) (*ScaledFile, error) {
	src, _, h, recs, cols, err := scaleOpen(path)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	name := strings.TrimSuffix(src.Name, filepath.Ext(src.Name))
	name = shiftYears(name, shift)
	if !strings.Contains(strings.ToLower(name), "synthetic") {
		name += "_synthetic"
	}
	sf := &ScaledFile{Source: path, Copy: k, Shift: shift, Path: filepath.Join(outDir, fmt.Sprintf("%s_x%d.csv.gz", name, k+1))}
	fo, err := os.Create(sf.Path)
	if err != nil {
		return nil, fmt.Errorf("%s : %w", sf.Path, err)
	}
	defer fo.Close()
	zw := gzip.NewWriter(fo)
	w := csv.NewWriter(zw)
	w.Comma = ';'
	if err := w.Write(h.raw); err != nil {
		return nil, err
	}
	mills := map[string]bool{}
	for {
		rec, line, err := recs.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %v", path, line, err)
		}
		old := rec[cols[0]]
		rec[cols[0]] = shiftYears(old, shift)
		if m, err := model.ParseMillesime(rec[cols[0]]); err == nil {
			mills[m.String()] = true
		}
		if i := cols[1]; i >= 0 && i < len(rec) {
			if om, err := model.ParseMillesime(old); err == nil && strings.HasPrefix(rec[i], om.String()) {
				nm, _ := model.ParseMillesime(rec[cols[0]])
				rec[i] = nm.String() + rec[i][len(om.String()):]
			}
		}
		if err := w.Write(rec); err != nil {
			return nil, err
		}
		sf.Rows++
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, fmt.Errorf("%s : %w", sf.Path, err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("%s : %w", sf.Path, err)
	}
	if err := fo.Close(); err != nil {
		return nil, fmt.Errorf("%s : %w", sf.Path, err)
	}
	for m := range mills {
		sf.Millesimes = append(sf.Millesimes, m)
	}
	sort.Strings(sf.Millesimes)
	return sf, nil
}

// ScaleSources lists the files of dir the scaler copies (by format).
func ScaleSources(dir string) ([]string, error) {
	files, err := Expand([]string{dir})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, p := range files {
		src, _, _, _, _, err := scaleOpen(p)
		if err != nil {
			continue // another format
		}
		src.Close()
		out = append(out, p)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s : aucun fichier établissement × formation (%s)", dir, strings.Join(ScaleFormats, ", "))
	}
	return out, nil
}
