// Package redis keeps short-lived state in Redis: sessions (pages, drafts), rate limits and
// idempotency keys. Losing it costs at most open drafts and pages, never a decision.
package redis

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// ErrUnavailable marks errors caused by Redis being down, slow or unreachable, so that callers can
// tell the member that nothing was saved and to try again.
var ErrUnavailable error = unavailable{}

// unavailable is ErrUnavailable's type; its Unavailable method lets callers that know only an
// interface (the Discord side's session storage) recognise it without importing this package.
type unavailable struct{}

func (unavailable) Error() string     { return "redis unavailable" }
func (unavailable) Unavailable() bool { return true }

// Timeouts are short because every call sits inside a 3-second interaction window: a slow Redis
// must fail fast enough for the member to get a clear answer. Dials and reads are bounded
// separately because a Redis whose accept queue is full makes dials hang, while one that accepts
// and never answers makes reads hang.
const (
	dialTimeout = 500 * time.Millisecond
	ioTimeout   = 500 * time.Millisecond
	poolTimeout = 500 * time.Millisecond
)

// Hot-path calls (member facts, rate limits, idempotency keys) run on every interaction and
// each has a way on without Redis, so they get a small total budget, dial and pool wait
// included, and after one of them finds Redis unreachable the same kind of call skips Redis
// for hotCooldown instead of paying the budget on every interaction.
const (
	hotBudget   = 150 * time.Millisecond
	hotCooldown = time.Second
)

// errCoolingDown is what a hot-path call returns while it skips Redis after a failure.
var errCoolingDown = errors.New("skipped: Redis failed a moment ago")

// hotPath bounds one kind of hot-path call and remembers when Redis last failed it.
type hotPath struct{ downUntil atomic.Int64 }

// do runs f with the hot-path budget, unless Redis failed this kind of call within hotCooldown.
func (h *hotPath) do(ctx context.Context, f func(context.Context) error) error {
	if time.Now().UnixNano() < h.downUntil.Load() {
		return errCoolingDown
	}
	return h.try(ctx, f)
}

// try runs f with the hot-path budget even while cooling down, for calls that keep other
// replicas right (dropping a cached entry); a failure starts the cooldown.
func (h *hotPath) try(ctx context.Context, f func(context.Context) error) error {
	bctx, cancel := context.WithTimeout(ctx, hotBudget)
	defer cancel()
	err := f(bctx)
	// A caller whose own context ended says nothing about Redis.
	if err != nil && ctx.Err() == nil && isUnavailable(err) {
		h.downUntil.Store(time.Now().Add(hotCooldown).UnixNano())
	}
	return err
}

// Options says how to reach Redis: one address for a single server, MasterName with sentinel
// addresses for Sentinel failover, several addresses for a Cluster. An address starting with "/"
// is a Unix socket path.
type Options struct {
	Addrs      []string
	MasterName string
	Username   string
	Password   string
	DB         int
}

// NewClient returns a client for the configured topology with short timeouts; it does not
// connect until first used.
func NewClient(o Options) goredis.UniversalClient {
	// go-redis picks the topology (plain, Sentinel, Cluster) from these options and dials a Unix
	// socket for any address that starts with "/".
	return goredis.NewUniversalClient(&goredis.UniversalOptions{
		Addrs:                 o.Addrs,
		MasterName:            o.MasterName,
		Username:              o.Username,
		Password:              o.Password,
		DB:                    o.DB,
		DialTimeout:           dialTimeout,
		ReadTimeout:           ioTimeout,
		WriteTimeout:          ioTimeout,
		PoolTimeout:           poolTimeout,
		ContextTimeoutEnabled: true,
		// No retries: a dead Redis would only delay the answer, and the pool already checks an
		// idle connection before reuse, so one broken by a server restart is not handed out.
		MaxRetries:    -1,
		DialerRetries: 1,
	})
}

// wrapErr names the operation and marks errors that mean Redis cannot serve now as ErrUnavailable.
func wrapErr(op string, err error) error {
	if isUnavailable(err) {
		return fmt.Errorf("redis: %s: %w: %w", op, ErrUnavailable, err)
	}
	return fmt.Errorf("redis: %s: %w", op, err)
}

// isUnavailable reports whether err is about reaching Redis rather than about the command: every
// error that is not a server reply (network, timeouts, closed pool), and replies saying the server
// cannot serve right now.
func isUnavailable(err error) bool {
	var reply goredis.Error
	if !errors.As(err, &reply) {
		return true
	}
	return goredis.IsLoadingError(err) ||
		goredis.IsReadOnlyError(err) ||
		goredis.IsClusterDownError(err) ||
		goredis.IsTryAgainError(err) ||
		goredis.IsMasterDownError(err) ||
		goredis.IsMaxClientsError(err)
}

// join builds a key from a caller's prefix and parts, leaving out an empty prefix.
func join(prefix string, parts ...string) string {
	k := prefix
	for _, p := range parts {
		if k != "" {
			k += ":"
		}
		k += p
	}
	return k
}
