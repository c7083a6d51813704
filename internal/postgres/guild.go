package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"placementbot/internal/placement"
)

// Store implements the domain's stores on a pgx pool; its methods are grouped by file.
type Store struct {
	pool *pgxpool.Pool
	// searchWindow and candidateWindow bound the walks of searchOpenPositions.
	searchWindow, candidateWindow int
}

// The store must keep everything the domain needs durable.
var _ placement.Store = (*Store)(nil)

// NewStore returns a store over the pool.
func NewStore(pool *pgxpool.Pool) *Store {
	return &Store{pool: pool, searchWindow: searchWindow, candidateWindow: candidateWindow}
}

// FindGuildSettings returns the guild's settings, or empty settings for a guild never set up.
func (s *Store) FindGuildSettings(ctx context.Context, guildID string) (placement.GuildSettings, error) {
	gs := placement.GuildSettings{GuildID: guildID}
	err := s.pool.QueryRow(ctx, `
		SELECT coordinator_role_id, mentor_role_id, student_role_id, supervisor_role_id,
		       announcements_channel_id, digest_channel_id,
		       open_application_cap, offer_expiry_days, time_zone, updated_at
		FROM guilds WHERE guild_id = $1`, guildID).Scan(
		&gs.CoordinatorRoleID, &gs.MentorRoleID, &gs.StudentRoleID, &gs.SupervisorRoleID,
		&gs.AnnouncementsChannelID, &gs.DigestChannelID,
		&gs.OpenApplicationCap, &gs.OfferExpiryDays, &gs.TimeZone, &gs.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return gs, nil
	}
	if err != nil {
		return gs, wrap("find guild settings", err)
	}
	return gs, nil
}

// UpdateGuildSettings applies the non-nil fields of upd and writes fx in the same transaction.
func (s *Store) UpdateGuildSettings(ctx context.Context, guildID string, upd placement.GuildSettingsUpdate, fx placement.Effects) (placement.GuildSettings, error) {
	gs := placement.GuildSettings{GuildID: guildID}
	if err := fx.Validate(); err != nil {
		return gs, wrap("update guild settings", err)
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := ensureGuild(ctx, tx, guildID); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `
			UPDATE guilds SET
			  coordinator_role_id      = COALESCE($2, coordinator_role_id),
			  mentor_role_id           = COALESCE($3, mentor_role_id),
			  student_role_id          = COALESCE($4, student_role_id),
			  announcements_channel_id = COALESCE($5, announcements_channel_id),
			  digest_channel_id        = COALESCE($6, digest_channel_id),
			  supervisor_role_id       = COALESCE($7, supervisor_role_id),
			  time_zone                = COALESCE($8, time_zone),
			  updated_at               = now()
			WHERE guild_id = $1
			RETURNING coordinator_role_id, mentor_role_id, student_role_id, supervisor_role_id,
			          announcements_channel_id, digest_channel_id,
			          open_application_cap, offer_expiry_days, time_zone, updated_at`,
			guildID, upd.CoordinatorRoleID, upd.MentorRoleID, upd.StudentRoleID,
			upd.AnnouncementsChannelID, upd.DigestChannelID, upd.SupervisorRoleID, upd.TimeZone).Scan(
			&gs.CoordinatorRoleID, &gs.MentorRoleID, &gs.StudentRoleID, &gs.SupervisorRoleID,
			&gs.AnnouncementsChannelID, &gs.DigestChannelID,
			&gs.OpenApplicationCap, &gs.OfferExpiryDays, &gs.TimeZone, &gs.UpdatedAt)
		if err != nil {
			return err
		}
		if upd.TimeZone != nil {
			// The jobs read the zone in SQL: a name Postgres does not know would stop them.
			var known bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = $1)`, *upd.TimeZone).Scan(&known); err != nil {
				return err
			}
			if !known {
				return placement.Errorf(placement.EINVALID, "err.setup_bad_time_zone", map[string]any{"Zone": *upd.TimeZone})
			}
		}
		return writeEffects(ctx, tx, guildID, fx)
	})
	if err != nil {
		return gs, wrap("update guild settings", err)
	}
	return gs, nil
}

// CountLinkedMentors counts the distinct members linked to an enterprise of the guild.
func (s *Store) CountLinkedMentors(ctx context.Context, guildID string) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(DISTINCT user_id)::int FROM enterprise_mentors WHERE guild_id = $1`, guildID).Scan(&n)
	if err != nil {
		return 0, wrap("count linked mentors", err)
	}
	return n, nil
}

// ensureGuild creates the guild's row when missing: every other table refers to it, and a guild
// may be used before anyone set it up.
func ensureGuild(ctx context.Context, tx pgx.Tx, guildID string) error {
	_, err := tx.Exec(ctx, `INSERT INTO guilds (guild_id) VALUES ($1) ON CONFLICT DO NOTHING`, guildID)
	return err
}

// AuditEvents returns a guild's audit events for a subject, oldest first.
func (s *Store) AuditEvents(ctx context.Context, guildID, subject string) ([]placement.AuditEvent, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT actor_id, action, subject, coalesce(enterprise_id, 0), detail, created_at
		FROM audit_events WHERE guild_id = $1 AND subject = $2 ORDER BY created_at, id`, guildID, subject)
	if err != nil {
		return nil, wrap("list audit events", err)
	}
	evs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (placement.AuditEvent, error) {
		ev := placement.AuditEvent{GuildID: guildID}
		err := r.Scan(&ev.ActorID, &ev.Action, &ev.Subject, &ev.EnterpriseID, &ev.Detail, &ev.At)
		return ev, err
	})
	if err != nil {
		return nil, wrap("list audit events", err)
	}
	return evs, nil
}
