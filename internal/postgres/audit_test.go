package postgres_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"placementbot/internal/placement"
)

// trailLine is what a test expects of one audit entry.
type trailLine struct {
	action, subject string
}

// checkTrail fails unless the trail has exactly the lines, in order, oldest first.
func checkTrail(t *testing.T, got []placement.AuditEntry, want []trailLine) {
	t.Helper()
	var g, w []string
	for _, e := range got {
		g = append(g, e.Action+" "+e.Subject)
	}
	for _, l := range want {
		w = append(w, l.action+" "+l.subject)
	}
	if strings.Join(g, "\n") != strings.Join(w, "\n") {
		t.Fatalf("trail:\n  %s\nwant:\n  %s", strings.Join(g, "\n  "), strings.Join(w, "\n  "))
	}
	for i := 1; i < len(got); i++ {
		if got[i].At.Before(got[i-1].At) {
			t.Fatalf("entry %d at %v is older than the one before it", i, got[i].At)
		}
	}
}

func TestAuditTrail(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	acme := f.staffed(guildA, "Acme", 1000)
	beta := f.staffed(guildA, "Beta", 1000)
	p1, p2 := f.position(acme), f.position(beta)
	student, peer := f.user(), f.user()

	// Applications are filed now; every later step is an hour ahead, a minute apart.
	app1 := f.mustApply(p1, student)
	app2 := f.mustApply(p2, student)
	appPeer := f.mustApply(p1, peer)
	t0 := time.Now().Add(time.Hour).Truncate(time.Microsecond)
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	app1 = f.step(app1, placement.Offered, placement.PartyMentor, at(1))
	app1 = f.step(app1, placement.Accepted, placement.PartyStudent, at(2))
	if _, err := f.tickAt(app1, "agreement", true, at(3)); err != nil {
		t.Fatal(err)
	}
	f.step(app2, placement.Offered, placement.PartyMentor, at(4))
	f.step(appPeer, placement.Rejected, placement.PartyMentor, at(5))
	pl := f.mustApprove(app1, placement.Compliance{Checklist: []string{"agreement"}, InternQuotaPercent: 10}, at(6))
	if _, err := f.store.SetSupervisor(ctx, guildA, pl.ID, f.user(), placement.Audited(placementEvent(pl, "placement.supervisor", at(7)))); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.RequestEnd(ctx, guildA, pl.ID, "moving", placement.Audited(placementEvent(pl, "placement.end_requested", at(8)))); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.EndPlacement(ctx, guildA, pl.ID, "moved", placement.Audited(placementEvent(pl, "placement.ended", at(9)))); err != nil {
		t.Fatal(err)
	}
	// A decision about something else that names the student.
	named := placement.AuditEvent{GuildID: guildA, ActorID: student, Action: "privacy.export", Subject: "guild:" + guildA,
		Detail: map[string]any{"student_id": student}, At: at(10)}
	if _, err := f.store.UpdateGuildSettings(ctx, guildA, placement.GuildSettingsUpdate{}, placement.Audited(named)); err != nil {
		t.Fatal(err)
	}
	// The same student in guild B, with a decision naming them there.
	pb := f.position(f.staffed(guildB, "Acme", 1000))
	appB := f.accepted(pb, student, at(1))
	plB := f.mustApprove(appB, noGates(), at(2))
	if _, err := f.store.SetSupervisor(ctx, guildB, plB.ID, f.user(), placement.Audited(placementEvent(plB, "placement.supervisor", at(3)))); err != nil {
		t.Fatal(err)
	}

	a1, a2, aPeer := fmt.Sprintf("application:%d", app1.ID), fmt.Sprintf("application:%d", app2.ID), fmt.Sprintf("application:%d", appPeer.ID)
	placementSubject := fmt.Sprintf("placement:%d", pl.ID)
	trail := func(guildID, subject string, limit int) []placement.AuditEntry {
		t.Helper()
		got, err := f.store.AuditTrail(ctx, guildID, subject, limit)
		if err != nil {
			t.Fatalf("%s: %v", subject, err)
		}
		return got
	}

	t.Run("application", func(t *testing.T) {
		got := trail(guildA, a1, 200)
		checkTrail(t, got, []trailLine{
			{"application.submitted", a1}, {"application.offered", a1}, {"application.accepted", a1},
			{"checklist.tick", a1}, {"application.approved", a1},
		})
		approved := got[len(got)-1]
		if approved.ActorID != coordinator || !approved.At.Equal(at(6)) || approved.Detail["from"] != "accepted" || approved.Detail["note"] != "" {
			t.Fatalf("approval entry %+v", approved)
		}
		if tick := got[3]; tick.ActorID != coordinator || tick.Detail["item"] != "agreement" {
			t.Fatalf("tick entry %+v", tick)
		}
	})
	t.Run("student", func(t *testing.T) {
		got := trail(guildA, "student:"+student, 200)
		checkTrail(t, got, []trailLine{
			{"application.submitted", a1}, {"application.submitted", a2},
			{"application.offered", a1}, {"application.accepted", a1}, {"checklist.tick", a1},
			{"application.offered", a2},
			{"application.approved", a1}, {"application.withdrawn", a2},
			{"placement.supervisor", placementSubject}, {"placement.end_requested", placementSubject},
			{"placement.ended", placementSubject}, {"privacy.export", "guild:" + guildA},
		})
		if w := got[7]; w.Detail["from"] != "offered" || w.Detail["note"] != placement.PlacedElsewhere || w.ActorID != coordinator {
			t.Fatalf("withdrawal entry %+v", w)
		}
		// The newest entries when there are more than the limit, still oldest first.
		checkTrail(t, trail(guildA, "student:"+student, 3), []trailLine{
			{"placement.end_requested", placementSubject}, {"placement.ended", placementSubject}, {"privacy.export", "guild:" + guildA},
		})
	})
	t.Run("enterprise", func(t *testing.T) {
		// Its positions' events and its applications' moves are in it; the checklist ticks,
		// which are about the application only, are not.
		e := fmt.Sprintf("enterprise:%d", acme.ID)
		checkTrail(t, trail(guildA, e, 200), []trailLine{
			{"enterprise.add", e}, {"position.posted", placement.PositionSubject(p1.ID)},
			{"application.submitted", a1}, {"application.submitted", aPeer},
			{"application.offered", a1}, {"application.accepted", a1}, {"application.rejected", aPeer},
			{"application.approved", a1},
			{"placement.supervisor", placementSubject}, {"placement.end_requested", placementSubject},
			{"placement.ended", placementSubject},
		})
	})
	t.Run("position", func(t *testing.T) {
		checkTrail(t, trail(guildA, placement.PositionSubject(p1.ID), 200), []trailLine{
			{"position.posted", placement.PositionSubject(p1.ID)},
		})
	})
	t.Run("placement", func(t *testing.T) {
		checkTrail(t, trail(guildA, placementSubject, 200), []trailLine{
			{"placement.supervisor", placementSubject}, {"placement.end_requested", placementSubject},
			{"placement.ended", placementSubject},
		})
	})
	t.Run("guild scoped", func(t *testing.T) {
		for _, subject := range []string{a1, placementSubject, fmt.Sprintf("enterprise:%d", acme.ID), placement.PositionSubject(p1.ID)} {
			if got := trail(guildB, subject, 200); len(got) != 0 {
				t.Fatalf("guild B reads %s of guild A: %+v", subject, got)
			}
		}
		bApp, bPl := fmt.Sprintf("application:%d", appB.ID), fmt.Sprintf("placement:%d", plB.ID)
		checkTrail(t, trail(guildB, "student:"+student, 200), []trailLine{
			{"application.submitted", bApp}, {"application.offered", bApp}, {"application.accepted", bApp},
			{"application.approved", bApp}, {"placement.supervisor", bPl},
		})
		if got := trail(guildA, bPl, 200); len(got) != 0 {
			t.Fatalf("guild A reads guild B's placement: %+v", got)
		}
	})
	t.Run("nothing yet", func(t *testing.T) {
		if got := trail(guildA, "student:1", 200); len(got) != 0 {
			t.Fatalf("a stranger's trail: %+v", got)
		}
	})
	t.Run("bad subject", func(t *testing.T) {
		for _, s := range []string{"", "user:1", "application:", "application:x", "application:0", "enterprise:-1", "position:0", "student:", "student:12a"} {
			_, err := f.store.AuditTrail(ctx, guildA, s, 10)
			wantErr(t, err, placement.EINVALID, "err.audit_subject")
		}
	})
}

// TestAuditTrailPlansUseIndexes seeds a guild large enough for the planner to prefer indexes,
// then checks that no trail reads a whole table of events, applications or placements.
func TestAuditTrailPlansUseIndexes(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	f, rec := recordingFixture(t)
	pool := f.pool
	e := f.staffed(guildA, "Acme", 1000)
	// 5,000 positions of 500 enterprises; 20,000 applications of 5,000 students with two events
	// each; 2,000 placements, most of them ended; 50,000 audit events, a fifth naming a student.
	for _, sql := range []string{
		`INSERT INTO enterprises (guild_id, name, staff_size, status)
		 SELECT $1, 'E' || i, 100, 'verified' FROM generate_series(1, 499) AS i`,
		`INSERT INTO positions (guild_id, enterprise_id, title, slots, start_date, end_date, deadline, status, created_by)
		 SELECT $1, e.id, 'P' || i, 500, DATE '2026-06-01', DATE '2026-12-01', DATE '2026-05-01', 'open', 'x'
		 FROM generate_series(1, 10) AS i, enterprises e WHERE e.guild_id = $1`,
		`INSERT INTO applications (guild_id, position_id, student_id, status, motivation)
		 SELECT $1, p.id, (100000 + (p.id * 4 + i) % 5000)::text, 'submitted', 'm'
		 FROM generate_series(1, 4) AS i, positions p WHERE p.guild_id = $1`,
		`INSERT INTO application_events (guild_id, application_id, from_status, to_status, actor_id)
		 SELECT a.guild_id, a.id, s.f, s.t, 'x'
		 FROM applications a, (VALUES ('', 'submitted'), ('submitted', 'shortlisted')) AS s(f, t) WHERE a.guild_id = $1`,
		`INSERT INTO placements (guild_id, application_id, position_id, enterprise_id, student_id, approved_by, status)
		 SELECT a.guild_id, a.id, a.position_id, p.enterprise_id, a.student_id, 'x', CASE WHEN row_number() OVER (PARTITION BY a.student_id ORDER BY a.id) = 1 THEN 'active' ELSE 'ended' END
		 FROM applications a JOIN positions p ON p.guild_id = a.guild_id AND p.id = a.position_id
		 WHERE a.guild_id = $1 AND a.id % 10 = 0`,
		`INSERT INTO audit_events (guild_id, actor_id, action, subject, enterprise_id, detail)
		 SELECT $1, 'x', 'a', (ARRAY['application:', 'placement:', 'position:', 'guild:'])[1 + i % 4] || (i % 20000),
		        CASE WHEN i % 4 < 3 THEN 1 + i % 500 END,
		        CASE WHEN i % 5 = 0 THEN jsonb_build_object('student_id', (100000 + i % 5000)::text) ELSE '{}' END
		 FROM generate_series(1, 50000) AS i`,
	} {
		if _, err := pool.Exec(ctx, sql, guildA); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	if _, err := pool.Exec(ctx, `ANALYZE`); err != nil {
		t.Fatal(err)
	}
	var appID, placementID int64
	if err := pool.QueryRow(ctx, `SELECT max(id) FROM applications`).Scan(&appID); err != nil {
		t.Fatal(err)
	}
	if err := pool.QueryRow(ctx, `SELECT max(id) FROM placements`).Scan(&placementID); err != nil {
		t.Fatal(err)
	}
	for _, subject := range []string{
		fmt.Sprintf("application:%d", appID), "student:100042", fmt.Sprintf("enterprise:%d", e.ID),
		fmt.Sprintf("placement:%d", placementID), "position:42",
	} {
		sts := rec.record(func() {
			if _, err := f.store.AuditTrail(ctx, guildA, subject, 200); err != nil {
				t.Fatal(err)
			}
		})
		if len(sts) != 1 {
			t.Fatalf("%s: %d statements, want 1", subject, len(sts))
		}
		rows, err := pool.Query(ctx, "EXPLAIN (COSTS OFF) "+sts[0].sql, sts[0].args...)
		if err != nil {
			t.Fatal(err)
		}
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
		for _, table := range []string{"audit_events", "application_events", "applications", "placements", "positions"} {
			if strings.Contains(plan.String(), "Seq Scan on "+table) {
				t.Errorf("%s reads the whole of %s:\n%s", subject, table, plan.String())
			}
		}
	}
}
