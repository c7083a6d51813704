package postgres_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"placementbot/internal/postgres"
	"placementbot/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func connect(t *testing.T, ctx context.Context, url string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// schemaFingerprint describes the application's schema (tables, columns, indexes, types,
// functions), leaving out the version table, so that two states can be compared.
func schemaFingerprint(t *testing.T, ctx context.Context, conn *pgx.Conn) string {
	t.Helper()
	var fp string
	err := conn.QueryRow(ctx, `
		SELECT coalesce(string_agg(x, E'\n' ORDER BY x), '') FROM (
			SELECT format('column %s.%s %s null=%s default=%s', table_name, column_name, data_type,
			              is_nullable, coalesce(column_default, '')) AS x
			FROM information_schema.columns
			WHERE table_schema = 'public' AND table_name <> 'schema_version'
			UNION ALL
			SELECT 'index ' || indexdef FROM pg_indexes
			WHERE schemaname = 'public' AND tablename <> 'schema_version'
			UNION ALL
			SELECT 'type ' || t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
			WHERE n.nspname = 'public' AND t.typtype IN ('e', 'd')
			UNION ALL
			SELECT 'function ' || p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
			WHERE n.nspname = 'public'
		) s`).Scan(&fp)
	if err != nil {
		t.Fatalf("schema fingerprint: %v", err)
	}
	return fp
}

func status(t *testing.T, ctx context.Context, url string) (current, latest int32) {
	t.Helper()
	current, latest, err := postgres.MigrationStatus(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	return current, latest
}

func TestMigrateUpDownUp(t *testing.T) {
	ctx := testContext(t)
	url := testenv.NewEmptyDatabase(t)
	conn := connect(t, ctx, url)

	current, latest := status(t, ctx, url)
	if current != 0 || latest < 1 {
		t.Fatalf("fresh database: status = %d/%d, want 0/>=1", current, latest)
	}
	var versionTable *string
	if err := conn.QueryRow(ctx, "SELECT to_regclass('schema_version')::text").Scan(&versionTable); err != nil {
		t.Fatal(err)
	}
	if versionTable != nil {
		t.Fatal("MigrationStatus created the version table; it must change nothing")
	}
	empty := schemaFingerprint(t, ctx, conn)

	if err := postgres.MigrateUp(ctx, url); err != nil {
		t.Fatal(err)
	}
	if c, l := status(t, ctx, url); c != latest || l != latest {
		t.Fatalf("after up: status = %d/%d, want %d/%d", c, l, latest, latest)
	}
	full := schemaFingerprint(t, ctx, conn)
	for _, table := range []string{"guilds", "audit_events"} {
		if !strings.Contains(full, "column "+table+".") {
			t.Errorf("after up: table %s missing from the schema:\n%s", table, full)
		}
	}
	if err := postgres.MigrateUp(ctx, url); err != nil {
		t.Fatalf("second up: %v", err)
	}
	if again := schemaFingerprint(t, ctx, conn); again != full {
		t.Fatalf("second up changed the schema: %s", cmp.Diff(full, again))
	}

	// Walk down one step at a time, remembering each version's schema.
	byVersion := map[int32]string{latest: full}
	for v := latest - 1; v >= 0; v-- {
		if err := postgres.MigrateDown(ctx, url); err != nil {
			t.Fatalf("down to %d: %v", v, err)
		}
		if c, _ := status(t, ctx, url); c != v {
			t.Fatalf("after down: version %d, want %d", c, v)
		}
		byVersion[v] = schemaFingerprint(t, ctx, conn)
		if byVersion[v] == byVersion[v+1] {
			t.Errorf("rolling back migration %d changed nothing", v+1)
		}
	}
	if byVersion[0] != empty {
		t.Fatalf("after rolling everything back the schema is not empty: %s", cmp.Diff(empty, byVersion[0]))
	}
	err := postgres.MigrateDown(ctx, url)
	if err == nil || !strings.HasPrefix(err.Error(), "postgres: migrate down: ") {
		t.Fatalf("down at version 0: err = %v, want a wrapped error", err)
	}

	if err := postgres.MigrateUp(ctx, url); err != nil {
		t.Fatal(err)
	}
	if got := schemaFingerprint(t, ctx, conn); got != full {
		t.Fatalf("up after down differs from the first up: %s", cmp.Diff(full, got))
	}
	if err := postgres.MigrateDown(ctx, url); err != nil {
		t.Fatal(err)
	}
	if got := schemaFingerprint(t, ctx, conn); got != byVersion[latest-1] {
		t.Fatalf("one step down differs from the earlier walk: %s", cmp.Diff(byVersion[latest-1], got))
	}
}

// traceDDL records every DDL command run in the database from now on, in a schema of its own, so
// that a test can count how often each object was created.
func traceDDL(t *testing.T, ctx context.Context, conn *pgx.Conn) {
	t.Helper()
	_, err := conn.Exec(ctx, `
		CREATE SCHEMA trace;
		CREATE TABLE trace.ddl (tag text NOT NULL, object text);
		CREATE FUNCTION trace.log_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$
		BEGIN
			INSERT INTO trace.ddl SELECT command_tag, object_identity FROM pg_event_trigger_ddl_commands();
		END $$;
		CREATE EVENT TRIGGER log_ddl ON ddl_command_end EXECUTE FUNCTION trace.log_ddl();`)
	if err != nil {
		t.Fatalf("install DDL trace: %v", err)
	}
}

// checkRanOnce fails unless the database is at the latest version, its version table has one row,
// and no object was created twice.
func checkRanOnce(t *testing.T, ctx context.Context, conn *pgx.Conn, url string) {
	t.Helper()
	current, latest := status(t, ctx, url)
	if current != latest {
		t.Errorf("version %d, want %d", current, latest)
	}
	var rows int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM schema_version").Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != 1 {
		t.Errorf("schema_version has %d rows, want 1", rows)
	}
	created := map[string]int{}
	r, err := conn.Query(ctx, "SELECT object, count(*) FROM trace.ddl WHERE tag LIKE 'CREATE %' GROUP BY object")
	if err != nil {
		t.Fatal(err)
	}
	for r.Next() {
		var object string
		var n int
		if err := r.Scan(&object, &n); err != nil {
			t.Fatal(err)
		}
		created[object] = n
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	for _, object := range []string{"public.schema_version", "public.guilds", "public.audit_events"} {
		if created[object] != 1 {
			t.Errorf("%s created %d times, want once", object, created[object])
		}
	}
	for object, n := range created {
		if n != 1 {
			t.Errorf("%s created %d times, want once", object, n)
		}
	}
}

func TestMigrateUpConcurrentStartup(t *testing.T) {
	ctx := testContext(t)
	url := testenv.NewEmptyDatabase(t)
	conn := connect(t, ctx, url)
	traceDDL(t, ctx, conn)

	const replicas = 8
	start := make(chan struct{})
	errs := make([]error, replicas)
	var wg sync.WaitGroup
	for i := range replicas {
		wg.Go(func() {
			<-start
			errs[i] = postgres.MigrateUp(ctx, url)
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("replica %d: %v", i, err)
		}
	}
	checkRanOnce(t, ctx, conn, url)
}

// TestMigrateHelperProcess is not a test: started by TestMigrateUpConcurrentProcesses as a
// separate process, it says it is ready, waits for the go signal (stdin closed) and migrates.
func TestMigrateHelperProcess(t *testing.T) {
	url := os.Getenv("PLACEMENTBOT_TEST_MIGRATE_URL")
	if url == "" {
		return
	}
	fmt.Println("ready")
	_, _ = io.Copy(io.Discard, os.Stdin)
	if err := postgres.MigrateUp(context.Background(), url); err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Println("ok")
}

func TestMigrateUpConcurrentProcesses(t *testing.T) {
	ctx := testContext(t)
	url := testenv.NewEmptyDatabase(t)
	conn := connect(t, ctx, url)
	traceDDL(t, ctx, conn)

	const processes = 4
	type child struct {
		cmd   *exec.Cmd
		stdin io.WriteCloser
		out   *bufio.Reader
	}
	children := make([]child, processes)
	for i := range children {
		cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestMigrateHelperProcess$")
		cmd.Env = append(os.Environ(), "PLACEMENTBOT_TEST_MIGRATE_URL="+url)
		cmd.Stderr = os.Stderr
		stdin, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		children[i] = child{cmd: cmd, stdin: stdin, out: bufio.NewReader(stdout)}
	}
	for i, c := range children {
		if line, err := c.out.ReadString('\n'); err != nil || line != "ready\n" {
			t.Fatalf("process %d: %q, %v", i, line, err)
		}
	}
	// All are waiting: release them together.
	for _, c := range children {
		c.stdin.Close()
	}
	for i, c := range children {
		rest, _ := io.ReadAll(c.out)
		if err := c.cmd.Wait(); err != nil || !strings.Contains(string(rest), "ok\n") {
			t.Errorf("process %d: %v\n%s", i, err, rest)
		}
	}
	checkRanOnce(t, ctx, conn, url)
}

func TestMigrateDownConcurrentStepsOnce(t *testing.T) {
	ctx := testContext(t)
	url := testenv.NewEmptyDatabase(t)
	if err := postgres.MigrateUp(ctx, url); err != nil {
		t.Fatal(err)
	}
	_, latest := status(t, ctx, url)

	// One more caller than there are migrations: each rolls back its own step, so exactly one
	// finds nothing left. Without a lock around reading the version and stepping down, two
	// callers could both step from the same version and both report success.
	callers := int(latest) + 1
	start := make(chan struct{})
	errs := make([]error, callers)
	var wg sync.WaitGroup
	for i := range callers {
		wg.Go(func() {
			<-start
			errs[i] = postgres.MigrateDown(ctx, url)
		})
	}
	close(start)
	wg.Wait()
	failed := 0
	for _, err := range errs {
		if err != nil {
			failed++
			if !strings.Contains(err.Error(), "no migration is applied") {
				t.Errorf("unexpected error: %v", err)
			}
		}
	}
	if failed != 1 {
		t.Errorf("%d of %d callers failed, want exactly 1", failed, callers)
	}
	if current, _ := status(t, ctx, url); current != 0 {
		t.Errorf("version %d after rolling back everything, want 0", current)
	}
}

func TestOpen(t *testing.T) {
	ctx := testContext(t)
	url := testenv.NewDatabase(t)

	pool, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	if got := pool.Config().MaxConns; got != 10 {
		t.Errorf("default MaxConns = %d, want 10", got)
	}
	if got := pool.Config().ConnConfig.ConnectTimeout; got != 5*time.Second {
		t.Errorf("ConnectTimeout = %v, want 5s", got)
	}
	pool.Close()

	pool, err = postgres.Open(ctx, url+"&pool_max_conns=3")
	if err != nil {
		t.Fatal(err)
	}
	if got := pool.Config().MaxConns; got != 3 {
		t.Errorf("MaxConns = %d, want 3 from the connection string", got)
	}
	pool.Close()

	if _, err := postgres.Open(ctx, "::not a connection string"); err == nil || !strings.HasPrefix(err.Error(), "postgres: open: ") {
		t.Errorf("bad connection string: err = %v", err)
	}
}

func TestOpenFailsFastWhenServerIsDown(t *testing.T) {
	ctx := testContext(t)
	srv := testenv.NewPostgresServer(t)
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	_, err := postgres.Open(ctx, testenv.ServerURL(srv))
	if err == nil || !strings.HasPrefix(err.Error(), "postgres: open: ") {
		t.Fatalf("err = %v, want a wrapped error", err)
	}
	if took := time.Since(began); took > 5*time.Second {
		t.Errorf("Open took %v against a stopped server", took)
	}
	if err := srv.Start(ctx); err != nil {
		t.Fatal(err)
	}
	pool, err := postgres.Open(ctx, testenv.ServerURL(srv))
	if err != nil {
		t.Fatalf("after restart: %v", err)
	}
	pool.Close()
}

// Moving the trail onto audit_events keeps what the trail of a database migrated from version 4
// showed: the application's moves (read from application_events until then), and the decisions
// about the enterprise and its placements in the enterprise's trail. Rolling back removes the
// copies, which the older code would show twice.
func TestMigrateAuditTrailKeepsHistory(t *testing.T) {
	ctx := testContext(t)
	url := testenv.NewEmptyDatabase(t)
	if err := postgres.MigrateUp(ctx, url); err != nil {
		t.Fatal(err)
	}
	for current, _ := status(t, ctx, url); current > 4; current, _ = status(t, ctx, url) {
		if err := postgres.MigrateDown(ctx, url); err != nil {
			t.Fatal(err)
		}
	}
	conn := connect(t, ctx, url)
	const g = "100000000000000001"
	at := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	var entID, appID, plID int64
	seed := []struct {
		sql  string
		args []any
		id   *int64
	}{
		{`INSERT INTO guilds (guild_id) VALUES ($1)`, []any{g}, nil},
		{`INSERT INTO enterprises (guild_id, name, staff_size, status) VALUES ($1, 'Acme', 50, 'verified') RETURNING id`, []any{g}, &entID},
		{`INSERT INTO audit_events (guild_id, actor_id, action, subject, created_at) VALUES ($1, 'c', 'enterprise.add', 'enterprise:' || $2::bigint, $3)`,
			[]any{g, &entID, at}, nil},
		{`INSERT INTO positions (guild_id, enterprise_id, title, slots, start_date, end_date, deadline, status, created_by)
		  VALUES ($1, $2, 'CNC intern', 2, '2026-03-01', '2026-06-01', '2026-02-01', 'open', 'm')`, []any{g, &entID}, nil},
		{`INSERT INTO applications (guild_id, position_id, student_id, status, motivation)
		  SELECT $1, id, '400000000000000001', 'approved', 'm' FROM positions WHERE guild_id = $1 RETURNING id`, []any{g}, &appID},
		{`INSERT INTO application_events (guild_id, application_id, from_status, to_status, actor_id, note, created_at)
		  VALUES ($1, $2, '', 'submitted', '400000000000000001', '', $3), ($1, $2, 'submitted', 'offered', 'm', 'welcome', $4),
		         ($1, $2, 'offered', 'accepted', '400000000000000001', '', $5), ($1, $2, 'accepted', 'approved', 'c', '', $6)`,
			[]any{g, &appID, at.Add(time.Hour), at.Add(2 * time.Hour), at.Add(3 * time.Hour), at.Add(5 * time.Hour)}, nil},
		{`INSERT INTO audit_events (guild_id, actor_id, action, subject, detail, created_at)
		  VALUES ($1, 'c', 'checklist.tick', 'application:' || $2::bigint, '{"item": "agreement"}', $3)`, []any{g, &appID, at.Add(4 * time.Hour)}, nil},
		{`INSERT INTO placements (guild_id, application_id, position_id, enterprise_id, student_id, approved_by)
		  SELECT guild_id, id, position_id, $2, student_id, 'c' FROM applications WHERE guild_id = $1 RETURNING id`, []any{g, &entID}, &plID},
		{`INSERT INTO audit_events (guild_id, actor_id, action, subject, detail, created_at)
		  VALUES ($1, 'c', 'placement.supervisor', 'placement:' || $2::bigint, '{"student_id": "400000000000000001"}', $3)`, []any{g, &plID, at.Add(6 * time.Hour)}, nil},
	}
	for _, st := range seed {
		args := make([]any, len(st.args))
		for i, a := range st.args {
			if p, ok := a.(*int64); ok {
				a = *p
			}
			args[i] = a
		}
		var err error
		if st.id != nil {
			err = conn.QueryRow(ctx, st.sql, args...).Scan(st.id)
		} else {
			_, err = conn.Exec(ctx, st.sql, args...)
		}
		if err != nil {
			t.Fatalf("%s: %v", st.sql, err)
		}
	}

	if err := postgres.MigrateUp(ctx, url); err != nil {
		t.Fatal(err)
	}
	pool, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	store := postgres.NewStore(pool)
	trail := func(subject string) []string {
		t.Helper()
		entries, err := store.AuditTrail(ctx, g, subject, 200)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range entries {
			out = append(out, fmt.Sprintf("%s %s %s from=%v note=%v", e.ActorID, e.Action, e.Subject, e.Detail["from"], e.Detail["note"]))
		}
		return out
	}
	app, pl, ent := fmt.Sprintf("application:%d", appID), fmt.Sprintf("placement:%d", plID), fmt.Sprintf("enterprise:%d", entID)
	moves := []string{
		"400000000000000001 application.submitted " + app + " from= note=",
		"m application.offered " + app + " from=submitted note=welcome",
		"400000000000000001 application.accepted " + app + " from=offered note=",
	}
	approved := "c application.approved " + app + " from=accepted note="
	tick := "c checklist.tick " + app + " from=<nil> note=<nil>"
	supervisor := "c placement.supervisor " + pl + " from=<nil> note=<nil>"
	for _, tt := range []struct {
		subject string
		want    []string
	}{
		{app, append(slices.Clone(moves), tick, approved)},
		{"student:400000000000000001", append(slices.Clone(moves), tick, approved, supervisor)},
		{ent, append(append([]string{"c enterprise.add " + ent + " from=<nil> note=<nil>"}, moves...), approved, supervisor)},
		{pl, []string{supervisor}},
	} {
		if diff := cmp.Diff(tt.want, trail(tt.subject)); diff != "" {
			t.Errorf("%s after the migration (-want +got):\n%s", tt.subject, diff)
		}
	}

	for current, _ := status(t, ctx, url); current > 4; current, _ = status(t, ctx, url) {
		if err := postgres.MigrateDown(ctx, url); err != nil {
			t.Fatal(err)
		}
	}
	var lifecycle, others int
	if err := conn.QueryRow(ctx, `SELECT count(*) FILTER (WHERE action LIKE 'application.%'), count(*) FILTER (WHERE action NOT LIKE 'application.%')
		FROM audit_events`).Scan(&lifecycle, &others); err != nil {
		t.Fatal(err)
	}
	if lifecycle != 0 || others != 3 {
		t.Fatalf("after rolling back: %d lifecycle copies (want 0), %d other events (want 3)", lifecycle, others)
	}
}
