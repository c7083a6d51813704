// Package audit is /audit: the decision trail of an application, a student or an enterprise.
package audit

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/bwmarrin/discordgo"

	"placementbot/internal/discord"
	"placementbot/internal/discord/ui"
	"placementbot/internal/placement"
)

var commands = []discord.Command{
	{Name: "audit", Roles: placement.RoleCoordinator, Options: []discord.Option{
		{Name: "application", Type: discordgo.ApplicationCommandOptionString, Autocomplete: true, MaxLength: 100},
		{Name: "student", Type: discordgo.ApplicationCommandOptionUser},
		{Name: "enterprise", Type: discordgo.ApplicationCommandOptionString, Autocomplete: true, MaxLength: 100},
		{Name: "order", Type: discordgo.ApplicationCommandOptionString, Choices: []string{"oldest", "newest"}},
	}},
}

const (
	// audPageSize keeps a page of the trail well within an embed's 4096 characters.
	audPageSize = 10
	// audMaxPage bounds the page number a custom_id may carry; a new trail opens on it, which
	// is past the end and so shows the last page.
	audMaxPage = 10000
)

// audSubject matches the subjects /audit pages through; custom_ids carry them, so they are
// checked like any input before they reach the service (which checks them again).
var audSubject = regexp.MustCompile(`^(application|enterprise):[1-9][0-9]{0,18}$|^student:[0-9]{1,20}$`)

// handlers serve /audit: the decision trail of an application, a student or an enterprise.
type handlers struct {
	svc *placement.Service
}

// New is the /audit feature.
func New(d discord.Deps) discord.Feature { return handlers{svc: d.Service} }

// Commands declares /audit.
func (handlers) Commands() []discord.Command { return commands }

// Register adds the routes of the decision trail.
func (h handlers) Register(rs *discord.Routes) {
	coord := placement.RoleCoordinator
	rs.Command("/audit", coord, h.audit)
	rs.Autocomplete("/audit", coord, h.autocomplete)
	rs.UpdateComponent("/audit/{subject}/{page}", coord, h.page)
	rs.UpdateComponent("/audit/{subject}/newest/{page}", coord, h.page)
}

// audit reads which one thing the trail is about: exactly one of the three options.
func (h handlers) audit(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	var subjects []string
	if v, ok := r.String("application"); ok && strings.TrimSpace(v) != "" {
		id, ok := ui.ParseID(v)
		if !ok {
			return nil, placement.Errorf(placement.ENOTFOUND, "err.application_not_found", nil)
		}
		subjects = append(subjects, "application:"+ui.FormatID(id))
	}
	if r.Option("student") != nil {
		// No membership check: the trail of a student who left the server is still the school's.
		id, ok := r.ID("student")
		if !ok {
			return nil, placement.Errorf(placement.EINVALID, "placements.err_pick_member", nil)
		}
		subjects = append(subjects, "student:"+id)
	}
	if v, ok := r.String("enterprise"); ok && strings.TrimSpace(v) != "" {
		e, err := ui.ResolveEnterprise(ctx, h.svc, r.Actor, v, false)
		if err != nil {
			return nil, err
		}
		subjects = append(subjects, "enterprise:"+ui.FormatID(e.ID))
	}
	if len(subjects) != 1 {
		return nil, placement.Errorf(placement.EINVALID, "audit.err_one_option", nil)
	}
	if order, _ := r.String("order"); order == "newest" {
		return h.reply(ctx, r, subjects[0], true, 0)
	}
	return h.reply(ctx, r, subjects[0], false, audMaxPage)
}

// page turns a page of a trail; the subject comes from the custom_id.
func (h handlers) page(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	subject := r.Vars["subject"]
	if !audSubject.MatchString(subject) {
		return nil, ui.StaleComponent()
	}
	page, err := ui.VarInt(r.Vars, "page", audMaxPage)
	if err != nil {
		return nil, err
	}
	return h.reply(ctx, r, subject, strings.Contains(r.Path, "/newest/"), page)
}

// reply shows one page of the trail, oldest entry first (a page past the end is the last page,
// where the latest decisions are), or newest first.
func (h handlers) reply(ctx context.Context, r *discord.Request, subject string, newest bool, page int) (*discord.Reply, error) {
	heading, err := h.heading(ctx, r, subject)
	if err != nil {
		return nil, err
	}
	entries, err := h.svc.Audit(ctx, r.Actor, subject)
	if err != nil {
		return nil, err
	}
	embed := &discordgo.MessageEmbed{Title: r.T("audit.title", nil), Color: 0x34495E}
	if len(entries) == 0 {
		embed.Description = heading + "\n\n" + r.T("audit.empty", nil)
		return &discord.Reply{Embeds: []*discordgo.MessageEmbed{embed}}, nil
	}
	prefix := "/audit/" + subject + "/"
	if newest {
		entries = slices.Clone(entries)
		slices.Reverse(entries)
		prefix += "newest/"
	}
	page, pages, from, to := ui.Paging(len(entries), audPageSize, page)
	single := !strings.HasPrefix(subject, "student:") && !strings.HasPrefix(subject, "enterprise:")
	var b strings.Builder
	b.WriteString(heading + "\n")
	key := "audit.count"
	if len(entries) >= 200 {
		key = "audit.count_capped"
	}
	if newest {
		key += "_newest"
	}
	b.WriteString(r.T(key, map[string]any{"Count": len(entries)}) + "\n\n")
	for _, e := range entries[from:to] {
		b.WriteString(ui.Truncate(audLine(r, e, !single), 380) + "\n")
	}
	embed.Description = b.String()
	embed.Footer = &discordgo.MessageEmbedFooter{Text: r.T("apps.page", map[string]any{"Page": page + 1, "Pages": pages})}
	reply := &discord.Reply{Embeds: []*discordgo.MessageEmbed{embed}}
	if pages > 1 {
		reply.Components = []discordgo.MessageComponent{ui.PageButtons(prefix, r.T("apps.prev", nil), r.T("apps.next", nil), page, pages)}
	}
	return reply, nil
}

// heading says what the trail is about, checking the thing exists in this guild.
func (h handlers) heading(ctx context.Context, r *discord.Request, subject string) (string, error) {
	kind, key, _ := strings.Cut(subject, ":")
	switch kind {
	case "application":
		id, _ := strconv.ParseInt(key, 10, 64)
		app, err := h.svc.Application(ctx, r.Actor, id)
		if err != nil {
			return "", err
		}
		return r.T("audit.heading_application", map[string]any{"ID": id, "Title": ui.OneLine(app.PositionTitle),
			"Enterprise": ui.OneLine(app.EnterpriseName), "Student": ui.Markup("<@" + app.StudentID + ">"), "Status": ui.Markup(r.T("status."+string(app.Status), nil))}), nil
	case "enterprise":
		id, _ := strconv.ParseInt(key, 10, 64)
		e, err := h.svc.Enterprise(ctx, r.Actor, id)
		if err != nil {
			return "", err
		}
		return r.T("audit.heading_enterprise", map[string]any{"Name": ui.OneLine(e.Name)}), nil
	}
	return r.T("audit.heading_student", map[string]any{"Student": ui.Markup("<@" + key + ">")}), nil
}

// audLine is one decision: when, who, what, about which record (in trails that span several)
// and its details.
func audLine(r *discord.Request, e placement.AuditEntry, withSubject bool) string {
	actor := "—"
	switch {
	case e.ActorID == "system":
		actor = r.T("audit.actor_system", nil)
	case placement.IsSnowflake(e.ActorID):
		actor = "<@" + e.ActorID + ">"
	case e.ActorID != "":
		actor = ui.Escape(ui.OneLine(e.ActorID))
	}
	line := string(ui.Timestamp(e.At, 'f')) + " " + actor + " · **" + audAction(r, e.Action) + "**"
	if withSubject {
		if s := audSubjectName(r, e.Subject); s != "" {
			line += " (" + s + ")"
		}
	}
	if d := audDetails(r, e.Detail); d != "" {
		line += " — " + d
	}
	return line
}

// audAction names an action in words, or shows it as recorded when the catalog has no name.
func audAction(r *discord.Request, action string) string {
	key := "audit." + action
	if s := r.T(key, nil); s != key {
		return s
	}
	return ui.Escape(ui.OneLine(action))
}

// audSubjectName names the record an entry is about: "application #12".
func audSubjectName(r *discord.Request, subject string) string {
	kind, key, ok := strings.Cut(subject, ":")
	if !ok {
		return ""
	}
	switch kind {
	case "application", "placement", "enterprise", "position":
		if id, ok := ui.ParseID(key); ok {
			return r.T("audit.subject_"+kind, map[string]any{"ID": id})
		}
	case "guild":
		return r.T("audit.subject_guild", nil)
	}
	return ""
}

// audFirst orders the details everyone reads first; the rest follow alphabetically.
var audFirst = []string{"from", "item", "reason", "note", "student_id", "supervisor_id", "user_id", "name"}

// audDetails renders an entry's details as "label: value" pairs, skipping empty ones.
func audDetails(r *discord.Request, d map[string]any) string {
	keys := make([]string, 0, len(d))
	for k := range d {
		keys = append(keys, k)
	}
	rank := func(k string) int {
		if i := slices.Index(audFirst, k); i >= 0 {
			return i
		}
		return len(audFirst)
	}
	slices.SortFunc(keys, func(a, b string) int {
		if ra, rb := rank(a), rank(b); ra != rb {
			return ra - rb
		}
		return strings.Compare(a, b)
	})
	var parts []string
	for _, k := range keys {
		v := audValue(r, k, d[k])
		if v == "" {
			continue
		}
		label := r.T("audit.field."+k, nil)
		if label == "audit.field."+k {
			label = ui.Escape(ui.OneLine(k))
		}
		parts = append(parts, label+": "+v)
	}
	return strings.Join(parts, " · ")
}

// audValue renders one detail: statuses and checklist items in words, ids as mentions, text
// from members escaped.
func audValue(r *discord.Request, k string, v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case bool:
		if x {
			return r.T("approvals.yes", nil)
		}
		return r.T("approvals.no", nil)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case []any:
		items := make([]string, 0, len(x))
		for _, it := range x {
			if s, ok := it.(string); ok && k == "checklist" {
				items = append(items, ui.Escape(ui.CheckName(r, s)))
			} else {
				items = append(items, ui.Escape(ui.OneLine(fmt.Sprint(it))))
			}
		}
		return strings.Join(items, ", ")
	case string:
		if x == "" {
			return ""
		}
		switch {
		case k == "from" || k == "to" || k == "status":
			if s := r.T("status."+x, nil); s != "status."+x {
				return s
			}
		case k == "item":
			return ui.Escape(ui.CheckName(r, x))
		case strings.HasSuffix(k, "role_id") && placement.IsSnowflake(x):
			return "<@&" + x + ">"
		case strings.HasSuffix(k, "channel_id") && placement.IsSnowflake(x):
			return "<#" + x + ">"
		case strings.HasSuffix(k, "_id") && placement.IsSnowflake(x):
			return "<@" + x + ">"
		case k == "reason" || k == "note":
			if s, ok := ui.Reason(r, x); ok {
				return s
			}
			return "“" + ui.Escape(ui.OneLine(ui.Truncate(x, 150))) + "”"
		}
		return ui.Escape(ui.OneLine(ui.Truncate(x, 100)))
	}
	return ui.Escape(ui.OneLine(ui.Truncate(fmt.Sprint(v), 100)))
}

// autocomplete suggests applications or enterprises, whichever option is being typed; on an
// error the router answers with no suggestions. Applications are found by their students'
// names first (what a coordinator remembers; the suggestions only they see), then by number,
// position title or enterprise.
func (h handlers) autocomplete(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	f := r.Focused()
	if f != nil && f.Name == "enterprise" {
		es, err := h.svc.Enterprises(ctx, r.Actor, placement.EnterpriseFilter{Prefix: r.FocusedText(), Limit: ui.MaxChoices})
		if err != nil {
			return nil, err
		}
		choices := make([]*discordgo.ApplicationCommandOptionChoice, 0, len(es))
		for _, e := range es {
			choices = append(choices, ui.Choice(e.Name, e.ID))
		}
		return &discord.Reply{Choices: choices}, nil
	}
	named, err := h.svc.ApplicationsByStudentName(ctx, r.Actor, r.FocusedText())
	if err != nil {
		return nil, err
	}
	others, err := ui.ApplicationChoices(ctx, h.svc, r, r.Actor, r.FocusedText(), true)
	if err != nil {
		return nil, err
	}
	choices := make([]*discordgo.ApplicationCommandOptionChoice, 0, ui.MaxChoices)
	for _, app := range named {
		name := "#" + ui.FormatID(app.ID) + " · " + app.StudentName + " · " + app.PositionTitle + " — " + app.EnterpriseName
		choices = append(choices, ui.Choice(name+" ("+r.T("status."+string(app.Status), nil)+")", app.ID))
	}
	for _, c := range others {
		if len(choices) == ui.MaxChoices {
			break
		}
		if !slices.ContainsFunc(choices, func(x *discordgo.ApplicationCommandOptionChoice) bool { return x.Value == c.Value }) {
			choices = append(choices, c)
		}
	}
	return &discord.Reply{Choices: choices[:min(len(choices), ui.MaxChoices)]}, nil
}
