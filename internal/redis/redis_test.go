package redis_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	goredis "github.com/redis/go-redis/v9"

	"placementbot/internal/redis"
	"placementbot/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

type draft struct {
	Title  string   `json:"title"`
	Skills []string `json:"skills"`
	Seats  int      `json:"seats"`
}

func TestSessionsPutGetDelete(t *testing.T) {
	ctx := testContext(t)
	s := redis.NewSessions(testenv.NewRedisClient(t), "pb")
	key := s.NewKey()
	want := draft{Title: "Cardiology ward", Skills: []string{"ECG", "triage"}, Seats: 2}

	if err := s.Put(ctx, "draft", key, want, time.Minute); err != nil {
		t.Fatal(err)
	}
	var got draft
	if found, err := s.Get(ctx, "draft", key, &got); err != nil || !found {
		t.Fatalf("Get: found %v, err %v", found, err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("Get (-want +got):\n%s", diff)
	}
	// Kinds are separate namespaces.
	if found, err := s.Get(ctx, "page", key, &got); found || err != nil {
		t.Fatalf("other kind: found %v, err = %v, want not found", found, err)
	}
	if err := s.Delete(ctx, "draft", key); err != nil {
		t.Fatal(err)
	}
	if found, err := s.Get(ctx, "draft", key, &got); found || err != nil {
		t.Fatalf("after Delete: found %v, err = %v, want not found", found, err)
	}
	if err := s.Delete(ctx, "draft", key); err != nil {
		t.Fatalf("deleting an absent session: %v", err)
	}
	if found, err := s.Touch(ctx, "draft", key, time.Minute); found || err != nil {
		t.Fatalf("Touch of an absent session: found %v, err = %v, want not found", found, err)
	}
	if err := s.Put(ctx, "draft", key, want, 0); err == nil {
		t.Fatal("Put without a TTL succeeded; sessions must expire")
	}
	if err := s.Put(ctx, "draft", key, func() {}, time.Minute); err == nil || errors.Is(err, redis.ErrUnavailable) {
		t.Fatalf("unencodable value: err = %v, want an encoding error", err)
	}
}

// waitGone polls until the session is gone, failing after deadline.
func waitGone(t *testing.T, ctx context.Context, s *redis.Sessions, kind, key string, deadline time.Duration) time.Duration {
	t.Helper()
	began := time.Now()
	for {
		var v draft
		found, err := s.Get(ctx, kind, key, &v)
		if err == nil && !found {
			return time.Since(began)
		}
		if err != nil {
			t.Fatal(err)
		}
		if time.Since(began) > deadline {
			t.Fatalf("session %s/%s still there after %v", kind, key, deadline)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestSessionsExpireUnlessTouched(t *testing.T) {
	ctx := testContext(t)
	s := redis.NewSessions(testenv.NewRedisClient(t), "pb")
	const ttl = 300 * time.Millisecond
	idle, active := s.NewKey(), s.NewKey()
	began := time.Now()
	for _, k := range []string{idle, active} {
		if err := s.Put(ctx, "page", k, draft{Title: k}, ttl); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Touch(ctx, "page", active, time.Minute); err != nil {
		t.Fatal(err)
	}

	waitGone(t, ctx, s, "page", idle, 5*time.Second)
	if gone := time.Since(began); gone < ttl-50*time.Millisecond {
		t.Errorf("idle session gone after %v, before its TTL of %v", gone, ttl)
	}
	// The idle one outlived its TTL only by polling; the touched one, put at the same moment with
	// the same TTL, must still be there.
	var v draft
	if _, err := s.Get(ctx, "page", active, &v); err != nil {
		t.Fatalf("touched session: %v", err)
	}
	if v.Title != active {
		t.Fatalf("touched session holds %q", v.Title)
	}
}

func TestNewKey(t *testing.T) {
	s := redis.NewSessions(nil, "")
	seen := map[string]bool{}
	for range 10000 {
		k := s.NewKey()
		if len(k) != 10 {
			t.Fatalf("key %q has length %d, want 10", k, len(k))
		}
		for _, r := range k {
			if !strings.ContainsRune("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", r) {
				t.Fatalf("key %q has a character outside base62", k)
			}
		}
		if seen[k] {
			t.Fatalf("key %q repeated", k)
		}
		seen[k] = true
	}
}

func TestRateLimiter(t *testing.T) {
	ctx := testContext(t)
	rl := redis.NewRateLimiter(testenv.NewRedisClient(t), "pb")
	limit := redis.PerPeriod(3, time.Minute)

	for i := range 3 {
		ok, retry, err := rl.Allow(ctx, "apply:u1", limit)
		if err != nil || !ok || retry != 0 {
			t.Fatalf("event %d: allowed=%v retryAfter=%v err=%v, want allowed", i+1, ok, retry, err)
		}
	}
	ok, retry, err := rl.Allow(ctx, "apply:u1", limit)
	if err != nil || ok {
		t.Fatalf("event 4: allowed=%v err=%v, want refused", ok, err)
	}
	if retry <= 0 || retry > time.Minute {
		t.Fatalf("event 4: retryAfter = %v, want within (0, 1m]", retry)
	}
	// Another member has a limit of their own.
	if ok, _, err := rl.Allow(ctx, "apply:u2", limit); err != nil || !ok {
		t.Fatalf("other key: allowed=%v err=%v", ok, err)
	}
	if _, _, err := rl.Allow(ctx, "apply:u1", redis.Limit{}); err == nil {
		t.Fatal("zero limit accepted")
	}
}

func TestIdempotencyExactlyOneClaimWins(t *testing.T) {
	ctx := testContext(t)
	id := redis.NewIdempotency(testenv.NewRedisClient(t), "pb")

	const callers = 50
	var wins atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make(chan error, callers)
	for range callers {
		wg.Go(func() {
			<-start
			first, err := id.Claim(ctx, "interaction:123", time.Minute)
			if err != nil {
				errs <- err
				return
			}
			if first {
				wins.Add(1)
			}
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := wins.Load(); got != 1 {
		t.Fatalf("%d callers won the claim, want exactly 1", got)
	}

	if err := id.Release(ctx, "interaction:123"); err != nil {
		t.Fatal(err)
	}
	if first, err := id.Claim(ctx, "interaction:123", time.Minute); err != nil || !first {
		t.Fatalf("claim after release: first=%v err=%v", first, err)
	}
	if _, err := id.Claim(ctx, "interaction:124", 0); err == nil {
		t.Fatal("claim without a TTL succeeded")
	}
}

func TestUnavailableWhenRedisIsDown(t *testing.T) {
	ctx := testContext(t)
	srv := testenv.NewRedisServer(t)
	c := redis.NewClient(redis.Options{Addrs: []string{srv.Addr()}})
	t.Cleanup(func() { c.Close() })
	s := redis.NewSessions(c, "pb")
	rl := redis.NewRateLimiter(c, "pb")
	id := redis.NewIdempotency(c, "pb")
	// Warm the pool so that the outage also breaks connections in use, not only new ones.
	if err := s.Put(ctx, "draft", "k", draft{}, time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, _, err := rl.Allow(ctx, "k", redis.PerPeriod(5, time.Minute)); err != nil {
		t.Fatal(err)
	}

	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	calls := map[string]func() error{
		"Put":    func() error { return s.Put(ctx, "draft", "k", draft{}, time.Minute) },
		"Get":    func() error { var v draft; _, err := s.Get(ctx, "draft", "k", &v); return err },
		"Touch":  func() error { _, err := s.Touch(ctx, "draft", "k", time.Minute); return err },
		"Delete": func() error { return s.Delete(ctx, "draft", "k") },
		"Allow": func() error {
			_, _, err := rl.Allow(ctx, "k", redis.PerPeriod(5, time.Minute))
			return err
		},
		"Claim": func() error {
			_, err := id.Claim(ctx, "k", time.Minute)
			return err
		},
		"Release": func() error { return id.Release(ctx, "k") },
	}
	for name, call := range calls {
		began := time.Now()
		err := call()
		took := time.Since(began)
		if !errors.Is(err, redis.ErrUnavailable) {
			t.Errorf("%s: err = %v, want ErrUnavailable", name, err)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "redis: ") {
			t.Errorf("%s: error %q does not name the operation", name, err)
		}
		if took > 500*time.Millisecond {
			t.Errorf("%s took %v to fail, want well under 2s", name, took)
		}
	}

	// The client recovers by itself once Redis is back.
	if err := srv.Start(ctx); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := s.Put(ctx, "draft", "k", draft{}, time.Minute)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("client did not recover after Redis came back: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestNewClientTopology(t *testing.T) {
	for _, c := range []struct {
		opts redis.Options
		want string
	}{
		{redis.Options{Addrs: []string{"/tmp/redis.sock"}}, "*redis.Client"},
		{redis.Options{Addrs: []string{"localhost:6379"}}, "*redis.Client"},
		{redis.Options{Addrs: []string{"a:6379", "b:6379"}}, "*redis.ClusterClient"},
		{redis.Options{Addrs: []string{"a:26379"}, MasterName: "main"}, "*redis.Client"},
	} {
		client := redis.NewClient(c.opts)
		if got := fmt.Sprintf("%T", client); got != c.want {
			t.Errorf("%+v: client is %s, want %s", c.opts, got, c.want)
		}
		if cl, ok := client.(*goredis.Client); ok && strings.HasPrefix(c.opts.Addrs[0], "/") {
			if got := cl.Options().Network; got != "unix" {
				t.Errorf("socket address: network %q, want unix", got)
			}
		}
		client.Close()
	}
}
