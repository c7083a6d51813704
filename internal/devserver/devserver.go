// Package devserver starts local PostgreSQL and Redis servers from the system's binaries, for the
// bot's zero-configuration run and for tests.
//
// Servers listen only on Unix sockets in short private directories, run as child processes that
// receive a signal when their parent dies (on Linux), and are installed with apt-get when missing
// and the process runs as root.
package devserver

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// maxSocketBase is the longest temporary directory base we accept for socket directories: Unix
// socket paths are limited to about 107 bytes and Postgres appends "/.s.PGSQL.NNNN".
const maxSocketBase = 64

// shortTempDir creates a private directory for Unix sockets under a short temporary path.
func shortTempDir(prefix string) (string, error) {
	base := os.TempDir()
	if len(base) > maxSocketBase {
		base = "/tmp"
	}
	dir, err := os.MkdirTemp(base, prefix)
	if err != nil {
		return "", fmt.Errorf("create socket directory: %w", err)
	}
	return dir, nil
}

// serverUser says which account a server runs as; nil credential means the current user.
type serverUser struct {
	name string
	uid  int
	gid  int
	cred *syscall.Credential
}

// lookupServerUser returns the account named name when running as root, because Postgres
// refuses to run as root; otherwise the servers run as the current user.
func lookupServerUser(name string) (*serverUser, error) {
	if os.Geteuid() != 0 {
		return &serverUser{name: "", uid: os.Geteuid(), gid: os.Getegid()}, nil
	}
	u, err := user.Lookup(name)
	if err != nil {
		return nil, fmt.Errorf("running as root needs the %q system user to own the server: %w", name, err)
	}
	uid, err := strconv.Atoi(u.Uid)
	if err != nil {
		return nil, fmt.Errorf("user %q has a non-numeric uid %q", name, u.Uid)
	}
	gid, err := strconv.Atoi(u.Gid)
	if err != nil {
		return nil, fmt.Errorf("user %q has a non-numeric gid %q", name, u.Gid)
	}
	// An empty Groups list drops root's supplementary groups in the child.
	cred := &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), Groups: []uint32{}}
	return &serverUser{name: name, uid: uid, gid: gid, cred: cred}, nil
}

// chownTree gives dir and everything under it to the server user, when running as root.
func (u *serverUser) chownTree(dir string) error {
	if u.cred == nil {
		return nil
	}
	return filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(path, u.uid, u.gid)
	})
}

// checkReachable reports a clear error when the server user cannot traverse every parent of dir,
// which happens when a root-run bot keeps its data under a private home directory.
func (u *serverUser) checkReachable(dir string) error {
	if u.cred == nil {
		return nil
	}
	for p := filepath.Dir(dir); ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err != nil {
			return err
		}
		st, ok := fi.Sys().(*syscall.Stat_t)
		if ok {
			mode := fi.Mode().Perm()
			searchable := mode&0o001 != 0 ||
				(int(st.Uid) == u.uid && mode&0o100 != 0) ||
				(int(st.Gid) == u.gid && mode&0o010 != 0)
			if !searchable {
				return fmt.Errorf("the %s user cannot reach %s because %s (mode %v) is not searchable by it: "+
					"choose a directory outside it or run: chmod o+x %s", u.name, dir, p, mode, p)
			}
		}
		if p == filepath.Dir(p) {
			return nil
		}
	}
}

// tailBuffer keeps the last bytes a server wrote, so that start-up errors can show them.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
	max int
}

// Write appends p and forgets everything but the last max bytes.
func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > t.max {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-t.max:]...)
	}
	return len(p), nil
}

// String returns what is kept.
func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}

// fileTail returns the last n bytes of a log file, for error messages.
func fileTail(path string, n int64) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return ""
	}
	if fi.Size() > n {
		if _, err := f.Seek(fi.Size()-n, io.SeekStart); err != nil {
			return ""
		}
	}
	b, _ := io.ReadAll(f)
	return string(b)
}

// withLog appends a server log tail to an error message.
func withLog(err error, log string) error {
	log = strings.TrimSpace(log)
	if log == "" {
		return err
	}
	return fmt.Errorf("%w\n--- server log (tail) ---\n%s", err, log)
}

// isExecutable reports whether path is a regular file someone may execute.
func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// aptMu serializes installs within the process; a file lock does it across processes.
var aptMu sync.Mutex

// aptInstall installs a Debian package when running as root, because the bot and the tests must
// work on a fresh machine; found reports whether another process installed it meanwhile.
func aptInstall(pkg string, found func() bool) error {
	if os.Geteuid() != 0 {
		return fmt.Errorf("%s is not installed; install it with: sudo apt-get update && sudo apt-get install -y %s", pkg, pkg)
	}
	aptMu.Lock()
	defer aptMu.Unlock()
	// Test packages run in parallel processes and may all find the server missing at once.
	lock, err := os.OpenFile(filepath.Join(os.TempDir(), "placementbot-apt.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return fmt.Errorf("install %s: open lock file: %w", pkg, err)
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return fmt.Errorf("install %s: lock: %w", pkg, err)
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)
	if found() {
		return nil
	}
	fmt.Fprintf(os.Stderr, "devserver: %s is missing; installing it with apt-get install -y %s\n", pkg, pkg)
	for _, args := range [][]string{{"update"}, {"install", "-y", pkg}} {
		cmd := exec.Command("apt-get", args...)
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		out := &tailBuffer{max: 4096}
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Run(); err != nil {
			return withLog(fmt.Errorf("install %s: apt-get %s: %w", pkg, strings.Join(args, " "), err), out.String())
		}
	}
	if !found() {
		return fmt.Errorf("install %s: apt-get succeeded but the program is still not found", pkg)
	}
	return nil
}

// tempDir is a temporary directory claimed by this process through a lock file beside it. The
// lock lets a later process remove directories whose owner died without cleaning up (a test
// binary killed by a timeout), which matters most in memory-backed /dev/shm.
type tempDir struct {
	path string
	lock *os.File
}

// claimTempDir removes stale directories left in base by dead processes, then creates and claims
// a new one.
func claimTempDir(base, prefix string) (*tempDir, error) {
	if base == "" {
		base = os.TempDir()
	}
	sweepTempDirs(base, prefix)
	path, err := os.MkdirTemp(base, prefix)
	if err != nil {
		return nil, err
	}
	lock, err := os.OpenFile(path+".lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		os.RemoveAll(path)
		return nil, err
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		lock.Close()
		os.Remove(path + ".lock")
		os.RemoveAll(path)
		return nil, err
	}
	// Only a lock file with content marks a claimed directory: a sweeper that locks the file
	// between its creation and our lock sees it empty and leaves the directory alone.
	if _, err := fmt.Fprintf(lock, "%d\n", os.Getpid()); err != nil {
		lock.Close()
		os.Remove(path + ".lock")
		os.RemoveAll(path)
		return nil, err
	}
	return &tempDir{path: path, lock: lock}, nil
}

// sweepTempDirs removes directories whose lock file is claimed but no longer locked, because the
// process that held it has died.
func sweepTempDirs(base, prefix string) {
	locks, _ := filepath.Glob(filepath.Join(base, prefix+"*.lock"))
	for _, name := range locks {
		f, err := os.OpenFile(name, os.O_RDWR, 0)
		if err != nil {
			continue
		}
		if syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil {
			if fi, err := f.Stat(); err == nil && fi.Size() > 0 {
				if os.RemoveAll(strings.TrimSuffix(name, ".lock")) == nil {
					os.Remove(name)
				}
			}
		}
		f.Close()
	}
}

// remove deletes the directory and then releases the claim.
func (d *tempDir) remove() {
	os.RemoveAll(d.path)
	os.Remove(d.path + ".lock")
	d.lock.Close()
}

var (
	spawnOnce sync.Once
	spawnCh   chan func()
)

// startChild starts cmd from one goroutine locked to its own thread for the life of the process.
// Linux sends the parent-death signal when the thread that started the child ends, not the
// process, and Go ends a thread when a goroutine locked to it returns: starting servers from an
// arbitrary thread could kill them while the parent is still running.
func startChild(cmd *exec.Cmd) error {
	spawnOnce.Do(func() {
		spawnCh = make(chan func())
		go func() {
			runtime.LockOSThread() // never unlocked, so this thread is never ended
			for f := range spawnCh {
				f()
			}
		}()
	})
	done := make(chan error, 1)
	spawnCh <- func() { done <- cmd.Start() }
	return <-done
}
