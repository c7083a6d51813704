// Package enterprise is /enterprise: adding and requesting the enterprises that host interns,
// verifying requests, linking mentors and listing them all.
package enterprise

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"placementbot/internal/discord"
	"placementbot/internal/discord/ui"
	"placementbot/internal/placement"
)

var commands = []discord.Command{
	{Name: "enterprise", Subs: []discord.Command{
		{Name: "add", Roles: placement.RoleCoordinator, Options: enterpriseOptions},
		{Name: "link-mentor", Roles: placement.RoleCoordinator, Options: []discord.Option{
			{Name: "enterprise", Type: discordgo.ApplicationCommandOptionString, Required: true, Autocomplete: true, MaxLength: 100},
			{Name: "mentor", Type: discordgo.ApplicationCommandOptionUser, Required: true},
		}},
		{Name: "request", Roles: placement.RoleMentor, Options: enterpriseOptions},
		{Name: "verify", Roles: placement.RoleCoordinator, Options: []discord.Option{
			{Name: "enterprise", Type: discordgo.ApplicationCommandOptionString, Required: true, Autocomplete: true, MaxLength: 100},
			{Name: "decision", Type: discordgo.ApplicationCommandOptionString, Required: true, Choices: []string{"verify", "refuse"}},
			{Name: "reason", Type: discordgo.ApplicationCommandOptionString, MaxLength: 300},
		}},
		{Name: "unlink-mentor", Roles: placement.RoleCoordinator, Options: []discord.Option{
			{Name: "enterprise", Type: discordgo.ApplicationCommandOptionString, Required: true, Autocomplete: true, MaxLength: 100},
			{Name: "mentor", Type: discordgo.ApplicationCommandOptionUser, Required: true},
		}},
		{Name: "suspend", Roles: placement.RoleCoordinator, Options: []discord.Option{
			{Name: "enterprise", Type: discordgo.ApplicationCommandOptionString, Required: true, Autocomplete: true, MaxLength: 100},
			{Name: "reason", Type: discordgo.ApplicationCommandOptionString, MaxLength: 300},
		}},
		{Name: "restore", Roles: placement.RoleCoordinator, Options: []discord.Option{
			{Name: "enterprise", Type: discordgo.ApplicationCommandOptionString, Required: true, Autocomplete: true, MaxLength: 100},
		}},
		{Name: "list", Roles: placement.RoleCoordinator, Options: []discord.Option{
			{Name: "status", Type: discordgo.ApplicationCommandOptionString, Choices: []string{"verified", "pending", "refused", "suspended"}},
			{Name: "name", Type: discordgo.ApplicationCommandOptionString, MaxLength: 100},
		}},
	}},
}

var enterpriseOptions = []discord.Option{
	{Name: "name", Type: discordgo.ApplicationCommandOptionString, Required: true, MaxLength: 100},
	{Name: "staff_size", Type: discordgo.ApplicationCommandOptionInteger, Required: true, Min: 1, Max: 1000000},
	{Name: "industry", Type: discordgo.ApplicationCommandOptionString, MaxLength: 60},
	{Name: "city", Type: discordgo.ApplicationCommandOptionString, MaxLength: 60},
	{Name: "description", Type: discordgo.ApplicationCommandOptionString, MaxLength: 1000},
}

const (
	// enterprisePageSize is how many enterprises a page of a list shows: one embed field each.
	enterprisePageSize = 10
	// enterprisePendingPageSize is how many requests a page of waiting ones shows, each with
	// its row of Verify/Refuse buttons: a message has five rows, and the pager takes one.
	enterprisePendingPageSize = 4
	// enterpriseLinkMax is how many mentors the card's user select links at once.
	enterpriseLinkMax = 5
	// enterpriseEmbedBudget keeps a list under Discord's 6000-character embed total; names are
	// at most 130 characters, so 25 of them still leave values 80 characters each.
	enterpriseEmbedBudget = 5500
)

// listFilter is what a list shows: enterprises with a status (all when empty) whose name
// contains Name (any when empty).
type listFilter struct {
	Status placement.EnterpriseStatus `json:"status,omitempty"`
	Name   string                     `json:"name,omitempty"`
}

// listPage is one shown page of a list; its cursor is the id of the last enterprise before it.
type listPage = ui.PageState[listFilter, int64]

// handlers serve /enterprise: adding and requesting enterprises, verifying requests, linking
// mentors and listing them all.
type handlers struct {
	svc   *placement.Service
	pages ui.Pager[listFilter, int64]
}

// New is the /enterprise feature.
func New(d discord.Deps) discord.Feature {
	return handlers{svc: d.Service, pages: ui.Pager[listFilter, int64]{
		Sessions: d.Sessions, Kind: "enterprises", TTL: 15 * time.Minute, Command: "/enterprise/list"}}
}

// Commands declares /enterprise and its subcommands.
func (handlers) Commands() []discord.Command { return commands }

// Register adds the routes of /enterprise and of the buttons, menus and forms of its cards.
func (h handlers) Register(rs *discord.Routes) {
	rs.Command("/enterprise/add", placement.RoleCoordinator, h.add)
	// Members with the mentor role who are not linked yet are not RoleMentor: the service
	// checks the mentor role itself.
	rs.Command("/enterprise/request", 0, h.request)
	rs.Command("/enterprise/link-mentor", placement.RoleCoordinator, h.linkMentor)
	rs.Autocomplete("/enterprise/link-mentor", placement.RoleCoordinator, h.suggest(placement.EnterpriseVerified))
	rs.Command("/enterprise/unlink-mentor", placement.RoleCoordinator, h.unlinkMentor)
	// Mentors may be unlinked from a suspended enterprise too: any status.
	rs.Autocomplete("/enterprise/unlink-mentor", placement.RoleCoordinator, h.suggest(""))
	rs.Command("/enterprise/verify", placement.RoleCoordinator, h.verify)
	rs.Autocomplete("/enterprise/verify", placement.RoleCoordinator, h.suggest(placement.EnterprisePending))
	rs.Command("/enterprise/suspend", placement.RoleCoordinator, h.suspend)
	rs.Autocomplete("/enterprise/suspend", placement.RoleCoordinator, h.suggest(placement.EnterpriseVerified))
	rs.Command("/enterprise/restore", placement.RoleCoordinator, h.restore)
	rs.Autocomplete("/enterprise/restore", placement.RoleCoordinator, h.suggest(placement.EnterpriseSuspended))
	rs.UpdateComponent("/enterprise/{id}/restore", placement.RoleCoordinator, h.restoreButton)
	rs.Command("/enterprise/list", placement.RoleCoordinator, h.list)
	rs.UpdateComponent("/enterprise/list/{key}/{dir}", placement.RoleCoordinator, h.turn)
	rs.UpdateComponent("/enterprise/pending", placement.RoleCoordinator, h.pendingButton)
	rs.UpdateComponent("/enterprise/{id}/verify", placement.RoleCoordinator, h.verifyButton)
	rs.Component("/enterprise/{id}/refuse", placement.RoleCoordinator, h.refuseButton)
	// The refusal reason comes from a modal opened on the pending list; answering it by
	// editing that list keeps the coordinator's queue in one place.
	rs.UpdateModal("/enterprise/{id}/refuse/submit", placement.RoleCoordinator, h.refuseSubmit)
	rs.UpdateComponent("/enterprise/{id}/link", placement.RoleCoordinator, h.linkSelect)
}

func (h handlers) add(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	in, err := enterpriseInput(r)
	if err != nil {
		return nil, err
	}
	e, err := h.svc.AddEnterprise(ctx, r.Actor, in)
	if err != nil {
		return nil, err
	}
	return &discord.Reply{
		Content: r.T("enterprise.added", map[string]any{"Name": e.Name, "Command": ui.Markup(r.Slash("/enterprise/link-mentor"))}) +
			h.quotaWarning(ctx, r, e),
		Embeds:     []*discordgo.MessageEmbed{enterpriseCard(r, e)},
		Components: enterpriseLinkRow(r, e),
	}, nil
}

func (h handlers) request(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	in, err := enterpriseInput(r)
	if err != nil {
		return nil, err
	}
	e, err := h.svc.RequestEnterprise(ctx, r.Actor, in)
	if err != nil {
		return nil, err
	}
	return &discord.Reply{
		Content: r.T("enterprise.requested", map[string]any{"Name": e.Name}),
		Embeds:  []*discordgo.MessageEmbed{enterpriseCard(r, e)},
	}, nil
}

// enterpriseInput reads the options shared by /enterprise add and /enterprise request; the
// service validates the text fields.
func enterpriseInput(r *discord.Request) (placement.EnterpriseInput, error) {
	in := placement.EnterpriseInput{}
	in.Name, _ = r.String("name")
	in.Industry, _ = r.String("industry")
	in.City, _ = r.String("city")
	in.Description, _ = r.String("description")
	// Integers arrive as JSON numbers; a client can send 2.5 or 1e300, so only exact whole
	// numbers in range are taken.
	o := r.Option("staff_size")
	if o == nil {
		return in, placement.Errorf(placement.EINVALID, "err.staff_size", nil)
	}
	f, ok := o.Value.(float64)
	if !ok || f != math.Trunc(f) || f < 1 || f > 1_000_000 {
		return in, placement.Errorf(placement.EINVALID, "err.staff_size", nil)
	}
	in.StaffSize = int(f)
	return in, nil
}

// suggest lists enterprises with the status (any when empty) whose name starts with what the
// coordinator typed: verified ones for linking mentors and suspending, pending ones for
// verifying, suspended ones for restoring. The value is the id; the command checks it again.
func (h handlers) suggest(status placement.EnterpriseStatus) discord.Handler {
	return func(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
		es, err := h.svc.SuggestEnterprisesIn(ctx, r.Actor, strings.TrimSpace(r.FocusedText()), status)
		if err != nil {
			return nil, err
		}
		choices := []*discordgo.ApplicationCommandOptionChoice{}
		for _, e := range es {
			label := e.Name
			if e.City != "" {
				label += " — " + e.City
			}
			choices = append(choices, ui.Choice(label, e.ID))
		}
		return &discord.Reply{Choices: choices}, nil
	}
}

// enterpriseOption turns the enterprise option into an id. It is free text from the client:
// normally the id of a suggestion, but a coordinator who types a whole name and presses enter
// sends the name, which is accepted when it names exactly one enterprise with the status the
// command acts on. A name of an enterprise in another status still names it, so the command
// says what is wrong with it ("already verified", "suspended") rather than "not found".
func (h handlers) enterpriseOption(ctx context.Context, r *discord.Request, status placement.EnterpriseStatus) (int64, error) {
	v, _ := r.String("enterprise")
	v = strings.TrimSpace(v)
	if id, ok := ui.ParseID(v); ok {
		return id, nil
	}
	if v != "" {
		es, err := h.svc.SuggestEnterprisesIn(ctx, r.Actor, v, "")
		if err != nil {
			return 0, err
		}
		var match, other []placement.Enterprise
		for _, e := range es {
			switch {
			case !strings.EqualFold(e.Name, v):
			case status == "" || e.Status == status:
				match = append(match, e)
			default:
				other = append(other, e)
			}
		}
		if len(match) == 0 && len(other) == 1 {
			match = other
		}
		if len(match) == 1 {
			return match[0].ID, nil
		}
	}
	return 0, placement.Errorf(placement.ENOTFOUND, "err.enterprise_not_found", nil)
}

func (h handlers) linkMentor(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	id, err := h.enterpriseOption(ctx, r, placement.EnterpriseVerified)
	if err != nil {
		return nil, err
	}
	userID, ok := r.ID("mentor")
	if !ok {
		return nil, placement.Errorf(placement.EINVALID, "enterprise.err_pick_member", nil)
	}
	res := r.Interaction.ApplicationCommandData().Resolved
	var members map[string]*discordgo.Member
	var users map[string]*discordgo.User
	if res != nil {
		members, users = res.Members, res.Users
	}
	if err := checkMentorCandidate(userID, members, users); err != nil {
		return nil, err
	}
	e, err := h.svc.LinkMentor(ctx, r.Actor, id, userID)
	if err != nil {
		return nil, err
	}
	return h.linked(ctx, r, e, []string{userID}, members), nil
}

// unlinkMentor removes a mentor from an enterprise. The member need not be in the server any
// more: someone who left the company may have left it too.
func (h handlers) unlinkMentor(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	id, err := h.enterpriseOption(ctx, r, "")
	if err != nil {
		return nil, err
	}
	userID, ok := r.ID("mentor")
	if !ok {
		return nil, placement.Errorf(placement.EINVALID, "enterprise.err_pick_member", nil)
	}
	e, err := h.svc.UnlinkMentor(ctx, r.Actor, id, userID)
	if err != nil {
		return nil, err
	}
	return &discord.Reply{
		Content:    r.T("enterprise.unlinked", map[string]any{"User": mention(userID), "Name": e.Name}),
		Embeds:     []*discordgo.MessageEmbed{enterpriseCard(r, e)},
		Components: enterpriseLinkRow(r, e),
	}, nil
}

func (h handlers) suspend(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	id, err := h.enterpriseOption(ctx, r, placement.EnterpriseVerified)
	if err != nil {
		return nil, err
	}
	reason, _ := r.String("reason")
	e, err := h.svc.SuspendEnterprise(ctx, r.Actor, id, true, reason)
	if err != nil {
		return nil, err
	}
	return &discord.Reply{
		Content: r.T("enterprise.suspended", map[string]any{"Name": e.Name, "Command": ui.Markup(r.Slash("/enterprise/restore"))}),
		Embeds:  []*discordgo.MessageEmbed{enterpriseCard(r, e)},
		Components: []discordgo.MessageComponent{ui.Row(discordgo.Button{
			Label: r.T("enterprise.restore_button", nil), Style: discordgo.SecondaryButton, CustomID: "/enterprise/" + ui.FormatID(e.ID) + "/restore",
		})},
	}, nil
}

func (h handlers) restore(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	id, err := h.enterpriseOption(ctx, r, placement.EnterpriseSuspended)
	if err != nil {
		return nil, err
	}
	return h.restored(ctx, r, id)
}

// restoreButton restores the enterprise a suspension reply shows, in place.
func (h handlers) restoreButton(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	id, err := ui.VarID(r.Vars, "id")
	if err != nil {
		return nil, err
	}
	return h.restored(ctx, r, id)
}

// restored restores a suspended enterprise and shows its card with the mentor picker.
func (h handlers) restored(ctx context.Context, r *discord.Request, id int64) (*discord.Reply, error) {
	e, err := h.svc.SuspendEnterprise(ctx, r.Actor, id, false, "")
	if err != nil {
		return nil, err
	}
	return &discord.Reply{
		Content:    r.T("enterprise.restored", map[string]any{"Name": e.Name}),
		Embeds:     []*discordgo.MessageEmbed{enterpriseCard(r, e)},
		Components: enterpriseLinkRow(r, e),
	}, nil
}

// linkSelect links the members picked in an enterprise card's user menu and updates the card.
func (h handlers) linkSelect(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	id, err := ui.VarID(r.Vars, "id")
	if err != nil {
		return nil, err
	}
	values := r.Values()
	if len(values) == 0 || len(values) > enterpriseLinkMax {
		return nil, ui.StaleComponent()
	}
	res := r.Interaction.MessageComponentData().Resolved
	var ids []string
	for _, v := range values {
		if !placement.IsSnowflake(v) {
			return nil, ui.StaleComponent()
		}
		// Check everyone first, so a bad pick links nobody rather than half of them.
		if err := checkMentorCandidate(v, res.Members, res.Users); err != nil {
			return nil, err
		}
		if !slices.Contains(ids, v) {
			ids = append(ids, v)
		}
	}
	var e placement.Enterprise
	var linked, already []string
	var name any
	for _, u := range ids {
		got, err := h.svc.LinkMentor(ctx, r.Actor, id, u)
		var pe *placement.Error
		switch {
		case errors.As(err, &pe) && pe.Key == "err.already_mentor":
			// One already linked does not stop the others.
			already, name = append(already, u), pe.Data["Name"]
			continue
		case err != nil:
			return nil, err
		}
		linked, e = append(linked, u), got
	}
	if len(linked) == 0 {
		return nil, placement.Errorf(placement.ECONFLICT, "enterprise.err_already_mentors", map[string]any{"Users": mentions(already), "Name": name})
	}
	reply := h.linked(ctx, r, e, linked, res.Members)
	if len(already) > 0 {
		reply.Content += "\n" + r.T("enterprise.already_mentors", map[string]any{"Users": mentions(already)})
	}
	return reply, nil
}

// linked confirms that the members were linked to the enterprise, and warns of those who
// lack the mentor role, above the updated card.
func (h handlers) linked(ctx context.Context, r *discord.Request, e placement.Enterprise, ids []string, members map[string]*discordgo.Member) *discord.Reply {
	content := r.T("enterprise.linked", map[string]any{"Users": mentions(ids), "Name": e.Name, "Command": ui.Markup(r.Slash("/positions/post"))})
	content += h.mentorRoleWarning(ctx, r, ids, members)
	return &discord.Reply{Content: content, Embeds: []*discordgo.MessageEmbed{enterpriseCard(r, e)}, Components: enterpriseLinkRow(r, e)}
}

// mention shows a member as Discord does; replies allow no mentions, so nobody is pinged.
func mention(userID string) ui.Markup { return ui.Markup("<@" + userID + ">") }

// mentions lists members as mentions, comma-separated.
func mentions(ids []string) ui.Markup {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = string(mention(id))
	}
	return ui.Markup(strings.Join(out, ", "))
}

// checkMentorCandidate refuses a user who is not in this server (Discord resolves members only
// for people in the guild) and bots, which cannot mentor anyone.
func checkMentorCandidate(userID string, members map[string]*discordgo.Member, users map[string]*discordgo.User) error {
	if members[userID] == nil {
		return placement.Errorf(placement.EINVALID, "enterprise.err_not_member", map[string]any{"User": mention(userID)})
	}
	if u := users[userID]; u != nil && u.Bot {
		return placement.Errorf(placement.EINVALID, "enterprise.err_bot", map[string]any{"User": mention(userID)})
	}
	return nil
}

// mentorRoleWarning tells the coordinator which newly linked people lack the mentor role: the
// link is kept, but they cannot act as mentors until someone gives them the role.
func (h handlers) mentorRoleWarning(ctx context.Context, r *discord.Request, ids []string, members map[string]*discordgo.Member) string {
	gs, err := h.svc.GuildSettings(ctx, r.Actor)
	if err != nil || gs.MentorRoleID == "" {
		return ""
	}
	var missing []string
	for _, id := range ids {
		if m := members[id]; m != nil && !slices.Contains(m.Roles, gs.MentorRoleID) {
			missing = append(missing, id)
		}
	}
	if len(missing) == 0 {
		return ""
	}
	return "\n" + r.T("enterprise.lacks_mentor_role", map[string]any{"Users": mentions(missing), "Role": ui.Markup("<@&" + gs.MentorRoleID + ">")})
}

func (h handlers) verify(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	id, err := h.enterpriseOption(ctx, r, placement.EnterprisePending)
	if err != nil {
		return nil, err
	}
	decision, _ := r.String("decision")
	reason, _ := r.String("reason")
	var approve bool
	switch decision {
	case "verify":
		approve = true
	case "refuse":
		// The requester reads the reason in their DM: a refusal without one leaves them guessing.
		if strings.TrimSpace(reason) == "" {
			return nil, placement.Errorf(placement.EINVALID, "enterprise.err_reason_needed", nil)
		}
	default:
		return nil, placement.Errorf(placement.EINVALID, "enterprise.err_decision", nil)
	}
	e, err := h.svc.VerifyEnterprise(ctx, r.Actor, id, approve, reason)
	if err != nil {
		return nil, err
	}
	reply := &discord.Reply{Content: enterpriseDecided(r, e) + h.quotaWarning(ctx, r, e), Embeds: []*discordgo.MessageEmbed{enterpriseCard(r, e)}}
	if e.Status == placement.EnterpriseVerified {
		reply.Components = enterpriseLinkRow(r, e)
	}
	return reply, nil
}

// quotaWarning is, on a line of its own, the warning that a verified enterprise's staff is too
// small for a single intern at the guild's quota; empty otherwise. The enterprise is saved
// already: when the quota cannot be read, the reply only lacks the warning.
func (h handlers) quotaWarning(ctx context.Context, r *discord.Request, e placement.Enterprise) string {
	if e.Status != placement.EnterpriseVerified {
		return ""
	}
	q, err := h.svc.HostingQuota(ctx, r.Actor, e.ID)
	if w := ui.QuotaWarning(r, q); err == nil && w != "" {
		return "\n" + w
	}
	return ""
}

// enterpriseDecided confirms a decision and who heard of it.
func enterpriseDecided(r *discord.Request, e placement.Enterprise) string {
	data := map[string]any{"Name": e.Name, "User": mention(e.RequestedBy)}
	switch {
	case e.Status == placement.EnterpriseVerified && e.RequestedBy != "":
		return r.T("enterprise.verified", data)
	case e.Status == placement.EnterpriseVerified:
		return r.T("enterprise.verified_no_requester", data)
	case e.RequestedBy != "":
		return r.T("enterprise.refused", data)
	}
	return r.T("enterprise.refused_no_requester", data)
}

func (h handlers) verifyButton(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	id, err := ui.VarID(r.Vars, "id")
	if err != nil {
		return nil, err
	}
	e, err := h.svc.VerifyEnterprise(ctx, r.Actor, id, true, "")
	if err != nil {
		return nil, err
	}
	return h.pending(ctx, r, enterpriseDecided(r, e)+h.quotaWarning(ctx, r, e))
}

// refuseButton asks for the reason the requester will read.
func (h handlers) refuseButton(_ context.Context, r *discord.Request) (*discord.Reply, error) {
	id, err := ui.VarID(r.Vars, "id")
	if err != nil {
		return nil, err
	}
	return &discord.Reply{Modal: &discord.Modal{
		CustomID: "/enterprise/" + ui.FormatID(id) + "/refuse/submit",
		Title:    r.T("enterprise.refuse_title", nil),
		Inputs:   []discordgo.TextInput{ui.ReasonInput(r.T("enterprise.refuse_label", nil), r.T("enterprise.refuse_placeholder", nil))},
	}}, nil
}

func (h handlers) refuseSubmit(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	id, err := ui.VarID(r.Vars, "id")
	if err != nil {
		return nil, err
	}
	reason := r.ModalValue("reason")
	if strings.TrimSpace(reason) == "" {
		return nil, placement.Errorf(placement.EINVALID, "enterprise.err_reason_needed", nil)
	}
	e, err := h.svc.VerifyEnterprise(ctx, r.Actor, id, false, reason)
	if err != nil {
		return nil, err
	}
	return h.pending(ctx, r, enterpriseDecided(r, e))
}

func (h handlers) pendingButton(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	return h.pending(ctx, r, "")
}

// pending shows the first page of the waiting requests, with note (what the coordinator just
// decided) on top.
func (h handlers) pending(ctx context.Context, r *discord.Request, note string) (*discord.Reply, error) {
	return h.listReply(ctx, r, h.pages.Start(r.Actor, listFilter{Status: placement.EnterprisePending}), note)
}

func (h handlers) list(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	status, _ := r.String("status")
	name, _ := r.String("name")
	f := listFilter{Status: placement.EnterpriseStatus(status), Name: strings.TrimSpace(ui.OneLine(name))}
	switch f.Status {
	case "", placement.EnterpriseVerified, placement.EnterprisePending, placement.EnterpriseRefused, placement.EnterpriseSuspended:
		return h.listReply(ctx, r, h.pages.Start(r.Actor, f), "")
	}
	return nil, placement.Errorf(placement.EINVALID, "enterprise.err_status", nil)
}

// turn shows the previous or next page of a list.
func (h handlers) turn(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	st, err := h.pages.Load(ctx, r.Actor, r.Vars["key"], r.Slash)
	if err != nil {
		return nil, err
	}
	if !st.TurnBy(r.Vars["dir"]) {
		return nil, ui.StaleComponent()
	}
	return h.listReply(ctx, r, st, "")
}

// listReply renders the page of a list st points at, with Verify and Refuse buttons on
// pending requests and Previous/Next when there is more than one page; note, when set,
// confirms what the coordinator just did. A page emptied meanwhile falls back to the first.
func (h handlers) listReply(ctx context.Context, r *discord.Request, st listPage, note string) (*discord.Reply, error) {
	status := st.Filter.Status
	size := enterprisePageSize
	if status == placement.EnterprisePending {
		size = enterprisePendingPageSize
	}
	fetch := func() ([]placement.Enterprise, error) {
		// One more than shown, to know whether there is a next page.
		return h.svc.Enterprises(ctx, r.Actor, placement.EnterpriseFilter{Status: status, Contains: st.Filter.Name, After: st.Cursor(), Limit: size + 1})
	}
	es, err := fetch()
	if err == nil && len(es) == 0 && st.Page() > 0 {
		st.Cursors = st.Cursors[:1]
		es, err = fetch()
	}
	if err != nil {
		return nil, err
	}
	var lines []string
	if note != "" {
		lines = append(lines, note)
	}
	if len(es) == 0 {
		key := "enterprise.list_empty"
		switch {
		case st.Filter.Name != "":
			key = "enterprise.list_empty_search"
		case status == placement.EnterprisePending:
			key = "enterprise.list_empty_pending"
		case status != "":
			key = "enterprise.list_empty_status"
		}
		data := map[string]any{"Command": ui.Markup(r.Slash("/enterprise/add")), "Name": st.Filter.Name}
		if status != "" {
			data["Status"] = ui.Markup(r.T("enterprise.status."+string(status), nil))
		}
		lines = append(lines, r.T(key, data))
		// An empty Components list clears the buttons when this edits an earlier list.
		return &discord.Reply{Content: strings.Join(lines, "\n"), Components: []discordgo.MessageComponent{}}, nil
	}
	more := len(es) > size
	if more {
		es = es[:size]
	}
	st.SetNext(es[len(es)-1].ID, more)
	paged := more || st.Page() > 0
	key := ""
	if paged {
		if key, err = h.pages.Save(ctx, st); ui.SessionsDown(err) {
			// The page is still worth showing; only turning it needs the session.
			key = ""
			lines = append(lines, r.T("enterprise.no_paging", nil))
		} else if err != nil {
			return nil, err
		}
	}
	embed := enterpriseListEmbed(r, es, st.Filter)
	if paged {
		embed.Footer = &discordgo.MessageEmbedFooter{Text: r.T("enterprise.list_page", map[string]any{"Page": st.Page() + 1})}
	}
	rows := []discordgo.MessageComponent{}
	pending := false
	for _, e := range es {
		if e.Status != placement.EnterprisePending {
			continue
		}
		pending = true
		if status != placement.EnterprisePending {
			continue
		}
		id := ui.FormatID(e.ID)
		// A button label is plain text: the name goes in as typed, not escaped.
		name := ui.Markup(ui.Truncate(ui.OneLine(e.Name), 30))
		rows = append(rows, ui.Row(
			discordgo.Button{Label: r.T("enterprise.verify_button", map[string]any{"Name": name}), Style: discordgo.SuccessButton, CustomID: "/enterprise/" + id + "/verify"},
			discordgo.Button{Label: r.T("enterprise.refuse_button", map[string]any{"Name": name}), Style: discordgo.DangerButton, CustomID: "/enterprise/" + id + "/refuse"},
		))
	}
	if status == "" && pending {
		rows = append(rows, ui.Row(
			discordgo.Button{Label: r.T("enterprise.review_pending", nil), Style: discordgo.PrimaryButton, CustomID: "/enterprise/pending"},
		))
	}
	if key != "" {
		rows = append(rows, ui.PrevNext("/enterprise/list/"+key+"/", r.T("apps.prev", nil), r.T("apps.next", nil), st.Page() > 0, st.HasNext))
	}
	return &discord.Reply{Content: strings.Join(lines, "\n"), Embeds: []*discordgo.MessageEmbed{embed}, Components: rows}, nil
}

// enterpriseListEmbed shows one field per enterprise, short enough to read on a phone, under
// the name searched for. Names come first; the values share what is left of Discord's embed
// total, so a page of enterprises with long names and many mentors makes one valid message.
func enterpriseListEmbed(r *discord.Request, es []placement.Enterprise, f listFilter) *discordgo.MessageEmbed {
	status := f.Status
	title := r.T("enterprise.list_title", nil)
	if status != "" {
		title = r.T("enterprise.list_title_status", map[string]any{"Status": ui.Markup(r.T("enterprise.status."+string(status), nil))})
	}
	embed := &discordgo.MessageEmbed{Title: title, Color: enterpriseColor}
	if f.Name != "" {
		embed.Description = r.T("enterprise.list_search", map[string]any{"Name": ui.Truncate(f.Name, 100)})
	}
	used := utf8.RuneCountInString(embed.Title) + utf8.RuneCountInString(embed.Description) + 20
	names := make([]string, len(es))
	for i, e := range es {
		names[i] = ui.Truncate(ui.Escape(e.Name), 100)
		if status == "" {
			names[i] += " · " + r.T("enterprise.status."+string(e.Status), nil)
		}
		used += utf8.RuneCountInString(names[i])
	}
	valueMax := min(1024, max(60, (enterpriseEmbedBudget-used)/len(es)))
	for i, e := range es {
		value := ui.Truncate(enterpriseFacts(r, e), valueMax)
		left := valueMax - utf8.RuneCountInString(value) - 1
		var line string
		switch {
		case e.Status == placement.EnterprisePending && e.RequestedBy != "":
			line = r.T("enterprise.requested_by", map[string]any{"User": mention(e.RequestedBy)})
		case e.Status == placement.EnterpriseRefused && e.Note != "":
			line = ui.Truncate(r.T("enterprise.refusal_reason", map[string]any{"Reason": e.Note}), left)
		case e.Status == placement.EnterpriseSuspended && e.Note != "":
			line = ui.Truncate(r.T("enterprise.suspension_reason", map[string]any{"Reason": e.Note}), left)
		case e.Status == placement.EnterpriseVerified && len(e.Mentors) == 0:
			line = r.T("enterprise.no_mentors", nil)
		case e.Status == placement.EnterpriseVerified:
			label := r.T("enterprise.mentors_line", map[string]any{"Mentors": ""})
			line = label + enterpriseMentors(r, e, left-utf8.RuneCountInString(label))
		}
		// A line that cannot fit whole is left out rather than cut through a mention.
		if line != "" && utf8.RuneCountInString(line) <= left {
			value += "\n" + line
		}
		embed.Fields = append(embed.Fields, &discordgo.MessageEmbedField{Name: names[i], Value: value})
	}
	return embed
}

// enterpriseColor marks enterprise cards and lists.
const enterpriseColor = 0x2e86c1

// enterpriseFacts is the one-line summary: city · industry · staff.
func enterpriseFacts(r *discord.Request, e placement.Enterprise) string {
	var parts []string
	if e.City != "" {
		parts = append(parts, ui.Escape(e.City))
	}
	if e.Industry != "" {
		parts = append(parts, ui.Escape(e.Industry))
	}
	parts = append(parts, r.T("enterprise.staff", map[string]any{"Count": e.StaffSize}))
	return strings.Join(parts, " · ")
}

// enterpriseMentors lists linked mentors as mentions within max characters, ending with
// "+N more" when they do not all fit: Discord shows mentions as names, and every reply is sent
// with no allowed mentions, so nobody is pinged.
func enterpriseMentors(r *discord.Request, e placement.Enterprise, max int) string {
	if len(e.Mentors) == 0 {
		return r.T("enterprise.no_mentors", nil)
	}
	var b strings.Builder
	for i, m := range e.Mentors {
		part := string(mention(m))
		if i > 0 {
			part = ", " + part
		}
		// Room is kept for the "+N more" that follows when this is not the last one.
		reserve := 0
		if i < len(e.Mentors)-1 {
			reserve = 16
		}
		if utf8.RuneCountInString(b.String())+utf8.RuneCountInString(part)+reserve > max {
			b.WriteString(" " + r.T("enterprise.more_mentors", map[string]any{"Count": len(e.Mentors) - i}))
			break
		}
		b.WriteString(part)
	}
	return b.String()
}

// enterpriseCard shows one enterprise in full.
func enterpriseCard(r *discord.Request, e placement.Enterprise) *discordgo.MessageEmbed {
	none := r.T("enterprise.none", nil)
	orNone := func(s string) string {
		if s == "" {
			return none
		}
		return ui.Escape(s)
	}
	embed := &discordgo.MessageEmbed{
		Title:       ui.Escape(e.Name),
		Description: ui.Escape(e.Description),
		Color:       enterpriseColor,
		Fields: []*discordgo.MessageEmbedField{
			{Name: r.T("field.city", nil), Value: orNone(e.City), Inline: true},
			{Name: r.T("field.industry", nil), Value: orNone(e.Industry), Inline: true},
			{Name: r.T("enterprise.staff_size", nil), Value: fmt.Sprint(e.StaffSize), Inline: true},
			{Name: r.T("enterprise.status", nil), Value: r.T("enterprise.status."+string(e.Status), nil), Inline: true},
		},
	}
	if e.RequestedBy != "" {
		embed.Fields = append(embed.Fields, &discordgo.MessageEmbedField{Name: r.T("enterprise.requested_by_field", nil), Value: string(mention(e.RequestedBy)), Inline: true})
	}
	if (e.Status == placement.EnterpriseRefused || e.Status == placement.EnterpriseSuspended) && e.Note != "" {
		embed.Fields = append(embed.Fields, &discordgo.MessageEmbedField{Name: r.T("field.reason", nil), Value: ui.Escape(e.Note)})
	}
	if e.Status == placement.EnterpriseVerified || e.Status == placement.EnterpriseSuspended {
		embed.Fields = append(embed.Fields, &discordgo.MessageEmbedField{Name: r.T("enterprise.mentors", nil), Value: enterpriseMentors(r, e, 1024)})
	}
	return embed
}

// enterpriseLinkRow is a member picker under a verified enterprise's card: picking people links
// them as mentors, which saves the coordinator typing /enterprise link-mentor once per person.
func enterpriseLinkRow(r *discord.Request, e placement.Enterprise) []discordgo.MessageComponent {
	if e.Status != placement.EnterpriseVerified {
		return nil
	}
	one := 1
	return []discordgo.MessageComponent{ui.Row(discordgo.SelectMenu{
		MenuType: discordgo.UserSelectMenu, CustomID: "/enterprise/" + ui.FormatID(e.ID) + "/link",
		Placeholder: r.T("enterprise.link_placeholder", nil), MinValues: &one, MaxValues: enterpriseLinkMax,
	})}
}
