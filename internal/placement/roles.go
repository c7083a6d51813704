package placement

import (
	"slices"
	"time"
)

// Discord permission bits the domain cares about (values from Discord's permission table).
const (
	PermAdministrator int64 = 1 << 3
	PermManageGuild   int64 = 1 << 5
)

// Role is one of the three kinds of people the bot serves; a member may hold several.
type Role int

// The roles, as bits so an Actor can carry a set.
const (
	RoleStudent Role = 1 << iota
	RoleMentor
	RoleCoordinator
)

// Member is what Discord tells us about the person behind an interaction, right now.
type Member struct {
	UserID      string
	RoleIDs     []string
	Permissions int64
	// Name is how the server shows them: nickname, else global name, else username.
	Name string
}

// Actor is a member with roles resolved from their current Discord roles and the guild's setup.
type Actor struct {
	GuildID string
	UserID  string
	Roles   Role
	// MentorRole: holds the mentor role, linked to an enterprise or not (RoleMentor needs both).
	MentorRole    bool
	EnterpriseIDs []int64        // verified enterprises the actor mentors for
	Locale        string         // the language of this interaction
	Undelivered   int            // notifications that could not reach them by DM
	Zone          *time.Location // the guild's time zone; nil is UTC
}

// MentorsFor reports whether the actor is a mentor of the enterprise.
func (a Actor) MentorsFor(enterpriseID int64) bool {
	return a.Is(RoleMentor) && slices.Contains(a.EnterpriseIDs, enterpriseID)
}

// Is reports whether the actor holds any of the given roles.
func (a Actor) Is(r Role) bool { return a.Roles&r != 0 }

// CanSupervise reports whether the member may be a school supervisor: coordinators, and
// members with the guild's supervisor role when it sets one.
func (s GuildSettings) CanSupervise(m Member) bool {
	return ResolveActor(s, m).Is(RoleCoordinator) || (s.SupervisorRoleID != "" && slices.Contains(m.RoleIDs, s.SupervisorRoleID))
}

// ResolveActor turns a member into an actor using the guild's role mapping.
// Coordinators are members with the coordinator role or the Manage Server permission; mentors
// hold the mentor role; students hold the student role, or, when the guild maps no student role,
// are every member who is neither coordinator nor mentor.
func ResolveActor(s GuildSettings, m Member) Actor {
	a := Actor{GuildID: s.GuildID, UserID: m.UserID}
	has := func(id string) bool { return id != "" && slices.Contains(m.RoleIDs, id) }
	if m.Permissions&(PermAdministrator|PermManageGuild) != 0 || has(s.CoordinatorRoleID) {
		a.Roles |= RoleCoordinator
	}
	if has(s.MentorRoleID) {
		a.Roles |= RoleMentor
	}
	switch {
	case s.StudentRoleID != "":
		if has(s.StudentRoleID) {
			a.Roles |= RoleStudent
		}
	case a.Roles == 0:
		a.Roles |= RoleStudent
	}
	return a
}
