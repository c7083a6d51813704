package enterprise_test

import (
	"strings"
	"testing"

	"placementbot/internal/placement"
	"placementbot/internal/testenv"
	"placementbot/internal/testenv/botenv"
)

// TestEnterpriseUnlinkMentor: a mentor who left the company is unlinked by a coordinator on one
// replica and has no mentor rights on their next interaction on another replica, which had their
// facts cached; they are told by DM and /audit names the change.
func TestEnterpriseUnlinkMentor(t *testing.T) {
	b := botenv.New(t)
	other := botenv.NewWith(t, b.Pool, b.Redis) // a second replica on the same Postgres and Redis
	acme := b.AddEnterprise(t, "Acme", 200, "alice")
	pos := b.PostPosition(t, "alice", acme.ID, botenv.PositionInput("CNC intern"))
	alice, carol := testenv.Member("alice"), testenv.Member("carol")

	// The other replica caches alice's facts: a mentor of Acme.
	other.Do(t, testenv.Slash(alice, "positions mine")).MustContain(t, "CNC intern")

	seen := b.Do(t, testenv.Slash(carol, "enterprise unlink-mentor", testenv.StringOpt("enterprise", "Acme"), testenv.UserOpt("mentor", "alice")))
	entWant(t, "unlink", seen, "Removed <@"+alice.ID+"> from the mentors of **Acme**", "No mentors linked yet")
	if ns := entNotes(t, b, "note.mentor_unlinked"); len(ns) != 1 || ns[0].UserID != alice.ID {
		t.Fatalf("notifications: %+v", ns)
	}

	if a := other.Actor(t, "alice"); a.MentorsFor(acme.ID) || a.Is(placement.RoleMentor) {
		t.Fatalf("alice still a mentor on the other replica: %+v", a)
	}
	if seen := other.Do(t, testenv.Slash(alice, "positions mine")); strings.Contains(seen.Text(), "CNC intern") {
		t.Fatalf("alice still sees Acme's positions: %s", seen.Text())
	}
	other.Do(t, testenv.Button(alice, "/position/"+entID(pos.ID)+"/close")).MustRefuse(t, "")
	if p, err := b.Store.FindPosition(t.Context(), pos.GuildID, pos.ID); err != nil || p.Status != placement.PositionOpen {
		t.Fatalf("position after alice's close: %+v %v", p, err)
	}

	// Unlinking again is refused plainly and writes nothing.
	b.Do(t, testenv.Slash(carol, "enterprise unlink-mentor", testenv.StringOpt("enterprise", entID(acme.ID)), testenv.UserOpt("mentor", "alice"))).
		MustRefuse(t, "<@"+alice.ID+"> isn't a mentor of Acme.")
	if ns := entNotes(t, b, "note.mentor_unlinked"); len(ns) != 1 {
		t.Fatalf("notifications after unlinking twice: %+v", ns)
	}

	// Linked again, alice is told again.
	b.Do(t, testenv.Slash(carol, "enterprise link-mentor", testenv.StringOpt("enterprise", entID(acme.ID)), testenv.UserOpt("mentor", "alice")))
	if ns := entNotes(t, b, "note.mentor_linked"); len(ns) != 2 {
		t.Fatalf("link notes after linking again: %+v", ns)
	}
	if !other.Actor(t, "alice").MentorsFor(acme.ID) {
		t.Fatal("alice linked again is no mentor")
	}

	b.Do(t, testenv.Slash(carol, "audit", testenv.StringOpt("enterprise", entID(acme.ID)))).MustContain(t, "Mentor unlinked", "Mentor linked")
}

// TestEnterpriseSuspendAndRestore: a suspended enterprise's positions take no applications and
// leave browse and recommendations, its mentors can neither post nor act for it, on every
// replica at once; restoring brings it all back. Its mentors are told both times and /audit
// names both.
func TestEnterpriseSuspendAndRestore(t *testing.T) {
	b := botenv.New(t)
	other := botenv.NewWith(t, b.Pool, b.Redis)
	acme := b.AddEnterprise(t, "Acme", 200, "alice")
	pos := b.PostPosition(t, "alice", acme.ID, botenv.PositionInput("CNC intern"))
	b.SaveProfile(t, "bo", placement.ProfileInput{Program: "Mechatronics", Skills: "CNC, CAD"})
	alice, bo, carol := testenv.Member("alice"), testenv.Member("bo"), testenv.Member("carol")
	other.Do(t, testenv.Slash(alice, "positions mine")).MustContain(t, "CNC intern")
	other.Do(t, testenv.Slash(bo, "positions browse")).MustContain(t, "CNC intern")

	// Only verified enterprises are suggested for suspending.
	if cs := b.Choices(t, testenv.Autocomplete(carol, "enterprise suspend", testenv.StringOpt("enterprise", "ac"))); len(cs) != 1 || cs[0].Value != entID(acme.ID) {
		t.Fatalf("suspend autocomplete: %+v", cs)
	}
	seen := b.Do(t, testenv.Slash(carol, "enterprise suspend", testenv.StringOpt("enterprise", entID(acme.ID)), testenv.StringOpt("reason", "Safety inspection failed")))
	entWant(t, "suspend", seen, "Suspended **Acme**", "Status: suspended", "Safety inspection failed", "`/enterprise restore`")
	if ns := entNotes(t, b, "note.enterprise_suspended"); len(ns) != 1 || ns[0].UserID != alice.ID || ns[0].Data["Reason"] != "Safety inspection failed" {
		t.Fatalf("suspension notes: %+v", ns)
	}
	b.Do(t, testenv.Slash(carol, "enterprise suspend", testenv.StringOpt("enterprise", entID(acme.ID)))).MustRefuse(t, "Acme is already suspended.")

	if s := other.Do(t, testenv.Slash(bo, "positions browse")); strings.Contains(s.Text(), "CNC intern") {
		t.Fatalf("browse shows a suspended enterprise's position: %s", s.Text())
	}
	if s := other.Do(t, testenv.Slash(bo, "positions recommended")); strings.Contains(s.Text(), "CNC intern") {
		t.Fatalf("recommended shows a suspended enterprise's position: %s", s.Text())
	}
	if _, err := other.Service.Apply(t.Context(), other.Actor(t, "bo"), pos.ID, "I have trained on these machines for two years."); placement.ErrorCode(err) != placement.ECONFLICT {
		t.Fatalf("apply to a suspended enterprise: %v", err)
	}
	if a := other.Actor(t, "alice"); a.MentorsFor(acme.ID) {
		t.Fatalf("alice still a mentor of a suspended enterprise: %+v", a)
	}
	if _, err := other.Service.PostPosition(t.Context(), other.Actor(t, "alice"), acme.ID, botenv.PositionInput("Welder")); err == nil {
		t.Fatal("a mentor of a suspended enterprise posted")
	}
	b.Do(t, testenv.Slash(carol, "enterprise list", testenv.StringOpt("status", "suspended"))).MustContain(t, "Acme", "Suspended: Safety inspection failed")

	seen = b.Press(t, "carol", seen, "Restore")
	seen.MustContain(t, "Restored **Acme**", "Status: verified")
	if ns := entNotes(t, b, "note.enterprise_restored"); len(ns) != 1 || ns[0].UserID != alice.ID {
		t.Fatalf("restore notes: %+v", ns)
	}
	b.Do(t, testenv.Slash(carol, "enterprise restore", testenv.StringOpt("enterprise", entID(acme.ID)))).MustRefuse(t, "Acme isn't suspended.")
	other.Do(t, testenv.Slash(bo, "positions browse")).MustContain(t, "CNC intern")
	if !other.Actor(t, "alice").MentorsFor(acme.ID) {
		t.Fatal("alice is no mentor after the restore")
	}
	other.PostPosition(t, "alice", acme.ID, botenv.PositionInput("Welder"))

	// Suspended again, the mentor hears of it again.
	b.Do(t, testenv.Slash(carol, "enterprise suspend", testenv.StringOpt("enterprise", entID(acme.ID))))
	if ns := entNotes(t, b, "note.enterprise_suspended"); len(ns) != 2 {
		t.Fatalf("suspension notes after suspending again: %+v", ns)
	}
	b.Do(t, testenv.Slash(carol, "audit", testenv.StringOpt("enterprise", entID(acme.ID)))).MustContain(t, "Enterprise suspended", "Enterprise restored")
}
