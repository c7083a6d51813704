package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"placementbot/internal/placement"
)

// The store runs the time-driven jobs too.
var _ placement.JobStore = (*Store)(nil)

// noticeExtras selects, after positionColumns of a changed position p, what its mentors are
// told: last confirmation, stale flag, linked mentors, how many applications wait for an
// answer, and which (their ids and students, whom the closure is told too).
const noticeExtras = `, p.confirmed_at, p.stale_flagged_at,
	coalesce((SELECT array_agg(m.user_id ORDER BY m.user_id) FROM enterprise_mentors m
	          WHERE m.guild_id = p.guild_id AND m.enterprise_id = p.enterprise_id), '{}'),
	(SELECT count(*) FROM applications a
	 WHERE a.guild_id = p.guild_id AND a.position_id = p.id AND a.status IN ('submitted', 'shortlisted'))::int,
	coalesce((SELECT array_agg(a.id ORDER BY a.id) FROM applications a
	          WHERE a.guild_id = p.guild_id AND a.position_id = p.id AND a.status IN ('submitted', 'shortlisted')), '{}'),
	coalesce((SELECT array_agg(a.student_id ORDER BY a.id) FROM applications a
	          WHERE a.guild_id = p.guild_id AND a.position_id = p.id AND a.status IN ('submitted', 'shortlisted')), '{}')`

// extraRow appends destinations to every Scan, so scanPosition reads the position's columns
// and the columns selected after them go to extra.
type extraRow struct {
	pgx.Row
	extra []any
}

func (r extraRow) Scan(dest ...any) error { return r.Row.Scan(append(dest, r.extra...)...) }

// sweepPositions runs a statement that changes positions and selects each as positionColumns
// plus noticeExtras, and writes every change's effects, all in one transaction.
func (s *Store) sweepPositions(ctx context.Context, op, sql string, effects func(placement.PositionNotice) placement.Effects, args ...any) ([]placement.PositionNotice, error) {
	var out []placement.PositionNotice
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, sql, args...)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (placement.PositionNotice, error) {
			var n placement.PositionNotice
			var flagged pgtype.Timestamptz
			var waitingIDs []int64
			var waitingStudents []string
			p, err := scanPosition(extraRow{Row: r, extra: []any{&n.ConfirmedAt, &flagged, &n.Mentors, &n.Pending, &waitingIDs, &waitingStudents}})
			n.Position = p
			for i := range waitingIDs {
				n.Waiting = append(n.Waiting, placement.Waiting{ApplicationID: waitingIDs[i], StudentID: waitingStudents[i]})
			}
			if flagged.Valid {
				n.FlaggedAt = flagged.Time
			}
			return n, err
		})
		if err != nil {
			return err
		}
		for _, n := range out {
			if err := writeEffects(ctx, tx, n.GuildID, effectsOf(effects, n)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, wrap(op, err)
	}
	return out, nil
}

// The sweeps below pick due rows with SKIP LOCKED, so two runs at once take different rows
// instead of waiting on each other, and the UPDATE repeats the condition, which Postgres
// re-checks on the row as it is when locked: a row that stopped being due (confirmed, closed
// by its mentor) is left alone. FOR NO KEY UPDATE does not block students applying, whose
// foreign key takes only a key-share lock on the position.

// CloseDuePositions closes up to limit open positions whose deadline is before the date it is
// at now in their guild's time zone, oldest deadline first, with each one's audit event and
// notifications. No zone is ahead of UTC by a day or more, so the deadline index bounds the
// candidates to those before tomorrow in UTC.
func (s *Store) CloseDuePositions(ctx context.Context, now time.Time, limit int, effects func(placement.PositionNotice) placement.Effects) ([]placement.PositionNotice, error) {
	return s.sweepPositions(ctx, "close due positions", `
		WITH due AS (
			SELECT q.guild_id, q.id FROM positions q
			JOIN guilds g ON g.guild_id = q.guild_id
			WHERE q.status = 'open' AND q.deadline < $3
			  AND q.deadline < ($1::timestamptz AT TIME ZONE g.time_zone)::date
			ORDER BY q.deadline, q.guild_id, q.id LIMIT $2
			FOR NO KEY UPDATE OF q SKIP LOCKED
		), p AS (
			UPDATE positions t SET status = 'closed'
			FROM due
			WHERE t.guild_id = due.guild_id AND t.id = due.id AND t.status = 'open' AND t.deadline < $3
			RETURNING t.*
		)
		SELECT `+positionColumns+noticeExtras+changedPositionFrom+`
		ORDER BY p.guild_id, p.id`, effects, now, clampLimit(limit), dateOnly(now.UTC()).AddDate(0, 0, 1))
}

// FlagStalePositions flags up to limit open positions last confirmed before confirmedBefore and
// not flagged yet, at the time at, with each one's audit event and notifications.
func (s *Store) FlagStalePositions(ctx context.Context, confirmedBefore, at time.Time, limit int, effects func(placement.PositionNotice) placement.Effects) ([]placement.PositionNotice, error) {
	return s.sweepPositions(ctx, "flag stale positions", `
		WITH due AS (
			SELECT guild_id, id FROM positions
			WHERE status = 'open' AND confirmed_at < $1 AND stale_flagged_at IS NULL
			ORDER BY confirmed_at, guild_id, id LIMIT $3
			FOR NO KEY UPDATE SKIP LOCKED
		), p AS (
			UPDATE positions t SET stale_flagged_at = $2
			FROM due
			WHERE t.guild_id = due.guild_id AND t.id = due.id
			  AND t.status = 'open' AND t.confirmed_at < $1 AND t.stale_flagged_at IS NULL
			RETURNING t.*
		)
		SELECT `+positionColumns+noticeExtras+changedPositionFrom+`
		ORDER BY p.guild_id, p.id`, effects, confirmedBefore, at, clampLimit(limit))
}

// CloseStalePositions closes up to limit open positions flagged before flaggedBefore (a
// confirmation clears the flag), clearing the flag, with each one's audit event and
// notifications.
func (s *Store) CloseStalePositions(ctx context.Context, flaggedBefore time.Time, limit int, effects func(placement.PositionNotice) placement.Effects) ([]placement.PositionNotice, error) {
	return s.sweepPositions(ctx, "close stale positions", `
		WITH due AS (
			SELECT guild_id, id FROM positions
			WHERE status = 'open' AND stale_flagged_at < $1
			ORDER BY stale_flagged_at, guild_id, id LIMIT $2
			FOR NO KEY UPDATE SKIP LOCKED
		), p AS (
			UPDATE positions t SET status = 'closed', stale_flagged_at = NULL
			FROM due
			WHERE t.guild_id = due.guild_id AND t.id = due.id AND t.status = 'open' AND t.stale_flagged_at < $1
			RETURNING t.*
		)
		SELECT `+positionColumns+noticeExtras+changedPositionFrom+`
		ORDER BY p.guild_id, p.id`, effects, flaggedBefore, clampLimit(limit))
}

// ConfirmPosition records that an open position is still open, with fx.
func (s *Store) ConfirmPosition(ctx context.Context, guildID string, id int64, at time.Time, fx placement.Effects) (placement.Position, error) {
	var p placement.Position
	if err := fx.Validate(); err != nil {
		return p, wrap("confirm position", err)
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		p, err = scanPosition(tx.QueryRow(ctx, `
			WITH p AS (
				UPDATE positions SET confirmed_at = $3, stale_flagged_at = NULL
				WHERE guild_id = $1 AND id = $2 AND status = 'open'
				RETURNING *
			)
			SELECT `+positionColumns+changedPositionFrom, guildID, id, at))
		if errors.Is(err, pgx.ErrNoRows) {
			var exists bool
			err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM positions WHERE guild_id = $1 AND id = $2)`, guildID, id).Scan(&exists)
			switch {
			case err != nil:
				return err
			case !exists:
				return placement.Errorf(placement.ENOTFOUND, "err.position_not_found", nil)
			}
			return placement.Errorf(placement.ECONFLICT, "jobs.err_confirm_closed", nil)
		}
		if err != nil {
			return err
		}
		return writeEffects(ctx, tx, guildID, fx)
	})
	if err != nil {
		return placement.Position{}, wrap("confirm position", err)
	}
	return p, nil
}

// RemindUnanswered marks up to limit submitted applications created before submittedBefore and
// never reminded about as reminded at the time at, and writes the effects of each position they
// belong to, in one transaction.
func (s *Store) RemindUnanswered(ctx context.Context, submittedBefore, at time.Time, limit int, effects func(placement.Reminder) placement.Effects) ([]placement.Reminder, error) {
	var out []placement.Reminder
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
			WITH due AS (
				SELECT guild_id, id FROM applications
				WHERE status = 'submitted' AND reminded_at IS NULL AND created_at < $1
				ORDER BY created_at, guild_id, id LIMIT $3
				FOR NO KEY UPDATE SKIP LOCKED
			), a AS (
				UPDATE applications t SET reminded_at = $2
				FROM due
				WHERE t.guild_id = due.guild_id AND t.id = due.id
				  AND t.status = 'submitted' AND t.reminded_at IS NULL AND t.created_at < $1
				RETURNING t.guild_id, t.id, t.position_id
			)
			SELECT a.guild_id, a.position_id, p.enterprise_id, p.title, e.name,
			       coalesce((SELECT array_agg(m.user_id ORDER BY m.user_id) FROM enterprise_mentors m
			                 WHERE m.guild_id = p.guild_id AND m.enterprise_id = p.enterprise_id), '{}'),
			       array_agg(a.id ORDER BY a.id)
			FROM a
			JOIN positions p ON p.guild_id = a.guild_id AND p.id = a.position_id
			JOIN enterprises e ON e.guild_id = p.guild_id AND e.id = p.enterprise_id
			GROUP BY a.guild_id, a.position_id, p.guild_id, p.enterprise_id, p.title, e.name
			ORDER BY a.guild_id, a.position_id`, submittedBefore, at, clampLimit(limit))
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (placement.Reminder, error) {
			var rm placement.Reminder
			err := r.Scan(&rm.GuildID, &rm.PositionID, &rm.EnterpriseID, &rm.Title, &rm.EnterpriseName, &rm.Mentors, &rm.ApplicationIDs)
			return rm, err
		})
		if err != nil {
			return err
		}
		for _, rm := range out {
			if err := writeEffects(ctx, tx, rm.GuildID, effectsOf(effects, rm)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, wrap("remind unanswered applications", err)
	}
	return out, nil
}

// DigestGuilds lists up to limit guilds with a digest channel where it is at now fromHour
// o'clock or later in the guild's time zone and that have no digest notification for that
// local date yet, in guild order, with their time zone.
func (s *Store) DigestGuilds(ctx context.Context, now time.Time, fromHour, limit int) ([]placement.GuildSettings, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT guild_id, digest_channel_id, time_zone FROM guilds g
		WHERE digest_channel_id <> ''
		  AND extract(hour FROM $1::timestamptz AT TIME ZONE g.time_zone) >= $2
		  AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.guild_id = g.guild_id
		                  AND n.dedup_key = 'digest:' || to_char($1::timestamptz AT TIME ZONE g.time_zone, 'YYYY-MM-DD'))
		ORDER BY guild_id LIMIT $3`, now, fromHour, clampLimit(limit))
	if err != nil {
		return nil, wrap("list digest guilds", err)
	}
	gs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (placement.GuildSettings, error) {
		var g placement.GuildSettings
		err := r.Scan(&g.GuildID, &g.DigestChannelID, &g.TimeZone)
		return g, err
	})
	if err != nil {
		return nil, wrap("list digest guilds", err)
	}
	return gs, nil
}

// DigestFacts counts what waits for the guild's coordinators. Students are the members with a
// profile or an application; placed ones hold an active placement.
func (s *Store) DigestFacts(ctx context.Context, guildID string, staleBefore, unansweredBefore time.Time) (placement.Digest, error) {
	d := placement.Digest{GuildID: guildID}
	var oldest pgtype.Timestamptz
	err := s.pool.QueryRow(ctx, `
		SELECT
			(SELECT count(*) FROM applications WHERE guild_id = $1 AND status = 'accepted')::int,
			(SELECT min(updated_at) FROM applications WHERE guild_id = $1 AND status = 'accepted'),
			(SELECT count(*) FROM positions WHERE guild_id = $1 AND status = 'open' AND confirmed_at < $2)::int,
			(SELECT count(*) FROM applications WHERE guild_id = $1 AND status = 'submitted' AND created_at < $3)::int,
			(SELECT count(*) FROM (
				SELECT user_id FROM profiles WHERE guild_id = $1
				UNION
				SELECT student_id FROM applications WHERE guild_id = $1
			) st WHERE NOT EXISTS (
				SELECT 1 FROM placements pl WHERE pl.guild_id = $1 AND pl.student_id = st.user_id AND pl.status = 'active'))::int,
			coalesce((SELECT locale FROM members WHERE guild_id = $1 AND locale <> ''
			          GROUP BY locale ORDER BY count(*) DESC, locale LIMIT 1), '')`,
		guildID, staleBefore, unansweredBefore).Scan(&d.WaitingApprovals, &oldest, &d.StalePositions, &d.Unanswered,
		&d.UnplacedStudents, &d.Locale)
	if err != nil {
		return placement.Digest{}, wrap("count digest", err)
	}
	if oldest.Valid {
		d.OldestWaiting = oldest.Time
	}
	return d, nil
}

// QueueNotification queues one notification with its files unless its guild already has its
// dedup key, and reports whether it did. A notification with nobody to tell is not queued.
func (s *Store) QueueNotification(ctx context.Context, n placement.Notification) (bool, error) {
	if n.UserID == "" && n.ChannelID == "" {
		return false, nil
	}
	if err := n.Validate(); err != nil {
		return false, wrap("queue notification", err)
	}
	args, err := notificationArgs(n.GuildID, n, "")
	if err != nil {
		return false, wrap("queue notification", err)
	}
	var queued int
	if err := s.pool.QueryRow(ctx, insertNotification, args...).Scan(&queued); err != nil {
		return false, wrap("queue notification", err)
	}
	return queued == 1, nil
}
