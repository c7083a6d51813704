package postgres_test

import (
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"placementbot/internal/placement"
	"placementbot/internal/postgres"
	"placementbot/internal/testenv"
)

// The guilds tests use: B is there to prove that nothing of A shows through it.
const (
	guildA = "100000000000000001"
	guildB = "100000000000000002"
)

// today is the date every test runs on.
var today = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)

// fixture is a store on a database of the test's own, with methods that build the rows a test
// needs through the store itself.
type fixture struct {
	t     *testing.T
	pool  *pgxpool.Pool
	store *postgres.Store
	seq   *atomic.Int64
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	pool := testenv.NewPool(t)
	return &fixture{t: t, pool: pool, store: postgres.NewStore(pool), seq: new(atomic.Int64)}
}

// with returns the fixture for a subtest, so that its methods fail the subtest.
func (f *fixture) with(t *testing.T) *fixture {
	c := *f
	c.t = t
	return &c
}

// user returns a fresh snowflake-like id.
func (f *fixture) user() string {
	return strconv.FormatInt(200000000000000000+f.seq.Add(1), 10)
}

// setupActor is the coordinator behind auditEvent.
const setupActor = "300000000000000001"

// auditEvent is an audit event of a coordinator about the guild's setup.
func auditEvent(guildID, action string) placement.AuditEvent {
	return placement.AuditEvent{GuildID: guildID, ActorID: setupActor, Action: action, Subject: "guild:" + guildID,
		At: today.Add(9 * time.Hour)}
}

// fx is the effects of a coordinator's change of the guild, announced by the notifications.
func fx(guildID, action string, notes ...placement.Notification) placement.Effects {
	return placement.Audited(auditEvent(guildID, action), notes...)
}

// enterpriseFx builds the effects of an enterprise created or decided, as the service does:
// a coordinator's event about it, and the notifications of notes unless nil.
func enterpriseFx(action string, notes func(placement.Enterprise) []placement.Notification) func(placement.Enterprise) placement.Effects {
	return func(e placement.Enterprise) placement.Effects {
		ev := auditEvent(e.GuildID, action)
		ev.Subject, ev.EnterpriseID = placement.EnterpriseSubject(e.ID), e.ID
		out := placement.Audited(ev)
		if notes != nil {
			out.Notes = notes(e)
		}
		return out
	}
}

// positionEvent is a mentor's audit event about a position, in its enterprise's trail.
func positionEvent(p placement.Position, action string) placement.AuditEvent {
	return placement.AuditEvent{GuildID: p.GuildID, ActorID: "300000000000000002", Action: action, Subject: placement.PositionSubject(p.ID),
		EnterpriseID: p.EnterpriseID, Detail: map[string]any{"position_id": p.ID}, At: today.Add(9 * time.Hour)}
}

// statusFx is the effects of a mentor closing or reopening a position of the guild.
func statusFx(guildID string, id int64, status placement.PositionStatus) placement.Effects {
	return placement.Audited(positionEvent(placement.Position{GuildID: guildID, ID: id}, "position."+string(status)))
}

// positionFx builds the effects of a position posted, as the service does: the mentor's event
// about it, and the notifications of notes unless nil.
func positionFx(notes func(placement.Position) []placement.Notification) func(placement.Position) placement.Effects {
	return func(p placement.Position) placement.Effects {
		out := placement.Audited(positionEvent(p, "position.posted"))
		if notes != nil {
			out.Notes = notes(p)
		}
		return out
	}
}

// profileFx is the effects of a student's profile saved, as the service builds them.
func profileFx(guildID, studentID string) placement.Effects {
	return placement.Audited(placement.AuditEvent{GuildID: guildID, ActorID: studentID, Action: "profile.saved",
		Subject: placement.StudentSubject(studentID), Detail: map[string]any{"student_id": studentID}, At: today.Add(9 * time.Hour)})
}

// submitFx builds the effects of an application filed, as the service does: its lifecycle
// event, and the notifications of notes unless nil.
func submitFx(notes func(placement.Application) []placement.Notification) func(placement.Application) placement.Effects {
	return func(a placement.Application) placement.Effects {
		out := placement.Audited(placement.LifecycleAudit(a, "", placement.Submitted, a.StudentID, "", a.CreatedAt))
		if notes != nil {
			out.Notes = notes(a)
		}
		return out
	}
}

// moveFx builds the effects of an application's move, as the service does: the actor's
// lifecycle event with the note at the time, and the notifications of notes unless nil.
func moveFx(actorID string, to placement.Status, note string, at time.Time, notes func(placement.Application) []placement.Notification) func(placement.Application) placement.Effects {
	return func(before placement.Application) placement.Effects {
		out := placement.Audited(placement.LifecycleAudit(before, before.Status, to, actorID, note, at))
		if notes != nil {
			out.Notes = notes(before)
		}
		return out
	}
}

// enterprise creates an enterprise in the given status; a verified one gets the mentors linked.
func (f *fixture) enterprise(guildID, name string, status placement.EnterpriseStatus, mentors ...string) placement.Enterprise {
	f.t.Helper()
	ctx := f.t.Context()
	e, err := f.store.CreateEnterprise(ctx, placement.Enterprise{GuildID: guildID, Name: name, Industry: "software",
		City: "Lyon", StaffSize: 50, Status: status, RequestedBy: f.user()}, enterpriseFx("enterprise.add", nil))
	if err != nil {
		f.t.Fatalf("create enterprise %s: %v", name, err)
	}
	for _, m := range mentors {
		if err := f.store.LinkMentor(ctx, guildID, e.ID, m, setupActor, fx(guildID, "enterprise.link_mentor")); err != nil {
			f.t.Fatalf("link mentor: %v", err)
		}
	}
	if len(mentors) > 0 {
		if e, err = f.store.FindEnterprise(ctx, guildID, e.ID); err != nil {
			f.t.Fatal(err)
		}
	}
	return e
}

// positionOf returns a valid open position of the enterprise, changed by the options.
func positionOf(e placement.Enterprise, opts ...func(*placement.Position)) placement.Position {
	p := placement.Position{GuildID: e.GuildID, EnterpriseID: e.ID, Title: "Backend Developer Intern",
		Description: "Build services in Go.", Skills: []string{"go", "sql"}, Programs: []string{"computer science"},
		Location: "Lyon", Slots: 3, StartDate: today.AddDate(0, 2, 0), EndDate: today.AddDate(0, 8, 0),
		Deadline: today.AddDate(0, 1, 0), Stipend: "600 EUR", Status: placement.PositionOpen, CreatedBy: "300000000000000002"}
	for _, o := range opts {
		o(&p)
	}
	return p
}

// position creates a position of the enterprise through the store.
func (f *fixture) position(e placement.Enterprise, opts ...func(*placement.Position)) placement.Position {
	f.t.Helper()
	p, err := f.store.CreatePosition(f.t.Context(), positionOf(e, opts...), positionFx(nil))
	if err != nil {
		f.t.Fatalf("create position: %v", err)
	}
	return p
}

// apply files an application of the student to the position, under a cap of 10.
func (f *fixture) apply(p placement.Position, studentID string) (placement.Application, error) {
	return f.store.CreateApplication(f.t.Context(), placement.Application{GuildID: p.GuildID, PositionID: p.ID,
		StudentID: studentID, Motivation: "I would love to learn how you build things."}, 10, today, submitFx(nil))
}

// mustApply is apply that fails the test on error.
func (f *fixture) mustApply(p placement.Position, studentID string) placement.Application {
	f.t.Helper()
	a, err := f.apply(p, studentID)
	if err != nil {
		f.t.Fatalf("apply: %v", err)
	}
	return a
}

// move transitions an application as the service would, without notifications.
func (f *fixture) move(a placement.Application, to placement.Status, from ...placement.Status) (placement.Application, error) {
	at := today.Add(10 * time.Hour)
	return f.store.TransitionApplication(f.t.Context(), placement.Transition{GuildID: a.GuildID, ApplicationID: a.ID,
		From: from, To: to, ActorID: "300000000000000003", At: at, Effects: moveFx("300000000000000003", to, "", at, nil)})
}

// count runs a SELECT count(*)-like query and returns its single number.
func (f *fixture) count(sql string, args ...any) int {
	f.t.Helper()
	var n int
	if err := f.pool.QueryRow(f.t.Context(), sql, args...).Scan(&n); err != nil {
		f.t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// taken reads a position's taken slots straight from the table.
func (f *fixture) taken(guildID string, id int64) int {
	f.t.Helper()
	return f.count(`SELECT taken FROM positions WHERE guild_id = $1 AND id = $2`, guildID, id)
}

// wantErr fails unless err is a domain error with the code and key.
func wantErr(t *testing.T, err error, code, key string) *placement.Error {
	t.Helper()
	var e *placement.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want %s (%s)", err, key, code)
	}
	if e.Code != code || e.Key != key {
		t.Fatalf("err = %s (%s), want %s (%s)", e.Key, e.Code, key, code)
	}
	return e
}

// dm builds a DM notification with a dedup key.
func dm(guildID, key, userID string) placement.Notification {
	return placement.Notification{GuildID: guildID, DedupKey: key, UserID: userID, MessageKey: "note.test",
		Data: map[string]any{"Key": key}}
}

// idsOf lists the ids of xs, in order.
func idsOf[T any](xs []T, id func(T) int64) []int64 {
	out := make([]int64, len(xs))
	for i, x := range xs {
		out[i] = id(x)
	}
	return out
}

func positionID(p placement.Position) int64 { return p.ID }

func enterpriseName(i int) string { return fmt.Sprintf("Enterprise %03d", i) }
