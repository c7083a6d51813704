package ui

import (
	"strings"

	"github.com/bwmarrin/discordgo"

	"placementbot/internal/placement"
)

// profileColor marks profile cards.
const profileColor = 0x28b463

// ProfileCard is a student's profile card: what mentors and coordinators read about them.
// name is how the student is shown in the title (their server nickname or user name, escaped
// with Literal, or a title the catalog rendered).
func ProfileCard(t Texts, p placement.Profile, name Markup) *discordgo.MessageEmbed {
	none := t.T("profile.none", nil)
	text := func(s string) string {
		if strings.TrimSpace(s) == "" {
			return none
		}
		return Escape(s)
	}
	list := func(items []string) string {
		if len(items) == 0 {
			return none
		}
		out := make([]string, len(items))
		for i, s := range items {
			out[i] = Escape(s)
		}
		return strings.Join(out, ", ")
	}
	availability := none
	if !p.AvailableFrom.IsZero() && !p.AvailableTo.IsZero() {
		availability = t.T("profile.availability_range", map[string]any{
			"From": p.AvailableFrom.Format(placement.DateLayout), "To": p.AvailableTo.Format(placement.DateLayout)})
	}
	updated := none
	if !p.UpdatedAt.IsZero() {
		updated = p.UpdatedAt.UTC().Format(placement.DateLayout)
	}
	embed := &discordgo.MessageEmbed{
		Title:       t.T("profile.card_title", map[string]any{"Name": Markup(Truncate(string(name), 100))}),
		Description: "<@" + p.UserID + ">",
		Color:       profileColor,
		Fields: []*discordgo.MessageEmbedField{
			Field(t.T("field.program", nil), text(p.Program), true),
			Field(t.T("field.cohort", nil), text(p.Cohort), true),
			Field(t.T("field.skills", nil), list(p.Skills), false),
			Field(t.T("field.certificates", nil), list(p.Certificates), false),
			Field(t.T("field.locations", nil), list(p.Locations), false),
			Field(t.T("field.availability", nil), availability, true),
			Field(t.T("profile.updated", nil), updated, true),
		},
	}
	if p.UserID == "" {
		embed.Description = ""
	}
	return embed
}
