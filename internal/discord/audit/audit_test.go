package audit_test

import (
	"context"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"placementbot/internal/testenv"
	"placementbot/internal/testenv/botenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// audInOrder checks that each text appears after the one before it.
func audInOrder(t *testing.T, seen botenv.Seen, want ...string) {
	t.Helper()
	rest := seen.Text()
	for _, w := range want {
		i := strings.Index(rest, w)
		if i < 0 {
			t.Fatalf("trail lacks %q after the earlier entries:\n%s", w, seen.Text())
		}
		rest = rest[i+len(w):]
	}
}

func TestAuditTrailShowsTransitionsAndTicksWithActors(t *testing.T) {
	f := newAprFixture(t, 200, "2")
	carol, bo, alice := testenv.Member("carol"), testenv.Member("bo"), testenv.Member("alice")
	p := plcPlaced(t, f.b, bo, f.pos.ID)
	if _, err := f.b.Service.AssignSupervisor(context.Background(), f.b.Actor(t, "carol"), p.ID, carol.ID); err != nil {
		t.Fatal(err)
	}
	app := plcID(p.ApplicationID)

	seen := f.b.Do(t, testenv.Slash(carol, "audit", testenv.StringOpt("application", app)))
	mustContain(t, seen, "Decision trail", "Application #"+app+": **Lathe operator intern** at Harbor Tools, by <@"+bo.ID+"> — now approved")
	audInOrder(t, seen,
		"<@"+bo.ID+"> · **Applied**",
		"<@"+alice.ID+"> · **Offer made** — from: submitted",
		"<@"+bo.ID+"> · **Offer accepted** — from: offered",
		"<@"+carol.ID+"> · **Checklist item ticked** — item: Three-party agreement signed",
		"**Checklist item ticked** — item: Guardian consent",
		"**Checklist item ticked** — item: Insurance",
		"<@"+carol.ID+"> · **Placement approved** — from: accepted")
	if !seen.Ephemeral() {
		t.Error("trail is not ephemeral")
	}

	// The student's trail spans records, so each entry says which.
	seen = f.b.Do(t, testenv.Slash(carol, "audit", testenv.UserOpt("student", "bo")))
	mustContain(t, seen, "Everything decided about <@"+bo.ID+">'s applications and placements",
		"**Applied** (application #"+app+")", "**School supervisor assigned** (placement #"+plcID(p.ID)+") — student: <@"+bo.ID+"> · supervisor: <@"+carol.ID+">")

	seen = f.b.Do(t, testenv.Slash(carol, "audit", testenv.StringOpt("enterprise", "Harbor Tools")))
	mustContain(t, seen, "Decisions about **Harbor Tools**", "**Mentor linked** (enterprise #"+plcID(f.ent.ID)+") — member: <@"+alice.ID+">", "**Placement approved**")

	in := testenv.Slash(carol, "audit", testenv.StringOpt("application", "#"+app))
	in.Locale = discordgo.ChineseCN
	mustContain(t, f.b.Do(t, in), "决策记录", "**提交申请**", "核查项: 三方协议已签署", "**批准实习安排**")
}

func TestAuditRefusesBadInput(t *testing.T) {
	f := newAprFixture(t, 200, "2")
	carol := testenv.Member("carol")
	app := aprAccepted(t, f.b, testenv.Member("bo"), "alice", f.pos.ID)
	for _, tt := range []struct {
		name string
		opts []testenv.Opt
		want string
	}{
		{"no option", nil, "Pick exactly one of application, student or enterprise"},
		{"two options", []testenv.Opt{testenv.StringOpt("application", plcID(app.ID)), testenv.UserOpt("student", "bo")}, "Pick exactly one"},
		{"not an application", []testenv.Opt{testenv.StringOpt("application", "lathe")}, "can't find that application"},
		{"unknown application", []testenv.Opt{testenv.StringOpt("application", "987654")}, "can't find that application"},
		{"unknown enterprise", []testenv.Opt{testenv.StringOpt("enterprise", "Nowhere Inc")}, "can't find that enterprise"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			mustRefuse(t, f.b.Do(t, testenv.Slash(carol, "audit", tt.opts...)), tt.want)
		})
	}
	mustRefuse(t, f.b.Do(t, testenv.Slash(testenv.Member("alice"), "audit", testenv.StringOpt("application", plcID(app.ID)))), "Only coordinators")
	mustRefuse(t, f.b.Do(t, testenv.Slash(testenv.Member("bo"), "audit", testenv.UserOpt("student", "bo"))), "Only coordinators")
	for _, cid := range []string{"/audit/guild:1/0", "/audit/application:0/0", "/audit/application:x/0", "/audit/student:1/-1"} {
		mustRefuse(t, f.b.Do(t, testenv.Button(carol, cid)), "no longer valid")
	}
	// A student with no history yet, and one who left the server, still have a trail to read.
	mustContain(t, f.b.Do(t, testenv.Slash(carol, "audit", testenv.UserOpt("student", "wei"))), "Nothing has been recorded here yet")

	choices := f.b.Choices(t, testenv.Autocomplete(carol, "audit", testenv.StringOpt("enterprise", "harb")))
	if len(choices) != 1 || choices[0].Value != plcID(f.ent.ID) {
		t.Fatalf("enterprise suggestions %+v", choices)
	}
	choices = f.b.Choices(t, testenv.Autocomplete(carol, "audit", testenv.StringOpt("application", "#"+plcID(app.ID))))
	if len(choices) != 1 || choices[0].Value != plcID(app.ID) {
		t.Fatalf("application suggestions %+v", choices)
	}
}

func TestAuditTrailIsPaged(t *testing.T) {
	f := newAprFixture(t, 200, "2")
	carol := testenv.Member("carol")
	app := aprAccepted(t, f.b, testenv.Member("bo"), "alice", f.pos.ID)
	// Ticking and clearing one item six times: twelve entries after the three transitions.
	for range 6 {
		f.b.Do(t, aprButton(carol, app.ID, "check/insurance/on"))
		f.b.Do(t, aprButton(carol, app.ID, "check/insurance/off"))
	}
	seen := f.b.Do(t, testenv.Slash(carol, "audit", testenv.StringOpt("application", plcID(app.ID))))
	mustContain(t, seen, "15 entries, oldest first.", "[◀ Previous]", "Checklist item cleared")
	appFooter(t, seen, "Page 2 of 2")
	if strings.Contains(seen.Text(), "**Applied**") {
		t.Error("the trail opens on its oldest page")
	}
	first := f.b.Do(t, testenv.Button(carol, buttonsOf(seen.Data)["◀ Previous"].CustomID))
	if first.Type != discordgo.InteractionResponseUpdateMessage {
		t.Fatalf("page turn type %d", first.Type)
	}
	audInOrder(t, first, "**Applied**", "**Offer made**", "**Offer accepted**", "**Checklist item ticked**")
	appFooter(t, first, "Page 1 of 2")
}
