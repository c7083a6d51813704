package redis

import (
	"context"
	"fmt"
	"time"

	"github.com/go-redis/redis_rate/v10"
	goredis "github.com/redis/go-redis/v9"
)

// Limit is how many events a key may have per period (GCRA, with a burst).
type Limit = redis_rate.Limit

// PerPeriod returns a limit of n events per period, all of which may come at once.
func PerPeriod(n int, period time.Duration) Limit {
	return Limit{Rate: n, Burst: n, Period: period}
}

// RateLimiter counts events per key in Redis, so that every replica shares one limit per member.
type RateLimiter struct {
	l      *redis_rate.Limiter
	prefix string
}

// NewRateLimiter returns a rate limiter whose keys all start with prefix.
func NewRateLimiter(c goredis.UniversalClient, prefix string) *RateLimiter {
	return &RateLimiter{l: redis_rate.NewLimiter(c), prefix: prefix}
}

// Allow records one event for key and reports whether it is within limit; when it is not,
// retryAfter says how long until the next event would be allowed.
func (r *RateLimiter) Allow(ctx context.Context, key string, limit Limit) (allowed bool, retryAfter time.Duration, err error) {
	if limit.Rate <= 0 || limit.Burst <= 0 || limit.Period <= 0 {
		return false, 0, fmt.Errorf("redis: rate limit: invalid limit %v", limit)
	}
	res, err := r.l.Allow(ctx, join(r.prefix, key), limit)
	if err != nil {
		return false, 0, wrapErr("rate limit", err)
	}
	if res.Allowed > 0 {
		return true, 0, nil
	}
	return false, res.RetryAfter, nil
}
