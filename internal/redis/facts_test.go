package redis_test

import (
	"context"
	"testing"
	"time"

	"placementbot/internal/placement"
	"placementbot/internal/redis"
	"placementbot/internal/testenv"
)

func TestFactsCache(t *testing.T) {
	ctx := context.Background()
	c := redis.NewFactsCache(testenv.NewRedisClient(t), "test:", time.Minute)
	f := placement.ActorFacts{EnterpriseIDs: []int64{3}, Locale: "zh-CN", Undelivered: 2}
	if _, ok := c.Get(ctx, "g1", "u1"); ok {
		t.Fatal("hit before any put")
	}
	c.Put(ctx, "g1", "u1", f)
	c.Put(ctx, "g1", "u2", f)
	c.Put(ctx, "g2", "u1", f)
	if got, ok := c.Get(ctx, "g1", "u1"); !ok || got.Locale != "zh-CN" || got.Undelivered != 2 || got.EnterpriseIDs[0] != 3 {
		t.Fatalf("got %+v %v", got, ok)
	}
	c.Forget(ctx, "g1", "u1")
	if _, ok := c.Get(ctx, "g1", "u1"); ok {
		t.Fatal("forgotten member still cached")
	}
	if _, ok := c.Get(ctx, "g1", "u2"); !ok {
		t.Fatal("forgetting one member dropped another")
	}
	c.Forget(ctx, "g1", "")
	if _, ok := c.Get(ctx, "g1", "u2"); ok {
		t.Fatal("forgotten guild still cached")
	}
	if _, ok := c.Get(ctx, "g2", "u1"); !ok {
		t.Fatal("forgetting one guild dropped another")
	}

	// Each entry lives its own ttl from when it was put.
	short := redis.NewFactsCache(testenv.NewRedisClient(t), "test:", 100*time.Millisecond)
	short.Put(ctx, "g", "old", f)
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, ok := short.Get(ctx, "g", "old"); !ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("entry never expired")
		}
		time.Sleep(10 * time.Millisecond)
	}
	short.Put(ctx, "g", "new", f)
	if _, ok := short.Get(ctx, "g", "new"); !ok {
		t.Fatal("a fresh entry in a guild with an expired one is a miss")
	}
}
