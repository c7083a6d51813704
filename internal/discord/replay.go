package discord

import (
	"context"
	"time"

	"github.com/bwmarrin/discordgo"
)

// claimFor is how long an interaction id stays claimed: Discord accepts answers for 15 minutes,
// longer than the 5 minutes a signed HTTP request stays fresh.
const claimFor = 15 * time.Minute

// claimBudget bounds the claim: Redis answers in a millisecond, and a Redis that does not
// answer must not eat the 3 seconds Discord waits for the first response.
const claimBudget = 250 * time.Millisecond

// FirstDelivery claims the interaction's id and reports whether this delivery is the first: an
// interaction delivered twice (a gateway event replayed after a reconnect, a signed HTTP body
// sent again, a load balancer retrying on another replica) is then handled once. Without
// Redis (claims nil or down) every delivery counts as the first.
func FirstDelivery(ctx context.Context, claims Claimer, in *discordgo.Interaction) bool {
	if claims == nil {
		return true
	}
	ctx, cancel := context.WithTimeout(ctx, claimBudget)
	defer cancel()
	first, err := claims.Claim(ctx, "interaction:"+in.ID, claimFor)
	return err != nil || first
}

// Replayed is the answer to a delivery of an interaction already handled: an ephemeral
// "already handled" notice (no suggestions for autocomplete). It is a valid first response
// of every kind, so whoever receives it, Discord after a retried delivery or the sender of a
// replayed body, gets an answer that runs nothing and changes no message.
func (rt *Router) Replayed(in *discordgo.Interaction) *discordgo.InteractionResponse {
	kind, _, _ := classify(in)
	return rt.message(rt.Locale(string(in.Locale)), "err.already_handled", nil, kind).response(false)
}
