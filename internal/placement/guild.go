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
	OpenApplicationCap     int    // open applications one student may have (default 10)
	OfferExpiryDays        int    // days a student has to answer an offer (default 7)
	TimeZone               string // IANA name of the school's time zone; "" reads as UTC
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
	TimeZone               *string // an IANA name; "" is refused
	// Confirmed: the coordinator confirmed what the change takes away (see Losses).
	Confirmed bool
}

// SettingsLoss is one thing a settings change takes away, which a coordinator confirms first.
type SettingsLoss struct {
	Key      string // the message naming it: "setup.confirm_clear_student", …
	Old, New string // the role or channel ids before and after
	Count    int    // linked mentors losing their rights, for a mentor role change
}

// Losses lists what the update takes away from these settings: the student role cleared (every
// other member becomes a student), announcements or the digest stopped, the mentor role moved
// while mentors are linked, the coordinator role moved.
func (s GuildSettings) Losses(u GuildSettingsUpdate, linkedMentors int) []SettingsLoss {
	var out []SettingsLoss
	changed := func(cur string, v *string) bool { return cur != "" && v != nil && *v != cur }
	if changed(s.CoordinatorRoleID, u.CoordinatorRoleID) {
		out = append(out, SettingsLoss{Key: "setup.confirm_coordinator_role", Old: s.CoordinatorRoleID, New: *u.CoordinatorRoleID})
	}
	if changed(s.MentorRoleID, u.MentorRoleID) && linkedMentors > 0 {
		out = append(out, SettingsLoss{Key: "setup.confirm_mentor_role", Old: s.MentorRoleID, New: *u.MentorRoleID, Count: linkedMentors})
	}
	for _, c := range []struct {
		cur string
		v   *string
		key string
	}{
		{s.StudentRoleID, u.StudentRoleID, "setup.confirm_clear_student"},
		{s.AnnouncementsChannelID, u.AnnouncementsChannelID, "setup.confirm_clear_announcements"},
		{s.DigestChannelID, u.DigestChannelID, "setup.confirm_clear_digest"},
	} {
		if changed(c.cur, c.v) && *c.v == "" {
			out = append(out, SettingsLoss{Key: c.key, Old: c.cur})
		}
	}
	return out
}

// Empty reports whether the update changes nothing.
func (u GuildSettingsUpdate) Empty() bool {
	return u.CoordinatorRoleID == nil && u.MentorRoleID == nil && u.StudentRoleID == nil && u.SupervisorRoleID == nil &&
		u.AnnouncementsChannelID == nil && u.DigestChannelID == nil && u.TimeZone == nil
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
