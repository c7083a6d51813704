package testenv

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"placementbot/internal/devserver"
	"placementbot/internal/postgres"
)

// templateDB is migrated once per package; every test database is a copy of it.
const templateDB = "tmpl"

// cluster is the one Postgres server a test package shares.
type cluster struct {
	srv *devserver.Postgres
	seq atomic.Int64

	// mu serializes CREATE DATABASE, because Postgres refuses to copy a template that another
	// session is using, and guards admin.
	mu    sync.Mutex
	admin *pgx.Conn
}

var (
	clusterOnce sync.Once
	shared      *cluster
	sharedErr   error
)

// sharedCluster starts the package's server and migrates its template on first use.
func sharedCluster() (*cluster, error) {
	clusterOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
		defer cancel()
		srv, err := devserver.StartPostgres(ctx, devserver.PostgresOptions{Ephemeral: true})
		if err != nil {
			sharedErr = fmt.Errorf("testenv: %w", err)
			return
		}
		c := &cluster{srv: srv}
		atShutdown(c.close)
		if err := c.exec(ctx, "CREATE DATABASE "+templateDB); err != nil {
			sharedErr = fmt.Errorf("testenv: create template database: %w", err)
			return
		}
		if err := postgres.MigrateUp(ctx, srv.URL(templateDB)); err != nil {
			sharedErr = fmt.Errorf("testenv: migrate template database: %w", err)
			return
		}
		shared = c
	})
	return shared, sharedErr
}

// exec runs an administrative statement on the maintenance database, reconnecting once if the
// kept connection broke.
func (c *cluster) exec(ctx context.Context, sql string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for attempt := 0; ; attempt++ {
		if c.admin == nil {
			conn, err := pgx.Connect(ctx, c.srv.URL("postgres"))
			if err != nil {
				return err
			}
			c.admin = conn
		}
		_, err := c.admin.Exec(ctx, sql)
		if err == nil || attempt > 0 || !c.admin.IsClosed() {
			return err
		}
		c.admin = nil
	}
}

// close stops the shared server and removes its files, at the end of Main.
func (c *cluster) close() {
	c.mu.Lock()
	if c.admin != nil {
		_ = c.admin.Close(context.Background())
		c.admin = nil
	}
	c.mu.Unlock()
	c.srv.Close()
}

// newDatabase copies template into a new database that is dropped at the test's cleanup.
func newDatabase(t testing.TB, template string) string {
	t.Helper()
	c, err := sharedCluster()
	if err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("t%d", c.seq.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	if err := c.exec(ctx, fmt.Sprintf("CREATE DATABASE %s TEMPLATE %s", name, template)); err != nil {
		t.Fatalf("testenv: create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
		defer cancel()
		// FORCE disconnects sessions a test left open; dropping keeps the disk use of long runs flat.
		if err := c.exec(ctx, fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", name)); err != nil {
			t.Logf("testenv: drop database %s: %v", name, err)
		}
	})
	return c.srv.URL(name)
}

// NewDatabase returns the connection string of a fresh, fully migrated database for this test
// alone, copied from the package's template in tens of milliseconds and dropped at cleanup.
func NewDatabase(t testing.TB) (url string) {
	t.Helper()
	return newDatabase(t, templateDB)
}

// NewEmptyDatabase returns the connection string of a fresh database without any schema, for
// tests of the migrations themselves; it is dropped at cleanup.
func NewEmptyDatabase(t testing.TB) (url string) {
	t.Helper()
	return newDatabase(t, "template0")
}

// NewPool returns a pool on a fresh, fully migrated database for this test alone, closed at
// cleanup.
func NewPool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	url := NewDatabase(t)
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	pool, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// NewPostgresServer starts a migrated Postgres server for this test alone, which the test may
// Stop and Start to simulate an outage; it is closed at cleanup. ServerURL gives its database.
func NewPostgresServer(t testing.TB) *devserver.Postgres {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	srv, err := devserver.StartPostgres(ctx, devserver.PostgresOptions{Ephemeral: true})
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	t.Cleanup(srv.Close)
	if err := postgres.MigrateUp(ctx, ServerURL(srv)); err != nil {
		t.Fatalf("testenv: %v", err)
	}
	return srv
}

// ServerURL returns the connection string of the migrated database of a server from
// NewPostgresServer.
func ServerURL(srv *devserver.Postgres) string {
	return srv.URL("postgres")
}
