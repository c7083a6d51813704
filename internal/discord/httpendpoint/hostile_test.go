package httpendpoint_test

import (
	"bufio"
	"encoding/hex"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"placementbot/internal/discord/httpendpoint"
	"placementbot/internal/httpserver"
	"placementbot/internal/testenv"
)

// rawRequest sends head on a fresh connection, sends no body, and returns the status line of
// the answer, failing the test when none comes within a second; it also reports whether the
// server closed the connection after answering.
func rawRequest(t *testing.T, addr, head string) (status string, closed bool) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write([]byte(head)); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("no answer before the body was sent: %v", err)
	}
	defer resp.Body.Close()
	return resp.Status, resp.Close
}

func TestBadHeadersAreRefusedBeforeTheBody(t *testing.T) {
	e := newEndpoint(t)
	addr := strings.TrimPrefix(e.url, "http://")
	now := strconv.FormatInt(time.Now().Unix(), 10)
	goodSig := hex.EncodeToString(make([]byte, 64))
	tests := []struct {
		name, headers, want string
	}{
		{"no signature headers", "", "401"},
		{"signature not hex", "X-Signature-Ed25519: zz\r\nX-Signature-Timestamp: " + now + "\r\n", "401"},
		{"signature too short", "X-Signature-Ed25519: abcd\r\nX-Signature-Timestamp: " + now + "\r\n", "401"},
		{"timestamp not a number", "X-Signature-Ed25519: " + goodSig + "\r\nX-Signature-Timestamp: soon\r\n", "401"},
		{"timestamp ten minutes old", "X-Signature-Ed25519: " + goodSig + "\r\nX-Signature-Timestamp: " +
			strconv.FormatInt(time.Now().Add(-10*time.Minute).Unix(), 10) + "\r\n", "401"},
		{"body larger than an interaction", "X-Signature-Ed25519: " + goodSig + "\r\nX-Signature-Timestamp: " + now +
			"\r\nContent-Length: " + strconv.Itoa(httpendpoint.MaxBody+1) + "\r\n", "413"},
	}
	for _, tt := range tests {
		head := "POST / HTTP/1.1\r\nHost: bot\r\n" + tt.headers
		if !strings.Contains(tt.headers, "Content-Length") {
			head += "Content-Length: 1000\r\n"
		}
		status, closed := rawRequest(t, addr, head+"\r\n")
		if !strings.HasPrefix(status, tt.want) || !closed {
			t.Errorf("%s: %s (connection closed: %v), want %s and the connection closed", tt.name, status, closed, tt.want)
		}
	}
}

// raiseFileLimit makes room for n open files in this process, which holds both ends of every
// test connection.
func raiseFileLimit(t *testing.T, n uint64) {
	t.Helper()
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	if lim.Cur >= n {
		return
	}
	lim.Cur = min(n, lim.Max)
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil || lim.Cur < n {
		t.Fatalf("this test needs %d open files; the limit is %d (raise ulimit -n): %v", n, lim.Cur, err)
	}
}

// attacker is one hostile client. Until stop, a slow one connects again as soon as the server
// drops it, keeping the server's connection slots full; one refused at once waits a tick.
type attacker struct {
	addr    string
	kind    int // 0: malformed signature; 1: well-formed wrong signature, body trickled; 2: headers trickled
	tick    time.Duration
	stop    chan struct{}
	dropped *atomic.Int32 // attackers the server has dropped at least once
	refused *atomic.Int32 // malformed-signature requests answered 401 before their body was sent
}

func (a attacker) run() {
	first := true
	for {
		if c, err := net.DialTimeout("tcp", a.addr, time.Second); err == nil {
			dropped := a.hold(c)
			c.Close()
			if dropped && first {
				a.dropped.Add(1)
				first = false
			}
		}
		pause := a.tick
		if a.kind != 0 {
			pause = 0
		}
		select {
		case <-a.stop:
			return
		case <-time.After(pause):
		}
	}
}

// hold sends the attack on c, then one byte a tick, until the server answers or closes c
// (it reports true) or stop.
func (a attacker) hold(c net.Conn) bool {
	now := strconv.FormatInt(time.Now().Unix(), 10)
	head := "POST / HTTP/1.1\r\nHost: bot\r\n"
	switch a.kind {
	case 0:
		head += "X-Signature-Ed25519: not-a-signature\r\nX-Signature-Timestamp: " + now + "\r\nContent-Length: 100000\r\n\r\n"
	case 1:
		head += "X-Signature-Ed25519: " + hex.EncodeToString(make([]byte, 64)) + "\r\nX-Signature-Timestamp: " + now + "\r\nContent-Length: 100000\r\n\r\n"
	case 2:
		head += "X-Slow: "
	}
	if _, err := c.Write([]byte(head)); err != nil {
		return true
	}
	buf := make([]byte, 64)
	for {
		// Waiting a tick for an answer is the trickle's pause; an answer or a close ends it.
		_ = c.SetReadDeadline(time.Now().Add(a.tick))
		n, err := c.Read(buf)
		if ne, ok := err.(net.Error); !ok || !ne.Timeout() {
			if a.kind == 0 && strings.HasPrefix(string(buf[:n]), "HTTP/1.1 401") {
				a.refused.Add(1)
			}
			return true
		}
		select {
		case <-a.stop:
			return false
		default:
		}
		if _, err := c.Write([]byte("a")); err != nil {
			return true
		}
	}
}

func TestSlowAndHostileClientsDoNotShutOutDiscord(t *testing.T) {
	const attackers, maxConns = 1100, 512
	raiseFileLimit(t, 4096)
	e := newEndpoint(t)
	// The production limits and the attack scaled down 20 times alike: one byte every 10 s
	// against 2 s and 5 s to send headers and body becomes one every 500 ms against 100 ms and
	// 250 ms. The write and idle timeouts bound the bot's own work, which does not scale.
	const scale = 20
	limits := httpserver.Defaults(maxConns)
	limits.ReadHeader, limits.Read = limits.ReadHeader/scale, limits.Read/scale
	srv, err := httpserver.Listen("127.0.0.1:0", e.h, limits)
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve() }()
	t.Cleanup(func() { _ = srv.Close() })
	// Discord's requests, each on a new connection, behind the attackers in the accept queue.
	e.url = "http://" + srv.Addr()
	e.client = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 5 * time.Second}
	help := func() (int, []byte) {
		return e.post(t, testenv.JSON(testenv.Slash(testenv.Member("bo"), "help")), e.priv, time.Now(), true)
	}
	// A running bot is warm: its first /help, before the attack, fills the caches and pools.
	if code, body := help(); code != 200 {
		t.Fatalf("/help before the attack: %d %s", code, body)
	}

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var dropped, refused atomic.Int32
	for i := range attackers {
		wg.Add(1)
		a := attacker{addr: srv.Addr(), kind: i % 3, tick: 10 * time.Second / scale, stop: stop, dropped: &dropped, refused: &refused}
		go func() { defer wg.Done(); a.run() }()
	}
	t.Cleanup(func() { close(stop); wg.Wait() }) // runs before the server closes
	// Every attacker must be cut off and come back: none holds its connection for long.
	for deadline := time.Now().Add(10 * time.Second); dropped.Load() < attackers; {
		if time.Now().After(deadline) {
			t.Fatalf("after 10 s the server still holds %d of %d hostile connections it never dropped", attackers-int(dropped.Load()), attackers)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if refused.Load() == 0 {
		t.Error("no request with a malformed signature was refused before its body was sent")
	}

	ping := []byte(`{"id":"1","application_id":"2","type":1,"token":"t","version":1}`)
	for round := range 3 {
		start := time.Now()
		code, body := e.post(t, ping, e.priv, time.Now(), true)
		pingTook := time.Since(start)
		if code != 200 || strings.TrimSpace(string(body)) != `{"type":1}` || pingTook > time.Second {
			t.Errorf("round %d: PING answered %d %s after %v, want PONG within 1 s", round, code, body, pingTook)
		}
		start = time.Now()
		code, body = help()
		helpTook := time.Since(start)
		if code != 200 || !strings.Contains(string(body), "what you can do") || helpTook > time.Second {
			t.Errorf("round %d: /help answered %d %.200s after %v, want the help within 1 s", round, code, body, helpTook)
		}
		t.Logf("round %d under attack: PING %v, /help %v", round, pingTook, helpTook)
	}
}
