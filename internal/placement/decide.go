package placement

import (
	"slices"
	"strings"
	"time"
)

// The rules that decide whether a change may happen are pure functions over the facts the store
// read with the rows locked: the store locks, reads, asks the rule, then writes. One approval and
// a round's thousand approvals in one transaction thus obey the same code, and the rules are
// tested without a database. The database's constraints (slots never below zero or above the
// position's, one active placement per student) stay as the last line of defence.

// DecideApplication says whether a student may apply to the position on the day: the position
// must be open, before its deadline (inclusive) and not full; the student must have fewer than
// cap open applications (cap < 1: no limit) and no application to it yet, unless prior, their
// application to it, was withdrawn on its first attempt: a student may apply again once, and
// a second withdrawal is final.
func DecideApplication(pos Position, today time.Time, openApplications, cap int, prior *Application) error {
	title := map[string]any{"Title": pos.Title}
	switch {
	case pos.Status != PositionOpen:
		return Errorf(ECONFLICT, "err.position_closed", title)
	case pos.Deadline.Before(dayOf(today)):
		return Errorf(ECONFLICT, "err.deadline_passed", title)
	case pos.Taken >= pos.Slots:
		return Errorf(ECONFLICT, "err.position_full", title)
	case prior != nil && prior.Status == Withdrawn && prior.Attempt >= 2:
		return Errorf(ECONFLICT, "apps.err_reapplied_once", title)
	case prior != nil && prior.Status != Withdrawn:
		return Errorf(ECONFLICT, "err.already_applied", title)
	case cap > 0 && openApplications >= cap:
		return Errorf(ECONFLICT, "err.application_cap", map[string]any{"Cap": cap})
	}
	return nil
}

// DecideTransition says whether an application may move on: its status must still be one of
// from, the statuses the lifecycle allows the move from.
func DecideTransition(app Application, from []Status) error {
	if !slices.Contains(from, app.Status) {
		return Errorf(ECONFLICT, "err.status_changed", map[string]any{"Status": string(app.Status)})
	}
	return nil
}

// ApprovalFacts are what an approval is decided on, as the store read them with the application,
// the enterprise and the student locked.
type ApprovalFacts struct {
	Application        Application // as locked
	StaffSize          int         // the enterprise's staff
	Ticked             []string    // the application's checklist items ticked
	ActiveInEnterprise int         // the enterprise's active placements
	StudentPlaced      bool        // the student already has an active placement
}

// DecideApproval says whether an application may become a placement under the compliance, in
// this order: it must be accepted (else ECONFLICT err.status_changed); every checklist item
// ticked (else EINVALID err.checklist_missing, naming the items); the enterprise under its quota
// of active placements (else ECONFLICT err.quota_full); the student without an active placement
// (else ECONFLICT err.already_placed).
func DecideApproval(f ApprovalFacts, c Compliance) error {
	app := f.Application
	if app.Status != Accepted {
		return Errorf(ECONFLICT, "err.status_changed", map[string]any{"Status": string(app.Status)})
	}
	if missing := c.Missing(f.Ticked); len(missing) > 0 {
		return Errorf(EINVALID, "err.checklist_missing", map[string]any{"Items": strings.Join(missing, ", ")})
	}
	if quota := c.QuotaFor(f.StaffSize); f.ActiveInEnterprise >= quota {
		return Errorf(ECONFLICT, "err.quota_full", map[string]any{"Enterprise": app.EnterpriseName, "Quota": quota, "Active": f.ActiveInEnterprise})
	}
	if f.StudentPlaced {
		return Errorf(ECONFLICT, "err.already_placed", nil)
	}
	return nil
}

// dayOf is the calendar day of t, in UTC as the date columns hold it.
func dayOf(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}
