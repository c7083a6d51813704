package postgres

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"placementbot/internal/placement"
)

// applicationColumns selects an application aliased a with its position (p) and enterprise (e),
// for scanApplication.
const applicationColumns = `a.id, a.guild_id, a.position_id, p.title, p.enterprise_id, e.name, a.student_id,
	a.status, a.motivation, a.reason, a.offered_at, a.created_at, a.updated_at, a.attempt`

// applicationFrom joins an application to its position and enterprise.
const applicationFrom = ` FROM applications a
	JOIN positions p ON p.guild_id = a.guild_id AND p.id = a.position_id
	JOIN enterprises e ON e.guild_id = p.guild_id AND e.id = p.enterprise_id `

// studentLockClass is the first key of the advisory lock that serializes one student's
// applications (the second is a hash of guild and student): the two-key space is separate from
// the one-key space of the migration lock.
const studentLockClass int32 = 0x61707073

func scanApplication(r pgx.Row, extra ...any) (placement.Application, error) {
	var a placement.Application
	var offeredAt pgtype.Timestamptz
	dest := append([]any{&a.ID, &a.GuildID, &a.PositionID, &a.PositionTitle, &a.EnterpriseID, &a.EnterpriseName,
		&a.StudentID, &a.Status, &a.Motivation, &a.Reason, &offeredAt, &a.CreatedAt, &a.UpdatedAt, &a.Attempt}, extra...)
	if err := r.Scan(dest...); err != nil {
		return a, err
	}
	if offeredAt.Valid {
		a.OfferedAt = offeredAt.Time
	}
	return a, nil
}

func collectApplications(rows pgx.Rows) ([]placement.Application, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (placement.Application, error) { return scanApplication(r) })
}

// CreateApplication files the student's application if placement.DecideApplication allows it
// under cap open applications on the day, with its event and its effects, in one transaction.
// A student applying again after withdrawing (once) reopens their withdrawn application as its
// second attempt.
//
// The student's applications are serialized by an advisory lock, so that concurrent applies
// cannot each see room under the cap, nor both reopen a withdrawn application. The student's
// earlier application to the position is locked before the position, in the order
// TransitionApplication takes them. The position row is share-locked: many students apply to
// one position at once, and only a change of its slots or status waits for them. The unique
// key on (position, student) stays the last word on one application per student and position,
// and the attempt's CHECK on at most two attempts.
func (s *Store) CreateApplication(ctx context.Context, a placement.Application, cap int, today time.Time, effects func(placement.Application) placement.Effects) (placement.Application, error) {
	a.Status = placement.Submitted
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := lockStudents(ctx, tx, a.GuildID, a.StudentID); err != nil {
			return err
		}
		var prior *placement.Application
		var p placement.Application
		err := tx.QueryRow(ctx, `
			SELECT id, status, attempt FROM applications
			WHERE guild_id = $1 AND position_id = $2 AND student_id = $3
			FOR UPDATE`, a.GuildID, a.PositionID, a.StudentID).Scan(&p.ID, &p.Status, &p.Attempt)
		switch {
		case err == nil:
			prior = &p
		case !errors.Is(err, pgx.ErrNoRows):
			return err
		}
		pos, err := scanPosition(tx.QueryRow(ctx, `
			SELECT `+positionColumns+positionFrom+`
			WHERE p.guild_id = $1 AND p.id = $2
			FOR SHARE OF p`, a.GuildID, a.PositionID))
		if errors.Is(err, pgx.ErrNoRows) {
			return placement.Errorf(placement.ENOTFOUND, "err.position_not_found", nil)
		}
		if err != nil {
			return err
		}
		// Open means not final (placement.Status.Open).
		var open int
		err = tx.QueryRow(ctx, `
			SELECT count(*) FROM applications
			WHERE guild_id = $1 AND student_id = $2 AND status IN ('submitted', 'shortlisted', 'offered', 'accepted')`,
			a.GuildID, a.StudentID).Scan(&open)
		if err != nil {
			return err
		}
		if err := placement.DecideApplication(pos, today, open, cap, prior); err != nil {
			return err
		}
		from := placement.Status("")
		if prior == nil {
			a.Attempt = 1
			err = tx.QueryRow(ctx, `
				INSERT INTO applications (guild_id, position_id, student_id, status, motivation)
				VALUES ($1, $2, $3, $4, $5)
				RETURNING id, created_at, updated_at`,
				a.GuildID, a.PositionID, a.StudentID, a.Status, a.Motivation).Scan(&a.ID, &a.CreatedAt, &a.UpdatedAt)
		} else {
			from = prior.Status
			err = tx.QueryRow(ctx, `
				UPDATE applications SET status = $3, motivation = $4, reason = '', offered_at = NULL,
				       attempt = attempt + 1, updated_at = now()
				WHERE guild_id = $1 AND id = $2
				RETURNING id, attempt, created_at, updated_at`,
				a.GuildID, prior.ID, a.Status, a.Motivation).Scan(&a.ID, &a.Attempt, &a.CreatedAt, &a.UpdatedAt)
		}
		if isUniqueViolation(err, "applications_guild_id_position_id_student_id_key") {
			return placement.Errorf(placement.ECONFLICT, "err.already_applied", map[string]any{"Title": pos.Title})
		}
		if err != nil {
			return err
		}
		a.PositionTitle, a.EnterpriseID, a.EnterpriseName = pos.Title, pos.EnterpriseID, pos.EnterpriseName
		a.Reason, a.OfferedAt = "", time.Time{}
		fx := effectsOf(effects, a)
		if err := fx.RequireLifecycle(a.ID, a.Status); err != nil {
			return err
		}
		var b pgx.Batch
		queueEvent(&b, a.GuildID, placement.Event{ApplicationID: a.ID, From: from, To: a.Status, ActorID: a.StudentID, At: a.UpdatedAt})
		return writeEffectsAfter(ctx, tx, a.GuildID, fx, &b)
	})
	if err != nil {
		return placement.Application{}, wrap("create application", err)
	}
	return a, nil
}

// lockStudents takes the advisory locks that serialize the students' applications and
// approvals, in sorted order, for the rest of the transaction. A change that involves several
// students (a round's batch of approvals) takes them all first, before any row lock, so that
// it waits for the single changes of those students rather than deadlocking with them; taking a
// lock the transaction holds already is free.
func lockStudents(ctx context.Context, tx pgx.Tx, guildID string, studentIDs ...string) error {
	ids := slices.Clone(studentIDs)
	slices.Sort(ids)
	for _, id := range slices.Compact(ids) {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1, hashtext($2 || ':' || $3))`,
			studentLockClass, guildID, id); err != nil {
			return err
		}
	}
	return nil
}

// TransitionApplication moves an application if placement.DecideTransition allows it, keeping
// the position's taken count, the lifecycle event and the effects consistent with it.
//
// Locks are always taken application first, then position; CreateApplication takes no
// application row lock, so no two of these can wait on each other in a cycle. The slot is taken
// by an UPDATE guarded by taken < slots, which Postgres re-checks on the latest row version:
// of two offers racing for the last slot exactly one finds a row.
func (s *Store) TransitionApplication(ctx context.Context, t placement.Transition) (placement.Application, error) {
	at := t.At
	if at.IsZero() {
		at = time.Now()
	}
	var after placement.Application
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		before, err := scanApplication(tx.QueryRow(ctx, `
			SELECT `+applicationColumns+applicationFrom+`
			WHERE a.guild_id = $1 AND a.id = $2
			FOR UPDATE OF a`, t.GuildID, t.ApplicationID))
		if errors.Is(err, pgx.ErrNoRows) {
			return placement.Errorf(placement.ENOTFOUND, "err.application_not_found", nil)
		}
		if err != nil {
			return err
		}
		if err := placement.DecideTransition(before, t.From); err != nil {
			return err
		}
		fx := effectsOf(t.Effects, before)
		if err := fx.RequireLifecycle(t.ApplicationID, t.To); err != nil {
			return err
		}
		switch {
		case t.To.HoldsSlot() && !before.Status.HoldsSlot():
			tag, err := tx.Exec(ctx, `
				UPDATE positions SET taken = taken + 1
				WHERE guild_id = $1 AND id = $2 AND taken < slots`, t.GuildID, before.PositionID)
			if err != nil {
				return err
			}
			if tag.RowsAffected() == 0 {
				return placement.Errorf(placement.ECONFLICT, "err.no_slots_left", map[string]any{"Title": before.PositionTitle})
			}
		case before.Status.HoldsSlot() && !t.To.HoldsSlot():
			// No guard: taken below zero would be a bookkeeping bug, which the CHECK reports.
			if _, err := tx.Exec(ctx, `
				UPDATE positions SET taken = taken - 1
				WHERE guild_id = $1 AND id = $2`, t.GuildID, before.PositionID); err != nil {
				return err
			}
		}
		after = before
		var offeredAt pgtype.Timestamptz
		err = tx.QueryRow(ctx, `
			UPDATE applications SET status = $3, updated_at = $4,
			       reason = CASE WHEN $5 <> '' THEN $5 ELSE reason END,
			       offered_at = CASE WHEN $3 = 'offered' THEN $4 ELSE offered_at END
			WHERE guild_id = $1 AND id = $2
			RETURNING status, reason, offered_at, updated_at`,
			t.GuildID, t.ApplicationID, t.To, at, t.Note).Scan(&after.Status, &after.Reason, &offeredAt, &after.UpdatedAt)
		if err != nil {
			return err
		}
		after.OfferedAt = time.Time{}
		if offeredAt.Valid {
			after.OfferedAt = offeredAt.Time
		}
		var b pgx.Batch
		queueEvent(&b, t.GuildID, placement.Event{ApplicationID: t.ApplicationID, From: before.Status, To: t.To,
			ActorID: t.ActorID, Note: t.Note, At: at})
		return writeEffectsAfter(ctx, tx, t.GuildID, fx, &b)
	})
	if err != nil {
		return placement.Application{}, wrap("transition application", err)
	}
	return after, nil
}

// queueEvent adds the recording of one lifecycle transition to the batch.
func queueEvent(b *pgx.Batch, guildID string, ev placement.Event) {
	b.Queue(`
		INSERT INTO application_events (guild_id, application_id, from_status, to_status, actor_id, note, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		guildID, ev.ApplicationID, ev.From, ev.To, ev.ActorID, ev.Note, ev.At)
}

// FindApplication returns one application of the guild with its position and enterprise.
func (s *Store) FindApplication(ctx context.Context, guildID string, id int64) (placement.Application, error) {
	a, err := scanApplication(s.pool.QueryRow(ctx, `
		SELECT `+applicationColumns+applicationFrom+`
		WHERE a.guild_id = $1 AND a.id = $2`, guildID, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return a, placement.Errorf(placement.ENOTFOUND, "err.application_not_found", nil)
	}
	if err != nil {
		return a, wrap("find application", err)
	}
	return a, nil
}

// StudentApplications lists the student's applications, newest first.
func (s *Store) StudentApplications(ctx context.Context, guildID, studentID string) ([]placement.Application, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT `+applicationColumns+applicationFrom+`
		WHERE a.guild_id = $1 AND a.student_id = $2
		ORDER BY a.id DESC`, guildID, studentID)
	if err != nil {
		return nil, wrap("list student applications", err)
	}
	apps, err := collectApplications(rows)
	if err != nil {
		return nil, wrap("list student applications", err)
	}
	return apps, nil
}

// ApplicationEvents returns the timelines of the applications, each oldest first.
func (s *Store) ApplicationEvents(ctx context.Context, guildID string, ids []int64) (map[int64][]placement.Event, error) {
	out := map[int64][]placement.Event{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := s.pool.Query(ctx, `
		SELECT application_id, from_status, to_status, actor_id, note, created_at
		FROM application_events
		WHERE guild_id = $1 AND application_id = ANY($2)
		ORDER BY application_id, id`, guildID, ids)
	if err != nil {
		return nil, wrap("list application events", err)
	}
	evs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (placement.Event, error) {
		var ev placement.Event
		err := r.Scan(&ev.ApplicationID, &ev.From, &ev.To, &ev.ActorID, &ev.Note, &ev.At)
		return ev, err
	})
	if err != nil {
		return nil, wrap("list application events", err)
	}
	for _, ev := range evs {
		out[ev.ApplicationID] = append(out[ev.ApplicationID], ev)
	}
	return out, nil
}

// PositionApplicants lists a position's applications in every status, oldest first, each with
// the student's profile (zero when they have none).
func (s *Store) PositionApplicants(ctx context.Context, guildID string, positionID int64) ([]placement.Applicant, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT `+applicationColumns+`, `+profileColumns+applicationFrom+profileJoin+`
		WHERE a.guild_id = $1 AND a.position_id = $2
		ORDER BY a.id`, guildID, positionID)
	if err != nil {
		return nil, wrap("list position applicants", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (placement.Applicant, error) { return scanApplicant(r) })
	if err != nil {
		return nil, wrap("list position applicants", err)
	}
	return out, nil
}

// profileColumns selects the profile (pr, joined by profileJoin) of an application's student,
// after applicationColumns, for scanApplicant.
const profileColumns = `pr.user_id IS NOT NULL, coalesce(pr.program, ''), coalesce(pr.cohort, ''),
	coalesce(pr.skills, '{}'), coalesce(pr.certificates, '{}'), coalesce(pr.locations, '{}'),
	pr.available_from, pr.available_to, pr.updated_at`

// profileJoin joins the profile of the application's student, if any.
const profileJoin = ` LEFT JOIN profiles pr ON pr.guild_id = a.guild_id AND pr.user_id = a.student_id `

// scanApplicant scans applicationColumns, profileColumns and then extra.
func scanApplicant(r pgx.Row, extra ...any) (placement.Applicant, error) {
	var hasProfile bool
	var pr placement.Profile
	var from, to pgtype.Date
	var updatedAt pgtype.Timestamptz
	a, err := scanApplication(r, append([]any{&hasProfile, &pr.Program, &pr.Cohort, &pr.Skills, &pr.Certificates,
		&pr.Locations, &from, &to, &updatedAt}, extra...)...)
	if err != nil || !hasProfile {
		return placement.Applicant{Application: a}, err
	}
	pr.GuildID, pr.UserID = a.GuildID, a.StudentID
	pr.AvailableFrom, pr.AvailableTo, pr.UpdatedAt = dateOf(from), dateOf(to), updatedAt.Time
	return placement.Applicant{Application: a, Profile: pr}, nil
}

// DueOffers lists offers, in any guild, left unanswered longer than their guild's expiry period,
// oldest first. It is the one query across guilds: the expiry job serves them all. No guild
// allows less than a day, which bounds the scan of the offered-at index.
func (s *Store) DueOffers(ctx context.Context, now time.Time, limit int) ([]placement.Application, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := s.pool.Query(ctx, `
		SELECT `+applicationColumns+applicationFrom+`
		JOIN guilds g ON g.guild_id = a.guild_id
		WHERE a.status = 'offered' AND a.offered_at < $1::timestamptz - interval '1 day'
		  AND a.offered_at + make_interval(days => g.offer_expiry_days) < $1
		ORDER BY a.offered_at, a.id
		LIMIT $2`, now, limit)
	if err != nil {
		return nil, wrap("list due offers", err)
	}
	apps, err := collectApplications(rows)
	if err != nil {
		return nil, wrap("list due offers", err)
	}
	return apps, nil
}

// ExpiringOffers lists, in every guild, unanswered offers that expire within the given time
// from now and whose student was not reminded yet, soonest first.
func (s *Store) ExpiringOffers(ctx context.Context, now time.Time, within time.Duration, limit int) ([]placement.Application, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT `+applicationColumns+applicationFrom+`
		JOIN guilds g ON g.guild_id = a.guild_id
		WHERE a.status = 'offered'
		  AND a.offered_at + make_interval(days => g.offer_expiry_days) BETWEEN $1 AND $1::timestamptz + $2::interval
		  AND NOT EXISTS (SELECT 1 FROM notifications n
		                  WHERE n.guild_id = a.guild_id
		                    AND n.dedup_key = 'application:' || a.id || ':offer_reminder' || CASE WHEN a.attempt > 1 THEN ':2' ELSE '' END)
		ORDER BY a.offered_at, a.id
		LIMIT $3`, now, within, limit)
	if err != nil {
		return nil, wrap("list expiring offers", err)
	}
	apps, err := collectApplications(rows)
	if err != nil {
		return nil, wrap("list expiring offers", err)
	}
	return apps, nil
}

// EndedPlacements maps the student's applications whose placement ended to when and why.
func (s *Store) EndedPlacements(ctx context.Context, guildID, studentID string) (map[int64]placement.PlacementEnd, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT application_id, coalesce(ended_at, started_at), end_reason FROM placements
		WHERE guild_id = $1 AND student_id = $2 AND status = 'ended'`, guildID, studentID)
	if err != nil {
		return nil, wrap("list ended placements", err)
	}
	defer rows.Close()
	out := map[int64]placement.PlacementEnd{}
	for rows.Next() {
		var id int64
		var end placement.PlacementEnd
		if err := rows.Scan(&id, &end.At, &end.Reason); err != nil {
			return nil, wrap("list ended placements", err)
		}
		out[id] = end
	}
	if err := rows.Err(); err != nil {
		return nil, wrap("list ended placements", err)
	}
	return out, nil
}

// SuggestApplications lists at most f.Limit applications of the guild, with their positions and
// enterprises, whose number, position title or enterprise name contains f.Typed: accepted ones
// first, oldest first, then the others newest first (finished ones only with f.WithFinal). It
// is one statement, each half walking applications_suggest (guild, status, id) or, for a
// mentor's enterprises, the positions of those enterprises.
func (s *Store) SuggestApplications(ctx context.Context, guildID string, f placement.ApplicationSuggest) ([]placement.Application, error) {
	limit := f.Limit
	if limit <= 0 || limit > 25 {
		limit = 25
	}
	typed := strings.ToLower(strings.TrimSpace(f.Typed))
	var id int64
	if n, err := strconv.ParseInt(strings.TrimPrefix(typed, "#"), 10, 64); err == nil && n > 0 {
		id = n
	}
	var enterprises []int64
	if f.EnterpriseIDs != nil && f.StudentID == "" {
		enterprises = append([]int64{}, f.EnterpriseIDs...)
	}
	others := []string{"submitted", "shortlisted", "offered"}
	if f.WithFinal {
		others = append(others, "approved", "withdrawn", "rejected", "declined", "expired")
	}
	match := `a.guild_id = $1
		  AND ($2::bigint[] IS NULL OR p.enterprise_id = ANY($2))
		  AND ($3 = '' OR a.student_id = $3)
		  AND ($4 = '' OR a.id = $5 OR strpos(lower(p.title), $4) > 0 OR strpos(lower(e.name), $4) > 0)`
	rows, err := s.pool.Query(ctx, `
		(SELECT `+applicationColumns+applicationFrom+`
		 WHERE `+match+` AND a.status = 'accepted'
		 ORDER BY a.id LIMIT $7)
		UNION ALL
		(SELECT `+applicationColumns+applicationFrom+`
		 WHERE `+match+` AND a.status = ANY($6)
		 ORDER BY a.id DESC LIMIT $7)`,
		guildID, enterprises, f.StudentID, typed, id, others, limit)
	if err != nil {
		return nil, wrap("suggest applications", err)
	}
	apps, err := collectApplications(rows)
	if err != nil {
		return nil, wrap("suggest applications", err)
	}
	return apps[:min(len(apps), limit)], nil
}
