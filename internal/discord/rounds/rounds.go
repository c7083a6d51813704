// Package rounds is /round: placement rounds, where students rank the positions they applied
// to, mentors rank their applicants, and a coordinator previews and publishes the stable match.
package rounds

import (
	"context"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"placementbot/internal/discord"
	"placementbot/internal/discord/ui"
	"placementbot/internal/placement"
)

const coord = placement.RoleCoordinator

// rankers may use /round rank: students order their applications, mentors their applicants.
const rankers = placement.RoleStudent | placement.RoleMentor

var roundOption = discord.Option{Name: "round", Type: discordgo.ApplicationCommandOptionString, Required: true, Autocomplete: true, MaxLength: 100}

var commands = []discord.Command{
	{Name: "round", Subs: []discord.Command{
		{Name: "open", Roles: coord, Options: []discord.Option{
			{Name: "name", Type: discordgo.ApplicationCommandOptionString, Required: true, MaxLength: 100},
			{Name: "deadline", Type: discordgo.ApplicationCommandOptionString, Required: true, MaxLength: 20},
			{Name: "enterprise", Type: discordgo.ApplicationCommandOptionString, Autocomplete: true, MaxLength: 100},
			{Name: "program", Type: discordgo.ApplicationCommandOptionString, Autocomplete: true, MaxLength: 60},
			{Name: "max_ranks", Type: discordgo.ApplicationCommandOptionInteger, Min: 1, Max: placement.MaxMaxRanks},
			{Name: "outcome", Type: discordgo.ApplicationCommandOptionString, Choices: []string{string(placement.OutcomeOffers), string(placement.OutcomeApproval)}},
		}},
		{Name: "rank", Roles: rankers, Options: []discord.Option{
			roundOption,
			{Name: "position", Type: discordgo.ApplicationCommandOptionString, Autocomplete: true, MaxLength: 100},
		}},
		{Name: "preview", Roles: coord, Options: []discord.Option{roundOption}},
		{Name: "publish", Roles: coord, Options: []discord.Option{roundOption}},
		{Name: "result", Roles: placement.RoleStudent, Options: []discord.Option{roundOption}},
	}},
}

// publishTimeout bounds publishing a round.
const publishTimeout = 5 * time.Minute

// handlers serve /round and the buttons and forms of its lists, previews and publishing.
type handlers struct {
	svc *placement.Service
}

// New is the /round feature.
func New(d discord.Deps) discord.Feature { return handlers{svc: d.Service} }

// Commands declares /round and its subcommands.
func (handlers) Commands() []discord.Command { return commands }

// Register adds the routes of opening, ranking, previewing and publishing rounds.
func (h handlers) Register(rs *discord.Routes) {
	rs.Command("/round/open", coord, h.open)
	rs.Autocomplete("/round/open", coord, h.scopeAutocomplete)
	rs.Command("/round/rank", rankers, h.rank)
	rs.Autocomplete("/round/rank", rankers, h.rankAutocomplete)
	rs.UpdateComponent("/round/{id}/list/{position}/{page}", rankers, h.listPage)
	rs.Component("/round/{id}/order/{position}/{version}", rankers, h.orderForm)
	rs.UpdateModal("/round/{id}/order/{position}/{version}/submit", rankers, h.orderSubmit)
	rs.UpdateComponent("/round/{id}/keep/{position}/{version}", rankers, h.keepOrder)
	rs.Command("/round/preview", coord, h.preview)
	rs.Autocomplete("/round/preview", coord, h.roundAutocomplete)
	rs.Command("/round/publish", coord, h.publishCommand)
	rs.Autocomplete("/round/publish", coord, h.roundAutocomplete)
	rs.Component("/round/{id}/publish", coord, h.publishButton)
	// Publishing a round the size of the residency match takes about 12 s on a small machine:
	// the router acknowledges it when slow; give it minutes. It commits all or nothing either way.
	rs.Add(discord.Route{Kind: discord.KindComponent, Pattern: "/round/{id}/publish/confirm", Allow: coord,
		Handler: h.publishConfirm, Update: true, Timeout: publishTimeout})
	rs.UpdateComponent("/round/{id}/publish/cancel", coord, h.publishCancel)
	rs.Command("/round/result", placement.RoleStudent, h.result)
	rs.Autocomplete("/round/result", placement.RoleStudent, h.roundAutocomplete)
}

// --- opening -----------------------------------------------------------------------------

func (h handlers) open(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	in := placement.RoundInput{}
	in.Name, _ = r.String("name")
	in.Deadline, _ = r.String("deadline")
	in.Program, _ = r.String("program")
	in.Outcome, _ = r.String("outcome")
	if raw, ok := r.String("enterprise"); ok && strings.TrimSpace(raw) != "" {
		e, err := ui.ResolveEnterprise(ctx, h.svc, r.Actor, raw, true)
		if err != nil {
			return nil, err
		}
		in.Enterprise = e.ID
	}
	if o := r.Option("max_ranks"); o != nil {
		// Integers arrive as JSON numbers: only whole numbers in range are taken.
		f, ok := o.Value.(float64)
		if !ok || f != math.Trunc(f) || f < 1 || f > placement.MaxMaxRanks {
			return nil, placement.Errorf(placement.EINVALID, "rounds.err_max_ranks", map[string]any{"Max": placement.MaxMaxRanks})
		}
		in.MaxRanks = int(f)
	}
	round, ps, err := h.svc.OpenRound(ctx, r.Actor, in)
	if err != nil {
		return nil, err
	}
	slots := 0
	for _, p := range ps {
		slots += p.Slots
	}
	outcome := r.T("rounds.outcome_"+string(round.Outcome), nil)
	lines := []string{
		r.T("rounds.opened", map[string]any{"Name": ui.OneLine(round.Name), "ID": round.ID, "Count": len(ps), "Slots": slots,
			"Deadline": deadline(round)}),
		r.T("rounds.opened_scope", map[string]any{"Scope": scopeText(r, round, ps), "Max": round.MaxRanks, "Outcome": ui.Markup(outcome)}),
		r.T("rounds.opened_next", map[string]any{"Rank": ui.Markup(r.Slash("/round/rank")), "Preview": ui.Markup(r.Slash("/round/preview")),
			"Publish": ui.Markup(r.Slash("/round/publish"))}),
	}
	embed := &discordgo.MessageEmbed{
		Title:       r.T("rounds.positions_title", map[string]any{"Count": len(ps)}),
		Description: positionLines(r, ps, maxPositionLines),
		Color:       0x9B59B6,
	}
	return &discord.Reply{Content: strings.Join(lines, "\n"), Embeds: []*discordgo.MessageEmbed{embed}}, nil
}

// deadline shows a round's deadline in each member's own time zone, and how far off it is.
func deadline(round placement.Round) ui.Markup {
	return ui.Timestamp(round.Deadline, 'f') + " (" + ui.Timestamp(round.Deadline, 'R') + ")"
}

// scopeText says which positions take part in a round.
func scopeText(r *discord.Request, round placement.Round, ps []placement.RoundPosition) ui.Markup {
	var parts []string
	if round.Scope.Enterprise != 0 {
		name := r.T("rounds.this_enterprise", nil)
		for _, p := range ps {
			if p.EnterpriseID == round.Scope.Enterprise {
				name = ui.Escape(ui.OneLine(p.EnterpriseName))
				break
			}
		}
		parts = append(parts, r.T("rounds.scope_enterprise", map[string]any{"Enterprise": ui.Markup(name)}))
	}
	if round.Scope.Program != "" {
		parts = append(parts, r.T("rounds.scope_program", map[string]any{"Program": ui.OneLine(round.Scope.Program)}))
	}
	if len(parts) == 0 {
		return ui.Markup(r.T("rounds.scope_all", nil))
	}
	return ui.Markup(strings.Join(parts, " · "))
}

// maxPositionLines keeps a list of positions well inside an embed's description.
const maxPositionLines = 20

// positionLines lists round positions with their places, cut with an "and N more" line.
func positionLines(r *discord.Request, ps []placement.RoundPosition, limit int) string {
	var lines []string
	for i, p := range ps {
		if i == limit {
			lines = append(lines, r.T("rounds.more", map[string]any{"Count": len(ps) - limit}))
			break
		}
		lines = append(lines, r.T("rounds.position_line", map[string]any{"Title": ui.OneLine(ui.Truncate(p.Title, 80)),
			"Enterprise": ui.OneLine(ui.Truncate(p.EnterpriseName, 60)), "Slots": p.Slots}))
	}
	return strings.Join(lines, "\n")
}

// --- suggestions -------------------------------------------------------------------------

// scopeAutocomplete suggests enterprises for the enterprise option and programs for the
// program option of /round open.
func (h handlers) scopeAutocomplete(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	f := r.Focused()
	if f == nil {
		return &discord.Reply{Choices: []*discordgo.ApplicationCommandOptionChoice{}}, nil
	}
	if f.Name == "program" {
		programs, err := h.svc.SuggestPrograms(ctx, r.Actor, r.FocusedText())
		if err != nil {
			return nil, err
		}
		choices := make([]*discordgo.ApplicationCommandOptionChoice, 0, len(programs))
		for _, p := range programs {
			if len(p) <= ui.MaxChoiceName {
				choices = append(choices, &discordgo.ApplicationCommandOptionChoice{Name: p, Value: p})
			}
		}
		return &discord.Reply{Choices: choices}, nil
	}
	choices, err := ui.EnterpriseChoices(ctx, h.svc, r.Actor, r.FocusedText())
	return &discord.Reply{Choices: choices}, err
}

// roundAutocomplete suggests rounds: open ones for ranking and previewing, every round for
// publishing and results, newest first; students only rounds they applied in.
func (h handlers) roundAutocomplete(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	f := placement.RoundFilter{Prefix: strings.TrimSpace(r.FocusedText()), Limit: ui.MaxChoices}
	if r.Path == "/round/preview" {
		f.Status = placement.RoundStatusOpen
	}
	rounds, err := h.svc.Rounds(ctx, r.Actor, f)
	if err != nil {
		return nil, err
	}
	choices := make([]*discordgo.ApplicationCommandOptionChoice, 0, len(rounds))
	for _, round := range rounds {
		choices = append(choices, roundChoice(r, round))
	}
	return &discord.Reply{Choices: choices}, nil
}

// roundChoice names a round in a suggestion: its name, its deadline date and its status.
func roundChoice(r *discord.Request, round placement.Round) *discordgo.ApplicationCommandOptionChoice {
	date := placement.LocalDate(round.Deadline, r.Actor.Location()).Format(placement.DateLayout)
	return ui.Choice(round.Name+" · "+date+" · "+r.T("rounds.status_"+string(round.Status), nil), round.ID)
}

// resolve reads a round option: the id of a suggestion, or a typed name naming one round.
func (h handlers) resolve(ctx context.Context, r *discord.Request) (placement.Round, []placement.RoundPosition, error) {
	raw, _ := r.String("round")
	id, ok := ui.ParseID(raw)
	if !ok {
		rounds, err := h.svc.Rounds(ctx, r.Actor, placement.RoundFilter{Limit: 100})
		if err != nil {
			return placement.Round{}, nil, err
		}
		items := make([]ui.Titled, len(rounds))
		for i, round := range rounds {
			items[i] = ui.Titled{ID: round.ID, Title: round.Name}
		}
		if id, ok = ui.MatchTitle(raw, items); !ok {
			return placement.Round{}, nil, placement.Errorf(placement.ENOTFOUND, "rounds.err_not_found", nil)
		}
	}
	return h.svc.Round(ctx, r.Actor, id)
}

// roundVar reads the round a button's custom_id names; the service looks it up in this guild.
func roundVar(r *discord.Request) (int64, error) { return ui.VarID(r.Vars, "id") }

// count writes a number for a template that shows it without a noun.
func count(n int) ui.Markup { return ui.Markup(strconv.Itoa(n)) }
