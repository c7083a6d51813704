// Package placement is the domain of the bot: guild setup, roles, and (as the product grows)
// enterprises, positions, applications and placements. It knows nothing of Discord or SQL.
package placement

import (
	"errors"
	"fmt"
)

// Error codes: the small set of outcomes a transport translates into what the member sees.
const (
	EINVALID     = "invalid"     // the input is wrong; nothing changed
	ENOTFOUND    = "not_found"   // the thing does not exist in this guild
	ECONFLICT    = "conflict"    // the state changed under the request (already done, full, closed)
	EFORBIDDEN   = "forbidden"   // the member's current roles do not allow this
	EUNAVAILABLE = "unavailable" // a backing service (database, session store) cannot be reached
	EINTERNAL    = "internal"    // a bug or an unexpected failure
)

// Error is a domain error with a code and a message key from the message catalog,
// so every transport can show it to the member in their language.
type Error struct {
	Code string
	Key  string         // message catalog id, e.g. "err.coordinator_only"
	Data map[string]any // template data for the message
	Err  error          // underlying cause, for logs only
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("placement: %s (%s): %v", e.Key, e.Code, e.Err)
	}
	return fmt.Sprintf("placement: %s (%s)", e.Key, e.Code)
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf builds a domain error with a catalog key and optional template data.
func Errorf(code, key string, data map[string]any) *Error {
	return &Error{Code: code, Key: key, Data: data}
}

// Unavailable wraps an infrastructure failure so the member is told nothing was saved.
func Unavailable(key string, err error) *Error {
	return &Error{Code: EUNAVAILABLE, Key: key, Err: err}
}

// ErrorCode returns the code of a domain error, or EINTERNAL for anything else.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}
