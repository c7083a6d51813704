package postgres_test

import (
	"slices"
	"testing"
	"time"

	"placementbot/internal/placement"
)

// invitationFx is the effects of an invitation as the service builds them.
func invitationFx(p placement.Position) func(placement.Invitation) placement.Effects {
	return func(inv placement.Invitation) placement.Effects {
		return placement.Audited(placement.AuditEvent{GuildID: inv.GuildID, ActorID: inv.MentorID, Action: "invitation.sent",
			Subject: placement.PositionSubject(p.ID), EnterpriseID: p.EnterpriseID, Detail: map[string]any{"student_id": inv.StudentID}},
			dm(inv.GuildID, "invitation:"+itoa(inv.ID), inv.StudentID))
	}
}

// saveProfile stores a student's profile through the store.
func (f *fixture) saveProfile(guildID, userID, program string, skills ...string) {
	f.t.Helper()
	if _, err := f.store.SaveProfile(f.t.Context(), placement.Profile{GuildID: guildID, UserID: userID, Program: program,
		Skills: skills, Certificates: []string{"private cert"}, Locations: []string{"Lyon"}}, profileFx(guildID, userID)); err != nil {
		f.t.Fatal(err)
	}
}

func candidateIDs(cs []placement.Candidate) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Profile.UserID
	}
	slices.Sort(out)
	return out
}

func TestInvitationCandidatesAreUnplacedStudentsWhoFitAndHaveNotApplied(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	mentor := f.user()
	e := f.enterprise(guildA, "Acme", placement.EnterpriseVerified, mentor)
	p := f.position(e) // skills go, sql; program computer science
	elsewhere := f.position(e)
	bySkill, byProgram, unrelated, applied, withdrew, placed, optedOut := f.user(), f.user(), f.user(), f.user(), f.user(), f.user(), f.user()
	f.saveProfile(guildA, bySkill, "Welding", "GO")
	f.saveProfile(guildA, byProgram, "Computer Science")
	f.saveProfile(guildA, unrelated, "Cooking", "knives")
	f.saveProfile(guildA, applied, "Computer Science", "go")
	f.saveProfile(guildA, withdrew, "Computer Science", "go")
	f.saveProfile(guildA, placed, "Computer Science", "go")
	f.saveProfile(guildA, optedOut, "Computer Science", "go")
	f.saveProfile(guildB, f.user(), "Computer Science", "go")
	f.mustApply(p, applied)
	if _, err := f.move(f.mustApply(p, withdrew), placement.Withdrawn, placement.Submitted); err != nil {
		t.Fatal(err)
	}
	app := f.mustApply(elsewhere, placed)
	if _, err := f.pool.Exec(ctx, `INSERT INTO placements (guild_id, application_id, position_id, enterprise_id, student_id, approved_by)
		VALUES ($1, $2, $3, $4, $5, 'x')`, guildA, app.ID, elsewhere.ID, e.ID, placed); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.SetInvitationsOff(ctx, guildA, optedOut, true, profileFx(guildA, optedOut)); err != nil {
		t.Fatal(err)
	}

	got, err := f.store.InvitationCandidates(ctx, guildA, p, "", 50)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{bySkill, byProgram}
	slices.Sort(want)
	if !slices.Equal(candidateIDs(got), want) {
		t.Fatalf("candidates %v, want the students sharing a skill or the program, unplaced, not applied (a withdrawal counts), invitations on: %v",
			candidateIDs(got), want)
	}
	for _, c := range got {
		if len(c.Profile.Certificates) != 0 || !c.InvitedAt.IsZero() {
			t.Errorf("candidate %+v: certificates are not read for mentors, and no one is invited yet", c)
		}
	}

	// Inviting: once per student and position, and the day's limit counts from the day's start.
	dayStart := time.Now().Add(-time.Hour)
	inv, err := f.store.CreateInvitation(ctx, placement.Invitation{GuildID: guildA, PositionID: p.ID, StudentID: bySkill, MentorID: mentor},
		2, dayStart, invitationFx(p))
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.store.CreateInvitation(ctx, placement.Invitation{GuildID: guildA, PositionID: p.ID, StudentID: bySkill, MentorID: mentor},
		2, dayStart, invitationFx(p))
	wantErr(t, err, placement.ECONFLICT, "err.already_invited")
	one, err := f.store.InvitationCandidates(ctx, guildA, p, bySkill, 1)
	if err != nil || len(one) != 1 || !one[0].InvitedAt.Equal(inv.CreatedAt) {
		t.Fatalf("the invited candidate: %+v, %v; want invited at %v", one, err, inv.CreatedAt)
	}
	if _, err := f.store.CreateInvitation(ctx, placement.Invitation{GuildID: guildA, PositionID: p.ID, StudentID: byProgram, MentorID: mentor},
		2, dayStart, invitationFx(p)); err != nil {
		t.Fatal(err)
	}
	_, err = f.store.CreateInvitation(ctx, placement.Invitation{GuildID: guildA, PositionID: p.ID, StudentID: unrelated, MentorID: mentor},
		2, dayStart, invitationFx(p))
	wantErr(t, err, placement.ECONFLICT, "err.invitation_limit")
	// Invitations before the day's start do not count.
	if _, err := f.store.CreateInvitation(ctx, placement.Invitation{GuildID: guildA, PositionID: p.ID, StudentID: unrelated, MentorID: mentor},
		2, time.Now().Add(time.Hour), invitationFx(p)); err != nil {
		t.Fatal(err)
	}
	if n := f.count(`SELECT count(*) FROM notifications WHERE dedup_key LIKE 'invitation:%'`); n != 3 {
		t.Errorf("%d invitation DMs queued, want one per invitation (3)", n)
	}
	if n := f.count(`SELECT count(*) FROM audit_events WHERE action = 'invitation.sent'`); n != 3 {
		t.Errorf("%d invitation audit events, want 3", n)
	}

	// No thanks, once.
	declinedAt := time.Now()
	got1, err := f.store.DeclineInvitation(ctx, guildA, inv.ID, declinedAt, fx(guildA, "invitation.declined"))
	if err != nil || got1.DeclinedAt.IsZero() {
		t.Fatalf("decline: %+v, %v", got1, err)
	}
	_, err = f.store.DeclineInvitation(ctx, guildA, inv.ID, declinedAt, fx(guildA, "invitation.declined"))
	wantErr(t, err, placement.ECONFLICT, "err.invitation_declined_already")
	_, err = f.store.FindInvitation(ctx, guildB, inv.ID)
	wantErr(t, err, placement.ENOTFOUND, "err.invitation_not_found")
}

func TestInvitationLimitSetting(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	n, err := f.store.InvitationLimit(ctx, guildA)
	if err != nil || n != placement.DefaultInvitationsPerDay {
		t.Fatalf("limit of a guild never set up: %d, %v", n, err)
	}
	if err := f.store.SetInvitationLimit(ctx, guildA, 3, placement.Effects{}); err == nil {
		t.Fatal("a limit changed without an audit event")
	}
	if err := f.store.SetInvitationLimit(ctx, guildA, 3, fx(guildA, "setup.invitations")); err != nil {
		t.Fatal(err)
	}
	if n, err := f.store.InvitationLimit(ctx, guildA); err != nil || n != 3 {
		t.Fatalf("limit %d, %v; want 3", n, err)
	}
	if n, err := f.store.InvitationLimit(ctx, guildB); err != nil || n != placement.DefaultInvitationsPerDay {
		t.Fatalf("another guild's limit %d, %v; want the default", n, err)
	}
}

// TestInvitationCandidatesPlanUsesIndexes seeds a guild with enough profiles for the planner to
// prefer indexes, then checks that finding a position's candidates reads no whole table of
// profiles.
func TestInvitationCandidatesPlanUsesIndexes(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	f, rec := recordingFixture(t)
	e := f.enterprise(guildA, "Acme", placement.EnterpriseVerified)
	const seeded = 10000
	if _, err := f.pool.Exec(ctx, `
		INSERT INTO profiles (guild_id, user_id, program, skills, invitations_off)
		SELECT $1, (400000000000000000 + i)::text, 'Program' || (i % 50), ARRAY['Skill' || (i % 100), 'common'], i % 7 = 0
		FROM generate_series(1, $2) AS i`, guildA, seeded); err != nil {
		t.Fatal(err)
	}
	if _, err := f.pool.Exec(ctx, `VACUUM ANALYZE profiles`); err != nil {
		t.Fatal(err)
	}
	p := f.position(e, func(p *placement.Position) { p.Skills, p.Programs = []string{"skill3"}, []string{"program7"} })
	for name, student := range map[string]string{"list": "", "one student": "400000000000000003"} {
		for _, st := range rec.record(func() {
			cs, err := f.store.InvitationCandidates(ctx, guildA, p, student, 200)
			if err != nil || len(cs) == 0 {
				t.Fatalf("%s: %d candidates, %v", name, len(cs), err)
			}
		}) {
			checkPlan(t, f.pool, name, st, "profiles", seeded/10)
		}
	}
}
