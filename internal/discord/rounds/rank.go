package rounds

import (
	"context"
	"hash/fnv"
	"strconv"
	"strings"
	"unicode"

	"github.com/bwmarrin/discordgo"

	"placementbot/internal/discord"
	"placementbot/internal/discord/ui"
	"placementbot/internal/placement"
)

const (
	// listPageSize keeps a page of a numbered list well inside an embed's description.
	listPageSize = 15
	// maxListPage bounds the page number a custom_id may carry.
	maxListPage = 10000
	// orderInputMax is the longest order a member can type: Discord's limit for a text input.
	orderInputMax = 4000
)

// list is one ranking list as the handlers show it: a student's own (position 0) or a
// position's applicants.
type list struct {
	placement.RoundRanking
	position int64 // 0: the student's own list
}

// owner is the list's custom_id segment: "0" for the student's own list, else the position.
func (l list) owner() string { return ui.FormatID(l.position) }

// limit is how many entries the list may rank: the round's limit for a student, all for a position.
func (l list) limit() int {
	if l.position == 0 {
		return l.Round.MaxRanks
	}
	return len(l.Applications)
}

// version identifies the list as shown, so a form opened on it refuses to save over a list
// that changed meanwhile (the numbers typed would name other entries).
func (l list) version() string {
	h := fnv.New32a()
	for _, a := range l.Applications {
		h.Write([]byte(ui.FormatID(a.ID) + ":" + strconv.Itoa(a.Rank) + ","))
	}
	return strconv.FormatUint(uint64(h.Sum32()), 36)
}

// rank is /round rank: a student's own list, or a mentor's list of a position's applicants.
func (h handlers) rank(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	round, ps, err := h.resolve(ctx, r)
	if err != nil {
		return nil, err
	}
	var position int64
	raw, _ := r.String("position")
	switch {
	case strings.TrimSpace(raw) != "":
		if position, err = mentorPosition(r, ps, raw); err != nil {
			return nil, err
		}
	case !r.Actor.Is(placement.RoleStudent):
		own := ownPositions(r.Actor, ps)
		if len(own) != 1 {
			return nil, placement.Errorf(placement.EINVALID, "rounds.err_pick_position", map[string]any{"Count": len(own),
				"Cmd": ui.Markup(r.Slash("/round/rank"))})
		}
		position = own[0].PositionID
	}
	l, err := h.load(ctx, r, round.ID, position)
	if err != nil {
		return nil, err
	}
	if l.Round.Due(h.svc.Now()) {
		return nil, placement.Errorf(placement.ECONFLICT, "rounds.err_closed", map[string]any{"Deadline": deadline(l.Round)})
	}
	return listReply(r, l, 0, ""), nil
}

// ownPositions are the round's positions the member mentors.
func ownPositions(a placement.Actor, ps []placement.RoundPosition) []placement.RoundPosition {
	var out []placement.RoundPosition
	for _, p := range ps {
		if a.MentorsFor(p.EnterpriseID) {
			out = append(out, p)
		}
	}
	return out
}

// mentorPosition reads the position option: a suggestion's id or a typed title naming one of
// the round's positions the member mentors. The service checks the right again.
func mentorPosition(r *discord.Request, ps []placement.RoundPosition, raw string) (int64, error) {
	own := ownPositions(r.Actor, ps)
	id, ok := ui.ParseID(raw)
	if !ok {
		items := make([]ui.Titled, len(own))
		for i, p := range own {
			items[i] = ui.Titled{ID: p.PositionID, Title: p.Title}
		}
		if id, ok = ui.MatchTitle(raw, items); !ok {
			return 0, placement.Errorf(placement.ENOTFOUND, "rounds.err_position_not_in_round", nil)
		}
	}
	return id, nil
}

// load reads a list: the student's own (position 0) or a position's applicants.
func (h handlers) load(ctx context.Context, r *discord.Request, roundID, position int64) (list, error) {
	var rr placement.RoundRanking
	var err error
	if position == 0 {
		rr, err = h.svc.StudentRanking(ctx, r.Actor, roundID)
	} else {
		rr, err = h.svc.PositionRanking(ctx, r.Actor, roundID, position)
	}
	return list{RoundRanking: rr, position: position}, err
}

// listVar reads the list a button or form names: the round and the owner segment.
func (h handlers) listVar(ctx context.Context, r *discord.Request) (list, error) {
	id, err := roundVar(r)
	if err != nil {
		return list{}, err
	}
	var position int64
	if r.Vars["position"] != "0" {
		if position, err = ui.VarID(r.Vars, "position"); err != nil {
			return list{}, err
		}
	}
	return h.load(ctx, r, id, position)
}

// listPage turns a page of a list.
func (h handlers) listPage(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	l, err := h.listVar(ctx, r)
	if err != nil {
		return nil, err
	}
	page, err := ui.VarInt(r.Vars, "page", maxListPage)
	if err != nil {
		return nil, err
	}
	return listReply(r, l, page, ""), nil
}

// listReply is one page of a numbered list: the ranked entries in their order, then the
// unranked ones, with the buttons that set the order.
func listReply(r *discord.Request, l list, page int, note string) *discord.Reply {
	title := r.T("rounds.list_title", map[string]any{"Name": ui.OneLine(l.Round.Name)})
	summary := r.T("rounds.list_summary", map[string]any{"Ranked": count(l.Ranked()), "Total": len(l.Applications),
		"Deadline": deadline(l.Round)})
	hint := "rounds.list_hint_student"
	if l.position != 0 {
		title = r.T("rounds.list_title_position", map[string]any{"Name": ui.OneLine(l.Round.Name), "Title": ui.OneLine(l.Position.Title)})
		hint = "rounds.list_hint_mentor"
	} else {
		summary += " " + r.T("rounds.list_limit", map[string]any{"Max": l.Round.MaxRanks})
	}
	desc := summary + "\n" + r.T(hint, nil)
	if note != "" {
		desc = note + "\n\n" + desc
	}
	if len(l.Applications) == 0 {
		key := "rounds.list_empty_student"
		if l.position != 0 {
			key = "rounds.list_empty_mentor"
		}
		desc += "\n\n" + r.T(key, map[string]any{"Cmd": ui.Markup(r.Slash("/positions/browse"))})
		return &discord.Reply{Embeds: []*discordgo.MessageEmbed{{Title: title, Description: desc, Color: 0x9B59B6}}}
	}
	page, pages, from, to := ui.Paging(len(l.Applications), listPageSize, page)
	lines := make([]string, 0, to-from)
	for i := from; i < to; i++ {
		lines = append(lines, entryLine(r, l, i))
	}
	embed := &discordgo.MessageEmbed{Title: title, Description: desc + "\n\n" + strings.Join(lines, "\n"), Color: 0x9B59B6}
	ver := l.version()
	base := "/round/" + ui.FormatID(l.Round.ID) + "/"
	rows := []discordgo.MessageComponent{ui.Row(
		discordgo.Button{Label: r.T("rounds.btn_order", nil), Style: discordgo.PrimaryButton, CustomID: base + "order/" + l.owner() + "/" + ver},
		discordgo.Button{Label: r.T("rounds.btn_keep", nil), Style: discordgo.SecondaryButton, CustomID: base + "keep/" + l.owner() + "/" + ver},
	)}
	if pages > 1 {
		embed.Footer = &discordgo.MessageEmbedFooter{Text: r.T("apps.page", map[string]any{"Page": page + 1, "Pages": pages})}
		rows = append(rows, ui.PageButtons(base+"list/"+l.owner()+"/", r.T("apps.prev", nil), r.T("apps.next", nil), page, pages))
	}
	return &discord.Reply{Embeds: []*discordgo.MessageEmbed{embed}, Components: rows}
}

// entryLine is the i-th entry of a list: its number, what it is, and its rank.
func entryLine(r *discord.Request, l list, i int) string {
	a := l.Applications[i]
	n := count(i + 1)
	var line string
	if l.position == 0 {
		line = r.T("rounds.entry_student", map[string]any{"N": n, "Title": ui.OneLine(ui.Truncate(a.PositionTitle, 80)),
			"Enterprise": ui.OneLine(ui.Truncate(a.EnterpriseName, 60)), "ID": a.ID})
	} else {
		p := a.Profile
		details := []string{}
		if p.Program != "" {
			details = append(details, ui.Escape(ui.OneLine(ui.Truncate(p.Program, 60))))
		}
		if p.Cohort != "" {
			details = append(details, ui.Escape(ui.OneLine(ui.Truncate(p.Cohort, 30))))
		}
		if len(p.Skills) > 0 {
			details = append(details, ui.Escape(ui.Truncate(strings.Join(p.Skills, ", "), 120)))
		}
		if len(details) == 0 {
			details = append(details, r.T("rounds.no_profile", nil))
		}
		line = r.T("rounds.entry_applicant", map[string]any{"N": n, "Student": ui.Markup("<@" + a.StudentID + ">"),
			"Details": ui.Markup(strings.Join(details, " · ")), "ID": a.ID})
	}
	if a.Rank == 0 {
		line += " " + r.T("rounds.unranked", nil)
	}
	return line
}

// orderForm opens the form that takes the order as numbers, prefilled with the current order
// (or the list as shown when nothing is ranked yet).
func (h handlers) orderForm(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	l, err := h.openList(ctx, r)
	if err != nil {
		return nil, err
	}
	n := l.Ranked()
	if n == 0 {
		n = min(len(l.Applications), l.limit())
	}
	typed := make([]string, n)
	for i := range typed {
		typed[i] = strconv.Itoa(i + 1)
	}
	label := r.T("rounds.order_label", map[string]any{"Count": len(l.Applications)})
	return &discord.Reply{Modal: &discord.Modal{
		CustomID: "/round/" + ui.FormatID(l.Round.ID) + "/order/" + l.owner() + "/" + l.version() + "/submit",
		// A modal title is plain text: the round's name goes in as typed, not escaped.
		Title: r.T("rounds.order_title", map[string]any{"Name": ui.Markup(ui.OneLine(l.Round.Name))}),
		Inputs: []discordgo.TextInput{{
			CustomID: "order", Label: label, Style: discordgo.TextInputParagraph, Required: true,
			Placeholder: r.T("rounds.order_placeholder", nil), Value: fitNumbers(typed), MaxLength: orderInputMax,
		}},
	}}, nil
}

// fitNumbers joins numbers with spaces, dropping whole numbers from the end to fit a text input.
func fitNumbers(ns []string) string {
	s := strings.Join(ns, " ")
	for len(s) > orderInputMax {
		ns = ns[:len(ns)-1]
		s = strings.Join(ns, " ")
	}
	return s
}

// openList reads the list a button or form names, still as it was shown, before the deadline.
func (h handlers) openList(ctx context.Context, r *discord.Request) (list, error) {
	l, err := h.listVar(ctx, r)
	if err != nil {
		return l, err
	}
	if l.Round.Due(h.svc.Now()) {
		return l, placement.Errorf(placement.ECONFLICT, "rounds.err_closed", map[string]any{"Deadline": deadline(l.Round)})
	}
	if r.Vars["version"] != l.version() {
		return l, placement.Errorf(placement.ECONFLICT, "rounds.err_list_changed", map[string]any{"Cmd": ui.Markup(r.Slash("/round/rank"))})
	}
	return l, nil
}

// orderSubmit saves the order typed in the form and shows the saved list.
func (h handlers) orderSubmit(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	l, err := h.openList(ctx, r)
	if err != nil {
		return nil, err
	}
	picked, err := parseOrder(r.ModalValue("order"), len(l.Applications), l.limit())
	if err != nil {
		return nil, err
	}
	ids := make([]int64, len(picked))
	for i, n := range picked {
		ids[i] = l.Applications[n].ID
	}
	return h.save(ctx, r, l, ids)
}

// keepOrder ranks the list in the order shown: the ranked entries, then the unranked ones,
// up to the round's limit.
func (h handlers) keepOrder(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	l, err := h.openList(ctx, r)
	if err != nil {
		return nil, err
	}
	n := min(len(l.Applications), l.limit())
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = l.Applications[i].ID
	}
	return h.save(ctx, r, l, ids)
}

// save replaces the list's order and shows the list as saved.
func (h handlers) save(ctx context.Context, r *discord.Request, l list, ids []int64) (*discord.Reply, error) {
	var err error
	if l.position == 0 {
		err = h.svc.SetStudentRanks(ctx, r.Actor, l.Round.ID, ids)
	} else {
		err = h.svc.SetPositionRanks(ctx, r.Actor, l.Round.ID, l.position, ids)
	}
	if err != nil {
		return nil, err
	}
	saved, err := h.load(ctx, r, l.Round.ID, l.position)
	if err != nil {
		return nil, err
	}
	return listReply(r, saved, 0, r.T("rounds.saved", map[string]any{"Count": len(ids)})), nil
}

// parseOrder reads the numbers a member typed for a list of n entries, "3 1 5": spaces,
// commas or Chinese commas between them, full-width digits read as ASCII. It returns the
// entries' indexes (from 0) in the order typed, or says exactly what is wrong: a word that is
// not a number, a number not on the list, one typed twice, more than limit.
func parseOrder(typed string, n, limit int) ([]int, error) {
	words := strings.FieldsFunc(typed, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(",，、;；", r)
	})
	if len(words) == 0 {
		return nil, placement.Errorf(placement.EINVALID, "rounds.err_order_empty", nil)
	}
	seen := make(map[int]bool, len(words))
	out := make([]int, 0, len(words))
	for _, w := range words {
		w = strings.TrimPrefix(narrowDigits(w), "#")
		v, err := strconv.Atoi(w)
		if err != nil || strings.TrimLeft(w, "0123456789") != "" {
			return nil, placement.Errorf(placement.EINVALID, "rounds.err_order_word", map[string]any{"Value": ui.Truncate(w, 20), "Total": n})
		}
		if v < 1 || v > n {
			return nil, placement.Errorf(placement.EINVALID, "rounds.err_order_number", map[string]any{"Number": count(v), "Total": n})
		}
		if seen[v] {
			return nil, placement.Errorf(placement.EINVALID, "rounds.err_order_twice", map[string]any{"Number": count(v)})
		}
		seen[v] = true
		out = append(out, v-1)
	}
	if len(out) > limit {
		return nil, placement.Errorf(placement.EINVALID, "rounds.err_order_too_many", map[string]any{"Count": len(out), "Max": limit})
	}
	return out, nil
}

// narrowDigits reads full-width digits as ASCII ones.
func narrowDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '０' && r <= '９' {
			return '0' + (r - '０')
		}
		return r
	}, s)
}

// rankAutocomplete suggests the open rounds for the round option, and the member's positions
// in the picked round for the position option.
func (h handlers) rankAutocomplete(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	if f := r.Focused(); f == nil || f.Name != "position" {
		rounds, err := h.svc.Rounds(ctx, r.Actor, placement.RoundFilter{Status: placement.RoundStatusOpen,
			Prefix: strings.TrimSpace(r.FocusedText()), Limit: ui.MaxChoices})
		if err != nil {
			return nil, err
		}
		choices := make([]*discordgo.ApplicationCommandOptionChoice, 0, len(rounds))
		for _, round := range rounds {
			choices = append(choices, roundChoice(r, round))
		}
		return &discord.Reply{Choices: choices}, nil
	}
	raw, _ := r.String("round")
	id, ok := ui.ParseID(raw)
	choices := []*discordgo.ApplicationCommandOptionChoice{}
	if !ok {
		return &discord.Reply{Choices: choices}, nil
	}
	_, ps, err := h.svc.Round(ctx, r.Actor, id)
	if err != nil {
		return nil, err
	}
	typed := strings.ToLower(strings.TrimSpace(r.FocusedText()))
	for _, p := range ownPositions(r.Actor, ps) {
		if typed == "" || strings.Contains(strings.ToLower(p.Title), typed) {
			choices = append(choices, ui.Choice(p.Title+" — "+p.EnterpriseName, p.PositionID))
		}
	}
	return &discord.Reply{Choices: choices}, nil
}
