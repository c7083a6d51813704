// Package outbox delivers the notifications the store writes in the same transaction as the
// change they announce: DMs to members and posts in channels, each at most once as far as the
// member can tell, retried with backoff while Discord is unreachable, safe with any number of
// workers on any number of replicas.
package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/bwmarrin/discordgo"
)

// Claim identifies one claim of one notification. Attempt is the row's attempt count after the
// claim: a worker whose lease ran out and whose row another worker claimed again holds a stale
// Attempt, so the store refuses its outcome.
type Claim struct {
	GuildID string
	ID      int64
	Attempt int
}

// Notification is a claimed notification as the store hands it to a worker.
type Notification struct {
	Claim
	UserID       string // DM recipient, or
	ChannelID    string // channel to post in
	MessageKey   string // catalog id of the text
	Locale       string // language when the recipient's own is unknown
	MemberLocale string // the recipient's language from their last interaction, "" if unknown
	Data         json.RawMessage
}

// Nonce is the Discord message nonce of the notification: the same on every attempt, so that
// Discord returns the first message instead of posting a second one when a worker sent it but
// died before recording that (Discord keeps nonces for a few minutes). It fits Discord's limit
// of 25 characters for any int64 id.
func (c Claim) Nonce() string { return "outbox-" + strconv.FormatInt(c.ID, 36) }

// ErrLeaseLost is returned by the store when an outcome arrives for a claim that is no longer
// current: the lease ran out and another worker claimed the row, or the outcome was already
// recorded.
var ErrLeaseLost = errors.New("outbox: claim no longer current")

// Store is the durable queue the worker drains (implemented by postgres.Store).
type Store interface {
	// ClaimNotifications leases up to limit due notifications until now+lease, oldest first,
	// counting an attempt on each; rows leased by others are skipped.
	ClaimNotifications(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]Notification, error)
	MarkNotificationSent(ctx context.Context, c Claim, now time.Time) error
	RetryNotification(ctx context.Context, c Claim, next time.Time, errText string) error
	MarkNotificationUndeliverable(ctx context.Context, c Claim, errText string) error
	MarkNotificationFailed(ctx context.Context, c Claim, errText string) error
	// OutboxBacklog counts the notifications still pending.
	OutboxBacklog(ctx context.Context) (int, error)
}

// Message is a rendered notification, ready for a Sender.
type Message struct {
	GuildID    string
	UserID     string // a DM to this member, or
	ChannelID  string // a post in this channel
	Content    string
	Components []discordgo.MessageComponent
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
