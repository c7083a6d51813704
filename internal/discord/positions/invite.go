package positions

import (
	"context"
	"strconv"
	"strings"

	"github.com/bwmarrin/discordgo"

	"placementbot/internal/discord"
	"placementbot/internal/discord/ui"
	"placementbot/internal/placement"
)

// registerInvite adds the routes of inviting students who fit a position: the candidates from
// the card's Invite students, their pages, the invitation itself, and the student's No thanks
// in the invitation's DM.
func registerInvite(rs *discord.Routes, svc *placement.Service) {
	h := inviteHandlers{svc: svc}
	rs.Component("/position/{id}/candidates", placement.RoleMentor, h.candidates)
	rs.UpdateComponent("/position/{id}/candidates/{page}", placement.RoleMentor, h.candidates)
	rs.UpdateComponent("/position/{id}/invite/{page}", placement.RoleMentor, h.invite)
	rs.UpdateComponent("/invitation/{id}/decline", placement.RoleStudent, h.decline)
}

// inviteHandlers serve mentors' invitations and students' answers to them.
type inviteHandlers struct {
	svc *placement.Service
}

// candidates lists the position's best-fitting students, a page at a time.
func (h inviteHandlers) candidates(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	id, err := ui.VarID(r.Vars, "id")
	if err != nil {
		return nil, err
	}
	page := 0
	if _, ok := r.Vars["page"]; ok {
		if page, err = ui.VarInt(r.Vars, "page", 100); err != nil {
			return nil, err
		}
	}
	cp, err := h.svc.InvitationCandidates(ctx, r.Actor, id, page)
	if err != nil {
		return nil, err
	}
	return candidateList(r, cp, ""), nil
}

// invite invites the student picked in the list and shows the list again, saying so.
func (h inviteHandlers) invite(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	id, err := ui.VarID(r.Vars, "id")
	if err != nil {
		return nil, err
	}
	page, err := ui.VarInt(r.Vars, "page", 100)
	if err != nil {
		return nil, err
	}
	vals := r.Values()
	if len(vals) != 1 {
		return nil, ui.StaleComponent()
	}
	if _, err := h.svc.Invite(ctx, r.Actor, id, vals[0]); err != nil {
		return nil, err
	}
	cp, err := h.svc.InvitationCandidates(ctx, r.Actor, id, page)
	if err != nil {
		return nil, err
	}
	return candidateList(r, cp, r.T("invite.sent", map[string]any{"Student": ui.Markup("<@" + vals[0] + ">")})), nil
}

// decline records the student's No thanks and takes the buttons off the DM; the mentor is not
// told.
func (h inviteHandlers) decline(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	id, err := ui.VarID(r.Vars, "id")
	if err != nil {
		return nil, err
	}
	if _, err := h.svc.DeclineInvitation(ctx, r.Actor, id); err != nil {
		return nil, err
	}
	return &discord.Reply{Content: r.T("invite.declined", nil), Components: []discordgo.MessageComponent{}}, nil
}

// candidateList shows one page of candidates, each with what fits and what their profile shows
// mentors, and a menu to invite one; note, when set, says what was just done.
func candidateList(r *discord.Request, cp placement.CandidatePage, note string) *discord.Reply {
	p := cp.Position
	embed := &discordgo.MessageEmbed{
		Title:       ui.Truncate(r.T("invite.title", map[string]any{"Title": ui.OneLine(p.Title)}), 256),
		Description: r.T("invite.intro", nil),
		Color:       0x6A1B9A,
	}
	if note != "" {
		embed.Description = note + "\n\n" + embed.Description
	}
	if len(cp.Candidates) == 0 {
		embed.Description += "\n\n" + r.T("invite.none", nil)
		return &discord.Reply{Embeds: []*discordgo.MessageEmbed{embed}, Components: []discordgo.MessageComponent{}}
	}
	opts := make([]discordgo.SelectMenuOption, 0, len(cp.Candidates))
	for i, c := range cp.Candidates {
		n := cp.Page*placement.CandidatesPerPage + i + 1
		name := ui.OneLine(c.Name)
		if name == "" {
			name = r.T("invite.unnamed", map[string]any{"N": n})
		}
		embed.Fields = append(embed.Fields, ui.Field(ui.Truncate(listEntry(n, name), 100), ui.Truncate(candidateFacts(r, p, c), 400), false))
		label := name
		if !c.InvitedAt.IsZero() {
			label = r.T("invite.invited_tag", map[string]any{"Name": name})
		}
		opts = append(opts, discordgo.SelectMenuOption{Label: ui.Truncate(label, 100), Value: c.Profile.UserID,
			Description: ui.Truncate(ui.OneLine(c.Profile.Program), 100)})
	}
	one := 1
	id := ui.FormatID(p.ID)
	rows := []discordgo.MessageComponent{ui.Row(discordgo.SelectMenu{
		CustomID: "/position/" + id + "/invite/" + strconv.Itoa(cp.Page), Placeholder: r.T("invite.placeholder", nil),
		MinValues: &one, MaxValues: 1, Options: opts,
	})}
	if cp.Pages > 1 {
		rows = append(rows, ui.PageButtons("/position/"+id+"/candidates/", r.T("browse.prev", nil), r.T("browse.next", nil), cp.Page, cp.Pages))
	}
	return &discord.Reply{Embeds: []*discordgo.MessageEmbed{embed}, Components: rows}
}

// candidateFacts is what a candidate's entry says: who, program and cohort, the skills that
// match and all their skills, availability, and whether they were invited already.
func candidateFacts(r *discord.Request, p placement.Position, c placement.Candidate) string {
	pr := c.Profile
	lines := []string{r.T("invite.who", map[string]any{"Student": ui.Markup("<@" + pr.UserID + ">"),
		"Program": pr.Program, "Cohort": pr.Cohort})}
	if len(c.Matched) > 0 {
		lines = append(lines, r.T("invite.matched", map[string]any{"Skills": strings.Join(c.Matched, ", "),
			"Count": len(c.Matched), "Total": len(p.Skills)}))
	}
	if len(pr.Skills) > 0 {
		lines = append(lines, r.T("invite.skills", map[string]any{"Skills": strings.Join(pr.Skills, ", ")}))
	}
	if !pr.AvailableFrom.IsZero() {
		lines = append(lines, r.T("invite.available", map[string]any{
			"From": pr.AvailableFrom.Format(placement.DateLayout), "To": pr.AvailableTo.Format(placement.DateLayout)}))
	}
	if !c.InvitedAt.IsZero() {
		lines = append(lines, r.T("invite.invited_on", map[string]any{
			"Date": placement.LocalDate(c.InvitedAt, r.Actor.Location()).Format(placement.DateLayout)}))
	}
	return strings.Join(lines, "\n")
}
