// Package setup is /setup: which roles mean coordinators, mentors and students, where the bot
// posts, the school's time zone, the approval gates (the checklist, the intern quota, who may
// tick items), and how many invitations a position may send a day.
package setup

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"placementbot/internal/discord"
	"placementbot/internal/discord/ui"
	"placementbot/internal/i18n"
	"placementbot/internal/placement"
)

// textChannels are the channels the bot can post to.
var textChannels = []discordgo.ChannelType{discordgo.ChannelTypeGuildText, discordgo.ChannelTypeGuildNews}

var commands = []discord.Command{
	{Name: "setup", Roles: placement.RoleCoordinator, Subs: []discord.Command{
		{Name: "roles", Roles: placement.RoleCoordinator, Options: []discord.Option{
			{Name: "coordinator", Type: discordgo.ApplicationCommandOptionRole},
			{Name: "mentor", Type: discordgo.ApplicationCommandOptionRole},
			{Name: "student", Type: discordgo.ApplicationCommandOptionRole},
			{Name: "supervisor", Type: discordgo.ApplicationCommandOptionRole},
		}},
		{Name: "channels", Roles: placement.RoleCoordinator, Options: []discord.Option{
			{Name: "announcements", Type: discordgo.ApplicationCommandOptionChannel, Channels: textChannels},
			{Name: "digest", Type: discordgo.ApplicationCommandOptionChannel, Channels: textChannels},
		}},
		{Name: "compliance", Roles: placement.RoleCoordinator, Options: []discord.Option{
			{Name: "checklist", Type: discordgo.ApplicationCommandOptionString, MaxLength: 400},
			{Name: "quota_percent", Type: discordgo.ApplicationCommandOptionInteger, Min: 1, Max: 100},
			{Name: "mentors_tick", Type: discordgo.ApplicationCommandOptionBoolean},
		}},
		{Name: "timezone", Roles: placement.RoleCoordinator, Options: []discord.Option{
			{Name: "zone", Type: discordgo.ApplicationCommandOptionString, Required: true, Autocomplete: true, MaxLength: 64},
		}},
		{Name: "invitations", Roles: placement.RoleCoordinator, Options: []discord.Option{
			{Name: "per_day", Type: discordgo.ApplicationCommandOptionInteger, Required: true, Min: 1, Max: 100},
		}},
		{Name: "show", Roles: placement.RoleCoordinator},
	}},
}

// handlers serve /setup: the role mapping, the channels, the approval gates and the current
// setup card.
type handlers struct {
	svc      *placement.Service
	catalog  *i18n.Catalog
	sessions ui.Sessions // a compliance change waiting for its confirmation; nil when down
}

// New is the /setup feature.
func New(d discord.Deps) discord.Feature {
	return handlers{svc: d.Service, catalog: d.Catalog, sessions: d.Sessions}
}

// Commands declares /setup and its subcommands.
func (handlers) Commands() []discord.Command { return commands }

// Register adds the routes of /setup and the setup card's buttons.
func (h handlers) Register(rs *discord.Routes) {
	rs.Command("/setup/roles", placement.RoleCoordinator, h.roles)
	rs.Command("/setup/channels", placement.RoleCoordinator, h.channels)
	rs.Command("/setup/compliance", placement.RoleCoordinator, h.compliance)
	rs.Command("/setup/timezone", placement.RoleCoordinator, h.timezone)
	rs.Autocomplete("/setup/timezone", placement.RoleCoordinator, h.timezoneAutocomplete)
	rs.Command("/setup/invitations", placement.RoleCoordinator, h.invitations)
	rs.Command("/setup/show", placement.RoleCoordinator, h.show)
	rs.UpdateComponent("/setup/clear/{field}", placement.RoleCoordinator, h.clear)
	rs.UpdateComponent("/setup/confirm/{key}", placement.RoleCoordinator, h.confirm)
	rs.UpdateComponent("/setup/cancel/{key}", placement.RoleCoordinator, h.cancel)
}

func (h handlers) roles(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	var upd placement.GuildSettingsUpdate
	for name, dst := range map[string]**string{
		"coordinator": &upd.CoordinatorRoleID, "mentor": &upd.MentorRoleID, "student": &upd.StudentRoleID,
		"supervisor": &upd.SupervisorRoleID,
	} {
		id, ok := r.ID(name)
		if !ok {
			continue
		}
		if err := checkRole(r, id); err != nil {
			return nil, err
		}
		*dst = &id
	}
	return h.save(ctx, r, upd)
}

// checkRole refuses roles that cannot mean a group of people: @everyone and roles managed by
// an integration (another bot's own role).
func checkRole(r *discord.Request, id string) error {
	if id == r.Interaction.GuildID {
		return placement.Errorf(placement.EINVALID, "err.setup_everyone_role", nil)
	}
	res := r.Interaction.ApplicationCommandData().Resolved
	if res == nil || res.Roles[id] == nil {
		return placement.Errorf(placement.EINVALID, "err.bad_id", nil)
	}
	if res.Roles[id].Managed {
		return placement.Errorf(placement.EINVALID, "err.setup_managed_role", map[string]any{"Role": res.Roles[id].Name})
	}
	return nil
}

func (h handlers) channels(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	var upd placement.GuildSettingsUpdate
	for name, dst := range map[string]**string{
		"announcements": &upd.AnnouncementsChannelID, "digest": &upd.DigestChannelID,
	} {
		id, ok := r.ID(name)
		if !ok {
			continue
		}
		res := r.Interaction.ApplicationCommandData().Resolved
		if res == nil || res.Channels[id] == nil {
			return nil, placement.Errorf(placement.EINVALID, "err.bad_id", nil)
		}
		if t := res.Channels[id].Type; t != discordgo.ChannelTypeGuildText && t != discordgo.ChannelTypeGuildNews {
			return nil, placement.Errorf(placement.EINVALID, "err.setup_not_text_channel", map[string]any{"Channel": res.Channels[id].Name})
		}
		*dst = &id
	}
	return h.save(ctx, r, upd)
}

// save saves a settings change, or, when it takes something away, keeps it and asks the
// coordinator to confirm it, saying what is lost.
func (h handlers) save(ctx context.Context, r *discord.Request, upd placement.GuildSettingsUpdate) (*discord.Reply, error) {
	gs, err := h.svc.UpdateGuildSettings(ctx, r.Actor, upd)
	var pe *placement.Error
	if errors.As(err, &pe) && pe.Key == "err.setup_confirm" {
		losses, _ := pe.Data["Losses"].([]placement.SettingsLoss)
		lines := make([]string, 0, len(losses))
		for _, l := range losses {
			lines = append(lines, lossText(r, l))
		}
		return h.ask(ctx, r, pending{Settings: &upd}, strings.Join(lines, "\n"), "setup.confirm_button")
	}
	if err != nil {
		return nil, err
	}
	reply := setupCard(r, gs)
	reply.Content = r.T("setup.saved", nil)
	return reply, nil
}

func (h handlers) show(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	gs, err := h.svc.GuildSettings(ctx, r.Actor)
	if err != nil {
		return nil, err
	}
	c, err := h.svc.Compliance(ctx, r.Actor)
	if err != nil {
		return nil, err
	}
	reply := setupCard(r, gs)
	reply.Embeds = append(reply.Embeds, complianceCard(r, c))
	return reply, nil
}

// compliance changes the approval gates: the checklist, the intern quota and whether mentors
// may tick items. Discord bounds quota_percent in its own UI, but the value is still checked.
func (h handlers) compliance(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	var in placement.ComplianceInput
	if v, ok := r.String("checklist"); ok {
		items, err := placement.ParseChecklist(v)
		if err != nil {
			return nil, err
		}
		if len(items) == 0 {
			return nil, placement.Errorf(placement.EINVALID, "approvals.err_checklist_empty", nil)
		}
		v = strings.Join(h.defaultIDs(items), ", ")
		in.Checklist = &v
	}
	if o := r.Option("quota_percent"); o != nil {
		f, ok := o.Value.(float64)
		if !ok || f != math.Trunc(f) || f < -1e9 || f > 1e9 {
			return nil, placement.Errorf(placement.EINVALID, "err.quota_range", map[string]any{"Value": ui.Truncate(fmt.Sprint(o.Value), 20)})
		}
		n := int(f)
		in.QuotaPercent = &n
	}
	if o := r.Option("mentors_tick"); o != nil {
		b, ok := o.Value.(bool)
		if !ok {
			return nil, ui.StaleComponent()
		}
		in.MentorsTick = &b
	}
	return h.saveCompliance(ctx, r, in)
}

// invitations sets how many students a position's mentors may invite a day. Discord bounds
// per_day in its own UI, but the value is still checked.
func (h handlers) invitations(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	o := r.Option("per_day")
	if o == nil {
		return nil, ui.StaleComponent()
	}
	f, ok := o.Value.(float64)
	if !ok || f != math.Trunc(f) || f < -1e9 || f > 1e9 {
		return nil, placement.Errorf(placement.EINVALID, "err.invitation_limit_range", map[string]any{"Value": ui.Truncate(fmt.Sprint(o.Value), 20)})
	}
	if err := h.svc.SetInvitationLimit(ctx, r.Actor, int(f)); err != nil {
		return nil, err
	}
	return &discord.Reply{Content: r.T("setup.invitations_saved", map[string]any{"Count": int(f)})}, nil
}

// pending is a /setup change waiting for its coordinator's confirmation: a settings change or
// a compliance change.
type pending struct {
	Guild      string                         `json:"guild"`
	Owner      string                         `json:"owner"`
	Settings   *placement.GuildSettingsUpdate `json:"settings,omitempty"`
	Compliance *placement.ComplianceInput     `json:"compliance,omitempty"`
}

// confirmTTL is how long a confirmation button stays good.
const confirmTTL = 15 * time.Minute

// ask keeps the change and shows the warning with a button to confirm it (labelled by the
// catalog key) and one to cancel it.
func (h handlers) ask(ctx context.Context, r *discord.Request, p pending, warning, confirmLabel string) (*discord.Reply, error) {
	if h.sessions == nil {
		return nil, fmt.Errorf("setup: confirm: %w", ui.ErrSessionsDown)
	}
	p.Guild, p.Owner = r.Actor.GuildID, r.Actor.UserID
	key := h.sessions.NewKey()
	if err := h.sessions.Put(ctx, "setup_confirm", key, p, confirmTTL); err != nil {
		return nil, err
	}
	return &discord.Reply{Content: warning, Embeds: []*discordgo.MessageEmbed{}, Components: []discordgo.MessageComponent{ui.Row(
		discordgo.Button{Label: r.T(confirmLabel, nil), Style: discordgo.DangerButton, CustomID: "/setup/confirm/" + key},
		discordgo.Button{Label: r.T("setup.cancel_button", nil), Style: discordgo.SecondaryButton, CustomID: "/setup/cancel/" + key},
	)}}, nil
}

// claim returns the change kept under the button's key. The key is only a claim: the change
// must be this coordinator's in this guild, and still kept; the route has checked the member
// is a coordinator now, and the service checks it again.
func (h handlers) claim(ctx context.Context, r *discord.Request) (pending, error) {
	if h.sessions == nil {
		return pending{}, fmt.Errorf("setup: confirm: %w", ui.ErrSessionsDown)
	}
	var p pending
	found, err := h.sessions.Get(ctx, "setup_confirm", r.Vars["key"], &p)
	if err != nil {
		return pending{}, err
	}
	if !found || p.Guild != r.Actor.GuildID || p.Owner != r.Actor.UserID || (p.Settings == nil) == (p.Compliance == nil) {
		return pending{}, placement.Errorf(placement.EINVALID, "setup.err_confirm_expired", map[string]any{"Cmd": ui.Markup(r.Slash("/setup/show"))})
	}
	return p, nil
}

// confirm saves the change a coordinator confirmed.
func (h handlers) confirm(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	p, err := h.claim(ctx, r)
	if err != nil {
		return nil, err
	}
	var reply *discord.Reply
	if p.Settings != nil {
		p.Settings.Confirmed = true
		reply, err = h.save(ctx, r, *p.Settings)
	} else {
		p.Compliance.ConfirmRemoval = true
		reply, err = h.saveCompliance(ctx, r, *p.Compliance)
	}
	if err == nil {
		_ = h.sessions.Delete(ctx, "setup_confirm", r.Vars["key"])
	}
	return reply, err
}

// cancel drops the kept change and shows the setup as it stays.
func (h handlers) cancel(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	if _, err := h.claim(ctx, r); err != nil {
		return nil, err
	}
	if err := h.sessions.Delete(ctx, "setup_confirm", r.Vars["key"]); err != nil {
		return nil, err
	}
	reply, err := h.show(ctx, r)
	if err != nil {
		return nil, err
	}
	reply.Content = r.T("setup.cancelled", nil)
	return reply, nil
}

// saveCompliance saves the change, or, when it removes items open applications have ticked,
// keeps it and asks the coordinator to confirm.
func (h handlers) saveCompliance(ctx context.Context, r *discord.Request, in placement.ComplianceInput) (*discord.Reply, error) {
	c, err := h.svc.UpdateCompliance(ctx, r.Actor, in)
	var pe *placement.Error
	if errors.As(err, &pe) && pe.Key == "err.checklist_remove_ticked" {
		items, _ := pe.Data["Items"].(string)
		var names []string
		for _, it := range strings.Split(items, ", ") {
			names = append(names, ui.CheckName(r, it))
		}
		warning := r.T("setup.confirm_remove_checks", map[string]any{"Items": strings.Join(names, ", "), "Count": pe.Data["Count"]})
		return h.ask(ctx, r, pending{Compliance: &in}, warning, "setup.confirm_remove_button")
	}
	if err != nil {
		return nil, err
	}
	return &discord.Reply{Content: r.T("setup.saved", nil), Embeds: []*discordgo.MessageEmbed{complianceCard(r, c)},
		Components: []discordgo.MessageComponent{}}, nil
}

// lossText says what a settings change takes away. For a new coordinator role it says whether
// the coordinator making the change loses the role too, from their current roles.
func lossText(r *discord.Request, l placement.SettingsLoss) string {
	role := func(id string) ui.Markup { return ui.Markup("<@&" + id + ">") }
	switch l.Key {
	case "setup.confirm_coordinator_role":
		key := l.Key
		if m := r.Interaction.Member; m != nil && !slices.Contains(m.Roles, l.New) && m.Permissions&(placement.PermManageGuild|placement.PermAdministrator) == 0 {
			key = "setup.confirm_coordinator_self"
		}
		return r.T(key, map[string]any{"Old": role(l.Old), "New": role(l.New)})
	case "setup.confirm_mentor_role":
		return r.T(l.Key, map[string]any{"Old": role(l.Old), "New": role(l.New), "Count": l.Count})
	case "setup.confirm_clear_announcements", "setup.confirm_clear_digest":
		return r.T(l.Key, map[string]any{"Channel": ui.Markup("<#" + l.Old + ">")})
	}
	return r.T(l.Key, nil)
}

// defaultIDs maps items typed as a default item's name, in any language the bot speaks, back
// to its id, so that retyping the checklist as /setup show lists it keeps the default items
// and their ticks.
func (h handlers) defaultIDs(items []string) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it
		for _, id := range placement.DefaultChecklist {
			for _, lang := range i18n.Languages {
				if placement.CheckKey(h.catalog.T(lang, "check."+id, nil)) == placement.CheckKey(it) {
					out[i] = id
				}
			}
		}
	}
	return out
}

// clear empties one field from the setup card's buttons. The field name comes from the
// custom_id, which the client controls: only the known names are accepted.
func (h handlers) clear(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	empty := ""
	var upd placement.GuildSettingsUpdate
	switch r.Vars["field"] {
	case "announcements":
		upd.AnnouncementsChannelID = &empty
	case "digest":
		upd.DigestChannelID = &empty
	case "student":
		upd.StudentRoleID = &empty
	case "supervisor":
		upd.SupervisorRoleID = &empty
	default:
		return nil, ui.StaleComponent()
	}
	return h.save(ctx, r, upd)
}

// setupCard shows the guild's setup with a button to clear each optional field that is set.
func setupCard(r *discord.Request, gs placement.GuildSettings) *discord.Reply {
	role := func(id, unset string) string {
		if id == "" {
			return r.T(unset, nil)
		}
		return "<@&" + id + ">"
	}
	channel := func(id string) string {
		if id == "" {
			return r.T("setup.unset_channel", nil)
		}
		return "<#" + id + ">"
	}
	embed := &discordgo.MessageEmbed{
		Title:       r.T("setup.title", nil),
		Description: r.T("setup.description", nil),
		Fields: []*discordgo.MessageEmbedField{
			{Name: r.T("setup.coordinator_role", nil), Value: role(gs.CoordinatorRoleID, "setup.unset_coordinator"), Inline: true},
			{Name: r.T("setup.mentor_role", nil), Value: role(gs.MentorRoleID, "setup.unset_role"), Inline: true},
			{Name: r.T("setup.student_role", nil), Value: role(gs.StudentRoleID, "setup.unset_student"), Inline: true},
			{Name: r.T("setup.supervisor_role", nil), Value: role(gs.SupervisorRoleID, "setup.unset_supervisor"), Inline: true},
			{Name: r.T("setup.announcements", nil), Value: channel(gs.AnnouncementsChannelID), Inline: true},
			{Name: r.T("setup.digest", nil), Value: channel(gs.DigestChannelID), Inline: true},
			{Name: r.T("setup.time_zone", nil), Value: zoneLabel(gs), Inline: true},
		},
	}
	var buttons []discordgo.MessageComponent
	for _, b := range []struct {
		set          bool
		field, label string
	}{
		{gs.AnnouncementsChannelID != "", "announcements", "setup.clear_announcements"},
		{gs.DigestChannelID != "", "digest", "setup.clear_digest"},
		{gs.StudentRoleID != "", "student", "setup.clear_student"},
		{gs.SupervisorRoleID != "", "supervisor", "setup.clear_supervisor"},
	} {
		if b.set {
			buttons = append(buttons, discordgo.Button{Label: r.T(b.label, nil), Style: discordgo.SecondaryButton, CustomID: "/setup/clear/" + b.field})
		}
	}
	reply := &discord.Reply{Embeds: []*discordgo.MessageEmbed{embed}}
	if len(buttons) > 0 {
		reply.Components = []discordgo.MessageComponent{ui.Row(buttons...)}
	}
	return reply
}

// complianceCard shows the guild's approval gates: the checklist, the intern quota and
// whether mentors may tick items. A default item shows its catalog name with the key a
// coordinator types for it.
func complianceCard(r *discord.Request, c placement.Compliance) *discordgo.MessageEmbed {
	var items strings.Builder
	for i, it := range c.Checklist {
		name := ui.CheckName(r, it)
		items.WriteString(strconv.Itoa(i+1) + ". " + ui.Escape(name))
		if name != strings.ReplaceAll(it, "_", " ") {
			items.WriteString(" · " + ui.Escape(it))
		}
		items.WriteString("\n")
	}
	list := items.String()
	if list == "" {
		list = r.T("approvals.checks_none", nil)
	}
	yesNo := "approvals.no"
	if c.MentorsTickChecks {
		yesNo = "approvals.yes"
	}
	return &discordgo.MessageEmbed{
		Title:       r.T("approvals.compliance_title", nil),
		Description: r.T("approvals.compliance_description", map[string]any{"Cmd": ui.Markup(r.Slash("/setup/compliance"))}),
		Color:       0xF1C40F,
		Fields: []*discordgo.MessageEmbedField{
			{Name: r.T("approvals.compliance_checklist", nil), Value: list},
			{Name: r.T("approvals.compliance_quota", nil), Value: r.T("approvals.compliance_quota_value", map[string]any{"Percent": c.InternQuotaPercent}), Inline: true},
			{Name: r.T("approvals.compliance_mentors", nil), Value: r.T(yesNo, nil), Inline: true},
		},
	}
}
