package postgres_test

import (
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"placementbot/internal/placement"
)

// undeliverable queues a DM to the user and marks it undeliverable, as the outbox does when the
// member's DMs are closed.
func (f *fixture) undeliverable(guildID, userID, key string, at time.Time) {
	f.t.Helper()
	_, err := f.pool.Exec(f.t.Context(), `
		INSERT INTO notifications (guild_id, dedup_key, user_id, message_key, data, status, created_at)
		VALUES ($1, $2, $3, 'note.test', jsonb_build_object('Key', $2::text, 'N', 1), 'undeliverable', $4)`,
		guildID, key, userID, at)
	if err != nil {
		f.t.Fatal(err)
	}
}

func TestActorFacts(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	mentor, other := f.user(), f.user()

	// A guild the bot has never seen: empty settings and nothing else.
	facts, err := f.store.ActorFacts(ctx, guildA, mentor)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(placement.ActorFacts{Settings: placement.GuildSettings{GuildID: guildA}, EnterpriseIDs: []int64{}}, facts); diff != "" {
		t.Fatalf("unknown guild (-want +got):\n%s", diff)
	}

	role := "400000000000000001"
	if _, err := f.store.UpdateGuildSettings(ctx, guildA, placement.GuildSettingsUpdate{MentorRoleID: &role}, fx(guildA, "setup.update")); err != nil {
		t.Fatal(err)
	}
	verified := f.enterprise(guildA, "Verified Co", placement.EnterpriseVerified, mentor)
	verified2 := f.enterprise(guildA, "Second Co", placement.EnterpriseVerified, mentor, other)
	pending := f.enterprise(guildA, "Pending Co", placement.EnterprisePending)
	// A mentor row on a pending enterprise (as if linked by hand) must not count.
	if _, err := f.pool.Exec(ctx, `INSERT INTO enterprise_mentors (guild_id, enterprise_id, user_id, linked_by) VALUES ($1, $2, $3, 'x')`,
		guildA, pending.ID, mentor); err != nil {
		t.Fatal(err)
	}
	f.enterprise(guildB, "Elsewhere Co", placement.EnterpriseVerified, mentor)
	if err := f.store.SetMemberLocale(ctx, guildA, mentor, "zh-CN"); err != nil {
		t.Fatal(err)
	}
	f.undeliverable(guildA, mentor, "a1", today)
	f.undeliverable(guildA, mentor, "a2", today)
	f.undeliverable(guildA, other, "a3", today)
	f.undeliverable(guildB, mentor, "b1", today)
	if _, err := f.pool.Exec(ctx, `INSERT INTO notifications (guild_id, dedup_key, user_id, message_key) VALUES ($1, 'pending', $2, 'note.test')`,
		guildA, mentor); err != nil {
		t.Fatal(err)
	}

	facts, err = f.store.ActorFacts(ctx, guildA, mentor)
	if err != nil {
		t.Fatal(err)
	}
	if facts.Settings.MentorRoleID != role || facts.Settings.OpenApplicationCap != 10 || facts.Settings.OfferExpiryDays != 7 || facts.Settings.UpdatedAt.IsZero() {
		t.Errorf("settings: %+v", facts.Settings)
	}
	if diff := cmp.Diff([]int64{verified.ID, verified2.ID}, facts.EnterpriseIDs); diff != "" {
		t.Errorf("enterprise ids (-want +got):\n%s", diff)
	}
	if facts.Locale != "zh-CN" || facts.Undelivered != 2 {
		t.Errorf("locale %q, undelivered %d; want zh-CN, 2", facts.Locale, facts.Undelivered)
	}

	facts, err = f.store.ActorFacts(ctx, guildA, other)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int64{verified2.ID}, facts.EnterpriseIDs); diff != "" || facts.Locale != "" || facts.Undelivered != 1 {
		t.Errorf("other member: %+v", facts)
	}
}

func TestSetMemberLocale(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	u := f.user()
	// No guild row yet: the store creates it.
	if err := f.store.SetMemberLocale(ctx, guildA, u, "en-US"); err != nil {
		t.Fatal(err)
	}
	if err := f.store.SetMemberLocale(ctx, guildA, u, "zh-CN"); err != nil {
		t.Fatal(err)
	}
	facts, err := f.store.ActorFacts(ctx, guildA, u)
	if err != nil {
		t.Fatal(err)
	}
	if facts.Locale != "zh-CN" || facts.Settings.OpenApplicationCap != 10 {
		t.Fatalf("facts: %+v", facts)
	}
	if n := f.count(`SELECT count(*) FROM members`); n != 1 {
		t.Fatalf("%d member rows, want 1", n)
	}
	if facts, _ := f.store.ActorFacts(ctx, guildB, u); facts.Locale != "" {
		t.Fatalf("guild B sees the locale set in guild A: %q", facts.Locale)
	}
}

func TestSetMemberNameWritesOnlyWhenChanged(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	u := f.user()
	updated := func() time.Time {
		t.Helper()
		var at time.Time
		if err := f.pool.QueryRow(ctx, `SELECT updated_at FROM members WHERE guild_id = $1 AND user_id = $2`, guildA, u).Scan(&at); err != nil {
			t.Fatal(err)
		}
		return at
	}
	if err := f.store.SetMemberName(ctx, guildA, u, "王小波"); err != nil {
		t.Fatal(err)
	}
	first := updated()
	if err := f.store.SetMemberName(ctx, guildA, u, "王小波"); err != nil {
		t.Fatal(err)
	}
	if again := updated(); !again.Equal(first) {
		t.Fatalf("the same name was written again (updated_at %v, then %v)", first, again)
	}
	if err := f.store.SetMemberLocale(ctx, guildA, u, "zh-CN"); err != nil {
		t.Fatal(err)
	}
	if err := f.store.SetMemberName(ctx, guildA, u, "Bo Wang"); err != nil {
		t.Fatal(err)
	}
	facts, err := f.store.ActorFacts(ctx, guildA, u)
	if err != nil {
		t.Fatal(err)
	}
	if facts.Name != "Bo Wang" || facts.Locale != "zh-CN" {
		t.Fatalf("facts: name %q, locale %q", facts.Name, facts.Locale)
	}
	if facts, _ := f.store.ActorFacts(ctx, guildB, u); facts.Name != "" {
		t.Fatalf("guild B sees the name set in guild A: %q", facts.Name)
	}
}

func TestTakeUndelivered(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	u, other := f.user(), f.user()
	f.undeliverable(guildA, u, "second", today.Add(2*time.Hour))
	f.undeliverable(guildA, u, "first", today.Add(time.Hour))
	f.undeliverable(guildA, other, "other", today)
	f.undeliverable(guildB, u, "in-b", today)

	got, err := f.store.TakeUndelivered(ctx, guildA, u, 100)
	if err != nil {
		t.Fatal(err)
	}
	want := []placement.Notification{
		{GuildID: guildA, DedupKey: "first", UserID: u, MessageKey: "note.test", Data: map[string]any{"Key": "first", "N": int64(1)}},
		{GuildID: guildA, DedupKey: "second", UserID: u, MessageKey: "note.test", Data: map[string]any{"Key": "second", "N": int64(1)}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("taken (-want +got):\n%s", diff)
	}
	if again, err := f.store.TakeUndelivered(ctx, guildA, u, 100); err != nil || len(again) != 0 {
		t.Fatalf("second take: %v, %v; want none", again, err)
	}
	if facts, _ := f.store.ActorFacts(ctx, guildA, u); facts.Undelivered != 0 {
		t.Fatalf("undelivered after take: %d", facts.Undelivered)
	}
	if n := f.count(`SELECT count(*) FROM notifications WHERE status = 'undeliverable'`); n != 2 {
		t.Fatalf("other members' notifications changed: %d left, want 2", n)
	}

	// Two interactions at once: each notification is shown by exactly one of them.
	for i := range 20 {
		f.undeliverable(guildA, u, "race"+string(rune('a'+i)), today)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	shown := 0
	for range 4 {
		wg.Go(func() {
			ns, err := f.store.TakeUndelivered(ctx, guildA, u, 100)
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			shown += len(ns)
			mu.Unlock()
		})
	}
	wg.Wait()
	if shown != 20 {
		t.Fatalf("concurrent takes showed %d notifications, want 20", shown)
	}
}
