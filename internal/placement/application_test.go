package placement

import (
	"math/rand"
	"slices"
	"testing"
)

var allStatuses = []Status{Submitted, Shortlisted, Offered, Accepted, Approved, Withdrawn, Rejected, Declined, Expired}

func TestLifecycleRules(t *testing.T) {
	tests := []struct {
		from, to Status
		by       Party
		ok       bool
	}{
		{Submitted, Shortlisted, PartyMentor, true},
		{Submitted, Offered, PartyMentor, true},
		{Shortlisted, Offered, PartyMentor, true},
		{Offered, Accepted, PartyStudent, true},
		{Offered, Declined, PartyStudent, true},
		{Offered, Expired, PartySystem, true},
		{Accepted, Approved, PartyCoordinator, true},
		{Submitted, Offered, PartyStudent, false},
		{Offered, Accepted, PartyMentor, false},
		{Submitted, Accepted, PartyStudent, false},
		{Declined, Offered, PartyMentor, false},
		{Submitted, Declined, PartyStudent, false},
		{Approved, Withdrawn, PartyStudent, false},
		{Shortlisted, Rejected, PartyCoordinator, true},
		{Accepted, Rejected, PartyMentor, false},
	}
	for _, tt := range tests {
		if got := CanTransition(tt.from, tt.to, tt.by); got != tt.ok {
			t.Errorf("%s → %s by %d: %v, want %v", tt.from, tt.to, tt.by, got, tt.ok)
		}
	}
}

// Properties of the whole lifecycle: nothing leaves a final status; the student may withdraw
// from every status that is not final; declining and accepting only answer an offer; every
// status is reachable from submitted.
func TestLifecycleProperties(t *testing.T) {
	for _, from := range allStatuses {
		for _, to := range allStatuses {
			for by := PartyStudent; by <= PartySystem; by++ {
				if from.Final() && CanTransition(from, to, by) {
					t.Errorf("final %s can become %s", from, to)
				}
				if (to == Accepted || to == Declined) && CanTransition(from, to, by) && (from != Offered || by != PartyStudent) {
					t.Errorf("%s → %s by %d answers no offer", from, to, by)
				}
			}
		}
		if !from.Final() && !CanTransition(from, Withdrawn, PartyStudent) {
			t.Errorf("student cannot withdraw from %s", from)
		}
	}
	reached := map[Status]bool{Submitted: true}
	for changed := true; changed; {
		changed = false
		for _, e := range lifecycle {
			if reached[e.from] && !reached[e.to] {
				reached[e.to], changed = true, true
			}
		}
	}
	for _, s := range allStatuses {
		if !reached[s] {
			t.Errorf("%s unreachable", s)
		}
	}
}

// Random walks through the lifecycle keep the slot count equal to the applications holding one.
func TestRandomWalksKeepSlotsConsistent(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for walk := 0; walk < 1000; walk++ {
		apps := make([]Status, 5)
		for i := range apps {
			apps[i] = Submitted
		}
		taken, slots := 0, 2
		for step := 0; step < 30; step++ {
			i := rng.Intn(len(apps))
			to := allStatuses[rng.Intn(len(allStatuses))]
			by := Party(rng.Intn(4))
			if !CanTransition(apps[i], to, by) {
				continue
			}
			if to.HoldsSlot() && !apps[i].HoldsSlot() {
				if taken == slots {
					continue // the store refuses: no slots left
				}
				taken++
			}
			if apps[i].HoldsSlot() && !to.HoldsSlot() {
				taken--
			}
			apps[i] = to
		}
		holding := 0
		for _, s := range apps {
			if s.HoldsSlot() {
				holding++
			}
		}
		if holding != taken || taken > slots {
			t.Fatalf("walk %d: %v holds %d slots, counter %d", walk, apps, holding, taken)
		}
	}
}

func TestFromStatuses(t *testing.T) {
	got := FromStatuses(Withdrawn, PartyStudent)
	for _, want := range []Status{Submitted, Shortlisted, Offered, Accepted} {
		if !slices.Contains(got, want) {
			t.Errorf("withdraw from %s missing: %v", want, got)
		}
	}
	if got := FromStatuses(Offered, PartyStudent); len(got) != 0 {
		t.Errorf("a student can make offers from %v", got)
	}
}
