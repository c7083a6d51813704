package placement_test

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"placementbot/internal/placement"
)

// wantDecision fails unless err is nil (key "") or a domain error with the code, key and data.
func wantDecision(t *testing.T, err error, code, key string, data map[string]any) {
	t.Helper()
	if key == "" {
		if err != nil {
			t.Fatalf("err = %v, want allowed", err)
		}
		return
	}
	var e *placement.Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want %s (%s)", err, key, code)
	}
	if e.Code != code || e.Key != key {
		t.Fatalf("err = %s (%s), want %s (%s)", e.Key, e.Code, key, code)
	}
	if diff := cmp.Diff(data, e.Data); diff != "" {
		t.Fatalf("data (-want +got):\n%s", diff)
	}
}

func TestDecideApplication(t *testing.T) {
	today := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	open := placement.Position{Title: "CNC intern", Status: placement.PositionOpen, Slots: 2, Taken: 1, Deadline: today.AddDate(0, 0, 3)}
	with := func(change func(*placement.Position)) placement.Position {
		p := open
		change(&p)
		return p
	}
	title := map[string]any{"Title": "CNC intern"}
	prior := func(st placement.Status, attempt int) *placement.Application {
		return &placement.Application{Status: st, Attempt: attempt}
	}
	tests := []struct {
		name      string
		pos       placement.Position
		today     time.Time
		open, cap int
		prior     *placement.Application
		code, key string
		data      map[string]any
	}{
		{name: "allowed", pos: open, today: today, open: 3, cap: 10},
		{name: "on the deadline day, late in the day", pos: with(func(p *placement.Position) { p.Deadline = today }),
			today: today.Add(23 * time.Hour), cap: 10},
		{name: "the day after the deadline", pos: with(func(p *placement.Position) { p.Deadline = today.AddDate(0, 0, -1) }),
			today: today, cap: 10, code: placement.ECONFLICT, key: "err.deadline_passed", data: title},
		{name: "closed", pos: with(func(p *placement.Position) { p.Status = placement.PositionClosed }), today: today, cap: 10,
			code: placement.ECONFLICT, key: "err.position_closed", data: title},
		{name: "closed wins over late and full", pos: with(func(p *placement.Position) {
			p.Status, p.Deadline, p.Taken = placement.PositionClosed, today.AddDate(0, 0, -5), 2
		}), today: today, cap: 10, code: placement.ECONFLICT, key: "err.position_closed", data: title},
		{name: "late wins over full", pos: with(func(p *placement.Position) { p.Deadline, p.Taken = today.AddDate(0, 0, -1), 2 }),
			today: today, cap: 10, code: placement.ECONFLICT, key: "err.deadline_passed", data: title},
		{name: "full", pos: with(func(p *placement.Position) { p.Taken = 2 }), today: today, cap: 10,
			code: placement.ECONFLICT, key: "err.position_full", data: title},
		{name: "already applied", pos: open, today: today, cap: 10, prior: prior(placement.Submitted, 1),
			code: placement.ECONFLICT, key: "err.already_applied", data: title},
		{name: "already applied wins over the cap", pos: open, today: today, open: 10, cap: 10, prior: prior(placement.Offered, 1),
			code: placement.ECONFLICT, key: "err.already_applied", data: title},
		{name: "rejected before", pos: open, today: today, cap: 10, prior: prior(placement.Rejected, 1),
			code: placement.ECONFLICT, key: "err.already_applied", data: title},
		{name: "declined before", pos: open, today: today, cap: 10, prior: prior(placement.Declined, 1),
			code: placement.ECONFLICT, key: "err.already_applied", data: title},
		{name: "withdrawn once: may apply again", pos: open, today: today, cap: 10, prior: prior(placement.Withdrawn, 1)},
		{name: "withdrawn once, at the cap", pos: open, today: today, open: 10, cap: 10, prior: prior(placement.Withdrawn, 1),
			code: placement.ECONFLICT, key: "err.application_cap", data: map[string]any{"Cap": 10}},
		{name: "withdrawn after applying again: final", pos: open, today: today, cap: 10, prior: prior(placement.Withdrawn, 2),
			code: placement.ECONFLICT, key: "apps.err_reapplied_once", data: title},
		{name: "applied again and open", pos: open, today: today, cap: 10, prior: prior(placement.Submitted, 2),
			code: placement.ECONFLICT, key: "err.already_applied", data: title},
		{name: "at the cap", pos: open, today: today, open: 10, cap: 10,
			code: placement.ECONFLICT, key: "err.application_cap", data: map[string]any{"Cap": 10}},
		{name: "under the cap", pos: open, today: today, open: 9, cap: 10},
		{name: "no cap", pos: open, today: today, open: 500, cap: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := placement.DecideApplication(tt.pos, tt.today, tt.open, tt.cap, tt.prior)
			wantDecision(t, err, tt.code, tt.key, tt.data)
		})
	}
}

func TestDecideTransition(t *testing.T) {
	tests := []struct {
		name   string
		status placement.Status
		from   []placement.Status
		key    string
	}{
		{"still in a from status", placement.Shortlisted, []placement.Status{placement.Submitted, placement.Shortlisted}, ""},
		{"moved on", placement.Offered, []placement.Status{placement.Submitted, placement.Shortlisted}, "err.status_changed"},
		{"no from status", placement.Submitted, nil, "err.status_changed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := placement.DecideTransition(placement.Application{Status: tt.status}, tt.from)
			var data map[string]any
			if tt.key != "" {
				data = map[string]any{"Status": string(tt.status)}
			}
			wantDecision(t, err, placement.ECONFLICT, tt.key, data)
		})
	}
}

func TestDecideApproval(t *testing.T) {
	gates := placement.Compliance{Checklist: []string{"agreement", "guardian_consent", "insurance"}, InternQuotaPercent: 10}
	ready := placement.ApprovalFacts{
		Application:        placement.Application{Status: placement.Accepted, EnterpriseName: "Acme"},
		StaffSize:          50, // a quota of 5
		Ticked:             []string{"insurance", "agreement", "guardian_consent"},
		ActiveInEnterprise: 4,
	}
	with := func(change func(*placement.ApprovalFacts)) placement.ApprovalFacts {
		f := ready
		change(&f)
		return f
	}
	tests := []struct {
		name      string
		facts     placement.ApprovalFacts
		c         placement.Compliance
		code, key string
		data      map[string]any
	}{
		{name: "allowed", facts: ready, c: gates},
		{name: "not accepted", facts: with(func(f *placement.ApprovalFacts) { f.Application.Status = placement.Offered }), c: gates,
			code: placement.ECONFLICT, key: "err.status_changed", data: map[string]any{"Status": "offered"}},
		{name: "already approved", facts: with(func(f *placement.ApprovalFacts) { f.Application.Status = placement.Approved }), c: gates,
			code: placement.ECONFLICT, key: "err.status_changed", data: map[string]any{"Status": "approved"}},
		{name: "status wins over everything else", facts: with(func(f *placement.ApprovalFacts) {
			f.Application.Status, f.Ticked, f.ActiveInEnterprise, f.StudentPlaced = placement.Withdrawn, nil, 99, true
		}), c: gates, code: placement.ECONFLICT, key: "err.status_changed", data: map[string]any{"Status": "withdrawn"}},
		{name: "checklist missing, in checklist order", facts: with(func(f *placement.ApprovalFacts) { f.Ticked = []string{"guardian_consent"} }),
			c: gates, code: placement.EINVALID, key: "err.checklist_missing", data: map[string]any{"Items": "agreement, insurance"}},
		{name: "checklist wins over quota and placement", facts: with(func(f *placement.ApprovalFacts) {
			f.Ticked, f.ActiveInEnterprise, f.StudentPlaced = nil, 5, true
		}), c: gates, code: placement.EINVALID, key: "err.checklist_missing", data: map[string]any{"Items": "agreement, guardian_consent, insurance"}},
		{name: "ticks of items no longer asked for do not matter", facts: with(func(f *placement.ApprovalFacts) { f.Ticked = []string{"old_item"} }),
			c: placement.Compliance{InternQuotaPercent: 10}},
		{name: "at the quota", facts: with(func(f *placement.ApprovalFacts) { f.ActiveInEnterprise = 5 }), c: gates,
			code: placement.ECONFLICT, key: "err.quota_full", data: map[string]any{"Enterprise": "Acme", "Quota": 5, "Active": 5}},
		{name: "a quota of zero", facts: with(func(f *placement.ApprovalFacts) { f.StaffSize, f.ActiveInEnterprise = 9, 0 }), c: gates,
			code: placement.ECONFLICT, key: "err.quota_full", data: map[string]any{"Enterprise": "Acme", "Quota": 0, "Active": 0}},
		{name: "quota wins over placement", facts: with(func(f *placement.ApprovalFacts) { f.ActiveInEnterprise, f.StudentPlaced = 6, true }), c: gates,
			code: placement.ECONFLICT, key: "err.quota_full", data: map[string]any{"Enterprise": "Acme", "Quota": 5, "Active": 6}},
		{name: "student placed already", facts: with(func(f *placement.ApprovalFacts) { f.StudentPlaced = true }), c: gates,
			code: placement.ECONFLICT, key: "err.already_placed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantDecision(t, placement.DecideApproval(tt.facts, tt.c), tt.code, tt.key, tt.data)
		})
	}
}

// A batch decides each approval on the facts as the approvals before it left them, which is how
// a round's approvals at one enterprise stay within its quota.
func TestDecideApprovalInABatch(t *testing.T) {
	c := placement.Compliance{InternQuotaPercent: 10}
	facts := placement.ApprovalFacts{Application: placement.Application{Status: placement.Accepted}, StaffSize: 30}
	approved := 0
	for range 5 {
		if placement.DecideApproval(facts, c) == nil {
			approved++
			facts.ActiveInEnterprise++
		}
	}
	if approved != 3 {
		t.Fatalf("%d approved at an enterprise with a quota of 3", approved)
	}
}
