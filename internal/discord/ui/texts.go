package ui

// Texts is what the kit needs from a request to render for its member: catalog texts in their
// language and command names as their client shows them (*discord.Request has both).
type Texts interface {
	T(key string, data map[string]any) string
	Slash(path string) string
}

// Numbered is a button label for the n-th item of a list ("Approve #2"); n ≤ 0 leaves it bare.
func Numbered(label string, n int) string {
	if n > 0 {
		label += " #" + FormatID(int64(n))
	}
	return Truncate(label, MaxLabel)
}
