package postgres

import (
	"context"
	"time"

	"placementbot/internal/placement"
)

// ActorFacts returns, in one statement, what every interaction needs to know about the member:
// the guild's settings (empty for a guild never set up), the verified enterprises they mentor,
// their last language and display name, and how many notifications could not be DMed to them.
// Each part is a lookup on a primary key or a per-member index, so the cost does not grow with
// the guild.
func (s *Store) ActorFacts(ctx context.Context, guildID, userID string) (placement.ActorFacts, error) {
	f := placement.ActorFacts{Settings: placement.GuildSettings{GuildID: guildID}}
	var updatedAt *time.Time
	err := s.pool.QueryRow(ctx, `
		SELECT coalesce(g.coordinator_role_id, ''), coalesce(g.mentor_role_id, ''), coalesce(g.student_role_id, ''),
		       coalesce(g.announcements_channel_id, ''), coalesce(g.digest_channel_id, ''),
		       coalesce(g.open_application_cap, 0), coalesce(g.offer_expiry_days, 0), coalesce(g.time_zone, ''), g.updated_at,
		       ARRAY(SELECT m.enterprise_id
		             FROM enterprise_mentors m
		             JOIN enterprises e ON e.guild_id = m.guild_id AND e.id = m.enterprise_id
		             WHERE m.guild_id = $1 AND m.user_id = $2 AND e.status = 'verified'
		             ORDER BY m.enterprise_id),
		       coalesce(me.locale, ''), coalesce(me.name, ''),
		       (SELECT count(*) FROM notifications
		        WHERE guild_id = $1 AND user_id = $2 AND status = 'undeliverable')
		FROM (VALUES (1)) AS one
		LEFT JOIN guilds g ON g.guild_id = $1
		LEFT JOIN members me ON me.guild_id = $1 AND me.user_id = $2`, guildID, userID).Scan(
		&f.Settings.CoordinatorRoleID, &f.Settings.MentorRoleID, &f.Settings.StudentRoleID,
		&f.Settings.AnnouncementsChannelID, &f.Settings.DigestChannelID,
		&f.Settings.OpenApplicationCap, &f.Settings.OfferExpiryDays, &f.Settings.TimeZone, &updatedAt,
		&f.EnterpriseIDs, &f.Locale, &f.Name, &f.Undelivered)
	if err != nil {
		return placement.ActorFacts{}, wrap("find actor facts", err)
	}
	if updatedAt != nil {
		f.Settings.UpdatedAt = *updatedAt
	}
	return f, nil
}

// SetMemberLocale remembers the language of the member's last interaction. The guild row is
// created in the same statement when missing, since a member may speak before any setup.
func (s *Store) SetMemberLocale(ctx context.Context, guildID, userID, locale string) error {
	_, err := s.pool.Exec(ctx, `
		WITH guild AS (
			INSERT INTO guilds (guild_id) VALUES ($1) ON CONFLICT DO NOTHING
		)
		INSERT INTO members (guild_id, user_id, locale) VALUES ($1, $2, $3)
		ON CONFLICT (guild_id, user_id) DO UPDATE SET locale = excluded.locale, updated_at = now()`,
		guildID, userID, locale)
	if err != nil {
		return wrap("set member locale", err)
	}
	return nil
}

// SetMemberName remembers the member's display name. Like the language it is written only when
// it changed, and the guild row is created when missing.
func (s *Store) SetMemberName(ctx context.Context, guildID, userID, name string) error {
	_, err := s.pool.Exec(ctx, `
		WITH guild AS (
			INSERT INTO guilds (guild_id) VALUES ($1) ON CONFLICT DO NOTHING
		)
		INSERT INTO members AS m (guild_id, user_id, name) VALUES ($1, $2, $3)
		ON CONFLICT (guild_id, user_id) DO UPDATE SET name = excluded.name, updated_at = now()
		WHERE m.name IS DISTINCT FROM excluded.name`,
		guildID, userID, name)
	if err != nil {
		return wrap("set member name", err)
	}
	return nil
}
