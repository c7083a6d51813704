package features_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"placementbot/internal/demo"
	"placementbot/internal/discord/ui"
	"placementbot/internal/outbox"
	"placementbot/internal/placement"
	"placementbot/internal/testenv"
	"placementbot/internal/testenv/botenv"
)

// Hostile text a member might type: a masked link to a phishing page, a heading, mass and role
// mentions, a code fence, direction overrides and joiners.
const (
	link    = "[Sign in](https://evil.example)"
	heading = "# Heading"
	pings   = "@everyone <@&900000000000000011> @here"
	fence   = "```fence```"
	rtl     = "rtl\u202eevil\u202c mark\u200f"
	zwj     = "zero\u200dwidth"
)

// oneLine is every hostile piece on one line, for fields that are one line.
var oneLine = strings.Join([]string{link, pings, fence, rtl, zwj}, " ")

// multiLine puts the line-start tricks (heading, list, quote) at line starts.
var multiLine = strings.Join([]string{heading, "- list item", "> quote", link, pings, fence, rtl, zwj}, "\n")

func fit(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// Everything a member can type reaches replies, DMs and channel posts only as literal text, and
// no message passes Discord's limits, whatever its length.
func TestHostileTextShowsLiterallyEverywhere(t *testing.T) {
	b := botenv.New(t)
	ctx := context.Background()
	carol, alice, bo := testenv.Member("carol"), testenv.Member("alice"), testenv.Member("bo")

	// Too long for any field: refused with a message that fits, nothing saved.
	huge := strings.Repeat("长", 5000)
	refused := b.Do(t, testenv.Slash(carol, "enterprise add", testenv.StringOpt("name", huge), testenv.IntOpt("staff_size", 50)))
	if !strings.Contains(refused.Text(), "100") {
		t.Fatalf("5,000-character name: %q", refused.Text())
	}

	added := b.Do(t, testenv.Slash(carol, "enterprise add", testenv.StringOpt("name", fit(oneLine, 100)),
		testenv.IntOpt("staff_size", 50), testenv.StringOpt("industry", fit(oneLine, 60)),
		testenv.StringOpt("city", fit(oneLine, 60)), testenv.StringOpt("description", fit(multiLine+"\n"+huge, 1000))))
	es, err := b.Service.SuggestEnterprises(ctx, b.Actor(t, "carol"), "[Sign", false)
	if err != nil || len(es) != 1 {
		t.Fatalf("enterprise not added (%v): %s", err, added.Text())
	}
	ent := es[0]
	if _, err := b.Service.LinkMentor(ctx, b.Actor(t, "carol"), ent.ID, alice.ID); err != nil {
		t.Fatal(err)
	}

	in := botenv.PositionInput(fit(oneLine, 100))
	in.Description = fit(multiLine+"\n"+huge, 2000)
	in.Skills = "welding, " + fit(oneLine, 40)
	in.Programs = fit(oneLine, 80)
	in.Location = fit(oneLine, 60)
	pos := b.PostPosition(t, "alice", ent.ID, in)

	b.SaveProfile(t, "bo", placement.ProfileInput{Program: fit(oneLine, 80), Cohort: fit(pings, 20),
		Skills: "welding, " + fit(link, 40), Certificates: fit(oneLine, 80), Locations: fit(oneLine, 60)})

	card := b.Do(t, testenv.Slash(bo, "positions view", testenv.StringOpt("position", ui.FormatID(pos.ID))))
	form := b.Press(t, "bo", card, "Apply")
	b.Fill(t, "bo", form, map[string]string{"motivation": fit(multiLine, 1000)})

	review := b.Do(t, testenv.Slash(alice, "applications review", testenv.StringOpt("position", ui.FormatID(pos.ID))))
	b.Press(t, "alice", review, "Profile")
	reject := b.Press(t, "alice", review, "Reject")
	b.Fill(t, "alice", reject, map[string]string{"reason": fit(multiLine, 300)})

	b.Do(t, testenv.Slash(bo, "applications mine"))
	b.Do(t, testenv.Slash(bo, "positions browse", testenv.StringOpt("keyword", "evil")))
	b.Do(t, testenv.Slash(bo, "profile view"))
	b.Do(t, testenv.Slash(carol, "enterprise list"))
	b.Do(t, testenv.Slash(carol, "audit", testenv.StringOpt("enterprise", ui.FormatID(ent.ID))))

	w := outbox.New(outbox.Config{Store: b.Store, Sender: outbox.DiscordSender{Session: b.Session}, Catalog: b.Catalog})
	if _, err := w.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}

	var replies, dms, posts []string
	for _, c := range b.Discord.Calls() {
		if c.JSON == nil || c.Method == "GET" {
			continue
		}
		texts := markdownTexts(c.JSON)
		checkLimits(t, c.Method+" "+c.Path, c.JSON)
		switch {
		case c.Route == "/channels/{channel_id}/messages" && c.Params["channel_id"] == demo.AnnouncementsID:
			posts = append(posts, texts...)
		case c.Route == "/channels/{channel_id}/messages":
			dms = append(dms, texts...)
		default:
			replies = append(replies, texts...)
		}
	}
	for _, s := range slices.Concat(replies, dms, posts) {
		checkInert(t, s)
	}
	title := ui.OneLine(fit(oneLine, 100))
	for name, tc := range map[string]struct {
		texts []string
		want  string
	}{
		"card title":              {replies, stripped(title)},
		"motivation in review":    {replies, stripped(link)},
		"profile program":         {replies, stripped(fit(oneLine, 80))},
		"rejection reason by DM":  {dms, stripped(link)},
		"announced position post": {posts, stripped(fit(link, 100))},
	} {
		if !anyShows(tc.texts, tc.want) {
			t.Errorf("%s: %q is not shown literally in any of %d texts", name, tc.want, len(tc.texts))
		}
	}
	if len(dms) == 0 || len(posts) == 0 {
		t.Fatalf("no DMs (%d) or channel posts (%d) were sent", len(dms), len(posts))
	}
}

// stripped is what a member reads of text whose direction overrides were dropped.
func stripped(s string) string {
	return strings.NewReplacer("\u202e", "", "\u202c", "").Replace(s)
}

// shows reads escaped markdown as Discord renders it and reports whether want is on screen.
func anyShows(texts []string, want string) bool {
	for _, s := range texts {
		if strings.Contains(rendered(s), want) {
			return true
		}
	}
	return false
}

// rendered undoes markdown escapes the way Discord displays them.
func rendered(s string) string {
	var b strings.Builder
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		if rs[i] == '\\' && i+1 < len(rs) && strings.ContainsRune("\\*_~`|[]()<>#-+.@", rs[i+1]) {
			i++
		}
		if rs[i] == '\u200b' {
			continue
		}
		b.WriteRune(rs[i])
	}
	return b.String()
}

// checkInert fails when text would render a member's markup: a masked link, a mention, a code
// fence, a heading, a quote or list made of their text, or a direction override.
func checkInert(t *testing.T, s string) {
	t.Helper()
	for _, bad := range []string{"](https://evil.example)", "@everyone", "@here", "<@&900000000000000011>", "```fence", "\u202e"} {
		if strings.Contains(s, bad) {
			t.Errorf("message renders %q: %q", bad, fit(s, 300))
		}
	}
	for _, line := range strings.Split(s, "\n") {
		l := strings.TrimLeft(line, " ")
		if strings.HasPrefix(l, heading) || strings.HasPrefix(l, "- list item") || strings.HasPrefix(l, "> quote") {
			t.Errorf("member text starts a heading, list or quote: %q", fit(line, 200))
		}
	}
}

// markdownTexts collects the texts of a request body that Discord renders as markdown: message
// contents and embed texts. Buttons, menus, modals and suggestions show plain text, so member
// text there is shown as typed without escaping.
func markdownTexts(v any) []string {
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if _, modal := x["custom_id"]; modal {
				return
			}
			for k, y := range x {
				if s, ok := y.(string); ok {
					switch k {
					case "content", "title", "description", "name", "value", "text":
						out = append(out, s)
					}
					continue
				}
				if k != "components" && k != "choices" {
					walk(y)
				}
			}
		case []any:
			for _, y := range x {
				walk(y)
			}
		}
	}
	walk(v)
	return out
}

// checkLimits fails when a body passes Discord's message limits, including the 6,000
// characters of one message's embeds that the schema cannot express.
func checkLimits(t *testing.T, what string, v any) {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		return
	}
	if d, ok := m["data"].(map[string]any); ok {
		m = d
	}
	if c, _ := m["content"].(string); utf8.RuneCountInString(c) > 2000 {
		t.Errorf("%s: content of %d characters", what, utf8.RuneCountInString(c))
	}
	embeds, _ := m["embeds"].([]any)
	total := 0
	for _, e := range embeds {
		for _, s := range markdownTexts(e) {
			total += utf8.RuneCountInString(s)
		}
	}
	if total > 6000 {
		t.Errorf("%s: embeds hold %d characters", what, total)
	}
	if rows, _ := m["components"].([]any); len(rows) > 5 {
		t.Errorf("%s: %d component rows", what, len(rows))
	}
}
