// Package approvals is the coordinators' approval of accepted offers: the queue, approving and
// rejecting, and each application's compliance checklist.
package approvals

import (
	"context"
	"errors"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"placementbot/internal/discord"
	"placementbot/internal/discord/ui"
	"placementbot/internal/placement"
)

var commands = []discord.Command{
	{Name: "approvals", Roles: placement.RoleCoordinator, Subs: []discord.Command{
		{Name: "queue", Roles: placement.RoleCoordinator, Options: []discord.Option{
			{Name: "program", Type: discordgo.ApplicationCommandOptionString, MaxLength: 80},
			{Name: "enterprise", Type: discordgo.ApplicationCommandOptionString, Autocomplete: true, MaxLength: 100},
		}},
		// Listed for coordinators only: mentors may use it where the school allows, and a
		// coordinator who turns that on tells them.
		{Name: "checklist", Roles: placement.RoleCoordinator, Options: []discord.Option{
			{Name: "application", Type: discordgo.ApplicationCommandOptionString, Required: true, Autocomplete: true, MaxLength: 100},
		}},
	}},
}

// tickers may open an application's checklist: coordinators, and the position's mentors where
// the guild allows it; the service decides for each application.
const tickers = placement.RoleCoordinator | placement.RoleMentor

const (
	// pageSize is the service's page of the queue: three rows of numbered buttons (approve,
	// reject, checklist) hold five each.
	pageSize = 5
	// noSession stands in for the page key of a queue shown while session storage is down:
	// its buttons work, its paging does not.
	noSession = "-"
	// pagePrefix starts the custom_ids of the queue's page buttons.
	pagePrefix = "/approvals/page/"
)

// filter is what a queue shows: the service's filter, and the enterprise's name to say so.
type filter struct {
	Queue          placement.QueueFilter `json:"queue"`
	EnterpriseName string                `json:"enterprise_name,omitempty"`
}

// pageState is one shown page of the queue, kept behind the key in its buttons.
type pageState = ui.PageState[filter, placement.QueueCursor]

// handlers serve /approvals and the buttons of the queue and the checklist.
type handlers struct {
	svc   *placement.Service
	pages ui.Pager[filter, placement.QueueCursor]
}

// New is the approvals feature: the approval queue and the compliance checklist.
func New(d discord.Deps) discord.Feature {
	return handlers{svc: d.Service, pages: ui.Pager[filter, placement.QueueCursor]{
		Sessions: d.Sessions, Kind: "approvals", TTL: 15 * time.Minute, Command: "/approvals/queue"}}
}

// Commands are /approvals queue and /approvals checklist.
func (h handlers) Commands() []discord.Command { return commands }

// Register adds the routes of the approval queue and the compliance checklist.
func (h handlers) Register(rs *discord.Routes) {
	coord := placement.RoleCoordinator
	rs.Command("/approvals/queue", coord, h.queue)
	rs.Autocomplete("/approvals/queue", coord, h.enterpriseAutocomplete)
	rs.UpdateComponent(pagePrefix+"{key}/{dir}", coord, h.turn)
	// Approving and rejecting edit the queue they sit on, so it always shows what still waits.
	rs.UpdateComponent("/approval/{id}/approve", coord, h.approve)
	rs.Component("/approval/{id}/reject", coord, h.rejectForm)
	rs.UpdateModal("/approval/{id}/reject/submit", coord, h.rejectSubmit)
	// The checklist opens beside the queue; its toggles edit the checklist in place.
	rs.Component("/approval/{id}/checks", tickers, h.checks)
	rs.UpdateComponent("/approval/{id}/check/{item}/{state}", tickers, h.tick)
	rs.Command("/approvals/checklist", tickers, h.checklistCommand)
	rs.Autocomplete("/approvals/checklist", tickers, h.checklistAutocomplete)
}

// --- the queue ---------------------------------------------------------------------------

func (h handlers) queue(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	var f filter
	if v, ok := r.String("program"); ok {
		f.Queue.Program = ui.OneLine(v)
	}
	if v, ok := r.String("enterprise"); ok && strings.TrimSpace(v) != "" {
		e, err := ui.ResolveEnterprise(ctx, h.svc, r.Actor, v, false)
		if err != nil {
			return nil, err
		}
		f.Queue.EnterpriseID, f.EnterpriseName = e.ID, e.Name
	}
	return h.show(ctx, r, h.pages.Start(r.Actor, f), "", nil)
}

// turn shows the previous or next page, or the same page again with what changed since.
func (h handlers) turn(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	st, err := h.pages.Load(ctx, r.Actor, r.Vars["key"], r.Slash)
	if err != nil {
		return nil, err
	}
	switch r.Vars["dir"] {
	case "next":
		st.Turn(1)
	case "prev":
		st.Turn(-1)
	case "here":
		st.Turn(0)
	default:
		return nil, ui.StaleComponent()
	}
	return h.show(ctx, r, st, "", nil)
}

// show fetches the page st points at and renders it under a new page key. A page emptied
// meanwhile (its offers approved elsewhere) falls back to the first page.
func (h handlers) show(ctx context.Context, r *discord.Request, st pageState, note string, placed *placement.Placement) (*discord.Reply, error) {
	page, err := h.svc.ApprovalQueue(ctx, r.Actor, st.Filter.Queue, st.Cursor())
	if err != nil {
		return nil, err
	}
	if len(page.Items) == 0 && st.Page() > 0 {
		st.Cursors = st.Cursors[:1]
		if page, err = h.svc.ApprovalQueue(ctx, r.Actor, st.Filter.Queue, st.Cursor()); err != nil {
			return nil, err
		}
	}
	st.SetNext(page.After, page.HasMore)
	key, err := h.pages.Save(ctx, st)
	switch {
	case ui.SessionsDown(err):
		// The queue is still worth showing: its buttons need no session, only its paging does.
		key = noSession
		if page.HasMore || st.Page() > 0 {
			note = strings.TrimSpace(note + "\n" + r.T("approvals.no_paging", nil))
		}
	case err != nil:
		return nil, err
	}
	return queueReply(r, st, key, page, note, placed, h.svc.Now()), nil
}

// refresh re-renders the queue a decision was taken on, with the decision on top. The page
// shown is found through the page key in the message's own buttons, so filters and page
// survive; without one (a checklist message, an expired page) it is the whole queue's first page.
func (h handlers) refresh(ctx context.Context, r *discord.Request, note string, placed *placement.Placement) *discord.Reply {
	st := h.pages.Start(r.Actor, filter{})
	if key := keyOnMessage(r.Interaction.Message); key != "" {
		if old, err := h.pages.Load(ctx, r.Actor, key, r.Slash); err == nil {
			st = old
		}
	}
	reply, err := h.show(ctx, r, st, note, placed)
	if err != nil {
		// The decision is made: a failure to reload shows it alone rather than an error.
		reply = &discord.Reply{Content: note + "\n" + r.T("approvals.refresh_failed", map[string]any{"Cmd": ui.Markup(r.Slash("/approvals/queue"))})}
		if placed != nil {
			reply.Components = []discordgo.MessageComponent{supervisorPicker(r, *placed)}
		}
	}
	return reply
}

// supervisorPicker asks for the school supervisor of a placement just approved; the
// placements feature answers it.
func supervisorPicker(r *discord.Request, p placement.Placement) discordgo.ActionsRow {
	return ui.UserPicker("/placement/"+ui.FormatID(p.ID)+"/supervisor",
		r.T("placements.supervisor_placeholder", map[string]any{"ID": p.ID}), p.SupervisorID)
}

// queueReply renders one page of the queue: each offer with who, what, since when and what its
// checklist lacks, and rows of numbered Approve, Reject and Checklist buttons.
func queueReply(r *discord.Request, st pageState, key string, page placement.QueuePage, note string, placed *placement.Placement, now time.Time) *discord.Reply {
	filters := describeFilter(r, st.Filter)
	var rows []discordgo.MessageComponent
	if len(page.Items) == 0 {
		empty := r.T("approvals.empty", nil)
		if filters != "" {
			empty = r.T("approvals.empty_filtered", map[string]any{"Filters": ui.Markup(filters), "Cmd": ui.Markup(r.Slash("/approvals/queue"))})
		}
		if placed != nil {
			rows = append(rows, supervisorPicker(r, *placed))
		}
		return &discord.Reply{Content: strings.TrimSpace(note + "\n\n" + empty), Components: rows}
	}
	desc := r.T("approvals.hint", nil)
	if filters != "" {
		desc = filters + "\n" + desc
	}
	pages := max((page.Total+pageSize-1)/pageSize, st.Page()+1)
	embed := &discordgo.MessageEmbed{
		Title:       r.T("approvals.queue_title", map[string]any{"Count": page.Total}),
		Description: desc,
		Color:       0xF1C40F,
	}
	if pages > 1 {
		embed.Footer = &discordgo.MessageEmbedFooter{Text: r.T("apps.page", map[string]any{"Page": st.Page() + 1, "Pages": pages})}
	}
	var approve, reject, checks []discordgo.MessageComponent
	for i, it := range page.Items {
		n := st.Page()*pageSize + i + 1
		embed.Fields = append(embed.Fields, &discordgo.MessageEmbedField{
			Name:  strconv.Itoa(n) + " · " + string(ui.Heading(it.Application)),
			Value: itemLines(r, it, now),
		})
		style := discordgo.SuccessButton
		if len(it.Missing) > 0 {
			// Still pressable: the answer names what is missing.
			style = discordgo.SecondaryButton
		}
		id := ui.FormatID(it.ID)
		approve = append(approve, discordgo.Button{Label: ui.Numbered(r.T("approvals.btn_approve", nil), n), Style: style, CustomID: "/approval/" + id + "/approve"})
		reject = append(reject, discordgo.Button{Label: ui.Numbered(r.T("approvals.btn_reject", nil), n), Style: discordgo.DangerButton, CustomID: "/approval/" + id + "/reject"})
		checks = append(checks, discordgo.Button{Label: ui.Numbered(r.T("approvals.btn_checks", nil), n), Style: discordgo.SecondaryButton, CustomID: "/approval/" + id + "/checks"})
	}
	rows = append(rows, ui.Row(approve...), ui.Row(reject...), ui.Row(checks...))
	if key != noSession {
		prefix := pagePrefix + key + "/"
		refresh := discordgo.Button{Label: r.T("approvals.btn_refresh", nil), Style: discordgo.SecondaryButton, CustomID: prefix + "here"}
		pager := ui.Row(refresh)
		if pages > 1 {
			pager = ui.PrevNext(prefix, r.T("apps.prev", nil), r.T("apps.next", nil), st.Page() > 0, st.HasNext)
			pager.Components = slices.Insert(pager.Components, 1, discordgo.MessageComponent(refresh))
		}
		rows = append(rows, pager)
	}
	if placed != nil {
		rows = append(rows, supervisorPicker(r, *placed))
	}
	return &discord.Reply{Content: note, Embeds: []*discordgo.MessageEmbed{embed}, Components: rows}
}

// itemLines: the student and their program, how long the offer has waited, and the checklist.
func itemLines(r *discord.Request, it placement.QueueItem, now time.Time) string {
	program := r.T("approvals.no_program", nil)
	if it.Program != "" {
		program = ui.Escape(ui.OneLine(it.Program))
	}
	lines := []string{
		"<@" + it.StudentID + "> · " + program,
		r.T("approvals.waiting", map[string]any{"Date": ui.Timestamp(it.UpdatedAt, 'd'), "Ago": ui.Markup(ago(r, it.UpdatedAt, now))}),
	}
	if len(it.Missing) == 0 {
		lines = append(lines, r.T("approvals.checks_complete", nil))
	} else {
		lines = append(lines, r.T("approvals.checks_missing", map[string]any{"Items": checkNames(r, it.Missing)}))
	}
	return strings.Join(lines, "\n")
}

// ago says how many days ago a moment was, in words.
func ago(r *discord.Request, at, now time.Time) string {
	days := int(now.Sub(at).Hours() / 24)
	switch {
	case days <= 0:
		return r.T("approvals.ago_today", nil)
	case days == 1:
		return r.T("approvals.ago_one", nil)
	}
	return r.T("approvals.ago_days", map[string]any{"Days": days})
}

// describeFilter describes the queue's filters in one line, or "" when there are none.
func describeFilter(r *discord.Request, f filter) string {
	var parts []string
	if f.Queue.Program != "" {
		parts = append(parts, r.T("approvals.filter_program", map[string]any{"Program": f.Queue.Program}))
	}
	if f.Queue.EnterpriseID != 0 {
		parts = append(parts, r.T("approvals.filter_enterprise", map[string]any{"Enterprise": ui.OneLine(f.EnterpriseName)}))
	}
	return strings.Join(parts, " · ")
}

// keyOnMessage finds the page key in the buttons of the queue message a component sits on.
func keyOnMessage(m *discordgo.Message) string {
	if m == nil {
		return ""
	}
	for _, c := range m.Components {
		var inner []discordgo.MessageComponent
		switch row := c.(type) {
		case *discordgo.ActionsRow:
			inner = row.Components
		case discordgo.ActionsRow:
			inner = row.Components
		}
		for _, x := range inner {
			var id string
			switch b := x.(type) {
			case *discordgo.Button:
				id = b.CustomID
			case discordgo.Button:
				id = b.CustomID
			}
			if rest, ok := strings.CutPrefix(id, pagePrefix); ok {
				if key, _, _ := strings.Cut(rest, "/"); ui.IsSessionKey(key) {
					return key
				}
			}
		}
	}
	return ""
}

// --- approving and rejecting -------------------------------------------------------------

func (h handlers) approve(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	id, err := ui.VarID(r.Vars, "id")
	if err != nil {
		return nil, err
	}
	p, err := h.svc.Approve(ctx, r.Actor, id)
	if err != nil {
		return nil, h.approveRefusal(ctx, r, id, err)
	}
	mentor := r.T("placements.no_mentor", nil)
	if p.MentorID != "" {
		mentor = "<@" + p.MentorID + ">"
	}
	note := r.T("approvals.approved", map[string]any{"ID": id, "Placement": p.ID, "Student": ui.Markup("<@" + p.StudentID + ">"),
		"Title": ui.OneLine(p.PositionTitle), "Enterprise": ui.OneLine(p.EnterpriseName), "Mentor": ui.Markup(mentor)})
	// The approval is made: without the settings the note only lacks who may supervise.
	if gs, err := h.svc.GuildSettings(ctx, r.Actor); err == nil {
		note += " " + ui.SupervisorHint(r, gs)
	}
	return h.refresh(ctx, r, note, &p), nil
}

// approveRefusal explains a refused approval: a second press (or a second coordinator) learns
// that it is done and which placement exists, a missing checklist item is named in words.
func (h handlers) approveRefusal(ctx context.Context, r *discord.Request, id int64, err error) error {
	if placement.ErrorCode(err) != placement.ECONFLICT {
		return checkError(r, err)
	}
	app, gerr := h.svc.Application(ctx, r.Actor, id)
	if gerr != nil || app.Status != placement.Approved {
		return checkError(r, err)
	}
	ps, perr := h.svc.Placements(ctx, r.Actor, placement.PlacementFilter{StudentID: app.StudentID})
	if perr == nil {
		for _, p := range ps {
			if p.ApplicationID == id {
				return placement.Errorf(placement.ECONFLICT, "approvals.already_approved", map[string]any{"Placement": p.ID,
					"Student": ui.Markup("<@" + p.StudentID + ">"), "Enterprise": ui.OneLine(p.EnterpriseName), "Cmd": ui.Markup(r.Slash("/placements/list"))})
			}
		}
	}
	return already(r, placement.Approved)
}

// already is the refusal of a change the application has had already.
func already(r *discord.Request, st placement.Status) error {
	return placement.Errorf(placement.ECONFLICT, "apps.already", map[string]any{"Status": ui.Markup(r.T("status."+string(st), nil))})
}

// rejectForm asks for the reason the student and the mentor will read, once it is clear the
// offer can still be rejected.
func (h handlers) rejectForm(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	id, err := ui.VarID(r.Vars, "id")
	if err != nil {
		return nil, err
	}
	app, err := h.svc.Application(ctx, r.Actor, id)
	if err != nil {
		return nil, err
	}
	if app.Status == placement.Rejected {
		return nil, already(r, placement.Rejected)
	}
	if !placement.CanTransition(app.Status, placement.Rejected, placement.PartyCoordinator) {
		return nil, placement.Errorf(placement.ECONFLICT, "err.cannot_move", map[string]any{"From": string(app.Status), "To": string(placement.Rejected)})
	}
	return &discord.Reply{Modal: &discord.Modal{
		CustomID: "/approval/" + ui.FormatID(id) + "/reject/submit",
		// A modal title is plain text: the title goes in as typed.
		Title:  r.T("approvals.reject_title", map[string]any{"Title": ui.Markup(ui.OneLine(app.PositionTitle))}),
		Inputs: []discordgo.TextInput{ui.ReasonInput(r.T("approvals.reject_label", nil), r.T("approvals.reject_placeholder", nil))},
	}}, nil
}

func (h handlers) rejectSubmit(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	id, err := ui.VarID(r.Vars, "id")
	if err != nil {
		return nil, err
	}
	app, err := h.svc.Reject(ctx, r.Actor, id, r.ModalValue("reason"))
	if err != nil {
		if placement.ErrorCode(err) == placement.ECONFLICT {
			if cur, gerr := h.svc.Application(ctx, r.Actor, id); gerr == nil && cur.Status == placement.Rejected {
				return nil, already(r, placement.Rejected)
			}
		}
		return nil, err
	}
	note := r.T("approvals.rejected", map[string]any{"ID": id, "Student": ui.Markup("<@" + app.StudentID + ">"), "Title": ui.OneLine(app.PositionTitle)})
	return h.refresh(ctx, r, note, nil), nil
}

// --- the checklist -----------------------------------------------------------------------

func (h handlers) checks(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	id, err := ui.VarID(r.Vars, "id")
	if err != nil {
		return nil, err
	}
	return h.checklist(ctx, r, id)
}

func (h handlers) checklistCommand(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	v, _ := r.String("application")
	id, ok := ui.ParseID(v)
	if !ok {
		return nil, placement.Errorf(placement.ENOTFOUND, "err.application_not_found", nil)
	}
	return h.checklist(ctx, r, id)
}

// checklist shows one application's checklist with a toggle per item.
func (h handlers) checklist(ctx context.Context, r *discord.Request, id int64) (*discord.Reply, error) {
	app, c, ticked, err := h.svc.Checklist(ctx, r.Actor, id)
	if err != nil {
		return nil, err
	}
	return checklistReply(r, app, c, ticked, ""), nil
}

// tick ticks or clears one item and shows the checklist again. The item comes from the
// custom_id, so it is only a claim: the service checks it is on the guild's checklist.
func (h handlers) tick(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	id, err := ui.VarID(r.Vars, "id")
	if err != nil {
		return nil, err
	}
	item, err := url.PathUnescape(r.Vars["item"])
	if err != nil || item == "" || utf8.RuneCountInString(item) > 100 {
		return nil, ui.StaleComponent()
	}
	var done bool
	switch r.Vars["state"] {
	case "on":
		done = true
	case "off":
	default:
		return nil, ui.StaleComponent()
	}
	ticked, err := h.svc.TickCheck(ctx, r.Actor, id, item, done)
	if err != nil {
		return nil, checkError(r, err)
	}
	key := "approvals.cleared"
	if done {
		key = "approvals.ticked"
	}
	app, c, _, err := h.svc.Checklist(ctx, r.Actor, id)
	if it, ok := c.Item(item); ok {
		item = it // named as the guild wrote it, not as the custom_id carries it
	}
	note := r.T(key, map[string]any{"Item": ui.CheckName(r, item)})
	if err != nil {
		// The tick is saved: say so rather than report an error.
		return &discord.Reply{Content: note + "\n" + r.T("approvals.refresh_failed", map[string]any{"Cmd": ui.Markup(r.Slash("/approvals/checklist"))})}, nil
	}
	return checklistReply(r, app, c, ticked, note), nil
}

// checklistReply is an application's checklist: each item ticked or not, a toggle button per
// item while the application is open, and Approve for a coordinator once the offer is accepted.
func checklistReply(r *discord.Request, app placement.ApplicationWithEvents, c placement.Compliance, ticked []string, note string) *discord.Reply {
	var b strings.Builder
	b.WriteString("<@" + app.StudentID + "> · " + string(ui.Status(r, app.Status)) + "\n\n")
	for _, it := range c.Checklist {
		mark := "⬜"
		if placement.Ticked(ticked, it) {
			mark = "✅"
		}
		b.WriteString(mark + " " + ui.Escape(ui.CheckName(r, it)) + "\n")
	}
	missing := c.Missing(ticked)
	switch {
	case app.Status.Final():
		b.WriteString("\n" + r.T("approvals.checks_final", map[string]any{"Status": ui.Markup(r.T("status."+string(app.Status), nil))}))
	case len(c.Checklist) == 0:
		b.WriteString("\n" + r.T("approvals.checks_none", nil))
	case len(missing) == 0 && app.Status == placement.Accepted:
		b.WriteString("\n" + r.T("approvals.checks_ready", nil))
	case len(missing) == 0:
		b.WriteString("\n" + r.T("approvals.checks_done_early", nil))
	default:
		b.WriteString("\n" + r.T("approvals.checks_hint", nil))
	}
	embed := &discordgo.MessageEmbed{
		Title:       r.T("approvals.checks_title", map[string]any{"Heading": ui.Heading(app.Application)}),
		Description: b.String(),
		Color:       ui.StatusColor(app.Status),
		Footer:      &discordgo.MessageEmbedFooter{Text: r.T("apps.footer", map[string]any{"ID": app.ID})},
	}
	var rows []discordgo.MessageComponent
	if !app.Status.Final() {
		var row []discordgo.MessageComponent
		for _, it := range c.Checklist {
			label, style, state := "⬜ ", discordgo.SecondaryButton, "on"
			if placement.Ticked(ticked, it) {
				label, style, state = "✅ ", discordgo.SuccessButton, "off"
			}
			// The key, unique in a checklist, keeps two buttons from sharing a custom_id.
			cid := "/approval/" + ui.FormatID(app.ID) + "/check/" + itemSegment(placement.CheckKey(it)) + "/" + state
			if utf8.RuneCountInString(cid) > ui.MaxCustomID {
				// Only an item made mostly of slashes escapes this long: it stays listed
				// above, and renaming it with /setup compliance gives it a button.
				continue
			}
			row = append(row, discordgo.Button{Label: label + ui.CheckName(r, it), Style: style, CustomID: cid})
			if len(row) == ui.MaxButtonsPerRow {
				rows = append(rows, ui.Row(row...))
				row = nil
			}
		}
		if len(row) > 0 {
			rows = append(rows, ui.Row(row...))
		}
	}
	if app.Status == placement.Accepted && r.Actor.Is(placement.RoleCoordinator) && len(rows) < ui.MaxRows {
		style := discordgo.SuccessButton
		if len(missing) > 0 {
			style = discordgo.SecondaryButton
		}
		rows = append(rows, ui.Row(discordgo.Button{Label: r.T("approvals.btn_approve", nil), Style: style, CustomID: "/approval/" + ui.FormatID(app.ID) + "/approve"}))
	}
	return &discord.Reply{Content: note, Embeds: []*discordgo.MessageEmbed{embed}, Components: rows}
}

// itemSegment puts a checklist item into one custom_id segment: only the characters that would
// split or garble the segment are escaped, so Chinese item names keep their length.
var itemSegment = strings.NewReplacer("%", "%25", "/", "%2F").Replace

// checkNames names several checklist items, comma-separated (member text: the catalog escapes it).
func checkNames(r *discord.Request, items []string) string {
	names := make([]string, len(items))
	for i, it := range items {
		names[i] = ui.CheckName(r, it)
	}
	return strings.Join(names, ", ")
}

// checkError names in words the checklist items a refusal speaks of.
func checkError(r *discord.Request, err error) error {
	var pe *placement.Error
	if !errors.As(err, &pe) || pe.Key != "err.checklist_missing" && pe.Key != "err.check_unknown" {
		return err
	}
	items, ok := pe.Data["Items"].(string)
	if !ok {
		return err
	}
	data := maps.Clone(pe.Data)
	data["Items"] = checkNames(r, strings.Split(items, ", "))
	return &placement.Error{Code: pe.Code, Key: pe.Key, Data: data, Err: pe.Err}
}

// --- suggestions -------------------------------------------------------------------------

func (h handlers) enterpriseAutocomplete(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	choices, err := ui.EnterpriseChoices(ctx, h.svc, r.Actor, r.FocusedText())
	if err != nil {
		return nil, err
	}
	return &discord.Reply{Choices: choices}, nil
}

func (h handlers) checklistAutocomplete(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	choices, err := ui.ApplicationChoices(ctx, h.svc, r, r.Actor, r.FocusedText(), false)
	if err != nil {
		return nil, err
	}
	return &discord.Reply{Choices: choices}, nil
}
