package postgres

import (
	"cmp"
	"context"
	"slices"
	"time"

	"placementbot/internal/placement"
)

// The outbox queue implements placement.OutboxStore, which outbox.Store names.
var _ placement.OutboxStore = (*Store)(nil)

// ClaimNotifications leases up to limit due notifications until now+lease and counts an attempt
// on each, returning each with its files. SKIP LOCKED lets any number of workers claim at once without waiting on each other or
// taking the same row; a row whose lease ran out (its worker died) is due again.
func (s *Store) ClaimNotifications(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]placement.QueuedNotification, error) {
	rows, err := s.pool.Query(ctx, `
		WITH due AS (
			SELECT guild_id, id FROM notifications
			WHERE status = 'pending' AND next_attempt_at <= $1
			  AND (locked_until IS NULL OR locked_until < $1)
			ORDER BY next_attempt_at, id
			LIMIT $3
			FOR UPDATE SKIP LOCKED
		)
		UPDATE notifications n
		SET locked_until = $2, attempts = n.attempts + 1
		FROM due
		WHERE n.guild_id = due.guild_id AND n.id = due.id
		RETURNING n.guild_id, n.id, n.attempts, n.user_id, n.channel_id, n.message_key, n.locale, n.data,
		          coalesce((SELECT m.locale FROM members m WHERE m.guild_id = n.guild_id AND m.user_id = n.user_id), ''),
		          n.next_attempt_at,
		          ARRAY(SELECT f.name FROM notification_files f WHERE f.guild_id = n.guild_id AND f.notification_id = n.id ORDER BY f.ord),
		          ARRAY(SELECT f.content_type FROM notification_files f WHERE f.guild_id = n.guild_id AND f.notification_id = n.id ORDER BY f.ord),
		          ARRAY(SELECT f.data FROM notification_files f WHERE f.guild_id = n.guild_id AND f.notification_id = n.id ORDER BY f.ord)`,
		now, now.Add(lease), limit)
	if err != nil {
		return nil, wrap("claim notifications", err)
	}
	defer rows.Close()
	type claimed struct {
		n   placement.QueuedNotification
		due time.Time
	}
	var got []claimed
	for rows.Next() {
		var c claimed
		var data []byte
		var names, types []string
		var contents [][]byte
		if err := rows.Scan(&c.n.GuildID, &c.n.ID, &c.n.Attempt, &c.n.UserID, &c.n.ChannelID, &c.n.MessageKey,
			&c.n.Locale, &data, &c.n.MemberLocale, &c.due, &names, &types, &contents); err != nil {
			return nil, wrap("claim notifications", err)
		}
		c.n.Data = data
		c.n.Files = filesOf(names, types, contents)
		got = append(got, c)
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("claim notifications", err)
	}
	// RETURNING keeps no order; send the longest-waiting first.
	slices.SortFunc(got, func(a, b claimed) int {
		if c := a.due.Compare(b.due); c != 0 {
			return c
		}
		return cmp.Compare(a.n.ID, b.n.ID)
	})
	out := make([]placement.QueuedNotification, len(got))
	for i, c := range got {
		out[i] = c.n
	}
	return out, nil
}

// MarkNotificationSent records that the claimed notification was delivered, and drops its files.
func (s *Store) MarkNotificationSent(ctx context.Context, c placement.Claim, now time.Time) error {
	return s.settle(ctx, "mark notification sent", c, true, `
		status = 'sent', sent_at = $4, locked_until = NULL, last_error = ''`, now)
}

// RetryNotification releases the claimed notification for another attempt at next.
func (s *Store) RetryNotification(ctx context.Context, c placement.Claim, next time.Time, errText string) error {
	return s.settle(ctx, "retry notification", c, false, `
		next_attempt_at = $4, locked_until = NULL, last_error = $5`, next, errText)
}

// MarkNotificationUndeliverable records that the recipient's DMs are closed; the notification,
// files included, then waits for TakeUndelivered to show it in the member's next reply.
func (s *Store) MarkNotificationUndeliverable(ctx context.Context, c placement.Claim, errText string) error {
	return s.settle(ctx, "mark notification undeliverable", c, false, `
		status = 'undeliverable', locked_until = NULL, last_error = $4`, errText)
}

// MarkNotificationFailed records that the notification will never be delivered, and drops its
// files.
func (s *Store) MarkNotificationFailed(ctx context.Context, c placement.Claim, errText string) error {
	return s.settle(ctx, "mark notification failed", c, true, `
		status = 'failed', locked_until = NULL, last_error = $4`, errText)
}

// settle applies an outcome only while the claim is current: still pending, and not claimed
// again since (which would have counted another attempt). A worker whose lease ran out thus
// cannot overwrite what the worker that took over recorded. With dropFiles, the notification's
// files are deleted in the same statement: once it is sent or given up nobody needs them, and
// exports are personal data that should not outlive their delivery.
func (s *Store) settle(ctx context.Context, op string, c placement.Claim, dropFiles bool, set string, args ...any) error {
	drop := ""
	if dropFiles {
		drop = `, dropped AS (
			DELETE FROM notification_files f USING settled
			WHERE f.guild_id = settled.guild_id AND f.notification_id = settled.id
		)`
	}
	var n int
	err := s.pool.QueryRow(ctx, `
		WITH settled AS (
			UPDATE notifications SET `+set+`
			WHERE guild_id = $1 AND id = $2 AND status = 'pending' AND attempts = $3
			RETURNING guild_id, id
		)`+drop+`
		SELECT count(*)::int FROM settled`,
		append([]any{c.GuildID, c.ID, c.Attempt}, args...)...).Scan(&n)
	if err != nil {
		return wrap(op, err)
	}
	if n == 0 {
		return placement.ErrLeaseLost
	}
	return nil
}

// OutboxBacklog counts the notifications waiting to be sent, across guilds, for the backlog
// metric.
func (s *Store) OutboxBacklog(ctx context.Context) (int, error) {
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM notifications WHERE status = 'pending'`).Scan(&n); err != nil {
		return 0, wrap("outbox backlog", err)
	}
	return n, nil
}
