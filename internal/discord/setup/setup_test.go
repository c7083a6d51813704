package setup_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"placementbot/internal/demo"
	"placementbot/internal/placement"
	"placementbot/internal/testenv"
	"placementbot/internal/testenv/botenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func settings(t *testing.T, b *botenv.Bot) placement.GuildSettings {
	t.Helper()
	gs, err := b.Store.FindGuildSettings(context.Background(), demo.GuildID)
	if err != nil {
		t.Fatal(err)
	}
	return gs
}

func TestSetupShowAsCoordinator(t *testing.T) {
	b := botenv.New(t)
	seen := b.Do(t, testenv.Slash(testenv.Member("carol"), "setup show"))
	text := seen.Text()
	for _, want := range []string{"Placement setup", "<@&" + demo.CoordinatorRoleID + ">", "<#" + demo.AnnouncementsID + ">", "[Stop announcements]",
		"Approval gates", "1. Three-party agreement signed · agreement", "Mentors may tick items: no"} {
		if !strings.Contains(text, want) {
			t.Errorf("setup card lacks %q:\n%s", want, text)
		}
	}
	if !seen.Ephemeral() {
		t.Error("setup card is not ephemeral")
	}
}

func TestSetupRolesSavesAndAudits(t *testing.T) {
	b := botenv.New(t)
	seen := b.Do(t, testenv.Slash(testenv.Member("owner"), "setup roles", testenv.RoleOpt("student", demo.AlumniRoleID)))
	if !strings.Contains(seen.Text(), "Saved.") {
		t.Fatalf("reply: %s", seen.Text())
	}
	if gs := settings(t, b); gs.StudentRoleID != demo.AlumniRoleID || gs.MentorRoleID != demo.MentorRoleID {
		t.Fatalf("settings after update: %+v", gs)
	}
	evs, err := b.Store.AuditEvents(context.Background(), demo.GuildID, "guild:"+demo.GuildID)
	if err != nil {
		t.Fatal(err)
	}
	last := evs[len(evs)-1]
	if last.ActorID != testenv.Member("owner").ID || last.Detail["student_role_id"] != demo.AlumniRoleID {
		t.Fatalf("audit event: %+v", last)
	}
}

func TestSetupRefusesBadInputAndChangesNothing(t *testing.T) {
	b := botenv.New(t)
	carol := testenv.Member("carol")
	tests := []struct {
		name string
		opts []testenv.Opt
		want string
	}{
		{"no options", nil, "Nothing to change"},
		{"@everyone", []testenv.Opt{testenv.RoleOpt("student", demo.GuildID)}, "@everyone can't be used"},
		{"managed role", []testenv.Opt{testenv.RoleOpt("mentor", demo.BotRoleID)}, "belongs to an integration"},
		{"same role twice", []testenv.Opt{testenv.RoleOpt("student", demo.MentorRoleID)}, "One role can't mean two things"},
		{"role not in the server", []testenv.Opt{testenv.RoleOpt("student", "123")}, "isn't one I can find"},
		{"not a snowflake", []testenv.Opt{testenv.RoleOpt("student", "abc")}, "Nothing to change"},
	}
	before := settings(t, b)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seen := b.Do(t, testenv.Slash(carol, "setup roles", tt.opts...))
			if !strings.Contains(seen.Text(), tt.want) || !seen.Ephemeral() {
				t.Fatalf("reply %q, want %q (ephemeral)", seen.Text(), tt.want)
			}
		})
	}
	seen := b.Do(t, testenv.Slash(carol, "setup channels", testenv.ChannelOpt("digest", demo.VoiceID)))
	if !strings.Contains(seen.Text(), "#lounge isn't a text or announcement channel") {
		t.Fatalf("voice channel: %s", seen.Text())
	}
	if after := settings(t, b); after != before {
		t.Fatalf("settings changed: %+v → %+v", before, after)
	}
}

func TestStudentCannotSetUp(t *testing.T) {
	b := botenv.New(t)
	before := settings(t, b)
	for _, in := range []struct {
		name string
		seen botenv.Seen
	}{
		{"slash command", b.Do(t, testenv.Slash(testenv.Member("bo"), "setup roles", testenv.RoleOpt("student", demo.AlumniRoleID)))},
		{"button", b.Do(t, testenv.Button(testenv.Member("bo"), "/setup/clear/announcements"))},
		{"show", b.Do(t, testenv.Slash(testenv.Member("alice"), "setup show"))},
	} {
		if !strings.Contains(in.seen.Text(), "Only coordinators can do this") || !in.seen.Ephemeral() {
			t.Errorf("%s: %q", in.name, in.seen.Text())
		}
	}
	if after := settings(t, b); after != before {
		t.Fatalf("settings changed: %+v → %+v", before, after)
	}
}

func TestClearButton(t *testing.T) {
	b := botenv.New(t)
	card := b.Do(t, testenv.Slash(testenv.Member("carol"), "setup show"))
	seen := b.Press(t, "carol", b.Press(t, "carol", card, "Stop announcements"), "Confirm")
	if settings(t, b).AnnouncementsChannelID != "" {
		t.Fatal("announcements channel not cleared")
	}
	if seen.Type != 7 || strings.Contains(seen.Text(), "[Stop announcements]") || !strings.Contains(seen.Text(), "[Stop the digest]") {
		t.Fatalf("want the card updated in place without the spent button: type %d %s", seen.Type, seen.Text())
	}
}

func TestEditedCustomIDIsRefused(t *testing.T) {
	b := botenv.New(t)
	before := settings(t, b)
	for _, id := range []string{"/setup/clear/coordinator", "/setup/clear/", "/setup/clear/announcements/extra", "/setup/wipe", strings.Repeat("x", 100)} {
		seen := b.Do(t, testenv.Button(testenv.Member("carol"), id))
		if !strings.Contains(seen.Text(), "no longer valid") || !seen.Ephemeral() || seen.Type != 4 {
			t.Errorf("custom_id %q: type %d %q", id, seen.Type, seen.Text())
		}
	}
	if after := settings(t, b); after != before {
		t.Fatalf("settings changed: %+v → %+v", before, after)
	}
}

func TestHelpByRole(t *testing.T) {
	b := botenv.New(t)
	tests := []struct {
		member  string
		want    []string
		notWant []string
	}{
		{"carol", []string{"coordinator", "`/setup roles`", "`/help`"}, nil},
		{"bo", []string{"student", "`/help`"}, []string{"/setup"}},
		{"alice", []string{"mentor"}, []string{"/setup"}},
		{"sam", []string{"none of this school's placement roles"}, []string{"/setup"}},
	}
	for _, tt := range tests {
		text := b.Do(t, testenv.Slash(testenv.Member(tt.member), "help")).Text()
		for _, w := range tt.want {
			if !strings.Contains(text, w) {
				t.Errorf("%s: help lacks %q:\n%s", tt.member, w, text)
			}
		}
		for _, w := range tt.notWant {
			if strings.Contains(text, w) {
				t.Errorf("%s: help shows %q:\n%s", tt.member, w, text)
			}
		}
	}
	in := testenv.Slash(testenv.Member("bo"), "help")
	in.Locale = "zh-CN"
	if text := b.Do(t, in).Text(); !strings.Contains(text, "你在这里的身份：**学生**") || !strings.Contains(text, "`/帮助`") {
		t.Errorf("zh-CN help: %s", text)
	}
}

func TestSetupComplianceRefusesBadInputAndSavesNothing(t *testing.T) {
	b := botenv.New(t)
	carol := testenv.Member("carol")
	compliance := func() placement.Compliance {
		c, err := b.Store.FindCompliance(context.Background(), demo.GuildID)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	refused := func(seen botenv.Seen, want string) {
		t.Helper()
		if !strings.Contains(seen.Text(), want) || !seen.Ephemeral() {
			t.Errorf("want an ephemeral refusal %q, got %s", want, seen.Text())
		}
	}
	before := compliance()
	for _, tt := range []struct {
		name string
		opts []testenv.Opt
		want string
	}{
		{"quota 0", []testenv.Opt{testenv.IntOpt("quota_percent", 0)}, "whole percentage from 1 to 100 (you gave 0)"},
		{"quota 101", []testenv.Opt{testenv.IntOpt("quota_percent", 101)}, "whole percentage from 1 to 100 (you gave 101)"},
		{"quota not whole", []testenv.Opt{{Name: "quota_percent", Type: discordgo.ApplicationCommandOptionInteger, Value: 12.5}}, "(you gave 12.5)"},
		{"quota 0 beside a good checklist", []testenv.Opt{testenv.StringOpt("checklist", "agreement"), testenv.IntOpt("quota_percent", 0)}, "from 1 to 100"},
		{"empty checklist", []testenv.Opt{testenv.StringOpt("checklist", " , ;")}, "needs at least one item"},
		{"item too long", []testenv.Opt{testenv.StringOpt("checklist", "agreement, "+strings.Repeat("x", 41))}, "is longer than 40 characters"},
		{"too many items", []testenv.Opt{testenv.StringOpt("checklist", "a,b,c,d,e,f,g,h,i,j,k")}, "Checklist can list at most 10 items"},
		{"nothing", nil, "Nothing to change"},
	} {
		refused(b.Do(t, testenv.Slash(carol, "setup compliance", tt.opts...)), tt.want)
	}
	refused(b.Do(t, testenv.Slash(testenv.Member("alice"), "setup compliance", testenv.IntOpt("quota_percent", 20))), "Only coordinators")
	if after := compliance(); !slices.Equal(after.Checklist, before.Checklist) || after.InternQuotaPercent != before.InternQuotaPercent || after.MentorsTickChecks {
		t.Fatalf("compliance changed: %+v", after)
	}

	// A school's own items are shown as typed (casing too), never as markdown or a mention.
	seen := b.Do(t, testenv.Slash(carol, "setup compliance", testenv.StringOpt("checklist", "agreement, Health check, *Safety* @everyone"),
		testenv.IntOpt("quota_percent", 15), testenv.BoolOpt("mentors_tick", true)))
	text := seen.Text()
	for _, want := range []string{"Saved.", "Approval gates", "`/setup compliance`", "1. Three-party agreement signed · agreement", "2. Health check",
		`3. \*Safety\* @` + "\u200b" + `everyone`, "at most 15% of an enterprise's staff", "Mentors may tick items: yes"} {
		if !strings.Contains(text, want) {
			t.Errorf("compliance card lacks %q:\n%s", want, text)
		}
	}
	if c := compliance(); !slices.Equal(c.Checklist, []string{"agreement", "Health check", "*Safety* @everyone"}) || c.InternQuotaPercent != 15 || !c.MentorsTickChecks {
		t.Fatalf("saved %+v", c)
	}
	if text := b.Do(t, testenv.Slash(carol, "setup show")).Text(); !strings.Contains(text, "Placement setup") || !strings.Contains(text, "2. Health check") {
		t.Errorf("setup show lacks the approval gates:\n%s", text)
	}
	evs, err := b.Store.AuditEvents(context.Background(), demo.GuildID, "guild:"+demo.GuildID)
	if err != nil {
		t.Fatal(err)
	}
	if last := evs[len(evs)-1]; last.Action != "setup.compliance" || last.ActorID != carol.ID {
		t.Fatalf("audit %+v", last)
	}
}
