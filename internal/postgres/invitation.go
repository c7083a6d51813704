package postgres

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"placementbot/internal/placement"
)

// InvitationCandidates returns the students who may be invited to the position, the most
// recently updated profiles first, for the service to rank by fit. It is one query: profiles
// sharing a skill (profiles_skill_keys) or the program (profiles_program_key) with the position,
// invitations on, each checked for an active placement and an application to the position on
// their indexes. Only what mentors may read of a profile is selected, and the preferred
// locations the fit needs.
func (s *Store) InvitationCandidates(ctx context.Context, guildID string, p placement.Position, studentID string, limit int) ([]placement.Candidate, error) {
	if len(p.Skills) == 0 && len(p.Programs) == 0 {
		return nil, nil
	}
	q := newQuery(`pr.guild_id = $1 AND NOT pr.invitations_off
		AND (lower_all(pr.skills) && lower_all($2::text[]) OR lower(pr.program) = ANY(lower_all($3::text[])))
		AND NOT EXISTS (SELECT 1 FROM placements pl
		                WHERE pl.guild_id = pr.guild_id AND pl.student_id = pr.user_id AND pl.status = 'active')
		AND NOT EXISTS (SELECT 1 FROM applications a
		                WHERE a.guild_id = pr.guild_id AND a.position_id = $4 AND a.student_id = pr.user_id)`,
		guildID, list(p.Skills), list(p.Programs), p.ID)
	if studentID != "" {
		q.where("pr.user_id = $?", studentID)
	}
	rows, err := s.pool.Query(ctx, `
		SELECT pr.user_id, pr.program, pr.cohort, pr.skills, pr.locations, pr.available_from, pr.available_to,
		       pr.updated_at, coalesce(m.name, ''), i.created_at
		FROM profiles pr
		LEFT JOIN members m ON m.guild_id = pr.guild_id AND m.user_id = pr.user_id
		LEFT JOIN invitations i ON i.guild_id = pr.guild_id AND i.position_id = $4 AND i.student_id = pr.user_id
		WHERE `+q.sql+`
		ORDER BY pr.updated_at DESC, pr.user_id
		LIMIT `+strconv.Itoa(clampCandidates(limit)), q.args...)
	if err != nil {
		return nil, wrap("find invitation candidates", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (placement.Candidate, error) {
		c := placement.Candidate{Profile: placement.Profile{GuildID: guildID}}
		var from, to pgtype.Date
		var invited *time.Time
		err := r.Scan(&c.Profile.UserID, &c.Profile.Program, &c.Profile.Cohort, &c.Profile.Skills, &c.Profile.Locations,
			&from, &to, &c.Profile.UpdatedAt, &c.Name, &invited)
		c.Profile.AvailableFrom, c.Profile.AvailableTo = dateOf(from), dateOf(to)
		if invited != nil {
			c.InvitedAt = *invited
		}
		return c, err
	})
	if err != nil {
		return nil, wrap("find invitation candidates", err)
	}
	return out, nil
}

// clampCandidates keeps a candidate list between 1 and 500 rows.
func clampCandidates(limit int) int { return min(max(limit, 1), 500) }

// CreateInvitation records an invitation with its effects. The position's row is locked first,
// so invitations to one position are counted one at a time and the day's limit holds however
// many mentors invite at once.
func (s *Store) CreateInvitation(ctx context.Context, inv placement.Invitation, perDay int, dayStart time.Time, effects func(placement.Invitation) placement.Effects) (placement.Invitation, error) {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var sent int
		var first *time.Time
		err := tx.QueryRow(ctx, `
			SELECT (SELECT count(*)::int FROM invitations i
			        WHERE i.guild_id = p.guild_id AND i.position_id = p.id AND i.created_at >= $3),
			       (SELECT i.created_at FROM invitations i
			        WHERE i.guild_id = p.guild_id AND i.position_id = p.id AND i.student_id = $4)
			FROM positions p WHERE p.guild_id = $1 AND p.id = $2
			FOR UPDATE OF p`, inv.GuildID, inv.PositionID, dayStart, inv.StudentID).Scan(&sent, &first)
		if errors.Is(err, pgx.ErrNoRows) {
			return placement.Errorf(placement.ENOTFOUND, "err.position_not_found", nil)
		}
		if err != nil {
			return err
		}
		if first != nil {
			return placement.AlreadyInvited(*first, dayStart.Location())
		}
		if sent >= perDay {
			return placement.InvitationLimitReached(perDay, dayStart)
		}
		err = tx.QueryRow(ctx, `
			INSERT INTO invitations (guild_id, position_id, student_id, mentor_id)
			VALUES ($1, $2, $3, $4) RETURNING id, created_at`,
			inv.GuildID, inv.PositionID, inv.StudentID, inv.MentorID).Scan(&inv.ID, &inv.CreatedAt)
		if err != nil {
			return err
		}
		return writeEffects(ctx, tx, inv.GuildID, effectsOf(effects, inv))
	})
	if err != nil {
		return placement.Invitation{}, wrap("create invitation", err)
	}
	return inv, nil
}

// FindInvitation returns one invitation of the guild.
func (s *Store) FindInvitation(ctx context.Context, guildID string, id int64) (placement.Invitation, error) {
	inv := placement.Invitation{GuildID: guildID, ID: id}
	var declined *time.Time
	err := s.pool.QueryRow(ctx, `
		SELECT position_id, student_id, mentor_id, created_at, declined_at
		FROM invitations WHERE guild_id = $1 AND id = $2`, guildID, id).Scan(
		&inv.PositionID, &inv.StudentID, &inv.MentorID, &inv.CreatedAt, &declined)
	if errors.Is(err, pgx.ErrNoRows) {
		return placement.Invitation{}, placement.Errorf(placement.ENOTFOUND, "err.invitation_not_found", nil)
	}
	if err != nil {
		return placement.Invitation{}, wrap("find invitation", err)
	}
	if declined != nil {
		inv.DeclinedAt = *declined
	}
	return inv, nil
}

// DeclineInvitation records the student's no thanks once; a second one is ECONFLICT.
func (s *Store) DeclineInvitation(ctx context.Context, guildID string, id int64, at time.Time, fx placement.Effects) (placement.Invitation, error) {
	if err := fx.Validate(); err != nil {
		return placement.Invitation{}, wrap("decline invitation", err)
	}
	inv := placement.Invitation{GuildID: guildID, ID: id}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `
			UPDATE invitations SET declined_at = $3
			WHERE guild_id = $1 AND id = $2 AND declined_at IS NULL
			RETURNING position_id, student_id, mentor_id, created_at, declined_at`, guildID, id, at).Scan(
			&inv.PositionID, &inv.StudentID, &inv.MentorID, &inv.CreatedAt, &inv.DeclinedAt)
		if errors.Is(err, pgx.ErrNoRows) {
			return placement.Errorf(placement.ECONFLICT, "err.invitation_declined_already", nil)
		}
		if err != nil {
			return err
		}
		return writeEffects(ctx, tx, guildID, fx)
	})
	if err != nil {
		return placement.Invitation{}, wrap("decline invitation", err)
	}
	return inv, nil
}

// InvitationLimit is the guild's invitations per position and day (the default for a guild
// never set up).
func (s *Store) InvitationLimit(ctx context.Context, guildID string) (int, error) {
	n := placement.DefaultInvitationsPerDay
	err := s.pool.QueryRow(ctx, `SELECT invitations_per_day FROM guilds WHERE guild_id = $1`, guildID).Scan(&n)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return 0, wrap("find invitation limit", err)
	}
	return n, nil
}

// SetInvitationLimit sets the guild's invitations per position and day, with fx.
func (s *Store) SetInvitationLimit(ctx context.Context, guildID string, perDay int, fx placement.Effects) error {
	if err := fx.Validate(); err != nil {
		return wrap("set invitation limit", err)
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := ensureGuild(ctx, tx, guildID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE guilds SET invitations_per_day = $2, updated_at = now() WHERE guild_id = $1`, guildID, perDay); err != nil {
			return err
		}
		return writeEffects(ctx, tx, guildID, fx)
	})
	if err != nil {
		return wrap("set invitation limit", err)
	}
	return nil
}

// SetInvitationsOff turns invitations off or on on the student's profile, with fx.
func (s *Store) SetInvitationsOff(ctx context.Context, guildID, userID string, off bool, fx placement.Effects) (placement.Profile, error) {
	if err := fx.Validate(); err != nil {
		return placement.Profile{}, wrap("set invitations", err)
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE profiles SET invitations_off = $3 WHERE guild_id = $1 AND user_id = $2`, guildID, userID, off)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return placement.Errorf(placement.ENOTFOUND, "err.profile_first", nil)
		}
		return writeEffects(ctx, tx, guildID, fx)
	})
	if err != nil {
		return placement.Profile{}, wrap("set invitations", err)
	}
	return s.FindProfile(ctx, guildID, userID)
}
