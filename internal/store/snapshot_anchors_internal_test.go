package store

import (
	"context"
	"sort"
)

// AnchorsForTest lists the records a person id is anchored to, sorted.
func (s *Store) AnchorsForTest(ctx context.Context, person string) ([]string, error) {
	m, err := s.anchorsOf(ctx, s.read, person)
	var out []string
	for r := range m {
		out = append(out, r)
	}
	sort.Strings(out)
	return out, err
}
