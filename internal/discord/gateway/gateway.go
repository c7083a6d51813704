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
// then disconnects and waits for in-flight interactions.
func Run(ctx context.Context, s *discordgo.Session, r *discord.Router, shardID, shardCount int) error {
	s.ShardID, s.ShardCount = shardID, shardCount
	s.Identify.Intents = discordgo.IntentsGuilds // interactions arrive without privileged intents
	remove := s.AddHandler(func(s *discordgo.Session, ic *discordgo.InteractionCreate) {
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
