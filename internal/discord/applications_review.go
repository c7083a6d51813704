package discord

import (
	"context"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"placementbot/internal/placement"
)

// review opens the applicants of a position, best fit first.
func (h applicationHandlers) review(ctx context.Context, r *Request) (*Reply, error) {
	v, _ := r.String("position")
	id, ok := appParseID(strings.TrimSpace(v))
	if !ok {
		ps, err := h.reviewCandidates(ctx, r, v)
		if err != nil {
			return nil, err
		}
		if id, ok = appMatchTitle(v, appPositions(ps)); !ok {
			return nil, placement.Errorf(placement.ENOTFOUND, "err.position_not_found", nil)
		}
	}
	return h.reviewReply(ctx, r, id, 0)
}

// reviewCandidates are the positions a member may review whose title contains typed: their
// enterprises' for a mentor, any position for a coordinator.
func (h applicationHandlers) reviewCandidates(ctx context.Context, r *Request, typed string) ([]placement.Position, error) {
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

func (h applicationHandlers) reviewAutocomplete(ctx context.Context, r *Request) (*Reply, error) {
	ps, err := h.reviewCandidates(ctx, r, appFocused(r))
	if err != nil {
		return nil, err
	}
	choices := make([]*discordgo.ApplicationCommandOptionChoice, 0, len(ps))
	for _, p := range ps {
		if len(choices) < 25 {
			choices = append(choices, appChoice(p.Title+" — "+p.EnterpriseName, p.ID))
		}
	}
	return &Reply{Choices: choices}, nil
}

func (h applicationHandlers) reviewPage(ctx context.Context, r *Request) (*Reply, error) {
	id, err := appVarID(r, "positionID")
	if err != nil {
		return nil, err
	}
	page, err := appVarPage(r)
	if err != nil {
		return nil, err
	}
	return h.reviewReply(ctx, r, id, page)
}

// reviewReply is one page of a position's applicants: each with status, fit, profile summary
// and motivation, and a numbered row of buttons to answer them.
func (h applicationHandlers) reviewReply(ctx context.Context, r *Request, positionID int64, page int) (*Reply, error) {
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
	desc := r.T("apps.review_summary", map[string]any{"Enterprise": appText(pos.EnterpriseName), "Count": len(apps), "Open": open,
		"Left": pos.SlotsLeft(), "Slots": pos.Slots})
	if len(apps) == 0 {
		desc += "\n\n" + r.T("apps.review_empty", nil)
	} else {
		desc += "\n" + r.T("apps.review_hint", nil)
	}
	embed := &discordgo.MessageEmbed{
		Title:       Truncate(r.T("apps.review_title", map[string]any{"Title": appText(pos.Title)}), 256),
		Description: Truncate(desc, 4096),
		Color:       0x3498DB,
	}
	page, pages, from, to := appPaging(len(apps), page)
	var rows []discordgo.MessageComponent
	for i := from; i < to; i++ {
		ap := apps[i]
		embed.Fields = append(embed.Fields, &discordgo.MessageEmbedField{
			Name:  Truncate("#"+strconv.Itoa(i+1)+" · "+appStatusEmoji[ap.Status]+" "+r.T("status."+string(ap.Status), nil)+" · "+appFit(r, ap), 256),
			Value: Truncate(appApplicantLines(r, pos, ap), 1024),
		})
		rows = append(rows, discordgo.ActionsRow{Components: appReviewButtons(r, pos, ap.Application, i+1)})
	}
	if pages > 1 {
		embed.Footer = &discordgo.MessageEmbedFooter{Text: r.T("apps.page", map[string]any{"Page": page + 1, "Pages": pages})}
		rows = append(rows, appPager(r, "/applications/review/"+appIDStr(pos.ID)+"/", page, pages))
	}
	return &Reply{Embeds: []*discordgo.MessageEmbed{embed}, Components: rows}, nil
}

// decide shortlists or offers, then shows the applicant's card with the new status.
func (h applicationHandlers) decide(to placement.Status) Handler {
	return func(ctx context.Context, r *Request) (*Reply, error) {
		id, err := appVarID(r, "id")
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
func (h applicationHandlers) rejectForm(ctx context.Context, r *Request) (*Reply, error) {
	id, err := appVarID(r, "id")
	if err != nil {
		return nil, err
	}
	app, err := h.svc.Application(ctx, r.Actor, id)
	if err != nil {
		return nil, err
	}
	party, err := appReviewParty(r.Actor, app.EnterpriseID)
	if err != nil {
		return nil, err
	}
	if app.Status == placement.Rejected {
		reply, err := h.applicantCard(ctx, r, app)
		if err != nil {
			return nil, err
		}
		return appWithNote(reply, r.T("apps.already", appStatusData(r, placement.Rejected))), nil
	}
	if !placement.CanTransition(app.Status, placement.Rejected, party) {
		return nil, placement.Errorf(placement.ECONFLICT, "err.cannot_move", map[string]any{"From": string(app.Status), "To": string(placement.Rejected)})
	}
	return rejectReasonForm("/application/"+appIDStr(id)+"/reject/submit", r.T("apps.reject_title", nil),
		r.T("apps.reject_label", nil), r.T("apps.reject_placeholder", nil)), nil
}

// rejectReasonForm asks for the reason of a rejection, which the student reads: required,
// 3 to 300 characters, as the service demands.
func rejectReasonForm(customID, title, label, placeholder string) *Reply {
	return &Reply{Modal: &Modal{
		CustomID: customID,
		Title:    title,
		Inputs: []discordgo.TextInput{{
			CustomID: "reason", Label: Truncate(label, 45), Style: discordgo.TextInputParagraph,
			Placeholder: Truncate(placeholder, 100), Required: true, MinLength: 3, MaxLength: 300,
		}},
	}}
}

func (h applicationHandlers) rejectSubmit(ctx context.Context, r *Request) (*Reply, error) {
	id, err := appVarID(r, "id")
	if err != nil {
		return nil, err
	}
	if _, err := h.svc.Reject(ctx, r.Actor, id, r.ModalValue("reason")); err != nil {
		return h.repeated(ctx, r, id, placement.Rejected, err, h.applicantCard)
	}
	return h.applicantResult(ctx, r, id, "apps.rejected_note"), nil
}

// profile shows the applicant's full profile and motivation in a message of its own.
func (h applicationHandlers) profile(ctx context.Context, r *Request) (*Reply, error) {
	id, err := appVarID(r, "id")
	if err != nil {
		return nil, err
	}
	app, err := h.svc.Application(ctx, r.Actor, id)
	if err != nil {
		return nil, err
	}
	if _, err := appReviewParty(r.Actor, app.EnterpriseID); err != nil {
		return nil, err
	}
	p, err := h.svc.Profile(ctx, r.Actor, app.StudentID)
	found := err == nil
	if err != nil && placement.ErrorCode(err) != placement.ENOTFOUND {
		return nil, err
	}
	embed := profileEmbed(r, p, r.T("apps.profile_name", map[string]any{"Title": appOneLine(app.PositionTitle)}))
	if !found {
		embed.Description = "<@" + app.StudentID + ">\n" + r.T("apps.profile_none", nil)
		embed.Fields = nil
	}
	room := 6000 - appEmbedLen(embed) - 64
	embed.Fields = append(embed.Fields, &discordgo.MessageEmbedField{
		Name: r.T("field.motivation", nil), Value: Truncate(appQuote(app.Motivation), min(1024, room)),
	})
	return &Reply{Embeds: []*discordgo.MessageEmbed{embed}}, nil
}

// applicantResult shows the applicant's card after the mentor's decision, with the decision on
// top. The decision is made: a failure to reload shows the note alone rather than an error.
func (h applicationHandlers) applicantResult(ctx context.Context, r *Request, id int64, noteKey string) *Reply {
	note := r.T(noteKey, nil)
	app, err := h.svc.Application(ctx, r.Actor, id)
	if err == nil {
		var reply *Reply
		if reply, err = h.applicantCard(ctx, r, app); err == nil {
			return appWithNote(reply, note)
		}
	}
	return &Reply{Content: note + "\n" + r.T("apps.refresh_failed", map[string]any{"Cmd": slash(r, "/applications/review")})}
}

// applicantCard is one applicant in full, numbered by their rank among the position's
// applicants, with the buttons to answer them and the way back to their page of the list.
func (h applicationHandlers) applicantCard(ctx context.Context, r *Request, app placement.ApplicationWithEvents) (*Reply, error) {
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
		{Name: r.T("apps.field_status", nil), Value: appStatus(r, ap.Status), Inline: true},
		{Name: r.T("apps.field_fit", nil), Value: Truncate(appScore(ap)+"\n"+appSkills(r, pos, ap), 1024), Inline: true},
		{Name: r.T("apps.field_profile", nil), Value: Truncate(appProfileLine(r, ap.Profile), 1024)},
		{Name: r.T("field.motivation", nil), Value: Truncate(appQuote(ap.Motivation), 1024)},
		{Name: r.T("apps.field_timeline", nil), Value: Truncate(appTimeline(r, app), 1024)},
	}
	if ap.Status == placement.Rejected && ap.Reason != "" {
		fields = append(fields, &discordgo.MessageEmbedField{Name: r.T("field.reason", nil), Value: Truncate(appText(ap.Reason), 1024)})
	}
	embed := &discordgo.MessageEmbed{
		Title:       Truncate(r.T("apps.applicant_title", map[string]any{"N": idx + 1, "Title": appText(pos.Title)}), 256),
		Description: "<@" + ap.StudentID + ">",
		Color:       appColor(ap.Status),
		Fields:      fields,
		Footer:      &discordgo.MessageEmbedFooter{Text: r.T("apps.footer", map[string]any{"ID": ap.ID})},
	}
	buttons := appReviewButtons(r, pos, ap.Application, 0)
	buttons = append(buttons, discordgo.Button{Label: Truncate(r.T("apps.back_review", nil), 80), Style: discordgo.SecondaryButton,
		CustomID: "/applications/review/" + appIDStr(pos.ID) + "/" + strconv.Itoa(idx/appPageSize)})
	return &Reply{Embeds: []*discordgo.MessageEmbed{embed}, Components: []discordgo.MessageComponent{discordgo.ActionsRow{Components: buttons}}}, nil
}

// appReviewParty is who the member acts as on an application of the enterprise: its mentor,
// or a coordinator (who may only reject); the service makes the same decision.
func appReviewParty(a placement.Actor, enterpriseID int64) (placement.Party, error) {
	switch {
	case a.MentorsFor(enterpriseID):
		return placement.PartyMentor, nil
	case a.Is(placement.RoleCoordinator):
		return placement.PartyCoordinator, nil
	}
	return 0, placement.Errorf(placement.EFORBIDDEN, "err.not_your_position", nil)
}

// appReviewButtons are the answers the member may give an applicant now, and their profile;
// n numbers them after the list's entries (0: none).
func appReviewButtons(r *Request, pos placement.Position, app placement.Application, n int) []discordgo.MessageComponent {
	var out []discordgo.MessageComponent
	add := func(verb string, style discordgo.ButtonStyle) {
		out = append(out, discordgo.Button{Label: appButtonLabel(r, verb, n), Style: style, CustomID: "/application/" + appIDStr(app.ID) + "/" + verb})
	}
	if party, err := appReviewParty(r.Actor, pos.EnterpriseID); err == nil {
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

// appFit is the applicant's fit score as the list shows it.
func appFit(r *Request, ap placement.RankedApplicant) string {
	return r.T("apps.fit", map[string]any{"Score": appScore(ap)})
}

// appScore is the fit score with one decimal.
func appScore(ap placement.RankedApplicant) string {
	return strconv.FormatFloat(ap.Fit.Score, 'f', 1, 64)
}

// appSkills says which of the position's skills the applicant has.
func appSkills(r *Request, pos placement.Position, ap placement.RankedApplicant) string {
	switch {
	case len(pos.Skills) == 0:
		return r.T("apps.no_skills_asked", nil)
	case len(ap.Fit.Matched) == 0:
		return r.T("apps.no_skills_matched", nil)
	}
	skills := make([]string, len(ap.Fit.Matched))
	for i, s := range ap.Fit.Matched {
		skills[i] = appText(s)
	}
	return r.T("apps.skills_matched", map[string]any{"Skills": strings.Join(skills, ", "), "N": len(ap.Fit.Matched), "Of": len(pos.Skills)})
}

// appProfileLine summarizes a profile in one line: program, cohort and availability.
func appProfileLine(r *Request, p placement.Profile) string {
	if p.UserID == "" {
		return r.T("apps.no_profile", nil)
	}
	parts := []string{appText(p.Program)}
	if p.Cohort != "" {
		parts = append(parts, appText(p.Cohort))
	}
	if !p.AvailableFrom.IsZero() && !p.AvailableTo.IsZero() {
		parts = append(parts, r.T("apps.available", map[string]any{
			"From": p.AvailableFrom.Format(placement.DateLayout), "To": p.AvailableTo.Format(placement.DateLayout)}))
	}
	return strings.Join(parts, " · ")
}

// appApplicantLines is an applicant in the list: who, profile, matched skills and the start
// of their motivation.
func appApplicantLines(r *Request, pos placement.Position, ap placement.RankedApplicant) string {
	lines := []string{
		"<@" + ap.StudentID + "> · " + appProfileLine(r, ap.Profile),
		appSkills(r, pos, ap),
		"> " + appText(Truncate(appOneLine(ap.Motivation), 200)),
	}
	if ap.Status == placement.Rejected && ap.Reason != "" {
		lines = append(lines, r.T("apps.reason_rejected", map[string]any{"Reason": appText(Truncate(ap.Reason, 150))}))
	}
	return strings.Join(lines, "\n")
}

// appEmbedLen counts the characters Discord counts towards an embed's 6000.
func appEmbedLen(e *discordgo.MessageEmbed) int {
	n := utf8.RuneCountInString(e.Title) + utf8.RuneCountInString(e.Description)
	if e.Footer != nil {
		n += utf8.RuneCountInString(e.Footer.Text)
	}
	for _, f := range e.Fields {
		n += utf8.RuneCountInString(f.Name) + utf8.RuneCountInString(f.Value)
	}
	return n
}
