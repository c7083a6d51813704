package discord

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"placementbot/internal/placement"
	"placementbot/internal/redis"
)

// browseTTL is how long a result list can still be paged after it was last shown.
const browseTTL = 15 * time.Minute

// browseNoSession stands in for the session key in the select menu of a list shown while
// Redis is down: opening a position needs no session, paging does.
const browseNoSession = "-"

// browseState is one shown page of a result list, kept in Redis behind the key in its
// buttons. Each page shown gets its own key and its state never changes, so pressing Next
// twice on the same message shows the same next page twice rather than skipping one.
type browseState struct {
	Guild          string                   `json:"guild"`
	Owner          string                   `json:"owner"`
	Filter         placement.PositionFilter `json:"filter"`
	EnterpriseName string                   `json:"enterprise_name,omitempty"`
	// Cursors holds the keyset cursor each page was fetched with, from the first page to the
	// one shown, so Previous can go back; the first page's cursor is 0.
	Cursors []int64 `json:"cursors"`
	// Next is the cursor of the page after the one shown (the last id on it), 0 when none.
	Next int64 `json:"next"`
}

// browse answers /positions browse with the first page of open positions matching the filters.
func (h positionHandlers) browse(ctx context.Context, r *Request) (*Reply, error) {
	st := browseState{Guild: r.Actor.GuildID, Owner: r.Actor.UserID, Cursors: []int64{0}}
	text := func(name string) string { v, _ := r.String(name); return strings.TrimSpace(v) }
	st.Filter.Keyword = text("keyword")
	st.Filter.Skill = strings.ToLower(text("skill"))
	st.Filter.Program = text("program")
	st.Filter.Location = text("location")
	if o := r.Option("remote"); o != nil {
		st.Filter.RemoteOnly, _ = o.Value.(bool)
	}
	if raw := text("enterprise"); raw != "" {
		e, err := h.browseEnterprise(ctx, r, raw)
		if err != nil {
			return nil, err
		}
		st.Filter.EnterpriseID, st.EnterpriseName = e.ID, e.Name
	}
	page, err := h.d.Service.Browse(ctx, r.Actor, st.Filter, 0)
	if err != nil {
		return nil, err
	}
	if len(page.Positions) == 0 {
		if filters := browseFilters(r, st); filters != "" {
			return &Reply{Content: r.T("browse.none_filtered", map[string]any{"Filters": filters, "Cmd": slash(r, "/positions/browse")})}, nil
		}
		return &Reply{Content: r.T("browse.none", nil)}, nil
	}
	if page.HasMore {
		st.Next = page.After
	}
	key, err := h.saveBrowse(ctx, st)
	if errors.Is(err, redis.ErrUnavailable) {
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

// browseEnterprise resolves the enterprise option: normally the id of a suggestion, but a
// member may also send a typed name without picking one. Either way it must be a verified
// enterprise of this guild.
func (h positionHandlers) browseEnterprise(ctx context.Context, r *Request, raw string) (placement.Enterprise, error) {
	notFound := placement.Errorf(placement.ENOTFOUND, "err.enterprise_not_found", nil)
	if id, err := strconv.ParseInt(raw, 10, 64); err == nil && id > 0 {
		e, err := h.d.Service.Enterprise(ctx, r.Actor, id)
		switch {
		case placement.ErrorCode(err) == placement.ENOTFOUND:
			return e, notFound
		case err != nil:
			return e, err
		case e.Status != placement.EnterpriseVerified:
			return e, notFound
		}
		return e, nil
	}
	es, err := h.d.Service.SuggestEnterprises(ctx, r.Actor, raw, false)
	if err != nil {
		return placement.Enterprise{}, err
	}
	for _, e := range es {
		if strings.EqualFold(e.Name, raw) {
			return e, nil
		}
	}
	if len(es) == 1 {
		return es[0], nil
	}
	return placement.Enterprise{}, notFound
}

// browseNext shows the page after the one the button sits on.
func (h positionHandlers) browseNext(ctx context.Context, r *Request) (*Reply, error) {
	return h.turnPage(ctx, r, 1)
}

// browsePrev shows the page before the one the button sits on.
func (h positionHandlers) browsePrev(ctx context.Context, r *Request) (*Reply, error) {
	return h.turnPage(ctx, r, -1)
}

// turnPage moves one page forward or back from the page the button sits on and edits the
// message in place. Positions added or closed since are handled by the keyset: the next page
// starts after the last id shown, so nothing is shown twice or skipped.
func (h positionHandlers) turnPage(ctx context.Context, r *Request, dir int) (*Reply, error) {
	st, err := h.loadBrowse(ctx, r)
	if err != nil {
		return nil, err
	}
	switch {
	case dir > 0 && st.Next != 0:
		st.Cursors = append(st.Cursors, st.Next)
	case dir < 0 && len(st.Cursors) > 1:
		st.Cursors = st.Cursors[:len(st.Cursors)-1]
	}
	// Otherwise the button was disabled (or its custom_id edited): the same page, refreshed.
	page, err := h.d.Service.Browse(ctx, r.Actor, st.Filter, st.Cursors[len(st.Cursors)-1])
	if err != nil {
		return nil, err
	}
	st.Next = 0
	if page.HasMore {
		st.Next = page.After
	}
	key, err := h.saveBrowse(ctx, st)
	if err != nil {
		return nil, err
	}
	return browseReply(r, st, key, page), nil
}

// loadBrowse reads the page state behind the button's key. The key comes from the client:
// an unknown one reads as expired, and a list belongs to the member who asked for it.
func (h positionHandlers) loadBrowse(ctx context.Context, r *Request) (browseState, error) {
	var st browseState
	key := r.Vars["key"]
	if !browseKeyOK(key) {
		return st, placement.Errorf(placement.EINVALID, "err.stale_component", nil)
	}
	if h.d.Sessions == nil {
		return st, fmt.Errorf("browse: %w", redis.ErrUnavailable)
	}
	err := h.d.Sessions.Get(ctx, "browse", key, &st)
	if errors.Is(err, redis.ErrNotFound) {
		return st, placement.Errorf(placement.ENOTFOUND, "browse.expired", map[string]any{"Cmd": slash(r, "/positions/browse")})
	}
	if err != nil {
		return st, err
	}
	if st.Owner != r.Actor.UserID || st.Guild != r.Actor.GuildID {
		return st, placement.Errorf(placement.EFORBIDDEN, "browse.not_yours", map[string]any{"Cmd": slash(r, "/positions/browse")})
	}
	if len(st.Cursors) == 0 {
		return st, placement.Errorf(placement.EINVALID, "err.stale_component", nil)
	}
	return st, nil
}

// saveBrowse stores a page's state under a new key.
func (h positionHandlers) saveBrowse(ctx context.Context, st browseState) (string, error) {
	if h.d.Sessions == nil {
		return "", fmt.Errorf("browse: %w", redis.ErrUnavailable)
	}
	key := h.d.Sessions.NewKey()
	if err := h.d.Sessions.Put(ctx, "browse", key, st, browseTTL); err != nil {
		return "", err
	}
	return key, nil
}

// browseKeyOK reports whether a custom_id segment has the shape of a session key.
func browseKeyOK(s string) bool {
	if len(s) == 0 || len(s) > 32 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// browseReply renders one page: the active filters, the positions as a compact list, a menu
// to open one and, with a session key, Previous and Next.
func browseReply(r *Request, st browseState, key string, page placement.Page) *Reply {
	n := len(st.Cursors) - 1
	filters := browseFilters(r, st)
	desc := r.T("browse.all", nil)
	if filters != "" {
		desc = r.T("browse.filters", map[string]any{"Filters": filters})
	}
	if len(page.Positions) == 0 {
		desc += "\n\n" + r.T("browse.page_empty", nil)
	}
	embed := &discordgo.MessageEmbed{
		Title:       r.T("browse.title", map[string]any{"Page": n + 1}),
		Description: Truncate(desc, 1000),
		Color:       0x1565C0,
		Footer:      &discordgo.MessageEmbedFooter{Text: r.T("browse.footer", nil)},
	}
	for i, p := range page.Positions[:min(len(page.Positions), 25)] {
		embed.Fields = append(embed.Fields, &discordgo.MessageEmbedField{
			Name:  Truncate(fmt.Sprintf("%d. %s", n*placement.PageSize+i+1, asLiteral(p.Title)), 150),
			Value: Truncate(asLiteral(positionFacts(r, p)), 300),
		})
	}
	reply := &Reply{Embeds: []*discordgo.MessageEmbed{embed}}
	if len(page.Positions) > 0 {
		reply.Components = append(reply.Components, positionSelect(r, "/browse/"+key+"/open", page.Positions))
	}
	if key != browseNoSession {
		reply.Components = append(reply.Components, discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.Button{Label: r.T("browse.prev", nil), Style: discordgo.SecondaryButton, CustomID: "/browse/" + key + "/prev", Disabled: n == 0},
			discordgo.Button{Label: r.T("browse.next", nil), Style: discordgo.PrimaryButton, CustomID: "/browse/" + key + "/next", Disabled: st.Next == 0},
		}})
	}
	return reply
}

// browseFilters lists the active filters in the member's language, "" when there are none.
func browseFilters(r *Request, st browseState) string {
	var out []string
	add := func(key, v string) {
		if v != "" {
			out = append(out, r.T(key, map[string]any{"Value": asLiteral(Truncate(v, 100))}))
		}
	}
	f := st.Filter
	add("browse.filter_keyword", f.Keyword)
	add("browse.filter_skill", f.Skill)
	add("browse.filter_program", f.Program)
	add("browse.filter_location", f.Location)
	add("browse.filter_enterprise", st.EnterpriseName)
	if f.RemoteOnly {
		out = append(out, r.T("browse.filter_remote", nil))
	}
	return strings.Join(out, " · ")
}

// browseAutocomplete suggests skills and enterprises while the member types.
func (h positionHandlers) browseAutocomplete(ctx context.Context, r *Request) (*Reply, error) {
	f := r.Focused()
	if f == nil {
		return &Reply{Choices: []*discordgo.ApplicationCommandOptionChoice{}}, nil
	}
	typed, _ := f.Value.(string)
	typed = strings.TrimSpace(typed)
	switch f.Name {
	case "skill":
		return h.skillChoices(ctx, r, typed)
	case "enterprise":
		es, err := h.d.Service.SuggestEnterprises(ctx, r.Actor, typed, false)
		if err != nil {
			return nil, err
		}
		choices := []*discordgo.ApplicationCommandOptionChoice{}
		for _, e := range es[:min(len(es), 25)] {
			name := e.Name
			if e.City != "" {
				name += " (" + e.City + ")"
			}
			choices = append(choices, &discordgo.ApplicationCommandOptionChoice{Name: Truncate(name, 100), Value: strconv.FormatInt(e.ID, 10)})
		}
		return &Reply{Choices: choices}, nil
	}
	return &Reply{Choices: []*discordgo.ApplicationCommandOptionChoice{}}, nil
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
func (h positionHandlers) skillChoices(ctx context.Context, r *Request, typed string) (*Reply, error) {
	ps, err := h.d.Service.SuggestPositions(ctx, r.Actor, "")
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
		if len(choices) == 25 {
			break
		}
		if seen[s] || !strings.Contains(s, want) {
			continue
		}
		seen[s] = true
		choices = append(choices, &discordgo.ApplicationCommandOptionChoice{Name: Truncate(s, 100), Value: Truncate(s, 40)})
	}
	return &Reply{Choices: choices}, nil
}
