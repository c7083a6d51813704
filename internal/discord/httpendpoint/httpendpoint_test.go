package httpendpoint_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"placementbot/internal/discord"
	"placementbot/internal/discord/httpendpoint"
	"placementbot/internal/redis"
	"placementbot/internal/testenv"
	"placementbot/internal/testenv/botenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

type endpoint struct {
	*botenv.Bot
	h      *httpendpoint.Handler
	url    string
	client *http.Client
	priv   ed25519.PrivateKey
	runs   *atomic.Int32
}

// newEndpoint serves a bot's interactions endpoint; options change the handler before it serves.
func newEndpoint(t *testing.T, options ...func(*httpendpoint.Handler)) endpoint {
	b := botenv.New(t)
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	runs := &atomic.Int32{}
	b.Router.Routes.Command("/count", 0, func(context.Context, *discord.Request) (*discord.Reply, error) {
		runs.Add(1)
		return &discord.Reply{Content: "counted"}, nil
	})
	h := &httpendpoint.Handler{Router: b.Router, PublicKey: pub, REST: b.Session,
		Claims: redis.NewIdempotency(b.Redis, "test:"), Log: botenv.Discard()}
	for _, o := range options {
		o(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return endpoint{Bot: b, h: h, url: srv.URL, client: http.DefaultClient, priv: priv, runs: runs}
}

// post sends body signed with key at the given time, as Discord does.
func (e endpoint) post(t *testing.T, body []byte, key ed25519.PrivateKey, at time.Time, headers bool) (int, []byte) {
	t.Helper()
	code, _, out := e.send(t, body, key, at, headers)
	return code, out
}

// send is post that also returns the reply's Content-Type.
func (e endpoint) send(t *testing.T, body []byte, key ed25519.PrivateKey, at time.Time, headers bool) (int, string, []byte) {
	t.Helper()
	req, err := http.NewRequest("POST", e.url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if headers {
		ts := strconv.FormatInt(at.Unix(), 10)
		req.Header.Set("X-Signature-Timestamp", ts)
		req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(key, append([]byte(ts), body...))))
	}
	resp, err := e.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Content-Type"), out
}

// deliver hands the HTTP reply to the fake Discord as the callback it stands for, so it is
// validated against Discord's schema like every other payload.
func (e endpoint) deliver(t *testing.T, in *discordgo.Interaction, body []byte) {
	t.Helper()
	e.deliverAs(t, in, "application/json", body)
}

// deliverAs is deliver for a reply of the given Content-Type, such as multipart/form-data.
func (e endpoint) deliverAs(t *testing.T, in *discordgo.Interaction, contentType string, body []byte) {
	t.Helper()
	ep := discordgo.EndpointInteractionResponse(in.ID, in.Token)
	if _, err := e.Session.RequestRaw("POST", ep, contentType, body, ep, 0); err != nil {
		t.Fatalf("Discord would refuse the HTTP reply %.2000s: %v", body, err)
	}
}

func TestSignedInteractionIsHandled(t *testing.T) {
	e := newEndpoint(t)
	in := testenv.Slash(testenv.Member("carol"), "setup show")
	code, body := e.post(t, testenv.JSON(in), e.priv, time.Now(), true)
	if code != 200 {
		t.Fatalf("status %d %s", code, body)
	}
	e.deliver(t, in, body)
	if text := e.Seen(t, in).Text(); !strings.Contains(text, "Placement setup") {
		t.Fatalf("reply: %s", body)
	}
}

func TestPingIsAnsweredWithPong(t *testing.T) {
	e := newEndpoint(t)
	code, body := e.post(t, []byte(`{"id":"1","application_id":"2","type":1,"token":"t","version":1}`), e.priv, time.Now(), true)
	if code != 200 || strings.TrimSpace(string(body)) != `{"type":1}` {
		t.Fatalf("PING: %d %s", code, body)
	}
}

func TestUnsignedOrStaleRequestsRunNothing(t *testing.T) {
	e := newEndpoint(t)
	_, otherKey, _ := ed25519.GenerateKey(rand.Reader)
	body := testenv.JSON(testenv.Slash(testenv.Member("bo"), "count"))
	tests := []struct {
		name    string
		body    []byte
		key     ed25519.PrivateKey
		at      time.Time
		headers bool
		want    int
	}{
		{"missing headers", body, e.priv, time.Now(), false, 401},
		{"signed by another key", body, otherKey, time.Now(), true, 401},
		{"timestamp six minutes old", body, e.priv, time.Now().Add(-6 * time.Minute), true, 401},
		{"timestamp six minutes ahead", body, e.priv, time.Now().Add(6 * time.Minute), true, 401},
		{"malformed JSON, correctly signed", []byte(`{"type":2,`), e.priv, time.Now(), true, 400},
	}
	for _, tt := range tests {
		if code, out := e.post(t, tt.body, tt.key, tt.at, tt.headers); code != tt.want {
			t.Errorf("%s: status %d %s, want %d", tt.name, code, out, tt.want)
		}
	}
	// A body altered after signing.
	req, _ := http.NewRequest("POST", e.url, bytes.NewReader(bytes.Replace(body, []byte("count"), []byte("cOunt"), 1)))
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req.Header.Set("X-Signature-Timestamp", ts)
	req.Header.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(e.priv, append([]byte(ts), body...))))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Errorf("tampered body: status %d", resp.StatusCode)
	}
	if n := e.runs.Load(); n != 0 || len(e.Discord.Calls()) != 0 {
		t.Fatalf("refused requests ran the handler %d times and made %d Discord calls", n, len(e.Discord.Calls()))
	}
	if code, _ := e.post(t, body, e.priv, time.Now(), true); code != 200 || e.runs.Load() != 1 {
		t.Fatalf("the same request properly signed: status %d, runs %d", code, e.runs.Load())
	}
}

func TestReplayedBodyIsAnsweredWithoutRunningAgain(t *testing.T) {
	e := newEndpoint(t)
	in := testenv.Slash(testenv.Member("bo"), "count")
	body, at := testenv.JSON(in), time.Now()
	code, first := e.post(t, body, e.priv, at, true)
	if code != 200 || !strings.Contains(string(first), "counted") {
		t.Fatalf("first delivery: %d %s", code, first)
	}
	e.deliver(t, in, first)
	for i := range 2 {
		// The same signed bytes, still inside the freshness window.
		code, again := e.post(t, body, e.priv, at, true)
		if code != 200 || !strings.Contains(string(again), "already handled") || !strings.Contains(string(again), `"flags":64`) {
			t.Fatalf("replay %d: %d %s", i+1, code, again)
		}
		// The answer must be one Discord takes as a first response; a fresh interaction stands
		// in for it, as the original was answered already.
		e.deliver(t, testenv.Slash(testenv.Member("bo"), "count"), again)
	}
	if n := e.runs.Load(); n != 1 {
		t.Fatalf("the handler ran %d times for one interaction delivered three times", n)
	}

	ac := testenv.Autocomplete(testenv.Member("bo"), "positions browse", testenv.StringOpt("keyword", "ro"))
	acBody := testenv.JSON(ac)
	e.post(t, acBody, e.priv, at, true)
	if code, again := e.post(t, acBody, e.priv, at, true); code != 200 || strings.TrimSpace(string(again)) != `{"type":8,"data":{"choices":[]}}` {
		t.Fatalf("replayed autocomplete: %d %s", code, again)
	}
}

// slowCommand posts a command that answers "slow answer" only once release is closed, and
// fails the test unless the HTTP reply is a deferral.
func (e endpoint) slowCommand(t *testing.T) (in *discordgo.Interaction, reply []byte, release chan struct{}) {
	t.Helper()
	e.Router.DeferAfter = 10 * time.Millisecond
	release = make(chan struct{})
	e.Router.Routes.Command("/slow", 0, func(context.Context, *discord.Request) (*discord.Reply, error) {
		<-release
		return &discord.Reply{Content: "slow answer"}, nil
	})
	in = testenv.Slash(testenv.Member("bo"), "slow")
	code, body := e.post(t, testenv.JSON(in), e.priv, time.Now(), true)
	if code != 200 || !strings.Contains(string(body), `"type":5`) {
		t.Fatalf("want a deferral in the HTTP reply: %d %s", code, body)
	}
	return in, body, release
}

func TestSlowInteractionIsDeferredInTheHTTPReply(t *testing.T) {
	e := newEndpoint(t)
	in, body, release := e.slowCommand(t)
	e.deliver(t, in, body)
	close(release)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	e.Discord.WaitForCalls(ctx, "PATCH", "/webhooks/{webhook_id}/{webhook_token}/messages/@original", 1)
	if seen := e.Seen(t, in); len(seen.Edits) != 1 || seen.Edits[0].Content != "slow answer" {
		t.Fatalf("edit after deferral: %+v", seen.Edits)
	}
}

// unreachable fails every request as a dropped connection does.
type unreachable struct{}

func (unreachable) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New("connection reset by peer")
}

func TestFailedRESTCallsLogNoToken(t *testing.T) {
	rest, err := discordgo.New("Bot test")
	if err != nil {
		t.Fatal(err)
	}
	rest.Client = &http.Client{Transport: unreachable{}}
	e := newEndpoint(t, func(h *httpendpoint.Handler) { h.REST = rest })
	in, _, release := e.slowCommand(t)
	close(release) // the edit after the deferral goes over REST and fails
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(e.Logs.String(), "sending deferred response failed"); {
		if time.Now().After(deadline) {
			t.Fatalf("the failed edit was not logged:\n%s", e.Logs)
		}
		time.Sleep(5 * time.Millisecond)
	}
	logs := e.Logs.String()
	if !strings.Contains(logs, "edit original response") || !strings.Contains(logs, "connection reset by peer") {
		t.Errorf("the log does not name the operation and the failure:\n%s", logs)
	}
	for _, leak := range []string{in.Token, "://", "/webhooks/"} {
		if strings.Contains(logs, leak) {
			t.Errorf("the log holds %q:\n%s", leak, logs)
		}
	}
}

func TestGetIsRefused(t *testing.T) {
	e := newEndpoint(t)
	resp, err := http.Get(e.url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 405 {
		t.Fatalf("GET: %d", resp.StatusCode)
	}
}
