package testenv

import (
	"context"
	"testing"

	goredis "github.com/redis/go-redis/v9"

	"placementbot/internal/devserver"
	"placementbot/internal/redis"
)

// NewRedisServer starts a fresh, empty Redis for this test alone, killed at cleanup; the test may
// Stop and Start it to simulate an outage.
func NewRedisServer(t testing.TB) *devserver.Redis {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	srv, err := devserver.StartRedis(ctx, devserver.RedisOptions{})
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	t.Cleanup(srv.Close)
	return srv
}

// NewRedis starts a fresh, empty Redis for this test alone and returns its address (a Unix socket
// path that go-redis accepts as Addr).
func NewRedis(t testing.TB) (addr string) {
	t.Helper()
	return NewRedisServer(t).Addr()
}

// NewRedisClient starts a fresh, empty Redis for this test alone and returns a client configured
// as the bot configures its own, closed at cleanup.
func NewRedisClient(t testing.TB) goredis.UniversalClient {
	t.Helper()
	c := redis.NewClient(redis.Options{Addrs: []string{NewRedis(t)}})
	t.Cleanup(func() { _ = c.Close() })
	return c
}
