package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"placementbot/internal/placement"
)

// enterpriseColumns selects an enterprise aliased e with its mentors, for scanEnterprise.
const enterpriseColumns = `e.id, e.guild_id, e.name, e.industry, e.city, e.description, e.staff_size,
	e.status, e.requested_by, e.note, e.created_at,
	ARRAY(SELECT m.user_id FROM enterprise_mentors m
	      WHERE m.guild_id = e.guild_id AND m.enterprise_id = e.id
	      ORDER BY m.created_at, m.user_id)`

func scanEnterprise(r pgx.Row) (placement.Enterprise, error) {
	var e placement.Enterprise
	err := r.Scan(&e.ID, &e.GuildID, &e.Name, &e.Industry, &e.City, &e.Description, &e.StaffSize,
		&e.Status, &e.RequestedBy, &e.Note, &e.CreatedAt, &e.Mentors)
	return e, err
}

// CreateEnterprise records an enterprise with its effects (built for the enterprise as created)
// in one transaction. A name already used by a pending or verified enterprise of the guild is
// refused.
func (s *Store) CreateEnterprise(ctx context.Context, e placement.Enterprise, effects func(placement.Enterprise) placement.Effects) (placement.Enterprise, error) {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := ensureGuild(ctx, tx, e.GuildID); err != nil {
			return err
		}
		created, err := scanEnterprise(tx.QueryRow(ctx, `
			INSERT INTO enterprises AS e (guild_id, name, industry, city, description, staff_size, status, requested_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
			RETURNING `+enterpriseColumns,
			e.GuildID, e.Name, e.Industry, e.City, e.Description, e.StaffSize, e.Status, e.RequestedBy))
		if isUniqueViolation(err, "enterprises_name") {
			return placement.Errorf(placement.ECONFLICT, "err.enterprise_name_taken", map[string]any{"Name": e.Name})
		}
		if err != nil {
			return err
		}
		e = created
		return writeEffects(ctx, tx, e.GuildID, effectsOf(effects, e))
	})
	if err != nil {
		return placement.Enterprise{}, wrap("create enterprise", err)
	}
	return e, nil
}

// FindEnterprise returns one enterprise of the guild with its mentors.
func (s *Store) FindEnterprise(ctx context.Context, guildID string, id int64) (placement.Enterprise, error) {
	e, err := scanEnterprise(s.pool.QueryRow(ctx, `
		SELECT `+enterpriseColumns+`
		FROM enterprises e WHERE e.guild_id = $1 AND e.id = $2`, guildID, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return e, placement.Errorf(placement.ENOTFOUND, "err.enterprise_not_found", nil)
	}
	if err != nil {
		return e, wrap("find enterprise", err)
	}
	return e, nil
}

// FindEnterprises lists the guild's enterprises in name order, each with its mentors: those
// whose name starts with f.Prefix and holds f.Contains (both ignoring case; Chinese too), after
// the enterprise f.After when set. It walks enterprises_by_name (guild, lower(name), id) from
// the cursor and stops at the limit, so a page costs what the first one does.
func (s *Store) FindEnterprises(ctx context.Context, guildID string, f placement.EnterpriseFilter) ([]placement.Enterprise, error) {
	// The cursor is a condition of its own, not an OR, so that it bounds the index scan.
	after, args := `true`, []any{guildID, string(f.Status), f.Prefix, f.Contains, clampLimit(f.Limit)}
	if f.After != 0 {
		after, args = `(lower(e.name), e.id) > (SELECT lower(c.name), c.id FROM enterprises c WHERE c.guild_id = $1 AND c.id = $6)`, append(args, f.After)
	}
	rows, err := s.pool.Query(ctx, `
		SELECT `+enterpriseColumns+`
		FROM enterprises e
		WHERE e.guild_id = $1
		  AND ($2 = '' OR e.status = $2)
		  AND starts_with(lower(e.name), lower($3))
		  AND strpos(lower(e.name), lower($4)) > 0
		  AND `+after+`
		ORDER BY lower(e.name), e.id
		LIMIT $5`, args...)
	if err != nil {
		return nil, wrap("find enterprises", err)
	}
	es, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (placement.Enterprise, error) { return scanEnterprise(r) })
	if err != nil {
		return nil, wrap("find enterprises", err)
	}
	return es, nil
}

// DecideEnterprise verifies or refuses a pending enterprise, with its effects (built for the
// enterprise as decided). The row is locked first, so of two coordinators deciding at once the
// second is told it is already verified or refused (or suspended since). Verifying links the requester as the enterprise's first
// mentor.
func (s *Store) DecideEnterprise(ctx context.Context, guildID string, id int64, status placement.EnterpriseStatus, note, decidedBy string, effects func(placement.Enterprise) placement.Effects) (placement.Enterprise, error) {
	var e placement.Enterprise
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var name, requestedBy string
		var current placement.EnterpriseStatus
		err := tx.QueryRow(ctx, `
			SELECT name, status, requested_by FROM enterprises
			WHERE guild_id = $1 AND id = $2 FOR NO KEY UPDATE`, guildID, id).Scan(&name, &current, &requestedBy)
		if errors.Is(err, pgx.ErrNoRows) {
			return placement.Errorf(placement.ENOTFOUND, "err.enterprise_not_found", nil)
		}
		if err != nil {
			return err
		}
		if current != placement.EnterprisePending {
			return placement.Errorf(placement.ECONFLICT, "err.enterprise_already_"+string(current), map[string]any{"Name": name})
		}
		if status == placement.EnterpriseVerified && requestedBy != "" {
			if _, err := insertMentor(ctx, tx, guildID, id, requestedBy, decidedBy); err != nil {
				return err
			}
		}
		e, err = scanEnterprise(tx.QueryRow(ctx, `
			UPDATE enterprises AS e SET status = $3, note = $4, decided_by = $5
			WHERE e.guild_id = $1 AND e.id = $2
			RETURNING `+enterpriseColumns, guildID, id, status, note, decidedBy))
		if err != nil {
			return err
		}
		return writeEffects(ctx, tx, guildID, effectsOf(effects, e))
	})
	if err != nil {
		return placement.Enterprise{}, wrap("decide enterprise", err)
	}
	return e, nil
}

// LinkMentor makes the member a mentor of a verified enterprise, as linkedBy did, with fx.
// Linking twice changes nothing and writes nothing the second time.
func (s *Store) LinkMentor(ctx context.Context, guildID string, enterpriseID int64, userID, linkedBy string, fx placement.Effects) error {
	if err := fx.Validate(); err != nil {
		return wrap("link mentor", err)
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var name string
		var status placement.EnterpriseStatus
		err := tx.QueryRow(ctx, `
			SELECT name, status FROM enterprises
			WHERE guild_id = $1 AND id = $2 FOR KEY SHARE`, guildID, enterpriseID).Scan(&name, &status)
		if errors.Is(err, pgx.ErrNoRows) {
			return placement.Errorf(placement.ENOTFOUND, "err.enterprise_not_found", nil)
		}
		if err != nil {
			return err
		}
		if status != placement.EnterpriseVerified {
			return placement.Errorf(placement.ECONFLICT, "err.enterprise_not_verified", map[string]any{"Name": name})
		}
		linked, err := insertMentor(ctx, tx, guildID, enterpriseID, userID, linkedBy)
		if err != nil || !linked {
			return err
		}
		return writeEffects(ctx, tx, guildID, fx)
	})
	if err != nil {
		return wrap("link mentor", err)
	}
	return nil
}

// UnlinkMentor removes the member from the enterprise's mentors with fx. A member not linked
// changes nothing and writes nothing.
func (s *Store) UnlinkMentor(ctx context.Context, guildID string, enterpriseID int64, userID string, fx placement.Effects) error {
	if err := fx.Validate(); err != nil {
		return wrap("unlink mentor", err)
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `
			DELETE FROM enterprise_mentors WHERE guild_id = $1 AND enterprise_id = $2 AND user_id = $3`,
			guildID, enterpriseID, userID)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		return writeEffects(ctx, tx, guildID, fx)
	})
	if err != nil {
		return wrap("unlink mentor", err)
	}
	return nil
}

// SuspendEnterprise suspends a verified enterprise or restores a suspended one, with its effects
// (built for the enterprise as changed), in one transaction. The row is locked first, so of two
// coordinators at once the second is told it already changed. Suspending closes the open
// positions and marks them as closed by it; restoring reopens those whose deadline is not before
// today (the reopen trigger confirms them, so they are not flagged stale at once) and unmarks
// the rest, which stay closed.
func (s *Store) SuspendEnterprise(ctx context.Context, guildID string, id int64, suspend bool, note string, today time.Time, effects func(placement.Enterprise) placement.Effects) (placement.Enterprise, error) {
	from, to := placement.EnterpriseVerified, placement.EnterpriseSuspended
	if !suspend {
		from, to = placement.EnterpriseSuspended, placement.EnterpriseVerified
	}
	var e placement.Enterprise
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var name string
		var current placement.EnterpriseStatus
		err := tx.QueryRow(ctx, `
			SELECT name, status FROM enterprises
			WHERE guild_id = $1 AND id = $2 FOR NO KEY UPDATE`, guildID, id).Scan(&name, &current)
		if errors.Is(err, pgx.ErrNoRows) {
			return placement.Errorf(placement.ENOTFOUND, "err.enterprise_not_found", nil)
		}
		if err != nil {
			return err
		}
		switch {
		case suspend && current == to:
			return placement.Errorf(placement.ECONFLICT, "err.enterprise_already_suspended", map[string]any{"Name": name})
		case current != from:
			return placement.Errorf(placement.ECONFLICT, "err.enterprise_not_"+string(from), map[string]any{"Name": name})
		}
		if suspend {
			_, err = tx.Exec(ctx, `
				UPDATE positions SET status = 'closed', closed_by_suspension = true
				WHERE guild_id = $1 AND enterprise_id = $2 AND status = 'open'`, guildID, id)
		} else {
			_, err = tx.Exec(ctx, `
				UPDATE positions
				SET status = CASE WHEN status = 'closed' AND deadline >= $3 THEN 'open' ELSE status END,
				    closed_by_suspension = false
				WHERE guild_id = $1 AND enterprise_id = $2 AND closed_by_suspension`, guildID, id, dateOnly(today))
		}
		if err != nil {
			return err
		}
		e, err = scanEnterprise(tx.QueryRow(ctx, `
			UPDATE enterprises AS e SET status = $3, note = $4
			WHERE e.guild_id = $1 AND e.id = $2
			RETURNING `+enterpriseColumns, guildID, id, to, note))
		if err != nil {
			return err
		}
		return writeEffects(ctx, tx, guildID, effectsOf(effects, e))
	})
	if err != nil {
		return placement.Enterprise{}, wrap("suspend enterprise", err)
	}
	return e, nil
}

// insertMentor links a member to an enterprise inside the caller's transaction, reporting
// whether they were not linked before.
func insertMentor(ctx context.Context, tx pgx.Tx, guildID string, enterpriseID int64, userID, linkedBy string) (bool, error) {
	tag, err := tx.Exec(ctx, `
		INSERT INTO enterprise_mentors (guild_id, enterprise_id, user_id, linked_by)
		VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, guildID, enterpriseID, userID, linkedBy)
	return tag.RowsAffected() == 1, err
}

// clampLimit bounds a list's length: 25 when unset, never more than 100.
func clampLimit(n int) int {
	switch {
	case n <= 0:
		return 25
	case n > 100:
		return 100
	}
	return n
}
