package testenv

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) { Main(m) }

func TestDatabasesAreMigratedAndIsolated(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	a, b := NewPool(t), NewPool(t)
	if _, err := a.Exec(ctx, "INSERT INTO guilds (guild_id) VALUES ('g1')"); err != nil {
		t.Fatalf("template was not migrated: %v", err)
	}
	var n int
	if err := b.QueryRow(ctx, "SELECT count(*) FROM guilds").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("second database sees %d guilds of the first", n)
	}
}

func TestDatabasesInParallel(t *testing.T) {
	for range 8 {
		t.Run("db", func(t *testing.T) {
			t.Parallel()
			pool := NewPool(t)
			if err := pool.Ping(context.Background()); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestEmptyDatabaseHasNoSchema(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, NewEmptyDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("empty database has %d tables", n)
	}
}

func TestPostgresServerSurvivesRestart(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	srv := NewPostgresServer(t)
	conn, err := pgx.Connect(ctx, ServerURL(srv))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "INSERT INTO guilds (guild_id) VALUES ('g1')"); err != nil {
		t.Fatalf("server database was not migrated: %v", err)
	}
	conn.Close(ctx)
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(ctx); err != nil {
		t.Fatal(err)
	}
	conn, err = pgx.Connect(ctx, ServerURL(srv))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM guilds").Scan(&n); err != nil || n != 1 {
		t.Fatalf("after restart: %d guilds, err %v", n, err)
	}
}

func TestRedisPerCall(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	a, b := NewRedisClient(t), NewRedisClient(t)
	if err := a.Set(ctx, "k", "v", time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	if n, err := b.Exists(ctx, "k").Result(); err != nil || n != 0 {
		t.Fatalf("second server sees the first one's key: n=%d err=%v", n, err)
	}
}
