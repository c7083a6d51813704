package discord

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/bwmarrin/discordgo"

	"placementbot/internal/discord/restbase"
)

// RESTResponder answers an interaction through Discord's REST API; the gateway uses it for
// everything, the HTTP endpoint for what comes after the first response. Its errors name the
// operation and Discord's status, never the URL: that holds the interaction token.
type RESTResponder struct {
	Session     *discordgo.Session
	Interaction *discordgo.Interaction
}

// Respond sends the initial response. It does not wait out a rate limit: a late first answer
// is worse than a failed one, and the router has already bounded ctx.
func (r RESTResponder) Respond(ctx context.Context, resp *discordgo.InteractionResponse) error {
	opts := []discordgo.RequestOption{discordgo.WithContext(ctx), discordgo.WithRetryOnRatelimit(false)}
	if resp.Data != nil && len(resp.Data.Files) > 0 {
		return restbase.Redact("interaction response", r.Session.InteractionRespond(r.Interaction, WithAttachments(resp), opts...))
	}
	endpoint := discordgo.EndpointInteractionResponse(r.Interaction.ID, r.Interaction.Token)
	_, err := r.Session.RequestWithBucketID("POST", endpoint, WireResponse(resp), endpoint, opts...)
	return restbase.Redact("interaction response", err)
}

// EditOriginal replaces the original response.
func (r RESTResponder) EditOriginal(ctx context.Context, edit *discordgo.WebhookEdit) error {
	if len(edit.Files) > 0 && edit.Attachments == nil {
		e := *edit
		list := Attachments(edit.Files)
		e.Attachments = &list
		edit = &e
	}
	_, err := r.Session.InteractionResponseEdit(r.Interaction, edit, discordgo.WithContext(ctx))
	return restbase.Redact("edit original response", err)
}

// Followup sends another message for the interaction.
func (r RESTResponder) Followup(ctx context.Context, msg *discordgo.WebhookParams) error {
	if len(msg.Files) > 0 && msg.Attachments == nil {
		m := *msg
		m.Attachments = Attachments(msg.Files)
		msg = &m
	}
	_, err := r.Session.FollowupMessageCreate(r.Interaction, true, msg, discordgo.WithContext(ctx))
	return restbase.Redact("follow-up message", err)
}

// Attachments lists files as the attachments of the message they are sent with: id n for the
// file sent as files[n], as Discord pairs them. discordgo sends the files but leaves this list
// to the caller, and an edit keeps only the attachments its list names, so every message
// with files carries it.
func Attachments(files []*discordgo.File) []*discordgo.MessageAttachment {
	out := make([]*discordgo.MessageAttachment, len(files))
	for i, f := range files {
		out[i] = &discordgo.MessageAttachment{ID: strconv.Itoa(i), Filename: f.Name}
	}
	return out
}

// WithAttachments returns resp with the attachments list of its files filled in, when it has
// files and no list; resp itself is not changed.
func WithAttachments(resp *discordgo.InteractionResponse) *discordgo.InteractionResponse {
	if resp.Data == nil || len(resp.Data.Files) == 0 || resp.Data.Attachments != nil {
		return resp
	}
	data := *resp.Data
	list := Attachments(data.Files)
	data.Attachments = &list
	out := *resp
	out.Data = &data
	return &out
}

// RESTMembers looks members up on Discord's REST API, for buttons pressed in DMs; Discord's
// "Unknown Member" (10007) or a 404 is ErrNotMember.
func RESTMembers(s *discordgo.Session) MemberLookup {
	return func(ctx context.Context, guildID, userID string) (*discordgo.Member, error) {
		m, err := s.GuildMember(guildID, userID, discordgo.WithContext(ctx), discordgo.WithRetryOnRatelimit(false))
		var rest *discordgo.RESTError
		if errors.As(err, &rest) && (rest.Response.StatusCode == http.StatusNotFound || (rest.Message != nil && rest.Message.Code == discordgo.ErrCodeUnknownMember)) {
			return nil, ErrNotMember
		}
		if err != nil {
			return nil, restbase.Redact("guild member", err)
		}
		return m, nil
	}
}
