// Package fakediscord is a strict fake Discord for tests: an httptest server that answers the
// REST calls the bot makes through discordgo, records them, and checks every request against
// Discord's published OpenAPI description (../shared/discord-api-spec/openapi.json beside the
// repository) plus the Discord rules that description cannot express. A request real Discord
// would refuse is answered 400 the way Discord answers it, and the test fails at cleanup unless
// it took the violations with TakeViolations. Files come as multipart/form-data, are held to
// Discord's file rules (files.go) and are recorded on Call.Files. The same server runs a fake
// gateway websocket.
//
// Wire the bot to it with restbase.NewTransport(fake.URL(), http.DefaultTransport) on
// discordgo's Session.Client, or take a ready session from Session.
package fakediscord

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"placementbot/internal/discord/restbase"
)

// Route templates, exactly as in Discord's OpenAPI description, for CallsTo, WaitForCalls,
// FailNext and SetResponse.
const (
	RouteInteractionCallback = "/interactions/{interaction_id}/{interaction_token}/callback"
	RouteWebhook             = "/webhooks/{webhook_id}/{webhook_token}"
	RouteOriginalMessage     = "/webhooks/{webhook_id}/{webhook_token}/messages/@original"
	RouteWebhookMessage      = "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}"
	RouteChannelMessages     = "/channels/{channel_id}/messages"
	RouteChannelMessage      = "/channels/{channel_id}/messages/{message_id}"
	RouteUserChannels        = "/users/@me/channels"
	RouteGlobalCommands      = "/applications/{application_id}/commands"
	RouteGuildCommands       = "/applications/{application_id}/guilds/{guild_id}/commands"
	RouteGateway             = "/gateway"
	RouteGatewayBot          = "/gateway/bot"
	RouteCurrentUser         = "/users/@me"
	RouteCurrentApplication  = "/applications/@me"
)

// Identities the fake uses in its answers and in the interactions it builds.
const (
	// ApplicationID is the bot's application id (also the webhook id of interaction followups).
	ApplicationID = "1100000000000000001"
	// BotUserID is the bot user's id; Discord gives a bot user its application's id.
	BotUserID = ApplicationID
	// BotUsername is the bot user's name.
	BotUsername = "placementbot"
	// GuildID is the guild of interactions built by Interaction.
	GuildID = "1100000000000000002"
	// ChannelID is the channel of interactions built by Interaction.
	ChannelID = "1100000000000000003"
	// UserID is the member who triggers interactions built by Interaction.
	UserID = "1100000000000000004"
)

const (
	apiPrefix   = "/api/v10"
	gatewayPath = "/gateway-ws"
	maxBody     = 25 << 20
	// firstID is where generated snowflakes start; well above the fixed identities.
	firstID = 1200000000000000000
)

// Server is a strict fake Discord: REST API and gateway on one httptest server.
type Server struct {
	t    testing.TB
	spec *apiSpec
	http *httptest.Server
	gw   *Gateway

	mu         sync.Mutex
	changed    chan struct{} // closed and replaced whenever a call or violation is recorded
	calls      []Call
	violations []Violation
	faults     []answer          // one-shot answers from FailNext, oldest first
	canned     map[string]answer // lasting answers from SetResponse, by method+" "+route
	nextID     int64
	dmChannels map[string]string         // recipient id → DM channel id
	commands   map[string][]any          // "global" or guild id → registered commands
	commandIDs map[string]string         // scope + type + name → command id, stable like Discord's
	messages   map[string]map[string]any // message id, or "@original/"+token → message object
}

// answer is a response forced by FailNext or SetResponse.
type answer struct {
	method, route string
	status        int
	body          string
}

// Call is one REST request the bot made.
type Call struct {
	Method string
	// Path is the request path relative to URL(), e.g. "/channels/1/messages".
	Path  string
	Query url.Values
	// Route is the matching template from Discord's OpenAPI description, "" if none matched.
	Route string
	// Params holds the path parameters by name, e.g. Params["channel_id"].
	Params map[string]string
	// Body is the raw request body.
	Body []byte
	// JSON is the decoded JSON payload (for multipart bodies, the payload_json part), decoded
	// by encoding/json (numbers are float64); nil when the request had none.
	JSON any
	// Files are the file parts of a multipart body, in the order they were sent.
	Files []File
	// Status is the HTTP status the fake answered with.
	Status int
	Time   time.Time

	payload []byte
}

// Decode unmarshals the call's JSON payload into v, e.g. a *discordgo.InteractionResponse.
func (c Call) Decode(v any) error {
	if c.payload == nil {
		return fmt.Errorf("%s %s carried no JSON payload", c.Method, c.Path)
	}
	return json.Unmarshal(c.payload, v)
}

// Violation is a request that real Discord would refuse, or that breaks a rule every bot
// message must follow.
type Violation struct {
	Method string
	Path   string
	Route  string
	// Reason says what is wrong and where in the body.
	Reason string
	// Excerpt is the offending part of the request body as JSON.
	Excerpt string
}

// String formats the violation for a test log.
func (v Violation) String() string {
	route := v.Route
	if route == "" {
		route = "no route"
	}
	s := fmt.Sprintf("%s %s (%s): %s", v.Method, v.Path, route, v.Reason)
	if v.Excerpt != "" {
		s += "\n      offending JSON: " + v.Excerpt
	}
	return s
}

// New starts a fake Discord for the test and stops it at cleanup, failing the test if any
// violation was recorded and not taken. A missing OpenAPI description fails the test.
func New(t testing.TB) *Server {
	t.Helper()
	spec, err := loadSpec()
	if err != nil {
		t.Fatalf("fakediscord: %v", err)
	}
	s := &Server{
		t:          t,
		spec:       spec,
		changed:    make(chan struct{}),
		canned:     map[string]answer{},
		dmChannels: map[string]string{},
		commands:   map[string][]any{},
		commandIDs: map[string]string{},
		messages:   map[string]map[string]any{},
	}
	s.gw = newGateway(s)
	s.http = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	t.Cleanup(func() {
		s.gw.closeAll()
		s.http.Close()
		if vs := s.Violations(); len(vs) > 0 {
			var b strings.Builder
			for i, v := range vs {
				fmt.Fprintf(&b, "\n  %d. %s", i+1, v)
			}
			t.Errorf("fakediscord: %d request(s) that real Discord would refuse or that break the bot's message rules:%s", len(vs), b.String())
		}
	})
	return s
}

// SpecLoadTime reports how long reading and parsing Discord's OpenAPI description took in
// this process (schemas are compiled later, per operation, on first use).
func SpecLoadTime() time.Duration {
	if _, err := loadSpec(); err != nil {
		return 0
	}
	return specLoadTime
}

// URL is the REST base to configure the bot with, e.g. "http://127.0.0.1:PORT/api/v10".
func (s *Server) URL() string {
	return s.http.URL + apiPrefix
}

// GatewayURL is the websocket URL the fake hands out from GET /gateway.
func (s *Server) GatewayURL() string {
	return "ws" + strings.TrimPrefix(s.http.URL, "http") + gatewayPath
}

// Gateway returns the fake gateway served by this server.
func (s *Server) Gateway() *Gateway {
	return s.gw
}

// Session returns a discordgo session wired to the fake: its HTTP client rewrites discordgo's
// REST URLs to URL(), rate-limit retries and REST retries are off so every answer reaches the
// caller at once, and it does not reconnect after a gateway error.
func (s *Server) Session(token string) *discordgo.Session {
	s.t.Helper()
	sess, err := discordgo.New(token)
	if err != nil {
		s.t.Fatalf("fakediscord: new discordgo session: %v", err)
	}
	tr, err := restbase.NewTransport(s.URL(), http.DefaultTransport)
	if err != nil {
		s.t.Fatalf("fakediscord: %v", err)
	}
	sess.Client = &http.Client{Transport: tr, Timeout: 30 * time.Second}
	sess.ShouldRetryOnRateLimit = false
	sess.MaxRestRetries = 0
	sess.ShouldReconnectOnError = false
	return sess
}

// Calls returns a copy of every REST call recorded so far, in order.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

// CallsTo returns the recorded calls with the given method and route template.
func (s *Server) CallsTo(method, route string) []Call {
	s.t.Helper()
	s.checkRoute(method, route)
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.filter(method, route)
}

// WaitForCalls blocks until n calls with the given method and route were recorded and returns
// them. If ctx ends first it reports an error on the test and returns the calls seen so far.
func (s *Server) WaitForCalls(ctx context.Context, method, route string, n int) []Call {
	s.t.Helper()
	s.checkRoute(method, route)
	for {
		s.mu.Lock()
		got := s.filter(method, route)
		ch := s.changed
		s.mu.Unlock()
		if len(got) >= n {
			return got
		}
		select {
		case <-ch:
		case <-ctx.Done():
			s.t.Errorf("fakediscord: waiting for %d %s %s call(s): %v after %d", n, method, route, ctx.Err(), len(got))
			return got
		}
	}
}

func (s *Server) filter(method, route string) []Call {
	var out []Call
	for _, c := range s.calls {
		if c.Method == strings.ToUpper(method) && c.Route == route {
			out = append(out, c)
		}
	}
	return out
}

// Violations returns a copy of the violations recorded and not yet taken.
func (s *Server) Violations() []Violation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.violations)
}

// TakeViolations returns the violations recorded so far and forgets them, for tests that
// expect the bot's request to be refused.
func (s *Server) TakeViolations() []Violation {
	s.mu.Lock()
	defer s.mu.Unlock()
	v := s.violations
	s.violations = nil
	return v
}

// Reset forgets recorded calls and violations and drops pending FailNext answers. Answers set
// with SetResponse and the fake's state (DM channels, registered commands, messages) remain.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls, s.violations, s.faults = nil, nil, nil
}

// FailNext makes the next valid call with this method and route answer status and body, e.g.
// FailNext("POST", RouteChannelMessages, 403, `{"code":50007,"message":"Cannot send messages to this user"}`).
// A call the fake refuses as invalid does not use it up.
func (s *Server) FailNext(method, route string, status int, body string) {
	s.t.Helper()
	s.checkRoute(method, route)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, answer{strings.ToUpper(method), route, status, body})
}

// SetResponse makes every later valid call with this method and route answer status and body,
// for routes whose default answer does not suit a test.
func (s *Server) SetResponse(method, route string, status int, body string) {
	s.t.Helper()
	s.checkRoute(method, route)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.canned[strings.ToUpper(method)+" "+route] = answer{strings.ToUpper(method), route, status, body}
}

// checkRoute reports a test bug: a route template or method that Discord's API does not have.
func (s *Server) checkRoute(method, route string) {
	s.t.Helper()
	if s.spec.operation(method, route) == nil {
		s.t.Errorf("fakediscord: %s %s is not an operation in Discord's OpenAPI description", strings.ToUpper(method), route)
	}
}

// Interaction builds an interaction payload as Discord sends it (a fresh id and token, the
// fake application, a member of GuildID in ChannelID) for SendInteraction or an HTTP
// transport test. data is the interaction's "data" object; typ is e.g.
// discordgo.InteractionApplicationCommand.
func (s *Server) Interaction(typ discordgo.InteractionType, data map[string]any) map[string]any {
	id := s.newID()
	return map[string]any{
		"id":             id,
		"application_id": ApplicationID,
		"type":           int(typ),
		"data":           data,
		"guild_id":       GuildID,
		"channel_id":     ChannelID,
		"channel":        map[string]any{"id": ChannelID, "type": 0, "guild_id": GuildID, "name": "general"},
		"member": map[string]any{
			"user":        map[string]any{"id": UserID, "username": "member", "discriminator": "0", "global_name": "Member"},
			"roles":       []any{},
			"joined_at":   "2024-01-01T00:00:00.000000+00:00",
			"permissions": "0",
			"deaf":        false,
			"mute":        false,
			"flags":       0,
		},
		"token":                          "itoken-" + id,
		"version":                        1,
		"app_permissions":                "0",
		"locale":                         "en-US",
		"guild_locale":                   "en-US",
		"entitlements":                   []any{},
		"authorizing_integration_owners": map[string]any{"0": GuildID},
		"context":                        0,
	}
}

func (s *Server) newID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.newIDLocked()
}

func (s *Server) newIDLocked() string {
	s.nextID++
	return strconv.FormatInt(firstID+s.nextID, 10)
}

// broadcastLocked wakes every WaitForCalls; s.mu must be held.
func (s *Server) broadcastLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

func (s *Server) addViolations(vs ...Violation) {
	if len(vs) == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.violations = append(s.violations, vs...)
	s.broadcastLocked()
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == gatewayPath || r.URL.Path == gatewayPath+"/" {
		s.gw.serve(w, r)
		return
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	call := Call{Method: r.Method, Query: r.URL.Query(), Body: raw, Time: time.Now()}
	escaped := r.URL.EscapedPath()
	violation := func(reason, excerpt string) Violation {
		return Violation{Method: call.Method, Path: call.Path, Route: call.Route, Reason: reason, Excerpt: excerpt}
	}

	if !strings.HasPrefix(escaped, apiPrefix+"/") {
		call.Path = escaped
		s.finish(w, call, http.StatusNotFound, notFound, violation(fmt.Sprintf("request outside the REST base %s: is the session's HTTP client wired with restbase.NewTransport(fake.URL(), ...)?", apiPrefix), ""))
		return
	}
	call.Path = strings.TrimPrefix(escaped, apiPrefix)
	op, params, pathKnown := s.spec.match(r.Method, call.Path)
	if op == nil {
		if pathKnown {
			s.finish(w, call, http.StatusMethodNotAllowed, `{"message": "405: Method Not Allowed", "code": 0}`, violation("Discord's API has this path but not the method "+r.Method, ""))
			return
		}
		s.finish(w, call, http.StatusNotFound, notFound, violation("no such route in Discord's API (OpenAPI description)", ""))
		return
	}
	call.Route, call.Params = op.route, params

	if !op.anonymous {
		auth := r.Header.Get("Authorization")
		if !strings.HasPrefix(auth, "Bot ") && !strings.HasPrefix(auth, "Bearer ") {
			s.finish(w, call, http.StatusUnauthorized, `{"message": "401: Unauthorized", "code": 0}`,
				violation(fmt.Sprintf("route needs a bot token but the Authorization header is %q; bot tokens are sent as \"Bot <token>\"", redact(auth)), ""))
			return
		}
	}

	var issues []issue
	var vs []Violation
	if pi := s.checkParams(op, params, call.Query); len(pi) > 0 {
		issues = append(issues, pi...)
		vs = append(vs, violation("invalid URL parameters: "+joinIssues(pi), ""))
	}

	payload, body, files, fileIssues, bodyIssues, whole := s.readPayload(op, r.Header.Get("Content-Type"), raw)
	if payload != nil {
		call.payload = payload
		_ = json.Unmarshal(payload, &call.JSON)
	}
	call.Files = files
	for _, is := range fileIssues {
		vs = append(vs, violation("breaks a Discord file rule: "+is.String(), ""))
	}
	issues = append(issues, fileIssues...)
	if len(bodyIssues) > 0 {
		issues = append(issues, bodyIssues...)
		if whole {
			vs = append(vs, violation(joinIssues(bodyIssues), clip(string(raw))))
		} else {
			for _, is := range bodyIssues {
				vs = append(vs, violation("request body does not match Discord's schema for "+op.id+": "+is.String(), excerpt(body, is.loc)))
			}
		}
	}
	if body != nil && len(bodyIssues) == 0 {
		m, early := classify(op.method, op.route, body)
		if m.msg != nil || len(early) > 0 {
			ruleIssues := append(early, checkMessage(m, s.flagsFor(op, params, m), len(files) > 0)...)
			for _, is := range ruleIssues {
				vs = append(vs, violation("breaks a Discord message rule: "+is.String(), excerpt(body, is.loc)))
			}
			issues = append(issues, ruleIssues...)
		}
		if len(early) == 0 {
			fi := checkFiles(m, files, s.attachmentsFor(op, params))
			for _, is := range fi {
				vs = append(vs, violation("breaks a Discord file rule: "+is.String(), excerpt(body, is.loc)))
			}
			issues = append(issues, fi...)
		}
	}
	if body != nil && len(bodyIssues) == 0 && isCommandWrite(op) {
		ci := checkCommands(body)
		for _, is := range ci {
			vs = append(vs, violation("breaks a Discord command rule: "+is.String(), excerpt(body, is.loc)))
		}
		issues = append(issues, ci...)
	}
	if len(vs) > 0 {
		s.finish(w, call, http.StatusBadRequest, string(discordErrorBody(issues)), vs...)
		return
	}

	status, out := s.respond(op, call, body)
	s.finish(w, call, status, out)
}

const notFound = `{"message": "404: Not Found", "code": 0}`

// finish records the call (and violations) before answering, so a test that saw discordgo
// return also sees the call.
func (s *Server) finish(w http.ResponseWriter, call Call, status int, body string, vs ...Violation) {
	call.Status = status
	s.mu.Lock()
	s.calls = append(s.calls, call)
	s.violations = append(s.violations, vs...)
	s.broadcastLocked()
	s.mu.Unlock()
	if status == http.StatusNoContent {
		w.WriteHeader(status)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// checkParams validates path parameters and the declared query parameters that are present.
func (s *Server) checkParams(op *operation, path map[string]string, query url.Values) []issue {
	var out []issue
	for _, p := range op.params {
		var text string
		switch p.in {
		case "path":
			text = path[p.name]
		case "query":
			vals, ok := query[p.name]
			if !ok {
				if p.required {
					out = append(out, issue{loc: []string{p.name}, msg: "required query parameter is missing", code: "BASE_TYPE_REQUIRED", text: "This field is required"})
				}
				continue
			}
			text = vals[0]
		}
		if p.ptr == "" {
			continue
		}
		v, err := coerce(text, p.typ)
		if err != nil {
			out = append(out, issue{loc: []string{p.name}, msg: fmt.Sprintf("%s parameter %q: %v", p.in, text, err), code: "BASE_TYPE_INVALID", text: err.Error()})
			continue
		}
		sch, err := s.spec.schema(p.ptr)
		if err != nil {
			s.t.Errorf("fakediscord: %v", err)
			continue
		}
		if err := sch.Validate(v); err != nil {
			for _, is := range schemaIssues(err) {
				is.loc = append([]string{p.name}, is.loc...)
				is.msg = fmt.Sprintf("%s parameter %q: %s", p.in, text, is.msg)
				out = append(out, is)
			}
		}
	}
	return out
}

// coerce turns URL text into the JSON value the parameter schema describes.
func coerce(text, typ string) (any, error) {
	switch typ {
	case "boolean":
		switch strings.ToLower(text) {
		case "true", "1":
			return true, nil
		case "false", "0":
			return false, nil
		}
		return nil, fmt.Errorf("want true or false")
	case "integer", "number":
		if _, err := strconv.ParseFloat(text, 64); err != nil {
			return nil, fmt.Errorf("want a number")
		}
		return json.Number(text), nil
	}
	return text, nil
}

// readPayload extracts and validates the JSON payload of a request, and the files of a
// multipart body. fileIssues are file parts Discord refuses; whole reports that bodyIssues
// concern the body as a whole (not JSON, wrong media type) rather than fields in it.
func (s *Server) readPayload(op *operation, contentType string, raw []byte) (payload []byte, body any, files []File, fileIssues, bodyIssues []issue, whole bool) {
	if len(raw) > maxBody {
		return nil, nil, nil, nil, []issue{{msg: "request body is larger than 25 MiB", code: "BASE_TYPE_MAX_LENGTH", text: "Request entity too large"}}, true
	}
	if len(op.content) == 0 {
		// discordgo sends no body for these; one that arrives anyway is ignored, as Discord does.
		return nil, nil, nil, nil, nil, false
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		if op.bodyRequired {
			return nil, nil, nil, nil, []issue{{msg: "request body is required but empty", code: "BASE_TYPE_REQUIRED", text: "This field is required"}}, true
		}
		return nil, nil, nil, nil, nil, false
	}
	mt, mparams, err := mime.ParseMediaType(contentType)
	if err != nil {
		return nil, nil, nil, nil, []issue{{msg: fmt.Sprintf("Content-Type %q: %v", contentType, err), code: "CONTENT_TYPE_INVALID", text: "Invalid content type"}}, true
	}
	var ptr string
	switch mt {
	case "application/json":
		payload = raw
		ptr = op.content["application/json"]
	case "multipart/form-data":
		payload, files, fileIssues, err = readMultipart(raw, mparams["boundary"])
		if err != nil {
			return nil, nil, nil, nil, []issue{{msg: err.Error(), code: "CONTENT_TYPE_INVALID", text: err.Error()}}, true
		}
		// The description has no payload_json property: its multipart schema is the JSON
		// schema plus the files[n] parts, so payload_json is checked against it.
		ptr = op.content["multipart/form-data"]
		if ptr == "" {
			ptr = op.content["application/json"]
		}
	default:
		return nil, nil, nil, nil, []issue{{msg: fmt.Sprintf("Content-Type %q: the bot sends application/json (or multipart/form-data with payload_json for files)", mt), code: "CONTENT_TYPE_INVALID", text: "Invalid content type"}}, true
	}
	if ptr == "" {
		return payload, nil, files, fileIssues, []issue{{msg: fmt.Sprintf("operation %s does not accept %s", op.id, mt), code: "CONTENT_TYPE_INVALID", text: "Invalid content type"}}, true
	}
	body, err = jsonschema.UnmarshalJSON(bytes.NewReader(payload))
	if err != nil {
		return nil, nil, files, fileIssues, []issue{{msg: "body is not valid JSON: " + err.Error(), code: "JSON_INVALID", text: "The request body contains invalid JSON."}}, true
	}
	sch, err := s.spec.schema(ptr)
	if err != nil {
		s.t.Errorf("fakediscord: %v", err)
		return payload, body, files, fileIssues, nil, false
	}
	if err := sch.Validate(specDeviations(op, body)); err != nil {
		return payload, body, files, fileIssues, schemaIssues(err), false
	}
	return payload, body, files, fileIssues, nil, false
}

// specDeviations returns the body to validate, correcting the one place where the description
// contradicts Discord's documentation for something discordgo sends.
//
// default_member_permissions of an application command is documented as a string ("?string",
// a permission bit set that does not fit in a JSON number for every client) and discordgo
// marshals it with `json:",string"`, but the description types it as integer. A string of
// digits there is therefore validated as the integer it encodes; nothing else is relaxed. The
// original body (with the string) is what gets recorded and echoed.
func specDeviations(op *operation, body any) any {
	if !isCommandWrite(op) {
		return body
	}
	fix := func(v any) any {
		m, ok := v.(map[string]any)
		if !ok {
			return v
		}
		p, ok := m["default_member_permissions"].(string)
		if !ok || p == "" || strings.TrimLeft(p, "0123456789") != "" {
			return v
		}
		c := make(map[string]any, len(m))
		for k, x := range m {
			c[k] = x
		}
		c["default_member_permissions"] = json.Number(p)
		return c
	}
	if list, ok := body.([]any); ok {
		out := make([]any, len(list))
		for i, v := range list {
			out[i] = fix(v)
		}
		return out
	}
	return fix(body)
}

// isCommandWrite reports a request that registers or edits application commands.
func isCommandWrite(op *operation) bool {
	if op.method == "GET" || op.method == "DELETE" {
		return false
	}
	return op.route == RouteGlobalCommands || op.route == RouteGuildCommands ||
		op.route == RouteGlobalCommands+"/{command_id}" || op.route == RouteGuildCommands+"/{command_id}"
}

// flagsFor returns the message flags that decide the component rules: the body's, else those
// of the message being edited, when the fake knows it.
func (s *Server) flagsFor(op *operation, params map[string]string, m messageRequest) int64 {
	if f, ok := integer(m.msg["flags"]); ok {
		return f
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f, _ := integer(s.messages[editedKey(op, params)]["flags"])
	return f
}

// attachmentsFor returns the attachments of the message a request edits, when the fake knows it.
func (s *Server) attachmentsFor(op *operation, params map[string]string) []any {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, _ := s.messages[editedKey(op, params)]["attachments"].([]any)
	return a
}

// editedKey is the key in s.messages of the message a request edits, "" for other requests.
func editedKey(op *operation, params map[string]string) string {
	if op.method != "PATCH" {
		return ""
	}
	switch op.route {
	case RouteOriginalMessage:
		return "@original/" + params["webhook_token"]
	case RouteWebhookMessage, RouteChannelMessage:
		return params["message_id"]
	}
	return ""
}

func joinIssues(is []issue) string {
	parts := make([]string, len(is))
	for i, x := range is {
		parts[i] = x.String()
	}
	return strings.Join(parts, "; ")
}

// redact keeps a token out of test logs while still showing how the header starts.
func redact(auth string) string {
	if len(auth) > 8 {
		return auth[:4] + "…"
	}
	return auth
}
