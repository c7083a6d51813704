package restbase

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"
)

// recorder is a RoundTripper that remembers the request it was given and answers 204.
type recorder struct {
	got *http.Request
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.got = req
	return &http.Response{StatusCode: http.StatusNoContent, Body: http.NoBody, Request: req, Header: http.Header{}}, nil
}

func TestEndpointAPIHasTrailingSlash(t *testing.T) {
	// The rewrite cuts discordgo.EndpointAPI off the front of each URL and appends the rest to
	// the base plus "/", which is only right while discordgo keeps the trailing slash.
	if !strings.HasSuffix(discordgo.EndpointAPI, "/") || !strings.HasPrefix(discordgo.EndpointAPI, "https://discord.com/api/v") {
		t.Fatalf("discordgo.EndpointAPI = %q, want https://discord.com/api/vN/", discordgo.EndpointAPI)
	}
}

func TestNewTransportRejectsBadBases(t *testing.T) {
	for _, base := range []string{
		"",
		"   ",
		"discord.com/api/v10",
		"/api/v10",
		"ftp://discord.com/api/v10",
		"ws://127.0.0.1/gateway",
		"https://",
		"https://user:pw@discord.com/api/v10",
		"https://discord.com/api/v10?x=1",
		"https://discord.com/api/v10#frag",
		"http://[::1",
	} {
		rt, err := NewTransport(base, &recorder{})
		if err == nil {
			t.Errorf("NewTransport(%q) = %v, want an error", base, rt)
			continue
		}
		if !strings.Contains(err.Error(), "absolute http or https URL") {
			t.Errorf("NewTransport(%q) error %q does not say what is expected", base, err)
		}
	}
}

func TestNewTransportIdentityReturnsNext(t *testing.T) {
	next := &recorder{}
	rt, err := NewTransport(strings.TrimSuffix(discordgo.EndpointAPI, "/"), next)
	if err != nil {
		t.Fatal(err)
	}
	if rt != http.RoundTripper(next) {
		t.Fatalf("NewTransport with discordgo's own base returned %T, want next unchanged", rt)
	}
}

func TestNewTransportNilNextUsesDefault(t *testing.T) {
	rt, err := NewTransport(strings.TrimSuffix(discordgo.EndpointAPI, "/"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if rt != http.DefaultTransport {
		t.Fatalf("got %T, want http.DefaultTransport", rt)
	}
}

func TestDefaultBaseTargetsV10(t *testing.T) {
	next := &recorder{}
	rt, err := NewTransport(DefaultBase, next)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, discordgo.EndpointGateway, nil)
	if _, err := rt.RoundTrip(req); err != nil {
		t.Fatal(err)
	}
	if got, want := next.got.URL.String(), "https://discord.com/api/v10/gateway"; got != want {
		t.Fatalf("DefaultBase sent GET to %q, want %q", got, want)
	}
}

func TestRewrite(t *testing.T) {
	tests := []struct {
		name, base, in, want string
	}{
		{"messages", "http://127.0.0.1:8080/api/v10", discordgo.EndpointChannelMessages("123"), "http://127.0.0.1:8080/api/v10/channels/123/messages"},
		{"trailing slash on base", "http://127.0.0.1:8080/api/v10/", discordgo.EndpointChannelMessages("123"), "http://127.0.0.1:8080/api/v10/channels/123/messages"},
		{"query kept", "https://proxy.example/discord", discordgo.EndpointWebhookToken("1", "tok") + "?wait=true&thread_id=9", "https://proxy.example/discord/webhooks/1/tok?wait=true&thread_id=9"},
		{"escaping kept", "https://proxy.example/api", discordgo.EndpointMessageReaction("1", "2", "%F0%9F%91%8D", "@me"), "https://proxy.example/api/channels/1/messages/2/reactions/%F0%9F%91%8D/@me"},
		{"other hosts untouched", "https://proxy.example/api", discordgo.EndpointUserAvatar("1", "abc"), discordgo.EndpointUserAvatar("1", "abc")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			next := &recorder{}
			rt, err := NewTransport(tc.base, next)
			if err != nil {
				t.Fatal(err)
			}
			req, err := http.NewRequest(http.MethodPost, tc.in, strings.NewReader(`{"a":1}`))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bot x")
			before := req.URL.String()
			if _, err := rt.RoundTrip(req); err != nil {
				t.Fatal(err)
			}
			if got := next.got.URL.String(); got != tc.want {
				t.Errorf("rewritten URL = %q, want %q", got, tc.want)
			}
			if next.got.Host != "" && next.got.Host != next.got.URL.Host {
				t.Errorf("Host = %q, URL host %q", next.got.Host, next.got.URL.Host)
			}
			if next.got.Header.Get("Authorization") != "Bot x" {
				t.Errorf("headers not carried over: %v", next.got.Header)
			}
			if req.URL.String() != before {
				t.Errorf("caller's request was mutated: %q became %q", before, req.URL.String())
			}
			if tc.in != tc.want && next.got == req {
				t.Errorf("rewritten request is the caller's request, want a clone")
			}
		})
	}
}

func TestRewriteAgainstServer(t *testing.T) {
	var gotPath, gotQuery, gotHost, gotBody string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		gotPath, gotQuery, gotHost, gotBody = r.URL.Path, r.URL.RawQuery, r.Host, string(b)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()

	rt, err := NewTransport(srv.URL+"/api/v10", http.DefaultTransport)
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Transport: rt}
	req, _ := http.NewRequest(http.MethodPost, discordgo.EndpointInteractionResponse("42", "tok")+"?with_response=false", strings.NewReader(`{"type":1}`))
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if gotPath != "/api/v10/interactions/42/tok/callback" || gotQuery != "with_response=false" || gotBody != `{"type":1}` {
		t.Errorf("server saw path %q query %q body %q", gotPath, gotQuery, gotBody)
	}
	if want := strings.TrimPrefix(srv.URL, "http://"); gotHost != want {
		t.Errorf("server saw Host %q, want %q", gotHost, want)
	}
}
