package positions_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"placementbot/internal/placement"
	"placementbot/internal/testenv"
	"placementbot/internal/testenv/botenv"
)

func TestMentorFindsOwnClosedPositions(t *testing.T) {
	b := botenv.New(t)
	acme := b.AddEnterprise(t, "Acme", 200, "alice")
	beta := b.AddEnterprise(t, "Beta Soft", 80, "mo")
	welder := b.PostPosition(t, "alice", acme.ID, botenv.PositionInput("Welder"))
	b.PostPosition(t, "alice", acme.ID, botenv.PositionInput("CNC Operator"))
	other := b.PostPosition(t, "mo", beta.ID, botenv.PositionInput("Welding helper"))
	ctx := context.Background()
	for _, c := range []struct {
		mentor string
		id     int64
	}{{"alice", welder.ID}, {"mo", other.ID}} {
		if _, err := b.Service.ClosePosition(ctx, b.Actor(t, c.mentor), c.id); err != nil {
			t.Fatal(err)
		}
	}
	id := strconv.FormatInt(welder.ID, 10)

	// Her own closed position is suggested to its mentor, marked; another enterprise's is not.
	for _, typed := range []string{"wel", ""} {
		got := b.Choices(t, testenv.Autocomplete(testenv.Member("alice"), "positions view", testenv.StringOpt("position", typed)))
		i := slices.IndexFunc(got, func(c *discordgo.ApplicationCommandOptionChoice) bool { return c.Value == id })
		if i < 0 || got[i].Name != "Welder — Acme (closed)" {
			t.Errorf("alice typing %q: %v, want her closed Welder marked", typed, choiceNames(got))
		}
		if slices.ContainsFunc(got, func(c *discordgo.ApplicationCommandOptionChoice) bool {
			return c.Value == strconv.FormatInt(other.ID, 10)
		}) {
			t.Errorf("alice typing %q is offered another enterprise's closed position", typed)
		}
	}
	// Students still see open positions only.
	if got := b.Choices(t, testenv.Autocomplete(testenv.Member("bo"), "positions view", testenv.StringOpt("position", "wel"))); len(got) != 0 {
		t.Errorf("a student is offered closed positions: %v", choiceNames(got))
	}

	// /positions view of her closed position, picked or typed by title, offers Reopen.
	for _, v := range []string{id, "welder"} {
		card := b.Do(t, testenv.Slash(testenv.Member("alice"), "positions view", testenv.StringOpt("position", v)))
		card.MustContain(t, "Welder", "Closed: this position no longer takes applications", "[Reopen]")
		if v == "welder" {
			wantText(t, "reopen", b.Press(t, "alice", card, "Reopen"), "Reopened: students can apply again.")
		}
	}
	b.Do(t, testenv.Slash(testenv.Member("bo"), "positions view", testenv.StringOpt("position", "welding helper"))).MustRefuse(t, "find")
}

func TestCardShowsTheStudentsApplication(t *testing.T) {
	b := botenv.New(t)
	acme := b.AddEnterprise(t, "Acme", 200, "alice")
	p := b.PostPosition(t, "alice", acme.ID, botenv.PositionInput("CNC Operator"))
	id := strconv.FormatInt(p.ID, 10)
	app := b.Apply(t, "bo", p.ID)
	appID := strconv.FormatInt(app.ID, 10)

	card := func(who string) botenv.Seen {
		return b.Do(t, testenv.Slash(testenv.Member(who), "positions view", testenv.StringOpt("position", id)))
	}
	seen := card("bo")
	seen.MustContain(t, "Your application: #"+appID+" · submitted", "[Applied (#"+appID+", submitted)]")
	btn := buttonsOf(seen.Latest())
	if len(btn) != 1 || btn["Applied (#"+appID+", submitted)"] == nil || !btn["Applied (#"+appID+", submitted)"].Disabled {
		t.Fatalf("buttons of an applicant's card: %v", btn)
	}
	// The same from the card's button and from a list's menu.
	for _, in := range []*discordgo.Interaction{
		testenv.Button(testenv.Member("bo"), "/position/"+id),
		testenv.Select(testenv.Member("bo"), "/recommended/open", id),
	} {
		if text := b.Do(t, in).Text(); !strings.Contains(text, "[Applied (#"+appID+", submitted)]") || strings.Contains(text, "[Apply]") {
			t.Errorf("card for an applicant:\n%s", text)
		}
	}

	if _, err := b.Service.Offer(context.Background(), b.Actor(t, "alice"), app.ID); err != nil {
		t.Fatal(err)
	}
	card("bo").MustContain(t, "[Applied (#"+appID+", offered)]")
	// Another student still gets Apply; the mentor gets no application line.
	card("li").MustContain(t, "[Apply]")
	if text := card("alice").Text(); strings.Contains(text, "Your application") || strings.Contains(text, "Applied") {
		t.Errorf("mentor's card:\n%s", text)
	}

	// In Chinese too.
	in := testenv.Slash(testenv.Member("bo"), "positions view", testenv.StringOpt("position", id))
	in.Locale = discordgo.ChineseCN
	b.Do(t, in).MustContain(t, "[已申请（#"+appID+"，")
}

func TestRecommendedSkipsPositionsAppliedTo(t *testing.T) {
	b := botenv.New(t)
	acme := b.AddEnterprise(t, "Acme", 200, "alice")
	first := b.PostPosition(t, "alice", acme.ID, botenv.PositionInput("CNC Operator"))
	second := b.PostPosition(t, "alice", acme.ID, botenv.PositionInput("CAD Drafter"))
	b.SaveProfile(t, "bo", placement.ProfileInput{Program: "Mechatronics", Skills: "CNC, CAD"})
	recommended := func() []int64 {
		return listed(t, b.Do(t, testenv.Slash(testenv.Member("bo"), "positions recommended")).Latest())
	}
	if got := recommended(); !slices.Contains(got, first.ID) || !slices.Contains(got, second.ID) {
		t.Fatalf("before applying: %v", got)
	}
	app := b.Apply(t, "bo", first.ID)
	if got := recommended(); slices.Contains(got, first.ID) || !slices.Contains(got, second.ID) {
		t.Fatalf("after applying to %d: %v", first.ID, got)
	}
	// A withdrawn application no longer keeps the position out.
	if _, err := b.Service.Withdraw(context.Background(), b.Actor(t, "bo"), app.ID, ""); err != nil {
		t.Fatal(err)
	}
	if got := recommended(); !slices.Contains(got, first.ID) {
		t.Fatalf("after withdrawing: %v", got)
	}
}
