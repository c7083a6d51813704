package applications_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"placementbot/internal/demo"
	"placementbot/internal/placement"
	"placementbot/internal/redis"
	"placementbot/internal/testenv"
	"placementbot/internal/testenv/botenv"
)

// TestReapplyOnceAfterWithdrawing: withdrawing asks first and says the student may apply again
// once; they do, on the same application, and the mentor hears of it again; withdrawing the
// second time is announced as final, and after it the Apply button refuses before the form.
func TestReapplyOnceAfterWithdrawing(t *testing.T) {
	f := newAppFixture(t, "2")
	bo := testenv.Member("bo")
	app := f.b.Apply(t, "bo", f.pos.ID)

	withdraw := func(want string) {
		t.Helper()
		ask := f.b.Do(t, appButton(bo, app.ID, "withdraw"))
		ask.MustContain(t, "Withdraw your application to **Lathe operator intern**? "+want)
		f.b.Fill(t, "bo", f.b.Press(t, "bo", ask, "Yes, withdraw"), map[string]string{"reason": ""}).MustContain(t, "You withdrew")
	}
	withdraw("You can apply again once.")

	form := f.b.Do(t, testenv.Button(bo, "/apply/"+strconv.FormatInt(f.pos.ID, 10)))
	seen := f.b.Fill(t, "bo", form, map[string]string{"motivation": "On second thought: I do want to run your lathes this term."})
	seen.MustContain(t, "Your application to **Lathe operator intern** at **Harbor Tools** is in", "submitted → withdrawn → submitted")
	rows := appRows(t, f.b)
	if len(rows) != 1 || rows[0].ID != app.ID || rows[0].Status != "submitted" || rows[0].Reason != "" {
		t.Fatalf("applying again: %+v", rows)
	}
	var told int
	if err := f.b.Pool.QueryRow(context.Background(), `SELECT count(*) FROM notifications WHERE user_id = $1 AND message_key = 'note.mentor_new_application'`,
		testenv.Member("alice").ID).Scan(&told); err != nil || told != 2 {
		t.Fatalf("the mentor was told of %d applications (%v)", told, err)
	}

	withdraw("This is final: you can't apply to this position again.")
	f.b.Do(t, testenv.Button(bo, "/apply/"+strconv.FormatInt(f.pos.ID, 10))).MustRefuse(t, "that withdrawal is final")
	f.b.Do(t, appSubmit(bo, f.pos.ID, appMotivation)).MustRefuse(t, "that withdrawal is final")
	if st := appStatusOf(t, f.b, app.ID); st != "withdrawn" || appEvents(t, f.b, app.ID, "submitted") != 2 {
		t.Fatalf("status %s after the final withdrawal", st)
	}
}

// TestApplyRefusedBeforeTheForm: what can be checked before the student types is checked
// before the form opens, each refusal saying why: the cap, already applied, already placed,
// and opening forms too fast.
func TestApplyRefusedBeforeTheForm(t *testing.T) {
	f := newAppFixture(t, "2")
	appSQL(t, f.b, `UPDATE guilds SET open_application_cap = 1 WHERE guild_id = $1`, demo.GuildID)
	bo := testenv.Member("bo")
	second := f.post(t, "Milling intern")
	f.b.Apply(t, "bo", f.pos.ID)
	button := func(m demo.Member, id int64) botenv.Seen {
		return f.b.Do(t, testenv.Button(m, "/apply/"+strconv.FormatInt(id, 10)))
	}
	button(bo, second.ID).MustRefuse(t, "You already have 1 open applications, the most this school allows")
	f.b.Do(t, testenv.Slash(bo, "apply", testenv.StringOpt("position", strconv.FormatInt(second.ID, 10)))).MustRefuse(t, "the most this school allows")
	button(bo, f.pos.ID).MustRefuse(t, "You have already applied to this position")

	// Forms open at most five times a minute.
	li := testenv.Member("li")
	for range 5 {
		if seen := button(li, second.ID); seen.Type != discordgo.InteractionResponseModal {
			t.Fatalf("form refused: %s", seen.Text())
		}
	}
	button(li, second.ID).MustRefuse(t, "at most 5 applications a minute")
	if len(appRows(t, f.b)) != 1 {
		t.Fatal("opening forms filed applications")
	}
}

// TestRefusedSubmitKeepsTheMotivation: a submission refused after the form opened (here the
// cap, reached meanwhile) keeps what the student typed behind Edit and retry, which reopens
// the form prefilled once they may apply.
func TestRefusedSubmitKeepsTheMotivation(t *testing.T) {
	f := newAppFixture(t, "2")
	appSQL(t, f.b, `UPDATE guilds SET open_application_cap = 1 WHERE guild_id = $1`, demo.GuildID)
	bo := testenv.Member("bo")
	second := f.post(t, "Milling intern")
	form := f.b.Do(t, testenv.Button(bo, "/apply/"+strconv.FormatInt(f.pos.ID, 10)))
	other := f.b.Apply(t, "bo", second.ID)

	typed := "I milled **parts** for our robot team <@" + testenv.Member("li").ID + "> and want more."
	seen := f.b.Fill(t, "bo", form, map[string]string{"motivation": typed})
	seen.MustRefuse(t, "You already have 1 open applications")
	seen.MustContain(t, "Your motivation is kept for 15 minutes")
	if len(appRows(t, f.b)) != 1 {
		t.Fatal("the refused submission filed an application")
	}
	// Still refused: the retry says why instead of opening the form.
	f.b.Press(t, "bo", seen, "Edit and retry").MustRefuse(t, "the most this school allows")

	if _, err := f.b.Service.Withdraw(context.Background(), f.b.Actor(t, "bo"), other.ID, ""); err != nil {
		t.Fatal(err)
	}
	retry := f.b.Press(t, "bo", seen, "Edit and retry")
	if inputs := appTextInputs(t, retry); inputs[0].Value != typed || retry.Data.CustomID != fmt.Sprintf("/apply/%d/submit", f.pos.ID) {
		t.Fatalf("retry form %q prefilled with %q", retry.Data.CustomID, inputs[0].Value)
	}
	f.b.Fill(t, "bo", retry, map[string]string{"motivation": typed}).MustContain(t, "is in")
	// Filed, the draft is gone: a retry opens an empty form.
	appSQL(t, f.b, `UPDATE guilds SET open_application_cap = 10 WHERE guild_id = $1`, demo.GuildID)
	third := f.post(t, "Welding intern")
	if inputs := appTextInputs(t, f.b.Do(t, testenv.Button(bo, fmt.Sprintf("/apply/%d/retry", third.ID)))); inputs[0].Value != "" {
		t.Fatalf("a form never refused is prefilled with %q", inputs[0].Value)
	}
}

// TestRefusedSubmitWithSessionsDown: with session storage down, a refused submission shows
// the typed motivation back, literally, in a code block the student can copy.
func TestRefusedSubmitWithSessionsDown(t *testing.T) {
	srv := testenv.NewRedisServer(t)
	rdb := redis.NewClient(redis.Options{Addrs: []string{srv.Addr()}})
	t.Cleanup(func() { rdb.Close() })
	b := botenv.NewWith(t, testenv.NewPool(t), rdb)
	ent := b.AddEnterprise(t, "Harbor Tools", 200, "alice")
	pos := b.PostPosition(t, "alice", ent.ID, botenv.PositionInput("Lathe operator intern"))
	other := b.PostPosition(t, "alice", ent.ID, botenv.PositionInput("Milling intern"))
	appSQL(t, b, `UPDATE guilds SET open_application_cap = 1 WHERE guild_id = $1`, demo.GuildID)
	b.Apply(t, "bo", other.ID)
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	typed := "I milled **parts** for our robot team\nand ```want``` more of it."
	seen := b.Do(t, appSubmit(testenv.Member("bo"), pos.ID, typed))
	seen.MustRefuse(t, "You already have 1 open applications")
	seen.MustContain(t, "here it is to copy:\n```\nI milled **parts** for our robot team\nand `\u200b``want`\u200b`` more of it.\n```")
	if seen.HasButton("Edit and retry") {
		t.Error("Edit and retry offered with nothing kept")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("refusal took %v", d)
	}
}

// TestOffersPinnedOnTop: offers waiting for an answer lead /applications mine, with when they
// expire as a Discord timestamp, however old they are.
func TestOffersPinnedOnTop(t *testing.T) {
	f := newAppFixture(t, "2")
	bo := testenv.Member("bo")
	offered := f.b.Apply(t, "bo", f.pos.ID)
	newer := f.b.Apply(t, "bo", f.post(t, "Milling intern").ID)
	f.b.Do(t, appButton(testenv.Member("alice"), offered.ID, "offer")).MustContain(t, "Offer sent")
	var at time.Time
	if err := f.b.Pool.QueryRow(context.Background(), `SELECT offered_at FROM applications WHERE id = $1`, offered.ID).Scan(&at); err != nil {
		t.Fatal(err)
	}
	mine := f.b.Do(t, testenv.Slash(bo, "applications mine"))
	text := mine.Text()
	first, second := strings.Index(text, fmt.Sprintf("#%d ·", offered.ID)), strings.Index(text, fmt.Sprintf("#%d ·", newer.ID))
	if first < 0 || second < 0 || first > second {
		t.Fatalf("the offer is not on top:\n%s", text)
	}
	expires := strconv.FormatInt(at.Add(7*24*time.Hour).Unix(), 10)
	mine.MustContain(t, "Answer by <t:"+expires+":f> (<t:"+expires+":R>)")
	if strings.Count(text, "Answer by") != 1 {
		t.Errorf("only the offer has an expiry:\n%s", text)
	}
	// Its own card says so too.
	f.b.Do(t, testenv.Button(bo, fmt.Sprintf("/application/%d/view", offered.ID))).MustContain(t, "Answer by <t:"+expires+":f>")
}

// TestReappliedApplicationWithdrawnByApproval: an application applied to again goes through
// its statuses a second time, and its student hears of each again, the bot's withdrawal on
// another approval included.
func TestReappliedApplicationWithdrawnByApproval(t *testing.T) {
	f := newAppFixture(t, "2")
	ctx := context.Background()
	student, alice, carol := f.b.Actor(t, "bo"), f.b.Actor(t, "alice"), f.b.Actor(t, "carol")
	again := f.b.Apply(t, "bo", f.pos.ID)
	if _, err := f.b.Service.Withdraw(ctx, student, again.ID, ""); err != nil {
		t.Fatal(err)
	}
	f.b.Apply(t, "bo", f.pos.ID)
	placed := f.b.Apply(t, "bo", f.post(t, "Milling intern").ID)
	_, err := f.b.Service.Offer(ctx, alice, placed.ID)
	if err == nil {
		_, err = f.b.Service.Accept(ctx, student, placed.ID)
	}
	for _, item := range placement.DefaultChecklist {
		if err == nil {
			_, err = f.b.Service.TickCheck(ctx, carol, placed.ID, item, true)
		}
	}
	if err == nil {
		_, err = f.b.Service.Approve(ctx, carol, placed.ID)
	}
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	rows, err := f.b.Pool.Query(ctx, `SELECT message_key FROM notifications WHERE user_id = $1 AND dedup_key LIKE $2 ORDER BY id`,
		student.UserID, fmt.Sprintf("application:%d:%%", again.ID))
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k)
	}
	if want := "note.app_submitted note.app_withdrawn note.app_submitted note.app_withdrawn_placed"; strings.Join(keys, " ") != want {
		t.Fatalf("the student was told %v, want %s", keys, want)
	}
}
