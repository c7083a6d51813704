package positions_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"placementbot/internal/placement"
	"placementbot/internal/testenv"
	"placementbot/internal/testenv/botenv"
)

// fullWidth writes the digits of s as full-width digits, as Chinese input methods often do.
func fullWidth(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return '０' + (r - '0')
		}
		return r
	}, s)
}

func TestPostingListsEveryWrongFieldAndKeepsWhatWasTyped(t *testing.T) {
	b := postingBot(t)
	b.AddEnterprise(t, "Acme", 200, "alice")
	y := time.Now().Year() + 1
	febDays := time.Date(y, 3, 0, 0, 0, 0, 0, time.UTC).Day()
	basics := postingBasics("ab")
	basics["location"] = ""
	details := map[string]string{"slots": "abc", "start": fmt.Sprintf("%d年2月30日", y), "end": fmt.Sprintf("%d/6/30", y),
		"deadline": fullWidth(fmt.Sprintf("%d年2月1日", y)), "stipend": ""}
	seen := b.Fill(t, "alice", postingStart(t, b, "alice"), basics)
	preview := b.Fill(t, "alice", b.Press(t, "alice", seen, "Details"), details)
	problems := []string{
		"• Title needs at least 3 characters. (**Edit basics**)",
		"• Give a location, or mark the position as remote. (**Edit basics**)",
		"• Slots must be a whole number from 1 to 500 (you wrote “abc”). (**Details**)",
		fmt.Sprintf("• Start date: “%d年2月30日” isn't a date: month 2 of %d has %d days. (**Details**)", y, y, febDays),
	}
	wantText(t, "preview", preview, append([]string{"4 things to fix before publishing:"}, problems...)...)

	refused := b.Press(t, "alice", preview, "Publish")
	wantText(t, "publish", refused, append([]string{"Not published yet: 4 things to fix.", "Your draft is kept"}, problems...)...)
	if n := postingCount(t, b); n != 0 {
		t.Fatalf("%d positions from a wrong draft", n)
	}

	// Both forms reopen with exactly what was typed.
	form := postingModalValues(t, b.Press(t, "alice", refused, "Details"))
	for k, v := range details {
		if form[k] != v {
			t.Errorf("details form %s = %q, want %q as typed", k, form[k], v)
		}
	}
	if form := postingModalValues(t, b.Press(t, "alice", refused, "Edit basics")); form["title"] != "ab" || form["location"] != "" {
		t.Errorf("basics form %v", form)
	}

	// Fixed, with dates in the spellings people use, it publishes those dates.
	basics["title"], basics["location"] = "Welder", "Suzhou"
	seen = b.Fill(t, "alice", b.Press(t, "alice", refused, "Edit basics"), basics)
	details["slots"], details["start"] = "2", fullWidth(fmt.Sprintf("%d年3月2日", y))
	seen = b.Fill(t, "alice", b.Press(t, "alice", seen, "Details"), details)
	wantText(t, "fixed", seen, "Everything is filled in")
	wantText(t, "published", b.Press(t, "alice", seen, "Publish"), "Published as position #")
	ps, err := b.Service.MyPositions(context.Background(), b.Actor(t, "alice"))
	if err != nil || len(ps) != 1 {
		t.Fatalf("positions %v %v", ps, err)
	}
	got := []string{ps[0].StartDate.Format(placement.DateLayout), ps[0].EndDate.Format(placement.DateLayout), ps[0].Deadline.Format(placement.DateLayout)}
	want := []string{fmt.Sprintf("%d-03-02", y), fmt.Sprintf("%d-06-30", y), fmt.Sprintf("%d-02-01", y)}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("dates %v, want %v", got, want)
	}
}

func TestPostingRefusedEditSaysNotSavedYet(t *testing.T) {
	b := postingBot(t)
	e := b.AddEnterprise(t, "Acme", 200, "alice")
	p := b.PostPosition(t, "alice", e.ID, botenv.PositionInput("Welder"))
	card := b.Do(t, testenv.Slash(testenv.Member("alice"), "positions view", testenv.StringOpt("position", strconv.FormatInt(p.ID, 10))))
	detailsForm := b.Press(t, "alice", b.Press(t, "alice", card, "Edit"), "Details")
	form := postingModalValues(t, detailsForm)
	form["slots"] = "0"
	preview := b.Fill(t, "alice", detailsForm, form)
	wantText(t, "preview", preview, "To fix before saving: Slots must be")
	refused := b.Press(t, "alice", preview, "Save changes")
	wantText(t, "refused", refused, "Not saved yet: Slots must be", "Your changes are kept", "press **Save changes** again")
	if strings.Contains(refused.Text(), "publish") {
		t.Errorf("a refused edit speaks of publishing:\n%s", refused.Text())
	}

	// Two problems at once read the same way.
	detailsForm = b.Press(t, "alice", refused, "Details")
	form["end"] = "someday"
	wantText(t, "two problems", b.Press(t, "alice", b.Fill(t, "alice", detailsForm, form), "Save changes"),
		"Not saved yet: 2 things to fix.", "“someday” isn't a date")
}

func TestPostingCancelAsksBeforeDiscarding(t *testing.T) {
	b := postingBot(t)
	b.AddEnterprise(t, "Acme", 200, "alice")
	b.AddEnterprise(t, "Beta", 100, "mo")
	preview := postingFilled(t, b, "alice", "Welder", postingDetails())
	key := postingKey(t, preview)

	asked := b.Press(t, "alice", preview, "Cancel")
	wantText(t, "cancel", asked, "Discard this draft?", "Nothing is discarded until you press **Discard draft**", "Welder", "[Discard draft]", "[Keep editing]")
	if asked.HasButton("Publish") || !postingDraftExists(t, b, key) {
		t.Fatal("Cancel discarded the draft before it was confirmed")
	}
	// Someone else's click on the question discards nothing.
	b.Press(t, "mo", asked, "Discard draft").MustRefuse(t, "belongs to someone else")

	back := b.Press(t, "alice", asked, "Keep editing")
	wantText(t, "keep editing", back, "Everything is filled in", "Welder", "[Publish]", "[Cancel]")
	if !postingDraftExists(t, b, key) {
		t.Fatal("Keep editing lost the draft")
	}

	gone := b.Press(t, "alice", b.Press(t, "alice", back, "Cancel"), "Discard draft")
	wantText(t, "discard", gone, "Draft discarded; nothing was published")
	if postingDraftExists(t, b, key) {
		t.Fatal("discarded draft still stored")
	}
	b.Press(t, "alice", asked, "Keep editing").MustRefuse(t, "This draft has expired")
	if n := postingCount(t, b); n != 0 {
		t.Fatalf("%d positions", n)
	}
}
