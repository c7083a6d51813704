package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"placementbot/internal/placement"
)

// filesOf pairs the names, types and contents of a notification's files, as its ARRAY columns
// return them, in order.
func filesOf(names, types []string, contents [][]byte) []placement.File {
	if len(names) == 0 {
		return nil
	}
	files := make([]placement.File, len(names))
	for i := range names {
		files[i] = placement.File{Name: names[i], ContentType: types[i], Data: contents[i]}
	}
	return files
}

// TakeUndelivered marks at most limit of the member's undeliverable notifications shown, the
// oldest, and returns them with their files, oldest first; the rest wait for the next reply.
// One statement does both, so two interactions at once never show the same one twice; the
// files are deleted as they are returned, since they are shown once.
func (s *Store) TakeUndelivered(ctx context.Context, guildID, userID string, limit int) ([]placement.Notification, error) {
	rows, err := s.pool.Query(ctx, `
		WITH oldest AS (
			SELECT id FROM notifications
			WHERE guild_id = $1 AND user_id = $2 AND status = 'undeliverable'
			ORDER BY created_at, id LIMIT $3
			FOR UPDATE SKIP LOCKED
		), taken AS (
			UPDATE notifications n SET status = 'shown'
			FROM oldest WHERE n.guild_id = $1 AND n.id = oldest.id AND n.status = 'undeliverable'
			RETURNING n.id, n.dedup_key, n.user_id, n.channel_id, n.message_key, n.data, n.locale, n.created_at
		), files AS (
			DELETE FROM notification_files f USING taken
			WHERE f.guild_id = $1 AND f.notification_id = taken.id
			RETURNING f.notification_id, f.ord, f.name, f.content_type, f.data
		)
		SELECT t.dedup_key, t.user_id, t.channel_id, t.message_key, t.data, t.locale,
		       ARRAY(SELECT f.name FROM files f WHERE f.notification_id = t.id ORDER BY f.ord),
		       ARRAY(SELECT f.content_type FROM files f WHERE f.notification_id = t.id ORDER BY f.ord),
		       ARRAY(SELECT f.data FROM files f WHERE f.notification_id = t.id ORDER BY f.ord)
		FROM taken t ORDER BY t.created_at, t.id`, guildID, userID, limit)
	if err != nil {
		return nil, wrap("take undelivered notifications", err)
	}
	notes, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (placement.Notification, error) {
		n := placement.Notification{GuildID: guildID}
		var names, types []string
		var contents [][]byte
		var data []byte
		if err := r.Scan(&n.DedupKey, &n.UserID, &n.ChannelID, &n.MessageKey, &data, &n.Locale, &names, &types, &contents); err != nil {
			return n, err
		}
		n.Files = filesOf(names, types, contents)
		var err error
		n.Data, err = placement.DecodeData(data)
		return n, err
	})
	if err != nil {
		return nil, wrap("take undelivered notifications", err)
	}
	return notes, nil
}
