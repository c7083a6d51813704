package postgres

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"placementbot/internal/placement"
)

// writeEffects writes a change's audit events and notifications in the caller's transaction, in
// one round trip, after checking them (placement.Effects.Validate): a change is never committed
// without its record. Every event and notification belongs to the change's guild, whatever it
// says.
func writeEffects(ctx context.Context, tx pgx.Tx, guildID string, fx placement.Effects) error {
	return writeEffectsAfter(ctx, tx, guildID, fx, &pgx.Batch{})
}

// writeEffectsAfter is writeEffects sending the statements already queued in b first, in the
// same round trip.
func writeEffectsAfter(ctx context.Context, tx pgx.Tx, guildID string, fx placement.Effects, b *pgx.Batch) error {
	if err := fx.Validate(); err != nil {
		return err
	}
	for _, ev := range fx.Audit {
		if err := queueAudit(b, guildID, ev); err != nil {
			return err
		}
	}
	for _, n := range fx.Notes {
		if err := queueNotification(b, guildID, n, fx.Audit[0].ActorID); err != nil {
			return err
		}
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("write effects: %w", err)
	}
	return nil
}

// effectsOf calls a function building a change's effects, refusing a missing function as it
// refuses effects without an audit event.
func effectsOf[T any](build func(T) placement.Effects, row T) placement.Effects {
	if build == nil {
		return placement.Effects{}
	}
	return build(row)
}

// queueAudit adds the insertion of one audit event to the batch. A zero time is the
// transaction's; enterprise_id is NULL unless the event belongs to an enterprise's trail.
func queueAudit(b *pgx.Batch, guildID string, ev placement.AuditEvent) error {
	detail, err := encodeData(ev.Detail)
	if err != nil {
		return fmt.Errorf("encode audit detail: %w", err)
	}
	b.Queue(`
		INSERT INTO audit_events (guild_id, actor_id, action, subject, enterprise_id, detail, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, coalesce($7, now()))`,
		guildID, ev.ActorID, ev.Action, ev.Subject, pgtype.Int8{Int64: ev.EnterpriseID, Valid: ev.EnterpriseID != 0},
		detail, pgtype.Timestamptz{Time: ev.At, Valid: !ev.At.IsZero()})
	return nil
}

// insertNotification is the statement that queues one notification with its files unless its
// dedup key is taken; it selects how many notifications it queued (0 or 1). A notification
// without a language of its own takes the language of the member whose change it announces
// ($11), stored at the start of their interaction: a recipient who never used the bot gets their
// first DM in it rather than in English.
const insertNotification = `
	WITH n AS (
		INSERT INTO notifications (guild_id, dedup_key, user_id, channel_id, message_key, locale, data)
		VALUES ($1, $2, $3, $4, $5,
		        coalesce(nullif($6, ''), (SELECT m.locale FROM members m WHERE m.guild_id = $1 AND m.user_id = $11), ''), $7)
		ON CONFLICT (guild_id, dedup_key) DO NOTHING
		RETURNING guild_id, id
	), files AS (
		INSERT INTO notification_files (guild_id, notification_id, ord, name, content_type, data)
		SELECT n.guild_id, n.id, f.ord, f.name, f.content_type, f.data
		FROM n, unnest($8::text[], $9::text[], $10::bytea[]) WITH ORDINALITY AS f(name, content_type, data, ord)
	)
	SELECT count(*)::int FROM n`

// notificationArgs are the arguments of insertNotification for a notification of the guild
// announcing a change by actorID ("" for none).
func notificationArgs(guildID string, n placement.Notification, actorID string) ([]any, error) {
	data, err := encodeData(n.Data)
	if err != nil {
		return nil, fmt.Errorf("encode notification %s: %w", n.DedupKey, err)
	}
	names := make([]string, len(n.Files))
	types := make([]string, len(n.Files))
	contents := make([][]byte, len(n.Files))
	for i, f := range n.Files {
		names[i], types[i], contents[i] = f.Name, f.ContentType, f.Data
		if contents[i] == nil {
			contents[i] = []byte{}
		}
	}
	return []any{guildID, n.DedupKey, n.UserID, n.ChannelID, n.MessageKey, n.Locale, data, names, types, contents, actorID}, nil
}

// queueNotification adds the queueing of one notification to the batch, so that it is sent if
// and only if the change it announces is committed. A dedup key already queued is skipped:
// retrying a change never notifies twice.
func queueNotification(b *pgx.Batch, guildID string, n placement.Notification, actorID string) error {
	if n.UserID == "" && n.ChannelID == "" {
		// Nobody to tell (for example an enterprise added without a requester); refusing the
		// change for it would lose the change itself.
		return nil
	}
	args, err := notificationArgs(guildID, n, actorID)
	if err != nil {
		return err
	}
	b.Queue(insertNotification, args...)
	return nil
}

// encodeData encodes template data as a JSON object; nil becomes {} to satisfy the column.
func encodeData(m map[string]any) ([]byte, error) {
	if m == nil {
		return []byte("{}"), nil
	}
	return json.Marshal(m)
}

// writeEffectsBulk writes the effects of many changes made in one transaction (a round's
// publish) set-based: all audit events in one statement and all notifications in another,
// whatever their number, after checking each change's effects. Notifications with files go
// one by one, as writeEffects sends them.
func writeEffectsBulk(ctx context.Context, tx pgx.Tx, guildID string, fxs []placement.Effects) error {
	var ev struct {
		actor, action, subject, detail []string
		enterprise                     []int64
		at                             []pgtype.Timestamptz
	}
	var note struct{ key, user, channel, message, locale, data, actor []string }
	withFiles := &pgx.Batch{}
	for _, fx := range fxs {
		if err := fx.Validate(); err != nil {
			return err
		}
		for _, e := range fx.Audit {
			detail, err := encodeData(e.Detail)
			if err != nil {
				return fmt.Errorf("encode audit detail: %w", err)
			}
			ev.actor, ev.action, ev.subject = append(ev.actor, e.ActorID), append(ev.action, e.Action), append(ev.subject, e.Subject)
			ev.detail, ev.enterprise = append(ev.detail, string(detail)), append(ev.enterprise, e.EnterpriseID)
			ev.at = append(ev.at, pgtype.Timestamptz{Time: e.At, Valid: !e.At.IsZero()})
		}
		for _, n := range fx.Notes {
			if len(n.Files) > 0 {
				if err := queueNotification(withFiles, guildID, n, fx.Audit[0].ActorID); err != nil {
					return err
				}
				continue
			}
			if n.UserID == "" && n.ChannelID == "" {
				continue // nobody to tell, as queueNotification
			}
			data, err := encodeData(n.Data)
			if err != nil {
				return fmt.Errorf("encode notification %s: %w", n.DedupKey, err)
			}
			note.key, note.user, note.channel = append(note.key, n.DedupKey), append(note.user, n.UserID), append(note.channel, n.ChannelID)
			note.message, note.locale = append(note.message, n.MessageKey), append(note.locale, n.Locale)
			note.data, note.actor = append(note.data, string(data)), append(note.actor, fx.Audit[0].ActorID)
		}
	}
	b := withFiles
	b.Queue(`
		INSERT INTO audit_events (guild_id, actor_id, action, subject, enterprise_id, detail, created_at)
		SELECT $1, u.actor, u.action, u.subject, nullif(u.enterprise, 0), u.detail::jsonb, coalesce(u.at, now())
		FROM unnest($2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::timestamptz[])
		     WITH ORDINALITY AS u(actor, action, subject, enterprise, detail, at, ord)
		ORDER BY u.ord`,
		guildID, ev.actor, ev.action, ev.subject, ev.enterprise, ev.detail, ev.at)
	if len(note.key) > 0 {
		// The language rule of insertNotification: a notification without one takes the
		// language of the member whose change it announces.
		b.Queue(`
			INSERT INTO notifications (guild_id, dedup_key, user_id, channel_id, message_key, locale, data)
			SELECT $1, u.key, u.usr, u.channel, u.message, coalesce(nullif(u.locale, ''), m.locale, ''), u.data::jsonb
			FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
			     WITH ORDINALITY AS u(key, usr, channel, message, locale, data, actor, ord)
			LEFT JOIN members m ON m.guild_id = $1 AND m.user_id = u.actor
			ORDER BY u.ord
			ON CONFLICT (guild_id, dedup_key) DO NOTHING`,
			guildID, note.key, note.user, note.channel, note.message, note.locale, note.data, note.actor)
	}
	if err := tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("write effects: %w", err)
	}
	return nil
}
