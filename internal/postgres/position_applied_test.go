package postgres_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"placementbot/internal/placement"
)

func TestStudentApplicationsTo(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	e := f.enterprise(guildA, "Acme", placement.EnterpriseVerified)
	p1, p2, p3 := f.position(e), f.position(e), f.position(e)
	student, other := f.user(), f.user()
	a1 := f.mustApply(p1, student)
	a2 := f.mustApply(p2, student)
	if _, err := f.move(a2, placement.Offered, placement.Submitted); err != nil {
		t.Fatal(err)
	}
	f.mustApply(p3, other)
	inB := f.position(f.enterprise(guildB, "Acme", placement.EnterpriseVerified))
	f.mustApply(inB, student)

	got, err := f.store.StudentApplicationsTo(ctx, guildA, student, []int64{p1.ID, p2.ID, p3.ID, inB.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[p1.ID].ID != a1.ID || got[p1.ID].Status != placement.Submitted ||
		got[p2.ID].ID != a2.ID || got[p2.ID].Status != placement.Offered || got[p2.ID].PositionTitle != p2.Title {
		t.Fatalf("applications by position: %+v", got)
	}
	if got, err := f.store.StudentApplicationsTo(ctx, guildA, student, nil); err != nil || len(got) != 0 {
		t.Fatalf("no positions: %v %v", got, err)
	}
}

func TestSearchEnterprisePositions(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	acme := f.enterprise(guildA, "Acme", placement.EnterpriseVerified)
	beta := f.enterprise(guildA, "Beta", placement.EnterpriseVerified)
	mk := func(e placement.Enterprise, title string) int64 {
		return f.position(e, func(p *placement.Position) { p.Title = title }).ID
	}
	welder := mk(acme, "Welder")
	closed := mk(acme, "Welding Closed")
	cnc := mk(acme, "CNC Operator")
	betaClosed := mk(beta, "Welding at Beta")
	for _, id := range []int64{closed, betaClosed} {
		if _, err := f.store.SetPositionStatus(ctx, guildA, id, placement.PositionClosed, statusFx(guildA, id, placement.PositionClosed)); err != nil {
			t.Fatal(err)
		}
	}
	mk(f.enterprise(guildB, "Acme", placement.EnterpriseVerified), "Welder in B")

	tests := []struct {
		ids    []int64
		prefix string
		want   []int64
	}{
		{[]int64{acme.ID}, "weld", []int64{closed, welder}},
		{[]int64{acme.ID}, "", []int64{cnc, closed, welder}},
		{[]int64{acme.ID, beta.ID}, "weld", []int64{betaClosed, closed, welder}},
		{[]int64{beta.ID}, "cnc", nil},
		{nil, "weld", nil},
	}
	for _, tt := range tests {
		got, err := f.store.SearchEnterprisePositions(ctx, guildA, tt.ids, tt.prefix, 25)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, idsOf(got, positionID), cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%v %q (-want +got):\n%s", tt.ids, tt.prefix, diff)
		}
	}
}

func TestCandidatePositionsSkipPositionsAppliedTo(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	e := f.enterprise(guildA, "Acme", placement.EnterpriseVerified)
	mk := func() placement.Position {
		return f.position(e, func(p *placement.Position) { p.Skills = []string{"go"} })
	}
	applied, withdrawn, rejected, untouched := mk(), mk(), mk(), mk()
	student := f.user()
	f.mustApply(applied, student)
	if _, err := f.move(f.mustApply(withdrawn, student), placement.Withdrawn, placement.Submitted); err != nil {
		t.Fatal(err)
	}
	if _, err := f.move(f.mustApply(rejected, student), placement.Rejected, placement.Submitted); err != nil {
		t.Fatal(err)
	}
	// Another student's application changes nothing for this one.
	f.mustApply(untouched, f.user())

	pr := placement.Profile{GuildID: guildA, UserID: student, Skills: []string{"go"}}
	for _, store := range windowed(f.store) {
		got, err := store.CandidatePositions(ctx, guildA, pr, 200, today)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]int64{untouched.ID, withdrawn.ID}, idsOf(got, positionID)); diff != "" {
			t.Errorf("window %d (-want +got):\n%s", store.window, diff)
		}
	}
}
