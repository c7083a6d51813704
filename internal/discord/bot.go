package discord

import (
	"log/slog"
	"slices"
	"time"

	"placementbot/internal/discord/ui"
	"placementbot/internal/i18n"
	"placementbot/internal/placement"
	"placementbot/internal/redis"
)

// Feature is one family of screens: the slash commands it declares (with their
// localizations in the catalog) and the routes that answer them and their buttons and forms.
// Each feature is a package under internal/discord; cmd/placementbot assembles the list.
type Feature interface {
	Commands() []Command
	Register(rs *Routes)
}

// Deps are what features and middleware need.
type Deps struct {
	Service *placement.Service
	Catalog *i18n.Catalog
	Limiter RateLimiter
	// Claims hands out keys once (the posting wizard's Publish uses it against double clicks).
	Claims  Claimer
	Log     *slog.Logger
	Metrics *Metrics
	// Sessions keeps wizard drafts and result pages; nil means session storage is down.
	Sessions ui.Sessions
}

// NewRouter builds the router with /help and every feature's routes, and the default
// middleware settings.
func NewRouter(d Deps, features []Feature) *Router {
	rs := &Routes{}
	cmds := Commands(features)
	rs.Command("/help", 0, helpHandler(cmds))
	for _, f := range features {
		f.Register(rs)
	}
	return &Router{
		Routes: rs, Actors: d.Service.Actor, Undelivered: d.Service.TakeUndelivered, T: d.Catalog.T, Locale: i18n.Match,
		Limiter: d.Limiter, Log: d.Log, Metrics: d.Metrics,
		DeferAfter: 1500 * time.Millisecond, Timeout: 10 * time.Second,
		RateLimit: redis.PerPeriod(20, 10*time.Second),
		// About four keystrokes a second for ten seconds, more than anyone types.
		AutocompleteLimit: redis.PerPeriod(40, 10*time.Second),
	}
}

// Commands is the whole slash command surface of the features, in the order /help lists it.
func Commands(features []Feature) []Command {
	out := []Command{{Name: "help"}}
	for _, f := range features {
		out = slices.Concat(out, f.Commands())
	}
	return out
}
