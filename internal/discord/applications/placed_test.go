package applications_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"placementbot/internal/demo"
	"placementbot/internal/placement"
	"placementbot/internal/testenv"
	"placementbot/internal/testenv/botenv"
)

// TestPlacedStudent: once placed, a student can neither apply nor be recommended positions;
// the approved application points to /placements end instead of withdrawing; the application
// withdrawn by the approval says so in the member's language; and an ended placement shows as
// ended, with its date and reason, instead of approved.
func TestPlacedStudent(t *testing.T) {
	f := newAppFixture(t, "2")
	ctx := context.Background()
	bo := testenv.Member("bo")
	other := f.post(t, "Milling intern")
	app := f.b.Apply(t, "bo", f.pos.ID)
	elsewhere := f.b.Apply(t, "bo", other.ID)
	carol, alice, student := f.b.Actor(t, "carol"), f.b.Actor(t, "alice"), f.b.Actor(t, "bo")
	_, err := f.b.Service.Offer(ctx, alice, app.ID)
	if err == nil {
		_, err = f.b.Service.Accept(ctx, student, app.ID)
	}
	for _, item := range placement.DefaultChecklist {
		if err == nil {
			_, err = f.b.Service.TickCheck(ctx, carol, app.ID, item, true)
		}
	}
	var p placement.Placement
	if err == nil {
		p, err = f.b.Service.Approve(ctx, carol, app.ID)
	}
	if err != nil {
		t.Fatal(err)
	}

	third := f.post(t, "Welding intern")
	f.b.Do(t, appSubmit(bo, third.ID, appMotivation)).MustRefuse(t, "You are already placed: **Lathe operator intern** at **Harbor Tools**")
	f.b.Do(t, testenv.Slash(bo, "positions recommended")).MustRefuse(t, "You are already placed")
	f.b.Do(t, testenv.Slash(bo, "applications withdraw", testenv.StringOpt("application", fmt.Sprintf("#%d", app.ID)))).MustRefuse(t, "/placements end")

	mine := f.b.Do(t, testenv.Slash(bo, "applications mine"))
	mine.MustContain(t, "Withdrawn automatically: you were placed at **Lathe operator intern** (Harbor Tools).", "submitted → withdrawn automatically")
	if strings.Contains(mine.Text(), "Your note") {
		t.Errorf("the bot's reason shown as the student's note:\n%s", mine.Text())
	}
	// The audit trail and the application's own card read it in words too, never as stored.
	audit := f.b.Do(t, testenv.Slash(testenv.Member("carol"), "audit", testenv.StringOpt("application", fmt.Sprintf("#%d", elsewhere.ID))))
	audit.MustContain(t, "Withdrawn automatically: the student was placed elsewhere.")
	card := f.b.Do(t, testenv.Button(bo, fmt.Sprintf("/application/%d/view", elsewhere.ID)))
	card.MustContain(t, "Withdrawn automatically: you were placed at **Lathe operator intern** (Harbor Tools).")
	for _, seen := range []botenv.Seen{mine, audit, card} {
		if text := seen.Text(); strings.Contains(text, "placed_elsewhere") || strings.Contains(text, "placed elsewhere”") || strings.Contains(text, "\x1f") {
			t.Errorf("the bot's reason shown as stored:\n%s", text)
		}
	}
	zh := testenv.Slash(bo, "applications mine")
	zh.Locale = discordgo.ChineseCN
	f.b.Do(t, zh).MustContain(t, "已自动撤回：你已获得 Harbor Tools **Lathe operator intern** 的实习安排。", "自动撤回")

	if _, err := f.b.Service.EndPlacement(ctx, carol, p.ID, "Workshop closed for renovation"); err != nil {
		t.Fatal(err)
	}
	mine = f.b.Do(t, testenv.Slash(bo, "applications mine"))
	mine.MustContain(t, fmt.Sprintf("#%d · Lathe operator intern", app.ID), "Placement ended on ", "Reason: Workshop closed for renovation.")
	if strings.Contains(mine.Text(), "your placement is confirmed") {
		t.Errorf("an ended placement shown as approved:\n%s", mine.Text())
	}
	// Ended, the student may apply again.
	f.b.Apply(t, "bo", third.ID)
	if st := appStatusOf(t, f.b, elsewhere.ID); st != "withdrawn" {
		t.Fatalf("the other application is %s", st)
	}
}

// TestMentorCannotApplyToOwnEnterprise: a member with both the student and the mentor role
// cannot apply to a position of the enterprise they mentor, and nothing is filed.
func TestMentorCannotApplyToOwnEnterprise(t *testing.T) {
	f := newAppFixture(t, "2")
	both := testenv.Member("alice")
	both.RoleIDs = append(append([]string{}, both.RoleIDs...), demo.StudentRoleID)
	f.b.Do(t, appSubmit(both, f.pos.ID, appMotivation)).MustRefuse(t, "You mentor **Harbor Tools**, so you can't apply to its positions")
	var n int
	if err := f.b.Pool.QueryRow(context.Background(), `SELECT count(*) FROM applications`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d applications filed (%v)", n, err)
	}
	// Another enterprise's position is fine.
	lotus := f.b.AddEnterprise(t, "Lotus Kitchens", 200, "mo")
	pos := f.b.PostPosition(t, "mo", lotus.ID, botenv.PositionInput("Lathe operator intern"))
	f.b.Do(t, appSubmit(both, pos.ID, appMotivation)).MustContain(t, "Your application to **Lathe operator intern** at **Lotus Kitchens** is in")
}
