package placement

import (
	"context"
	"time"
)

// RoundStatus says whether a round still takes ranks or was published.
type RoundStatus string

// Round statuses.
const (
	RoundStatusOpen      RoundStatus = "open"
	RoundStatusPublished RoundStatus = "published"
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
	// Member, when set, keeps the rounds the member takes part in: a position of the round
	// they applied to (Member.UserID) or of an enterprise they mentor (Member.Enterprises).
	Member *RoundMember
}

// RoundMember is who takes part in a round, for RoundFilter.
type RoundMember struct {
	UserID      string
	Enterprises []int64
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

// RoundClosed refuses a change of ranks after the round's deadline, naming it.
func RoundClosed(deadline time.Time) *Error {
	return Errorf(ECONFLICT, "err.round_closed", map[string]any{"DeadlineAt": deadline.Unix()})
}

// ErrRoundPublished refuses a change to a round already published, and a second publish.
var ErrRoundPublished = &Error{Code: ECONFLICT, Key: "err.round_published"}

// Rankable reports whether an application in this status takes part in a round's match: one a
// mentor could still offer.
func (s Status) Rankable() bool { return s == Submitted || s == Shortlisted }

// RankSide is whose list a rank belongs to.
type RankSide int

// The two sides of a round.
const (
	SideStudent RankSide = iota
	SidePosition
)

// RankList names one list of a round: a student's (StudentID) or a position's (PositionID).
type RankList struct {
	GuildID    string
	RoundID    int64
	Side       RankSide
	StudentID  string
	PositionID int64
}

// RoundEntry is one application of a round with both sides' ranks, as the match reads it.
type RoundEntry struct {
	ApplicationID int64
	Student       string
	Position      int64
	StudentRank   int // 0: not ranked
	PositionRank  int
}

// RoundSlot is a round position as the match sees it now.
type RoundSlot struct {
	RoundPosition
	Open     bool // still open: a closed position is left out of the match
	Free     int  // its free slots now
	Capacity int  // the smaller of its round slots and its free slots now
}

// StudentGroup is where a student of a round belongs, from their profile.
type StudentGroup struct {
	Program, Cohort string
}

// RoundMove is one matched application as the publishing transaction locked it, and what
// became of it.
type RoundMove struct {
	Application       // as locked, before the move
	Rank        int   // the student's rank of it
	Moved       bool  // moved to the round's outcome; false: the rules refused it (Refusal says why)
	Refusal     error // the rule that refused it
}

// RoundResultRow is one student's stored result: their match (ApplicationID 0 when unmatched)
// and the explanation.
type RoundResultRow struct {
	StudentID     string
	ApplicationID int64
	PositionID    int64
	Rank          int
	Ranked        int
	Skipped       bool // matched, but the rules refused the move at publish
	Higher        []MissedPosition
}

// RoundPublish is what the publishing transaction writes: the matched applications moved to
// To (each by the same rules as a single move: DecideTransition from From, a free slot), every
// student's result, the summary, and the effects: Moves builds each matched application's
// (with its LifecycleAudit when it moved), Round those of the round itself.
type RoundPublish struct {
	GuildID string
	RoundID int64
	ActorID string
	At      time.Time
	From    []Status
	To      Status
	Results []RoundResultRow
	Summary RoundPreview
	Moves   func(RoundMove) Effects
	// Round gets the moves decided and the linked mentors of each enterprise, and returns the
	// round's own effects: its audit event, the mentors' DMs and the unmatched students'.
	Round func(moves []RoundMove, mentors map[int64][]string) Effects
}

// RoundReminder is a member reminded to rank before a round's deadline.
type RoundReminder struct {
	GuildID   string
	RoundID   int64
	RoundName string
	Deadline  time.Time
	UserID    string
	Mentor    bool // a mentor of a position with applicants and no ranks; else a student without ranks
}

// RoundStore keeps placement rounds, their ranks and their results.
type RoundStore interface {
	// CreateRound opens the round over the open positions of its scope that are before their
	// deadline on today, have a free slot and are in no other open round (their free slots
	// become the round's); none is EINVALID err.round_no_positions. Its effects get the round
	// as created, with its positions.
	CreateRound(ctx context.Context, r Round, today time.Time, effects func(Round, []RoundPosition) Effects) (Round, []RoundPosition, error)
	FindRound(ctx context.Context, guildID string, id int64) (Round, error)
	// FindRounds lists rounds newest first.
	FindRounds(ctx context.Context, guildID string, f RoundFilter) ([]Round, error)
	// RoundSlots returns the round's positions as they are now, in title order.
	RoundSlots(ctx context.Context, guildID string, roundID int64) ([]RoundSlot, error)
	// RankList returns the rankable applications of one list on the round's open positions,
	// ranked first in their order, then the others by id; a position's list carries profiles.
	RankList(ctx context.Context, l RankList) ([]RankedApplication, error)
	// SetRanks replaces one list's ranks while the round is open and before its deadline at
	// now: the applications given rank 1, 2, … in order, the list's others none. An id not in
	// the list is ENOTFOUND err.round_not_in_list; a published round ErrRoundPublished, a due
	// one ECONFLICT err.round_closed.
	SetRanks(ctx context.Context, l RankList, appIDs []int64, now time.Time, fx Effects) error
	// LoadRound reads the round in one snapshot: each of its positions into slot, then every
	// entry (rankable applications on open positions, with both ranks) streamed from one query
	// into add; it returns the groups of the students met.
	LoadRound(ctx context.Context, guildID string, roundID int64, slot func(RoundSlot), add func(RoundEntry)) (map[string]StudentGroup, error)
	// SavePreview keeps the round's last preview.
	SavePreview(ctx context.Context, guildID string, roundID int64, p RoundPreview, fx Effects) error
	LastPreview(ctx context.Context, guildID string, roundID int64) (RoundPreview, bool, error)
	// PublishRound, in one transaction with the round locked, moves the matched applications,
	// writes their events, the results and every effect, and marks the round published; a
	// round published already is ErrRoundPublished and changes nothing.
	PublishRound(ctx context.Context, p RoundPublish) ([]RoundMove, error)
	// RoundResult returns the student's stored result, or false when they have none.
	RoundResult(ctx context.Context, guildID string, roundID int64, studentID string) (RoundResultRow, bool, error)
	// RemindRoundRanks records up to limit members of open rounds whose deadline is within
	// the given time of now who have not ranked and were not reminded, and writes each one's
	// effects; a member is reminded once per round.
	RemindRoundRanks(ctx context.Context, now time.Time, within time.Duration, limit int, effects func(RoundReminder) Effects) ([]RoundReminder, error)
}
