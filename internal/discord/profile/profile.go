// Package profile is /profile: the student's profile form and the profile card mentors and
// coordinators read.
package profile

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"placementbot/internal/discord"
	"placementbot/internal/discord/ui"
	"placementbot/internal/placement"
)

var commands = []discord.Command{
	{Name: "profile", Subs: []discord.Command{
		{Name: "edit", Roles: placement.RoleStudent, Options: []discord.Option{
			{Name: "available_from", Type: discordgo.ApplicationCommandOptionString, MaxLength: 10},
			{Name: "available_to", Type: discordgo.ApplicationCommandOptionString, MaxLength: 10},
		}},
		{Name: "view", Options: []discord.Option{
			{Name: "student", Type: discordgo.ApplicationCommandOptionUser},
		}},
	}},
}

// Limits of the profile form's inputs, matching what ProfileInput.Parse accepts: Discord's
// client then stops the student before the service has to.
const (
	profileProgramMax      = 80
	profileCohortMax       = 20
	profileSkillsMax       = 1500 // 30 skills of up to 40 characters, with separators
	profileCertificatesMax = 2000 // 20 certificates of up to 80 characters
	profileLocationsMax    = 700  // 10 places of up to 60 characters
	// profileDraftTTL is how long a refused form is kept for the student to fix and resend.
	profileDraftTTL = 30 * time.Minute
)

// handlers serve /profile: the edit form and the profile card.
type handlers struct {
	svc      *placement.Service
	sessions ui.Sessions // nil: session storage is down, refused forms are not kept
}

// New is the /profile feature.
func New(d discord.Deps) discord.Feature { return handlers{svc: d.Service, sessions: d.Sessions} }

// Commands declares /profile and its subcommands.
func (handlers) Commands() []discord.Command { return commands }

// Register adds the routes of /profile, its form and the profile card's buttons.
func (h handlers) Register(rs *discord.Routes) {
	rs.Command("/profile/edit", placement.RoleStudent, h.edit)
	rs.Component("/profile/edit", placement.RoleStudent, h.editButton)
	rs.Component("/profile/retry/{key}", placement.RoleStudent, h.retry)
	// The availability window does not fit among the form's five inputs: it travels in the
	// form's custom_id, checked again on submit because the client controls it.
	rs.Modal("/profile/save", placement.RoleStudent, h.save)
	rs.Modal("/profile/save/{from}/{to}", placement.RoleStudent, h.save)
	rs.UpdateComponent("/profile/invitations/{state}", placement.RoleStudent, h.invitations)
	// Who may see whose profile is the service's decision.
	rs.Command("/profile/view", 0, h.view)
}

// profileDraft is a form the service refused, kept so the student can fix it instead of
// typing everything again.
type profileDraft struct {
	GuildID, UserID string
	Input           placement.ProfileInput
	From, To        string
}

// current returns the actor's saved profile, or an empty one when they have none yet.
func (h handlers) current(ctx context.Context, r *discord.Request) (placement.Profile, error) {
	p, err := h.svc.Profile(ctx, r.Actor, r.Actor.UserID)
	if err != nil && placement.ErrorCode(err) != placement.ENOTFOUND {
		return placement.Profile{}, err
	}
	return p, nil
}

// edit opens the profile form prefilled with the saved profile. The availability options
// replace the saved window's ends; left out, the saved window is kept.
func (h handlers) edit(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	cur, err := h.current(ctx, r)
	if err != nil {
		return nil, err
	}
	from, to := cur.AvailableFrom, cur.AvailableTo
	for name, dst := range map[string]*time.Time{"available_from": &from, "available_to": &to} {
		s, _ := r.String(name)
		if strings.TrimSpace(s) == "" {
			continue
		}
		d, err := placement.ParseDate("availability", s)
		if err != nil {
			return nil, err
		}
		*dst = d
	}
	if from.IsZero() != to.IsZero() {
		return nil, placement.Errorf(placement.EINVALID, "profile.err_both_dates", nil)
	}
	if to.Before(from) {
		return nil, placement.Errorf(placement.EINVALID, "err.range_backwards", map[string]any{"Field": "availability"})
	}
	return &discord.Reply{Modal: profileModal(r, profileFormValues(cur), dateText(from), dateText(to))}, nil
}

// editButton opens the same form from a profile card, keeping the saved availability.
func (h handlers) editButton(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	cur, err := h.current(ctx, r)
	if err != nil {
		return nil, err
	}
	return &discord.Reply{Modal: profileModal(r, profileFormValues(cur), dateText(cur.AvailableFrom), dateText(cur.AvailableTo))}, nil
}

// retry reopens a refused form with what the student typed.
func (h handlers) retry(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	key := r.Vars["key"]
	if !ui.IsSessionKey(key) {
		return nil, ui.StaleComponent()
	}
	expired := placement.Errorf(placement.EINVALID, "profile.err_draft_expired", map[string]any{"Command": ui.Markup(r.Slash("/profile/edit"))})
	if h.sessions == nil {
		return nil, expired
	}
	var d profileDraft
	found, err := h.sessions.Get(ctx, "profile_draft", key, &d)
	switch {
	case err != nil:
		return nil, err
	case !found:
		return nil, expired
	}
	// The key in the custom_id is client-controlled: a draft is only ever reopened for its author.
	if d.GuildID != r.Actor.GuildID || d.UserID != r.Actor.UserID {
		return nil, ui.StaleComponent()
	}
	return &discord.Reply{Modal: profileModal(r, d.Input, d.From, d.To)}, nil
}

func (h handlers) save(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	in := placement.ProfileInput{
		Program: r.ModalValue("program"), Cohort: r.ModalValue("cohort"), Skills: r.ModalValue("skills"),
		Certificates: r.ModalValue("certificates"), Locations: r.ModalValue("locations"),
	}
	from, to := r.Vars["from"], r.Vars["to"]
	if from != "" || to != "" {
		f, err1 := placement.ParseDate("availability", from)
		t, err2 := placement.ParseDate("availability", to)
		if err1 != nil || err2 != nil {
			return nil, ui.StaleComponent()
		}
		from, to = dateText(f), dateText(t)
		in.Availability = from + " to " + to
	}
	p, err := h.svc.SaveProfile(ctx, r.Actor, in)
	if err != nil {
		return h.refused(ctx, r, err, profileDraft{GuildID: r.Actor.GuildID, UserID: r.Actor.UserID, Input: in, From: from, To: to})
	}
	reply := &discord.Reply{
		Content:    r.T("profile.saved", map[string]any{"Command": ui.Markup(r.Slash("/positions/recommended"))}),
		Embeds:     []*discordgo.MessageEmbed{ownCard(r, p)},
		Components: profileRow(r, &p),
	}
	return reply, nil
}

// invitations turns mentors' invitations off or on from the student's own card.
func (h handlers) invitations(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	var off bool
	switch r.Vars["state"] {
	case "off":
		off = true
	case "on":
	default:
		return nil, ui.StaleComponent()
	}
	p, err := h.svc.SetInvitations(ctx, r.Actor, off)
	if err != nil {
		return nil, err
	}
	key := "profile.invitations_now_on"
	if p.InvitationsOff {
		key = "profile.invitations_now_off"
	}
	return &discord.Reply{Content: r.T(key, nil), Embeds: []*discordgo.MessageEmbed{ownCard(r, p)}, Components: profileRow(r, &p)}, nil
}

// ownCard is the student's own profile card, which also says whether mentors may invite them.
func ownCard(r *discord.Request, p placement.Profile) *discordgo.MessageEmbed {
	card := ui.ProfileCard(r, p, profileSelfName(r))
	state := "profile.invites_on"
	if p.InvitationsOff {
		state = "profile.invites_off"
	}
	card.Fields = append(card.Fields, ui.Field(r.T("profile.invitations", nil), r.T(state, nil), false))
	return card
}

// refused explains why the form was not saved and, when the session store is up, keeps what
// the student typed behind a button that reopens the form: on a phone, typing a profile twice
// is where people give up.
func (h handlers) refused(ctx context.Context, r *discord.Request, err error, d profileDraft) (*discord.Reply, error) {
	var pe *placement.Error
	if !errors.As(err, &pe) || pe.Code != placement.EINVALID || h.sessions == nil {
		return nil, err
	}
	key := h.sessions.NewKey()
	if h.sessions.Put(ctx, "profile_draft", key, d, profileDraftTTL) != nil {
		// Without the draft the plain refusal is still the answer; nothing was saved either way.
		return nil, err
	}
	data := make(map[string]any, len(pe.Data))
	for k, v := range pe.Data {
		if s, ok := v.(string); ok && k == "Field" {
			v = ui.Markup(r.T("field."+s, nil))
		}
		data[k] = v
	}
	return &discord.Reply{
		Content: r.T(pe.Key, data) + "\n" + r.T("profile.not_saved", nil),
		Components: []discordgo.MessageComponent{ui.Row(
			discordgo.Button{Label: r.T("profile.fix_button", nil), Style: discordgo.PrimaryButton, CustomID: "/profile/retry/" + key},
		)},
	}, nil
}

func (h handlers) view(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	target, name := r.Actor.UserID, profileSelfName(r)
	if r.Option("student") != nil {
		id, ok := r.ID("student")
		if !ok {
			return nil, placement.Errorf(placement.EINVALID, "profile.err_bad_student", nil)
		}
		target = id
		if res := r.Interaction.ApplicationCommandData().Resolved; res != nil {
			name = profileMemberName(res.Members[id], res.Users[id], id)
		}
	}
	self := target == r.Actor.UserID
	// A student asking for a classmate's profile gets a message that speaks to them; the
	// service makes the same decision for every caller.
	if !self && !r.Actor.Is(placement.RoleCoordinator|placement.RoleMentor) {
		return nil, placement.Errorf(placement.EFORBIDDEN, "profile.err_own_only", nil)
	}
	p, err := h.svc.Profile(ctx, r.Actor, target)
	switch {
	case err == nil:
	case placement.ErrorCode(err) == placement.ENOTFOUND && self:
		reply := &discord.Reply{Content: r.T("profile.none_yet", map[string]any{"Command": ui.Markup(r.Slash("/profile/edit"))})}
		if r.Actor.Is(placement.RoleStudent) {
			reply.Components = profileRow(r, nil)
		}
		return reply, nil
	case placement.ErrorCode(err) == placement.ENOTFOUND:
		return &discord.Reply{Content: r.T("profile.none_other", map[string]any{"User": ui.Markup("<@" + target + ">")})}, nil
	default:
		return nil, err
	}
	reply := &discord.Reply{Embeds: []*discordgo.MessageEmbed{ui.ProfileCard(r, p, name)}}
	if self && r.Actor.Is(placement.RoleStudent) {
		reply.Embeds[0] = ownCard(r, p)
		reply.Components = profileRow(r, &p)
	}
	return reply, nil
}

// profileModal builds the five-input profile form; from and to (YYYY-MM-DD, or both empty)
// are the availability window carried to the submit.
func profileModal(r *discord.Request, v placement.ProfileInput, from, to string) *discord.Modal {
	id, title := "/profile/save", r.T("profile.form_title", nil)
	if from != "" && to != "" {
		id += "/" + from + "/" + to
		// A modal title is plain text; the dates are the bot's own YYYY-MM-DD.
		title = r.T("profile.form_title_dates", map[string]any{"From": ui.Markup(from), "To": ui.Markup(to)})
	}
	input := func(cid, label, placeholder string, style discordgo.TextInputStyle, required bool, max int, value string) discordgo.TextInput {
		return discordgo.TextInput{CustomID: cid, Label: r.T(label, nil), Placeholder: r.T(placeholder, nil),
			Style: style, Required: required, MaxLength: max, Value: value}
	}
	return &discord.Modal{CustomID: id, Title: title, Inputs: []discordgo.TextInput{
		input("program", "field.program", "profile.program_placeholder", discordgo.TextInputShort, true, profileProgramMax, v.Program),
		input("cohort", "field.cohort", "profile.cohort_placeholder", discordgo.TextInputShort, false, profileCohortMax, v.Cohort),
		input("skills", "profile.skills_label", "profile.skills_placeholder", discordgo.TextInputParagraph, false, profileSkillsMax, v.Skills),
		input("certificates", "profile.certificates_label", "profile.certificates_placeholder", discordgo.TextInputParagraph, false, profileCertificatesMax, v.Certificates),
		input("locations", "profile.locations_label", "profile.locations_placeholder", discordgo.TextInputShort, false, profileLocationsMax, v.Locations),
	}}
}

// profileFormValues turns a saved profile back into the text of the form.
func profileFormValues(p placement.Profile) placement.ProfileInput {
	return placement.ProfileInput{Program: p.Program, Cohort: p.Cohort, Skills: strings.Join(p.Skills, ", "),
		Certificates: strings.Join(p.Certificates, ", "), Locations: strings.Join(p.Locations, ", ")}
}

// profileRow is the button that opens the profile form and, once there is a saved profile p,
// the one that turns mentors' invitations off or on.
func profileRow(r *discord.Request, p *placement.Profile) []discordgo.MessageComponent {
	buttons := []discordgo.MessageComponent{
		discordgo.Button{Label: r.T("profile.edit_button", nil), Style: discordgo.PrimaryButton, CustomID: "/profile/edit"},
	}
	switch {
	case p == nil:
	case p.InvitationsOff:
		buttons = append(buttons, discordgo.Button{Label: r.T("profile.invitations_turn_on", nil), Style: discordgo.SecondaryButton, CustomID: "/profile/invitations/on"})
	default:
		buttons = append(buttons, discordgo.Button{Label: r.T("profile.invitations_turn_off", nil), Style: discordgo.SecondaryButton, CustomID: "/profile/invitations/off"})
	}
	return []discordgo.MessageComponent{ui.Row(buttons...)}
}

// profileSelfName is how the member behind the interaction is called in this server.
func profileSelfName(r *discord.Request) ui.Markup {
	m := r.Interaction.Member
	if m == nil {
		return ""
	}
	return profileMemberName(m, m.User, r.Actor.UserID)
}

// profileMemberName prefers the server nickname, then the display name, then the user name,
// escaped for the card's title.
func profileMemberName(m *discordgo.Member, u *discordgo.User, id string) ui.Markup {
	name := id
	switch {
	case m != nil && m.Nick != "":
		name = m.Nick
	case u != nil && u.GlobalName != "":
		name = u.GlobalName
	case u != nil && u.Username != "":
		name = u.Username
	}
	return ui.Literal(ui.OneLine(name))
}

func dateText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(placement.DateLayout)
}
