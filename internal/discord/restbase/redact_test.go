package restbase

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

func TestRedactedErrorsNameNoURL(t *testing.T) {
	const token = "aW50ZXJhY3Rpb246MTIzNDU2Nzg5OnNlY3JldA"
	callback := "https://discord.com/api/v10/interactions/1234/" + token + "/callback"
	req, _ := http.NewRequest("POST", callback, nil)
	rest := &discordgo.RESTError{Request: req, Response: &http.Response{StatusCode: 404, Status: "404 Not Found", Request: req},
		ResponseBody: []byte(`{"message":"Unknown interaction","code":10062}`), Message: &discordgo.APIErrorMessage{Code: 10062, Message: "Unknown interaction"}}
	network := &url.Error{Op: "Post", URL: callback, Err: context.DeadlineExceeded}
	limited := &discordgo.RateLimitError{RateLimit: &discordgo.RateLimit{URL: callback, TooManyRequests: &discordgo.TooManyRequests{RetryAfter: 2 * time.Second}}}
	tests := []struct {
		err  error
		want string
	}{
		{rest, "discord interaction response: HTTP 404 (code 10062)"},
		{network, "discord interaction response: Post failed: context deadline exceeded"},
		{limited, "discord interaction response: rate limited for 2s"},
	}
	for _, tt := range tests {
		err := Redact("interaction response", tt.err)
		if got := err.Error(); got != tt.want || strings.Contains(got, token) {
			t.Errorf("Redact(%T) = %q, want %q", tt.err, got, tt.want)
		}
		if !errors.Is(err, tt.err) {
			t.Errorf("Redact(%T) no longer reaches the original error", tt.err)
		}
	}
	if !errors.Is(Redact("x", network), context.DeadlineExceeded) {
		t.Error("a redacted timeout is no longer a deadline error")
	}
	if Redact("x", nil) != nil {
		t.Error("Redact(nil) is not nil")
	}
}
