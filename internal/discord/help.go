package discord

import (
	"context"
	"strings"

	"github.com/bwmarrin/discordgo"

	"placementbot/internal/discord/ui"
	"placementbot/internal/placement"
)

// helpHandler lists what this member can do now, from their current roles.
func helpHandler(cmds []Command) Handler {
	return func(_ context.Context, r *Request) (*Reply, error) { return help(r, cmds), nil }
}

func help(r *Request, cmds []Command) *Reply {
	var roles []string
	for _, x := range []struct {
		role placement.Role
		key  string
	}{{placement.RoleCoordinator, "role.coordinator"}, {placement.RoleMentor, "role.mentor"}, {placement.RoleStudent, "role.student"}} {
		if r.Actor.Is(x.role) {
			roles = append(roles, r.T(x.key, nil))
		}
	}
	var b strings.Builder
	if len(roles) == 0 && r.Actor.MentorRole {
		b.WriteString(r.T("help.roles", map[string]any{"Roles": ui.Markup(r.T("role.mentor", nil))}))
	} else if len(roles) == 0 {
		b.WriteString(r.T("help.no_role", nil))
	} else {
		b.WriteString(r.T("help.roles", map[string]any{"Roles": ui.Markup(strings.Join(roles, ", "))}))
	}
	b.WriteString("\n\n")
	for _, e := range commandEntries(cmds) {
		if e.Roles != 0 && !r.Actor.Is(e.Roles) {
			continue
		}
		b.WriteString("`" + r.Slash(e.Path) + "` — " + r.T(e.Key, nil) + "\n")
	}
	if r.Actor.MentorRole && !r.Actor.Is(placement.RoleMentor) {
		b.WriteString("\n" + r.T("help.mentor_unlinked", nil))
	}
	if r.Actor.Is(placement.RoleCoordinator) {
		b.WriteString("\n" + r.T("help.coordinator_tip", nil))
	}
	embed := &discordgo.MessageEmbed{Title: r.T("help.title", nil), Description: b.String()}
	return &Reply{Embeds: []*discordgo.MessageEmbed{embed}}
}
