package rounds_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/jackc/pgx/v5"

	"placementbot/internal/demo"
	"placementbot/internal/placement"
	"placementbot/internal/testenv"
	"placementbot/internal/testenv/botenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// rndFixture is a bot with Harbor Tools (mentor alice) and its positions, and a class of
// students made up for the test who applied to them.
type rndFixture struct {
	b        *botenv.Bot
	lathe    placement.Position // 2 slots; every student applied
	cnc      placement.Position // 1 slot; the first three students applied
	students []demo.Member
	apps     map[string]map[int64]int64 // student → position → application
}

func newRndFixture(t *testing.T, class int) *rndFixture {
	t.Helper()
	b := botenv.New(t)
	e := b.AddEnterprise(t, "Harbor Tools", 500, "alice")
	lathe := botenv.PositionInput("Lathe operator intern")
	cnc := botenv.PositionInput("CNC programmer intern")
	cnc.Slots = "1"
	f := &rndFixture{b: b, lathe: b.PostPosition(t, "alice", e.ID, lathe), cnc: b.PostPosition(t, "alice", e.ID, cnc),
		apps: map[string]map[int64]int64{}}
	ctx := context.Background()
	for i := range class {
		m := rndStudent(i)
		f.students = append(f.students, m)
		f.apps[m.ID] = map[int64]int64{}
		a := f.actor(t, m)
		cohort := "2025"
		if i%2 == 1 {
			cohort = "2026"
		}
		if _, err := b.Service.SaveProfile(ctx, a, placement.ProfileInput{Program: "Mechatronics", Cohort: cohort, Skills: "CNC, lathe"}); err != nil {
			t.Fatal(err)
		}
		positions := []int64{f.lathe.ID}
		if i < 3 {
			positions = append(positions, f.cnc.ID)
		}
		for _, p := range positions {
			app, err := b.Service.Apply(ctx, a, p, "I have run lathes in our school workshop for two years and want real production work.")
			if err != nil {
				t.Fatal(err)
			}
			f.apps[m.ID][p] = app.ID
		}
	}
	return f
}

// rndStudent is the i-th student of the made-up class, with bo's roles.
func rndStudent(i int) demo.Member {
	m := testenv.Member("bo")
	m.ID, m.Name = fmt.Sprintf("93%016d", i), "student"+strconv.Itoa(i)
	return m
}

func (f *rndFixture) actor(t *testing.T, m demo.Member) placement.Actor {
	t.Helper()
	a, err := f.b.Service.Actor(context.Background(), demo.GuildID, placement.Member{UserID: m.ID, RoleIDs: m.RoleIDs, Permissions: m.Permissions}, "en-US")
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// open opens a round over Harbor Tools' positions as carol, ending in a week, and returns it
// with the reply.
func (f *rndFixture) open(t *testing.T, extra ...testenv.Opt) (placement.Round, botenv.Seen) {
	t.Helper()
	day := time.Now().AddDate(0, 0, 7).Format(placement.DateLayout)
	opts := append([]testenv.Opt{testenv.StringOpt("name", "Spring round"), testenv.StringOpt("deadline", day),
		testenv.StringOpt("enterprise", strconv.FormatInt(f.lathe.EnterpriseID, 10))}, extra...)
	seen := f.b.Do(t, testenv.Slash(testenv.Member("carol"), "round open", opts...))
	seen.MustContain(t, "Round **Spring round**", "<t:", "`/round rank`")
	rounds, err := f.b.Service.Rounds(context.Background(), f.b.Actor(t, "carol"), placement.RoundFilter{})
	if err != nil || len(rounds) == 0 {
		t.Fatalf("no round after opening: %v\n%s", err, seen.Text())
	}
	return rounds[0], seen
}

// press presses the button labelled label on the message, as m.
func (f *rndFixture) press(t *testing.T, m demo.Member, s botenv.Seen, label string) botenv.Seen {
	t.Helper()
	in := testenv.Button(m, s.Button(t, label).CustomID)
	in.Message.Components = s.Latest().Components
	return f.b.Do(t, in)
}

// fill submits the order form the answer opened, as m.
func (f *rndFixture) fill(t *testing.T, m demo.Member, form botenv.Seen, order string) botenv.Seen {
	t.Helper()
	if form.Type != discordgo.InteractionResponseModal {
		t.Fatalf("want the order form, got type %d: %s", form.Type, form.Text())
	}
	return f.b.Do(t, testenv.ModalSubmit(m, form.Data.CustomID, map[string]string{"order": order}))
}

// orderInput is the order form's prefilled text.
func orderInput(t *testing.T, form botenv.Seen) string {
	t.Helper()
	if form.Type != discordgo.InteractionResponseModal || len(form.Data.Components) != 1 {
		t.Fatalf("want a form with one input, got type %d: %s", form.Type, form.Text())
	}
	return form.Data.Components[0].(*discordgo.ActionsRow).Components[0].(*discordgo.TextInput).Value
}

// studentOrder is the student's ranked applications, in order.
func (f *rndFixture) studentOrder(t *testing.T, m demo.Member, roundID int64) []int64 {
	t.Helper()
	rr, err := f.b.Service.StudentRanking(context.Background(), f.actor(t, m), roundID)
	if err != nil {
		t.Fatal(err)
	}
	return ranked(rr)
}

func (f *rndFixture) positionOrder(t *testing.T, roundID, positionID int64) []int64 {
	t.Helper()
	rr, err := f.b.Service.PositionRanking(context.Background(), f.b.Actor(t, "alice"), roundID, positionID)
	if err != nil {
		t.Fatal(err)
	}
	return ranked(rr)
}

func ranked(rr placement.RoundRanking) []int64 {
	var out []int64
	for _, a := range rr.Applications {
		if a.Rank > 0 {
			out = append(out, a.ID)
		}
	}
	return out
}

func sameIDs(a, b []int64) bool { return fmt.Sprint(a) == fmt.Sprint(b) }

// rndNote is one queued notification, rendered as its recipient reads it.
type rndNote struct {
	To, Key, Text string
}

// notes renders every DM and channel post queued since the test began.
func (f *rndFixture) notes(t *testing.T) []rndNote {
	t.Helper()
	rows, err := f.b.Pool.Query(context.Background(),
		`SELECT user_id || channel_id, message_key, data FROM notifications WHERE guild_id = $1 ORDER BY id`, demo.GuildID)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		To, Key string
		Data    json.RawMessage
	}
	rs, err := pgx.CollectRows(rows, pgx.RowToStructByPos[row])
	if err != nil {
		t.Fatal(err)
	}
	out := make([]rndNote, 0, len(rs))
	for _, r := range rs {
		data, err := placement.DecodeData(r.Data)
		if err != nil {
			t.Fatal(err)
		}
		text := f.b.Catalog.T("en-US", r.Key, data)
		if text == r.Key {
			t.Errorf("notification %s has no text", r.Key)
		}
		out = append(out, rndNote{To: r.To, Key: r.Key, Text: text})
	}
	return out
}

func (f *rndFixture) statusCount(t *testing.T, st placement.Status) int {
	t.Helper()
	var n int
	if err := f.b.Pool.QueryRow(context.Background(), `SELECT count(*) FROM applications WHERE guild_id = $1 AND status = $2`,
		demo.GuildID, string(st)).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func roundOpt(r placement.Round) testenv.Opt {
	return testenv.StringOpt("round", strconv.FormatInt(r.ID, 10))
}

// The whole round through the transport: open, both sides rank (the mentor's list of 30
// applicants pages and takes its order in the form), preview, publish, offers and DMs with
// explanations, and each student's own result.
func TestRoundFromOpeningToResults(t *testing.T) {
	f := newRndFixture(t, 30)
	round, opened := f.open(t, testenv.IntOpt("max_ranks", 5))
	opened.MustContain(t, "2 positions with 3 places", "**Lathe operator intern** — Harbor Tools · 2 places", "students rank up to 5")
	if !opened.Ephemeral() {
		t.Error("the opening reply is not ephemeral")
	}
	s0, s1, s2, s3 := f.students[0], f.students[1], f.students[2], f.students[3]

	// A student's list: both applications, none ranked yet; the form orders them.
	list := f.b.Do(t, testenv.Slash(s0, "round rank", roundOpt(round)))
	list.MustContain(t, "Your ranking — Spring round", "Ranked: 0 of 2", "You may rank up to 5", "**1.** Lathe operator intern",
		"**2.** CNC programmer intern", "not ranked", "[Set order]", "[Rank in this order]")
	if !list.Ephemeral() {
		t.Error("a student's list is not ephemeral")
	}
	form0 := f.press(t, s0, list, "Set order")
	if got := orderInput(t, form0); got != "1 2" {
		t.Errorf("the form is prefilled with %q, want the list as shown", got)
	}
	saved := f.fill(t, s0, form0, "2 1")
	saved.MustContain(t, "Saved: 2 entries ranked", "Ranked: 2 of 2", "**1.** CNC programmer intern", "**2.** Lathe operator intern")
	want0 := []int64{f.apps[s0.ID][f.cnc.ID], f.apps[s0.ID][f.lathe.ID]}
	if got := f.studentOrder(t, s0, round.ID); !sameIDs(got, want0) {
		t.Fatalf("student order %v, want %v", got, want0)
	}
	// s1 and s2 want the CNC position first too; s3 keeps the list as shown with one press.
	for _, m := range []demo.Member{s1, s2} {
		f.fill(t, m, f.press(t, m, f.b.Do(t, testenv.Slash(m, "round rank", roundOpt(round))), "Set order"), "2 1")
	}
	f.press(t, s3, f.b.Do(t, testenv.Slash(s3, "round rank", roundOpt(round))), "Rank in this order").
		MustContain(t, "Saved: 1 entry ranked", "Ranked: 1 of 1")
	for _, m := range f.students[4:] {
		if err := f.b.Service.SetStudentRanks(context.Background(), f.actor(t, m), round.ID, []int64{f.apps[m.ID][f.lathe.ID]}); err != nil {
			t.Fatal(err)
		}
	}

	// The mentor's list of the lathe position: 30 applicants on two pages, with program and skills.
	alice := testenv.Member("alice")
	mentor := f.b.Do(t, testenv.Slash(alice, "round rank", roundOpt(round), testenv.StringOpt("position", strconv.FormatInt(f.lathe.ID, 10))))
	mentor.MustContain(t, "Applicants of Lathe operator intern — Spring round", "Ranked: 0 of 30", "**1.** <@"+s0.ID+"> · Mechatronics · 2025 · CNC, lathe",
		"**15.**", "[Next ▶]")
	if strings.Contains(mentor.Text(), "**16.**") {
		t.Error("the first page shows more than 15 applicants")
	}
	page2 := f.press(t, alice, mentor, "Next ▶")
	page2.MustContain(t, "**16.**", "**30.**")
	if es := page2.Latest().Embeds; len(es) == 0 || es[0].Footer == nil || es[0].Footer.Text != "Page 2 of 2" {
		t.Errorf("the second page's footer: %+v", es)
	}
	form := f.press(t, alice, page2, "Set order")
	if got := strings.Fields(orderInput(t, form)); len(got) != 30 || got[0] != "1" || got[29] != "30" {
		t.Errorf("the mentor's form is prefilled with %v, want all 30 numbers", got)
	}
	// The mentor wants s2 and s1 most, then the rest in list order but for s0, ranked last.
	order := []string{"3", "2"}
	for n := 4; n <= 30; n++ {
		order = append(order, strconv.Itoa(n))
	}
	order = append(order, "1")
	f.fill(t, alice, form, strings.Join(order, ", ")).MustContain(t, "Saved: 30 entries ranked", "Ranked: 30 of 30")
	lathe := f.positionOrder(t, round.ID, f.lathe.ID)
	if len(lathe) != 30 || lathe[0] != f.apps[s2.ID][f.lathe.ID] || lathe[1] != f.apps[s1.ID][f.lathe.ID] || lathe[29] != f.apps[s0.ID][f.lathe.ID] {
		t.Fatalf("lathe order %v", lathe)
	}
	cncList := f.b.Do(t, testenv.Slash(alice, "round rank", roundOpt(round), testenv.StringOpt("position", strconv.FormatInt(f.cnc.ID, 10))))
	f.fill(t, alice, f.press(t, alice, cncList, "Set order"), "3 2 1") // s2, s1, s0

	// Before the deadline: a provisional preview, publishing not possible, no results.
	carol := testenv.Member("carol")
	pv := f.b.Do(t, testenv.Slash(carol, "round preview", roundOpt(round)))
	pv.MustContain(t, "Provisional match of Spring round", "**3** of 30 students matched, **27** unmatched", "✅ stable",
		"Mechatronics: 3 matched · 27 unmatched", "2025: 1 matched · 14 unmatched", "2026: 2 matched · 13 unmatched",
		"1st choice: 2 students", "2nd choice: 1 student", "lottery seed")
	if b := pv.Buttons(); len(b) != 1 || !b[0].Disabled {
		t.Errorf("before the deadline Publish must be disabled: %+v", b)
	}
	f.b.Do(t, testenv.Slash(s0, "round result", roundOpt(round))).MustRefuse(t, "are published after its deadline")

	// After the deadline: ranking is refused, naming the deadline, and changes nothing.
	f.b.Service.Now = func() time.Time { return round.Deadline.Add(time.Hour) }
	f.b.Do(t, testenv.Slash(s0, "round rank", roundOpt(round))).MustRefuse(t, "closed at <t:")
	f.fill(t, s0, form0, "1 2").MustRefuse(t, "closed at <t:")
	if got := f.studentOrder(t, s0, round.ID); !sameIDs(got, want0) {
		t.Fatalf("a refused ranking changed the order: %v", got)
	}

	// Publish from the preview: the confirmation says what will happen, then it happens once.
	pv = f.b.Do(t, testenv.Slash(carol, "round preview", roundOpt(round)))
	pv.MustContain(t, "Match of Spring round")
	confirm := f.press(t, carol, pv, "Publish")
	confirm.MustContain(t, "will make 3 offers", "tell 27 students", "can't be undone")
	done := f.press(t, carol, confirm, "Publish now")
	done.MustContain(t, "**Spring round** is published: 3 offers made and 27 unmatched students told")
	if n := f.statusCount(t, placement.Offered); n != 3 {
		t.Fatalf("%d offers after publishing, want 3", n)
	}
	again := f.press(t, carol, confirm, "Publish now")
	again.MustContain(t, "already published (by <@"+carol.ID+">")
	if n := f.statusCount(t, placement.Offered); n != 3 {
		t.Fatalf("%d offers after pressing Publish twice, want 3", n)
	}
	f.b.Do(t, testenv.Slash(carol, "round preview", roundOpt(round))).
		MustContain(t, "This round was published by <@"+carol.ID+">", "Match of Spring round", "**3** of 30 students matched")

	// Results: the CNC position's one place went to s2 (its mentor's first), so s1 got the
	// lathe, their 2nd choice, with s3; s0, ranked last by the lathe's mentor, got nothing.
	f.b.Do(t, testenv.Slash(s2, "round result", roundOpt(round))).MustContain(t, "You got your 1st choice: **CNC programmer intern**")
	f.b.Do(t, testenv.Slash(s3, "round result", roundOpt(round))).MustContain(t, "You got your 1st choice: **Lathe operator intern**")
	filled := "its places went to students its mentor ranked above you"
	r1 := f.b.Do(t, testenv.Slash(s1, "round result", roundOpt(round)))
	r1.MustContain(t, "You got your 2nd choice: **Lathe operator intern**", "1st choice, CNC programmer intern — Harbor Tools: "+filled,
		"accept or decline it with `/applications mine`")
	r0 := f.b.Do(t, testenv.Slash(s0, "round result", roundOpt(round)))
	r0.MustContain(t, "You were not matched", "1st choice, CNC programmer intern — Harbor Tools: "+filled,
		"2nd choice, Lathe operator intern — Harbor Tools: "+filled, "Positions still open")
	r9 := f.b.Do(t, testenv.Slash(f.students[9], "round result", roundOpt(round)))
	r9.MustContain(t, "You were not matched", filled)
	for _, r := range []botenv.Seen{r0, r1, r9} {
		for _, m := range f.students {
			if strings.Contains(r.Text(), m.ID) {
				t.Errorf("a result names a student: %s", r.Text())
			}
		}
	}

	// DMs: each matched student with the rank and why not the higher ones, each unmatched one
	// with why; none names another student; the mentor hears whom they got.
	notes := f.notes(t)
	dms := map[string][]string{}
	for _, n := range notes {
		dms[n.To] = append(dms[n.To], n.Text)
	}
	for i, m := range f.students {
		text := strings.Join(dms[m.ID], "\n")
		if !strings.Contains(text, "Spring round") {
			t.Errorf("student %d got no DM about the round: %q", i, text)
		}
		for j, o := range f.students {
			if j != i && strings.Contains(text, o.ID) {
				t.Errorf("student %d's DMs name student %d: %s", i, j, text)
			}
		}
	}
	if text := strings.Join(dms[f.students[9].ID], "\n"); !strings.Contains(text, "not matched") {
		t.Errorf("an unmatched student's DM: %q", text)
	}
	if text := strings.Join(dms[alice.ID], "\n"); !strings.Contains(text, "<@"+s2.ID+">") || !strings.Contains(text, "<@"+s1.ID+">") || !strings.Contains(text, "<@"+s3.ID+">") {
		t.Errorf("the mentor's DMs do not name whom they got: %q", text)
	}
}

// Bad input in the form gets a specific message and changes nothing.
func TestBadOrderRefusedAndNothingChanges(t *testing.T) {
	f := newRndFixture(t, 3)
	third := f.b.PostPosition(t, "alice", f.lathe.EnterpriseID, botenv.PositionInput("Welding intern"))
	s0 := f.students[0]
	if _, err := f.b.Service.Apply(context.Background(), f.actor(t, s0), third.ID, "I weld at the school workshop every week and want to learn more."); err != nil {
		t.Fatal(err)
	}
	round, _ := f.open(t, testenv.IntOpt("max_ranks", 2))
	list := f.b.Do(t, testenv.Slash(s0, "round rank", roundOpt(round)))
	list.MustContain(t, "Ranked: 0 of 3", "You may rank up to 2")
	form := f.press(t, s0, list, "Set order")
	if got := orderInput(t, form); got != "1 2" {
		t.Errorf("prefill %q, want the first two (the round's limit)", got)
	}
	for _, tc := range []struct{ typed, want string }{
		{"4", "There is no number 4 on the list: it goes from 1 to 3"},
		{"0 1", "There is no number 0"},
		{"1 1", "1 is typed twice"},
		{"2 x", "“x” isn't a number from the list"},
		{"1 2 3", "You typed 3 numbers, and this round lets you rank at most 2"},
		{"  ", "Type at least one number"},
	} {
		got := f.fill(t, s0, form, tc.typed)
		if !strings.Contains(got.Text(), tc.want) || !strings.Contains(got.Text(), "Nothing was saved") {
			t.Errorf("%q: %s", tc.typed, got.Text())
		}
		if order := f.studentOrder(t, s0, round.ID); len(order) != 0 {
			t.Fatalf("%q changed the order: %v", tc.typed, order)
		}
	}
	// Full-width digits and Chinese commas are numbers too.
	f.fill(t, s0, form, "３，1").MustContain(t, "Saved: 2 entries ranked")

	// The form refuses to save over a list that changed since it was shown.
	savedOrder := f.studentOrder(t, s0, round.ID)
	if len(savedOrder) != 2 {
		t.Fatalf("order after saving 3 1: %v", savedOrder)
	}
	f.fill(t, s0, form, "1 2").MustRefuse(t, "changed since it was shown")
	if got := f.studentOrder(t, s0, round.ID); !sameIDs(got, savedOrder) {
		t.Fatalf("a stale form changed the order: %v, was %v", got, savedOrder)
	}
}

// Only coordinators open, preview and publish; the buttons are checked like the commands.
func TestRoundsForCoordinatorsOnly(t *testing.T) {
	f := newRndFixture(t, 2)
	round, _ := f.open(t)
	day := time.Now().AddDate(0, 0, 7).Format(placement.DateLayout)
	for _, who := range []string{"bo", "alice"} {
		m := testenv.Member(who)
		f.b.Do(t, testenv.Slash(m, "round open", testenv.StringOpt("name", "Mine"), testenv.StringOpt("deadline", day))).
			MustRefuse(t, "Only coordinators")
		f.b.Do(t, testenv.Slash(m, "round preview", roundOpt(round))).MustRefuse(t, "Only coordinators")
		f.b.Do(t, testenv.Slash(m, "round publish", roundOpt(round))).MustRefuse(t, "Only coordinators")
		for _, id := range []string{"/publish", "/publish/confirm"} {
			f.b.Do(t, testenv.Button(m, "/round/"+strconv.FormatInt(round.ID, 10)+id)).MustRefuse(t, "Only coordinators")
		}
	}
	f.b.Service.Now = func() time.Time { return round.Deadline.Add(time.Minute) }
	f.b.Do(t, testenv.Button(testenv.Member("bo"), "/round/"+strconv.FormatInt(round.ID, 10)+"/publish/confirm")).MustRefuse(t, "Only coordinators")
	if n := f.statusCount(t, placement.Offered); n != 0 {
		t.Fatalf("%d offers after refused publishes", n)
	}
	rounds, err := f.b.Service.Rounds(context.Background(), f.b.Actor(t, "carol"), placement.RoundFilter{})
	if err != nil || len(rounds) != 1 || rounds[0].Status != placement.RoundStatusOpen {
		t.Fatalf("rounds after refusals: %+v %v", rounds, err)
	}
}

// A student cannot rank a position's applicants (their own application among them) nor save
// a mentor's list through its form, and /round result shows only their own.
func TestStudentCannotRankOthers(t *testing.T) {
	f := newRndFixture(t, 3)
	round, _ := f.open(t)
	s0, s1 := f.students[0], f.students[1]
	alice := testenv.Member("alice")
	mentor := f.b.Do(t, testenv.Slash(alice, "round rank", roundOpt(round), testenv.StringOpt("position", strconv.FormatInt(f.lathe.ID, 10))))
	form := f.press(t, alice, mentor, "Set order")
	// s0 presses the mentor's buttons and submits the mentor's form.
	in := testenv.Button(s0, mentor.Button(t, "Set order").CustomID)
	if got := f.b.Do(t, in); got.Type == discordgo.InteractionResponseModal {
		t.Fatal("a student opened the mentor's order form")
	}
	in = testenv.Button(s0, mentor.Button(t, "Rank in this order").CustomID)
	in.Message.Components = mentor.Latest().Components
	f.b.Do(t, in)
	f.fill(t, s0, form, "1 2 3")
	if got := f.positionOrder(t, round.ID, f.lathe.ID); len(got) != 0 {
		t.Fatalf("a student ranked the mentor's list: %v", got)
	}
	// Their own list holds only their own applications.
	own := f.b.Do(t, testenv.Slash(s1, "round rank", roundOpt(round)))
	if strings.Contains(own.Text(), s0.ID) || !strings.Contains(own.Text(), "Ranked: 0 of 2") {
		t.Errorf("s1's list: %s", own.Text())
	}
	// A student asking for a mentor's position list is refused.
	f.b.Do(t, testenv.Slash(s1, "round rank", roundOpt(round), testenv.StringOpt("position", strconv.FormatInt(f.lathe.ID, 10)))).
		MustRefuse(t, "Only enterprise mentors")
	if got := f.positionOrder(t, round.ID, f.lathe.ID); len(got) != 0 {
		t.Fatalf("the mentor's list changed: %v", got)
	}
}

// Two presses of Publish at once, by two coordinators: published once, the other told by whom.
func TestDoubleClickPublishesOnce(t *testing.T) {
	f := newRndFixture(t, 4)
	round, _ := f.open(t)
	ctx := context.Background()
	for _, m := range f.students {
		if err := f.b.Service.SetStudentRanks(ctx, f.actor(t, m), round.ID, []int64{f.apps[m.ID][f.lathe.ID]}); err != nil {
			t.Fatal(err)
		}
	}
	var lathe []int64
	for _, m := range f.students {
		lathe = append(lathe, f.apps[m.ID][f.lathe.ID])
	}
	if err := f.b.Service.SetPositionRanks(ctx, f.b.Actor(t, "alice"), round.ID, f.lathe.ID, lathe); err != nil {
		t.Fatal(err)
	}
	f.b.Service.Now = func() time.Time { return round.Deadline.Add(time.Minute) }
	confirm := f.b.Do(t, testenv.Slash(testenv.Member("carol"), "round publish", roundOpt(round)))
	confirm.MustContain(t, "will make 2 offers", "tell 2 students")
	id := confirm.Button(t, "Publish now").CustomID
	var wg sync.WaitGroup
	seen := make([]botenv.Seen, 2)
	for i, who := range []string{"carol", "owner"} {
		in := testenv.Button(testenv.Member(who), id)
		in.Message.Components = confirm.Latest().Components
		wg.Add(1)
		go func() {
			defer wg.Done()
			seen[i] = f.b.Do(t, in)
		}()
	}
	wg.Wait()
	published, already := 0, 0
	for _, s := range seen {
		text := s.Text()
		switch {
		case strings.Contains(text, "is published: 2 offers made"):
			published++
		case strings.Contains(text, "already published (by <@"):
			already++
		default:
			t.Errorf("unexpected answer: %s", text)
		}
	}
	if published != 1 || already != 1 {
		t.Fatalf("published %d times, told already %d times", published, already)
	}
	if n := f.statusCount(t, placement.Offered); n != 2 {
		t.Fatalf("%d offers, want 2", n)
	}
}

// A round can take the open positions of one program; suggestions offer the programs in use,
// and a deadline in the past opens nothing.
func TestOpenByProgram(t *testing.T) {
	f := newRndFixture(t, 1)
	pastry := botenv.PositionInput("Pastry intern")
	pastry.Programs = "Culinary arts"
	f.b.PostPosition(t, "alice", f.lathe.EnterpriseID, pastry)
	carol := testenv.Member("carol")
	choices := f.b.Choices(t, testenv.Autocomplete(carol, "round open", testenv.StringOpt("name", "Kitchens"), testenv.StringOpt("program", "culi")))
	if len(choices) != 1 || choices[0].Value != "Culinary arts" {
		t.Fatalf("program suggestions: %+v", choices)
	}
	past := f.b.Do(t, testenv.Slash(carol, "round open", testenv.StringOpt("name", "Kitchens"), testenv.StringOpt("deadline", "2020-01-01"),
		testenv.StringOpt("program", "Culinary arts")))
	past.MustRefuse(t, "already past")
	if rounds, err := f.b.Service.Rounds(context.Background(), f.b.Actor(t, "carol"), placement.RoundFilter{}); err != nil || len(rounds) != 0 {
		t.Fatalf("a refused round opened: %+v %v", rounds, err)
	}
	day := time.Now().AddDate(0, 0, 3).Format(placement.DateLayout)
	seen := f.b.Do(t, testenv.Slash(carol, "round open", testenv.StringOpt("name", "Kitchens"), testenv.StringOpt("deadline", day),
		testenv.StringOpt("program", "Culinary arts"), testenv.StringOpt("outcome", "approval")))
	seen.MustContain(t, "Round **Kitchens**", "1 position with 2 places", "the open positions for Culinary arts", "Pastry intern",
		"accepted applications in the approval queue")
	if strings.Contains(seen.Text(), "Lathe operator intern") {
		t.Errorf("a position of another program is in the round: %s", seen.Text())
	}
}
