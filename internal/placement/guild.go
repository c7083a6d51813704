package placement

import (
	"context"
	"time"
)

// GuildSettings is one school's setup: which Discord roles mean what, and where the bot posts.
type GuildSettings struct {
	GuildID                string
	CoordinatorRoleID      string
	MentorRoleID           string
	StudentRoleID          string
	AnnouncementsChannelID string
	DigestChannelID        string
	OpenApplicationCap     int // open applications one student may have (default 10)
	OfferExpiryDays        int // days a student has to answer an offer (default 7)
	UpdatedAt              time.Time
}

// GuildSettingsUpdate changes the fields that are non-nil; an empty string clears a field.
type GuildSettingsUpdate struct {
	CoordinatorRoleID      *string
	MentorRoleID           *string
	StudentRoleID          *string
	AnnouncementsChannelID *string
	DigestChannelID        *string
}

// Empty reports whether the update changes nothing.
func (u GuildSettingsUpdate) Empty() bool {
	return u.CoordinatorRoleID == nil && u.MentorRoleID == nil && u.StudentRoleID == nil &&
		u.AnnouncementsChannelID == nil && u.DigestChannelID == nil
}

// AuditEvent records one decision or setting change, with who made it.
type AuditEvent struct {
	GuildID string
	ActorID string
	Action  string
	Subject string
	Detail  map[string]any
	At      time.Time
}

// GuildStore keeps guild settings; every call is scoped to one guild.
type GuildStore interface {
	// FindGuildSettings returns the guild's settings, or empty settings for a guild never set up.
	FindGuildSettings(ctx context.Context, guildID string) (GuildSettings, error)
	// UpdateGuildSettings applies upd and records ev in the same transaction.
	UpdateGuildSettings(ctx context.Context, guildID string, upd GuildSettingsUpdate, ev AuditEvent) (GuildSettings, error)
}
