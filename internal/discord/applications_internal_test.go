package discord

import (
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzAppParseID(f *testing.F) {
	for _, s := range []string{"1", "42", "0", "-1", "+1", " 1", "1 ", "007", "1e3", "0x10", "", "１",
		"9223372036854775807", "9223372036854775808", "99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, ok := appParseID(s)
		if !ok {
			return
		}
		if id <= 0 || s == "" || strings.TrimLeft(s, "0123456789") != "" {
			t.Fatalf("%q accepted as %d", s, id)
		}
		if n, err := strconv.ParseInt(s, 10, 64); err != nil || n != id {
			t.Fatalf("%q read as %d, want %d (%v)", s, id, n, err)
		}
	})
}

// appUnescape undoes appText: it drops the backslash before an escaped character and the
// zero-width space put after @.
func appUnescape(s string) string {
	var b strings.Builder
	escaped, afterAt := false, false
	for _, c := range s {
		switch {
		case escaped:
			b.WriteRune(c)
			escaped = false
		case c == '\\':
			escaped = true
		case afterAt && c == '\u200b':
		default:
			b.WriteRune(c)
		}
		afterAt = !escaped && c == '@'
	}
	return b.String()
}

func FuzzAppText(f *testing.F) {
	for _, s := range []string{"plain", "**bold** _it_ ~~x~~ `code` ||spoiler||", "@everyone @here <@123> <#9> [a](http://b)",
		"# heading\n> quote\n- item", "-dash", "+plus", `back\slash`, "@\u200beveryone", "line\r\nbreak\ttab"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		out := appText(s)
		if strings.ContainsAny(out, "\n\r") {
			t.Fatalf("line break in %q", out)
		}
		if strings.Contains(out, "@everyone") || strings.Contains(out, "@here") {
			t.Fatalf("mention in %q", out)
		}
		for i, c := range out {
			if strings.ContainsRune("*_~`|<>[]#", c) && (i == 0 || out[i-1] != '\\') {
				t.Fatalf("unescaped %q at %d in %q", c, i, out)
			}
		}
		if got, want := appUnescape(out), appOneLine(s); got != want {
			t.Fatalf("appText(%q) = %q reads as %q, want %q", s, out, got, want)
		}
	})
}
