package outbox_test

import (
	"context"
	"strings"
	"testing"

	"placementbot/internal/demo"
	"placementbot/internal/outbox"
	"placementbot/internal/placement"
	"placementbot/internal/testenv"
	"placementbot/internal/testenv/botenv"
)

// A member who never used the bot gets their first DM in the language of the member whose
// interaction caused it (a Chinese-speaking coordinator linking a new mentor), and every DM in
// their own language once they have used it.
func TestFirstDMInTheLanguageOfTheInteraction(t *testing.T) {
	b := botenv.New(t)
	ctx := context.Background()
	carol, mo := testenv.Member("carol"), testenv.Member("mo")
	coordinator, err := b.Service.Actor(ctx, demo.GuildID, placement.Member{UserID: carol.ID, RoleIDs: carol.RoleIDs, Permissions: carol.Permissions}, "zh-CN")
	if err != nil {
		t.Fatal(err)
	}
	e, err := b.Service.AddEnterprise(ctx, coordinator, placement.EnterpriseInput{Name: "Harbor Tools", City: "Ningbo", StaffSize: 200})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Service.LinkMentor(ctx, coordinator, e.ID, mo.ID); err != nil {
		t.Fatal(err)
	}
	sent := send(t, b)
	if got := sent[mo.ID]; !strings.Contains(got, "你已成为") {
		t.Errorf("first DM to a member who never used the bot: %q, want it in the coordinator's Chinese", got)
	}

	// mo uses the bot in English: from then on their DMs are in English, whoever causes them.
	b.Actor(t, "mo")
	if _, err := b.Service.UnlinkMentor(ctx, coordinator, e.ID, mo.ID); err != nil {
		t.Fatal(err)
	}
	if got := send(t, b)[mo.ID]; got == "" || strings.ContainsFunc(got, func(r rune) bool { return r >= 0x4e00 && r <= 0x9fff }) {
		t.Errorf("DM to a member who uses English: %q", got)
	}
}

// send runs the outbox until it is empty and returns the DMs sent, by recipient.
func send(t *testing.T, b *botenv.Bot) map[string]string {
	t.Helper()
	sender := &capture{}
	drain(t, outbox.New(outbox.Config{Store: b.Store, Sender: sender, Catalog: b.Catalog}))
	out := map[string]string{}
	for _, m := range sender.sent {
		if m.UserID != "" {
			out[m.UserID] = m.Content
		}
	}
	return out
}
