package placement

import (
	"strconv"
	"strings"
	"time"
)

// PositionStatus says whether students can apply.
type PositionStatus string

// Position statuses.
const (
	PositionOpen   PositionStatus = "open"
	PositionClosed PositionStatus = "closed"
)

// Position is an internship an enterprise offers.
type Position struct {
	ID             int64
	GuildID        string
	EnterpriseID   int64
	EnterpriseName string
	Title          string
	Description    string
	Skills         []string
	Programs       []string
	Location       string
	Remote         bool
	Slots          int
	Taken          int // offered + accepted + approved
	StartDate      time.Time
	EndDate        time.Time
	Deadline       time.Time
	Stipend        string
	Status         PositionStatus
	CreatedBy      string
	CreatedAt      time.Time
}

// SlotsLeft is how many more offers the position can make.
func (p Position) SlotsLeft() int { return max(p.Slots-p.Taken, 0) }

// Open reports whether students can apply now: open, before its deadline (inclusive) and not
// full. The deadline ends at midnight in now's location: pass now in the guild's time zone.
func (p Position) Open(now time.Time) bool {
	return p.Status == PositionOpen && !now.After(DayEnd(p.Deadline, now.Location())) && p.SlotsLeft() > 0
}

// PositionInput is a posting as typed in the wizard; every field is text until validated.
type PositionInput struct {
	Title, Description, Skills, Programs, Location, Slots, Start, End, Deadline, Stipend string
	Remote                                                                               bool
}

// Parse validates a posting against today's date.
func (in PositionInput) Parse(now time.Time) (Position, error) {
	var p Position
	var err error
	if p.Title, err = cleanText("title", in.Title, 3, 100); err != nil {
		return p, err
	}
	if p.Description, err = cleanText("description", in.Description, 0, 2000); err != nil {
		return p, err
	}
	if p.Skills, err = ParseList("skills", in.Skills, 20, 40); err != nil {
		return p, err
	}
	if p.Programs, err = ParseList("programs", in.Programs, 10, 80); err != nil {
		return p, err
	}
	if p.Location, err = cleanText("location", in.Location, 0, 60); err != nil {
		return p, err
	}
	p.Remote = in.Remote
	if p.Location == "" && !p.Remote {
		return p, Errorf(EINVALID, "err.location_or_remote", nil)
	}
	if p.Slots, err = ParseSlots(in.Slots); err != nil {
		return p, err
	}
	if p.StartDate, err = ParseDate("start", in.Start); err != nil {
		return p, err
	}
	if p.EndDate, err = ParseDate("end", in.End); err != nil {
		return p, err
	}
	if p.Deadline, err = ParseDate("deadline", in.Deadline); err != nil {
		return p, err
	}
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	switch {
	case p.EndDate.Before(p.StartDate):
		return p, Errorf(EINVALID, "err.end_before_start", nil)
	case p.Deadline.Before(today):
		return p, Errorf(EINVALID, "err.deadline_past", nil)
	case p.Deadline.After(p.StartDate):
		return p, Errorf(EINVALID, "err.deadline_after_start", nil)
	case p.EndDate.Sub(p.StartDate) > 2*366*24*time.Hour:
		return p, Errorf(EINVALID, "err.too_long_placement", nil)
	}
	if p.Stipend, err = cleanText("stipend", in.Stipend, 0, 60); err != nil {
		return p, err
	}
	p.Status = PositionOpen
	return p, nil
}

// ParseSlots reads the number of places: a whole number from 1 to 500.
func ParseSlots(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 1 || n > 500 {
		return 0, Errorf(EINVALID, "err.slots", map[string]any{"Value": truncate(strings.TrimSpace(s), 12)})
	}
	return n, nil
}

// PositionFilter narrows browsing. Empty fields do not filter.
type PositionFilter struct {
	Keyword      string // full-text
	Skill        string
	Program      string
	Location     string
	EnterpriseID int64
	RemoteOnly   bool
}

// PageSize is how many positions one browse page shows (one select menu option each).
const PageSize = 10

// Page is one page of browse results; After is the keyset cursor of the next page (0: none).
type Page struct {
	Positions []Position
	After     int64
	HasMore   bool
}
