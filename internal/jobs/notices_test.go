package jobs_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"placementbot/internal/placement"
)

// A student whose offer is not answered is reminded once, a day before it expires.
func TestOfferReminderADayBefore(t *testing.T) {
	s := newSchool(t)
	ctx := t.Context()
	app := s.apply(s.post("CNC intern", 30))
	answered := s.apply(s.post("Welding intern", 30))
	for _, id := range []int64{app.ID, answered.ID} {
		if _, err := s.svc.Offer(ctx, s.mentor, id); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.svc.Decline(ctx, s.actor(answered.StudentID, studentRole), answered.ID, ""); err != nil {
		t.Fatal(err)
	}
	remind := func() (int, error) { return s.svc.RemindOffers(ctx) }
	// The guild's offers expire after 7 days.
	s.clock.Set(s.base.Add(5*24*time.Hour + 23*time.Hour))
	run(t, "two days before", remind, 0)
	s.clock.Set(s.base.Add(6*24*time.Hour + time.Hour))
	run(t, "a day before", remind, 1)
	s.clock.Set(s.base.Add(6*24*time.Hour + 2*time.Hour))
	run(t, "again", remind, 0)
	ns := s.notes("jobs.note_offer_reminder")
	if len(ns) != 1 || ns[0].UserID != app.StudentID {
		t.Fatalf("reminders %+v, want one to the student", ns)
	}
	// Both DMs name the moment the offer expires as a Discord timestamp, read in each member's
	// own time zone.
	expires := fmt.Sprintf("<t:%d:f>", s.base.Add(7*24*time.Hour).Unix())
	if text := render(t, "en-US", ns[0]); !strings.Contains(text, "**CNC intern**") || !strings.Contains(text, expires) {
		t.Errorf("reminder: %q, want %s", text, expires)
	}
	if text := render(t, "zh-CN", ns[0]); !strings.Contains(text, expires) {
		t.Errorf("zh-CN reminder: %q, want %s", text, expires)
	}
	offers := 0
	for _, n := range s.notes("note.app_offered") {
		if n.UserID != app.StudentID {
			continue
		}
		offers++
		if text := render(t, "en-US", n); !strings.Contains(text, expires) || !strings.Contains(text, "7 days") {
			t.Errorf("offer DM: %q, want 7 days and %s", text, expires)
		}
	}
	if offers != 1 {
		t.Errorf("%d offer DMs to the student, want 1", offers)
	}
}

// Students waiting for an answer hear that the position closed, whoever closed it, once per
// application; those already answered do not.
func TestApplicantsHearThePositionClosed(t *testing.T) {
	s := newSchool(t)
	ctx := t.Context()
	byMentor := s.post("CNC intern", 10)
	byDeadline := s.post("Welding intern", 0)
	waiting := s.apply(byMentor)
	offered := s.apply(byMentor)
	late := s.apply(byDeadline)
	if _, err := s.svc.Offer(ctx, s.mentor, offered.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.svc.ClosePosition(ctx, s.mentor, byMentor.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.svc.ReopenPosition(ctx, s.mentor, byMentor.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.svc.ClosePosition(ctx, s.mentor, byMentor.ID); err != nil {
		t.Fatal(err)
	}
	s.clock.Set(s.at(1))
	run(t, "deadline", func() (int, error) { return s.svc.CloseDuePositions(ctx) }, 1)

	got := recipients(s.notes("note.app_position_closed"), "ID")
	want := map[string]int{itoa(waiting.ID) + ":" + waiting.StudentID: 1, itoa(late.ID) + ":" + late.StudentID: 1}
	if len(got) != len(want) || got[itoa(waiting.ID)+":"+waiting.StudentID] != 1 || got[itoa(late.ID)+":"+late.StudentID] != 1 {
		t.Fatalf("closure DMs %v, want %v", got, want)
	}
	ns := s.notes("note.app_position_closed")
	if text := render(t, "en-US", ns[0]); !strings.Contains(text, "**CNC intern** at Acme is closed to new applications") {
		t.Errorf("closure DM: %q", text)
	}
	render(t, "zh-CN", ns[0])
}

// Mentors hear when a student withdraws from their offer, or is withdrawn by being placed
// elsewhere; not when a student withdraws an application they had not answered yet.
func TestMentorsHearOfWithdrawals(t *testing.T) {
	s := newSchool(t)
	ctx := t.Context()
	pos := s.post("CNC intern", 10)
	offered, unanswered := s.apply(pos), s.apply(pos)
	if _, err := s.svc.Offer(ctx, s.mentor, offered.ID); err != nil {
		t.Fatal(err)
	}
	for _, app := range []placement.Application{offered, unanswered} {
		if _, err := s.svc.Withdraw(ctx, s.actor(app.StudentID, studentRole), app.ID, "found something closer"); err != nil {
			t.Fatal(err)
		}
	}
	if got := recipients(s.notes("note.mentor_app_withdrawn"), "ID"); len(got) != 2 || got[itoa(offered.ID)+":"+alice] != 1 || got[itoa(offered.ID)+":"+mo] != 1 {
		t.Fatalf("withdrawal DMs %v, want both mentors about the offer only", got)
	}

	// A student with applications at Acme and at Other is approved at Other.
	student := s.student()
	elsewhere, err := s.svc.Apply(ctx, student, pos.ID, "I have two years of workshop practice at school.")
	if err != nil {
		t.Fatal(err)
	}
	zedActor := s.actor(zed, mentorRole)
	otherPos, err := s.svc.PostPosition(ctx, zedActor, s.other.ID, placement.PositionInput{Title: "Welder", Location: "Suzhou", Slots: "2",
		Deadline: s.at(10).Format(placement.DateLayout), Start: s.at(20).Format(placement.DateLayout), End: s.at(90).Format(placement.DateLayout)})
	if err != nil {
		t.Fatal(err)
	}
	placed, err := s.svc.Apply(ctx, student, otherPos.ID, "I have two years of workshop practice at school.")
	if err == nil {
		_, err = s.svc.Offer(ctx, zedActor, placed.ID)
	}
	if err == nil {
		_, err = s.svc.Accept(ctx, student, placed.ID)
	}
	coordinator := placement.Actor{GuildID: guildID, UserID: "910000000000000108", Roles: placement.RoleCoordinator}
	for _, item := range placement.DefaultChecklist {
		if err == nil {
			_, err = s.svc.TickCheck(ctx, coordinator, placed.ID, item, true)
		}
	}
	if err == nil {
		_, err = s.svc.Approve(ctx, coordinator, placed.ID)
	}
	if err != nil {
		t.Fatal(err)
	}
	ns := s.notes("note.mentor_app_withdrawn_placed")
	if got := recipients(ns, "ID"); len(got) != 2 || got[itoa(elsewhere.ID)+":"+alice] != 1 || got[itoa(elsewhere.ID)+":"+mo] != 1 {
		t.Fatalf("placed-elsewhere DMs %v, want Acme's mentors", got)
	}
	if text := render(t, "en-US", ns[0]); !strings.Contains(text, "is placed elsewhere") || strings.Contains(text, "Welder") {
		t.Errorf("placed-elsewhere DM: %q", text)
	}
	render(t, "zh-CN", ns[0])
}
