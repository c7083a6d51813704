package ui

import "placementbot/internal/placement"

// SupervisorHint says who may be picked as a school supervisor, since Discord's member picker
// cannot be filtered: coordinators (their role, or Manage Server when the guild maps none),
// members of the guild's supervisor role when it sets one, and never the placement's student.
func SupervisorHint(t Texts, gs placement.GuildSettings) string {
	data := map[string]any{"Coordinators": Markup(t.T("placements.hint_manage_server", nil))}
	if gs.CoordinatorRoleID != "" {
		data["Coordinators"] = Markup("<@&" + gs.CoordinatorRoleID + ">")
	}
	if gs.SupervisorRoleID != "" {
		data["Supervisors"] = Markup("<@&" + gs.SupervisorRoleID + ">")
	}
	return t.T("placements.supervisor_hint", data)
}
