package discord

import (
	"log/slog"
	"time"

	"placementbot/internal/i18n"
	"placementbot/internal/placement"
	"placementbot/internal/redis"
)

// Deps are what the handlers and middleware need.
type Deps struct {
	Service *placement.Service
	Catalog *i18n.Catalog
	Limiter RateLimiter
	// Claims hands out keys once (the posting wizard's Publish uses it against double clicks).
	Claims  Claimer
	Log     *slog.Logger
	Metrics *Metrics
	// Sessions keeps wizard drafts and browse pages; nil-safe handlers say when it is down.
	Sessions *redis.Sessions
}

// NewRouter builds the router with every feature's routes and the default middleware settings.
func NewRouter(d Deps) *Router {
	rs := &Routes{}
	rs.Command("/help", 0, help)
	setupHandlers{svc: d.Service}.register(rs)
	registerEnterprises(rs, d)
	registerProfiles(rs, d)
	registerPositions(rs, d)
	registerApplications(rs, d)
	registerApprovals(rs, d)
	registerPlacements(rs, d)
	registerAudit(rs, d)
	return &Router{
		Routes: rs, Actors: d.Service.Actor, Undelivered: d.Service.TakeUndelivered, T: d.Catalog.T, Locale: i18n.Match,
		Limiter: d.Limiter, Log: d.Log, Metrics: d.Metrics,
		DeferAfter: 1500 * time.Millisecond, Timeout: 10 * time.Second,
		RateLimit: redis.PerPeriod(20, 10*time.Second),
	}
}
