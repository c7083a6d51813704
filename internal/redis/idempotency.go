package redis

import (
	"context"
	"errors"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// Idempotency lets exactly one of several handlers of the same event (a double click, a retried
// delivery, two replicas) go ahead.
type Idempotency struct {
	c      goredis.UniversalClient
	prefix string
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
	ok, err := i.c.SetNX(ctx, k, token, ttl).Result()
	if err != nil {
		return false, wrapErr("claim", err)
	}
	if ok {
		return true, nil
	}
	holder, err := i.c.Get(ctx, k).Result()
	if errors.Is(err, goredis.Nil) {
		// The other claim expired in between; it still came first.
		return false, nil
	}
	if err != nil {
		return false, wrapErr("claim", err)
	}
	return holder == token, nil
}

// Release forgets a claim, so that the event may be handled again after the first handler failed
// before changing anything.
func (i *Idempotency) Release(ctx context.Context, key string) error {
	if err := i.c.Del(ctx, join(i.prefix, "idem", key)).Err(); err != nil {
		return wrapErr("release", err)
	}
	return nil
}
