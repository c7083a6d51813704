package discord_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"placementbot/internal/demo"
	"placementbot/internal/placement"
	"placementbot/internal/testenv"
	"placementbot/internal/testenv/botenv"
)

// plcPlaced takes a student from applying to an approved placement and returns it.
func plcPlaced(t *testing.T, b *botenv.Bot, m demo.Member, positionID int64) placement.Placement {
	t.Helper()
	app := aprAccepted(t, b, m, "alice", positionID)
	aprTickAll(t, b, app.ID)
	p, err := b.Service.Approve(context.Background(), b.Actor(t, "carol"), app.ID)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func plcID(id int64) string { return strconv.FormatInt(id, 10) }

func TestPlacementsListShowsBothMentorsAndPages(t *testing.T) {
	f := newAprFixture(t, 200, "10")
	carol := testenv.Member("carol")
	var ps []placement.Placement
	for i := range 6 {
		ps = append(ps, plcPlaced(t, f.b, appStudent(i), f.pos.ID))
	}
	if _, err := f.b.Service.AssignSupervisor(context.Background(), f.b.Actor(t, "carol"), ps[0].ID, carol.ID); err != nil {
		t.Fatal(err)
	}

	seen := f.b.Do(t, testenv.Slash(carol, "placements list"))
	alice := "<@" + testenv.Member("alice").ID + ">"
	mustContain(t, seen, "Active placements (6)", "1 · Lathe operator intern — Harbor Tools", "Enterprise mentor: "+alice,
		"School supervisor: none yet", "[Supervisor #1]", "[End #5]", "[Next ▶]")
	appFooter(t, seen, "Page 1 of 2")
	if !seen.Ephemeral() {
		t.Error("list is not ephemeral")
	}
	// Newest first: the first placement, the one with a supervisor, is on page 2.
	next := f.b.Do(t, testenv.Button(carol, buttonsOf(seen.Data)["Next ▶"].CustomID))
	mustContain(t, next, "6 · Lathe operator intern", "<@"+appStudent(0).ID+"> · placement #"+plcID(ps[0].ID), "School supervisor: <@"+carol.ID+">", "[End #6]")
	if next.Type != discordgo.InteractionResponseUpdateMessage {
		t.Errorf("page turn type %d", next.Type)
	}

	bySupervisor := f.b.Do(t, testenv.Slash(carol, "placements list", testenv.UserOpt("supervisor", "carol")))
	mustContain(t, bySupervisor, "Active placements (1)", "School supervisor: <@"+carol.ID+">")
	mustContain(t, f.b.Do(t, testenv.Slash(carol, "placements list", testenv.StringOpt("enterprise", "Harbor Tools"))), "Active placements (6)", "Enterprise: Harbor Tools")
	lotus := f.b.AddEnterprise(t, "Lotus Foods", 100, "mo")
	mustContain(t, f.b.Do(t, testenv.Slash(carol, "placements list", testenv.StringOpt("enterprise", plcID(lotus.ID)))),
		"No active placements with Enterprise: this enterprise")
	mustRefuse(t, f.b.Do(t, testenv.Slash(carol, "placements list", testenv.StringOpt("enterprise", "Nowhere Inc"))), "can't find that enterprise")
	mustRefuse(t, f.b.Do(t, testenv.Slash(testenv.Member("bo"), "placements list")), "Only coordinators")

	for _, cid := range []string{"/placements/page/abc/0/1", "/placements/page/0/1x/1", "/placements/page/0/0/-1", "/placements/page/0/0/x"} {
		mustRefuse(t, f.b.Do(t, testenv.Button(carol, cid)), "no longer valid")
	}
	// An out-of-range page shows the last one.
	mustContain(t, f.b.Do(t, testenv.Button(carol, "/placements/page/0/0/9")), "6 · Lathe operator intern")
}

func TestSupervisorMustBeAGuildMember(t *testing.T) {
	f := newAprFixture(t, 200, "2")
	carol, bo := testenv.Member("carol"), testenv.Member("bo")
	p := plcPlaced(t, f.b, bo, f.pos.ID)
	stranger := "123456789012345678"

	cmd := testenv.Slash(carol, "placements supervisor", testenv.StringOpt("placement", plcID(p.ID)),
		testenv.Opt{Name: "supervisor", Type: discordgo.ApplicationCommandOptionUser, Value: stranger})
	mustRefuse(t, f.b.Do(t, cmd), "<@"+stranger+"> isn't a member of this server")
	mustRefuse(t, f.b.Do(t, entUserSelect("carol", "/placement/"+plcID(p.ID)+"/supervisor", stranger)), "isn't a member of this server")
	if ps := aprPlacements(t, f.b); ps[0].SupervisorID != "" {
		t.Fatalf("supervisor set to %q", ps[0].SupervisorID)
	}

	// The list's button opens the member picker; picking assigns.
	picker := f.b.Do(t, testenv.Button(carol, "/placement/"+plcID(p.ID)+"/supervisor/pick"))
	mustContain(t, picker, "Who supervises <@"+bo.ID+"> for the school at **Harbor Tools**", "Now: none yet")
	if menu := menuOf(picker.Data); menu == nil || menu.MenuType != discordgo.UserSelectMenu {
		t.Fatalf("picker %+v", picker.Data.Components)
	}
	seen := f.b.Do(t, entUserSelect("carol", "/placement/"+plcID(p.ID)+"/supervisor", carol.ID))
	mustContain(t, seen, "<@"+carol.ID+"> is now the school supervisor of <@"+bo.ID+"> at **Harbor Tools**",
		"beside the enterprise mentor <@"+testenv.Member("alice").ID+">", "Enterprise mentor", "School supervisor")
	if ps := aprPlacements(t, f.b); ps[0].SupervisorID != carol.ID {
		t.Fatalf("supervisor %q", ps[0].SupervisorID)
	}
	// Picking the same person again tells nobody twice.
	f.b.Do(t, entUserSelect("carol", "/placement/"+plcID(p.ID)+"/supervisor", carol.ID))
	if n := entNotes(t, f.b, "note.supervisor_assigned"); len(n) != 1 || n[0].UserID != carol.ID {
		t.Fatalf("supervisor notes %+v", n)
	}
	if n := entNotes(t, f.b, "note.mentor_supervisor_assigned"); len(n) != 1 || n[0].UserID != testenv.Member("alice").ID {
		t.Fatalf("mentor notes %+v", n)
	}
	if menu := menuOf(f.b.Do(t, testenv.Button(carol, "/placement/"+plcID(p.ID)+"/supervisor/pick")).Data); len(menu.DefaultValues) != 1 || menu.DefaultValues[0].ID != carol.ID {
		t.Fatalf("the picker doesn't show the current supervisor: %+v", menu)
	}

	// By command, naming the placement by its position's title.
	cmd = testenv.Slash(carol, "placements supervisor", testenv.StringOpt("placement", "Lathe operator intern"), testenv.UserOpt("supervisor", "owner"))
	mustContain(t, f.b.Do(t, cmd), "<@"+testenv.Member("owner").ID+"> is now the school supervisor")
	mustRefuse(t, f.b.Do(t, testenv.Slash(carol, "placements supervisor", testenv.StringOpt("placement", "Welding"), testenv.UserOpt("supervisor", "owner"))),
		"can't find that placement")
	mustRefuse(t, f.b.Do(t, testenv.Slash(carol, "placements supervisor", testenv.StringOpt("placement", "99999"), testenv.UserOpt("supervisor", "owner"))),
		"can't find that placement")
	mustRefuse(t, f.b.Do(t, entUserSelect("bo", "/placement/"+plcID(p.ID)+"/supervisor", carol.ID)), "Only coordinators")
	mustRefuse(t, f.b.Do(t, entUserSelect("carol", "/placement/x/supervisor", carol.ID)), "no longer valid")
	mustRefuse(t, f.b.Do(t, entUserSelect("carol", "/placement/"+plcID(p.ID)+"/supervisor", carol.ID, bo.ID)), "no longer valid")

	choices := f.b.Choices(t, testenv.Autocomplete(carol, "placements supervisor", testenv.StringOpt("placement", "lathe")))
	if len(choices) != 1 || choices[0].Value != plcID(p.ID) {
		t.Fatalf("suggestions %+v", choices)
	}
}

func TestEarlyEndFreesTheSlot(t *testing.T) {
	f := newAprFixture(t, 200, "1")
	carol, bo, li := testenv.Member("carol"), testenv.Member("bo"), testenv.Member("li")
	p := plcPlaced(t, f.b, bo, f.pos.ID)
	ctx := context.Background()
	if _, err := f.b.Service.Apply(ctx, f.b.Actor(t, "li"), f.pos.ID, appMotivation); placement.ErrorCode(err) != placement.ECONFLICT {
		t.Fatalf("applying to a full position: %v", err)
	}

	// The student asks, with a reason typed in the form.
	form := f.b.Do(t, testenv.Slash(bo, "placements end"))
	if inputs := appTextInputs(t, form); form.Data.CustomID != "/placement/"+plcID(p.ID)+"/request-end/submit" || !inputs[0].Required {
		t.Fatalf("request form %q %+v", form.Data.CustomID, inputs)
	}
	mustRefuse(t, f.b.Do(t, testenv.ModalSubmit(bo, form.Data.CustomID, map[string]string{"reason": ""})), "Reason is required")
	mustRefuse(t, f.b.Do(t, testenv.Slash(bo, "placements end", testenv.StringOpt("reason", strings.Repeat("é", 301)))), "Reason can be at most 300 characters")
	seen := f.b.Do(t, testenv.ModalSubmit(bo, form.Data.CustomID, map[string]string{"reason": "My family moves to **Xi'an** in May"}))
	mustContain(t, seen, "Your request to end your placement at **Harbor Tools**", "Nothing changes until")
	if ps := aprPlacements(t, f.b); ps[0].Status != "active" || ps[0].EndRequested != "My family moves to **Xi'an** in May" {
		t.Fatalf("after the request: %+v", ps)
	}
	if n := entNotes(t, f.b, "note.end_requested"); len(n) != 1 || n[0].ChannelID != demo.DigestID {
		t.Fatalf("digest posts %+v", n)
	}
	mustRefuse(t, f.b.Do(t, testenv.Slash(li, "placements end", testenv.StringOpt("reason", "I want to stop"))), "You have no active placement")
	mustRefuse(t, f.b.Do(t, testenv.ModalSubmit(li, form.Data.CustomID, map[string]string{"reason": "Not mine to end"})), "That placement isn't yours")
	mustRefuse(t, f.b.Do(t, testenv.Slash(bo, "placements end", testenv.StringOpt("reason", "Again"), testenv.StringOpt("placement", "12345"))), "That placement isn't yours")
	mustRefuse(t, f.b.Do(t, testenv.Slash(carol, "placements end", testenv.StringOpt("reason", "Done"))), "Pick the placement to end")
	mustRefuse(t, f.b.Do(t, testenv.Slash(testenv.Member("alice"), "placements end", testenv.StringOpt("reason", "Done"))), "can't do this")

	// The coordinator sees the request in the list and ends it from there.
	list := f.b.Do(t, testenv.Slash(carol, "placements list"))
	mustContain(t, list, "⚠️ Asked to end early: My family moves to \\*\\*Xi'an\\*\\* in May")
	endForm := f.b.Do(t, testenv.Button(carol, buttonsOf(list.Data)["End #1"].CustomID))
	if inputs := appTextInputs(t, endForm); endForm.Data.CustomID != "/placement/"+plcID(p.ID)+"/end/submit" || !inputs[0].Required || inputs[0].MinLength != 3 {
		t.Fatalf("end form %q %+v", endForm.Data.CustomID, inputs)
	}
	mustRefuse(t, f.b.Do(t, testenv.ModalSubmit(bo, endForm.Data.CustomID, map[string]string{"reason": "I end it myself"})), "Only coordinators")
	mustRefuse(t, f.b.Do(t, testenv.ModalSubmit(carol, endForm.Data.CustomID, map[string]string{"reason": "  "})), "Reason is required")
	seen = f.b.Do(t, testenv.ModalSubmit(carol, endForm.Data.CustomID, map[string]string{"reason": "Agreed with the family and Harbor Tools"}))
	mustContain(t, seen, "Placement ended: <@"+bo.ID+"> at **Harbor Tools**", "The slot is free again", "Ended because")
	if ps := aprPlacements(t, f.b); ps[0].Status != "ended" || ps[0].EndReason != "Agreed with the family and Harbor Tools" {
		t.Fatalf("after ending: %+v", ps)
	}
	if n := entNotes(t, f.b, "note.placement_ended"); len(n) != 2 {
		t.Fatalf("end notes %+v", n)
	}
	mustRefuse(t, f.b.Do(t, testenv.ModalSubmit(carol, endForm.Data.CustomID, map[string]string{"reason": "Pressed twice"})), "already ended")
	mustRefuse(t, f.b.Do(t, testenv.Button(carol, "/placement/"+plcID(p.ID)+"/end")), "already ended")
	if _, err := f.b.Service.Apply(ctx, f.b.Actor(t, "li"), f.pos.ID, appMotivation); err != nil {
		t.Fatalf("the slot is still taken: %v", err)
	}
	mustContain(t, f.b.Do(t, testenv.Slash(carol, "placements list")), "No active placements yet")
}

func TestCoordinatorEndsByCommand(t *testing.T) {
	f := newAprFixture(t, 200, "2")
	carol, bo := testenv.Member("carol"), testenv.Member("bo")
	p := plcPlaced(t, f.b, bo, f.pos.ID)

	choices := f.b.Choices(t, testenv.Autocomplete(bo, "placements end", testenv.StringOpt("placement", "")))
	if len(choices) != 1 || choices[0].Value != plcID(p.ID) {
		t.Fatalf("the student's suggestions %+v", choices)
	}
	form := f.b.Do(t, testenv.Slash(carol, "placements end", testenv.StringOpt("placement", plcID(p.ID))))
	if form.Data.CustomID != "/placement/"+plcID(p.ID)+"/end/submit" {
		t.Fatalf("without a reason the coordinator gets the form: %q %s", form.Data.CustomID, form.Text())
	}
	mustRefuse(t, f.b.Do(t, testenv.Slash(carol, "placements end", testenv.StringOpt("placement", "#abc"), testenv.StringOpt("reason", "Ends"))), "can't find that placement")
	seen := f.b.Do(t, testenv.Slash(carol, "placements end", testenv.StringOpt("placement", "Lathe operator intern"), testenv.StringOpt("reason", "The enterprise closed the workshop")))
	mustContain(t, seen, "Placement ended")
	if ps := aprPlacements(t, f.b); ps[0].Status != "ended" {
		t.Fatalf("%+v", ps)
	}
	if !strings.Contains(f.b.Do(t, testenv.Slash(bo, "placements end", testenv.StringOpt("reason", "too late"))).Text(), "no active placement") {
		t.Error("an ended placement can still be asked to end")
	}
	in := testenv.Slash(carol, "placements list")
	in.Locale = discordgo.ChineseCN
	mustContain(t, f.b.Do(t, in), "目前还没有进行中的实习安排", "/审批 待审批")
}

func TestPlacementsInChinese(t *testing.T) {
	f := newAprFixture(t, 200, "2")
	carol := testenv.Member("carol")
	plcPlaced(t, f.b, testenv.Member("bo"), f.pos.ID)
	in := testenv.Slash(carol, "placements list")
	in.Locale = discordgo.ChineseCN
	mustContain(t, f.b.Do(t, in), "进行中的实习安排（1）", "企业导师：<@"+testenv.Member("alice").ID+">", "校内导师：尚未指定", "[校内导师 #1]", "[结束 #1]")
}
