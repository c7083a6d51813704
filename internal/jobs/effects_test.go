package jobs_test

import (
	"strings"
	"testing"
	"time"

	"placementbot/internal/placement"
)

// run calls a job's service method and checks how much it changed.
func run(t *testing.T, name string, f func() (int, error), want int) {
	t.Helper()
	n, err := f()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if n != want {
		t.Fatalf("%s changed %d, want %d", name, n, want)
	}
}

// A position takes applications through its deadline day and closes the day after, once; its
// mentors hear of it with the applicants still waiting, and the closure is in the audit trail.
func TestDeadlineClosesPosition(t *testing.T) {
	s := newSchool(t)
	ctx := t.Context()
	due := s.post("CNC intern", 0)
	later := s.post("Welding intern", 10)
	s.apply(due)

	s.clock.Set(s.at(0))
	run(t, "close on deadline day", func() (int, error) { return s.svc.CloseDuePositions(ctx) }, 0)
	s.clock.Set(s.at(1))
	run(t, "close after deadline", func() (int, error) { return s.svc.CloseDuePositions(ctx) }, 1)
	run(t, "close again", func() (int, error) { return s.svc.CloseDuePositions(ctx) }, 0)

	for p, want := range map[int64]placement.PositionStatus{due.ID: placement.PositionClosed, later.ID: placement.PositionOpen} {
		got, err := s.svc.Position(ctx, s.mentor, p)
		if err != nil || got.Status != want {
			t.Fatalf("position %d: %s (%v), want %s", p, got.Status, err, want)
		}
	}
	ns := s.notes("jobs.note_closed_deadline")
	if len(ns) != 2 || ns[0].UserID != alice || ns[1].UserID != mo {
		t.Fatalf("closing DMs %+v, want one to each mentor", ns)
	}
	text := render(t, "en-US", ns[0])
	for _, want := range []string{"**CNC intern**", "is now closed", due.Deadline.Format(placement.DateLayout), "1 applicant is still waiting", "/applications review"} {
		if !strings.Contains(text, want) {
			t.Errorf("DM %q lacks %q", text, want)
		}
	}
	if zh := render(t, "zh-CN", ns[0]); !strings.Contains(zh, "已关闭") || !strings.Contains(zh, "1 位申请人") {
		t.Errorf("zh-CN DM: %q", zh)
	}
	if c := s.count(`SELECT count(*) FROM audit_events WHERE action = 'position.closed_deadline' AND actor_id = 'system' AND subject = $1 AND enterprise_id = $2`,
		placement.PositionSubject(due.ID), s.acme.ID); c != 1 {
		t.Fatalf("%d audit events for the closure", c)
	}
}

// A position its mentor closed by hand before the deadline is not closed again, and nobody is
// told; one reopened with a later deadline closes again when that one passes, with a new DM.
func TestDeadlineLeavesClosedPositionsAlone(t *testing.T) {
	s := newSchool(t)
	ctx := t.Context()
	p := s.post("CNC intern", 0)
	if _, err := s.svc.ClosePosition(ctx, s.mentor, p.ID); err != nil {
		t.Fatal(err)
	}
	s.clock.Set(s.at(1))
	run(t, "close a closed position", func() (int, error) { return s.svc.CloseDuePositions(ctx) }, 0)
	if ns := s.notes("jobs.note_closed_deadline"); len(ns) != 0 {
		t.Fatalf("DMs about a position the mentor closed: %+v", ns)
	}

	in := placement.PositionInput{Title: "CNC intern", Location: "Suzhou", Slots: "2",
		Deadline: s.at(5).Format(placement.DateLayout), Start: s.at(10).Format(placement.DateLayout), End: s.at(90).Format(placement.DateLayout)}
	if _, err := s.svc.EditPosition(ctx, s.mentor, p.ID, in); err != nil {
		t.Fatal(err)
	}
	if _, err := s.svc.ReopenPosition(ctx, s.mentor, p.ID); err != nil {
		t.Fatal(err)
	}
	s.clock.Set(s.at(6))
	run(t, "close at the new deadline", func() (int, error) { return s.svc.CloseDuePositions(ctx) }, 1)
	if ns := s.notes("jobs.note_closed_deadline"); len(ns) != 2 {
		t.Fatalf("%d DMs for the closure at the new deadline, want 2", len(ns))
	}
}

// A position not confirmed for 30 days is flagged and its mentors asked, once; a confirmation
// clears it; one still unconfirmed 7 days after the flag closes, once, and its mentors are told
// how to reopen it. A confirmed position is asked about again 30 days after the confirmation.
func TestStalePositionsFlaggedThenClosed(t *testing.T) {
	s := newSchool(t)
	ctx := t.Context()
	kept := s.post("CNC intern", 90)
	dropped := s.post("Welding intern", 90)
	s.apply(dropped)

	s.clock.Set(s.at(29))
	run(t, "flag at 29 days", func() (int, error) { return s.svc.FlagStalePositions(ctx) }, 0)
	s.clock.Set(s.at(31))
	run(t, "flag at 31 days", func() (int, error) { return s.svc.FlagStalePositions(ctx) }, 2)
	run(t, "flag again", func() (int, error) { return s.svc.FlagStalePositions(ctx) }, 0)
	asked := s.notes("jobs.note_stale")
	if got := recipients(asked, "ID"); len(asked) != 4 || got[itoa(kept.ID)+":"+alice] != 1 || got[itoa(dropped.ID)+":"+mo] != 1 {
		t.Fatalf("stale DMs %v, want one per mentor and position", got)
	}
	text := render(t, "en-US", asked[0])
	for _, want := range []string{"still open?", "30 days", "/positions mine", "**Still open**", "closes on <t:" + itoa(s.at(31).Add(placement.StaleGrace).Unix()) + ":f> (<t:"} {
		if !strings.Contains(text, want) {
			t.Errorf("stale DM %q lacks %q", text, want)
		}
	}

	s.clock.Set(s.at(33))
	if _, err := s.svc.ConfirmPosition(ctx, s.mentor, kept.ID); err != nil {
		t.Fatal(err)
	}
	s.clock.Set(s.at(37))
	run(t, "close before 7 days", func() (int, error) { return s.svc.CloseStalePositions(ctx) }, 0)
	s.clock.Set(s.at(39))
	run(t, "close after 7 days", func() (int, error) { return s.svc.CloseStalePositions(ctx) }, 1)
	run(t, "close again", func() (int, error) { return s.svc.CloseStalePositions(ctx) }, 0)
	for id, want := range map[int64]placement.PositionStatus{kept.ID: placement.PositionOpen, dropped.ID: placement.PositionClosed} {
		if got, err := s.svc.Position(ctx, s.mentor, id); err != nil || got.Status != want {
			t.Fatalf("position %d: %s (%v), want %s", id, got.Status, err, want)
		}
	}
	closed := s.notes("jobs.note_closed_stale")
	if len(closed) != 2 || closed[0].Data["ID"] != float64(dropped.ID) {
		t.Fatalf("closed-as-stale DMs %+v", closed)
	}
	text = render(t, "en-US", closed[0])
	for _, want := range []string{"**Welding intern**", "is now closed", "37 days", "1 applicant is still waiting", "**Reopen**"} {
		if !strings.Contains(text, want) {
			t.Errorf("closed DM %q lacks %q", text, want)
		}
	}

	// The confirmation at day 33 holds until day 63.
	s.clock.Set(s.at(62))
	run(t, "flag before the next period ends", func() (int, error) { return s.svc.FlagStalePositions(ctx) }, 0)
	s.clock.Set(s.at(64))
	run(t, "flag after the next period", func() (int, error) { return s.svc.FlagStalePositions(ctx) }, 1)
	if got := recipients(s.notes("jobs.note_stale"), "ID"); got[itoa(kept.ID)+":"+alice] != 2 {
		t.Fatalf("stale DMs %v: the second period's question is missing", got)
	}
}

// Only the position's own mentors may confirm it, and only while it is open.
func TestConfirmPositionRefusals(t *testing.T) {
	s := newSchool(t)
	ctx := t.Context()
	p := s.post("CNC intern", 90)
	cases := []struct {
		name string
		who  placement.Actor
		code string
	}{
		{"another enterprise's mentor", s.actor(zed, mentorRole), placement.EFORBIDDEN},
		{"a student", s.student(), placement.EFORBIDDEN},
	}
	for _, c := range cases {
		if _, err := s.svc.ConfirmPosition(ctx, c.who, p.ID); placement.ErrorCode(err) != c.code {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
	}
	if _, err := s.svc.ConfirmPosition(ctx, s.mentor, p.ID+1000); placement.ErrorCode(err) != placement.ENOTFOUND {
		t.Errorf("unknown position: %v", err)
	}
	if _, err := s.svc.ClosePosition(ctx, s.mentor, p.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.svc.ConfirmPosition(ctx, s.mentor, p.ID); placement.ErrorCode(err) != placement.ECONFLICT {
		t.Errorf("closed position: %v, want %s", err, placement.ECONFLICT)
	}
	if c := s.count(`SELECT count(*) FROM audit_events WHERE action = 'position.confirmed'`); c != 0 {
		t.Fatalf("%d confirmations recorded for refused requests", c)
	}
}

// An application unanswered for 7 days gets its mentors one reminder, grouped by position;
// applications the mentor answered (shortlisted) are not reminded about.
func TestReminderOnce(t *testing.T) {
	s := newSchool(t)
	ctx := t.Context()
	p := s.post("CNC intern", 30)
	q := s.post("Welding intern", 30)
	s.apply(p)
	s.apply(p)
	answered := s.apply(p)
	if _, err := s.svc.Shortlist(ctx, s.mentor, answered.ID); err != nil {
		t.Fatal(err)
	}
	s.apply(q)

	s.clock.Set(s.at(6))
	run(t, "remind at 6 days", func() (int, error) { return s.svc.RemindMentors(ctx) }, 0)
	s.clock.Set(s.at(8))
	run(t, "remind at 8 days", func() (int, error) { return s.svc.RemindMentors(ctx) }, 3)
	run(t, "remind again", func() (int, error) { return s.svc.RemindMentors(ctx) }, 0)
	s.clock.Set(s.at(30))
	run(t, "remind much later", func() (int, error) { return s.svc.RemindMentors(ctx) }, 0)

	ns := s.notes("jobs.note_reminder")
	got := recipients(ns, "ID")
	if len(ns) != 4 || got[itoa(p.ID)+":"+alice] != 1 || got[itoa(p.ID)+":"+mo] != 1 || got[itoa(q.ID)+":"+alice] != 1 {
		t.Fatalf("reminders %v, want one per mentor and position", got)
	}
	for _, n := range ns {
		if n.Data["ID"] != float64(p.ID) {
			continue
		}
		text := render(t, "en-US", n)
		if !strings.Contains(text, "2 applications to **CNC intern**") || !strings.Contains(text, "more than 7 days") {
			t.Errorf("reminder %q", text)
		}
	}
}

// The digest is posted once a day from the digest hour, in the digest channel of each guild
// that has one, with what waits there.
func TestDigest(t *testing.T) {
	s := newSchool(t)
	ctx := t.Context()
	stale := s.post("CNC intern", 90)
	offered := s.apply(stale)
	if _, err := s.svc.Offer(ctx, s.mentor, offered.ID); err != nil {
		t.Fatal(err)
	}
	student := s.actor(offered.StudentID, studentRole)
	accepted, err := s.svc.Accept(ctx, student, offered.ID)
	if err != nil {
		t.Fatal(err)
	}
	s.apply(stale) // unanswered
	// A second school with a digest channel and nothing going on gets the quiet digest; a third
	// without a channel gets none.
	quiet, none := "910000000000000002", "910000000000000003"
	channel := "910000000000000022"
	for _, g := range []string{quiet, none} {
		owner := placement.Actor{GuildID: g, UserID: "910000000000000108", Roles: placement.RoleCoordinator}
		role := mentorRole
		upd := placement.GuildSettingsUpdate{MentorRoleID: &role}
		if g == quiet {
			upd.DigestChannelID = &channel
		}
		if _, err := s.svc.UpdateGuildSettings(ctx, owner, upd); err != nil {
			t.Fatal(err)
		}
	}

	s.clock.Set(s.at(31).Truncate(24 * time.Hour).Add(30 * time.Minute))
	run(t, "digest before the hour", func() (int, error) { return s.svc.SendDigests(ctx) }, 0)
	s.clock.Set(s.at(31))
	run(t, "digest", func() (int, error) { return s.svc.SendDigests(ctx) }, 2)
	run(t, "digest again", func() (int, error) { return s.svc.SendDigests(ctx) }, 0)

	ns := s.notes("jobs.digest")
	if len(ns) != 1 || ns[0].ChannelID != digestChannel || ns[0].DedupKey != "digest:"+s.at(31).Format(placement.DateLayout) || ns[0].Locale != "en-US" {
		t.Fatalf("digest posts %+v", ns)
	}
	oldest := int(s.at(31).Sub(accepted.UpdatedAt) / (24 * time.Hour))
	want := map[string]any{"Approvals": 1.0, "OldestDays": float64(oldest), "Stale": 1.0, "Unanswered": 1.0, "Unplaced": 2.0}
	for k, v := range want {
		if ns[0].Data[k] != v {
			t.Errorf("digest %s = %v, want %v", k, ns[0].Data[k], v)
		}
	}
	text := render(t, "en-US", ns[0])
	for _, w := range []string{"Placement digest", "Offers waiting for approval: **1**", itoa(int64(oldest)) + " days", "/approvals queue",
		"unanswered for over 7 days: **1**", "not confirmed for 30 days: **1**", "not placed yet: **2**"} {
		if !strings.Contains(text, w) {
			t.Errorf("digest %q lacks %q", text, w)
		}
	}
	if zh := render(t, "zh-CN", ns[0]); !strings.Contains(zh, "实习安排日报") || !strings.Contains(zh, "待审批的录用：**1**") {
		t.Errorf("zh-CN digest %q", zh)
	}
	q := s.notes("jobs.digest_quiet")
	if len(q) != 1 || q[0].ChannelID != channel || !strings.Contains(render(t, "en-US", q[0]), "Nothing is waiting") {
		t.Fatalf("quiet digests %+v", q)
	}

	s.clock.Set(s.at(32))
	run(t, "next day's digest", func() (int, error) { return s.svc.SendDigests(ctx) }, 2)
}
