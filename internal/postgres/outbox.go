package postgres

import (
	"cmp"
	"context"
	"slices"
	"time"

	"placementbot/internal/outbox"
)

// ClaimNotifications leases up to limit due notifications until now+lease and counts an attempt
// on each. SKIP LOCKED lets any number of workers claim at once without waiting on each other or
// taking the same row; a row whose lease ran out (its worker died) is due again.
func (s *Store) ClaimNotifications(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]outbox.Notification, error) {
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
		          n.next_attempt_at`,
		now, now.Add(lease), limit)
	if err != nil {
		return nil, wrap("claim notifications", err)
	}
	defer rows.Close()
	type claimed struct {
		n   outbox.Notification
		due time.Time
	}
	var got []claimed
	for rows.Next() {
		var c claimed
		var data []byte
		if err := rows.Scan(&c.n.GuildID, &c.n.ID, &c.n.Attempt, &c.n.UserID, &c.n.ChannelID, &c.n.MessageKey,
			&c.n.Locale, &data, &c.n.MemberLocale, &c.due); err != nil {
			return nil, wrap("claim notifications", err)
		}
		c.n.Data = data
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
	out := make([]outbox.Notification, len(got))
	for i, c := range got {
		out[i] = c.n
	}
	return out, nil
}

// MarkNotificationSent records that the claimed notification was delivered.
func (s *Store) MarkNotificationSent(ctx context.Context, c outbox.Claim, now time.Time) error {
	return s.settle(ctx, "mark notification sent", c, `
		status = 'sent', sent_at = $4, locked_until = NULL, last_error = ''`, now)
}

// RetryNotification releases the claimed notification for another attempt at next.
func (s *Store) RetryNotification(ctx context.Context, c outbox.Claim, next time.Time, errText string) error {
	return s.settle(ctx, "retry notification", c, `
		next_attempt_at = $4, locked_until = NULL, last_error = $5`, next, errText)
}

// MarkNotificationUndeliverable records that the recipient's DMs are closed; the notification
// then waits for TakeUndelivered to show it in the member's next reply.
func (s *Store) MarkNotificationUndeliverable(ctx context.Context, c outbox.Claim, errText string) error {
	return s.settle(ctx, "mark notification undeliverable", c, `
		status = 'undeliverable', locked_until = NULL, last_error = $4`, errText)
}

// MarkNotificationFailed records that the notification will never be delivered.
func (s *Store) MarkNotificationFailed(ctx context.Context, c outbox.Claim, errText string) error {
	return s.settle(ctx, "mark notification failed", c, `
		status = 'failed', locked_until = NULL, last_error = $4`, errText)
}

// settle applies an outcome only while the claim is current: still pending, and not claimed
// again since (which would have counted another attempt). A worker whose lease ran out thus
// cannot overwrite what the worker that took over recorded.
func (s *Store) settle(ctx context.Context, op string, c outbox.Claim, set string, args ...any) error {
	tag, err := s.pool.Exec(ctx, `
		UPDATE notifications SET `+set+`
		WHERE guild_id = $1 AND id = $2 AND status = 'pending' AND attempts = $3`,
		append([]any{c.GuildID, c.ID, c.Attempt}, args...)...)
	if err != nil {
		return wrap(op, err)
	}
	if tag.RowsAffected() == 0 {
		return outbox.ErrLeaseLost
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
