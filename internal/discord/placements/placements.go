// Package placements is /placements: the active placements, their school supervisors, and
// ending a placement early.
package placements

import (
	"context"
	"strconv"
	"strings"

	"github.com/bwmarrin/discordgo"

	"placementbot/internal/discord"
	"placementbot/internal/discord/ui"
	"placementbot/internal/placement"
)

var commands = []discord.Command{
	{Name: "placements", Subs: []discord.Command{
		{Name: "list", Roles: placement.RoleCoordinator, Options: []discord.Option{
			{Name: "enterprise", Type: discordgo.ApplicationCommandOptionString, Autocomplete: true, MaxLength: 100},
			{Name: "supervisor", Type: discordgo.ApplicationCommandOptionUser},
		}},
		{Name: "supervisor", Roles: placement.RoleCoordinator, Options: []discord.Option{
			{Name: "placement", Type: discordgo.ApplicationCommandOptionString, Required: true, Autocomplete: true, MaxLength: 100},
			{Name: "supervisor", Type: discordgo.ApplicationCommandOptionUser, Required: true},
		}},
		// A student asks with a reason and leaves placement empty; a coordinator names the
		// placement to end. The reason comes first because both give one.
		{Name: "end", Roles: plcEnders, Options: []discord.Option{
			{Name: "reason", Type: discordgo.ApplicationCommandOptionString, MaxLength: 300},
			{Name: "placement", Type: discordgo.ApplicationCommandOptionString, Autocomplete: true, MaxLength: 100},
		}},
	}},
}

// plcEnders may use /placements end: students ask, coordinators decide.
const plcEnders = placement.RoleStudent | placement.RoleCoordinator

const (
	// plcPageSize keeps a page of placements to two rows of numbered buttons and a pager.
	plcPageSize = 5
	// plcMaxPage bounds the page number a custom_id may carry.
	plcMaxPage = 10000
)

// handlers serve /placements and the buttons, menus and forms of placements.
type handlers struct {
	svc *placement.Service
}

// New is the /placements feature.
func New(d discord.Deps) discord.Feature { return handlers{svc: d.Service} }

// Commands declares /placements and its subcommands.
func (handlers) Commands() []discord.Command { return commands }

// Register adds the routes of the placements list, school supervisors and early ends.
func (h handlers) Register(rs *discord.Routes) {
	coord := placement.RoleCoordinator
	rs.Command("/placements/list", coord, h.list)
	rs.Autocomplete("/placements/list", coord, h.enterpriseAutocomplete)
	rs.UpdateComponent("/placements/page/{enterprise}/{supervisor}/{page}", coord, h.listPage)
	rs.Command("/placements/supervisor", coord, h.supervisorCommand)
	rs.Autocomplete("/placements/supervisor", coord, h.placementAutocomplete)
	// The supervisor menu also sits under the approval queue after an approval, so picking in
	// it answers with a message of its own rather than editing what it sits on.
	rs.Component("/placement/{id}/supervisor/pick", coord, h.supervisorPicker)
	rs.Component("/placement/{id}/supervisor", coord, h.supervisorSelect)
	rs.Component("/placement/{id}/end", coord, h.endForm)
	rs.Modal("/placement/{id}/end/submit", coord, h.endSubmit)
	rs.Command("/placements/end", plcEnders, h.end)
	rs.Autocomplete("/placements/end", plcEnders, h.placementAutocomplete)
	rs.Modal("/placement/{id}/request-end/submit", placement.RoleStudent, h.requestEndSubmit)
}

// --- the list ----------------------------------------------------------------------------

func (h handlers) list(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	var f placement.PlacementFilter
	if raw, ok := r.String("enterprise"); ok && strings.TrimSpace(raw) != "" {
		e, err := ui.ResolveEnterprise(ctx, h.svc, r.Actor, raw, false)
		if err != nil {
			return nil, err
		}
		f.EnterpriseID = e.ID
	}
	if r.Option("supervisor") != nil {
		// No membership check: a supervisor who left the server still has placements to find.
		id, ok := r.ID("supervisor")
		if !ok {
			return nil, placement.Errorf(placement.EINVALID, "placements.err_pick_member", nil)
		}
		f.SupervisorID = id
	}
	return h.listReply(ctx, r, f, 0)
}

// listPage turns a page; the filters ride in the custom_id, so they are checked like input.
func (h handlers) listPage(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	var f placement.PlacementFilter
	if r.Vars["enterprise"] != "0" {
		id, err := ui.VarID(r.Vars, "enterprise")
		if err != nil {
			return nil, err
		}
		f.EnterpriseID = id
	}
	if s := r.Vars["supervisor"]; s != "0" {
		if !placement.IsSnowflake(s) {
			return nil, ui.StaleComponent()
		}
		f.SupervisorID = s
	}
	page, err := ui.VarInt(r.Vars, "page", plcMaxPage)
	if err != nil {
		return nil, err
	}
	return h.listReply(ctx, r, f, page)
}

// listReply is one page of active placements, newest first, each with its student, both
// mentors and whether the student asked to end early, and numbered Supervisor and End buttons.
func (h handlers) listReply(ctx context.Context, r *discord.Request, f placement.PlacementFilter, page int) (*discord.Reply, error) {
	ps, err := h.svc.Placements(ctx, r.Actor, f)
	if err != nil {
		return nil, err
	}
	var filters []string
	if f.EnterpriseID != 0 {
		var name any = ui.Markup(r.T("placements.this_enterprise", nil))
		if len(ps) > 0 {
			name = ui.OneLine(ps[0].EnterpriseName)
		}
		filters = append(filters, r.T("approvals.filter_enterprise", map[string]any{"Enterprise": name}))
	}
	if f.SupervisorID != "" {
		filters = append(filters, r.T("placements.filter_supervisor", map[string]any{"Supervisor": mention(f.SupervisorID)}))
	}
	if len(ps) == 0 {
		if len(filters) > 0 {
			return &discord.Reply{Content: r.T("placements.none_filtered", map[string]any{"Filters": ui.Markup(strings.Join(filters, " · ")), "Cmd": ui.Markup(r.Slash("/placements/list"))})}, nil
		}
		return &discord.Reply{Content: r.T("placements.none", map[string]any{"Cmd": ui.Markup(r.Slash("/approvals/queue"))})}, nil
	}
	page, pages, from, to := ui.Paging(len(ps), plcPageSize, page)
	desc := r.T("placements.list_hint", nil)
	if len(filters) > 0 {
		desc = strings.Join(filters, " · ") + "\n" + desc
	}
	count := ui.Markup(strconv.Itoa(len(ps)))
	if len(ps) >= 100 {
		// The service returns at most 100: say there may be more, and how to narrow.
		count = "100+"
		desc += "\n" + r.T("placements.list_capped", nil)
	}
	embed := &discordgo.MessageEmbed{
		Title:       r.T("placements.list_title", map[string]any{"Count": count}),
		Description: desc,
		Color:       0x2ECC71,
	}
	var sup, end []discordgo.MessageComponent
	for i := from; i < to; i++ {
		p := ps[i]
		n := i + 1
		name := strconv.Itoa(n) + " · " + ui.Escape(ui.OneLine(p.PositionTitle)) + " — " + ui.Escape(ui.OneLine(p.EnterpriseName))
		if p.EndRequested != "" {
			name += " ⚠️"
		}
		embed.Fields = append(embed.Fields, &discordgo.MessageEmbedField{Name: name, Value: plcLines(r, p)})
		id := ui.FormatID(p.ID)
		sup = append(sup, discordgo.Button{Label: ui.Numbered(r.T("placements.btn_supervisor", nil), n), Style: discordgo.PrimaryButton, CustomID: "/placement/" + id + "/supervisor/pick"})
		end = append(end, discordgo.Button{Label: ui.Numbered(r.T("placements.btn_end", nil), n), Style: discordgo.DangerButton, CustomID: "/placement/" + id + "/end"})
	}
	rows := []discordgo.MessageComponent{ui.Row(sup...), ui.Row(end...)}
	if pages > 1 {
		embed.Footer = &discordgo.MessageEmbedFooter{Text: r.T("apps.page", map[string]any{"Page": page + 1, "Pages": pages})}
		supervisor := f.SupervisorID
		if supervisor == "" {
			supervisor = "0"
		}
		prefix := "/placements/page/" + ui.FormatID(f.EnterpriseID) + "/" + supervisor + "/"
		rows = append(rows, ui.PageButtons(prefix, r.T("apps.prev", nil), r.T("apps.next", nil), page, pages))
	}
	return &discord.Reply{Embeds: []*discordgo.MessageEmbed{embed}, Components: rows}, nil
}

// plcLines: the student, both mentors, since when, and the student's wish to end early.
func plcLines(r *discord.Request, p placement.Placement) string {
	lines := []string{
		r.T("placements.line_student", map[string]any{"Student": mention(p.StudentID), "ID": p.ID, "Date": ui.Timestamp(p.StartedAt, 'd')}),
		r.T("placements.line_mentor", map[string]any{"Mentor": plcMentor(r, p)}),
		r.T("placements.line_supervisor", map[string]any{"Supervisor": plcSupervisor(r, p)}),
	}
	if p.EndRequested != "" {
		lines = append(lines, r.T("placements.line_end_requested", map[string]any{"Reason": ui.OneLine(ui.Truncate(p.EndRequested, 300))}))
	}
	return strings.Join(lines, "\n")
}

// mention shows a member as Discord does; replies allow no mentions, so nobody is pinged.
func mention(userID string) ui.Markup { return ui.Markup("<@" + userID + ">") }

func plcMentor(r *discord.Request, p placement.Placement) ui.Markup {
	if p.MentorID == "" {
		return ui.Markup(r.T("placements.no_mentor", nil))
	}
	return mention(p.MentorID)
}

func plcSupervisor(r *discord.Request, p placement.Placement) ui.Markup {
	if p.SupervisorID == "" {
		return ui.Markup(r.T("placements.no_supervisor", nil))
	}
	return mention(p.SupervisorID)
}

// plcCard is one placement in full: both mentors side by side.
func plcCard(r *discord.Request, p placement.Placement) *discordgo.MessageEmbed {
	fields := []*discordgo.MessageEmbedField{
		{Name: r.T("placements.field_student", nil), Value: string(mention(p.StudentID)), Inline: true},
		{Name: r.T("placements.field_enterprise", nil), Value: ui.Escape(ui.OneLine(p.EnterpriseName)), Inline: true},
		{Name: r.T("placements.field_started", nil), Value: string(ui.Timestamp(p.StartedAt, 'd')), Inline: true},
		{Name: r.T("placements.field_mentor", nil), Value: string(plcMentor(r, p)), Inline: true},
		{Name: r.T("placements.field_supervisor", nil), Value: string(plcSupervisor(r, p)), Inline: true},
	}
	if p.Status == placement.PlacementEnded && p.EndReason != "" {
		fields = append(fields, &discordgo.MessageEmbedField{Name: r.T("placements.field_end_reason", nil), Value: ui.Escape(ui.OneLine(p.EndReason))})
	} else if p.EndRequested != "" {
		fields = append(fields, &discordgo.MessageEmbedField{Name: r.T("placements.field_end_requested", nil), Value: ui.Escape(ui.OneLine(p.EndRequested))})
	}
	color := 0x2ECC71
	if p.Status == placement.PlacementEnded {
		color = 0x95A5A6
	}
	return &discordgo.MessageEmbed{
		Title:  r.T("placements.card_title", map[string]any{"ID": p.ID, "Title": ui.OneLine(p.PositionTitle)}),
		Color:  color,
		Fields: fields,
	}
}

// --- the school supervisor ---------------------------------------------------------------

// supervisorPicker answers the list's Supervisor button with the member picker.
func (h handlers) supervisorPicker(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	p, err := h.activeVar(ctx, r)
	if err != nil {
		return nil, err
	}
	gs, err := h.svc.GuildSettings(ctx, r.Actor)
	if err != nil {
		return nil, err
	}
	content := r.T("placements.supervisor_pick", map[string]any{"Student": mention(p.StudentID),
		"Title": ui.OneLine(p.PositionTitle), "Enterprise": ui.OneLine(p.EnterpriseName), "Supervisor": plcSupervisor(r, p)}) +
		"\n" + ui.SupervisorHint(r, gs)
	menu := ui.UserPicker("/placement/"+ui.FormatID(p.ID)+"/supervisor", r.T("placements.supervisor_placeholder", map[string]any{"ID": p.ID}), p.SupervisorID)
	return &discord.Reply{Content: content, Components: []discordgo.MessageComponent{menu}}, nil
}

// supervisorSelect assigns the member picked in the menu. Discord sends the picked member's
// guild membership with the pick; someone without one is not in this server.
func (h handlers) supervisorSelect(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	id, err := ui.VarID(r.Vars, "id")
	if err != nil {
		return nil, err
	}
	values := r.Values()
	if len(values) != 1 || !placement.IsSnowflake(values[0]) {
		return nil, ui.StaleComponent()
	}
	res := r.Interaction.MessageComponentData().Resolved
	m, err := plcCheckSupervisor(values[0], res.Members, res.Users)
	if err != nil {
		return nil, err
	}
	return h.assign(ctx, r, id, m)
}

func (h handlers) supervisorCommand(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	raw, _ := r.String("placement")
	id, err := h.resolve(ctx, r, raw)
	if err != nil {
		return nil, err
	}
	userID, ok := r.ID("supervisor")
	if !ok {
		return nil, placement.Errorf(placement.EINVALID, "placements.err_pick_member", nil)
	}
	var members map[string]*discordgo.Member
	var users map[string]*discordgo.User
	if res := r.Interaction.ApplicationCommandData().Resolved; res != nil {
		members, users = res.Members, res.Users
	}
	m, err := plcCheckSupervisor(userID, members, users)
	if err != nil {
		return nil, err
	}
	return h.assign(ctx, r, id, m)
}

// plcCheckSupervisor refuses someone who is not a member of this server, and bots; it returns
// the member with the roles and permissions Discord sent with the pick, which the service
// checks against who may supervise.
func plcCheckSupervisor(userID string, members map[string]*discordgo.Member, users map[string]*discordgo.User) (placement.Member, error) {
	m := members[userID]
	if m == nil {
		return placement.Member{}, placement.Errorf(placement.EINVALID, "err.supervisor_not_member", map[string]any{"User": mention(userID)})
	}
	if u := users[userID]; u != nil && u.Bot {
		return placement.Member{}, placement.Errorf(placement.EINVALID, "placements.err_supervisor_bot", map[string]any{"User": mention(userID)})
	}
	return placement.Member{UserID: userID, RoleIDs: m.Roles, Permissions: m.Permissions}, nil
}

func (h handlers) assign(ctx context.Context, r *discord.Request, id int64, m placement.Member) (*discord.Reply, error) {
	p, err := h.svc.AssignSupervisor(ctx, r.Actor, id, m)
	if err != nil {
		return nil, err
	}
	userID := m.UserID
	content := r.T("placements.supervisor_assigned", map[string]any{"Supervisor": mention(userID), "Student": mention(p.StudentID),
		"Title": ui.OneLine(p.PositionTitle), "Enterprise": ui.OneLine(p.EnterpriseName), "Mentor": plcMentor(r, p)})
	return &discord.Reply{Content: content, Embeds: []*discordgo.MessageEmbed{plcCard(r, p)}}, nil
}

// --- ending early ------------------------------------------------------------------------

// end is a coordinator ending a placement, or a student asking to end theirs; without a
// reason it opens the form that asks for one.
func (h handlers) end(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	raw, _ := r.String("placement")
	reason, _ := r.String("reason")
	if r.Actor.Is(placement.RoleCoordinator) && strings.TrimSpace(raw) != "" {
		id, err := h.resolve(ctx, r, raw)
		if err != nil {
			return nil, err
		}
		if strings.TrimSpace(reason) == "" {
			p, err := h.active(ctx, r, id)
			if err != nil {
				return nil, err
			}
			return plcEndForm(r, p, "/placement/"+ui.FormatID(id)+"/end/submit"), nil
		}
		return h.ended(ctx, r, id, reason)
	}
	if !r.Actor.Is(placement.RoleStudent) {
		return nil, placement.Errorf(placement.EINVALID, "placements.err_pick_placement", nil)
	}
	mine, err := h.svc.MyPlacement(ctx, r.Actor)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(raw) != "" {
		if id, ok := ui.ParseID(raw); !ok || id != mine.ID {
			return nil, placement.Errorf(placement.EFORBIDDEN, "err.not_your_placement", nil)
		}
	}
	if strings.TrimSpace(reason) == "" {
		return plcEndForm(r, mine, "/placement/"+ui.FormatID(mine.ID)+"/request-end/submit"), nil
	}
	return h.requested(ctx, r, mine.ID, reason)
}

// endForm answers the list's End button with the form for the reason.
func (h handlers) endForm(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	p, err := h.activeVar(ctx, r)
	if err != nil {
		return nil, err
	}
	return plcEndForm(r, p, "/placement/"+ui.FormatID(p.ID)+"/end/submit"), nil
}

func (h handlers) endSubmit(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	id, err := ui.VarID(r.Vars, "id")
	if err != nil {
		return nil, err
	}
	return h.ended(ctx, r, id, r.ModalValue("reason"))
}

func (h handlers) requestEndSubmit(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	id, err := ui.VarID(r.Vars, "id")
	if err != nil {
		return nil, err
	}
	return h.requested(ctx, r, id, r.ModalValue("reason"))
}

func (h handlers) ended(ctx context.Context, r *discord.Request, id int64, reason string) (*discord.Reply, error) {
	p, err := h.svc.EndPlacement(ctx, r.Actor, id, reason)
	if err != nil {
		return nil, err
	}
	content := r.T("placements.ended", map[string]any{"Student": mention(p.StudentID), "Title": ui.OneLine(p.PositionTitle),
		"Enterprise": ui.OneLine(p.EnterpriseName)})
	return &discord.Reply{Content: content, Embeds: []*discordgo.MessageEmbed{plcCard(r, p)}}, nil
}

func (h handlers) requested(ctx context.Context, r *discord.Request, id int64, reason string) (*discord.Reply, error) {
	p, err := h.svc.RequestEnd(ctx, r.Actor, id, reason)
	if err != nil {
		return nil, err
	}
	content := r.T("placements.end_requested", map[string]any{"Title": ui.OneLine(p.PositionTitle), "Enterprise": ui.OneLine(p.EnterpriseName)})
	return &discord.Reply{Content: content, Embeds: []*discordgo.MessageEmbed{plcCard(r, p)}}, nil
}

// plcEndForm asks why a placement should end; customID says whether it ends it (coordinator)
// or asks to (student).
func plcEndForm(r *discord.Request, p placement.Placement, customID string) *discord.Reply {
	prefix := "placements.end_"
	if strings.HasSuffix(customID, "/request-end/submit") {
		prefix = "placements.request_end_"
	}
	return &discord.Reply{Modal: &discord.Modal{
		CustomID: customID,
		// A modal title is plain text: the position's title goes in as typed, not escaped.
		Title:  r.T(prefix+"title", map[string]any{"Title": ui.Markup(ui.OneLine(p.PositionTitle))}),
		Inputs: []discordgo.TextInput{ui.ReasonInput(r.T(prefix+"label", nil), r.T(prefix+"placeholder", nil))},
	}}
}

// --- lookups and suggestions -------------------------------------------------------------

// active returns an active placement for a coordinator.
func (h handlers) active(ctx context.Context, r *discord.Request, id int64) (placement.Placement, error) {
	p, err := h.svc.Placement(ctx, r.Actor, id)
	if err != nil {
		return p, err
	}
	if p.Status != placement.PlacementActive {
		return p, placement.Errorf(placement.ECONFLICT, "err.placement_not_active", nil)
	}
	return p, nil
}

// activeVar returns the active placement a button's custom_id names.
func (h handlers) activeVar(ctx context.Context, r *discord.Request) (placement.Placement, error) {
	id, err := ui.VarID(r.Vars, "id")
	if err != nil {
		return placement.Placement{}, err
	}
	return h.active(ctx, r, id)
}

// resolve reads a placement option: the id of a suggestion, or a typed position title that
// names exactly one active placement.
func (h handlers) resolve(ctx context.Context, r *discord.Request, raw string) (int64, error) {
	if id, ok := ui.ParseID(raw); ok {
		return id, nil
	}
	ps, err := h.svc.Placements(ctx, r.Actor, placement.PlacementFilter{})
	if err != nil {
		return 0, err
	}
	items := make([]ui.Titled, len(ps))
	for i, p := range ps {
		items[i] = ui.Titled{ID: p.ID, Title: p.PositionTitle}
	}
	if id, ok := ui.MatchTitle(raw, items); ok {
		return id, nil
	}
	return 0, placement.Errorf(placement.ENOTFOUND, "err.placement_not_found", nil)
}

// enterpriseAutocomplete suggests verified enterprises for the list's filter; on an error the
// router answers with no suggestions.
func (h handlers) enterpriseAutocomplete(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	choices, err := ui.EnterpriseChoices(ctx, h.svc, r.Actor, r.FocusedText())
	return &discord.Reply{Choices: choices}, err
}

// placementAutocomplete suggests active placements: a coordinator's search among all of them,
// a student's own.
func (h handlers) placementAutocomplete(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	var ps []placement.Placement
	if r.Actor.Is(placement.RoleCoordinator) {
		var err error
		if ps, err = h.svc.Placements(ctx, r.Actor, placement.PlacementFilter{}); err != nil {
			return nil, err
		}
	} else {
		p, err := h.svc.MyPlacement(ctx, r.Actor)
		switch {
		case placement.ErrorCode(err) == placement.ENOTFOUND:
		case err != nil:
			return nil, err
		default:
			ps = append(ps, p)
		}
	}
	typed := strings.TrimPrefix(strings.ToLower(ui.OneLine(r.FocusedText())), "#")
	choices := make([]*discordgo.ApplicationCommandOptionChoice, 0, ui.MaxChoices)
	for _, p := range ps {
		if len(choices) == ui.MaxChoices {
			break
		}
		name := "#" + ui.FormatID(p.ID) + " · " + p.PositionTitle + " — " + p.EnterpriseName + " · " + p.StartedAt.UTC().Format(placement.DateLayout)
		if typed != "" && !strings.Contains(strings.ToLower(name), typed) {
			continue
		}
		if p.EndRequested != "" {
			name += " ⚠️"
		}
		choices = append(choices, ui.Choice(name, p.ID))
	}
	return &discord.Reply{Choices: choices}, nil
}
