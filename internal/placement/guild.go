package placement

import "time"

// GuildSettings is one school's setup: which Discord roles mean what, and where the bot posts.
type GuildSettings struct {
	GuildID                string
	CoordinatorRoleID      string
	MentorRoleID           string
	StudentRoleID          string
	SupervisorRoleID       string // members who may be school supervisors besides coordinators
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
	SupervisorRoleID       *string
	AnnouncementsChannelID *string
	DigestChannelID        *string
}

// Empty reports whether the update changes nothing.
func (u GuildSettingsUpdate) Empty() bool {
	return u.CoordinatorRoleID == nil && u.MentorRoleID == nil && u.StudentRoleID == nil && u.SupervisorRoleID == nil &&
		u.AnnouncementsChannelID == nil && u.DigestChannelID == nil
}

// AuditEvent records one decision or setting change, with who made it.
type AuditEvent struct {
	GuildID string
	ActorID string // a member's user id, or "system" for the bot's own changes
	Action  string // "application.offered", "position.closed", "setup.update", …
	Subject string // what it is about: "application:12", "position:7", "guild:…"
	// EnterpriseID, when set, puts the event in that enterprise's trail as well as its subject's.
	EnterpriseID int64
	Detail       map[string]any
	At           time.Time // zero: when the store writes it
}
