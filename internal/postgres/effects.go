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
