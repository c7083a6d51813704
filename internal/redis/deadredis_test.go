package redis_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"placementbot/internal/placement"
	"placementbot/internal/redis"
	"placementbot/internal/testenv"
)

// hotBudget is the most a hot-path call may take against a dead Redis, with room for a busy
// machine; the client's own budget is smaller.
const hotBudget = 400 * time.Millisecond

func TestHotPathGivesUpQuicklyOnADeadRedis(t *testing.T) {
	for name, dead := range testenv.DeadRedisKinds {
		t.Run(name, func(t *testing.T) {
			ctx := testContext(t)
			d := dead(t)
			c := redis.NewClient(redis.Options{Addrs: []string{d.Addr()}})
			t.Cleanup(func() { c.Close() })
			facts := redis.NewFactsCache(c, "pb", time.Minute)
			rl := redis.NewRateLimiter(c, "pb")
			id := redis.NewIdempotency(c, "pb")
			calls := map[string]func() error{
				"facts": func() error {
					facts.Put(ctx, "g", "u", placement.ActorFacts{Locale: "zh-CN"})
					facts.Forget(ctx, "g", "other")
					if _, ok := facts.Get(ctx, "g", "u"); ok {
						return errors.New("a hit from a dead Redis")
					}
					return redis.ErrUnavailable
				},
				"rate limit": func() error { _, _, err := rl.Allow(ctx, "k", redis.PerPeriod(5, time.Minute)); return err },
				"claim":      func() error { _, err := id.Claim(ctx, "k", time.Minute); return err },
			}
			for round := range 3 {
				for what, call := range calls {
					began := time.Now()
					err := call()
					took := time.Since(began)
					if !errors.Is(err, redis.ErrUnavailable) {
						t.Errorf("%s: err = %v, want ErrUnavailable", what, err)
					}
					budget := hotBudget
					if what == "facts" {
						budget *= 3 // three calls
					}
					if took > budget {
						t.Errorf("round %d, %s took %v against a dead Redis, want at most %v", round, what, took, budget)
					}
				}
			}

			// Once a real Redis answers on the address, every call goes through again.
			real := testenv.NewRedisServer(t)
			d.Recover(real.Addr())
			deadline := time.Now().Add(10 * time.Second)
			for {
				facts.Put(ctx, "g", "u", placement.ActorFacts{Locale: "zh-CN"})
				_, hit := facts.Get(ctx, "g", "u")
				_, _, rlErr := rl.Allow(ctx, "k", redis.PerPeriod(5, time.Minute))
				_, idErr := id.Claim(ctx, "k", time.Minute)
				if hit && rlErr == nil && idErr == nil {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("no recovery: facts hit %v, rate limit %v, claim %v", hit, rlErr, idErr)
				}
				time.Sleep(20 * time.Millisecond)
			}
		})
	}
}

func TestLocalLimiter(t *testing.T) {
	var l redis.LocalLimiter
	limit := redis.PerPeriod(3, time.Minute)
	for i := range 3 {
		if ok, _ := l.Allow("bo", limit); !ok {
			t.Fatalf("event %d refused", i)
		}
	}
	ok, retry := l.Allow("bo", limit)
	if ok || retry <= 0 || retry > 20*time.Second {
		t.Fatalf("4th event: allowed %v, retry after %v; want refused, about 20 s", ok, retry)
	}
	if ok, _ := l.Allow("li", limit); !ok {
		t.Fatal("another key was limited too")
	}

	// Keys whose burst has come back are dropped, so the limiter does not grow with every member
	// ever seen.
	short := redis.PerPeriod(1, 20*time.Millisecond)
	for i := range 1000 {
		l.Allow(fmt.Sprint("member", i), short)
	}
	deadline := time.Now().Add(5 * time.Second)
	for l.Allow("sweeper", short); l.Len() > 10; l.Allow("sweeper", short) {
		if time.Now().After(deadline) {
			t.Fatalf("%d keys kept after their period", l.Len())
		}
		time.Sleep(5 * time.Millisecond)
	}
}
