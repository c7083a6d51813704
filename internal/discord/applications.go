package discord

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"placementbot/internal/placement"
	"placementbot/internal/redis"
)

var applyCommands = []command{
	{Name: "apply", Roles: placement.RoleStudent, Options: []option{
		{Name: "position", Type: discordgo.ApplicationCommandOptionString, Required: true, Autocomplete: true, MaxLength: 100},
	}},
}

var applicationCommands = []command{
	{Name: "applications", Subs: []command{
		{Name: "mine", Roles: placement.RoleStudent},
		{Name: "withdraw", Roles: placement.RoleStudent, Options: []option{
			{Name: "application", Type: discordgo.ApplicationCommandOptionString, Required: true, Autocomplete: true, MaxLength: 100},
			{Name: "reason", Type: discordgo.ApplicationCommandOptionString, MaxLength: 300},
		}},
		{Name: "review", Roles: appReviewers, Options: []option{
			{Name: "position", Type: discordgo.ApplicationCommandOptionString, Required: true, Autocomplete: true, MaxLength: 100},
		}},
	}},
}

// appReviewers may review applicants: mentors of the position's enterprise, and coordinators
// (who may reject); the service decides which applications each of them may touch.
const appReviewers = placement.RoleMentor | placement.RoleCoordinator

const (
	// appPageSize keeps a page of applications within Discord's five action rows: one row of
	// buttons per application and one for Previous/Next.
	appPageSize = 4
	// appApplyLimit is how many applications a member may send per minute, on top of the
	// router's limit on every interaction: applying notifies mentors, so bursts are spam.
	appApplyLimit = 5
	// motivationMin and motivationMax bound the motivation, as the service does.
	motivationMin, motivationMax = 20, 1000
	// appMaxPage bounds page numbers read from custom_ids, which the client controls.
	appMaxPage = 10000
)

// applicationHandlers serve /apply, /applications and the buttons and forms of applications.
type applicationHandlers struct {
	svc     *placement.Service
	limiter RateLimiter
}

// registerApplications adds the routes of applying, the student's applications and review.
func registerApplications(rs *Routes, d Deps) {
	h := applicationHandlers{svc: d.Service, limiter: d.Limiter}
	student := placement.RoleStudent

	rs.Command("/apply", student, h.applyCommand)
	rs.Autocomplete("/apply", student, h.applyAutocomplete)
	// The Apply button sits on position cards that other features send (some of them public):
	// it answers with a form and never edits the card.
	rs.Component("/apply/{positionID}", student, h.applyButton)
	rs.Modal("/apply/{positionID}/submit", student, h.applySubmit)

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
	rs.UpdateComponent("/application/{id}/withdraw", student, h.noteForm(placement.Withdrawn))
	rs.UpdateModal("/application/{id}/withdraw/submit", student, h.noteSubmit(placement.Withdrawn))

	rs.Command("/applications/review", appReviewers, h.review)
	rs.Autocomplete("/applications/review", appReviewers, h.reviewAutocomplete)
	rs.UpdateComponent("/applications/review/{positionID}/{page}", appReviewers, h.reviewPage)
	rs.UpdateComponent("/application/{id}/shortlist", appReviewers, h.decide(placement.Shortlisted))
	rs.UpdateComponent("/application/{id}/offer", appReviewers, h.decide(placement.Offered))
	rs.UpdateComponent("/application/{id}/reject", appReviewers, h.rejectForm)
	rs.UpdateModal("/application/{id}/reject/submit", appReviewers, h.rejectSubmit)
	// The profile opens beside the list, so the mentor keeps their place in it.
	rs.Component("/application/{id}/profile", appReviewers, h.profile)
}

// --- applying ---------------------------------------------------------------------------

func (h applicationHandlers) applyCommand(ctx context.Context, r *Request) (*Reply, error) {
	v, _ := r.String("position")
	id, ok := appParseID(strings.TrimSpace(v))
	if !ok {
		// The member typed a title without picking a suggestion: accept it when it names
		// exactly one position.
		ps, err := h.svc.SuggestPositions(ctx, r.Actor, v)
		if err != nil {
			return nil, err
		}
		if id, ok = appMatchTitle(v, appPositions(ps)); !ok {
			return nil, placement.Errorf(placement.ENOTFOUND, "err.position_not_found", nil)
		}
	}
	return h.applyForm(ctx, r, id)
}

func (h applicationHandlers) applyButton(ctx context.Context, r *Request) (*Reply, error) {
	id, err := appVarID(r, "positionID")
	if err != nil {
		return nil, err
	}
	return h.applyForm(ctx, r, id)
}

// applyAutocomplete suggests positions that take applications now, as "Title — Enterprise".
func (h applicationHandlers) applyAutocomplete(ctx context.Context, r *Request) (*Reply, error) {
	ps, err := h.svc.SuggestPositions(ctx, r.Actor, appFocused(r))
	if err != nil {
		return nil, err
	}
	now := h.svc.Now()
	choices := make([]*discordgo.ApplicationCommandOptionChoice, 0, len(ps))
	for _, p := range ps {
		if p.Open(now) && len(choices) < 25 {
			choices = append(choices, appChoice(p.Title+" — "+p.EnterpriseName, p.ID))
		}
	}
	return &Reply{Choices: choices}, nil
}

// applyForm opens the motivation form, after checking what can be checked before the student
// types anything: the position exists here, takes applications, and they haven't applied yet.
func (h applicationHandlers) applyForm(ctx context.Context, r *Request, id int64) (*Reply, error) {
	pos, err := h.svc.Position(ctx, r.Actor, id)
	if err != nil {
		return nil, err
	}
	if err := appApplyable(pos, h.svc.Now()); err != nil {
		return nil, err
	}
	mine, err := h.svc.MyApplications(ctx, r.Actor)
	if err != nil {
		return nil, err
	}
	for _, a := range mine {
		if a.PositionID == id {
			return nil, placement.Errorf(placement.ECONFLICT, "err.already_applied", nil)
		}
	}
	return &Reply{Modal: &Modal{
		CustomID: "/apply/" + appIDStr(id) + "/submit",
		Title:    r.T("apps.modal_title", map[string]any{"Title": appOneLine(pos.Title)}),
		Inputs: []discordgo.TextInput{{
			CustomID: "motivation", Label: Truncate(r.T("apps.motivation_label", nil), 45), Style: discordgo.TextInputParagraph,
			Placeholder: Truncate(r.T("apps.motivation_placeholder", nil), 100),
			Required:    true, MinLength: motivationMin, MaxLength: motivationMax,
		}},
	}}, nil
}

// appApplyable says why a position takes no applications now, if it doesn't.
func appApplyable(p placement.Position, now time.Time) error {
	switch {
	case p.Open(now):
		return nil
	case p.Status == placement.PositionClosed:
		return placement.Errorf(placement.ECONFLICT, "err.position_closed", nil)
	case p.SlotsLeft() == 0:
		return placement.Errorf(placement.ECONFLICT, "err.position_full", nil)
	}
	return placement.Errorf(placement.ECONFLICT, "err.deadline_passed", nil)
}

// applySubmit files the application. The position id comes from the custom_id, so it is only
// a claim: the service checks the position is in this guild and takes applications.
func (h applicationHandlers) applySubmit(ctx context.Context, r *Request) (*Reply, error) {
	id, err := appVarID(r, "positionID")
	if err != nil {
		return nil, err
	}
	if h.limiter != nil {
		ok, retry, err := h.limiter.Allow(ctx, "apply:"+r.Actor.GuildID+":"+r.Actor.UserID, redis.PerPeriod(appApplyLimit, time.Minute))
		// A limiter that can't be reached lets the application through: losing it would be
		// worse than a burst.
		if err == nil && !ok {
			secs := max(int(retry.Round(time.Second)/time.Second), 1)
			return nil, placement.Errorf(placement.ECONFLICT, "apps.err_rate_limited", map[string]any{"Seconds": secs})
		}
	}
	app, err := h.svc.Apply(ctx, r.Actor, id, r.ModalValue("motivation"))
	if err != nil {
		return nil, err
	}
	// The application is filed: from here on nothing may claim it failed.
	full, err := h.svc.Application(ctx, r.Actor, app.ID)
	if err != nil {
		full = placement.ApplicationWithEvents{Application: app}
	}
	reply := appStudentCard(r, full)
	reply.Content = r.T("apps.applied", map[string]any{"Title": appText(full.PositionTitle), "Enterprise": appText(full.EnterpriseName),
		"Status": r.T("status."+string(full.Status), nil), "Mine": slash(r, "/applications/mine")})
	return reply, nil
}

// --- the student's applications --------------------------------------------------------

func (h applicationHandlers) mine(ctx context.Context, r *Request) (*Reply, error) {
	return h.mineReply(ctx, r, 0)
}

func (h applicationHandlers) minePage(ctx context.Context, r *Request) (*Reply, error) {
	page, err := appVarPage(r)
	if err != nil {
		return nil, err
	}
	return h.mineReply(ctx, r, page)
}

// mineReply lists the student's applications newest first, a page at a time, each with its
// status, what comes next and its timeline, and numbered buttons for what they can do.
func (h applicationHandlers) mineReply(ctx context.Context, r *Request, page int) (*Reply, error) {
	apps, err := h.svc.MyApplications(ctx, r.Actor)
	if err != nil {
		return nil, err
	}
	if len(apps) == 0 {
		return &Reply{Content: r.T("apps.mine_empty", map[string]any{
			"Browse": slash(r, "/positions/browse"), "Recommended": slash(r, "/positions/recommended")})}, nil
	}
	page, pages, from, to := appPaging(len(apps), page)
	embed := &discordgo.MessageEmbed{
		Title:       r.T("apps.mine_title", map[string]any{"Count": len(apps)}),
		Description: r.T("apps.mine_hint", nil),
		Color:       appColor(apps[from].Status),
	}
	var rows []discordgo.MessageComponent
	for i := from; i < to; i++ {
		app := apps[i]
		n := i + 1
		embed.Fields = append(embed.Fields, &discordgo.MessageEmbedField{
			Name:  Truncate(strconv.Itoa(n)+" · "+appHeading(app.Application), 256),
			Value: Truncate(appStudentLines(r, app), 1024),
		})
		if buttons := appStudentButtons(r, app.Application, n); len(buttons) > 0 {
			rows = append(rows, discordgo.ActionsRow{Components: buttons})
		}
	}
	if pages > 1 {
		embed.Footer = &discordgo.MessageEmbedFooter{Text: r.T("apps.page", map[string]any{"Page": page + 1, "Pages": pages})}
		rows = append(rows, appPager(r, "/applications/mine/", page, pages))
	}
	return &Reply{Embeds: []*discordgo.MessageEmbed{embed}, Components: rows}, nil
}

// withdrawAutocomplete suggests the student's applications that can still be withdrawn.
func (h applicationHandlers) withdrawAutocomplete(ctx context.Context, r *Request) (*Reply, error) {
	apps, err := h.svc.MyApplications(ctx, r.Actor)
	if err != nil {
		return nil, err
	}
	typed := strings.ToLower(strings.TrimSpace(appFocused(r)))
	choices := make([]*discordgo.ApplicationCommandOptionChoice, 0, 25)
	for _, a := range apps {
		if a.Status.Final() || len(choices) == 25 {
			continue
		}
		name := a.PositionTitle + " — " + a.EnterpriseName
		if typed != "" && !strings.Contains(strings.ToLower(name), typed) {
			continue
		}
		choices = append(choices, appChoice(name+" ("+r.T("status."+string(a.Status), nil)+")", a.ID))
	}
	return &Reply{Choices: choices}, nil
}

// withdrawCommand withdraws the picked application at once: picking it in the command is the
// confirmation.
func (h applicationHandlers) withdrawCommand(ctx context.Context, r *Request) (*Reply, error) {
	v, _ := r.String("application")
	reason, _ := r.String("reason")
	id, ok := appParseID(strings.TrimSpace(v))
	if !ok {
		apps, err := h.svc.MyApplications(ctx, r.Actor)
		if err != nil {
			return nil, err
		}
		var open []appTitled
		for _, a := range apps {
			if !a.Status.Final() {
				open = append(open, appTitled{a.ID, a.PositionTitle})
			}
		}
		if len(open) == 0 {
			return &Reply{Content: r.T("apps.withdraw_none", map[string]any{"Mine": slash(r, "/applications/mine")})}, nil
		}
		if id, ok = appMatchTitle(v, open); !ok {
			return nil, placement.Errorf(placement.ENOTFOUND, "err.application_not_found", nil)
		}
	}
	app, err := h.svc.Withdraw(ctx, r.Actor, id, reason)
	if err != nil {
		return nil, err
	}
	return h.studentResult(ctx, r, app, "apps.withdrawn_note"), nil
}

func (h applicationHandlers) accept(ctx context.Context, r *Request) (*Reply, error) {
	id, err := appVarID(r, "id")
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
func (h applicationHandlers) noteForm(to placement.Status) Handler {
	verb := appVerb(to)
	return func(ctx context.Context, r *Request) (*Reply, error) {
		id, err := appVarID(r, "id")
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
			return appWithNote(appStudentCard(r, app), r.T("apps.already", appStatusData(r, to))), nil
		}
		if !placement.CanTransition(app.Status, to, placement.PartyStudent) {
			return nil, placement.Errorf(placement.ECONFLICT, "err.cannot_move", map[string]any{"From": string(app.Status), "To": string(to)})
		}
		return &Reply{Modal: &Modal{
			CustomID: "/application/" + appIDStr(id) + "/" + verb + "/submit",
			Title:    r.T("apps."+verb+"_title", nil),
			Inputs: []discordgo.TextInput{{
				CustomID: "reason", Label: Truncate(r.T("apps.note_label", nil), 45), Style: discordgo.TextInputParagraph,
				Placeholder: Truncate(r.T("apps."+verb+"_placeholder", nil), 100), Required: false, MaxLength: 300,
			}},
		}}, nil
	}
}

// noteSubmit declines or withdraws with the optional reason typed in the form.
func (h applicationHandlers) noteSubmit(to placement.Status) Handler {
	return func(ctx context.Context, r *Request) (*Reply, error) {
		id, err := appVarID(r, "id")
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
func (h applicationHandlers) studentResult(ctx context.Context, r *Request, app placement.Application, noteKey string) *Reply {
	full, err := h.svc.Application(ctx, r.Actor, app.ID)
	if err != nil {
		full = placement.ApplicationWithEvents{Application: app}
	}
	note := r.T(noteKey, map[string]any{"Title": appText(full.PositionTitle)})
	return appWithNote(appStudentCard(r, full), note)
}

func (h applicationHandlers) studentCardFor(_ context.Context, r *Request, app placement.ApplicationWithEvents) (*Reply, error) {
	return appStudentCard(r, app), nil
}

// repeated turns a refused change into a refreshed card when the application already has the
// status the button asked for: a double click, a retry, or the same card open twice. Any other
// refusal is the service's answer, shown as it is.
func (h applicationHandlers) repeated(ctx context.Context, r *Request, id int64, to placement.Status, err error,
	card func(context.Context, *Request, placement.ApplicationWithEvents) (*Reply, error)) (*Reply, error) {
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
	return appWithNote(reply, r.T("apps.already", appStatusData(r, to))), nil
}

// appStudentCard is one application as its student sees it, with the buttons for what they
// can do now and a way back to the list.
func appStudentCard(r *Request, app placement.ApplicationWithEvents) *Reply {
	desc := appStudentLines(r, app)
	if app.Motivation != "" {
		desc += "\n\n**" + r.T("apps.your_motivation", nil) + "**\n" + appQuote(Truncate(app.Motivation, 600))
	}
	embed := &discordgo.MessageEmbed{
		Title:       Truncate(appHeading(app.Application), 256),
		Description: Truncate(desc, 4096),
		Color:       appColor(app.Status),
		Footer:      &discordgo.MessageEmbedFooter{Text: r.T("apps.footer", map[string]any{"ID": app.ID})},
	}
	buttons := appStudentButtons(r, app.Application, 0)
	buttons = append(buttons, discordgo.Button{Label: Truncate(r.T("apps.back_mine", nil), 80), Style: discordgo.SecondaryButton, CustomID: "/applications/mine/0"})
	return &Reply{Embeds: []*discordgo.MessageEmbed{embed}, Components: []discordgo.MessageComponent{discordgo.ActionsRow{Components: buttons}}}
}

// appStudentLines: status and next step, timeline, and the reason when there is one.
func appStudentLines(r *Request, app placement.ApplicationWithEvents) string {
	var b strings.Builder
	b.WriteString(appStatus(r, app.Status))
	if !app.Status.Final() || app.Status == placement.Approved {
		b.WriteString(" — " + r.T("apps.next."+string(app.Status), nil))
	}
	b.WriteString("\n" + r.T("apps.timeline", map[string]any{"Timeline": appTimeline(r, app)}))
	if app.Reason != "" {
		switch app.Status {
		case placement.Rejected:
			b.WriteString("\n" + r.T("apps.reason_rejected", map[string]any{"Reason": appText(app.Reason)}))
		case placement.Declined, placement.Withdrawn:
			b.WriteString("\n" + r.T("apps.reason_yours", map[string]any{"Reason": appText(app.Reason)}))
		}
	}
	return b.String()
}

// appStudentButtons are the student's answers to one application: Accept and Decline for an
// offer, Withdraw while it is still open. n numbers them after the list's entries (0: none).
func appStudentButtons(r *Request, app placement.Application, n int) []discordgo.MessageComponent {
	var out []discordgo.MessageComponent
	add := func(verb string, style discordgo.ButtonStyle) {
		out = append(out, discordgo.Button{Label: appButtonLabel(r, verb, n), Style: style, CustomID: "/application/" + appIDStr(app.ID) + "/" + verb})
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

// --- shared rendering and parsing -------------------------------------------------------

var appStatusEmoji = map[placement.Status]string{
	placement.Submitted: "📨", placement.Shortlisted: "⭐", placement.Offered: "🎉", placement.Accepted: "✅",
	placement.Approved: "🏁", placement.Withdrawn: "↩️", placement.Rejected: "❌", placement.Declined: "🚫", placement.Expired: "⌛",
}

// appColor tints an embed by status: blue while waiting, green for good news, grey when over.
func appColor(st placement.Status) int {
	switch st {
	case placement.Offered, placement.Accepted, placement.Approved:
		return 0x2ECC71
	case placement.Submitted, placement.Shortlisted:
		return 0x3498DB
	}
	return 0x95A5A6
}

// appStatus is a status as the member reads it: emoji and localized word in bold.
func appStatus(r *Request, st placement.Status) string {
	return appStatusEmoji[st] + " **" + r.T("status."+string(st), nil) + "**"
}

func appStatusData(r *Request, st placement.Status) map[string]any {
	return map[string]any{"Status": r.T("status."+string(st), nil)}
}

// appHeading names an application by its position and enterprise.
func appHeading(app placement.Application) string {
	return appText(app.PositionTitle) + " — " + appText(app.EnterpriseName)
}

// appTimeline is the application's history in one line: each change with its date, the date
// written once for changes on the same day.
func appTimeline(r *Request, app placement.ApplicationWithEvents) string {
	evs := app.Events
	if len(evs) == 0 {
		evs = []placement.Event{{To: placement.Submitted, At: app.CreatedAt}}
	}
	parts := make([]string, 0, len(evs))
	last := ""
	for _, e := range evs {
		s := r.T("status."+string(e.To), nil)
		if day := e.At.UTC().Format(placement.DateLayout); day != last && !e.At.IsZero() {
			s = day + " " + s
			last = day
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " → ")
}

// appButtonLabel is a button's label, numbered after the list entry it acts on.
func appButtonLabel(r *Request, verb string, n int) string {
	label := r.T("apps.btn_"+verb, nil)
	if n > 0 {
		label += " #" + strconv.Itoa(n)
	}
	return Truncate(label, 80)
}

// appPager is the Previous/Next row of a list of two pages or more (so the two custom_ids
// differ, as Discord requires); page n's custom_id is prefix + n.
func appPager(r *Request, prefix string, page, pages int) discordgo.ActionsRow {
	return discordgo.ActionsRow{Components: []discordgo.MessageComponent{
		discordgo.Button{Label: r.T("apps.prev", nil), Style: discordgo.SecondaryButton, CustomID: prefix + strconv.Itoa(max(page-1, 0)), Disabled: page == 0},
		discordgo.Button{Label: r.T("apps.next", nil), Style: discordgo.SecondaryButton, CustomID: prefix + strconv.Itoa(min(page+1, pages-1)), Disabled: page >= pages-1},
	}}
}

// appPaging clamps page to the list and returns the page, the page count and the slice bounds.
func appPaging(n, page int) (int, int, int, int) {
	pages := max((n+appPageSize-1)/appPageSize, 1)
	page = min(max(page, 0), pages-1)
	from := page * appPageSize
	return page, pages, from, min(from+appPageSize, n)
}

// appWithNote puts a line on top of a card.
func appWithNote(reply *Reply, note string) *Reply {
	reply.Content = Truncate(note, 2000)
	return reply
}

func appChoice(name string, id int64) *discordgo.ApplicationCommandOptionChoice {
	return &discordgo.ApplicationCommandOptionChoice{Name: Truncate(appOneLine(name), 100), Value: appIDStr(id)}
}

// appFocused is the text being typed in an autocomplete option.
func appFocused(r *Request) string {
	if f := r.Focused(); f != nil {
		if s, ok := f.Value.(string); ok {
			return s
		}
	}
	return ""
}

// appTitled is something a member picks by its title.
type appTitled struct {
	ID    int64
	Title string
}

// appPositions lists positions by title, to match what a member typed.
func appPositions(ps []placement.Position) []appTitled {
	out := make([]appTitled, len(ps))
	for i, p := range ps {
		out[i] = appTitled{p.ID, p.Title}
	}
	return out
}

// appMatchTitle finds the one item a typed title names: an exact title (ignoring case), or
// else the only title containing the text.
func appMatchTitle(typed string, items []appTitled) (int64, bool) {
	typed = strings.ToLower(strings.TrimSpace(typed))
	if typed == "" {
		return 0, false
	}
	var exact, partial []int64
	for _, p := range items {
		t := strings.ToLower(p.Title)
		switch {
		case t == typed:
			exact = append(exact, p.ID)
		case strings.Contains(t, typed):
			partial = append(partial, p.ID)
		}
	}
	switch {
	case len(exact) == 1:
		return exact[0], true
	case len(exact) == 0 && len(partial) == 1:
		return partial[0], true
	}
	return 0, false
}

// appParseID reads an id: anything but a positive decimal number, digits only, is not one.
func appParseID(s string) (int64, bool) {
	if s == "" || len(s) > 19 || strings.TrimLeft(s, "0123456789") != "" {
		return 0, false
	}
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id > 0
}

// appVarID reads an id from the custom_id; a forged or mangled one is a stale component.
func appVarID(r *Request, name string) (int64, error) {
	id, ok := appParseID(r.Vars[name])
	if !ok {
		return 0, placement.Errorf(placement.EINVALID, "err.stale_component", nil)
	}
	return id, nil
}

// appVarPage reads a page number from the custom_id.
func appVarPage(r *Request) (int, error) {
	p, err := strconv.Atoi(r.Vars["page"])
	if err != nil || p < 0 || p > appMaxPage || strconv.Itoa(p) != r.Vars["page"] {
		return 0, placement.Errorf(placement.EINVALID, "err.stale_component", nil)
	}
	return p, nil
}

func appIDStr(id int64) string { return strconv.FormatInt(id, 10) }

// appVerb is the custom_id word of the student's change.
func appVerb(to placement.Status) string {
	if to == placement.Declined {
		return "decline"
	}
	return "withdraw"
}

// appMarkdown escapes the characters that would make user text bold, italic, struck, a quote,
// a code span, a spoiler, a link or a mention, so titles and motivations read as typed.
var appMarkdown = strings.NewReplacer(
	`\`, `\\`, "*", `\*`, "_", `\_`, "~", `\~`, "`", "\\`", "|", `\|`, ">", `\>`, "<", `\<`,
	"[", `\[`, "]", `\]`, "#", `\#`,
	// A zero-width space after @ keeps @everyone and @here from reading as mentions anywhere,
	// allowed mentions aside.
	"@", "@\u200b",
)

// appText is user text made safe for one line of a message: markdown escaped, line breaks
// folded, and a leading list marker escaped.
func appText(s string) string {
	s = appMarkdown.Replace(appOneLine(s))
	if strings.HasPrefix(s, "-") || strings.HasPrefix(s, "+") {
		s = `\` + s
	}
	return s
}

// appQuote shows user text as a quote block, line breaks kept.
func appQuote(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i, l := range lines {
		lines[i] = "> " + appText(l)
	}
	return strings.Join(lines, "\n")
}

// appOneLine folds line breaks and runs of spaces into single spaces.
func appOneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
