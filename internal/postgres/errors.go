package postgres

import (
	"context"
	"errors"
	"fmt"
	"net"

	"github.com/jackc/pgx/v5/pgconn"

	"placementbot/internal/placement"
)

// wrap names the failed operation and, when the database could not be reached or answered too
// late, marks the error unavailable so the member is told plainly that nothing was saved. Domain
// errors pass through unchanged: they are the answer to the request, not a failure of the store.
func wrap(op string, err error) error {
	var domain *placement.Error
	if errors.As(err, &domain) {
		return err
	}
	err = fmt.Errorf("postgres: %s: %w", op, err)
	if isUnavailable(err) {
		return placement.Unavailable("err.db_unavailable", err)
	}
	return err
}

// isUnavailable reports whether err means the database is down or slow rather than a bug.
func isUnavailable(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var netErr net.Error
	if errors.As(err, &netErr) {
		return true
	}
	var connErr *pgconn.ConnectError
	if errors.As(err, &connErr) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// Class 08: connection exception; 57P0x: admin/crash shutdown, cannot connect now.
		return len(pgErr.Code) == 5 && (pgErr.Code[:2] == "08" || pgErr.Code[:4] == "57P0")
	}
	return pgconn.SafeToRetry(err)
}

// isUniqueViolation reports whether err is a unique violation of the named constraint or index.
func isUniqueViolation(err error, constraint string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505" && pgErr.ConstraintName == constraint
}
