package testdb

import (
	"compress/gzip"
	"context"
	"io"
	"os"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
)

// ReadGzip returns the decompressed bytes of a gzipped test file (the
// bundled demo files), as they were before gzip: encoding, BOM and line
// endings kept.
func ReadGzip(t testing.TB, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// ThresholdPair finds, in loaded demo data, a MEFSTAT11 of the synthetic
// 2021_2022 scolaire rows offered by one establishment with 19 learners
// (uai19) and another with 20 but fewer than 20 leavers and a published
// taux de poursuite (uai20, pours20): the two sides of the secret
// statistique, for the store and the web tests.
func ThresholdPair(t testing.TB, pool *pgxpool.Pool) (code, uai19, uai20, pours20 string) {
	t.Helper()
	err := pool.QueryRow(context.Background(), `
WITH x AS (SELECT code, uai, nb_annee_term t, nb_sortant s, taux_poursuite_etudes p FROM ij_uai_formation
  WHERE millesime = '2021_2022' AND voie = 'scolaire' AND source = 'depp_api_uai')
SELECT a.code, a.uai, b.uai, b.p::text FROM x a JOIN x b ON a.code = b.code
WHERE a.t = 19 AND b.t = 20 AND b.s < 20 AND b.p IS NOT NULL ORDER BY 1, 2, 3 LIMIT 1`).Scan(&code, &uai19, &uai20, &pours20)
	if err != nil {
		t.Fatalf("no pair of 19 and 20 learners in the demo data: %v", err)
	}
	return code, uai19, uai20, pours20
}
