package placement

import (
	"time"
)

// RoundStatus says whether a round still takes ranks or was published.
type RoundStatus string

// Round statuses.
const (
	RoundOpen      RoundStatus = "open"
	RoundPublished RoundStatus = "published"
)

// RoundOutcome says what a published match becomes.
type RoundOutcome string

// Round outcomes: offers the student accepts, or accepted applications in the approval queue.
const (
	OutcomeOffers   RoundOutcome = "offers"
	OutcomeApproval RoundOutcome = "approval"
)

// The limits of a round's student lists.
const (
	DefaultMaxRanks = 10
	MaxMaxRanks     = 50
)

// RoundScope says which open positions take part in a round; both zero is all of them.
type RoundScope struct {
	Enterprise int64  // only this enterprise's positions
	Program    string // only positions listing this program (any casing)
}

// Round is a placement round: students and mentors rank each other until the deadline, then
// a coordinator publishes the stable match computed from those ranks.
type Round struct {
	ID          int64
	GuildID     string
	Name        string
	Scope       RoundScope
	Deadline    time.Time // the last instant ranks may change: the end of the deadline day in the guild's time zone
	MaxRanks    int       // how many positions a student may rank
	Outcome     RoundOutcome
	Seed        uint64 // the lottery that breaks the ties of mentors' lists, drawn at open
	Status      RoundStatus
	CreatedBy   string
	CreatedAt   time.Time
	PublishedBy string
	PublishedAt time.Time
}

// Due reports whether the ranking deadline has passed at now.
func (r Round) Due(now time.Time) bool { return now.After(r.Deadline) }

// RoundSubject is the audit subject of a round: "round:4".
func RoundSubject(id int64) string { return "round:" + idStr(id) }

// RoundPosition is a position taking part in a round, fixed when the round opens.
type RoundPosition struct {
	PositionID     int64
	Title          string
	EnterpriseID   int64
	EnterpriseName string
	Slots          int // its free slots when the round opened: how many students it can take in the round
}

// RoundInput is a round as a coordinator typed it.
type RoundInput struct {
	Name       string
	Enterprise int64
	Program    string
	Deadline   string // a typed date (ParseDate)
	MaxRanks   int    // 0 is DefaultMaxRanks
	Outcome    string // "offers" (default) or "approval"
}

// RoundFilter narrows round lists; empty fields do not filter.
type RoundFilter struct {
	Status RoundStatus
	Prefix string // name starts with (case-insensitive), for autocomplete
	Limit  int
}

// RankedApplication is an application of a round with its place in a list (0: not ranked).
type RankedApplication struct {
	Applicant     // the profile is filled for mentors' lists only
	Rank      int // 1 is first
}

// RoundRanking is one list of a round: a student's applications or a position's applicants,
// ranked first in their order, then the unranked ones.
type RoundRanking struct {
	Round        Round
	Position     RoundPosition // set for a position's list
	Applications []RankedApplication
}

// Ranked counts the ranked applications of the list.
func (r RoundRanking) Ranked() int {
	n := 0
	for _, a := range r.Applications {
		if a.Rank > 0 {
			n++
		}
	}
	return n
}

// GroupCount is how many students of a group (a program, a cohort) were matched.
type GroupCount struct {
	Group     string // "" for students without a profile (or without a cohort)
	Matched   int
	Unmatched int
}

// UnfilledPosition is a round position left with free places by a match.
type UnfilledPosition struct {
	RoundPosition
	Free int // places of the round not matched
}

// RoundPreview is a summary of a match, as previewed or published.
type RoundPreview struct {
	RoundID     int64
	Seed        uint64
	Stable      bool // the stability check passed (a preview that fails it is never returned)
	Provisional bool // computed before the deadline: ranks may still change
	Students    int  // students with an open application in the round
	Entries     int  // rank entries the students made
	Matched     int
	Unmatched   int
	ByProgram   []GroupCount
	ByCohort    []GroupCount
	RankCounts  []int // RankCounts[0] students got their first choice
	Unfilled    []UnfilledPosition
	At          time.Time
	By          string
}

// RoundPublished is what publishing a round did.
type RoundPublished struct {
	Round     Round
	Summary   RoundPreview
	Moved     int // applications moved to offered or accepted
	Skipped   int // matches the rules refused at publish (the application or position changed)
	Unmatched int // students told they were not matched
}

// Reason is why a student did not get a position they ranked higher, naming no other student.
type Reason string

// The reasons of an explanation (matching.Why).
const (
	ReasonNotRanked Reason = "not_ranked" // the position's mentor did not rank the student
	ReasonFilled    Reason = "filled"     // its places went to students its mentor ranked higher
	ReasonNoPlace   Reason = "no_place"   // it had no free place in the round
)

// MissedPosition is a position a student ranked above their result, and why they missed it.
type MissedPosition struct {
	PositionID     int64
	Title          string
	EnterpriseName string
	Rank           int // the student's rank of it
	Reason         Reason
}

// RoundExplanation is a student's own result of a published round.
type RoundExplanation struct {
	Round         Round
	ApplicationID int64         // the application matched; 0 when unmatched
	Position      RoundPosition // the position matched; zero when unmatched
	Rank          int           // the student's rank of it; 0 when unmatched
	Ranked        int           // how many positions the student ranked
	Skipped       bool          // matched, but the rules refused the move at publish
	Higher        []MissedPosition
	Open          []RoundPosition // positions still open with free slots, told to unmatched students
}

// ErrRoundPublished refuses a change to a round already published, and a second publish.
var ErrRoundPublished = &Error{Code: ECONFLICT, Key: "err.round_published"}
