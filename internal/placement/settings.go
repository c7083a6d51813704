package placement

// validate refuses ids that cannot be Discord ids (they arrive from client-controlled options).
func (u GuildSettingsUpdate) validate() error {
	for _, id := range []*string{u.CoordinatorRoleID, u.MentorRoleID, u.StudentRoleID, u.SupervisorRoleID, u.AnnouncementsChannelID, u.DigestChannelID} {
		if id != nil && *id != "" && !IsSnowflake(*id) {
			return Errorf(EINVALID, "err.bad_id", nil)
		}
	}
	return nil
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
