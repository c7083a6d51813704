package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"placementbot/internal/placement"
)

// SaveProfile creates or replaces the student's profile, with fx in the same transaction.
func (s *Store) SaveProfile(ctx context.Context, p placement.Profile, fx placement.Effects) (placement.Profile, error) {
	if err := fx.Validate(); err != nil {
		return placement.Profile{}, wrap("save profile", err)
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := ensureGuild(ctx, tx, p.GuildID); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `
			INSERT INTO profiles (guild_id, user_id, program, cohort, skills, certificates, locations,
			                      available_from, available_to)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
			ON CONFLICT (guild_id, user_id) DO UPDATE SET
			  program = excluded.program, cohort = excluded.cohort, skills = excluded.skills,
			  certificates = excluded.certificates, locations = excluded.locations,
			  available_from = excluded.available_from, available_to = excluded.available_to,
			  updated_at = now()
			RETURNING invitations_off, updated_at`,
			p.GuildID, p.UserID, p.Program, p.Cohort, list(p.Skills), list(p.Certificates), list(p.Locations),
			nullDate(p.AvailableFrom), nullDate(p.AvailableTo)).Scan(&p.InvitationsOff, &p.UpdatedAt)
		if err != nil {
			return err
		}
		return writeEffects(ctx, tx, p.GuildID, fx)
	})
	if err != nil {
		return placement.Profile{}, wrap("save profile", err)
	}
	p.Skills, p.Certificates, p.Locations = list(p.Skills), list(p.Certificates), list(p.Locations)
	return p, nil
}

// FindProfile returns the student's profile.
func (s *Store) FindProfile(ctx context.Context, guildID, userID string) (placement.Profile, error) {
	p := placement.Profile{GuildID: guildID, UserID: userID}
	var from, to pgtype.Date
	err := s.pool.QueryRow(ctx, `
		SELECT program, cohort, skills, certificates, locations, available_from, available_to, invitations_off, updated_at
		FROM profiles WHERE guild_id = $1 AND user_id = $2`, guildID, userID).Scan(
		&p.Program, &p.Cohort, &p.Skills, &p.Certificates, &p.Locations, &from, &to, &p.InvitationsOff, &p.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return placement.Profile{}, placement.Errorf(placement.ENOTFOUND, "err.profile_not_found", nil)
	}
	if err != nil {
		return placement.Profile{}, wrap("find profile", err)
	}
	p.AvailableFrom, p.AvailableTo = dateOf(from), dateOf(to)
	return p, nil
}

// HasAppliedTo reports whether the student applied to any position of the enterprises, which is
// what lets their mentors read the student's profile.
func (s *Store) HasAppliedTo(ctx context.Context, guildID, studentID string, enterpriseIDs []int64) (bool, error) {
	if len(enterpriseIDs) == 0 {
		return false, nil
	}
	var ok bool
	err := s.pool.QueryRow(ctx, `
		SELECT EXISTS (
			SELECT 1 FROM applications a
			JOIN positions p ON p.guild_id = a.guild_id AND p.id = a.position_id
			WHERE a.guild_id = $1 AND a.student_id = $2 AND p.enterprise_id = ANY($3))`,
		guildID, studentID, enterpriseIDs).Scan(&ok)
	if err != nil {
		return false, wrap("check applications to enterprises", err)
	}
	return ok, nil
}

// list returns s, or an empty list for nil: the array columns are NOT NULL.
func list(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// nullDate is NULL for the zero time, the date otherwise.
func nullDate(t time.Time) pgtype.Date {
	return pgtype.Date{Time: t, Valid: !t.IsZero()}
}

// dateOf is the zero time for NULL.
func dateOf(d pgtype.Date) time.Time {
	if !d.Valid {
		return time.Time{}
	}
	return d.Time
}
