package placement

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// cleanText trims s and checks its length in characters; control characters other than line
// breaks are removed so nothing invisible ends up in a card.
func cleanText(field, s string, min, max int) (string, error) {
	s = strings.Map(func(r rune) rune {
		if r == '\n' || !unicode.IsControl(r) {
			return r
		}
		return -1
	}, strings.TrimSpace(s))
	n := utf8.RuneCountInString(s)
	if n < min {
		if n == 0 {
			return "", Errorf(EINVALID, "err.field_required", map[string]any{"Field": field})
		}
		return "", Errorf(EINVALID, "err.field_too_short", map[string]any{"Field": field, "Min": min})
	}
	if n > max {
		return "", Errorf(EINVALID, "err.field_too_long", map[string]any{"Field": field, "Max": max, "Got": n})
	}
	return s, nil
}

// ParseList splits a comma-separated list (commas, Chinese commas, semicolons or line breaks),
// trims items and folds their inner spaces, drops empties and duplicates, and bounds the count
// and length. Items keep the casing typed ("CNC", "AutoCAD") for display; duplicates are found
// ignoring case, as every match of skills and programs is (ContainsItem).
func ParseList(field, s string, maxItems, maxLen int) ([]string, error) {
	parts := splitList(s)
	var out []string
	seen := map[string]bool{}
	for _, p := range parts {
		p = strings.Join(strings.Fields(p), " ")
		key := strings.ToLower(p)
		if p == "" || seen[key] {
			continue
		}
		if utf8.RuneCountInString(p) > maxLen {
			return nil, Errorf(EINVALID, "err.list_item_too_long", map[string]any{"Field": field, "Item": p, "Max": maxLen})
		}
		seen[key] = true
		out = append(out, p)
	}
	if len(out) > maxItems {
		return nil, Errorf(EINVALID, "err.list_too_long", map[string]any{"Field": field, "Max": maxItems})
	}
	return out, nil
}

// ContainsItem reports whether a list (skills, programs, locations) holds the item whatever
// its casing.
func ContainsItem(list []string, item string) bool {
	return slices.ContainsFunc(list, func(x string) bool { return strings.EqualFold(x, item) })
}

// splitList cuts a typed list at commas, semicolons (also full-width), enumeration commas and
// line breaks.
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' || r == ';' || r == '；' || r == '\n' || r == '、' })
}

// DateLayout is how dates are typed and shown: 2026-09-01.
const DateLayout = "2006-01-02"

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

func trimSpace(s string) string { return strings.TrimSpace(s) }

// splitRange splits "a to b", "a - b" (with spaces), "a ~ b" or "a 至 b".
func splitRange(s string) []string {
	for _, sep := range []string{" to ", " - ", "~", "至", " – "} {
		if i := strings.Index(s, sep); i >= 0 {
			return []string{strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+len(sep):])}
		}
	}
	return strings.Fields(s)
}
