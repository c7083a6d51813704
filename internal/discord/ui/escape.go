// Package ui is the kit every feature renders with: the one escaper for member-typed text, the
// one id parser, the keyset pager, and builders that keep every payload within Discord's limits.
package ui

import (
	"strings"
	"unicode/utf8"
)

// Markup is text the bot wrote itself (mentions, command names, composed lines) that the
// catalog must insert as it is. Every other string value is member text and gets escaped.
type Markup string

// inline escapes the characters that restyle text anywhere on a line: emphasis, strike, code,
// spoilers, masked links, mentions and channel or role pills, and the escape itself. A
// zero-width space after @ keeps @everyone and @here from reading as mentions in any client.
var inline = strings.NewReplacer(
	`\`, `\\`, "*", `\*`, "_", `\_`, "~", `\~`, "`", "\\`", "|", `\|`,
	"[", `\[`, "]", `\]`, "(", `\(`, ")", `\)`, "<", `\<`, ">", `\>`,
	"@", "@\u200b",
)

// Escape makes member text show exactly as typed in a message or embed: inline markdown is
// escaped, and so are the line starts Discord reads as headings, quotes, subtext or lists.
// Line breaks are kept; use OneLine first where a value must stay on one line.
func Escape(s string) string {
	if s == "" {
		return s
	}
	if !needsEscape(s) {
		return s
	}
	lines := strings.Split(inline.Replace(stripBidi(s)), "\n")
	for i, l := range lines {
		t := strings.TrimLeft(l, " \t")
		indent := l[:len(l)-len(t)]
		switch {
		case strings.HasPrefix(t, "#"), strings.HasPrefix(t, "-"), strings.HasPrefix(t, "+"):
			lines[i] = indent + `\` + t
		case numberedListItem(t) > 0:
			n := numberedListItem(t)
			lines[i] = indent + t[:n] + `\` + t[n:]
		}
	}
	return strings.Join(lines, "\n")
}

// needsEscape reports whether Escape would change s; most names and titles need nothing, and
// rendering is on every reply's path.
func needsEscape(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case 0xe2: // the first byte of U+202A–U+202E and U+2066–U+2069
			return true
		case '\\', '*', '_', '~', '`', '|', '[', ']', '(', ')', '<', '>', '@', '#', '-', '+', '\n', '.':
			return true
		}
	}
	return false
}

// numberedListItem returns the length of the number when a line starts like "1. " (an
// ordered list item), or 0.
func numberedListItem(s string) int {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i > 0 && strings.HasPrefix(s[i:], ". ") {
		return i
	}
	return 0
}

// OneLine folds line breaks and runs of spaces into single spaces.
func OneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// Literal is member text escaped for a place the catalog does not fill (an embed field's name,
// a menu label is plain text and needs no escaping).
func Literal(s string) Markup { return Markup(Escape(s)) }

// Quote shows member text as a quote block, line breaks kept and each line escaped.
func Quote(s string) Markup {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i, l := range lines {
		lines[i] = "> " + Escape(l)
	}
	return Markup(strings.Join(lines, "\n"))
}

// Truncate cuts s to at most n characters, ending with an ellipsis when it had to cut. It never
// leaves a dangling escape backslash at the cut.
func Truncate(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if len(s) <= n || utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n-1]
	// A backslash left just before the ellipsis would escape it; drop an odd trailing run.
	k := 0
	for k < len(r) && r[len(r)-1-k] == '\\' {
		k++
	}
	if k%2 == 1 {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}

// stripBidi drops the direction overrides, embeddings and isolates (U+202A–U+202E,
// U+2066–U+2069): inside a bot message they would reverse the bot's own text after the value.
// Marks that only hint direction (U+200E, U+200F) and joiners stay; scripts need them.
func stripBidi(s string) string {
	if !strings.ContainsAny(s, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069") {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 {
			return -1
		}
		return r
	}, s)
}
