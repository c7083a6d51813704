package postgres

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jackc/pgx/v5"

	"placementbot/internal/placement"
)

// insertNotifications queues notifications in the caller's transaction, so that they are sent
// if and only if the change they announce is committed. A dedup key already queued is skipped:
// retrying a change never notifies twice. Every notification belongs to the change's guild.
func insertNotifications(ctx context.Context, tx pgx.Tx, guildID string, notes []placement.Notification) error {
	var b pgx.Batch
	for _, n := range notes {
		if n.UserID == "" && n.ChannelID == "" {
			// Nobody to tell (for example an enterprise added without a requester); refusing the
			// change for it would lose the change itself.
			continue
		}
		data, err := encodeData(n.Data)
		if err != nil {
			return fmt.Errorf("encode notification %s: %w", n.DedupKey, err)
		}
		b.Queue(`
			INSERT INTO notifications (guild_id, dedup_key, user_id, channel_id, message_key, locale, data)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (guild_id, dedup_key) DO NOTHING`,
			guildID, n.DedupKey, n.UserID, n.ChannelID, n.MessageKey, n.Locale, data)
	}
	if b.Len() == 0 {
		return nil
	}
	if err := tx.SendBatch(ctx, &b).Close(); err != nil {
		return fmt.Errorf("insert notifications: %w", err)
	}
	return nil
}

// encodeData encodes template data as a JSON object; nil becomes {} to satisfy the column.
func encodeData(m map[string]any) ([]byte, error) {
	if m == nil {
		return []byte("{}"), nil
	}
	return json.Marshal(m)
}

// TakeUndelivered marks the member's undeliverable notifications shown and returns them, oldest
// first. One UPDATE does both, so two interactions at once never show the same one twice.
func (s *Store) TakeUndelivered(ctx context.Context, guildID, userID string) ([]placement.Notification, error) {
	rows, err := s.pool.Query(ctx, `
		WITH taken AS (
			UPDATE notifications SET status = 'shown'
			WHERE guild_id = $1 AND user_id = $2 AND status = 'undeliverable'
			RETURNING id, dedup_key, user_id, channel_id, message_key, data, locale, created_at
		)
		SELECT dedup_key, user_id, channel_id, message_key, data, locale
		FROM taken ORDER BY created_at, id`, guildID, userID)
	if err != nil {
		return nil, wrap("take undelivered notifications", err)
	}
	notes, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (placement.Notification, error) {
		n := placement.Notification{GuildID: guildID}
		err := r.Scan(&n.DedupKey, &n.UserID, &n.ChannelID, &n.MessageKey, &n.Data, &n.Locale)
		return n, err
	})
	if err != nil {
		return nil, wrap("take undelivered notifications", err)
	}
	return notes, nil
}
