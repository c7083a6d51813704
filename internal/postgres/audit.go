package postgres

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"placementbot/internal/placement"
)

// Parts of the trail's statements. Each part selects (at, actor, action, subject, detail,
// source, id), where source and id order entries of the same instant: lifecycle transitions
// before other decisions, each in the order written.
const (
	// trailEvents selects the transitions of the applications aliased a, as entries.
	trailEvents = `
		SELECT ev.created_at, ev.actor_id, 'application.' || ev.to_status, 'application:' || ev.application_id,
		       jsonb_build_object('from', ev.from_status, 'note', ev.note), 0, ev.id
		FROM application_events ev
		JOIN applications a ON a.guild_id = ev.guild_id AND a.id = ev.application_id `
	// trailAudit selects audit events, aliased au, as entries.
	trailAudit = `
		SELECT au.created_at, au.actor_id, au.action, au.subject, au.detail, 1, au.id
		FROM audit_events au `
)

// AuditTrail returns the decisions about a subject of the guild, oldest first: the last limit of
// them when there are more. Lifecycle transitions come from application_events and read as
// "application.<status>" with the previous status and the note; every other decision comes from
// audit_events. Each part is read through an index on the guild and the application, student,
// enterprise or subject, and keeps its newest limit rows, so the cost follows the subject's own
// history, never the guild's size.
//
//   - application:<id>: its transitions and the audit events about it;
//   - student:<user id>: the transitions of all their applications, and the audit events about
//     those applications, about their placements, or naming them as detail.student_id;
//   - enterprise:<id>: the audit events about it, the transitions of the applications to its
//     positions, and the audit events about its placements;
//   - placement:<id>: the audit events about it.
func (s *Store) AuditTrail(ctx context.Context, guildID, subject string, limit int) ([]placement.AuditEntry, error) {
	kind, key, _ := strings.Cut(subject, ":")
	id, idErr := strconv.ParseInt(key, 10, 64)
	var parts []string
	var args []any
	switch {
	case kind == "application" && idErr == nil && id > 0:
		args = []any{guildID, subject, id}
		parts = []string{
			trailEvents + `WHERE a.guild_id = $1 AND a.id = $3`,
			trailAudit + `WHERE au.guild_id = $1 AND au.subject = $2`,
		}
	case kind == "student" && key != "" && strings.Trim(key, "0123456789") == "":
		args = []any{guildID, key}
		parts = []string{
			trailEvents + `WHERE a.guild_id = $1 AND a.student_id = $2`,
			// One scan of audit_events, so that an event both about a placement and naming the
			// student is listed once; the planner ORs the subject and student indexes.
			trailAudit + `WHERE au.guild_id = $1 AND (
				au.subject = ANY(ARRAY(SELECT 'application:' || x.id FROM applications x
				                       WHERE x.guild_id = $1 AND x.student_id = $2)
				              || ARRAY(SELECT 'placement:' || x.id FROM placements x
				                       WHERE x.guild_id = $1 AND x.student_id = $2))
				OR au.detail->>'student_id' = $2)`,
		}
	case kind == "enterprise" && idErr == nil && id > 0:
		args = []any{guildID, subject, id}
		parts = []string{
			trailAudit + `WHERE au.guild_id = $1 AND au.subject = $2`,
			trailEvents + `JOIN positions p ON p.guild_id = a.guild_id AND p.id = a.position_id
				WHERE p.guild_id = $1 AND p.enterprise_id = $3`,
			trailAudit + `WHERE au.guild_id = $1 AND au.subject = ANY(ARRAY(
				SELECT 'placement:' || x.id FROM placements x WHERE x.guild_id = $1 AND x.enterprise_id = $3))`,
		}
	case kind == "placement" && idErr == nil && id > 0:
		args = []any{guildID, subject}
		parts = []string{trailAudit + `WHERE au.guild_id = $1 AND au.subject = $2`}
	default:
		return nil, placement.Errorf(placement.EINVALID, "err.audit_subject", nil)
	}
	limit = clampTrail(limit)
	// Each part keeps its own newest rows, and the union keeps the newest of those.
	newest := ` ORDER BY 1 DESC, 6 DESC, 7 DESC LIMIT ` + strconv.Itoa(limit)
	var union strings.Builder
	for i, p := range parts {
		if i > 0 {
			union.WriteString(" UNION ALL ")
		}
		union.WriteString("(" + p + newest + ")")
	}
	rows, err := s.pool.Query(ctx, `SELECT * FROM (`+union.String()+`) trail`+newest, args...)
	if err != nil {
		return nil, wrap("audit trail", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (placement.AuditEntry, error) {
		var e placement.AuditEntry
		var source int
		var id int64
		err := r.Scan(&e.At, &e.ActorID, &e.Action, &e.Subject, &e.Detail, &source, &id)
		return e, err
	})
	if err != nil {
		return nil, wrap("audit trail", err)
	}
	slices.Reverse(out)
	return out, nil
}

// clampTrail bounds a trail's length: 200 when unset, never more than 1000.
func clampTrail(n int) int {
	switch {
	case n <= 0:
		return 200
	case n > 1000:
		return 1000
	}
	return n
}
