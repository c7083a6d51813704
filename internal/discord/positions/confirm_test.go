package positions_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"placementbot/internal/demo"
	"placementbot/internal/placement"
	"placementbot/internal/testenv"
	"placementbot/internal/testenv/botenv"
)

// confirmFlag makes the position look 31 days unconfirmed and flagged stale a day ago, as the
// stale job leaves it.
func confirmFlag(t *testing.T, b *botenv.Bot, id int64) {
	t.Helper()
	if _, err := b.Pool.Exec(context.Background(), `UPDATE positions SET confirmed_at = now() - interval '31 days',
		stale_flagged_at = now() - interval '1 day' WHERE guild_id = $1 AND id = $2`, demo.GuildID, id); err != nil {
		t.Fatal(err)
	}
}

// confirmState reads whether the position is still flagged and how long ago it was confirmed.
func confirmState(t *testing.T, b *botenv.Bot, id int64) (flagged bool, age time.Duration) {
	t.Helper()
	var confirmed time.Time
	if err := b.Pool.QueryRow(context.Background(), `SELECT stale_flagged_at IS NOT NULL, confirmed_at FROM positions
		WHERE guild_id = $1 AND id = $2`, demo.GuildID, id).Scan(&flagged, &confirmed); err != nil {
		t.Fatal(err)
	}
	return flagged, time.Since(confirmed)
}

// The card shows its mentors Still open while the position is open; pressing it clears the
// stale flag, restarts the 30 days, and updates the card in place. Pressing it again changes
// nothing more.
func TestStillOpenConfirmsThePosition(t *testing.T) {
	b := postingBot(t)
	e := b.AddEnterprise(t, "Acme", 200, "alice")
	p := b.PostPosition(t, "alice", e.ID, botenv.PositionInput("Welder"))
	id := strconv.FormatInt(p.ID, 10)
	confirmFlag(t, b, p.ID)

	card := b.Do(t, testenv.Slash(testenv.Member("alice"), "positions view", testenv.StringOpt("position", id)))
	wantText(t, "mentor's card", card, "[Edit]", "[Still open]", "[Close]", "[Duplicate]")
	if text := b.Do(t, testenv.Slash(testenv.Member("bo"), "positions view", testenv.StringOpt("position", id))).Text(); strings.Contains(text, "[Still open]") {
		t.Errorf("a student sees Still open:\n%s", text)
	}

	for press := 1; press <= 2; press++ {
		seen := b.Press(t, "alice", card, "Still open")
		if seen.Type != discordgo.InteractionResponseUpdateMessage {
			t.Fatalf("press %d: type %d %s", press, seen.Type, seen.Text())
		}
		wantText(t, "confirmed", seen, "**Welder** is confirmed as still open", "ask again around <t:", "[Still open]", "[Close]")
		if flagged, age := confirmState(t, b, p.ID); flagged || age > time.Minute {
			t.Fatalf("press %d: flagged %v, confirmed %s ago", press, flagged, age)
		}
	}
	var n int
	if err := b.Pool.QueryRow(context.Background(), `SELECT count(*) FROM audit_events WHERE action = 'position.confirmed' AND actor_id = $1`,
		testenv.Member("alice").ID).Scan(&n); err != nil || n != 2 {
		t.Fatalf("%d confirmations in the audit trail (%v), want one per press", n, err)
	}
}

// Only the position's own mentors may confirm it: another enterprise's mentor pressing an edited
// custom_id, a student and a member without a role are refused, and the position stays flagged.
// Ids that the bot never made are refused too.
func TestStillOpenRefusesOthersAndBadIDs(t *testing.T) {
	b := postingBot(t)
	acme := b.AddEnterprise(t, "Acme", 200, "alice")
	b.AddEnterprise(t, "Beta", 100, "mo")
	p := b.PostPosition(t, "alice", acme.ID, botenv.PositionInput("Welder"))
	id := strconv.FormatInt(p.ID, 10)
	confirmFlag(t, b, p.ID)

	for member, want := range map[string]string{
		"mo":  "belongs to an enterprise you don't mentor for",
		"bo":  "Only enterprise mentors",
		"sam": "Only enterprise mentors",
	} {
		seen := b.Do(t, testenv.Button(testenv.Member(member), "/position/"+id+"/confirm"))
		if seen.Type != discordgo.InteractionResponseChannelMessageWithSource || !seen.Ephemeral() {
			t.Errorf("%s: type %d, ephemeral %v", member, seen.Type, seen.Ephemeral())
		}
		wantText(t, member, seen, want)
	}
	for raw, want := range map[string]string{
		"abc":                  "no longer valid",
		"0":                    "no longer valid",
		"-4":                   "no longer valid",
		"99999":                "can't find that position",
		"9223372036854775808":  "no longer valid",
		strings.Repeat("9", 8): "can't find that position",
	} {
		wantText(t, "id "+raw, b.Do(t, testenv.Button(testenv.Member("alice"), "/position/"+raw+"/confirm")), want)
	}
	if flagged, age := confirmState(t, b, p.ID); !flagged || age < 30*24*time.Hour {
		t.Fatalf("a refused press changed the position: flagged %v, confirmed %s ago", flagged, age)
	}
}

// A closed position has nothing to confirm: its card offers Reopen instead, and a stale Still
// open button says so and changes nothing.
func TestStillOpenOnAClosedPosition(t *testing.T) {
	b := postingBot(t)
	e := b.AddEnterprise(t, "Acme", 200, "alice")
	p := b.PostPosition(t, "alice", e.ID, botenv.PositionInput("Welder"))
	id := strconv.FormatInt(p.ID, 10)
	card := b.Do(t, testenv.Slash(testenv.Member("alice"), "positions view", testenv.StringOpt("position", id)))
	closed := b.Press(t, "alice", card, "Close")
	wantText(t, "closed card", closed, "[Reopen]")
	if strings.Contains(closed.Text(), "[Still open]") {
		t.Errorf("closed card offers Still open:\n%s", closed.Text())
	}
	// The Still open button of the card as it was before closing.
	seen := b.Press(t, "alice", card, "Still open")
	if !seen.Ephemeral() || seen.Type != discordgo.InteractionResponseChannelMessageWithSource {
		t.Errorf("type %d, ephemeral %v", seen.Type, seen.Ephemeral())
	}
	wantText(t, "confirm closed", seen, "closed, so there's nothing to confirm", "**Reopen**")
	got, err := b.Service.Position(context.Background(), b.Actor(t, "alice"), p.ID)
	if err != nil || got.Status != placement.PositionClosed {
		t.Fatalf("position %s (%v), want closed", got.Status, err)
	}
}

// The confirmation shows the title as typed, whatever markdown or mentions it holds, and speaks
// the member's language.
func TestStillOpenShowsTitleAsTextInBothLanguages(t *testing.T) {
	b := postingBot(t)
	e := b.AddEnterprise(t, "Acme", 200, "alice")
	p := b.PostPosition(t, "alice", e.ID, botenv.PositionInput("**Lead** @everyone _welder_"))
	card := b.Do(t, testenv.Slash(testenv.Member("alice"), "positions view", testenv.StringOpt("position", strconv.FormatInt(p.ID, 10))))
	seen := b.Press(t, "alice", card, "Still open")
	wantText(t, "escaped", seen, `\*\*Lead\*\* @`+"\u200b"+`everyone \_welder\_`)
	// The kit's presses carry no locale: this one sends the card's custom_id itself.
	zh := testenv.Button(testenv.Member("alice"), card.Button(t, "Still open").CustomID)
	zh.Locale = discordgo.ChineseCN
	wantText(t, "zh", b.Do(t, zh), "仍在招聘", "[仍在招聘]")
}
