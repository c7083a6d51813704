package outbox_test

import (
	"context"
	"strings"
	"testing"

	"placementbot/internal/demo"
	"placementbot/internal/testenv"
	"placementbot/internal/testenv/botenv"
)

// TestMissedNoticesAreShownAFewAtATime: a member with 30 missed DMs sees the oldest few in a
// reply, with how many still wait, and only those are marked shown; ids print as integers.
func TestMissedNoticesAreShownAFewAtATime(t *testing.T) {
	b := botenv.New(t)
	ctx := context.Background()
	bo := testenv.Member("bo")
	if _, err := b.Pool.Exec(ctx, `
		INSERT INTO notifications (guild_id, dedup_key, user_id, message_key, data, status, created_at)
		SELECT $1, 'missed' || i, $2, 'note.app_submitted',
		       jsonb_build_object('ID', 1234560 + i, 'Title', 'Welder ' || i, 'Enterprise', 'Delta Works'),
		       'undeliverable', now() - make_interval(mins => 100 - i)
		FROM generate_series(1, 30) i`, demo.GuildID, bo.ID); err != nil {
		t.Fatal(err)
	}
	left := func() (n int) {
		t.Helper()
		if err := b.Pool.QueryRow(ctx, `SELECT count(*) FROM notifications WHERE user_id = $1 AND status = 'undeliverable'`, bo.ID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	seen := b.Do(t, testenv.Slash(bo, "help"))
	seen.MustContain(t, "(#1234561)", "(#1234562)", "(#1234563)", "27 more updates wait")
	if text := seen.Text(); strings.Contains(text, "(#1234564)") || strings.Contains(text, "e+06") {
		t.Fatalf("first reply:\n%s", text)
	}
	if n := left(); n != 27 {
		t.Fatalf("%d still waiting after one reply, want 27", n)
	}
	for range 8 {
		b.Do(t, testenv.Slash(bo, "help"))
	}
	last := b.Do(t, testenv.Slash(bo, "help"))
	last.MustContain(t, "(#1234590)")
	if strings.Contains(last.Text(), "more update") || left() != 0 {
		t.Fatalf("after ten replies %d wait; last reply:\n%s", left(), last.Text())
	}
}
