// Package features lists the bot's features in the order /help shows their commands; the
// binary, the benchmark and the test harness all assemble the router from this one list.
package features

import (
	"placementbot/internal/discord"
	"placementbot/internal/discord/applications"
	"placementbot/internal/discord/approvals"
	"placementbot/internal/discord/audit"
	"placementbot/internal/discord/enterprise"
	"placementbot/internal/discord/placements"
	"placementbot/internal/discord/positions"
	"placementbot/internal/discord/profile"
	"placementbot/internal/discord/rounds"
	"placementbot/internal/discord/setup"
)

// All is every feature, built on d.
func All(d discord.Deps) []discord.Feature {
	return []discord.Feature{
		setup.New(d),
		enterprise.New(d),
		profile.New(d),
		positions.New(d),
		applications.New(d),
		approvals.New(d),
		placements.New(d),
		rounds.New(d),
		audit.New(d),
	}
}
