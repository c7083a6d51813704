package positions

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"placementbot/internal/discord"
	"placementbot/internal/discord/ui"
	"placementbot/internal/placement"
)

// browseTTL is how long a result list can still be paged after it was last shown.
const browseTTL = 15 * time.Minute

// browseNoSession stands in for the session key in the select menu of a list shown while
// session storage is down: opening a position needs no session, paging does.
const browseNoSession = "-"

// browseFilter is what a result list was asked for, with the enterprise's name to show it.
type browseFilter struct {
	placement.PositionFilter
	EnterpriseName string `json:"enterprise_name,omitempty"`
}

// browsePage is one shown page of a result list, kept behind the key in its buttons.
type browsePage = ui.PageState[browseFilter, int64]

// browse answers /positions browse with the first page of open positions matching the filters.
func (h positionHandlers) browse(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	var f browseFilter
	text := func(name string) string { v, _ := r.String(name); return strings.TrimSpace(v) }
	f.Keyword = text("keyword")
	f.Skill = strings.ToLower(text("skill"))
	f.Program = text("program")
	f.Location = text("location")
	if o := r.Option("remote"); o != nil {
		f.RemoteOnly, _ = o.Value.(bool)
	}
	if raw := text("enterprise"); raw != "" {
		e, err := ui.ResolveEnterprise(ctx, h.svc, r.Actor, raw, true)
		if err != nil {
			return nil, err
		}
		f.EnterpriseID, f.EnterpriseName = e.ID, e.Name
	}
	st := h.pager.Start(r.Actor, f)
	page, err := h.svc.Browse(ctx, r.Actor, f.PositionFilter, st.Cursor())
	if err != nil {
		return nil, err
	}
	if len(page.Positions) == 0 {
		if filters := browseFilters(r, f); filters != "" {
			return &discord.Reply{Content: r.T("browse.none_filtered", map[string]any{"Filters": filters, "Cmd": ui.Markup(r.Slash("/positions/browse"))})}, nil
		}
		return &discord.Reply{Content: r.T("browse.none", nil)}, nil
	}
	st.SetNext(page.After, page.HasMore)
	key, err := h.pager.Save(ctx, st)
	if ui.SessionsDown(err) {
		// Without session storage the list cannot be paged, but the first page is still worth
		// showing; its menu opens positions without a session.
		reply := browseReply(r, st, browseNoSession, page)
		reply.Content = r.T("browse.no_paging", nil)
		return reply, nil
	}
	if err != nil {
		return nil, err
	}
	return browseReply(r, st, key, page), nil
}

// browseNext shows the page after the one the button sits on.
func (h positionHandlers) browseNext(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	return h.turnPage(ctx, r, 1)
}

// browsePrev shows the page before the one the button sits on.
func (h positionHandlers) browsePrev(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	return h.turnPage(ctx, r, -1)
}

// turnPage moves one page forward or back from the page the button sits on and edits the
// message in place. Positions added or closed since are handled by the keyset: the next page
// starts after the last id shown, so nothing is shown twice or skipped.
func (h positionHandlers) turnPage(ctx context.Context, r *discord.Request, dir int) (*discord.Reply, error) {
	st, err := h.pager.Load(ctx, r.Actor, r.Vars["key"], r.Slash)
	if err != nil {
		return nil, err
	}
	st.Turn(dir)
	page, err := h.svc.Browse(ctx, r.Actor, st.Filter.PositionFilter, st.Cursor())
	if err != nil {
		return nil, err
	}
	st.SetNext(page.After, page.HasMore)
	key, err := h.pager.Save(ctx, st)
	if err != nil {
		return nil, err
	}
	return browseReply(r, st, key, page), nil
}

// browseReply renders one page: the active filters, the positions as a compact list, a menu
// to open one and, with a session key, Previous and Next.
func browseReply(r *discord.Request, st browsePage, key string, page placement.Page) *discord.Reply {
	n := st.Page()
	filters := browseFilters(r, st.Filter)
	desc := r.T("browse.all", nil)
	if filters != "" {
		desc = r.T("browse.filters", map[string]any{"Filters": filters})
	}
	if len(page.Positions) == 0 {
		desc += "\n\n" + r.T("browse.page_empty", nil)
	}
	embed := &discordgo.MessageEmbed{
		Title:       r.T("browse.title", map[string]any{"Page": n + 1}),
		Description: desc,
		Color:       0x1565C0,
		Footer:      &discordgo.MessageEmbedFooter{Text: r.T("browse.footer", nil)},
	}
	for i, p := range page.Positions {
		// Each entry is bounded so a full page stays within the embed's 6,000 characters.
		embed.Fields = append(embed.Fields, ui.Field(
			ui.Truncate(listEntry(n*placement.PageSize+i+1, p.Title), 150),
			ui.Truncate(ui.Escape(positionFacts(r, p)), 300), false))
	}
	reply := &discord.Reply{Embeds: []*discordgo.MessageEmbed{embed}}
	if len(page.Positions) > 0 {
		reply.Components = append(reply.Components, positionSelect(r, "/browse/"+key+"/open", page.Positions))
	}
	if key != browseNoSession {
		reply.Components = append(reply.Components,
			ui.PrevNext("/browse/"+key+"/", r.T("browse.prev", nil), r.T("browse.next", nil), n > 0, st.HasNext))
	}
	return reply
}

// browseFilters lists the active filters in the member's language, "" when there are none.
func browseFilters(r *discord.Request, f browseFilter) ui.Markup {
	var out []string
	add := func(key, v string) {
		if v != "" {
			out = append(out, r.T(key, map[string]any{"Value": ui.Truncate(ui.OneLine(v), 100)}))
		}
	}
	add("browse.filter_keyword", f.Keyword)
	add("browse.filter_skill", f.Skill)
	add("browse.filter_program", f.Program)
	add("browse.filter_location", f.Location)
	add("browse.filter_enterprise", f.EnterpriseName)
	if f.RemoteOnly {
		out = append(out, r.T("browse.filter_remote", nil))
	}
	return ui.Markup(strings.Join(out, " · "))
}

// browseAutocomplete suggests skills, locations and enterprises while the member types.
func (h positionHandlers) browseAutocomplete(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	f := r.Focused()
	if f == nil {
		return &discord.Reply{Choices: []*discordgo.ApplicationCommandOptionChoice{}}, nil
	}
	typed := strings.TrimSpace(r.FocusedText())
	switch f.Name {
	case "skill":
		return h.skillChoices(ctx, r, typed)
	case "location":
		locations, err := h.svc.SuggestLocations(ctx, r.Actor, typed)
		if err != nil {
			return nil, err
		}
		choices := []*discordgo.ApplicationCommandOptionChoice{}
		for _, l := range locations {
			choices = append(choices, &discordgo.ApplicationCommandOptionChoice{Name: ui.Truncate(l, 100), Value: ui.Truncate(l, 60)})
		}
		return &discord.Reply{Choices: choices}, nil
	case "enterprise":
		choices, err := ui.EnterpriseChoices(ctx, h.svc, r.Actor, typed)
		if err != nil {
			return nil, err
		}
		return &discord.Reply{Choices: choices}, nil
	}
	return &discord.Reply{Choices: []*discordgo.ApplicationCommandOptionChoice{}}, nil
}

// commonSkills fills skill suggestions when few open positions exist yet: skills vocational
// programs commonly place for.
var commonSkills = []string{
	"cad", "cnc", "plc", "welding", "electrical wiring", "3d printing", "excel", "accounting",
	"customer service", "sales", "e-commerce", "logistics", "python", "java", "web design",
	"networking", "photoshop", "nursing", "elderly care", "cooking", "hotel reception",
	"automotive repair", "hvac", "english", "teamwork",
}

// skillChoices suggests skills containing what was typed: first those the guild's current
// positions ask for most, then common ones.
func (h positionHandlers) skillChoices(ctx context.Context, r *discord.Request, typed string) (*discord.Reply, error) {
	ps, err := h.svc.SuggestPositions(ctx, r.Actor, "")
	if err != nil {
		return nil, err
	}
	count := map[string]int{}
	var asked []string
	for _, p := range ps {
		if p.Status != placement.PositionOpen {
			continue
		}
		for _, s := range p.Skills {
			if count[s] == 0 {
				asked = append(asked, s)
			}
			count[s]++
		}
	}
	slices.SortStableFunc(asked, func(a, b string) int { return count[b] - count[a] })
	want := strings.ToLower(typed)
	choices := []*discordgo.ApplicationCommandOptionChoice{}
	seen := map[string]bool{}
	for _, s := range append(asked, commonSkills...) {
		if len(choices) == ui.MaxChoices {
			break
		}
		key := strings.ToLower(s) // skills keep their typed casing; "cnc" and "CNC" are one
		if seen[key] || !strings.Contains(key, want) {
			continue
		}
		seen[key] = true
		choices = append(choices, &discordgo.ApplicationCommandOptionChoice{Name: s, Value: ui.Truncate(s, 40)})
	}
	return &discord.Reply{Choices: choices}, nil
}
