// Package positions is how members find and post internship positions: /positions browse,
// view, recommended, post and mine, the position card and its mentor buttons, and mentors'
// invitations of students who fit.
package positions

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"placementbot/internal/discord"
	"placementbot/internal/discord/ui"
	"placementbot/internal/placement"
)

var positionCommands = []discord.Command{
	{Name: "positions", Subs: []discord.Command{
		{Name: "browse", Options: []discord.Option{
			{Name: "keyword", Type: discordgo.ApplicationCommandOptionString, MaxLength: 100},
			{Name: "skill", Type: discordgo.ApplicationCommandOptionString, Autocomplete: true, MaxLength: 40},
			{Name: "program", Type: discordgo.ApplicationCommandOptionString, MaxLength: 80},
			{Name: "location", Type: discordgo.ApplicationCommandOptionString, Autocomplete: true, MaxLength: 60},
			{Name: "enterprise", Type: discordgo.ApplicationCommandOptionString, Autocomplete: true, MaxLength: 100},
			{Name: "remote", Type: discordgo.ApplicationCommandOptionBoolean},
		}},
		{Name: "recommended", Roles: placement.RoleStudent},
		{Name: "view", Options: []discord.Option{
			{Name: "position", Type: discordgo.ApplicationCommandOptionString, Required: true, Autocomplete: true, MaxLength: 100},
		}},
		{Name: "post", Roles: placement.RoleMentor, Options: []discord.Option{
			{Name: "enterprise", Type: discordgo.ApplicationCommandOptionString, Autocomplete: true, MaxLength: 100},
		}},
		{Name: "mine", Roles: placement.RoleMentor},
	}},
}

// feature is what the positions screens need from the bot's dependencies.
type feature struct {
	svc      *placement.Service
	sessions ui.Sessions
	claims   discord.Claimer
	log      *slog.Logger
}

// New is the positions feature: finding, posting and managing positions.
func New(d discord.Deps) discord.Feature {
	return feature{svc: d.Service, sessions: d.Sessions, claims: d.Claims, log: d.Log}
}

// Commands declares /positions.
func (feature) Commands() []discord.Command { return positionCommands }

// Register adds the routes of browsing, the position card, posting and confirming.
func (f feature) Register(rs *discord.Routes) {
	h := positionHandlers{svc: f.svc, pager: ui.Pager[browseFilter, int64]{
		Sessions: f.sessions, Kind: "browse", TTL: browseTTL, Command: "/positions/browse"}}
	rs.Command("/positions/browse", 0, h.browse)
	rs.Autocomplete("/positions/browse", 0, h.browseAutocomplete)
	rs.UpdateComponent("/browse/{key}/next", 0, h.browseNext)
	rs.UpdateComponent("/browse/{key}/prev", 0, h.browsePrev)
	// Opening a position needs no session: the picked value is the position id, checked like
	// any client text, so the menu still works after the page has expired.
	rs.Component("/browse/{key}/open", 0, h.openPicked)
	rs.Component("/recommended/open", 0, h.openPicked)
	rs.Component("/position/{id}", 0, h.card)
	rs.Command("/positions/view", 0, h.view)
	rs.Autocomplete("/positions/view", 0, h.positionAutocomplete)
	rs.Command("/positions/recommended", placement.RoleStudent, h.recommended)
	registerPosting(rs, f)
	registerConfirm(rs, f.svc)
	registerInvite(rs, f.svc)
}

// positionHandlers serve finding positions: browsing, the position card and recommendations.
type positionHandlers struct {
	svc   *placement.Service
	pager ui.Pager[browseFilter, int64]
}

// card opens a position from a button such as the one on announcement posts.
func (h positionHandlers) card(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	id, err := ui.VarID(r.Vars, "id")
	if err != nil {
		return nil, err
	}
	p, err := h.position(ctx, r, id)
	if err != nil {
		return nil, err
	}
	return h.cardFor(ctx, r, p)
}

// openPicked opens the position picked in a result list's select menu.
func (h positionHandlers) openPicked(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	vals := r.Values()
	if len(vals) != 1 {
		return nil, ui.StaleComponent()
	}
	id, err := ui.WrittenID(vals[0])
	if err != nil {
		return nil, err
	}
	p, err := h.position(ctx, r, id)
	if err != nil {
		return nil, err
	}
	return h.cardFor(ctx, r, p)
}

// view answers /positions view with the card of the picked position.
func (h positionHandlers) view(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	raw, _ := r.String("position")
	raw = strings.TrimSpace(raw)
	if id, ok := ui.ParseID(raw); ok {
		p, err := h.position(ctx, r, id)
		if err != nil {
			return nil, err
		}
		return h.cardFor(ctx, r, p)
	}
	// The member typed a title and sent it without picking a suggestion: accept it when
	// exactly one position has that title, as the suggestion list would have shown it.
	if raw != "" {
		ps, err := h.svc.SuggestPositions(ctx, r.Actor, raw)
		if err != nil {
			return nil, err
		}
		var found []placement.Position
		for _, p := range ps {
			if strings.EqualFold(p.Title, raw) {
				found = append(found, p)
			}
		}
		if len(found) == 1 {
			return h.cardFor(ctx, r, found[0])
		}
	}
	return nil, placement.Errorf(placement.ENOTFOUND, "err.position_not_found", nil)
}

// cardFor is the position's card for this member, with their own application to it.
func (h positionHandlers) cardFor(ctx context.Context, r *discord.Request, p placement.Position) (*discord.Reply, error) {
	apps, err := h.svc.MyApplicationsTo(ctx, r.Actor, []int64{p.ID})
	if err != nil {
		return nil, err
	}
	return positionCard(r, p, apps[p.ID]), nil
}

// position loads a position of the member's guild; any other id reads as "not found", so
// the member hears to pick one from the suggestions whatever the store's wording.
func (h positionHandlers) position(ctx context.Context, r *discord.Request, id int64) (placement.Position, error) {
	p, err := h.svc.Position(ctx, r.Actor, id)
	if placement.ErrorCode(err) == placement.ENOTFOUND {
		return p, placement.Errorf(placement.ENOTFOUND, "err.position_not_found", nil)
	}
	return p, err
}

// positionAutocomplete suggests positions by title as "Title — Enterprise", value the id.
func (h positionHandlers) positionAutocomplete(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	ps, err := h.svc.SuggestPositions(ctx, r.Actor, r.FocusedText())
	if err != nil {
		return nil, err
	}
	choices := make([]*discordgo.ApplicationCommandOptionChoice, 0, min(len(ps), ui.MaxChoices))
	for _, p := range ps[:min(len(ps), ui.MaxChoices)] {
		name := p.Title + " — " + p.EnterpriseName
		if p.Status == placement.PositionClosed {
			name += " " + r.T("positions.closed_tag", nil)
		}
		choices = append(choices, ui.Choice(name, p.ID))
	}
	return &discord.Reply{Choices: choices}, nil
}

// cardState is why a position does or does not take applications now.
type cardState string

const (
	cardOpen     cardState = "open"
	cardClosed   cardState = "closed"
	cardPastDate cardState = "past_deadline"
	cardFull     cardState = "full"
)

func positionState(p placement.Position, now time.Time) cardState {
	switch {
	case p.Status == placement.PositionClosed:
		return cardClosed
	case p.Open(now):
		return cardOpen
	case p.SlotsLeft() == 0:
		return cardFull
	}
	return cardPastDate
}

// positionCard shows everything a member needs to decide about a position, with the buttons
// this member may use on it: Apply for students while it takes applications, or what became
// of the student's application (applied, its id and status); Edit, Still open (while open),
// Close or Reopen, Duplicate, and Invite students (while it takes applications) for its
// enterprise's mentors. applied is the member's own
// application to the position, the zero value when there is none.
func positionCard(r *discord.Request, p placement.Position, applied placement.Application) *discord.Reply {
	state := positionState(p, time.Now().In(r.Actor.Location()))
	var desc strings.Builder
	if state != cardOpen {
		desc.WriteString("**" + r.T("positions.banner_"+string(state), nil) + "**\n\n")
	}
	if p.Description != "" {
		desc.WriteString(ui.Escape(p.Description))
	} else {
		desc.WriteString("*" + r.T("positions.no_description", nil) + "*")
	}
	none := func(key string) string { return r.T(key, nil) }
	skills, programs := none("positions.no_skills"), none("positions.any_program")
	if len(p.Skills) > 0 {
		skills = ui.Escape(strings.Join(p.Skills, ", "))
	}
	if len(p.Programs) > 0 {
		programs = ui.Escape(strings.Join(p.Programs, ", "))
	}
	stipend := none("positions.no_stipend")
	if p.Stipend != "" {
		stipend = ui.Escape(p.Stipend)
	}
	deadline := string(ui.Deadline(p.Deadline, r.Actor.Location()))
	if state == cardPastDate {
		deadline += " " + r.T("positions.passed_tag", nil)
	}
	color := 0x2E7D32
	if state != cardOpen {
		color = 0x9E9E9E
	}
	embed := &discordgo.MessageEmbed{
		Title:       ui.Escape(p.Title),
		Description: desc.String(),
		Color:       color,
		Fields: []*discordgo.MessageEmbedField{
			ui.Field(r.T("positions.enterprise", nil), ui.Escape(p.EnterpriseName), true),
			ui.Field(r.T("field.location", nil), positionWhere(r, p), true),
			ui.Field(r.T("positions.slots_left", nil), r.T("positions.slots_of", map[string]any{"Left": p.SlotsLeft(), "Slots": p.Slots}), true),
			ui.Field(r.T("positions.dates", nil), p.StartDate.Format(placement.DateLayout)+" → "+p.EndDate.Format(placement.DateLayout), true),
			ui.Field(r.T("field.deadline", nil), deadline, true),
			ui.Field(r.T("field.stipend", nil), stipend, true),
			ui.Field(r.T("positions.required_skills", nil), skills, false),
			ui.Field(r.T("field.programs", nil), programs, false),
		},
		Footer: &discordgo.MessageEmbedFooter{Text: r.T("positions.card_footer", map[string]any{"ID": p.ID})},
	}
	id := ui.FormatID(p.ID)
	var buttons []discordgo.MessageComponent
	button := func(key string, style discordgo.ButtonStyle, customID string) {
		buttons = append(buttons, discordgo.Button{Label: r.T(key, nil), Style: style, CustomID: customID})
	}
	mentor := r.Actor.MentorsFor(p.EnterpriseID)
	var status ui.Markup
	if applied.ID != 0 {
		status = ui.Markup(r.T("status."+string(applied.Status), nil))
		embed.Fields = append(embed.Fields, ui.Field(r.T("positions.your_application", nil), r.T("positions.your_application_value",
			map[string]any{"ID": applied.ID, "Status": status, "Mine": ui.Markup(r.Slash("/applications/mine"))}), false))
	}
	switch {
	case applied.ID != 0 && applied.Status != placement.Withdrawn:
		// The one application a student has here: its number and status, not a second Apply.
		buttons = append(buttons, discordgo.Button{Label: r.T("positions.button_applied", map[string]any{
			"ID": applied.ID, "Status": status}),
			Style: discordgo.SecondaryButton, Disabled: true, CustomID: "/position/" + id + "/applied"})
	case state == cardOpen && r.Actor.Is(placement.RoleStudent) && !mentor:
		button("positions.button_apply", discordgo.SuccessButton, "/apply/"+id)
	}
	if mentor {
		button("positions.button_edit", discordgo.PrimaryButton, "/position/"+id+"/edit")
		if p.Status == placement.PositionClosed {
			button("positions.button_reopen", discordgo.SuccessButton, "/position/"+id+"/reopen")
		} else {
			if state != cardPastDate {
				// Confirming keeps the position from being flagged stale and closed.
				button("jobs.button_still_open", discordgo.SuccessButton, "/position/"+id+"/confirm")
			}
			button("positions.button_close", discordgo.DangerButton, "/position/"+id+"/close")
		}
		if state == cardOpen {
			// Students who fit and have not applied, for the mentor to invite.
			button("invite.button", discordgo.PrimaryButton, "/position/"+id+"/candidates")
		}
		button("positions.button_duplicate", discordgo.SecondaryButton, "/position/"+id+"/duplicate")
	}
	reply := &discord.Reply{Embeds: []*discordgo.MessageEmbed{embed}}
	if len(buttons) > 0 {
		reply.Components = []discordgo.MessageComponent{ui.Row(buttons...)}
	}
	return reply
}

// positionWhere says where the work happens: a place, remote, or a place with remote possible.
func positionWhere(r *discord.Request, p placement.Position) string {
	switch {
	case p.Remote && p.Location == "":
		return r.T("positions.remote", nil)
	case p.Remote:
		return r.T("positions.location_or_remote", map[string]any{"Location": p.Location})
	}
	return ui.Escape(p.Location)
}

// positionFacts is the one-line summary of a position in lists: enterprise, place, slots,
// deadline. It is plain text; callers escape it where markdown is rendered.
func positionFacts(r *discord.Request, p placement.Position) string {
	where := p.Location
	if p.Remote {
		where = r.T("positions.remote", nil)
		if p.Location != "" {
			where = p.Location + " / " + where
		}
	}
	return strings.Join([]string{
		ui.Truncate(p.EnterpriseName, 40), ui.Truncate(where, 30),
		slotsLeft(r, p.SlotsLeft()),
		r.T("positions.apply_by", map[string]any{"Date": ui.Markup(p.Deadline.Format(placement.DateLayout))}),
	}, " · ")
}

// slotsLeft says how many slots are left; the singular is its own message because this runs
// for every listed position and a plain substitution renders far faster than a template branch.
func slotsLeft(r *discord.Request, n int) string {
	if n == 1 {
		return r.T("positions.one_slot_left", nil)
	}
	return r.T("positions.n_slots_left", map[string]any{"Count": n})
}

// positionSelect is a menu that opens one of the listed positions.
func positionSelect(r *discord.Request, customID string, ps []placement.Position) discordgo.MessageComponent {
	opts := make([]discordgo.SelectMenuOption, len(ps))
	for i, p := range ps {
		opts[i] = discordgo.SelectMenuOption{Label: p.Title, Value: ui.FormatID(p.ID), Description: positionFacts(r, p)}
	}
	one := 1
	return ui.Row(discordgo.SelectMenu{
		CustomID: customID, Placeholder: r.T("positions.select_placeholder", nil),
		MinValues: &one, MaxValues: 1, Options: opts,
	})
}

// listEntry is a position's name in a numbered list: "3. Title", escaped.
func listEntry(n int, title string) string { return fmt.Sprintf("%d. %s", n, ui.Escape(title)) }

// recommended ranks open positions by fit with the student's profile and says why each fits.
func (h positionHandlers) recommended(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	recs, err := h.svc.Recommend(ctx, r.Actor, 10)
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return &discord.Reply{Content: r.T("positions.recommended_none", map[string]any{
			"Browse": ui.Markup(r.Slash("/positions/browse")), "Profile": ui.Markup(r.Slash("/profile/edit"))})}, nil
	}
	prof, err := h.svc.Profile(ctx, r.Actor, r.Actor.UserID)
	if err != nil {
		return nil, err
	}
	embed := &discordgo.MessageEmbed{
		Title:       r.T("positions.recommended_title", nil),
		Description: r.T("positions.recommended_intro", map[string]any{"Program": ui.Truncate(ui.OneLine(prof.Program), 80)}),
		Color:       0x1565C0,
	}
	ps := make([]placement.Position, len(recs))
	for i, rec := range recs {
		ps[i] = rec.Position
		// Each part is bounded so ten recommendations share the embed's 6,000 characters.
		embed.Fields = append(embed.Fields, ui.Field(
			ui.Truncate(listEntry(i+1, rec.Position.Title), 100),
			ui.Truncate(ui.Escape(positionFacts(r, rec.Position)), 200)+"\n"+ui.Truncate(whyFits(r, prof, rec), 300), false))
	}
	embed.Footer = &discordgo.MessageEmbedFooter{Text: r.T("positions.recommended_footer", nil)}
	return &discord.Reply{Embeds: []*discordgo.MessageEmbed{embed},
		Components: []discordgo.MessageComponent{positionSelect(r, "/recommended/open", ps)}}, nil
}

// whyFits explains a recommendation in the words of the profile: the skills the student has
// that the position asks for, the program, the place and the dates.
func whyFits(r *discord.Request, prof placement.Profile, rec placement.Recommendation) string {
	p := rec.Position
	var why []string
	if len(rec.Matched) > 0 {
		why = append(why, r.T("positions.why_skills", map[string]any{
			"Skills": strings.Join(rec.Matched, ", "), "Count": len(rec.Matched), "Total": len(p.Skills)}))
	}
	for _, prog := range p.Programs {
		if strings.EqualFold(prog, prof.Program) {
			why = append(why, r.T("positions.why_program", map[string]any{"Program": prof.Program}))
			break
		}
	}
	switch {
	case p.Remote:
		why = append(why, r.T("positions.why_remote", nil))
	case p.Location != "":
		for _, l := range prof.Locations {
			if strings.EqualFold(l, p.Location) {
				why = append(why, r.T("positions.why_location", map[string]any{"Location": p.Location}))
				break
			}
		}
	}
	if !prof.AvailableFrom.IsZero() && !p.StartDate.Before(prof.AvailableFrom) && !p.EndDate.After(prof.AvailableTo) {
		why = append(why, r.T("positions.why_dates", nil))
	}
	if len(why) == 0 {
		return r.T("positions.why_none", nil)
	}
	return r.T("positions.why", map[string]any{"Reasons": ui.Markup(strings.Join(why, " · "))})
}
