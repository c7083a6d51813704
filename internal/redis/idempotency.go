package redis

import (
	"context"
	"errors"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// Idempotency lets exactly one of several handlers of the same event (a double click, a retried
// delivery, two replicas) go ahead. Each claim has the hot-path budget.
type Idempotency struct {
	c      goredis.UniversalClient
	prefix string
	hot    hotPath
}

// NewIdempotency returns idempotency keys that all start with prefix.
func NewIdempotency(c goredis.UniversalClient, prefix string) *Idempotency {
	return &Idempotency{c: c, prefix: prefix}
}

// Claim reports whether this caller is the first to claim key within ttl; exactly one concurrent
// caller gets true.
func (i *Idempotency) Claim(ctx context.Context, key string, ttl time.Duration) (first bool, err error) {
	if ttl <= 0 {
		return false, fmt.Errorf("redis: claim: ttl %v is not positive", ttl)
	}
	k := join(i.prefix, "idem", key)
	// A unique value lets a caller recognise its own claim when the client retried a SET whose
	// first reply was lost, instead of mistaking it for someone else's.
	token := randomKey(16)
	err = i.hot.do(ctx, func(ctx context.Context) error {
		ok, err := i.c.SetNX(ctx, k, token, ttl).Result()
		if err != nil || ok {
			first = ok
			return err
		}
		holder, err := i.c.Get(ctx, k).Result()
		if errors.Is(err, goredis.Nil) {
			// The other claim expired in between; it still came first.
			return nil
		}
		first = holder == token
		return err
	})
	if err != nil {
		return false, wrapErr("claim", err)
	}
	return first, nil
}

// Release forgets a claim, so that the event may be handled again after the first handler failed
// before changing anything.
func (i *Idempotency) Release(ctx context.Context, key string) error {
	err := i.hot.try(ctx, func(ctx context.Context) error { return i.c.Del(ctx, join(i.prefix, "idem", key)).Err() })
	if err != nil {
		return wrapErr("release", err)
	}
	return nil
}
