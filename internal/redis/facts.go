package redis

import (
	"context"
	"encoding/json"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"placementbot/internal/placement"
)

// FactsCache keeps each member's placement.ActorFacts in one Redis hash per guild, so every
// replica sees the same entries and a change drops them for all. Each entry is used for ttl
// after it was read from the store, so even a change made behind the bot's back (by hand in the
// database) applies by then; the hash itself goes once the guild has been quiet for ttl.
// Any Redis failure reads as a miss; the store is the truth. Each call has the hot-path budget.
type FactsCache struct {
	c      goredis.UniversalClient
	prefix string
	ttl    time.Duration
	hot    hotPath
}

// NewFactsCache returns a cache whose guild hashes live ttl.
func NewFactsCache(c goredis.UniversalClient, prefix string, ttl time.Duration) *FactsCache {
	return &FactsCache{c: c, prefix: prefix, ttl: ttl}
}

func (f *FactsCache) key(guildID string) string { return join(f.prefix, "facts", guildID) }

// factsEntry is one cached member: the facts and until when they may be used.
type factsEntry struct {
	Facts   placement.ActorFacts `json:"f"`
	Expires int64                `json:"e"` // unix milliseconds
}

// Get returns the member's cached facts, if fresh.
func (f *FactsCache) Get(ctx context.Context, guildID, userID string) (placement.ActorFacts, bool) {
	var e factsEntry
	var data []byte
	err := f.hot.do(ctx, func(ctx context.Context) (err error) {
		data, err = f.c.HGet(ctx, f.key(guildID), userID).Bytes()
		return err
	})
	if err != nil || json.Unmarshal(data, &e) != nil || time.Now().UnixMilli() > e.Expires {
		return placement.ActorFacts{}, false
	}
	return e.Facts, true
}

// Put caches the member's facts for ttl.
func (f *FactsCache) Put(ctx context.Context, guildID, userID string, facts placement.ActorFacts) {
	data, err := json.Marshal(factsEntry{Facts: facts, Expires: time.Now().Add(f.ttl).UnixMilli()})
	if err != nil {
		return
	}
	key := f.key(guildID)
	_ = f.hot.do(ctx, func(ctx context.Context) error {
		_, err := f.c.Pipelined(ctx, func(p goredis.Pipeliner) error {
			p.HSet(ctx, key, userID, data)
			p.Expire(ctx, key, f.ttl)
			return nil
		})
		return err
	})
}

// Forget drops one member's entry, or the whole guild's when userID is empty. It tries Redis
// even while reads skip it, so other replicas do not keep using what changed.
func (f *FactsCache) Forget(ctx context.Context, guildID, userID string) {
	_ = f.hot.try(ctx, func(ctx context.Context) error {
		if userID == "" {
			return f.c.Del(ctx, f.key(guildID)).Err()
		}
		return f.c.HDel(ctx, f.key(guildID), userID).Err()
	})
}
