package main

import (
	"context"
	"fmt"
	"runtime"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"placementbot/internal/matching"
	"placementbot/internal/placement"
	"placementbot/internal/postgres"
)

// roundSize is a placement round at some scale: the residency match's shape (47,208 students,
// 6,626 positions, 43,237 slots, 12 ranks each) scaled to the number of students.
type roundSize struct {
	students, positions, slots int
}

const (
	residencyStudents  = 47_208
	residencyPositions = 6_626
	residencySlots     = 43_237
	ranksPerStudent    = 12
	roundCoordinator   = "830000000000000001"
)

func scaledRound(students int) roundSize {
	return roundSize{students: students, positions: max(ranksPerStudent+1, residencyPositions*students/residencyStudents),
		slots: residencySlots * students / residencyStudents}
}

// roundBench seeds a round at 1,000, 5,000, 20,000 and 47,208 students, each in a database of
// its own, and times, database to database, the preview (load every rank in one query, match,
// check, write the summary) and the publish of the whole result (every offer with its event,
// audit and DMs, in one transaction); and the load alone and the in-memory build, match and
// check of the same entries. (The match against one bare pass over the entries is the matching
// package's benchmark: go test ./internal/matching -run '^$' -bench Match -benchtime 20x.)
func roundBench(ctx context.Context, quick bool) error {
	e, err := startEnv(ctx)
	if err != nil {
		return err
	}
	defer e.close()
	scales := []int{1000, 5000, 20_000, residencyStudents}
	if quick {
		scales = []int{1000, 5000}
	}
	fmt.Printf("placement round: students ranking %d positions each, positions ranking all their applicants (ties in pairs)\n", ranksPerStudent)
	fmt.Printf("%9s %9s %9s %9s | %9s %9s %9s | %9s %9s %9s\n", "students", "positions", "slots", "entries",
		"load", "in memory", "preview", "publish", "offers", "DMs")
	for i, n := range scales {
		sz := scaledRound(n)
		pool, err := e.roundDatabase(ctx, fmt.Sprintf("round%d", i), sz)
		if err != nil {
			return err
		}
		row, err := measureRound(ctx, pool)
		pool.Close()
		if err != nil {
			return err
		}
		fmt.Printf("%9d %9d %9d %9d | %9s %9s %9s | %9s %9d %9d\n", sz.students, sz.positions, sz.slots, row.entries,
			ms(row.load), ms(row.match), ms(row.preview), ms(row.publish), row.moved, row.dms)
	}
	var mem runtime.MemStats
	runtime.ReadMemStats(&mem)
	fmt.Printf("RSS %.0f MiB, Go heap in use %d MiB\n", mib(rssBytes()), mem.HeapInuse>>20)
	return nil
}

// roundDatabase creates, migrates and seeds a database holding one open round of the size.
func (e *env) roundDatabase(ctx context.Context, name string, sz roundSize) (*pgxpool.Pool, error) {
	admin, err := postgres.Open(ctx, e.pg.URL("postgres"))
	if err != nil {
		return nil, err
	}
	_, err = admin.Exec(ctx, "CREATE DATABASE "+name)
	admin.Close()
	if err != nil {
		return nil, err
	}
	url := e.pg.URL(name)
	if err := postgres.MigrateUp(ctx, url); err != nil {
		return nil, err
	}
	pool, err := postgres.Open(ctx, url)
	if err != nil {
		return nil, err
	}
	if err := seedRound(ctx, pool, sz); err != nil {
		pool.Close()
		return nil, err
	}
	return pool, nil
}

// seedRound seeds, set-based, a guild whose students each applied to 12 distinct positions,
// opens a round over all of them through the service and fills both sides' ranks.
func seedRound(ctx context.Context, pool *pgxpool.Pool, sz roundSize) error {
	enterprises := max(1, sz.positions/3)
	step := sz.positions/ranksPerStudent + 1 // j*step mod positions is distinct for j < 12
	script := fmt.Sprintf(`DO $$
BEGIN
	INSERT INTO guilds (guild_id, student_role_id, open_application_cap) VALUES ('%[1]s', '%[2]s', 100);
	INSERT INTO enterprises (guild_id, id, name, staff_size, status)
	OVERRIDING SYSTEM VALUE
	SELECT '%[1]s', i, 'Enterprise ' || i, 500, 'verified' FROM generate_series(1, %[3]d) i;
	PERFORM setval(pg_get_serial_sequence('enterprises', 'id'), %[3]d);
	INSERT INTO enterprise_mentors (guild_id, enterprise_id, user_id, linked_by)
	SELECT '%[1]s', i, (820000000000000000 + i)::text, 'seed' FROM generate_series(1, %[3]d) i;
	-- Slots spread evenly: %[5]d in all.
	INSERT INTO positions (guild_id, id, enterprise_id, title, skills, programs, location, slots,
	                       start_date, end_date, deadline, status, created_by)
	OVERRIDING SYSTEM VALUE
	SELECT '%[1]s', i, 1 + i %% %[3]d, 'Position ' || i, ARRAY['cnc'], ARRAY['mechatronics'], 'Suzhou',
	       %[5]d / %[4]d + CASE WHEN i <= %[5]d %% %[4]d THEN 1 ELSE 0 END,
	       current_date + 60, current_date + 150, current_date + 30, 'open', 'seed'
	FROM generate_series(1, %[4]d) i;
	PERFORM setval(pg_get_serial_sequence('positions', 'id'), %[4]d);
	INSERT INTO profiles (guild_id, user_id, program, cohort)
	SELECT '%[1]s', (%[7]d + s)::text, (ARRAY['mechatronics','culinary arts','nursing','logistics'])[1 + s %% 4], (2024 + s %% 3)::text
	FROM generate_series(0, %[6]d - 1) s;
	INSERT INTO members (guild_id, user_id, locale)
	SELECT '%[1]s', (%[7]d + s)::text, 'en-US' FROM generate_series(0, %[6]d - 1) s;
	INSERT INTO applications (guild_id, position_id, student_id, status, motivation)
	SELECT '%[1]s', ((s * 7919 + j * %[8]d) %% %[4]d) + 1, (%[7]d + s)::text, 'submitted', 'Seeded motivation for benchmarking.'
	FROM generate_series(0, %[6]d - 1) s, generate_series(0, %[9]d - 1) j;
END $$`, guildID, studentRoleID, enterprises, sz.positions, sz.slots, sz.students, studentBase, step, ranksPerStudent)
	if _, err := pool.Exec(ctx, script); err != nil {
		return fmt.Errorf("seed round: %w", err)
	}
	svc := placement.NewService(postgres.NewStore(pool))
	r, _, err := svc.OpenRound(ctx, roundActor(), placement.RoundInput{Name: "Benchmark round",
		Deadline: time.Now().UTC().AddDate(0, 0, 1).Format(placement.DateLayout), MaxRanks: ranksPerStudent})
	if err != nil {
		return err
	}
	// Each student orders their 12 applications by (j*5 + s) mod 12, a permutation; each
	// position ranks all its applicants by a hash of their id, two to a rank (ties for the lottery).
	_, err = pool.Exec(ctx, `
		INSERT INTO round_ranks (guild_id, round_id, application_id, student_rank, position_rank)
		SELECT guild_id, $2, id,
		       ((j * 5 + s) % 12) + 1,
		       (row_number() OVER (PARTITION BY position_id ORDER BY md5(student_id)) + 1) / 2
		FROM (SELECT a.guild_id, a.id, a.position_id, a.student_id,
		             row_number() OVER (PARTITION BY a.student_id ORDER BY a.id) - 1 AS j,
		             (a.student_id::bigint - $3) AS s
		      FROM applications a WHERE a.guild_id = $1) x`, guildID, r.ID, int64(studentBase))
	if err != nil {
		return fmt.Errorf("seed ranks: %w", err)
	}
	_, err = pool.Exec(ctx, "VACUUM (ANALYZE)")
	return err
}

// roundActor is the benchmark school's coordinator.
func roundActor() placement.Actor {
	return placement.Actor{GuildID: guildID, UserID: roundCoordinator, Roles: placement.RoleCoordinator, Zone: time.UTC}
}

type roundFigures struct {
	entries                       int
	load, match, preview, publish time.Duration
	moved, dms                    int
}

// measureRound times the phases of the round seeded in the pool.
func measureRound(ctx context.Context, pool *pgxpool.Pool) (roundFigures, error) {
	var f roundFigures
	store := postgres.NewStore(pool)
	rounds, err := store.FindRounds(ctx, guildID, placement.RoundFilter{Limit: 1})
	if err != nil || len(rounds) != 1 {
		return f, fmt.Errorf("find the round: %d, %v", len(rounds), err)
	}
	r := rounds[0]

	// The load alone, keeping the entries for the in-memory figures.
	var slots []placement.RoundSlot
	var entries []placement.RoundEntry
	t0 := time.Now()
	if _, err := store.LoadRound(ctx, guildID, r.ID, func(s placement.RoundSlot) { slots = append(slots, s) },
		func(e placement.RoundEntry) { entries = append(entries, e) }); err != nil {
		return f, err
	}
	f.load, f.entries = time.Since(t0), len(entries)

	// In memory: build, match and check.
	t0 = time.Now()
	b := matching.NewBuilder(r.Seed)
	for _, s := range slots {
		b.Position(s.PositionID, s.Capacity)
	}
	for _, e := range entries {
		b.Add(matching.Entry{Student: e.Student, Position: e.Position, StudentRank: e.StudentRank, PositionRank: e.PositionRank})
	}
	p, err := b.Build()
	if err != nil {
		return f, err
	}
	res := p.Match()
	if err := res.Check(); err != nil {
		return f, err
	}
	f.match = time.Since(t0)
	entries = nil

	svc := placement.NewService(store)
	svc.Now = func() time.Time { return r.Deadline.Add(time.Hour) }
	t0 = time.Now()
	if _, err := svc.PreviewRound(ctx, roundActor(), r.ID); err != nil {
		return f, err
	}
	f.preview = time.Since(t0)
	t0 = time.Now()
	pub, err := svc.PublishRound(ctx, roundActor(), r.ID)
	if err != nil {
		return f, err
	}
	f.publish, f.moved = time.Since(t0), pub.Moved
	if pub.Moved != res.Matched() {
		return f, fmt.Errorf("published %d offers, the match has %d", pub.Moved, res.Matched())
	}
	err = pool.QueryRow(ctx, `SELECT count(*) FROM notifications WHERE guild_id = $1 AND message_key LIKE 'round.note_%'`, guildID).Scan(&f.dms)
	return f, err
}
