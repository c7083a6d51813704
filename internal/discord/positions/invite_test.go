package positions_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"placementbot/internal/demo"
	"placementbot/internal/outbox"
	"placementbot/internal/placement"
	"placementbot/internal/testenv"
	"placementbot/internal/testenv/botenv"
)

// inviteWorld is a school with Acme's position CNC Operator (skills CNC, CAD, teamwork; the
// Mechatronics program; Suzhou) and the students bo, li and wei known by name.
type inviteWorld struct {
	b    *botenv.Bot
	acme placement.Enterprise
	pos  placement.Position
}

func newInviteWorld(t *testing.T) inviteWorld {
	t.Helper()
	b := botenv.New(t)
	w := inviteWorld{b: b, acme: b.AddEnterprise(t, "Acme", 200, "alice")}
	w.pos = b.PostPosition(t, "alice", w.acme.ID, botenv.PositionInput("CNC Operator"))
	// One interaction each, so the bot knows the names the server shows them by.
	for _, s := range []string{"bo", "li", "wei"} {
		b.Do(t, testenv.Slash(testenv.Member(s), "help"))
	}
	return w
}

// candidates opens the position's card as the member and presses Invite students.
func (w inviteWorld) candidates(t *testing.T, member string) botenv.Seen {
	t.Helper()
	card := w.b.Do(t, testenv.Slash(testenv.Member(member), "positions view", testenv.StringOpt("position", strconv.FormatInt(w.pos.ID, 10))))
	return w.b.Press(t, member, card, "Invite students")
}

// place gives the student an active placement at the position, through the whole lifecycle.
func place(t *testing.T, b *botenv.Bot, student, mentor string, positionID int64) {
	t.Helper()
	ctx := context.Background()
	carol := b.Actor(t, "carol")
	app := b.Apply(t, student, positionID)
	if _, err := b.Service.Offer(ctx, b.Actor(t, mentor), app.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Service.Accept(ctx, b.Actor(t, student), app.ID); err != nil {
		t.Fatal(err)
	}
	c, err := b.Service.Compliance(ctx, carol)
	if err != nil {
		t.Fatal(err)
	}
	for _, item := range c.Checklist {
		if _, err := b.Service.TickCheck(ctx, carol, app.ID, item, true); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.Service.Approve(ctx, carol, app.ID); err != nil {
		t.Fatal(err)
	}
}

// entryOrder is where each name's numbered entry is in the text, -1 when absent.
func entryOrder(text string, names ...string) []int {
	out := make([]int, len(names))
	for i, n := range names {
		out[i] = -1
		for k := 1; k <= placement.CandidatesPerPage; k++ {
			if j := strings.Index(text, fmt.Sprintf("%d. %s:", k, n)); j >= 0 {
				out[i] = k
			}
		}
	}
	return out
}

func TestInvitationCandidatesRankFitAndLeaveOutWhoCannotBeInvited(t *testing.T) {
	w := newInviteWorld(t)
	b := w.b
	other := b.PostPosition(t, "alice", w.acme.ID, botenv.PositionInput("Assembly helper"))
	b.SaveProfile(t, "li", placement.ProfileInput{Program: "Mechatronics", Cohort: "2024", Skills: "cnc, CAD",
		Certificates: "Forklift licence 77", Locations: "Suzhou, Qingpu hometown", Availability: "2026-01-01 to 2030-12-31"})
	b.SaveProfile(t, "wei", placement.ProfileInput{Program: "Cooking", Skills: "Teamwork"})
	b.SaveProfile(t, "bo", placement.ProfileInput{Program: "Mechatronics", Skills: "CNC"})

	seen := w.candidates(t, "alice")
	if !seen.Ephemeral() {
		t.Error("the candidates are personal data: the list must be ephemeral")
	}
	text := seen.Text()
	if got := entryOrder(text, "li", "bo", "wei"); !slices.Equal(got, []int{1, 2, 3}) {
		t.Errorf("li, bo, wei are entries %v, want 1, 2, 3 (best fit first):\n%s", got, text)
	}
	wantText(t, "candidates", seen, "Students who fit: CNC Operator", "Skills that match (2/3): CNC, CAD",
		"Skills that match (1/3): teamwork", "Mechatronics · cohort 2024", "Available 2026-01-01 → 2030-12-31")
	for _, private := range []string{"Forklift", "Qingpu"} {
		if strings.Contains(text, private) {
			t.Errorf("the list shows %q, which a profile shows mentors only once the student applies:\n%s", private, text)
		}
	}
	if menus := seen.Menus(); len(menus) != 1 || len(menus[0].Options) != 3 || menus[0].Options[0].Value != testenv.Member("li").ID {
		t.Fatalf("want one menu inviting li first among three, got %+v", menus)
	}

	// bo applies: a student who applied is not invited to apply.
	b.Apply(t, "bo", w.pos.ID)
	// wei turns invitations off on her profile.
	prof := b.Do(t, testenv.Slash(testenv.Member("wei"), "profile view"))
	wantText(t, "wei's profile", prof, "Invitations from mentors: On", "[Turn invitations off]")
	off := b.Press(t, "wei", prof, "Turn invitations off")
	wantText(t, "turned off", off, "Invitations are off", "Invitations from mentors: Off", "[Turn invitations on]")

	text = w.candidates(t, "alice").Text()
	if got := entryOrder(text, "li", "bo", "wei"); !slices.Equal(got, []int{1, -1, -1}) {
		t.Errorf("after bo applied and wei opted out, entries are %v, want li alone:\n%s", got, text)
	}

	// li is placed elsewhere: nobody is left.
	place(t, b, "li", "alice", other.ID)
	wantText(t, "nobody left", w.candidates(t, "alice"), "No student fits right now")

	// wei turns invitations back on and is a candidate again.
	on := b.Press(t, "wei", b.Do(t, testenv.Slash(testenv.Member("wei"), "profile view")), "Turn invitations on")
	wantText(t, "turned on", on, "Invitations are on")
	if got := entryOrder(w.candidates(t, "alice").Text(), "wei"); got[0] != 1 {
		t.Errorf("wei, invitations on again, is entry %d, want 1", got[0])
	}
}

// dmOf turns an interaction into the same press in a DM: no server, no member, only the user.
func dmOf(in *discordgo.Interaction) *discordgo.Interaction {
	in.User, in.Member, in.GuildID = in.Member.User, nil, ""
	in.ChannelID = "990000000000000001"
	return in
}

// sentDMs delivers the queued notifications and returns the DMs each member got, in order.
func sentDMs(t *testing.T, b *botenv.Bot, members ...string) map[string][]botenv.Message {
	t.Helper()
	w := outbox.New(outbox.Config{Store: b.Store, Sender: outbox.DiscordSender{Session: b.Session}, Catalog: b.Catalog})
	if _, err := w.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	out := map[string][]botenv.Message{}
	for _, name := range members {
		// The fake answers every request for a recipient with the same DM channel.
		ch, err := b.Session.UserChannelCreate(testenv.Member(name).ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range b.Discord.Calls() {
			if c.Method != "POST" || c.Route != "/channels/{channel_id}/messages" || c.Params["channel_id"] != ch.ID {
				continue
			}
			var m botenv.Message
			if err := c.Decode(&m); err != nil {
				t.Fatal(err)
			}
			out[name] = append(out[name], m)
		}
	}
	return out
}

// invitationDM finds the one invitation DM among the member's and returns its text and its
// buttons' custom_ids by label.
func invitationDM(t *testing.T, dms []botenv.Message) map[string]string {
	t.Helper()
	var found []botenv.Message
	for _, m := range dms {
		if strings.Contains(m.Content, "invites you to apply") {
			found = append(found, m)
		}
	}
	if len(found) != 1 {
		t.Fatalf("want one invitation DM, found %d among %d DMs", len(found), len(dms))
	}
	buttons := map[string]string{"content": found[0].Content}
	for _, c := range found[0].Components {
		if row, ok := c.(*discordgo.ActionsRow); ok {
			for _, x := range row.Components {
				if btn, ok := x.(*discordgo.Button); ok {
					buttons[btn.Label] = btn.CustomID
				}
			}
		}
	}
	return buttons
}

func TestInvitationByDMAppliesThroughTheNormalFlowAndDeclinesSilently(t *testing.T) {
	w := newInviteWorld(t)
	b := w.b
	b.SaveProfile(t, "li", placement.ProfileInput{Program: "Mechatronics", Skills: "CNC, CAD"})
	b.SaveProfile(t, "wei", placement.ProfileInput{Program: "Mechatronics", Skills: "teamwork"})
	li, wei := testenv.Member("li"), testenv.Member("wei")
	id := strconv.FormatInt(w.pos.ID, 10)

	list := w.candidates(t, "alice")
	sent := b.Pick(t, "alice", list, 0, li.ID)
	wantText(t, "invited", sent, "Invited <@"+li.ID+">", "Invited on "+time.Now().UTC().Format(placement.DateLayout))
	// Pressing again on the old list: the same student is invited to a position once.
	b.Pick(t, "alice", list, 0, li.ID).MustRefuse(t, "Already invited on "+time.Now().UTC().Format(placement.DateLayout))
	b.Pick(t, "alice", list, 0, wei.ID)

	dms := sentDMs(t, b, "li", "wei")
	dm := invitationDM(t, dms["li"])
	for _, want := range []string{"**CNC Operator** at Acme", "Suzhou", "Skills asked: CNC, CAD, teamwork", "You have: CNC, CAD", "Apply by <t:"} {
		if !strings.Contains(dm["content"], want) {
			t.Errorf("invitation DM lacks %q:\n%s", want, dm["content"])
		}
	}
	prefix := "/dm/" + demo.GuildID
	if dm["Apply"] != prefix+"/apply/"+id || !strings.HasPrefix(dm["No thanks"], prefix+"/invitation/") {
		t.Fatalf("DM buttons = %v, want Apply and No thanks naming the server", dm)
	}

	// Apply in the DM opens the normal motivation form, whose submit also comes back from the DM.
	form := b.Do(t, dmOf(testenv.Button(li, dm["Apply"])))
	if form.Type != discordgo.InteractionResponseModal || form.Data.CustomID != prefix+"/apply/"+id+"/submit" {
		t.Fatalf("Apply in the DM answered type %d, form %q:\n%s", form.Type, form.Data.CustomID, form.Text())
	}
	b.Do(t, dmOf(testenv.ModalSubmit(li, form.Data.CustomID, map[string]string{
		"motivation": "I ran the CNC mills in our school workshop for two years."})))
	apps, err := b.Service.MyApplicationsTo(context.Background(), b.Actor(t, "li"), []int64{w.pos.ID})
	if err != nil || apps[w.pos.ID].Status != placement.Submitted {
		t.Fatalf("li's application after applying from the DM: %+v, %v", apps, err)
	}
	// The normal rules hold: applying twice from the DM is refused as anywhere else.
	b.Do(t, dmOf(testenv.Button(li, dm["Apply"]))).MustRefuse(t, "already")

	// wei's invitation: li cannot say no thanks for her, a stranger to the server cannot press it.
	weiDM := invitationDM(t, dms["wei"])
	if weiDM["No thanks"] == dm["No thanks"] {
		t.Fatalf("li and wei got the same No thanks: %q", dm["No thanks"])
	}
	b.Do(t, dmOf(testenv.Button(li, weiDM["No thanks"]))).MustRefuse(t, "sent to someone else")
	stranger := demo.Member{ID: "990000000000000042", Name: "stranger"}
	b.Do(t, dmOf(testenv.Button(stranger, weiDM["No thanks"]))).MustRefuse(t, "not a member of that school's server")

	var before int
	if err := b.Pool.QueryRow(context.Background(), `SELECT count(*) FROM notifications`).Scan(&before); err != nil {
		t.Fatal(err)
	}
	declined := b.Do(t, dmOf(testenv.Button(wei, weiDM["No thanks"])))
	if declined.Type != discordgo.InteractionResponseUpdateMessage || !strings.Contains(declined.Text(), "The mentor is not told") || len(declined.Data.Components) != 0 {
		t.Errorf("No thanks: type %d, components %d:\n%s", declined.Type, len(declined.Data.Components), declined.Text())
	}
	var after int
	var declinedAt *time.Time
	if err := b.Pool.QueryRow(context.Background(), `SELECT (SELECT count(*) FROM notifications),
		(SELECT declined_at FROM invitations WHERE student_id = $1)`, wei.ID).Scan(&after, &declinedAt); err != nil {
		t.Fatal(err)
	}
	if after != before || declinedAt == nil {
		t.Errorf("declining queued %d notifications (want none) and recorded declined_at %v", after-before, declinedAt)
	}
	b.Do(t, dmOf(testenv.Button(wei, weiDM["No thanks"]))).MustRefuse(t, "already said no thanks")

	// Both invitations and the no thanks are in the decision trail.
	trail := b.Do(t, testenv.Slash(testenv.Member("carol"), "audit", testenv.StringOpt("enterprise", strconv.FormatInt(w.acme.ID, 10))))
	wantText(t, "enterprise trail", trail, "Student invited to apply", "Invitation declined")
	weiTrail := b.Do(t, testenv.Slash(testenv.Member("carol"), "audit", testenv.UserOpt("student", "wei")))
	wantText(t, "wei's trail", weiTrail, "Student invited to apply", "Invitation declined")
}

func TestInvitationsPerDayLimitAndItsReset(t *testing.T) {
	w := newInviteWorld(t)
	b := w.b
	for _, s := range []string{"bo", "li", "wei"} {
		b.SaveProfile(t, s, placement.ProfileInput{Program: "Mechatronics", Skills: "CNC"})
	}
	carol := testenv.Member("carol")
	b.Do(t, testenv.Slash(testenv.Member("bo"), "setup invitations", testenv.IntOpt("per_day", 1))).MustRefuse(t, "Only coordinators")
	wantText(t, "limit set", b.Do(t, testenv.Slash(carol, "setup invitations", testenv.IntOpt("per_day", 1))), "invite 1 student a day")

	list := w.candidates(t, "alice")
	b.Pick(t, "alice", list, 0, testenv.Member("li").ID)
	tomorrow := placement.LocalDate(time.Now(), time.UTC).AddDate(0, 0, 1)
	refused := b.Pick(t, "alice", list, 0, testenv.Member("wei").ID)
	refused.MustRefuse(t, "the school allows 1 per position a day")
	refused.MustRefuse(t, fmt.Sprintf("<t:%d:f>", tomorrow.Unix()))

	// The next day in the school's zone, the position may invite again.
	b.Service.Now = func() time.Time { return tomorrow.Add(time.Hour) }
	wantText(t, "next day", b.Pick(t, "alice", w.candidates(t, "alice"), 0, testenv.Member("wei").ID), "Invited <@"+testenv.Member("wei").ID+">")
	var n int
	if err := b.Pool.QueryRow(context.Background(), `SELECT count(*) FROM invitations WHERE position_id = $1`, w.pos.ID).Scan(&n); err != nil || n != 2 {
		t.Fatalf("%d invitations stored (%v), want 2", n, err)
	}
}

func TestOnlyTheEnterprisesMentorsInvite(t *testing.T) {
	w := newInviteWorld(t)
	b := w.b
	b.AddEnterprise(t, "Beta Soft", 80, "mo")
	b.SaveProfile(t, "li", placement.ProfileInput{Program: "Mechatronics", Skills: "CNC"})
	id := strconv.FormatInt(w.pos.ID, 10)
	li := testenv.Member("li").ID

	// Another enterprise's mentor sees no Invite students on the card, and pressing it anyway
	// (or inviting through the menu's custom_id) is refused by the service.
	card := b.Do(t, testenv.Slash(testenv.Member("mo"), "positions view", testenv.StringOpt("position", id)))
	if card.HasButton("Invite students") {
		t.Error("a mentor of another enterprise is offered Invite students")
	}
	b.Do(t, testenv.Button(testenv.Member("mo"), "/position/"+id+"/candidates")).MustRefuse(t, "enterprise you don't mentor for")
	b.Do(t, testenv.Select(testenv.Member("mo"), "/position/"+id+"/invite/0", li)).MustRefuse(t, "enterprise you don't mentor for")
	// Neither students nor coordinators invite.
	for _, who := range []string{"bo", "carol"} {
		b.Do(t, testenv.Select(testenv.Member(who), "/position/"+id+"/invite/0", li)).MustRefuse(t, "mentor")
	}

	// alice's list is fine until she is unlinked from Acme: her next press is refused.
	list := w.candidates(t, "alice")
	if _, err := b.Service.UnlinkMentor(context.Background(), b.Actor(t, "carol"), w.acme.ID, testenv.Member("alice").ID); err != nil {
		t.Fatal(err)
	}
	b.Pick(t, "alice", list, 0, li).MustRefuse(t, "mentor")
	var n int
	if err := b.Pool.QueryRow(context.Background(), `SELECT count(*) FROM invitations`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d invitations stored (%v), want none", n, err)
	}
}

func TestNoInvitationsToAPositionNotTakingApplications(t *testing.T) {
	w := newInviteWorld(t)
	b := w.b
	b.SaveProfile(t, "li", placement.ProfileInput{Program: "Mechatronics", Skills: "CNC"})
	list := w.candidates(t, "alice")
	if _, err := b.Service.ClosePosition(context.Background(), b.Actor(t, "alice"), w.pos.ID); err != nil {
		t.Fatal(err)
	}
	card := b.Do(t, testenv.Slash(testenv.Member("alice"), "positions view", testenv.StringOpt("position", strconv.FormatInt(w.pos.ID, 10))))
	if card.HasButton("Invite students") {
		t.Error("a closed position's card offers Invite students")
	}
	b.Pick(t, "alice", list, 0, testenv.Member("li").ID).MustRefuse(t, "isn't taking applications now")
}
