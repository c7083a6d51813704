package console

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"placementbot/internal/demo"
	"placementbot/internal/discord"
	"placementbot/internal/discord/features"
	"placementbot/internal/i18n"
	"placementbot/internal/placement"
)

// calls records the requests that reached handlers.
type calls struct {
	mu   sync.Mutex
	reqs []*discord.Request
}

func (c *calls) add(r *discord.Request) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.reqs = append(c.reqs, r)
}

func (c *calls) all() []*discord.Request {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]*discord.Request(nil), c.reqs...)
}

// record answers with content after recording the request.
func (c *calls) record(reply *discord.Reply) discord.Handler {
	return func(_ context.Context, r *discord.Request) (*discord.Reply, error) {
		c.add(r)
		return reply, nil
	}
}

// watchWriter collects output and signals once a given text has been written.
type watchWriter struct {
	mu   sync.Mutex
	buf  strings.Builder
	want string
	seen chan struct{}
	once sync.Once
}

func newWatchWriter(want string) *watchWriter {
	return &watchWriter{want: want, seen: make(chan struct{})}
}

func (w *watchWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if w.want != "" && strings.Contains(w.buf.String(), w.want) {
		w.once.Do(func() { close(w.seen) })
	}
	return len(p), nil
}

func (w *watchWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

func newRouter(t *testing.T, rs *discord.Routes) *discord.Router {
	t.Helper()
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	settings := placement.GuildSettings{GuildID: demo.GuildID, CoordinatorRoleID: demo.CoordinatorRoleID,
		MentorRoleID: demo.MentorRoleID, StudentRoleID: demo.StudentRoleID}
	return &discord.Router{
		Routes: rs, T: cat.T, Locale: i18n.Match, Log: slog.New(slog.DiscardHandler),
		Actors: func(_ context.Context, guildID string, m placement.Member, _ string) (placement.Actor, error) {
			s := settings
			s.GuildID = guildID
			return placement.ResolveActor(s, m), nil
		},
		DeferAfter: time.Second, Timeout: 5 * time.Second,
	}
}

func ptr[T any](v T) *T { return &v }

// testCommands are slash command definitions covering every option type the console converts.
func testCommands() []*discordgo.ApplicationCommand {
	text := []discordgo.ChannelType{discordgo.ChannelTypeGuildText}
	return []*discordgo.ApplicationCommand{
		{Name: "post", Description: "Positions", Options: []*discordgo.ApplicationCommandOption{
			{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "create", Description: "Post a position", Options: []*discordgo.ApplicationCommandOption{
				{Type: discordgo.ApplicationCommandOptionString, Name: "title", Description: "Title", Required: true},
				{Type: discordgo.ApplicationCommandOptionInteger, Name: "slots", Description: "Slots", Required: true, MinValue: ptr(1.0), MaxValue: 50},
				{Type: discordgo.ApplicationCommandOptionNumber, Name: "stipend", Description: "Stipend"},
				{Type: discordgo.ApplicationCommandOptionBoolean, Name: "remote", Description: "Remote"},
				{Type: discordgo.ApplicationCommandOptionChannel, Name: "channel", Description: "Where", ChannelTypes: text},
				{Type: discordgo.ApplicationCommandOptionUser, Name: "mentor", Description: "Mentor"},
				{Type: discordgo.ApplicationCommandOptionRole, Name: "role", Description: "Role"},
				{Type: discordgo.ApplicationCommandOptionMentionable, Name: "who", Description: "Who"},
			}},
			{Type: discordgo.ApplicationCommandOptionSubCommand, Name: "search", Description: "Search", Options: []*discordgo.ApplicationCommandOption{
				{Type: discordgo.ApplicationCommandOptionString, Name: "enterprise", Description: "Enterprise", Autocomplete: true},
				{Type: discordgo.ApplicationCommandOptionString, Name: "city", Description: "City"},
			}},
		}},
		{Name: "card", Description: "A position card"},
		{Name: "apply", Description: "Apply"},
		{Name: "slow", Description: "Slow"},
		{Name: "boom", Description: "Panics"},
	}
}

// run drives a console over script and returns everything it printed.
func run(t *testing.T, r *discord.Router, cmds []*discordgo.ApplicationCommand, script string, w *watchWriter) string {
	t.Helper()
	if w == nil {
		w = newWatchWriter("")
	}
	c := New(r, cmds, demo.School(), strings.NewReader(script), w, false)
	if err := c.Run(context.Background()); err != nil {
		t.Fatalf("Run: %v", err)
	}
	return w.String()
}

func wantAll(t *testing.T, out string, want ...string) {
	t.Helper()
	for _, s := range want {
		if !strings.Contains(out, s) {
			t.Errorf("output lacks %q\n--- output ---\n%s", s, out)
		}
	}
}

func TestAsPicksMembers(t *testing.T) {
	var got calls
	rs := &discord.Routes{}
	rs.Command("/card", 0, got.record(&discord.Reply{Content: "hi"}))
	out := run(t, newRouter(t, rs), testCommands(), `
# nobody yet
/card
as mentor bo
as teacher
as mentor zed mo
as coordinator
as mentor
as student li
as owner
members
quit
/card
`, nil)
	wantAll(t, out,
		"> /card\nPick who you are first: `as coordinator`, `as mentor`, `as student` or `as <name>`",
		"bo doesn't have the @Mentor role: bo has @Student.",
		`No member or role called "teacher"`,
		"Usage: as coordinator | as mentor [name] | as student [name] | as <name>",
		"You are now carol: @Coordinator.",
		"You are now alice: @Mentor.",
		"You are now li: @Student.",
		"You are now owner: no roles (permissions: Manage Server).",
		"  carol  @Coordinator\n",
		"  owner  no roles (permissions: Manage Server)  <- you",
	)
	if strings.Contains(out, "# nobody yet") {
		t.Error("comment lines are echoed")
	}
	if n := len(got.all()); n != 0 {
		t.Errorf("handler called %d times; a command before `as` and after quit must send nothing", n)
	}
}

func TestCommandOptionsArriveTyped(t *testing.T) {
	var got calls
	rs := &discord.Routes{}
	rs.Command("/post/create", 0, got.record(&discord.Reply{Content: "posted"}))
	out := run(t, newRouter(t, rs), testCommands(), `
as coordinator
locale zh-CN
/post create title:"Welding intern" slots:3 stipend:1200.5 remote:true channel:#placements mentor:@alice role:Coordinator who:@Mentor
`, nil)
	wantAll(t, out, "Your interactions now carry the locale zh-CN: Chinese (China).", "PlacementBot (only you can see this):\n  posted\n")
	reqs := got.all()
	if len(reqs) != 1 {
		t.Fatalf("handler called %d times, want 1\n%s", len(reqs), out)
	}
	r := reqs[0]
	in := r.Interaction
	if r.Path != "/post/create" || in.Type != discordgo.InteractionApplicationCommand || in.GuildID != demo.GuildID ||
		in.AppID != ApplicationID || in.Token == "" || in.ID == "" || in.Locale != discordgo.ChineseCN || r.Locale != "zh-CN" {
		t.Errorf("interaction: path %q type %v guild %q app %q token %q id %q locale %q/%q",
			r.Path, in.Type, in.GuildID, in.AppID, in.Token, in.ID, in.Locale, r.Locale)
	}
	if in.Member == nil || in.Member.User.Username != "carol" || in.Member.Roles[0] != demo.CoordinatorRoleID || !r.Actor.Is(placement.RoleCoordinator) {
		t.Errorf("member %+v actor %+v", in.Member, r.Actor)
	}
	data := in.ApplicationCommandData()
	if data.Name != "post" || data.CommandType != discordgo.ChatApplicationCommand || len(data.Options) != 1 ||
		data.Options[0].Type != discordgo.ApplicationCommandOptionSubCommand || data.Options[0].Name != "create" {
		t.Fatalf("data %+v", data)
	}
	if s, _ := r.String("title"); s != "Welding intern" {
		t.Errorf("title %q", s)
	}
	if v := r.Option("slots").IntValue(); v != 3 {
		t.Errorf("slots %d", v)
	}
	if v := r.Option("stipend").FloatValue(); v != 1200.5 {
		t.Errorf("stipend %v", v)
	}
	if !r.Option("remote").BoolValue() {
		t.Error("remote not true")
	}
	if id, _ := r.ID("channel"); id != demo.AnnouncementsID {
		t.Errorf("channel %q", id)
	}
	if id, _ := r.ID("mentor"); id != "900000000000000102" {
		t.Errorf("mentor %q", id)
	}
	if id, _ := r.ID("role"); id != demo.CoordinatorRoleID {
		t.Errorf("role %q", id)
	}
	if id, _ := r.ID("who"); id != demo.MentorRoleID {
		t.Errorf("who %q", id)
	}
	res := data.Resolved
	if res == nil || res.Channels[demo.AnnouncementsID].Name != "placements" || res.Channels[demo.AnnouncementsID].Type != discordgo.ChannelTypeGuildText ||
		res.Users["900000000000000102"].Username != "alice" || res.Members["900000000000000102"].Roles[0] != demo.MentorRoleID ||
		res.Roles[demo.CoordinatorRoleID].Name != "Coordinator" || res.Roles[demo.MentorRoleID].Name != "Mentor" {
		t.Errorf("resolved %+v", res)
	}
}

func TestRealCommandDefinitions(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	var got calls
	rs := &discord.Routes{}
	rs.Command("/setup/roles", 0, got.record(&discord.Reply{Content: "saved"}))
	rs.Command("/setup/channels", 0, got.record(&discord.Reply{Content: "saved"}))
	out := run(t, newRouter(t, rs), discord.ApplicationCommands(cat, features.All(discord.Deps{Catalog: cat})), `
as owner
help
help /setup
/setup
/setup channels announcements:#lounge
/setup roles coordinator:@Coordinator student:Student
`, nil)
	wantAll(t, out,
		"  /setup roles | channels | compliance | timezone | invitations | show\n",
		"  /setup roles [coordinator:@role] [mentor:@role] [student:@role] [supervisor:@role]\n",
		"/setup needs a subcommand: roles, channels, compliance, timezone, invitations, show.",
		"#lounge can't be picked for announcements; the channels it takes are: #placements, #coordinators, #general.",
		"PlacementBot (only you can see this):\n  saved\n",
	)
	reqs := got.all()
	if len(reqs) != 1 {
		t.Fatalf("handler called %d times, want 1", len(reqs))
	}
	res := reqs[0].Interaction.ApplicationCommandData().Resolved
	if id, _ := reqs[0].ID("student"); id != demo.StudentRoleID || res.Roles[demo.StudentRoleID] == nil || res.Roles[demo.CoordinatorRoleID] == nil {
		t.Errorf("student %q resolved %+v", id, res)
	}
}

// card is a reply with an embed, mentions, buttons and a select menu.
func card() *discord.Reply {
	bo, one := "900000000000000104", 1
	return &discord.Reply{
		Content: "Hello <@" + bo + ">, see <#" + demo.AnnouncementsID + "> or ask <@&" + demo.CoordinatorRoleID + ">.",
		Embeds: []*discordgo.MessageEmbed{{
			Title: "Welder", Description: "Mentored by <@!900000000000000102>",
			Fields: []*discordgo.MessageEmbedField{{Name: "Slots", Value: "3", Inline: true}, {Name: "Skills", Value: "TIG\nMIG"}},
			Footer: &discordgo.MessageEmbedFooter{Text: "Acme Robotics"},
		}},
		Components: []discordgo.MessageComponent{
			discordgo.ActionsRow{Components: []discordgo.MessageComponent{
				discordgo.Button{Label: "Apply", Style: discordgo.PrimaryButton, CustomID: "/pos/apply/42"},
				discordgo.Button{Label: "Closed", Style: discordgo.SecondaryButton, CustomID: "/pos/closed", Disabled: true},
				discordgo.Button{Label: "Guide", Style: discordgo.LinkButton, URL: "https://example.com/guide"},
				discordgo.Button{Label: "Refresh", Style: discordgo.SecondaryButton, CustomID: "/pos/refresh/42"},
			}},
			discordgo.ActionsRow{Components: []discordgo.MessageComponent{
				discordgo.SelectMenu{CustomID: "/pos/open", Placeholder: "Pick a position", MinValues: &one, MaxValues: 2, Options: []discordgo.SelectMenuOption{
					{Label: "Welder", Value: "42", Description: "Acme"},
					{Label: "Cook", Value: "43"},
					{Label: "Driver", Value: "44"},
				}},
			}},
		},
	}
}

func TestRenderPressAndSelect(t *testing.T) {
	var got calls
	rs := &discord.Routes{}
	rs.Command("/card", 0, got.record(card()))
	rs.Component("/pos/apply/{id}", 0, got.record(&discord.Reply{Content: "applying"}))
	rs.Component("/pos/open", 0, got.record(&discord.Reply{Content: "opened"}))
	rs.UpdateComponent("/pos/refresh/{id}", 0, got.record(&discord.Reply{Content: "refreshed <@&" + demo.MentorRoleID + ">"}))
	out := run(t, newRouter(t, rs), testCommands(), `
as student bo
press 1
/card
press 2
press 3
press 5
select 1 1
select 5 9
select 5 1 2 3
select 5 1 Cook
press 1
press 4
press 1
`, nil)
	wantAll(t, out,
		"There is no message with buttons or menus yet.",
		"PlacementBot (only you can see this):\n"+
			"  Hello @bo, see #placements or ask @Coordinator.\n"+
			"  | Welder\n"+
			"  | Mentored by @alice\n"+
			"  | Slots: 3\n"+
			"  | Skills:\n"+
			"  |   TIG\n"+
			"  |   MIG\n"+
			"  | — Acme Robotics\n"+
			"  [1 Apply] (2 Closed) [3 Guide -> https://example.com/guide] [4 Refresh]\n"+
			"  [5 Pick a position ▾] pick 1 to 2\n"+
			"      1. Welder — Acme\n"+
			"      2. Cook\n"+
			"      3. Driver\n",
		"2 (Closed) is disabled.",
		"3 is a link: it opens https://example.com/guide in a browser and sends the bot nothing.",
		"5 is a select menu: pick from it with `select 5 <option>`.",
		"1 is a button: press it with `press 1`.",
		`Menu 5 has no option "9"`,
		"Menu 5 takes 1 to 2 options; you picked 3.",
		"PlacementBot (only you can see this):\n  opened\n",
		"PlacementBot (only you can see this):\n  applying\n",
		"PlacementBot (updated, only you can see this):\n  refreshed @Mentor\n",
	)
	reqs := got.all()
	var paths []string
	for _, r := range reqs {
		paths = append(paths, r.Path)
	}
	if strings.Join(paths, " ") != "/card /pos/open /pos/apply/{id} /pos/refresh/{id}" {
		t.Fatalf("routes reached: %v\n%s", paths, out)
	}
	sel := reqs[1]
	if v := sel.Values(); len(v) != 2 || v[0] != "42" || v[1] != "43" {
		t.Errorf("select values %v", v)
	}
	if d := sel.Interaction.MessageComponentData(); d.ComponentType != discordgo.SelectMenuComponent || d.CustomID != "/pos/open" {
		t.Errorf("select data %+v", d)
	}
	apply := reqs[2]
	if apply.Vars["id"] != "42" {
		t.Errorf("vars %v", apply.Vars)
	}
	d := apply.Interaction.MessageComponentData()
	msg := apply.Interaction.Message
	if d.ComponentType != discordgo.ButtonComponent || d.CustomID != "/pos/apply/42" || msg == nil || msg.ID == "" ||
		msg.Flags&discordgo.MessageFlagsEphemeral == 0 || len(msg.Components) != 2 || msg.Author == nil || msg.Author.ID != ApplicationID {
		t.Fatalf("component interaction: data %+v message %+v", d, msg)
	}
	if row, ok := msg.Components[0].(*discordgo.ActionsRow); !ok || row.Components[0].(*discordgo.Button).CustomID != "/pos/apply/42" {
		t.Errorf("message components %#v", msg.Components[0])
	}
	// After the update the card has no components left, so press 1 finds none to press.
	if !strings.HasSuffix(out, "> press 1\nThere is no message with buttons or menus yet.\n") {
		t.Errorf("the updated message still offers buttons:\n%s", out)
	}
}

func TestShowThenPress(t *testing.T) {
	var got calls
	rs := &discord.Routes{}
	rs.Component("/pos/apply/{id}", 0, got.record(&discord.Reply{Content: "applying"}))
	w := newWatchWriter("")
	c := New(newRouter(t, rs), testCommands(), demo.School(), strings.NewReader("as student\npress 1\n"), w, false)
	c.Show("PlacementBot in #placements", "New position: **Welder** by <@900000000000000102>", nil, []discordgo.MessageComponent{
		discordgo.ActionsRow{Components: []discordgo.MessageComponent{discordgo.Button{Label: "Apply", CustomID: "/pos/apply/7"}}},
	}, nil)
	if err := c.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	wantAll(t, w.String(), "PlacementBot in #placements:\n  New position: **Welder** by @alice\n  [1 Apply]\n", "applying")
	if reqs := got.all(); len(reqs) != 1 || reqs[0].Vars["id"] != "7" || reqs[0].Interaction.Message.Flags != 0 {
		t.Errorf("requests %+v", reqs)
	}
}

func TestModalFilledFromScript(t *testing.T) {
	var got calls
	rs := &discord.Routes{}
	rs.Command("/apply", 0, got.record(&discord.Reply{Modal: &discord.Modal{CustomID: "/apply/42", Title: "Apply to Welder", Inputs: []discordgo.TextInput{
		{CustomID: "motivation", Label: "Why this position?", Style: discordgo.TextInputParagraph, Required: true, MaxLength: 1000, Placeholder: "A few sentences"},
		{CustomID: "phone", Label: "Phone", Style: discordgo.TextInputShort, MaxLength: 20},
	}}}))
	rs.Modal("/apply/{id}", 0, got.record(&discord.Reply{Content: "Application sent."}))
	out := run(t, newRouter(t, rs), testCommands(), `
as student bo
/apply

I like metal.\nAnd fire.
13800000000000000000000
cancel
/apply
Second try
123
`, nil)
	wantAll(t, out,
		"PlacementBot opened a form: Apply to Welder\n  hint: A few sentences\n",
		"  Why this position? (required, up to 1000 characters): \n  Why this position? is required.\n",
		"  Why this position? (required, up to 1000 characters): I like metal.\\nAnd fire.\n",
		"  Phone is too long: 23 characters, at most 20.\n",
		"Form cancelled: nothing was sent.",
		"  Phone (optional, up to 20 characters): 123\nPlacementBot (only you can see this):\n  Application sent.\n",
	)
	reqs := got.all()
	if len(reqs) != 3 || reqs[2].Path != "/apply/{id}" {
		t.Fatalf("handler calls %d\n%s", len(reqs), out)
	}
	sub := reqs[2]
	if sub.Vars["id"] != "42" || sub.ModalValue("motivation") != "Second try" || sub.ModalValue("phone") != "123" ||
		sub.Interaction.Type != discordgo.InteractionModalSubmit || sub.Interaction.Member.User.Username != "bo" {
		t.Errorf("modal submit vars %v motivation %q phone %q", sub.Vars, sub.ModalValue("motivation"), sub.ModalValue("phone"))
	}
}

func TestModalKeepsLineBreaks(t *testing.T) {
	var got calls
	rs := &discord.Routes{}
	rs.Command("/apply", 0, got.record(&discord.Reply{Modal: &discord.Modal{CustomID: "/apply/1", Title: "Apply", Inputs: []discordgo.TextInput{
		{CustomID: "motivation", Label: "Motivation", Style: discordgo.TextInputParagraph, Required: true},
		{CustomID: "note", Label: "Note", Style: discordgo.TextInputShort},
	}}}))
	rs.Modal("/apply/{id}", 0, got.record(&discord.Reply{Content: "ok"}))
	run(t, newRouter(t, rs), testCommands(), "as bo\n/apply\nline one\\nline two\n\n", nil)
	reqs := got.all()
	if len(reqs) != 2 || reqs[1].ModalValue("motivation") != "line one\nline two" || reqs[1].ModalValue("note") != "" {
		t.Fatalf("modal values: %d calls", len(reqs))
	}
}

func TestAutocompleteChoices(t *testing.T) {
	var got calls
	rs := &discord.Routes{}
	rs.Autocomplete("/post/search", 0, got.record(&discord.Reply{Choices: []*discordgo.ApplicationCommandOptionChoice{
		{Name: "Acme Robotics", Value: "7"}, {Name: "Acorn Foods", Value: "Acorn Foods"},
	}}))
	out := run(t, newRouter(t, rs), testCommands(), `
as student
complete /post search city:Shenzhen enterprise:ac
complete /post search enterprise:ac city:Shen
`, nil)
	wantAll(t, out, "Suggestions:\n  1. Acme Robotics (value: 7)\n  2. Acorn Foods\n",
		"The option city of /post search offers no suggestions.")
	reqs := got.all()
	if len(reqs) != 1 {
		t.Fatalf("handler calls %d", len(reqs))
	}
	f := reqs[0].Focused()
	if reqs[0].Interaction.Type != discordgo.InteractionApplicationCommandAutocomplete || f == nil || f.Name != "enterprise" || f.StringValue() != "ac" {
		t.Errorf("focused %+v", f)
	}
	if s, _ := reqs[0].String("city"); s != "Shenzhen" {
		t.Errorf("city %q", s)
	}
}

func TestSlowHandlerIsDeferredThenEdited(t *testing.T) {
	w := newWatchWriter("thinking…")
	rs := &discord.Routes{}
	rs.Command("/slow", 0, func(ctx context.Context, _ *discord.Request) (*discord.Reply, error) {
		// Finish only once the console has shown the acknowledgement.
		select {
		case <-w.seen:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		return &discord.Reply{Content: "Done at last."}, nil
	})
	r := newRouter(t, rs)
	r.DeferAfter = time.Nanosecond
	out := run(t, r, testCommands(), "as coordinator\n/slow\n", w)
	wantAll(t, out, "> /slow\nPlacementBot is thinking… (only you can see this)\nPlacementBot (updated, only you can see this):\n  Done at last.\n")
}

func TestPanicShowsErrorAndSessionGoesOn(t *testing.T) {
	var got calls
	rs := &discord.Routes{}
	rs.Command("/boom", 0, func(context.Context, *discord.Request) (*discord.Reply, error) { panic("kaboom") })
	rs.Command("/card", 0, got.record(&discord.Reply{Content: "still here"}))
	out := run(t, newRouter(t, rs), testCommands(), "as coordinator\n/boom\n/card\n", nil)
	wantAll(t, out, "> /boom\nPlacementBot (only you can see this):\n  Something went wrong on our side and nothing was changed.",
		"> /card\nPlacementBot (only you can see this):\n  still here\n")
	if len(got.all()) != 1 {
		t.Error("the command after the panic did not arrive")
	}
}

func TestParseErrorsSendNothing(t *testing.T) {
	var got calls
	rs := &discord.Routes{}
	rs.Command("/post/create", 0, got.record(&discord.Reply{Content: "posted"}))
	out := run(t, newRouter(t, rs), testCommands(), `
as coordinator
/post create title:X slots:2 colour:red
/post create title:X
/post create title:X slots:2 role:@Teachers
/post create title:X slots:two
/post create title:X slots:0
/post create title:X slots:2 remote:maybe
/post create title:X slots:2 mentor:@zed
/post create title:X slots:2 channel:#lounge
/post create title:"unclosed slots:2
/post create title:X slots:2 title:Y
/post create title:X slots:2 stray
/post delete
/nope
frobnicate
`, nil)
	wantAll(t, out,
		`/post create has no option "colour"; it takes: title, slots, stipend, remote, channel, mentor, role, who.`,
		"/post create needs the option slots (whole-number).",
		`No role called "@Teachers" for role; the roles are: @everyone, @Coordinator, @Mentor, @Student, @Alumni, @PlacementBot.`,
		`slots must be a whole number, not "two".`,
		"slots must be at least 1.",
		`remote must be true or false, not "maybe".`,
		`No member called "@zed" for mentor`,
		"#lounge can't be picked for channel",
		"A quote is never closed",
		"The option title is given twice.",
		`"stray" isn't an option`,
		`/post has no subcommand "delete"; it has: create, search.`,
		"No slash command /nope.",
		`unknown console command "frobnicate"`,
	)
	if n := len(got.all()); n != 0 {
		t.Errorf("handler called %d times after parse errors", n)
	}
}

func TestInteractivePrompt(t *testing.T) {
	rs := &discord.Routes{}
	rs.Command("/card", 0, func(context.Context, *discord.Request) (*discord.Reply, error) {
		return &discord.Reply{Content: "hi", Public: true}, nil
	})
	w := newWatchWriter("")
	c := New(newRouter(t, rs), testCommands(), demo.School(), strings.NewReader("as carol\n/card\n"), w, true)
	if err := c.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	wantAll(t, w.String(), "nobody> You are now carol", "carol> PlacementBot:\n  hi\n")
	if strings.Contains(w.String(), "> /card") {
		t.Error("interactive mode echoes input")
	}
}

func TestRunStopsWithContext(t *testing.T) {
	in, pw := io.Pipe()
	t.Cleanup(func() { pw.Close() }) // ends the reader waiting for a line that never comes
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c := New(newRouter(t, &discord.Routes{}), nil, demo.School(), in, newWatchWriter(""), false)
	if err := c.Run(ctx); err != context.Canceled {
		t.Fatalf("Run = %v, want context.Canceled", err)
	}
}

func TestShowWhileWaitingRepeatsPrompt(t *testing.T) {
	in, pw := io.Pipe()
	w := newWatchWriter("nobody> ")
	c := New(newRouter(t, &discord.Routes{}), nil, demo.School(), in, w, true)
	done := make(chan error, 1)
	go func() { done <- c.Run(context.Background()) }()
	<-w.seen
	c.Show("PlacementBot in #placements", "A new position is open.", nil, nil, nil)
	if _, err := io.WriteString(pw, "quit\n"); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	pw.Close()
	wantAll(t, w.String(), "nobody> \nPlacementBot in #placements:\n  A new position is open.\nnobody> ")
}
