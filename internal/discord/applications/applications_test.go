package applications_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/bwmarrin/discordgo"

	"placementbot/internal/demo"
	"placementbot/internal/placement"
	"placementbot/internal/redis"
	"placementbot/internal/testenv"
	"placementbot/internal/testenv/botenv"
)

const appMotivation = "I have run lathes in our school workshop for two years and want real production work."

// appFixture is a bot with one verified enterprise mentored by alice and one open position of it.
type appFixture struct {
	b   *botenv.Bot
	ent placement.Enterprise
	pos placement.Position
}

func newAppFixture(t *testing.T, slots string) appFixture {
	t.Helper()
	b := botenv.New(t)
	ent := b.AddEnterprise(t, "Harbor Tools", 200, "alice")
	in := botenv.PositionInput("Lathe operator intern")
	in.Slots = slots
	return appFixture{b: b, ent: ent, pos: b.PostPosition(t, "alice", ent.ID, in)}
}

func (f appFixture) post(t *testing.T, title string) placement.Position {
	t.Helper()
	return f.b.PostPosition(t, "alice", f.ent.ID, botenv.PositionInput(title))
}

type appRow struct {
	ID         int64
	PositionID int64
	StudentID  string
	Status     string
	Reason     string
}

// appRows reads the guild's applications straight from the database.
func appRows(t *testing.T, b *botenv.Bot) []appRow {
	t.Helper()
	rows, err := b.Pool.Query(context.Background(),
		`SELECT id, position_id, student_id, status, reason FROM applications WHERE guild_id = $1 ORDER BY id`, demo.GuildID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []appRow
	for rows.Next() {
		var r appRow
		if err := rows.Scan(&r.ID, &r.PositionID, &r.StudentID, &r.Status, &r.Reason); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func appStatusOf(t *testing.T, b *botenv.Bot, id int64) string {
	t.Helper()
	var st string
	if err := b.Pool.QueryRow(context.Background(), `SELECT status FROM applications WHERE id = $1`, id).Scan(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

// appEvents counts the recorded transitions of an application into a status.
func appEvents(t *testing.T, b *botenv.Bot, id int64, to string) int {
	t.Helper()
	var n int
	if err := b.Pool.QueryRow(context.Background(),
		`SELECT count(*) FROM application_events WHERE application_id = $1 AND to_status = $2`, id, to).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func appSQL(t *testing.T, b *botenv.Bot, sql string, args ...any) {
	t.Helper()
	if _, err := b.Pool.Exec(context.Background(), sql, args...); err != nil {
		t.Fatal(err)
	}
}

// appStudent is a student who exists only in this test: a copy of bo with another id.
func appStudent(i int) demo.Member {
	m := testenv.Member("bo")
	m.ID = fmt.Sprintf("91%016d", i)
	m.Name = "student" + strconv.Itoa(i)
	return m
}

func appSubmit(m demo.Member, positionID int64, motivation string) *discordgo.Interaction {
	return testenv.ModalSubmit(m, "/apply/"+strconv.FormatInt(positionID, 10)+"/submit", map[string]string{"motivation": motivation})
}

func appButton(m demo.Member, id int64, verb string) *discordgo.Interaction {
	return testenv.Button(m, "/application/"+strconv.FormatInt(id, 10)+"/"+verb)
}

func appModal(m demo.Member, id int64, verb, reason string) *discordgo.Interaction {
	return testenv.ModalSubmit(m, "/application/"+strconv.FormatInt(id, 10)+"/"+verb+"/submit", map[string]string{"reason": reason})
}

// appFooter checks the footer of the reply's first embed (the page of a list).
func appFooter(t *testing.T, seen botenv.Seen, want string) {
	t.Helper()
	if len(seen.Data.Embeds) == 0 || seen.Data.Embeds[0].Footer == nil || seen.Data.Embeds[0].Footer.Text != want {
		t.Errorf("want footer %q: %+v", want, seen.Data.Embeds)
	}
}

// mustEscapeOnce checks that no text the member reads was escaped twice (a backslash
// escaping a backslash) or is bot markup shown escaped (a mention, a command).
func mustEscapeOnce(t *testing.T, seen botenv.Seen) {
	t.Helper()
	if text := seen.Text(); strings.Contains(text, `\\`) || strings.Contains(text, `\<@`+"\u200b"+testenv.Member("bo").ID) || strings.Contains(text, "\\`") {
		t.Errorf("text escaped twice, or markup escaped:\n%s", text)
	}
}

// appTextInputs returns a modal's text inputs.
func appTextInputs(t *testing.T, seen botenv.Seen) []*discordgo.TextInput {
	t.Helper()
	if seen.Type != discordgo.InteractionResponseModal {
		t.Fatalf("want a modal, got type %d: %s", seen.Type, seen.Text())
	}
	var out []*discordgo.TextInput
	for _, c := range seen.Data.Components {
		row, ok := c.(*discordgo.ActionsRow)
		if !ok {
			t.Fatalf("modal component %T", c)
		}
		for _, x := range row.Components {
			out = append(out, x.(*discordgo.TextInput))
		}
	}
	return out
}

func TestApplyByCommandOpensFormAndFilesApplication(t *testing.T) {
	f := newAppFixture(t, "2")
	bo := testenv.Member("bo")
	id := strconv.FormatInt(f.pos.ID, 10)

	seen := f.b.Do(t, testenv.Slash(bo, "apply", testenv.StringOpt("position", id)))
	inputs := appTextInputs(t, seen)
	if seen.Data.CustomID != "/apply/"+id+"/submit" || !strings.Contains(seen.Data.Title, "Lathe operator") {
		t.Fatalf("modal %q %q", seen.Data.CustomID, seen.Data.Title)
	}
	if len(inputs) != 1 || inputs[0].CustomID != "motivation" || !inputs[0].Required || inputs[0].MinLength != 20 ||
		inputs[0].MaxLength != 1000 || inputs[0].Style != discordgo.TextInputParagraph || inputs[0].Label == "" || inputs[0].Placeholder == "" {
		t.Fatalf("motivation input: %+v", inputs)
	}
	if len(appRows(t, f.b)) != 0 {
		t.Fatal("opening the form filed an application")
	}

	seen = f.b.Fill(t, "bo", seen, map[string]string{"motivation": appMotivation})
	seen.MustContain(t, "Lathe operator intern", "Harbor Tools", "submitted", "the mentor has been told", "/applications mine", "[Withdraw]", "[All my applications]")
	if !seen.Ephemeral() {
		t.Error("confirmation is public")
	}
	rows := appRows(t, f.b)
	if len(rows) != 1 || rows[0].StudentID != bo.ID || rows[0].PositionID != f.pos.ID || rows[0].Status != "submitted" {
		t.Fatalf("applications: %+v", rows)
	}
}

func TestApplyByTypedTitleAndAutocomplete(t *testing.T) {
	f := newAppFixture(t, "2")
	closed := f.post(t, "Lathe setup helper")
	if _, err := f.b.Service.ClosePosition(context.Background(), f.b.Actor(t, "alice"), closed.ID); err != nil {
		t.Fatal(err)
	}
	bo := testenv.Member("bo")

	choices := f.b.Choices(t, testenv.Autocomplete(bo, "apply", testenv.StringOpt("position", "lathe")))
	if len(choices) != 1 || choices[0].Name != "Lathe operator intern — Harbor Tools" || choices[0].Value != strconv.FormatInt(f.pos.ID, 10) {
		t.Fatalf("choices (closed positions left out): %+v", choices)
	}
	// A mentor gets no suggestions: they can't apply.
	if got := f.b.Choices(t, testenv.Autocomplete(testenv.Member("alice"), "apply", testenv.StringOpt("position", "lathe"))); len(got) != 0 {
		t.Fatalf("mentor got choices %+v", got)
	}

	// Typing the title without picking a suggestion still finds the one position it names.
	seen := f.b.Do(t, testenv.Slash(bo, "apply", testenv.StringOpt("position", "Lathe operator intern")))
	if seen.Type != discordgo.InteractionResponseModal || seen.Data.CustomID != "/apply/"+strconv.FormatInt(f.pos.ID, 10)+"/submit" {
		t.Fatalf("typed title: type %d %q %s", seen.Type, seen.Data.CustomID, seen.Text())
	}
	f.b.Do(t, testenv.Slash(bo, "apply", testenv.StringOpt("position", "no such job"))).MustRefuse(t, "I can't find that position")
}

func TestApplyButtonOnCardOpensForm(t *testing.T) {
	f := newAppFixture(t, "2")
	id := strconv.FormatInt(f.pos.ID, 10)
	seen := f.b.Do(t, testenv.Button(testenv.Member("li"), "/apply/"+id))
	appTextInputs(t, seen)
	if seen.Data.CustomID != "/apply/"+id+"/submit" {
		t.Fatalf("modal custom_id %q", seen.Data.CustomID)
	}
	seen = f.b.Fill(t, "li", seen, map[string]string{"motivation": appMotivation})
	seen.MustContain(t, "is in", "submitted")
	// The card the button sat on is someone else's message: the confirmation is a new message.
	if seen.Type != discordgo.InteractionResponseChannelMessageWithSource {
		t.Fatalf("response type %d", seen.Type)
	}
	if rows := appRows(t, f.b); len(rows) != 1 {
		t.Fatalf("applications: %+v", rows)
	}
}

func TestApplyMotivationChecked(t *testing.T) {
	f := newAppFixture(t, "2")
	bo := testenv.Member("bo")
	for _, tt := range []struct {
		name, motivation, want string
	}{
		{"empty", "", "Motivation is required."},
		{"blank", "   \n  ", "Motivation is required."},
		{"19 characters", strings.Repeat("a", 19), "Motivation needs at least 20 characters."},
		{"1001 characters", strings.Repeat("b", 1001), "Motivation can be at most 1000 characters (you wrote 1001)."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f.b.Do(t, appSubmit(bo, f.pos.ID, tt.motivation)).MustRefuse(t, tt.want)
		})
	}
	if rows := appRows(t, f.b); len(rows) != 0 {
		t.Fatalf("saved: %+v", rows)
	}
	// The limits are inclusive.
	f.b.Do(t, appSubmit(bo, f.pos.ID, strings.Repeat("c", 1000)))
	if rows := appRows(t, f.b); len(rows) != 1 {
		t.Fatalf("1000 characters refused: %+v", rows)
	}
}

func TestApplyTwiceSaysAlreadyApplied(t *testing.T) {
	f := newAppFixture(t, "2")
	bo := testenv.Member("bo")
	form := f.b.Do(t, testenv.Slash(bo, "apply", testenv.StringOpt("position", strconv.FormatInt(f.pos.ID, 10))))
	f.b.Fill(t, "bo", form, map[string]string{"motivation": appMotivation})
	f.b.Fill(t, "bo", form, map[string]string{"motivation": appMotivation}).MustRefuse(t, "You have already applied to this position")
	// Before typing anything, too.
	f.b.Do(t, testenv.Button(bo, "/apply/"+strconv.FormatInt(f.pos.ID, 10))).MustRefuse(t, "You have already applied to this position")
	if rows := appRows(t, f.b); len(rows) != 1 {
		t.Fatalf("applications: %+v", rows)
	}
}

func TestApplyOverTheGuildCap(t *testing.T) {
	f := newAppFixture(t, "2")
	appSQL(t, f.b, `UPDATE guilds SET open_application_cap = 2 WHERE guild_id = $1`, demo.GuildID)
	second, third := f.post(t, "Drill press intern"), f.post(t, "Welding intern")
	bo := testenv.Member("bo")
	f.b.Do(t, appSubmit(bo, f.pos.ID, appMotivation))
	f.b.Do(t, appSubmit(bo, second.ID, appMotivation))
	f.b.Do(t, appSubmit(bo, third.ID, appMotivation)).MustRefuse(t, "You already have 2 open applications, the most this school allows")
	if rows := appRows(t, f.b); len(rows) != 2 {
		t.Fatalf("applications: %+v", rows)
	}
	// Withdrawing one makes room.
	f.b.Do(t, appModal(bo, appRows(t, f.b)[0].ID, "withdraw", ""))
	f.b.Do(t, appSubmit(bo, third.ID, appMotivation)).MustContain(t, "is in")
}

func TestApplyToPositionThatTakesNoApplications(t *testing.T) {
	f := newAppFixture(t, "2")
	ctx := context.Background()
	closed, full, late := f.post(t, "Closed job"), f.post(t, "Full job"), f.post(t, "Late job")
	if _, err := f.b.Service.ClosePosition(ctx, f.b.Actor(t, "alice"), closed.ID); err != nil {
		t.Fatal(err)
	}
	appSQL(t, f.b, `UPDATE positions SET taken = slots WHERE id = $1`, full.ID)
	appSQL(t, f.b, `UPDATE positions SET deadline = current_date - 1 WHERE id = $1`, late.ID)
	bo := testenv.Member("bo")
	for _, tt := range []struct {
		id   int64
		want string
	}{
		{closed.ID, "This position is closed"},
		{full.ID, "All slots of this position are taken"},
		{late.ID, "The application deadline of this position has passed"},
	} {
		// Refused before the student types, and again if the form is submitted anyway.
		f.b.Do(t, testenv.Slash(bo, "apply", testenv.StringOpt("position", strconv.FormatInt(tt.id, 10)))).MustRefuse(t, tt.want)
		f.b.Do(t, testenv.Button(bo, "/apply/"+strconv.FormatInt(tt.id, 10))).MustRefuse(t, tt.want)
		f.b.Do(t, appSubmit(bo, tt.id, appMotivation)).MustRefuse(t, tt.want)
	}
	if rows := appRows(t, f.b); len(rows) != 0 {
		t.Fatalf("saved: %+v", rows)
	}
}

func TestApplyWithEditedCustomID(t *testing.T) {
	f := newAppFixture(t, "2")
	ctx := context.Background()
	// A position in another school's server.
	other := "900000000000000999"
	carol, alice := testenv.Member("carol"), testenv.Member("alice")
	ent, err := f.b.Service.AddEnterprise(ctx, placement.Actor{GuildID: other, UserID: carol.ID, Roles: placement.RoleCoordinator},
		placement.EnterpriseInput{Name: "Elsewhere Ltd", StaffSize: 50})
	if err != nil {
		t.Fatal(err)
	}
	foreign, err := f.b.Service.PostPosition(ctx, placement.Actor{GuildID: other, UserID: alice.ID, Roles: placement.RoleMentor, EnterpriseIDs: []int64{ent.ID}},
		ent.ID, botenv.PositionInput("Foreign job"))
	if err != nil {
		t.Fatal(err)
	}
	bo := testenv.Member("bo")
	for _, tt := range []struct {
		customID, want string
	}{
		{"/apply/abc/submit", "no longer valid"},
		{"/apply/-4/submit", "no longer valid"},
		{"/apply/0/submit", "no longer valid"},
		{"/apply/99999999999999999999/submit", "no longer valid"},
		{"/apply/" + strconv.FormatInt(foreign.ID, 10) + "/submit", "I can't find that position"},
		{"/apply/987654/submit", "I can't find that position"},
		{"/apply//submit", "no longer valid"},
	} {
		f.b.Do(t, testenv.ModalSubmit(bo, tt.customID, map[string]string{"motivation": appMotivation})).MustRefuse(t, tt.want)
	}
	f.b.Do(t, testenv.Button(bo, "/apply/"+strconv.FormatInt(foreign.ID, 10))).MustRefuse(t, "I can't find that position")
	if rows := appRows(t, f.b); len(rows) != 0 {
		t.Fatalf("saved: %+v", rows)
	}
	var foreignApps int
	if err := f.b.Pool.QueryRow(ctx, `SELECT count(*) FROM applications WHERE guild_id = $1`, other).Scan(&foreignApps); err != nil || foreignApps != 0 {
		t.Fatalf("foreign applications: %d %v", foreignApps, err)
	}
	// Another open position's id is simply an application to that position, which the student
	// could file anyway: the service applies the same rules.
	second := f.post(t, "Grinding intern")
	f.b.Do(t, appSubmit(bo, second.ID, appMotivation))
	if rows := appRows(t, f.b); len(rows) != 1 || rows[0].PositionID != second.ID || rows[0].StudentID != bo.ID {
		t.Fatalf("applications: %+v", rows)
	}
}

func TestOnlyStudentsApply(t *testing.T) {
	f := newAppFixture(t, "2")
	id := strconv.FormatInt(f.pos.ID, 10)
	for _, name := range []string{"alice", "carol", "sam"} {
		m := testenv.Member(name)
		f.b.Do(t, testenv.Slash(m, "apply", testenv.StringOpt("position", id))).MustRefuse(t, "Only students can do this")
		f.b.Do(t, testenv.Button(m, "/apply/"+id)).MustRefuse(t, "Only students can do this")
		f.b.Do(t, appSubmit(m, f.pos.ID, appMotivation)).MustRefuse(t, "Only students can do this")
	}
	if rows := appRows(t, f.b); len(rows) != 0 {
		t.Fatalf("saved: %+v", rows)
	}
}

func TestApplyRateLimit(t *testing.T) {
	f := newAppFixture(t, "2")
	bo := testenv.Member("bo")
	var ids []int64
	for i := range 6 {
		ids = append(ids, f.post(t, fmt.Sprintf("Rate job %d", i)).ID)
	}
	for _, id := range ids[:5] {
		f.b.Do(t, appSubmit(bo, id, appMotivation)).MustContain(t, "is in")
	}
	seen := f.b.Do(t, appSubmit(bo, ids[5], appMotivation))
	seen.MustRefuse(t, "at most 5 applications a minute")
	seen.MustContain(t, "Please wait", "Nothing was sent")
	if rows := appRows(t, f.b); len(rows) != 5 {
		t.Fatalf("applications: %d", len(rows))
	}
	// The limit is per member: another student is not slowed down.
	f.b.Do(t, appSubmit(testenv.Member("li"), ids[5], appMotivation)).MustContain(t, "is in")
}

// With Redis down the apply limit can't be counted: applications still go through, since
// Redis must never cost an application.
func TestApplyWithRedisDown(t *testing.T) {
	srv := testenv.NewRedisServer(t)
	rdb := redis.NewClient(redis.Options{Addrs: []string{srv.Addr()}})
	t.Cleanup(func() { rdb.Close() })
	b := botenv.NewWith(t, testenv.NewPool(t), rdb)
	ent := b.AddEnterprise(t, "Harbor Tools", 200, "alice")
	pos := b.PostPosition(t, "alice", ent.ID, botenv.PositionInput("Lathe operator intern"))
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	b.Do(t, appSubmit(testenv.Member("bo"), pos.ID, appMotivation)).MustContain(t, "is in")
	b.Do(t, testenv.Slash(testenv.Member("bo"), "applications mine")).MustContain(t, "Lathe operator intern — Harbor Tools", "submitted")
	if rows := appRows(t, b); len(rows) != 1 {
		t.Fatalf("applications: %+v", rows)
	}
}

func TestOfferAcceptAndTimeline(t *testing.T) {
	f := newAppFixture(t, "2")
	bo, alice := testenv.Member("bo"), testenv.Member("alice")
	app := f.b.Apply(t, "bo", f.pos.ID)

	review := f.b.Do(t, testenv.Slash(alice, "applications review", testenv.StringOpt("position", strconv.FormatInt(f.pos.ID, 10))))
	seen := f.b.Press(t, "alice", review, "Offer #1")
	seen.MustContain(t, "Offer sent", "offered")
	if seen.Type != discordgo.InteractionResponseUpdateMessage {
		t.Errorf("offer did not update the card in place: type %d", seen.Type)
	}

	seen = f.b.Do(t, testenv.Slash(bo, "applications mine"))
	seen.MustContain(t, "Your applications (1)", "Lathe operator intern — Harbor Tools", "offered", "accept or decline it", "submitted → offered", "[Accept #1]", "[Decline #1]")
	if seen.Button(t, "Accept #1").CustomID != fmt.Sprintf("/application/%d/accept", app.ID) ||
		seen.Button(t, "Decline #1").CustomID != fmt.Sprintf("/application/%d/decline", app.ID) {
		t.Fatalf("buttons: %+v", seen.Buttons())
	}
	mine := seen

	seen = f.b.Press(t, "bo", mine, "Accept #1")
	seen.MustContain(t, "You accepted the offer", "A coordinator will now approve", "accepted", "[Withdraw]", "[All my applications]")
	if seen.Type != discordgo.InteractionResponseUpdateMessage {
		t.Errorf("accept did not update the card: type %d", seen.Type)
	}
	if st := appStatusOf(t, f.b, app.ID); st != "accepted" {
		t.Fatalf("status %s", st)
	}
	// The same button pressed again changes nothing and says so.
	seen = f.b.Press(t, "bo", mine, "Accept #1")
	seen.MustContain(t, "Already done: this application is already **accepted**")
	if n := appEvents(t, f.b, app.ID, "accepted"); n != 1 {
		t.Fatalf("%d accept events", n)
	}
	f.b.Do(t, testenv.Slash(bo, "applications mine")).MustContain(t, "submitted → offered → accepted", "waiting for a coordinator")
}

func TestDeclineOfferWithOptionalReason(t *testing.T) {
	f := newAppFixture(t, "1")
	li, alice := testenv.Member("li"), testenv.Member("alice")
	app := f.b.Apply(t, "li", f.pos.ID)
	f.b.Do(t, appButton(alice, app.ID, "offer"))

	form := f.b.Press(t, "li", f.b.Do(t, testenv.Slash(li, "applications mine")), "Decline #1")
	inputs := appTextInputs(t, form)
	if form.Data.CustomID != fmt.Sprintf("/application/%d/decline/submit", app.ID) || len(inputs) != 1 || inputs[0].Required || inputs[0].MaxLength != 300 {
		t.Fatalf("decline form %q %+v", form.Data.CustomID, inputs)
	}
	if st := appStatusOf(t, f.b, app.ID); st != "offered" {
		t.Fatalf("opening the form changed the status to %s", st)
	}
	f.b.Fill(t, "li", form, map[string]string{"reason": strings.Repeat("x", 301)}).MustRefuse(t, "Reason can be at most 300 characters")

	seen := f.b.Fill(t, "li", form, map[string]string{"reason": "I took a *kitchen* job instead."})
	seen.MustContain(t, "You declined the offer", "declined", `Your note: I took a \*kitchen\* job instead.`)
	if seen.Type != discordgo.InteractionResponseUpdateMessage {
		t.Errorf("decline did not update the card: type %d", seen.Type)
	}
	if st := appStatusOf(t, f.b, app.ID); st != "declined" {
		t.Fatalf("status %s", st)
	}
	// The slot is free again: another student can be offered it.
	other := f.b.Apply(t, "wei", f.pos.ID)
	f.b.Do(t, appButton(alice, other.ID, "offer")).MustContain(t, "Offer sent")
	// Declining again is already done; accepting a declined offer is refused.
	f.b.Do(t, appButton(li, app.ID, "decline")).MustContain(t, "Already done")
	f.b.Do(t, appButton(li, app.ID, "accept")).MustRefuse(t, "This application is declined, so it can't become accepted")
}

func TestWithdrawByButtonAndByCommand(t *testing.T) {
	f := newAppFixture(t, "2")
	bo := testenv.Member("bo")
	second := f.post(t, "Milling intern")
	first := f.b.Apply(t, "bo", f.pos.ID)
	other := f.b.Apply(t, "bo", second.ID)

	// Each entry and its button carry the application's own id, not its place in the list.
	mine := f.b.Do(t, testenv.Slash(bo, "applications mine"))
	mine.MustContain(t, fmt.Sprintf("#%d · Lathe operator intern", first.ID), fmt.Sprintf("#%d · Milling intern", other.ID))
	// Withdraw asks first, saying the student may apply again once; Keep it changes nothing.
	ask := f.b.Press(t, "bo", mine, fmt.Sprintf("Withdraw #%d", first.ID))
	ask.MustContain(t, "Withdraw your application to **Lathe operator intern**? You can apply again once.")
	f.b.Press(t, "bo", ask, "Keep it").MustContain(t, "submitted")
	if st := appStatusOf(t, f.b, first.ID); st != "submitted" {
		t.Fatalf("kept application is %s", st)
	}
	form := f.b.Press(t, "bo", ask, "Yes, withdraw")
	if inputs := appTextInputs(t, form); form.Data.CustomID != fmt.Sprintf("/application/%d/withdraw/submit", first.ID) || inputs[0].Required {
		t.Fatalf("withdraw form %q %+v", form.Data.CustomID, inputs)
	}
	seen := f.b.Fill(t, "bo", form, map[string]string{"reason": ""})
	seen.MustContain(t, "You withdrew your application to **Lathe operator intern**", "withdrawn")
	if st := appStatusOf(t, f.b, first.ID); st != "withdrawn" {
		t.Fatalf("status %s", st)
	}
	if seen.HasButton("Withdraw") {
		t.Error("a withdrawn application still offers Withdraw")
	}
	f.b.Fill(t, "bo", form, map[string]string{"reason": ""}).MustContain(t, "Already done")

	// The command suggests only open applications.
	choices := f.b.Choices(t, testenv.Autocomplete(bo, "applications withdraw", testenv.StringOpt("application", "")))
	if len(choices) != 1 || choices[0].Value != strconv.FormatInt(other.ID, 10) || choices[0].Name != "Milling intern — Harbor Tools (submitted)" {
		t.Fatalf("choices: %+v", choices)
	}
	ask = f.b.Do(t, testenv.Slash(bo, "applications withdraw", testenv.StringOpt("application", choices[0].Value.(string))))
	ask.MustContain(t, "Withdraw your application to **Milling intern**? You can apply again once.")
	if st := appStatusOf(t, f.b, other.ID); st != "submitted" {
		t.Fatalf("withdrawn before the confirmation: %s", st)
	}
	seen = f.b.Fill(t, "bo", f.b.Press(t, "bo", ask, "Yes, withdraw"), map[string]string{"reason": "Plans changed"})
	seen.MustContain(t, "You withdrew your application to **Milling intern**", "Your note: Plans changed")
	if st := appStatusOf(t, f.b, other.ID); st != "withdrawn" {
		t.Fatalf("status %s", st)
	}
	f.b.Do(t, testenv.Slash(bo, "applications withdraw", testenv.StringOpt("application", "Milling"))).MustContain(t, "no open applications to withdraw")
	f.b.Do(t, testenv.Slash(bo, "applications withdraw", testenv.StringOpt("application", "#"+strconv.FormatInt(other.ID, 10)))).MustRefuse(t, "This application is withdrawn, so it can't become withdrawn")
}

func TestStudentCannotTouchSomeoneElsesApplication(t *testing.T) {
	f := newAppFixture(t, "2")
	li := testenv.Member("li")
	app := f.b.Apply(t, "bo", f.pos.ID)
	f.b.Do(t, appButton(testenv.Member("alice"), app.ID, "offer"))

	for _, in := range []*discordgo.Interaction{
		appButton(li, app.ID, "accept"),
		appButton(li, app.ID, "decline"),
		appButton(li, app.ID, "withdraw"),
		appModal(li, app.ID, "decline", ""),
		appModal(li, app.ID, "withdraw", ""),
		testenv.Slash(li, "applications withdraw", testenv.StringOpt("application", strconv.FormatInt(app.ID, 10))),
	} {
		f.b.Do(t, in).MustRefuse(t, "That application isn't yours")
	}
	// A student can't act as a mentor either.
	for _, verb := range []string{"shortlist", "offer", "reject", "profile"} {
		f.b.Do(t, appButton(li, app.ID, verb)).MustRefuse(t, "You can't do this with your current roles")
	}
	if st := appStatusOf(t, f.b, app.ID); st != "offered" {
		t.Fatalf("status %s", st)
	}
	// Their autocomplete doesn't offer it.
	if got := f.b.Choices(t, testenv.Autocomplete(li, "applications withdraw", testenv.StringOpt("application", ""))); len(got) != 0 {
		t.Fatalf("li sees %+v", got)
	}
}

func TestMentorOfAnotherEnterpriseIsRefused(t *testing.T) {
	f := newAppFixture(t, "2")
	other := f.b.AddEnterprise(t, "Lotus Kitchens", 80, "mo")
	f.b.PostPosition(t, "mo", other.ID, botenv.PositionInput("Pastry intern"))
	mo := testenv.Member("mo") // mentors Lotus Kitchens, not Harbor Tools
	app := f.b.Apply(t, "bo", f.pos.ID)
	for _, verb := range []string{"shortlist", "offer"} {
		f.b.Do(t, appButton(mo, app.ID, verb)).MustRefuse(t, "That position belongs to an enterprise you don't mentor for")
	}
	for _, in := range []*discordgo.Interaction{appButton(mo, app.ID, "reject"), appButton(mo, app.ID, "profile")} {
		f.b.Do(t, in).MustRefuse(t, "That application isn't yours")
	}
	f.b.Do(t, appModal(mo, app.ID, "reject", "Not a good fit for us.")).MustRefuse(t, "That position belongs to an enterprise you don't mentor for")
	f.b.Do(t, testenv.Slash(mo, "applications review", testenv.StringOpt("position", strconv.FormatInt(f.pos.ID, 10)))).MustRefuse(t, "That position belongs to an enterprise you don't mentor for")
	f.b.Do(t, testenv.Button(mo, fmt.Sprintf("/applications/review/%d/0", f.pos.ID))).MustRefuse(t, "That position belongs to an enterprise you don't mentor for")
	// mo's suggestions are his own positions only.
	if got := f.b.Choices(t, testenv.Autocomplete(mo, "applications review", testenv.StringOpt("position", ""))); len(got) != 1 || got[0].Name != "Pastry intern — Lotus Kitchens" {
		t.Errorf("mo is offered %+v", got)
	}
	if st := appStatusOf(t, f.b, app.ID); st != "submitted" {
		t.Fatalf("status %s", st)
	}
}

func TestOfferOnTheLastSlotThenNoSlotsLeft(t *testing.T) {
	f := newAppFixture(t, "1")
	alice := testenv.Member("alice")
	first, second := f.b.Apply(t, "bo", f.pos.ID), f.b.Apply(t, "li", f.pos.ID)
	f.b.Do(t, appButton(alice, first.ID, "offer")).MustContain(t, "Offer sent")
	f.b.Do(t, appButton(alice, second.ID, "offer")).MustRefuse(t, "No slots are left on this position")
	if st := appStatusOf(t, f.b, second.ID); st != "submitted" {
		t.Fatalf("second: %s", st)
	}
	// The review list says no slot is left, and its Offer button can't be pressed and says why.
	review := f.b.Do(t, testenv.Slash(alice, "applications review", testenv.StringOpt("position", strconv.FormatInt(f.pos.ID, 10))))
	review.MustContain(t, "0 of 1 slot")
	offerButtons(t, review, second.ID, true)
	offerButtons(t, f.b.Do(t, appButton(alice, second.ID, "shortlist")), second.ID, true)
	// Once the slot is free again, Offer is back.
	if _, err := f.b.Service.Decline(context.Background(), f.b.Actor(t, "bo"), first.ID, ""); err != nil {
		t.Fatal(err)
	}
	offerButtons(t, f.b.Do(t, testenv.Slash(alice, "applications review", testenv.StringOpt("position", strconv.FormatInt(f.pos.ID, 10)))), second.ID, false)
}

// offerButtons checks the Offer button of the application: disabled saying no slot is left, or
// enabled.
func offerButtons(t *testing.T, seen botenv.Seen, id int64, full bool) {
	t.Helper()
	var found []*discordgo.Button
	for _, b := range seen.Buttons() {
		if b.CustomID == fmt.Sprintf("/application/%d/offer", id) {
			found = append(found, b)
		}
	}
	switch {
	case len(found) != 1:
		t.Errorf("want one Offer button of #%d, found %d\n%s", id, len(found), seen.Text())
	case full && (!found[0].Disabled || !strings.Contains(found[0].Label, "no slot left")):
		t.Errorf("with no slot left, Offer is %+v", found[0])
	case !full && (found[0].Disabled || strings.Contains(found[0].Label, "no slot left")):
		t.Errorf("with a slot free, Offer is %+v", found[0])
	}
}

func TestSameOfferPressedTwiceMakesOneOffer(t *testing.T) {
	f := newAppFixture(t, "2")
	alice := testenv.Member("alice")
	app := f.b.Apply(t, "bo", f.pos.ID)
	review := f.b.Do(t, testenv.Slash(alice, "applications review", testenv.StringOpt("position", strconv.FormatInt(f.pos.ID, 10))))
	f.b.Press(t, "alice", review, "Offer #1")
	seen := f.b.Press(t, "alice", review, "Offer #1")
	seen.MustContain(t, "Already done: this application is already **offered**")
	if seen.Type != discordgo.InteractionResponseUpdateMessage {
		t.Errorf("repeat press: type %d", seen.Type)
	}
	if n := appEvents(t, f.b, app.ID, "offered"); n != 1 {
		t.Fatalf("%d offer events", n)
	}
	var taken int
	if err := f.b.Pool.QueryRow(context.Background(), `SELECT taken FROM positions WHERE id = $1`, f.pos.ID).Scan(&taken); err != nil || taken != 1 {
		t.Fatalf("taken %d %v", taken, err)
	}

	// Two presses at the same moment: one offer.
	other := f.b.Apply(t, "li", f.pos.ID)
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f.b.Router.Dispatch(context.Background(), appButton(alice, other.ID, "offer"), noopResponder{})
		}()
	}
	wg.Wait()
	if n := appEvents(t, f.b, other.ID, "offered"); n != 1 {
		t.Fatalf("%d offer events after concurrent presses", n)
	}
}

func TestShortlistThenRejectWithReasonTheStudentSees(t *testing.T) {
	f := newAppFixture(t, "2")
	alice, bo := testenv.Member("alice"), testenv.Member("bo")
	app := f.b.Apply(t, "bo", f.pos.ID)

	review := f.b.Do(t, testenv.Slash(alice, "applications review", testenv.StringOpt("position", strconv.FormatInt(f.pos.ID, 10))))
	card := f.b.Press(t, "alice", review, "Shortlist #1")
	card.MustContain(t, "Shortlisted", "shortlisted", "[Offer]", "[Reject]", "[Profile]", "[All applicants]")
	if card.HasButton("Shortlist") {
		t.Error("a shortlisted applicant still offers Shortlist")
	}

	form := f.b.Press(t, "alice", card, "Reject")
	inputs := appTextInputs(t, form)
	if form.Data.CustomID != fmt.Sprintf("/application/%d/reject/submit", app.ID) || len(inputs) != 1 || !inputs[0].Required ||
		inputs[0].MinLength != 3 || inputs[0].MaxLength != 300 {
		t.Fatalf("reject form %q %+v", form.Data.CustomID, inputs)
	}
	reject := func(reason string) botenv.Seen {
		return f.b.Fill(t, "alice", form, map[string]string{"reason": reason})
	}
	reject("").MustRefuse(t, "Reason is required")
	reject("no").MustRefuse(t, "Reason needs at least 3 characters")
	reject(strings.Repeat("r", 301)).MustRefuse(t, "Reason can be at most 300 characters")
	if st := appStatusOf(t, f.b, app.ID); st != "shortlisted" {
		t.Fatalf("status after bad reasons: %s", st)
	}

	seen := reject("We need someone with welding experience.")
	seen.MustContain(t, "Rejected. The student has been told", "rejected", "We need someone with welding experience.")
	if seen.Type != discordgo.InteractionResponseUpdateMessage {
		t.Errorf("reject did not update the card: type %d", seen.Type)
	}
	f.b.Press(t, "alice", card, "Reject").MustContain(t, "Already done")
	mine := f.b.Do(t, testenv.Slash(bo, "applications mine"))
	mine.MustContain(t, "rejected", "Reason given: We need someone with welding experience.")
	if mine.HasButton("Withdraw") {
		t.Error("a rejected application offers Withdraw")
	}
}

func TestCoordinatorReviewsAndRejects(t *testing.T) {
	f := newAppFixture(t, "2")
	carol := testenv.Member("carol")
	app := f.b.Apply(t, "bo", f.pos.ID)
	f.b.Do(t, appButton(testenv.Member("alice"), app.ID, "offer"))
	f.b.Do(t, appButton(testenv.Member("bo"), app.ID, "accept"))

	seen := f.b.Do(t, testenv.Slash(carol, "applications review", testenv.StringOpt("position", "Lathe operator intern")))
	seen.MustContain(t, "Applicants — Lathe operator intern", "accepted", "[Reject #1]", "[Profile #1]")
	if seen.HasButton("Offer") || seen.HasButton("Shortlist") {
		t.Error("a coordinator is offered mentor-only actions")
	}
	f.b.Do(t, appButton(carol, app.ID, "shortlist")).MustRefuse(t, "That position belongs to an enterprise you don't mentor for")
	form := f.b.Press(t, "carol", seen, "Reject #1")
	appTextInputs(t, form)
	f.b.Fill(t, "carol", form, map[string]string{"reason": "The placement agreement was not signed in time."}).MustContain(t, "Rejected")
	if st := appStatusOf(t, f.b, app.ID); st != "rejected" {
		t.Fatalf("status %s", st)
	}
}

func TestReviewRanksByFitAndShowsProfile(t *testing.T) {
	f := newAppFixture(t, "2")
	alice := testenv.Member("alice")
	f.b.SaveProfile(t, "bo", placement.ProfileInput{Program: "Culinary arts", Skills: "cooking"})
	f.b.SaveProfile(t, "wei", placement.ProfileInput{Program: "Mechatronics", Cohort: "2024", Skills: "CNC, CAD, teamwork, PLC"})
	boApp := f.b.Apply(t, "bo", f.pos.ID)
	weiApp := f.b.Apply(t, "wei", f.pos.ID)
	f.b.Apply(t, "li", f.pos.ID)

	choices := f.b.Choices(t, testenv.Autocomplete(alice, "applications review", testenv.StringOpt("position", "lathe")))
	if len(choices) != 1 || choices[0].Value != strconv.FormatInt(f.pos.ID, 10) {
		t.Fatalf("choices %+v", choices)
	}
	seen := f.b.Do(t, testenv.Slash(alice, "applications review", testenv.StringOpt("position", choices[0].Value.(string))))
	text := seen.Text()
	seen.MustContain(t, "3 applicants, 3 still open", "2 of 2 slots left", "Skills matched: CNC, CAD, teamwork (3/3)", "No required skill matched", "Mechatronics · 2024")
	wei, bo := strings.Index(text, "<@"+testenv.Member("wei").ID+">"), strings.Index(text, "<@"+testenv.Member("bo").ID+">")
	if wei < 0 || bo < 0 || wei > bo {
		t.Fatalf("wei (best fit) should come before bo:\n%s", text)
	}
	if seen.Button(t, fmt.Sprintf("Offer #%d", weiApp.ID)).CustomID != fmt.Sprintf("/application/%d/offer", weiApp.ID) {
		t.Fatalf("buttons %+v", seen.Buttons())
	}
	if !seen.Ephemeral() {
		t.Error("the applicant list is public")
	}
	list := seen

	seen = f.b.Press(t, "alice", list, fmt.Sprintf("Profile #%d", weiApp.ID))
	seen.MustContain(t, "Profile: applicant to Lathe operator intern", "Mechatronics", "PLC", "Motivation", "trained on these machines")
	if seen.Type != discordgo.InteractionResponseChannelMessageWithSource || !seen.Ephemeral() {
		t.Errorf("profile should open beside the list: type %d", seen.Type)
	}
	for _, b := range list.Buttons() {
		if b.CustomID == fmt.Sprintf("/application/%d/profile", boApp.ID) {
			f.b.Press(t, "alice", list, b.Label).MustContain(t, "Culinary arts", "cooking")
		}
	}
}

func TestReviewProfileOfStudentWithoutOne(t *testing.T) {
	f := newAppFixture(t, "2")
	app := f.b.Apply(t, "bo", f.pos.ID)
	seen := f.b.Do(t, appButton(testenv.Member("alice"), app.ID, "profile"))
	seen.MustContain(t, "hasn't filled in a profile yet", "trained on these machines")
	f.b.Do(t, testenv.Slash(testenv.Member("alice"), "applications review", testenv.StringOpt("position", strconv.FormatInt(f.pos.ID, 10)))).MustContain(t, "no profile yet")
}

func TestReviewAndMineArePaged(t *testing.T) {
	f := newAppFixture(t, "2")
	alice := testenv.Member("alice")
	for i := range 6 {
		f.b.Do(t, appSubmit(appStudent(i), f.pos.ID, appMotivation))
	}
	if rows := appRows(t, f.b); len(rows) != 6 {
		t.Fatalf("applications: %d", len(rows))
	}
	seen := f.b.Do(t, testenv.Slash(alice, "applications review", testenv.StringOpt("position", strconv.FormatInt(f.pos.ID, 10))))
	if n := len(seen.Data.Embeds[0].Fields); n != 4 {
		t.Fatalf("first page shows %d applicants", n)
	}
	seen.MustContain(t, "[Next ▶]", "[Offer #4]")
	appFooter(t, seen, "Page 1 of 2")
	if next := seen.Button(t, "Next ▶").CustomID; next != fmt.Sprintf("/applications/review/%d/1", f.pos.ID) {
		t.Fatalf("next: %q", next)
	}
	seen = f.b.Press(t, "alice", seen, "Next ▶")
	if seen.Type != discordgo.InteractionResponseUpdateMessage || len(seen.Data.Embeds[0].Fields) != 2 {
		t.Fatalf("second page: type %d %s", seen.Type, seen.Text())
	}
	seen.MustContain(t, "#5", "#6", "[Offer #6]")
	appFooter(t, seen, "Page 2 of 2")
	// Acting on #6 shows their card; its way back leads to their page.
	seen = f.b.Press(t, "alice", seen, "Shortlist #6")
	seen.MustContain(t, "Applicant #6 for Lathe operator intern")
	if back := seen.Button(t, "All applicants").CustomID; back != fmt.Sprintf("/applications/review/%d/1", f.pos.ID) {
		t.Fatalf("back: %q", back)
	}
	// A page past the end shows the last one.
	appFooter(t, f.b.Do(t, testenv.Button(alice, fmt.Sprintf("/applications/review/%d/40", f.pos.ID))), "Page 2 of 2")

	// A student's own list pages the same way.
	bo := testenv.Member("bo")
	for i := range 5 {
		f.b.Do(t, appSubmit(bo, f.post(t, fmt.Sprintf("Paged job %d", i)).ID, appMotivation))
	}
	seen = f.b.Do(t, testenv.Slash(bo, "applications mine"))
	seen.MustContain(t, "Your applications (5)", "Paged job 4")
	appIDsMatch(t, seen, 4)
	appFooter(t, seen, "Page 1 of 2")
	if strings.Contains(seen.Text(), "Paged job 0") {
		t.Error("oldest application on the first page")
	}
	seen = f.b.Press(t, "bo", seen, "Next ▶")
	seen.MustContain(t, "Paged job 0")
	appIDsMatch(t, seen, 1)
	appFooter(t, seen, "Page 2 of 2")
}

// appIDsMatch checks a page of /applications mine has n Withdraw buttons, each naming the id of
// an entry on the page.
func appIDsMatch(t *testing.T, seen botenv.Seen, n int) {
	t.Helper()
	got := 0
	for _, b := range seen.Buttons() {
		if id, ok := strings.CutPrefix(b.Label, "Withdraw #"); ok {
			got++
			if !strings.Contains(seen.Text(), "#"+id+" · ") || b.CustomID != "/application/"+id+"/withdraw" {
				t.Errorf("button %q (%s) names no entry:\n%s", b.Label, b.CustomID, seen.Text())
			}
		}
	}
	if got != n {
		t.Errorf("%d Withdraw buttons, want %d", got, n)
	}
}

func TestApplicationsMineEmpty(t *testing.T) {
	b := botenv.New(t)
	seen := b.Do(t, testenv.Slash(testenv.Member("bo"), "applications mine"))
	seen.MustContain(t, "You haven't applied to any position yet", "/positions browse")
	b.Do(t, testenv.Slash(testenv.Member("alice"), "applications mine")).MustRefuse(t, "Only students can do this")
}

func TestApplicationCustomIDsAreUntrusted(t *testing.T) {
	f := newAppFixture(t, "2")
	bo, alice := testenv.Member("bo"), testenv.Member("alice")
	app := f.b.Apply(t, "bo", f.pos.ID)
	for _, in := range []*discordgo.Interaction{
		testenv.Button(bo, "/application/abc/accept"),
		testenv.Button(bo, "/application/-1/withdraw"),
		testenv.Button(bo, "/application/1e3/decline"),
		testenv.Button(bo, "/applications/mine/-1"),
		testenv.Button(bo, "/applications/mine/x"),
		testenv.Button(bo, "/applications/mine/007"),
		testenv.Button(alice, "/application/ 1/offer"),
		testenv.Button(alice, "/applications/review/abc/0"),
		testenv.Button(alice, fmt.Sprintf("/applications/review/%d/99999999", f.pos.ID)),
		testenv.ModalSubmit(alice, "/application/x/reject/submit", map[string]string{"reason": "Not a fit."}),
	} {
		f.b.Do(t, in).MustRefuse(t, "no longer valid")
	}
	for _, in := range []*discordgo.Interaction{
		appButton(bo, 987654, "accept"),
		appButton(alice, 987654, "offer"),
		appButton(alice, 987654, "reject"),
	} {
		f.b.Do(t, in).MustRefuse(t, "I can't find that application")
	}
	if st := appStatusOf(t, f.b, app.ID); st != "submitted" {
		t.Fatalf("status %s", st)
	}
}

func TestUserTextShownAsText(t *testing.T) {
	f := newAppFixture(t, "2")
	alice, bo := testenv.Member("alice"), testenv.Member("bo")
	pos := f.post(t, "**Big** _robot_ job")
	motivation := "**Hire me** @everyone <@" + testenv.Member("carol").ID + "> [click](https://x.example) I love machines."
	// A form's title is plain text: the title shows as typed there.
	form := f.b.Do(t, testenv.Slash(bo, "apply", testenv.StringOpt("position", strconv.FormatInt(pos.ID, 10))))
	if form.Data.Title != "Apply: **Big** _robot_ job" {
		t.Errorf("form title %q", form.Data.Title)
	}
	seen := f.b.Fill(t, "bo", form, map[string]string{"motivation": motivation})
	seen.MustContain(t, `\*\*Big\*\* \_robot\_ job`, `\*\*Hire me\*\*`, "@\u200beveryone", `\<@`+"\u200b"+testenv.Member("carol").ID+`\>`, `\[click\]`)
	mustEscapeOnce(t, seen)

	seen = f.b.Do(t, testenv.Slash(alice, "applications review", testenv.StringOpt("position", strconv.FormatInt(pos.ID, 10))))
	text := seen.Text()
	if strings.Contains(text, "**Hire me**") || strings.Contains(text, "@everyone") || strings.Contains(text, " <@"+testenv.Member("carol").ID+">") {
		t.Fatalf("motivation rendered as markdown or mention:\n%s", text)
	}
	seen.MustContain(t, `\*\*Big\*\* \_robot\_ job`, `\*\*Hire me\*\*`, "<@"+bo.ID+">")
	mustEscapeOnce(t, seen)
	// The applicant's card and profile show it the same way; the bot's own mention stays one.
	card := f.b.Press(t, "alice", seen, "Shortlist #1")
	card.MustContain(t, "Applicant #1 for "+`\*\*Big\*\* \_robot\_ job`, `\*\*Hire me\*\*`, "<@"+bo.ID+">")
	mustEscapeOnce(t, card)
	profile := f.b.Press(t, "alice", seen, "Profile #1")
	profile.MustContain(t, `applicant to \*\*Big\*\* \_robot\_ job`, `\*\*Hire me\*\*`, "<@"+bo.ID+">")
	mustEscapeOnce(t, profile)
	mine := f.b.Do(t, testenv.Slash(bo, "applications mine"))
	mine.MustContain(t, `\*\*Big\*\* \_robot\_ job`)
	mustEscapeOnce(t, mine)
	// Every message went out allowing no mentions (the fake Discord also refuses any that don't).
	for _, c := range f.b.Discord.Calls() {
		var body struct {
			Type int `json:"type"`
			Data *struct {
				AllowedMentions *discordgo.MessageAllowedMentions `json:"allowed_mentions"`
			} `json:"data"`
		}
		if c.Decode(&body) != nil || body.Data == nil || body.Type != 4 && body.Type != 7 {
			continue
		}
		if body.Data.AllowedMentions == nil || len(body.Data.AllowedMentions.Parse) != 0 {
			t.Errorf("%s allows mentions: %+v", c.Path, body.Data.AllowedMentions)
		}
	}
}

func TestApplicationsInChinese(t *testing.T) {
	f := newAppFixture(t, "2")
	in := testenv.Slash(testenv.Member("bo"), "apply", testenv.StringOpt("position", strconv.FormatInt(f.pos.ID, 10)))
	in.Locale = discordgo.ChineseCN
	seen := f.b.Do(t, in)
	if inputs := appTextInputs(t, seen); !strings.HasPrefix(seen.Data.Title, "投递") || !strings.Contains(inputs[0].Label, "为什么") {
		t.Fatalf("zh-CN form: %q %+v", seen.Data.Title, inputs[0])
	}
	sub := appSubmit(testenv.Member("bo"), f.pos.ID, appMotivation)
	sub.Locale = discordgo.ChineseCN
	f.b.Do(t, sub).MustContain(t, "你已投递", "已提交", "/申请 我的申请")
}

func TestConcurrentApplyToOnePosition(t *testing.T) {
	f := newAppFixture(t, "2")
	const n = 200
	seen := make([]botenv.Seen, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			seen[i] = f.b.Do(t, appSubmit(appStudent(1000+i), f.pos.ID, appMotivation))
		}()
	}
	wg.Wait()
	for i, s := range seen {
		if !strings.Contains(s.Text(), "is in") {
			t.Errorf("student %d saw: %s", i, s.Text())
		}
	}
	rows := appRows(t, f.b)
	students := map[string]bool{}
	for _, r := range rows {
		students[r.StudentID] = true
	}
	if len(rows) != n || len(students) != n {
		t.Fatalf("%d applications from %d students, want %d", len(rows), len(students), n)
	}
}

// noopResponder drops the answers of interactions whose effect a test reads from the database.
type noopResponder struct{}

func (noopResponder) Respond(context.Context, *discordgo.InteractionResponse) error { return nil }
func (noopResponder) EditOriginal(context.Context, *discordgo.WebhookEdit) error    { return nil }
func (noopResponder) Followup(context.Context, *discordgo.WebhookParams) error      { return nil }
