package testenv

import (
	"io"
	"net"
	"os"
	"sync"
	"syscall"
	"testing"
	"time"
)

// DeadRedis is a loopback address where Redis should be but cannot serve, in one of the two ways
// a dead Redis looks to a client: its accept queue is full, so connecting hangs, or it accepts
// connections and never answers, so reading hangs. Recover turns it into a way through to a real
// Redis on the same address, as when the server comes back.
type DeadRedis struct {
	ln      net.Listener
	mu      sync.Mutex
	target  string     // the real Redis once recovered
	held    []net.Conn // connections accepted or queued while dead
	serving sync.Once
}

// DeadRedisKinds names the two ways a Redis can be dead, for tests that try both.
var DeadRedisKinds = map[string]func(testing.TB) *DeadRedis{
	"accept queue full":      NewUnacceptingRedis,
	"accepts, never answers": NewSilentRedis,
}

// NewUnacceptingRedis listens with the smallest accept queue and fills it, so that new
// connections hang in the handshake; nothing is accepted until Recover.
func NewUnacceptingRedis(t testing.TB) *DeadRedis {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	f := os.NewFile(uintptr(fd), "dead-redis")
	ln, err := net.FileListener(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	d := &DeadRedis{ln: ln}
	t.Cleanup(d.close)
	// The kernel completes handshakes until the queue is full; after that a dial hangs.
	for len(d.held) < 64 {
		c, err := net.DialTimeout("tcp", d.Addr(), 200*time.Millisecond)
		if err != nil {
			return d
		}
		d.held = append(d.held, c)
	}
	t.Fatal("testenv: the accept queue never filled")
	return nil
}

// NewSilentRedis accepts every connection and never answers, until Recover.
func NewSilentRedis(t testing.TB) *DeadRedis {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	d := &DeadRedis{ln: ln}
	t.Cleanup(d.close)
	d.serving.Do(func() { go d.serve() })
	return d
}

// Addr is the dead Redis's address, for the client under test.
func (d *DeadRedis) Addr() string { return d.ln.Addr().String() }

// Recover drops the connections made while dead and passes every new one through to the Redis at
// target (an address or Unix socket path).
func (d *DeadRedis) Recover(target string) {
	d.mu.Lock()
	d.target = target
	for _, c := range d.held {
		c.Close()
	}
	d.held = nil
	d.mu.Unlock()
	d.serving.Do(func() { go d.serve() })
}

func (d *DeadRedis) serve() {
	for {
		c, err := d.ln.Accept()
		if err != nil {
			return
		}
		d.mu.Lock()
		target := d.target
		if target == "" {
			d.held = append(d.held, c)
		}
		d.mu.Unlock()
		if target != "" {
			go pipe(c, target)
		}
	}
}

// pipe copies both ways between c and a new connection to target until either side closes.
func pipe(c net.Conn, target string) {
	defer c.Close()
	network := "tcp"
	if len(target) > 0 && target[0] == '/' {
		network = "unix"
	}
	up, err := net.Dial(network, target)
	if err != nil {
		return
	}
	defer up.Close()
	go func() { _, _ = io.Copy(up, c); up.Close() }()
	_, _ = io.Copy(c, up)
}

func (d *DeadRedis) close() {
	d.ln.Close()
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, c := range d.held {
		c.Close()
	}
	d.held = nil
}
