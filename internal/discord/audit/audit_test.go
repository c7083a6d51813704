package audit_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"placementbot/internal/placement"
	"placementbot/internal/testenv"
	"placementbot/internal/testenv/botenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// audStory is a bot where bo applied to alice's position at Harbor Tools.
type audStory struct {
	b   *botenv.Bot
	ent placement.Enterprise
	app placement.Application
	plc placement.Placement
}

// newAudStory builds the story to an accepted offer; with placed, carol then ticks the
// checklist, approves and becomes the school supervisor. Each step is taken by its person, so
// the trail names them.
func newAudStory(t *testing.T, placed bool) audStory {
	t.Helper()
	ctx, b := context.Background(), botenv.New(t)
	st := audStory{b: b, ent: b.AddEnterprise(t, "Harbor Tools", 200, "alice")}
	st.app = b.Apply(t, "bo", b.PostPosition(t, "alice", st.ent.ID, botenv.PositionInput("Lathe operator intern")).ID)
	carol, svc := b.Actor(t, "carol"), b.Service
	steps := []func() error{
		func() (err error) { _, err = svc.Offer(ctx, b.Actor(t, "alice"), st.app.ID); return },
		func() (err error) { _, err = svc.Accept(ctx, b.Actor(t, "bo"), st.app.ID); return },
	}
	if placed {
		for _, item := range placement.DefaultChecklist {
			steps = append(steps, func() (err error) { _, err = svc.TickCheck(ctx, carol, st.app.ID, item, true); return })
		}
		steps = append(steps,
			func() (err error) { st.plc, err = svc.Approve(ctx, carol, st.app.ID); return },
			func() (err error) {
				_, err = svc.AssignSupervisor(ctx, carol, st.plc.ID, placement.Member{UserID: carol.UserID, Permissions: placement.PermManageGuild})
				return
			})
	}
	for _, step := range steps {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	return st
}

func audID(id int64) string { return strconv.FormatInt(id, 10) }

// audPage is the page the trail's footer names.
func audPage(seen botenv.Seen) string {
	if es := seen.Latest().Embeds; len(es) > 0 && es[0].Footer != nil {
		return es[0].Footer.Text
	}
	return ""
}

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
	f := newAudStory(t, true)
	p := f.plc
	carol, bo, alice := testenv.Member("carol"), testenv.Member("bo"), testenv.Member("alice")
	app := audID(p.ApplicationID)

	seen := f.b.Do(t, testenv.Slash(carol, "audit", testenv.StringOpt("application", app)))
	seen.MustContain(t, "Decision trail", "Application #"+app+": **Lathe operator intern** at Harbor Tools, by <@"+bo.ID+"> — now approved")
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
	seen.MustContain(t, "Everything decided about <@"+bo.ID+">'s applications and placements",
		"**Applied** (application #"+app+")", "**School supervisor assigned** (placement #"+audID(p.ID)+") — student: <@"+bo.ID+"> · supervisor: <@"+carol.ID+">")

	seen = f.b.Do(t, testenv.Slash(carol, "audit", testenv.StringOpt("enterprise", "Harbor Tools")))
	seen.MustContain(t, "Decisions about **Harbor Tools**", "**Mentor linked** (enterprise #"+audID(f.ent.ID)+") — member: <@"+alice.ID+">", "**Placement approved**",
		"**Position posted** (position #")

	in := testenv.Slash(carol, "audit", testenv.StringOpt("application", "#"+app))
	in.Locale = discordgo.ChineseCN
	f.b.Do(t, in).MustContain(t, "决策记录", "**提交申请**", "核查项: 三方协议已签署", "**批准实习安排**")
}

func TestAuditRefusesBadInput(t *testing.T) {
	f := newAudStory(t, false)
	carol, app := testenv.Member("carol"), f.app
	for _, tt := range []struct {
		name string
		opts []testenv.Opt
		want string
	}{
		{"no option", nil, "Pick exactly one of application, student or enterprise"},
		{"two options", []testenv.Opt{testenv.StringOpt("application", audID(app.ID)), testenv.UserOpt("student", "bo")}, "Pick exactly one"},
		{"not an application", []testenv.Opt{testenv.StringOpt("application", "lathe")}, "can't find that application"},
		{"unknown application", []testenv.Opt{testenv.StringOpt("application", "987654")}, "can't find that application"},
		{"unknown enterprise", []testenv.Opt{testenv.StringOpt("enterprise", "Nowhere Inc")}, "can't find that enterprise"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f.b.Do(t, testenv.Slash(carol, "audit", tt.opts...)).MustRefuse(t, tt.want)
		})
	}
	f.b.Do(t, testenv.Slash(testenv.Member("alice"), "audit", testenv.StringOpt("application", audID(app.ID)))).MustRefuse(t, "Only coordinators")
	f.b.Do(t, testenv.Slash(testenv.Member("bo"), "audit", testenv.UserOpt("student", "bo"))).MustRefuse(t, "Only coordinators")
	for _, cid := range []string{"/audit/guild:1/0", "/audit/application:0/0", "/audit/application:x/0", "/audit/student:1/-1"} {
		f.b.Do(t, testenv.Button(carol, cid)).MustRefuse(t, "no longer valid")
	}
	// A student with no history yet, and one who left the server, still have a trail to read.
	f.b.Do(t, testenv.Slash(carol, "audit", testenv.UserOpt("student", "wei"))).MustContain(t, "Nothing has been recorded here yet")

	choices := f.b.Choices(t, testenv.Autocomplete(carol, "audit", testenv.StringOpt("enterprise", "harb")))
	if len(choices) != 1 || choices[0].Value != audID(f.ent.ID) {
		t.Fatalf("enterprise suggestions %+v", choices)
	}
	choices = f.b.Choices(t, testenv.Autocomplete(carol, "audit", testenv.StringOpt("application", "#"+audID(app.ID))))
	if len(choices) != 1 || choices[0].Value != audID(app.ID) {
		t.Fatalf("application suggestions %+v", choices)
	}
}

func TestAuditTrailIsPaged(t *testing.T) {
	f := newAudStory(t, false)
	carol, app := testenv.Member("carol"), f.app
	// Ticking and clearing one item six times: twelve entries after the three transitions.
	for i := range 12 {
		if _, err := f.b.Service.TickCheck(context.Background(), f.b.Actor(t, "carol"), app.ID, "insurance", i%2 == 0); err != nil {
			t.Fatal(err)
		}
	}
	seen := f.b.Do(t, testenv.Slash(carol, "audit", testenv.StringOpt("application", audID(app.ID))))
	seen.MustContain(t, "15 entries, oldest first.", "[◀ Previous]", "Checklist item cleared")
	if page := audPage(seen); page != "Page 2 of 2" {
		t.Errorf("opens on %q", page)
	}
	if strings.Contains(seen.Text(), "**Applied**") {
		t.Error("the trail opens on its oldest page")
	}
	first := f.b.Press(t, "carol", seen, "◀ Previous")
	if first.Type != discordgo.InteractionResponseUpdateMessage {
		t.Fatalf("page turn type %d", first.Type)
	}
	audInOrder(t, first, "**Applied**", "**Offer made**", "**Offer accepted**", "**Checklist item ticked**")
	if page := audPage(first); page != "Page 1 of 2" {
		t.Errorf("turned to %q", page)
	}
}

// Newest first opens on the latest decisions and pages back towards the first.
func TestAuditTrailNewestFirst(t *testing.T) {
	f := newAudStory(t, false)
	carol, app := testenv.Member("carol"), f.app
	for i := range 12 {
		if _, err := f.b.Service.TickCheck(context.Background(), f.b.Actor(t, "carol"), app.ID, "insurance", i%2 == 0); err != nil {
			t.Fatal(err)
		}
	}
	seen := f.b.Do(t, testenv.Slash(carol, "audit", testenv.StringOpt("application", audID(app.ID)), testenv.StringOpt("order", "newest")))
	seen.MustContain(t, "15 entries, newest first.")
	if page := audPage(seen); page != "Page 1 of 2" {
		t.Errorf("opens on %q", page)
	}
	audInOrder(t, seen, "**Checklist item cleared**", "**Checklist item ticked**")
	last := f.b.Press(t, "carol", seen, "Next ▶")
	audInOrder(t, last, "**Offer accepted**", "**Offer made**", "**Applied**")
}

func TestAuditShowsMemberTextAsTyped(t *testing.T) {
	b := botenv.New(t)
	ctx := context.Background()
	e, err := b.Service.RequestEnterprise(ctx, b.Actor(t, "mo"), placement.EnterpriseInput{Name: "Mo *Garage*", StaffSize: 12})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Service.VerifyEnterprise(ctx, b.Actor(t, "carol"), e.ID, false, "**No** licence [here](https://x.test) @everyone"); err != nil {
		t.Fatal(err)
	}
	seen := b.Do(t, testenv.Slash(testenv.Member("carol"), "audit", testenv.StringOpt("enterprise", audID(e.ID))))
	seen.MustContain(t, `Decisions about **Mo \*Garage\***`, "**Enterprise refused**",
		`note: “\*\*No\*\* licence \[here\]\(https://x.test\) @`+"\u200b"+`everyone”`)
}
