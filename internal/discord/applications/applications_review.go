package applications

import (
	"context"
	"strconv"
	"strings"

	"github.com/bwmarrin/discordgo"

	"placementbot/internal/discord"
	"placementbot/internal/discord/ui"
	"placementbot/internal/placement"
)

// review opens the applicants of a position, best fit first.
func (h handlers) review(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	v, _ := r.String("position")
	id, ok := ui.ParseID(v)
	if !ok {
		ps, err := h.reviewCandidates(ctx, r, v)
		if err != nil {
			return nil, err
		}
		if id, ok = ui.MatchTitle(v, ui.PositionTitles(ps)); !ok {
			return nil, placement.Errorf(placement.ENOTFOUND, "err.position_not_found", nil)
		}
	}
	return h.reviewReply(ctx, r, id, 0)
}

// reviewCandidates are the positions a member may review whose title contains typed: their
// enterprises' for a mentor, any position for a coordinator.
func (h handlers) reviewCandidates(ctx context.Context, r *discord.Request, typed string) ([]placement.Position, error) {
	if !r.Actor.Is(placement.RoleMentor) {
		return h.svc.SuggestPositions(ctx, r.Actor, typed)
	}
	ps, err := h.svc.MyPositions(ctx, r.Actor)
	if err != nil {
		return nil, err
	}
	typed = strings.ToLower(strings.TrimSpace(typed))
	out := ps[:0:0]
	for _, p := range ps {
		if strings.Contains(strings.ToLower(p.Title), typed) {
			out = append(out, p)
		}
	}
	return out, nil
}

func (h handlers) reviewAutocomplete(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	ps, err := h.reviewCandidates(ctx, r, r.FocusedText())
	if err != nil {
		return nil, err
	}
	choices := make([]*discordgo.ApplicationCommandOptionChoice, 0, len(ps))
	for _, p := range ps {
		choices = append(choices, ui.Choice(p.Title+" — "+p.EnterpriseName, p.ID))
	}
	return &discord.Reply{Choices: choices}, nil
}

func (h handlers) reviewPage(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	id, err := ui.VarID(r.Vars, "positionID")
	if err != nil {
		return nil, err
	}
	page, err := ui.VarInt(r.Vars, "page", maxPage)
	if err != nil {
		return nil, err
	}
	return h.reviewReply(ctx, r, id, page)
}

// reviewReply is one page of a position's applicants: each with status, fit, profile summary
// and motivation, and a numbered row of buttons to answer them.
func (h handlers) reviewReply(ctx context.Context, r *discord.Request, positionID int64, page int) (*discord.Reply, error) {
	pos, apps, err := h.svc.Applicants(ctx, r.Actor, positionID)
	if err != nil {
		return nil, err
	}
	open := 0
	for _, a := range apps {
		if a.Status.Open() {
			open++
		}
	}
	desc := r.T("apps.review_summary", map[string]any{"Enterprise": ui.OneLine(pos.EnterpriseName), "Count": len(apps), "Open": open,
		"Left": pos.SlotsLeft(), "Slots": pos.Slots})
	if len(apps) == 0 {
		desc += "\n\n" + r.T("apps.review_empty", nil)
	} else {
		desc += "\n" + r.T("apps.review_hint", nil)
	}
	embed := &discordgo.MessageEmbed{
		Title:       r.T("apps.review_title", map[string]any{"Title": ui.OneLine(pos.Title)}),
		Description: desc,
		Color:       0x3498DB,
	}
	page, pages, from, to := ui.Paging(len(apps), pageSize, page)
	var rows []discordgo.MessageComponent
	for i := from; i < to; i++ {
		ap := apps[i]
		embed.Fields = append(embed.Fields, &discordgo.MessageEmbedField{
			Name:  "#" + ui.FormatID(ap.ID) + " · " + ui.StatusEmoji[ap.Status] + " " + r.T("status."+string(ap.Status), nil) + " · " + fit(r, ap),
			Value: applicantLines(r, pos, ap),
		})
		rows = append(rows, ui.Row(reviewButtons(r, pos, ap.Application, ap.ID)...))
	}
	if pages > 1 {
		embed.Footer = &discordgo.MessageEmbedFooter{Text: r.T("apps.page", map[string]any{"Page": page + 1, "Pages": pages})}
		rows = append(rows, pageButtons(r, "/applications/review/"+ui.FormatID(pos.ID)+"/", page, pages))
	}
	return &discord.Reply{Embeds: []*discordgo.MessageEmbed{embed}, Components: rows}, nil
}

// decide shortlists or offers, then shows the applicant's card with the new status.
func (h handlers) decide(to placement.Status) discord.Handler {
	return func(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
		id, err := ui.VarID(r.Vars, "id")
		if err != nil {
			return nil, err
		}
		if to == placement.Offered {
			_, err = h.svc.Offer(ctx, r.Actor, id)
		} else {
			_, err = h.svc.Shortlist(ctx, r.Actor, id)
		}
		if err != nil {
			return h.repeated(ctx, r, id, to, err, h.applicantCard)
		}
		return h.applicantResult(ctx, r, id, "apps."+string(to)+"_note"), nil
	}
}

// rejectForm asks for the reason the student will read, once it is clear the member may
// reject this application and it can still be rejected.
func (h handlers) rejectForm(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	id, err := ui.VarID(r.Vars, "id")
	if err != nil {
		return nil, err
	}
	app, err := h.svc.Application(ctx, r.Actor, id)
	if err != nil {
		return nil, err
	}
	party, err := reviewParty(r.Actor, app.EnterpriseID)
	if err != nil {
		return nil, err
	}
	if app.Status == placement.Rejected {
		reply, err := h.applicantCard(ctx, r, app)
		if err != nil {
			return nil, err
		}
		return withNote(reply, r.T("apps.already", statusData(r, placement.Rejected))), nil
	}
	if !placement.CanTransition(app.Status, placement.Rejected, party) {
		return nil, placement.Errorf(placement.ECONFLICT, "err.cannot_move", map[string]any{"From": string(app.Status), "To": string(placement.Rejected)})
	}
	return &discord.Reply{Modal: &discord.Modal{
		CustomID: "/application/" + ui.FormatID(id) + "/reject/submit",
		Title:    r.T("apps.reject_title", nil),
		Inputs:   []discordgo.TextInput{ui.ReasonInput(r.T("apps.reject_label", nil), r.T("apps.reject_placeholder", nil))},
	}}, nil
}

func (h handlers) rejectSubmit(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	id, err := ui.VarID(r.Vars, "id")
	if err != nil {
		return nil, err
	}
	if _, err := h.svc.Reject(ctx, r.Actor, id, r.ModalValue("reason")); err != nil {
		return h.repeated(ctx, r, id, placement.Rejected, err, h.applicantCard)
	}
	return h.applicantResult(ctx, r, id, "apps.rejected_note"), nil
}

// profile shows the applicant's full profile and motivation in a message of its own.
func (h handlers) profile(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	id, err := ui.VarID(r.Vars, "id")
	if err != nil {
		return nil, err
	}
	app, err := h.svc.Application(ctx, r.Actor, id)
	if err != nil {
		return nil, err
	}
	if _, err := reviewParty(r.Actor, app.EnterpriseID); err != nil {
		return nil, err
	}
	p, err := h.svc.Profile(ctx, r.Actor, app.StudentID)
	found := err == nil
	if err != nil && placement.ErrorCode(err) != placement.ENOTFOUND {
		return nil, err
	}
	embed := ui.ProfileCard(r, p, ui.Markup(r.T("apps.profile_name", map[string]any{"Title": ui.OneLine(app.PositionTitle)})))
	if !found {
		embed.Description = "<@" + app.StudentID + ">\n" + r.T("apps.profile_none", nil)
		embed.Fields = nil
	}
	// The motivation comes last, so it is what the message's limits cut first.
	embed.Fields = append(embed.Fields, &discordgo.MessageEmbedField{Name: r.T("field.motivation", nil), Value: string(ui.Quote(app.Motivation))})
	return &discord.Reply{Embeds: []*discordgo.MessageEmbed{embed}}, nil
}

// applicantResult shows the applicant's card after the mentor's decision, with the decision on
// top. The decision is made: a failure to reload shows the note alone rather than an error.
func (h handlers) applicantResult(ctx context.Context, r *discord.Request, id int64, noteKey string) *discord.Reply {
	note := r.T(noteKey, nil)
	app, err := h.svc.Application(ctx, r.Actor, id)
	if err == nil {
		var reply *discord.Reply
		if reply, err = h.applicantCard(ctx, r, app); err == nil {
			return withNote(reply, note)
		}
	}
	return &discord.Reply{Content: note + "\n" + r.T("apps.refresh_failed", map[string]any{"Cmd": ui.Markup(r.Slash("/applications/review"))})}
}

// applicantCard is one applicant in full, numbered by their rank among the position's
// applicants, with the buttons to answer them and the way back to their page of the list.
func (h handlers) applicantCard(ctx context.Context, r *discord.Request, app placement.ApplicationWithEvents) (*discord.Reply, error) {
	pos, apps, err := h.svc.Applicants(ctx, r.Actor, app.PositionID)
	if err != nil {
		return nil, err
	}
	idx := -1
	for i := range apps {
		if apps[i].ID == app.ID {
			idx = i
		}
	}
	if idx < 0 {
		return nil, placement.Errorf(placement.ENOTFOUND, "err.application_not_found", nil)
	}
	ap := apps[idx]
	fields := []*discordgo.MessageEmbedField{
		{Name: r.T("apps.field_status", nil), Value: string(ui.Status(r, ap.Status)), Inline: true},
		{Name: r.T("apps.field_fit", nil), Value: score(ap) + "\n" + skills(r, pos, ap), Inline: true},
		{Name: r.T("apps.field_profile", nil), Value: profileLine(r, ap.Profile)},
		{Name: r.T("field.motivation", nil), Value: string(ui.Quote(ap.Motivation))},
		{Name: r.T("apps.field_timeline", nil), Value: string(ui.Timeline(r, app))},
	}
	if ap.Status == placement.Rejected && ap.Reason != "" {
		fields = append(fields, &discordgo.MessageEmbedField{Name: r.T("field.reason", nil), Value: ui.Escape(ap.Reason)})
	}
	embed := &discordgo.MessageEmbed{
		Title:       r.T("apps.applicant_title", map[string]any{"N": ap.ID, "Title": ui.OneLine(pos.Title)}),
		Description: "<@" + ap.StudentID + ">",
		Color:       ui.StatusColor(ap.Status),
		Fields:      fields,
		Footer:      &discordgo.MessageEmbedFooter{Text: r.T("apps.footer", map[string]any{"ID": ap.ID})},
	}
	buttons := reviewButtons(r, pos, ap.Application, 0)
	buttons = append(buttons, discordgo.Button{Label: r.T("apps.back_review", nil), Style: discordgo.SecondaryButton,
		CustomID: "/applications/review/" + ui.FormatID(pos.ID) + "/" + strconv.Itoa(idx/pageSize)})
	return &discord.Reply{Embeds: []*discordgo.MessageEmbed{embed}, Components: []discordgo.MessageComponent{ui.Row(buttons...)}}, nil
}

// reviewParty is who the member acts as on an application of the enterprise: its mentor, or
// a coordinator (who may only reject); the service makes the same decision.
func reviewParty(a placement.Actor, enterpriseID int64) (placement.Party, error) {
	switch {
	case a.MentorsFor(enterpriseID):
		return placement.PartyMentor, nil
	case a.Is(placement.RoleCoordinator):
		return placement.PartyCoordinator, nil
	}
	return 0, placement.Errorf(placement.EFORBIDDEN, "err.not_your_position", nil)
}

// reviewButtons are the answers the member may give an applicant now, and their profile;
// id numbers them after the application they act on (0: none). Offer is disabled, saying
// why, when the position has no slot left.
func reviewButtons(r *discord.Request, pos placement.Position, app placement.Application, id int64) []discordgo.MessageComponent {
	var out []discordgo.MessageComponent
	add := func(verb string, style discordgo.ButtonStyle) {
		b := discordgo.Button{Label: buttonLabel(r, verb, id), Style: style, CustomID: "/application/" + ui.FormatID(app.ID) + "/" + verb}
		// An offer takes a slot: with none left, the button says so and can't be pressed.
		if verb == "offer" && pos.SlotsLeft() == 0 {
			b.Label, b.Disabled = ui.Numbered(r.T("apps.btn_offer_full", nil), int(id)), true
		}
		out = append(out, b)
	}
	if party, err := reviewParty(r.Actor, pos.EnterpriseID); err == nil {
		for _, b := range []struct {
			to    placement.Status
			verb  string
			style discordgo.ButtonStyle
		}{
			{placement.Shortlisted, "shortlist", discordgo.PrimaryButton},
			{placement.Offered, "offer", discordgo.SuccessButton},
			{placement.Rejected, "reject", discordgo.DangerButton},
		} {
			if placement.CanTransition(app.Status, b.to, party) {
				add(b.verb, b.style)
			}
		}
	}
	add("profile", discordgo.SecondaryButton)
	return out
}

// fit is the applicant's fit score as the list shows it.
func fit(r *discord.Request, ap placement.RankedApplicant) string {
	return r.T("apps.fit", map[string]any{"Score": score(ap)})
}

// score is the fit score with one decimal.
func score(ap placement.RankedApplicant) string {
	return strconv.FormatFloat(ap.Fit.Score, 'f', 1, 64)
}

// skills says which of the position's skills the applicant has.
func skills(r *discord.Request, pos placement.Position, ap placement.RankedApplicant) string {
	switch {
	case len(pos.Skills) == 0:
		return r.T("apps.no_skills_asked", nil)
	case len(ap.Fit.Matched) == 0:
		return r.T("apps.no_skills_matched", nil)
	}
	return r.T("apps.skills_matched", map[string]any{"Skills": strings.Join(ap.Fit.Matched, ", "), "N": len(ap.Fit.Matched), "Of": len(pos.Skills)})
}

// profileLine summarizes a profile in one line: program, cohort and availability.
func profileLine(r *discord.Request, p placement.Profile) string {
	if p.UserID == "" {
		return r.T("apps.no_profile", nil)
	}
	parts := []string{ui.Escape(ui.OneLine(p.Program))}
	if p.Cohort != "" {
		parts = append(parts, ui.Escape(ui.OneLine(p.Cohort)))
	}
	if !p.AvailableFrom.IsZero() && !p.AvailableTo.IsZero() {
		parts = append(parts, r.T("apps.available", map[string]any{
			"From": p.AvailableFrom.Format(placement.DateLayout), "To": p.AvailableTo.Format(placement.DateLayout)}))
	}
	return strings.Join(parts, " · ")
}

// applicantLines is an applicant in the list: who, profile, matched skills and the start of
// their motivation.
func applicantLines(r *discord.Request, pos placement.Position, ap placement.RankedApplicant) string {
	lines := []string{
		"<@" + ap.StudentID + "> · " + profileLine(r, ap.Profile),
		skills(r, pos, ap),
		"> " + ui.Escape(ui.Truncate(ui.OneLine(ap.Motivation), 200)),
	}
	if ap.Status == placement.Rejected && ap.Reason != "" {
		lines = append(lines, r.T("apps.reason_rejected", map[string]any{"Reason": ui.Truncate(ui.OneLine(ap.Reason), 150)}))
	}
	return strings.Join(lines, "\n")
}
