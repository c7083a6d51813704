package profile_test

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

// profForm is a complete, valid profile form.
func profForm() map[string]string {
	return map[string]string{"program": "Mechatronics", "cohort": "2024", "skills": "CNC, CAD, welding",
		"certificates": "Electrician level 4", "locations": "Suzhou, Wuxi"}
}

// profStored returns the student's saved profile, or false when there is none.
func profStored(t *testing.T, b *botenv.Bot, student string) (placement.Profile, bool) {
	t.Helper()
	p, err := b.Store.FindProfile(context.Background(), demo.GuildID, testenv.Member(student).ID)
	if placement.ErrorCode(err) == placement.ENOTFOUND {
		return p, false
	}
	if err != nil {
		t.Fatal(err)
	}
	return p, true
}

// profInputs returns a modal's text inputs by custom_id.
func profInputs(t *testing.T, seen botenv.Seen) map[string]*discordgo.TextInput {
	t.Helper()
	if seen.Type != discordgo.InteractionResponseModal {
		t.Fatalf("want a modal, got type %d: %s", seen.Type, seen.Text())
	}
	out := map[string]*discordgo.TextInput{}
	for _, c := range seen.Data.Components {
		for _, x := range c.(*discordgo.ActionsRow).Components {
			in := x.(*discordgo.TextInput)
			out[in.CustomID] = in
		}
	}
	return out
}

// profWant fails the test unless the reply, seen by the member alone, says every want.
func profWant(t *testing.T, what string, seen botenv.Seen, want ...string) {
	t.Helper()
	text := seen.Text()
	if missing := slices.DeleteFunc(slices.Clone(want), func(w string) bool { return strings.Contains(text, w) }); len(missing) > 0 {
		t.Errorf("%s: reply lacks %q:\n%s", what, missing, text)
	}
	if !seen.Ephemeral() {
		t.Errorf("%s: reply is not ephemeral", what)
	}
}

func TestProfileEditOpensFormAndSaves(t *testing.T) {
	b := botenv.New(t)
	bo := testenv.Member("bo")
	seen := b.Do(t, testenv.Slash(bo, "profile edit"))
	inputs := profInputs(t, seen)
	if seen.Data.CustomID != "/profile/save" || seen.Data.Title != "Your profile" || len(inputs) != 5 {
		t.Fatalf("form: %q %q %d inputs", seen.Data.CustomID, seen.Data.Title, len(inputs))
	}
	if !inputs["program"].Required || inputs["skills"].Required || inputs["program"].Value != "" {
		t.Fatalf("program input: %+v, skills: %+v", inputs["program"], inputs["skills"])
	}

	seen = b.Fill(t, "bo", seen, profForm())
	profWant(t, "save", seen, "Saved.", "`/positions recommended`", "Profile: bo", "Program: Mechatronics", "Cohort: 2024",
		"Skills: CNC, CAD, welding", "Certificates: Electrician level 4", "Preferred locations: Suzhou, Wuxi", "Availability: —", "[Edit profile]")
	p, ok := profStored(t, b, "bo")
	if !ok || p.Program != "Mechatronics" || len(p.Skills) != 3 || !p.AvailableFrom.IsZero() {
		t.Fatalf("stored: %+v", p)
	}

	// The form comes back prefilled, from the command or the card's button.
	for _, form := range []botenv.Seen{b.Do(t, testenv.Slash(bo, "profile edit")), b.Press(t, "bo", seen, "Edit profile")} {
		inputs = profInputs(t, form)
		if inputs["program"].Value != "Mechatronics" || inputs["skills"].Value != "CNC, CAD, welding" || inputs["locations"].Value != "Suzhou, Wuxi" {
			t.Fatalf("prefill: %+v %+v", inputs["program"], inputs["skills"])
		}
	}
	profWant(t, "mentor", b.Do(t, testenv.Slash(testenv.Member("alice"), "profile edit")), "Only students can do this")
	profWant(t, "mentor submit", b.Do(t, testenv.ModalSubmit(testenv.Member("alice"), "/profile/save", profForm())), "Only students can do this")
	if _, ok := profStored(t, b, "alice"); ok {
		t.Fatal("a mentor saved a profile")
	}
}

func TestProfileAvailability(t *testing.T) {
	b := botenv.New(t)
	bo := testenv.Member("bo")
	seen := b.Do(t, testenv.Slash(bo, "profile edit", testenv.StringOpt("available_from", "2026/09/01"), testenv.StringOpt("available_to", "2027-01-31")))
	profInputs(t, seen)
	if seen.Data.CustomID != "/profile/save/2026-09-01/2027-01-31" || !strings.Contains(seen.Data.Title, "2026-09-01 → 2027-01-31") {
		t.Fatalf("form carries %q %q", seen.Data.CustomID, seen.Data.Title)
	}
	profWant(t, "save", b.Fill(t, "bo", seen, profForm()), "Availability: 2026-09-01 → 2027-01-31")

	// Left out, the saved window is kept; one end given replaces only that end.
	if seen = b.Do(t, testenv.Slash(bo, "profile edit")); seen.Data.CustomID != "/profile/save/2026-09-01/2027-01-31" {
		t.Fatalf("kept: %q", seen.Data.CustomID)
	}
	if seen = b.Do(t, testenv.Slash(bo, "profile edit", testenv.StringOpt("available_to", "2027-03-31"))); seen.Data.CustomID != "/profile/save/2026-09-01/2027-03-31" {
		t.Fatalf("one end: %q", seen.Data.CustomID)
	}
	b.Fill(t, "bo", seen, profForm())
	if p, _ := profStored(t, b, "bo"); p.AvailableTo.Format(placement.DateLayout) != "2027-03-31" || p.AvailableFrom.Format(placement.DateLayout) != "2026-09-01" {
		t.Fatalf("stored: %v – %v", p.AvailableFrom, p.AvailableTo)
	}
}

func TestProfileRefusesBadInputAndSavesNothing(t *testing.T) {
	b := botenv.New(t)
	li := testenv.Member("li")
	with := func(k, v string) map[string]string {
		f := profForm()
		f[k] = v
		return f
	}
	skills := make([]string, 31)
	for i := range skills {
		skills[i] = "skill" + string(rune('a'+i%26)) + string(rune('a'+i/26))
	}
	forms := []struct {
		name     string
		customID string
		form     map[string]string
		want     string
	}{
		{"no program", "/profile/save", with("program", "  "), "Program is required"},
		{"long program", "/profile/save", with("program", strings.Repeat("p", 81)), "Program can be at most 80 characters (you wrote 81)"},
		{"long cohort", "/profile/save", with("cohort", strings.Repeat("c", 21)), "Cohort can be at most 20 characters"},
		{"31 skills", "/profile/save", with("skills", strings.Join(skills, ", ")), "Skills can list at most 30 items"},
		{"long skill", "/profile/save", with("skills", "cnc, "+strings.Repeat("s", 41)), "is longer than 40 characters"},
		{"11 locations", "/profile/save", with("locations", "a,b,c,d,e,f,g,h,i,j,k"), "Preferred locations can list at most 10 items"},
		{"edited dates", "/profile/save/2026-13-01/2027-01-31", profForm(), "no longer valid"},
		{"edited text", "/profile/save/soon/later", profForm(), "no longer valid"},
		{"edited backwards", "/profile/save/2027-01-31/2026-09-01", profForm(), "Availability: the second date comes before the first"},
	}
	for _, tt := range forms {
		t.Run(tt.name, func(t *testing.T) {
			profWant(t, tt.name, b.Do(t, testenv.ModalSubmit(li, tt.customID, tt.form)), tt.want)
		})
	}
	options := []struct {
		name string
		opts []testenv.Opt
		want string
	}{
		{"bad date", []testenv.Opt{testenv.StringOpt("available_from", "2026-13-01"), testenv.StringOpt("available_to", "2027-01-31")}, "Availability: “2026-13-01” isn't a date"},
		{"words", []testenv.Opt{testenv.StringOpt("available_from", "next week"), testenv.StringOpt("available_to", "2027-01-31")}, "isn't a date"},
		{"backwards", []testenv.Opt{testenv.StringOpt("available_from", "2027-01-31"), testenv.StringOpt("available_to", "2026-09-01")}, "the second date comes before the first"},
		{"one end", []testenv.Opt{testenv.StringOpt("available_from", "2026-09-01")}, "Give both available_from and available_to"},
	}
	for _, tt := range options {
		t.Run(tt.name, func(t *testing.T) {
			seen := b.Do(t, testenv.Slash(testenv.Member("wei"), "profile edit", tt.opts...))
			if seen.Type == discordgo.InteractionResponseModal {
				t.Fatalf("form opened despite %s", tt.name)
			}
			profWant(t, tt.name, seen, tt.want)
		})
	}
	for _, s := range []string{"li", "wei"} {
		if p, ok := profStored(t, b, s); ok {
			t.Fatalf("%s: saved %+v", s, p)
		}
	}
}

func TestProfileRefusedFormCanBeFixed(t *testing.T) {
	b := botenv.New(t)
	bo := testenv.Member("bo")
	form := profForm()
	form["skills"] = "cnc, " + strings.Repeat("s", 41)
	seen := b.Do(t, testenv.ModalSubmit(bo, "/profile/save/2026-09-01/2027-01-31", form))
	profWant(t, "refused", seen, "is longer than 40 characters", "Nothing was saved", "[Fix and send again]")

	// Someone else pressing it (a forwarded message) gets nothing of bo's.
	profWant(t, "other student", b.Press(t, "li", seen, "Fix and send again"), "no longer valid")
	for key, want := range map[string]string{"AAAAAAAAAA": "That form has expired", "x-y": "no longer valid", strings.Repeat("a", 33): "no longer valid"} {
		profWant(t, key, b.Do(t, testenv.Button(bo, "/profile/retry/"+key)), want)
	}

	reopened := b.Press(t, "bo", seen, "Fix and send again")
	inputs := profInputs(t, reopened)
	if reopened.Data.CustomID != "/profile/save/2026-09-01/2027-01-31" || inputs["skills"].Value != form["skills"] || inputs["program"].Value != "Mechatronics" {
		t.Fatalf("reopened form: %q %+v", reopened.Data.CustomID, inputs["skills"])
	}
	form["skills"] = "cnc, cad"
	profWant(t, "fixed", b.Fill(t, "bo", reopened, form), "Saved.", "Skills: cnc, cad")
	if p, ok := profStored(t, b, "bo"); !ok || p.AvailableFrom.IsZero() {
		t.Fatalf("stored: %+v", p)
	}
}

func TestProfileUserTextShownAsText(t *testing.T) {
	b := botenv.New(t)
	form := profForm()
	form["program"] = "**Boss** @everyone [site](https://x.test) <@" + testenv.Member("carol").ID + ">"
	form["cohort"] = "# 2024"
	seen := b.Do(t, testenv.ModalSubmit(testenv.Member("bo"), "/profile/save", form))
	profWant(t, "markdown", seen, `Program: \*\*Boss\*\* @`+"\u200b"+`everyone \[site\]\(https://x.test\) \<@`+"\u200b"+testenv.Member("carol").ID+`\>`, `Cohort: \# 2024`)
	if am := seen.Data.AllowedMentions; am == nil || am.Parse == nil || len(am.Parse) != 0 {
		t.Fatalf("allowed mentions: %+v", am)
	}
	// A server nickname is member text too: the card's title shows it as typed.
	in := testenv.Slash(testenv.Member("bo"), "profile view")
	in.Member.Nick = "**Bo** <@1>"
	profWant(t, "nickname", b.Do(t, in), `Profile: \*\*Bo\*\* \<@`+"\u200b"+`1\>`)
}

func TestProfileViewWhoSeesWhat(t *testing.T) {
	b := botenv.New(t)
	acme := b.AddEnterprise(t, "Acme", 200, "alice")
	b.AddEnterprise(t, "Other Works", 50, "mo")
	pos := b.PostPosition(t, "alice", acme.ID, botenv.PositionInput("CNC operator"))
	b.SaveProfile(t, "bo", placement.ProfileInput{Program: "Mechatronics", Skills: "CNC"})
	b.SaveProfile(t, "li", placement.ProfileInput{Program: "Nursing"})
	b.Apply(t, "bo", pos.ID)

	view := func(who string, opts ...testenv.Opt) botenv.Seen {
		return b.Do(t, testenv.Slash(testenv.Member(who), "profile view", opts...))
	}
	profWant(t, "own", view("bo"), "Profile: bo", "Program: Mechatronics", "[Edit profile]")
	seen := view("alice", testenv.UserOpt("student", "bo"))
	profWant(t, "mentor of the applicant", seen, "Profile: bo", "Program: Mechatronics", "Skills: CNC")
	if strings.Contains(seen.Text(), "[Edit profile]") {
		t.Error("a mentor is offered to edit a student's profile")
	}
	profWant(t, "mentor, no application", view("alice", testenv.UserOpt("student", "li")), "You can only see the profiles of students who applied to your enterprise")
	profWant(t, "other enterprise's mentor", view("mo", testenv.UserOpt("student", "bo")), "You can only see the profiles of students who applied")
	profWant(t, "classmate", view("li", testenv.UserOpt("student", "bo")), "You can only see your own profile")
	profWant(t, "no placement role", view("sam", testenv.UserOpt("student", "bo")), "You can only see your own profile")
	profWant(t, "coordinator", view("carol", testenv.UserOpt("student", "li")), "Program: Nursing")
	profWant(t, "coordinator, no profile", view("carol", testenv.UserOpt("student", "wei")), "<@"+testenv.Member("wei").ID+"> hasn't filled in a profile yet")
	seen = view("wei")
	profWant(t, "own, none yet", seen, "You haven't filled in your profile yet", "[Edit profile]")
	if inputs := profInputs(t, b.Press(t, "wei", seen, "Edit profile")); inputs["program"].Value != "" {
		t.Fatalf("empty form expected: %+v", inputs["program"])
	}
	profWant(t, "not an id", view("carol", testenv.Opt{Name: "student", Type: discordgo.ApplicationCommandOptionUser, Value: "bo"}), "Pick the student from the member list")
}

func TestProfileCardInChinese(t *testing.T) {
	b := botenv.New(t)
	b.SaveProfile(t, "bo", placement.ProfileInput{Program: "机电一体化", Cohort: "2024级", Skills: "数控，焊接", Availability: "2026-09-01 to 2027-01-31"})
	in := testenv.Slash(testenv.Member("bo"), "profile view")
	in.Locale = discordgo.ChineseCN
	profWant(t, "zh view", b.Do(t, in), "档案：bo", "专业: 机电一体化", "年级: 2024级", "技能: 数控, 焊接", "可实习时间: 2026-09-01 → 2027-01-31", "最后更新: ", "[编辑档案]")
	in = testenv.Slash(testenv.Member("bo"), "profile edit")
	in.Locale = discordgo.ChineseCN
	seen := b.Do(t, in)
	if inputs := profInputs(t, seen); inputs["program"].Label != "专业" || !strings.HasPrefix(seen.Data.Title, "我的档案") {
		t.Fatalf("zh form: %q %q", seen.Data.Title, inputs["program"].Label)
	}
	in = testenv.Slash(testenv.Member("li"), "profile edit", testenv.StringOpt("available_from", "2026-09-01"))
	in.Locale = discordgo.ChineseCN
	profWant(t, "zh error", b.Do(t, in), "请同时填写可开始日期和可结束日期")
}
