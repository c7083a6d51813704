package postgres

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"placementbot/internal/placement"
)

// FindCompliance returns the guild's approval gates; a guild never set up has the defaults.
func (s *Store) FindCompliance(ctx context.Context, guildID string) (placement.Compliance, error) {
	var c placement.Compliance
	err := s.pool.QueryRow(ctx, `
		SELECT checklist, intern_quota_percent, mentors_tick_checks
		FROM guilds WHERE guild_id = $1`, guildID).Scan(&c.Checklist, &c.InternQuotaPercent, &c.MentorsTickChecks)
	if errors.Is(err, pgx.ErrNoRows) {
		// A copy, so that no caller can change the defaults of every other guild.
		return placement.Compliance{Checklist: slices.Clone(placement.DefaultChecklist), InternQuotaPercent: 10}, nil
	}
	if err != nil {
		return c, wrap("find compliance", err)
	}
	return c, nil
}

// UpdateCompliance replaces the guild's approval gates and writes fx in the same transaction.
func (s *Store) UpdateCompliance(ctx context.Context, guildID string, c placement.Compliance, fx placement.Effects) (placement.Compliance, error) {
	var out placement.Compliance
	if err := fx.Validate(); err != nil {
		return out, wrap("update compliance", err)
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := ensureGuild(ctx, tx, guildID); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `
			UPDATE guilds SET checklist = $2, intern_quota_percent = $3, mentors_tick_checks = $4, updated_at = now()
			WHERE guild_id = $1
			RETURNING checklist, intern_quota_percent, mentors_tick_checks`,
			guildID, list(c.Checklist), c.InternQuotaPercent, c.MentorsTickChecks).Scan(
			&out.Checklist, &out.InternQuotaPercent, &out.MentorsTickChecks)
		if isCheckViolation(err, "guilds_intern_quota_percent_check") {
			return placement.Errorf(placement.EINVALID, "err.quota_range", map[string]any{"Value": c.InternQuotaPercent})
		}
		if err != nil {
			return err
		}
		return writeEffects(ctx, tx, guildID, fx)
	})
	if err != nil {
		return placement.Compliance{}, wrap("update compliance", err)
	}
	return out, nil
}

// TickCheck ticks or clears one checklist item of an application that is not final, writes fx
// in the same transaction and returns the items now ticked, sorted. Ticking a ticked item (or
// clearing a clear one) changes nothing and writes nothing.
//
// The application row is share-locked: ticks of different items go ahead together, while an
// approval (which locks the row for update before it reads the ticks) either waits for the tick
// and sees it, or commits first and the tick is refused because the application is final.
func (s *Store) TickCheck(ctx context.Context, t placement.Tick, fx placement.Effects) ([]string, error) {
	if err := fx.Validate(); err != nil {
		return nil, wrap("tick check", err)
	}
	var items []string
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var status placement.Status
		err := tx.QueryRow(ctx, `
			SELECT status FROM applications WHERE guild_id = $1 AND id = $2 FOR SHARE`, t.GuildID, t.ApplicationID).Scan(&status)
		if errors.Is(err, pgx.ErrNoRows) {
			return placement.Errorf(placement.ENOTFOUND, "err.application_not_found", nil)
		}
		if err != nil {
			return err
		}
		if status.Final() {
			return placement.Errorf(placement.ECONFLICT, "err.status_changed", map[string]any{"Status": string(status)})
		}
		at := t.At
		if at.IsZero() {
			at = time.Now()
		}
		var tag pgconn.CommandTag
		if t.Done {
			tag, err = tx.Exec(ctx, `
				INSERT INTO application_checks (guild_id, application_id, item, ticked_by, ticked_at)
				VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`, t.GuildID, t.ApplicationID, t.Item, t.ActorID, at)
		} else {
			tag, err = tx.Exec(ctx, `
				DELETE FROM application_checks WHERE guild_id = $1 AND application_id = $2 AND item = $3`,
				t.GuildID, t.ApplicationID, t.Item)
		}
		if err != nil {
			return err
		}
		if tag.RowsAffected() > 0 {
			if err := writeEffects(ctx, tx, t.GuildID, fx); err != nil {
				return err
			}
		}
		items, err = ticked(ctx, tx, t.GuildID, t.ApplicationID)
		return err
	})
	if err != nil {
		return nil, wrap("tick check", err)
	}
	return items, nil
}

// ticked lists an application's ticked items, sorted, inside the caller's transaction.
func ticked(ctx context.Context, tx pgx.Tx, guildID string, appID int64) ([]string, error) {
	rows, err := tx.Query(ctx, `
		SELECT item FROM application_checks WHERE guild_id = $1 AND application_id = $2 ORDER BY item`, guildID, appID)
	if err != nil {
		return nil, err
	}
	items, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if items == nil {
		items = []string{}
	}
	return items, err
}

// Checks returns the items ticked for an application of the guild, sorted.
func (s *Store) Checks(ctx context.Context, guildID string, appID int64) ([]string, error) {
	var items []string
	err := s.pool.QueryRow(ctx, `
		SELECT ARRAY(SELECT c.item FROM application_checks c
		             WHERE c.guild_id = a.guild_id AND c.application_id = a.id ORDER BY c.item)
		FROM applications a WHERE a.guild_id = $1 AND a.id = $2`, guildID, appID).Scan(&items)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, placement.Errorf(placement.ENOTFOUND, "err.application_not_found", nil)
	}
	if err != nil {
		return nil, wrap("list checks", err)
	}
	return items, nil
}

// CountTicks counts the guild's open applications (not final) with any of the items ticked.
func (s *Store) CountTicks(ctx context.Context, guildID string, items []string) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `
		SELECT count(DISTINCT c.application_id)
		FROM application_checks c
		JOIN applications a ON a.guild_id = c.guild_id AND a.id = c.application_id
		WHERE c.guild_id = $1 AND c.item = ANY($2)
		  AND a.status IN ('submitted', 'shortlisted', 'offered', 'accepted')`, guildID, list(items)).Scan(&n)
	if err != nil {
		return 0, wrap("count ticks", err)
	}
	return n, nil
}

// ApprovalQueue returns one page of the guild's accepted applications, oldest acceptance first,
// each with the student's program and the items ticked. Paging is by keyset on (updated_at, id),
// which applications_accepted serves in order: an application accepted or approved between two
// pages neither repeats nor hides another. Total counts every accepted application that matches
// the filter, on every page.
func (s *Store) ApprovalQueue(ctx context.Context, guildID string, f placement.QueueFilter, after placement.QueueCursor, limit int) (placement.QueuePage, error) {
	if limit <= 0 {
		limit = placement.PageSize
	}
	q := newQuery("a.guild_id = $1 AND a.status = 'accepted'", guildID)
	if f.Program != "" {
		q.where("lower(pr.program) = lower($?)", f.Program)
	}
	if f.EnterpriseID != 0 {
		q.where("p.enterprise_id = $?", f.EnterpriseID)
	}
	const from = applicationFrom + `LEFT JOIN profiles pr ON pr.guild_id = a.guild_id AND pr.user_id = a.student_id `
	var page placement.QueuePage
	if err := s.pool.QueryRow(ctx, `SELECT count(*)`+from+`WHERE `+q.sql, q.args...).Scan(&page.Total); err != nil {
		return page, wrap("approval queue", err)
	}
	if after.ID != 0 || !after.At.IsZero() {
		q.where("(a.updated_at, a.id) > ($?, $?)", after.At, after.ID)
	}
	rows, err := s.pool.Query(ctx, `
		SELECT `+applicationColumns+`, coalesce(pr.program, ''),
		       ARRAY(SELECT c.item FROM application_checks c
		             WHERE c.guild_id = a.guild_id AND c.application_id = a.id ORDER BY c.item)
		`+from+`WHERE `+q.sql+`
		ORDER BY a.updated_at, a.id LIMIT `+strconv.Itoa(limit+1), q.args...)
	if err != nil {
		return page, wrap("approval queue", err)
	}
	items, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (placement.QueueItem, error) {
		var it placement.QueueItem
		a, err := scanApplication(r, &it.Program, &it.Ticked)
		it.Application = a
		return it, err
	})
	if err != nil {
		return page, wrap("approval queue", err)
	}
	if len(items) > limit {
		items, page.HasMore = items[:limit], true
	}
	page.Items = items
	if n := len(items); n > 0 {
		page.After = placement.QueueCursor{At: items[n-1].UpdatedAt, ID: items[n-1].ID}
	}
	return page, nil
}

// ApproveApplication approves an accepted application and creates its placement, in one
// transaction: see placement.ApprovalStore and placement.DecideApproval for the rules.
func (s *Store) ApproveApplication(ctx context.Context, a placement.Approval) (placement.Placement, error) {
	var pl placement.Placement
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		studentID, err := applicationStudent(ctx, tx, a.GuildID, a.ApplicationID)
		if err != nil {
			return err
		}
		if err := lockStudents(ctx, tx, a.GuildID, studentID); err != nil {
			return err
		}
		pl, err = approveInTx(ctx, tx, a)
		return err
	})
	if err != nil {
		return placement.Placement{}, wrap("approve application", err)
	}
	return pl, nil
}

// applicationStudent returns the student of an application. An application's student never
// changes, so it can be read before anything is locked, to take the student's lock first.
func applicationStudent(ctx context.Context, tx pgx.Tx, guildID string, appID int64) (string, error) {
	var studentID string
	err := tx.QueryRow(ctx, `SELECT student_id FROM applications WHERE guild_id = $1 AND id = $2`,
		guildID, appID).Scan(&studentID)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", placement.Errorf(placement.ENOTFOUND, "err.application_not_found", nil)
	}
	return studentID, err
}

// approveInTx approves one application inside the caller's transaction, which holds the
// student's lock (lockStudents) already: it locks the rows the decision rests on, reads the
// facts, asks placement.DecideApproval, then writes the approval, the placement, the
// withdrawals and every effect. A batch of approvals (a placement round) takes all its students'
// locks first and then calls it once per approval, so that each obeys the same rule and sees
// the approvals before it.
//
// Locks, always in this order: the student (the caller's advisory lock, also taken by
// CreateApplication), the application, the enterprise, the student's other open applications by
// id, then their positions by id. The student lock makes a student's approvals wait for each
// other: without it two approvals of the same student would each hold their own application and
// wait for the other's, to withdraw it; under it, whether the student is placed already is read
// reliably. The enterprise lock makes approvals at one enterprise count its active placements
// one after the other, so the quota holds; it is FOR NO KEY UPDATE, which leaves the key-share
// locks of new positions and mentor links free. Every other writer takes application rows
// before position rows and at most one position at a time, so no wait can close a cycle.
// placements_one_active stays the last word on one active placement per student.
func approveInTx(ctx context.Context, tx pgx.Tx, a placement.Approval) (placement.Placement, error) {
	at := a.At
	if at.IsZero() {
		at = time.Now()
	}
	var createdBy string
	app, err := scanApplication(tx.QueryRow(ctx, `
		SELECT `+applicationColumns+`, p.created_by`+applicationFrom+`
		WHERE a.guild_id = $1 AND a.id = $2
		FOR UPDATE OF a`, a.GuildID, a.ApplicationID), &createdBy)
	if errors.Is(err, pgx.ErrNoRows) {
		return placement.Placement{}, placement.Errorf(placement.ENOTFOUND, "err.application_not_found", nil)
	}
	if err != nil {
		return placement.Placement{}, err
	}
	facts := placement.ApprovalFacts{Application: app}
	if facts.Ticked, err = ticked(ctx, tx, a.GuildID, app.ID); err != nil {
		return placement.Placement{}, err
	}
	err = tx.QueryRow(ctx, `
		SELECT staff_size FROM enterprises WHERE guild_id = $1 AND id = $2 FOR NO KEY UPDATE`,
		a.GuildID, app.EnterpriseID).Scan(&facts.StaffSize)
	if err != nil {
		return placement.Placement{}, err
	}
	err = tx.QueryRow(ctx, `
		SELECT (SELECT count(*) FROM placements WHERE guild_id = $1 AND enterprise_id = $2 AND status = 'active'),
		       EXISTS (SELECT 1 FROM placements WHERE guild_id = $1 AND student_id = $3 AND status = 'active')`,
		a.GuildID, app.EnterpriseID, app.StudentID).Scan(&facts.ActiveInEnterprise, &facts.StudentPlaced)
	if err != nil {
		return placement.Placement{}, err
	}
	if err := placement.DecideApproval(facts, a.Compliance); err != nil {
		return placement.Placement{}, err
	}
	pl, err := insertPlacement(ctx, tx, app, createdBy, a.ActorID, at)
	if err != nil {
		return placement.Placement{}, err
	}
	fx := effectsOf2(a.Effects, app, pl)
	if err := fx.RequireLifecycle(app.ID, placement.Approved); err != nil {
		return placement.Placement{}, err
	}
	var b pgx.Batch
	b.Queue(`UPDATE applications SET status = 'approved', updated_at = $3 WHERE guild_id = $1 AND id = $2`,
		a.GuildID, app.ID, at)
	queueEvent(&b, a.GuildID, placement.Event{ApplicationID: app.ID, From: app.Status, To: placement.Approved,
		ActorID: a.ActorID, At: at})
	if err := writeEffectsAfter(ctx, tx, a.GuildID, fx, &b); err != nil {
		return placement.Placement{}, err
	}
	if err := withdrawOthers(ctx, tx, a, app, at); err != nil {
		return placement.Placement{}, err
	}
	return pl, nil
}

// effectsOf2 is effectsOf for effects built from two rows.
func effectsOf2[T, U any](build func(T, U) placement.Effects, t T, u U) placement.Effects {
	if build == nil {
		return placement.Effects{}
	}
	return build(t, u)
}

// isCheckViolation reports whether err is a violation of the named CHECK constraint.
func isCheckViolation(err error, constraint string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23514" && pgErr.ConstraintName == constraint
}

// insertPlacement creates the placement of an application being approved. Its enterprise mentor
// is the position's poster while still linked to the enterprise, else the mentor linked first,
// else nobody yet.
func insertPlacement(ctx context.Context, tx pgx.Tx, app placement.Application, createdBy, approvedBy string, at time.Time) (placement.Placement, error) {
	pl := placement.Placement{GuildID: app.GuildID, ApplicationID: app.ID, PositionID: app.PositionID,
		PositionTitle: app.PositionTitle, EnterpriseID: app.EnterpriseID, EnterpriseName: app.EnterpriseName,
		StudentID: app.StudentID, Status: placement.PlacementActive, ApprovedBy: approvedBy}
	err := tx.QueryRow(ctx, `
		INSERT INTO placements (guild_id, application_id, position_id, enterprise_id, student_id, mentor_id, approved_by, started_at)
		VALUES ($1, $2, $3, $4, $5, coalesce(
			(SELECT user_id FROM enterprise_mentors WHERE guild_id = $1 AND enterprise_id = $4 AND user_id = $6),
			(SELECT user_id FROM enterprise_mentors WHERE guild_id = $1 AND enterprise_id = $4
			 ORDER BY created_at, user_id LIMIT 1),
			''), $7, $8)
		RETURNING id, mentor_id, started_at`,
		app.GuildID, app.ID, app.PositionID, app.EnterpriseID, app.StudentID, createdBy, approvedBy, at).Scan(
		&pl.ID, &pl.MentorID, &pl.StartedAt)
	if isUniqueViolation(err, "placements_one_active") {
		return pl, placement.Errorf(placement.ECONFLICT, "err.already_placed", nil)
	}
	return pl, err
}

// withdrawOthers withdraws the student's open applications other than the approved one, each
// with its event and its effects (a.Withdrawn, given the application as it was), and frees the
// slots they held.
//
// The rows are locked in id order, and only then are positions touched, one at a time in id
// order: two approvals of different students that share positions wait for each other rather
// than deadlock. A row whose status moved on while it was waited for is left out by the
// re-check of the WHERE clause on its latest version.
func withdrawOthers(ctx context.Context, tx pgx.Tx, a placement.Approval, approved placement.Application, at time.Time) error {
	guildID := a.GuildID
	rows, err := tx.Query(ctx, `
		SELECT `+applicationColumns+applicationFrom+`
		WHERE a.guild_id = $1 AND a.student_id = $2 AND a.id <> $3
		  AND a.status IN ('submitted', 'shortlisted', 'offered', 'accepted')
		ORDER BY a.id
		FOR UPDATE OF a`, guildID, approved.StudentID, approved.ID)
	if err != nil {
		return err
	}
	others, err := collectApplications(rows)
	if err != nil || len(others) == 0 {
		return err
	}
	ids := make([]int64, len(others))
	from := make([]string, len(others))
	freed := map[int64]int{}
	var fx placement.Effects
	for i, o := range others {
		ids[i], from[i] = o.ID, string(o.Status)
		if o.Status.HoldsSlot() {
			freed[o.PositionID]++
		}
		ofx := effectsOf(a.Withdrawn, o)
		if err := ofx.RequireLifecycle(o.ID, placement.Withdrawn); err != nil {
			return err
		}
		fx.Audit = append(fx.Audit, ofx.Audit...)
		fx.Notes = append(fx.Notes, ofx.Notes...)
	}
	var b pgx.Batch
	b.Queue(`
		UPDATE applications SET status = 'withdrawn', reason = $3, updated_at = $4
		WHERE guild_id = $1 AND id = ANY($2)`, guildID, ids, placement.PlacedElsewhere, at)
	b.Queue(`
		INSERT INTO application_events (guild_id, application_id, from_status, to_status, actor_id, note, created_at)
		SELECT $1, x.id, x.from_status, 'withdrawn', $4, $5, $6
		FROM unnest($2::bigint[], $3::text[]) WITH ORDINALITY AS x(id, from_status, n)
		ORDER BY x.n`, guildID, ids, from, a.ActorID, placement.PlacedElsewhere, at)
	positions := make([]int64, 0, len(freed))
	for id := range freed {
		positions = append(positions, id)
	}
	slices.Sort(positions)
	for _, id := range positions {
		// No guard: taken below zero would be a bookkeeping bug, which the CHECK reports.
		b.Queue(`UPDATE positions SET taken = taken - $3 WHERE guild_id = $1 AND id = $2`, guildID, id, freed[id])
	}
	return writeEffectsAfter(ctx, tx, guildID, fx, &b)
}
