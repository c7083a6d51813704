package placement

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Notification is a DM to a member or a post in a channel, sent by the outbox.
type Notification struct {
	GuildID    string
	DedupKey   string // one notification per key, ever
	UserID     string // DM recipient, or
	ChannelID  string // channel to post in
	MessageKey string // catalog id of the text
	Data       map[string]any
	Locale     string // language when the recipient's own is unknown (channel posts)
	Files      []File // attachments sent with the message, in order
}

// File is an attachment of a notification: a CSV export, a chart, a certificate.
type File struct {
	Name        string // file name as the recipient sees it, e.g. "placements.csv"
	ContentType string // MIME type, e.g. "text/csv"
	Data        []byte
}

// The limits Discord puts on a bot's message attachments.
const (
	MaxFiles    = 10       // attachments on one message
	MaxFileSize = 10 << 20 // bytes in one attachment
)

// ErrBadNotification means a notification cannot be sent as built: a bug in its caller.
var ErrBadNotification = errors.New("placement: notification cannot be sent")

// FileName makes a file name Discord keeps as it is: Discord drops characters outside ASCII
// from attachment names, so "导出.csv" would arrive as ".csv". Letters, digits, '.', '-' and '_'
// stay; anything else becomes '_', and a name left without letters or digits before its
// extension becomes "file".
func FileName(name string) string {
	b := []byte(name)
	out := make([]byte, 0, len(b))
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			out = append(out, byte(r))
		default:
			if len(out) == 0 || out[len(out)-1] != '_' {
				out = append(out, '_')
			}
		}
	}
	s := string(out)
	base, ext := s, ""
	if i := strings.LastIndexByte(s, '.'); i >= 0 {
		base, ext = s[:i], s[i:]
	}
	if strings.Trim(base, "._-") == "" {
		base = "file"
	}
	return base + ext
}

// ChannelMessages are the messages that may be posted in a channel, each with the data it may
// carry. A school may point its digest or announcements at a channel every member reads, so a
// post carries ids, counts, dates and what an enterprise or position publishes, never a
// member's name or what a member typed about themselves: reasons and names stay in ephemeral
// replies and DMs.
var ChannelMessages = map[string][]string{
	"note.position_opened":      {"ID", "Title", "Enterprise", "Location", "Remote", "Slots", "Deadline", "DeadlineAt"},
	"note.enterprise_requested": {"ID", "Name", "City"},
	"note.end_requested":        {"ID"},
	"note.round_opened":         {"ID", "Name", "Count", "Slots", "DeadlineAt"},
	"jobs.digest":               digestData,
	"jobs.digest_quiet":         digestData,
}

var digestData = []string{"Date", "Approvals", "OldestDays", "Stale", "StaleDays", "Unanswered", "UnansweredDays", "Unplaced"}

// Validate refuses a notification without a dedup key or text, with attachments Discord would
// refuse, or a channel post that is not one of ChannelMessages or carries other data, before
// it is queued rather than when its send fails.
func (n Notification) Validate() error {
	switch {
	case n.DedupKey == "":
		return fmt.Errorf("%w: no dedup key", ErrBadNotification)
	case n.MessageKey == "":
		return fmt.Errorf("%w: %s: no message key", ErrBadNotification, n.DedupKey)
	case len(n.Files) > MaxFiles:
		return fmt.Errorf("%w: %s: %d files, at most %d", ErrBadNotification, n.DedupKey, len(n.Files), MaxFiles)
	}
	if n.ChannelID != "" {
		allowed, ok := ChannelMessages[n.MessageKey]
		if !ok {
			return fmt.Errorf("%w: %s: %s is not a channel message", ErrBadNotification, n.DedupKey, n.MessageKey)
		}
		for k := range n.Data {
			if !slices.Contains(allowed, k) {
				return fmt.Errorf("%w: %s: a channel post of %s carries %s", ErrBadNotification, n.DedupKey, n.MessageKey, k)
			}
		}
	}
	for _, f := range n.Files {
		switch {
		case f.Name == "":
			return fmt.Errorf("%w: %s: a file without a name", ErrBadNotification, n.DedupKey)
		case FileName(f.Name) != f.Name:
			return fmt.Errorf("%w: %s: file name %q is not plain ASCII (use FileName)", ErrBadNotification, n.DedupKey, f.Name)
		case len(f.Data) > MaxFileSize:
			return fmt.Errorf("%w: %s: file %s has %d bytes, at most %d", ErrBadNotification, n.DedupKey, f.Name, len(f.Data), MaxFileSize)
		}
	}
	return nil
}

// Claim identifies one claim of one queued notification. Attempt is the row's attempt count
// after the claim: a worker whose lease ran out and whose row another worker claimed again holds
// a stale Attempt, so the store refuses its outcome.
type Claim struct {
	GuildID string
	ID      int64
	Attempt int
}

// Nonce is the Discord message nonce of the notification: the same on every attempt, so that
// Discord returns the first message instead of posting a second one when a worker sent it but
// died before recording that (Discord keeps nonces for a few minutes). It fits Discord's limit
// of 25 characters for any int64 id.
func (c Claim) Nonce() string { return "outbox-" + strconv.FormatInt(c.ID, 36) }

// QueuedNotification is a claimed notification as the store hands it to an outbox worker.
type QueuedNotification struct {
	Claim
	UserID       string // DM recipient, or
	ChannelID    string // channel to post in
	MessageKey   string // catalog id of the text
	Locale       string // language when the recipient's own is unknown
	MemberLocale string // the recipient's language from their last interaction, "" if unknown
	Data         json.RawMessage
	Files        []File // attachments, in the order they were queued
}

// ErrLeaseLost is returned by the store when an outcome arrives for a claim that is no longer
// current: the lease ran out and another worker claimed the row, or the outcome was already
// recorded.
var ErrLeaseLost = errors.New("outbox: claim no longer current")

// DecodeData decodes a notification's template data as stored in JSON; whole numbers become
// int64 so ids print in full (not as 1.234567e+06) and templates can test them like the numbers
// the service wrote.
func DecodeData(raw json.RawMessage) (map[string]any, error) {
	data := map[string]any{}
	if len(bytes.TrimSpace(raw)) == 0 {
		return data, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&data); err != nil {
		return nil, fmt.Errorf("decode template data: %w", err)
	}
	for k, v := range data {
		if num, ok := v.(json.Number); ok {
			if i, err := num.Int64(); err == nil {
				data[k] = i
			} else if f, err := num.Float64(); err == nil {
				data[k] = f
			}
		}
	}
	return data, nil
}
