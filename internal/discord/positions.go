package discord

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"placementbot/internal/placement"
)

var positionCommands = []command{
	{Name: "positions", Subs: []command{
		{Name: "browse", Options: []option{
			{Name: "keyword", Type: discordgo.ApplicationCommandOptionString, MaxLength: 100},
			{Name: "skill", Type: discordgo.ApplicationCommandOptionString, Autocomplete: true, MaxLength: 40},
			{Name: "program", Type: discordgo.ApplicationCommandOptionString, MaxLength: 80},
			{Name: "location", Type: discordgo.ApplicationCommandOptionString, MaxLength: 60},
			{Name: "enterprise", Type: discordgo.ApplicationCommandOptionString, Autocomplete: true, MaxLength: 100},
			{Name: "remote", Type: discordgo.ApplicationCommandOptionBoolean},
		}},
		{Name: "recommended", Roles: placement.RoleStudent},
		{Name: "view", Options: []option{
			{Name: "position", Type: discordgo.ApplicationCommandOptionString, Required: true, Autocomplete: true, MaxLength: 100},
		}},
		{Name: "post", Roles: placement.RoleMentor, Options: []option{
			{Name: "enterprise", Type: discordgo.ApplicationCommandOptionString, Autocomplete: true, MaxLength: 100},
		}},
		{Name: "mine", Roles: placement.RoleMentor},
	}},
}

// positionHandlers serve finding positions: browsing, the position card and recommendations.
type positionHandlers struct {
	d Deps
}

func registerPositions(rs *Routes, d Deps) {
	h := positionHandlers{d: d}
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
	registerPosting(rs, d)
	registerConfirm(rs, d)
}

// card opens a position from a button such as the one on announcement posts.
func (h positionHandlers) card(ctx context.Context, r *Request) (*Reply, error) {
	id, ok := parsePositionID(r.Vars["id"])
	if !ok {
		return nil, placement.Errorf(placement.EINVALID, "err.stale_component", nil)
	}
	p, err := h.position(ctx, r, id)
	if err != nil {
		return nil, err
	}
	return positionCard(r, p), nil
}

// openPicked opens the position picked in a result list's select menu.
func (h positionHandlers) openPicked(ctx context.Context, r *Request) (*Reply, error) {
	vals := r.Values()
	if len(vals) != 1 {
		return nil, placement.Errorf(placement.EINVALID, "err.stale_component", nil)
	}
	id, ok := parsePositionID(vals[0])
	if !ok {
		return nil, placement.Errorf(placement.EINVALID, "err.stale_component", nil)
	}
	p, err := h.position(ctx, r, id)
	if err != nil {
		return nil, err
	}
	return positionCard(r, p), nil
}

// view answers /positions view with the card of the picked position.
func (h positionHandlers) view(ctx context.Context, r *Request) (*Reply, error) {
	raw, _ := r.String("position")
	raw = strings.TrimSpace(raw)
	if id, ok := parsePositionID(raw); ok {
		p, err := h.position(ctx, r, id)
		if err != nil {
			return nil, err
		}
		return positionCard(r, p), nil
	}
	// The member typed a title and sent it without picking a suggestion: accept it when
	// exactly one position has that title, as the suggestion list would have shown it.
	if raw != "" {
		ps, err := h.d.Service.SuggestPositions(ctx, r.Actor, raw)
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
			return positionCard(r, found[0]), nil
		}
	}
	return nil, placement.Errorf(placement.ENOTFOUND, "err.position_not_found", nil)
}

// position loads a position of the member's guild; any other id reads as "not found", so
// the member hears to pick one from the suggestions whatever the store's wording.
func (h positionHandlers) position(ctx context.Context, r *Request, id int64) (placement.Position, error) {
	p, err := h.d.Service.Position(ctx, r.Actor, id)
	if placement.ErrorCode(err) == placement.ENOTFOUND {
		return p, placement.Errorf(placement.ENOTFOUND, "err.position_not_found", nil)
	}
	return p, err
}

// parsePositionID reads a position id from client text: a positive decimal number.
func parsePositionID(s string) (int64, bool) {
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id > 0
}

// positionAutocomplete suggests positions by title as "Title — Enterprise", value the id.
func (h positionHandlers) positionAutocomplete(ctx context.Context, r *Request) (*Reply, error) {
	choices := []*discordgo.ApplicationCommandOptionChoice{}
	f := r.Focused()
	if f == nil || f.Name != "position" {
		return &Reply{Choices: choices}, nil
	}
	typed, _ := f.Value.(string)
	ps, err := h.d.Service.SuggestPositions(ctx, r.Actor, typed)
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		if len(choices) == 25 {
			break
		}
		name := p.Title + " — " + p.EnterpriseName
		if p.Status == placement.PositionClosed {
			name += " " + r.T("positions.closed_tag", nil)
		}
		choices = append(choices, &discordgo.ApplicationCommandOptionChoice{
			Name: Truncate(name, 100), Value: strconv.FormatInt(p.ID, 10)})
	}
	return &Reply{Choices: choices}, nil
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
// this member may use on it: Apply for students while it takes applications; Edit, Still open
// (while open), Close or Reopen, and Duplicate for its enterprise's mentors.
func positionCard(r *Request, p placement.Position) *Reply {
	state := positionState(p, time.Now())
	var desc strings.Builder
	if state != cardOpen {
		desc.WriteString("**" + r.T("positions.banner_"+string(state), nil) + "**\n\n")
	}
	if p.Description != "" {
		desc.WriteString(asLiteral(p.Description))
	} else {
		desc.WriteString("*" + r.T("positions.no_description", nil) + "*")
	}
	none := func(key string) string { return r.T(key, nil) }
	skills, programs := none("positions.no_skills"), none("positions.any_program")
	if len(p.Skills) > 0 {
		skills = asLiteral(strings.Join(p.Skills, ", "))
	}
	if len(p.Programs) > 0 {
		programs = asLiteral(strings.Join(p.Programs, ", "))
	}
	stipend := none("positions.no_stipend")
	if p.Stipend != "" {
		stipend = asLiteral(p.Stipend)
	}
	deadline := p.Deadline.Format(placement.DateLayout)
	if state == cardPastDate {
		deadline += " " + r.T("positions.passed_tag", nil)
	}
	color := 0x2E7D32
	if state != cardOpen {
		color = 0x9E9E9E
	}
	embed := &discordgo.MessageEmbed{
		Title:       Truncate(asLiteral(p.Title), 256),
		Description: Truncate(desc.String(), 4096),
		Color:       color,
		Fields: []*discordgo.MessageEmbedField{
			{Name: r.T("positions.enterprise", nil), Value: Truncate(asLiteral(p.EnterpriseName), 1024), Inline: true},
			{Name: r.T("field.location", nil), Value: Truncate(positionWhere(r, p), 1024), Inline: true},
			{Name: r.T("positions.slots_left", nil), Value: r.T("positions.slots_of", map[string]any{"Left": p.SlotsLeft(), "Slots": p.Slots}), Inline: true},
			{Name: r.T("positions.dates", nil), Value: p.StartDate.Format(placement.DateLayout) + " → " + p.EndDate.Format(placement.DateLayout), Inline: true},
			{Name: r.T("field.deadline", nil), Value: deadline, Inline: true},
			{Name: r.T("field.stipend", nil), Value: Truncate(stipend, 1024), Inline: true},
			{Name: r.T("positions.required_skills", nil), Value: Truncate(skills, 1024)},
			{Name: r.T("field.programs", nil), Value: Truncate(programs, 1024)},
		},
		Footer: &discordgo.MessageEmbedFooter{Text: r.T("positions.card_footer", map[string]any{"ID": p.ID})},
	}
	id := strconv.FormatInt(p.ID, 10)
	var buttons []discordgo.MessageComponent
	mentor := r.Actor.MentorsFor(p.EnterpriseID)
	if state == cardOpen && r.Actor.Is(placement.RoleStudent) && !mentor {
		buttons = append(buttons, discordgo.Button{Label: r.T("positions.button_apply", nil), Style: discordgo.SuccessButton, CustomID: "/apply/" + id})
	}
	if mentor {
		buttons = append(buttons, discordgo.Button{Label: r.T("positions.button_edit", nil), Style: discordgo.PrimaryButton, CustomID: "/position/" + id + "/edit"})
		if p.Status == placement.PositionClosed {
			buttons = append(buttons, discordgo.Button{Label: r.T("positions.button_reopen", nil), Style: discordgo.SuccessButton, CustomID: "/position/" + id + "/reopen"})
		} else {
			if state != cardPastDate {
				// Confirming keeps the position from being flagged stale and closed.
				buttons = append(buttons, discordgo.Button{Label: r.T("jobs.button_still_open", nil), Style: discordgo.SuccessButton, CustomID: "/position/" + id + "/confirm"})
			}
			buttons = append(buttons, discordgo.Button{Label: r.T("positions.button_close", nil), Style: discordgo.DangerButton, CustomID: "/position/" + id + "/close"})
		}
		buttons = append(buttons, discordgo.Button{Label: r.T("positions.button_duplicate", nil), Style: discordgo.SecondaryButton, CustomID: "/position/" + id + "/duplicate"})
	}
	reply := &Reply{Embeds: []*discordgo.MessageEmbed{embed}}
	if len(buttons) > 0 {
		reply.Components = []discordgo.MessageComponent{discordgo.ActionsRow{Components: buttons}}
	}
	return reply
}

// positionWhere says where the work happens: a place, remote, or a place with remote possible.
func positionWhere(r *Request, p placement.Position) string {
	switch {
	case p.Remote && p.Location == "":
		return r.T("positions.remote", nil)
	case p.Remote:
		return r.T("positions.location_or_remote", map[string]any{"Location": asLiteral(p.Location)})
	}
	return asLiteral(p.Location)
}

// positionFacts is the one-line summary of a position in lists: enterprise, place, slots,
// deadline. It is plain text; callers escape it where markdown is rendered.
func positionFacts(r *Request, p placement.Position) string {
	where := p.Location
	if p.Remote {
		where = r.T("positions.remote", nil)
		if p.Location != "" {
			where = p.Location + " / " + where
		}
	}
	return strings.Join([]string{
		Truncate(p.EnterpriseName, 40), Truncate(where, 30),
		slotsLeft(r, p.SlotsLeft()),
		r.T("positions.apply_by", map[string]any{"Date": p.Deadline.Format(placement.DateLayout)}),
	}, " · ")
}

// slotsLeft says how many slots are left; the singular is its own message because this runs
// for every listed position and a plain substitution renders far faster than a template branch.
func slotsLeft(r *Request, n int) string {
	if n == 1 {
		return r.T("positions.one_slot_left", nil)
	}
	return r.T("positions.n_slots_left", map[string]any{"Count": n})
}

// positionSelect is a menu that opens one of the listed positions.
func positionSelect(r *Request, customID string, ps []placement.Position) discordgo.MessageComponent {
	opts := make([]discordgo.SelectMenuOption, 0, min(len(ps), 25))
	for _, p := range ps[:min(len(ps), 25)] {
		opts = append(opts, discordgo.SelectMenuOption{
			Label: Truncate(p.Title, 100), Value: strconv.FormatInt(p.ID, 10),
			Description: Truncate(positionFacts(r, p), 100),
		})
	}
	one := 1
	return discordgo.ActionsRow{Components: []discordgo.MessageComponent{discordgo.SelectMenu{
		CustomID: customID, Placeholder: Truncate(r.T("positions.select_placeholder", nil), 150),
		MinValues: &one, MaxValues: 1, Options: opts,
	}}}
}

// recommended ranks open positions by fit with the student's profile and says why each fits.
func (h positionHandlers) recommended(ctx context.Context, r *Request) (*Reply, error) {
	recs, err := h.d.Service.Recommend(ctx, r.Actor, 10)
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return &Reply{Content: r.T("positions.recommended_none", map[string]any{"Browse": slash(r, "/positions/browse"), "Profile": slash(r, "/profile/edit")})}, nil
	}
	prof, err := h.d.Service.Profile(ctx, r.Actor, r.Actor.UserID)
	if err != nil {
		return nil, err
	}
	embed := &discordgo.MessageEmbed{
		Title:       r.T("positions.recommended_title", nil),
		Description: Truncate(r.T("positions.recommended_intro", map[string]any{"Program": asLiteral(Truncate(prof.Program, 80))}), 500),
		Color:       0x1565C0,
	}
	ps := make([]placement.Position, len(recs))
	for i, rec := range recs {
		ps[i] = rec.Position
		embed.Fields = append(embed.Fields, &discordgo.MessageEmbedField{
			Name:  Truncate(fmt.Sprintf("%d. %s", i+1, asLiteral(rec.Position.Title)), 100),
			Value: Truncate(asLiteral(positionFacts(r, rec.Position)), 200) + "\n" + Truncate(whyFits(r, prof, rec), 300),
		})
	}
	embed.Footer = &discordgo.MessageEmbedFooter{Text: r.T("positions.recommended_footer", nil)}
	return &Reply{Embeds: []*discordgo.MessageEmbed{embed},
		Components: []discordgo.MessageComponent{positionSelect(r, "/recommended/open", ps)}}, nil
}

// whyFits explains a recommendation in the words of the profile: the skills the student has
// that the position asks for, the program, the place and the dates.
func whyFits(r *Request, prof placement.Profile, rec placement.Recommendation) string {
	p := rec.Position
	var why []string
	if len(rec.Matched) > 0 {
		why = append(why, r.T("positions.why_skills", map[string]any{
			"Skills": asLiteral(strings.Join(rec.Matched, ", ")), "Count": len(rec.Matched), "Total": len(p.Skills)}))
	}
	for _, prog := range p.Programs {
		if strings.EqualFold(prog, prof.Program) {
			why = append(why, r.T("positions.why_program", map[string]any{"Program": asLiteral(prof.Program)}))
			break
		}
	}
	switch {
	case p.Remote:
		why = append(why, r.T("positions.why_remote", nil))
	case p.Location != "":
		for _, l := range prof.Locations {
			if strings.EqualFold(l, p.Location) {
				why = append(why, r.T("positions.why_location", map[string]any{"Location": asLiteral(p.Location)}))
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
	return r.T("positions.why", map[string]any{"Reasons": strings.Join(why, " · ")})
}

// literalEscaper backslash-escapes the characters that Discord reads as inline markdown, and
// breaks @everyone and @here so they read as text in every client.
var literalEscaper = strings.NewReplacer(
	`\`, `\\`, "*", `\*`, "_", `\_`, "~", `\~`, "`", "\\`", "|", `\|`, "[", `\[`, "]", `\]`, "<", `\<`,
	"@everyone", "@\u200beveryone", "@here", "@\u200bhere",
)

// asLiteral makes user text (titles, descriptions, names) show as typed in a message or
// embed: inline markdown is escaped, and so are the line starts Discord reads as headings,
// quotes, subtext or lists.
func asLiteral(s string) string {
	lines := strings.Split(literalEscaper.Replace(s), "\n")
	for i, l := range lines {
		t := strings.TrimLeft(l, " ")
		indent := l[:len(l)-len(t)]
		switch {
		case strings.HasPrefix(t, "#"), strings.HasPrefix(t, ">"),
			strings.HasPrefix(t, "- "), strings.HasPrefix(t, "-#"), strings.HasPrefix(t, "+ "):
			lines[i] = indent + `\` + t
		case numberedListItem(t) > 0:
			n := numberedListItem(t)
			lines[i] = indent + t[:n] + `\` + t[n:]
		}
	}
	return strings.Join(lines, "\n")
}

// numberedListItem returns the length of the number when a line starts like "1. " (an
// ordered list item), or 0.
func numberedListItem(s string) int {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i > 0 && strings.HasPrefix(s[i:], ". ") {
		return i
	}
	return 0
}
