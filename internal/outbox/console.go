package outbox

import (
	"context"

	"github.com/bwmarrin/discordgo"
)

// Shower prints a message the bot sends outside an interaction; *console.Console satisfies it.
type Shower interface {
	Show(heading, content string, embeds []*discordgo.MessageEmbed, components []discordgo.MessageComponent, files []*discordgo.File)
}

// ConsoleSender delivers messages to the console transport, where a person plays every member.
type ConsoleSender struct {
	Out Shower
	// Name returns the display name of a member or channel id; nil, or "", shows the id.
	Name func(id string) string
	// BotName heads channel posts; "" means "PlacementBot".
	BotName string
}

// Send shows m as a DM ("DM to @bo") or a channel post ("PlacementBot in #placements").
func (c ConsoleSender) Send(_ context.Context, m Message) error {
	files := discordFiles(m.Files)
	if m.UserID != "" {
		c.Out.Show("DM to @"+c.name(m.UserID), m.Content, nil, m.Components, files)
		return nil
	}
	bot := c.BotName
	if bot == "" {
		bot = "PlacementBot"
	}
	c.Out.Show(bot+" in #"+c.name(m.ChannelID), m.Content, nil, m.Components, files)
	return nil
}

func (c ConsoleSender) name(id string) string {
	if c.Name != nil {
		if n := c.Name(id); n != "" {
			return n
		}
	}
	return id
}
