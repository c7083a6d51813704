package postgres_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"placementbot/internal/placement"
)

func TestSaveAndFindProfile(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	u := f.user()

	_, err := f.store.FindProfile(ctx, guildA, u)
	wantErr(t, err, placement.ENOTFOUND, "err.profile_not_found")

	tests := []struct {
		name string
		in   placement.Profile
	}{
		{"full", placement.Profile{GuildID: guildA, UserID: u, Program: "Computer Science", Cohort: "2026",
			Skills: []string{"go", "sql"}, Certificates: []string{"toeic"}, Locations: []string{"Lyon", "Paris"},
			AvailableFrom: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), AvailableTo: time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)}},
		{"replaced, no availability or lists", placement.Profile{GuildID: guildA, UserID: u, Program: "Design"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			saved, err := f.store.SaveProfile(ctx, tt.in, profileFx(guildA, u))
			if err != nil {
				t.Fatal(err)
			}
			if saved.UpdatedAt.IsZero() {
				t.Fatal("no updated_at")
			}
			got, err := f.store.FindProfile(ctx, guildA, u)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(saved, got, cmpopts.EquateEmpty()); diff != "" {
				t.Fatalf("found (-saved +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.in, got, cmpopts.EquateEmpty(), cmpopts.IgnoreFields(placement.Profile{}, "UpdatedAt")); diff != "" {
				t.Fatalf("found (-in +got):\n%s", diff)
			}
		})
	}
	_, err = f.store.FindProfile(ctx, guildB, u)
	wantErr(t, err, placement.ENOTFOUND, "err.profile_not_found")
	// Each save is in the student's trail; a save without its audit event is refused.
	trail, err := f.store.AuditTrail(ctx, guildA, placement.StudentSubject(u), 200)
	if err != nil || len(trail) != 2 || trail[0].Action != "profile.saved" || trail[0].Subject != placement.StudentSubject(u) {
		t.Fatalf("student trail %+v, %v", trail, err)
	}
	_, err = f.store.SaveProfile(ctx, placement.Profile{GuildID: guildA, UserID: u, Program: "Unaudited"}, placement.Effects{})
	if !errors.Is(err, placement.ErrNoAudit) {
		t.Fatalf("unaudited save: err = %v", err)
	}
	if got, _ := f.store.FindProfile(ctx, guildA, u); got.Program != "Design" {
		t.Fatalf("program %q after a refused save", got.Program)
	}
}

func TestHasAppliedTo(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	applied := f.enterprise(guildA, "Applied", placement.EnterpriseVerified)
	notApplied := f.enterprise(guildA, "Not Applied", placement.EnterpriseVerified)
	student := f.user()
	f.mustApply(f.position(applied), student)
	f.position(notApplied)

	tests := []struct {
		name    string
		guild   string
		student string
		ids     []int64
		want    bool
	}{
		{"applied", guildA, student, []int64{applied.ID}, true},
		{"one of several", guildA, student, []int64{notApplied.ID, applied.ID}, true},
		{"other enterprise", guildA, student, []int64{notApplied.ID}, false},
		{"no enterprises", guildA, student, nil, false},
		{"other student", guildA, f.user(), []int64{applied.ID}, false},
		{"other guild", guildB, student, []int64{applied.ID}, false},
	}
	for _, tt := range tests {
		got, err := f.store.HasAppliedTo(ctx, tt.guild, tt.student, tt.ids)
		if err != nil || got != tt.want {
			t.Errorf("%s: %v, %v; want %v", tt.name, got, err, tt.want)
		}
	}
}
