package placement

import (
	"context"
	"time"
)

// ActorFacts is what the store knows about a member, fetched in one round trip per interaction.
type ActorFacts struct {
	Settings      GuildSettings
	EnterpriseIDs []int64 // verified enterprises the member is linked to as a mentor
	Locale        string  // the language of their last interaction
	Undelivered   int     // notifications that could not be sent by DM
}

// EnterpriseFilter narrows enterprise lists; empty fields do not filter.
type EnterpriseFilter struct {
	Status EnterpriseStatus
	Prefix string // name starts with (case-insensitive), for autocomplete
	Limit  int
}

// Applicant is an application with the applicant's profile, for mentors.
type Applicant struct {
	Application
	Profile Profile // zero when the student has none
}

// Store is everything the domain keeps durable. Every call is scoped to one guild; methods that
// change several rows do so in one transaction.
type Store interface {
	GuildStore
	ApprovalStore

	ActorFacts(ctx context.Context, guildID, userID string) (ActorFacts, error)
	SetMemberLocale(ctx context.Context, guildID, userID, locale string) error
	// TakeUndelivered returns the notifications that could not be DMed to the member and marks them shown.
	TakeUndelivered(ctx context.Context, guildID, userID string) ([]Notification, error)

	CreateEnterprise(ctx context.Context, e Enterprise, ev AuditEvent, notes func(Enterprise) []Notification) (Enterprise, error)
	FindEnterprise(ctx context.Context, guildID string, id int64) (Enterprise, error)
	FindEnterprises(ctx context.Context, guildID string, f EnterpriseFilter) ([]Enterprise, error)
	// DecideEnterprise moves a pending enterprise to verified (linking its requester as mentor) or refused.
	DecideEnterprise(ctx context.Context, guildID string, id int64, status EnterpriseStatus, note string, ev AuditEvent, notes func(Enterprise) []Notification) (Enterprise, error)
	LinkMentor(ctx context.Context, guildID string, enterpriseID int64, userID string, ev AuditEvent, notes []Notification) error

	SaveProfile(ctx context.Context, p Profile) (Profile, error)
	FindProfile(ctx context.Context, guildID, userID string) (Profile, error)
	// HasAppliedTo reports whether the student applied to a position of one of the enterprises.
	HasAppliedTo(ctx context.Context, guildID, studentID string, enterpriseIDs []int64) (bool, error)

	CreatePosition(ctx context.Context, p Position, notes func(Position) []Notification) (Position, error)
	FindPosition(ctx context.Context, guildID string, id int64) (Position, error)
	// UpdatePosition replaces a position's posted fields; slots may not drop below those taken.
	UpdatePosition(ctx context.Context, p Position) (Position, error)
	SetPositionStatus(ctx context.Context, guildID string, id int64, status PositionStatus, notes func(Position) []Notification) (Position, error)
	// BrowsePositions returns open positions before their deadline with slots left, newest
	// first, with ids below after (0: from the newest).
	BrowsePositions(ctx context.Context, guildID string, f PositionFilter, after int64, limit int, today time.Time) (Page, error)
	EnterprisePositions(ctx context.Context, guildID string, enterpriseIDs []int64, limit int) ([]Position, error)
	// CandidatePositions returns the newest open positions (up to limit) sharing a skill or
	// program with the profile, for the service to rank.
	CandidatePositions(ctx context.Context, guildID string, p Profile, limit int, today time.Time) ([]Position, error)
	// SearchPositions finds positions whose title matches the prefix, for autocomplete.
	SearchPositions(ctx context.Context, guildID, prefix string, limit int) ([]Position, error)

	// CreateApplication files an application if the position takes applications and the student
	// is under cap open applications; one per student and position.
	CreateApplication(ctx context.Context, a Application, cap int, today time.Time, notes func(Application, Position) []Notification) (Application, error)
	TransitionApplication(ctx context.Context, t Transition) (Application, error)
	FindApplication(ctx context.Context, guildID string, id int64) (Application, error)
	StudentApplications(ctx context.Context, guildID, studentID string) ([]Application, error)
	ApplicationEvents(ctx context.Context, guildID string, ids []int64) (map[int64][]Event, error)
	PositionApplicants(ctx context.Context, guildID string, positionID int64) ([]Applicant, error)
	// DueOffers lists offers older than their guild's expiry period.
	DueOffers(ctx context.Context, now time.Time, limit int) ([]Application, error)
}

// ApprovalStore keeps compliance, placements and the decision trail.
type ApprovalStore interface {
	FindCompliance(ctx context.Context, guildID string) (Compliance, error)
	UpdateCompliance(ctx context.Context, guildID string, c Compliance, ev AuditEvent) (Compliance, error)
	// TickCheck sets or clears one checklist item of an application (accepted or earlier, not
	// final) and records ev in the same transaction.
	TickCheck(ctx context.Context, guildID string, appID int64, item string, done bool, ev AuditEvent) ([]string, error)
	Checks(ctx context.Context, guildID string, appID int64) ([]string, error)
	// ApprovalQueue returns accepted applications oldest first after the cursor.
	ApprovalQueue(ctx context.Context, guildID string, f QueueFilter, after QueueCursor, limit int) (QueuePage, error)
	// ApproveApplication, in one transaction: the application must be accepted; every checklist
	// item ticked (else EINVALID err.checklist_missing with the items); the enterprise under its
	// quota of active placements (else ECONFLICT err.quota_full); the student without an active
	// placement (else ECONFLICT err.already_placed). It approves the application, creates the
	// placement (mentor: the position's poster if still a mentor, else the first linked mentor),
	// withdraws the student's other open applications freeing their slots, and records every
	// event and notification.
	ApproveApplication(ctx context.Context, a Approval) (Placement, error)
	FindPlacement(ctx context.Context, guildID string, id int64) (Placement, error)
	FindPlacements(ctx context.Context, guildID string, f PlacementFilter, limit int) ([]Placement, error)
	SetSupervisor(ctx context.Context, guildID string, id int64, userID string, ev AuditEvent, notes []Notification) (Placement, error)
	// RequestEnd records the student's wish to end an active placement early.
	RequestEnd(ctx context.Context, guildID string, id int64, reason string, ev AuditEvent, notes []Notification) (Placement, error)
	// EndPlacement ends an active placement early, freeing its slot so the position takes
	// applications again.
	EndPlacement(ctx context.Context, guildID string, id int64, reason string, ev AuditEvent, notes []Notification) (Placement, error)
	// AuditTrail returns the decisions about a subject oldest first: "application:<id>" (its
	// transitions and checklist ticks), "student:<user id>" (everything about their
	// applications and placements), "enterprise:<id>".
	AuditTrail(ctx context.Context, guildID, subject string, limit int) ([]AuditEntry, error)
}
