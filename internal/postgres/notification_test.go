package postgres_test

import (
	"testing"

	"placementbot/internal/placement"
)

func TestNotificationsAreWrittenWithTheChangeOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	p := f.position(f.enterprise(guildA, "Acme", placement.EnterpriseVerified), func(p *placement.Position) { p.Slots = 1 })
	student := f.user()
	a := f.mustApply(p, student)
	transition := func(to placement.Status, from placement.Status, notes ...placement.Notification) error {
		_, err := f.store.TransitionApplication(ctx, placement.Transition{GuildID: guildA, ApplicationID: a.ID,
			From: []placement.Status{from}, To: to, ActorID: "m", At: today,
			Effects: moveFx("m", to, "", today, func(placement.Application) []placement.Notification { return notes })})
		return err
	}

	// The same key twice in one change, then again in a later change: one row.
	same := dm(guildA, "same-key", student)
	if err := transition(placement.Shortlisted, placement.Submitted, same, same); err != nil {
		t.Fatal(err)
	}
	if err := transition(placement.Offered, placement.Shortlisted, same); err != nil {
		t.Fatal(err)
	}
	if n := f.count(`SELECT count(*) FROM notifications WHERE dedup_key = 'same-key'`); n != 1 {
		t.Fatalf("%d rows for one dedup key, want 1", n)
	}

	// A notification that cannot be stored undoes the whole change: status, slot and event.
	bad := placement.Notification{DedupKey: "bad", UserID: student, ChannelID: "500000000000000001", MessageKey: "note.x"}
	if err := transition(placement.Declined, placement.Offered, bad); err == nil || placement.ErrorCode(err) != placement.EINTERNAL {
		t.Fatalf("err = %v, want an internal error", err)
	}
	if got, _ := f.store.FindApplication(ctx, guildA, a.ID); got.Status != placement.Offered || f.taken(guildA, p.ID) != 1 {
		t.Fatalf("after a failed change: status %s, taken %d", got.Status, f.taken(guildA, p.ID))
	}
	if n := f.count(`SELECT count(*) FROM application_events WHERE application_id = $1`, a.ID); n != 3 {
		t.Fatalf("%d events, want 3", n)
	}

	// No recipient: skipped, the change goes through. A note naming another guild is still the
	// change's guild's.
	nobody := placement.Notification{DedupKey: "nobody", MessageKey: "note.x"}
	foreign := dm(guildB, "foreign", student)
	if err := transition(placement.Declined, placement.Offered, nobody, foreign); err != nil {
		t.Fatal(err)
	}
	if n := f.count(`SELECT count(*) FROM notifications WHERE dedup_key = 'nobody'`); n != 0 {
		t.Fatalf("stored a notification without recipient")
	}
	if n := f.count(`SELECT count(*) FROM notifications WHERE dedup_key = 'foreign' AND guild_id = $1`, guildA); n != 1 {
		t.Fatalf("foreign note not stored in the change's guild")
	}
	if n := f.count(`SELECT count(*) FROM notifications WHERE status = 'pending' AND data ? 'Key'`); n != 2 {
		t.Fatalf("%d pending notifications with data, want 2", n)
	}
}
