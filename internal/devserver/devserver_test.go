package devserver

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func queryInt(ctx context.Context, url, sql string) (int, error) {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return 0, err
	}
	defer conn.Close(ctx)
	var n int
	err = conn.QueryRow(ctx, sql).Scan(&n)
	return n, err
}

func exec1(ctx context.Context, url, sql string) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql)
	return err
}

func TestPostgresStopStartKeepsData(t *testing.T) {
	ctx := testContext(t)
	pg, err := StartPostgres(ctx, PostgresOptions{Ephemeral: true})
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	url := pg.URL("postgres")
	if err := exec1(ctx, url, "CREATE TABLE kept (n int); INSERT INTO kept VALUES (42)"); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		var owner string
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		// The server process runs as the postgres user: check the data directory's owner it wrote.
		err = conn.QueryRow(ctx, "SELECT current_setting('data_directory')").Scan(&owner)
		conn.Close(ctx)
		if err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(filepath.Join(owner, "PG_VERSION"))
		if err != nil {
			t.Fatal(err)
		}
		if uid := fi.Sys().(*syscall.Stat_t).Uid; uid == 0 {
			t.Fatalf("PG_VERSION is owned by root; the cluster should belong to the postgres user")
		}
	}

	if err := pg.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := queryInt(ctx, url, "SELECT 1"); err == nil {
		t.Fatal("connection succeeded while the server was stopped")
	}
	if err := pg.Stop(); err != nil {
		t.Fatalf("second Stop: %v", err)
	}
	if err := pg.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := pg.Start(ctx); err == nil {
		t.Fatal("Start on a running server succeeded")
	}
	n, err := queryInt(ctx, url, "SELECT n FROM kept")
	if err != nil || n != 42 {
		t.Fatalf("after restart: n=%d err=%v", n, err)
	}

	dataDir, sockDir := pg.dataDir, pg.sockDir
	pg.Close()
	pg.Close()
	for _, d := range []string{dataDir, dataDir + ".lock", sockDir} {
		if _, err := os.Stat(d); !os.IsNotExist(err) {
			t.Errorf("%s still exists after Close (err=%v)", d, err)
		}
	}
	if err := pg.Start(ctx); err == nil {
		t.Fatal("Start after Close succeeded")
	}
}

func TestPostgresPersistentDataDir(t *testing.T) {
	ctx := testContext(t)
	base, err := shortTempDir("pbt")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	if os.Geteuid() == 0 {
		// The postgres user must be able to traverse the base directory.
		if err := os.Chmod(base, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	dataDir := filepath.Join(base, "data")

	pg, err := StartPostgres(ctx, PostgresOptions{DataDir: dataDir})
	if err != nil {
		t.Fatal(err)
	}
	if err := exec1(ctx, pg.URL("postgres"), "CREATE TABLE kept (n int); INSERT INTO kept VALUES (7)"); err != nil {
		pg.Close()
		t.Fatal(err)
	}
	pg.Close()
	if _, err := os.Stat(filepath.Join(dataDir, "PG_VERSION")); err != nil {
		t.Fatalf("Close removed a caller's data directory: %v", err)
	}
	if _, err := os.Stat(pg.LogPath()); err != nil {
		t.Fatalf("server log: %v", err)
	}

	pg, err = StartPostgres(ctx, PostgresOptions{DataDir: dataDir})
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	n, err := queryInt(ctx, pg.URL("postgres"), "SELECT n FROM kept")
	if err != nil || n != 7 {
		t.Fatalf("second run: n=%d err=%v", n, err)
	}
}

func TestPostgresUnreachableDataDirAsRoot(t *testing.T) {
	if os.Geteuid() != 0 {
		// As a normal user every directory the user can create is reachable by the server.
		return
	}
	ctx := testContext(t)
	base, err := shortTempDir("pbt") // mode 0700, owned by root
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	_, err = StartPostgres(ctx, PostgresOptions{DataDir: filepath.Join(base, "data")})
	if err == nil || !strings.Contains(err.Error(), "not searchable") {
		t.Fatalf("err = %v, want a not-searchable error", err)
	}
}

func TestRedisStopStart(t *testing.T) {
	ctx := testContext(t)
	r, err := StartRedis(ctx, RedisOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if !strings.HasPrefix(r.Addr(), "/") {
		t.Fatalf("Addr() = %q, want a socket path", r.Addr())
	}
	if err := ping(ctx, r.Addr()); err != nil {
		t.Fatal(err)
	}
	if err := r.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := ping(ctx, r.Addr()); err == nil {
		t.Fatal("PING succeeded while the server was stopped")
	}
	if err := r.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := ping(ctx, r.Addr()); err != nil {
		t.Fatal(err)
	}
	dir := r.dir
	r.Close()
	r.Close()
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("%s still exists after Close (err=%v)", dir, err)
	}
}

// serversInfo is what the helper process reports about the servers it started.
type serversInfo struct {
	RedisPID    int
	RedisDir    string
	PostgresPID int
	DataDir     string
	SockDir     string
}

// TestHelperServers is not a test: run as a child process by TestServersDieWithParent, it starts
// both servers, reports them on stdout and waits to be killed.
func TestHelperServers(t *testing.T) {
	if os.Getenv("DEVSERVER_HELPER") != "1" {
		return
	}
	ctx := context.Background()
	r, err := StartRedis(ctx, RedisOptions{})
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	pg, err := StartPostgres(ctx, PostgresOptions{Ephemeral: true})
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	b, _ := json.Marshal(serversInfo{
		RedisPID: r.cmd.Process.Pid, RedisDir: r.dir,
		PostgresPID: pg.cmd.Process.Pid, DataDir: pg.dataDir, SockDir: pg.sockDir,
	})
	fmt.Println(string(b))
	select {}
}

// processGone reports whether pid has exited; a zombie left for a non-reaping init counts.
func processGone(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i >= 0 && i+2 < len(s) && (s[i+2] == 'Z' || s[i+2] == 'X')
}

func TestServersDieWithParent(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Fatalf("this test needs Linux /proc: %v", err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperServers$", "-test.timeout=5m")
	cmd.Env = append(os.Environ(), "DEVSERVER_HELPER=1")
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		_ = cmd.Process.Kill()
		t.Fatalf("helper: %v", err)
	}
	var info serversInfo
	if err := json.Unmarshal([]byte(line), &info); err != nil {
		_ = cmd.Process.Kill()
		t.Fatalf("helper said %q", line)
	}
	t.Cleanup(func() {
		for _, d := range []string{info.RedisDir, info.DataDir, info.DataDir + ".lock", info.SockDir} {
			os.RemoveAll(d)
		}
	})
	if processGone(info.RedisPID) || processGone(info.PostgresPID) {
		t.Fatal("servers not running while the helper is alive")
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()

	deadline := time.Now().Add(30 * time.Second)
	for !processGone(info.RedisPID) || !processGone(info.PostgresPID) {
		if time.Now().After(deadline) {
			// Do not leak them past the test either.
			syscall.Kill(info.RedisPID, syscall.SIGKILL)
			syscall.Kill(info.PostgresPID, syscall.SIGKILL)
			t.Fatalf("servers still running 30s after their parent died (redis gone=%v, postgres gone=%v)",
				processGone(info.RedisPID), processGone(info.PostgresPID))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestSweepRemovesDirsOfDeadOwners(t *testing.T) {
	base, err := shortTempDir("pbt")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })

	dead, err := claimTempDir(base, "x")
	if err != nil {
		t.Fatal(err)
	}
	// Closing the lock file is what the kernel does when the owner dies.
	dead.lock.Close()
	alive, err := claimTempDir(base, "x")
	if err != nil {
		t.Fatal(err)
	}
	defer alive.remove()
	// A lock file not yet claimed (empty) belongs to a process between creating and locking it.
	starting := filepath.Join(base, "xstarting")
	if err := os.Mkdir(starting, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(starting+".lock", nil, 0o600); err != nil {
		t.Fatal(err)
	}

	sweepTempDirs(base, "x")
	if _, err := os.Stat(dead.path); !os.IsNotExist(err) {
		t.Errorf("directory of a dead owner survived the sweep (err=%v)", err)
	}
	if _, err := os.Stat(dead.path + ".lock"); !os.IsNotExist(err) {
		t.Errorf("lock file of a dead owner survived the sweep (err=%v)", err)
	}
	for _, d := range []string{alive.path, starting} {
		if _, err := os.Stat(d); err != nil {
			t.Errorf("sweep removed %s: %v", d, err)
		}
	}
}

func TestServerOutlivesTheThreadThatStartedIt(t *testing.T) {
	ctx := testContext(t)
	type started struct {
		r   *Redis
		tid int
		err error
	}
	var s started
	for attempt := 0; ; attempt++ {
		ch := make(chan started)
		go func() {
			// A goroutine that locks its thread and returns ends that thread, except the main
			// thread, which Go keeps: try again from another one.
			runtime.LockOSThread()
			if syscall.Gettid() == os.Getpid() {
				ch <- started{tid: -1}
				return
			}
			r, err := StartRedis(ctx, RedisOptions{})
			ch <- started{r, syscall.Gettid(), err}
		}()
		if s = <-ch; s.tid != -1 {
			break
		}
		if attempt == 10 {
			t.Fatal("could not get a goroutine onto a thread other than the main one")
		}
	}
	if s.err != nil {
		t.Fatal(s.err)
	}
	defer s.r.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := os.Stat(fmt.Sprintf("/proc/self/task/%d", s.tid)); os.IsNotExist(err) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the locked thread did not end")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if processGone(s.r.cmd.Process.Pid) {
		t.Fatal("redis died with the thread that started it")
	}
	if err := ping(ctx, s.r.Addr()); err != nil {
		t.Fatalf("redis no longer answers: %v", err)
	}
}

func TestVersionLess(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"9.6", "15", true},
		{"15", "9.6", false},
		{"15", "16", true},
		{"16", "16", false},
	} {
		if got := versionLess(c.a, c.b); got != c.want {
			t.Errorf("versionLess(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}
