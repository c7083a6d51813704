package postgres_test

import (
	"sync"
	"testing"

	"placementbot/internal/placement"
)

// atOnce runs fn n times at once, released together, and returns each call's error.
func atOnce(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = fn(i)
		})
	}
	close(start)
	wg.Wait()
	return errs
}

func TestApplyManyStudentsAtOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	p := f.position(f.enterprise(guildA, "Acme", placement.EnterpriseVerified), func(p *placement.Position) { p.Slots = 1 })
	students := make([]string, 200)
	for i := range students {
		students[i] = f.user()
	}
	errs := atOnce(len(students), func(i int) error {
		_, err := f.apply(p, students[i])
		return err
	})
	for i, err := range errs {
		if err != nil {
			t.Fatalf("student %d: %v", i, err)
		}
	}
	if n := f.count(`SELECT count(*) FROM applications WHERE guild_id = $1 AND position_id = $2`, guildA, p.ID); n != 200 {
		t.Fatalf("%d applications, want 200", n)
	}
	if n := f.count(`SELECT count(*) FROM application_events WHERE guild_id = $1`, guildA); n != 200 {
		t.Fatalf("%d events, want 200", n)
	}
}

func TestApplyCapUnderConcurrency(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	e := f.enterprise(guildA, "Acme", placement.EnterpriseVerified)
	positions := make([]placement.Position, 30)
	for i := range positions {
		positions[i] = f.position(e)
	}
	student := f.user()
	errs := atOnce(len(positions), func(i int) error {
		_, err := f.apply(positions[i], student)
		return err
	})
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
			continue
		}
		wantErr(t, err, placement.ECONFLICT, "err.application_cap")
	}
	if ok != 10 {
		t.Fatalf("%d applications succeeded, want the cap, 10", ok)
	}
	if n := f.count(`SELECT count(*) FROM applications WHERE guild_id = $1 AND student_id = $2`, guildA, student); n != 10 {
		t.Fatalf("%d applications stored, want 10", n)
	}
}

func TestOffersRaceForTheLastSlot(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	e := f.enterprise(guildA, "Acme", placement.EnterpriseVerified)
	for round := range 10 {
		p := f.position(e, func(p *placement.Position) { p.Slots = 2 })
		if _, err := f.move(f.mustApply(p, f.user()), placement.Offered, placement.Submitted); err != nil {
			t.Fatal(err)
		}
		apps := []placement.Application{f.mustApply(p, f.user()), f.mustApply(p, f.user())}
		errs := atOnce(2, func(i int) error {
			_, err := f.move(apps[i], placement.Offered, placement.FromStatuses(placement.Offered, placement.PartyMentor)...)
			return err
		})
		if (errs[0] == nil) == (errs[1] == nil) {
			t.Fatalf("round %d: errors %v, want exactly one offer", round, errs)
		}
		for _, err := range errs {
			if err != nil {
				wantErr(t, err, placement.ECONFLICT, "err.no_slots_left")
			}
		}
		if n := f.taken(guildA, p.ID); n != 2 {
			t.Fatalf("round %d: taken %d, want the 2 slots", round, n)
		}
	}
}

func TestWithdrawRacesOffer(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	p := f.position(f.enterprise(guildA, "Acme", placement.EnterpriseVerified), func(p *placement.Position) { p.Slots = 500 })
	offerFrom := placement.FromStatuses(placement.Offered, placement.PartyMentor)
	// Withdrawing from a stale view (only while submitted) lets either side win; from every
	// status the student may withdraw, the withdrawal always lands, before or after the offer.
	for _, withdrawFrom := range [][]placement.Status{
		{placement.Submitted},
		placement.FromStatuses(placement.Withdrawn, placement.PartyStudent),
	} {
		for round := range 10 {
			a := f.mustApply(p, f.user())
			takenBefore := f.taken(guildA, p.ID)
			errs := atOnce(2, func(i int) error {
				var err error
				if i == 0 {
					_, err = f.move(a, placement.Offered, offerFrom...)
				} else {
					_, err = f.move(a, placement.Withdrawn, withdrawFrom...)
				}
				return err
			})
			for _, err := range errs {
				if err != nil {
					wantErr(t, err, placement.ECONFLICT, "err.status_changed")
				}
			}
			offered, withdrawn := errs[0] == nil, errs[1] == nil
			if !offered && !withdrawn {
				t.Fatalf("round %d: both failed", round)
			}
			got, err := f.store.FindApplication(t.Context(), guildA, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			wantStatus := placement.Withdrawn
			if !withdrawn {
				wantStatus = placement.Offered
			}
			if got.Status != wantStatus {
				t.Fatalf("round %d: status %s, want %s (offer ok %v, withdraw ok %v)", round, got.Status, wantStatus, offered, withdrawn)
			}
			wantTaken := takenBefore
			if got.Status.HoldsSlot() {
				wantTaken++
			}
			if n := f.taken(guildA, p.ID); n != wantTaken {
				t.Fatalf("round %d: taken %d, want %d with status %s", round, n, wantTaken, got.Status)
			}
			evs, err := f.store.ApplicationEvents(t.Context(), guildA, []int64{a.ID})
			if err != nil {
				t.Fatal(err)
			}
			var path []placement.Status
			for _, ev := range evs[a.ID] {
				path = append(path, ev.To)
			}
			want := []placement.Status{placement.Submitted}
			if offered {
				want = append(want, placement.Offered)
			}
			if withdrawn {
				want = append(want, placement.Withdrawn)
			}
			if len(path) != len(want) {
				t.Fatalf("round %d: events %v, want %v", round, path, want)
			}
			for i := range want {
				if path[i] != want[i] {
					t.Fatalf("round %d: events %v, want %v", round, path, want)
				}
			}
		}
	}
}

// TestMixedTrafficKeepsSlotsAndNeverDeadlocks runs applies, offers, withdrawals, declines and
// slot edits on the same positions at once: every failure must be a domain conflict (never a
// deadlock), and taken must equal the applications holding a slot.
func TestMixedTrafficKeepsSlotsAndNeverDeadlocks(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	e := f.enterprise(guildA, "Acme", placement.EnterpriseVerified)
	ps := []placement.Position{
		f.position(e, func(p *placement.Position) { p.Slots = 3 }),
		f.position(e, func(p *placement.Position) { p.Slots = 3 }),
	}
	var apps []placement.Application
	for i := range 40 {
		apps = append(apps, f.mustApply(ps[i%2], f.user()))
	}
	errs := atOnce(160, func(i int) error {
		a := apps[i%len(apps)]
		var err error
		switch i / len(apps) {
		case 0:
			_, err = f.move(a, placement.Offered, placement.FromStatuses(placement.Offered, placement.PartyMentor)...)
		case 1:
			_, err = f.apply(ps[i%2], f.user())
		case 2:
			if i%3 == 0 {
				_, err = f.move(a, placement.Withdrawn, placement.FromStatuses(placement.Withdrawn, placement.PartyStudent)...)
			} else {
				_, err = f.move(a, placement.Declined, placement.Offered)
			}
		case 3:
			p := ps[i%2]
			p.Slots = 3 + i%2
			_, err = f.store.UpdatePosition(t.Context(), p, placement.Audited(positionEvent(p, "position.edited")))
		}
		return err
	})
	for i, err := range errs {
		if err != nil && placement.ErrorCode(err) != placement.ECONFLICT {
			t.Errorf("call %d: %v", i, err)
		}
	}
	for _, p := range ps {
		held := f.count(`SELECT count(*) FROM applications WHERE guild_id = $1 AND position_id = $2
			AND status IN ('offered', 'accepted', 'approved')`, guildA, p.ID)
		if taken := f.taken(guildA, p.ID); taken != held {
			t.Errorf("position %d: taken %d, but %d applications hold a slot", p.ID, taken, held)
		}
	}
}
