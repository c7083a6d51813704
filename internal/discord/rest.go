package discord

import (
	"context"

	"github.com/bwmarrin/discordgo"
)

// RESTResponder answers an interaction through Discord's REST API; the gateway uses it for
// everything, the HTTP endpoint for what comes after the first response.
type RESTResponder struct {
	Session     *discordgo.Session
	Interaction *discordgo.Interaction
}

// Respond sends the initial response. It does not wait out a rate limit: a late first answer
// is worse than a failed one, and the router has already bounded ctx.
func (r RESTResponder) Respond(ctx context.Context, resp *discordgo.InteractionResponse) error {
	opts := []discordgo.RequestOption{discordgo.WithContext(ctx), discordgo.WithRetryOnRatelimit(false)}
	if resp.Data != nil && len(resp.Data.Files) > 0 {
		return r.Session.InteractionRespond(r.Interaction, resp, opts...)
	}
	endpoint := discordgo.EndpointInteractionResponse(r.Interaction.ID, r.Interaction.Token)
	_, err := r.Session.RequestWithBucketID("POST", endpoint, WireResponse(resp), endpoint, opts...)
	return err
}

// EditOriginal replaces the original response.
func (r RESTResponder) EditOriginal(ctx context.Context, edit *discordgo.WebhookEdit) error {
	_, err := r.Session.InteractionResponseEdit(r.Interaction, edit, discordgo.WithContext(ctx))
	return err
}

// Followup sends another message for the interaction.
func (r RESTResponder) Followup(ctx context.Context, msg *discordgo.WebhookParams) error {
	_, err := r.Session.FollowupMessageCreate(r.Interaction, true, msg, discordgo.WithContext(ctx))
	return err
}
