package setup_test

import (
	"slices"
	"strconv"
	"testing"

	"placementbot/internal/demo"
	"placementbot/internal/placement"
	"placementbot/internal/testenv"
	"placementbot/internal/testenv/botenv"
)

// TestChecklistItemsKeepTheirIdentity: items are one item whatever their casing and whether
// words are joined by spaces or underscores; they keep the casing last typed; the default items
// typed by their displayed names (in either language) stay the default items with their ticks;
// and removing an item open applications have ticked waits for a confirmation.
func TestChecklistItemsKeepTheirIdentity(t *testing.T) {
	b := botenv.New(t)
	ctx := t.Context()
	acme := b.AddEnterprise(t, "Acme", 200, "alice")
	app := b.Apply(t, "bo", b.PostPosition(t, "alice", acme.ID, botenv.PositionInput("CNC intern")).ID)
	carol := testenv.Member("carol")
	compliance := func() placement.Compliance {
		t.Helper()
		c, err := b.Store.FindCompliance(ctx, demo.GuildID)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	ticks := func() []string {
		t.Helper()
		ts, err := b.Store.Checks(ctx, demo.GuildID, app.ID)
		if err != nil {
			t.Fatal(err)
		}
		return ts
	}
	set := func(list string) botenv.Seen {
		return b.Do(t, testenv.Slash(carol, "setup compliance", testenv.StringOpt("checklist", list)))
	}
	if _, err := b.Service.TickCheck(ctx, b.Actor(t, "carol"), app.ID, "agreement", true); err != nil {
		t.Fatal(err)
	}

	set("Three-party agreement signed, Guardian consent, Insurance, Health Check").MustContain(t, "Saved", "4. Health Check")
	if got := compliance().Checklist; !slices.Equal(got, []string{"agreement", "guardian_consent", "insurance", "Health Check"}) {
		t.Fatalf("checklist %q", got)
	}
	if _, err := b.Service.TickCheck(ctx, b.Actor(t, "carol"), app.ID, "health check", true); err != nil {
		t.Fatal(err)
	}

	// The same items in Chinese names and other casing: nothing new, no tick lost, casing as typed.
	set("三方协议已签署，监护人知情同意，实习保险，HEALTH_CHECK, health check").MustContain(t, "4. HEALTH CHECK")
	c := compliance()
	if !slices.Equal(c.Checklist, []string{"agreement", "guardian_consent", "insurance", "HEALTH_CHECK"}) {
		t.Fatalf("checklist %q", c.Checklist)
	}
	if got := ticks(); !slices.Equal(got, []string{"agreement", "health_check"}) {
		t.Fatalf("ticks %q", got)
	}
	if missing := c.Missing(ticks()); !slices.Equal(missing, []string{"guardian_consent", "insurance"}) {
		t.Fatalf("missing %q", missing)
	}

	// One button per item, each with its own custom_id, ticked as stored.
	seen := b.Do(t, testenv.Slash(carol, "approvals checklist", testenv.StringOpt("application", strconv.FormatInt(app.ID, 10))))
	seen.MustContain(t, "✅ HEALTH CHECK", "⬜ Insurance", "✅ Three-party agreement signed")
	ids := map[string]bool{}
	for _, btn := range seen.Buttons() {
		if ids[btn.CustomID] {
			t.Fatalf("two buttons share %q", btn.CustomID)
		}
		ids[btn.CustomID] = true
	}
	seen = b.Press(t, "carol", seen, "✅ HEALTH CHECK")
	seen.MustContain(t, "HEALTH CHECK")
	if got := ticks(); !slices.Equal(got, []string{"agreement"}) {
		t.Fatalf("ticks after clearing %q", got)
	}

	// Removing a ticked item asks first and saves nothing until confirmed.
	seen = set("Guardian consent, Insurance, health check")
	seen.MustContain(t, "removes Three-party agreement signed from the checklist, and 1 open application(s) have it ticked", "[Remove and save]")
	if got := compliance().Checklist; len(got) != 4 {
		t.Fatalf("saved before confirming: %q", got)
	}
	b.Press(t, "bo", seen, "Remove and save").MustRefuse(t, "Only coordinators")
	seen = b.Press(t, "carol", seen, "Remove and save")
	seen.MustContain(t, "Saved")
	if got := compliance().Checklist; !slices.Equal(got, []string{"guardian_consent", "insurance", "health check"}) {
		t.Fatalf("checklist after confirming %q", got)
	}
	// An item nobody ticked goes without asking.
	set("Guardian consent").MustContain(t, "Saved")
}
