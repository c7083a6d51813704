package discord

import (
	"context"
	"reflect"
	"strings"
	"time"
	"unsafe"

	"github.com/bwmarrin/discordgo"
)

// SweepEvery is how often KeepRateLimitsBounded drops finished interactions' buckets.
const SweepEvery = time.Minute

// KeepRateLimitsBounded drops, every SweepEvery until ctx ends, the rate-limit buckets discordgo
// keeps for interaction and webhook routes once they are idle and their reset has passed.
// discordgo makes one bucket per interaction token (the token is in the route) and never frees
// it, so a long-running bot would otherwise grow by one bucket per interaction.
func KeepRateLimitsBounded(ctx context.Context, s *discordgo.Session) {
	t := time.NewTicker(SweepEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			SweepRateLimits(s.Ratelimiter, time.Now())
		}
	}
}

// SweepRateLimits drops the idle interaction and webhook buckets whose reset is before now and
// reports how many it dropped. A bucket in use (locked) or still limited stays. discordgo
// v0.29.0 keeps the buckets in an unexported map, reached here under the limiter's own lock.
func SweepRateLimits(rl *discordgo.RateLimiter, now time.Time) int {
	buckets := bucketMap(rl)
	if buckets == nil {
		return 0
	}
	rl.Lock()
	defer rl.Unlock()
	dropped := 0
	for key, b := range buckets {
		if !strings.Contains(key, "/interactions/") && !strings.Contains(key, "/webhooks/") {
			continue
		}
		if !b.TryLock() {
			continue
		}
		if reset, ok := bucketReset(b); ok && !reset.After(now) {
			delete(buckets, key)
			dropped++
		}
		b.Unlock()
	}
	return dropped
}

// bucketMap is the limiter's map of buckets, or nil if discordgo's layout is not the one this
// was written for.
func bucketMap(rl *discordgo.RateLimiter) map[string]*discordgo.Bucket {
	f := reflect.ValueOf(rl).Elem().FieldByName("buckets")
	if !f.IsValid() || f.Type() != reflect.TypeFor[map[string]*discordgo.Bucket]() {
		return nil
	}
	return *(*map[string]*discordgo.Bucket)(unsafe.Pointer(f.UnsafeAddr()))
}

// bucketReset is when the bucket's limit resets; the caller holds the bucket's lock.
func bucketReset(b *discordgo.Bucket) (time.Time, bool) {
	f := reflect.ValueOf(b).Elem().FieldByName("reset")
	if !f.IsValid() || f.Type() != reflect.TypeFor[time.Time]() {
		return time.Time{}, false
	}
	return *(*time.Time)(unsafe.Pointer(f.UnsafeAddr())), true
}
