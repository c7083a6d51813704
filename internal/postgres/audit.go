package postgres

import (
	"context"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"placementbot/internal/placement"
)

// AuditTrail returns the decisions about a subject of the guild, oldest first: the last limit of
// them when there are more. Every decision, an application's moves included, is an audit event
// written with the change it records, so the trail is read from audit_events alone, through an
// index on the guild and the subject, the student or the enterprise: the cost follows the
// subject's own history, never the guild's size.
//
//   - application:<id>, position:<id>, placement:<id>: the audit events about it;
//   - student:<user id>: the audit events about their applications and placements, or naming
//     them as detail.student_id (their profile's among them);
//   - enterprise:<id>: the audit events about it or belonging to its trail (enterprise_id): its
//     positions, the moves of the applications to them, its placements.
func (s *Store) AuditTrail(ctx context.Context, guildID, subject string, limit int) ([]placement.AuditEntry, error) {
	kind, key, _ := strings.Cut(subject, ":")
	id, idErr := strconv.ParseInt(key, 10, 64)
	var where string
	var args []any
	switch {
	case (kind == "application" || kind == "position" || kind == "placement") && idErr == nil && id > 0:
		where, args = `au.subject = $2`, []any{guildID, subject}
	case kind == "student" && key != "" && strings.Trim(key, "0123456789") == "":
		// One scan of audit_events, so that an event both about a placement and naming the
		// student is listed once; the planner ORs the subject and student indexes.
		where, args = `(
			au.subject = ANY(ARRAY(SELECT 'application:' || x.id FROM applications x
			                       WHERE x.guild_id = $1 AND x.student_id = $2)
			              || ARRAY(SELECT 'placement:' || x.id FROM placements x
			                       WHERE x.guild_id = $1 AND x.student_id = $2))
			OR au.detail->>'student_id' = $2)`, []any{guildID, key}
	case kind == "enterprise" && idErr == nil && id > 0:
		where, args = `(au.subject = $2 OR au.enterprise_id = $3)`, []any{guildID, subject, id}
	default:
		return nil, placement.Errorf(placement.EINVALID, "err.audit_subject", nil)
	}
	rows, err := s.pool.Query(ctx, `
		SELECT au.created_at, au.actor_id, au.action, au.subject, au.detail
		FROM audit_events au
		WHERE au.guild_id = $1 AND `+where+`
		ORDER BY au.created_at DESC, au.id DESC
		LIMIT `+strconv.Itoa(clampTrail(limit)), args...)
	if err != nil {
		return nil, wrap("audit trail", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (placement.AuditEntry, error) {
		var e placement.AuditEntry
		err := r.Scan(&e.At, &e.ActorID, &e.Action, &e.Subject, &e.Detail)
		return e, err
	})
	if err != nil {
		return nil, wrap("audit trail", err)
	}
	slices.Reverse(out)
	return out, nil
}

// ApplicationsByStudentName returns at most limit applications of the guild, newest first, with
// their positions and enterprises, of the members whose display name contains name (ignoring
// case, in any script). It reads the guild's members by their primary key and each match's
// applications through applications_student, so its cost follows the guild's members, never
// its applications.
func (s *Store) ApplicationsByStudentName(ctx context.Context, guildID, name string, limit int) ([]placement.NamedApplication, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT `+applicationColumns+`, m.name
		FROM members m
		JOIN applications a ON a.guild_id = m.guild_id AND a.student_id = m.user_id
		JOIN positions p ON p.guild_id = a.guild_id AND p.id = a.position_id
		JOIN enterprises e ON e.guild_id = p.guild_id AND e.id = p.enterprise_id
		WHERE m.guild_id = $1 AND m.name <> '' AND strpos(lower(m.name), lower($2)) > 0
		ORDER BY a.id DESC
		LIMIT $3`, guildID, name, clampLimit(limit))
	if err != nil {
		return nil, wrap("applications by student name", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (placement.NamedApplication, error) {
		var na placement.NamedApplication
		var err error
		na.Application, err = scanApplication(r, &na.StudentName)
		return na, err
	})
	if err != nil {
		return nil, wrap("applications by student name", err)
	}
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
