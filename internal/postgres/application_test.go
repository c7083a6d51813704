package postgres_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"placementbot/internal/placement"
)

func TestCreateApplication(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	mentor := f.user()
	e := f.enterprise(guildA, "Acme", placement.EnterpriseVerified, mentor)
	p := f.position(e)
	student := f.user()

	var gotApp placement.Application
	notes := func(a placement.Application) []placement.Notification {
		gotApp = a
		return []placement.Notification{
			dm(guildA, fmt.Sprintf("application:%d:submitted:%s", a.ID, a.StudentID), a.StudentID),
			dm(guildA, fmt.Sprintf("application:%d:submitted:%s", a.ID, mentor), mentor),
		}
	}
	a, err := f.store.CreateApplication(ctx, placement.Application{GuildID: guildA, PositionID: p.ID, StudentID: student,
		Status: placement.Submitted, Motivation: "Motivated enough for this."}, 10, today, submitFx(notes))
	if err != nil {
		t.Fatal(err)
	}
	want := placement.Application{ID: a.ID, GuildID: guildA, PositionID: p.ID, PositionTitle: p.Title, EnterpriseID: e.ID,
		EnterpriseName: "Acme", StudentID: student, Status: placement.Submitted, Motivation: "Motivated enough for this.", Attempt: 1,
		CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt}
	if diff := cmp.Diff(want, a); diff != "" || a.ID == 0 || a.CreatedAt.IsZero() {
		t.Fatalf("created (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(a, gotApp); diff != "" {
		t.Fatalf("notes saw (-returned +seen):\n%s", diff)
	}
	if found, err := f.store.FindApplication(ctx, guildA, a.ID); err != nil || !cmp.Equal(found, a) {
		t.Fatalf("found %+v, %v", found, err)
	}
	evs, err := f.store.ApplicationEvents(ctx, guildA, []int64{a.ID})
	if err != nil {
		t.Fatal(err)
	}
	wantEvs := []placement.Event{{ApplicationID: a.ID, From: "", To: placement.Submitted, ActorID: student, At: a.CreatedAt}}
	if diff := cmp.Diff(wantEvs, evs[a.ID]); diff != "" {
		t.Fatalf("events (-want +got):\n%s", diff)
	}
	if n := f.count(`SELECT count(*) FROM notifications WHERE guild_id = $1`, guildA); n != 2 {
		t.Fatalf("%d notifications, want 2", n)
	}
	// The filing is in the trail as the lifecycle event; an application filed without it is
	// refused, and nothing of it stays.
	evs2, err := f.store.AuditEvents(ctx, guildA, placement.ApplicationSubject(a.ID))
	if err != nil || len(evs2) != 1 || evs2[0].Action != "application.submitted" || evs2[0].EnterpriseID != e.ID || evs2[0].ActorID != student {
		t.Fatalf("audit events %+v, %v", evs2, err)
	}
	other := f.position(e)
	for name, effects := range map[string]func(placement.Application) placement.Effects{
		"no effects":   nil,
		"no audit":     func(placement.Application) placement.Effects { return placement.Effects{} },
		"another move": moveFx(student, placement.Offered, "", today, nil),
	} {
		_, err := f.store.CreateApplication(ctx, placement.Application{GuildID: guildA, PositionID: other.ID, StudentID: student,
			Motivation: "Motivated enough for this."}, 10, today, effects)
		if placement.ErrorCode(err) != placement.EINTERNAL || (!errors.Is(err, placement.ErrNoAudit) && !errors.Is(err, placement.ErrNoLifecycleAudit)) {
			t.Fatalf("%s: err = %v, want an internal error", name, err)
		}
	}
	if n := f.count(`SELECT count(*) FROM applications WHERE guild_id = $1 AND position_id = $2`, guildA, other.ID); n != 0 {
		t.Fatalf("%d applications filed without their audit event", n)
	}
}

func TestCreateApplicationRefusals(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	e := f.enterprise(guildA, "Acme", placement.EnterpriseVerified)
	open := f.position(e)
	closed := f.position(e)
	if _, err := f.store.SetPositionStatus(ctx, guildA, closed.ID, placement.PositionClosed, placement.Audited(positionEvent(closed, "position.closed"))); err != nil {
		t.Fatal(err)
	}
	late := f.position(e, func(p *placement.Position) { p.Deadline = today.AddDate(0, 0, -1) })
	lastDay := f.position(e, func(p *placement.Position) { p.Deadline = today })
	full := f.position(e, func(p *placement.Position) { p.Slots = 1 })
	if _, err := f.move(f.mustApply(full, f.user()), placement.Offered, placement.Submitted); err != nil {
		t.Fatal(err)
	}
	applied := f.user()
	f.mustApply(open, applied)
	capped := f.user()
	for range 2 {
		f.mustApply(f.position(e), capped)
	}
	// A final application does not count against the cap.
	done := f.mustApply(f.position(e), capped)
	if _, err := f.move(done, placement.Withdrawn, placement.Submitted); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name     string
		guild    string
		position int64
		student  string
		code     string
		key      string
	}{
		{"closed", guildA, closed.ID, f.user(), placement.ECONFLICT, "err.position_closed"},
		{"past deadline", guildA, late.ID, f.user(), placement.ECONFLICT, "err.deadline_passed"},
		{"full", guildA, full.ID, f.user(), placement.ECONFLICT, "err.position_full"},
		{"already applied", guildA, open.ID, applied, placement.ECONFLICT, "err.already_applied"},
		{"cap", guildA, open.ID, capped, placement.ECONFLICT, "err.application_cap"},
		{"no such position", guildA, open.ID + 1000, f.user(), placement.ENOTFOUND, "err.position_not_found"},
		{"other guild", guildB, open.ID, f.user(), placement.ENOTFOUND, "err.position_not_found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.store.CreateApplication(ctx, placement.Application{GuildID: tt.guild, PositionID: tt.position,
				StudentID: tt.student, Motivation: "Please take me on board."}, 2, today, submitFx(nil))
			e := wantErr(t, err, tt.code, tt.key)
			if tt.key == "err.application_cap" && e.Data["Cap"] != 2 {
				t.Fatalf("data %v", e.Data)
			}
		})
	}
	if _, err := f.apply(lastDay, f.user()); err != nil {
		t.Fatalf("on the deadline day: %v", err)
	}
	// No cap given: no limit.
	if _, err := f.store.CreateApplication(ctx, placement.Application{GuildID: guildA, PositionID: open.ID,
		StudentID: capped, Motivation: "Please take me on board."}, 0, today, submitFx(nil)); err != nil {
		t.Fatalf("without a cap: %v", err)
	}
}

func TestTransitionApplication(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	e := f.enterprise(guildA, "Acme", placement.EnterpriseVerified)
	p := f.position(e, func(p *placement.Position) { p.Slots = 1 })
	student := f.user()
	a := f.mustApply(p, student)

	var seen []placement.Application
	step := func(to placement.Status, note string, from ...placement.Status) (placement.Application, error) {
		at := today.Add(time.Duration(len(seen)+1) * time.Hour)
		return f.store.TransitionApplication(ctx, placement.Transition{GuildID: guildA, ApplicationID: a.ID, From: from, To: to,
			ActorID: "300000000000000009", Note: note, At: at,
			Effects: moveFx("300000000000000009", to, note, at, func(before placement.Application) []placement.Notification {
				seen = append(seen, before)
				return []placement.Notification{noteFor(before, to)}
			})})
	}

	got, err := step(placement.Shortlisted, "", placement.Submitted)
	if err != nil || got.Status != placement.Shortlisted || f.taken(guildA, p.ID) != 0 {
		t.Fatalf("shortlist: %+v, %v", got, err)
	}
	if seen[0].Status != placement.Submitted || seen[0].PositionTitle != p.Title || seen[0].EnterpriseName != "Acme" ||
		seen[0].EnterpriseID != e.ID || seen[0].StudentID != student || seen[0].GuildID != guildA || seen[0].ID != a.ID {
		t.Fatalf("notify saw %+v", seen[0])
	}

	offeredAt := today.Add(2 * time.Hour)
	got, err = step(placement.Offered, "welcome", placement.Submitted, placement.Shortlisted)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != placement.Offered || !got.OfferedAt.Equal(offeredAt) || !got.UpdatedAt.Equal(offeredAt) || got.Reason != "welcome" ||
		got.PositionTitle != p.Title || f.taken(guildA, p.ID) != 1 {
		t.Fatalf("offer: %+v, taken %d", got, f.taken(guildA, p.ID))
	}
	if found, _ := f.store.FindApplication(ctx, guildA, a.ID); !cmp.Equal(found, got) {
		t.Fatalf("stored %+v, returned %+v", found, got)
	}

	// The status moved on: a transition from the old status is refused and changes nothing.
	_, err = step(placement.Rejected, "too late", placement.Submitted, placement.Shortlisted)
	if e := wantErr(t, err, placement.ECONFLICT, "err.status_changed"); e.Data["Status"] != "offered" {
		t.Fatalf("data %v", e.Data)
	}

	// Accepting keeps the slot; withdrawing frees it, and a note-less move keeps the last reason.
	if got, err = step(placement.Accepted, "", placement.Offered); err != nil || f.taken(guildA, p.ID) != 1 || got.Reason != "welcome" {
		t.Fatalf("accept: %+v, %v, taken %d", got, err, f.taken(guildA, p.ID))
	}
	if got, err = step(placement.Withdrawn, "found another", placement.Offered, placement.Accepted); err != nil ||
		f.taken(guildA, p.ID) != 0 || got.Reason != "found another" || !got.OfferedAt.Equal(offeredAt) {
		t.Fatalf("withdraw: %+v, %v, taken %d", got, err, f.taken(guildA, p.ID))
	}

	evs, err := f.store.ApplicationEvents(ctx, guildA, []int64{a.ID, a.ID + 1000})
	if err != nil {
		t.Fatal(err)
	}
	var path []string
	for _, ev := range evs[a.ID] {
		path = append(path, fmt.Sprintf("%s>%s:%s", ev.From, ev.To, ev.Note))
	}
	wantPath := []string{">submitted:", "submitted>shortlisted:", "shortlisted>offered:welcome", "offered>accepted:", "accepted>withdrawn:found another"}
	if diff := cmp.Diff(wantPath, path); diff != "" || len(evs) != 1 {
		t.Fatalf("events (-want +got):\n%s", diff)
	}
	if !evs[a.ID][2].At.Equal(offeredAt) || evs[a.ID][2].ActorID != "300000000000000009" {
		t.Fatalf("offer event %+v", evs[a.ID][2])
	}
	if n := f.count(`SELECT count(*) FROM notifications WHERE guild_id = $1 AND user_id = $2`, guildA, student); n != 4 {
		t.Fatalf("%d notifications, want one per transition (4)", n)
	}

	// Guild B cannot move, find or list guild A's application.
	_, err = f.store.TransitionApplication(ctx, placement.Transition{GuildID: guildB, ApplicationID: a.ID,
		From: []placement.Status{placement.Withdrawn}, To: placement.Rejected, ActorID: "x", At: today,
		Effects: moveFx("x", placement.Rejected, "", today, nil)})
	wantErr(t, err, placement.ENOTFOUND, "err.application_not_found")
	_, err = f.store.FindApplication(ctx, guildB, a.ID)
	wantErr(t, err, placement.ENOTFOUND, "err.application_not_found")
	if evs, _ := f.store.ApplicationEvents(ctx, guildB, []int64{a.ID}); len(evs) != 0 {
		t.Fatalf("guild B sees events %v", evs)
	}
}

func TestTransitionNoSlotsLeft(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	p := f.position(f.enterprise(guildA, "Acme", placement.EnterpriseVerified), func(p *placement.Position) { p.Slots = 1 })
	first, second := f.mustApply(p, f.user()), f.mustApply(p, f.user())
	if _, err := f.move(first, placement.Offered, placement.Submitted); err != nil {
		t.Fatal(err)
	}
	_, err := f.move(second, placement.Offered, placement.Submitted)
	wantErr(t, err, placement.ECONFLICT, "err.no_slots_left")
	if got, _ := f.store.FindApplication(t.Context(), guildA, second.ID); got.Status != placement.Submitted {
		t.Fatalf("refused offer left status %s", got.Status)
	}
	// Declining frees the slot for the next offer.
	if _, err := f.move(first, placement.Declined, placement.Offered); err != nil {
		t.Fatal(err)
	}
	if _, err := f.move(second, placement.Offered, placement.Submitted); err != nil {
		t.Fatal(err)
	}
	if n := f.taken(guildA, p.ID); n != 1 {
		t.Fatalf("taken %d", n)
	}
}

func noteFor(a placement.Application, to placement.Status) placement.Notification {
	return dm(a.GuildID, fmt.Sprintf("application:%d:%s:%s", a.ID, to, a.StudentID), a.StudentID)
}

func TestStudentApplicationsAndApplicants(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	e := f.enterprise(guildA, "Acme", placement.EnterpriseVerified)
	p1, p2 := f.position(e), f.position(e)
	withProfile, without := f.user(), f.user()
	pr, err := f.store.SaveProfile(ctx, placement.Profile{GuildID: guildA, UserID: withProfile, Program: "CS", Skills: []string{"go"},
		AvailableFrom: today, AvailableTo: today.AddDate(0, 6, 0)}, profileFx(guildA, withProfile))
	if err != nil {
		t.Fatal(err)
	}
	a1 := f.mustApply(p1, withProfile)
	a2 := f.mustApply(p2, withProfile)
	a3 := f.mustApply(p1, without)
	if _, err := f.move(a3, placement.Withdrawn, placement.Submitted); err != nil {
		t.Fatal(err)
	}

	apps, err := f.store.StudentApplications(ctx, guildA, withProfile)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]placement.Application{a2, a1}, apps); diff != "" {
		t.Fatalf("student applications (-want +got):\n%s", diff)
	}
	if apps, _ := f.store.StudentApplications(ctx, guildB, withProfile); len(apps) != 0 {
		t.Fatalf("guild B: %v", apps)
	}

	applicants, err := f.store.PositionApplicants(ctx, guildA, p1.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(applicants) != 2 || applicants[0].ID != a1.ID || applicants[1].ID != a3.ID || applicants[1].Status != placement.Withdrawn {
		t.Fatalf("applicants %+v", applicants)
	}
	if diff := cmp.Diff(pr, applicants[0].Profile, cmpopts.EquateEmpty()); diff != "" {
		t.Fatalf("profile (-want +got):\n%s", diff)
	}
	if !cmp.Equal(applicants[1].Profile, placement.Profile{}) || applicants[0].PositionTitle != p1.Title || applicants[0].EnterpriseName != "Acme" {
		t.Fatalf("applicant without profile: %+v", applicants[1])
	}
	if applicants, _ := f.store.PositionApplicants(ctx, guildB, p1.ID); len(applicants) != 0 {
		t.Fatalf("guild B sees applicants %v", applicants)
	}
}

func TestDueOffers(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	// Guild A keeps offers 7 days (the default), guild B 2.
	pa := f.position(f.enterprise(guildA, "Acme", placement.EnterpriseVerified), func(p *placement.Position) { p.Slots = 10 })
	pb := f.position(f.enterprise(guildB, "Acme", placement.EnterpriseVerified), func(p *placement.Position) { p.Slots = 10 })
	if _, err := f.pool.Exec(ctx, `UPDATE guilds SET offer_expiry_days = 2 WHERE guild_id = $1`, guildB); err != nil {
		t.Fatal(err)
	}
	offer := func(p placement.Position, daysAgo int) placement.Application {
		a := f.mustApply(p, f.user())
		at := today.AddDate(0, 0, -daysAgo)
		a, err := f.store.TransitionApplication(ctx, placement.Transition{GuildID: a.GuildID, ApplicationID: a.ID,
			From: []placement.Status{placement.Submitted}, To: placement.Offered, ActorID: "m", At: at,
			Effects: moveFx("m", placement.Offered, "", at, nil)})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	aOld := offer(pa, 8)
	offer(pa, 6)
	bOld := offer(pb, 3)
	offer(pb, 1)
	aOlder := offer(pa, 10)
	answered := offer(pa, 20)
	if _, err := f.move(answered, placement.Accepted, placement.Offered); err != nil {
		t.Fatal(err)
	}
	f.mustApply(pa, f.user()) // never offered

	due, err := f.store.DueOffers(ctx, today, 100)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int64{aOlder.ID, aOld.ID, bOld.ID}, idsOf(due, func(a placement.Application) int64 { return a.ID })); diff != "" {
		t.Fatalf("due (-want +got):\n%s", diff)
	}
	if due[0].GuildID != guildA || due[2].GuildID != guildB || due[0].PositionTitle == "" || due[0].EnterpriseName != "Acme" {
		t.Fatalf("due %+v", due)
	}
	if due, _ := f.store.DueOffers(ctx, today, 1); len(due) != 1 || due[0].ID != aOlder.ID {
		t.Fatalf("limit 1: %v", due)
	}
}
