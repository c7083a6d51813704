// Package applications is applying to positions, the student's applications and their
// answers to offers, and the review of applicants by mentors and coordinators.
package applications

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"placementbot/internal/discord"
	"placementbot/internal/discord/ui"
	"placementbot/internal/placement"
	"placementbot/internal/redis"
)

var commands = []discord.Command{
	{Name: "apply", Roles: placement.RoleStudent, Options: []discord.Option{
		{Name: "position", Type: discordgo.ApplicationCommandOptionString, Required: true, Autocomplete: true, MaxLength: 100},
	}},
	{Name: "applications", Subs: []discord.Command{
		{Name: "mine", Roles: placement.RoleStudent},
		{Name: "withdraw", Roles: placement.RoleStudent, Options: []discord.Option{
			{Name: "application", Type: discordgo.ApplicationCommandOptionString, Required: true, Autocomplete: true, MaxLength: 100},
		}},
		{Name: "review", Roles: reviewers, Options: []discord.Option{
			{Name: "position", Type: discordgo.ApplicationCommandOptionString, Required: true, Autocomplete: true, MaxLength: 100},
		}},
	}},
}

// reviewers may review applicants: mentors of the position's enterprise, and coordinators
// (who may reject); the service decides which applications each of them may touch.
const reviewers = placement.RoleMentor | placement.RoleCoordinator

const (
	// pageSize keeps a page of applications within Discord's five action rows: one row of
	// buttons per application and one for Previous/Next.
	pageSize = 4
	// applyLimit is how many applications a member may send per minute, on top of the
	// router's limit on every interaction: applying notifies mentors, so bursts are spam.
	applyLimit = 5
	// motivationMin and motivationMax bound the motivation, as the service does.
	motivationMin, motivationMax = 20, 1000
	// maxPage bounds page numbers read from custom_ids, which the client controls.
	maxPage = 10000
	// draftTTL is how long a refused motivation is kept for Edit and retry.
	draftTTL = 15 * time.Minute
	// draftKind is the session kind of refused motivations, keyed by member and position.
	draftKind = "apply-draft"
)

// handlers serve /apply, /applications and the buttons and forms of applications.
type handlers struct {
	svc      *placement.Service
	limiter  discord.RateLimiter
	sessions ui.Sessions // nil: session storage is down
}

// New is the applications feature: applying, the student's applications and review.
func New(d discord.Deps) discord.Feature {
	return handlers{svc: d.Service, limiter: d.Limiter, sessions: d.Sessions}
}

// Commands are /apply and /applications.
func (h handlers) Commands() []discord.Command { return commands }

// Register adds the routes of applying, the student's applications and review.
func (h handlers) Register(rs *discord.Routes) {
	student := placement.RoleStudent

	rs.Command("/apply", student, h.applyCommand)
	rs.Autocomplete("/apply", student, h.applyAutocomplete)
	// The Apply button sits on position cards that other features send (some of them public):
	// it answers with a form and never edits the card.
	rs.Component("/apply/{positionID}", student, h.applyButton)
	rs.Modal("/apply/{positionID}/submit", student, h.applySubmit)
	// Edit and retry reopens the form with the motivation a refused submission carried.
	rs.Component("/apply/{positionID}/retry", student, h.applyRetry)

	rs.Command("/applications/mine", student, h.mine)
	rs.UpdateComponent("/applications/mine/{page}", student, h.minePage)
	rs.Command("/applications/withdraw", student, h.withdrawCommand)
	rs.Autocomplete("/applications/withdraw", student, h.withdrawAutocomplete)
	// The student's buttons edit the card they sit on, so it always shows the current status;
	// Decline and Withdraw open a form first. Those forms only ever open from a button, so
	// Discord lets their submission edit the same card too (Update on a modal route).
	rs.UpdateComponent("/application/{id}/accept", student, h.accept)
	rs.UpdateComponent("/application/{id}/decline", student, h.noteForm(placement.Declined))
	rs.UpdateModal("/application/{id}/decline/submit", student, h.noteSubmit(placement.Declined))
	// Withdrawing asks first, saying whether it is final, then takes the optional note.
	rs.UpdateComponent("/application/{id}/withdraw", student, h.withdrawConfirm)
	rs.UpdateComponent("/application/{id}/withdraw/confirm", student, h.noteForm(placement.Withdrawn))
	rs.UpdateComponent("/application/{id}/view", student, h.view)
	rs.UpdateModal("/application/{id}/withdraw/submit", student, h.noteSubmit(placement.Withdrawn))

	rs.Command("/applications/review", reviewers, h.review)
	rs.Autocomplete("/applications/review", reviewers, h.reviewAutocomplete)
	rs.UpdateComponent("/applications/review/{positionID}/{page}", reviewers, h.reviewPage)
	rs.UpdateComponent("/application/{id}/shortlist", reviewers, h.decide(placement.Shortlisted))
	rs.UpdateComponent("/application/{id}/offer", reviewers, h.decide(placement.Offered))
	rs.UpdateComponent("/application/{id}/reject", reviewers, h.rejectForm)
	rs.UpdateModal("/application/{id}/reject/submit", reviewers, h.rejectSubmit)
	// The profile opens beside the list, so the mentor keeps their place in it.
	rs.Component("/application/{id}/profile", reviewers, h.profile)
}

// --- applying ---------------------------------------------------------------------------

func (h handlers) applyCommand(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	v, _ := r.String("position")
	id, ok := ui.ParseID(v)
	if !ok {
		// The member typed a title without picking a suggestion: accept it when it names
		// exactly one position.
		ps, err := h.svc.SuggestPositions(ctx, r.Actor, v)
		if err != nil {
			return nil, err
		}
		if id, ok = ui.MatchTitle(v, ui.PositionTitles(ps)); !ok {
			return nil, placement.Errorf(placement.ENOTFOUND, "err.position_not_found", nil)
		}
	}
	return h.applyForm(ctx, r, id)
}

func (h handlers) applyButton(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	id, err := ui.VarID(r.Vars, "positionID")
	if err != nil {
		return nil, err
	}
	return h.applyForm(ctx, r, id)
}

// applyAutocomplete suggests positions that take applications now, as "Title — Enterprise".
func (h handlers) applyAutocomplete(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	ps, err := h.svc.SuggestPositions(ctx, r.Actor, r.FocusedText())
	if err != nil {
		return nil, err
	}
	now := h.svc.NowIn(r.Actor.Location())
	choices := make([]*discordgo.ApplicationCommandOptionChoice, 0, len(ps))
	for _, p := range ps {
		if p.Open(now) {
			choices = append(choices, ui.Choice(p.Title+" — "+p.EnterpriseName, p.ID))
		}
	}
	return &discord.Reply{Choices: choices}, nil
}

// applyForm opens the motivation form, after checking everything that can be checked before
// the student types anything: the position exists here and takes applications, the student may
// apply to it (not placed, not applied yet, under the cap) and isn't applying too fast.
func (h handlers) applyForm(ctx context.Context, r *discord.Request, id int64) (*discord.Reply, error) {
	pos, err := h.svc.CheckApply(ctx, r.Actor, id)
	if err != nil {
		return nil, err
	}
	// Opening forms is counted apart from sending them, so that a form opened costs nothing
	// of the applications the member may send.
	if err := h.allow(ctx, r, "apply-form:"); err != nil {
		return nil, err
	}
	return applyModal(r, pos, ""), nil
}

// applyModal is the motivation form, prefilled with a motivation typed before.
func applyModal(r *discord.Request, pos placement.Position, motivation string) *discord.Reply {
	return &discord.Reply{Modal: &discord.Modal{
		CustomID: "/apply/" + ui.FormatID(pos.ID) + "/submit",
		// A modal title is plain text: the title goes in as typed.
		Title: r.T("apps.modal_title", map[string]any{"Title": ui.Markup(ui.OneLine(pos.Title))}),
		Inputs: []discordgo.TextInput{{
			CustomID: "motivation", Label: r.T("apps.motivation_label", nil), Style: discordgo.TextInputParagraph,
			Placeholder: r.T("apps.motivation_placeholder", nil), Value: ui.Truncate(motivation, motivationMax),
			Required: true, MinLength: motivationMin, MaxLength: motivationMax,
		}},
	}}
}

// allow counts one event of the member under the apply limit on the key's prefix. A limiter
// that can't be reached lets it through: losing an application would be worse than a burst.
func (h handlers) allow(ctx context.Context, r *discord.Request, prefix string) error {
	if h.limiter == nil {
		return nil
	}
	ok, retry, err := h.limiter.Allow(ctx, prefix+r.Actor.GuildID+":"+r.Actor.UserID, redis.PerPeriod(applyLimit, time.Minute))
	if err == nil && !ok {
		secs := max(int(retry.Round(time.Second)/time.Second), 1)
		return placement.Errorf(placement.ECONFLICT, "apps.err_rate_limited", map[string]any{"Seconds": secs})
	}
	return nil
}

// applySubmit files the application. The position id comes from the custom_id, so it is only
// a claim: the service checks the position is in this guild and takes applications. When the
// submission is refused all the same (a race, the rate limit), the motivation is kept.
func (h handlers) applySubmit(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	id, err := ui.VarID(r.Vars, "positionID")
	if err != nil {
		return nil, err
	}
	motivation := r.ModalValue("motivation")
	err = h.allow(ctx, r, "apply:")
	var app placement.Application
	if err == nil {
		app, err = h.svc.Apply(ctx, r.Actor, id, motivation)
	}
	if err != nil {
		return h.keepDraft(ctx, r, id, motivation, err)
	}
	h.dropDraft(ctx, r, id)
	// The application is filed: from here on nothing may claim it failed.
	full, err := h.svc.Application(ctx, r.Actor, app.ID)
	if err != nil {
		full = placement.ApplicationWithEvents{Application: app}
	}
	reply := studentCard(r, full)
	reply.Content = r.T("apps.applied", map[string]any{"Title": ui.OneLine(full.PositionTitle), "Enterprise": ui.OneLine(full.EnterpriseName),
		"Status": ui.Markup(r.T("status."+string(full.Status), nil)), "Mine": ui.Markup(r.Slash("/applications/mine"))})
	return reply, nil
}

// keepDraft answers a refused submission with why, keeping what the student typed: in the
// session store behind an Edit and retry button, or, with the store down, quoted back in the
// refusal so that it can be copied. Refusals that no retry can change are answered as they are.
func (h handlers) keepDraft(ctx context.Context, r *discord.Request, positionID int64, motivation string, err error) (*discord.Reply, error) {
	var pe *placement.Error
	if !errors.As(err, &pe) || (pe.Code != placement.ECONFLICT && pe.Code != placement.EINVALID) || strings.TrimSpace(motivation) == "" {
		return nil, err
	}
	why := r.T(pe.Key, refusalData(r, pe.Data))
	if h.sessions != nil && h.sessions.Put(ctx, draftKind, draftKey(r, positionID), motivation, draftTTL) == nil {
		return &discord.Reply{
			Content: why + "\n" + r.T("apps.draft_kept", nil),
			Components: []discordgo.MessageComponent{ui.Row(discordgo.Button{Label: r.T("apps.btn_retry", nil), Style: discordgo.PrimaryButton,
				CustomID: "/apply/" + ui.FormatID(positionID) + "/retry"})},
		}, nil
	}
	return &discord.Reply{Content: why + "\n" + r.T("apps.draft_shown", map[string]any{"Text": ui.Markup(codeBlock(motivation))})}, nil
}

// refusalData names the fields a refusal speaks of in the member's words.
func refusalData(r *discord.Request, data map[string]any) map[string]any {
	out := make(map[string]any, len(data))
	for k, v := range data {
		if s, ok := v.(string); ok && k == "Field" {
			v = ui.Markup(r.T("field."+s, nil))
		}
		out[k] = v
	}
	return out
}

// codeBlock shows text literally, for copying: markdown and mentions don't render in a code
// block, and a fence inside the text is broken with a zero-width space so it can't close it.
func codeBlock(text string) string {
	return "```\n" + strings.ReplaceAll(text, "```", "`\u200b``") + "\n```"
}

// draftKey keys a kept motivation by guild, member and position.
func draftKey(r *discord.Request, positionID int64) string {
	return r.Actor.GuildID + ":" + r.Actor.UserID + ":" + ui.FormatID(positionID)
}

// dropDraft forgets a kept motivation once the application is filed; a failure only leaves it
// to expire.
func (h handlers) dropDraft(ctx context.Context, r *discord.Request, positionID int64) {
	if h.sessions != nil {
		_ = h.sessions.Delete(ctx, draftKind, draftKey(r, positionID))
	}
}

// applyRetry reopens the form with the motivation kept from a refused submission, once the
// student may apply again; a draft that expired reopens it empty.
func (h handlers) applyRetry(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	id, err := ui.VarID(r.Vars, "positionID")
	if err != nil {
		return nil, err
	}
	pos, err := h.svc.CheckApply(ctx, r.Actor, id)
	if err != nil {
		return nil, err
	}
	var motivation string
	if h.sessions != nil {
		if _, err := h.sessions.Get(ctx, draftKind, draftKey(r, id), &motivation); err != nil {
			motivation = ""
		}
	}
	return applyModal(r, pos, motivation), nil
}

// --- the student's applications --------------------------------------------------------

func (h handlers) mine(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	return h.mineReply(ctx, r, 0)
}

func (h handlers) minePage(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	page, err := ui.VarInt(r.Vars, "page", maxPage)
	if err != nil {
		return nil, err
	}
	return h.mineReply(ctx, r, page)
}

// mineReply lists the student's applications, offers waiting for an answer pinned on top with
// when they expire, then the others newest first, a page at a time, each with its status, what
// comes next and its timeline, and numbered buttons for what they can do.
func (h handlers) mineReply(ctx context.Context, r *discord.Request, page int) (*discord.Reply, error) {
	apps, err := h.svc.MyApplications(ctx, r.Actor)
	if err != nil {
		return nil, err
	}
	if len(apps) == 0 {
		return &discord.Reply{Content: r.T("apps.mine_empty", map[string]any{
			"Browse": ui.Markup(r.Slash("/positions/browse")), "Recommended": ui.Markup(r.Slash("/positions/recommended"))})}, nil
	}
	page, pages, from, to := ui.Paging(len(apps), pageSize, page)
	embed := &discordgo.MessageEmbed{
		Title:       r.T("apps.mine_title", map[string]any{"Count": len(apps)}),
		Description: r.T("apps.mine_hint", nil),
		Color:       ui.StatusColor(apps[from].Status),
	}
	var rows []discordgo.MessageComponent
	for i := from; i < to; i++ {
		app := apps[i]
		// Each entry and its buttons carry the application's own id, the one every command
		// accepts, never a running number.
		embed.Fields = append(embed.Fields, &discordgo.MessageEmbedField{
			Name:  "#" + ui.FormatID(app.ID) + " · " + string(ui.Heading(app.Application)),
			Value: studentLines(r, app),
		})
		if buttons := studentButtons(r, app.Application, app.ID); len(buttons) > 0 {
			rows = append(rows, ui.Row(buttons...))
		}
	}
	if pages > 1 {
		embed.Footer = &discordgo.MessageEmbedFooter{Text: r.T("apps.page", map[string]any{"Page": page + 1, "Pages": pages})}
		rows = append(rows, pageButtons(r, "/applications/mine/", page, pages))
	}
	return &discord.Reply{Embeds: []*discordgo.MessageEmbed{embed}, Components: rows}, nil
}

// withdrawAutocomplete suggests the student's applications that can still be withdrawn.
func (h handlers) withdrawAutocomplete(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	apps, err := h.svc.MyApplications(ctx, r.Actor)
	if err != nil {
		return nil, err
	}
	typed := strings.ToLower(strings.TrimSpace(r.FocusedText()))
	choices := make([]*discordgo.ApplicationCommandOptionChoice, 0, len(apps))
	for _, a := range apps {
		if a.Status.Final() {
			continue
		}
		name := a.PositionTitle + " — " + a.EnterpriseName
		if typed != "" && !strings.Contains(strings.ToLower(name), typed) {
			continue
		}
		choices = append(choices, ui.Choice(name+" ("+r.T("status."+string(a.Status), nil)+")", a.ID))
	}
	return &discord.Reply{Choices: choices}, nil
}

// withdrawCommand asks to confirm withdrawing the picked application, saying whether it is
// final; the confirmation then takes an optional note.
func (h handlers) withdrawCommand(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	v, _ := r.String("application")
	id, ok := ui.ParseID(v)
	if !ok {
		apps, err := h.svc.MyApplications(ctx, r.Actor)
		if err != nil {
			return nil, err
		}
		var open []ui.Titled
		for _, a := range apps {
			if !a.Status.Final() {
				open = append(open, ui.Titled{ID: a.ID, Title: a.PositionTitle})
			}
		}
		if len(open) == 0 {
			return &discord.Reply{Content: r.T("apps.withdraw_none", map[string]any{"Mine": ui.Markup(r.Slash("/applications/mine"))})}, nil
		}
		if id, ok = ui.MatchTitle(v, open); !ok {
			return nil, placement.Errorf(placement.ENOTFOUND, "err.application_not_found", nil)
		}
	}
	return h.withdrawPrompt(ctx, r, id)
}

// withdrawConfirm is the Withdraw button: the card asks to confirm.
func (h handlers) withdrawConfirm(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	id, err := ui.VarID(r.Vars, "id")
	if err != nil {
		return nil, err
	}
	return h.withdrawPrompt(ctx, r, id)
}

// withdrawPrompt is the application's card asking to confirm its withdrawal, with a pair of
// buttons: withdraw, or keep it. It says whether the student may apply again (once) or the
// withdrawal is final.
func (h handlers) withdrawPrompt(ctx context.Context, r *discord.Request, id int64) (*discord.Reply, error) {
	app, err := h.svc.Application(ctx, r.Actor, id)
	if err != nil {
		return nil, err
	}
	switch {
	case app.StudentID != r.Actor.UserID:
		return nil, placement.Errorf(placement.EFORBIDDEN, "err.not_your_application", nil)
	case app.Status == placement.Approved:
		return nil, placement.Errorf(placement.ECONFLICT, "apps.err_withdraw_approved", nil)
	case !placement.CanTransition(app.Status, placement.Withdrawn, placement.PartyStudent):
		return nil, placement.Errorf(placement.ECONFLICT, "err.cannot_move", map[string]any{"From": string(app.Status), "To": string(placement.Withdrawn)})
	}
	reply := studentCard(r, app)
	then := "apps.withdraw_once"
	if app.Reapplied() {
		then = "apps.withdraw_final"
	}
	reply.Content = r.T("apps.withdraw_confirm", map[string]any{"Title": ui.OneLine(app.PositionTitle), "Then": ui.Markup(r.T(then, nil))})
	reply.Components = []discordgo.MessageComponent{ui.Row(
		discordgo.Button{Label: r.T("apps.btn_withdraw_confirm", nil), Style: discordgo.DangerButton,
			CustomID: "/application/" + ui.FormatID(id) + "/withdraw/confirm"},
		discordgo.Button{Label: r.T("apps.btn_keep", nil), Style: discordgo.SecondaryButton,
			CustomID: "/application/" + ui.FormatID(id) + "/view"},
	)}
	return reply, nil
}

// view shows one of the student's applications as its card.
func (h handlers) view(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	id, err := ui.VarID(r.Vars, "id")
	if err != nil {
		return nil, err
	}
	app, err := h.svc.Application(ctx, r.Actor, id)
	if err != nil {
		return nil, err
	}
	if app.StudentID != r.Actor.UserID {
		return nil, placement.Errorf(placement.EFORBIDDEN, "err.not_your_application", nil)
	}
	return studentCard(r, app), nil
}

func (h handlers) accept(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	id, err := ui.VarID(r.Vars, "id")
	if err != nil {
		return nil, err
	}
	app, err := h.svc.Accept(ctx, r.Actor, id)
	if err != nil {
		return h.repeated(ctx, r, id, placement.Accepted, err, h.studentCardFor)
	}
	return h.studentResult(ctx, r, app, "apps.accepted_note"), nil
}

// noteForm opens the form for declining an offer or withdrawing an application, with an
// optional reason; submitting it is the confirmation.
func (h handlers) noteForm(to placement.Status) discord.Handler {
	verb := noteVerb(to)
	return func(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
		id, err := ui.VarID(r.Vars, "id")
		if err != nil {
			return nil, err
		}
		app, err := h.svc.Application(ctx, r.Actor, id)
		if err != nil {
			return nil, err
		}
		if app.StudentID != r.Actor.UserID {
			return nil, placement.Errorf(placement.EFORBIDDEN, "err.not_your_application", nil)
		}
		if app.Status == to {
			return withNote(studentCard(r, app), r.T("apps.already", statusData(r, to))), nil
		}
		if !placement.CanTransition(app.Status, to, placement.PartyStudent) {
			return nil, placement.Errorf(placement.ECONFLICT, "err.cannot_move", map[string]any{"From": string(app.Status), "To": string(to)})
		}
		return &discord.Reply{Modal: &discord.Modal{
			CustomID: "/application/" + ui.FormatID(id) + "/" + verb + "/submit",
			Title:    r.T("apps."+verb+"_title", nil),
			Inputs: []discordgo.TextInput{{
				CustomID: "reason", Label: r.T("apps.note_label", nil), Style: discordgo.TextInputParagraph,
				Placeholder: r.T("apps."+verb+"_placeholder", nil), Required: false, MaxLength: 300,
			}},
		}}, nil
	}
}

// noteSubmit declines or withdraws with the optional reason typed in the form.
func (h handlers) noteSubmit(to placement.Status) discord.Handler {
	return func(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
		id, err := ui.VarID(r.Vars, "id")
		if err != nil {
			return nil, err
		}
		note := r.ModalValue("reason")
		var app placement.Application
		if to == placement.Declined {
			app, err = h.svc.Decline(ctx, r.Actor, id, note)
		} else {
			app, err = h.svc.Withdraw(ctx, r.Actor, id, note)
		}
		if err != nil {
			return h.repeated(ctx, r, id, to, err, h.studentCardFor)
		}
		return h.studentResult(ctx, r, app, "apps."+string(to)+"_note"), nil
	}
}

// studentResult shows the application after the student changed it, with what they did on
// top. The change is made: a failure to reload shows the note alone rather than an error.
func (h handlers) studentResult(ctx context.Context, r *discord.Request, app placement.Application, noteKey string) *discord.Reply {
	full, err := h.svc.Application(ctx, r.Actor, app.ID)
	if err != nil {
		full = placement.ApplicationWithEvents{Application: app}
	}
	note := r.T(noteKey, map[string]any{"Title": ui.OneLine(full.PositionTitle)})
	return withNote(studentCard(r, full), note)
}

func (h handlers) studentCardFor(_ context.Context, r *discord.Request, app placement.ApplicationWithEvents) (*discord.Reply, error) {
	return studentCard(r, app), nil
}

// repeated turns a refused change into a refreshed card when the application already has the
// status the button asked for: a double click, a retry, or the same card open twice. Any other
// refusal is the service's answer, shown as it is.
func (h handlers) repeated(ctx context.Context, r *discord.Request, id int64, to placement.Status, err error,
	card func(context.Context, *discord.Request, placement.ApplicationWithEvents) (*discord.Reply, error)) (*discord.Reply, error) {
	if placement.ErrorCode(err) != placement.ECONFLICT {
		return nil, err
	}
	cur, gerr := h.svc.Application(ctx, r.Actor, id)
	if gerr != nil || cur.Status != to {
		return nil, err
	}
	reply, cerr := card(ctx, r, cur)
	if cerr != nil {
		return nil, err
	}
	return withNote(reply, r.T("apps.already", statusData(r, to))), nil
}

// studentCard is one application as its student sees it, with the buttons for what they can
// do now and a way back to the list.
func studentCard(r *discord.Request, app placement.ApplicationWithEvents) *discord.Reply {
	desc := studentLines(r, app)
	if app.Motivation != "" {
		desc += "\n\n**" + r.T("apps.your_motivation", nil) + "**\n" + string(ui.Quote(ui.Truncate(app.Motivation, 600)))
	}
	embed := &discordgo.MessageEmbed{
		Title:       string(ui.Heading(app.Application)),
		Description: desc,
		Color:       ui.StatusColor(app.Status),
		Footer:      &discordgo.MessageEmbedFooter{Text: r.T("apps.footer", map[string]any{"ID": app.ID})},
	}
	buttons := studentButtons(r, app.Application, 0)
	buttons = append(buttons, discordgo.Button{Label: r.T("apps.back_mine", nil), Style: discordgo.SecondaryButton, CustomID: "/applications/mine/0"})
	return &discord.Reply{Embeds: []*discordgo.MessageEmbed{embed}, Components: []discordgo.MessageComponent{ui.Row(buttons...)}}
}

// studentLines: status and next step (or how the placement ended), timeline, and the reason
// when there is one: the bot's own in the member's language, a person's as they wrote it.
func studentLines(r *discord.Request, app placement.ApplicationWithEvents) string {
	var b strings.Builder
	switch {
	case app.Ended != nil:
		b.WriteString(r.T("apps.placement_ended", map[string]any{"Date": ui.Timestamp(app.Ended.At, 'd'), "Reason": ui.OneLine(app.Ended.Reason)}))
	case !app.Status.Final() || app.Status == placement.Approved:
		b.WriteString(string(ui.Status(r, app.Status)) + " — " + r.T("apps.next."+string(app.Status), nil))
		if !app.OfferExpires.IsZero() {
			at := ui.Markup(strconv.FormatInt(app.OfferExpires.Unix(), 10))
			b.WriteString("\n" + r.T("apps.offer_expires", map[string]any{"At": at}))
		}
	default:
		b.WriteString(string(ui.Status(r, app.Status)))
	}
	b.WriteString("\n" + r.T("apps.timeline", map[string]any{"Timeline": ui.Timeline(r, app)}))
	switch {
	case app.Reason == "":
	case app.Status == placement.Withdrawn && app.Reason == placement.PlacedElsewhere:
		b.WriteString("\n" + placedElsewhere(r, app))
	case app.Status == placement.Rejected:
		b.WriteString("\n" + r.T("apps.reason_rejected", map[string]any{"Reason": ui.OneLine(app.Reason)}))
	case app.Status == placement.Declined, app.Status == placement.Withdrawn:
		b.WriteString("\n" + r.T("apps.reason_yours", map[string]any{"Reason": ui.OneLine(app.Reason)}))
	}
	return b.String()
}

// placedElsewhere is the bot's reason for withdrawing an application on the approval of
// another, naming the placement when it is known.
func placedElsewhere(r *discord.Request, app placement.ApplicationWithEvents) string {
	if p := app.PlacedWith; p != nil {
		return r.T("apps.reason_placed_at", map[string]any{"Title": ui.OneLine(p.PositionTitle), "Enterprise": ui.OneLine(p.EnterpriseName)})
	}
	s, _ := ui.Reason(r, app.Reason)
	return s
}

// studentButtons are the student's answers to one application: Accept and Decline for an
// offer, Withdraw while it is still open. id numbers them after the application they act on
// (0: none).
func studentButtons(r *discord.Request, app placement.Application, id int64) []discordgo.MessageComponent {
	var out []discordgo.MessageComponent
	add := func(verb string, style discordgo.ButtonStyle) {
		out = append(out, discordgo.Button{Label: buttonLabel(r, verb, id), Style: style, CustomID: "/application/" + ui.FormatID(app.ID) + "/" + verb})
	}
	switch {
	case app.Status == placement.Offered:
		add("accept", discordgo.SuccessButton)
		add("decline", discordgo.DangerButton)
	case placement.CanTransition(app.Status, placement.Withdrawn, placement.PartyStudent):
		add("withdraw", discordgo.SecondaryButton)
	}
	return out
}

// --- shared rendering -----------------------------------------------------------------

// statusData is the data of "apps.already": the status in the member's words.
func statusData(r *discord.Request, st placement.Status) map[string]any {
	return map[string]any{"Status": ui.Markup(r.T("status."+string(st), nil))}
}

// buttonLabel is a button's label, numbered after the application it acts on.
func buttonLabel(r *discord.Request, verb string, id int64) string {
	return ui.Numbered(r.T("apps.btn_"+verb, nil), int(id))
}

// pageButtons is the Previous/Next row of a list of two pages or more.
func pageButtons(r *discord.Request, prefix string, page, pages int) discordgo.ActionsRow {
	return ui.PageButtons(prefix, r.T("apps.prev", nil), r.T("apps.next", nil), page, pages)
}

// withNote puts a line on top of a card.
func withNote(reply *discord.Reply, note string) *discord.Reply {
	reply.Content = note
	return reply
}

// noteVerb is the custom_id word of the student's change.
func noteVerb(to placement.Status) string {
	if to == placement.Declined {
		return "decline"
	}
	return "withdraw"
}
