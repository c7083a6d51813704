// Package outbox delivers the notifications the store writes in the same transaction as the
// change they announce: DMs to members and posts in channels, each at most once as far as the
// member can tell, retried with backoff while Discord is unreachable, safe with any number of
// workers on any number of replicas.
package outbox

import (
	"context"
	"errors"

	"github.com/bwmarrin/discordgo"

	"placementbot/internal/placement"
)

// The queue's types live in the domain package, which imports nothing of Discord, so that the
// store implementing the queue links no Discord code; these names keep the outbox's own.

// Claim identifies one claim of one notification.
type Claim = placement.Claim

// Notification is a claimed notification as the store hands it to a worker.
type Notification = placement.QueuedNotification

// Store is the durable queue the worker drains (implemented by postgres.Store).
type Store = placement.OutboxStore

// ErrLeaseLost is returned by the store when an outcome arrives for a claim that is no longer
// current.
var ErrLeaseLost = placement.ErrLeaseLost

// Message is a rendered notification, ready for a Sender.
type Message struct {
	GuildID    string
	UserID     string // a DM to this member, or
	ChannelID  string // a post in this channel
	Content    string
	Components []discordgo.MessageComponent
	Files      []placement.File // attachments, in order
	Nonce      string
}

// Sender delivers a message. Its errors say what to do next: ErrUndeliverable when the member
// cannot receive DMs, an error wrapping ErrPermanent when retrying cannot help, anything else
// when a later attempt may succeed.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// ErrUndeliverable means the recipient does not accept DMs from the bot (Discord error 50007);
// the member is told in their next reply instead.
var ErrUndeliverable = errors.New("outbox: recipient does not accept direct messages")

// ErrPermanent marks a send error that no retry can fix (a refused payload, an unknown channel,
// missing permissions).
var ErrPermanent = errors.New("outbox: permanent failure")

// Translator renders catalog messages; *i18n.Catalog satisfies it.
type Translator interface {
	T(lang, id string, data map[string]any) string
}
