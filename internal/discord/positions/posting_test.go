package positions_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"placementbot/internal/demo"
	"placementbot/internal/placement"
	"placementbot/internal/redis"
	"placementbot/internal/testenv"
	"placementbot/internal/testenv/botenv"
)

// postingBot is a bot whose members may click as fast as a test does: the wizard takes more
// steps than the per-member rate limit allows in ten seconds.
func postingBot(t *testing.T) *botenv.Bot {
	t.Helper()
	b := botenv.New(t)
	b.Router.Limiter = nil
	return b
}

func postingDate(days int) string { return time.Now().AddDate(0, 0, days).Format(placement.DateLayout) }

func postingBasics(title string) map[string]string {
	return map[string]string{"title": title, "description": "Set up and run CNC lathes with a senior technician.",
		"skills": "CNC, CAD, teamwork", "programs": "Mechatronics", "location": "Suzhou"}
}

func postingDetails() map[string]string {
	return map[string]string{"slots": "2", "start": postingDate(60), "end": postingDate(150), "deadline": postingDate(30), "stipend": "2000 CNY / month"}
}

// postingStart runs /positions post as the member and returns the draft's first form.
func postingStart(t *testing.T, b *botenv.Bot, member string, opts ...testenv.Opt) botenv.Seen {
	t.Helper()
	seen := b.Do(t, testenv.Slash(testenv.Member(member), "positions post", opts...))
	if seen.Type != discordgo.InteractionResponseModal {
		t.Fatalf("/positions post: want the first form, got type %d: %s", seen.Type, seen.Text())
	}
	parts := strings.Split(seen.Data.CustomID, "/")
	if len(parts) != 5 || parts[1] != "draft" || parts[3] != "basics" || parts[4] != "submit" {
		t.Fatalf("first form custom_id %q", seen.Data.CustomID)
	}
	return seen
}

// postingKey is the key of the draft whose form or preview the member sees.
func postingKey(t *testing.T, seen botenv.Seen) string {
	t.Helper()
	id := seen.Data.CustomID
	if seen.Type != discordgo.InteractionResponseModal {
		id = seen.Button(t, "Cancel").CustomID
	}
	parts := strings.Split(id, "/")
	if len(parts) < 4 || parts[1] != "draft" {
		t.Fatalf("not a draft's custom_id: %q", id)
	}
	return parts[2]
}

// postingFilled starts a draft, fills in both forms and returns the preview.
func postingFilled(t *testing.T, b *botenv.Bot, member, title string, details map[string]string) botenv.Seen {
	t.Helper()
	seen := b.Fill(t, member, postingStart(t, b, member), postingBasics(title))
	if !strings.Contains(seen.Text(), "[Details]") {
		t.Fatalf("after the first form: %s", seen.Text())
	}
	seen = b.Fill(t, member, b.Press(t, member, seen, "Details"), details)
	if seen.Type != discordgo.InteractionResponseUpdateMessage {
		t.Fatalf("after the second form: type %d %s", seen.Type, seen.Text())
	}
	return seen
}

func postingCount(t *testing.T, b *botenv.Bot) int {
	t.Helper()
	var n int
	if err := b.Pool.QueryRow(context.Background(), `SELECT count(*) FROM positions WHERE guild_id = $1`, demo.GuildID).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func postingAnnouncements(t *testing.T, b *botenv.Bot) int {
	t.Helper()
	var n int
	err := b.Pool.QueryRow(context.Background(), `SELECT count(*) FROM notifications WHERE guild_id = $1 AND channel_id = $2 AND message_key = 'note.position_opened'`,
		demo.GuildID, demo.AnnouncementsID).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// postingRedisKey is where the draft lives in Redis, found by its key rather than by
// spelling out the session store's layout.
func postingRedisKey(t *testing.T, b *botenv.Bot, key string) string {
	t.Helper()
	keys, err := b.Redis.Keys(context.Background(), "*draft:"+key).Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 1 {
		return ""
	}
	return keys[0]
}

func postingDraftExists(t *testing.T, b *botenv.Bot, key string) bool {
	t.Helper()
	return postingRedisKey(t, b, key) != ""
}

// postingModalValues reads the prefilled values of a form the bot opened.
func postingModalValues(t *testing.T, seen botenv.Seen) map[string]string {
	t.Helper()
	if seen.Type != discordgo.InteractionResponseModal {
		t.Fatalf("want a form, got type %d: %s", seen.Type, seen.Text())
	}
	out := map[string]string{}
	for _, c := range seen.Data.Components {
		row, ok := c.(*discordgo.ActionsRow)
		if !ok {
			continue
		}
		for _, x := range row.Components {
			if in, ok := x.(*discordgo.TextInput); ok {
				out[in.CustomID] = in.Value
			}
		}
	}
	return out
}

func wantText(t *testing.T, what string, seen botenv.Seen, want ...string) {
	t.Helper()
	text := seen.Text()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("%s: want %q in:\n%s", what, w, text)
		}
	}
}

func TestPostingWizardPublishesOnePositionAndOneAnnouncement(t *testing.T) {
	b := postingBot(t)
	e := b.AddEnterprise(t, "Acme", 200, "alice")

	seen := b.Fill(t, "alice", postingStart(t, b, "alice"), postingBasics("CNC machining intern"))
	if seen.Type != discordgo.InteractionResponseChannelMessageWithSource || !seen.Ephemeral() {
		t.Fatalf("preview: type %d, ephemeral %v", seen.Type, seen.Ephemeral())
	}
	wantText(t, "preview", seen, "New position for Acme", "CNC machining intern", "press **Details**", "[Details]", "[Edit basics]", "[Remote: off]", "[Publish]", "[Cancel]")

	detailsForm := b.Press(t, "alice", seen, "Details")
	if form := postingModalValues(t, detailsForm); len(form) != 5 || form["slots"] != "" {
		t.Fatalf("details form: %v", form)
	}
	seen = b.Fill(t, "alice", detailsForm, postingDetails())
	if seen.Type != discordgo.InteractionResponseUpdateMessage {
		t.Fatalf("details: want the preview updated in place, got type %d", seen.Type)
	}
	wantText(t, "details", seen, "Everything is filled in", postingDate(30), "2000 CNY / month")

	preview := b.Press(t, "alice", seen, "Remote: off")
	wantText(t, "remote toggle", preview, "[Remote: on]", "remote possible")

	basics := postingModalValues(t, b.Press(t, "alice", preview, "Edit basics"))
	if basics["title"] != "CNC machining intern" || basics["skills"] != "CNC, CAD, teamwork" {
		t.Fatalf("basics form is not prefilled: %v", basics)
	}

	seen = b.Press(t, "alice", preview, "Publish")
	if seen.Type != discordgo.InteractionResponseUpdateMessage {
		t.Fatalf("publish: type %d %s", seen.Type, seen.Text())
	}
	wantText(t, "published", seen, "Published as position #", "CNC machining intern", "[Edit]", "[Close]", "[Duplicate]")

	ps, err := b.Service.MyPositions(context.Background(), b.Actor(t, "alice"))
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 || ps[0].Title != "CNC machining intern" || !ps[0].Remote || ps[0].Slots != 2 || ps[0].EnterpriseID != e.ID ||
		ps[0].Stipend != "2000 CNY / month" || strings.Join(ps[0].Skills, ",") != "CNC,CAD,teamwork" {
		t.Fatalf("positions: %+v", ps)
	}
	if n := postingAnnouncements(t, b); n != 1 {
		t.Fatalf("%d announcements, want 1", n)
	}

	// The same button again, and the draft's other buttons: nothing more happens.
	for _, label := range []string{"Publish", "Remote", "Details"} {
		again := b.Press(t, "alice", preview, label)
		wantText(t, label+" after publishing", again, "already published as position #"+strconv.FormatInt(ps[0].ID, 10))
	}
	if n, a := postingCount(t, b), postingAnnouncements(t, b); n != 1 || a != 1 {
		t.Fatalf("after pressing again: %d positions, %d announcements", n, a)
	}
}

func TestPostingValidationKeepsTheDraftAndNamesTheProblem(t *testing.T) {
	b := postingBot(t)
	b.AddEnterprise(t, "Acme", 200, "alice")
	with := func(k, v string) map[string]string { return postingWith(postingDetails(), k, v) }
	skills := make([]string, 31)
	for i := range skills {
		skills[i] = fmt.Sprintf("skill%d", i)
	}
	tests := []struct {
		name    string
		title   string
		details map[string]string
		skills  string
		want    string
		button  string // the form that holds the field
	}{
		{"slots 0", "Welder", with("slots", "0"), "", "Slots must be a whole number from 1 to 500 (you wrote “0”)", "Details"},
		// The member's "-1" is escaped like any typed text (a leading "-" starts a list); Discord shows -1.
		{"slots -1", "Welder", with("slots", "-1"), "", `(you wrote “\-1”)`, "Details"},
		{"slots 501", "Welder", with("slots", "501"), "", "(you wrote “501”)", "Details"},
		{"slots abc", "Welder", with("slots", "abc"), "", "(you wrote “abc”)", "Details"},
		{"end before start", "Welder", with("end", postingDate(50)), "", "The end date is before the start date.", "Details"},
		{"deadline past", "Welder", with("deadline", postingDate(-1)), "", "The application deadline has already passed", "Details"},
		{"deadline after start", "Welder", with("deadline", postingDate(61)), "", "must be on or before the start date", "Details"},
		{"not a date", "Welder", with("start", "next monday"), "", "Start date: “next monday” isn't a date", "Details"},
		{"empty title", "   ", postingDetails(), "", "Title is required.", "Edit basics"},
		{"101-char title", strings.Repeat("t", 101), postingDetails(), "", "Title can be at most 100 characters (you wrote 101)", "Edit basics"},
		{"31 skills", "Welder", postingDetails(), strings.Join(skills, ", "), "Skills can list at most 20 items", "Edit basics"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			basics := postingBasics(tt.title)
			if tt.skills != "" {
				basics["skills"] = tt.skills
			}
			seen := b.Fill(t, "alice", postingStart(t, b, "alice"), basics)
			preview := b.Fill(t, "alice", b.Press(t, "alice", seen, "Details"), tt.details)
			wantText(t, "preview", preview, "To fix before publishing: ", tt.want, "Press **"+tt.button+"** to change it")

			seen = b.Press(t, "alice", preview, "Publish")
			if !seen.Ephemeral() {
				t.Error("refusal is not ephemeral")
			}
			wantText(t, "publish", seen, "Not published yet: ", tt.want, "Your draft is kept: press **"+tt.button+"**", "[Publish]", "[Details]")
			if n := postingCount(t, b); n != 0 {
				t.Fatalf("%d positions created from an invalid draft", n)
			}
			if !postingDraftExists(t, b, postingKey(t, preview)) {
				t.Fatal("the draft was lost")
			}
			// Pressing Publish again on the unfixed draft names the problem again.
			wantText(t, "publish again", b.Press(t, "alice", seen, "Publish"), tt.want)
		})
	}

	// Fixing only the named field publishes the draft.
	refused := b.Press(t, "alice", postingFilled(t, b, "alice", "Welder", with("slots", "abc")), "Publish")
	wantText(t, "refused", refused, "(you wrote “abc”)")
	detailsForm := b.Press(t, "alice", refused, "Details")
	if form := postingModalValues(t, detailsForm); form["slots"] != "abc" || form["start"] != postingDate(60) {
		t.Fatalf("the details form lost what was typed: %v", form)
	}
	fixed := b.Fill(t, "alice", detailsForm, postingDetails())
	wantText(t, "fixed", b.Press(t, "alice", fixed, "Publish"), "Published as position #")
	if n := postingCount(t, b); n != 1 {
		t.Fatalf("%d positions, want 1", n)
	}
}

func TestPostingDraftSurvivesARestart(t *testing.T) {
	b := postingBot(t)
	b.AddEnterprise(t, "Acme", 200, "alice")
	preview := b.Fill(t, "alice", postingStart(t, b, "alice"), postingBasics("Robot cell intern"))

	// A new bot process on the same database and Redis carries on where the first stopped.
	b2 := botenv.NewWith(t, b.Pool, b.Redis)
	b2.Router.Limiter = nil
	form := postingModalValues(t, b2.Press(t, "alice", preview, "Edit basics"))
	if form["title"] != "Robot cell intern" {
		t.Fatalf("after restart the draft reads %v", form)
	}
	preview = b2.Fill(t, "alice", b2.Press(t, "alice", preview, "Details"), postingDetails())
	wantText(t, "publish after restart", b2.Press(t, "alice", preview, "Publish"), "Published as position #", "Robot cell intern")
	if n := postingCount(t, b); n != 1 {
		t.Fatalf("%d positions, want 1", n)
	}
}

func TestPostingExpiredDraftSaysHowToStartAgain(t *testing.T) {
	b := postingBot(t)
	b.AddEnterprise(t, "Acme", 200, "alice")
	preview := postingFilled(t, b, "alice", "Welder", postingDetails())
	rkey := postingRedisKey(t, b, postingKey(t, preview))
	if ttl := b.Redis.TTL(context.Background(), rkey).Val(); ttl < 29*time.Minute || ttl > 30*time.Minute {
		t.Fatalf("draft TTL %v, want 30 minutes", ttl)
	}
	// The first form is open when the draft expires.
	form := b.Press(t, "alice", preview, "Edit basics")
	if err := b.Redis.Del(context.Background(), rkey).Err(); err != nil {
		t.Fatal(err)
	}
	for _, seen := range []botenv.Seen{
		b.Press(t, "alice", preview, "Publish"),
		b.Press(t, "alice", preview, "Details"),
		b.Fill(t, "alice", form, postingBasics("Welder")),
	} {
		if !seen.Ephemeral() || seen.Type != discordgo.InteractionResponseChannelMessageWithSource {
			t.Errorf("expired: type %d ephemeral %v", seen.Type, seen.Ephemeral())
		}
		wantText(t, "expired", seen, "This draft has expired", "`/positions post`")
	}
	if n := postingCount(t, b); n != 0 {
		t.Fatalf("%d positions from an expired draft", n)
	}
}

func TestPostingDraftBelongsToItsMentor(t *testing.T) {
	b := postingBot(t)
	b.AddEnterprise(t, "Acme", 200, "alice")
	b.AddEnterprise(t, "Beta", 100, "mo")
	preview := postingFilled(t, b, "alice", "Welder", postingDetails())
	for _, label := range []string{"Publish", "Remote", "Details", "Edit basics", "Cancel"} {
		wantText(t, "mo presses "+label, b.Press(t, "mo", preview, label), "This draft belongs to someone else")
		wantText(t, "bo presses "+label, b.Press(t, "bo", preview, label), "Only enterprise mentors")
	}
	// mo never saw the draft's form: his submission is forged from its key.
	wantText(t, "mo submits a form", b.Do(t, testenv.ModalSubmit(testenv.Member("mo"), "/draft/"+postingKey(t, preview)+"/details/submit", postingDetails())),
		"This draft belongs to someone else")
	if n := postingCount(t, b); n != 0 {
		t.Fatalf("%d positions", n)
	}
	// The draft is untouched: its owner still publishes it as it was.
	seen := b.Press(t, "alice", preview, "Publish")
	wantText(t, "alice publishes", seen, "Published as position #")
	if strings.Contains(seen.Text(), "remote possible") {
		t.Fatal("another member's click toggled remote")
	}
}

func TestPostingCustomIDsAreCheckedLikeAnyInput(t *testing.T) {
	b := postingBot(t)
	b.AddEnterprise(t, "Acme", 200, "alice")
	for id, want := range map[string]string{
		"/draft/" + strings.Repeat("A", 33) + "/publish": "no longer valid",
		"/draft/AAAAAAAAA!/publish":                      "no longer valid",
		"/draft/AAAAAAAAAA/publish":                      "This draft has expired",
		"/draft/AAAAAAAAAA/explode":                      "no longer valid",
		"/position/abc/close":                            "no longer valid",
		"/position/-3/edit":                              "no longer valid",
		"/position/0/duplicate":                          "no longer valid",
		"/position/9223372036854775807/reopen":           "I can't find that position",
	} {
		seen := b.Do(t, testenv.Button(testenv.Member("alice"), id))
		if !seen.Ephemeral() {
			t.Errorf("%s: not ephemeral", id)
		}
		wantText(t, id, seen, want)
	}
	seen := b.Do(t, testenv.Select(testenv.Member("alice"), "/draft/start", "abc"))
	wantText(t, "bad enterprise pick", seen, "no longer valid")
}

func TestPostingPublishPressedTwiceAtOnceCreatesOnePosition(t *testing.T) {
	b := postingBot(t)
	b.AddEnterprise(t, "Acme", 200, "alice")
	publish := postingFilled(t, b, "alice", "Welder", postingDetails()).Button(t, "Publish").CustomID
	const clicks = 4
	texts := make([]string, clicks)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range clicks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in := testenv.Button(testenv.Member("alice"), publish)
			<-start
			texts[i] = b.Do(t, in).Text()
		}()
	}
	close(start)
	wg.Wait()
	published := 0
	for _, text := range texts {
		switch {
		case strings.Contains(text, "Published as position #"):
			published++
		case strings.Contains(text, "already being published"), strings.Contains(text, "already published as position"):
		default:
			t.Errorf("unexpected answer: %s", text)
		}
	}
	if published != 1 {
		t.Errorf("%d clicks say published, want 1", published)
	}
	if n, a := postingCount(t, b), postingAnnouncements(t, b); n != 1 || a != 1 {
		t.Fatalf("%d positions and %d announcements, want 1 and 1", n, a)
	}
}

// A save racing the publish (the Remote toggle pressed at the same moment) can write the draft
// back without its "published" mark; the draft still cannot be published a second time.
func TestPostingDraftPublishesOnceEvenIfASaveRacesIt(t *testing.T) {
	b := postingBot(t)
	b.AddEnterprise(t, "Acme", 200, "alice")
	preview := postingFilled(t, b, "alice", "Welder", postingDetails())
	key := postingKey(t, preview)
	if text := b.Press(t, "alice", preview, "Publish").Text(); !strings.Contains(text, "Published as position #") {
		t.Fatalf("publish: %s", text)
	}
	sessions := redis.NewSessions(b.Redis, "test:")
	var dr map[string]any
	if found, err := sessions.Get(context.Background(), "draft", key, &dr); err != nil || !found {
		t.Fatal(found, err)
	}
	delete(dr, "published") // what the racing save wrote back
	if err := sessions.Put(context.Background(), "draft", key, dr, time.Minute); err != nil {
		t.Fatal(err)
	}
	text := b.Press(t, "alice", preview, "Publish").Text()
	if !strings.Contains(text, "already being published") {
		t.Errorf("second publish: %s", text)
	}
	if n := postingCount(t, b); n != 1 {
		t.Fatalf("%d positions, want 1", n)
	}
}

func TestPostingRefusesWhoIsNotAMentorOfTheEnterprise(t *testing.T) {
	b := postingBot(t)
	wantText(t, "unlinked mentor", b.Do(t, testenv.Slash(testenv.Member("alice"), "positions post")), "aren't linked to an enterprise yet")
	wantText(t, "unlinked mentor list", b.Do(t, testenv.Slash(testenv.Member("alice"), "positions mine")), "aren't linked to an enterprise yet")
	for _, m := range []string{"bo", "sam", "carol"} {
		seen := b.Do(t, testenv.Slash(testenv.Member(m), "positions post"))
		if seen.Type != discordgo.InteractionResponseChannelMessageWithSource || !seen.Ephemeral() {
			t.Errorf("%s: type %d", m, seen.Type)
		}
		wantText(t, m, seen, "Only enterprise mentors")
	}

	b.AddEnterprise(t, "Acme", 200, "alice")
	beta := b.AddEnterprise(t, "Beta", 100, "mo")
	wantText(t, "another enterprise's id", b.Do(t, testenv.Slash(testenv.Member("alice"), "positions post",
		testenv.StringOpt("enterprise", strconv.FormatInt(beta.ID, 10)))), "You are not a mentor of that enterprise")
	wantText(t, "another enterprise's name", b.Do(t, testenv.Slash(testenv.Member("alice"), "positions post",
		testenv.StringOpt("enterprise", "Beta"))), "I can't find that enterprise among yours")
	wantText(t, "another enterprise picked", b.Do(t, testenv.Select(testenv.Member("alice"), "/draft/start", strconv.FormatInt(beta.ID, 10))),
		"You are not a mentor of that enterprise")
	// Typing the full name of one's own enterprise works as well as picking it.
	postingStart(t, b, "alice", testenv.StringOpt("enterprise", "acme"))
	if n := postingCount(t, b); n != 0 {
		t.Fatalf("%d positions", n)
	}
}

func TestPostingEnterpriseSuggestionsAndPickerOfferOnlyOwnEnterprises(t *testing.T) {
	b := postingBot(t)
	acme := b.AddEnterprise(t, "Acme", 200, "alice")
	acorn := b.AddEnterprise(t, "Acorn Tools", 50, "alice")
	b.AddEnterprise(t, "Acme Rival", 300, "mo")

	b.Do(t, testenv.Autocomplete(testenv.Member("alice"), "positions post", testenv.StringOpt("enterprise", "ac")))
	var got []string
	for _, c := range b.Discord.CallsTo("POST", "/interactions/{interaction_id}/{interaction_token}/callback") {
		var resp struct {
			Data struct {
				Choices []discordgo.ApplicationCommandOptionChoice `json:"choices"`
			} `json:"data"`
		}
		if err := c.Decode(&resp); err == nil && len(resp.Data.Choices) > 0 {
			for _, ch := range resp.Data.Choices {
				got = append(got, ch.Name+"="+fmt.Sprint(ch.Value))
			}
		}
	}
	want := []string{"Acme=" + strconv.FormatInt(acme.ID, 10), "Acorn Tools=" + strconv.FormatInt(acorn.ID, 10)}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("suggestions %v, want %v", got, want)
	}

	// With two enterprises and no option, the wizard asks which one first.
	seen := b.Do(t, testenv.Slash(testenv.Member("alice"), "positions post"))
	wantText(t, "picker", seen, "Which one is this position for?")
	if menu := seen.Menus()[0]; menu.CustomID != "/draft/start" || len(menu.Options) != 2 || menu.Options[1].Label != "Acorn Tools" {
		t.Fatalf("picker: %+v", menu)
	}
	seen = b.Pick(t, "alice", seen, 0, strconv.FormatInt(acorn.ID, 10))
	if seen.Type != discordgo.InteractionResponseModal || !strings.HasSuffix(seen.Data.CustomID, "/basics/update") {
		t.Fatalf("after picking: type %d %q", seen.Type, seen.Data.CustomID)
	}
	seen = b.Fill(t, "alice", seen, postingBasics("Toolmaker"))
	if seen.Type != discordgo.InteractionResponseUpdateMessage {
		t.Fatalf("the preview should replace the picker: type %d", seen.Type)
	}
	wantText(t, "preview", seen, "New position for Acorn Tools")
}

func TestPostingMentorCannotTouchAnotherEnterprisesPosition(t *testing.T) {
	b := postingBot(t)
	b.AddEnterprise(t, "Acme", 200, "alice")
	beta := b.AddEnterprise(t, "Beta", 100, "mo")
	p := b.PostPosition(t, "mo", beta.ID, botenv.PositionInput("Beta welder"))
	id := strconv.FormatInt(p.ID, 10)
	for _, action := range []string{"edit", "close", "reopen", "duplicate"} {
		seen := b.Do(t, testenv.Button(testenv.Member("alice"), "/position/"+id+"/"+action))
		if seen.Type != discordgo.InteractionResponseChannelMessageWithSource || !seen.Ephemeral() {
			t.Errorf("%s: type %d", action, seen.Type)
		}
		wantText(t, "alice "+action, seen, "belongs to an enterprise you don't mentor for")
		wantText(t, "bo "+action, b.Do(t, testenv.Button(testenv.Member("bo"), "/position/"+id+"/"+action)), "Only enterprise mentors")
	}
	wantText(t, "open from list", b.Do(t, testenv.Select(testenv.Member("alice"), "/positions/mine/open", id)), "belongs to an enterprise you don't mentor for")
	after, err := b.Service.Position(context.Background(), b.Actor(t, "mo"), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if after.Status != placement.PositionOpen || after.Title != p.Title || after.Slots != p.Slots {
		t.Fatalf("position changed: %+v", after)
	}
	if n := postingCount(t, b); n != 1 {
		t.Fatalf("%d positions, want 1", n)
	}
}

func TestPostingCloseThenReopenUpdatesTheCard(t *testing.T) {
	b := postingBot(t)
	e := b.AddEnterprise(t, "Acme", 200, "alice")
	p := b.PostPosition(t, "alice", e.ID, botenv.PositionInput("Welder"))
	id := strconv.FormatInt(p.ID, 10)
	status := func() placement.PositionStatus {
		got, err := b.Service.Position(context.Background(), b.Actor(t, "alice"), p.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got.Status
	}

	card := b.Do(t, testenv.Slash(testenv.Member("alice"), "positions view", testenv.StringOpt("position", id)))
	seen := b.Press(t, "alice", card, "Close")
	if seen.Type != discordgo.InteractionResponseUpdateMessage {
		t.Fatalf("close: type %d %s", seen.Type, seen.Text())
	}
	wantText(t, "closed", seen, "Closed: students can no longer apply", "[Reopen]")
	if status() != placement.PositionClosed {
		t.Fatal("not closed")
	}
	// The card's Close pressed again, from a message that was not updated.
	again := b.Press(t, "alice", card, "Close")
	if again.Type != discordgo.InteractionResponseChannelMessageWithSource {
		t.Errorf("closing twice should leave the card and answer apart: type %d", again.Type)
	}
	wantText(t, "closed twice", again, "already closed")

	closed := seen
	seen = b.Press(t, "alice", closed, "Reopen")
	if seen.Type != discordgo.InteractionResponseUpdateMessage {
		t.Fatalf("reopen: type %d %s", seen.Type, seen.Text())
	}
	wantText(t, "reopened", seen, "Reopened", "[Close]")
	if status() != placement.PositionOpen {
		t.Fatal("not reopened")
	}
	wantText(t, "reopened twice", b.Press(t, "alice", closed, "Reopen"), "already open")
}

func TestPostingReopenAfterTheDeadlineIsRefused(t *testing.T) {
	b := postingBot(t)
	e := b.AddEnterprise(t, "Acme", 200, "alice")
	p := b.PostPosition(t, "alice", e.ID, botenv.PositionInput("Welder"))
	if _, err := b.Service.ClosePosition(context.Background(), b.Actor(t, "alice"), p.ID); err != nil {
		t.Fatal(err)
	}
	// Time passes: the deadline is yesterday.
	if _, err := b.Pool.Exec(context.Background(), `UPDATE positions SET deadline = current_date - 1 WHERE guild_id = $1 AND id = $2`, demo.GuildID, p.ID); err != nil {
		t.Fatal(err)
	}
	card := b.Do(t, testenv.Slash(testenv.Member("alice"), "positions view", testenv.StringOpt("position", strconv.FormatInt(p.ID, 10))))
	seen := b.Press(t, "alice", card, "Reopen")
	if !seen.Ephemeral() || seen.Type != discordgo.InteractionResponseChannelMessageWithSource {
		t.Errorf("type %d ephemeral %v", seen.Type, seen.Ephemeral())
	}
	wantText(t, "reopen past deadline", seen, "deadline has passed")
	got, err := b.Service.Position(context.Background(), b.Actor(t, "alice"), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != placement.PositionClosed {
		t.Fatal("reopened past its deadline")
	}
}

func TestPostingDuplicateIsPrefilledForTheNextTerm(t *testing.T) {
	b := postingBot(t)
	e := b.AddEnterprise(t, "Acme", 200, "alice")
	in := botenv.PositionInput("Welder")
	in.Remote, in.Stipend = true, "1500 CNY"
	p := b.PostPosition(t, "alice", e.ID, in)

	card := b.Do(t, testenv.Slash(testenv.Member("alice"), "positions view", testenv.StringOpt("position", strconv.FormatInt(p.ID, 10))))
	seen := b.Press(t, "alice", card, "Duplicate")
	if seen.Type != discordgo.InteractionResponseChannelMessageWithSource || !seen.Ephemeral() {
		t.Fatalf("duplicate: type %d", seen.Type)
	}
	next := func(d time.Time) string { return d.AddDate(1, 0, 0).Format(placement.DateLayout) }
	wantText(t, "copy", seen, "Copy of position #"+strconv.FormatInt(p.ID, 10), "Welder", "[Remote: on]", "1500 CNY", next(p.StartDate), next(p.Deadline), "[Publish]")
	form := postingModalValues(t, b.Press(t, "alice", seen, "Details"))
	if form["slots"] != "2" || form["start"] != next(p.StartDate) || form["end"] != next(p.EndDate) || form["deadline"] != next(p.Deadline) || form["stipend"] != "1500 CNY" {
		t.Fatalf("details prefill: %v", form)
	}
	basics := postingModalValues(t, b.Press(t, "alice", seen, "Edit basics"))
	if basics["title"] != "Welder" || basics["skills"] != "CNC, CAD, teamwork" || basics["programs"] != "Mechatronics" || basics["location"] != "Suzhou" {
		t.Fatalf("basics prefill: %v", basics)
	}

	wantText(t, "publish copy", b.Press(t, "alice", seen, "Publish"), "Published as position #")
	ps, err := b.Service.MyPositions(context.Background(), b.Actor(t, "alice"))
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 2 || ps[0].ID == p.ID || ps[0].Title != "Welder" || !ps[0].StartDate.Equal(p.StartDate.AddDate(1, 0, 0)) || !ps[0].Remote {
		t.Fatalf("positions after duplicate: %+v", ps)
	}
	if !ps[1].StartDate.Equal(p.StartDate) {
		t.Fatal("the original changed")
	}
}

func TestPostingEditSavesTheSamePosition(t *testing.T) {
	b := postingBot(t)
	e := b.AddEnterprise(t, "Acme", 200, "alice")
	p := b.PostPosition(t, "alice", e.ID, botenv.PositionInput("Welder"))

	card := b.Do(t, testenv.Slash(testenv.Member("alice"), "positions view", testenv.StringOpt("position", strconv.FormatInt(p.ID, 10))))
	seen := b.Press(t, "alice", card, "Edit")
	wantText(t, "edit", seen, "Editing position #"+strconv.FormatInt(p.ID, 10), "Welder", "[Save changes]")
	detailsForm := b.Press(t, "alice", seen, "Details")
	form := postingModalValues(t, detailsForm)
	form["slots"] = "5"
	seen = b.Fill(t, "alice", detailsForm, form)
	wantText(t, "saved", b.Press(t, "alice", seen, "Save changes"), "Saved.", "5 of 5")
	got, err := b.Service.Position(context.Background(), b.Actor(t, "alice"), p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Slots != 5 || got.Title != "Welder" {
		t.Fatalf("after edit: %+v", got)
	}
	if n, a := postingCount(t, b), postingAnnouncements(t, b); n != 1 || a != 1 {
		t.Fatalf("editing made %d positions and %d announcements", n, a)
	}

	// Cancelling an edit, once confirmed, leaves the position as it was.
	seen = b.Press(t, "alice", card, "Edit")
	asked := b.Press(t, "alice", seen, "Cancel")
	wantText(t, "cancel", asked, "Discard your changes to position #"+strconv.FormatInt(p.ID, 10)+"?", "[Discard changes]", "[Keep editing]")
	wantText(t, "discard", b.Press(t, "alice", asked, "Discard changes"), "Changes discarded")
	if postingDraftExists(t, b, postingKey(t, seen)) {
		t.Fatal("cancelled draft still stored")
	}
}

func TestPostingUserTextIsShownAsText(t *testing.T) {
	b := postingBot(t)
	b.AddEnterprise(t, "Acme", 200, "alice")
	basics := postingBasics("**Big** @everyone _x_ <@&" + demo.StudentRoleID + ">")
	basics["description"] = "# Heading\n> quote\n[link](https://example.com)"
	seen := b.Fill(t, "alice", postingStart(t, b, "alice"), basics)
	title := seen.Data.Embeds[0].Title
	if !strings.Contains(title, `\*\*Big\*\*`) || !strings.Contains(title, `\_x\_`) || strings.Contains(title, "@everyone") || !strings.Contains(title, "everyone") {
		t.Errorf("preview title %q", title)
	}
	desc := seen.Data.Embeds[0].Description
	if !strings.Contains(desc, `\# Heading`) || !strings.Contains(desc, `\> quote`) || !strings.Contains(desc, `\[link\]`) {
		t.Errorf("preview description %q", desc)
	}
	seen = b.Fill(t, "alice", b.Press(t, "alice", seen, "Details"), postingDetails())
	seen = b.Press(t, "alice", seen, "Publish")
	if title := seen.Data.Embeds[0].Title; !strings.Contains(title, `\*\*Big\*\*`) {
		t.Errorf("card title %q", title)
	}
	// Every message also went out with an empty allowed-mentions list: the fake Discord fails
	// the test on any message without one.
	ps, err := b.Service.MyPositions(context.Background(), b.Actor(t, "alice"))
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 || !strings.HasPrefix(ps[0].Title, "**Big** @everyone") {
		t.Fatalf("stored title: %+v", ps)
	}
}

func TestPositionsMineListsAndOpens(t *testing.T) {
	b := postingBot(t)
	e := b.AddEnterprise(t, "Acme", 200, "alice")
	alice := testenv.Member("alice")

	seen := b.Do(t, testenv.Slash(alice, "positions mine"))
	wantText(t, "empty list", seen, "no positions yet", "[Post a new position]")
	form := b.Press(t, "alice", seen, "Post a new position")
	if form.Type != discordgo.InteractionResponseModal || !strings.HasSuffix(form.Data.CustomID, "/basics/submit") {
		t.Fatalf("post button: type %d %q", form.Type, form.Data.CustomID)
	}

	open := b.PostPosition(t, "alice", e.ID, botenv.PositionInput("Welder"))
	closed := b.PostPosition(t, "alice", e.ID, botenv.PositionInput("Painter"))
	if _, err := b.Service.ClosePosition(context.Background(), b.Actor(t, "alice"), closed.ID); err != nil {
		t.Fatal(err)
	}
	seen = b.Do(t, testenv.Slash(alice, "positions mine"))
	if !seen.Ephemeral() {
		t.Error("list is not ephemeral")
	}
	wantText(t, "list", seen, "positions (2)", "Welder — open · 2/2 slots left · apply by "+open.Deadline.Format(placement.DateLayout), "Painter — closed", "[Post a new position]")
	if menu := seen.Menus()[0]; menu.CustomID != "/positions/mine/open" || len(menu.Options) != 2 || menu.Options[0].Value != strconv.FormatInt(closed.ID, 10) {
		t.Fatalf("menu: %+v", menu)
	}
	seen = b.Pick(t, "alice", seen, 0, strconv.FormatInt(closed.ID, 10))
	wantText(t, "opened", seen, "Painter", "[Reopen]", "[Duplicate]")
	for _, v := range []string{"x", "0", "99999"} {
		wantText(t, "bad pick "+v, b.Do(t, testenv.Select(alice, "/positions/mine/open", v)), map[bool]string{true: "I can't find that position", false: "no longer valid"}[v == "99999"])
	}
}

func TestPostingWithRedisDownSaysNothingWasSavedAndRecovers(t *testing.T) {
	srv := testenv.NewRedisServer(t)
	rdb := redis.NewClient(redis.Options{Addrs: []string{srv.Addr()}})
	t.Cleanup(func() { rdb.Close() })
	b := botenv.NewWith(t, testenv.NewPool(t), rdb)
	b.Router.Limiter = nil
	b.AddEnterprise(t, "Acme", 200, "alice")
	preview := postingFilled(t, b, "alice", "Welder", postingDetails())

	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	for _, seen := range []botenv.Seen{
		b.Do(t, testenv.Slash(testenv.Member("alice"), "positions post")),
		b.Press(t, "alice", preview, "Publish"),
	} {
		wantText(t, "Redis down", seen, "session storage, which can't be reached right now, so nothing was saved")
	}
	if n := postingCount(t, b); n != 0 {
		t.Fatalf("%d positions while Redis was down", n)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Start(ctx); err != nil {
		t.Fatal(err)
	}
	b.WaitRedis(t)
	// Losing Redis costs the open draft, and says so; a new one goes through.
	wantText(t, "old draft after Redis came back", b.Press(t, "alice", preview, "Publish"), "This draft has expired")
	preview = postingFilled(t, b, "alice", "Welder", postingDetails())
	wantText(t, "new draft", b.Press(t, "alice", preview, "Publish"), "Published as position #")
	if n := postingCount(t, b); n != 1 {
		t.Fatalf("%d positions, want 1", n)
	}
}

func TestPostingSpeaksChinese(t *testing.T) {
	b := postingBot(t)
	b.AddEnterprise(t, "Acme", 200, "alice")
	alice := testenv.Member("alice")
	zh := func(in *discordgo.Interaction) *discordgo.Interaction { in.Locale = discordgo.ChineseCN; return in }
	seen := b.Do(t, zh(testenv.Slash(alice, "positions post")))
	if seen.Data.Title != "岗位：基本信息" {
		t.Fatalf("form title %q", seen.Data.Title)
	}
	// The kit's presses carry no locale, so these send the rendered custom_ids themselves.
	seen = b.Do(t, zh(testenv.ModalSubmit(alice, seen.Data.CustomID, postingBasics("焊工"))))
	seen = b.Do(t, zh(testenv.Button(alice, seen.Button(t, "名额和日期").CustomID)))
	seen = b.Do(t, zh(testenv.ModalSubmit(alice, seen.Data.CustomID, postingWith(postingDetails(), "slots", "abc"))))
	// "焊工" is short of the title's three characters: both problems are listed, each with its form.
	wantText(t, "zh preview", seen, "Acme 的新岗位", "发布前有 2 处需要修改", "• 岗位名称至少需要 3 个字。（**修改基本信息**）",
		"（你填写的是“abc”）。（**名额和日期**）", "[名额和日期]", "[发布]")
	seen = b.Do(t, zh(testenv.Button(alice, seen.Button(t, "发布").CustomID)))
	wantText(t, "zh refused", seen, "尚未发布：有 2 处需要修改", "草稿已保留")
	if text := seen.Text(); strings.Contains(text, "posting.") || strings.Contains(text, "field.") {
		t.Errorf("untranslated id in:\n%s", text)
	}
}

func postingWith(m map[string]string, k, v string) map[string]string {
	m[k] = v
	return m
}
