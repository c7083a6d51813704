// Package gateway is the websocket transport: discordgo delivers interactions over the gateway
// and every answer goes back over REST.
package gateway

import (
	"context"
	"fmt"

	"github.com/bwmarrin/discordgo"

	"placementbot/internal/discord"
)

// Run connects to the gateway as the given shard, dispatches interactions until ctx ends,
// then disconnects. An event the gateway delivers twice (replayed after a reconnect, or seen by
// two processes sharing a shard during a deploy) is handled once: the first claim of its
// interaction id in Redis wins. Without Redis (claims nil or down) every event is handled.
func Run(ctx context.Context, s *discordgo.Session, r *discord.Router, claims discord.Claimer, shardID, shardCount int) error {
	s.ShardID, s.ShardCount = shardID, shardCount
	s.Identify.Intents = discordgo.IntentsGuilds // interactions arrive without privileged intents
	remove := s.AddHandler(func(s *discordgo.Session, ic *discordgo.InteractionCreate) {
		if !discord.FirstDelivery(ctx, claims, ic.Interaction) {
			return
		}
		r.Dispatch(ctx, ic.Interaction, discord.RESTResponder{Session: s, Interaction: ic.Interaction})
	})
	defer remove()
	if err := s.Open(); err != nil {
		return fmt.Errorf("gateway: connect: %w", err)
	}
	<-ctx.Done()
	if err := s.Close(); err != nil {
		return fmt.Errorf("gateway: close: %w", err)
	}
	return nil
}
