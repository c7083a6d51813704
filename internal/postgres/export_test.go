package postgres

// WithWindows returns a copy of the store whose searches walk windows of the given sizes, so
// that tests reach the GIN lookup behind the window without seeding thousands of positions.
func (s *Store) WithWindows(search, candidate int) *Store {
	c := *s
	c.searchWindow, c.candidateWindow = search, candidate
	return &c
}
