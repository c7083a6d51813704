package placement

import (
	"strings"
	"sync"
	"time"
)

// validate refuses ids that cannot be Discord ids (they arrive from client-controlled options)
// and time zones that are not IANA names.
func (u GuildSettingsUpdate) validate() error {
	for _, id := range []*string{u.CoordinatorRoleID, u.MentorRoleID, u.StudentRoleID, u.SupervisorRoleID, u.AnnouncementsChannelID, u.DigestChannelID} {
		if id != nil && *id != "" && !IsSnowflake(*id) {
			return Errorf(EINVALID, "err.bad_id", nil)
		}
	}
	if u.TimeZone != nil {
		if _, err := LoadZone(*u.TimeZone); err != nil {
			return err
		}
	}
	return nil
}

// zones keeps the locations loaded so far by name: loading one parses the zone database.
var zones sync.Map

// LoadZone returns the location of an IANA time zone name ("Asia/Shanghai", "UTC"), or an
// EINVALID error naming it. "Local" and "" are refused: they mean the machine's zone, not the
// school's.
func LoadZone(name string) (*time.Location, error) {
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location), nil
	}
	bad := Errorf(EINVALID, "err.setup_bad_time_zone", map[string]any{"Zone": truncate(name, 40)})
	if name == "" || name == "Local" || len(name) > 64 || strings.ContainsAny(name, " \\") {
		return nil, bad
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, bad
	}
	zones.Store(name, loc)
	return loc, nil
}

// Location is the guild's time zone; UTC when unset or unknown.
func (s GuildSettings) Location() *time.Location {
	if s.TimeZone == "" {
		return time.UTC
	}
	loc, err := LoadZone(s.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// Apply returns the settings with the update's non-nil fields applied.
func (s GuildSettings) Apply(u GuildSettingsUpdate) GuildSettings {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&s.CoordinatorRoleID, u.CoordinatorRoleID)
	set(&s.MentorRoleID, u.MentorRoleID)
	set(&s.StudentRoleID, u.StudentRoleID)
	set(&s.SupervisorRoleID, u.SupervisorRoleID)
	set(&s.AnnouncementsChannelID, u.AnnouncementsChannelID)
	set(&s.DigestChannelID, u.DigestChannelID)
	set(&s.TimeZone, u.TimeZone)
	return s
}

// checkRolesDistinct refuses a mapping where one Discord role means two things: the bot could
// no longer tell a student from a mentor, or would let students supervise.
func (s GuildSettings) checkRolesDistinct() error {
	seen := map[string]bool{}
	for _, id := range []string{s.CoordinatorRoleID, s.MentorRoleID, s.StudentRoleID, s.SupervisorRoleID} {
		if id == "" {
			continue
		}
		if seen[id] {
			return Errorf(EINVALID, "err.setup_same_role", nil)
		}
		seen[id] = true
	}
	return nil
}

func (u GuildSettingsUpdate) detail() map[string]any {
	d := map[string]any{}
	set := func(k string, v *string) {
		if v != nil {
			d[k] = *v
		}
	}
	set("coordinator_role_id", u.CoordinatorRoleID)
	set("mentor_role_id", u.MentorRoleID)
	set("student_role_id", u.StudentRoleID)
	set("supervisor_role_id", u.SupervisorRoleID)
	set("announcements_channel_id", u.AnnouncementsChannelID)
	set("digest_channel_id", u.DigestChannelID)
	set("time_zone", u.TimeZone)
	return d
}

// IsSnowflake reports whether s looks like a Discord id: 1 to 20 decimal digits.
func IsSnowflake(s string) bool {
	if len(s) == 0 || len(s) > 20 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
