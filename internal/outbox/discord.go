package outbox

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/bwmarrin/discordgo"

	"placementbot/internal/discord/restbase"
	"placementbot/internal/placement"
)

// DiscordSender delivers messages through Discord's REST API.
type DiscordSender struct {
	Session *discordgo.Session
}

// messageCreate is the body of a channel message create. discordgo's MessageSend has no nonce
// fields and no attachments list, and its empty allowed mentions would be sent as "parse": null.
type messageCreate struct {
	Content         string                       `json:"content"`
	Components      []discordgo.MessageComponent `json:"components,omitempty"`
	Attachments     []attachment                 `json:"attachments,omitempty"`
	AllowedMentions allowedMentions              `json:"allowed_mentions"`
	Nonce           string                       `json:"nonce,omitempty"`
	EnforceNonce    bool                         `json:"enforce_nonce,omitempty"`
}

// attachment names the file sent as files[ID] so that Discord pairs them.
type attachment struct {
	ID       string `json:"id"`
	Filename string `json:"filename"`
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
			return classify(restbase.Redact("open DM channel", err))
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
	if len(m.Files) == 0 {
		if _, err := d.Session.RequestWithBucketID(http.MethodPost, endpoint, body, endpoint, opts...); err != nil {
			return classify(restbase.Redact("create message", err))
		}
		return nil
	}
	// Files go as multipart/form-data: the JSON in payload_json, file n as files[n]. The
	// readers are made for this attempt, so a retry sends the files again in full.
	for i, f := range m.Files {
		body.Attachments = append(body.Attachments, attachment{ID: strconv.Itoa(i), Filename: f.Name})
	}
	contentType, payload, err := discordgo.MultipartBodyWithJSON(body, discordFiles(m.Files))
	if err != nil {
		return fmt.Errorf("%w: encode message with files: %w", ErrPermanent, err)
	}
	if _, err := d.Session.RequestRaw(http.MethodPost, endpoint, contentType, payload, endpoint, 0, opts...); err != nil {
		return classify(restbase.Redact("create message with files", err))
	}
	return nil
}

// discordFiles gives each file a fresh reader, for one send.
func discordFiles(fs []placement.File) []*discordgo.File {
	out := make([]*discordgo.File, len(fs))
	for i, f := range fs {
		out[i] = &discordgo.File{Name: f.Name, ContentType: f.ContentType, Reader: bytes.NewReader(f.Data)}
	}
	return out
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
