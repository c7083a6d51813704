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

// TakeUndelivered marks the member's undeliverable notifications shown and returns them with
// their files, oldest first. One statement does both, so two interactions at once never show
// the same one twice; the files are deleted as they are returned, since they are shown once.
func (s *Store) TakeUndelivered(ctx context.Context, guildID, userID string) ([]placement.Notification, error) {
	rows, err := s.pool.Query(ctx, `
		WITH taken AS (
			UPDATE notifications SET status = 'shown'
			WHERE guild_id = $1 AND user_id = $2 AND status = 'undeliverable'
			RETURNING id, dedup_key, user_id, channel_id, message_key, data, locale, created_at
		), files AS (
			DELETE FROM notification_files f USING taken
			WHERE f.guild_id = $1 AND f.notification_id = taken.id
			RETURNING f.notification_id, f.ord, f.name, f.content_type, f.data
		)
		SELECT t.dedup_key, t.user_id, t.channel_id, t.message_key, t.data, t.locale,
		       ARRAY(SELECT f.name FROM files f WHERE f.notification_id = t.id ORDER BY f.ord),
		       ARRAY(SELECT f.content_type FROM files f WHERE f.notification_id = t.id ORDER BY f.ord),
		       ARRAY(SELECT f.data FROM files f WHERE f.notification_id = t.id ORDER BY f.ord)
		FROM taken t ORDER BY t.created_at, t.id`, guildID, userID)
	if err != nil {
		return nil, wrap("take undelivered notifications", err)
	}
	notes, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (placement.Notification, error) {
		n := placement.Notification{GuildID: guildID}
		var names, types []string
		var contents [][]byte
		err := r.Scan(&n.DedupKey, &n.UserID, &n.ChannelID, &n.MessageKey, &n.Data, &n.Locale, &names, &types, &contents)
		n.Files = filesOf(names, types, contents)
		return n, err
	})
	if err != nil {
		return nil, wrap("take undelivered notifications", err)
	}
	return notes, nil
}
