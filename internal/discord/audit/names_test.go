package audit_test

import (
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"placementbot/internal/testenv"
	"placementbot/internal/testenv/botenv"
)

// audChoices is what the coordinator is suggested for the application option.
func audChoices(t *testing.T, b *botenv.Bot, member, typed string) []*discordgo.ApplicationCommandOptionChoice {
	t.Helper()
	return b.Choices(t, testenv.Autocomplete(testenv.Member(member), "audit", testenv.StringOpt("application", typed)))
}

// The bot remembers the name each member goes by when they interact, and /audit's
// autocomplete finds a student's applications by it, for coordinators only.
func TestAuditAutocompleteFindsApplicationsByStudentName(t *testing.T) {
	st := newAudStory(t, false)
	b := st.b
	as := func(member, nick, global string) {
		t.Helper()
		in := testenv.Slash(testenv.Member(member), "help")
		in.Member.Nick, in.Member.User.GlobalName = nick, global
		b.Do(t, in)
	}
	as("bo", "王小波", "Bo W.")
	as("li", "", "Li Na")
	li := b.Apply(t, "li", st.app.PositionID)

	for typed, want := range map[string]string{
		"小波":    "#" + audID(st.app.ID) + " · 王小波 · Lathe operator intern — Harbor Tools (accepted)",
		"LI NA": "#" + audID(li.ID) + " · Li Na · Lathe operator intern — Harbor Tools (submitted)",
	} {
		cs := audChoices(t, b, "carol", typed)
		if len(cs) == 0 || cs[0].Name != want {
			t.Errorf("%q suggests %+v, want first %q", typed, cs, want)
		}
	}
	// Numbers and titles still find applications, once each.
	if cs := audChoices(t, b, "carol", "lathe"); len(cs) != 2 {
		t.Errorf("by title: %+v", cs)
	}
	if cs := audChoices(t, b, "carol", audID(li.ID)); len(cs) != 1 || cs[0].Value != audID(li.ID) {
		t.Errorf("by number: %+v", cs)
	}
	// A name nobody has, and members who are not coordinators, get nothing.
	if cs := audChoices(t, b, "carol", "nobody"); len(cs) != 0 {
		t.Errorf("unknown name: %+v", cs)
	}
	for _, m := range []string{"bo", "alice"} {
		if cs := audChoices(t, b, m, "小波"); len(cs) != 0 {
			t.Errorf("%s is suggested names: %+v", m, cs)
		}
	}
	// A new nickname replaces the old one.
	as("bo", "Bo Wang", "")
	if cs := audChoices(t, b, "carol", "bo wang"); len(cs) == 0 || !strings.Contains(cs[0].Name, "Bo Wang") {
		t.Errorf("after the rename: %+v", cs)
	}
	if cs := audChoices(t, b, "carol", "小波"); len(cs) != 0 {
		t.Errorf("the old name still finds: %+v", cs)
	}
	// Without a nickname or global name the username is the name.
	as("wei", "", "")
	if _, err := b.Service.Apply(t.Context(), b.Actor(t, "wei"), st.app.PositionID, "I ran the school's lathe workshop for a year."); err != nil {
		t.Fatal(err)
	}
	if cs := audChoices(t, b, "carol", "wei"); len(cs) != 1 || !strings.Contains(cs[0].Name, "· wei ·") {
		t.Errorf("by username: %+v", cs)
	}
}
