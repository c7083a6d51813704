package outbox

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/bwmarrin/discordgo"
)

// DiscordSender delivers messages through Discord's REST API.
type DiscordSender struct {
	Session *discordgo.Session
}

// messageCreate is the body of a channel message create. discordgo's MessageSend has no nonce
// fields, and its empty allowed mentions would be sent as "parse": null.
type messageCreate struct {
	Content         string                       `json:"content"`
	Components      []discordgo.MessageComponent `json:"components,omitempty"`
	AllowedMentions allowedMentions              `json:"allowed_mentions"`
	Nonce           string                       `json:"nonce,omitempty"`
	EnforceNonce    bool                         `json:"enforce_nonce,omitempty"`
}

// allowedMentions always carries an explicit empty parse list: notification text contains
// names and reasons members wrote, which must never ping anyone.
type allowedMentions struct {
	Parse []string `json:"parse"`
}

// Send posts m in its channel, or in the DM channel of its recipient.
func (d DiscordSender) Send(ctx context.Context, m Message) error {
	// No rate-limit retries inside the call: discordgo would sleep past the send's deadline.
	// A 429 comes back as an error and the worker retries after its backoff.
	opts := []discordgo.RequestOption{discordgo.WithContext(ctx), discordgo.WithRetryOnRatelimit(false)}
	channelID := m.ChannelID
	if m.UserID != "" {
		ch, err := d.Session.UserChannelCreate(m.UserID, opts...)
		if err != nil {
			return classify(fmt.Errorf("open DM channel: %w", err))
		}
		channelID = ch.ID
	}
	body := messageCreate{
		Content:         m.Content,
		Components:      m.Components,
		AllowedMentions: allowedMentions{Parse: []string{}},
		Nonce:           m.Nonce,
		EnforceNonce:    m.Nonce != "",
	}
	endpoint := discordgo.EndpointChannelMessages(channelID)
	if _, err := d.Session.RequestWithBucketID(http.MethodPost, endpoint, body, endpoint, opts...); err != nil {
		return classify(fmt.Errorf("create message: %w", err))
	}
	return nil
}

// classify turns a Discord answer into what the worker should do: closed DMs are
// undeliverable; other client errors are permanent, except those a later attempt can cure
// (401 while a token is being fixed, 408, 429); server and network errors are retried.
func classify(err error) error {
	var rest *discordgo.RESTError
	if !errors.As(err, &rest) || rest.Response == nil {
		return err
	}
	if rest.Message != nil && rest.Message.Code == discordgo.ErrCodeCannotSendMessagesToThisUser {
		return fmt.Errorf("%w: %w", ErrUndeliverable, err)
	}
	switch status := rest.Response.StatusCode; {
	case status == http.StatusUnauthorized, status == http.StatusRequestTimeout, status == http.StatusTooManyRequests:
		return err
	case status >= 400 && status < 500:
		return fmt.Errorf("%w: %w", ErrPermanent, err)
	}
	return err
}
