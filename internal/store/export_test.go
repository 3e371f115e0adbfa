package store

import "context"

// CFDsOfCodes exposes codeLabels' MEFSTAT11 → CFD mapping to the tests.
func (s *Store) CFDsOfCodes(ctx context.Context, codes []string) (map[string]string, error) {
	cfdOf, _, err := s.codeLabels(ctx, codes)
	return cfdOf, err
}
