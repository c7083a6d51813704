package approvals_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/bwmarrin/discordgo"
	"github.com/jackc/pgx/v5"

	"placementbot/internal/demo"
	"placementbot/internal/placement"
	"placementbot/internal/redis"
	"placementbot/internal/testenv"
	"placementbot/internal/testenv/botenv"
)

const motivation = "I have run lathes in our school workshop for two years and want real production work."

// student is a student who exists only in this test: a copy of bo with another id.
func student(i int) demo.Member {
	m := testenv.Member("bo")
	m.ID = fmt.Sprintf("91%016d", i)
	return m
}

// labelled finds the button with exactly this label, enabled or not.
func labelled(t *testing.T, seen botenv.Seen, label string) *discordgo.Button {
	t.Helper()
	for _, b := range seen.Buttons() {
		if b.Label == label {
			return b
		}
	}
	t.Fatalf("no button %q:\n%s", label, seen.Text())
	return nil
}

// aprFixture is a bot with one verified enterprise mentored by alice and one open position.
type aprFixture struct {
	b   *botenv.Bot
	ent placement.Enterprise
	pos placement.Position
}

func newAprFixture(t *testing.T, staff int, slots string) aprFixture {
	t.Helper()
	b := botenv.New(t)
	ent := b.AddEnterprise(t, "Harbor Tools", staff, "alice")
	in := botenv.PositionInput("Lathe operator intern")
	in.Slots = slots
	return aprFixture{b: b, ent: ent, pos: b.PostPosition(t, "alice", ent.ID, in)}
}

// aprActor resolves any member, demo or made up for the test, as the bot would.
func aprActor(t *testing.T, b *botenv.Bot, m demo.Member) placement.Actor {
	t.Helper()
	a, err := b.Service.Actor(context.Background(), demo.GuildID,
		placement.Member{UserID: m.ID, RoleIDs: m.RoleIDs, Permissions: m.Permissions}, "en-US")
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// aprAccepted takes a student from applying to an accepted offer; mentor makes the offer.
func aprAccepted(t *testing.T, b *botenv.Bot, m demo.Member, mentor string, positionID int64) placement.Application {
	t.Helper()
	ctx := context.Background()
	app, err := b.Service.Apply(ctx, aprActor(t, b, m), positionID, motivation)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Service.Offer(ctx, b.Actor(t, mentor), app.ID); err != nil {
		t.Fatal(err)
	}
	if app, err = b.Service.Accept(ctx, aprActor(t, b, m), app.ID); err != nil {
		t.Fatal(err)
	}
	return app
}

// aprTickAll ticks every default checklist item as coordinator carol.
func aprTickAll(t *testing.T, b *botenv.Bot, appID int64) {
	t.Helper()
	for _, it := range placement.DefaultChecklist {
		if _, err := b.Service.TickCheck(context.Background(), b.Actor(t, "carol"), appID, it, true); err != nil {
			t.Fatal(err)
		}
	}
}

type aprPlacementRow struct {
	ID, ApplicationID                   int64
	StudentID, Status, SupervisorID     string
	EndRequested, EndReason, ApprovedBy string
}

// aprApplication reads an application and its history as coordinator carol.
func aprApplication(t *testing.T, b *botenv.Bot, id int64) placement.ApplicationWithEvents {
	t.Helper()
	app, err := b.Service.Application(context.Background(), b.Actor(t, "carol"), id)
	if err != nil {
		t.Fatal(err)
	}
	return app
}

// aprStatus is an application's status now.
func aprStatus(t *testing.T, b *botenv.Bot, id int64) string {
	t.Helper()
	return string(aprApplication(t, b, id).Status)
}

// aprTransitions counts an application's recorded transitions into a status.
func aprTransitions(t *testing.T, b *botenv.Bot, id int64, to string) int {
	t.Helper()
	n := 0
	for _, e := range aprApplication(t, b, id).Events {
		if string(e.To) == to {
			n++
		}
	}
	return n
}

// aprNotified lists who the outbox holds a message with this key for, in order.
func aprNotified(t *testing.T, b *botenv.Bot, key string) []string {
	t.Helper()
	var out []string
	rows, err := b.Pool.Query(context.Background(),
		`SELECT user_id FROM notifications WHERE guild_id = $1 AND message_key = $2 ORDER BY id`, demo.GuildID, key)
	if err == nil {
		out, err = pgx.CollectRows(rows, pgx.RowTo[string])
	}
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// aprPlacements reads the guild's placements straight from the database.
func aprPlacements(t *testing.T, b *botenv.Bot) []aprPlacementRow {
	t.Helper()
	rows, err := b.Pool.Query(context.Background(), `SELECT id, application_id, student_id, status, supervisor_id, end_requested, end_reason, approved_by
		FROM placements WHERE guild_id = $1 ORDER BY id`, demo.GuildID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []aprPlacementRow
	for rows.Next() {
		var p aprPlacementRow
		if err := rows.Scan(&p.ID, &p.ApplicationID, &p.StudentID, &p.Status, &p.SupervisorID, &p.EndRequested, &p.EndReason, &p.ApprovedBy); err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// aprTicks reads the items ticked for an application.
func aprTicks(t *testing.T, b *botenv.Bot, appID int64) []string {
	t.Helper()
	ticks, err := b.Store.Checks(context.Background(), demo.GuildID, appID)
	if err != nil {
		t.Fatal(err)
	}
	return ticks
}

func aprButton(m demo.Member, id int64, rest string) *discordgo.Interaction {
	return testenv.Button(m, "/approval/"+strconv.FormatInt(id, 10)+"/"+rest)
}

// aprQueueOrder lists the application ids of a queue page in the order its Approve buttons show them.
func aprQueueOrder(seen botenv.Seen) []int64 {
	var out []int64
	for _, b := range seen.Buttons() {
		if strings.HasSuffix(b.CustomID, "/approve") {
			id, _ := strconv.ParseInt(strings.Split(b.CustomID, "/")[2], 10, 64)
			out = append(out, id)
		}
	}
	return out
}

func TestApprovalQueueOrderAndPaging(t *testing.T) {
	f := newAprFixture(t, 200, "10")
	carol := testenv.Member("carol")
	ctx := context.Background()
	// Seven students apply and get offers; they accept in reverse order, so the queue's order
	// (oldest acceptance first) is the reverse of the applications' ids.
	var apps []placement.Application
	for i := range 7 {
		m := student(i)
		app, err := f.b.Service.Apply(ctx, aprActor(t, f.b, m), f.pos.ID, motivation)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.b.Service.Offer(ctx, f.b.Actor(t, "alice"), app.ID); err != nil {
			t.Fatal(err)
		}
		apps = append(apps, app)
	}
	var want []int64
	for i := 6; i >= 0; i-- {
		if _, err := f.b.Service.Accept(ctx, aprActor(t, f.b, student(i)), apps[i].ID); err != nil {
			t.Fatal(err)
		}
		want = append(want, apps[i].ID)
	}

	seen := f.b.Do(t, testenv.Slash(carol, "approvals queue"))
	seen.MustContain(t, "Approval queue — 7 waiting", "Lathe operator intern — Harbor Tools", "<@"+student(6).ID+">",
		"no profile yet", "Accepted ", "today", "Checklist still lacks: Three-party agreement signed, Guardian consent, Insurance",
		"[Approve #1]", "[Reject #5]", "[Checklist #3]", "[◀ Previous]", "[Next ▶]", "[🔄 Refresh]")
	if footer := seen.Data.Embeds[0].Footer; footer == nil || footer.Text != "Page 1 of 2" {
		t.Errorf("footer %+v", footer)
	}
	if !seen.Ephemeral() {
		t.Error("queue is not ephemeral")
	}
	if got := aprQueueOrder(seen); !slices.Equal(got, want[:5]) {
		t.Fatalf("first page %v, want %v", got, want[:5])
	}

	next := f.b.Press(t, "carol", seen, "Next ▶")
	if next.Type != discordgo.InteractionResponseUpdateMessage {
		t.Fatalf("next page type %d", next.Type)
	}
	next.MustContain(t, "[Approve #6]", "[Approve #7]")
	if got := aprQueueOrder(next); !slices.Equal(got, want[5:]) {
		t.Fatalf("second page %v, want %v", got, want[5:])
	}
	if !labelled(t, next, "Next ▶").Disabled || labelled(t, next, "◀ Previous").Disabled || !labelled(t, seen, "◀ Previous").Disabled {
		t.Error("pager states")
	}
	back := f.b.Press(t, "carol", next, "◀ Previous")
	if got := aprQueueOrder(back); !slices.Equal(got, want[:5]) {
		t.Fatalf("back to the first page %v", got)
	}
	// The same Next pressed twice shows the same page twice.
	again := f.b.Press(t, "carol", seen, "Next ▶")
	if got := aprQueueOrder(again); !slices.Equal(got, want[5:]) {
		t.Fatalf("Next pressed again: %v", got)
	}

	// A program filter: one student with a profile in Culinary arts.
	li := testenv.Member("li")
	f.b.SaveProfile(t, "li", placement.ProfileInput{Program: "Culinary arts", Cohort: "2025", Skills: "knife skills", Locations: "Hangzhou"})
	liApp := aprAccepted(t, f.b, li, "alice", f.pos.ID)
	filtered := f.b.Do(t, testenv.Slash(carol, "approvals queue", testenv.StringOpt("program", "culinary arts")))
	filtered.MustContain(t, "Approval queue — 1 waiting", "Program: culinary arts", "<@"+li.ID+"> · Culinary arts")
	if got := aprQueueOrder(filtered); !slices.Equal(got, []int64{liApp.ID}) {
		t.Fatalf("filtered queue %v", got)
	}
	f.b.Do(t, testenv.Slash(carol, "approvals queue", testenv.StringOpt("program", "Nursing"))).MustContain(t, "Nothing waits for approval with Program: Nursing")
}

func TestApprovalQueuePagesAreCheckedAndExpire(t *testing.T) {
	f := newAprFixture(t, 200, "2")
	carol := testenv.Member("carol")
	aprAccepted(t, f.b, testenv.Member("bo"), "alice", f.pos.ID)
	seen := f.b.Do(t, testenv.Slash(carol, "approvals queue"))
	key := strings.Split(seen.Button(t, "Refresh").CustomID, "/")[3]

	// Another coordinator pressing carol's page gets their own from the command.
	f.b.Press(t, "owner", seen, "Refresh").MustRefuse(t, "This list belongs to someone else. Run `/approvals queue`")
	f.b.Do(t, testenv.Button(carol, "/approvals/page/"+key+"/sideways")).MustRefuse(t, "no longer valid")
	f.b.Do(t, testenv.Button(carol, "/approvals/page/not*a*key/next")).MustRefuse(t, "no longer valid")
	f.b.Do(t, testenv.Button(carol, "/approvals/page/AAAAAAAAAA/next")).MustRefuse(t, "This list has expired")
	f.b.Press(t, "bo", seen, "Refresh").MustRefuse(t, "Only coordinators")
	keys, err := f.b.Redis.Keys(context.Background(), "*session:approvals:"+key).Result()
	if err != nil || len(keys) != 1 {
		t.Fatalf("session keys %v %v", keys, err)
	}
	if err := f.b.Redis.Del(context.Background(), keys[0]).Err(); err != nil {
		t.Fatal(err)
	}
	f.b.Press(t, "carol", seen, "Refresh").MustRefuse(t, "This list has expired (lists last 15 minutes). Run `/approvals queue` again")
}

func TestApprovalQueueWithRedisDown(t *testing.T) {
	srv := testenv.NewRedisServer(t)
	rdb := redis.NewClient(redis.Options{Addrs: []string{srv.Addr()}})
	t.Cleanup(func() { rdb.Close() })
	b := botenv.NewWith(t, testenv.NewPool(t), rdb)
	ent := b.AddEnterprise(t, "Harbor Tools", 200, "alice")
	in := botenv.PositionInput("Lathe operator intern")
	in.Slots = "10"
	pos := b.PostPosition(t, "alice", ent.ID, in)
	var first placement.Application
	for i := range 6 {
		if app := aprAccepted(t, b, student(i), "alice", pos.ID); i == 0 {
			first = app
		}
	}
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	seen := b.Do(t, testenv.Slash(testenv.Member("carol"), "approvals queue"))
	seen.MustContain(t, "Approval queue — 6 waiting", "Paging is unavailable", "[Approve #1]")
	if seen.HasButton("Next") || seen.HasButton("Refresh") {
		t.Error("a pager without a session")
	}
	aprTickAll(t, b, first.ID)
	b.Press(t, "carol", seen, "Approve #1").MustContain(t, "Approved #"+strconv.FormatInt(first.ID, 10))
}

func TestApproveWithMissingChecklistNamesItAndChangesNothing(t *testing.T) {
	f := newAprFixture(t, 200, "2")
	carol := testenv.Member("carol")
	app := aprAccepted(t, f.b, testenv.Member("bo"), "alice", f.pos.ID)
	if _, err := f.b.Service.TickCheck(context.Background(), f.b.Actor(t, "carol"), app.ID, "agreement", true); err != nil {
		t.Fatal(err)
	}
	queue := f.b.Do(t, testenv.Slash(carol, "approvals queue"))
	queue.MustContain(t, "Checklist still lacks: Guardian consent, Insurance")
	seen := f.b.Press(t, "carol", queue, "Approve #1")
	seen.MustRefuse(t, "the checklist still lacks Guardian consent, Insurance")
	if strings.Contains(seen.Text(), "Three-party") || strings.Contains(seen.Text(), "guardian_consent") {
		t.Errorf("refusal names the wrong items: %s", seen.Text())
	}
	if st := aprStatus(t, f.b, app.ID); st != "accepted" {
		t.Fatalf("status %s", st)
	}
	if ps := aprPlacements(t, f.b); len(ps) != 0 {
		t.Fatalf("placements: %+v", ps)
	}
}

func TestTickChecklistThenApproveCreatesPlacementAndWithdrawsOthers(t *testing.T) {
	f := newAprFixture(t, 200, "2")
	carol, bo := testenv.Member("carol"), testenv.Member("bo")
	other := f.b.PostPosition(t, "alice", f.ent.ID, botenv.PositionInput("Milling intern"))
	otherApp := f.b.Apply(t, "bo", other.ID)
	app := aprAccepted(t, f.b, bo, "alice", f.pos.ID)

	queue := f.b.Do(t, testenv.Slash(carol, "approvals queue"))
	checks := f.b.Press(t, "carol", queue, "Checklist #1")
	if checks.Type != discordgo.InteractionResponseChannelMessageWithSource || !checks.Ephemeral() {
		t.Fatalf("checklist opens as type %d", checks.Type)
	}
	checks.MustContain(t, "Checklist — Lathe operator intern — Harbor Tools", "⬜ Three-party agreement signed", "[⬜ Insurance]", "[Approve]")
	msg := checks
	for _, item := range []string{"Three-party agreement signed", "Guardian consent", "Insurance"} {
		seen := f.b.Press(t, "carol", msg, "⬜ "+item)
		if seen.Type != discordgo.InteractionResponseUpdateMessage {
			t.Fatalf("tick %s: type %d %s", item, seen.Type, seen.Text())
		}
		seen.MustContain(t, "Ticked: "+item, "✅ "+item)
		msg = seen
	}
	msg.MustContain(t, "All done: this offer can be approved.")
	// Ticking a ticked item again (an older checklist message) changes nothing and records nothing.
	f.b.Press(t, "carol", checks, "⬜ Insurance")
	if got := aprTicks(t, f.b, app.ID); !slices.Equal(got, []string{"agreement", "guardian_consent", "insurance"}) {
		t.Fatalf("ticks %v", got)
	}

	seen := f.b.Press(t, "carol", queue, "Approve #1")
	if seen.Type != discordgo.InteractionResponseUpdateMessage {
		t.Fatalf("approve type %d: %s", seen.Type, seen.Text())
	}
	ps := aprPlacements(t, f.b)
	if len(ps) != 1 || ps[0].ApplicationID != app.ID || ps[0].Status != "active" || ps[0].ApprovedBy != carol.ID {
		t.Fatalf("placements: %+v", ps)
	}
	seen.MustContain(t, fmt.Sprintf("Approved #%d: placement #%d created for <@%s> at **Harbor Tools**", app.ID, ps[0].ID, bo.ID),
		"Enterprise mentor: <@"+testenv.Member("alice").ID+">", "Nothing waits for approval")
	if menus := seen.Menus(); len(menus) != 1 || menus[0].MenuType != discordgo.UserSelectMenu || menus[0].CustomID != fmt.Sprintf("/placement/%d/supervisor", ps[0].ID) {
		t.Fatalf("supervisor menu after approval: %+v", menus)
	}
	if st := aprStatus(t, f.b, app.ID); st != "approved" {
		t.Fatalf("status %s", st)
	}
	if st := aprStatus(t, f.b, otherApp.ID); st != "withdrawn" {
		t.Fatalf("the student's other application is %s", st)
	}
	if notes := aprNotified(t, f.b, "note.app_withdrawn_placed"); !slices.Equal(notes, []string{bo.ID}) {
		t.Fatalf("withdrawal notes %+v", notes)
	}
	if notes := aprNotified(t, f.b, "note.mentor_app_approved"); !slices.Equal(notes, []string{testenv.Member("alice").ID}) {
		t.Fatalf("mentor notes %+v", notes)
	}
	// The checklist of an approved application can no longer change.
	f.b.Press(t, "carol", msg, "✅ Insurance").MustRefuse(t, "Someone got there first")
	f.b.Press(t, "carol", queue, "Checklist #1").MustContain(t, "can't change any more")
}

func TestApproveKeepsTheQueueFilter(t *testing.T) {
	f := newAprFixture(t, 200, "2")
	carol := testenv.Member("carol")
	lotus := f.b.AddEnterprise(t, "Lotus Foods", 100, "mo")
	kitchen := f.b.PostPosition(t, "mo", lotus.ID, botenv.PositionInput("Kitchen trainee"))
	a1 := aprAccepted(t, f.b, testenv.Member("bo"), "alice", f.pos.ID)
	aprAccepted(t, f.b, testenv.Member("li"), "mo", kitchen.ID)
	aprAccepted(t, f.b, testenv.Member("wei"), "alice", f.pos.ID)
	aprTickAll(t, f.b, a1.ID)

	queue := f.b.Do(t, testenv.Slash(carol, "approvals queue", testenv.StringOpt("enterprise", "Harbor Tools")))
	queue.MustContain(t, "Approval queue — 2 waiting", "Enterprise: Harbor Tools")
	seen := f.b.Press(t, "carol", queue, "Approve #1")
	seen.MustContain(t, "Approved #", "Approval queue — 1 waiting", "Enterprise: Harbor Tools")
	if strings.Contains(seen.Text(), "Kitchen trainee") {
		t.Fatalf("the filter was lost: %s", seen.Text())
	}
}

func TestApproveTwiceAtOnceMakesOnePlacement(t *testing.T) {
	f := newAprFixture(t, 200, "2")
	app := aprAccepted(t, f.b, testenv.Member("bo"), "alice", f.pos.ID)
	aprTickAll(t, f.b, app.ID)
	coordinators := []string{"carol", "owner"}
	queues, seen := make([]botenv.Seen, 2), make([]botenv.Seen, 2)
	for i, who := range coordinators {
		queues[i] = f.b.Do(t, testenv.Slash(testenv.Member(who), "approvals queue"))
	}
	var wg sync.WaitGroup
	for i, who := range coordinators {
		wg.Add(1)
		go func() {
			defer wg.Done()
			seen[i] = f.b.Press(t, who, queues[i], "Approve #1")
		}()
	}
	wg.Wait()
	ps := aprPlacements(t, f.b)
	if len(ps) != 1 {
		t.Fatalf("placements: %+v", ps)
	}
	if n := aprTransitions(t, f.b, app.ID, "approved"); n != 1 {
		t.Fatalf("%d approval events", n)
	}
	var done, told int
	for _, s := range seen {
		switch {
		case strings.Contains(s.Text(), "Approved #"):
			done++
		case strings.Contains(s.Text(), fmt.Sprintf("Already done: this offer is approved and placement #%d", ps[0].ID)):
			told++
			s.MustRefuse(t, "Nothing was changed")
		}
	}
	if done != 1 || told != 1 {
		t.Fatalf("answers: %q / %q", seen[0].Text(), seen[1].Text())
	}
	// A third press, later, is told the same.
	f.b.Press(t, "carol", queues[0], "Approve #1").MustRefuse(t, "Already done")
}

func TestApproveRefusedToOthersAndForgedIDs(t *testing.T) {
	f := newAprFixture(t, 200, "2")
	app := aprAccepted(t, f.b, testenv.Member("bo"), "alice", f.pos.ID)
	aprTickAll(t, f.b, app.ID)
	for _, who := range []string{"bo", "alice", "sam"} {
		for _, verb := range []string{"approve", "reject"} {
			f.b.Do(t, aprButton(testenv.Member(who), app.ID, verb)).MustRefuse(t, "Only coordinators")
		}
		f.b.Do(t, testenv.ModalSubmit(testenv.Member(who), fmt.Sprintf("/approval/%d/reject/submit", app.ID),
			map[string]string{"reason": "Not a good fit for us"})).MustRefuse(t, "Only coordinators")
	}
	carol := testenv.Member("carol")
	f.b.Do(t, testenv.Button(carol, "/approval/abc/approve")).MustRefuse(t, "no longer valid")
	f.b.Do(t, testenv.Button(carol, "/approval/-1/approve")).MustRefuse(t, "no longer valid")
	f.b.Do(t, testenv.Button(carol, "/approval/99999999/approve")).MustRefuse(t, "can't find that application")

	// An application of another guild is not found here.
	foreign := aprForeignApplication(t, f.b)
	f.b.Do(t, aprButton(carol, foreign.ID, "approve")).MustRefuse(t, "can't find that application")
	f.b.Do(t, aprButton(carol, foreign.ID, "checks")).MustRefuse(t, "can't find that application")

	if st := aprStatus(t, f.b, app.ID); st != "accepted" {
		t.Fatalf("status %s", st)
	}
	if ps := aprPlacements(t, f.b); len(ps) != 0 {
		t.Fatalf("placements: %+v", ps)
	}
}

// aprForeignApplication is an application in another school's server.
func aprForeignApplication(t *testing.T, b *botenv.Bot) placement.Application {
	t.Helper()
	ctx, guild := context.Background(), "900000000000000999"
	ent, err := b.Service.AddEnterprise(ctx, placement.Actor{GuildID: guild, UserID: "900000000000000201", Roles: placement.RoleCoordinator},
		placement.EnterpriseInput{Name: "Elsewhere Works", StaffSize: 50})
	if err != nil {
		t.Fatal(err)
	}
	pos, err := b.Service.PostPosition(ctx, placement.Actor{GuildID: guild, UserID: "900000000000000202", Roles: placement.RoleMentor, EnterpriseIDs: []int64{ent.ID}},
		ent.ID, botenv.PositionInput("Secret Elsewhere Job"))
	if err != nil {
		t.Fatal(err)
	}
	app, err := b.Service.Apply(ctx, placement.Actor{GuildID: guild, UserID: "900000000000000203", Roles: placement.RoleStudent}, pos.ID, motivation)
	if err != nil {
		t.Fatal(err)
	}
	return app
}

func TestChecklistItemsAreCheckedAndMentorsTickOnlyWhenAllowed(t *testing.T) {
	f := newAprFixture(t, 200, "2")
	carol, alice := testenv.Member("carol"), testenv.Member("alice")
	app := aprAccepted(t, f.b, testenv.Member("bo"), "alice", f.pos.ID)

	seen := f.b.Do(t, aprButton(carol, app.ID, "check/bogus/on"))
	seen.MustRefuse(t, "“bogus” isn't on this school's checklist, which is: Three-party agreement signed, Guardian consent, Insurance")
	f.b.Do(t, aprButton(carol, app.ID, "check/*evil*%2Fitem/on")).MustRefuse(t, `“\*evil\*/item” isn't on this school's checklist`)
	f.b.Do(t, aprButton(carol, app.ID, "check/agreement/maybe")).MustRefuse(t, "no longer valid")
	f.b.Do(t, aprButton(carol, app.ID, "check/%zz/on")).MustRefuse(t, "no longer valid")
	f.b.Do(t, aprButton(testenv.Member("bo"), app.ID, "check/agreement/on")).MustRefuse(t, "can't do this")
	if got := aprTicks(t, f.b, app.ID); len(got) != 0 {
		t.Fatalf("ticks %v", got)
	}

	// Mentors may not tick until a coordinator allows it; then only their own enterprise's.
	cmd := testenv.Slash(alice, "approvals checklist", testenv.StringOpt("application", strconv.FormatInt(app.ID, 10)))
	f.b.Do(t, cmd).MustRefuse(t, "Only coordinators can tick this school's checklist")
	f.b.Do(t, aprButton(alice, app.ID, "check/agreement/on")).MustRefuse(t, "Only coordinators can tick")
	f.b.Do(t, testenv.Slash(carol, "setup compliance", testenv.BoolOpt("mentors_tick", true))).MustContain(t, "Mentors may tick items: yes")
	seen = f.b.Do(t, testenv.Slash(alice, "approvals checklist", testenv.StringOpt("application", "#"+strconv.FormatInt(app.ID, 10))))
	seen.MustContain(t, "⬜ Guardian consent", "[⬜ Guardian consent]")
	if seen.HasButton("Approve") {
		t.Error("a mentor is offered Approve")
	}
	f.b.Press(t, "alice", seen, "⬜ Guardian consent").MustContain(t, "Ticked: Guardian consent")
	f.b.AddEnterprise(t, "Lotus Foods", 100, "mo")
	f.b.Do(t, aprButton(testenv.Member("mo"), app.ID, "check/agreement/on")).MustRefuse(t, "Only coordinators can tick")
	f.b.Do(t, testenv.Slash(testenv.Member("mo"), "approvals checklist", testenv.StringOpt("application", strconv.FormatInt(app.ID, 10)))).MustRefuse(t, "isn't yours")
	if got := aprTicks(t, f.b, app.ID); !slices.Equal(got, []string{"guardian_consent"}) {
		t.Fatalf("ticks %v", got)
	}
	f.b.Do(t, testenv.Slash(carol, "approvals checklist", testenv.StringOpt("application", "Lathe"))).MustRefuse(t, "can't find that application")

	// Suggestions: the accepted offer, by title or number.
	choices := f.b.Choices(t, testenv.Autocomplete(carol, "approvals checklist", testenv.StringOpt("application", "lathe")))
	if len(choices) != 1 || choices[0].Value != strconv.FormatInt(app.ID, 10) || !strings.Contains(choices[0].Name, "(accepted)") {
		t.Fatalf("suggestions %+v", choices)
	}
	choices = f.b.Choices(t, testenv.Autocomplete(alice, "approvals checklist", testenv.StringOpt("application", "")))
	if len(choices) != 1 || choices[0].Value != strconv.FormatInt(app.ID, 10) {
		t.Fatalf("mentor suggestions %+v", choices)
	}
}

func TestRejectNeedsAReasonTheStudentSees(t *testing.T) {
	f := newAprFixture(t, 200, "2")
	carol, bo := testenv.Member("carol"), testenv.Member("bo")
	app := aprAccepted(t, f.b, bo, "alice", f.pos.ID)

	queue := f.b.Do(t, testenv.Slash(carol, "approvals queue"))
	form := f.b.Press(t, "carol", queue, "Reject #1")
	if form.Type != discordgo.InteractionResponseModal || form.Data.CustomID != fmt.Sprintf("/approval/%d/reject/submit", app.ID) ||
		form.Data.Title != "Reject: Lathe operator intern" || len(form.Data.Components) != 1 {
		t.Fatalf("reject form %d %q %q", form.Type, form.Data.CustomID, form.Data.Title)
	}
	if in := form.Data.Components[0].(*discordgo.ActionsRow).Components[0].(*discordgo.TextInput); in.CustomID != "reason" ||
		!in.Required || in.MinLength != 3 || in.MaxLength != 300 {
		t.Fatalf("reason input %+v", in)
	}
	submit := func(reason string) botenv.Seen {
		return f.b.Fill(t, "carol", form, map[string]string{"reason": reason})
	}
	submit("").MustRefuse(t, "Reason is required")
	submit("   ").MustRefuse(t, "Reason is required")
	submit("no").MustRefuse(t, "Reason needs at least 3 characters")
	submit(strings.Repeat("x", 301)).MustRefuse(t, "Reason can be at most 300 characters")
	if st := aprStatus(t, f.b, app.ID); st != "accepted" {
		t.Fatalf("status %s", st)
	}

	seen := submit("Guardian consent was refused **twice** @everyone")
	if seen.Type != discordgo.InteractionResponseUpdateMessage {
		t.Fatalf("reject type %d: %s", seen.Type, seen.Text())
	}
	seen.MustContain(t, fmt.Sprintf("Rejected #%d (<@%s>, Lathe operator intern)", app.ID, bo.ID), "Nothing waits for approval")
	if st := aprStatus(t, f.b, app.ID); st != "rejected" {
		t.Fatalf("status %s", st)
	}
	mine := f.b.Do(t, testenv.Slash(bo, "applications mine"))
	mine.MustContain(t, "rejected", `Guardian consent was refused \*\*twice\*\* @`+"\u200b"+`everyone`)
	if notes := aprNotified(t, f.b, "note.mentor_app_rejected"); !slices.Equal(notes, []string{testenv.Member("alice").ID}) {
		t.Fatalf("mentor notes %+v", notes)
	}
	submit("Again, the same reason").MustRefuse(t, "Already done: this application is already **rejected**")
	f.b.Press(t, "carol", queue, "Reject #1").MustRefuse(t, "Already done")
	if n := aprTransitions(t, f.b, app.ID, "rejected"); n != 1 {
		t.Fatalf("%d rejections", n)
	}
}

func TestQuotaReachedRefusalNamesIt(t *testing.T) {
	// Ten staff at the default 10%: one intern at a time.
	f := newAprFixture(t, 10, "3")
	carol := testenv.Member("carol")
	first := aprAccepted(t, f.b, testenv.Member("bo"), "alice", f.pos.ID)
	second := aprAccepted(t, f.b, testenv.Member("li"), "alice", f.pos.ID)
	aprTickAll(t, f.b, first.ID)
	aprTickAll(t, f.b, second.ID)
	queue := f.b.Do(t, testenv.Slash(carol, "approvals queue"))
	f.b.Press(t, "carol", queue, "Approve #1").MustContain(t, "Approved #"+strconv.FormatInt(first.ID, 10))
	seen := f.b.Press(t, "carol", queue, "Approve #2")
	seen.MustRefuse(t, "Not approved: Harbor Tools already hosts 1 intern, its quota of 1")
	if st := aprStatus(t, f.b, second.ID); st != "accepted" {
		t.Fatalf("status %s", st)
	}
	// Raising the quota lets it through.
	f.b.Do(t, testenv.Slash(carol, "setup compliance", testenv.IntOpt("quota_percent", 20))).MustContain(t, "at most 20% of an enterprise's staff")
	f.b.Press(t, "carol", queue, "Approve #2").MustContain(t, "Approved #"+strconv.FormatInt(second.ID, 10))
	if ps := aprPlacements(t, f.b); len(ps) != 2 {
		t.Fatalf("placements %+v", ps)
	}
}

func TestApprovalsInChinese(t *testing.T) {
	f := newAprFixture(t, 200, "2")
	carol := testenv.Member("carol")
	app := aprAccepted(t, f.b, testenv.Member("bo"), "alice", f.pos.ID)
	in := testenv.Slash(carol, "approvals queue")
	in.Locale = discordgo.ChineseCN
	seen := f.b.Do(t, in)
	seen.MustContain(t, "审批队列 — 1 条待审批", "核查清单还缺：三方协议已签署, 监护人知情同意, 实习保险", "今天", "[批准 #1]", "[驳回 #1]", "[核查清单 #1]", "[🔄 刷新]")
	approve := seen.Button(t, "批准 #1").CustomID
	in = testenv.Button(carol, approve)
	in.Locale = discordgo.ChineseCN
	f.b.Do(t, in).MustRefuse(t, "未批准：核查清单还缺 三方协议已签署, 监护人知情同意, 实习保险")
	aprTickAll(t, f.b, app.ID)
	in = testenv.Button(carol, approve)
	in.Locale = discordgo.ChineseCN
	f.b.Do(t, in).MustContain(t, "✅ 已批准", "目前没有待审批的录用", "请在下方菜单中选择校内导师")
}

func TestApprovalQueueShowsUserTextAsText(t *testing.T) {
	b := botenv.New(t)
	ent := b.AddEnterprise(t, "**Loud** Corp @everyone", 200, "alice")
	pos := b.PostPosition(t, "alice", ent.ID, botenv.PositionInput("_CNC_ intern <@&1> `code`"))
	b.SaveProfile(t, "bo", placement.ProfileInput{Program: "> quoted ~~program~~", Cohort: "2025", Skills: "cnc", Locations: "Suzhou"})
	aprAccepted(t, b, testenv.Member("bo"), "alice", pos.ID)
	title, corp := `\_CNC\_ intern \<@`+"\u200b"+`&1\> \`+"`code\\`", `\*\*Loud\*\* Corp @`+"\u200b"+`everyone`
	seen := b.Do(t, testenv.Slash(testenv.Member("carol"), "approvals queue"))
	seen.MustContain(t, title, corp, `\> quoted \~\~program\~\~`)
	if strings.Contains(seen.Text(), "@everyone") {
		t.Errorf("@everyone reads as a mention: %s", seen.Text())
	}

	// The filters, a school's own checklist item, the checklist and the approval show member
	// text escaped once, and the bot's own mentions as mentions.
	bo, carol := testenv.Member("bo"), testenv.Member("carol")
	b.Do(t, testenv.Slash(carol, "setup compliance", testenv.StringOpt("checklist", "agreement, *Safety* briefing")))
	queue := b.Do(t, testenv.Slash(carol, "approvals queue", testenv.StringOpt("program", "> quoted ~~program~~"),
		testenv.StringOpt("enterprise", strconv.FormatInt(ent.ID, 10))))
	queue.MustContain(t, `Program: \> quoted \~\~program\~\~`, "Enterprise: "+corp, "<@"+bo.ID+">",
		`Checklist still lacks: Three-party agreement signed, \*Safety\* briefing`)
	checks := b.Press(t, "carol", queue, "Checklist #1")
	checks.MustContain(t, "Checklist — "+title+" — "+corp, `⬜ \*Safety\* briefing`, "[⬜ *Safety* briefing]")
	refusal := b.Press(t, "carol", queue, "Approve #1")
	refusal.MustRefuse(t, `the checklist still lacks Three-party agreement signed, \*Safety\* briefing.`)
	b.Press(t, "carol", checks, "⬜ Three-party")
	ticked := b.Press(t, "carol", checks, "⬜ *Safety*")
	ticked.MustContain(t, `Ticked: \*Safety\* briefing.`)
	approved := b.Press(t, "carol", queue, "Approve #1")
	approved.MustContain(t, "created for <@"+bo.ID+"> at **"+corp+"** ("+title+")", "Enterprise mentor: <@"+testenv.Member("alice").ID+">")
	for _, s := range []botenv.Seen{seen, queue, checks, refusal, ticked, approved} {
		if text := s.Text(); strings.Contains(text, `\\`) || strings.Contains(text, `\<@`+"\u200b"+bo.ID) {
			t.Errorf("text escaped twice, or a mention escaped:\n%s", text)
		}
	}
}
