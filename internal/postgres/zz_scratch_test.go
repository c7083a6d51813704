package postgres_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"placementbot/internal/placement"
	"placementbot/internal/postgres"
	"placementbot/internal/testenv"
)

type recorder struct {
	mu  sync.Mutex
	on  bool
	got []recorded
}

type recorded struct {
	sql  string
	args []any
}

func (r *recorder) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	r.mu.Lock()
	if r.on {
		r.got = append(r.got, recorded{d.SQL, d.Args})
	}
	r.mu.Unlock()
	return ctx
}
func (r *recorder) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func TestScratchExplain(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("SCRATCH_N"))
	if n == 0 {
		return
	}
	url := testenv.NewDatabase(t)
	cfg, _ := pgxpool.ParseConfig(url)
	rec := &recorder{}
	cfg.ConnConfig.Tracer = rec
	ctx := t.Context()
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	f := &fixture{t: t, pool: pool, store: postgres.NewStore(pool)}
	e := f.enterprise(guildA, "Acme", "verified")
	eb := f.enterprise(guildB, "Acme", "verified")
	began := time.Now()
	seed := func(guild string, ent int64, n int, extra string) {
		_, err := f.pool.Exec(ctx, `
		INSERT INTO positions (guild_id, enterprise_id, title, description, skills, programs, location, remote, slots, taken,
		                       start_date, end_date, deadline, status, created_by)
		SELECT $1, $2,
		       (ARRAY['Backend','Frontend','Data','Mobile','Security','Cloud','Embedded','QA','Design','Marketing'])[1 + i % 10] || ' ' ||
		       (ARRAY['Developer','Engineer','Analyst','Intern','Assistant'])[1 + (i / 10) % 5] || ' ' || (i % 997),
		       'Work on things number ' || i || ' with word' || (i % 5000),
		       ARRAY['skill' || (i % 200), 'skill' || ((i * 7) % 200), CASE WHEN i % 3 = 0 THEN 'go' ELSE 'java' END, $4],
		       ARRAY['program' || (i % 20)],
		       (ARRAY['Lyon','Paris','Lille','Nantes'])[1 + i % 4], i % 10 = 0, 1 + i % 5, CASE WHEN i % 20 = 0 THEN 1 + i % 5 ELSE 0 END,
		       DATE '2026-06-01', DATE '2026-12-01',
		       CASE WHEN i % 8 = 0 THEN DATE '2026-01-01' ELSE DATE '2026-05-01' END,
		       CASE WHEN i % 10 = 9 THEN 'closed' ELSE 'open' END, 'x'
		FROM generate_series(1, $3) AS i`, guild, ent, n, extra)
		if err != nil {
			t.Fatal(err)
		}
	}
	seed(guildA, e.ID, n, "common")
	if os.Getenv("SCRATCH_B") != "" {
		seed(guildB, eb.ID, n, "cobol")
	}
	t.Logf("seeded %d in %v", n, time.Since(began))
	if _, err := f.pool.Exec(ctx, `VACUUM ANALYZE positions`); err != nil {
		t.Fatal(err)
	}
	var mid int64
	f.pool.QueryRow(ctx, `SELECT id FROM positions WHERE guild_id = $1 ORDER BY id OFFSET $2 LIMIT 1`, guildA, n/2).Scan(&mid)
	explain := os.Getenv("SCRATCH_EXPLAIN")
	run := func(name string, call func() int) {
		var d time.Duration
		var got int
		for i := range 3 {
			rec.mu.Lock()
			rec.on, rec.got = i == 2, nil
			rec.mu.Unlock()
			began := time.Now()
			got = call()
			d = time.Since(began)
		}
		rec.mu.Lock()
		rec.on = false
		qs := rec.got
		rec.mu.Unlock()
		t.Logf("%-28s %3d results %10v  (%d statements)", name, got, d, len(qs))
		if explain == "" || !strings.Contains(name, explain) {
			return
		}
		for _, q := range qs {
			rows, err := f.pool.Query(ctx, "EXPLAIN (ANALYZE, COSTS OFF) "+q.sql, q.args...)
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			for rows.Next() {
				var line string
				rows.Scan(&line)
				b.WriteString(line + "\n")
			}
			rows.Close()
			t.Logf("\n--- %s\n%s\n%s", name, q.sql, b.String())
		}
	}
	for _, c := range []struct {
		name  string
		f     placement.PositionFilter
		after int64
	}{
		{"plain", placement.PositionFilter{}, 0},
		{"plain deep", placement.PositionFilter{}, mid},
		{"keyword common", placement.PositionFilter{Keyword: "backend"}, 0},
		{"keyword rare", placement.PositionFilter{Keyword: "word1234"}, 0},
		{"keyword rare deep", placement.PositionFilter{Keyword: "word1234"}, mid},
		{"keyword typo", placement.PositionFilter{Keyword: "pyhton"}, 0},
		{"keyword two", placement.PositionFilter{Keyword: "data 42"}, 0},
		{"skill common", placement.PositionFilter{Skill: "go"}, 0},
		{"skill 1pct", placement.PositionFilter{Skill: "skill17"}, 0},
		{"skill none", placement.PositionFilter{Skill: "cobol"}, 0},
		{"program none", placement.PositionFilter{Program: "law"}, 0},
		{"program common", placement.PositionFilter{Program: "program3"}, 0},
		{"location", placement.PositionFilter{Location: "Lyon"}, 0},
		{"location none", placement.PositionFilter{Location: "Grenoble"}, 0},
		{"remote", placement.PositionFilter{RemoteOnly: true}, 0},
		{"enterprise", placement.PositionFilter{EnterpriseID: e.ID}, 0},
		{"skill+location", placement.PositionFilter{Skill: "go", Location: "paris"}, 0},
	} {
		run("browse "+c.name, func() int {
			page, err := f.store.BrowsePositions(ctx, guildA, c.f, c.after, 10, today)
			if err != nil {
				t.Fatal(err)
			}
			return len(page.Positions)
		})
	}
	for _, c := range []string{"", "back", "back dev", "data analyst 99", "zzz", "engineer 5"} {
		run(fmt.Sprintf("search %q", c), func() int {
			got, err := f.store.SearchPositions(ctx, guildA, c, 25)
			if err != nil {
				t.Fatal(err)
			}
			return len(got)
		})
	}
	for _, pr := range []placement.Profile{
		{Skills: []string{"skill3", "skill77"}, Program: "program5"},
		{Skills: []string{"go", "java"}},
		{Skills: []string{"rust"}},
	} {
		run(fmt.Sprintf("candidates %v", pr.Skills), func() int {
			got, err := f.store.CandidatePositions(ctx, guildA, pr, 200, today)
			if err != nil {
				t.Fatal(err)
			}
			return len(got)
		})
	}
	run("actor facts", func() int {
		_, err := f.store.ActorFacts(ctx, guildA, "1")
		if err != nil {
			t.Fatal(err)
		}
		return 1
	})
}
