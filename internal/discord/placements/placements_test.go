package placements_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"
	"github.com/jackc/pgx/v5"

	"placementbot/internal/demo"
	"placementbot/internal/placement"
	"placementbot/internal/testenv"
	"placementbot/internal/testenv/botenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

const plcMotivation = "I have run lathes in our school workshop for two years and want real production work."

// plcFixture is a bot with Harbor Tools, mentored by alice, and one position of it.
type plcFixture struct {
	b   *botenv.Bot
	pos placement.Position
}

func newPlcFixture(t *testing.T, slots string) plcFixture {
	t.Helper()
	b := botenv.New(t)
	in := botenv.PositionInput("Lathe operator intern")
	in.Slots = slots
	return plcFixture{b: b, pos: b.PostPosition(t, "alice", b.AddEnterprise(t, "Harbor Tools", 200, "alice").ID, in)}
}

// plcStudent is the i-th of a class of students made up for the test, with bo's roles.
func plcStudent(i int) demo.Member {
	m := testenv.Member("bo")
	m.ID, m.Name = fmt.Sprintf("92%016d", i), "student"+strconv.Itoa(i)
	return m
}

// plcPlaced takes a student from applying to an approved placement, each step taken by the
// person who takes it, and returns the placement.
func plcPlaced(t *testing.T, b *botenv.Bot, m demo.Member, positionID int64) placement.Placement {
	t.Helper()
	ctx, coordinator := context.Background(), b.Actor(t, "carol")
	student, err := b.Service.Actor(ctx, demo.GuildID, placement.Member{UserID: m.ID, RoleIDs: m.RoleIDs}, "en-US")
	var app placement.Application
	if err == nil {
		app, err = b.Service.Apply(ctx, student, positionID, plcMotivation)
	}
	if err == nil {
		_, err = b.Service.Offer(ctx, b.Actor(t, "alice"), app.ID)
	}
	if err == nil {
		_, err = b.Service.Accept(ctx, student, app.ID)
	}
	for _, item := range placement.DefaultChecklist {
		if err == nil {
			_, err = b.Service.TickCheck(ctx, coordinator, app.ID, item, true)
		}
	}
	var p placement.Placement
	if err == nil {
		p, err = b.Service.Approve(ctx, coordinator, app.ID)
	}
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// plcNow reads a placement as it is now.
func plcNow(t *testing.T, b *botenv.Bot, id int64) placement.Placement {
	t.Helper()
	p, err := b.Service.Placement(context.Background(), b.Actor(t, "carol"), id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// plcNotes lists whom the outbox holds the message for (a member's or a channel's id), oldest first.
func plcNotes(t *testing.T, b *botenv.Bot, key string) []string {
	t.Helper()
	rows, err := b.Pool.Query(context.Background(),
		`SELECT user_id || channel_id FROM notifications WHERE guild_id = $1 AND message_key = $2 ORDER BY id`, demo.GuildID, key)
	if err == nil {
		var to []string
		if to, err = pgx.CollectRows(rows, pgx.RowTo[string]); err == nil {
			return to
		}
	}
	t.Fatal(err)
	return nil
}

// plcReason is the reason input of a form.
func plcReason(t *testing.T, form botenv.Seen) *discordgo.TextInput {
	t.Helper()
	if form.Type != discordgo.InteractionResponseModal || len(form.Data.Components) != 1 {
		t.Fatalf("want a form with one input, got type %d: %s", form.Type, form.Text())
	}
	return form.Data.Components[0].(*discordgo.ActionsRow).Components[0].(*discordgo.TextInput)
}

// plcPage checks the page a list's footer names.
func plcPage(t *testing.T, seen botenv.Seen, want string) {
	t.Helper()
	if es := seen.Latest().Embeds; len(es) == 0 || es[0].Footer == nil || es[0].Footer.Text != want {
		t.Errorf("want footer %q: %+v", want, es)
	}
}

func plcID(id int64) string { return strconv.FormatInt(id, 10) }

func TestPlacementsListShowsBothMentorsAndPages(t *testing.T) {
	f := newPlcFixture(t, "10")
	carol := testenv.Member("carol")
	var ps []placement.Placement
	for i := range 6 {
		ps = append(ps, plcPlaced(t, f.b, plcStudent(i), f.pos.ID))
	}
	if _, err := f.b.Service.AssignSupervisor(context.Background(), f.b.Actor(t, "carol"), ps[0].ID, placement.Member{UserID: carol.ID, RoleIDs: carol.RoleIDs}); err != nil {
		t.Fatal(err)
	}

	seen := f.b.Do(t, testenv.Slash(carol, "placements list"))
	alice := "<@" + testenv.Member("alice").ID + ">"
	seen.MustContain(t, "Active placements (6)", "1 · Lathe operator intern — Harbor Tools", "Enterprise mentor: "+alice,
		"School supervisor: none yet", "[Supervisor #1]", "[End #5]", "[Next ▶]")
	plcPage(t, seen, "Page 1 of 2")
	if !seen.Ephemeral() {
		t.Error("list is not ephemeral")
	}
	// Newest first: the first placement, the one with a supervisor, is on page 2.
	next := f.b.Press(t, "carol", seen, "Next ▶")
	next.MustContain(t, "6 · Lathe operator intern", "<@"+plcStudent(0).ID+"> · placement #"+plcID(ps[0].ID), "School supervisor: <@"+carol.ID+">", "[End #6]")
	if next.Type != discordgo.InteractionResponseUpdateMessage {
		t.Errorf("page turn type %d", next.Type)
	}

	bySupervisor := f.b.Do(t, testenv.Slash(carol, "placements list", testenv.UserOpt("supervisor", "carol")))
	bySupervisor.MustContain(t, "Active placements (1)", "School supervisor: <@"+carol.ID+">")
	f.b.Do(t, testenv.Slash(carol, "placements list", testenv.StringOpt("enterprise", "Harbor Tools"))).MustContain(t, "Active placements (6)", "Enterprise: Harbor Tools")
	lotus := f.b.AddEnterprise(t, "Lotus Foods", 100, "mo")
	f.b.Do(t, testenv.Slash(carol, "placements list", testenv.StringOpt("enterprise", plcID(lotus.ID)))).MustContain(t, "No active placements with Enterprise: this enterprise")
	f.b.Do(t, testenv.Slash(carol, "placements list", testenv.StringOpt("enterprise", "Nowhere Inc"))).MustRefuse(t, "can't find that enterprise")
	f.b.Do(t, testenv.Slash(testenv.Member("bo"), "placements list")).MustRefuse(t, "Only coordinators")

	for _, cid := range []string{"/placements/page/abc/0/1", "/placements/page/0/1x/1", "/placements/page/0/0/-1", "/placements/page/0/0/x"} {
		f.b.Do(t, testenv.Button(carol, cid)).MustRefuse(t, "no longer valid")
	}
	// An out-of-range page shows the last one.
	f.b.Do(t, testenv.Button(carol, "/placements/page/0/0/9")).MustContain(t, "6 · Lathe operator intern")
}

func TestSupervisorMustBeAGuildMember(t *testing.T) {
	f := newPlcFixture(t, "2")
	carol, bo := testenv.Member("carol"), testenv.Member("bo")
	p := plcPlaced(t, f.b, bo, f.pos.ID)
	stranger := "123456789012345678"

	cmd := testenv.Slash(carol, "placements supervisor", testenv.StringOpt("placement", plcID(p.ID)),
		testenv.Opt{Name: "supervisor", Type: discordgo.ApplicationCommandOptionUser, Value: stranger})
	f.b.Do(t, cmd).MustRefuse(t, "<@"+stranger+"> isn't a member of this server")
	f.b.Do(t, testenv.UserSelect(testenv.Member("carol"), "/placement/"+plcID(p.ID)+"/supervisor", stranger)).MustRefuse(t, "isn't a member of this server")
	if got := plcNow(t, f.b, p.ID).SupervisorID; got != "" {
		t.Fatalf("supervisor set to %q", got)
	}

	// The list's button opens the member picker; picking assigns.
	list := f.b.Do(t, testenv.Slash(carol, "placements list"))
	picker := f.b.Press(t, "carol", list, "Supervisor #1")
	picker.MustContain(t, "Who supervises <@"+bo.ID+"> for the school at **Harbor Tools**", "Now: none yet")
	menus := picker.Menus()
	if len(menus) != 1 || menus[0].MenuType != discordgo.UserSelectMenu || menus[0].CustomID != "/placement/"+plcID(p.ID)+"/supervisor" {
		t.Fatalf("picker %+v", picker.Data.Components)
	}
	seen := f.b.Do(t, testenv.UserSelect(testenv.Member("carol"), menus[0].CustomID, carol.ID))
	seen.MustContain(t, "<@"+carol.ID+"> is now the school supervisor of <@"+bo.ID+"> at **Harbor Tools**",
		"beside the enterprise mentor <@"+testenv.Member("alice").ID+">", "Enterprise mentor", "School supervisor")
	if got := plcNow(t, f.b, p.ID).SupervisorID; got != carol.ID {
		t.Fatalf("supervisor %q", got)
	}
	// Picking the same person again tells nobody twice.
	f.b.Do(t, testenv.UserSelect(testenv.Member("carol"), menus[0].CustomID, carol.ID))
	if n := plcNotes(t, f.b, "note.supervisor_assigned"); !slices.Equal(n, []string{carol.ID}) {
		t.Fatalf("supervisor notes %+v", n)
	}
	if n := plcNotes(t, f.b, "note.mentor_supervisor_assigned"); !slices.Equal(n, []string{testenv.Member("alice").ID}) {
		t.Fatalf("mentor notes %+v", n)
	}
	if menus := f.b.Press(t, "carol", list, "Supervisor #1").Menus(); len(menus) != 1 || len(menus[0].DefaultValues) != 1 || menus[0].DefaultValues[0].ID != carol.ID {
		t.Fatalf("the picker doesn't show the current supervisor: %+v", menus)
	}

	// By command, naming the placement by its position's title.
	cmd = testenv.Slash(carol, "placements supervisor", testenv.StringOpt("placement", "Lathe operator intern"), testenv.UserOpt("supervisor", "owner"))
	f.b.Do(t, cmd).MustContain(t, "<@"+testenv.Member("owner").ID+"> is now the school supervisor")
	f.b.Do(t, testenv.Slash(carol, "placements supervisor", testenv.StringOpt("placement", "Welding"), testenv.UserOpt("supervisor", "owner"))).MustRefuse(t, "can't find that placement")
	f.b.Do(t, testenv.Slash(carol, "placements supervisor", testenv.StringOpt("placement", "99999"), testenv.UserOpt("supervisor", "owner"))).MustRefuse(t, "can't find that placement")
	f.b.Do(t, testenv.UserSelect(testenv.Member("bo"), "/placement/"+plcID(p.ID)+"/supervisor", carol.ID)).MustRefuse(t, "Only coordinators")
	f.b.Do(t, testenv.UserSelect(testenv.Member("carol"), "/placement/x/supervisor", carol.ID)).MustRefuse(t, "no longer valid")
	f.b.Do(t, testenv.UserSelect(testenv.Member("carol"), "/placement/"+plcID(p.ID)+"/supervisor", carol.ID, bo.ID)).MustRefuse(t, "no longer valid")

	choices := f.b.Choices(t, testenv.Autocomplete(carol, "placements supervisor", testenv.StringOpt("placement", "lathe")))
	if len(choices) != 1 || choices[0].Value != plcID(p.ID) {
		t.Fatalf("suggestions %+v", choices)
	}
}

func TestEarlyEndFreesTheSlot(t *testing.T) {
	f := newPlcFixture(t, "1")
	carol, bo, li := testenv.Member("carol"), testenv.Member("bo"), testenv.Member("li")
	p := plcPlaced(t, f.b, bo, f.pos.ID)
	ctx := context.Background()
	if _, err := f.b.Service.Apply(ctx, f.b.Actor(t, "li"), f.pos.ID, plcMotivation); placement.ErrorCode(err) != placement.ECONFLICT {
		t.Fatalf("applying to a full position: %v", err)
	}

	// The student asks, with a reason typed in the form.
	form := f.b.Do(t, testenv.Slash(bo, "placements end"))
	if in := plcReason(t, form); form.Data.CustomID != "/placement/"+plcID(p.ID)+"/request-end/submit" || !in.Required {
		t.Fatalf("request form %q %+v", form.Data.CustomID, in)
	}
	f.b.Fill(t, "bo", form, map[string]string{"reason": ""}).MustRefuse(t, "Reason is required")
	f.b.Do(t, testenv.Slash(bo, "placements end", testenv.StringOpt("reason", strings.Repeat("é", 301)))).MustRefuse(t, "Reason can be at most 300 characters")
	seen := f.b.Fill(t, "bo", form, map[string]string{"reason": "My family moves to **Xi'an** in May"})
	seen.MustContain(t, "Your request to end your placement at **Harbor Tools**", "Nothing changes until")
	if now := plcNow(t, f.b, p.ID); now.Status != placement.PlacementActive || now.EndRequested != "My family moves to **Xi'an** in May" {
		t.Fatalf("after the request: %+v", now)
	}
	if n := plcNotes(t, f.b, "note.end_requested"); !slices.Equal(n, []string{demo.DigestID}) {
		t.Fatalf("digest posts %+v", n)
	}
	f.b.Do(t, testenv.Slash(li, "placements end", testenv.StringOpt("reason", "I want to stop"))).MustRefuse(t, "You have no active placement")
	f.b.Fill(t, "li", form, map[string]string{"reason": "Not mine to end"}).MustRefuse(t, "That placement isn't yours")
	f.b.Do(t, testenv.Slash(bo, "placements end", testenv.StringOpt("reason", "Again"), testenv.StringOpt("placement", "12345"))).MustRefuse(t, "That placement isn't yours")
	f.b.Do(t, testenv.Slash(carol, "placements end", testenv.StringOpt("reason", "Done"))).MustRefuse(t, "Pick the placement to end")
	f.b.Do(t, testenv.Slash(testenv.Member("alice"), "placements end", testenv.StringOpt("reason", "Done"))).MustRefuse(t, "can't do this")

	// The coordinator sees the request in the list and ends it from there.
	list := f.b.Do(t, testenv.Slash(carol, "placements list"))
	list.MustContain(t, "⚠️ Asked to end early: My family moves to \\*\\*Xi'an\\*\\* in May")
	endForm := f.b.Press(t, "carol", list, "End #1")
	if in := plcReason(t, endForm); endForm.Data.CustomID != "/placement/"+plcID(p.ID)+"/end/submit" || !in.Required || in.MinLength != 3 {
		t.Fatalf("end form %q %+v", endForm.Data.CustomID, in)
	}
	f.b.Fill(t, "bo", endForm, map[string]string{"reason": "I end it myself"}).MustRefuse(t, "Only coordinators")
	f.b.Fill(t, "carol", endForm, map[string]string{"reason": "  "}).MustRefuse(t, "Reason is required")
	seen = f.b.Fill(t, "carol", endForm, map[string]string{"reason": "Agreed with the family and Harbor Tools"})
	seen.MustContain(t, "Placement ended: <@"+bo.ID+"> at **Harbor Tools**", "The slot is free again", "Ended because")
	if now := plcNow(t, f.b, p.ID); now.Status != placement.PlacementEnded || now.EndReason != "Agreed with the family and Harbor Tools" {
		t.Fatalf("after ending: %+v", now)
	}
	if n := plcNotes(t, f.b, "note.placement_ended"); len(n) != 2 {
		t.Fatalf("end notes %+v", n)
	}
	f.b.Fill(t, "carol", endForm, map[string]string{"reason": "Pressed twice"}).MustRefuse(t, "already ended")
	f.b.Press(t, "carol", list, "End #1").MustRefuse(t, "already ended")
	if _, err := f.b.Service.Apply(ctx, f.b.Actor(t, "li"), f.pos.ID, plcMotivation); err != nil {
		t.Fatalf("the slot is still taken: %v", err)
	}
	f.b.Do(t, testenv.Slash(carol, "placements list")).MustContain(t, "No active placements yet")
}

func TestCoordinatorEndsByCommand(t *testing.T) {
	f := newPlcFixture(t, "2")
	carol, bo := testenv.Member("carol"), testenv.Member("bo")
	p := plcPlaced(t, f.b, bo, f.pos.ID)

	choices := f.b.Choices(t, testenv.Autocomplete(bo, "placements end", testenv.StringOpt("placement", "")))
	if len(choices) != 1 || choices[0].Value != plcID(p.ID) {
		t.Fatalf("the student's suggestions %+v", choices)
	}
	form := f.b.Do(t, testenv.Slash(carol, "placements end", testenv.StringOpt("placement", plcID(p.ID))))
	if form.Data.CustomID != "/placement/"+plcID(p.ID)+"/end/submit" {
		t.Fatalf("without a reason the coordinator gets the form: %q %s", form.Data.CustomID, form.Text())
	}
	f.b.Do(t, testenv.Slash(carol, "placements end", testenv.StringOpt("placement", "#abc"), testenv.StringOpt("reason", "Ends"))).MustRefuse(t, "can't find that placement")
	seen := f.b.Do(t, testenv.Slash(carol, "placements end", testenv.StringOpt("placement", "Lathe operator intern"), testenv.StringOpt("reason", "The enterprise closed the workshop")))
	seen.MustContain(t, "Placement ended")
	if now := plcNow(t, f.b, p.ID); now.Status != placement.PlacementEnded {
		t.Fatalf("%+v", now)
	}
	if !strings.Contains(f.b.Do(t, testenv.Slash(bo, "placements end", testenv.StringOpt("reason", "too late"))).Text(), "no active placement") {
		t.Error("an ended placement can still be asked to end")
	}
	in := testenv.Slash(carol, "placements list")
	in.Locale = discordgo.ChineseCN
	f.b.Do(t, in).MustContain(t, "目前还没有进行中的实习安排", "/审批 待审批")
}

func TestPlacementsInChinese(t *testing.T) {
	f := newPlcFixture(t, "2")
	carol := testenv.Member("carol")
	plcPlaced(t, f.b, testenv.Member("bo"), f.pos.ID)
	in := testenv.Slash(carol, "placements list")
	in.Locale = discordgo.ChineseCN
	f.b.Do(t, in).MustContain(t, "进行中的实习安排（1）", "企业导师：<@"+testenv.Member("alice").ID+">", "校内导师：尚未指定", "[校内导师 #1]", "[结束 #1]")
}

// TestSupervisorIsACoordinatorOrSupervisorRole: the member picker cannot be filtered, so the
// pick is checked: coordinators, or members of the supervisor role /setup roles names, and never
// the placement's own student, whatever roles they hold. The picker says who may be picked.
func TestSupervisorIsACoordinatorOrSupervisorRole(t *testing.T) {
	f := newPlcFixture(t, "2")
	carol, bo, sam := testenv.Member("carol"), testenv.Member("bo"), testenv.Member("sam")
	p := plcPlaced(t, f.b, bo, f.pos.ID)
	pick := "/placement/" + plcID(p.ID) + "/supervisor"

	picker := f.b.Press(t, "carol", f.b.Do(t, testenv.Slash(carol, "placements list")), "Supervisor #1")
	picker.MustContain(t, "You can pick a coordinator (<@&"+demo.CoordinatorRoleID+">), never the student", "`/setup roles supervisor:`")

	f.b.Do(t, testenv.UserSelect(carol, pick, bo.ID)).MustRefuse(t, "<@"+bo.ID+"> is the student of this placement and can't be their own school supervisor")
	f.b.Do(t, testenv.Slash(carol, "placements supervisor", testenv.StringOpt("placement", plcID(p.ID)), testenv.UserOpt("supervisor", "li"))).
		MustRefuse(t, "<@"+testenv.Member("li").ID+"> can't be a school supervisor: supervisors are coordinators. Pick one of them, or set a supervisor role")
	f.b.Do(t, testenv.UserSelect(carol, pick, sam.ID)).MustRefuse(t, "can't be a school supervisor")
	if got := plcNow(t, f.b, p.ID).SupervisorID; got != "" {
		t.Fatalf("supervisor set to %q", got)
	}

	// A supervisor role may not be the student role: every student could then supervise.
	f.b.Do(t, testenv.Slash(carol, "setup roles", testenv.RoleOpt("supervisor", demo.StudentRoleID))).MustRefuse(t, "One role can't mean two things")
	if gs, err := f.b.Service.GuildSettings(t.Context(), f.b.Actor(t, "carol")); err != nil || gs.SupervisorRoleID != "" {
		t.Fatalf("supervisor role %+v %v", gs, err)
	}
	f.b.Do(t, testenv.Slash(carol, "setup roles", testenv.RoleOpt("supervisor", demo.AlumniRoleID))).
		MustContain(t, "School supervisors: <@&"+demo.AlumniRoleID+">", "Clear the supervisor role")
	picker = f.b.Press(t, "carol", f.b.Do(t, testenv.Slash(carol, "placements list")), "Supervisor #1")
	picker.MustContain(t, "or a member with <@&"+demo.AlumniRoleID+">, never the student.")
	f.b.Do(t, testenv.UserSelect(carol, pick, sam.ID)).MustContain(t, "<@"+sam.ID+"> is now the school supervisor of <@"+bo.ID+">")

	// The student is refused even with the supervisor role or coordinator rights.
	for _, m := range []placement.Member{
		{UserID: bo.ID, RoleIDs: []string{demo.StudentRoleID, demo.AlumniRoleID}},
		{UserID: bo.ID, RoleIDs: []string{demo.CoordinatorRoleID}, Permissions: placement.PermManageGuild},
	} {
		if _, err := f.b.Service.AssignSupervisor(t.Context(), f.b.Actor(t, "carol"), p.ID, m); placement.ErrorCode(err) != placement.EINVALID {
			t.Fatalf("student %+v as own supervisor: %v", m, err)
		}
	}
	if got := plcNow(t, f.b, p.ID).SupervisorID; got != sam.ID {
		t.Fatalf("supervisor %q", got)
	}
}
