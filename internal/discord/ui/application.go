package ui

import (
	"context"
	"strings"

	"github.com/bwmarrin/discordgo"

	"placementbot/internal/placement"
)

// StatusEmoji marks each application status at a glance.
var StatusEmoji = map[placement.Status]string{
	placement.Submitted: "📨", placement.Shortlisted: "⭐", placement.Offered: "🎉", placement.Accepted: "✅",
	placement.Approved: "🏁", placement.Withdrawn: "↩️", placement.Rejected: "❌", placement.Declined: "🚫", placement.Expired: "⌛",
}

// StatusColor tints an embed by status: blue while waiting, green for good news, grey when over.
func StatusColor(st placement.Status) int {
	switch st {
	case placement.Offered, placement.Accepted, placement.Approved:
		return 0x2ECC71
	case placement.Submitted, placement.Shortlisted:
		return 0x3498DB
	}
	return 0x95A5A6
}

// Status is a status as a bold word with its emoji.
func Status(t Texts, st placement.Status) Markup {
	return Markup(StatusEmoji[st] + " **" + t.T("status."+string(st), nil) + "**")
}

// Heading names an application by its position and enterprise, on one line, escaped.
func Heading(app placement.Application) Markup {
	return Markup(Escape(OneLine(app.PositionTitle)) + " — " + Escape(OneLine(app.EnterpriseName)))
}

// Timeline is an application's path through the lifecycle, each day named once.
func Timeline(t Texts, app placement.ApplicationWithEvents) Markup {
	evs := app.Events
	if len(evs) == 0 {
		evs = []placement.Event{{To: placement.Submitted, At: app.CreatedAt}}
	}
	parts := make([]string, 0, len(evs))
	last := ""
	for _, e := range evs {
		s := t.T("status."+string(e.To), nil)
		if e.To == placement.Withdrawn && e.Note == placement.PlacedElsewhere {
			s = t.T("apps.timeline_auto_withdrawn", nil)
		}
		if day := e.At.UTC().Format(placement.DateLayout); day != last && !e.At.IsZero() {
			s = day + " " + s
			last = day
		}
		parts = append(parts, s)
	}
	return Markup(strings.Join(parts, " → "))
}

// CheckName is a checklist item as members read it: the catalog's name for the default items,
// the school's own item as typed, with spaces for underscores, otherwise (member text: escape it
// where markdown renders, or let the catalog do so).
func CheckName(t Texts, item string) string {
	key := "check." + placement.CheckKey(item)
	if s := t.T(key, nil); s != key {
		return s
	}
	return OneLine(strings.ReplaceAll(item, "_", " "))
}

// ApplicationChoices suggests the applications the member may see by number, position title or
// enterprise: accepted ones first (the approval queue's order), then the others newest first;
// finished ones only withFinal. One query per keystroke (placement.Service.SuggestApplications).
func ApplicationChoices(ctx context.Context, svc *placement.Service, t Texts, a placement.Actor, typed string, withFinal bool) ([]*discordgo.ApplicationCommandOptionChoice, error) {
	apps, err := svc.SuggestApplications(ctx, a, OneLine(typed), withFinal)
	if err != nil {
		return nil, err
	}
	choices := make([]*discordgo.ApplicationCommandOptionChoice, 0, min(len(apps), MaxChoices))
	for _, app := range apps[:min(len(apps), MaxChoices)] {
		name := "#" + FormatID(app.ID) + " · " + app.PositionTitle + " — " + app.EnterpriseName
		choices = append(choices, Choice(name+" ("+t.T("status."+string(app.Status), nil)+")", app.ID))
	}
	return choices, nil
}

// Reason is the note of a decision as members read it: the bot's own (placement.PlacedElsewhere)
// in the reader's words, ok false for text someone typed, which the caller shows as written.
func Reason(t Texts, note string) (string, bool) {
	if note == placement.PlacedElsewhere {
		return t.T("apps.reason_auto_withdrawn", nil), true
	}
	return "", false
}
