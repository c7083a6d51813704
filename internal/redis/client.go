// Package redis keeps short-lived state in Redis: sessions (pages, drafts), rate limits and
// idempotency keys. Losing it costs at most open drafts and pages, never a decision.
package redis

import (
	"errors"
	"fmt"
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
// must fail fast enough for the member to get a clear answer.
const (
	dialTimeout  = 2 * time.Second
	ioTimeout    = 500 * time.Millisecond
	poolTimeout  = time.Second
	retryBackoff = 50 * time.Millisecond
)

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
		// One retry covers a pooled connection broken by a server restart; more would only delay
		// the answer when the server is really gone.
		MaxRetries:         1,
		MinRetryBackoff:    retryBackoff,
		MaxRetryBackoff:    retryBackoff,
		DialerRetries:      1,
		DialerRetryTimeout: retryBackoff,
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
