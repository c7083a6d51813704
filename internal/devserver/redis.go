package devserver

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

const (
	// redisStartTimeout bounds start-up; an empty in-memory Redis is ready in milliseconds.
	redisStartTimeout = 30 * time.Second
	// maxSocketPath is the longest Unix socket path the kernel accepts, less the terminating NUL.
	maxSocketPath = 107
)

// RedisOptions says where a local Redis puts its socket.
type RedisOptions struct {
	// Dir holds the Unix socket (redis.sock) and must be short, because socket paths are limited
	// to about 107 bytes. Empty means a new temporary directory that Close removes.
	Dir string
}

// Redis is a local, in-memory Redis server run as a child process on a private Unix socket.
type Redis struct {
	bin       string
	dir       string
	sock      string
	removeDir bool
	log       *tailBuffer

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{}
	closed bool
}

// StartRedis starts an in-memory Redis (no persistence) listening only on a Unix socket, and
// returns once it answers PING. When redis-server is missing it is installed if running as root.
func StartRedis(ctx context.Context, opts RedisOptions) (*Redis, error) {
	bin, err := findRedisServer()
	if err != nil {
		if err := aptInstall("redis-server", func() bool { _, err := findRedisServer(); return err == nil }); err != nil {
			return nil, fmt.Errorf("devserver: redis: %w", err)
		}
		if bin, err = findRedisServer(); err != nil {
			return nil, fmt.Errorf("devserver: redis: %w", err)
		}
	}
	r := &Redis{bin: bin, dir: opts.Dir, log: &tailBuffer{max: 8192}}
	if r.dir == "" {
		if r.dir, err = shortTempDir("pr"); err != nil {
			return nil, fmt.Errorf("devserver: redis: %w", err)
		}
		r.removeDir = true
	} else {
		if r.dir, err = filepath.Abs(r.dir); err != nil {
			return nil, fmt.Errorf("devserver: redis: socket directory: %w", err)
		}
		if err := os.MkdirAll(r.dir, 0o700); err != nil {
			return nil, fmt.Errorf("devserver: redis: create socket directory: %w", err)
		}
	}
	r.sock = filepath.Join(r.dir, "redis.sock")
	if len(r.sock) > maxSocketPath {
		r.removeDirs()
		return nil, fmt.Errorf("devserver: redis: socket path %s is longer than %d bytes; use a shorter directory", r.sock, maxSocketPath)
	}
	if err := r.Start(ctx); err != nil {
		r.removeDirs()
		return nil, err
	}
	return r, nil
}

// Addr returns the path of the server's Unix socket. It works as a go-redis Addr: go-redis dials
// network "unix" for an address that starts with "/" (set Network: "unix" to be explicit).
func (r *Redis) Addr() string {
	return r.sock
}

// Start starts the server (again, after Stop) on the same socket and waits until it answers PING.
// The restarted server is empty: nothing is persisted.
func (r *Redis) Start(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return errors.New("devserver: redis: start: server is closed")
	}
	if r.runningLocked() {
		return errors.New("devserver: redis: start: server is already running")
	}
	cmd := exec.Command(r.bin,
		"--port", "0",
		"--unixsocket", r.sock,
		"--unixsocketperm", "700",
		"--save", "",
		"--appendonly", "no",
		"--daemonize", "no",
		"--dir", r.dir,
	)
	cmd.Dir = r.dir
	cmd.Stdout, cmd.Stderr = r.log, r.log
	cmd.SysProcAttr = childAttr(nil, syscall.SIGKILL)
	if err := startChild(cmd); err != nil {
		return fmt.Errorf("devserver: redis: start: %w", err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	r.cmd, r.exited = cmd, exited
	if err := r.waitReady(ctx, exited); err != nil {
		_ = r.stopLocked()
		return withLog(fmt.Errorf("devserver: redis: start: %w", err), r.log.String())
	}
	return nil
}

// waitReady polls with PING until the server answers, exits, or the deadline passes.
func (r *Redis) waitReady(ctx context.Context, exited <-chan struct{}) error {
	ctx, cancel := context.WithTimeout(ctx, redisStartTimeout)
	defer cancel()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		err := ping(ctx, r.sock)
		if err == nil {
			return nil
		}
		select {
		case <-exited:
			return fmt.Errorf("server exited during start-up (last PING error: %v)", err)
		case <-ctx.Done():
			return fmt.Errorf("server not ready: %w (last PING error: %v)", ctx.Err(), err)
		case <-tick.C:
		}
	}
}

// ping sends one inline PING over the socket and expects +PONG.
func ping(ctx context.Context, sock string) error {
	d := net.Dialer{Timeout: time.Second}
	conn, err := d.DialContext(ctx, "unix", sock)
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(time.Second)); err != nil {
		return err
	}
	if _, err := conn.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return err
	}
	if strings.TrimSpace(line) != "+PONG" {
		return fmt.Errorf("unexpected PING reply %q", strings.TrimSpace(line))
	}
	return nil
}

// Stop kills the server, as a crash would; its data is gone.
func (r *Redis) Stop() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stopLocked()
}

// runningLocked reports whether the server process is alive; r.mu must be held.
func (r *Redis) runningLocked() bool {
	if r.cmd == nil {
		return false
	}
	select {
	case <-r.exited:
		return false
	default:
		return true
	}
}

// stopLocked kills the server and waits for it to exit; r.mu must be held.
func (r *Redis) stopLocked() error {
	if !r.runningLocked() {
		r.cmd = nil
		return nil
	}
	if err := r.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("devserver: redis: stop: %w", err)
	}
	select {
	case <-r.exited:
		r.cmd = nil
		return nil
	case <-time.After(10 * time.Second):
		return fmt.Errorf("devserver: redis: stop: process %d did not exit", r.cmd.Process.Pid)
	}
}

// Close kills the server and removes its socket, and its directory when StartRedis created it.
// It is safe to call more than once.
func (r *Redis) Close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return
	}
	r.closed = true
	_ = r.stopLocked()
	r.removeDirs()
}

// removeDirs deletes the socket, and the directory when StartRedis created it.
func (r *Redis) removeDirs() {
	if r.removeDir {
		_ = os.RemoveAll(r.dir)
	} else if r.sock != "" {
		_ = os.Remove(r.sock)
	}
}

// findRedisServer looks on PATH and then where Debian installs it, because /usr/sbin is often
// missing from a non-root PATH.
func findRedisServer() (string, error) {
	if p, err := exec.LookPath("redis-server"); err == nil {
		return p, nil
	}
	for _, p := range []string{"/usr/bin/redis-server", "/usr/sbin/redis-server", "/usr/local/bin/redis-server"} {
		if isExecutable(p) {
			return p, nil
		}
	}
	return "", errors.New("redis-server not found on PATH")
}
