package discord

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"placementbot/internal/placement"
	"placementbot/internal/redis"
)

var profileCommands = []command{
	{Name: "profile", Subs: []command{
		{Name: "edit", Roles: placement.RoleStudent, Options: []option{
			{Name: "available_from", Type: discordgo.ApplicationCommandOptionString, MaxLength: 10},
			{Name: "available_to", Type: discordgo.ApplicationCommandOptionString, MaxLength: 10},
		}},
		{Name: "view", Options: []option{
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

// profileColor marks profile cards.
const profileColor = 0x28b463

// profileHandlers serve /profile: the edit form and the profile card.
type profileHandlers struct {
	svc      *placement.Service
	sessions *redis.Sessions
}

func registerProfiles(rs *Routes, d Deps) {
	h := profileHandlers{svc: d.Service, sessions: d.Sessions}
	rs.Command("/profile/edit", placement.RoleStudent, h.edit)
	rs.Component("/profile/edit", placement.RoleStudent, h.editButton)
	rs.Component("/profile/retry/{key}", placement.RoleStudent, h.retry)
	// The availability window does not fit among the form's five inputs: it travels in the
	// form's custom_id, checked again on submit because the client controls it.
	rs.Modal("/profile/save", placement.RoleStudent, h.save)
	rs.Modal("/profile/save/{from}/{to}", placement.RoleStudent, h.save)
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
func (h profileHandlers) current(ctx context.Context, r *Request) (placement.Profile, error) {
	p, err := h.svc.Profile(ctx, r.Actor, r.Actor.UserID)
	if err != nil && placement.ErrorCode(err) != placement.ENOTFOUND {
		return placement.Profile{}, err
	}
	return p, nil
}

// edit opens the profile form prefilled with the saved profile. The availability options
// replace the saved window's ends; left out, the saved window is kept.
func (h profileHandlers) edit(ctx context.Context, r *Request) (*Reply, error) {
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
	return &Reply{Modal: profileModal(r, profileFormValues(cur), dateText(from), dateText(to))}, nil
}

// editButton opens the same form from a profile card, keeping the saved availability.
func (h profileHandlers) editButton(ctx context.Context, r *Request) (*Reply, error) {
	cur, err := h.current(ctx, r)
	if err != nil {
		return nil, err
	}
	return &Reply{Modal: profileModal(r, profileFormValues(cur), dateText(cur.AvailableFrom), dateText(cur.AvailableTo))}, nil
}

// retry reopens a refused form with what the student typed.
func (h profileHandlers) retry(ctx context.Context, r *Request) (*Reply, error) {
	if h.sessions == nil {
		return nil, placement.Errorf(placement.EINVALID, "profile.err_draft_expired", map[string]any{"Command": slash(r, "/profile/edit")})
	}
	var d profileDraft
	err := h.sessions.Get(ctx, "profile_draft", r.Vars["key"], &d)
	switch {
	case errors.Is(err, redis.ErrNotFound):
		return nil, placement.Errorf(placement.EINVALID, "profile.err_draft_expired", map[string]any{"Command": slash(r, "/profile/edit")})
	case err != nil:
		return nil, err
	}
	// The key in the custom_id is client-controlled: a draft is only ever reopened for its author.
	if d.GuildID != r.Actor.GuildID || d.UserID != r.Actor.UserID {
		return nil, placement.Errorf(placement.EINVALID, "err.stale_component", nil)
	}
	return &Reply{Modal: profileModal(r, d.Input, d.From, d.To)}, nil
}

func (h profileHandlers) save(ctx context.Context, r *Request) (*Reply, error) {
	in := placement.ProfileInput{
		Program: r.ModalValue("program"), Cohort: r.ModalValue("cohort"), Skills: r.ModalValue("skills"),
		Certificates: r.ModalValue("certificates"), Locations: r.ModalValue("locations"),
	}
	from, to := r.Vars["from"], r.Vars["to"]
	if from != "" || to != "" {
		f, err1 := placement.ParseDate("availability", from)
		t, err2 := placement.ParseDate("availability", to)
		if err1 != nil || err2 != nil {
			return nil, placement.Errorf(placement.EINVALID, "err.stale_component", nil)
		}
		from, to = dateText(f), dateText(t)
		in.Availability = from + " to " + to
	}
	p, err := h.svc.SaveProfile(ctx, r.Actor, in)
	if err != nil {
		return h.refused(ctx, r, err, profileDraft{GuildID: r.Actor.GuildID, UserID: r.Actor.UserID, Input: in, From: from, To: to})
	}
	reply := &Reply{
		Content:    r.T("profile.saved", map[string]any{"Command": slash(r, "/positions/recommended")}),
		Embeds:     []*discordgo.MessageEmbed{profileEmbed(r, p, profileSelfName(r))},
		Components: profileEditRow(r),
	}
	return reply, nil
}

// refused explains why the form was not saved and, when the session store is up, keeps what
// the student typed behind a button that reopens the form: on a phone, typing a profile twice
// is where people give up.
func (h profileHandlers) refused(ctx context.Context, r *Request, err error, d profileDraft) (*Reply, error) {
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
			v = r.T("field."+s, nil)
		}
		data[k] = v
	}
	return &Reply{
		Content: Truncate(r.T(pe.Key, data)+"\n"+r.T("profile.not_saved", nil), 2000),
		Components: []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.Button{Label: Truncate(r.T("profile.fix_button", nil), 80), Style: discordgo.PrimaryButton, CustomID: "/profile/retry/" + key},
		}}},
	}, nil
}

func (h profileHandlers) view(ctx context.Context, r *Request) (*Reply, error) {
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
		reply := &Reply{Content: r.T("profile.none_yet", map[string]any{"Command": slash(r, "/profile/edit")})}
		if r.Actor.Is(placement.RoleStudent) {
			reply.Components = profileEditRow(r)
		}
		return reply, nil
	case placement.ErrorCode(err) == placement.ENOTFOUND:
		return &Reply{Content: r.T("profile.none_other", map[string]any{"User": "<@" + target + ">"})}, nil
	default:
		return nil, err
	}
	reply := &Reply{Embeds: []*discordgo.MessageEmbed{profileEmbed(r, p, name)}}
	if self && r.Actor.Is(placement.RoleStudent) {
		reply.Components = profileEditRow(r)
	}
	return reply, nil
}

// profileModal builds the five-input profile form; from and to (YYYY-MM-DD, or both empty)
// are the availability window carried to the submit.
func profileModal(r *Request, v placement.ProfileInput, from, to string) *Modal {
	id, title := "/profile/save", r.T("profile.form_title", nil)
	if from != "" && to != "" {
		id += "/" + from + "/" + to
		title = r.T("profile.form_title_dates", map[string]any{"From": from, "To": to})
	}
	input := func(cid, label, placeholder string, style discordgo.TextInputStyle, required bool, max int, value string) discordgo.TextInput {
		return discordgo.TextInput{CustomID: cid, Label: Truncate(r.T(label, nil), 45), Placeholder: Truncate(r.T(placeholder, nil), 100),
			Style: style, Required: required, MaxLength: max, Value: Truncate(value, max)}
	}
	return &Modal{CustomID: id, Title: Truncate(title, 45), Inputs: []discordgo.TextInput{
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

// profileEditRow is the button that opens the profile form.
func profileEditRow(r *Request) []discordgo.MessageComponent {
	return []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
		discordgo.Button{Label: Truncate(r.T("profile.edit_button", nil), 80), Style: discordgo.PrimaryButton, CustomID: "/profile/edit"},
	}}}
}

// profileEmbed is a student's profile card: what mentors and coordinators read about them.
// name is how the student is shown in the title (their server nickname or user name).
func profileEmbed(r *Request, p placement.Profile, name string) *discordgo.MessageEmbed {
	none := r.T("profile.none", nil)
	text := func(s string) string {
		if strings.TrimSpace(s) == "" {
			return none
		}
		return Truncate(literalText(s), 1024)
	}
	list := func(items []string) string {
		if len(items) == 0 {
			return none
		}
		out := make([]string, len(items))
		for i, s := range items {
			out[i] = literalText(s)
		}
		return Truncate(strings.Join(out, ", "), 1024)
	}
	availability := none
	if !p.AvailableFrom.IsZero() && !p.AvailableTo.IsZero() {
		availability = r.T("profile.availability_range", map[string]any{"From": dateText(p.AvailableFrom), "To": dateText(p.AvailableTo)})
	}
	updated := none
	if !p.UpdatedAt.IsZero() {
		updated = p.UpdatedAt.UTC().Format(placement.DateLayout)
	}
	embed := &discordgo.MessageEmbed{
		Title:       Truncate(r.T("profile.card_title", map[string]any{"Name": literalText(Truncate(name, 100))}), 256),
		Description: "<@" + p.UserID + ">",
		Color:       profileColor,
		Fields: []*discordgo.MessageEmbedField{
			{Name: r.T("field.program", nil), Value: text(p.Program), Inline: true},
			{Name: r.T("field.cohort", nil), Value: text(p.Cohort), Inline: true},
			{Name: r.T("field.skills", nil), Value: list(p.Skills)},
			{Name: r.T("field.certificates", nil), Value: list(p.Certificates)},
			{Name: r.T("field.locations", nil), Value: list(p.Locations)},
			{Name: r.T("field.availability", nil), Value: availability, Inline: true},
			{Name: r.T("profile.updated", nil), Value: updated, Inline: true},
		},
	}
	if p.UserID == "" {
		embed.Description = ""
	}
	return embed
}

// profileSelfName is how the member behind the interaction is called in this server.
func profileSelfName(r *Request) string {
	m := r.Interaction.Member
	if m == nil {
		return ""
	}
	return profileMemberName(m, m.User, r.Actor.UserID)
}

// profileMemberName prefers the server nickname, then the display name, then the user name.
func profileMemberName(m *discordgo.Member, u *discordgo.User, id string) string {
	switch {
	case m != nil && m.Nick != "":
		return m.Nick
	case u != nil && u.GlobalName != "":
		return u.GlobalName
	case u != nil && u.Username != "":
		return u.Username
	}
	return id
}

func dateText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(placement.DateLayout)
}

// literalText makes user text (names, programs, reasons) show exactly as typed: Discord
// markdown characters are escaped so they cannot restyle a card, fake a link or a mention, or
// turn a line into a heading or quote. Pings are already impossible: replies allow no mentions.
func literalText(s string) string {
	var b strings.Builder
	lineStart := true
	for _, c := range s {
		switch {
		case strings.ContainsRune("\\*_~`|[]<", c):
			b.WriteByte('\\')
		case lineStart && strings.ContainsRune("#->+", c):
			b.WriteByte('\\')
		}
		b.WriteRune(c)
		if c == '\n' {
			lineStart = true
		} else if c != ' ' && c != '\t' {
			lineStart = false
		}
	}
	return b.String()
}
