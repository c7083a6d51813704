package postgres_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"placementbot/internal/placement"
	"placementbot/internal/postgres"
	"placementbot/internal/testenv"
)

// statementRecorder keeps the statements a pool runs while on, to explain them afterwards.
type statementRecorder struct {
	mu  sync.Mutex
	on  bool
	got []recordedStatement
}

type recordedStatement struct {
	sql  string
	args []any
}

func (r *statementRecorder) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.on {
		r.got = append(r.got, recordedStatement{d.SQL, d.Args})
	}
	return ctx
}

func (r *statementRecorder) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// record runs fn and returns the statements it ran.
func (r *statementRecorder) record(fn func()) []recordedStatement {
	r.mu.Lock()
	r.on, r.got = true, nil
	r.mu.Unlock()
	fn()
	r.mu.Lock()
	defer r.mu.Unlock()
	r.on = false
	return r.got
}

// recordingFixture is a fixture whose pool records the statements it runs while asked to.
func recordingFixture(t *testing.T) (*fixture, *statementRecorder) {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(testenv.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	rec := &statementRecorder{}
	cfg.ConnConfig.Tracer = rec
	pool, err := pgxpool.NewWithConfig(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return &fixture{t: t, pool: pool, store: postgres.NewStore(pool), seq: new(atomic.Int64)}, rec
}

// TestBrowsePlansUseIndexes seeds a guild with enough positions for the planner to prefer
// indexes, then checks that no statement of a browse, search or recommendation reads the whole
// positions table, and that a filter nothing matches does not walk the whole guild.
func TestBrowsePlansUseIndexes(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	f, rec := recordingFixture(t)
	pool := f.pool
	e := f.enterprise(guildA, "Acme", placement.EnterpriseVerified)
	const seeded = 10000
	_, err := pool.Exec(ctx, `
		INSERT INTO positions (guild_id, enterprise_id, title, description, skills, programs, location, remote, slots,
		                       start_date, end_date, deadline, status, created_by)
		SELECT $1, $2,
		       (ARRAY['Backend', 'Frontend', 'Data', 'Mobile', 'Cloud', '厨房帮工', '数据录入员'])[1 + i % 7] || ' Intern ' || i,
		       'Work item ' || i || ' with topic' || (i % 500) || (ARRAY['，负责前台接待', '；协助仓库盘点'])[1 + i % 2],
		       ARRAY['skill' || (i % 100), CASE WHEN i % 3 = 0 THEN 'go' ELSE 'java' END],
		       ARRAY['program' || (i % 20)],
		       (ARRAY['Lyon', 'Paris', 'Lille', 'Nantes', '苏州工业园区'])[1 + i % 5], i % 10 = 0, 3,
		       DATE '2026-06-01', DATE '2026-12-01', DATE '2026-05-01',
		       CASE WHEN i % 10 = 9 THEN 'closed' ELSE 'open' END, 'x'
		FROM generate_series(1, $3) AS i`, guildA, e.ID, seeded)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `VACUUM ANALYZE positions`); err != nil {
		t.Fatal(err)
	}

	browse := func(filter placement.PositionFilter) func() {
		return func() {
			if _, err := f.store.BrowsePositions(ctx, guildA, filter, 0, placement.PageSize, today); err != nil {
				t.Fatal(err)
			}
		}
	}
	tests := []struct {
		name string
		run  func()
	}{
		{"plain", browse(placement.PositionFilter{})},
		{"keyword common", browse(placement.PositionFilter{Keyword: "backend"})},
		{"keyword rare", browse(placement.PositionFilter{Keyword: "topic7"})},
		{"keyword absent", browse(placement.PositionFilter{Keyword: "pyhton"})},
		{"keyword partial", browse(placement.PositionFilter{Keyword: "back"})},
		{"keyword Chinese", browse(placement.PositionFilter{Keyword: "厨房"})},
		{"keyword Chinese long", browse(placement.PositionFilter{Keyword: "厨房帮工"})},
		{"keyword Chinese one character", browse(placement.PositionFilter{Keyword: "厨"})},
		{"keyword Chinese in description", browse(placement.PositionFilter{Keyword: "仓库"})},
		{"keyword Chinese absent", browse(placement.PositionFilter{Keyword: "焊工"})},
		{"skill common", browse(placement.PositionFilter{Skill: "go"})},
		{"skill absent", browse(placement.PositionFilter{Skill: "cobol"})},
		{"program absent", browse(placement.PositionFilter{Program: "law"})},
		{"location", browse(placement.PositionFilter{Location: "lyon"})},
		{"location absent", browse(placement.PositionFilter{Location: "Grenoble"})},
		{"location partial", browse(placement.PositionFilter{Location: "ly"})},
		{"location Chinese", browse(placement.PositionFilter{Location: "苏州"})},
		{"location Chinese absent", browse(placement.PositionFilter{Location: "北京"})},
		{"enterprise", browse(placement.PositionFilter{EnterpriseID: e.ID})},
		{"search", func() {
			if _, err := f.store.SearchPositions(ctx, guildA, "back intern", 25); err != nil {
				t.Fatal(err)
			}
		}},
		{"search absent", func() {
			if _, err := f.store.SearchPositions(ctx, guildA, "zzz", 25); err != nil {
				t.Fatal(err)
			}
		}},
		{"locations", func() {
			if _, err := f.store.PositionLocations(ctx, guildA, "苏", 25); err != nil {
				t.Fatal(err)
			}
		}},
		{"candidates", func() {
			// A window smaller than the guild, as it is in the guilds this is for.
			store := f.store.WithWindows(4000, 4000)
			if _, err := store.CandidatePositions(ctx, guildA, placement.Profile{Skills: []string{"skill3"}}, 200, today); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		for _, st := range rec.record(tt.run) {
			// The windows are 4,000 positions: none may look at every position of the guild.
			checkPlan(t, pool, tt.name, st, "positions", seeded/2)
		}
	}
}

// checkPlan explains a recorded statement and fails the test when it reads the whole table or
// filters out more than limit rows.
func checkPlan(t *testing.T, pool *pgxpool.Pool, name string, st recordedStatement, table string, limit int) {
	t.Helper()
	plan, removed := explainPlan(t, pool, st)
	if strings.Contains(plan, "Seq Scan on "+table) {
		t.Errorf("%s reads the whole table:\n%s\n%s", name, st.sql, plan)
	}
	if removed > limit {
		t.Errorf("%s filtered out %d rows:\n%s\n%s", name, removed, st.sql, plan)
	}
}

// explainPlan runs a recorded statement under EXPLAIN ANALYZE and returns its plan and how many
// rows its filters removed.
func explainPlan(t *testing.T, pool *pgxpool.Pool, st recordedStatement) (string, int) {
	t.Helper()
	rows, err := pool.Query(t.Context(), "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) "+st.sql, st.args...)
	if err != nil {
		t.Fatal(err)
	}
	var plan strings.Builder
	removed := 0
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		plan.WriteString(line + "\n")
		if _, n, ok := strings.Cut(line, "Rows Removed by Filter: "); ok {
			k := 0
			for _, c := range n {
				if c < '0' || c > '9' {
					break
				}
				k = k*10 + int(c-'0')
			}
			removed += k
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return plan.String(), removed
}

func TestExplainBrowse(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	e := f.enterprise(guildA, "Acme", placement.EnterpriseVerified)
	p := f.position(e)
	for _, tt := range []struct {
		filter placement.PositionFilter
		want   []string
	}{
		{placement.PositionFilter{}, []string{"FROM positions p", "Execution Time"}},
		// Too few matches in a window this small: the GIN lookup follows.
		{placement.PositionFilter{Skill: "go"}, []string{"ORDER BY p.id DESC LIMIT 1) p", "SELECT count(*)", "MATERIALIZED", "Execution Time"}},
	} {
		plans, err := f.store.WithWindows(1, 1).ExplainBrowse(ctx, guildA, tt.filter, 0, 10, today)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range tt.want {
			if !strings.Contains(plans, w) {
				t.Errorf("%+v: plans lack %q:\n%s", tt.filter, w, plans)
			}
		}
	}
	// Explaining browses for real: the page is the same as without.
	page, err := f.store.BrowsePositions(ctx, guildA, placement.PositionFilter{Skill: "go"}, 0, 10, today)
	if err != nil || len(page.Positions) != 1 || page.Positions[0].ID != p.ID {
		t.Fatalf("browse: %+v, %v", page, err)
	}
}
