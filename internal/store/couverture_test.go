package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/vitrine-inserjeunes/vitrine/internal/model"
	"github.com/vitrine-inserjeunes/vitrine/internal/store"
	"github.com/vitrine-inserjeunes/vitrine/internal/testdb"
)

// TestCoverageShares: a shared result is read back as stored, an expired
// one is still returned (the caller answers 410) until purged, then it is
// unknown; the purge leaves the others.
func TestCoverageShares(t *testing.T) {
	ctx := context.Background()
	st := store.New(testdb.Pool(t, "couverture_partages"))
	now := time.Now()
	if err := st.SaveCoverageShare(ctx, "vivant-aaaaaaaaaaaaaaa", []byte("gzip vivant"), 3, now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := st.SaveCoverageShare(ctx, "expire-bbbbbbbbbbbbbbb", []byte("gzip expiré"), 5, now.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	data, _, exp, err := st.CoverageShare(ctx, "expire-bbbbbbbbbbbbbbb")
	if err != nil || string(data) != "gzip expiré" || !exp.Before(now) {
		t.Fatalf("expired share before purge: %q, %v, %v", data, exp, err)
	}
	n, err := st.PurgeCoverageShares(ctx, now)
	if err != nil || n != 1 {
		t.Fatalf("purge: %d, %v; want 1", n, err)
	}
	if _, _, _, err := st.CoverageShare(ctx, "expire-bbbbbbbbbbbbbbb"); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("purged share: %v, want ErrNotFound", err)
	}
	data, created, exp, err := st.CoverageShare(ctx, "vivant-aaaaaaaaaaaaaaa")
	if err != nil || string(data) != "gzip vivant" || !exp.After(now) || created.After(time.Now()) {
		t.Errorf("live share after purge: %q, %v, %v, %v", data, created, exp, err)
	}
	if err := st.SaveCoverageShare(ctx, "vivant-aaaaaaaaaaaaaaa", []byte("x"), 1, now.Add(time.Hour)); err == nil {
		t.Error("an id is stored twice")
	}
}
