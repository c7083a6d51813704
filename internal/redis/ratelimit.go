package redis

import (
	"context"
	"fmt"
	"sync"
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
// Each call has the hot-path budget; LocalLimiter stands in when it fails.
type RateLimiter struct {
	l      *redis_rate.Limiter
	prefix string
	hot    hotPath
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
	var res *redis_rate.Result
	err = r.hot.do(ctx, func(ctx context.Context) (err error) {
		res, err = r.l.Allow(ctx, join(r.prefix, key), limit)
		return err
	})
	if err != nil {
		return false, 0, wrapErr("rate limit", err)
	}
	if res.Allowed > 0 {
		return true, 0, nil
	}
	return false, res.RetryAfter, nil
}

// LocalLimiter counts events per key in this process alone, with the same limits as
// RateLimiter (GCRA): the fallback while Redis cannot be reached, so each replica then allows a
// member the limit on its own. The zero value is ready to use.
type LocalLimiter struct {
	mu    sync.Mutex
	tat   map[string]time.Time // theoretical arrival time of each key's next event
	swept time.Time
}

// Allow records one event for key and reports whether it is within limit; when it is not,
// retryAfter says how long until the next event would be allowed.
func (l *LocalLimiter) Allow(key string, limit Limit) (allowed bool, retryAfter time.Duration) {
	if limit.Rate <= 0 || limit.Burst <= 0 || limit.Period <= 0 {
		return false, 0
	}
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.tat == nil {
		l.tat = map[string]time.Time{}
	}
	if now.Sub(l.swept) > limit.Period {
		// A key whose arrival time has passed has its whole burst back: forgetting it changes
		// nothing, and keeps the map as small as the set of members active within a period.
		for k, t := range l.tat {
			if !t.After(now) {
				delete(l.tat, k)
			}
		}
		l.swept = now
	}
	interval := limit.Period / time.Duration(limit.Rate)
	tat := l.tat[key]
	if tat.Before(now) {
		tat = now
	}
	next := tat.Add(interval)
	if allowAt := next.Add(-interval * time.Duration(limit.Burst)); allowAt.After(now) {
		return false, allowAt.Sub(now)
	}
	l.tat[key] = next
	return true, 0
}

// Len reports how many keys the limiter holds, for tests of its memory bound.
func (l *LocalLimiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.tat)
}
