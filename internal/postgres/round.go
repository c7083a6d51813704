package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"placementbot/internal/placement"
)

const roundColumns = `r.id, r.guild_id, r.name, coalesce(r.scope_enterprise, 0), r.scope_program, r.deadline,
	r.max_ranks, r.outcome, r.seed, r.status, r.created_by, r.created_at, r.published_by, r.published_at`

func scanRound(row pgx.Row) (placement.Round, error) {
	var r placement.Round
	var seed int64
	var publishedAt pgtype.Timestamptz
	err := row.Scan(&r.ID, &r.GuildID, &r.Name, &r.Scope.Enterprise, &r.Scope.Program, &r.Deadline,
		&r.MaxRanks, &r.Outcome, &seed, &r.Status, &r.CreatedBy, &r.CreatedAt, &r.PublishedBy, &publishedAt)
	r.Seed = uint64(seed) // kept bit for bit in a bigint
	if publishedAt.Valid {
		r.PublishedAt = publishedAt.Time
	}
	return r, err
}

// CreateRound opens a round with the open positions of its scope, in one transaction. Two
// rounds opened at once over the same position: the unique index on open round positions
// refuses the second.
func (s *Store) CreateRound(ctx context.Context, r placement.Round, today time.Time, effects func(placement.Round, []placement.RoundPosition) placement.Effects) (placement.Round, []placement.RoundPosition, error) {
	var positions []placement.RoundPosition
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := ensureGuild(ctx, tx, r.GuildID); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `
			INSERT INTO rounds (guild_id, name, scope_enterprise, scope_program, deadline, max_ranks, outcome, seed, created_by)
			VALUES ($1, $2, nullif($3, 0), $4, $5, $6, $7, $8, $9)
			RETURNING id, status, created_at`,
			r.GuildID, r.Name, r.Scope.Enterprise, r.Scope.Program, r.Deadline, r.MaxRanks, r.Outcome, int64(r.Seed), r.CreatedBy,
		).Scan(&r.ID, &r.Status, &r.CreatedAt)
		if err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `
			WITH joined AS (
				INSERT INTO round_positions (guild_id, round_id, position_id, slots)
				SELECT p.guild_id, $2, p.id, p.slots - p.taken
				FROM positions p
				WHERE p.guild_id = $1 AND p.status = 'open' AND p.deadline >= $3 AND p.taken < p.slots
				  AND ($4 = 0 OR p.enterprise_id = $4)
				  AND ($5 = '' OR lower_all(p.programs) @> ARRAY[lower($5)])
				  AND NOT EXISTS (SELECT 1 FROM round_positions o
				                  WHERE o.guild_id = p.guild_id AND o.position_id = p.id AND o.round_open)
				RETURNING position_id, slots
			)
			SELECT j.position_id, p.title, p.enterprise_id, e.name, j.slots
			FROM joined j
			JOIN positions p ON p.guild_id = $1 AND p.id = j.position_id
			JOIN enterprises e ON e.guild_id = p.guild_id AND e.id = p.enterprise_id
			ORDER BY lower(p.title), p.id`, r.GuildID, r.ID, dateOnly(today), r.Scope.Enterprise, r.Scope.Program)
		if err != nil {
			return err
		}
		positions, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (placement.RoundPosition, error) {
			var p placement.RoundPosition
			err := row.Scan(&p.PositionID, &p.Title, &p.EnterpriseID, &p.EnterpriseName, &p.Slots)
			return p, err
		})
		if isUniqueViolation(err, "round_positions_one_open") {
			return placement.Errorf(placement.ECONFLICT, "err.round_positions_taken", nil)
		}
		if err != nil {
			return err
		}
		if len(positions) == 0 {
			return placement.Errorf(placement.EINVALID, "err.round_no_positions", nil)
		}
		return writeEffects(ctx, tx, r.GuildID, effectsOf2(effects, r, positions))
	})
	if err != nil {
		return placement.Round{}, nil, wrap("create round", err)
	}
	return r, positions, nil
}

// FindRound returns one round of the guild.
func (s *Store) FindRound(ctx context.Context, guildID string, id int64) (placement.Round, error) {
	r, err := scanRound(s.pool.QueryRow(ctx, `SELECT `+roundColumns+` FROM rounds r WHERE r.guild_id = $1 AND r.id = $2`, guildID, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return placement.Round{}, placement.Errorf(placement.ENOTFOUND, "err.round_not_found", nil)
	}
	if err != nil {
		return placement.Round{}, wrap("find round", err)
	}
	return r, nil
}

// FindRounds lists the guild's rounds newest first, those in the status and whose name starts
// with the prefix (ignoring case) when set.
func (s *Store) FindRounds(ctx context.Context, guildID string, f placement.RoundFilter) ([]placement.Round, error) {
	m := roundMember{f.Member}
	rows, err := s.pool.Query(ctx, `
		SELECT `+roundColumns+` FROM rounds r
		WHERE r.guild_id = $1 AND ($2 = '' OR r.status = $2) AND starts_with(lower(r.name), lower($3))
		  AND (NOT $5 OR EXISTS (
		        SELECT 1 FROM round_positions rp JOIN positions p ON p.guild_id = rp.guild_id AND p.id = rp.position_id
		        WHERE rp.guild_id = r.guild_id AND rp.round_id = r.id
		          AND (p.enterprise_id = ANY($7::bigint[])
		               OR EXISTS (SELECT 1 FROM applications a
		                          WHERE a.guild_id = rp.guild_id AND a.position_id = rp.position_id AND a.student_id = $6))))
		ORDER BY r.id DESC LIMIT $4`, guildID, string(f.Status), f.Prefix, clampLimit(f.Limit), m.RoundMember != nil, m.userID(), m.enterprises())
	if err != nil {
		return nil, wrap("find rounds", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (placement.Round, error) { return scanRound(r) })
	if err != nil {
		return nil, wrap("find rounds", err)
	}
	return out, nil
}

// RoundSlots returns the round's positions as they are now, in title order.
func (s *Store) RoundSlots(ctx context.Context, guildID string, roundID int64) ([]placement.RoundSlot, error) {
	slots, err := roundSlots(ctx, s.pool, guildID, roundID)
	if err != nil {
		return nil, wrap("list round positions", err)
	}
	return slots, nil
}

// querier is a pool or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

func roundSlots(ctx context.Context, q querier, guildID string, roundID int64) ([]placement.RoundSlot, error) {
	rows, err := q.Query(ctx, `
		SELECT rp.position_id, p.title, p.enterprise_id, e.name, rp.slots, p.status = 'open', greatest(p.slots - p.taken, 0)
		FROM round_positions rp
		JOIN positions p ON p.guild_id = rp.guild_id AND p.id = rp.position_id
		JOIN enterprises e ON e.guild_id = p.guild_id AND e.id = p.enterprise_id
		WHERE rp.guild_id = $1 AND rp.round_id = $2
		ORDER BY lower(p.title), p.id`, guildID, roundID)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (placement.RoundSlot, error) {
		var p placement.RoundSlot
		err := r.Scan(&p.PositionID, &p.Title, &p.EnterpriseID, &p.EnterpriseName, &p.Slots, &p.Open, &p.Free)
		if p.Open {
			p.Capacity = min(p.Slots, p.Free)
		}
		return p, err
	})
}

// rankColumn is the column of a side's ranks.
func rankColumn(side placement.RankSide) string {
	if side == placement.SidePosition {
		return "position_rank"
	}
	return "student_rank"
}

// roundApplications joins the rankable applications (a) of the round's open positions
// (round $2 of guild $1) to their positions (p), enterprises (e) and ranks (rk).
const roundApplications = roundApplicationsFrom + roundApplicationsWhere

const roundApplicationsFrom = ` FROM round_positions rp
	JOIN positions p ON p.guild_id = rp.guild_id AND p.id = rp.position_id AND p.status = 'open'
	JOIN applications a ON a.guild_id = rp.guild_id AND a.position_id = rp.position_id AND a.status IN ('submitted', 'shortlisted')
	JOIN enterprises e ON e.guild_id = p.guild_id AND e.id = p.enterprise_id
	LEFT JOIN round_ranks rk ON rk.guild_id = a.guild_id AND rk.round_id = rp.round_id AND rk.application_id = a.id `

const roundApplicationsWhere = ` WHERE rp.guild_id = $1 AND rp.round_id = $2 `

// listQuery is the condition selecting one list's applications, the student's or the
// position's, as $3, with the query's arguments.
func listQuery(l placement.RankList) (string, []any) {
	if l.Side == placement.SidePosition {
		return ` AND a.position_id = $3 `, []any{l.GuildID, l.RoundID, l.PositionID}
	}
	return ` AND a.student_id = $3 `, []any{l.GuildID, l.RoundID, l.StudentID}
}

// RankList returns one list of the round, ranked first.
func (s *Store) RankList(ctx context.Context, l placement.RankList) ([]placement.RankedApplication, error) {
	col := "rk." + rankColumn(l.Side)
	cond, args := listQuery(l)
	rows, err := s.pool.Query(ctx, `
		SELECT `+applicationColumns+`, `+profileColumns+`, coalesce(`+col+`, 0)`+roundApplicationsFrom+profileJoin+roundApplicationsWhere+cond+`
		ORDER BY `+col+` NULLS LAST, a.id`, args...)
	if err != nil {
		return nil, wrap("list round ranks", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (placement.RankedApplication, error) {
		var ra placement.RankedApplication
		var err error
		ra.Applicant, err = scanApplicant(r, &ra.Rank)
		if l.Side == placement.SideStudent {
			ra.Profile = placement.Profile{} // a student's own list needs no profile
		}
		return ra, err
	})
	if err != nil {
		return nil, wrap("list round ranks", err)
	}
	return out, nil
}

// lockOpenRound share-locks the round (publishing waits for it, and it for publishing) and
// refuses a published or due round.
func lockOpenRound(ctx context.Context, tx pgx.Tx, guildID string, roundID int64, now time.Time) error {
	var status string
	var deadline time.Time
	err := tx.QueryRow(ctx, `SELECT status, deadline FROM rounds WHERE guild_id = $1 AND id = $2 FOR SHARE`,
		guildID, roundID).Scan(&status, &deadline)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return placement.Errorf(placement.ENOTFOUND, "err.round_not_found", nil)
	case err != nil:
		return err
	case status == string(placement.RoundStatusPublished):
		return placement.ErrRoundPublished
	case now.After(deadline):
		return placement.RoundClosed(deadline)
	}
	return nil
}

// SetRanks replaces one list's ranks in one statement, after checking every id is in it.
func (s *Store) SetRanks(ctx context.Context, l placement.RankList, appIDs []int64, now time.Time, fx placement.Effects) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := lockOpenRound(ctx, tx, l.GuildID, l.RoundID, now); err != nil {
			return err
		}
		cond, args := listQuery(l)
		rows, err := tx.Query(ctx, `SELECT a.id`+roundApplications+cond, args...)
		if err != nil {
			return err
		}
		inList, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return err
		}
		for _, id := range appIDs {
			if !slices.Contains(inList, id) {
				return placement.Errorf(placement.ENOTFOUND, "err.round_not_in_list", map[string]any{"ID": id})
			}
		}
		col := rankColumn(l.Side)
		_, err = tx.Exec(ctx, `
			INSERT INTO round_ranks (guild_id, round_id, application_id, `+col+`)
			SELECT $1, $2, l.id, o.ord
			FROM unnest($3::bigint[]) AS l(id)
			LEFT JOIN unnest($4::bigint[]) WITH ORDINALITY AS o(id, ord) ON o.id = l.id
			ON CONFLICT (guild_id, round_id, application_id) DO UPDATE SET `+col+` = excluded.`+col,
			l.GuildID, l.RoundID, inList, appIDs)
		if err != nil {
			return err
		}
		return writeEffects(ctx, tx, l.GuildID, fx)
	})
	if err != nil {
		return wrap("set round ranks", err)
	}
	return nil
}

// LoadRound reads the round in one snapshot: its positions, then every entry streamed from one
// query straight into add, then the groups of the students met.
func (s *Store) LoadRound(ctx context.Context, guildID string, roundID int64, slot func(placement.RoundSlot), add func(placement.RoundEntry)) (map[string]placement.StudentGroup, error) {
	groups := map[string]placement.StudentGroup{}
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		slots, err := roundSlots(ctx, tx, guildID, roundID)
		if err != nil {
			return err
		}
		for _, sl := range slots {
			slot(sl)
		}
		rows, err := tx.Query(ctx, `
			SELECT a.id, a.student_id, a.position_id, coalesce(rk.student_rank, 0), coalesce(rk.position_rank, 0)`+roundApplications,
			guildID, roundID)
		if err != nil {
			return err
		}
		var e placement.RoundEntry
		var students []string
		if _, err := pgx.ForEachRow(rows, []any{&e.ApplicationID, &e.Student, &e.Position, &e.StudentRank, &e.PositionRank}, func() error {
			if _, ok := groups[e.Student]; !ok {
				groups[e.Student] = placement.StudentGroup{}
				students = append(students, e.Student)
			}
			add(e)
			return nil
		}); err != nil {
			return err
		}
		rows, err = tx.Query(ctx, `SELECT user_id, program, cohort FROM profiles WHERE guild_id = $1 AND user_id = ANY($2)`,
			guildID, students)
		if err != nil {
			return err
		}
		var id string
		var g placement.StudentGroup
		_, err = pgx.ForEachRow(rows, []any{&id, &g.Program, &g.Cohort}, func() error {
			groups[id] = g
			return nil
		})
		return err
	})
	if err != nil {
		return nil, wrap("load round", err)
	}
	return groups, nil
}

// SavePreview keeps the round's last preview summary.
func (s *Store) SavePreview(ctx context.Context, guildID string, roundID int64, p placement.RoundPreview, fx placement.Effects) error {
	summary, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("postgres: encode round preview: %w", err)
	}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE rounds SET preview = $3 WHERE guild_id = $1 AND id = $2`, guildID, roundID, summary)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return placement.Errorf(placement.ENOTFOUND, "err.round_not_found", nil)
		}
		return writeEffects(ctx, tx, guildID, fx)
	})
	if err != nil {
		return wrap("save round preview", err)
	}
	return nil
}

// LastPreview returns the round's last preview, or false when it has none.
func (s *Store) LastPreview(ctx context.Context, guildID string, roundID int64) (placement.RoundPreview, bool, error) {
	var summary []byte
	err := s.pool.QueryRow(ctx, `SELECT preview FROM rounds WHERE guild_id = $1 AND id = $2`, guildID, roundID).Scan(&summary)
	if errors.Is(err, pgx.ErrNoRows) {
		return placement.RoundPreview{}, false, placement.Errorf(placement.ENOTFOUND, "err.round_not_found", nil)
	}
	if err != nil {
		return placement.RoundPreview{}, false, wrap("read round preview", err)
	}
	if summary == nil {
		return placement.RoundPreview{}, false, nil
	}
	var p placement.RoundPreview
	if err := json.Unmarshal(summary, &p); err != nil {
		return placement.RoundPreview{}, false, fmt.Errorf("postgres: decode round preview: %w", err)
	}
	return p, true, nil
}

// PublishRound publishes the round in one transaction: the round row is locked first, so of two
// publishers the second waits and then finds it published; every other statement is set-based
// (one per table, whatever the number of matches), so a crash or a lost connection anywhere
// rolls the whole of it back.
func (s *Store) PublishRound(ctx context.Context, p placement.RoundPublish) ([]placement.RoundMove, error) {
	var moves []placement.RoundMove
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		moves = nil
		var status string
		err := tx.QueryRow(ctx, `SELECT status FROM rounds WHERE guild_id = $1 AND id = $2 FOR UPDATE`, p.GuildID, p.RoundID).Scan(&status)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return placement.Errorf(placement.ENOTFOUND, "err.round_not_found", nil)
		case err != nil:
			return err
		case status == string(placement.RoundStatusPublished):
			return placement.ErrRoundPublished
		}
		rank := map[int64]int{}
		var appIDs []int64
		for _, r := range p.Results {
			if r.ApplicationID != 0 {
				rank[r.ApplicationID] = r.Rank
				appIDs = append(appIDs, r.ApplicationID)
			}
		}
		locked, err := lockRoundMoves(ctx, tx, p.GuildID, appIDs)
		if err != nil {
			return err
		}
		moves, err = decideRoundMoves(ctx, tx, p, locked, rank)
		if err != nil {
			return err
		}
		if err := applyRoundMoves(ctx, tx, p, moves); err != nil {
			return err
		}
		if err := insertRoundResults(ctx, tx, p, moves); err != nil {
			return err
		}
		summary, err := json.Marshal(p.Summary)
		if err != nil {
			return fmt.Errorf("encode round summary: %w", err)
		}
		if _, err := tx.Exec(ctx, `
			UPDATE rounds SET status = 'published', published_by = $3, published_at = $4, preview = $5
			WHERE guild_id = $1 AND id = $2`, p.GuildID, p.RoundID, p.ActorID, p.At, summary); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE round_positions SET round_open = false WHERE guild_id = $1 AND round_id = $2`,
			p.GuildID, p.RoundID); err != nil {
			return err
		}
		mentors, err := roundMentors(ctx, tx, p.GuildID, p.RoundID)
		if err != nil {
			return err
		}
		fxs := make([]placement.Effects, 0, len(moves)+1)
		for _, m := range moves {
			fx := effectsOf(p.Moves, m)
			if m.Moved {
				if err := fx.RequireLifecycle(m.ID, p.To); err != nil {
					return err
				}
			}
			if len(fx.Audit) > 0 || len(fx.Notes) > 0 {
				fxs = append(fxs, fx)
			}
		}
		fxs = append(fxs, effectsOf2(p.Round, moves, mentors))
		return writeEffectsBulk(ctx, tx, p.GuildID, fxs)
	})
	if err != nil {
		return nil, wrap("publish round", err)
	}
	return moves, nil
}

// lockRoundMoves locks the matched applications, in id order, with their positions.
func lockRoundMoves(ctx context.Context, tx pgx.Tx, guildID string, appIDs []int64) ([]placement.Application, error) {
	rows, err := tx.Query(ctx, `
		SELECT `+applicationColumns+applicationFrom+`
		WHERE a.guild_id = $1 AND a.id = ANY($2)
		ORDER BY a.id
		FOR UPDATE OF a`, guildID, appIDs)
	if err != nil {
		return nil, err
	}
	return collectApplications(rows)
}

// decideRoundMoves decides each matched application by the rules of a single move, with the
// positions locked: the status still one of p.From, the position open with a free slot, and,
// for accepted applications, the student not placed.
func decideRoundMoves(ctx context.Context, tx pgx.Tx, p placement.RoundPublish, locked []placement.Application, rank map[int64]int) ([]placement.RoundMove, error) {
	posIDs := make([]int64, 0, len(locked))
	students := make([]string, 0, len(locked))
	for _, a := range locked {
		posIDs = append(posIDs, a.PositionID)
		students = append(students, a.StudentID)
	}
	rows, err := tx.Query(ctx, `
		SELECT id, status = 'open', slots - taken FROM positions
		WHERE guild_id = $1 AND id = ANY($2) ORDER BY id FOR NO KEY UPDATE`, p.GuildID, posIDs)
	if err != nil {
		return nil, err
	}
	type slot struct {
		open bool
		free int
	}
	free := map[int64]*slot{}
	var id int64
	var sl slot
	if _, err := pgx.ForEachRow(rows, []any{&id, &sl.open, &sl.free}, func() error {
		free[id] = &slot{sl.open, sl.free}
		return nil
	}); err != nil {
		return nil, err
	}
	rows, err = tx.Query(ctx, `SELECT student_id FROM placements WHERE guild_id = $1 AND status = 'active' AND student_id = ANY($2)`,
		p.GuildID, students)
	if err != nil {
		return nil, err
	}
	placed := map[string]bool{}
	var student string
	if _, err := pgx.ForEachRow(rows, []any{&student}, func() error {
		placed[student] = true
		return nil
	}); err != nil {
		return nil, err
	}
	moves := make([]placement.RoundMove, 0, len(locked))
	for _, a := range locked {
		m := placement.RoundMove{Application: a, Rank: rank[a.ID]}
		pos := free[a.PositionID]
		switch {
		case placement.DecideTransition(a, p.From) != nil:
			m.Refusal = placement.DecideTransition(a, p.From)
		case !pos.open:
			m.Refusal = placement.Errorf(placement.ECONFLICT, "err.position_closed", map[string]any{"Title": a.PositionTitle})
		case pos.free <= 0:
			m.Refusal = placement.Errorf(placement.ECONFLICT, "err.no_slots_left", map[string]any{"Title": a.PositionTitle})
		case placed[a.StudentID]:
			m.Refusal = placement.Errorf(placement.ECONFLICT, "err.already_placed", nil)
		default:
			m.Moved = true
			pos.free--
		}
		moves = append(moves, m)
	}
	return moves, nil
}

// applyRoundMoves moves the applications decided, takes their slots and writes their
// lifecycle events, one statement each.
func applyRoundMoves(ctx context.Context, tx pgx.Tx, p placement.RoundPublish, moves []placement.RoundMove) error {
	var ids []int64
	var from []string
	taken := map[int64]int{}
	for _, m := range moves {
		if m.Moved {
			ids, from = append(ids, m.ID), append(from, string(m.Status))
			taken[m.PositionID]++
		}
	}
	posIDs, counts := make([]int64, 0, len(taken)), make([]int32, 0, len(taken))
	for id, n := range taken {
		posIDs, counts = append(posIDs, id), append(counts, int32(n))
	}
	b := &pgx.Batch{}
	b.Queue(`
		UPDATE applications a SET status = $3, updated_at = $4,
		       offered_at = CASE WHEN $3 = 'offered' THEN $4 ELSE a.offered_at END
		FROM unnest($2::bigint[]) AS u(id)
		WHERE a.guild_id = $1 AND a.id = u.id`, p.GuildID, ids, string(p.To), p.At)
	b.Queue(`
		UPDATE positions p SET taken = p.taken + u.n
		FROM unnest($2::bigint[], $3::int[]) AS u(id, n)
		WHERE p.guild_id = $1 AND p.id = u.id`, p.GuildID, posIDs, counts)
	b.Queue(`
		INSERT INTO application_events (guild_id, application_id, from_status, to_status, actor_id, created_at)
		SELECT $1, u.id, u.from_status, $4, $5, $6
		FROM unnest($2::bigint[], $3::text[]) WITH ORDINALITY AS u(id, from_status, ord)
		ORDER BY u.ord`, p.GuildID, ids, from, string(p.To), p.ActorID, p.At)
	return tx.SendBatch(ctx, b).Close()
}

// storedMiss is how an explanation's missed position is kept in round_results.reasons.
type storedMiss struct {
	Position int64  `json:"position"`
	Rank     int    `json:"rank"`
	Why      string `json:"why"`
}

// insertRoundResults writes every student's result in one statement.
func insertRoundResults(ctx context.Context, tx pgx.Tx, p placement.RoundPublish, moves []placement.RoundMove) error {
	skipped := map[int64]bool{}
	for _, m := range moves {
		skipped[m.ID] = !m.Moved
	}
	n := len(p.Results)
	students, reasons := make([]string, n), make([]string, n)
	apps, ranks, ranked := make([]int64, n), make([]int32, n), make([]int32, n)
	skips := make([]bool, n)
	for i, r := range p.Results {
		misses := make([]storedMiss, len(r.Higher))
		for j, h := range r.Higher {
			misses[j] = storedMiss{Position: h.PositionID, Rank: h.Rank, Why: string(h.Reason)}
		}
		js, err := json.Marshal(misses)
		if err != nil {
			return fmt.Errorf("encode round result: %w", err)
		}
		students[i], reasons[i] = r.StudentID, string(js)
		apps[i], ranks[i], ranked[i], skips[i] = r.ApplicationID, int32(r.Rank), int32(r.Ranked), skipped[r.ApplicationID]
	}
	_, err := tx.Exec(ctx, `
		INSERT INTO round_results (guild_id, round_id, student_id, application_id, rank, ranked, skipped, reasons)
		SELECT $1, $2, u.student, nullif(u.app, 0), u.rank, u.ranked, u.skipped, u.reasons::jsonb
		FROM unnest($3::text[], $4::bigint[], $5::int[], $6::int[], $7::boolean[], $8::text[])
		     AS u(student, app, rank, ranked, skipped, reasons)`,
		p.GuildID, p.RoundID, students, apps, ranks, ranked, skips, reasons)
	return err
}

// roundMentors maps each enterprise of the round to its linked mentors.
func roundMentors(ctx context.Context, tx pgx.Tx, guildID string, roundID int64) (map[int64][]string, error) {
	rows, err := tx.Query(ctx, `
		SELECT m.enterprise_id, array_agg(m.user_id ORDER BY m.user_id)
		FROM enterprise_mentors m
		WHERE m.guild_id = $1 AND m.enterprise_id IN (
			SELECT p.enterprise_id FROM round_positions rp
			JOIN positions p ON p.guild_id = rp.guild_id AND p.id = rp.position_id
			WHERE rp.guild_id = $1 AND rp.round_id = $2)
		GROUP BY m.enterprise_id`, guildID, roundID)
	if err != nil {
		return nil, err
	}
	out := map[int64][]string{}
	var id int64
	var users []string
	_, err = pgx.ForEachRow(rows, []any{&id, &users}, func() error {
		out[id] = users
		return nil
	})
	return out, err
}

// RoundResult returns the student's stored result of the round.
func (s *Store) RoundResult(ctx context.Context, guildID string, roundID int64, studentID string) (placement.RoundResultRow, bool, error) {
	r := placement.RoundResultRow{StudentID: studentID}
	var reasons []byte
	err := s.pool.QueryRow(ctx, `
		SELECT coalesce(rr.application_id, 0), coalesce(a.position_id, 0), rr.rank, rr.ranked, rr.skipped, rr.reasons
		FROM round_results rr
		LEFT JOIN applications a ON a.guild_id = rr.guild_id AND a.id = rr.application_id
		WHERE rr.guild_id = $1 AND rr.round_id = $2 AND rr.student_id = $3`, guildID, roundID, studentID).Scan(
		&r.ApplicationID, &r.PositionID, &r.Rank, &r.Ranked, &r.Skipped, &reasons)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, false, nil
	}
	if err != nil {
		return r, false, wrap("read round result", err)
	}
	var misses []storedMiss
	if err := json.Unmarshal(reasons, &misses); err != nil {
		return r, false, fmt.Errorf("postgres: decode round result: %w", err)
	}
	for _, m := range misses {
		r.Higher = append(r.Higher, placement.MissedPosition{PositionID: m.Position, Rank: m.Rank, Reason: placement.Reason(m.Why)})
	}
	return r, true, nil
}

// RemindRoundRanks records, at most limit at a time, the members to remind before the deadline
// of an open round due within the time: students with applications in it and no rank, and
// the mentors of its positions that have applicants and no rank. The insert into
// round_reminders is the guard: of two runs at once, one records each member, and only its
// effects are written.
func (s *Store) RemindRoundRanks(ctx context.Context, now time.Time, within time.Duration, limit int, effects func(placement.RoundReminder) placement.Effects) ([]placement.RoundReminder, error) {
	var out []placement.RoundReminder
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
			WITH due AS (
				SELECT guild_id, id, name, deadline FROM rounds
				WHERE status = 'open' AND deadline > $1 AND deadline <= $2
			), apps AS (
				SELECT d.guild_id, d.id AS round_id, a.student_id, a.position_id, p.enterprise_id,
				       rk.student_rank, rk.position_rank
				FROM due d
				JOIN round_positions rp ON rp.guild_id = d.guild_id AND rp.round_id = d.id
				JOIN positions p ON p.guild_id = rp.guild_id AND p.id = rp.position_id AND p.status = 'open'
				JOIN applications a ON a.guild_id = rp.guild_id AND a.position_id = rp.position_id
				                   AND a.status IN ('submitted', 'shortlisted')
				LEFT JOIN round_ranks rk ON rk.guild_id = a.guild_id AND rk.round_id = d.id AND rk.application_id = a.id
			), not_ranked AS (
				SELECT guild_id, round_id, student_id AS user_id, false AS mentor FROM apps
				GROUP BY guild_id, round_id, student_id HAVING count(student_rank) = 0
				UNION
				SELECT x.guild_id, x.round_id, m.user_id, true FROM (
					SELECT guild_id, round_id, position_id, enterprise_id FROM apps
					GROUP BY guild_id, round_id, position_id, enterprise_id HAVING count(position_rank) = 0
				) x JOIN enterprise_mentors m ON m.guild_id = x.guild_id AND m.enterprise_id = x.enterprise_id
			), picked AS (
				SELECT DISTINCT ON (t.guild_id, t.round_id, t.user_id) t.* FROM not_ranked t
				WHERE NOT EXISTS (SELECT 1 FROM round_reminders rr
				                  WHERE rr.guild_id = t.guild_id AND rr.round_id = t.round_id AND rr.user_id = t.user_id)
				ORDER BY t.guild_id, t.round_id, t.user_id, t.mentor
				LIMIT $3
			), ins AS (
				INSERT INTO round_reminders (guild_id, round_id, user_id, reminded_at)
				SELECT guild_id, round_id, user_id, $1 FROM picked
				ON CONFLICT DO NOTHING
				RETURNING guild_id, round_id, user_id
			)
			SELECT ins.guild_id, ins.round_id, d.name, d.deadline, ins.user_id, pk.mentor
			FROM ins
			JOIN due d ON d.guild_id = ins.guild_id AND d.id = ins.round_id
			JOIN picked pk ON pk.guild_id = ins.guild_id AND pk.round_id = ins.round_id AND pk.user_id = ins.user_id
			ORDER BY ins.guild_id, ins.round_id, ins.user_id`, now, now.Add(within), clampLimit(limit))
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (placement.RoundReminder, error) {
			var rm placement.RoundReminder
			err := r.Scan(&rm.GuildID, &rm.RoundID, &rm.RoundName, &rm.Deadline, &rm.UserID, &rm.Mentor)
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
		return nil, wrap("remind round ranks", err)
	}
	return out, nil
}

// roundMember reads a RoundFilter's member, nil or not.
type roundMember struct{ *placement.RoundMember }

func (m roundMember) userID() string {
	if m.RoundMember == nil {
		return ""
	}
	return m.UserID
}

func (m roundMember) enterprises() []int64 {
	if m.RoundMember == nil {
		return []int64{}
	}
	return append([]int64{}, m.Enterprises...)
}
