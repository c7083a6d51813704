package ui

import (
	"strconv"
	"strings"

	"placementbot/internal/placement"
)

// maxIDDigits is the length of the largest int64.
const maxIDDigits = 19

// ParseID reads an id a member typed or picked: a positive decimal number, digits only, with
// surrounding spaces and one leading "#" (as lists show ids) allowed. Signs, spaces inside,
// other digits and overflow are refused.
func ParseID(s string) (int64, bool) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "#")
	if s == "" || len(s) > maxIDDigits || strings.TrimLeft(s, "0123456789") != "" {
		return 0, false
	}
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id > 0
}

// VarID reads an id from a custom_id variable, which the bot wrote as plain digits: anything
// else was edited by the client and reads as a stale component.
func VarID(vars map[string]string, name string) (int64, error) { return WrittenID(vars[name]) }

// WrittenID reads an id the bot wrote itself (a custom_id segment, a menu option's value):
// anything but canonical digits was edited by the client and reads as a stale component.
func WrittenID(s string) (int64, error) {
	id, ok := ParseID(s)
	if !ok || FormatID(id) != s {
		return 0, StaleComponent()
	}
	return id, nil
}

// VarInt reads a small non-negative number (a page) from a custom_id variable.
func VarInt(vars map[string]string, name string, max int) (int, error) {
	s := vars[name]
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > max || strconv.Itoa(n) != s {
		return 0, StaleComponent()
	}
	return n, nil
}

// FormatID writes an id the way ParseID and VarID read it.
func FormatID(id int64) string { return strconv.FormatInt(id, 10) }

// StaleComponent is the error for a button, menu or form whose custom_id the bot did not write
// (or no longer understands).
func StaleComponent() error { return placement.Errorf(placement.EINVALID, "err.stale_component", nil) }

// IsSessionKey reports whether a custom_id segment has the shape of a key Sessions.NewKey makes.
func IsSessionKey(s string) bool {
	if len(s) == 0 || len(s) > 32 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}
