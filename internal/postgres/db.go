// Package postgres stores the placement domain in PostgreSQL through pgx, and owns the schema's
// migrations.
package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

const (
	// defaultMaxConns applies when the connection string has no pool_max_conns: pgxpool's own
	// default (the CPU count, at least 4) is too small for handlers that each hold a connection.
	defaultMaxConns = 10
	// defaultConnectTimeout keeps a down or unreachable server from stalling a request for long.
	defaultConnectTimeout = 5 * time.Second
	// healthCheckPeriod is how often idle connections are checked, so that connections broken by
	// a server restart are replaced before a request needs them.
	healthCheckPeriod = 15 * time.Second
)

// Open returns a connection pool for the database at url (a URL or key=value connection string)
// after checking that the database answers.
func Open(ctx context.Context, url string) (*pgxpool.Pool, error) {
	return OpenSized(ctx, url, 0)
}

// OpenSized is Open with a pool of at most maxConns connections; 0 keeps the connection string's
// pool_max_conns, or the default.
func OpenSized(ctx context.Context, url string, maxConns int) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: parse connection string: %w", err)
	}
	switch {
	case maxConns > 0:
		cfg.MaxConns = int32(maxConns)
	case !strings.Contains(url, "pool_max_conns"):
		cfg.MaxConns = defaultMaxConns
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = defaultConnectTimeout
	}
	cfg.HealthCheckPeriod = healthCheckPeriod
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, defaultConnectTimeout)
	defer cancel()
	if err := pool.Ping(pingCtx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: open: ping: %w", err)
	}
	return pool, nil
}
