package placement

import (
	"slices"
	"strings"
	"time"
	"unicode"
)

// Compliance is a guild's gates before approval: the checklist every application must have
// ticked, the share of an enterprise's staff that may be interns at once, and whether mentors
// may tick items (coordinators always may).
//
// A checklist item is the id of a default item ("agreement") or the school's own item as the
// coordinator typed it ("Health Check"). Its identity is its CheckKey, which ignores case and
// whether words are joined by spaces or underscores: ticks are kept by key, so retyping an item
// in other casing keeps its ticks, and two items with one key are one item.
type Compliance struct {
	Checklist          []string
	InternQuotaPercent int
	MentorsTickChecks  bool
}

// CheckKey is a checklist item's identity: lower-cased, its words joined by underscores.
func CheckKey(item string) string {
	return strings.Join(strings.FieldsFunc(strings.ToLower(item), func(r rune) bool { return r == '_' || unicode.IsSpace(r) }), "_")
}

// Item returns the checklist item with the key, as the guild wrote it.
func (c Compliance) Item(key string) (string, bool) {
	key = CheckKey(key)
	for _, it := range c.Checklist {
		if CheckKey(it) == key {
			return it, true
		}
	}
	return "", false
}

// Ticked reports whether the item is among the ticked keys.
func Ticked(ticked []string, item string) bool { return slices.Contains(ticked, CheckKey(item)) }

// DefaultChecklist is the checklist of a guild that never changed it.
var DefaultChecklist = []string{"agreement", "guardian_consent", "insurance"}

// ComplianceInput is /setup compliance as typed; empty fields keep the current value.
type ComplianceInput struct {
	Checklist    *string // comma-separated item names
	QuotaPercent *int
	MentorsTick  *bool
	// ConfirmRemoval: the coordinator confirmed removing items that applications have ticked.
	ConfirmRemoval bool
}

// checklistMaxItems and checklistMaxLen bound a typed checklist.
const checklistMaxItems, checklistMaxLen = 10, 40

// ParseChecklist reads a typed checklist: items as typed (spaces collapsed, casing kept), a
// default item's id for one typed by its key, and each key once.
func ParseChecklist(s string) ([]string, error) {
	if _, err := ParseList("checklist", s, checklistMaxItems, checklistMaxLen); err != nil {
		return nil, err
	}
	var out []string
	seen := map[string]bool{}
	for _, p := range splitList(s) {
		p = strings.Join(strings.Fields(p), " ")
		key := CheckKey(p)
		if key == "" || seen[key] {
			continue
		}
		seen[key] = true
		if slices.Contains(DefaultChecklist, key) {
			p = key
		}
		out = append(out, p)
	}
	return out, nil
}

// Removed lists the items of c that next no longer has, by key.
func (c Compliance) Removed(next Compliance) []string {
	var out []string
	for _, it := range c.Checklist {
		if _, ok := next.Item(it); !ok {
			out = append(out, it)
		}
	}
	return out
}

// Apply validates the input against the current compliance and returns the new one.
func (in ComplianceInput) Apply(cur Compliance) (Compliance, error) {
	out := cur
	if in.Checklist != nil {
		items, err := ParseChecklist(*in.Checklist)
		if err != nil {
			return cur, err
		}
		out.Checklist = items
	}
	if in.QuotaPercent != nil {
		if *in.QuotaPercent < 1 || *in.QuotaPercent > 100 {
			return cur, Errorf(EINVALID, "err.quota_range", map[string]any{"Value": *in.QuotaPercent})
		}
		out.InternQuotaPercent = *in.QuotaPercent
	}
	if in.MentorsTick != nil {
		out.MentorsTickChecks = *in.MentorsTick
	}
	return out, nil
}

// QuotaFor is how many interns an enterprise of this staff size may host at once.
func (c Compliance) QuotaFor(staff int) int { return staff * c.InternQuotaPercent / 100 }

// Quota is how many interns an enterprise may host at once under its guild's quota, rounded
// down as approval counts them: 3 staff at 10 % host none.
type Quota struct {
	Enterprise     string
	Staff, Percent int
	Interns        int
}

// MinStaff is the smallest staff that can host one intern at the quota's percent.
func (q Quota) MinStaff() int {
	if q.Percent <= 0 {
		return 0
	}
	return (100 + q.Percent - 1) / q.Percent
}

// Missing lists the checklist items whose keys are not among the ticked keys.
func (c Compliance) Missing(ticked []string) []string {
	var out []string
	for _, it := range c.Checklist {
		if !Ticked(ticked, it) {
			out = append(out, it)
		}
	}
	return out
}

// QueueItem is an accepted offer waiting for a coordinator, with what it still lacks.
type QueueItem struct {
	Application
	Program string   // the student's program, from their profile
	Ticked  []string // checklist items ticked
	Missing []string // checklist items still to tick
}

// QueueFilter narrows the approval queue.
type QueueFilter struct {
	Program      string
	EnterpriseID int64
}

// QueuePage is one page of the queue, oldest first; After is the cursor of the next page.
type QueuePage struct {
	Items   []QueueItem
	After   QueueCursor
	HasMore bool
	Total   int
}

// QueueCursor is the keyset position in the queue: oldest first by acceptance time, then id.
type QueueCursor struct {
	At time.Time
	ID int64
}

// PlacementStatus says whether a placement is running.
type PlacementStatus string

// Placement statuses.
const (
	PlacementActive PlacementStatus = "active"
	PlacementEnded  PlacementStatus = "ended"
)

// Placement is an approved internship: a student at an enterprise, with an enterprise mentor
// and a school supervisor.
type Placement struct {
	ID             int64
	GuildID        string
	ApplicationID  int64
	PositionID     int64
	PositionTitle  string
	EnterpriseID   int64
	EnterpriseName string
	StudentID      string
	MentorID       string
	SupervisorID   string
	Status         PlacementStatus
	EndRequested   string // the student's reason while an early end waits for a coordinator
	EndReason      string
	ApprovedBy     string
	StartedAt      time.Time
	EndedAt        time.Time
}

// PlacementFilter narrows the placements list.
type PlacementFilter struct {
	EnterpriseID int64
	SupervisorID string
	StudentID    string
	EndRequested bool // only those whose student asked to end early
}

// Approval asks the store to approve one accepted application atomically.
type Approval struct {
	GuildID       string
	ApplicationID int64
	ActorID       string
	At            time.Time
	Compliance    Compliance
	// Effects builds the effects of the approval for the application as it was before (accepted)
	// and the placement created; they must hold the approval's LifecycleAudit.
	Effects func(Application, Placement) Effects
	// Withdrawn builds the effects of withdrawing each of the student's other open applications,
	// given as they were before; each must hold its withdrawal's LifecycleAudit, with the note
	// PlacedElsewhere.
	Withdrawn func(Application) Effects
}

// PlacedElsewhere is the note a student's other applications are withdrawn with when one of
// them is approved: the bot's reason, not text anyone typed. It begins with a control
// character, which no member's text keeps, and is rendered in the reader's language, never
// shown as stored.
const PlacedElsewhere = "\x1fplaced_elsewhere"

// Tick asks the store to tick (Done) or clear one checklist item of an application.
type Tick struct {
	GuildID       string
	ApplicationID int64
	Item          string
	Done          bool
	ActorID       string
	At            time.Time
}

// AuditEntry is one line of a decision trail: a lifecycle transition or another decision.
type AuditEntry struct {
	At      time.Time
	ActorID string
	Action  string // "application.offered", "checklist.tick", "setup.update", …
	Subject string // "application:12", "enterprise:3", "placement:5", "guild:…"
	Detail  map[string]any
}
