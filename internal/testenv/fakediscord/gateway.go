package fakediscord

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Gateway is the fake Discord gateway at GatewayURL(): HELLO, IDENTIFY, READY, heartbeats,
// and dispatches the test sends.
type Gateway struct {
	s *Server

	mu         sync.Mutex
	changed    chan struct{} // closed and replaced whenever a connection becomes ready or goes away
	conns      []*gwConn
	identifies []Identify
	sessions   int
}

// Identify is what the bot sent in an IDENTIFY (op 2), with the query of its connection.
type Identify struct {
	Token   string
	Intents int64
	// Shard is [shard_id, num_shards], nil when the bot did not send one.
	Shard []int
	// Version and Encoding are the "v" and "encoding" query parameters of the connection.
	Version  string
	Encoding string
	// Raw is the whole "d" object.
	Raw json.RawMessage
}

type gwConn struct {
	ws    *websocket.Conn
	wmu   sync.Mutex // gorilla/websocket allows one writer at a time
	seq   int64      // last sequence number sent; guarded by wmu
	ready bool       // READY sent; guarded by Gateway.mu
}

type gwPayload struct {
	Op int             `json:"op"`
	D  json.RawMessage `json:"d"`
	S  *int64          `json:"s"`
	T  *string         `json:"t"`
}

// heartbeatInterval is what HELLO announces, in milliseconds. It is Discord's usual value;
// discordgo sends its first heartbeat at once and then waits this long, so tests never wait.
const heartbeatInterval = 45000

// ErrGatewayNotReady is returned by SendInteraction and Dispatch when no connection became
// ready before the context ended.
var ErrGatewayNotReady = errors.New("fakediscord: no gateway connection is ready")

func newGateway(s *Server) *Gateway {
	return &Gateway{s: s, changed: make(chan struct{})}
}

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

func (g *Gateway) serve(w http.ResponseWriter, r *http.Request) {
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // Upgrade already answered the HTTP request
	}
	c := &gwConn{ws: ws}
	g.mu.Lock()
	g.conns = append(g.conns, c)
	g.mu.Unlock()
	defer g.drop(c)

	q := r.URL.Query()
	if enc := q.Get("encoding"); enc != "" && enc != "json" {
		g.violation(fmt.Sprintf("gateway encoding %q: the fake gateway (and discordgo) speak json", enc))
	}
	if comp := q.Get("compress"); comp != "" {
		g.violation(fmt.Sprintf("gateway transport compression %q is not supported by discordgo", comp))
	}

	if err := c.write(gwOut{Op: 10, D: map[string]any{"heartbeat_interval": heartbeatInterval}}); err != nil {
		return
	}
	for {
		_, data, err := ws.ReadMessage()
		if err != nil {
			return
		}
		var p gwPayload
		if err := json.Unmarshal(data, &p); err != nil {
			g.violation(fmt.Sprintf("gateway message is not JSON: %v: %s", err, clip(string(data))))
			continue
		}
		switch p.Op {
		case 1: // heartbeat
			if err := c.write(gwOut{Op: 11}); err != nil {
				return
			}
		case 2: // identify
			if err := g.identify(c, p.D, q.Get("v"), q.Get("encoding")); err != nil {
				return
			}
		case 6: // resume: the fake keeps no sessions, so it asks for a fresh IDENTIFY
			if err := c.write(gwOut{Op: 9, D: false}); err != nil {
				return
			}
		}
	}
}

func (g *Gateway) identify(c *gwConn, d json.RawMessage, version, encoding string) error {
	var id struct {
		Token      string          `json:"token"`
		Intents    *int64          `json:"intents"`
		Shard      []int           `json:"shard"`
		Properties json.RawMessage `json:"properties"`
	}
	if err := json.Unmarshal(d, &id); err != nil {
		g.violation(fmt.Sprintf("IDENTIFY data is not an identify object: %v", err))
		return nil
	}
	if id.Token == "" {
		g.violation("IDENTIFY without a token")
	}
	if id.Intents == nil {
		g.violation("IDENTIFY without intents: gateway v10 closes such a connection with 4013")
	}
	if len(id.Properties) == 0 {
		g.violation("IDENTIFY without connection properties")
	}
	rec := Identify{Token: id.Token, Shard: id.Shard, Version: version, Encoding: encoding, Raw: append(json.RawMessage(nil), d...)}
	if id.Intents != nil {
		rec.Intents = *id.Intents
	}

	g.mu.Lock()
	g.identifies = append(g.identifies, rec)
	g.sessions++
	sessionID := fmt.Sprintf("fake-session-%d", g.sessions)
	g.mu.Unlock()

	ready := map[string]any{
		"v":                  10,
		"user":               botUser(),
		"session_id":         sessionID,
		"session_type":       "normal",
		"resume_gateway_url": g.s.GatewayURL(),
		"guilds":             []any{},
		"private_channels":   []any{},
		"application":        map[string]any{"id": ApplicationID, "flags": 0},
	}
	if len(id.Shard) == 2 {
		ready["shard"] = id.Shard
	}
	if err := c.dispatch("READY", ready); err != nil {
		return err
	}
	g.mu.Lock()
	c.ready = true
	g.broadcastLocked()
	g.mu.Unlock()
	return nil
}

// Identifies returns every IDENTIFY received so far.
func (g *Gateway) Identifies() []Identify {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Clone(g.identifies)
}

// WaitReady blocks until a gateway connection has identified and received READY.
func (g *Gateway) WaitReady(ctx context.Context) error {
	_, err := g.readyConn(ctx)
	return err
}

// SendInteraction dispatches INTERACTION_CREATE with the given interaction (a map, a struct,
// or raw JSON as []byte or json.RawMessage) on the ready connection. discordgo.Interaction
// does not marshal its data, so build the payload with Server.Interaction or by hand.
func (g *Gateway) SendInteraction(ctx context.Context, interaction any) error {
	return g.Dispatch(ctx, "INTERACTION_CREATE", interaction)
}

// Dispatch sends a dispatch event (op 0) of type event with data d on the ready connection,
// waiting for one if needed; sequence numbers increase per connection.
func (g *Gateway) Dispatch(ctx context.Context, event string, d any) error {
	c, err := g.readyConn(ctx)
	if err != nil {
		return err
	}
	switch raw := d.(type) {
	case []byte:
		d = json.RawMessage(raw)
	case string:
		d = json.RawMessage(raw)
	}
	return c.dispatch(event, d)
}

func (g *Gateway) readyConn(ctx context.Context) (*gwConn, error) {
	for {
		g.mu.Lock()
		ch := g.changed
		for _, c := range g.conns {
			if c.ready {
				g.mu.Unlock()
				return c, nil
			}
		}
		g.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, fmt.Errorf("%w: %v", ErrGatewayNotReady, ctx.Err())
		}
	}
}

func (g *Gateway) drop(c *gwConn) {
	c.ws.Close()
	g.mu.Lock()
	defer g.mu.Unlock()
	g.conns = slices.DeleteFunc(g.conns, func(x *gwConn) bool { return x == c })
	g.broadcastLocked()
}

// closeAll ends every connection with a normal close frame, so a session under test sees the
// gateway go away rather than hang.
func (g *Gateway) closeAll() {
	g.mu.Lock()
	conns := slices.Clone(g.conns)
	g.mu.Unlock()
	for _, c := range conns {
		c.wmu.Lock()
		_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
		c.wmu.Unlock()
		c.ws.Close()
	}
}

func (g *Gateway) broadcastLocked() {
	close(g.changed)
	g.changed = make(chan struct{})
}

func (g *Gateway) violation(reason string) {
	g.s.addViolations(Violation{Method: "WS", Path: gatewayPath, Route: "gateway", Reason: reason})
}

// gwOut is a payload the fake sends; s and t are null except on dispatches.
type gwOut struct {
	Op int     `json:"op"`
	D  any     `json:"d"`
	S  *int64  `json:"s"`
	T  *string `json:"t"`
}

func (c *gwConn) write(p gwOut) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.ws.WriteJSON(p)
}

func (c *gwConn) dispatch(event string, d any) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.seq++
	seq := c.seq
	return c.ws.WriteJSON(gwOut{Op: 0, D: d, S: &seq, T: &event})
}
