package postgres_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"placementbot/internal/placement"
	"placementbot/internal/postgres"
	"placementbot/internal/testenv"
)

// withdrawAs withdraws the application as its student.
func (f *fixture) withdrawAs(a placement.Application) {
	f.t.Helper()
	at := today.Add(11 * time.Hour)
	if _, err := f.store.TransitionApplication(f.t.Context(), placement.Transition{GuildID: a.GuildID, ApplicationID: a.ID,
		From: placement.FromStatuses(placement.Withdrawn, placement.PartyStudent), To: placement.Withdrawn, ActorID: a.StudentID, At: at,
		Effects: moveFx(a.StudentID, placement.Withdrawn, "", at, nil)}); err != nil {
		f.t.Fatalf("withdraw: %v", err)
	}
}

func TestReapplyOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	e := f.enterprise(guildA, "Acme", placement.EnterpriseVerified)
	p := f.position(e)
	student := f.user()
	first := f.mustApply(p, student)
	if first.Attempt != 1 {
		t.Fatalf("first attempt %d", first.Attempt)
	}
	f.withdrawAs(first)

	again, err := f.store.CreateApplication(t.Context(), placement.Application{GuildID: guildA, PositionID: p.ID, StudentID: student,
		Motivation: "Second thoughts: I really want this one."}, 10, today, submitFx(nil))
	if err != nil {
		t.Fatal(err)
	}
	stored, err := f.store.FindApplication(t.Context(), guildA, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	if again.ID != first.ID || again.Attempt != 2 || stored.Status != placement.Submitted || stored.Attempt != 2 ||
		stored.Motivation != "Second thoughts: I really want this one." || !stored.OfferedAt.IsZero() {
		t.Fatalf("applied again: %+v, stored %+v", again, stored)
	}
	evs, err := f.store.ApplicationEvents(t.Context(), guildA, []int64{first.ID})
	if err != nil {
		t.Fatal(err)
	}
	var path []string
	for _, ev := range evs[first.ID] {
		path = append(path, string(ev.From)+">"+string(ev.To))
	}
	if want := []string{">submitted", "submitted>withdrawn", "withdrawn>submitted"}; !slices.Equal(path, want) {
		t.Fatalf("timeline %v, want %v", path, want)
	}
	// Applying again while it is open is applying twice.
	_, err = f.apply(p, student)
	wantErr(t, err, placement.ECONFLICT, "err.already_applied")

	// The second withdrawal is final.
	f.withdrawAs(stored)
	_, err = f.apply(p, student)
	wantErr(t, err, placement.ECONFLICT, "apps.err_reapplied_once")
	if n := f.count(`SELECT count(*) FROM applications WHERE guild_id = $1 AND student_id = $2`, guildA, student); n != 1 {
		t.Fatalf("%d applications", n)
	}

	// Rejected, declined or expired is not withdrawn: no second attempt.
	q := f.position(e)
	other := f.mustApply(q, student)
	if _, err := f.move(other, placement.Rejected, placement.Submitted); err != nil {
		t.Fatal(err)
	}
	_, err = f.apply(q, student)
	wantErr(t, err, placement.ECONFLICT, "err.already_applied")

	// The database holds the line too: no third attempt.
	if _, err := f.pool.Exec(t.Context(), `UPDATE applications SET attempt = 3 WHERE id = $1`, first.ID); err == nil {
		t.Fatal("a third attempt was stored")
	}
}

// TestReapplyUnderConcurrency: many applies at once to a withdrawn application reopen it once;
// and a re-apply racing the withdrawal of the offer it follows never deadlocks: it either
// comes too early (already applied) or reopens the application, and the slot comes back.
func TestReapplyUnderConcurrency(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	e := f.enterprise(guildA, "Acme", placement.EnterpriseVerified)
	p := f.position(e)
	student := f.user()
	a := f.mustApply(p, student)
	f.withdrawAs(a)
	errs := atOnce(10, func(int) error {
		_, err := f.apply(p, student)
		return err
	})
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
			continue
		}
		wantErr(t, err, placement.ECONFLICT, "err.already_applied")
	}
	if ok != 1 || f.count(`SELECT attempt FROM applications WHERE id = $1`, a.ID) != 2 {
		t.Fatalf("%d applies reopened it", ok)
	}

	for i := range 20 {
		p := f.position(e)
		student := f.user()
		a := f.mustApply(p, student)
		if _, err := f.move(a, placement.Offered, placement.Submitted); err != nil {
			t.Fatal(err)
		}
		errs := atOnce(2, func(j int) error {
			if j == 0 {
				f.withdrawAs(a)
				return nil
			}
			_, err := f.apply(p, student)
			return err
		})
		if err := errs[1]; err != nil {
			wantErr(t, err, placement.ECONFLICT, "err.already_applied")
		}
		if n := f.taken(guildA, p.ID); n != 0 {
			t.Fatalf("round %d: taken %d after the offer was withdrawn", i, n)
		}
	}
}

func TestSuggestApplications(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	acme := f.enterprise(guildA, "Acme Robotics", placement.EnterpriseVerified)
	beta := f.enterprise(guildA, "Beta Foods", placement.EnterpriseVerified)
	lathe := f.position(acme, func(p *placement.Position) { p.Title = "Lathe operator" })
	pastry := f.position(beta, func(p *placement.Position) { p.Title = "Pastry cook" })
	bo, li := f.user(), f.user()
	a1 := f.mustApply(lathe, bo)
	a2 := f.mustApply(pastry, bo)
	a3 := f.mustApply(lathe, li)
	a4 := f.mustApply(pastry, li)
	if _, err := f.move(a4, placement.Offered, placement.Submitted); err != nil {
		t.Fatal(err)
	}
	if _, err := f.move(a4, placement.Accepted, placement.Offered); err != nil {
		t.Fatal(err)
	}
	if _, err := f.move(a3, placement.Rejected, placement.Submitted); err != nil {
		t.Fatal(err)
	}
	// Another guild's application never shows.
	other := f.enterprise(guildB, "Acme Robotics", placement.EnterpriseVerified)
	f.mustApply(f.position(other, func(p *placement.Position) { p.Title = "Lathe operator" }), bo)

	ids := func(s placement.ApplicationSuggest) []int64 {
		t.Helper()
		apps, err := f.store.SuggestApplications(ctx, guildA, s)
		if err != nil {
			t.Fatal(err)
		}
		return idsOf(apps, func(a placement.Application) int64 { return a.ID })
	}
	for _, tt := range []struct {
		name string
		f    placement.ApplicationSuggest
		want []int64
	}{
		{"accepted first, then open newest first", placement.ApplicationSuggest{}, []int64{a4.ID, a2.ID, a1.ID}},
		{"with the finished ones", placement.ApplicationSuggest{WithFinal: true}, []int64{a4.ID, a3.ID, a2.ID, a1.ID}},
		{"by title, any case", placement.ApplicationSuggest{Typed: "LATHE", WithFinal: true}, []int64{a3.ID, a1.ID}},
		{"by enterprise", placement.ApplicationSuggest{Typed: "beta"}, []int64{a4.ID, a2.ID}},
		{"by number", placement.ApplicationSuggest{Typed: fmt.Sprintf("#%d", a2.ID)}, []int64{a2.ID}},
		{"nothing matches", placement.ApplicationSuggest{Typed: "welding"}, nil},
		{"a mentor's enterprises", placement.ApplicationSuggest{EnterpriseIDs: []int64{acme.ID}, WithFinal: true}, []int64{a3.ID, a1.ID}},
		{"a mentor of none", placement.ApplicationSuggest{EnterpriseIDs: []int64{}}, nil},
		{"a student's own", placement.ApplicationSuggest{StudentID: li, WithFinal: true}, []int64{a4.ID, a3.ID}},
		{"the limit", placement.ApplicationSuggest{Limit: 2}, []int64{a4.ID, a2.ID}},
	} {
		if got := ids(tt.f); !slices.Equal(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
	apps, err := f.store.SuggestApplications(ctx, guildA, placement.ApplicationSuggest{Typed: "pastry", StudentID: bo})
	if err != nil || len(apps) != 1 || apps[0].PositionTitle != "Pastry cook" || apps[0].EnterpriseName != "Beta Foods" {
		t.Fatalf("suggestion rows carry their titles: %+v (%v)", apps, err)
	}
}

// TestSuggestApplicationsPlanUsesIndexes: a suggestion list is one statement, and none of its
// shapes reads a whole table, in a guild large enough for the planner to prefer indexes.
func TestSuggestApplicationsPlanUsesIndexes(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	f, rec := recordingFixture(t)
	pool := f.pool
	e := f.enterprise(guildA, "Acme", placement.EnterpriseVerified)
	for _, sql := range []string{
		`INSERT INTO enterprises (guild_id, name, staff_size, status)
		 SELECT $1, 'E' || i, 100, 'verified' FROM generate_series(1, 499) AS i`,
		`INSERT INTO positions (guild_id, enterprise_id, title, slots, start_date, end_date, deadline, status, created_by)
		 SELECT $1, e.id, 'P' || i, 500, DATE '2026-06-01', DATE '2026-12-01', DATE '2026-05-01', 'open', 'x'
		 FROM generate_series(1, 10) AS i, enterprises e WHERE e.guild_id = $1`,
		`INSERT INTO applications (guild_id, position_id, student_id, status, motivation)
		 SELECT $1, p.id, (100000 + (p.id * 4 + i) % 5000)::text,
		        (ARRAY['submitted', 'withdrawn', 'rejected', 'accepted', 'expired'])[1 + (p.id + i) % 5], 'm'
		 FROM generate_series(1, 4) AS i, positions p WHERE p.guild_id = $1`,
	} {
		if _, err := pool.Exec(ctx, sql, guildA); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	if _, err := pool.Exec(ctx, `ANALYZE`); err != nil {
		t.Fatal(err)
	}
	for _, s := range []placement.ApplicationSuggest{
		{}, {WithFinal: true}, {Typed: "p42"}, {Typed: "#4242", WithFinal: true}, {Typed: "nothing like it"},
		{EnterpriseIDs: []int64{e.ID}}, {StudentID: "100042", WithFinal: true},
	} {
		sts := rec.record(func() {
			if _, err := f.store.SuggestApplications(ctx, guildA, s); err != nil {
				t.Fatal(err)
			}
		})
		if len(sts) != 1 {
			t.Fatalf("%+v: %d statements, want 1", s, len(sts))
		}
		plan := explain(t, pool, sts[0])
		for _, table := range []string{"applications", "positions"} {
			if strings.Contains(plan, "Seq Scan on "+table) {
				t.Errorf("%+v reads the whole of %s:\n%s", s, table, plan)
			}
		}
	}
}

// explain is the plan of a recorded statement.
func explain(t *testing.T, pool *pgxpool.Pool, st recordedStatement) string {
	t.Helper()
	rows, err := pool.Query(t.Context(), "EXPLAIN (COSTS OFF) "+st.sql, st.args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan strings.Builder
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		plan.WriteString(line + "\n")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return plan.String()
}

// TestMigrateLegacyPlacedElsewhere: the withdrawals on approval recorded before migration 10
// said "placed elsewhere" in English; they become the bot's reason, and a student's own note
// that happens to say the same stays theirs.
func TestMigrateLegacyPlacedElsewhere(t *testing.T) {
	ctx := t.Context()
	url := testenv.NewEmptyDatabase(t)
	if err := postgres.MigrateUp(ctx, url); err != nil {
		t.Fatal(err)
	}
	for {
		current, _, err := postgres.MigrationStatus(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		if current == 9 {
			break
		}
		if err := postgres.MigrateDown(ctx, url); err != nil {
			t.Fatal(err)
		}
	}
	conn := connect(t, ctx, url)
	const student, coordinator = "200000000000000001", "300000000000000001"
	for _, sql := range []string{
		`INSERT INTO guilds (guild_id) VALUES ('1')`,
		`INSERT INTO enterprises (guild_id, name, staff_size, status) VALUES ('1', 'Acme', 50, 'verified')`,
		`INSERT INTO positions (guild_id, enterprise_id, title, slots, start_date, end_date, deadline, status, created_by)
		 SELECT '1', 1, 'P' || i, 3, DATE '2026-06-01', DATE '2026-12-01', DATE '2026-05-01', 'open', 'x' FROM generate_series(1, 2) AS i`,
		`INSERT INTO applications (guild_id, position_id, student_id, status, motivation, reason)
		 VALUES ('1', 1, '` + student + `', 'withdrawn', 'm', 'placed elsewhere'), ('1', 2, '` + student + `', 'withdrawn', 'm', 'placed elsewhere')`,
		`INSERT INTO application_events (guild_id, application_id, from_status, to_status, actor_id, note)
		 VALUES ('1', 1, 'submitted', 'withdrawn', '` + coordinator + `', 'placed elsewhere'),
		        ('1', 2, 'submitted', 'withdrawn', '` + student + `', 'placed elsewhere')`,
		`INSERT INTO audit_events (guild_id, actor_id, action, subject, detail)
		 VALUES ('1', '` + coordinator + `', 'application.withdrawn', 'application:1', '{"from": "submitted", "note": "placed elsewhere"}'),
		        ('1', '` + student + `', 'application.withdrawn', 'application:2', '{"from": "submitted", "note": "placed elsewhere"}')`,
	} {
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	if err := postgres.MigrateUp(ctx, url); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[int]string{1: placement.PlacedElsewhere, 2: "placed elsewhere"} {
		var reason, note, detail string
		if err := conn.QueryRow(ctx, `
			SELECT a.reason, ev.note, au.detail->>'note' FROM applications a
			JOIN application_events ev ON ev.application_id = a.id
			JOIN audit_events au ON au.subject = 'application:' || a.id
			WHERE a.id = $1`, id).Scan(&reason, &note, &detail); err != nil {
			t.Fatal(err)
		}
		if reason != want || note != want || detail != want {
			t.Errorf("application %d: reason %q, event %q, audit %q; want %q", id, reason, note, detail, want)
		}
	}
}
