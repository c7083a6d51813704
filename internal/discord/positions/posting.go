package positions

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"placementbot/internal/discord"
	"placementbot/internal/discord/ui"
	"placementbot/internal/placement"
)

// draftKind is the session kind posting drafts are stored under.
const draftKind = "draft"

// draftTTL is how long a draft lives after its last step: long enough to look up dates,
// short enough that an abandoned draft does not linger.
const draftTTL = 30 * time.Minute

// draftClaimTTL keeps a published draft's claim long after the draft itself is gone, so no
// click, however late, and no save racing the publish can publish it a second time.
const draftClaimTTL = 24 * time.Hour

// postingDraft is a posting in progress, kept in session storage between the wizard's steps so it
// survives a restart of the bot. It belongs to the member who started it.
type postingDraft struct {
	Owner        string `json:"owner"`
	Guild        string `json:"guild"`
	EnterpriseID int64  `json:"enterprise_id"`
	Enterprise   string `json:"enterprise,omitempty"`
	// EditOf is the position this draft edits; 0 for a new posting.
	EditOf int64 `json:"edit_of,omitempty"`
	// CopyOf is the position this draft was duplicated from, shown as a reminder.
	CopyOf int64 `json:"copy_of,omitempty"`
	// Rev counts the draft's changes.
	Rev int `json:"rev"`
	// Published is the id of the position this draft became; later clicks are told so.
	Published int64                   `json:"published,omitempty"`
	In        placement.PositionInput `json:"input"`
}

// detailsMissing reports whether the second step (slots and dates) has not been filled in yet.
func (dr postingDraft) detailsMissing() bool {
	in := dr.In
	return in.Slots == "" && in.Start == "" && in.End == "" && in.Deadline == ""
}

// postingHandlers serve the posting wizard, editing, closing, reopening and duplicating
// positions, and a mentor's list of positions.
type postingHandlers struct {
	svc      *placement.Service
	sessions ui.Sessions
	claims   discord.Claimer
	log      *slog.Logger
}

func registerPosting(rs *discord.Routes, f feature) {
	h := postingHandlers{svc: f.svc, sessions: f.sessions, claims: f.claims, log: f.log}
	if h.log == nil {
		h.log = slog.Default()
	}
	mentor := placement.RoleMentor
	// The two commands check the role themselves, to tell a mentor not yet linked to an
	// enterprise how to get linked instead of a bare refusal.
	rs.Command("/positions/post", 0, h.post)
	rs.Autocomplete("/positions/post", mentor, h.suggestEnterprises)
	rs.Command("/positions/mine", 0, h.mine)
	rs.Component("/positions/mine/open", mentor, h.openMine)
	rs.Component("/positions/mine/post", mentor, h.postFromList)
	rs.Component("/draft/start", mentor, h.startPicked)

	rs.Modal("/draft/{key}/basics/submit", mentor, h.basicsSubmit)
	// Forms opened from the draft's own message update that message in place.
	rs.UpdateModal("/draft/{key}/basics/update", mentor, h.basicsSubmit)
	rs.UpdateModal("/draft/{key}/details/submit", mentor, h.detailsSubmit)
	rs.Component("/draft/{key}/basics", mentor, h.basicsButton)
	rs.Component("/draft/{key}/details", mentor, h.detailsButton)
	rs.UpdateComponent("/draft/{key}/remote", mentor, h.toggleRemote)
	rs.UpdateComponent("/draft/{key}/publish", mentor, h.publish)
	rs.UpdateComponent("/draft/{key}/cancel", mentor, h.cancel)
	rs.UpdateComponent("/draft/{key}/discard", mentor, h.discard)
	rs.UpdateComponent("/draft/{key}/keep", mentor, h.keep)

	rs.Component("/position/{id}/edit", mentor, h.edit)
	rs.Component("/position/{id}/duplicate", mentor, h.duplicate)
	rs.UpdateComponent("/position/{id}/close", mentor, h.close)
	rs.UpdateComponent("/position/{id}/reopen", mentor, h.reopen)
}

// postingMentorOnly refuses members who are not mentors, telling a mentor-role member who is not
// linked to an enterprise yet what to do.
func postingMentorOnly(r *discord.Request) error {
	if r.Actor.Is(placement.RoleMentor) {
		return nil
	}
	if r.Actor.MentorRole {
		return placement.Errorf(placement.EFORBIDDEN, "help.mentor_unlinked", nil)
	}
	return placement.Errorf(placement.EFORBIDDEN, "err.mentor_only", nil)
}

// post starts the wizard: for the enterprise picked in the option, or the mentor's only one,
// or, when they mentor several, after they pick one from a menu.
func (h postingHandlers) post(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	if err := postingMentorOnly(r); err != nil {
		return nil, err
	}
	names, err := h.enterpriseNames(ctx, r, "")
	if err != nil {
		return nil, err
	}
	raw, given := r.String("enterprise")
	raw = strings.TrimSpace(raw)
	if given && raw != "" {
		id, err := h.pickEnterprise(ctx, r, raw, names)
		if err != nil {
			return nil, err
		}
		return h.start(ctx, r, id, names[id], "submit")
	}
	return h.startOrAsk(ctx, r, names)
}

// postFromList is the list's "Post a position" button: the command without its option.
func (h postingHandlers) postFromList(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	names, err := h.enterpriseNames(ctx, r, "")
	if err != nil {
		return nil, err
	}
	return h.startOrAsk(ctx, r, names)
}

// startOrAsk opens the first form for the mentor's only enterprise, or asks which one.
func (h postingHandlers) startOrAsk(ctx context.Context, r *discord.Request, names map[int64]string) (*discord.Reply, error) {
	ids := r.Actor.EnterpriseIDs
	if len(ids) == 1 {
		return h.start(ctx, r, ids[0], names[ids[0]], "submit")
	}
	opts := make([]discordgo.SelectMenuOption, len(ids))
	for i, id := range ids {
		opts[i] = discordgo.SelectMenuOption{Label: postingEnterpriseLabel(r, id, names[id]), Value: ui.FormatID(id)}
	}
	one := 1
	return &discord.Reply{
		Content: r.T("posting.pick_enterprise", nil),
		Components: []discordgo.MessageComponent{ui.Row(discordgo.SelectMenu{CustomID: "/draft/start",
			Placeholder: r.T("posting.pick_enterprise_placeholder", nil), MinValues: &one, MaxValues: 1, Options: opts})},
	}, nil
}

// startPicked starts the wizard for the enterprise picked in the menu; the picked value is
// client text, so it must be one of the mentor's enterprises now.
func (h postingHandlers) startPicked(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	vals := r.Values()
	if len(vals) != 1 {
		return nil, ui.StaleComponent()
	}
	id, err := ui.WrittenID(vals[0])
	if err != nil {
		return nil, err
	}
	if !r.Actor.MentorsFor(id) {
		return nil, placement.Errorf(placement.EFORBIDDEN, "err.not_your_enterprise", nil)
	}
	names, err := h.enterpriseNames(ctx, r, "")
	if err != nil {
		return nil, err
	}
	// The form's answer replaces the menu, which has done its job.
	return h.start(ctx, r, id, names[id], "update")
}

// pickEnterprise reads the enterprise option: an id from the suggestions, or a name typed
// in full without picking a suggestion.
func (h postingHandlers) pickEnterprise(ctx context.Context, r *discord.Request, raw string, names map[int64]string) (int64, error) {
	if id, ok := ui.ParseID(raw); ok {
		if !r.Actor.MentorsFor(id) {
			return 0, placement.Errorf(placement.EFORBIDDEN, "err.not_your_enterprise", nil)
		}
		return id, nil
	}
	typed, err := h.enterpriseNames(ctx, r, raw)
	if err != nil {
		return 0, err
	}
	for id, name := range typed {
		if strings.EqualFold(strings.TrimSpace(name), raw) {
			return id, nil
		}
	}
	for id, name := range names {
		if strings.EqualFold(strings.TrimSpace(name), raw) {
			return id, nil
		}
	}
	return 0, placement.Errorf(placement.EINVALID, "posting.err_pick_enterprise", nil)
}

// enterpriseNames maps the mentor's enterprises (matching prefix) to their names. The names
// come from the verified enterprises the service suggests; an enterprise it did not return
// (the suggestion list is bounded) is still listed, by number, when prefix is empty.
func (h postingHandlers) enterpriseNames(ctx context.Context, r *discord.Request, prefix string) (map[int64]string, error) {
	es, err := h.svc.SuggestEnterprises(ctx, r.Actor, prefix, false)
	if err != nil {
		return nil, err
	}
	out := map[int64]string{}
	for _, e := range es {
		if slices.Contains(r.Actor.EnterpriseIDs, e.ID) {
			out[e.ID] = e.Name
		}
	}
	if prefix == "" {
		for _, id := range r.Actor.EnterpriseIDs {
			if _, ok := out[id]; !ok {
				out[id] = ""
			}
		}
	}
	return out, nil
}

// postingEnterpriseLabel names an enterprise, or numbers it when its name is not at hand.
func postingEnterpriseLabel(r *discord.Request, id int64, name string) string {
	if name != "" {
		return name
	}
	return r.T("posting.enterprise_number", map[string]any{"ID": id})
}

// suggestEnterprises offers the mentor's own verified enterprises; the value is the id.
func (h postingHandlers) suggestEnterprises(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	names, err := h.enterpriseNames(ctx, r, strings.TrimSpace(r.FocusedText()))
	if err != nil {
		return nil, err
	}
	choices := []*discordgo.ApplicationCommandOptionChoice{}
	for _, id := range r.Actor.EnterpriseIDs {
		name, ok := names[id]
		if !ok || len(choices) == ui.MaxChoices {
			continue
		}
		choices = append(choices, ui.Choice(postingEnterpriseLabel(r, id, name), id))
	}
	return &discord.Reply{Choices: choices}, nil
}

// start creates an empty draft for the enterprise and opens the first form. submit is
// "submit" when the form's answer is a new message, "update" when it replaces the message
// the form was opened from.
func (h postingHandlers) start(ctx context.Context, r *discord.Request, enterpriseID int64, name, submit string) (*discord.Reply, error) {
	dr := postingDraft{Owner: r.Actor.UserID, Guild: r.Actor.GuildID, EnterpriseID: enterpriseID, Enterprise: name}
	key, err := h.create(ctx, &dr)
	if err != nil {
		return nil, err
	}
	return &discord.Reply{Modal: draftBasicsModal(r, key, dr, submit)}, nil
}

// create stores a new draft under a fresh key.
func (h postingHandlers) create(ctx context.Context, dr *postingDraft) (string, error) {
	if h.sessions == nil {
		return "", fmt.Errorf("posting: start draft: %w", ui.ErrSessionsDown)
	}
	key := h.sessions.NewKey()
	if err := h.sessions.Put(ctx, draftKind, key, dr, draftTTL); err != nil {
		return "", err
	}
	return key, nil
}

// save stores a changed draft as its next revision, for another 30 minutes.
func (h postingHandlers) save(ctx context.Context, key string, dr *postingDraft) error {
	dr.Rev++
	return h.sessions.Put(ctx, draftKind, key, dr, draftTTL)
}

// load returns the draft named by the custom_id, if it still exists and is the member's own.
func (h postingHandlers) load(ctx context.Context, r *discord.Request) (string, postingDraft, error) {
	var dr postingDraft
	key := r.Vars["key"]
	if !ui.IsSessionKey(key) {
		return "", dr, ui.StaleComponent()
	}
	if h.sessions == nil {
		return "", dr, fmt.Errorf("posting: load draft: %w", ui.ErrSessionsDown)
	}
	found, err := h.sessions.Get(ctx, draftKind, key, &dr)
	if err != nil {
		return "", dr, err
	}
	if !found {
		return "", dr, draftExpired(r)
	}
	// A draft is private to the member who started it, in the server it was started in.
	if dr.Owner != r.Actor.UserID || dr.Guild != r.Actor.GuildID {
		return "", dr, placement.Errorf(placement.EFORBIDDEN, "posting.err_not_your_draft", map[string]any{"Command": ui.Markup(r.Slash("/positions/post"))})
	}
	if dr.Published != 0 {
		return "", dr, placement.Errorf(placement.ECONFLICT, "posting.err_already_published", map[string]any{"ID": dr.Published, "Mine": ui.Markup(r.Slash("/positions/mine"))})
	}
	if !r.Actor.MentorsFor(dr.EnterpriseID) {
		return "", dr, placement.Errorf(placement.EFORBIDDEN, "err.not_your_enterprise", nil)
	}
	return key, dr, nil
}

// draftExpired is the answer to a draft that is no longer kept.
func draftExpired(r *discord.Request) error {
	return placement.Errorf(placement.ENOTFOUND, "posting.err_draft_expired", map[string]any{"Command": ui.Markup(r.Slash("/positions/post"))})
}

// loadKept is load for a step that changes nothing, such as opening a form: the draft is kept
// alive for another 30 minutes.
func (h postingHandlers) loadKept(ctx context.Context, r *discord.Request) (string, postingDraft, error) {
	key, dr, err := h.load(ctx, r)
	if err != nil {
		return "", dr, err
	}
	found, err := h.sessions.Touch(ctx, draftKind, key, draftTTL)
	if err == nil && !found {
		err = draftExpired(r)
	}
	return key, dr, err
}

// Longest text kept from one form field: Discord's own maximum for a text input. Anything
// longer did not come from a Discord client.
const draftFieldMax = 4000

// draftText reads a form field, bounded so a forged submission cannot bloat the draft.
func draftText(r *discord.Request, id string) string {
	v := []rune(r.ModalValue(id))
	return string(v[:min(len(v), draftFieldMax)])
}

// basicsSubmit stores the first form (title, description, skills, programs, location).
// Nothing is refused here: the draft keeps what was typed, and the preview names what to fix,
// so a long description is never lost to one wrong field.
func (h postingHandlers) basicsSubmit(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	return h.submit(ctx, r, func(in *placement.PositionInput) {
		in.Title, in.Description = draftText(r, "title"), draftText(r, "description")
		in.Skills, in.Programs, in.Location = draftText(r, "skills"), draftText(r, "programs"), draftText(r, "location")
	})
}

// detailsSubmit stores the second form (slots, dates, deadline, stipend).
func (h postingHandlers) detailsSubmit(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	return h.submit(ctx, r, func(in *placement.PositionInput) {
		in.Slots, in.Start, in.End = draftText(r, "slots"), draftText(r, "start"), draftText(r, "end")
		in.Deadline, in.Stipend = draftText(r, "deadline"), draftText(r, "stipend")
	})
}

// submit stores what one of the wizard's forms typed into the draft and shows the preview.
func (h postingHandlers) submit(ctx context.Context, r *discord.Request, set func(in *placement.PositionInput)) (*discord.Reply, error) {
	key, dr, err := h.load(ctx, r)
	if err != nil {
		return nil, err
	}
	set(&dr.In)
	if err := h.save(ctx, key, &dr); err != nil {
		return nil, err
	}
	return h.preview(r, key, dr, nil), nil
}

// basicsButton reopens the first form, filled in with the draft.
func (h postingHandlers) basicsButton(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	key, dr, err := h.loadKept(ctx, r)
	if err != nil {
		return nil, err
	}
	return &discord.Reply{Modal: draftBasicsModal(r, key, dr, "update")}, nil
}

// detailsButton opens the second form, filled in with the draft.
func (h postingHandlers) detailsButton(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	key, dr, err := h.loadKept(ctx, r)
	if err != nil {
		return nil, err
	}
	return &discord.Reply{Modal: draftDetailsModal(r, key, dr)}, nil
}

// toggleRemote switches whether the position can be done remotely.
func (h postingHandlers) toggleRemote(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	key, dr, err := h.load(ctx, r)
	if err != nil {
		return nil, err
	}
	dr.In.Remote = !dr.In.Remote
	if err := h.save(ctx, key, &dr); err != nil {
		return nil, err
	}
	return h.preview(r, key, dr, nil), nil
}

// cancel asks before discarding the draft: the preview stays in view with Discard and Keep
// editing in place of the wizard's buttons, and nothing is lost until Discard is pressed.
func (h postingHandlers) cancel(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	key, dr, err := h.loadKept(ctx, r)
	if err != nil {
		return nil, err
	}
	msg, discard := "posting.confirm_cancel", "posting.button_discard"
	if dr.EditOf != 0 {
		msg, discard = "posting.confirm_cancel_edit", "posting.button_discard_edit"
	}
	reply := h.preview(r, key, dr, nil)
	reply.Content = r.T(msg, map[string]any{"ID": dr.EditOf, "Discard": ui.Markup(r.T(discard, nil))})
	reply.Components = []discordgo.MessageComponent{ui.Row(
		discordgo.Button{Label: r.T(discard, nil), Style: discordgo.DangerButton, CustomID: "/draft/" + key + "/discard"},
		discordgo.Button{Label: r.T("posting.button_keep", nil), Style: discordgo.SecondaryButton, CustomID: "/draft/" + key + "/keep"},
	)}
	return reply, nil
}

// keep returns from the question to the draft as it was.
func (h postingHandlers) keep(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	key, dr, err := h.loadKept(ctx, r)
	if err != nil {
		return nil, err
	}
	return h.preview(r, key, dr, nil), nil
}

// discard deletes the draft, once its owner confirmed.
func (h postingHandlers) discard(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	key, dr, err := h.load(ctx, r)
	if err != nil {
		return nil, err
	}
	if err := h.sessions.Delete(ctx, draftKind, key); err != nil {
		return nil, err
	}
	msg := "posting.cancelled"
	if dr.EditOf != 0 {
		msg = "posting.cancelled_edit"
	}
	return &discord.Reply{Content: r.T(msg, map[string]any{"Command": ui.Markup(r.Slash("/positions/post"))})}, nil
}

// publish posts the draft (or saves the edit). Exactly one click per draft revision gets
// through: the revision is claimed first, so a double click or a retried delivery creates one
// position. When the service refuses the draft, the draft moves to a new revision, stays
// as it was, and its message names the problem, so the mentor fixes that one field.
func (h postingHandlers) publish(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	key, dr, err := h.load(ctx, r)
	if err != nil {
		return nil, err
	}
	if h.claims == nil {
		return nil, fmt.Errorf("posting: publish: %w", ui.ErrSessionsDown)
	}
	// One publish per draft: the claim is kept once the position exists, and given back only
	// when publishing was refused, so the fixed draft can be published.
	claim := "draft:" + key + ":publish"
	first, err := h.claims.Claim(ctx, claim, draftClaimTTL)
	if err != nil {
		return nil, err
	}
	if !first {
		return nil, placement.Errorf(placement.ECONFLICT, "posting.err_publishing", nil)
	}
	var p placement.Position
	if dr.EditOf != 0 {
		p, err = h.svc.EditPosition(ctx, r.Actor, dr.EditOf, dr.In)
	} else {
		p, err = h.svc.PostPosition(ctx, r.Actor, dr.EnterpriseID, dr.In)
	}
	if err != nil {
		if rerr := h.claims.Release(context.WithoutCancel(ctx), claim); rerr != nil {
			h.log.Warn("posting: releasing the publish claim after a refusal", "err", rerr)
		}
		if serr := h.save(ctx, key, &dr); serr != nil {
			h.log.Warn("posting: keeping draft after refused publish", "err", serr)
		}
		if _, ok := draftIssues(r, err); ok {
			return h.preview(r, key, dr, err), nil
		}
		return nil, err
	}
	dr.Published = p.ID
	if err := h.save(ctx, key, &dr); err != nil {
		// The position exists; the kept claim already stops a second one.
		h.log.Warn("posting: marking draft published", "err", err, "position", p.ID)
	}
	reply := positionCard(r, p, placement.Application{})
	msg := "posting.published"
	if dr.EditOf != 0 {
		msg = "posting.saved"
	}
	reply.Content = r.T(msg, map[string]any{"ID": p.ID, "Mine": ui.Markup(r.Slash("/positions/mine"))})
	// Posted, the position stands; an enterprise too small for one intern is only warned.
	if q, err := h.svc.HostingQuota(ctx, r.Actor, p.EnterpriseID); err == nil && dr.EditOf == 0 {
		if w := ui.QuotaWarning(r, q); w != "" {
			reply.Content += "\n" + w
		}
	}
	return reply, nil
}

// draftIssue is one thing to fix in a draft: the refusal in words and the label of the button
// whose form holds the field.
type draftIssue struct {
	problem, button string
}

// draftIssues words each refusal of the draft's content (invalid fields, slots below those
// taken) for the draft's message; ok is false for other errors, which are left to the router.
func draftIssues(r *discord.Request, err error) (issues []draftIssue, ok bool) {
	for _, pe := range placement.Problems(err) {
		if pe.Code != placement.EINVALID && pe.Code != placement.ECONFLICT {
			return nil, false
		}
		// Other values quote what the member typed; the catalog escapes them.
		data := make(map[string]any, len(pe.Data))
		for k, v := range pe.Data {
			if s, ok := v.(string); ok && k == "Field" {
				v = ui.Markup(r.T("field."+s, nil))
			}
			data[k] = v
		}
		issues = append(issues, draftIssue{problem: r.T(pe.Key, data), button: r.T(draftFixButton(pe), nil)})
	}
	return issues, len(issues) > 0
}

// draftNext is what the draft's message says about its problems: one problem and its button,
// or a line for each. refused says whether the last Publish (or Save) was refused.
func draftNext(r *discord.Request, dr postingDraft, issues []draftIssue, refused bool) string {
	key := "posting.next_fix"
	if refused {
		key = "posting.next_refused"
	}
	if len(issues) > 1 {
		key += "_many"
	}
	publishKey := "posting.button_publish"
	if dr.EditOf != 0 {
		key += "_edit"
		publishKey = "posting.button_save"
	}
	data := map[string]any{"Publish": ui.Markup(r.T(publishKey, nil)), "Count": len(issues),
		"Problem": ui.Markup(issues[0].problem), "Button": ui.Markup(issues[0].button)}
	if len(issues) > 1 {
		lines := make([]string, len(issues))
		for i, is := range issues {
			lines[i] = r.T("posting.problem_line", map[string]any{"Problem": ui.Markup(is.problem), "Button": ui.Markup(is.button)})
		}
		data["Problems"] = ui.Markup(strings.Join(lines, "\n"))
	}
	return r.T(key, data)
}

// edit opens a draft filled in from the position; saving it replaces the position's details.
func (h postingHandlers) edit(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	return h.fromPosition(ctx, r, 0, func(dr *postingDraft, id int64) { dr.EditOf = id })
}

// duplicate opens a new draft copied from the position for the next term: the same posting
// with its start, end and deadline moved one year later, so the calendar stays as it was.
func (h postingHandlers) duplicate(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	return h.fromPosition(ctx, r, 1, func(dr *postingDraft, id int64) { dr.CopyOf = id })
}

// fromPosition opens a draft from one of the member's positions, dates moved by years, marked
// as an edit or a copy of it.
func (h postingHandlers) fromPosition(ctx context.Context, r *discord.Request, years int, mark func(*postingDraft, int64)) (*discord.Reply, error) {
	p, err := h.ownPosition(ctx, r)
	if err != nil {
		return nil, err
	}
	dr := draftFromPosition(r, p, years)
	mark(&dr, p.ID)
	key, err := h.create(ctx, &dr)
	if err != nil {
		return nil, err
	}
	return h.preview(r, key, dr, nil), nil
}

// draftFromPosition fills a draft from a posted position, with its dates moved by years.
func draftFromPosition(r *discord.Request, p placement.Position, years int) postingDraft {
	date := func(t time.Time) string { return t.AddDate(years, 0, 0).Format(placement.DateLayout) }
	return postingDraft{Owner: r.Actor.UserID, Guild: r.Actor.GuildID, EnterpriseID: p.EnterpriseID, Enterprise: p.EnterpriseName,
		In: placement.PositionInput{
			Title: p.Title, Description: p.Description, Skills: strings.Join(p.Skills, ", "), Programs: strings.Join(p.Programs, ", "),
			Location: p.Location, Remote: p.Remote, Slots: strconv.Itoa(p.Slots),
			Start: date(p.StartDate), End: date(p.EndDate), Deadline: date(p.Deadline), Stipend: p.Stipend,
		}}
}

// close stops applications and shows the card as it is now.
func (h postingHandlers) close(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	return h.setStatus(ctx, r, h.svc.ClosePosition, "posting.closed")
}

// reopen takes applications again and shows the card as it is now.
func (h postingHandlers) reopen(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	return h.setStatus(ctx, r, h.svc.ReopenPosition, "posting.reopened")
}

// setStatus closes or reopens the position named by the custom_id and shows its card, topped
// with what changed.
func (h postingHandlers) setStatus(ctx context.Context, r *discord.Request,
	change func(context.Context, placement.Actor, int64) (placement.Position, error), done string) (*discord.Reply, error) {
	id, err := ui.VarID(r.Vars, "id")
	if err != nil {
		return nil, err
	}
	p, err := change(ctx, r.Actor, id)
	if err != nil {
		return nil, postingPositionErr(r, err)
	}
	reply := positionCard(r, p, placement.Application{})
	reply.Content = r.T(done, nil)
	return reply, nil
}

// ownPosition loads the position named by the custom_id, if the member mentors for it.
func (h postingHandlers) ownPosition(ctx context.Context, r *discord.Request) (placement.Position, error) {
	id, err := ui.VarID(r.Vars, "id")
	if err != nil {
		return placement.Position{}, err
	}
	p, err := h.svc.OwnPosition(ctx, r.Actor, id)
	return p, postingPositionErr(r, err)
}

// postingPositionErr words "no such position" the same whatever the store said, so an edited
// custom_id learns nothing about other servers.
func postingPositionErr(r *discord.Request, err error) error {
	if placement.ErrorCode(err) == placement.ENOTFOUND {
		return placement.Errorf(placement.ENOTFOUND, "posting.err_position_gone", map[string]any{"Mine": ui.Markup(r.Slash("/positions/mine"))})
	}
	return err
}

// mine lists the positions of the mentor's enterprises with a menu to open one.
func (h postingHandlers) mine(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	if err := postingMentorOnly(r); err != nil {
		return nil, err
	}
	ps, err := h.svc.MyPositions(ctx, r.Actor)
	if err != nil {
		return nil, err
	}
	postButton := ui.Row(discordgo.Button{Label: r.T("posting.button_post", nil), Style: discordgo.SuccessButton, CustomID: "/positions/mine/post"})
	if len(ps) == 0 {
		return &discord.Reply{Content: r.T("posting.mine_none", nil), Components: []discordgo.MessageComponent{postButton}}, nil
	}
	now := h.svc.NowIn(r.Actor.Location())
	several := len(r.Actor.EnterpriseIDs) > 1
	var b strings.Builder
	// The menu holds 25 options, so the list shows the same 25.
	shown := ps[:min(len(ps), ui.MaxOptions)]
	opts := make([]discordgo.SelectMenuOption, len(shown))
	for i, p := range shown {
		facts := postingMineFacts(r, p, now)
		line := fmt.Sprintf("**#%d** %s — %s", p.ID, ui.Escape(ui.Truncate(ui.OneLine(p.Title), 80)), facts)
		if several {
			line += " · " + ui.Escape(ui.Truncate(ui.OneLine(p.EnterpriseName), 40))
		}
		b.WriteString(line + "\n")
		opts[i] = discordgo.SelectMenuOption{Label: fmt.Sprintf("#%d %s", p.ID, p.Title), Value: ui.FormatID(p.ID), Description: facts}
	}
	embed := &discordgo.MessageEmbed{
		Title:       r.T("posting.mine_title", map[string]any{"Count": len(ps)}),
		Description: b.String(),
		Footer:      &discordgo.MessageEmbedFooter{Text: r.T("posting.mine_footer", nil)},
	}
	one := 1
	return &discord.Reply{Embeds: []*discordgo.MessageEmbed{embed}, Components: []discordgo.MessageComponent{
		ui.Row(discordgo.SelectMenu{
			CustomID: "/positions/mine/open", Placeholder: r.T("posting.mine_placeholder", nil),
			MinValues: &one, MaxValues: 1, Options: opts,
		}),
		postButton,
	}}, nil
}

// postingMineFacts is one position's state for its mentor: open or why not, slots, deadline.
func postingMineFacts(r *discord.Request, p placement.Position, now time.Time) string {
	return strings.Join([]string{
		r.T("posting.state_"+string(positionState(p, now)), nil),
		r.T("posting.slots_left", map[string]any{"Left": p.SlotsLeft(), "Slots": p.Slots}),
		r.T("posting.deadline", map[string]any{"Date": ui.Markup(p.Deadline.Format(placement.DateLayout))}),
	}, " · ")
}

// openMine opens the card of the position picked in the list; the value is client text.
func (h postingHandlers) openMine(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	vals := r.Values()
	if len(vals) != 1 {
		return nil, ui.StaleComponent()
	}
	id, err := ui.WrittenID(vals[0])
	if err != nil {
		return nil, err
	}
	p, err := h.svc.OwnPosition(ctx, r.Actor, id)
	if err != nil {
		return nil, postingPositionErr(r, err)
	}
	return positionCard(r, p, placement.Application{}), nil
}

// Limits of the posting forms, the same as the service's so Discord stops over-long text
// before it is typed.
const (
	draftTitleMax       = 100
	draftDescriptionMax = 2000
	draftSkillsMax      = 1000
	draftProgramsMax    = 900
	draftLocationMax    = 60
	draftStipendMax     = 60
	// A date as people write it, "2027 年 01 月 02 日" included.
	draftDateMax = 20
)

// draftInput builds one form field; the router cuts prefilled values to what it accepts.
func draftInput(r *discord.Request, id, key string, style discordgo.TextInputStyle, required bool, maxLen int, value string) discordgo.TextInput {
	return discordgo.TextInput{
		CustomID: id, Label: r.T("posting.label_"+key, nil), Style: style,
		Placeholder: r.T("posting.placeholder_"+key, nil),
		Value:       value, Required: required, MaxLength: maxLen,
	}
}

// draftBasicsModal is the first form. submit says how its answer is shown (see start).
func draftBasicsModal(r *discord.Request, key string, dr postingDraft, submit string) *discord.Modal {
	in := dr.In
	return &discord.Modal{
		CustomID: "/draft/" + key + "/basics/" + submit,
		Title:    r.T("posting.basics_title", nil),
		Inputs: []discordgo.TextInput{
			draftInput(r, "title", "title", discordgo.TextInputShort, true, draftTitleMax, in.Title),
			draftInput(r, "description", "description", discordgo.TextInputParagraph, false, draftDescriptionMax, in.Description),
			draftInput(r, "skills", "skills", discordgo.TextInputParagraph, false, draftSkillsMax, in.Skills),
			draftInput(r, "programs", "programs", discordgo.TextInputShort, false, draftProgramsMax, in.Programs),
			draftInput(r, "location", "location", discordgo.TextInputShort, false, draftLocationMax, in.Location),
		},
	}
}

// draftDetailsModal is the second form: numbers and dates.
func draftDetailsModal(r *discord.Request, key string, dr postingDraft) *discord.Modal {
	in := dr.In
	return &discord.Modal{
		CustomID: "/draft/" + key + "/details/submit",
		Title:    r.T("posting.details_title", nil),
		Inputs: []discordgo.TextInput{
			draftInput(r, "slots", "slots", discordgo.TextInputShort, true, 3, in.Slots),
			draftInput(r, "start", "start", discordgo.TextInputShort, true, draftDateMax, in.Start),
			draftInput(r, "end", "end", discordgo.TextInputShort, true, draftDateMax, in.End),
			draftInput(r, "deadline", "deadline", discordgo.TextInputShort, true, draftDateMax, in.Deadline),
			draftInput(r, "stipend", "stipend", discordgo.TextInputShort, false, draftStipendMax, in.Stipend),
		},
	}
}

// draftFixButton names the button whose form holds the field a refusal is about.
func draftFixButton(pe *placement.Error) string {
	switch pe.Data["Field"] {
	case "title", "description", "skills", "programs", "location":
		return "posting.button_basics"
	}
	if pe.Key == "err.location_or_remote" {
		return "posting.button_basics"
	}
	return "posting.button_details"
}

// preview shows the draft as it stands, what to do next (or what to fix), and the wizard's
// buttons. refused, when set, is why the last Publish was refused.
func (h postingHandlers) preview(r *discord.Request, key string, dr postingDraft, refused error) *discord.Reply {
	in := dr.In
	var head string
	switch {
	case dr.EditOf != 0:
		head = r.T("posting.head_edit", map[string]any{"ID": dr.EditOf})
	case dr.CopyOf != 0:
		head = r.T("posting.head_copy", map[string]any{"ID": dr.CopyOf})
	default:
		// The name is member text; without one, the label is the catalog's "Enterprise #12".
		var name any = ui.Markup(postingEnterpriseLabel(r, dr.EnterpriseID, ""))
		if dr.Enterprise != "" {
			name = ui.Truncate(ui.OneLine(dr.Enterprise), 100)
		}
		head = r.T("posting.head_new", map[string]any{"Enterprise": name})
	}
	publishKey := "posting.button_publish"
	if dr.EditOf != 0 {
		publishKey = "posting.button_save"
	}
	var next string
	switch {
	case refused != nil:
		issues, _ := draftIssues(r, refused)
		next = draftNext(r, dr, issues, true)
	case dr.detailsMissing():
		next = r.T("posting.next_details", nil)
	default:
		if _, err := in.Parse(h.svc.NowIn(r.Actor.Location())); err != nil {
			if issues, ok := draftIssues(r, err); ok {
				next = draftNext(r, dr, issues, false)
				break
			}
		}
		next = r.T("posting.next_ready", map[string]any{"Button": ui.Markup(r.T(publishKey, nil))})
	}

	// Each value is bounded so that every field stays readable within the embed's 6,000
	// characters whatever a forged form submitted: the long fields get room, the short ones 100.
	value := func(s string, n int) string {
		if strings.TrimSpace(s) == "" {
			return "—"
		}
		return ui.Truncate(ui.Escape(strings.TrimSpace(s)), n)
	}
	title := strings.TrimSpace(in.Title)
	if title == "" {
		title = r.T("posting.no_title", nil)
	} else {
		title = ui.Escape(title)
	}
	where := value(in.Location, 100)
	if in.Remote {
		where = r.T("posting.where_remote", map[string]any{"Location": ui.Markup(where)})
	}
	dates := "—"
	if in.Start != "" || in.End != "" {
		dates = value(in.Start, 40) + " → " + value(in.End, 40)
	}
	embed := &discordgo.MessageEmbed{
		Title:       title,
		Description: ui.Truncate(ui.Escape(strings.TrimSpace(in.Description)), 2000),
		Color:       0xF9A825,
		Fields: []*discordgo.MessageEmbedField{
			{Name: r.T("field.location", nil), Value: where, Inline: true},
			{Name: r.T("posting.field_slots", nil), Value: value(in.Slots, 40), Inline: true},
			{Name: r.T("field.stipend", nil), Value: value(in.Stipend, 100), Inline: true},
			{Name: r.T("posting.field_dates", nil), Value: dates, Inline: true},
			{Name: r.T("field.deadline", nil), Value: value(in.Deadline, 40), Inline: true},
			{Name: r.T("field.skills", nil), Value: value(in.Skills, 1024)},
			{Name: r.T("field.programs", nil), Value: value(in.Programs, 1024)},
		},
		Footer: &discordgo.MessageEmbedFooter{Text: r.T("posting.footer", nil)},
	}
	detailsStyle := discordgo.SecondaryButton
	if dr.detailsMissing() {
		detailsStyle = discordgo.PrimaryButton
	}
	remoteKey := "posting.button_remote_off"
	if in.Remote {
		remoteKey = "posting.button_remote_on"
	}
	button := func(label string, style discordgo.ButtonStyle, action string) discordgo.MessageComponent {
		return discordgo.Button{Label: r.T(label, nil), Style: style, CustomID: "/draft/" + key + "/" + action}
	}
	return &discord.Reply{
		Content: head + "\n" + next,
		Embeds:  []*discordgo.MessageEmbed{embed},
		Components: []discordgo.MessageComponent{
			ui.Row(
				button("posting.button_details", detailsStyle, "details"),
				button("posting.button_basics", discordgo.SecondaryButton, "basics"),
				button(remoteKey, discordgo.SecondaryButton, "remote"),
			),
			ui.Row(
				button(publishKey, discordgo.SuccessButton, "publish"),
				button("posting.button_cancel", discordgo.DangerButton, "cancel"),
			),
		},
	}
}
