package restbase

import (
	"errors"
	"fmt"
	"net/url"

	"github.com/bwmarrin/discordgo"
)

// Error is a failed Discord REST call described by its operation and Discord's answer only.
// Interaction callback and webhook URLs carry the interaction token, which lets anyone answer
// as the bot for 15 minutes, and net/http puts the URL in every network error; this error's
// text never holds a URL, and errors.Is and errors.As still reach the original.
type Error struct {
	Op  string // what was being done, such as "edit original response"
	err error
}

// Redact wraps a REST call's error (nil stays nil) so that its text names op, the HTTP status
// and Discord's error code, or the network failure, and never the request URL.
func Redact(op string, err error) error {
	if err == nil {
		return nil
	}
	return &Error{Op: op, err: err}
}

func (e *Error) Error() string {
	var rest *discordgo.RESTError
	if errors.As(e.err, &rest) && rest.Response != nil {
		msg := fmt.Sprintf("discord %s: HTTP %d", e.Op, rest.Response.StatusCode)
		if rest.Message != nil && rest.Message.Code != 0 {
			msg += fmt.Sprintf(" (code %d)", rest.Message.Code)
		}
		return msg
	}
	var ue *url.Error
	if errors.As(e.err, &ue) {
		return fmt.Sprintf("discord %s: %s failed: %v", e.Op, ue.Op, ue.Err)
	}
	var rl *discordgo.RateLimitError
	if errors.As(e.err, &rl) {
		return fmt.Sprintf("discord %s: rate limited for %v", e.Op, rl.RetryAfter)
	}
	return fmt.Sprintf("discord %s: %v", e.Op, e.err)
}

// Unwrap returns the original error, for errors.Is and errors.As; never log it.
func (e *Error) Unwrap() error { return e.err }
