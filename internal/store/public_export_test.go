package store

// ExecForTest runs raw SQL on the writer, so tests can try what the
// store's API never does (changing a snapshot).
func ExecForTest(s *Store, query string) error {
	_, err := s.write.Exec(query)
	return err
}
