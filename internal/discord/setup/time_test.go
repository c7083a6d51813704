package setup_test

import (
	"context"
	"strings"
	"testing"

	"placementbot/internal/demo"
	"placementbot/internal/testenv"
	"placementbot/internal/testenv/botenv"
)

// TestSetupTimezone: a coordinator sets the school's time zone by its IANA name, /setup show
// shows it, and a name that is not a time zone is refused and changes nothing.
func TestSetupTimezone(t *testing.T) {
	b := botenv.New(t)
	carol := testenv.Member("carol")
	if tz := settings(t, b).TimeZone; tz != "UTC" {
		t.Fatalf("a new school's time zone is %q, want UTC", tz)
	}
	for _, zone := range []string{"Mars/Base", "Local", "", "../../etc/passwd", "asia shanghai"} {
		b.Do(t, testenv.Slash(carol, "setup timezone", testenv.StringOpt("zone", zone))).MustRefuse(t, "isn't a time zone I know")
	}
	if tz := settings(t, b).TimeZone; tz != "UTC" {
		t.Fatalf("refused zones changed the time zone to %q", tz)
	}
	b.Do(t, testenv.Slash(testenv.Member("bo"), "setup timezone", testenv.StringOpt("zone", "Asia/Shanghai"))).MustRefuse(t, "Only coordinators")

	seen := b.Do(t, testenv.Slash(carol, "setup timezone", testenv.StringOpt("zone", "asia/shanghai")))
	seen.MustContain(t, "Saved.", "Time zone: Asia/Shanghai (UTC+08:00)")
	if tz := settings(t, b).TimeZone; tz != "Asia/Shanghai" {
		t.Fatalf("time zone %q, want Asia/Shanghai", tz)
	}
	b.Do(t, testenv.Slash(carol, "setup show")).MustContain(t, "Time zone: Asia/Shanghai (UTC+08:00)")

	in := testenv.Slash(carol, "setup show")
	in.Locale = "zh-CN"
	b.Do(t, in).MustContain(t, "时区: Asia/Shanghai (UTC+08:00)")
}

// TestSetupTimezoneAutocomplete suggests IANA names by part, Asia/Shanghai first for members
// using Chinese, and every suggestion is a zone the database knows too (the jobs read it there).
func TestSetupTimezoneAutocomplete(t *testing.T) {
	b := botenv.New(t)
	carol := testenv.Member("carol")
	all := b.Choices(t, testenv.Autocomplete(carol, "setup timezone", testenv.StringOpt("zone", "")))
	if len(all) != 25 || all[0].Value != "UTC" {
		t.Fatalf("suggestions for nothing typed: %d, first %v", len(all), all[0].Value)
	}
	in := testenv.Autocomplete(carol, "setup timezone", testenv.StringOpt("zone", ""))
	in.Locale = "zh-CN"
	if zh := b.Choices(t, in); zh[0].Value != "Asia/Shanghai" || zh[0].Name != "Asia/Shanghai · UTC+08:00" {
		t.Fatalf("first suggestion in Chinese: %+v", zh[0])
	}
	got := b.Choices(t, testenv.Autocomplete(carol, "setup timezone", testenv.StringOpt("zone", "new y")))
	if len(got) != 1 || got[0].Value != "America/New_York" {
		t.Fatalf("suggestions for \"new y\": %+v", got)
	}
	if got := b.Choices(t, testenv.Autocomplete(testenv.Member("bo"), "setup timezone", testenv.StringOpt("zone", "asia"))); len(got) != 0 {
		t.Fatalf("a student got suggestions: %+v", got)
	}
	for _, c := range b.Choices(t, testenv.Autocomplete(carol, "setup timezone", testenv.StringOpt("zone", "/"))) {
		var known bool
		if err := b.Pool.QueryRow(context.Background(), `SELECT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = $1)`, c.Value).Scan(&known); err != nil || !known {
			t.Errorf("Postgres does not know %v (%v)", c.Value, err)
		}
	}
}

// TestDestructiveSetupAsksFirst: clearing the student role, stopping announcements or the
// digest, moving the mentor role while mentors are linked and moving the coordinator role each
// ask for a confirmation, change nothing until confirmed, can be cancelled, and are confirmed
// only by the coordinator who asked, while still a coordinator.
func TestDestructiveSetupAsksFirst(t *testing.T) {
	b := botenv.New(t)
	carol := testenv.Member("carol")
	b.AddEnterprise(t, "Acme", 200, "alice", "mo")
	before := settings(t, b)

	card := b.Do(t, testenv.Slash(carol, "setup show"))
	ask := b.Press(t, "carol", card, "Clear the student role")
	ask.MustContain(t, "every member who is not a coordinator or mentor a student", "[Confirm]", "[Cancel]")
	if settings(t, b) != before {
		t.Fatal("the student role changed before confirming")
	}
	b.Press(t, "bo", ask, "Confirm").MustRefuse(t, "Only coordinators")
	b.Press(t, "owner", ask, "Confirm").MustRefuse(t, "expired or isn't yours")
	cancelled := b.Press(t, "carol", ask, "Cancel")
	cancelled.MustContain(t, "Cancelled. Nothing was changed.", "Placement setup")
	b.Press(t, "carol", ask, "Confirm").MustRefuse(t, "expired or isn't yours")
	if settings(t, b) != before {
		t.Fatal("a cancelled change was saved")
	}

	for _, tt := range []struct {
		button, warning string
	}{
		{"Stop announcements", "stops announcing new positions in <#" + demo.AnnouncementsID + ">"},
		{"Stop the digest", "stops the coordinators' daily digest in <#" + demo.DigestID + ">"},
		{"Clear the student role", "every member who is not a coordinator or mentor a student"},
	} {
		ask := b.Press(t, "carol", b.Do(t, testenv.Slash(carol, "setup show")), tt.button)
		ask.MustContain(t, tt.warning)
		done := b.Press(t, "carol", ask, "Confirm")
		if done.Type != 7 || !strings.Contains(done.Text(), "Saved.") || strings.Contains(done.Text(), "["+tt.button+"]") {
			t.Fatalf("%s: want the card back without the spent button: %s", tt.button, done.Text())
		}
	}
	if gs := settings(t, b); gs.AnnouncementsChannelID != "" || gs.DigestChannelID != "" || gs.StudentRoleID != "" {
		t.Fatalf("confirmed changes not saved: %+v", gs)
	}

	// Moving the mentor role says how many linked mentors lose their rights.
	ask = b.Do(t, testenv.Slash(carol, "setup roles", testenv.RoleOpt("mentor", demo.AlumniRoleID)))
	ask.MustContain(t, "2 linked mentor(s) lose their mentor rights unless they have <@&"+demo.AlumniRoleID+">", "[Confirm]")
	if settings(t, b).MentorRoleID != demo.MentorRoleID {
		t.Fatal("the mentor role moved before confirming")
	}
	b.Press(t, "carol", ask, "Confirm").MustContain(t, "Saved.")
	if settings(t, b).MentorRoleID != demo.AlumniRoleID {
		t.Fatal("the confirmed mentor role was not saved")
	}

	// Moving the coordinator role warns the coordinator who would lose it themselves.
	ask = b.Do(t, testenv.Slash(carol, "setup roles", testenv.RoleOpt("coordinator", demo.StudentRoleID)))
	ask.MustContain(t, "loses coordinator rights, **you too**")
	b.Do(t, testenv.Slash(testenv.Member("owner"), "setup roles", testenv.RoleOpt("coordinator", demo.StudentRoleID))).
		MustContain(t, "everyone with <@&"+demo.CoordinatorRoleID+"> but not <@&"+demo.StudentRoleID+"> loses coordinator rights (members with Manage Server keep them)")
	if settings(t, b).CoordinatorRoleID != demo.CoordinatorRoleID {
		t.Fatal("the coordinator role moved before confirming")
	}
}
