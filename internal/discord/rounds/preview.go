package rounds

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/bwmarrin/discordgo"

	"placementbot/internal/discord"
	"placementbot/internal/discord/ui"
	"placementbot/internal/placement"
)

// maxGroupLines bounds the programs, cohorts and positions one preview field lists.
const maxGroupLines = 10

// preview is /round preview: the match computed from the ranks as they are now.
func (h handlers) preview(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	round, _, err := h.resolve(ctx, r)
	if err != nil {
		return nil, err
	}
	if round.Status == placement.RoundStatusPublished {
		// A published round's match is final: show the summary it was published with.
		pv, ok, err := h.svc.LastPreview(ctx, r.Actor, round.ID)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, h.published(ctx, r, round.ID)
		}
		note := r.T("rounds.preview_published", map[string]any{"By": ui.Markup("<@" + round.PublishedBy + ">"), "At": ui.Timestamp(round.PublishedAt, 'f')})
		return &discord.Reply{Content: note, Embeds: []*discordgo.MessageEmbed{previewEmbed(r, round, pv)}}, nil
	}
	pv, err := h.svc.PreviewRound(ctx, r.Actor, round.ID)
	if err != nil {
		return nil, err
	}
	embed := previewEmbed(r, round, pv)
	if !round.Due(h.svc.Now()) {
		return &discord.Reply{Embeds: []*discordgo.MessageEmbed{embed}, Components: []discordgo.MessageComponent{ui.Row(
			discordgo.Button{Label: r.T("rounds.btn_publish_later", nil), Style: discordgo.SecondaryButton, CustomID: publishID(round), Disabled: true},
		)}}, nil
	}
	return &discord.Reply{Embeds: []*discordgo.MessageEmbed{embed}, Components: []discordgo.MessageComponent{ui.Row(
		discordgo.Button{Label: r.T("rounds.btn_publish", nil), Style: discordgo.PrimaryButton, CustomID: publishID(round)},
	)}}, nil
}

func publishID(round placement.Round) string { return "/round/" + ui.FormatID(round.ID) + "/publish" }

// previewEmbed shows a match's summary: matched and unmatched by program and cohort, the
// choices students got, positions left with free places, the seed and the stability check.
func previewEmbed(r *discord.Request, round placement.Round, pv placement.RoundPreview) *discordgo.MessageEmbed {
	title := "rounds.preview_title"
	if pv.Provisional {
		title = "rounds.preview_title_provisional"
	}
	desc := []string{r.T("rounds.preview_summary", map[string]any{"Count": pv.Students, "Matched": count(pv.Matched),
		"Unmatched": count(pv.Unmatched), "Entries": count(pv.Entries)})}
	if pv.Provisional {
		desc = append(desc, r.T("rounds.preview_provisional", map[string]any{"Deadline": deadline(round)}))
	}
	verdict := r.T("rounds.stable_no", nil)
	if pv.Stable {
		verdict = r.T("rounds.stable_yes", nil)
	}
	desc = append(desc, r.T("rounds.preview_check", map[string]any{"Verdict": ui.Markup(verdict),
		"Seed": ui.Markup("`" + strconv.FormatUint(pv.Seed, 10) + "`")}))
	if !pv.At.IsZero() {
		desc = append(desc, r.T("rounds.preview_at", map[string]any{"At": ui.Timestamp(pv.At, 'f')}))
	}
	fields := []*discordgo.MessageEmbedField{
		ui.Field(r.T("rounds.field_by_program", nil), groupLines(r, pv.ByProgram, "rounds.no_program"), false),
		ui.Field(r.T("rounds.field_by_cohort", nil), groupLines(r, pv.ByCohort, "rounds.no_cohort"), false),
		ui.Field(r.T("rounds.field_choices", nil), choiceLines(r, pv.RankCounts), false),
		ui.Field(r.T("rounds.field_unfilled", map[string]any{"Count": len(pv.Unfilled)}), unfilledLines(r, pv.Unfilled), false),
	}
	return &discordgo.MessageEmbed{
		Title:       r.T(title, map[string]any{"Name": ui.OneLine(round.Name)}),
		Description: strings.Join(desc, "\n"),
		Fields:      fields,
		Color:       0x9B59B6,
	}
}

// groupLines lists matched and unmatched counts of groups, cut with an "and N more" line.
func groupLines(r *discord.Request, gs []placement.GroupCount, noneKey string) string {
	if len(gs) == 0 {
		return r.T("rounds.none", nil)
	}
	var lines []string
	for i, g := range gs {
		if i == maxGroupLines {
			lines = append(lines, r.T("rounds.more", map[string]any{"Count": len(gs) - maxGroupLines}))
			break
		}
		name := ui.Escape(ui.OneLine(ui.Truncate(g.Group, 60)))
		if g.Group == "" {
			name = r.T(noneKey, nil)
		}
		lines = append(lines, r.T("rounds.group_line", map[string]any{"Group": ui.Markup(name), "Matched": count(g.Matched),
			"Unmatched": count(g.Unmatched)}))
	}
	return strings.Join(lines, "\n")
}

// choiceLines says how many students got their 1st, 2nd, … choice.
func choiceLines(r *discord.Request, counts []int) string {
	var lines []string
	for i, n := range counts {
		if n == 0 {
			continue
		}
		if len(lines) == maxGroupLines {
			lines = append(lines, r.T("rounds.choice_more", nil))
			break
		}
		lines = append(lines, r.T("rounds.choice_line", map[string]any{"Rank": ordinal(r, i+1), "Count": n}))
	}
	if len(lines) == 0 {
		return r.T("rounds.none", nil)
	}
	return strings.Join(lines, "\n")
}

// ordinal writes a rank as "1st", "2nd" (第 1 in Chinese).
func ordinal(r *discord.Request, n int) ui.Markup {
	suffix := "th"
	if n%100 < 11 || n%100 > 13 {
		switch n % 10 {
		case 1:
			suffix = "st"
		case 2:
			suffix = "nd"
		case 3:
			suffix = "rd"
		}
	}
	return ui.Markup(r.T("rounds.ordinal_"+suffix, map[string]any{"N": count(n)}))
}

// unfilledLines lists positions left with free places.
func unfilledLines(r *discord.Request, us []placement.UnfilledPosition) string {
	if len(us) == 0 {
		return r.T("rounds.none_unfilled", nil)
	}
	var lines []string
	for i, u := range us {
		if i == maxGroupLines {
			lines = append(lines, r.T("rounds.more", map[string]any{"Count": len(us) - maxGroupLines}))
			break
		}
		lines = append(lines, r.T("rounds.unfilled_line", map[string]any{"Title": ui.OneLine(ui.Truncate(u.Title, 60)),
			"Enterprise": ui.OneLine(ui.Truncate(u.EnterpriseName, 40)), "Free": count(u.Free), "Slots": u.Slots}))
	}
	return strings.Join(lines, "\n")
}

// --- publishing --------------------------------------------------------------------------

// publishCommand is /round publish: the confirmation that says what publishing will do.
func (h handlers) publishCommand(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	round, _, err := h.resolve(ctx, r)
	if err != nil {
		return nil, err
	}
	return h.confirmation(ctx, r, round.ID)
}

// publishButton is the preview's Publish button: the same confirmation.
func (h handlers) publishButton(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	id, err := roundVar(r)
	if err != nil {
		return nil, err
	}
	return h.confirmation(ctx, r, id)
}

// confirmation computes the match afresh and asks before publishing it, saying exactly what
// will happen: how many offers or approvals, how many students told they are unmatched.
func (h handlers) confirmation(ctx context.Context, r *discord.Request, id int64) (*discord.Reply, error) {
	round, _, err := h.svc.Round(ctx, r.Actor, id)
	if err != nil {
		return nil, err
	}
	if round.Status == placement.RoundStatusPublished {
		return nil, h.published(ctx, r, round.ID)
	}
	if !round.Due(h.svc.Now()) {
		return nil, placement.Errorf(placement.ECONFLICT, "rounds.err_publish_early", map[string]any{"Deadline": deadline(round)})
	}
	pv, err := h.svc.PreviewRound(ctx, r.Actor, round.ID)
	if err != nil {
		return nil, err
	}
	key := "rounds.confirm_offers"
	if round.Outcome == placement.OutcomeApproval {
		key = "rounds.confirm_approval"
	}
	content := r.T(key, map[string]any{"Name": ui.OneLine(round.Name), "Count": pv.Matched, "Unmatched": pv.Unmatched}) +
		"\n" + r.T("rounds.confirm_final", nil)
	base := "/round/" + ui.FormatID(round.ID) + "/publish/"
	return &discord.Reply{Content: content, Embeds: []*discordgo.MessageEmbed{previewEmbed(r, round, pv)},
		Components: []discordgo.MessageComponent{ui.Row(
			discordgo.Button{Label: r.T("rounds.btn_confirm_publish", nil), Style: discordgo.DangerButton, CustomID: base + "confirm"},
			discordgo.Button{Label: r.T("rounds.btn_cancel", nil), Style: discordgo.SecondaryButton, CustomID: base + "cancel"},
		)}}, nil
}

// publishConfirm publishes the round: once, whoever presses and however often.
func (h handlers) publishConfirm(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	id, err := roundVar(r)
	if err != nil {
		return nil, err
	}
	res, err := h.svc.PublishRound(ctx, r.Actor, id)
	if isPublished(err) {
		return nil, h.published(ctx, r, id)
	}
	if err != nil {
		return nil, err
	}
	key := "rounds.published_offers"
	if res.Round.Outcome == placement.OutcomeApproval {
		key = "rounds.published_approval"
	}
	lines := []string{r.T(key, map[string]any{"Name": ui.OneLine(res.Round.Name), "Count": res.Moved, "Unmatched": res.Unmatched})}
	if res.Skipped > 0 {
		lines = append(lines, r.T("rounds.published_skipped", map[string]any{"Count": res.Skipped}))
	}
	next := "rounds.published_next_offers"
	if res.Round.Outcome == placement.OutcomeApproval {
		next = "rounds.published_next_approval"
	}
	lines = append(lines, r.T(next, map[string]any{"Cmd": ui.Markup(r.Slash("/approvals/queue"))}))
	return &discord.Reply{Content: strings.Join(lines, "\n"), Embeds: []*discordgo.MessageEmbed{previewEmbed(r, res.Round, res.Summary)}}, nil
}

// isPublished reports whether the service refused because the round is already published.
func isPublished(err error) bool {
	var pe *placement.Error
	return errors.As(err, &pe) && pe.Key == placement.ErrRoundPublished.Key
}

// published is the refusal of a round already published, saying by whom and when.
func (h handlers) published(ctx context.Context, r *discord.Request, id int64) error {
	round, _, err := h.svc.Round(ctx, r.Actor, id)
	if err != nil {
		return err
	}
	return placement.Errorf(placement.ECONFLICT, "rounds.err_already_published", map[string]any{"Name": ui.OneLine(round.Name),
		"By": ui.Markup("<@" + round.PublishedBy + ">"), "At": ui.Timestamp(round.PublishedAt, 'f')})
}

// publishCancel leaves the round as it is.
func (h handlers) publishCancel(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	id, err := roundVar(r)
	if err != nil {
		return nil, err
	}
	round, _, err := h.svc.Round(ctx, r.Actor, id)
	if err != nil {
		return nil, err
	}
	return &discord.Reply{Content: r.T("rounds.publish_cancelled", map[string]any{"Name": ui.OneLine(round.Name),
		"Cmd": ui.Markup(r.Slash("/round/publish"))})}, nil
}

// --- results -----------------------------------------------------------------------------

// result is /round result: the student's own result and why, after publishing.
func (h handlers) result(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	round, _, err := h.resolve(ctx, r)
	if err != nil {
		return nil, err
	}
	if round.Status != placement.RoundStatusPublished {
		return nil, placement.Errorf(placement.ECONFLICT, "rounds.err_not_published", map[string]any{"Name": ui.OneLine(round.Name),
			"Deadline": deadline(round)})
	}
	ex, err := h.svc.RoundResult(ctx, r.Actor, round.ID)
	if err != nil {
		return nil, err
	}
	return &discord.Reply{Embeds: []*discordgo.MessageEmbed{resultEmbed(r, ex)}}, nil
}

// resultEmbed is a student's result: what they got, why not each higher choice, and, when
// unmatched, the positions still open.
func resultEmbed(r *discord.Request, ex placement.RoundExplanation) *discordgo.MessageEmbed {
	var lines []string
	switch {
	case ex.ApplicationID == 0:
		lines = append(lines, r.T("rounds.result_unmatched", map[string]any{"Count": ex.Ranked}))
	case ex.Skipped:
		lines = append(lines, r.T("rounds.result_skipped", map[string]any{"Rank": ordinal(r, ex.Rank),
			"Title": ui.OneLine(ex.Position.Title), "Enterprise": ui.OneLine(ex.Position.EnterpriseName)}))
	default:
		key := "rounds.result_matched_offers"
		if ex.Round.Outcome == placement.OutcomeApproval {
			key = "rounds.result_matched_approval"
		}
		lines = append(lines, r.T(key, map[string]any{"Rank": ordinal(r, ex.Rank), "Title": ui.OneLine(ex.Position.Title),
			"Enterprise": ui.OneLine(ex.Position.EnterpriseName), "ID": ex.ApplicationID, "Cmd": ui.Markup(r.Slash("/applications/mine"))}))
	}
	embed := &discordgo.MessageEmbed{
		Title:       r.T("rounds.result_title", map[string]any{"Name": ui.OneLine(ex.Round.Name)}),
		Description: strings.Join(lines, "\n"),
		Color:       0x9B59B6,
	}
	if len(ex.Higher) > 0 {
		embed.Fields = append(embed.Fields, ui.Field(r.T("rounds.field_higher", nil), missedLines(r, ex.Higher), false))
	}
	if ex.ApplicationID == 0 {
		value := r.T("rounds.none_open", map[string]any{"Cmd": ui.Markup(r.Slash("/positions/browse"))})
		if len(ex.Open) > 0 {
			value = positionLines(r, ex.Open, maxGroupLines) + "\n" + r.T("rounds.open_hint", map[string]any{"Cmd": ui.Markup(r.Slash("/apply"))})
		}
		embed.Fields = append(embed.Fields, ui.Field(r.T("rounds.field_open", nil), value, false))
	}
	return embed
}

// missedLines explains each position ranked higher than the result, naming no other student.
func missedLines(r *discord.Request, ms []placement.MissedPosition) string {
	var lines []string
	for i, m := range ms {
		if i == maxGroupLines {
			lines = append(lines, r.T("rounds.more", map[string]any{"Count": len(ms) - maxGroupLines}))
			break
		}
		lines = append(lines, r.T("rounds.missed_line", map[string]any{"Rank": ordinal(r, m.Rank), "Title": ui.OneLine(ui.Truncate(m.Title, 60)),
			"Enterprise": ui.OneLine(ui.Truncate(m.EnterpriseName, 40)), "Why": ui.Markup(r.T("rounds.why_"+string(m.Reason), nil))}))
	}
	return strings.Join(lines, "\n")
}
