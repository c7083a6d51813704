package enterprise_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"placementbot/internal/demo"
	"placementbot/internal/placement"
	"placementbot/internal/redis"
	"placementbot/internal/testenv"
	"placementbot/internal/testenv/botenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// entNote is one row of the notifications outbox.
type entNote struct {
	UserID, ChannelID string
	Data              map[string]any
}

// entNotes reads the outbox rows with the message key.
func entNotes(t *testing.T, b *botenv.Bot, key string) []entNote {
	t.Helper()
	rows, err := b.Pool.Query(context.Background(),
		`SELECT user_id, channel_id, data FROM notifications WHERE guild_id = $1 AND message_key = $2 ORDER BY id`, demo.GuildID, key)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []entNote
	for rows.Next() {
		var n entNote
		var data []byte
		if err := rows.Scan(&n.UserID, &n.ChannelID, &data); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(data, &n.Data); err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// entAll lists every enterprise of the demo guild.
func entAll(t *testing.T, b *botenv.Bot) []placement.Enterprise {
	t.Helper()
	es, err := b.Service.Enterprises(context.Background(), b.Actor(t, "carol"), placement.EnterpriseFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// entRequest files an enterprise request as the named member with the mentor role.
func entRequest(t *testing.T, b *botenv.Bot, mentor, name string) placement.Enterprise {
	t.Helper()
	e, err := b.Service.RequestEnterprise(context.Background(), b.Actor(t, mentor), placement.EnterpriseInput{Name: name, City: "Wuxi", StaffSize: 40})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// entWant fails the test unless the member saw every string, in an ephemeral reply.
func entWant(t *testing.T, what string, seen botenv.Seen, want ...string) {
	t.Helper()
	text := seen.Text()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("%s: reply lacks %q:\n%s", what, w, text)
		}
	}
	if seen.Type != discordgo.InteractionResponseUpdateMessage && !seen.Ephemeral() {
		t.Errorf("%s: reply is not ephemeral", what)
	}
}

func entID(id int64) string { return strconv.FormatInt(id, 10) }

func TestEnterpriseAddShowsCardAndMentorPicker(t *testing.T) {
	b := botenv.New(t)
	seen := b.Do(t, testenv.Slash(testenv.Member("carol"), "enterprise add",
		testenv.StringOpt("name", "Acme Tools"), testenv.IntOpt("staff_size", 250), testenv.StringOpt("industry", "Manufacturing"),
		testenv.StringOpt("city", "Suzhou"), testenv.StringOpt("description", "Precision parts for *every* line.")))
	entWant(t, "add", seen, "Added **Acme Tools**", "`/enterprise link-mentor`", "City: Suzhou", "Industry: Manufacturing", "Staff: 250",
		"Status: verified", "No mentors linked yet", `Precision parts for \*every\* line.`)
	es := entAll(t, b)
	if len(es) != 1 || es[0].Name != "Acme Tools" || es[0].Status != placement.EnterpriseVerified || es[0].StaffSize != 250 {
		t.Fatalf("stored: %+v", es)
	}
	if len(seen.Data.Components) != 1 {
		t.Fatalf("want one row with the mentor picker, got %d", len(seen.Data.Components))
	}
	sm, ok := seen.Data.Components[0].(*discordgo.ActionsRow).Components[0].(*discordgo.SelectMenu)
	if !ok || sm.MenuType != discordgo.UserSelectMenu || sm.CustomID != "/enterprise/"+entID(es[0].ID)+"/link" {
		t.Fatalf("picker: %#v", seen.Data.Components[0])
	}
}

func TestEnterpriseAddRefusesBadInput(t *testing.T) {
	b := botenv.New(t)
	b.AddEnterprise(t, "Acme", 200)
	carol := testenv.Member("carol")
	tests := []struct {
		name string
		opts []testenv.Opt
		want string
	}{
		{"blank name", []testenv.Opt{testenv.StringOpt("name", "   "), testenv.IntOpt("staff_size", 10)}, "Name is required"},
		{"long name", []testenv.Opt{testenv.StringOpt("name", strings.Repeat("n", 101)), testenv.IntOpt("staff_size", 10)}, "Name can be at most 100 characters (you wrote 101)"},
		{"long city", []testenv.Opt{testenv.StringOpt("name", "Beta"), testenv.IntOpt("staff_size", 10), testenv.StringOpt("city", strings.Repeat("c", 61))}, "City can be at most 60"},
		{"no staff", []testenv.Opt{testenv.StringOpt("name", "Beta")}, "Staff size must be a whole number"},
		{"zero staff", []testenv.Opt{testenv.StringOpt("name", "Beta"), testenv.IntOpt("staff_size", 0)}, "Staff size must be a whole number"},
		{"fractional staff", []testenv.Opt{testenv.StringOpt("name", "Beta"), {Name: "staff_size", Type: discordgo.ApplicationCommandOptionInteger, Value: 2.5}}, "Staff size must be a whole number"},
		{"staff as text", []testenv.Opt{testenv.StringOpt("name", "Beta"), {Name: "staff_size", Type: discordgo.ApplicationCommandOptionInteger, Value: "12"}}, "Staff size must be a whole number"},
		{"taken name", []testenv.Opt{testenv.StringOpt("name", "ACME"), testenv.IntOpt("staff_size", 10)}, "already exists"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			entWant(t, tt.name, b.Do(t, testenv.Slash(carol, "enterprise add", tt.opts...)), tt.want)
		})
	}
	if es := entAll(t, b); len(es) != 1 {
		t.Fatalf("bad input created enterprises: %+v", es)
	}
}

func TestEnterpriseCoordinatorOnly(t *testing.T) {
	b := botenv.New(t)
	acme := b.AddEnterprise(t, "Acme", 200, "alice")
	req := entRequest(t, b, "mo", "Mo Garage")
	for _, who := range []string{"bo", "alice", "sam"} {
		m := testenv.Member(who)
		for name, in := range map[string]*discordgo.Interaction{
			"add":         testenv.Slash(m, "enterprise add", testenv.StringOpt("name", "Beta"), testenv.IntOpt("staff_size", 10)),
			"link-mentor": testenv.Slash(m, "enterprise link-mentor", testenv.StringOpt("enterprise", entID(acme.ID)), testenv.UserOpt("mentor", "mo")),
			"verify":      testenv.Slash(m, "enterprise verify", testenv.StringOpt("enterprise", entID(req.ID)), testenv.StringOpt("decision", "verify")),
			"list":        testenv.Slash(m, "enterprise list"),
			"verify btn":  testenv.Button(m, "/enterprise/"+entID(req.ID)+"/verify"),
			"refuse btn":  testenv.Button(m, "/enterprise/"+entID(req.ID)+"/refuse"),
			"refuse form": testenv.ModalSubmit(m, "/enterprise/"+entID(req.ID)+"/refuse/submit", map[string]string{"reason": "no"}),
			"pending btn": testenv.Button(m, "/enterprise/pending"),
			"link pick":   testenv.UserSelect(testenv.Member(who), "/enterprise/"+entID(acme.ID)+"/link", testenv.Member("mo").ID),
		} {
			seen := b.Do(t, in)
			if !strings.Contains(seen.Text(), "Only coordinators can do this") || !seen.Ephemeral() {
				t.Errorf("%s %s: %q", who, name, seen.Text())
			}
		}
		if cs := b.Choices(t, testenv.Autocomplete(m, "enterprise verify", testenv.StringOpt("enterprise", ""))); len(cs) != 0 {
			t.Errorf("%s autocomplete: %+v", who, cs)
		}
	}
	es := entAll(t, b)
	if len(es) != 2 || es[0].Name != "Acme" || len(es[0].Mentors) != 1 || es[1].Status != placement.EnterprisePending {
		t.Fatalf("enterprises changed: %+v", es)
	}
}

func TestEnterpriseLinkMentor(t *testing.T) {
	b := botenv.New(t)
	acme := b.AddEnterprise(t, "Acme", 200)
	b.AddEnterprise(t, "Acorn Foods", 30)
	carol := testenv.Member("carol")

	choices := b.Choices(t, testenv.Autocomplete(carol, "enterprise link-mentor", testenv.StringOpt("enterprise", "ac")))
	if len(choices) != 2 || choices[0].Name != "Acme — Suzhou" || choices[0].Value != entID(acme.ID) {
		t.Fatalf("autocomplete: %+v", choices)
	}

	seen := b.Do(t, testenv.Slash(carol, "enterprise link-mentor", testenv.StringOpt("enterprise", entID(acme.ID)), testenv.UserOpt("mentor", "alice")))
	alice := testenv.Member("alice").ID
	entWant(t, "link", seen, "Linked <@"+alice+"> to **Acme**", "`/positions post`", "Mentors: <@"+alice+">")
	if strings.Contains(seen.Text(), "Still without") {
		t.Errorf("alice has the mentor role, no warning expected:\n%s", seen.Text())
	}
	if a := b.Actor(t, "alice"); !a.MentorsFor(acme.ID) {
		t.Fatalf("alice is not a mentor of Acme: %+v", a)
	}
	if ns := entNotes(t, b, "note.mentor_linked"); len(ns) != 1 || ns[0].UserID != alice {
		t.Fatalf("notifications: %+v", ns)
	}

	// A name typed in full and sent without picking a suggestion is taken when it is exact.
	seen = b.Do(t, testenv.Slash(carol, "enterprise link-mentor", testenv.StringOpt("enterprise", "acme"), testenv.UserOpt("mentor", "sam")))
	entWant(t, "link by name", seen, "Linked <@"+testenv.Member("sam").ID+"> to **Acme**", "Still without the <@&"+demo.MentorRoleID+"> role: <@"+testenv.Member("sam").ID+">")

	// Linking again says they are a mentor already, changes nothing and sends nothing twice.
	again := b.Do(t, testenv.Slash(carol, "enterprise link-mentor", testenv.StringOpt("enterprise", entID(acme.ID)), testenv.UserOpt("mentor", "alice")))
	entWant(t, "link twice", again, "<@"+alice+"> is already a mentor of Acme. Nothing was changed.")
	if ns := entNotes(t, b, "note.mentor_linked"); len(ns) != 2 {
		t.Fatalf("notifications after linking twice: %+v", ns)
	}

	// The card's picker links the new ones among those picked and names those already linked.
	pick := "/enterprise/" + entID(acme.ID) + "/link"
	mo := testenv.Member("mo").ID
	seen = b.Do(t, testenv.UserSelect(carol, pick, alice, mo))
	entWant(t, "pick one new", seen, "Linked <@"+mo+"> to **Acme**", "Already mentors before, unchanged: <@"+alice+">.")
	seen = b.Do(t, testenv.UserSelect(carol, pick, alice, mo))
	seen.MustRefuse(t, "Already mentors of **Acme**: <@"+alice+">, <@"+mo+">. Nothing was changed.")
	if ns := entNotes(t, b, "note.mentor_linked"); len(ns) != 3 {
		t.Fatalf("notifications after picking linked mentors again: %+v", ns)
	}
	zh := testenv.Slash(carol, "enterprise link-mentor", testenv.StringOpt("enterprise", "acme"), testenv.UserOpt("mentor", "alice"))
	zh.Locale = discordgo.ChineseCN
	entWant(t, "zh link twice", b.Do(t, zh), "<@"+alice+"> 已经是 Acme 的导师了。")
}

// Each enterprise command named with an enterprise in the wrong state says what is wrong with
// it, never that it can't be found.
func TestEnterpriseCommandsSayWhyNotNotFound(t *testing.T) {
	b := botenv.New(t)
	b.AddEnterprise(t, "Acme", 200, "alice")
	entRequest(t, b, "mo", "Mo Garage")
	closed := b.AddEnterprise(t, "Closed Co", 50)
	if _, err := b.Service.SuspendEnterprise(context.Background(), b.Actor(t, "carol"), closed.ID, true, ""); err != nil {
		t.Fatal(err)
	}
	carol := testenv.Member("carol")
	for _, tt := range []struct {
		command string
		opts    []testenv.Opt
		want    string
	}{
		{"enterprise verify", []testenv.Opt{testenv.StringOpt("enterprise", "ACME"), testenv.StringOpt("decision", "verify")}, "Acme is already verified"},
		{"enterprise verify", []testenv.Opt{testenv.StringOpt("enterprise", "closed co"), testenv.StringOpt("decision", "refuse"), testenv.StringOpt("reason", "none")}, "Closed Co is already suspended"},
		{"enterprise link-mentor", []testenv.Opt{testenv.StringOpt("enterprise", "mo garage"), testenv.UserOpt("mentor", "alice")}, "Mo Garage isn't verified yet"},
		{"enterprise link-mentor", []testenv.Opt{testenv.StringOpt("enterprise", "Closed Co"), testenv.UserOpt("mentor", "alice")}, "Closed Co is suspended"},
		{"enterprise link-mentor", []testenv.Opt{testenv.StringOpt("enterprise", "acme"), testenv.UserOpt("mentor", "alice")}, "is already a mentor of Acme"},
		{"enterprise suspend", []testenv.Opt{testenv.StringOpt("enterprise", "closed co")}, "Closed Co is already suspended"},
		{"enterprise suspend", []testenv.Opt{testenv.StringOpt("enterprise", "mo garage")}, "Mo Garage isn't verified yet"},
		{"enterprise restore", []testenv.Opt{testenv.StringOpt("enterprise", "acme")}, "Acme isn't suspended"},
		{"enterprise unlink-mentor", []testenv.Opt{testenv.StringOpt("enterprise", "acme"), testenv.UserOpt("mentor", "mo")}, "isn't a mentor of Acme"},
		{"enterprise verify", []testenv.Opt{testenv.StringOpt("enterprise", "Nobody Ltd"), testenv.StringOpt("decision", "verify")}, "I can't find that enterprise"},
	} {
		entWant(t, tt.command+" "+fmt.Sprint(tt.opts[0].Value), b.Do(t, testenv.Slash(carol, tt.command, tt.opts...)), tt.want)
	}
	es := entAll(t, b)
	if len(es) != 3 || es[0].Status != placement.EnterpriseVerified || len(es[0].Mentors) != 1 || es[2].Status != placement.EnterprisePending {
		t.Fatalf("changed: %+v", es)
	}
}

func TestEnterpriseLinkMentorRefusesBadEnterpriseOrMember(t *testing.T) {
	b := botenv.New(t)
	b.AddEnterprise(t, "Acme", 200)
	pending := entRequest(t, b, "mo", "Mo Garage")
	other, err := b.Service.AddEnterprise(context.Background(),
		placement.Actor{GuildID: "900000000000000999", UserID: "900000000000000199", Roles: placement.RoleCoordinator},
		placement.EnterpriseInput{Name: "Elsewhere Ltd", StaffSize: 10})
	if err != nil {
		t.Fatal(err)
	}
	carol := testenv.Member("carol")
	tests := []struct {
		name       string
		enterprise string
		mentor     testenv.Opt
		want       string
	}{
		{"not a number", "acme tools", testenv.UserOpt("mentor", "alice"), "I can't find that enterprise"},
		{"script", "1; DROP TABLE enterprises", testenv.UserOpt("mentor", "alice"), "I can't find that enterprise"},
		{"negative", "-3", testenv.UserOpt("mentor", "alice"), "I can't find that enterprise"},
		{"huge", "99999999999999999999999", testenv.UserOpt("mentor", "alice"), "I can't find that enterprise"},
		{"unknown id", "999999", testenv.UserOpt("mentor", "alice"), "I can't find that enterprise"},
		{"other guild", entID(other.ID), testenv.UserOpt("mentor", "alice"), "I can't find that enterprise"},
		{"pending", entID(pending.ID), testenv.UserOpt("mentor", "alice"), "Mo Garage isn't verified yet"},
		{"not in the server", "acme", testenv.Opt{Name: "mentor", Type: discordgo.ApplicationCommandOptionUser, Value: "123456789012345678"}, "<@123456789012345678> isn't a member of this server"},
		{"not an id", "acme", testenv.Opt{Name: "mentor", Type: discordgo.ApplicationCommandOptionUser, Value: "@alice"}, "Pick the mentor from the member list"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			seen := b.Do(t, testenv.Slash(carol, "enterprise link-mentor", testenv.StringOpt("enterprise", tt.enterprise), tt.mentor))
			entWant(t, tt.name, seen, tt.want)
		})
	}
	for _, e := range entAll(t, b) {
		if len(e.Mentors) != 0 {
			t.Errorf("%s got mentors: %v", e.Name, e.Mentors)
		}
	}
	if ns := entNotes(t, b, "note.mentor_linked"); len(ns) != 0 {
		t.Fatalf("notifications: %+v", ns)
	}
}

func TestEnterpriseLinkPicker(t *testing.T) {
	b := botenv.New(t)
	acme := b.AddEnterprise(t, "Acme", 200)
	id := "/enterprise/" + entID(acme.ID) + "/link"
	alice, mo := testenv.Member("alice").ID, testenv.Member("mo").ID

	// Someone Discord did not resolve as a member of the server: nobody is linked.
	seen := b.Do(t, testenv.UserSelect(testenv.Member("carol"), id, alice, "123456789012345678"))
	entWant(t, "stranger", seen, "isn't a member of this server")
	if e := entAll(t, b)[0]; len(e.Mentors) != 0 {
		t.Fatalf("half-linked: %v", e.Mentors)
	}
	bot := testenv.UserSelect(testenv.Member("carol"), id, alice)
	d := bot.Data.(discordgo.MessageComponentInteractionData)
	d.Resolved.Users[alice].Bot = true
	bot.Data = d
	entWant(t, "bot", b.Do(t, bot), "is a bot")

	seen = b.Do(t, testenv.UserSelect(testenv.Member("carol"), id, alice, mo))
	if seen.Type != discordgo.InteractionResponseUpdateMessage {
		t.Fatalf("want the card updated in place, got type %d", seen.Type)
	}
	entWant(t, "pick", seen, "Linked <@"+alice+">, <@"+mo+"> to **Acme**", "Mentors: <@"+alice+">, <@"+mo+">")
	if a := b.Actor(t, "mo"); !a.MentorsFor(acme.ID) {
		t.Fatal("mo is not linked")
	}
	for _, bad := range []string{"/enterprise/x/link", "/enterprise/0/link", "/enterprise/999999/link"} {
		entWant(t, bad, b.Do(t, testenv.UserSelect(testenv.Member("carol"), bad, alice)), map[bool]string{true: "I can't find that enterprise", false: "no longer valid"}[bad == "/enterprise/999999/link"])
	}
}

func TestEnterpriseRequest(t *testing.T) {
	b := botenv.New(t)
	opts := []testenv.Opt{testenv.StringOpt("name", "Mo Garage"), testenv.IntOpt("staff_size", 12), testenv.StringOpt("city", "Wuxi")}
	seen := b.Do(t, testenv.Slash(testenv.Member("mo"), "enterprise request", opts...))
	entWant(t, "request", seen, "**Mo Garage** is waiting for a coordinator", "Status: waiting for verification", "Requested by: <@"+testenv.Member("mo").ID+">")
	if len(seen.Data.Components) != 0 {
		t.Errorf("a pending enterprise offers no mentor picker: %+v", seen.Data.Components)
	}
	if ns := entNotes(t, b, "note.enterprise_requested"); len(ns) != 1 || ns[0].ChannelID != demo.DigestID {
		t.Fatalf("digest notification: %+v", ns)
	}
	for _, who := range []string{"bo", "sam", "carol"} {
		entWant(t, who, b.Do(t, testenv.Slash(testenv.Member(who), "enterprise request", testenv.StringOpt("name", "Other "+who), testenv.IntOpt("staff_size", 5))),
			"Only members with the mentor role can request an enterprise")
	}
	entWant(t, "twice", b.Do(t, testenv.Slash(testenv.Member("alice"), "enterprise request", opts...)), "already exists")
	if es := entAll(t, b); len(es) != 1 {
		t.Fatalf("enterprises: %+v", es)
	}
}

func TestEnterpriseVerifyCommand(t *testing.T) {
	b := botenv.New(t)
	garage := entRequest(t, b, "mo", "Mo Garage")
	entRequest(t, b, "alice", "Alice Bakery")
	b.AddEnterprise(t, "Mostly Verified", 10)
	carol := testenv.Member("carol")

	choices := b.Choices(t, testenv.Autocomplete(carol, "enterprise verify", testenv.StringOpt("enterprise", "mo")))
	if len(choices) != 1 || choices[0].Value != entID(garage.ID) {
		t.Fatalf("pending autocomplete: %+v", choices)
	}

	verify := func(decision, reason string) botenv.Seen {
		opts := []testenv.Opt{testenv.StringOpt("enterprise", entID(garage.ID)), testenv.StringOpt("decision", decision)}
		if reason != "" {
			opts = append(opts, testenv.StringOpt("reason", reason))
		}
		return b.Do(t, testenv.Slash(carol, "enterprise verify", opts...))
	}
	entWant(t, "refuse without reason", verify("refuse", " "), "Please give a reason for refusing")
	entWant(t, "odd decision", verify("maybe", ""), "Pick “Verify” or “Refuse”")
	entWant(t, "long reason", verify("refuse", strings.Repeat("r", 301)), "Reason can be at most 300")
	if a := b.Actor(t, "mo"); a.Is(placement.RoleMentor) {
		t.Fatal("mo became a mentor before the decision")
	}

	mo := testenv.Member("mo").ID
	seen := verify("verify", "")
	entWant(t, "verify", seen, "Verified **Mo Garage**. <@"+mo+"> is now its mentor", "Mentors: <@"+mo+">")
	if a := b.Actor(t, "mo"); !a.MentorsFor(garage.ID) {
		t.Fatalf("requester not linked: %+v", a)
	}
	entWant(t, "again", verify("refuse", "changed my mind"), "Mo Garage is already verified: there is nothing left to decide. Nothing was changed.")
	// A verified enterprise named by hand is not "not found": the command says it is verified.
	entWant(t, "verified one", b.Do(t, testenv.Slash(carol, "enterprise verify", testenv.StringOpt("enterprise", "mostly verified"), testenv.StringOpt("decision", "verify"))),
		"Mostly Verified is already verified")
	entWant(t, "unknown one", b.Do(t, testenv.Slash(carol, "enterprise verify", testenv.StringOpt("enterprise", "No Such Co"), testenv.StringOpt("decision", "verify"))),
		"I can't find that enterprise")
	if ns := entNotes(t, b, "note.enterprise_verified"); len(ns) != 1 || ns[0].UserID != mo {
		t.Fatalf("notifications: %+v", ns)
	}
	if ns := entNotes(t, b, "note.enterprise_refused"); len(ns) != 0 {
		t.Fatalf("refusal sent: %+v", ns)
	}
}

func TestEnterprisePendingListButtons(t *testing.T) {
	b := botenv.New(t)
	entRequest(t, b, "mo", "Mo Garage")
	bakery := entRequest(t, b, "alice", "Alice **Bakery**")
	carol := testenv.Member("carol")

	seen := b.Do(t, testenv.Slash(carol, "enterprise list", testenv.StringOpt("status", "pending")))
	entWant(t, "list", seen, "Enterprises — waiting for verification", `Alice \*\*Bakery\*\*`, "Requested by <@"+testenv.Member("mo").ID+">",
		"[Verify Mo Garage]", "[Refuse Mo Garage]", "[Verify Alice **Bakery**]")

	// Verify: the list is updated in place and the decided request loses its buttons.
	list := seen
	seen = b.Press(t, "carol", list, "Verify Mo Garage")
	if seen.Type != discordgo.InteractionResponseUpdateMessage {
		t.Fatalf("verify: type %d %s", seen.Type, seen.Text())
	}
	entWant(t, "verify", seen, "Verified **Mo Garage**", "Enterprises — waiting for verification", "[Verify Alice **Bakery**]")
	if seen.HasButton("Verify Mo Garage") {
		t.Errorf("decided request still has buttons:\n%s", seen.Text())
	}
	// The same button pressed again (an old copy of the list, a double click) does nothing more.
	seen = b.Press(t, "carol", list, "Verify Mo Garage")
	if seen.Type != discordgo.InteractionResponseChannelMessageWithSource || !seen.Ephemeral() || !strings.Contains(seen.Text(), "Mo Garage is already verified") {
		t.Fatalf("second press: type %d %q", seen.Type, seen.Text())
	}
	if ns := entNotes(t, b, "note.enterprise_verified"); len(ns) != 1 {
		t.Fatalf("verified notifications: %+v", ns)
	}

	// Refuse: a modal asks for the reason, which reaches the requester's DM as typed.
	form := b.Press(t, "carol", list, "Refuse Alice **Bakery**")
	if form.Type != discordgo.InteractionResponseModal || form.Data.CustomID != "/enterprise/"+entID(bakery.ID)+"/refuse/submit" {
		t.Fatalf("refuse: type %d custom_id %q", form.Type, form.Data.CustomID)
	}
	entWant(t, "blank reason", b.Fill(t, "carol", form, map[string]string{"reason": "  "}), "Please give a reason")
	reason := "No business licence on file @everyone"
	seen = b.Fill(t, "carol", form, map[string]string{"reason": reason})
	if seen.Type != discordgo.InteractionResponseUpdateMessage {
		t.Fatalf("refuse submit: type %d %s", seen.Type, seen.Text())
	}
	entWant(t, "refused", seen, `Refused **Alice \*\*Bakery\*\***. <@`+testenv.Member("alice").ID+"> has been told why", "No enterprise requests are waiting")
	ns := entNotes(t, b, "note.enterprise_refused")
	if len(ns) != 1 || ns[0].UserID != testenv.Member("alice").ID || ns[0].Data["Reason"] != reason {
		t.Fatalf("refusal notification: %+v", ns)
	}
	entWant(t, "refuse twice", b.Fill(t, "carol", form, map[string]string{"reason": "again"}), `Alice \*\*Bakery\*\* was already refused`)
	if ns := entNotes(t, b, "note.enterprise_refused"); len(ns) != 1 {
		t.Fatalf("refusal notifications after a second submit: %+v", ns)
	}
	// A refused enterprise can't be linked.
	entWant(t, "link refused", b.Do(t, testenv.Slash(carol, "enterprise link-mentor", testenv.StringOpt("enterprise", entID(bakery.ID)), testenv.UserOpt("mentor", "alice"))),
		"isn't verified yet")
}

func TestEnterpriseEditedCustomIDs(t *testing.T) {
	b := botenv.New(t)
	garage := entRequest(t, b, "mo", "Mo Garage")
	other, err := b.Service.RequestEnterprise(context.Background(),
		placement.Actor{GuildID: "900000000000000999", UserID: "900000000000000198", Roles: placement.RoleMentor, MentorRole: true},
		placement.EnterpriseInput{Name: "Elsewhere Ltd", StaffSize: 10})
	if err != nil {
		t.Fatal(err)
	}
	carol := testenv.Member("carol")
	for _, id := range []string{"/enterprise/abc/verify", "/enterprise/-1/verify", "/enterprise/0/refuse", "/enterprise/1e3/verify", "/enterprise/" + entID(garage.ID) + "/verify/now"} {
		seen := b.Do(t, testenv.Button(carol, id))
		if !strings.Contains(seen.Text(), "no longer valid") || !seen.Ephemeral() {
			t.Errorf("%s: %q", id, seen.Text())
		}
	}
	for _, id := range []string{"/enterprise/999999/verify", "/enterprise/" + entID(other.ID) + "/verify"} {
		entWant(t, id, b.Do(t, testenv.Button(carol, id)), "I can't find that enterprise")
	}
	for _, id := range []string{"/enterprise/x/refuse/submit", "/enterprise/" + entID(other.ID) + "/refuse/submit"} {
		seen := b.Do(t, testenv.ModalSubmit(carol, id, map[string]string{"reason": "nope"}))
		if !strings.Contains(seen.Text(), "no longer valid") && !strings.Contains(seen.Text(), "I can't find that enterprise") {
			t.Errorf("%s: %q", id, seen.Text())
		}
	}
	if es := entAll(t, b); es[0].Status != placement.EnterprisePending {
		t.Fatalf("changed: %+v", es)
	}
	got, err := b.Store.FindEnterprise(context.Background(), "900000000000000999", other.ID)
	if err != nil || got.Status != placement.EnterprisePending {
		t.Fatalf("other guild's request changed: %+v %v", got, err)
	}
}

func TestEnterpriseList(t *testing.T) {
	b := botenv.New(t)
	carol := testenv.Member("carol")
	entWant(t, "empty", b.Do(t, testenv.Slash(carol, "enterprise list")), "No enterprises yet", "`/enterprise add`")
	entWant(t, "empty pending", b.Do(t, testenv.Slash(carol, "enterprise list", testenv.StringOpt("status", "pending"))), "No enterprise requests are waiting")
	entWant(t, "bad status", b.Do(t, testenv.Slash(carol, "enterprise list", testenv.StringOpt("status", "deleted"))), "Pick a status from the list")

	acme := b.AddEnterprise(t, "Acme", 200, "alice", "mo")
	entRequest(t, b, "mo", "Mo Garage")
	seen := b.Do(t, testenv.Slash(carol, "enterprise list"))
	alice, mo := testenv.Member("alice").ID, testenv.Member("mo").ID
	entWant(t, "all", seen, "Enterprises", "Acme · verified", "Suzhou · Manufacturing · 200 staff", "Mentors: <@"+alice+">, <@"+mo+">",
		"Mo Garage · waiting for verification", "Requested by <@"+mo+">", "[Review waiting requests]")
	seen = b.Press(t, "carol", seen, "Review waiting requests")
	if seen.Type != discordgo.InteractionResponseUpdateMessage {
		t.Fatalf("review button: type %d", seen.Type)
	}
	entWant(t, "review", seen, "[Verify Mo Garage]")
	seen = b.Do(t, testenv.Slash(carol, "enterprise list", testenv.StringOpt("status", "verified")))
	if text := seen.Text(); !strings.Contains(text, "Acme") || strings.Contains(text, "Mo Garage") {
		t.Fatalf("verified only:\n%s", text)
	}

	// Long names and many enterprises still make one valid page (the fake Discord checks the
	// embed limits), with a way to the next page.
	for i := range 30 {
		b.AddEnterprise(t, strings.Repeat("Long name ", 9)+strconv.Itoa(i), 10+i, "alice", "mo")
	}
	seen = b.Do(t, testenv.Slash(carol, "enterprise list", testenv.StringOpt("status", "verified")))
	entWant(t, "many", seen, "[Next ▶]")
	entFooter(t, seen, "Page 1")
	if n := len(seen.Data.Embeds[0].Fields); n != 10 {
		t.Fatalf("fields: %d", n)
	}

	// Sixty mentors: the list and the card name those that fit, whole, and count the rest.
	for i := range 60 {
		if _, err := b.Service.LinkMentor(context.Background(), b.Actor(t, "carol"), acme.ID, strconv.Itoa(910000000000000000+i)); err != nil {
			t.Fatal(err)
		}
	}
	for _, seen := range []botenv.Seen{
		b.Do(t, testenv.Slash(carol, "enterprise list", testenv.StringOpt("status", "verified"))),
		b.Do(t, testenv.Slash(carol, "enterprise link-mentor", testenv.StringOpt("enterprise", "acme"), testenv.UserOpt("mentor", "li"))),
	} {
		var mentors string
		for _, f := range seen.Data.Embeds[0].Fields {
			if strings.HasPrefix(f.Name, "Acme") || f.Name == "Mentors" {
				mentors = f.Value
			}
		}
		if !strings.Contains(mentors, "<@"+alice+">") || !strings.HasSuffix(mentors, " more") || strings.Count(mentors, "<@") != strings.Count(mentors, ">") {
			t.Errorf("mentors shown as %q", mentors)
		}
	}
}

func TestEnterpriseManyPendingButtonsFit(t *testing.T) {
	b := botenv.New(t)
	for i := range 7 {
		entRequest(t, b, "mo", "Garage "+strconv.Itoa(i))
	}
	// Every request on a page has its buttons, and the pager reaches the rest.
	seen := b.Do(t, testenv.Slash(testenv.Member("carol"), "enterprise list", testenv.StringOpt("status", "pending")))
	entWant(t, "pending", seen, "[Verify Garage 0]", "[Verify Garage 3]")
	entFooter(t, seen, "Page 1")
	if n := len(seen.Data.Components); n != 5 {
		t.Fatalf("action rows: %d", n)
	}
	seen = b.Press(t, "carol", seen, "Next")
	entWant(t, "pending page 2", seen, "[Verify Garage 4]", "[Verify Garage 6]")
	entFooter(t, seen, "Page 2")
	if seen.HasButton("Verify Garage 3") || len(seen.Latest().Components) != 4 {
		t.Fatalf("page 2:\n%s", seen.Text())
	}
	// Deciding from the second page shows the waiting requests from the first page again.
	seen = b.Press(t, "carol", seen, "Verify Garage 5")
	entWant(t, "decided on page 2", seen, "Verified **Garage 5**", "[Verify Garage 0]")
}

// entFooter fails the test unless the list's footer reads want.
func entFooter(t *testing.T, s botenv.Seen, want string) {
	t.Helper()
	if es := s.Latest().Embeds; len(es) != 1 || es[0].Footer == nil || es[0].Footer.Text != want {
		t.Errorf("footer: want %q in %+v", want, es)
	}
}

// entPage is the enterprise names a list page shows, without their status.
func entPage(s botenv.Seen) []string {
	var names []string
	for _, e := range s.Latest().Embeds {
		for _, f := range e.Fields {
			name, _, _ := strings.Cut(f.Name, " · ")
			names = append(names, name)
		}
	}
	return names
}

// entWalk presses Next until the last page and returns every name shown, page by page.
func entWalk(t *testing.T, b *botenv.Bot, seen botenv.Seen) [][]string {
	t.Helper()
	pages := [][]string{entPage(seen)}
	for seen.HasButton("Next") && !seen.Buttons()[len(seen.Buttons())-1].Disabled {
		seen = b.Press(t, "carol", seen, "Next")
		if seen.Type != discordgo.InteractionResponseUpdateMessage {
			t.Fatalf("Next: type %d %s", seen.Type, seen.Text())
		}
		pages = append(pages, entPage(seen))
		if len(pages) > 20 {
			t.Fatal("the pages never end")
		}
	}
	return pages
}

func TestEnterpriseListPagesThroughEveryEnterpriseAndSearchesNames(t *testing.T) {
	b := botenv.New(t)
	carol := testenv.Member("carol")
	var want []string
	for i := range 23 {
		want = append(want, fmt.Sprintf("Firm %02d", i))
	}
	want = append(want, "Acme Robotics", "苏州精密机械", "无锡精密")
	for _, name := range want {
		b.AddEnterprise(t, name, 50)
	}
	// Pressing Next shows every enterprise once, in name order, ten a page.
	pages := entWalk(t, b, b.Do(t, testenv.Slash(carol, "enterprise list")))
	var got []string
	for _, p := range pages {
		got = append(got, p...)
	}
	sorted := slices.Clone(want)
	slices.SortFunc(sorted, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	if len(pages) != 3 || len(pages[0]) != 10 || !slices.Equal(got, sorted) {
		t.Fatalf("pages %q, want %q ten a page", pages, sorted)
	}
	// Previous goes back to the page before.
	first := b.Do(t, testenv.Slash(carol, "enterprise list"))
	second := b.Press(t, "carol", first, "Next")
	if back := b.Press(t, "carol", second, "Previous"); !slices.Equal(entPage(back), entPage(first)) {
		t.Fatalf("Previous shows %q, want %q", entPage(back), entPage(first))
	}
	// The pages of one coordinator's list are theirs alone.
	in := testenv.Button(testenv.Member("owner"), second.Button(t, "Next").CustomID)
	b.Do(t, in).MustRefuse(t, "This list belongs to someone else")

	search := func(name string) botenv.Seen {
		return b.Do(t, testenv.Slash(carol, "enterprise list", testenv.StringOpt("name", name)))
	}
	for name, wantNames := range map[string][]string{
		"精密":    {"无锡精密", "苏州精密机械"},
		"ROBOT": {"Acme Robotics"},
		" 05 ":  {"Firm 05"},
	} {
		seen := search(name)
		seen.MustContain(t, "Names containing “"+strings.TrimSpace(name)+"”")
		if got := entPage(seen); !slices.Equal(got, wantNames) || seen.HasButton("Next") {
			t.Errorf("name %q finds %q, want %q", name, got, wantNames)
		}
	}
	search("zzz").MustContain(t, "No enterprise name contains “zzz”.")
	// A search is paged too, and the pages keep to it.
	pages = entWalk(t, b, search("firm"))
	if len(pages) != 3 || len(pages[2]) != 3 || pages[2][2] != "Firm 22" {
		t.Fatalf("firm pages %q", pages)
	}
	zh := testenv.Slash(carol, "enterprise list", testenv.StringOpt("name", "精密"))
	zh.Locale = discordgo.ChineseCN
	b.Do(t, zh).MustContain(t, "名称包含“精密”")
}

func TestEnterpriseCardInChinese(t *testing.T) {
	b := botenv.New(t)
	in := testenv.Slash(testenv.Member("carol"), "enterprise add", testenv.StringOpt("name", "苏州精密"), testenv.IntOpt("staff_size", 80), testenv.StringOpt("city", "苏州"))
	in.Locale = discordgo.ChineseCN
	entWant(t, "zh add", b.Do(t, in), "已添加 **苏州精密**", "`/企业 关联导师`", "城市: 苏州", "状态: 已认证", "员工人数: 80")
}

// With session storage down the list still shows its first page, says paging is unavailable
// and offers no buttons that could not work.
func TestEnterpriseListWithoutSessions(t *testing.T) {
	srv := testenv.NewRedisServer(t)
	rdb := redis.NewClient(redis.Options{Addrs: []string{srv.Addr()}})
	t.Cleanup(func() { rdb.Close() })
	b := botenv.NewWith(t, testenv.NewPool(t), rdb)
	for i := range 12 {
		b.AddEnterprise(t, fmt.Sprintf("Firm %02d", i), 50)
	}
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	seen := b.Do(t, testenv.Slash(testenv.Member("carol"), "enterprise list"))
	entWant(t, "sessions down", seen, "Paging is unavailable for a moment", "Firm 00", "Firm 09")
	if len(entPage(seen)) != 10 || seen.HasButton("Next") {
		t.Fatalf("without sessions:\n%s", seen.Text())
	}
}
