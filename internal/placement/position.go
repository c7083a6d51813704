package placement

import (
	"errors"
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

// Parse validates a posting against today's date. It reports every wrong field at once: the
// error joins one *Error per problem (see Problems), in the order of the wizard's fields.
func (in PositionInput) Parse(now time.Time) (Position, error) {
	var p Position
	var problems []error
	check := func(err error) bool {
		if err != nil {
			problems = append(problems, err)
		}
		return err == nil
	}
	var err error
	p.Title, err = cleanText("title", in.Title, 3, 100)
	check(err)
	p.Description, err = cleanText("description", in.Description, 0, 2000)
	check(err)
	p.Skills, err = ParseList("skills", in.Skills, 20, 40)
	check(err)
	p.Programs, err = ParseList("programs", in.Programs, 10, 80)
	check(err)
	p.Location, err = cleanText("location", in.Location, 0, 60)
	p.Remote = in.Remote
	if check(err) && p.Location == "" && !p.Remote {
		check(Errorf(EINVALID, "err.location_or_remote", nil))
	}
	p.Slots, err = ParseSlots(in.Slots)
	check(err)
	p.StartDate, err = ParseDate("start", in.Start)
	startOK := check(err)
	p.EndDate, err = ParseDate("end", in.End)
	endOK := check(err)
	p.Deadline, err = ParseDate("deadline", in.Deadline)
	deadlineOK := check(err)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	if startOK && endOK && p.EndDate.Before(p.StartDate) {
		check(Errorf(EINVALID, "err.end_before_start", nil))
	}
	if startOK && endOK && p.EndDate.Sub(p.StartDate) > 2*366*24*time.Hour {
		check(Errorf(EINVALID, "err.too_long_placement", nil))
	}
	if deadlineOK && p.Deadline.Before(today) {
		check(Errorf(EINVALID, "err.deadline_past", nil))
	}
	if deadlineOK && startOK && p.Deadline.After(p.StartDate) {
		check(Errorf(EINVALID, "err.deadline_after_start", nil))
	}
	p.Stipend, err = cleanText("stipend", in.Stipend, 0, 60)
	check(err)
	if len(problems) > 0 {
		return p, errors.Join(problems...)
	}
	p.Status = PositionOpen
	return p, nil
}

// Problems lists the domain errors in err: each of a joined error such as Parse returns,
// or the one error itself.
func Problems(err error) []*Error {
	if multi, ok := err.(interface{ Unwrap() []error }); ok {
		var out []*Error
		for _, e := range multi.Unwrap() {
			out = append(out, Problems(e)...)
		}
		return out
	}
	var e *Error
	if errors.As(err, &e) {
		return []*Error{e}
	}
	return nil
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
