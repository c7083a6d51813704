package placement

import "time"

// Status is where an application stands.
type Status string

// The lifecycle: submitted → shortlisted → offered → accepted → approved, with side exits.
const (
	Submitted   Status = "submitted"
	Shortlisted Status = "shortlisted"
	Offered     Status = "offered"
	Accepted    Status = "accepted"
	Approved    Status = "approved"
	Withdrawn   Status = "withdrawn"
	Rejected    Status = "rejected"
	Declined    Status = "declined"
	Expired     Status = "expired"
)

// Final reports whether nothing can happen to the application any more.
func (s Status) Final() bool {
	switch s {
	case Approved, Withdrawn, Rejected, Declined, Expired:
		return true
	}
	return false
}

// HoldsSlot reports whether an application in this status uses one of the position's slots.
func (s Status) HoldsSlot() bool { return s == Offered || s == Accepted || s == Approved }

// Open reports whether the application counts against the student's cap of open applications.
func (s Status) Open() bool { return !s.Final() }

// Who may move an application: the student who applied, a mentor of the position's
// enterprise, a coordinator, or the system (expiry).
type Party int

// Parties to a transition.
const (
	PartyStudent Party = iota
	PartyMentor
	PartyCoordinator
	PartySystem
)

type edge struct {
	from, to Status
	by       Party
}

// lifecycle is the one place the allowed transitions are written down.
var lifecycle = []edge{
	{Submitted, Shortlisted, PartyMentor},
	{Submitted, Offered, PartyMentor},
	{Shortlisted, Offered, PartyMentor},
	{Offered, Accepted, PartyStudent},
	{Offered, Declined, PartyStudent},
	{Offered, Expired, PartySystem},
	{Accepted, Approved, PartyCoordinator},
	{Submitted, Rejected, PartyMentor},
	{Shortlisted, Rejected, PartyMentor},
	{Submitted, Rejected, PartyCoordinator},
	{Shortlisted, Rejected, PartyCoordinator},
	{Offered, Rejected, PartyCoordinator},
	{Accepted, Rejected, PartyCoordinator},
	{Submitted, Withdrawn, PartyStudent},
	{Shortlisted, Withdrawn, PartyStudent},
	{Offered, Withdrawn, PartyStudent},
	{Accepted, Withdrawn, PartyStudent},
}

// CanTransition reports whether party may move an application from one status to another.
func CanTransition(from, to Status, by Party) bool {
	for _, e := range lifecycle {
		if e.from == from && e.to == to && e.by == by {
			return true
		}
	}
	return false
}

// FromStatuses lists the statuses party may move an application to `to` from.
func FromStatuses(to Status, by Party) []Status {
	var out []Status
	for _, e := range lifecycle {
		if e.to == to && e.by == by {
			out = append(out, e.from)
		}
	}
	return out
}

// Application is a student's application to a position.
type Application struct {
	ID             int64
	GuildID        string
	PositionID     int64
	PositionTitle  string
	EnterpriseID   int64
	EnterpriseName string
	StudentID      string
	Status         Status
	Motivation     string
	Reason         string // the last decision's note; PlacedElsewhere when the bot withdrew it
	Attempt        int    // 1, or 2 once the student applied again after withdrawing
	OfferedAt      time.Time
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Reapplied reports whether the student applied again after withdrawing, so that withdrawing
// once more is final.
func (a Application) Reapplied() bool { return a.Attempt >= 2 }

// CanReapply reports whether the student may apply to the position again: once, after
// withdrawing it on its first attempt.
func (a Application) CanReapply() bool { return a.Status == Withdrawn && !a.Reapplied() }

// Event is one recorded transition.
type Event struct {
	ApplicationID int64
	From, To      Status
	ActorID       string
	Note          string
	At            time.Time
}

// Transition asks the store to move one application atomically: only if its status is still
// one of From, keeping the position's slots when the new status holds one, and writing the
// lifecycle event and the effects in the same transaction.
type Transition struct {
	GuildID       string
	ApplicationID int64
	From          []Status
	To            Status
	ActorID       string
	Note          string
	At            time.Time
	// Effects builds the effects for the application as it was before the change (its Status
	// is the transition's from); they must hold the transition's LifecycleAudit.
	Effects func(Application) Effects
}
