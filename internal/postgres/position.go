package postgres

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/jackc/pgx/v5"

	"placementbot/internal/placement"
)

// positionColumns selects a position aliased p with its enterprise's name (enterprises e), for
// scanPosition.
const positionColumns = `p.id, p.guild_id, p.enterprise_id, e.name, p.title, p.description, p.skills,
	p.programs, p.location, p.remote, p.slots, p.taken, p.start_date, p.end_date, p.deadline,
	p.stipend, p.status, p.created_by, p.created_at`

// positionFrom joins a position to its enterprise; every query adds WHERE p.guild_id = ….
const positionFrom = ` FROM positions p JOIN enterprises e ON e.guild_id = p.guild_id AND e.id = p.enterprise_id `

// changedPositionFrom joins the rows of a data-modifying CTE named p to their enterprise, so that
// a statement returns the position as written.
const changedPositionFrom = ` FROM p JOIN enterprises e ON e.guild_id = p.guild_id AND e.id = p.enterprise_id `

func scanPosition(r pgx.Row) (placement.Position, error) {
	var p placement.Position
	err := r.Scan(&p.ID, &p.GuildID, &p.EnterpriseID, &p.EnterpriseName, &p.Title, &p.Description, &p.Skills,
		&p.Programs, &p.Location, &p.Remote, &p.Slots, &p.Taken, &p.StartDate, &p.EndDate, &p.Deadline,
		&p.Stipend, &p.Status, &p.CreatedBy, &p.CreatedAt)
	return p, err
}

func collectPositions(rows pgx.Rows) ([]placement.Position, error) {
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (placement.Position, error) { return scanPosition(r) })
}

// CreatePosition publishes a position of a verified enterprise with its effects (built for the
// position as created), in one transaction. The enterprise row is share-locked so that it is
// checked and used as one.
func (s *Store) CreatePosition(ctx context.Context, p placement.Position, effects func(placement.Position) placement.Effects) (placement.Position, error) {
	if p.Status == "" {
		p.Status = placement.PositionOpen
	}
	var created placement.Position
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var name string
		var status placement.EnterpriseStatus
		err := tx.QueryRow(ctx, `
			SELECT name, status FROM enterprises WHERE guild_id = $1 AND id = $2 FOR KEY SHARE`,
			p.GuildID, p.EnterpriseID).Scan(&name, &status)
		if errors.Is(err, pgx.ErrNoRows) {
			return placement.Errorf(placement.ENOTFOUND, "err.enterprise_not_found", nil)
		}
		if err != nil {
			return err
		}
		if status != placement.EnterpriseVerified {
			return placement.Errorf(placement.ECONFLICT, "err.enterprise_not_verified", map[string]any{"Name": name})
		}
		created, err = scanPosition(tx.QueryRow(ctx, `
			WITH p AS (
				INSERT INTO positions (guild_id, enterprise_id, title, description, skills, programs, location,
				                       remote, slots, start_date, end_date, deadline, stipend, status, created_by)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
				RETURNING *
			)
			SELECT `+positionColumns+changedPositionFrom,
			p.GuildID, p.EnterpriseID, p.Title, p.Description, list(p.Skills), list(p.Programs), p.Location,
			p.Remote, p.Slots, p.StartDate, p.EndDate, p.Deadline, p.Stipend, p.Status, p.CreatedBy))
		if err != nil {
			return err
		}
		return writeEffects(ctx, tx, p.GuildID, effectsOf(effects, created))
	})
	if err != nil {
		return placement.Position{}, wrap("create position", err)
	}
	return created, nil
}

// FindPosition returns one position of the guild.
func (s *Store) FindPosition(ctx context.Context, guildID string, id int64) (placement.Position, error) {
	p, err := scanPosition(s.pool.QueryRow(ctx, `
		SELECT `+positionColumns+positionFrom+`
		WHERE p.guild_id = $1 AND p.id = $2`, guildID, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return p, placement.Errorf(placement.ENOTFOUND, "err.position_not_found", nil)
	}
	if err != nil {
		return p, wrap("find position", err)
	}
	return p, nil
}

// UpdatePosition replaces a position's posted fields, leaving its status and taken slots alone,
// with fx in the same transaction. The row is locked before slots are compared with taken, so an
// offer made meanwhile cannot leave more offers than slots.
func (s *Store) UpdatePosition(ctx context.Context, p placement.Position, fx placement.Effects) (placement.Position, error) {
	var updated placement.Position
	if err := fx.Validate(); err != nil {
		return updated, wrap("update position", err)
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var taken int
		err := tx.QueryRow(ctx, `
			SELECT taken FROM positions WHERE guild_id = $1 AND id = $2 FOR NO KEY UPDATE`,
			p.GuildID, p.ID).Scan(&taken)
		if errors.Is(err, pgx.ErrNoRows) {
			return placement.Errorf(placement.ENOTFOUND, "err.position_not_found", nil)
		}
		if err != nil {
			return err
		}
		updated, err = scanPosition(tx.QueryRow(ctx, `
			WITH p AS (
				UPDATE positions SET title = $3, description = $4, skills = $5, programs = $6, location = $7,
				       remote = $8, slots = $9, start_date = $10, end_date = $11, deadline = $12, stipend = $13
				WHERE guild_id = $1 AND id = $2 AND taken <= $9
				RETURNING *
			)
			SELECT `+positionColumns+changedPositionFrom,
			p.GuildID, p.ID, p.Title, p.Description, list(p.Skills), list(p.Programs), p.Location,
			p.Remote, p.Slots, p.StartDate, p.EndDate, p.Deadline, p.Stipend))
		if errors.Is(err, pgx.ErrNoRows) {
			return placement.Errorf(placement.ECONFLICT, "err.slots_below_taken", map[string]any{"Taken": taken})
		}
		if err != nil {
			return err
		}
		return writeEffects(ctx, tx, p.GuildID, fx)
	})
	if err != nil {
		return placement.Position{}, wrap("update position", err)
	}
	return updated, nil
}

// SetPositionStatus opens or closes a position, with fx in the same transaction.
func (s *Store) SetPositionStatus(ctx context.Context, guildID string, id int64, status placement.PositionStatus, fx placement.Effects) (placement.Position, error) {
	var p placement.Position
	if err := fx.Validate(); err != nil {
		return p, wrap("set position status", err)
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		p, err = scanPosition(tx.QueryRow(ctx, `
			WITH p AS (
				UPDATE positions SET status = $3 WHERE guild_id = $1 AND id = $2
				RETURNING *
			)
			SELECT `+positionColumns+changedPositionFrom, guildID, id, status))
		if errors.Is(err, pgx.ErrNoRows) {
			return placement.Errorf(placement.ENOTFOUND, "err.position_not_found", nil)
		}
		if err != nil {
			return err
		}
		return writeEffects(ctx, tx, guildID, fx)
	})
	if err != nil {
		return placement.Position{}, wrap("set position status", err)
	}
	return p, nil
}

// BrowsePositions returns one page of the positions students can apply to, newest first.
//
// Paging is by keyset (id < after) rather than offset, so a page costs the same however deep it
// is and positions posted or closed between two pages neither repeat nor go missing. Only the
// filters in use are written into the statement: a generic plan for conditions such as
// "$4 IS NULL OR …" could not use the index bounds.
func (s *Store) BrowsePositions(ctx context.Context, guildID string, f placement.PositionFilter, after int64, limit int, today time.Time) (placement.Page, error) {
	return s.browse(ctx, nil, guildID, f, after, limit, today)
}

// ExplainBrowse browses as BrowsePositions does and returns the plan of each statement it ran
// (EXPLAIN ANALYZE), for performance reports.
func (s *Store) ExplainBrowse(ctx context.Context, guildID string, f placement.PositionFilter, after int64, limit int, today time.Time) (string, error) {
	var plans strings.Builder
	_, err := s.browse(ctx, &plans, guildID, f, after, limit, today)
	return plans.String(), err
}

// browse is BrowsePositions, writing the plans of its statements to plans unless nil.
func (s *Store) browse(ctx context.Context, plans *strings.Builder, guildID string, f placement.PositionFilter, after int64, limit int, today time.Time) (placement.Page, error) {
	if limit <= 0 {
		limit = placement.PageSize
	}
	q := openPositions(guildID, after, today)
	if f.EnterpriseID != 0 {
		q.where("p.enterprise_id = $?", f.EnterpriseID)
	}
	if f.RemoteOnly {
		q.where("p.remote")
	}
	var ps []placement.Position
	var err error
	if f.Keyword == "" && f.Skill == "" && f.Program == "" && f.Location == "" {
		ps, err = s.queryPositions(ctx, plans, `SELECT `+positionColumns+positionFrom+`WHERE `+q.sql+`
			ORDER BY p.id DESC LIMIT `+strconv.Itoa(limit+1), q.args...)
	} else {
		// Keywords search the title, skills and description, the location filter the location.
		if f.Keyword != "" {
			q.where("p.search @@ search_query($?, 'ABC')", searchWords(f.Keyword))
		}
		switch {
		case strings.IndexFunc(f.Location, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0:
			q.where("p.search @@ search_query($?, 'D')", searchWords(f.Location))
		case f.Location != "":
			// A location of no words at all can only be matched as written.
			q.where("lower(p.location) = lower($?)", f.Location)
		}
		if f.Skill != "" {
			q.where("lower_all(p.skills) @> ARRAY[lower($?)]", f.Skill)
		}
		if f.Program != "" {
			q.where("lower_all(p.programs) @> ARRAY[lower($?)]", f.Program)
		}
		ps, err = s.searchOpenPositions(ctx, plans, q, "p.id DESC", limit+1, s.searchWindow)
	}
	if err != nil {
		return placement.Page{}, wrap("browse positions", err)
	}
	page := placement.Page{Positions: ps}
	if len(ps) > limit {
		page.Positions, page.HasMore = ps[:limit], true
		page.After = page.Positions[limit-1].ID
	}
	return page, nil
}

// openPositions starts the conditions of a listing of the guild's open positions with ids below
// after (0: all) that take applications on today: before their deadline, with slots left. The
// guild is $1 and after is $2, as searchOpenPositions expects.
func openPositions(guildID string, after int64, today time.Time) *query {
	if after <= 0 {
		after = math.MaxInt64
	}
	q := newQuery("p.guild_id = $1 AND p.status = 'open' AND p.id < $2", guildID, after)
	q.where("p.deadline >= $?", dateOnly(today))
	q.where("p.taken < p.slots")
	return q
}

// searchWindow is how many of the newest open positions a search examines in id order before
// it looks its matches up in the GIN indexes instead.
const searchWindow = 4000

// searchOpenPositions returns, in order, up to limit positions that satisfy q: conditions on
// the guild's open positions ($1 the guild, $2 the keyset bound) including one served by a GIN
// index (full text, skills, programs). It writes the plans of its statements to plans unless nil.
//
// A GIN index cannot return rows in id order, and the planner's choice between walking the
// guild's positions newest first (fast when the condition is common) and collecting every match
// from the GIN index (fast when it is rare) rests on table-wide statistics. A term it wrongly
// believes common, such as a skill no open position of this guild asks for, made it walk every
// position of the guild: most of a second at a million. So the search first walks a bounded
// window of the newest positions, which is enough when matches are common; only when the window
// held too few does it collect all matches, which is cheap precisely because they are rare.
// An order other than by id (best overlap first) thus ranks the window's matches when they are
// enough, and all matches otherwise.
func (s *Store) searchOpenPositions(ctx context.Context, plans *strings.Builder, q *query, order string, limit, window int) ([]placement.Position, error) {
	ps, err := s.queryPositions(ctx, plans, `
		SELECT `+positionColumns+`
		FROM (SELECT * FROM positions p
		      WHERE p.guild_id = $1 AND p.status = 'open' AND p.id < $2
		      ORDER BY p.id DESC LIMIT `+strconv.Itoa(window)+`) p
		JOIN enterprises e ON e.guild_id = p.guild_id AND e.id = p.enterprise_id
		WHERE `+q.sql+`
		ORDER BY `+order+` LIMIT `+strconv.Itoa(limit), q.args...)
	if err != nil || len(ps) >= limit {
		return ps, err
	}
	// When the guild has no more open positions than the window, the window saw them all.
	const count = `SELECT count(*) FROM (
			SELECT 1 FROM positions WHERE guild_id = $1 AND status = 'open' AND id < $2
			ORDER BY id DESC LIMIT $3) w`
	if err := s.explain(ctx, plans, count, q.args[0], q.args[1], window); err != nil {
		return nil, err
	}
	var seen int
	if err := s.pool.QueryRow(ctx, count, q.args[0], q.args[1], window).Scan(&seen); err != nil || seen < window {
		return ps, err
	}
	// MATERIALIZED keeps the planner from turning the lookup back into a walk.
	return s.queryPositions(ctx, plans, `
		WITH p AS MATERIALIZED (
			SELECT p.* FROM positions p WHERE `+q.sql+`
		)
		SELECT `+positionColumns+`
		FROM p JOIN enterprises e ON e.guild_id = p.guild_id AND e.id = p.enterprise_id
		ORDER BY `+order+` LIMIT `+strconv.Itoa(limit), q.args...)
}

// queryPositions runs a query selecting positionColumns, writing its plan to plans unless nil.
func (s *Store) queryPositions(ctx context.Context, plans *strings.Builder, sql string, args ...any) ([]placement.Position, error) {
	if err := s.explain(ctx, plans, sql, args...); err != nil {
		return nil, err
	}
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return collectPositions(rows)
}

// explain writes the statement and its plan, as run with these arguments, to plans unless nil.
func (s *Store) explain(ctx context.Context, plans *strings.Builder, sql string, args ...any) error {
	if plans == nil {
		return nil
	}
	rows, err := s.pool.Query(ctx, "EXPLAIN (ANALYZE, BUFFERS) "+sql, args...)
	if err != nil {
		return err
	}
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	fmt.Fprintf(plans, "%s\n\n%s\n\n", strings.TrimSpace(sql), strings.Join(lines, "\n"))
	return nil
}

// EnterprisePositions lists the positions of the enterprises in every status, newest first.
func (s *Store) EnterprisePositions(ctx context.Context, guildID string, enterpriseIDs []int64, limit int) ([]placement.Position, error) {
	if len(enterpriseIDs) == 0 {
		return nil, nil
	}
	ps, err := s.queryPositions(ctx, nil, `
		SELECT `+positionColumns+positionFrom+`
		WHERE p.guild_id = $1 AND p.enterprise_id = ANY($2)
		ORDER BY p.id DESC LIMIT $3`, guildID, enterpriseIDs, clampLimit(limit))
	if err != nil {
		return nil, wrap("list enterprise positions", err)
	}
	return ps, nil
}

// candidateWindow is how many of the newest open positions a recommendation ranks when enough
// of them match: ranking every match of a common skill would read a large guild whole.
const candidateWindow = 20000

// CandidatePositions returns the newest open positions (up to limit) sharing a skill or the
// program with the profile that the student has not applied to (withdrawn applications aside);
// the service ranks them by fit.
func (s *Store) CandidatePositions(ctx context.Context, guildID string, pr placement.Profile, limit int, today time.Time) ([]placement.Position, error) {
	program := strings.ToLower(strings.TrimSpace(pr.Program))
	if len(pr.Skills) == 0 && program == "" {
		return nil, nil
	}
	if limit <= 0 {
		limit = 25
	}
	q := openPositions(guildID, 0, today)
	q.where("(lower_all(p.skills) && lower_all($?::text[]) OR lower_all(p.programs) @> ARRAY[$?::text])", list(pr.Skills), program)
	// A position the student applied to is theirs to follow in /applications mine, not to be
	// recommended again; one they withdrew from stays a candidate.
	q.where(`NOT EXISTS (SELECT 1 FROM applications a WHERE a.guild_id = p.guild_id AND a.position_id = p.id
		AND a.student_id = $? AND a.status <> 'withdrawn')`, pr.UserID)
	// Newest matches first, so the scan stops after `limit` of them; the service ranks them by
	// fit. Ordering by overlap here would score every open position on each call.
	ps, err := s.searchOpenPositions(ctx, nil, q, "p.id DESC", limit, s.candidateWindow)
	if err != nil {
		return nil, wrap("find candidate positions", err)
	}
	return ps, nil
}

// SearchPositions finds open positions for autocomplete, newest first: those whose title has
// words starting with each word typed ("data eng" finds "Data Engineer Intern", "厨房" finds
// "厨房帮工"). The match is on the full-text vector restricted to the title's weight; an empty
// prefix lists the newest.
func (s *Store) SearchPositions(ctx context.Context, guildID, prefix string, limit int) ([]placement.Position, error) {
	limit = clampLimit(limit)
	q := newQuery("p.guild_id = $1 AND p.status = 'open' AND p.id < $2", guildID, int64(math.MaxInt64))
	var ps []placement.Position
	var err error
	if strings.TrimSpace(prefix) == "" {
		ps, err = s.queryPositions(ctx, nil, `SELECT `+positionColumns+positionFrom+`WHERE `+q.sql+`
			ORDER BY p.id DESC LIMIT `+strconv.Itoa(limit), q.args...)
	} else {
		q.where("p.search @@ search_query($?, 'A')", searchWords(prefix))
		ps, err = s.searchOpenPositions(ctx, nil, q, "p.id DESC", limit, s.searchWindow)
	}
	if err != nil {
		return nil, wrap("search positions", err)
	}
	return ps, nil
}

// SearchEnterprisePositions finds the enterprises' positions in every status whose title has
// words starting with each word typed (as SearchPositions), newest first, for their mentors.
func (s *Store) SearchEnterprisePositions(ctx context.Context, guildID string, enterpriseIDs []int64, prefix string, limit int) ([]placement.Position, error) {
	if len(enterpriseIDs) == 0 {
		return nil, nil
	}
	q := newQuery("p.guild_id = $1 AND p.enterprise_id = ANY($2)", guildID, enterpriseIDs)
	if strings.TrimSpace(prefix) != "" {
		q.where("p.search @@ search_query($?, 'A')", searchWords(prefix))
	}
	ps, err := s.queryPositions(ctx, nil, `SELECT `+positionColumns+positionFrom+`WHERE `+q.sql+`
		ORDER BY p.id DESC LIMIT `+strconv.Itoa(clampLimit(limit)), q.args...)
	if err != nil {
		return nil, wrap("search enterprise positions", err)
	}
	return ps, nil
}

// locationWalk bounds how many distinct locations a location suggestion steps through.
const locationWalk = 1000

// PositionLocations suggests the locations of the guild's open positions containing what was
// typed, in any case ("suz" finds "Suzhou", "苏州" finds "苏州工业园区"), alphabetically. It
// steps from one distinct location to the next on positions_location, one index probe each, so
// a guild with a million positions in a few hundred places costs a few hundred probes, never a
// read of its positions.
func (s *Store) PositionLocations(ctx context.Context, guildID, typed string, limit int) ([]string, error) {
	rows, err := s.pool.Query(ctx, `
		WITH RECURSIVE l (key, location, n) AS (
			(SELECT lower(location), location, 1 FROM positions
			 WHERE guild_id = $1 AND status = 'open' ORDER BY lower(location) LIMIT 1)
			UNION ALL
			SELECT next.key, next.location, l.n + 1 FROM l, LATERAL (
				SELECT lower(p.location) AS key, p.location FROM positions p
				WHERE p.guild_id = $1 AND p.status = 'open' AND lower(p.location) > l.key
				ORDER BY lower(p.location) LIMIT 1) next
			WHERE l.n < $4
		)
		SELECT location FROM l WHERE key <> '' AND strpos(key, lower($2)) > 0 LIMIT $3`,
		guildID, strings.TrimSpace(typed), clampLimit(limit), locationWalk)
	if err != nil {
		return nil, wrap("suggest locations", err)
	}
	locations, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, wrap("suggest locations", err)
	}
	return locations, nil
}

// Programs suggests programs, each once whatever its casing, in the casing most used: those
// open positions ask for and those students' profiles name.
func (s *Store) Programs(ctx context.Context, guildID, typed string, limit int) ([]string, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT program FROM (
			SELECT DISTINCT ON (lower(program)) program FROM (
				SELECT unnest(programs) AS program FROM positions WHERE guild_id = $1 AND status = 'open'
				UNION ALL
				SELECT program FROM profiles WHERE guild_id = $1 AND program <> ''
			) named
			WHERE strpos(lower(program), lower($2)) > 0
			GROUP BY program
			ORDER BY lower(program), count(*) DESC, program
		) distinct_programs
		ORDER BY lower(program) LIMIT $3`,
		guildID, strings.TrimSpace(typed), clampLimit(limit))
	if err != nil {
		return nil, wrap("suggest programs", err)
	}
	programs, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, wrap("suggest programs", err)
	}
	return programs, nil
}

// isHan reports whether r is a Chinese character, in the ranges migrations/008_search.sql
// writes as bigrams.
func isHan(r rune) bool {
	return r >= 0x3400 && r <= 0x4dbf || r >= 0x4e00 && r <= 0x9fff || r >= 0xf900 && r <= 0xfaff
}

// searchWords rewrites a keyword for search_query as the index holds the text: a run of three
// or more Han characters becomes its overlapping bigrams, quoted as a phrase so that they must
// stand in order ("厨房帮工" becomes "厨房 房帮 帮工" in quotes); a run of one or two stays as
// it is. A run inside the member's own quotes, or right after their "-", stays part of them.
func searchWords(typed string) string {
	rs := []rune(typed)
	var b strings.Builder
	quoted := false
	for i := 0; i < len(rs); {
		if !isHan(rs[i]) {
			if rs[i] == '"' {
				quoted = !quoted
			}
			b.WriteRune(rs[i])
			i++
			continue
		}
		j := i
		for j < len(rs) && isHan(rs[j]) {
			j++
		}
		run := rs[i:j]
		// Latin letters touching the run are another word.
		if i > 0 && rs[i-1] != '"' && (rs[i-1] != '-' || i > 1 && rs[i-2] != ' ') {
			b.WriteByte(' ')
		}
		if len(run) <= 2 {
			b.WriteString(string(run))
		} else {
			if !quoted {
				b.WriteByte('"')
			}
			for k := 0; k+1 < len(run); k++ {
				if k > 0 {
					b.WriteByte(' ')
				}
				b.WriteString(string(run[k : k+2]))
			}
			if !quoted {
				b.WriteByte('"')
			}
		}
		b.WriteByte(' ')
		i = j
	}
	return b.String()
}

// query builds a statement from optional conditions; "$?" in a condition is numbered in order.
type query struct {
	sql  string
	args []any
}

func newQuery(sql string, args ...any) *query { return &query{sql: sql, args: args} }

// where adds "AND cond", numbering its placeholders after the arguments so far.
func (q *query) where(cond string, args ...any) {
	for _, a := range args {
		q.args = append(q.args, a)
		cond = strings.Replace(cond, "$?", "$"+strconv.Itoa(len(q.args)), 1)
	}
	q.sql += " AND " + cond
}

// dateOnly is the calendar day of t, as the date columns hold it.
func dateOnly(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}
