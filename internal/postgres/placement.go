package postgres

import (
	"context"
	"errors"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"placementbot/internal/placement"
)

// placementColumns selects a placement aliased pl with its position's title (p) and its
// enterprise's name (e), for scanPlacement.
const placementColumns = `pl.id, pl.guild_id, pl.application_id, pl.position_id, p.title, pl.enterprise_id, e.name,
	pl.student_id, pl.mentor_id, pl.supervisor_id, pl.status, pl.end_requested, pl.end_reason, pl.approved_by,
	pl.started_at, pl.ended_at`

// placementFrom joins a placement to its position and enterprise.
const placementFrom = ` FROM placements pl
	JOIN positions p ON p.guild_id = pl.guild_id AND p.id = pl.position_id
	JOIN enterprises e ON e.guild_id = pl.guild_id AND e.id = pl.enterprise_id `

func scanPlacement(r pgx.Row) (placement.Placement, error) {
	var pl placement.Placement
	var endedAt pgtype.Timestamptz
	err := r.Scan(&pl.ID, &pl.GuildID, &pl.ApplicationID, &pl.PositionID, &pl.PositionTitle, &pl.EnterpriseID,
		&pl.EnterpriseName, &pl.StudentID, &pl.MentorID, &pl.SupervisorID, &pl.Status, &pl.EndRequested,
		&pl.EndReason, &pl.ApprovedBy, &pl.StartedAt, &endedAt)
	if endedAt.Valid {
		pl.EndedAt = endedAt.Time
	}
	return pl, err
}

// FindPlacement returns one placement of the guild, active or ended.
func (s *Store) FindPlacement(ctx context.Context, guildID string, id int64) (placement.Placement, error) {
	pl, err := scanPlacement(s.pool.QueryRow(ctx, `
		SELECT `+placementColumns+placementFrom+`
		WHERE pl.guild_id = $1 AND pl.id = $2`, guildID, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return pl, placement.Errorf(placement.ENOTFOUND, "err.placement_not_found", nil)
	}
	if err != nil {
		return pl, wrap("find placement", err)
	}
	return pl, nil
}

// FindPlacements lists the guild's active placements, newest first. Only the filters in use are
// written into the statement, so that each can use its index.
func (s *Store) FindPlacements(ctx context.Context, guildID string, f placement.PlacementFilter, limit int) ([]placement.Placement, error) {
	q := newQuery("pl.guild_id = $1 AND pl.status = 'active'", guildID)
	if f.EnterpriseID != 0 {
		q.where("pl.enterprise_id = $?", f.EnterpriseID)
	}
	if f.SupervisorID != "" {
		q.where("pl.supervisor_id = $?", f.SupervisorID)
	}
	if f.StudentID != "" {
		q.where("pl.student_id = $?", f.StudentID)
	}
	if f.EndRequested {
		q.where("pl.end_requested <> ''")
	}
	rows, err := s.pool.Query(ctx, `
		SELECT `+placementColumns+placementFrom+`WHERE `+q.sql+`
		ORDER BY pl.id DESC LIMIT `+strconv.Itoa(clampLimit(limit)), q.args...)
	if err != nil {
		return nil, wrap("find placements", err)
	}
	ps, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (placement.Placement, error) { return scanPlacement(r) })
	if err != nil {
		return nil, wrap("find placements", err)
	}
	return ps, nil
}

// SetSupervisor makes a member the school supervisor of an active placement, with fx in the
// same transaction.
func (s *Store) SetSupervisor(ctx context.Context, guildID string, id int64, userID string, fx placement.Effects) (placement.Placement, error) {
	pl, err := s.changeActivePlacement(ctx, guildID, id, fx, func(tx pgx.Tx, _ int64) error {
		_, err := tx.Exec(ctx, `UPDATE placements SET supervisor_id = $3 WHERE guild_id = $1 AND id = $2`, guildID, id, userID)
		return err
	})
	if err != nil {
		return placement.Placement{}, wrap("set supervisor", err)
	}
	return pl, nil
}

// RequestEnd records the student's reason for ending an active placement early, with fx in the
// same transaction. A later request replaces the reason.
func (s *Store) RequestEnd(ctx context.Context, guildID string, id int64, reason string, fx placement.Effects) (placement.Placement, error) {
	pl, err := s.changeActivePlacement(ctx, guildID, id, fx, func(tx pgx.Tx, _ int64) error {
		_, err := tx.Exec(ctx, `UPDATE placements SET end_requested = $3 WHERE guild_id = $1 AND id = $2`, guildID, id, reason)
		return err
	})
	if err != nil {
		return placement.Placement{}, wrap("request placement end", err)
	}
	return pl, nil
}

// EndPlacement ends an active placement early and frees its slot, so that the position takes
// applications again; fx is written in the same transaction.
// The placement row is locked before the position's; no other writer locks a placement row, and
// those that lock a position hold at most application rows while they wait, so no cycle forms.
func (s *Store) EndPlacement(ctx context.Context, guildID string, id int64, reason string, fx placement.Effects) (placement.Placement, error) {
	pl, err := s.changeActivePlacement(ctx, guildID, id, fx, func(tx pgx.Tx, positionID int64) error {
		if _, err := tx.Exec(ctx, `
			UPDATE placements SET status = 'ended', end_reason = $3, ended_at = now()
			WHERE guild_id = $1 AND id = $2`, guildID, id, reason); err != nil {
			return err
		}
		// The approved application kept its slot while the placement ran; it no longer does.
		_, err := tx.Exec(ctx, `
			UPDATE positions SET taken = taken - 1 WHERE guild_id = $1 AND id = $2`, guildID, positionID)
		return err
	})
	if err != nil {
		return placement.Placement{}, wrap("end placement", err)
	}
	return pl, nil
}

// changeActivePlacement locks an active placement, applies change (given the placement's
// position), writes fx, and returns the placement as changed, in one transaction.
// Locking first means that of two coordinators acting at once, the second sees the first's
// outcome: ending an ended placement is refused.
func (s *Store) changeActivePlacement(ctx context.Context, guildID string, id int64, fx placement.Effects, change func(tx pgx.Tx, positionID int64) error) (placement.Placement, error) {
	var pl placement.Placement
	if err := fx.Validate(); err != nil {
		return pl, err
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var status placement.PlacementStatus
		var positionID int64
		err := tx.QueryRow(ctx, `
			SELECT status, position_id FROM placements WHERE guild_id = $1 AND id = $2 FOR NO KEY UPDATE`,
			guildID, id).Scan(&status, &positionID)
		if errors.Is(err, pgx.ErrNoRows) {
			return placement.Errorf(placement.ENOTFOUND, "err.placement_not_found", nil)
		}
		if err != nil {
			return err
		}
		if status != placement.PlacementActive {
			return placement.Errorf(placement.ECONFLICT, "err.placement_not_active", nil)
		}
		if err := change(tx, positionID); err != nil {
			return err
		}
		if err := writeEffects(ctx, tx, guildID, fx); err != nil {
			return err
		}
		pl, err = scanPlacement(tx.QueryRow(ctx, `
			SELECT `+placementColumns+placementFrom+`
			WHERE pl.guild_id = $1 AND pl.id = $2`, guildID, id))
		return err
	})
	return pl, err
}
