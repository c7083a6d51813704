package placement

import (
	"errors"
	"fmt"
	"time"
)

// Effects are what goes with one change, written by the store in the change's transaction: the
// audit events that record it (at least one: nothing a member or the bot decides may be missing
// from the audit trail) and the notifications that announce it.
type Effects struct {
	Audit []AuditEvent
	Notes []Notification
}

// Audited returns the effects of a change recorded by ev and announced by notes.
func Audited(ev AuditEvent, notes ...Notification) Effects {
	return Effects{Audit: []AuditEvent{ev}, Notes: notes}
}

// ErrNoAudit means a change came without an audit event; the store refuses it.
var ErrNoAudit = errors.New("placement: a change must record an audit event")

// ErrBadAudit means an audit event lacks what makes it readable in the trail.
var ErrBadAudit = errors.New("placement: incomplete audit event")

// Validate refuses effects without an audit event, with an audit event that does not say who did
// what to which subject, or with a notification that cannot be sent. The errors are not domain
// errors: they are bugs of the caller, which members see as an internal error.
func (e Effects) Validate() error {
	if len(e.Audit) == 0 {
		return ErrNoAudit
	}
	for _, ev := range e.Audit {
		if ev.ActorID == "" || ev.Action == "" || ev.Subject == "" {
			return fmt.Errorf("%w: actor %q, action %q, subject %q", ErrBadAudit, ev.ActorID, ev.Action, ev.Subject)
		}
	}
	for _, n := range e.Notes {
		if err := n.Validate(); err != nil {
			return err
		}
	}
	return nil
}

// Records reports whether the effects hold an audit event of the action about the subject.
func (e Effects) Records(action, subject string) bool {
	for _, ev := range e.Audit {
		if ev.Action == action && ev.Subject == subject {
			return true
		}
	}
	return false
}

// ErrNoLifecycleAudit means an application changed status without the audit event of that
// change, which would leave the trail and the application's timeline telling different stories.
var ErrNoLifecycleAudit = errors.New("placement: an application transition must record its lifecycle audit event")

// RequireLifecycle refuses effects of an application's move to a status that do not record it
// with LifecycleAudit's action and subject.
func (e Effects) RequireLifecycle(appID int64, to Status) error {
	if !e.Records(LifecycleAction(to), ApplicationSubject(appID)) {
		return fmt.Errorf("%w: application %d to %s", ErrNoLifecycleAudit, appID, to)
	}
	return nil
}

// LifecycleAction is the audit action of an application's move to a status: "application.offered".
func LifecycleAction(to Status) string { return "application." + string(to) }

// ApplicationSubject is the audit subject of an application: "application:12".
func ApplicationSubject(id int64) string { return "application:" + idStr(id) }

// PositionSubject is the audit subject of a position: "position:7".
func PositionSubject(id int64) string { return "position:" + idStr(id) }

// EnterpriseSubject is the audit subject of an enterprise: "enterprise:3".
func EnterpriseSubject(id int64) string { return "enterprise:" + idStr(id) }

// PlacementSubject is the audit subject of a placement: "placement:5".
func PlacementSubject(id int64) string { return "placement:" + idStr(id) }

// StudentSubject is the audit subject of a student's own records (their profile): "student:<user id>".
func StudentSubject(userID string) string { return "student:" + userID }

// LifecycleAudit is the audit event of an application's move from one status to another (from
// is empty when it is filed), as the trail shows it next to the application's timeline: by the
// actor, with the note, at the time. It belongs to the trail of the position's enterprise.
func LifecycleAudit(app Application, from, to Status, actorID, note string, at time.Time) AuditEvent {
	return AuditEvent{GuildID: app.GuildID, ActorID: actorID, Action: LifecycleAction(to), Subject: ApplicationSubject(app.ID),
		EnterpriseID: app.EnterpriseID, Detail: map[string]any{"from": string(from), "note": note}, At: at}
}
