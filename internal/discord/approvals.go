package discord

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"placementbot/internal/placement"
	"placementbot/internal/redis"
)

var approvalCommands = []command{
	{Name: "approvals", Roles: placement.RoleCoordinator, Subs: []command{
		{Name: "queue", Roles: placement.RoleCoordinator, Options: []option{
			{Name: "program", Type: discordgo.ApplicationCommandOptionString, MaxLength: 80},
			{Name: "enterprise", Type: discordgo.ApplicationCommandOptionString, Autocomplete: true, MaxLength: 100},
		}},
		// Listed for coordinators only: mentors may use it where the school allows, and a
		// coordinator who turns that on tells them.
		{Name: "checklist", Roles: placement.RoleCoordinator, Options: []option{
			{Name: "application", Type: discordgo.ApplicationCommandOptionString, Required: true, Autocomplete: true, MaxLength: 100},
		}},
	}},
}

// aprTickers may open an application's checklist: coordinators, and the position's mentors
// where the guild allows it; the service decides for each application.
const aprTickers = placement.RoleCoordinator | placement.RoleMentor

const (
	// aprPageSize is the service's page of the queue: three rows of numbered buttons (approve,
	// reject, checklist) hold five each.
	aprPageSize = 5
	// aprTTL is how long a page of the queue can still be turned or refreshed.
	aprTTL = 15 * time.Minute
	// aprKind namespaces the queue's pages in the session store.
	aprKind = "approvals"
	// aprNoSession stands in for the page key of a queue shown while Redis is down: its
	// buttons work, its paging does not.
	aprNoSession = "-"
	// aprPagePrefix starts the custom_ids of the queue's page buttons.
	aprPagePrefix = "/approvals/page/"
)

// approvalHandlers serve /approvals and the buttons of the queue and the checklist.
type approvalHandlers struct {
	svc      *placement.Service
	sessions *redis.Sessions
}

// registerApprovals adds the routes of the approval queue and the compliance checklist.
func registerApprovals(rs *Routes, d Deps) {
	h := approvalHandlers{svc: d.Service, sessions: d.Sessions}
	coord := placement.RoleCoordinator
	rs.Command("/approvals/queue", coord, h.queue)
	rs.Autocomplete("/approvals/queue", coord, h.enterpriseAutocomplete)
	rs.UpdateComponent(aprPagePrefix+"{key}/{dir}", coord, h.turn)
	// Approving and rejecting edit the queue they sit on, so it always shows what still waits.
	rs.UpdateComponent("/approval/{id}/approve", coord, h.approve)
	rs.Component("/approval/{id}/reject", coord, h.rejectForm)
	rs.UpdateModal("/approval/{id}/reject/submit", coord, h.rejectSubmit)
	// The checklist opens beside the queue; its toggles edit the checklist in place.
	rs.Component("/approval/{id}/checks", aprTickers, h.checks)
	rs.UpdateComponent("/approval/{id}/check/{item}/{state}", aprTickers, h.tick)
	rs.Command("/approvals/checklist", aprTickers, h.checklistCommand)
	rs.Autocomplete("/approvals/checklist", aprTickers, h.checklistAutocomplete)
}

// aprState is one shown page of the queue, kept in Redis behind the key in its buttons. Each
// page shown gets its own key and never changes, so a button pressed twice does the same twice.
type aprState struct {
	Guild          string                `json:"guild"`
	Owner          string                `json:"owner"`
	Filter         placement.QueueFilter `json:"filter"`
	EnterpriseName string                `json:"enterprise_name,omitempty"`
	// Cursors holds the keyset cursor each page was fetched with, from the first page (the zero
	// cursor) to the one shown, so Previous can go back.
	Cursors []placement.QueueCursor `json:"cursors"`
	// Next is the cursor of the page after the one shown, nil when there is none.
	Next *placement.QueueCursor `json:"next,omitempty"`
}

// --- the queue ---------------------------------------------------------------------------

func (h approvalHandlers) queue(ctx context.Context, r *Request) (*Reply, error) {
	st := aprState{Guild: r.Actor.GuildID, Owner: r.Actor.UserID, Cursors: []placement.QueueCursor{{}}}
	if v, ok := r.String("program"); ok {
		st.Filter.Program = appOneLine(v)
	}
	if v, ok := r.String("enterprise"); ok && strings.TrimSpace(v) != "" {
		e, err := aprEnterprise(ctx, h.svc, r, v)
		if err != nil {
			return nil, err
		}
		st.Filter.EnterpriseID, st.EnterpriseName = e.ID, e.Name
	}
	return h.show(ctx, r, st, "", nil)
}

// turn shows the previous or next page, or the same page again with what changed since.
func (h approvalHandlers) turn(ctx context.Context, r *Request) (*Reply, error) {
	st, err := h.load(ctx, r, r.Vars["key"])
	if err != nil {
		return nil, err
	}
	switch r.Vars["dir"] {
	case "next":
		if st.Next != nil {
			st.Cursors = append(st.Cursors, *st.Next)
		}
	case "prev":
		if len(st.Cursors) > 1 {
			st.Cursors = st.Cursors[:len(st.Cursors)-1]
		}
	case "here":
	default:
		return nil, placement.Errorf(placement.EINVALID, "err.stale_component", nil)
	}
	return h.show(ctx, r, st, "", nil)
}

// show fetches the page st points at and renders it under a new page key. A page emptied
// meanwhile (its offers approved elsewhere) falls back to the first page.
func (h approvalHandlers) show(ctx context.Context, r *Request, st aprState, note string, placed *placement.Placement) (*Reply, error) {
	page, err := h.svc.ApprovalQueue(ctx, r.Actor, st.Filter, st.Cursors[len(st.Cursors)-1])
	if err != nil {
		return nil, err
	}
	if len(page.Items) == 0 && len(st.Cursors) > 1 {
		st.Cursors = st.Cursors[:1]
		if page, err = h.svc.ApprovalQueue(ctx, r.Actor, st.Filter, st.Cursors[0]); err != nil {
			return nil, err
		}
	}
	st.Next = nil
	if page.HasMore {
		next := page.After
		st.Next = &next
	}
	key, err := h.save(ctx, st)
	switch {
	case errors.Is(err, redis.ErrUnavailable):
		// The queue is still worth showing: its buttons need no session, only its paging does.
		key = aprNoSession
		if page.HasMore || len(st.Cursors) > 1 {
			note = strings.TrimSpace(note + "\n" + r.T("approvals.no_paging", nil))
		}
	case err != nil:
		return nil, err
	}
	return aprQueueReply(r, st, key, page, note, placed, h.svc.Now()), nil
}

func (h approvalHandlers) save(ctx context.Context, st aprState) (string, error) {
	if h.sessions == nil {
		return "", fmt.Errorf("approvals: %w", redis.ErrUnavailable)
	}
	key := h.sessions.NewKey()
	if err := h.sessions.Put(ctx, aprKind, key, st, aprTTL); err != nil {
		return "", err
	}
	return key, nil
}

// load reads the page behind a key from a custom_id; the key is client-sent, so the page must
// exist and belong to this member in this guild.
func (h approvalHandlers) load(ctx context.Context, r *Request, key string) (aprState, error) {
	var st aprState
	if !aprKeyOK(key) {
		return st, placement.Errorf(placement.EINVALID, "err.stale_component", nil)
	}
	if h.sessions == nil {
		return st, fmt.Errorf("approvals: %w", redis.ErrUnavailable)
	}
	err := h.sessions.Get(ctx, aprKind, key, &st)
	if errors.Is(err, redis.ErrNotFound) {
		return st, placement.Errorf(placement.ENOTFOUND, "approvals.expired", map[string]any{"Cmd": slash(r, "/approvals/queue")})
	}
	if err != nil {
		return st, err
	}
	if st.Owner != r.Actor.UserID || st.Guild != r.Actor.GuildID || len(st.Cursors) == 0 {
		return st, placement.Errorf(placement.EINVALID, "err.stale_component", nil)
	}
	return st, nil
}

// refresh re-renders the queue a decision was taken on, with the decision on top. The page
// shown is found through the page key in the message's own buttons, so filters and page
// survive; without one (a checklist message, an expired page) it is the whole queue's first page.
func (h approvalHandlers) refresh(ctx context.Context, r *Request, note string, placed *placement.Placement) *Reply {
	st := aprState{Guild: r.Actor.GuildID, Owner: r.Actor.UserID, Cursors: []placement.QueueCursor{{}}}
	if key := aprKeyOnMessage(r.Interaction.Message); key != "" {
		if old, err := h.load(ctx, r, key); err == nil {
			st = old
		}
	}
	reply, err := h.show(ctx, r, st, note, placed)
	if err != nil {
		// The decision is made: a failure to reload shows it alone rather than an error.
		reply = &Reply{Content: Truncate(note+"\n"+r.T("approvals.refresh_failed", map[string]any{"Cmd": slash(r, "/approvals/queue")}), 2000)}
		if placed != nil {
			reply.Components = []discordgo.MessageComponent{plcSupervisorMenu(r, *placed)}
		}
	}
	return reply
}

// aprQueueReply renders one page of the queue: each offer with who, what, since when and what
// its checklist lacks, and rows of numbered Approve, Reject and Checklist buttons.
func aprQueueReply(r *Request, st aprState, key string, page placement.QueuePage, note string, placed *placement.Placement, now time.Time) *Reply {
	filters := aprFilters(r, st)
	var rows []discordgo.MessageComponent
	if len(page.Items) == 0 {
		empty := r.T("approvals.empty", nil)
		if filters != "" {
			empty = r.T("approvals.empty_filtered", map[string]any{"Filters": filters, "Cmd": slash(r, "/approvals/queue")})
		}
		if placed != nil {
			rows = append(rows, plcSupervisorMenu(r, *placed))
		}
		return &Reply{Content: Truncate(strings.TrimSpace(note+"\n\n"+empty), 2000), Components: rows}
	}
	desc := r.T("approvals.hint", nil)
	if filters != "" {
		desc = filters + "\n" + desc
	}
	pageIdx := len(st.Cursors) - 1
	pages := max((page.Total+aprPageSize-1)/aprPageSize, pageIdx+1)
	embed := &discordgo.MessageEmbed{
		Title:       Truncate(r.T("approvals.queue_title", map[string]any{"Count": page.Total}), 256),
		Description: Truncate(desc, 4096),
		Color:       0xF1C40F,
	}
	if pages > 1 {
		embed.Footer = &discordgo.MessageEmbedFooter{Text: r.T("apps.page", map[string]any{"Page": pageIdx + 1, "Pages": pages})}
	}
	var approve, reject, checks []discordgo.MessageComponent
	for i, it := range page.Items {
		n := pageIdx*aprPageSize + i + 1
		embed.Fields = append(embed.Fields, &discordgo.MessageEmbedField{
			Name:  Truncate(strconv.Itoa(n)+" · "+appHeading(it.Application), 256),
			Value: Truncate(aprItemLines(r, it, now), 1024),
		})
		style := discordgo.SuccessButton
		if len(it.Missing) > 0 {
			// Still pressable: the answer names what is missing.
			style = discordgo.SecondaryButton
		}
		id := appIDStr(it.ID)
		approve = append(approve, discordgo.Button{Label: aprLabel(r, "approvals.btn_approve", n), Style: style, CustomID: "/approval/" + id + "/approve"})
		reject = append(reject, discordgo.Button{Label: aprLabel(r, "approvals.btn_reject", n), Style: discordgo.DangerButton, CustomID: "/approval/" + id + "/reject"})
		checks = append(checks, discordgo.Button{Label: aprLabel(r, "approvals.btn_checks", n), Style: discordgo.SecondaryButton, CustomID: "/approval/" + id + "/checks"})
	}
	rows = append(rows, discordgo.ActionsRow{Components: approve}, discordgo.ActionsRow{Components: reject}, discordgo.ActionsRow{Components: checks})
	if key != aprNoSession {
		var pager []discordgo.MessageComponent
		if pages > 1 {
			pager = append(pager, discordgo.Button{Label: r.T("apps.prev", nil), Style: discordgo.SecondaryButton, CustomID: aprPagePrefix + key + "/prev", Disabled: pageIdx == 0})
		}
		pager = append(pager, discordgo.Button{Label: Truncate(r.T("approvals.btn_refresh", nil), 80), Style: discordgo.SecondaryButton, CustomID: aprPagePrefix + key + "/here"})
		if pages > 1 {
			pager = append(pager, discordgo.Button{Label: r.T("apps.next", nil), Style: discordgo.SecondaryButton, CustomID: aprPagePrefix + key + "/next", Disabled: st.Next == nil})
		}
		rows = append(rows, discordgo.ActionsRow{Components: pager})
	}
	if placed != nil {
		rows = append(rows, plcSupervisorMenu(r, *placed))
	}
	return &Reply{Content: Truncate(note, 2000), Embeds: []*discordgo.MessageEmbed{embed}, Components: rows}
}

// aprItemLines: the student and their program, how long the offer has waited, and the checklist.
func aprItemLines(r *Request, it placement.QueueItem, now time.Time) string {
	program := r.T("approvals.no_program", nil)
	if it.Program != "" {
		program = appText(it.Program)
	}
	lines := []string{
		"<@" + it.StudentID + "> · " + program,
		r.T("approvals.waiting", map[string]any{"Date": it.UpdatedAt.UTC().Format(placement.DateLayout), "Ago": aprAgo(r, it.UpdatedAt, now)}),
	}
	if len(it.Missing) == 0 {
		lines = append(lines, r.T("approvals.checks_complete", nil))
	} else {
		lines = append(lines, r.T("approvals.checks_missing", map[string]any{"Items": aprCheckList(r, it.Missing, true)}))
	}
	return strings.Join(lines, "\n")
}

// aprAgo says how many days ago a moment was, in words.
func aprAgo(r *Request, at, now time.Time) string {
	days := int(now.Sub(at).Hours() / 24)
	switch {
	case days <= 0:
		return r.T("approvals.ago_today", nil)
	case days == 1:
		return r.T("approvals.ago_one", nil)
	}
	return r.T("approvals.ago_days", map[string]any{"Days": days})
}

// aprFilters describes the queue's filters in one line, or "" when there are none.
func aprFilters(r *Request, st aprState) string {
	var parts []string
	if st.Filter.Program != "" {
		parts = append(parts, r.T("approvals.filter_program", map[string]any{"Program": appText(st.Filter.Program)}))
	}
	if st.Filter.EnterpriseID != 0 {
		parts = append(parts, r.T("approvals.filter_enterprise", map[string]any{"Enterprise": appText(st.EnterpriseName)}))
	}
	return strings.Join(parts, " · ")
}

func aprLabel(r *Request, key string, n int) string {
	return Truncate(r.T(key, map[string]any{"N": n}), 80)
}

// aprKeyOK reports whether a custom_id segment has the shape of a session key.
func aprKeyOK(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// aprKeyOnMessage finds the page key in the buttons of the queue message a component sits on.
func aprKeyOnMessage(m *discordgo.Message) string {
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
			if rest, ok := strings.CutPrefix(id, aprPagePrefix); ok {
				if key, _, _ := strings.Cut(rest, "/"); aprKeyOK(key) {
					return key
				}
			}
		}
	}
	return ""
}

// --- approving and rejecting -------------------------------------------------------------

func (h approvalHandlers) approve(ctx context.Context, r *Request) (*Reply, error) {
	id, err := appVarID(r, "id")
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
	note := r.T("approvals.approved", map[string]any{"ID": id, "Placement": p.ID, "Student": "<@" + p.StudentID + ">",
		"Title": appText(p.PositionTitle), "Enterprise": appText(p.EnterpriseName), "Mentor": mentor})
	return h.refresh(ctx, r, note, &p), nil
}

// approveRefusal explains a refused approval: a second press (or a second coordinator) learns
// that it is done and which placement exists, a missing checklist item is named in words.
func (h approvalHandlers) approveRefusal(ctx context.Context, r *Request, id int64, err error) error {
	if placement.ErrorCode(err) != placement.ECONFLICT {
		return aprCheckError(r, err)
	}
	app, gerr := h.svc.Application(ctx, r.Actor, id)
	if gerr != nil || app.Status != placement.Approved {
		return aprCheckError(r, err)
	}
	ps, perr := h.svc.Placements(ctx, r.Actor, placement.PlacementFilter{StudentID: app.StudentID})
	if perr == nil {
		for _, p := range ps {
			if p.ApplicationID == id {
				return placement.Errorf(placement.ECONFLICT, "approvals.already_approved", map[string]any{"Placement": p.ID,
					"Student": "<@" + p.StudentID + ">", "Enterprise": appText(p.EnterpriseName), "Cmd": slash(r, "/placements/list")})
			}
		}
	}
	return placement.Errorf(placement.ECONFLICT, "apps.already", map[string]any{"Status": string(placement.Approved)})
}

// rejectForm asks for the reason the student and the mentor will read, once it is clear the
// offer can still be rejected.
func (h approvalHandlers) rejectForm(ctx context.Context, r *Request) (*Reply, error) {
	id, err := appVarID(r, "id")
	if err != nil {
		return nil, err
	}
	app, err := h.svc.Application(ctx, r.Actor, id)
	if err != nil {
		return nil, err
	}
	if app.Status == placement.Rejected {
		return nil, placement.Errorf(placement.ECONFLICT, "apps.already", map[string]any{"Status": string(placement.Rejected)})
	}
	if !placement.CanTransition(app.Status, placement.Rejected, placement.PartyCoordinator) {
		return nil, placement.Errorf(placement.ECONFLICT, "err.cannot_move", map[string]any{"From": string(app.Status), "To": string(placement.Rejected)})
	}
	return rejectReasonForm("/approval/"+appIDStr(id)+"/reject/submit",
		r.T("approvals.reject_title", map[string]any{"Title": appOneLine(app.PositionTitle)}),
		r.T("approvals.reject_label", nil), r.T("approvals.reject_placeholder", nil)), nil
}

func (h approvalHandlers) rejectSubmit(ctx context.Context, r *Request) (*Reply, error) {
	id, err := appVarID(r, "id")
	if err != nil {
		return nil, err
	}
	app, err := h.svc.Reject(ctx, r.Actor, id, r.ModalValue("reason"))
	if err != nil {
		if placement.ErrorCode(err) == placement.ECONFLICT {
			if cur, gerr := h.svc.Application(ctx, r.Actor, id); gerr == nil && cur.Status == placement.Rejected {
				return nil, placement.Errorf(placement.ECONFLICT, "apps.already", map[string]any{"Status": string(placement.Rejected)})
			}
		}
		return nil, err
	}
	note := r.T("approvals.rejected", map[string]any{"ID": id, "Student": "<@" + app.StudentID + ">", "Title": appText(app.PositionTitle)})
	return h.refresh(ctx, r, note, nil), nil
}

// --- the checklist -----------------------------------------------------------------------

func (h approvalHandlers) checks(ctx context.Context, r *Request) (*Reply, error) {
	id, err := appVarID(r, "id")
	if err != nil {
		return nil, err
	}
	return h.checklist(ctx, r, id, "")
}

func (h approvalHandlers) checklistCommand(ctx context.Context, r *Request) (*Reply, error) {
	v, _ := r.String("application")
	id, ok := aprParseID(v)
	if !ok {
		return nil, placement.Errorf(placement.ENOTFOUND, "err.application_not_found", nil)
	}
	return h.checklist(ctx, r, id, "")
}

// checklist shows one application's checklist with a toggle per item.
func (h approvalHandlers) checklist(ctx context.Context, r *Request, id int64, note string) (*Reply, error) {
	app, c, ticked, err := h.svc.Checklist(ctx, r.Actor, id)
	if err != nil {
		return nil, err
	}
	return aprChecklistReply(r, app, c, ticked, note), nil
}

// tick ticks or clears one item and shows the checklist again. The item comes from the
// custom_id, so it is only a claim: the service checks it is on the guild's checklist.
func (h approvalHandlers) tick(ctx context.Context, r *Request) (*Reply, error) {
	id, err := appVarID(r, "id")
	if err != nil {
		return nil, err
	}
	item, err := url.PathUnescape(r.Vars["item"])
	if err != nil || item == "" || utf8.RuneCountInString(item) > 100 {
		return nil, placement.Errorf(placement.EINVALID, "err.stale_component", nil)
	}
	var done bool
	switch r.Vars["state"] {
	case "on":
		done = true
	case "off":
	default:
		return nil, placement.Errorf(placement.EINVALID, "err.stale_component", nil)
	}
	ticked, err := h.svc.TickCheck(ctx, r.Actor, id, item, done)
	if err != nil {
		return nil, aprCheckError(r, err)
	}
	key := "approvals.cleared"
	if done {
		key = "approvals.ticked"
	}
	note := r.T(key, map[string]any{"Item": aprCheckName(r, item, true)})
	app, c, _, err := h.svc.Checklist(ctx, r.Actor, id)
	if err != nil {
		// The tick is saved: say so rather than report an error.
		return &Reply{Content: note + "\n" + r.T("approvals.refresh_failed", map[string]any{"Cmd": slash(r, "/approvals/checklist")})}, nil
	}
	return aprChecklistReply(r, app, c, ticked, note), nil
}

// aprChecklistReply is an application's checklist: each item ticked or not, a toggle button per
// item while the application is open, and Approve for a coordinator once the offer is accepted.
func aprChecklistReply(r *Request, app placement.ApplicationWithEvents, c placement.Compliance, ticked []string, note string) *Reply {
	var b strings.Builder
	b.WriteString("<@" + app.StudentID + "> · " + appStatus(r, app.Status) + "\n\n")
	for _, it := range c.Checklist {
		mark := "⬜"
		if slices.Contains(ticked, it) {
			mark = "✅"
		}
		b.WriteString(mark + " " + aprCheckName(r, it, true) + "\n")
	}
	missing := c.Missing(ticked)
	switch {
	case app.Status.Final():
		b.WriteString("\n" + r.T("approvals.checks_final", map[string]any{"Status": r.T("status."+string(app.Status), nil)}))
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
		Title:       Truncate(r.T("approvals.checks_title", map[string]any{"Heading": appHeading(app.Application)}), 256),
		Description: Truncate(b.String(), 4096),
		Color:       appColor(app.Status),
		Footer:      &discordgo.MessageEmbedFooter{Text: r.T("apps.footer", map[string]any{"ID": app.ID})},
	}
	var rows []discordgo.MessageComponent
	if !app.Status.Final() {
		var row []discordgo.MessageComponent
		for _, it := range c.Checklist {
			done := slices.Contains(ticked, it)
			label, style, state := "⬜ ", discordgo.SecondaryButton, "on"
			if done {
				label, style, state = "✅ ", discordgo.SuccessButton, "off"
			}
			cid := "/approval/" + appIDStr(app.ID) + "/check/" + aprItemSegment(it) + "/" + state
			if utf8.RuneCountInString(cid) > 100 {
				// Only an item made mostly of slashes escapes this long: it stays listed
				// above, and renaming it with /setup compliance gives it a button.
				continue
			}
			row = append(row, discordgo.Button{Label: Truncate(label+aprCheckName(r, it, false), 80), Style: style, CustomID: cid})
			if len(row) == 5 {
				rows = append(rows, discordgo.ActionsRow{Components: row})
				row = nil
			}
		}
		if len(row) > 0 {
			rows = append(rows, discordgo.ActionsRow{Components: row})
		}
	}
	if app.Status == placement.Accepted && r.Actor.Is(placement.RoleCoordinator) && len(rows) < 5 {
		style := discordgo.SuccessButton
		if len(missing) > 0 {
			style = discordgo.SecondaryButton
		}
		rows = append(rows, discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.Button{Label: Truncate(r.T("approvals.btn_approve_one", nil), 80), Style: style, CustomID: "/approval/" + appIDStr(app.ID) + "/approve"},
		}})
	}
	return &Reply{Content: Truncate(note, 2000), Embeds: []*discordgo.MessageEmbed{embed}, Components: rows}
}

// aprItemSegment puts a checklist item into one custom_id segment: only the characters that
// would split or garble the segment are escaped, so Chinese item names keep their length.
var aprItemSegment = strings.NewReplacer("%", "%25", "/", "%2F").Replace

// aprCheckName is a checklist item as members read it: the catalog's name for the default
// items, the item itself with spaces for a school's own (escaped for a message when escape).
func aprCheckName(r *Request, item string, escape bool) string {
	key := "check." + item
	if s := r.T(key, nil); s != key {
		return s
	}
	name := strings.ReplaceAll(item, "_", " ")
	if escape {
		return appText(name)
	}
	return appOneLine(name)
}

// aprCheckList names several checklist items, comma-separated.
func aprCheckList(r *Request, items []string, escape bool) string {
	names := make([]string, len(items))
	for i, it := range items {
		names[i] = aprCheckName(r, it, escape)
	}
	return strings.Join(names, ", ")
}

// aprCheckError names the checklist items a refusal speaks of in words and escapes the text
// that came from members, before the router renders it.
func aprCheckError(r *Request, err error) error {
	var pe *placement.Error
	if !errors.As(err, &pe) {
		return err
	}
	data := maps.Clone(pe.Data)
	switch pe.Key {
	case "err.checklist_missing", "err.check_unknown":
		if s, ok := data["Items"].(string); ok {
			data["Items"] = aprCheckList(r, strings.Split(s, ", "), true)
		}
		if s, ok := data["Item"].(string); ok {
			data["Item"] = appText(s)
		}
	case "err.quota_full":
		if s, ok := data["Enterprise"].(string); ok {
			data["Enterprise"] = appText(s)
		}
	default:
		return err
	}
	return &placement.Error{Code: pe.Code, Key: pe.Key, Data: data, Err: pe.Err}
}

// aprComplianceEmbed shows the guild's approval gates: the checklist, the intern quota and
// whether mentors may tick items.
func aprComplianceEmbed(r *Request, c placement.Compliance) *discordgo.MessageEmbed {
	var items strings.Builder
	for i, it := range c.Checklist {
		items.WriteString(strconv.Itoa(i+1) + ". " + aprCheckName(r, it, true))
		if name := aprCheckName(r, it, false); name != strings.ReplaceAll(it, "_", " ") {
			items.WriteString(" · " + appText(it))
		}
		items.WriteString("\n")
	}
	list := items.String()
	if list == "" {
		list = r.T("approvals.checks_none", nil)
	}
	yesNo := "approvals.no"
	if c.MentorsTickChecks {
		yesNo = "approvals.yes"
	}
	return &discordgo.MessageEmbed{
		Title:       r.T("approvals.compliance_title", nil),
		Description: r.T("approvals.compliance_description", map[string]any{"Cmd": slash(r, "/setup/compliance")}),
		Color:       0xF1C40F,
		Fields: []*discordgo.MessageEmbedField{
			{Name: r.T("approvals.compliance_checklist", nil), Value: Truncate(list, 1024)},
			{Name: r.T("approvals.compliance_quota", nil), Value: r.T("approvals.compliance_quota_value", map[string]any{"Percent": c.InternQuotaPercent}), Inline: true},
			{Name: r.T("approvals.compliance_mentors", nil), Value: r.T(yesNo, nil), Inline: true},
		},
	}
}

// --- suggestions -------------------------------------------------------------------------

func (h approvalHandlers) enterpriseAutocomplete(ctx context.Context, r *Request) (*Reply, error) {
	return aprEnterpriseChoices(ctx, h.svc, r)
}

func (h approvalHandlers) checklistAutocomplete(ctx context.Context, r *Request) (*Reply, error) {
	choices, err := aprApplicationChoices(ctx, h.svc, r, appFocused(r), false)
	if err != nil {
		return nil, err
	}
	return &Reply{Choices: choices}, nil
}

// aprEnterpriseChoices suggests verified enterprises by name; the value is the enterprise id.
func aprEnterpriseChoices(ctx context.Context, svc *placement.Service, r *Request) (*Reply, error) {
	es, err := svc.SuggestEnterprises(ctx, r.Actor, appFocused(r), false)
	if err != nil {
		return nil, err
	}
	choices := make([]*discordgo.ApplicationCommandOptionChoice, 0, len(es))
	for _, e := range es {
		if len(choices) == 25 {
			break
		}
		name := e.Name
		if e.City != "" {
			name += " (" + e.City + ")"
		}
		choices = append(choices, appChoice(name, e.ID))
	}
	return &Reply{Choices: choices}, nil
}

// aprEnterprise resolves an enterprise option: normally the id of a suggestion, else a typed
// name that names exactly one enterprise of this guild.
func aprEnterprise(ctx context.Context, svc *placement.Service, r *Request, raw string) (placement.Enterprise, error) {
	notFound := placement.Errorf(placement.ENOTFOUND, "err.enterprise_not_found", nil)
	if id, ok := aprParseID(raw); ok {
		e, err := svc.Enterprise(ctx, r.Actor, id)
		if placement.ErrorCode(err) == placement.ENOTFOUND {
			return e, notFound
		}
		return e, err
	}
	es, err := svc.SuggestEnterprises(ctx, r.Actor, strings.TrimSpace(raw), false)
	if err != nil {
		return placement.Enterprise{}, err
	}
	for _, e := range es {
		if strings.EqualFold(e.Name, strings.TrimSpace(raw)) {
			return e, nil
		}
	}
	if len(es) == 1 {
		return es[0], nil
	}
	return placement.Enterprise{}, notFound
}

// aprApplicationChoices suggests applications by number, position title or enterprise:
// accepted offers first for a coordinator, then the applicants of matching open positions; a
// mentor gets the applicants of their enterprises' positions. Finished applications are left
// out unless withFinal.
func aprApplicationChoices(ctx context.Context, svc *placement.Service, r *Request, typed string, withFinal bool) ([]*discordgo.ApplicationCommandOptionChoice, error) {
	typed = strings.ToLower(appOneLine(typed))
	choices := make([]*discordgo.ApplicationCommandOptionChoice, 0, 25)
	seen := map[int64]bool{}
	add := func(app placement.Application) {
		if len(choices) == 25 || seen[app.ID] || (app.Status.Final() && !withFinal) {
			return
		}
		name := "#" + appIDStr(app.ID) + " · " + app.PositionTitle + " — " + app.EnterpriseName
		if typed != "" && !strings.Contains(strings.ToLower(name), strings.TrimPrefix(typed, "#")) {
			return
		}
		seen[app.ID] = true
		choices = append(choices, appChoice(name+" ("+r.T("status."+string(app.Status), nil)+")", app.ID))
	}
	if id, ok := aprParseID(typed); ok {
		if app, err := svc.Application(ctx, r.Actor, id); err == nil {
			add(app.Application)
		}
	}
	var positions []placement.Position
	if r.Actor.Is(placement.RoleCoordinator) {
		var cursor placement.QueueCursor
		for range 5 {
			page, err := svc.ApprovalQueue(ctx, r.Actor, placement.QueueFilter{}, cursor)
			if err != nil {
				return nil, err
			}
			for _, it := range page.Items {
				add(it.Application)
			}
			if !page.HasMore || len(choices) == 25 {
				break
			}
			cursor = page.After
		}
		if typed != "" && len(choices) < 25 {
			ps, err := svc.SuggestPositions(ctx, r.Actor, typed)
			if err != nil {
				return nil, err
			}
			positions = ps
		}
	} else if r.Actor.Is(placement.RoleMentor) {
		ps, err := svc.MyPositions(ctx, r.Actor)
		if err != nil {
			return nil, err
		}
		positions = ps
	}
	// Each position costs a query, so only the first few are searched within the time
	// Discord gives an autocomplete.
	for i, p := range positions {
		if i == 10 || len(choices) == 25 {
			break
		}
		_, apps, err := svc.Applicants(ctx, r.Actor, p.ID)
		if err != nil {
			return nil, err
		}
		for _, a := range apps {
			add(a.Application)
		}
	}
	return choices, nil
}

// aprParseID reads an id typed or picked as "12" or "#12".
func aprParseID(s string) (int64, bool) {
	return appParseID(strings.TrimPrefix(strings.TrimSpace(s), "#"))
}
