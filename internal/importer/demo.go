package importer

import (
	"context"
	"os"
	"path/filepath"

	"github.com/jackc/pgx/v5/pgxpool"
)

// ImportDemo loads the bundled demo set in two runs (two transactions, two
// import_runs rows): first the real files of dir, then the synthetic ones
// of dir/synthetic (marked as demonstration data), so that a synthetic file
// never overwrites real figures (see replace.go). The report merges both.
func ImportDemo(ctx context.Context, pool *pgxpool.Pool, dir string) (*Report, error) {
	paths := []string{dir}
	files, err := Expand(paths)
	if err != nil {
		return nil, err
	}
	rep, err := Run(ctx, pool, files, Options{})
	if err != nil {
		return rep, err
	}
	syn := filepath.Join(dir, "synthetic")
	if st, err := os.Stat(syn); err == nil && st.IsDir() {
		rep2, err := Run(ctx, pool, []string{syn}, Options{Synthetic: true})
		if err != nil {
			return rep2, err
		}
		rep.Files = append(rep.Files, rep2.Files...)
		rep.Seconds += rep2.Seconds
		rep.Changes += rep2.Changes
		rep.Changed = rep.Changed || rep2.Changed
		rep.RunID, rep.DataVersion = rep2.RunID, rep2.DataVersion
	}
	return rep, nil
}
