package postgres_test

import (
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"placementbot/internal/placement"
)

// jobEffects records which positions a sweep reported and gives each an audit event and one DM
// per mentor, keyed as the service keys them.
func jobEffects(kind string) func(placement.PositionNotice) placement.Effects {
	return func(n placement.PositionNotice) placement.Effects {
		var notes []placement.Notification
		for _, m := range n.Mentors {
			notes = append(notes, dm(n.GuildID, kind+":"+itoa(n.ID)+":"+m, m))
		}
		return placement.Effects{
			Audit: []placement.AuditEvent{{GuildID: n.GuildID, ActorID: "system", Action: "position." + kind,
				Subject: placement.PositionSubject(n.ID), EnterpriseID: n.EnterpriseID, Detail: map[string]any{"position_id": n.ID}, At: today}},
			Notes: notes,
		}
	}
}

// reminderFx gives each reminder the bot's audit event about its position and, unless notes is
// nil, its notifications.
func reminderFx(notes func(placement.Reminder) []placement.Notification) func(placement.Reminder) placement.Effects {
	return func(r placement.Reminder) placement.Effects {
		out := placement.Audited(placement.AuditEvent{GuildID: r.GuildID, ActorID: "system", Action: "position.reminded",
			Subject: placement.PositionSubject(r.PositionID), EnterpriseID: r.EnterpriseID, At: today})
		if notes != nil {
			out.Notes = notes(r)
		}
		return out
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// setConfirmed moves a position's last confirmation, as if its mentor had confirmed it then.
func (f *fixture) setConfirmed(p placement.Position, at time.Time) {
	f.t.Helper()
	if _, err := f.pool.Exec(f.t.Context(), `UPDATE positions SET confirmed_at = $3 WHERE guild_id = $1 AND id = $2`,
		p.GuildID, p.ID, at); err != nil {
		f.t.Fatal(err)
	}
}

func noticeIDs(ns []placement.PositionNotice) []int64 {
	return idsOf(ns, func(n placement.PositionNotice) int64 { return n.ID })
}

// Positions close the day after their deadline, once, with their audit event and their
// mentors' DMs in the same transaction; other guilds' and already closed positions are left alone.
func TestCloseDuePositions(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	e := f.enterprise(guildA, "Acme", placement.EnterpriseVerified, "300000000000000011", "300000000000000012")
	other := f.enterprise(guildB, "Other", placement.EnterpriseVerified, "300000000000000013")
	due := f.position(e, func(p *placement.Position) { p.Deadline = today.AddDate(0, 0, -1) })
	onDeadline := f.position(e, func(p *placement.Position) { p.Deadline = today })
	f.position(e, func(p *placement.Position) { p.Deadline = today.AddDate(0, 0, -3); p.Status = placement.PositionClosed })
	otherDue := f.position(other, func(p *placement.Position) { p.Deadline = today.AddDate(0, 0, -2) })
	f.mustApply(onDeadline, f.user())
	// Applications made before the deadline still wait for an answer after it.
	if _, err := f.pool.Exec(ctx, `INSERT INTO applications (guild_id, position_id, student_id, status, motivation)
		VALUES ($1, $2, $3, 'submitted', 'Keen to learn.'), ($1, $2, $4, 'shortlisted', 'Keen to learn.'), ($1, $2, $5, 'rejected', 'Keen.')`,
		guildA, due.ID, f.user(), f.user(), f.user()); err != nil {
		t.Fatal(err)
	}

	got, err := f.store.CloseDuePositions(ctx, today, 10, jobEffects("closed_deadline"))
	if err != nil {
		t.Fatal(err)
	}
	if ids := noticeIDs(got); !slices.Equal(ids, []int64{due.ID, otherDue.ID}) {
		t.Fatalf("closed %v, want %v", ids, []int64{due.ID, otherDue.ID})
	}
	n := got[0]
	if n.Status != placement.PositionClosed || n.Pending != 2 || !slices.Equal(n.Mentors, []string{"300000000000000011", "300000000000000012"}) ||
		n.EnterpriseName != "Acme" || n.ConfirmedAt.IsZero() || !n.FlaggedAt.IsZero() {
		t.Fatalf("notice: %+v", n)
	}
	if got[1].GuildID != guildB || !slices.Equal(got[1].Mentors, []string{"300000000000000013"}) {
		t.Fatalf("other guild's notice: %+v", got[1])
	}
	for _, p := range []placement.Position{due, otherDue} {
		if st := f.count(`SELECT count(*) FROM positions WHERE guild_id = $1 AND id = $2 AND status = 'closed'`, p.GuildID, p.ID); st != 1 {
			t.Errorf("position %d not closed", p.ID)
		}
	}
	if st := f.count(`SELECT count(*) FROM positions WHERE id = $1 AND status = 'open'`, onDeadline.ID); st != 1 {
		t.Error("a position closed on its deadline day; students may apply until the day ends")
	}
	if c := f.count(`SELECT count(*) FROM audit_events WHERE action = 'position.closed_deadline'`); c != 2 {
		t.Errorf("%d audit events, want 2", c)
	}
	if c := f.count(`SELECT count(*) FROM notifications WHERE dedup_key LIKE 'closed_deadline:%'`); c != 3 {
		t.Errorf("%d DMs, want 3 (two mentors of Acme, one of Other)", c)
	}

	again, err := f.store.CloseDuePositions(ctx, today, 10, jobEffects("closed_deadline"))
	if err != nil || len(again) != 0 {
		t.Fatalf("second run closed %v (%v)", noticeIDs(again), err)
	}
}

// Sweeps running at once, as on several replicas, close each due position exactly once.
func TestCloseDuePositionsConcurrently(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	e := f.enterprise(guildA, "Acme", placement.EnterpriseVerified, "300000000000000011")
	var want []int64
	for range 30 {
		want = append(want, f.position(e, func(p *placement.Position) { p.Deadline = today.AddDate(0, 0, -1) }).ID)
	}
	var mu sync.Mutex
	var closed []int64
	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() {
			for {
				got, err := f.store.CloseDuePositions(ctx, today, 4, jobEffects("closed_deadline"))
				if err != nil {
					t.Error(err)
					return
				}
				if len(got) == 0 {
					return
				}
				mu.Lock()
				closed = append(closed, noticeIDs(got)...)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	slices.Sort(closed)
	if !slices.Equal(closed, want) {
		t.Fatalf("closed %v, want each of %v once", closed, want)
	}
	if c := f.count(`SELECT count(*) FROM audit_events WHERE action = 'position.closed_deadline'`); c != 30 {
		t.Fatalf("%d audit events for 30 positions", c)
	}
}

// A position not confirmed for long enough is flagged once; a confirmation clears the flag and
// restarts the period; a position flagged long enough ago closes, and its flag goes with it;
// reopening a position counts as a confirmation.
func TestStalePositions(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	e := f.enterprise(guildA, "Acme", placement.EnterpriseVerified, "300000000000000011")
	now := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	fresh := f.position(e, func(p *placement.Position) { p.Deadline = today.AddDate(1, 0, 0) })
	old := f.position(e, func(p *placement.Position) { p.Deadline = today.AddDate(1, 0, 0) })
	confirmed := f.position(e, func(p *placement.Position) { p.Deadline = today.AddDate(1, 0, 0) })
	closedOld := f.position(e, func(p *placement.Position) { p.Deadline = today.AddDate(1, 0, 0); p.Status = placement.PositionClosed })
	f.setConfirmed(fresh, now.Add(-10*24*time.Hour))
	for _, p := range []placement.Position{old, confirmed, closedOld} {
		f.setConfirmed(p, now.Add(-31*24*time.Hour))
	}
	cutoff := now.Add(-30 * 24 * time.Hour)

	flagged, err := f.store.FlagStalePositions(ctx, cutoff, now, 10, jobEffects("stale"))
	if err != nil {
		t.Fatal(err)
	}
	if ids := noticeIDs(flagged); !slices.Equal(ids, []int64{old.ID, confirmed.ID}) {
		t.Fatalf("flagged %v, want %v", ids, []int64{old.ID, confirmed.ID})
	}
	if !flagged[0].FlaggedAt.Equal(now) || flagged[0].Status != placement.PositionOpen {
		t.Fatalf("flagged notice: %+v", flagged[0])
	}
	if again, err := f.store.FlagStalePositions(ctx, cutoff, now, 10, jobEffects("stale")); err != nil || len(again) != 0 {
		t.Fatalf("flagged twice: %v (%v)", noticeIDs(again), err)
	}

	// The mentor confirms one: it is no longer flagged, and no longer due.
	p, err := f.store.ConfirmPosition(ctx, guildA, confirmed.ID, now.Add(time.Hour), placement.Audited(positionEvent(confirmed, "position.confirmed")))
	if err != nil || p.ID != confirmed.ID {
		t.Fatalf("confirm: %+v, %v", p, err)
	}
	if c := f.count(`SELECT count(*) FROM positions WHERE id = $1 AND stale_flagged_at IS NULL AND confirmed_at = $2`,
		confirmed.ID, now.Add(time.Hour)); c != 1 {
		t.Fatal("confirmation did not clear the flag and restart the period")
	}

	later := now.Add(8 * 24 * time.Hour)
	if got, err := f.store.CloseStalePositions(ctx, later.Add(-8*24*time.Hour-time.Minute), 10, jobEffects("closed_stale")); err != nil || len(got) != 0 {
		t.Fatalf("closed before the grace ended: %v (%v)", noticeIDs(got), err)
	}
	closed, err := f.store.CloseStalePositions(ctx, later.Add(-7*24*time.Hour), 10, jobEffects("closed_stale"))
	if err != nil {
		t.Fatal(err)
	}
	if ids := noticeIDs(closed); !slices.Equal(ids, []int64{old.ID}) {
		t.Fatalf("closed %v, want %v", ids, []int64{old.ID})
	}
	if closed[0].Status != placement.PositionClosed || !closed[0].FlaggedAt.IsZero() {
		t.Fatalf("closed notice: %+v", closed[0])
	}
	if again, err := f.store.CloseStalePositions(ctx, later.Add(-7*24*time.Hour), 10, jobEffects("closed_stale")); err != nil || len(again) != 0 {
		t.Fatalf("closed twice: %v (%v)", noticeIDs(again), err)
	}
	if c := f.count(`SELECT count(*) FROM audit_events WHERE action IN ('position.stale', 'position.closed_stale')`); c != 3 {
		t.Fatalf("%d audit events, want 3 (two flags, one close)", c)
	}

	// Reopening is a confirmation: a new period starts, so it is not flagged again at once.
	before := time.Now().Add(-time.Minute)
	if _, err := f.store.SetPositionStatus(ctx, guildA, old.ID, placement.PositionOpen, placement.Audited(positionEvent(old, "position.reopened"))); err != nil {
		t.Fatal(err)
	}
	if c := f.count(`SELECT count(*) FROM positions WHERE id = $1 AND confirmed_at > $2 AND stale_flagged_at IS NULL`, old.ID, before); c != 1 {
		t.Fatal("reopening did not restart the confirmation period")
	}
	// Closing and reopening by the mentor clears a pending flag as well.
	if _, err := f.store.FlagStalePositions(ctx, time.Now().Add(time.Hour), time.Now(), 10, jobEffects("stale")); err != nil {
		t.Fatal(err)
	}
	for _, st := range []placement.PositionStatus{placement.PositionClosed, placement.PositionOpen} {
		if _, err := f.store.SetPositionStatus(ctx, guildA, fresh.ID, st, placement.Audited(positionEvent(fresh, "position."+string(st)))); err != nil {
			t.Fatal(err)
		}
	}
	if c := f.count(`SELECT count(*) FROM positions WHERE id = $1 AND stale_flagged_at IS NULL`, fresh.ID); c != 1 {
		t.Fatal("reopening kept the stale flag")
	}
}

// Confirming names what is wrong: a position of another guild is not found, a closed one has
// nothing to confirm; neither changes anything.
func TestConfirmPositionRefusals(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	e := f.enterprise(guildA, "Acme", placement.EnterpriseVerified, "300000000000000011")
	open := f.position(e)
	closed := f.position(e, func(p *placement.Position) { p.Status = placement.PositionClosed })
	_, err := f.store.ConfirmPosition(ctx, guildB, open.ID, today, placement.Audited(positionEvent(open, "position.confirmed")))
	wantErr(t, err, placement.ENOTFOUND, "err.position_not_found")
	_, err = f.store.ConfirmPosition(ctx, guildA, closed.ID, today, placement.Audited(positionEvent(closed, "position.confirmed")))
	wantErr(t, err, placement.ECONFLICT, "jobs.err_confirm_closed")
	if c := f.count(`SELECT count(*) FROM audit_events WHERE action = 'position.confirmed'`); c != 0 {
		t.Fatalf("%d audit events for refused confirmations", c)
	}
}

// Applications submitted long enough ago and still unanswered are reminded about once, grouped
// by position; shortlisted and recent ones are not.
func TestRemindUnanswered(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	e := f.enterprise(guildA, "Acme", placement.EnterpriseVerified, "300000000000000011", "300000000000000012")
	p1 := f.position(e)
	p2 := f.position(e)
	a1, a2 := f.mustApply(p1, f.user()), f.mustApply(p1, f.user())
	shortlisted := f.mustApply(p1, f.user())
	if _, err := f.move(shortlisted, placement.Shortlisted, placement.Submitted); err != nil {
		t.Fatal(err)
	}
	a3 := f.mustApply(p2, f.user())
	recent := f.mustApply(p2, f.user())
	now := time.Now().Add(8 * 24 * time.Hour)
	if _, err := f.pool.Exec(ctx, `UPDATE applications SET created_at = $2 WHERE id = $1`, recent.ID, now.Add(-6*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	before := now.Add(-7 * 24 * time.Hour)

	var notes []placement.Reminder
	got, err := f.store.RemindUnanswered(ctx, before, now, 10, reminderFx(func(r placement.Reminder) []placement.Notification {
		notes = append(notes, r)
		return []placement.Notification{dm(r.GuildID, "reminder:"+itoa(r.ApplicationIDs[0]), r.Mentors[0])}
	}))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || len(notes) != 2 {
		t.Fatalf("reminders %+v", got)
	}
	if got[0].PositionID != p1.ID || !slices.Equal(got[0].ApplicationIDs, []int64{a1.ID, a2.ID}) ||
		!slices.Equal(got[0].Mentors, []string{"300000000000000011", "300000000000000012"}) || got[0].Title != p1.Title || got[0].EnterpriseName != "Acme" {
		t.Fatalf("first reminder: %+v", got[0])
	}
	if got[1].PositionID != p2.ID || !slices.Equal(got[1].ApplicationIDs, []int64{a3.ID}) {
		t.Fatalf("second reminder: %+v", got[1])
	}
	if c := f.count(`SELECT count(*) FROM applications WHERE reminded_at = $1`, now); c != 3 {
		t.Fatalf("%d applications marked reminded, want 3", c)
	}
	if again, err := f.store.RemindUnanswered(ctx, before, now, 10, reminderFx(nil)); err != nil || len(again) != 0 {
		t.Fatalf("reminded twice: %+v (%v)", again, err)
	}
}

// Reminder sweeps at once mark every application once between them.
func TestRemindUnansweredConcurrently(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	e := f.enterprise(guildA, "Acme", placement.EnterpriseVerified, "300000000000000011")
	var want []int64
	for range 4 {
		p := f.position(e)
		for range 5 {
			want = append(want, f.mustApply(p, f.user()).ID)
		}
	}
	now := time.Now().Add(8 * 24 * time.Hour)
	var mu sync.Mutex
	var got []int64
	var wg sync.WaitGroup
	for range 5 {
		wg.Go(func() {
			for {
				rs, err := f.store.RemindUnanswered(ctx, now.Add(-7*24*time.Hour), now, 3, reminderFx(nil))
				if err != nil {
					t.Error(err)
					return
				}
				if len(rs) == 0 {
					return
				}
				mu.Lock()
				for _, r := range rs {
					got = append(got, r.ApplicationIDs...)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("reminded %v, want each of %v once", got, want)
	}
}

// The digest counts what waits in one guild only, in the language most of its members use, and
// a guild whose digest for the day is queued is not listed again.
func TestDigestFacts(t *testing.T) {
	f := newFixture(t)
	ctx := t.Context()
	e := f.enterprise(guildA, "Acme", placement.EnterpriseVerified, "300000000000000011")
	other := f.enterprise(guildB, "Other", placement.EnterpriseVerified, "300000000000000013")
	now := time.Now()
	p := f.position(e, func(p *placement.Position) { p.Slots = 5 })
	stale := f.position(e)
	f.setConfirmed(stale, now.Add(-31*24*time.Hour))
	f.position(other)

	placed, waiting, old := f.user(), f.user(), f.user()
	ap := f.mustApply(p, placed)
	for _, to := range []placement.Status{placement.Offered, placement.Accepted} {
		if ap, _ = f.move(ap, to, placement.Submitted, placement.Offered); ap.Status != to {
			t.Fatalf("move to %s failed", to)
		}
	}
	// A placement from an approval: the student counts as placed.
	if _, err := f.pool.Exec(ctx, `UPDATE applications SET status = 'approved' WHERE id = $1`, ap.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.pool.Exec(ctx, `INSERT INTO placements (guild_id, application_id, position_id, enterprise_id, student_id, approved_by)
		VALUES ($1, $2, $3, $4, $5, 'coord')`, guildA, ap.ID, p.ID, e.ID, placed); err != nil {
		t.Fatal(err)
	}
	accepted := f.mustApply(p, waiting)
	for _, to := range []placement.Status{placement.Offered, placement.Accepted} {
		if accepted, _ = f.move(accepted, to, placement.Submitted, placement.Offered); accepted.Status != to {
			t.Fatalf("move to %s failed", to)
		}
	}
	acceptedAt := now.Add(-3 * 24 * time.Hour).Truncate(time.Microsecond)
	if _, err := f.pool.Exec(ctx, `UPDATE applications SET updated_at = $2 WHERE id = $1`, accepted.ID, acceptedAt); err != nil {
		t.Fatal(err)
	}
	unanswered := f.mustApply(stale, old)
	if _, err := f.pool.Exec(ctx, `UPDATE applications SET created_at = $2 WHERE id = $1`, unanswered.ID, now.Add(-8*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.SaveProfile(ctx, placement.Profile{GuildID: guildA, UserID: f.user(), Program: "welding"}, profileFx(guildA, "300000000000000099")); err != nil {
		t.Fatal(err)
	}
	f.mustApply(f.position(other), f.user())
	for i, loc := range []string{"zh-CN", "zh-CN", "en-US"} {
		if err := f.store.SetMemberLocale(ctx, guildA, "40000000000000000"+strconv.Itoa(i), loc); err != nil {
			t.Fatal(err)
		}
	}

	d, err := f.store.DigestFacts(ctx, guildA, now.Add(-30*24*time.Hour), now.Add(-7*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	want := placement.Digest{GuildID: guildA, WaitingApprovals: 1, OldestWaiting: acceptedAt, StalePositions: 1, Unanswered: 1,
		UnplacedStudents: 3, Locale: "zh-CN"}
	if !d.OldestWaiting.Equal(want.OldestWaiting) {
		t.Fatalf("oldest waiting %v, want %v", d.OldestWaiting, want.OldestWaiting)
	}
	d.OldestWaiting = want.OldestWaiting
	if d != want {
		t.Fatalf("digest %+v\nwant   %+v", d, want)
	}

	channel := "500000000000000001"
	if _, err := f.store.UpdateGuildSettings(ctx, guildA, placement.GuildSettingsUpdate{DigestChannelID: &channel}, fx(guildA, "setup.update")); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	if gs, err := f.store.DigestGuilds(ctx, at.Add(-time.Hour), 9, 10); err != nil || len(gs) != 0 {
		t.Fatalf("digest guilds before the hour: %+v (%v)", gs, err)
	}
	gs, err := f.store.DigestGuilds(ctx, at, 9, 10)
	if err != nil || len(gs) != 1 || gs[0].GuildID != guildA || gs[0].DigestChannelID != channel || gs[0].TimeZone != "UTC" {
		t.Fatalf("digest guilds %+v (%v), want only %s with its channel", gs, err, guildA)
	}
	note := placement.Notification{GuildID: guildA, DedupKey: "digest:2026-03-02", ChannelID: channel, MessageKey: "jobs.digest"}
	for i, want := range []bool{true, false} {
		if queued, err := f.store.QueueNotification(ctx, note); err != nil || queued != want {
			t.Fatalf("queue #%d: %v, %v; want %v", i+1, queued, err, want)
		}
	}
	if gs, err := f.store.DigestGuilds(ctx, at, 9, 10); err != nil || len(gs) != 0 {
		t.Fatalf("digest guilds after queueing: %+v (%v)", gs, err)
	}
	if gs, err := f.store.DigestGuilds(ctx, at.AddDate(0, 0, 1), 9, 10); err != nil || len(gs) != 1 {
		t.Fatalf("next day's digest guilds: %+v (%v)", gs, err)
	}
}
