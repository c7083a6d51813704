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
// Any Redis failure reads as a miss; the store is the truth.
type FactsCache struct {
	c      goredis.UniversalClient
	prefix string
	ttl    time.Duration
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
	data, err := f.c.HGet(ctx, f.key(guildID), userID).Bytes()
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
	_, _ = f.c.Pipelined(ctx, func(p goredis.Pipeliner) error {
		p.HSet(ctx, key, userID, data)
		p.Expire(ctx, key, f.ttl)
		return nil
	})
}

// Forget drops one member's entry, or the whole guild's when userID is empty.
func (f *FactsCache) Forget(ctx context.Context, guildID, userID string) {
	if userID == "" {
		f.c.Del(ctx, f.key(guildID))
		return
	}
	f.c.HDel(ctx, f.key(guildID), userID)
}
