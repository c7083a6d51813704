package postgres_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"placementbot/internal/placement"
)

// placementEvent is the audit event of a decision about a placement, as the service builds it.
func placementEvent(pl placement.Placement, action string, at time.Time) placement.AuditEvent {
	return placement.AuditEvent{GuildID: pl.GuildID, ActorID: coordinator, Action: action,
		Subject: fmt.Sprintf("placement:%d", pl.ID), EnterpriseID: pl.EnterpriseID, Detail: map[string]any{"student_id": pl.StudentID}, At: at}
}

// placed approves an accepted application of a new student to the position and returns the placement.
func (f *fixture) placed(p placement.Position, at time.Time) placement.Placement {
	f.t.Helper()
	return f.mustApprove(f.accepted(p, f.user(), at), noGates(), at)
}

func TestFindPlacements(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	acme, beta := f.staffed(guildA, "Acme", 1000), f.staffed(guildA, "Beta", 1000)
	pa, pb := f.position(acme, func(p *placement.Position) { p.Slots = 10 }), f.position(beta, func(p *placement.Position) { p.Slots = 10 })
	var pls []placement.Placement
	for i := range 6 {
		p := pa
		if i%2 == 1 {
			p = pb
		}
		pls = append(pls, f.placed(p, minute(i)))
	}
	supervisor := f.user()
	for _, i := range []int{1, 4} {
		if _, err := f.store.SetSupervisor(ctx, guildA, pls[i].ID, supervisor, placement.Audited(placementEvent(pls[i], "placement.supervisor", minute(10)))); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.store.RequestEnd(ctx, guildA, pls[2].ID, "moving away", placement.Audited(placementEvent(pls[2], "placement.end_requested", minute(10)))); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.EndPlacement(ctx, guildA, pls[5].ID, "company closed", placement.Audited(placementEvent(pls[5], "placement.ended", minute(11)))); err != nil {
		t.Fatal(err)
	}
	// Guild B's placements never show in guild A's lists.
	other := f.placed(f.position(f.staffed(guildB, "Acme", 1000)), minute(0))

	for _, tt := range []struct {
		name   string
		filter placement.PlacementFilter
		limit  int
		want   []int
	}{
		{"active newest first", placement.PlacementFilter{}, 0, []int{4, 3, 2, 1, 0}},
		{"limit", placement.PlacementFilter{}, 2, []int{4, 3}},
		{"enterprise", placement.PlacementFilter{EnterpriseID: beta.ID}, 0, []int{3, 1}},
		{"supervisor", placement.PlacementFilter{SupervisorID: supervisor}, 0, []int{4, 1}},
		{"student", placement.PlacementFilter{StudentID: pls[3].StudentID}, 0, []int{3}},
		{"ended student", placement.PlacementFilter{StudentID: pls[5].StudentID}, 0, nil},
		{"end requested", placement.PlacementFilter{EndRequested: true}, 0, []int{2}},
		{"enterprise and supervisor", placement.PlacementFilter{EnterpriseID: acme.ID, SupervisorID: supervisor}, 0, []int{4}},
		{"another guild's enterprise", placement.PlacementFilter{EnterpriseID: other.EnterpriseID}, 0, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := f.store.FindPlacements(ctx, guildA, tt.filter, tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			var want []int64
			for _, i := range tt.want {
				want = append(want, pls[i].ID)
			}
			if g := idsOf(got, func(p placement.Placement) int64 { return p.ID }); !slices.Equal(g, want) {
				t.Fatalf("placements %v, want %v", g, want)
			}
			for _, p := range got {
				if p.PositionTitle == "" || p.EnterpriseName == "" || p.Status != placement.PlacementActive {
					t.Fatalf("placement %+v", p)
				}
			}
		})
	}

	got, err := f.store.FindPlacement(ctx, guildA, pls[2].ID)
	if err != nil || got.EndRequested != "moving away" || got.Status != placement.PlacementActive {
		t.Fatalf("found %+v, %v", got, err)
	}
	_, err = f.store.FindPlacement(ctx, guildA, other.ID)
	wantErr(t, err, placement.ENOTFOUND, "err.placement_not_found")
}

func TestSetSupervisorAndRequestEnd(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	pl := f.placed(f.position(f.staffed(guildA, "Acme", 1000, "300000000000000002")), minute(0))
	supervisor := f.user()
	notes := []placement.Notification{dm(guildA, "supervisor", supervisor), dm(guildA, "supervisor:mentor", pl.MentorID)}

	got, err := f.store.SetSupervisor(ctx, guildA, pl.ID, supervisor, placement.Audited(placementEvent(pl, "placement.supervisor", minute(1)), notes...))
	if err != nil {
		t.Fatal(err)
	}
	want := pl
	want.SupervisorID = supervisor
	if got != want {
		t.Fatalf("placement %+v, want %+v", got, want)
	}
	// A retry records the change again but notifies once.
	if _, err := f.store.SetSupervisor(ctx, guildA, pl.ID, supervisor, placement.Audited(placementEvent(pl, "placement.supervisor", minute(1)), notes...)); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"supervisor", "supervisor:mentor"} {
		if n := f.notes(guildA, k); n != 1 {
			t.Fatalf("notification %s: %d, want 1", k, n)
		}
	}

	got, err = f.store.RequestEnd(ctx, guildA, pl.ID, "family reasons", placement.Audited(placementEvent(pl, "placement.end_requested", minute(2)),
		placement.Notification{GuildID: guildA, DedupKey: "end", ChannelID: "400000000000000001", MessageKey: "note.end_requested"}))
	if err != nil || got.EndRequested != "family reasons" || got.SupervisorID != supervisor || got.Status != placement.PlacementActive {
		t.Fatalf("requested end: %+v, %v", got, err)
	}
	if n := f.notes(guildA, "end"); n != 1 {
		t.Fatalf("%d end notifications", n)
	}
	subject := fmt.Sprintf("placement:%d", pl.ID)
	if n := f.count(`SELECT count(*) FROM audit_events WHERE guild_id = $1 AND subject = $2`, guildA, subject); n != 3 {
		t.Fatalf("%d audit events, want 3", n)
	}

	t.Run("not found", func(t *testing.T) {
		f := f.with(t)
		other := f.placed(f.position(f.staffed(guildB, "Beta", 1000)), minute(0))
		_, err := f.store.SetSupervisor(ctx, guildA, other.ID, supervisor, placement.Audited(placementEvent(other, "placement.supervisor", minute(1))))
		wantErr(t, err, placement.ENOTFOUND, "err.placement_not_found")
		_, err = f.store.RequestEnd(ctx, guildA, other.ID, "x", placement.Audited(placementEvent(other, "placement.end_requested", minute(1))))
		wantErr(t, err, placement.ENOTFOUND, "err.placement_not_found")
		_, err = f.store.EndPlacement(ctx, guildA, other.ID, "x", placement.Audited(placementEvent(other, "placement.ended", minute(1))))
		wantErr(t, err, placement.ENOTFOUND, "err.placement_not_found")
		if got, err := f.store.FindPlacement(ctx, guildB, other.ID); err != nil || got.SupervisorID != "" || got.Status != placement.PlacementActive {
			t.Fatalf("guild B's placement changed: %+v, %v", got, err)
		}
		if n := f.count(`SELECT count(*) FROM audit_events WHERE subject = $1`, fmt.Sprintf("placement:%d", other.ID)); n != 0 {
			t.Fatalf("%d audit events about guild B's placement", n)
		}
	})
}

func TestEndPlacement(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	e := f.staffed(guildA, "Acme", 1000)
	p := f.position(e, func(p *placement.Position) { p.Slots = 1 })
	waiting := f.mustApply(p, f.user())
	pl := f.placed(p, minute(0))
	// The only slot is taken: no offer on the position, nor applications, now.
	_, err := f.move(waiting, placement.Offered, placement.Submitted)
	wantErr(t, err, placement.ECONFLICT, "err.no_slots_left")
	_, err = f.apply(p, f.user())
	wantErr(t, err, placement.ECONFLICT, "err.position_full")

	supervisor := f.user()
	if _, err := f.store.SetSupervisor(ctx, guildA, pl.ID, supervisor, placement.Audited(placementEvent(pl, "placement.supervisor", minute(1)))); err != nil {
		t.Fatal(err)
	}
	notes := []placement.Notification{dm(guildA, "ended:student", pl.StudentID), dm(guildA, "ended:supervisor", supervisor)}
	before := time.Now()
	got, err := f.store.EndPlacement(ctx, guildA, pl.ID, "the company moved", placement.Audited(placementEvent(pl, "placement.ended", minute(2)), notes...))
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != placement.PlacementEnded || got.EndReason != "the company moved" || got.EndedAt.Before(before.Add(-time.Minute)) ||
		got.SupervisorID != supervisor || got.PositionTitle != p.Title {
		t.Fatalf("ended %+v", got)
	}
	if n := f.taken(guildA, p.ID); n != 0 {
		t.Fatalf("taken %d after the end, want 0", n)
	}
	for _, k := range []string{"ended:student", "ended:supervisor"} {
		if n := f.notes(guildA, k); n != 1 {
			t.Fatalf("notification %s: %d", k, n)
		}
	}
	// The freed slot takes applications and an offer again.
	f.mustApply(p, f.user())
	if _, err := f.move(waiting, placement.Offered, placement.Submitted); err != nil {
		t.Fatalf("offer after the end: %v", err)
	}
	f.checkSlots(guildA)

	// An ended placement changes no more.
	_, err = f.store.EndPlacement(ctx, guildA, pl.ID, "again", placement.Audited(placementEvent(pl, "placement.ended", minute(3))))
	wantErr(t, err, placement.ECONFLICT, "err.placement_not_active")
	_, err = f.store.SetSupervisor(ctx, guildA, pl.ID, f.user(), placement.Audited(placementEvent(pl, "placement.supervisor", minute(3))))
	wantErr(t, err, placement.ECONFLICT, "err.placement_not_active")
	_, err = f.store.RequestEnd(ctx, guildA, pl.ID, "again", placement.Audited(placementEvent(pl, "placement.end_requested", minute(3))))
	wantErr(t, err, placement.ECONFLICT, "err.placement_not_active")
	if n := f.taken(guildA, p.ID); n != 1 {
		t.Fatalf("taken %d, want the new offer's 1", n)
	}
	if n := f.count(`SELECT count(*) FROM audit_events WHERE guild_id = $1 AND subject = $2`, guildA, fmt.Sprintf("placement:%d", pl.ID)); n != 2 {
		t.Fatalf("%d audit events, want 2", n)
	}

	// The student, placed no more, may be placed again.
	second := f.mustApprove(f.accepted(f.position(e), pl.StudentID, minute(4)), noGates(), minute(5))
	if ps, err := f.store.FindPlacements(ctx, guildA, placement.PlacementFilter{StudentID: pl.StudentID}, 10); err != nil || len(ps) != 1 || ps[0].ID != second.ID {
		t.Fatalf("student's active placements: %+v, %v", ps, err)
	}
}

func TestEndPlacementAtOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	e := f.staffed(guildA, "Acme", 1000)
	p := f.position(e, func(p *placement.Position) { p.Slots = 20 })
	for round := range 5 {
		pl := f.placed(p, minute(round))
		errs := atOnce(4, func(int) error {
			_, err := f.store.EndPlacement(t.Context(), guildA, pl.ID, "ended", placement.Audited(placementEvent(pl, "placement.ended", minute(round))))
			return err
		})
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
				continue
			}
			wantErr(t, err, placement.ECONFLICT, "err.placement_not_active")
		}
		if ok != 1 {
			t.Fatalf("round %d: %d ends succeeded, want 1", round, ok)
		}
		f.checkSlots(guildA)
	}
}
