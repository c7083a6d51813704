package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/tern/v2/migrate"

	"placementbot/migrations"
)

// versionTable records the schema version; tern creates it with one row.
const versionTable = "schema_version"

// migrationLockKey names the session-level advisory lock held for a whole migration command.
// tern locks only inside each of its calls, so without this lock reading the current version and
// then moving one step down could interleave with another process's migration. Advisory locks are
// per database, so migrating different databases of one server never waits.
const migrationLockKey int64 = 0x706c6163656d656e

// MigrateUp applies every pending migration. Several processes may call it at once (replicas
// starting together): they take turns, and each migration runs exactly once. A database already
// at a newer version than this binary knows is left alone, so that an older replica still starts
// during a rolling upgrade.
func MigrateUp(ctx context.Context, url string) error {
	err := withMigrator(ctx, url, func(ctx context.Context, m *migrate.Migrator) error {
		current, err := m.GetCurrentVersion(ctx)
		if err != nil {
			return fmt.Errorf("read version: %w", err)
		}
		if current >= int32(len(m.Migrations)) {
			return nil
		}
		return m.Migrate(ctx)
	})
	if err != nil {
		return fmt.Errorf("postgres: migrate up: %w", err)
	}
	return nil
}

// MigrateDown rolls back exactly one migration, the latest applied; it fails when none is applied.
func MigrateDown(ctx context.Context, url string) error {
	err := withMigrator(ctx, url, func(ctx context.Context, m *migrate.Migrator) error {
		current, err := m.GetCurrentVersion(ctx)
		if err != nil {
			return fmt.Errorf("read version: %w", err)
		}
		if current == 0 {
			return errors.New("no migration is applied")
		}
		return m.MigrateTo(ctx, current-1)
	})
	if err != nil {
		return fmt.Errorf("postgres: migrate down: %w", err)
	}
	return nil
}

// MigrationStatus returns the database's schema version and the latest version this binary
// carries. It changes nothing: a database never migrated is at version 0.
func MigrationStatus(ctx context.Context, url string) (current, latest int32, err error) {
	latest, err = latestVersion(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("postgres: migration status: %w", err)
	}
	conn, err := connect(ctx, url)
	if err != nil {
		return 0, 0, fmt.Errorf("postgres: migration status: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var exists bool
	if err := conn.QueryRow(ctx, "SELECT to_regclass($1) IS NOT NULL", versionTable).Scan(&exists); err != nil {
		return 0, 0, fmt.Errorf("postgres: migration status: look for %s: %w", versionTable, err)
	}
	if !exists {
		return 0, latest, nil
	}
	if err := conn.QueryRow(ctx, "SELECT version FROM "+versionTable).Scan(&current); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return 0, latest, nil
		}
		return 0, 0, fmt.Errorf("postgres: migration status: read version: %w", err)
	}
	return current, latest, nil
}

// latestVersion parses the embedded migrations without a database.
func latestVersion(ctx context.Context) (int32, error) {
	m, err := migrate.NewMigratorEx(ctx, nil, versionTable, &migrate.MigratorOptions{})
	if err != nil {
		return 0, err
	}
	if err := m.LoadMigrations(migrations.FS); err != nil {
		return 0, fmt.Errorf("load migrations: %w", err)
	}
	return int32(len(m.Migrations)), nil
}

// withMigrator runs fn with a migrator on its own connection while holding the migration lock.
func withMigrator(ctx context.Context, url string, fn func(context.Context, *migrate.Migrator) error) error {
	conn, err := connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", migrationLockKey); err != nil {
		return fmt.Errorf("take migration lock: %w", err)
	}
	defer func() {
		// Unlocking at once lets a waiting process go on; if it fails, closing the connection
		// releases the lock anyway.
		unlockCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_, _ = conn.Exec(unlockCtx, "SELECT pg_advisory_unlock($1)", migrationLockKey)
	}()
	m, err := migrate.NewMigrator(ctx, conn, versionTable)
	if err != nil {
		return fmt.Errorf("prepare %s: %w", versionTable, err)
	}
	if err := m.LoadMigrations(migrations.FS); err != nil {
		return fmt.Errorf("load migrations: %w", err)
	}
	return fn(ctx, m)
}

// connect opens a single connection; pool settings in url (pool_max_conns and the like) are
// accepted and ignored, so one connection string serves both Open and the migrations.
func connect(ctx context.Context, url string) (*pgx.Conn, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse connection string: %w", err)
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = defaultConnectTimeout
	}
	conn, err := pgx.ConnectConfig(ctx, cfg.ConnConfig)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	return conn, nil
}
