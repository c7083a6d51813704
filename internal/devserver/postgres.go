package devserver

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

const (
	// postgresPort only names the socket file (.s.PGSQL.5432): the server listens on no TCP port,
	// and each server has its own socket directory, so servers never collide on it.
	postgresPort = 5432
	// postgresStartTimeout bounds start-up, which includes crash recovery of a persistent cluster.
	postgresStartTimeout = 2 * time.Minute
	// postgresLogName is the server log inside the data directory.
	postgresLogName = "server.log"
)

// PostgresOptions says where a local Postgres keeps its data and how durable it is.
type PostgresOptions struct {
	// DataDir holds the cluster; it is created and initialised when it has no PG_VERSION yet.
	// Empty means a new temporary directory that Close removes, in memory (/dev/shm) when
	// Ephemeral and there is room.
	DataDir string
	// Ephemeral turns off fsync, synchronous commit and full-page writes: fast, and fine for data
	// that may be lost, such as tests.
	Ephemeral bool
}

// Postgres is a local PostgreSQL server run as a child process on a private Unix socket.
type Postgres struct {
	binDir    string
	dataDir   string
	sockDir   string
	logPath   string
	ephemeral bool
	// tempData is the data directory when StartPostgres created it; Close removes it.
	tempData *tempDir
	user     *serverUser

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{}
	closed bool
}

// StartPostgres initialises the cluster if needed and starts a server on a private Unix socket,
// returning once it accepts connections.
func StartPostgres(ctx context.Context, opts PostgresOptions) (*Postgres, error) {
	binDir, err := findPostgresBinDir()
	if err != nil {
		if err := aptInstall("postgresql", func() bool { _, err := findPostgresBinDir(); return err == nil }); err != nil {
			return nil, fmt.Errorf("devserver: postgres: find binaries: %w", err)
		}
		if binDir, err = findPostgresBinDir(); err != nil {
			return nil, fmt.Errorf("devserver: postgres: find binaries: %w", err)
		}
	}
	su, err := lookupServerUser("postgres")
	if err != nil {
		return nil, fmt.Errorf("devserver: postgres: %w", err)
	}
	p := &Postgres{binDir: binDir, ephemeral: opts.Ephemeral, user: su}
	if err := p.prepare(opts.DataDir); err != nil {
		p.removeDirs()
		return nil, err
	}
	if err := p.Start(ctx); err != nil {
		p.removeDirs()
		return nil, err
	}
	return p, nil
}

// prepare creates the data and socket directories and runs initdb when the cluster is new.
func (p *Postgres) prepare(dataDir string) error {
	if dataDir == "" {
		base := ""
		if p.ephemeral {
			base = memoryTempBase()
		}
		dir, err := claimTempDir(base, "pbdata")
		if err != nil {
			return fmt.Errorf("devserver: postgres: create data directory: %w", err)
		}
		dataDir, p.tempData = dir.path, dir
	} else {
		abs, err := filepath.Abs(dataDir)
		if err != nil {
			return fmt.Errorf("devserver: postgres: data directory %s: %w", dataDir, err)
		}
		dataDir = abs
		if err := os.MkdirAll(dataDir, 0o700); err != nil {
			return fmt.Errorf("devserver: postgres: create data directory: %w", err)
		}
	}
	p.dataDir = dataDir
	p.logPath = filepath.Join(dataDir, postgresLogName)
	if err := p.user.checkReachable(dataDir); err != nil {
		return fmt.Errorf("devserver: postgres: data directory: %w", err)
	}
	if err := p.ownDataDir(); err != nil {
		return fmt.Errorf("devserver: postgres: give data directory to the postgres user: %w", err)
	}
	if _, err := os.Stat(filepath.Join(dataDir, "PG_VERSION")); errors.Is(err, os.ErrNotExist) {
		if err := p.initdb(); err != nil {
			return err
		}
	} else if err != nil {
		return fmt.Errorf("devserver: postgres: inspect data directory: %w", err)
	}
	sockDir, err := shortTempDir("pb")
	if err != nil {
		return fmt.Errorf("devserver: postgres: %w", err)
	}
	p.sockDir = sockDir
	if err := p.user.chownTree(sockDir); err != nil {
		return fmt.Errorf("devserver: postgres: give socket directory to the postgres user: %w", err)
	}
	return nil
}

// ownDataDir hands the data directory to the server user when running as root; an existing
// cluster already owned by it is left alone so start-up stays fast.
func (p *Postgres) ownDataDir() error {
	if p.user.cred == nil {
		return nil
	}
	fi, err := os.Stat(p.dataDir)
	if err != nil {
		return err
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) == p.user.uid && int(st.Gid) == p.user.gid {
		return nil
	}
	return p.user.chownTree(p.dataDir)
}

// initdb creates a new cluster whose superuser "postgres" connects without a password, which is
// safe because the server listens only on a socket in a directory private to its owner.
func (p *Postgres) initdb() error {
	args := []string{"-D", p.dataDir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale"}
	if p.ephemeral {
		args = append(args, "--no-sync")
	}
	cmd := exec.Command(filepath.Join(p.binDir, "initdb"), args...)
	cmd.Dir = p.dataDir
	cmd.Env = serverEnv()
	cmd.SysProcAttr = childAttr(p.user.cred, syscall.SIGKILL)
	out := &tailBuffer{max: 4096}
	cmd.Stdout, cmd.Stderr = out, out
	err := startChild(cmd)
	if err == nil {
		err = cmd.Wait()
	}
	if err != nil {
		return withLog(fmt.Errorf("devserver: postgres: initdb %s: %w", p.dataDir, err), out.String())
	}
	return nil
}

// Start starts the server (again, after Stop) on the same socket and waits until it accepts
// connections.
func (p *Postgres) Start(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return errors.New("devserver: postgres: start: server is closed")
	}
	if p.runningLocked() {
		return errors.New("devserver: postgres: start: server is already running")
	}
	logFile, err := os.OpenFile(p.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("devserver: postgres: start: open log: %w", err)
	}
	defer logFile.Close()
	args := []string{
		"-D", p.dataDir,
		"-k", p.sockDir,
		"-p", strconv.Itoa(postgresPort),
		"-c", "listen_addresses=",
	}
	if p.ephemeral {
		args = append(args,
			"-c", "fsync=off",
			"-c", "synchronous_commit=off",
			"-c", "full_page_writes=off",
			// Tests open a pool per test, and tests run in parallel.
			"-c", "max_connections=300",
		)
	}
	// Running postgres directly rather than through pg_ctl keeps it our child, so it gets the
	// parent-death signal; SIGINT is Postgres's fast shutdown.
	cmd := exec.Command(filepath.Join(p.binDir, "postgres"), args...)
	cmd.Dir = p.dataDir
	cmd.Env = serverEnv()
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = childAttr(p.user.cred, syscall.SIGINT)
	if err := startChild(cmd); err != nil {
		return fmt.Errorf("devserver: postgres: start: %w", err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	p.cmd, p.exited = cmd, exited
	if err := p.waitReady(ctx, exited); err != nil {
		_ = p.stopLocked()
		return withLog(fmt.Errorf("devserver: postgres: start: %w", err), fileTail(p.logPath, 4096))
	}
	return nil
}

// waitReady polls with real connections until the server accepts one, the server exits, or the
// deadline passes.
func (p *Postgres) waitReady(ctx context.Context, exited <-chan struct{}) error {
	ctx, cancel := context.WithTimeout(ctx, postgresStartTimeout)
	defer cancel()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		attempt, cancelAttempt := context.WithTimeout(ctx, 2*time.Second)
		conn, err := pgx.Connect(attempt, p.URL("postgres"))
		cancelAttempt()
		if err == nil {
			_ = conn.Close(ctx)
			return nil
		}
		select {
		case <-exited:
			return fmt.Errorf("server exited during start-up (last connection error: %v)", err)
		case <-ctx.Done():
			return fmt.Errorf("server not ready: %w (last connection error: %v)", ctx.Err(), err)
		case <-tick.C:
		}
	}
}

// Stop shuts the server down (fast shutdown: open sessions are disconnected), leaving its data
// and socket directory in place for Start.
func (p *Postgres) Stop() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stopLocked()
}

// runningLocked reports whether the server process is alive; p.mu must be held.
func (p *Postgres) runningLocked() bool {
	if p.cmd == nil {
		return false
	}
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

// stopLocked asks for a fast shutdown and escalates to immediate shutdown and then SIGKILL if the
// server hangs, so Stop always returns.
func (p *Postgres) stopLocked() error {
	if !p.runningLocked() {
		p.cmd = nil
		return nil
	}
	steps := []struct {
		sig  os.Signal
		wait time.Duration
	}{
		{syscall.SIGINT, time.Minute},
		{syscall.SIGQUIT, 10 * time.Second},
		{syscall.SIGKILL, 10 * time.Second},
	}
	for _, s := range steps {
		if err := p.cmd.Process.Signal(s.sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
			return fmt.Errorf("devserver: postgres: stop: signal %v: %w", s.sig, err)
		}
		select {
		case <-p.exited:
			p.cmd = nil
			return nil
		case <-time.After(s.wait):
		}
	}
	return fmt.Errorf("devserver: postgres: stop: process %d did not exit", p.cmd.Process.Pid)
}

// Close stops the server and removes its socket directory and, when it created it, the data
// directory. It is safe to call more than once.
func (p *Postgres) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	p.closed = true
	_ = p.stopLocked()
	p.removeDirs()
}

// removeDirs deletes what StartPostgres created for this server.
func (p *Postgres) removeDirs() {
	if p.sockDir != "" {
		_ = os.RemoveAll(p.sockDir)
	}
	if p.tempData != nil {
		p.tempData.remove()
		p.tempData = nil
	}
}

// URL returns a pgx connection string for database dbname as the superuser "postgres", through
// the server's Unix socket.
func (p *Postgres) URL(dbname string) string {
	q := url.Values{}
	q.Set("host", p.sockDir)
	q.Set("port", strconv.Itoa(postgresPort))
	q.Set("sslmode", "disable")
	u := url.URL{Scheme: "postgres", User: url.User("postgres"), Path: "/" + dbname, RawQuery: q.Encode()}
	return u.String()
}

// LogPath returns the server's log file, worth showing when something goes wrong.
func (p *Postgres) LogPath() string {
	return p.logPath
}

// serverEnv is the environment for server processes: the C locale keeps messages and collation
// predictable whatever the parent's locale is.
func serverEnv() []string {
	env := make([]string, 0, len(os.Environ())+1)
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "LC_") || strings.HasPrefix(kv, "LANG=") || strings.HasPrefix(kv, "PGDATA=") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "LC_ALL=C")
}

// findPostgresBinDir returns a directory holding both initdb and postgres: the one behind PATH
// first, else the newest under /usr/lib/postgresql, where Debian puts them off PATH.
func findPostgresBinDir() (string, error) {
	var dirs []string
	for _, name := range []string{"postgres", "initdb", "pg_ctl"} {
		if path, err := exec.LookPath(name); err == nil {
			if real, err := filepath.EvalSymlinks(path); err == nil {
				dirs = append(dirs, filepath.Dir(real))
			}
		}
	}
	versioned, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(versioned, func(i, j int) bool {
		return versionLess(filepath.Base(filepath.Dir(versioned[j])), filepath.Base(filepath.Dir(versioned[i])))
	})
	dirs = append(dirs, versioned...)
	for _, d := range dirs {
		if isExecutable(filepath.Join(d, "initdb")) && isExecutable(filepath.Join(d, "postgres")) {
			return d, nil
		}
	}
	return "", errors.New("no PostgreSQL server binaries (initdb and postgres) on PATH or under /usr/lib/postgresql")
}

// versionLess compares dotted version numbers such as "9.6" and "15" numerically.
func versionLess(a, b string) bool {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) || i < len(bs); i++ {
		var x, y int
		if i < len(as) {
			x, _ = strconv.Atoi(as[i])
		}
		if i < len(bs) {
			y, _ = strconv.Atoi(bs[i])
		}
		if x != y {
			return x < y
		}
	}
	return false
}
