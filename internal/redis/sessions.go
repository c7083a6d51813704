package redis

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// Sessions stores short-lived conversation state (result pages, multi-step drafts) as JSON under
// keys that expire unless touched.
type Sessions struct {
	c      goredis.UniversalClient
	prefix string
}

// NewSessions returns session storage whose keys all start with prefix.
func NewSessions(c goredis.UniversalClient, prefix string) *Sessions {
	return &Sessions{c: c, prefix: prefix}
}

// key namespaces a session by prefix and kind, so that pages and drafts never collide.
func (s *Sessions) key(kind, key string) string {
	return join(s.prefix, "session", kind, key)
}

// Put stores v as JSON under kind and key for ttl, replacing any earlier value.
func (s *Sessions) Put(ctx context.Context, kind, key string, v any, ttl time.Duration) error {
	if ttl <= 0 {
		return fmt.Errorf("redis: put session %s: ttl %v is not positive", kind, ttl)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("redis: put session %s: encode: %w", kind, err)
	}
	if err := s.c.Set(ctx, s.key(kind, key), b, ttl).Err(); err != nil {
		return wrapErr("put session "+kind, err)
	}
	return nil
}

// Get decodes the value stored under kind and key into v; found is false when there is none or
// it has expired.
func (s *Sessions) Get(ctx context.Context, kind, key string, v any) (bool, error) {
	b, err := s.c.Get(ctx, s.key(kind, key)).Bytes()
	if errors.Is(err, goredis.Nil) {
		return false, nil
	}
	if err != nil {
		return false, wrapErr("get session "+kind, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return false, fmt.Errorf("redis: get session %s: decode: %w", kind, err)
	}
	return true, nil
}

// Touch makes the value under kind and key live ttl from now, so that state in active use does not
// expire; found is false when there is none.
func (s *Sessions) Touch(ctx context.Context, kind, key string, ttl time.Duration) (bool, error) {
	if ttl <= 0 {
		return false, fmt.Errorf("redis: touch session %s: ttl %v is not positive", kind, ttl)
	}
	ok, err := s.c.Expire(ctx, s.key(kind, key), ttl).Result()
	if err != nil {
		return false, wrapErr("touch session "+kind, err)
	}
	return ok, nil
}

// Delete removes the value under kind and key; removing one that is absent is not an error.
func (s *Sessions) Delete(ctx context.Context, kind, key string) error {
	if err := s.c.Del(ctx, s.key(kind, key)).Err(); err != nil {
		return wrapErr("delete session "+kind, err)
	}
	return nil
}

// keyLength gives about 59 bits of randomness, enough that keys cannot be guessed or collide,
// while leaving room in a 100-character custom_id.
const keyLength = 10

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// NewKey returns a short, opaque, unguessable key for a new session, for use in custom_ids.
func (s *Sessions) NewKey() string {
	return randomKey(keyLength)
}

// randomKey returns n random base62 characters from crypto/rand.
func randomKey(n int) string {
	out := make([]byte, 0, n)
	buf := make([]byte, 2*n)
	for len(out) < n {
		// crypto/rand.Read never fails since Go 1.24.
		_, _ = rand.Read(buf)
		for _, b := range buf {
			// Bytes of 248 and above are dropped so every character is equally likely.
			if b < 248 && len(out) < n {
				out = append(out, base62[b%62])
			}
		}
	}
	return string(out)
}
