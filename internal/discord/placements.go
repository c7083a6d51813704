package discord

import (
	"context"
	"strconv"
	"strings"

	"github.com/bwmarrin/discordgo"

	"placementbot/internal/placement"
)

var placementCommands = []command{
	{Name: "placements", Subs: []command{
		{Name: "list", Roles: placement.RoleCoordinator, Options: []option{
			{Name: "enterprise", Type: discordgo.ApplicationCommandOptionString, Autocomplete: true, MaxLength: 100},
			{Name: "supervisor", Type: discordgo.ApplicationCommandOptionUser},
		}},
		{Name: "supervisor", Roles: placement.RoleCoordinator, Options: []option{
			{Name: "placement", Type: discordgo.ApplicationCommandOptionString, Required: true, Autocomplete: true, MaxLength: 100},
			{Name: "supervisor", Type: discordgo.ApplicationCommandOptionUser, Required: true},
		}},
		// A student asks with a reason and leaves placement empty; a coordinator names the
		// placement to end. The reason comes first because both give one.
		{Name: "end", Roles: plcEnders, Options: []option{
			{Name: "reason", Type: discordgo.ApplicationCommandOptionString, MaxLength: 300},
			{Name: "placement", Type: discordgo.ApplicationCommandOptionString, Autocomplete: true, MaxLength: 100},
		}},
	}},
}

// plcEnders may use /placements end: students ask, coordinators decide.
const plcEnders = placement.RoleStudent | placement.RoleCoordinator

// plcPageSize keeps a page of placements to two rows of numbered buttons and a pager.
const plcPageSize = 5

// placementHandlers serve /placements and the buttons, menus and forms of placements.
type placementHandlers struct {
	svc *placement.Service
}

// registerPlacements adds the routes of the placements list, school supervisors and early ends.
func registerPlacements(rs *Routes, d Deps) {
	h := placementHandlers{svc: d.Service}
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

func (h placementHandlers) list(ctx context.Context, r *Request) (*Reply, error) {
	var f placement.PlacementFilter
	if raw, ok := r.String("enterprise"); ok && strings.TrimSpace(raw) != "" {
		e, err := aprEnterprise(ctx, h.svc, r, raw)
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
func (h placementHandlers) listPage(ctx context.Context, r *Request) (*Reply, error) {
	var f placement.PlacementFilter
	if e := r.Vars["enterprise"]; e != "0" {
		id, ok := appParseID(e)
		if !ok {
			return nil, placement.Errorf(placement.EINVALID, "err.stale_component", nil)
		}
		f.EnterpriseID = id
	}
	if s := r.Vars["supervisor"]; s != "0" {
		if !placement.IsSnowflake(s) {
			return nil, placement.Errorf(placement.EINVALID, "err.stale_component", nil)
		}
		f.SupervisorID = s
	}
	page, err := appVarPage(r)
	if err != nil {
		return nil, err
	}
	return h.listReply(ctx, r, f, page)
}

// listReply is one page of active placements, newest first, each with its student, both
// mentors and whether the student asked to end early, and numbered Supervisor and End buttons.
func (h placementHandlers) listReply(ctx context.Context, r *Request, f placement.PlacementFilter, page int) (*Reply, error) {
	ps, err := h.svc.Placements(ctx, r.Actor, f)
	if err != nil {
		return nil, err
	}
	var filters []string
	if f.EnterpriseID != 0 {
		name := r.T("placements.this_enterprise", nil)
		if len(ps) > 0 {
			name = appText(ps[0].EnterpriseName)
		}
		filters = append(filters, r.T("approvals.filter_enterprise", map[string]any{"Enterprise": name}))
	}
	if f.SupervisorID != "" {
		filters = append(filters, r.T("placements.filter_supervisor", map[string]any{"Supervisor": "<@" + f.SupervisorID + ">"}))
	}
	if len(ps) == 0 {
		if len(filters) > 0 {
			return &Reply{Content: r.T("placements.none_filtered", map[string]any{"Filters": strings.Join(filters, " · "), "Cmd": slash(r, "/placements/list")})}, nil
		}
		return &Reply{Content: r.T("placements.none", map[string]any{"Cmd": slash(r, "/approvals/queue")})}, nil
	}
	pages := (len(ps) + plcPageSize - 1) / plcPageSize
	page = min(max(page, 0), pages-1)
	from, to := page*plcPageSize, min((page+1)*plcPageSize, len(ps))
	desc := r.T("placements.list_hint", nil)
	if len(filters) > 0 {
		desc = strings.Join(filters, " · ") + "\n" + desc
	}
	count := strconv.Itoa(len(ps))
	if len(ps) >= 100 {
		// The service returns at most 100: say there may be more, and how to narrow.
		count = "100+"
		desc += "\n" + r.T("placements.list_capped", nil)
	}
	embed := &discordgo.MessageEmbed{
		Title:       r.T("placements.list_title", map[string]any{"Count": count}),
		Description: Truncate(desc, 4096),
		Color:       0x2ECC71,
	}
	var sup, end []discordgo.MessageComponent
	for i := from; i < to; i++ {
		p := ps[i]
		n := i + 1
		name := strconv.Itoa(n) + " · " + appText(p.PositionTitle) + " — " + appText(p.EnterpriseName)
		if p.EndRequested != "" {
			name += " ⚠️"
		}
		embed.Fields = append(embed.Fields, &discordgo.MessageEmbedField{Name: Truncate(name, 256), Value: Truncate(plcLines(r, p), 1024)})
		id := appIDStr(p.ID)
		sup = append(sup, discordgo.Button{Label: aprLabel(r, "placements.btn_supervisor", n), Style: discordgo.PrimaryButton, CustomID: "/placement/" + id + "/supervisor/pick"})
		end = append(end, discordgo.Button{Label: aprLabel(r, "placements.btn_end", n), Style: discordgo.DangerButton, CustomID: "/placement/" + id + "/end"})
	}
	rows := []discordgo.MessageComponent{discordgo.ActionsRow{Components: sup}, discordgo.ActionsRow{Components: end}}
	if pages > 1 {
		embed.Footer = &discordgo.MessageEmbedFooter{Text: r.T("apps.page", map[string]any{"Page": page + 1, "Pages": pages})}
		supervisor := f.SupervisorID
		if supervisor == "" {
			supervisor = "0"
		}
		prefix := "/placements/page/" + strconv.FormatInt(f.EnterpriseID, 10) + "/" + supervisor + "/"
		rows = append(rows, appPager(r, prefix, page, pages))
	}
	return &Reply{Embeds: []*discordgo.MessageEmbed{embed}, Components: rows}, nil
}

// plcLines: the student, both mentors, since when, and the student's wish to end early.
func plcLines(r *Request, p placement.Placement) string {
	lines := []string{
		r.T("placements.line_student", map[string]any{"Student": "<@" + p.StudentID + ">", "ID": p.ID, "Date": p.StartedAt.UTC().Format(placement.DateLayout)}),
		r.T("placements.line_mentor", map[string]any{"Mentor": plcMentor(r, p)}),
		r.T("placements.line_supervisor", map[string]any{"Supervisor": plcSupervisor(r, p)}),
	}
	if p.EndRequested != "" {
		lines = append(lines, r.T("placements.line_end_requested", map[string]any{"Reason": appText(Truncate(p.EndRequested, 300))}))
	}
	return strings.Join(lines, "\n")
}

func plcMentor(r *Request, p placement.Placement) string {
	if p.MentorID == "" {
		return r.T("placements.no_mentor", nil)
	}
	return "<@" + p.MentorID + ">"
}

func plcSupervisor(r *Request, p placement.Placement) string {
	if p.SupervisorID == "" {
		return r.T("placements.no_supervisor", nil)
	}
	return "<@" + p.SupervisorID + ">"
}

// plcCard is one placement in full: both mentors side by side.
func plcCard(r *Request, p placement.Placement) *discordgo.MessageEmbed {
	fields := []*discordgo.MessageEmbedField{
		{Name: r.T("placements.field_student", nil), Value: "<@" + p.StudentID + ">", Inline: true},
		{Name: r.T("placements.field_enterprise", nil), Value: Truncate(appText(p.EnterpriseName), 1024), Inline: true},
		{Name: r.T("placements.field_started", nil), Value: p.StartedAt.UTC().Format(placement.DateLayout), Inline: true},
		{Name: r.T("placements.field_mentor", nil), Value: plcMentor(r, p), Inline: true},
		{Name: r.T("placements.field_supervisor", nil), Value: plcSupervisor(r, p), Inline: true},
	}
	if p.Status == placement.PlacementEnded && p.EndReason != "" {
		fields = append(fields, &discordgo.MessageEmbedField{Name: r.T("placements.field_end_reason", nil), Value: Truncate(appText(p.EndReason), 1024)})
	} else if p.EndRequested != "" {
		fields = append(fields, &discordgo.MessageEmbedField{Name: r.T("placements.field_end_requested", nil), Value: Truncate(appText(p.EndRequested), 1024)})
	}
	color := 0x2ECC71
	if p.Status == placement.PlacementEnded {
		color = 0x95A5A6
	}
	return &discordgo.MessageEmbed{
		Title:  Truncate(r.T("placements.card_title", map[string]any{"ID": p.ID, "Title": appText(p.PositionTitle)}), 256),
		Color:  color,
		Fields: fields,
	}
}

// --- the school supervisor ---------------------------------------------------------------

// plcSupervisorMenu is Discord's member picker for a placement's school supervisor, with the
// current one picked already.
func plcSupervisorMenu(r *Request, p placement.Placement) discordgo.ActionsRow {
	one := 1
	menu := discordgo.SelectMenu{
		MenuType: discordgo.UserSelectMenu, CustomID: "/placement/" + appIDStr(p.ID) + "/supervisor",
		Placeholder: Truncate(r.T("placements.supervisor_placeholder", map[string]any{"ID": p.ID}), 150),
		MinValues:   &one, MaxValues: 1,
	}
	if p.SupervisorID != "" {
		menu.DefaultValues = []discordgo.SelectMenuDefaultValue{{ID: p.SupervisorID, Type: discordgo.SelectMenuDefaultValueUser}}
	}
	return discordgo.ActionsRow{Components: []discordgo.MessageComponent{menu}}
}

// supervisorPicker answers the list's Supervisor button with the member picker.
func (h placementHandlers) supervisorPicker(ctx context.Context, r *Request) (*Reply, error) {
	id, err := appVarID(r, "id")
	if err != nil {
		return nil, err
	}
	p, err := h.active(ctx, r, id)
	if err != nil {
		return nil, err
	}
	content := r.T("placements.supervisor_pick", map[string]any{"Student": "<@" + p.StudentID + ">",
		"Title": appText(p.PositionTitle), "Enterprise": appText(p.EnterpriseName), "Supervisor": plcSupervisor(r, p)})
	return &Reply{Content: Truncate(content, 2000), Components: []discordgo.MessageComponent{plcSupervisorMenu(r, p)}}, nil
}

// supervisorSelect assigns the member picked in the menu. Discord sends the picked member's
// guild membership with the pick; someone without one is not in this server.
func (h placementHandlers) supervisorSelect(ctx context.Context, r *Request) (*Reply, error) {
	id, err := appVarID(r, "id")
	if err != nil {
		return nil, err
	}
	values := r.Values()
	if len(values) != 1 || !placement.IsSnowflake(values[0]) {
		return nil, placement.Errorf(placement.EINVALID, "err.stale_component", nil)
	}
	res := r.Interaction.MessageComponentData().Resolved
	if err := plcCheckSupervisor(values[0], res.Members, res.Users); err != nil {
		return nil, err
	}
	return h.assign(ctx, r, id, values[0])
}

func (h placementHandlers) supervisorCommand(ctx context.Context, r *Request) (*Reply, error) {
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
	if err := plcCheckSupervisor(userID, members, users); err != nil {
		return nil, err
	}
	return h.assign(ctx, r, id, userID)
}

// plcCheckSupervisor refuses someone who is not a member of this server, and bots.
func plcCheckSupervisor(userID string, members map[string]*discordgo.Member, users map[string]*discordgo.User) error {
	if members[userID] == nil {
		return placement.Errorf(placement.EINVALID, "err.supervisor_not_member", map[string]any{"User": "<@" + userID + ">"})
	}
	if u := users[userID]; u != nil && u.Bot {
		return placement.Errorf(placement.EINVALID, "placements.err_supervisor_bot", map[string]any{"User": "<@" + userID + ">"})
	}
	return nil
}

func (h placementHandlers) assign(ctx context.Context, r *Request, id int64, userID string) (*Reply, error) {
	p, err := h.svc.AssignSupervisor(ctx, r.Actor, id, userID)
	if err != nil {
		return nil, err
	}
	content := r.T("placements.supervisor_assigned", map[string]any{"Supervisor": "<@" + userID + ">", "Student": "<@" + p.StudentID + ">",
		"Title": appText(p.PositionTitle), "Enterprise": appText(p.EnterpriseName), "Mentor": plcMentor(r, p)})
	return &Reply{Content: Truncate(content, 2000), Embeds: []*discordgo.MessageEmbed{plcCard(r, p)}}, nil
}

// --- ending early ------------------------------------------------------------------------

// end is a coordinator ending a placement, or a student asking to end theirs; without a
// reason it opens the form that asks for one.
func (h placementHandlers) end(ctx context.Context, r *Request) (*Reply, error) {
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
			return plcEndForm(r, p, "/placement/"+appIDStr(id)+"/end/submit"), nil
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
		if id, ok := aprParseID(raw); !ok || id != mine.ID {
			return nil, placement.Errorf(placement.EFORBIDDEN, "err.not_your_placement", nil)
		}
	}
	if strings.TrimSpace(reason) == "" {
		return plcEndForm(r, mine, "/placement/"+appIDStr(mine.ID)+"/request-end/submit"), nil
	}
	return h.requested(ctx, r, mine.ID, reason)
}

// endForm answers the list's End button with the form for the reason.
func (h placementHandlers) endForm(ctx context.Context, r *Request) (*Reply, error) {
	id, err := appVarID(r, "id")
	if err != nil {
		return nil, err
	}
	p, err := h.active(ctx, r, id)
	if err != nil {
		return nil, err
	}
	return plcEndForm(r, p, "/placement/"+appIDStr(id)+"/end/submit"), nil
}

func (h placementHandlers) endSubmit(ctx context.Context, r *Request) (*Reply, error) {
	id, err := appVarID(r, "id")
	if err != nil {
		return nil, err
	}
	return h.ended(ctx, r, id, r.ModalValue("reason"))
}

func (h placementHandlers) requestEndSubmit(ctx context.Context, r *Request) (*Reply, error) {
	id, err := appVarID(r, "id")
	if err != nil {
		return nil, err
	}
	return h.requested(ctx, r, id, r.ModalValue("reason"))
}

func (h placementHandlers) ended(ctx context.Context, r *Request, id int64, reason string) (*Reply, error) {
	p, err := h.svc.EndPlacement(ctx, r.Actor, id, reason)
	if err != nil {
		return nil, err
	}
	content := r.T("placements.ended", map[string]any{"Student": "<@" + p.StudentID + ">", "Title": appText(p.PositionTitle),
		"Enterprise": appText(p.EnterpriseName)})
	return &Reply{Content: Truncate(content, 2000), Embeds: []*discordgo.MessageEmbed{plcCard(r, p)}}, nil
}

func (h placementHandlers) requested(ctx context.Context, r *Request, id int64, reason string) (*Reply, error) {
	p, err := h.svc.RequestEnd(ctx, r.Actor, id, reason)
	if err != nil {
		return nil, err
	}
	content := r.T("placements.end_requested", map[string]any{"Title": appText(p.PositionTitle), "Enterprise": appText(p.EnterpriseName)})
	return &Reply{Content: Truncate(content, 2000), Embeds: []*discordgo.MessageEmbed{plcCard(r, p)}}, nil
}

// plcEndForm asks why a placement should end; customID says whether it ends it (coordinator)
// or asks to (student).
func plcEndForm(r *Request, p placement.Placement, customID string) *Reply {
	prefix := "placements.end_"
	if strings.HasSuffix(customID, "/request-end/submit") {
		prefix = "placements.request_end_"
	}
	return &Reply{Modal: &Modal{
		CustomID: customID,
		Title:    r.T(prefix+"title", map[string]any{"Title": appOneLine(p.PositionTitle)}),
		Inputs: []discordgo.TextInput{{
			CustomID: "reason", Label: Truncate(r.T(prefix+"label", nil), 45), Style: discordgo.TextInputParagraph,
			Placeholder: Truncate(r.T(prefix+"placeholder", nil), 100), Required: true, MinLength: 3, MaxLength: 300,
		}},
	}}
}

// --- lookups and suggestions -------------------------------------------------------------

// active returns an active placement for a coordinator.
func (h placementHandlers) active(ctx context.Context, r *Request, id int64) (placement.Placement, error) {
	p, err := h.svc.Placement(ctx, r.Actor, id)
	if err != nil {
		return p, err
	}
	if p.Status != placement.PlacementActive {
		return p, placement.Errorf(placement.ECONFLICT, "err.placement_not_active", nil)
	}
	return p, nil
}

// resolve reads a placement option: the id of a suggestion, or a typed position title that
// names exactly one active placement.
func (h placementHandlers) resolve(ctx context.Context, r *Request, raw string) (int64, error) {
	if id, ok := aprParseID(raw); ok {
		return id, nil
	}
	ps, err := h.svc.Placements(ctx, r.Actor, placement.PlacementFilter{})
	if err != nil {
		return 0, err
	}
	items := make([]appTitled, len(ps))
	for i, p := range ps {
		items[i] = appTitled{p.ID, p.PositionTitle}
	}
	if id, ok := appMatchTitle(raw, items); ok {
		return id, nil
	}
	return 0, placement.Errorf(placement.ENOTFOUND, "err.placement_not_found", nil)
}

func (h placementHandlers) enterpriseAutocomplete(ctx context.Context, r *Request) (*Reply, error) {
	return aprEnterpriseChoices(ctx, h.svc, r)
}

// placementAutocomplete suggests active placements: a coordinator's search among all of them,
// a student's own.
func (h placementHandlers) placementAutocomplete(ctx context.Context, r *Request) (*Reply, error) {
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
	typed := strings.TrimPrefix(strings.ToLower(appOneLine(appFocused(r))), "#")
	choices := make([]*discordgo.ApplicationCommandOptionChoice, 0, 25)
	for _, p := range ps {
		if len(choices) == 25 {
			break
		}
		name := "#" + appIDStr(p.ID) + " · " + p.PositionTitle + " — " + p.EnterpriseName + " · " + p.StartedAt.UTC().Format(placement.DateLayout)
		if typed != "" && !strings.Contains(strings.ToLower(name), typed) {
			continue
		}
		if p.EndRequested != "" {
			name += " ⚠️"
		}
		choices = append(choices, appChoice(name, p.ID))
	}
	return &Reply{Choices: choices}, nil
}
