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
	Name          string  // their display name at their last interaction
	Undelivered   int     // notifications that could not be sent by DM
}

// EnterpriseFilter narrows enterprise lists; empty fields do not filter.
type EnterpriseFilter struct {
	Status EnterpriseStatus
	Prefix string // name starts with (case-insensitive), for autocomplete
	// Contains: the name holds it anywhere (case-insensitive), for searching the list.
	Contains string
	// After: only enterprises after the one with this id in name order, for the next page.
	After int64
	Limit int
}

// Applicant is an application with the applicant's profile, for mentors.
type Applicant struct {
	Application
	Profile Profile // zero when the student has none
}

// Store is everything the domain keeps durable, one interface per aggregate. Every call is
// scoped to one guild (the jobs' sweeps and the outbox serve every guild and say so); methods
// that change several rows do so in one transaction.
//
// The effects contract. Every method that changes what the domain keeps takes its effects in
// one shape, Effects: the audit events that record the change and the notifications that
// announce it, written in the change's transaction, so a change is never committed without
// its record or its messages, nor they without it. Audit is required: effects without an audit
// event (or with one that does not say who did what to which subject) are refused with
// ErrNoAudit or ErrBadAudit, an internal error, and nothing changes. A method takes
//
//   - Effects, when the service can build them before the call (it read the row it changes, or
//     the change needs no row: settings, compliance, a tick, a placement's supervisor);
//   - func(T) Effects, when they name what only the transaction knows: a row it creates (the
//     id of an enterprise, position or application), the row as it locked it (an application's
//     status before it moves, a pending enterprise's requester), or the rows a sweep picks.
//     The function is called inside the transaction, once per row, and must only build values.
//
// A change that finds nothing to change (ticking a ticked item, linking a linked mentor) writes
// no effects. An application's moves also write its lifecycle event (its timeline); their
// effects must hold the move's LifecycleAudit, which is what the audit trail shows, so the two
// never disagree. Bookkeeping that decides nothing is not audited: the language of a member's
// last interaction (SetMemberLocale), showing missed notifications (TakeUndelivered), a
// notification queued on its own (QueueNotification: the digest reports, it decides nothing)
// and the outbox's claims and outcomes.
type Store interface {
	GuildStore
	MemberStore
	EnterpriseStore
	ProfileStore
	PositionStore
	ApplicationStore
	ApprovalStore
	PlacementStore
	InvitationStore
	AuditStore
	OutboxStore
	JobStore
	RoundStore
}

// GuildStore keeps guild settings.
type GuildStore interface {
	// FindGuildSettings returns the guild's settings, or empty settings for a guild never set up.
	FindGuildSettings(ctx context.Context, guildID string) (GuildSettings, error)
	UpdateGuildSettings(ctx context.Context, guildID string, upd GuildSettingsUpdate, fx Effects) (GuildSettings, error)
	// CountLinkedMentors counts the members linked to an enterprise of the guild as mentors.
	CountLinkedMentors(ctx context.Context, guildID string) (int, error)
}

// MemberStore keeps what the bot remembers of each member between interactions.
type MemberStore interface {
	ActorFacts(ctx context.Context, guildID, userID string) (ActorFacts, error)
	// SetMemberLocale remembers the language of the member's last interaction; bookkeeping, not audited.
	SetMemberLocale(ctx context.Context, guildID, userID, locale string) error
	// SetMemberName remembers the member's display name, for coordinators' searches; bookkeeping,
	// not audited.
	SetMemberName(ctx context.Context, guildID, userID, name string) error
	// TakeUndelivered returns at most limit of the notifications that could not be DMed to the
	// member, the oldest, and marks those shown.
	TakeUndelivered(ctx context.Context, guildID, userID string, limit int) ([]Notification, error)
}

// EnterpriseStore keeps enterprises and the mentors linked to them.
type EnterpriseStore interface {
	CreateEnterprise(ctx context.Context, e Enterprise, effects func(Enterprise) Effects) (Enterprise, error)
	FindEnterprise(ctx context.Context, guildID string, id int64) (Enterprise, error)
	FindEnterprises(ctx context.Context, guildID string, f EnterpriseFilter) ([]Enterprise, error)
	// DecideEnterprise moves a pending enterprise to verified (linking its requester as mentor)
	// or refused, as decided by decidedBy.
	DecideEnterprise(ctx context.Context, guildID string, id int64, status EnterpriseStatus, note, decidedBy string, effects func(Enterprise) Effects) (Enterprise, error)
	// LinkMentor links a member to a verified enterprise, as linkedBy did.
	LinkMentor(ctx context.Context, guildID string, enterpriseID int64, userID, linkedBy string, fx Effects) error
	// UnlinkMentor removes a member from an enterprise's mentors; a member not linked changes
	// nothing and writes no effects.
	UnlinkMentor(ctx context.Context, guildID string, enterpriseID int64, userID string, fx Effects) error
	// SuspendEnterprise suspends a verified enterprise, closing its open positions, or (suspend
	// false) restores a suspended one, reopening the positions the suspension closed whose
	// deadline is not before today. Its effects get the enterprise as changed.
	SuspendEnterprise(ctx context.Context, guildID string, id int64, suspend bool, note string, today time.Time, effects func(Enterprise) Effects) (Enterprise, error)
}

// ProfileStore keeps students' profiles.
type ProfileStore interface {
	SaveProfile(ctx context.Context, p Profile, fx Effects) (Profile, error)
	FindProfile(ctx context.Context, guildID, userID string) (Profile, error)
	// HasAppliedTo reports whether the student applied to a position of one of the enterprises.
	HasAppliedTo(ctx context.Context, guildID, studentID string, enterpriseIDs []int64) (bool, error)
}

// PositionStore keeps positions and answers the searches over them.
type PositionStore interface {
	CreatePosition(ctx context.Context, p Position, effects func(Position) Effects) (Position, error)
	FindPosition(ctx context.Context, guildID string, id int64) (Position, error)
	// UpdatePosition replaces a position's posted fields; slots may not drop below those taken.
	UpdatePosition(ctx context.Context, p Position, fx Effects) (Position, error)
	SetPositionStatus(ctx context.Context, guildID string, id int64, status PositionStatus, fx Effects) (Position, error)
	// BrowsePositions returns open positions before their deadline with slots left, newest
	// first, with ids below after (0: from the newest).
	BrowsePositions(ctx context.Context, guildID string, f PositionFilter, after int64, limit int, today time.Time) (Page, error)
	EnterprisePositions(ctx context.Context, guildID string, enterpriseIDs []int64, limit int) ([]Position, error)
	// CandidatePositions returns the newest open positions (up to limit) sharing a skill or
	// program with the profile, for the service to rank.
	CandidatePositions(ctx context.Context, guildID string, p Profile, limit int, today time.Time) ([]Position, error)
	// SearchPositions finds positions whose title matches the prefix, for autocomplete.
	SearchPositions(ctx context.Context, guildID, prefix string, limit int) ([]Position, error)
	// PositionLocations suggests the locations of open positions containing what was typed.
	PositionLocations(ctx context.Context, guildID, typed string, limit int) ([]string, error)
	// Programs suggests the programs of open positions and of students' profiles containing
	// what was typed, each once whatever its casing.
	Programs(ctx context.Context, guildID, typed string, limit int) ([]string, error)
	// StudentApplicationsTo returns the student's application to each of the positions that
	// has one, by position id.
	StudentApplicationsTo(ctx context.Context, guildID, studentID string, positionIDs []int64) (map[int64]Application, error)
	// SearchEnterprisePositions finds the enterprises' positions in every status whose title
	// matches the prefix, newest first, for their mentors' autocomplete.
	SearchEnterprisePositions(ctx context.Context, guildID string, enterpriseIDs []int64, prefix string, limit int) ([]Position, error)
}

// ApplicationStore keeps applications and their lifecycle events.
type ApplicationStore interface {
	// CreateApplication files an application if DecideApplication allows it under cap open
	// applications on the day; its effects get the application as filed and must hold its
	// LifecycleAudit (from "" to submitted).
	CreateApplication(ctx context.Context, a Application, cap int, today time.Time, effects func(Application) Effects) (Application, error)
	// TransitionApplication moves an application if DecideTransition allows it.
	TransitionApplication(ctx context.Context, t Transition) (Application, error)
	FindApplication(ctx context.Context, guildID string, id int64) (Application, error)
	StudentApplications(ctx context.Context, guildID, studentID string) ([]Application, error)
	ApplicationEvents(ctx context.Context, guildID string, ids []int64) (map[int64][]Event, error)
	PositionApplicants(ctx context.Context, guildID string, positionID int64) ([]Applicant, error)
	// DueOffers lists offers older than their guild's expiry period, in every guild.
	DueOffers(ctx context.Context, now time.Time, limit int) ([]Application, error)
	// SuggestApplications lists at most f.Limit applications for an autocomplete, with their
	// positions and enterprises, in one query (see Service.SuggestApplications).
	SuggestApplications(ctx context.Context, guildID string, f ApplicationSuggest) ([]Application, error)
	// EndedPlacements maps the student's applications whose placement ended to when and why.
	EndedPlacements(ctx context.Context, guildID, studentID string) (map[int64]PlacementEnd, error)
	// ExpiringOffers lists offers expiring within the given time, whose student was not yet
	// reminded (OfferReminderKey), in every guild.
	ExpiringOffers(ctx context.Context, now time.Time, within time.Duration, limit int) ([]Application, error)
}

// ApprovalStore keeps the compliance gates, the checklists and the approvals.
type ApprovalStore interface {
	FindCompliance(ctx context.Context, guildID string) (Compliance, error)
	UpdateCompliance(ctx context.Context, guildID string, c Compliance, fx Effects) (Compliance, error)
	// TickCheck sets or clears one checklist item of an application (accepted or earlier, not
	// final) and returns the items now ticked.
	TickCheck(ctx context.Context, t Tick, fx Effects) ([]string, error)
	Checks(ctx context.Context, guildID string, appID int64) ([]string, error)
	// CountTicks counts the open applications (not final) with any of the items ticked.
	CountTicks(ctx context.Context, guildID string, items []string) (int, error)
	// ApprovalQueue returns accepted applications oldest first after the cursor.
	ApprovalQueue(ctx context.Context, guildID string, f QueueFilter, after QueueCursor, limit int) (QueuePage, error)
	// ApproveApplication, in one transaction, approves the application if DecideApproval allows
	// it, creates the placement (mentor: the position's poster if still a mentor, else the first
	// linked mentor), and withdraws the student's other open applications freeing their slots.
	ApproveApplication(ctx context.Context, a Approval) (Placement, error)
}

// PlacementStore keeps placements once approved.
type PlacementStore interface {
	FindPlacement(ctx context.Context, guildID string, id int64) (Placement, error)
	FindPlacements(ctx context.Context, guildID string, f PlacementFilter, limit int) ([]Placement, error)
	SetSupervisor(ctx context.Context, guildID string, id int64, userID string, fx Effects) (Placement, error)
	// RequestEnd records the student's wish to end an active placement early.
	RequestEnd(ctx context.Context, guildID string, id int64, reason string, fx Effects) (Placement, error)
	// EndPlacement ends an active placement early, freeing its slot so the position takes
	// applications again.
	EndPlacement(ctx context.Context, guildID string, id int64, reason string, fx Effects) (Placement, error)
}

// InvitationStore keeps mentors' invitations of students and the settings they follow.
type InvitationStore interface {
	// InvitationCandidates returns up to limit students with a profile sharing a skill or the
	// program with the position, invitations on, no active placement and no application to it,
	// with their remembered names and when they were invited to it, the most recently updated
	// profiles first; studentID, when set, looks for that student only.
	InvitationCandidates(ctx context.Context, guildID string, p Position, studentID string, limit int) ([]Candidate, error)
	// CreateInvitation records an invitation unless the student was invited to the position
	// before (AlreadyInvited) or the position sent perDay invitations since dayStart
	// (InvitationLimitReached); its effects get the invitation as created.
	CreateInvitation(ctx context.Context, inv Invitation, perDay int, dayStart time.Time, effects func(Invitation) Effects) (Invitation, error)
	FindInvitation(ctx context.Context, guildID string, id int64) (Invitation, error)
	// DeclineInvitation records the student's no thanks at the time at.
	DeclineInvitation(ctx context.Context, guildID string, id int64, at time.Time, fx Effects) (Invitation, error)
	// InvitationLimit is the guild's invitations per position and day.
	InvitationLimit(ctx context.Context, guildID string) (int, error)
	SetInvitationLimit(ctx context.Context, guildID string, perDay int, fx Effects) error
	// SetInvitationsOff turns invitations off or on on the student's profile (ENOTFOUND without one).
	SetInvitationsOff(ctx context.Context, guildID, userID string, off bool, fx Effects) (Profile, error)
}

// AuditStore reads the decision trail the effects of every change wrote.
type AuditStore interface {
	// AuditTrail returns the decisions about a subject oldest first: "application:<id>",
	// "position:<id>", "placement:<id>", "student:<user id>" (everything about their profile,
	// applications and placements), "enterprise:<id>" (it, its positions, the lifecycle of the
	// applications to them, its placements).
	AuditTrail(ctx context.Context, guildID, subject string, limit int) ([]AuditEntry, error)
	// ApplicationsByStudentName returns at most limit applications, newest first, of the
	// students whose remembered display name contains name (ignoring case).
	ApplicationsByStudentName(ctx context.Context, guildID, name string, limit int) ([]NamedApplication, error)
}

// OutboxStore is the durable queue of notifications the outbox workers drain, across guilds.
type OutboxStore interface {
	// ClaimNotifications leases up to limit due notifications until now+lease, oldest first,
	// counting an attempt on each; rows leased by others are skipped.
	ClaimNotifications(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]QueuedNotification, error)
	MarkNotificationSent(ctx context.Context, c Claim, now time.Time) error
	RetryNotification(ctx context.Context, c Claim, next time.Time, errText string) error
	MarkNotificationUndeliverable(ctx context.Context, c Claim, errText string) error
	MarkNotificationFailed(ctx context.Context, c Claim, errText string) error
	// OutboxBacklog counts the notifications still pending.
	OutboxBacklog(ctx context.Context) (int, error)
}

// JobStore is what the time-driven jobs need. Every change is a guarded UPDATE that re-checks its
// condition on the row it changes, so several runs at once (replicas, retries) change each row
// once, and each change's effects are written with it.
type JobStore interface {
	// CloseDuePositions closes up to limit open positions whose deadline is before the date it
	// is at now in their guild's time zone.
	CloseDuePositions(ctx context.Context, now time.Time, limit int, effects func(PositionNotice) Effects) ([]PositionNotice, error)
	// FlagStalePositions flags up to limit open, unflagged positions confirmed last before
	// confirmedBefore, at the time at.
	FlagStalePositions(ctx context.Context, confirmedBefore, at time.Time, limit int, effects func(PositionNotice) Effects) ([]PositionNotice, error)
	// CloseStalePositions closes up to limit open positions flagged before flaggedBefore and not
	// confirmed since; it clears their flag.
	CloseStalePositions(ctx context.Context, flaggedBefore time.Time, limit int, effects func(PositionNotice) Effects) ([]PositionNotice, error)
	// ConfirmPosition records that an open position is still open: confirmed at the time at,
	// flag cleared. A closed position is ECONFLICT, a missing one ENOTFOUND.
	ConfirmPosition(ctx context.Context, guildID string, id int64, at time.Time, fx Effects) (Position, error)
	// RemindUnanswered marks up to limit submitted applications created before submittedBefore
	// and never reminded about as reminded at the time at, grouped by position.
	RemindUnanswered(ctx context.Context, submittedBefore, at time.Time, limit int, effects func(Reminder) Effects) ([]Reminder, error)
	// DigestGuilds lists up to limit guilds with a digest channel where it is at now fromHour
	// o'clock or later in the guild's time zone, and which have no digest for that local date
	// yet (DigestKey); with their time zone.
	DigestGuilds(ctx context.Context, now time.Time, fromHour, limit int) ([]GuildSettings, error)
	// DigestFacts counts what waits in the guild; Date is left to the caller.
	DigestFacts(ctx context.Context, guildID string, staleBefore, unansweredBefore time.Time) (Digest, error)
	// QueueNotification queues one notification unless its dedup key is taken, and reports
	// whether it did; it changes nothing else, so it takes no audit.
	QueueNotification(ctx context.Context, n Notification) (bool, error)
}
