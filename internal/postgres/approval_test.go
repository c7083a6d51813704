package postgres_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"placementbot/internal/placement"
)

// coordinator is the member who approves in these tests.
const coordinator = "300000000000000009"

// gates is the compliance of a guild that never changed it.
func gates() placement.Compliance {
	return placement.Compliance{Checklist: slices.Clone(placement.DefaultChecklist), InternQuotaPercent: 10}
}

// noGates has no checklist and a quota as large as the staff.
func noGates() placement.Compliance { return placement.Compliance{InternQuotaPercent: 100} }

// minute is an instant of the test day, minutes after eight; distinct minutes order events.
func minute(m int) time.Time { return today.Add(8*time.Hour + time.Duration(m)*time.Minute) }

// staffed creates a verified enterprise of the given staff size with the mentors linked.
func (f *fixture) staffed(guildID, name string, staff int, mentors ...string) placement.Enterprise {
	f.t.Helper()
	ctx := f.t.Context()
	e, err := f.store.CreateEnterprise(ctx, placement.Enterprise{GuildID: guildID, Name: name, StaffSize: staff,
		Status: placement.EnterpriseVerified}, enterpriseFx("enterprise.add", nil))
	if err != nil {
		f.t.Fatalf("create enterprise %s: %v", name, err)
	}
	for _, m := range mentors {
		if err := f.store.LinkMentor(ctx, guildID, e.ID, m, setupActor, fx(guildID, "enterprise.link_mentor")); err != nil {
			f.t.Fatalf("link mentor: %v", err)
		}
	}
	return e
}

// step moves an application to a status at a given time, by the party the lifecycle allows.
func (f *fixture) step(a placement.Application, to placement.Status, by placement.Party, at time.Time) placement.Application {
	f.t.Helper()
	got, err := f.store.TransitionApplication(f.t.Context(), placement.Transition{GuildID: a.GuildID, ApplicationID: a.ID,
		From: placement.FromStatuses(to, by), To: to, ActorID: "300000000000000003", At: at,
		Effects: moveFx("300000000000000003", to, "", at, nil)})
	if err != nil {
		f.t.Fatalf("move application %d to %s: %v", a.ID, to, err)
	}
	return got
}

// offered files an application of the student and has it offered at the time.
func (f *fixture) offered(p placement.Position, studentID string, at time.Time) placement.Application {
	f.t.Helper()
	return f.step(f.mustApply(p, studentID), placement.Offered, placement.PartyMentor, at)
}

// accepted files an application of the student and has it offered and accepted at the time.
func (f *fixture) accepted(p placement.Position, studentID string, at time.Time) placement.Application {
	f.t.Helper()
	return f.step(f.offered(p, studentID, at), placement.Accepted, placement.PartyStudent, at)
}

// tick ticks the checklist items of an application as a coordinator.
func (f *fixture) tick(a placement.Application, items ...string) []string {
	f.t.Helper()
	var got []string
	for _, it := range items {
		var err error
		got, err = f.tickAt(a, it, true, today.Add(9*time.Hour))
		if err != nil {
			f.t.Fatalf("tick %s: %v", it, err)
		}
	}
	return got
}

// tickAt ticks (or clears) a checklist item of an application as a coordinator at the time,
// with the audit event the service builds.
func (f *fixture) tickAt(a placement.Application, item string, done bool, at time.Time) ([]string, error) {
	action := "checklist.tick"
	if !done {
		action = "checklist.untick"
	}
	return f.store.TickCheck(f.t.Context(), placement.Tick{GuildID: a.GuildID, ApplicationID: a.ID, Item: item, Done: done,
		ActorID: coordinator, At: at}, placement.Audited(checkEvent(a, action, item, at)))
}

// checkEvent is the audit event of a checklist change, as the service builds it.
func checkEvent(a placement.Application, action, item string, at time.Time) placement.AuditEvent {
	return placement.AuditEvent{GuildID: a.GuildID, ActorID: coordinator, Action: action,
		Subject: fmt.Sprintf("application:%d", a.ID), Detail: map[string]any{"item": item}, At: at}
}

// approval asks to approve the application under the gates, with its lifecycle events, a
// notification for the student and one for each application withdrawn.
func approval(a placement.Application, c placement.Compliance, at time.Time) placement.Approval {
	return placement.Approval{GuildID: a.GuildID, ApplicationID: a.ID, ActorID: coordinator, At: at, Compliance: c,
		Effects: func(app placement.Application, p placement.Placement) placement.Effects {
			return placement.Audited(placement.LifecycleAudit(app, app.Status, placement.Approved, coordinator, "", at),
				dm(app.GuildID, fmt.Sprintf("application:%d:approved:placement:%d", app.ID, p.ID), app.StudentID))
		},
		Withdrawn: func(o placement.Application) placement.Effects {
			return placement.Audited(placement.LifecycleAudit(o, o.Status, placement.Withdrawn, coordinator, placement.PlacedElsewhere, at),
				dm(o.GuildID, fmt.Sprintf("application:%d:%s", o.ID, placement.Withdrawn), o.StudentID))
		},
	}
}

// approve approves the application under the gates at the time.
func (f *fixture) approve(a placement.Application, c placement.Compliance, at time.Time) (placement.Placement, error) {
	return f.store.ApproveApplication(f.t.Context(), approval(a, c, at))
}

// mustApprove is approve that fails the test on error.
func (f *fixture) mustApprove(a placement.Application, c placement.Compliance, at time.Time) placement.Placement {
	f.t.Helper()
	p, err := f.approve(a, c, at)
	if err != nil {
		f.t.Fatalf("approve application %d: %v", a.ID, err)
	}
	return p
}

// status reads an application's status.
func (f *fixture) status(a placement.Application) placement.Status {
	f.t.Helper()
	got, err := f.store.FindApplication(f.t.Context(), a.GuildID, a.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	return got.Status
}

// checkSlots fails unless every position of the guild has taken within its slots and equal to
// its offered and accepted applications plus its active placements, and every approved
// application has its placement.
func (f *fixture) checkSlots(guildID string) {
	f.t.Helper()
	rows, err := f.pool.Query(f.t.Context(), `
		SELECT p.id, p.taken, p.slots,
		       (SELECT count(*) FROM applications a
		        WHERE a.guild_id = p.guild_id AND a.position_id = p.id AND a.status IN ('offered', 'accepted')),
		       (SELECT count(*) FROM placements pl
		        WHERE pl.guild_id = p.guild_id AND pl.position_id = p.id AND pl.status = 'active')
		FROM positions p WHERE p.guild_id = $1 ORDER BY p.id`, guildID)
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var taken, slots, held, placed int
		if err := rows.Scan(&id, &taken, &slots, &held, &placed); err != nil {
			f.t.Fatal(err)
		}
		if taken > slots || taken != held+placed {
			f.t.Errorf("position %d: taken %d of %d slots, but %d offered or accepted and %d placed", id, taken, slots, held, placed)
		}
	}
	if err := rows.Err(); err != nil {
		f.t.Fatal(err)
	}
	if n := f.count(`SELECT count(*) FROM applications a WHERE a.guild_id = $1 AND a.status = 'approved'
		AND NOT EXISTS (SELECT 1 FROM placements pl WHERE pl.guild_id = a.guild_id AND pl.application_id = a.id)`, guildID); n != 0 {
		f.t.Errorf("%d approved applications without a placement", n)
	}
}

// notes counts the guild's notifications with the dedup key.
func (f *fixture) notes(guildID, key string) int {
	f.t.Helper()
	return f.count(`SELECT count(*) FROM notifications WHERE guild_id = $1 AND dedup_key = $2`, guildID, key)
}

func TestCompliance(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()

	c, err := f.store.FindCompliance(ctx, guildA)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.Checklist, placement.DefaultChecklist) || c.InternQuotaPercent != 10 || c.MentorsTickChecks {
		t.Fatalf("a guild never set up: %+v, want the defaults", c)
	}
	// The defaults handed out are a copy.
	c.Checklist[0] = "changed"
	if placement.DefaultChecklist[0] != "agreement" {
		t.Fatal("changing a guild's checklist changed the defaults")
	}

	want := placement.Compliance{Checklist: []string{"agreement", "medical_check"}, InternQuotaPercent: 25, MentorsTickChecks: true}
	ev := auditEvent(guildA, "setup.compliance")
	ev.Subject = "guild:" + guildA
	got, err := f.store.UpdateCompliance(ctx, guildA, want, placement.Audited(ev))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Checklist, want.Checklist) || got.InternQuotaPercent != 25 || !got.MentorsTickChecks {
		t.Fatalf("updated: %+v, want %+v", got, want)
	}
	if got, err = f.store.FindCompliance(ctx, guildA); err != nil || !slices.Equal(got.Checklist, want.Checklist) ||
		got.InternQuotaPercent != 25 || !got.MentorsTickChecks {
		t.Fatalf("found: %+v, %v; want %+v", got, err, want)
	}
	if n := f.count(`SELECT count(*) FROM audit_events WHERE guild_id = $1 AND action = 'setup.compliance'`, guildA); n != 1 {
		t.Fatalf("%d audit events, want 1", n)
	}
	// A guild with its row but unchanged gates, and another guild: the defaults.
	if _, err := f.store.UpdateGuildSettings(ctx, guildB, placement.GuildSettingsUpdate{}, fx(guildB, "setup.roles")); err != nil {
		t.Fatal(err)
	}
	if b, err := f.store.FindCompliance(ctx, guildB); err != nil || !slices.Equal(b.Checklist, placement.DefaultChecklist) || b.InternQuotaPercent != 10 {
		t.Fatalf("guild B: %+v, %v; want the defaults", b, err)
	}
	// An empty checklist is allowed: nothing to tick.
	if got, err = f.store.UpdateCompliance(ctx, guildA, placement.Compliance{InternQuotaPercent: 5}, placement.Audited(ev)); err != nil || len(got.Checklist) != 0 {
		t.Fatalf("empty checklist: %+v, %v", got, err)
	}
	// The database refuses a quota the service would not send, and records nothing.
	_, err = f.store.UpdateCompliance(ctx, guildA, placement.Compliance{InternQuotaPercent: 0}, placement.Audited(ev))
	wantErr(t, err, placement.EINVALID, "err.quota_range")
	if n := f.count(`SELECT count(*) FROM audit_events WHERE guild_id = $1 AND action = 'setup.compliance'`, guildA); n != 2 {
		t.Fatalf("%d audit events, want 2", n)
	}
}

func TestTickCheck(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	p := f.position(f.enterprise(guildA, "Acme", placement.EnterpriseVerified))
	a := f.mustApply(p, f.user())

	if got := f.tick(a, "insurance", "agreement"); !slices.Equal(got, []string{"agreement", "insurance"}) {
		t.Fatalf("ticked %v, want them sorted", got)
	}
	// Ticking again changes and records nothing.
	if got := f.tick(a, "agreement"); !slices.Equal(got, []string{"agreement", "insurance"}) {
		t.Fatalf("ticked again: %v", got)
	}
	audits := func() int {
		return f.count(`SELECT count(*) FROM audit_events WHERE guild_id = $1 AND subject = $2 AND action LIKE 'checklist.%'`,
			guildA, fmt.Sprintf("application:%d", a.ID))
	}
	if n := audits(); n != 2 {
		t.Fatalf("%d audit events, want 2", n)
	}
	got, err := f.tickAt(a, "agreement", false, today)
	if err != nil || !slices.Equal(got, []string{"insurance"}) {
		t.Fatalf("untick: %v, %v", got, err)
	}
	if got, err = f.tickAt(a, "agreement", false, today); err != nil || !slices.Equal(got, []string{"insurance"}) {
		t.Fatalf("untick again: %v, %v", got, err)
	}
	if n := audits(); n != 3 {
		t.Fatalf("%d audit events, want 3", n)
	}
	if got, err := f.store.Checks(ctx, guildA, a.ID); err != nil || !slices.Equal(got, []string{"insurance"}) {
		t.Fatalf("checks: %v, %v", got, err)
	}
	if got, err := f.store.Checks(ctx, guildA, f.mustApply(p, f.user()).ID); err != nil || got == nil || len(got) != 0 {
		t.Fatalf("checks of an application with none: %#v, %v", got, err)
	}

	t.Run("guild scoped", func(t *testing.T) {
		pb := f.with(t).position(f.with(t).enterprise(guildB, "Beta", placement.EnterpriseVerified))
		b := f.with(t).mustApply(pb, f.user())
		b.GuildID = guildA
		_, err := f.tickAt(b, "agreement", true, today)
		wantErr(t, err, placement.ENOTFOUND, "err.application_not_found")
		_, err = f.store.Checks(ctx, guildB, a.ID)
		wantErr(t, err, placement.ENOTFOUND, "err.application_not_found")
		if n := f.count(`SELECT count(*) FROM application_checks WHERE application_id = $1`, b.ID); n != 0 {
			t.Fatalf("%d checks written across guilds", n)
		}
	})
	t.Run("final", func(t *testing.T) {
		f := f.with(t)
		w := f.step(f.mustApply(p, f.user()), placement.Withdrawn, placement.PartyStudent, today)
		_, err := f.tickAt(w, "agreement", true, today)
		if e := wantErr(t, err, placement.ECONFLICT, "err.status_changed"); e.Data["Status"] != "withdrawn" {
			t.Fatalf("data %v, want the current status", e.Data)
		}
	})
	t.Run("accepted", func(t *testing.T) {
		f := f.with(t)
		if got := f.tick(f.accepted(p, f.user(), today), "agreement"); !slices.Equal(got, []string{"agreement"}) {
			t.Fatalf("ticked %v", got)
		}
	})
}

func TestApprovalQueue(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	acme := f.enterprise(guildA, "Acme", placement.EnterpriseVerified)
	beta := f.enterprise(guildA, "Beta", placement.EnterpriseVerified)
	pa := f.position(acme, func(p *placement.Position) { p.Slots = 50 })
	pb := f.position(beta, func(p *placement.Position) { p.Slots = 50 })

	// Seven accepted applications, two of them at the same instant (the id breaks the tie), one
	// of a student without a profile; and applications that are not accepted.
	var want []placement.Application
	program := map[int64]string{}
	for i, at := range []time.Time{minute(5), minute(1), minute(3), minute(3), minute(7), minute(2), minute(6)} {
		pos := pa
		if i%2 == 1 {
			pos = pb
		}
		student := f.user()
		prog := "Computer Science"
		if i%3 == 0 {
			prog = "Nursing"
		}
		if i == 6 {
			prog = ""
		} else if _, err := f.store.SaveProfile(ctx, placement.Profile{GuildID: guildA, UserID: student, Program: prog}, profileFx(guildA, student)); err != nil {
			t.Fatal(err)
		}
		a := f.accepted(pos, student, at)
		program[a.ID] = prog
		want = append(want, a)
	}
	ticked := want[0]
	f.tick(ticked, "insurance", "agreement")
	f.offered(pa, f.user(), minute(0))
	f.mustApply(pb, f.user())
	f.mustApprove(f.accepted(pa, f.user(), minute(0)), noGates(), minute(8))
	// Guild B's accepted applications never show in guild A's queue.
	f.accepted(f.position(f.enterprise(guildB, "Acme", placement.EnterpriseVerified)), f.user(), minute(0))

	slices.SortFunc(want, func(a, b placement.Application) int {
		if c := a.UpdatedAt.Compare(b.UpdatedAt); c != 0 {
			return c
		}
		return int(a.ID - b.ID)
	})
	var got []placement.QueueItem
	var after placement.QueueCursor
	for page := 0; ; page++ {
		pg, err := f.store.ApprovalQueue(ctx, guildA, placement.QueueFilter{}, after, 3)
		if err != nil {
			t.Fatal(err)
		}
		if pg.Total != 7 {
			t.Fatalf("page %d: total %d, want 7", page, pg.Total)
		}
		got = append(got, pg.Items...)
		last := pg.Items[len(pg.Items)-1]
		if pg.After.ID != last.ID || !pg.After.At.Equal(last.UpdatedAt) {
			t.Fatalf("page %d: cursor %+v, want the last item's", page, pg.After)
		}
		if !pg.HasMore {
			if page != 2 || len(pg.Items) != 1 {
				t.Fatalf("last page %d with %d items, want page 2 with 1", page, len(pg.Items))
			}
			break
		}
		if len(pg.Items) != 3 {
			t.Fatalf("page %d: %d items, want 3", page, len(pg.Items))
		}
		after = pg.After
	}
	if g, w := idsOf(got, func(it placement.QueueItem) int64 { return it.ID }), idsOf(want, func(a placement.Application) int64 { return a.ID }); !slices.Equal(g, w) {
		t.Fatalf("queue %v, want oldest first %v", g, w)
	}
	for _, it := range got {
		if it.PositionTitle == "" || it.EnterpriseName == "" || it.Status != placement.Accepted || it.StudentID == "" {
			t.Fatalf("item %+v lacks its details", it)
		}
		if it.Program != program[it.ID] {
			t.Fatalf("item %d: program %q, want %q", it.ID, it.Program, program[it.ID])
		}
		wantTicks := []string{}
		if it.ID == ticked.ID {
			wantTicks = []string{"agreement", "insurance"}
		}
		if !slices.Equal(it.Ticked, wantTicks) {
			t.Fatalf("item %d: ticked %v, want %v", it.ID, it.Ticked, wantTicks)
		}
	}

	filtered := func(qf placement.QueueFilter, keep func(placement.Application) bool) {
		t.Helper()
		var w []int64
		for _, a := range want {
			if keep(a) {
				w = append(w, a.ID)
			}
		}
		pg, err := f.store.ApprovalQueue(ctx, guildA, qf, placement.QueueCursor{}, 10)
		if err != nil {
			t.Fatal(err)
		}
		if g := idsOf(pg.Items, func(it placement.QueueItem) int64 { return it.ID }); !slices.Equal(g, w) || pg.Total != len(w) || pg.HasMore {
			t.Fatalf("%+v: %v (total %d, more %v), want %v", qf, g, pg.Total, pg.HasMore, w)
		}
	}
	filtered(placement.QueueFilter{Program: "nursing"}, func(a placement.Application) bool { return program[a.ID] == "Nursing" })
	filtered(placement.QueueFilter{EnterpriseID: beta.ID}, func(a placement.Application) bool { return a.EnterpriseID == beta.ID })
	filtered(placement.QueueFilter{Program: "computer science", EnterpriseID: acme.ID}, func(a placement.Application) bool {
		return program[a.ID] == "Computer Science" && a.EnterpriseID == acme.ID
	})
	filtered(placement.QueueFilter{Program: "law"}, func(placement.Application) bool { return false })

	pg, err := f.store.ApprovalQueue(ctx, guildB, placement.QueueFilter{EnterpriseID: acme.ID}, placement.QueueCursor{}, 10)
	if err != nil || pg.Total != 0 || len(pg.Items) != 0 {
		t.Fatalf("guild B filtered by guild A's enterprise: %+v, %v", pg, err)
	}
}

func TestApproveApplication(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	mentor := "300000000000000002" // the poster of positionOf's positions
	e := f.enterprise(guildA, "Acme", placement.EnterpriseVerified, "300000000000000005", mentor)
	ps := make([]placement.Position, 6)
	for i := range ps {
		ps[i] = f.position(e, func(p *placement.Position) { p.Title = fmt.Sprintf("Intern %d", i) })
	}
	student := f.user()
	app := f.accepted(ps[0], student, minute(1))
	submitted := f.mustApply(ps[1], student)
	shortlisted := f.step(f.mustApply(ps[2], student), placement.Shortlisted, placement.PartyMentor, minute(1))
	offered := f.offered(ps[3], student, minute(1))
	accepted := f.accepted(ps[4], student, minute(1))
	rejected := f.step(f.mustApply(ps[5], student), placement.Rejected, placement.PartyMentor, minute(1))
	// Another student's applications to the same positions stay as they are.
	bystander := f.offered(ps[3], f.user(), minute(1))
	f.tick(app, placement.DefaultChecklist...)
	takenBefore := make([]int, len(ps))
	for i, p := range ps {
		takenBefore[i] = f.taken(guildA, p.ID)
	}

	pl := f.mustApprove(app, gates(), minute(2))
	if pl.ID == 0 || pl.GuildID != guildA || pl.ApplicationID != app.ID || pl.PositionID != ps[0].ID ||
		pl.PositionTitle != "Intern 0" || pl.EnterpriseID != e.ID || pl.EnterpriseName != "Acme" ||
		pl.StudentID != student || pl.MentorID != mentor || pl.SupervisorID != "" || pl.Status != placement.PlacementActive ||
		pl.ApprovedBy != coordinator || !pl.StartedAt.Equal(minute(2)) || !pl.EndedAt.IsZero() {
		t.Fatalf("placement %+v", pl)
	}
	found, err := f.store.FindPlacement(ctx, guildA, pl.ID)
	if err != nil || found != pl {
		t.Fatalf("found %+v, %v; want %+v", found, err, pl)
	}

	if s := f.status(app); s != placement.Approved {
		t.Fatalf("approved application is %s", s)
	}
	for _, a := range []placement.Application{submitted, shortlisted, offered, accepted} {
		got, err := f.store.FindApplication(ctx, guildA, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != placement.Withdrawn || got.Reason != placement.PlacedElsewhere || !got.UpdatedAt.Equal(minute(2)) {
			t.Fatalf("other application %d: %s %q at %v, want withdrawn, the bot's reason", a.ID, got.Status, got.Reason, got.UpdatedAt)
		}
	}
	if s := f.status(rejected); s != placement.Rejected {
		t.Fatalf("a final application became %s", s)
	}
	if s := f.status(bystander); s != placement.Offered {
		t.Fatalf("another student's application became %s", s)
	}
	// The approved application already held its slot; the offered and accepted ones free theirs.
	for i, p := range ps {
		want := takenBefore[i]
		if i == 3 || i == 4 {
			want--
		}
		if got := f.taken(guildA, p.ID); got != want {
			t.Errorf("position %d: taken %d, want %d", i, got, want)
		}
	}
	f.checkSlots(guildA)

	evs, err := f.store.ApplicationEvents(ctx, guildA, []int64{app.ID, submitted.ID, shortlisted.ID, offered.ID, accepted.ID, rejected.ID})
	if err != nil {
		t.Fatal(err)
	}
	last := evs[app.ID][len(evs[app.ID])-1]
	if last.From != placement.Accepted || last.To != placement.Approved || last.ActorID != coordinator || !last.At.Equal(minute(2)) {
		t.Fatalf("approval event %+v", last)
	}
	for _, a := range []placement.Application{submitted, shortlisted, offered, accepted} {
		n := 0
		for _, ev := range evs[a.ID] {
			if ev.To == placement.Withdrawn {
				n++
				if ev.From != a.Status || ev.ActorID != coordinator || ev.Note != placement.PlacedElsewhere || !ev.At.Equal(minute(2)) {
					t.Fatalf("withdrawal event of %d: %+v, from %s", a.ID, ev, a.Status)
				}
			}
		}
		if n != 1 {
			t.Fatalf("application %d: %d withdrawal events, want 1", a.ID, n)
		}
	}
	if n := len(evs[rejected.ID]); n != 2 {
		t.Fatalf("rejected application: %d events, want 2", n)
	}

	wantNotes := []string{fmt.Sprintf("application:%d:approved:placement:%d", app.ID, pl.ID)}
	for _, a := range []placement.Application{submitted, shortlisted, offered, accepted} {
		wantNotes = append(wantNotes, fmt.Sprintf("application:%d:withdrawn", a.ID))
	}
	for _, k := range wantNotes {
		if n := f.notes(guildA, k); n != 1 {
			t.Fatalf("notification %s: %d, want 1", k, n)
		}
	}
	if n := f.count(`SELECT count(*) FROM notifications WHERE guild_id = $1`, guildA); n != len(wantNotes) {
		t.Fatalf("%d notifications, want %d", n, len(wantNotes))
	}

	// Approving again is refused and changes nothing.
	_, err = f.approve(app, gates(), minute(3))
	if e := wantErr(t, err, placement.ECONFLICT, "err.status_changed"); e.Data["Status"] != "approved" {
		t.Fatalf("data %v", e.Data)
	}
	if n := f.count(`SELECT count(*) FROM notifications WHERE guild_id = $1`, guildA); n != len(wantNotes) {
		t.Fatalf("%d notifications after a refused approval, want %d", n, len(wantNotes))
	}
	if n := f.count(`SELECT count(*) FROM placements WHERE guild_id = $1`, guildA); n != 1 {
		t.Fatalf("%d placements, want 1", n)
	}
}

func TestApproveRefusals(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	e := f.enterprise(guildA, "Acme", placement.EnterpriseVerified)
	p := f.position(e, func(p *placement.Position) { p.Slots = 20 })

	// nothingWritten fails if the refused approval left any trace.
	nothingWritten := func(t *testing.T, a placement.Application) {
		t.Helper()
		if n := f.count(`SELECT count(*) FROM placements WHERE guild_id = $1 AND application_id = $2`, guildA, a.ID); n != 0 {
			t.Fatalf("%d placements of a refused approval", n)
		}
		if n := f.count(`SELECT count(*) FROM notifications WHERE guild_id = $1 AND starts_with(dedup_key, $2)`, guildA,
			fmt.Sprintf("application:%d:", a.ID)); n != 0 {
			t.Fatalf("%d notifications of a refused approval", n)
		}
		if n := f.count(`SELECT count(*) FROM application_events WHERE guild_id = $1 AND application_id = $2 AND to_status IN ('approved', 'withdrawn')`, guildA, a.ID); n != 0 {
			t.Fatalf("%d events of a refused approval", n)
		}
	}

	t.Run("not found", func(t *testing.T) {
		f := f.with(t)
		other := f.accepted(f.position(f.enterprise(guildB, "Beta", placement.EnterpriseVerified)), f.user(), minute(1))
		a := approval(other, noGates(), minute(2))
		a.GuildID = guildA
		_, err := f.store.ApproveApplication(ctx, a)
		wantErr(t, err, placement.ENOTFOUND, "err.application_not_found")
		if s := f.status(other); s != placement.Accepted {
			t.Fatalf("guild B's application became %s", s)
		}
	})
	t.Run("not accepted", func(t *testing.T) {
		f := f.with(t)
		for _, a := range []placement.Application{f.mustApply(p, f.user()), f.offered(p, f.user(), minute(1))} {
			_, err := f.approve(a, noGates(), minute(2))
			if e := wantErr(t, err, placement.ECONFLICT, "err.status_changed"); e.Data["Status"] != string(a.Status) {
				t.Fatalf("data %v, want status %s", e.Data, a.Status)
			}
			nothingWritten(t, a)
		}
	})
	t.Run("checklist missing", func(t *testing.T) {
		f := f.with(t)
		student := f.user()
		a := f.accepted(p, student, minute(1))
		sibling := f.mustApply(f.position(e), student)
		for _, tt := range []struct {
			tick []string
			want string
		}{
			{nil, "agreement, guardian_consent, insurance"},
			{[]string{"guardian_consent"}, "agreement, insurance"},
			{[]string{"agreement"}, "insurance"},
		} {
			f.tick(a, tt.tick...)
			_, err := f.approve(a, gates(), minute(2))
			if e := wantErr(t, err, placement.EINVALID, "err.checklist_missing"); e.Data["Items"] != tt.want {
				t.Fatalf("after ticking %v: missing %v, want %q", tt.tick, e.Data["Items"], tt.want)
			}
			nothingWritten(t, a)
		}
		if s := f.status(sibling); s != placement.Submitted {
			t.Fatalf("a refused approval withdrew a sibling: %s", s)
		}
		// Items ticked but no longer on the checklist do not matter; all current ones do.
		c := placement.Compliance{Checklist: []string{"agreement", "guardian_consent"}, InternQuotaPercent: 10}
		f.mustApprove(a, c, minute(3))
		if s := f.status(sibling); s != placement.Withdrawn {
			t.Fatalf("sibling %s after the approval", s)
		}
	})
	t.Run("quota", func(t *testing.T) {
		f := f.with(t)
		small := f.staffed(guildA, "Small", 25)
		sp := f.position(small, func(p *placement.Position) { p.Slots = 10 })
		apps := []placement.Application{f.accepted(sp, f.user(), minute(1)), f.accepted(sp, f.user(), minute(1)), f.accepted(sp, f.user(), minute(1))}
		f.mustApprove(apps[0], noGatesAt(10), minute(2))
		f.mustApprove(apps[1], noGatesAt(10), minute(2))
		_, err := f.approve(apps[2], noGatesAt(10), minute(2))
		e := wantErr(t, err, placement.ECONFLICT, "err.quota_full")
		if e.Data["Enterprise"] != "Small" || e.Data["Quota"] != 2 || e.Data["Active"] != 2 {
			t.Fatalf("data %v", e.Data)
		}
		nothingWritten(t, apps[2])
		// A larger share lets the third in.
		f.mustApprove(apps[2], noGatesAt(12), minute(3))
		f.checkSlots(guildA)
	})
	t.Run("already placed", func(t *testing.T) {
		f := f.with(t)
		student := f.user()
		f.mustApprove(f.accepted(p, student, minute(1)), noGates(), minute(2))
		// Applying after the placement is allowed; approving it is not.
		a := f.accepted(f.position(e), student, minute(3))
		_, err := f.approve(a, noGates(), minute(4))
		wantErr(t, err, placement.ECONFLICT, "err.already_placed")
		nothingWritten(t, a)
		if s := f.status(a); s != placement.Accepted {
			t.Fatalf("status %s, want still accepted", s)
		}
	})
}

// noGatesAt has no checklist and the given intern quota.
func noGatesAt(percent int) placement.Compliance {
	return placement.Compliance{InternQuotaPercent: percent}
}

func TestApprovePlacementMentor(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	poster := "300000000000000002"
	first, second := "300000000000000006", "300000000000000007"
	for _, tt := range []struct {
		name    string
		mentors []string
		want    string
	}{
		{"poster linked", []string{first, poster}, poster},
		{"poster not linked", []string{second, first}, second},
		{"no mentor", nil, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := f.with(t)
			e := f.staffed(guildA, tt.name, 100, tt.mentors...)
			pl := f.mustApprove(f.accepted(f.position(e), f.user(), minute(1)), noGates(), minute(2))
			if pl.MentorID != tt.want {
				t.Fatalf("mentor %q, want %q", pl.MentorID, tt.want)
			}
		})
	}
}

func TestApproveSameApplicationAtOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	e := f.staffed(guildA, "Acme", 1000)
	for round := range 5 {
		p := f.position(e)
		student := f.user()
		a := f.accepted(p, student, minute(1))
		sibling := f.offered(f.position(e), student, minute(1))
		errs := atOnce(8, func(int) error {
			_, err := f.approve(a, noGates(), minute(2))
			return err
		})
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
				continue
			}
			wantErr(t, err, placement.ECONFLICT, "err.status_changed")
		}
		if ok != 1 {
			t.Fatalf("round %d: %d approvals succeeded, want 1: %v", round, ok, errs)
		}
		if n := f.count(`SELECT count(*) FROM placements WHERE guild_id = $1 AND student_id = $2`, guildA, student); n != 1 {
			t.Fatalf("round %d: %d placements", round, n)
		}
		if n := f.count(`SELECT count(*) FROM application_events WHERE guild_id = $1 AND application_id = $2 AND to_status = 'withdrawn'`, guildA, sibling.ID); n != 1 {
			t.Fatalf("round %d: sibling withdrawn %d times", round, n)
		}
		if n := f.notes(guildA, fmt.Sprintf("application:%d:withdrawn", sibling.ID)); n != 1 {
			t.Fatalf("round %d: %d withdrawal notifications", round, n)
		}
	}
	f.checkSlots(guildA)
}

func TestApproveTwoApplicationsOfOneStudentAtOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	e1, e2 := f.staffed(guildA, "Acme", 1000), f.staffed(guildA, "Beta", 1000)
	for round := range 10 {
		student := f.user()
		apps := []placement.Application{f.accepted(f.position(e1), student, minute(1)), f.accepted(f.position(e2), student, minute(1))}
		errs := atOnce(2, func(i int) error {
			_, err := f.approve(apps[i], noGates(), minute(2))
			return err
		})
		if (errs[0] == nil) == (errs[1] == nil) {
			t.Fatalf("round %d: errors %v, want exactly one approval", round, errs)
		}
		won, lost := 0, 1
		if errs[0] != nil {
			won, lost = 1, 0
		}
		if code := placement.ErrorCode(errs[lost]); code != placement.ECONFLICT {
			t.Fatalf("round %d: %v, want a conflict", round, errs[lost])
		}
		if s := f.status(apps[won]); s != placement.Approved {
			t.Fatalf("round %d: winner %s", round, s)
		}
		if s := f.status(apps[lost]); s != placement.Withdrawn {
			t.Fatalf("round %d: loser %s, want withdrawn by the winner", round, s)
		}
		if n := f.count(`SELECT count(*) FROM placements WHERE guild_id = $1 AND student_id = $2`, guildA, student); n != 1 {
			t.Fatalf("round %d: %d placements", round, n)
		}
	}
	f.checkSlots(guildA)
}

func TestApprovalsAtOneEnterpriseKeepItsQuota(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	e := f.staffed(guildA, "Acme", 50) // 5 interns at 10%
	ps := []placement.Position{f.position(e, func(p *placement.Position) { p.Slots = 20 }), f.position(e, func(p *placement.Position) { p.Slots = 20 })}
	var apps []placement.Application
	for i := range 30 {
		apps = append(apps, f.accepted(ps[i%2], f.user(), minute(1)))
	}
	errs := atOnce(len(apps), func(i int) error {
		_, err := f.approve(apps[i], noGatesAt(10), minute(2))
		return err
	})
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
			continue
		}
		wantErr(t, err, placement.ECONFLICT, "err.quota_full")
	}
	if ok != 5 {
		t.Fatalf("%d approvals, want the quota of 5", ok)
	}
	if n := f.count(`SELECT count(*) FROM placements WHERE guild_id = $1 AND enterprise_id = $2 AND status = 'active'`, guildA, e.ID); n != 5 {
		t.Fatalf("%d active placements, want 5", n)
	}
	f.checkSlots(guildA)
}

// TestApprovalTrafficKeepsSlotsAndNeverDeadlocks approves students whose other applications
// share positions, while those students withdraw and new students apply and get offers on the
// same positions: every failure must be a domain conflict (never a deadlock), and every
// position's taken must match the applications and placements holding its slots.
func TestApprovalTrafficKeepsSlotsAndNeverDeadlocks(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	es := []placement.Enterprise{f.staffed(guildA, "Acme", 1000), f.staffed(guildA, "Beta", 1000),
		f.staffed(guildA, "Gamma", 1000), f.staffed(guildA, "Delta", 1000)}
	ps := make([]placement.Position, len(es))
	for i, e := range es {
		ps[i] = f.position(e, func(p *placement.Position) { p.Slots = 500 })
	}
	// Each approval frees slots on two positions that other approvals free too, in the other
	// order for every other student.
	type student struct {
		accepted, offered, held, submitted placement.Application
	}
	students := make([]student, 30)
	for i := range students {
		id := f.user()
		a, b := (i+1)%3, (i+2)%3
		if i%2 == 1 {
			a, b = b, a
		}
		students[i] = student{
			accepted:  f.accepted(ps[i%3], id, minute(1)),
			offered:   f.offered(ps[a], id, minute(1)),
			held:      f.accepted(ps[b], id, minute(1)),
			submitted: f.mustApply(ps[3], id),
		}
	}
	offerFrom := placement.FromStatuses(placement.Offered, placement.PartyMentor)
	withdrawFrom := placement.FromStatuses(placement.Withdrawn, placement.PartyStudent)
	n := len(students)
	errs := atOnce(4*n, func(i int) error {
		s := students[i%n]
		var err error
		switch i / n {
		case 0:
			_, err = f.approve(s.accepted, noGates(), minute(2))
		case 1:
			_, err = f.move(s.offered, placement.Withdrawn, withdrawFrom...)
		case 2:
			_, err = f.move(s.submitted, placement.Offered, offerFrom...)
		case 3:
			var a placement.Application
			if a, err = f.apply(ps[i%4], f.user()); err == nil {
				_, err = f.move(a, placement.Offered, offerFrom...)
			}
		}
		return err
	})
	approved := 0
	for i, err := range errs {
		if err == nil {
			if i < n {
				approved++
			}
			continue
		}
		if placement.ErrorCode(err) != placement.ECONFLICT {
			t.Errorf("call %d: %v", i, err)
		}
	}
	if approved != n {
		t.Errorf("%d approvals, want all %d", approved, n)
	}
	if c := f.count(`SELECT count(*) FROM applications WHERE guild_id = $1 AND student_id = ANY($2)
		AND status IN ('submitted', 'shortlisted', 'offered', 'accepted')`, guildA,
		idsOfStudents(students, func(s student) string { return s.accepted.StudentID })); c != 0 {
		t.Errorf("%d applications of placed students still open", c)
	}
	f.checkSlots(guildA)
}

// idsOfStudents lists the user ids of xs, in order.
func idsOfStudents[T any](xs []T, id func(T) string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = id(x)
	}
	return out
}

// TestUntickRacesApproval clears a checklist item while the application is approved: either the
// approval saw the item ticked and the clearing is refused as too late, or the approval is
// refused for the missing item and the clearing stands.
func TestUntickRacesApproval(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	e := f.staffed(guildA, "Acme", 1000)
	p := f.position(e, func(p *placement.Position) { p.Slots = 50 })
	outcomes := map[bool]int{}
	for round := range 20 {
		a := f.accepted(p, f.user(), minute(1))
		f.tick(a, placement.DefaultChecklist...)
		errs := atOnce(2, func(i int) error {
			if i == 0 {
				_, err := f.approve(a, gates(), minute(2))
				return err
			}
			_, err := f.tickAt(a, "insurance", false, minute(2))
			return err
		})
		approved := errs[0] == nil
		outcomes[approved]++
		if approved {
			wantErr(t, errs[1], placement.ECONFLICT, "err.status_changed")
			if got, err := f.store.Checks(t.Context(), guildA, a.ID); err != nil || len(got) != 3 {
				t.Fatalf("round %d: approved with checks %v, %v", round, got, err)
			}
		} else {
			if e := wantErr(t, errs[0], placement.EINVALID, "err.checklist_missing"); e.Data["Items"] != "insurance" {
				t.Fatalf("round %d: missing %v", round, e.Data)
			}
			if errs[1] != nil {
				t.Fatalf("round %d: untick failed too: %v", round, errs[1])
			}
		}
	}
	t.Logf("approved first %d times, cleared first %d times", outcomes[true], outcomes[false])
}
