package outbox_test

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"placementbot/internal/outbox"
	"placementbot/internal/testenv/botenv"
)

// unreachable fails every request as a dropped connection does.
type unreachable struct{}

func (unreachable) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New("connection reset by peer")
}

func TestNetworkErrorsAreLoggedWithoutURLs(t *testing.T) {
	e := newEnv(t)
	s := e.fake.Session("Bot test")
	s.Client = &http.Client{Transport: unreachable{}}
	logs := &botenv.Logs{}
	w := outbox.New(outbox.Config{Store: e.store, Sender: outbox.DiscordSender{Session: s}, Catalog: loadCatalog(t),
		Now: e.clock.Now, Log: slog.New(slog.NewJSONHandler(logs, nil))})
	dm := e.insert(offer("dm", studentEN))
	post := e.insert(row{key: "post", channelID: channel, messageKey: "note.app_offered", data: offer("", "").data})
	runOnce(t, e.ctx, w, 2)

	out := logs.String()
	for _, want := range []string{"open DM channel", "create message", "connection reset by peer"} {
		if !strings.Contains(out, want) {
			t.Errorf("logs do not name %q:\n%s", want, out)
		}
	}
	for _, leak := range []string{"://", "/channels", "/users/"} {
		if strings.Contains(out, leak) {
			t.Errorf("logs contain %q:\n%s", leak, out)
		}
	}
	for _, id := range []int64{dm, post} {
		if last := e.state(id).LastError; strings.Contains(last, "://") {
			t.Errorf("notification %d stored a URL: %s", id, last)
		}
	}
}
