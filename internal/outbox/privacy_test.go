package outbox_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"placementbot/internal/outbox"
	"placementbot/internal/placement"
	"placementbot/internal/testenv"
	"placementbot/internal/testenv/botenv"
)

// capture is a sender that keeps every message it is given.
type capture struct {
	mu   sync.Mutex
	sent []outbox.Message
}

func (c *capture) Send(_ context.Context, m outbox.Message) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sent = append(c.sent, m)
	return nil
}

// drain runs the worker until nothing is due.
func drain(t *testing.T, w *outbox.Worker) {
	t.Helper()
	for range 20 {
		n, err := w.RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
	t.Fatal("the outbox never emptied")
}

// TestChannelPostsCarryNoPersonalData walks every kind of channel post (placement.ChannelMessages)
// through the service and the outbox: none names a student or shows what a member typed about
// themselves, and a repeated end request is posted once.
func TestChannelPostsCarryNoPersonalData(t *testing.T) {
	b := botenv.New(t)
	ctx := context.Background()
	carol, bo := b.Actor(t, "carol"), testenv.Member("bo")
	secrets := []string{"my mother is ill", "family health matters"}

	if _, err := b.Service.RequestEnterprise(ctx, b.Actor(t, "alice"), placement.EnterpriseInput{Name: "Delta Works", City: "Ningbo", StaffSize: 80}); err != nil {
		t.Fatal(err)
	}
	pos := b.PostPosition(t, "alice", b.AddEnterprise(t, "Harbor Tools", 200, "alice").ID, botenv.PositionInput("Lathe operator intern"))
	if _, _, err := b.Service.OpenRound(ctx, carol, placement.RoundInput{Name: "Spring round", Outcome: "offers",
		Deadline: b.Service.Now().AddDate(0, 0, 7).Format(placement.DateLayout)}); err != nil {
		t.Fatal(err)
	}
	app := b.Apply(t, "bo", pos.ID)
	student, alice := b.Actor(t, "bo"), b.Actor(t, "alice")
	_, err := b.Service.Offer(ctx, alice, app.ID)
	if err == nil {
		_, err = b.Service.Accept(ctx, student, app.ID)
	}
	for _, item := range placement.DefaultChecklist {
		if err == nil {
			_, err = b.Service.TickCheck(ctx, carol, app.ID, item, true)
		}
	}
	var p placement.Placement
	if err == nil {
		p, err = b.Service.Approve(ctx, carol, app.ID)
	}
	for _, reason := range secrets {
		if err == nil {
			_, err = b.Service.RequestEnd(ctx, student, p.ID, reason)
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	b.Service.Now = func() time.Time { return time.Date(now.Year(), now.Month(), now.Day(), 23, 0, 0, 0, time.UTC) }
	if n, err := b.Service.SendDigests(ctx); err != nil || n != 1 {
		t.Fatalf("digests = %d, %v", n, err)
	}

	rows, err := b.Pool.Query(ctx, `SELECT message_key, data FROM notifications WHERE channel_id <> '' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for rows.Next() {
		var key string
		var data map[string]any
		if err := rows.Scan(&key, &data); err != nil {
			t.Fatal(err)
		}
		seen[key]++
		allowed, ok := placement.ChannelMessages[key]
		if !ok {
			t.Errorf("%s was posted in a channel", key)
		}
		for k := range data {
			if !slices.Contains(allowed, k) {
				t.Errorf("the channel post %s carries %s", key, k)
			}
		}
		if strings.HasPrefix(key, "jobs.digest") {
			// Both digests carry the same data; which one a day gets depends on what waits.
			seen["jobs.digest"], seen["jobs.digest_quiet"] = 1, 1
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for key := range placement.ChannelMessages {
		if seen[key] == 0 {
			t.Errorf("no flow posted %s", key)
		}
	}
	if seen["note.end_requested"] != 1 {
		t.Errorf("two end requests posted %d times, want once", seen["note.end_requested"])
	}

	for _, lang := range []string{"en-US", "zh-CN"} {
		sender := &capture{}
		if _, err := b.Pool.Exec(ctx, `UPDATE notifications SET status = 'pending', locale = $1, attempts = 0, next_attempt_at = now() - interval '1 minute'
			WHERE channel_id <> ''`, lang); err != nil {
			t.Fatal(err)
		}
		drain(t, outbox.New(outbox.Config{Store: b.Store, Sender: sender, Catalog: b.Catalog}))
		posts := 0
		for _, m := range sender.sent {
			if m.ChannelID == "" {
				continue
			}
			posts++
			for _, bad := range append([]string{"<@", bo.ID}, secrets...) {
				if strings.Contains(m.Content, bad) {
					t.Errorf("%s channel post shows %q:\n%s", lang, bad, m.Content)
				}
			}
		}
		// The four posts of the flows above, and the round's announcement.
		if posts != 5 {
			t.Errorf("%s: %d channel posts, want 5", lang, posts)
		}
	}
}

// TestChannelPostWithPersonalDataIsRefused shows the rule holds for any future caller: the
// store refuses a channel post that carries a reason or a member, or is not a channel message.
func TestChannelPostWithPersonalDataIsRefused(t *testing.T) {
	for _, n := range []placement.Notification{
		{DedupKey: "k", ChannelID: "1", MessageKey: "note.end_requested", Data: map[string]any{"ID": 1, "Reason": "ill"}},
		{DedupKey: "k", ChannelID: "1", MessageKey: "note.enterprise_requested", Data: map[string]any{"ID": 1, "User": "2"}},
		{DedupKey: "k", ChannelID: "1", MessageKey: "note.app_rejected", Data: map[string]any{"ID": 1}},
	} {
		if err := n.Validate(); !errors.Is(err, placement.ErrBadNotification) {
			data, _ := json.Marshal(n.Data)
			t.Errorf("%s %s: %v", n.MessageKey, data, err)
		}
	}
	ok := placement.Notification{DedupKey: "k", ChannelID: "1", MessageKey: "note.end_requested", Data: map[string]any{"ID": 1}}
	if err := ok.Validate(); err != nil {
		t.Error(err)
	}
}
