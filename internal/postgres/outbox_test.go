package postgres_test

import (
	"errors"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"placementbot/internal/outbox"
	"placementbot/internal/postgres"
	"placementbot/internal/testenv"
)

const outboxGuild = "700000000000000001"

// outboxT0 is the tests' clock: rows are due from it, whatever the machine's time.
var outboxT0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// queueNote inserts a pending DM for userID, due at due, and returns its id.
func queueNote(t *testing.T, pool *pgxpool.Pool, key, userID string, due time.Time) int64 {
	t.Helper()
	var id int64
	err := pool.QueryRow(testContext(t), `
		INSERT INTO notifications (guild_id, dedup_key, user_id, message_key, locale, data, next_attempt_at)
		VALUES ($1, $2, $3, 'note.app_submitted', 'en-US', '{"ID": 7}', $4) RETURNING id`,
		outboxGuild, key, userID, due).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func outboxStore(t *testing.T) (*postgres.Store, *pgxpool.Pool) {
	t.Helper()
	pool := testenv.NewPool(t)
	if _, err := pool.Exec(testContext(t), `INSERT INTO guilds (guild_id) VALUES ($1)`, outboxGuild); err != nil {
		t.Fatal(err)
	}
	return postgres.NewStore(pool), pool
}

func claimedIDs(ns []outbox.Notification) []int64 {
	out := make([]int64, len(ns))
	for i, n := range ns {
		out[i] = n.ID
	}
	return out
}

func TestClaimNotifications(t *testing.T) {
	ctx := testContext(t)
	store, pool := outboxStore(t)
	if _, err := pool.Exec(ctx, `INSERT INTO members (guild_id, user_id, locale) VALUES ($1, '11', 'zh-CN')`, outboxGuild); err != nil {
		t.Fatal(err)
	}
	later := queueNote(t, pool, "a", "11", outboxT0.Add(-time.Minute))
	first := queueNote(t, pool, "b", "12", outboxT0.Add(-time.Hour))
	future := queueNote(t, pool, "c", "12", outboxT0.Add(time.Second))
	sent := queueNote(t, pool, "d", "12", outboxT0.Add(-time.Hour))
	if _, err := pool.Exec(ctx, `UPDATE notifications SET status = 'sent' WHERE id = $1`, sent); err != nil {
		t.Fatal(err)
	}

	got, err := store.ClaimNotifications(ctx, outboxT0, time.Minute, 10)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(claimedIDs(got), []int64{first, later}) {
		t.Fatalf("claimed %v, want the due pending rows oldest first %v (not %d, %d)", claimedIDs(got), []int64{first, later}, future, sent)
	}
	for _, n := range got {
		if n.Attempt != 1 || n.GuildID != outboxGuild || n.MessageKey != "note.app_submitted" || n.Locale != "en-US" || string(n.Data) != `{"ID": 7}` {
			t.Errorf("claimed %+v", n)
		}
	}
	if got[1].MemberLocale != "zh-CN" || got[0].MemberLocale != "" {
		t.Errorf("member locales %q, %q; want \"\" (no member row) and zh-CN", got[0].MemberLocale, got[1].MemberLocale)
	}

	// Leased rows stay away from other workers until the lease runs out.
	again, err := store.ClaimNotifications(ctx, outboxT0.Add(59*time.Second), time.Minute, 10)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(claimedIDs(again), []int64{future}) {
		t.Fatalf("within the lease claimed %v, want only %d", claimedIDs(again), future)
	}
	expired, err := store.ClaimNotifications(ctx, outboxT0.Add(61*time.Second+time.Millisecond), time.Minute, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(claimedIDs(expired), []int64{first}) || expired[0].Attempt != 2 {
		t.Fatalf("after the lease claimed %+v, want %d at attempt 2 (limit 1)", expired, first)
	}
}

func TestSettleOnlyWithCurrentClaim(t *testing.T) {
	ctx := testContext(t)
	store, pool := outboxStore(t)
	id := queueNote(t, pool, "a", "11", outboxT0)

	a, err := store.ClaimNotifications(ctx, outboxT0, time.Minute, 10)
	if err != nil || len(a) != 1 {
		t.Fatalf("claim: %v, %v", a, err)
	}
	// A's lease runs out while it is still busy; B takes over.
	b, err := store.ClaimNotifications(ctx, outboxT0.Add(2*time.Minute), time.Minute, 10)
	if err != nil || len(b) != 1 || b[0].Attempt != 2 {
		t.Fatalf("claim after lease: %v, %v", b, err)
	}
	if err := store.MarkNotificationSent(ctx, a[0].Claim, outboxT0); !errors.Is(err, outbox.ErrLeaseLost) {
		t.Fatalf("stale sent: %v, want ErrLeaseLost", err)
	}
	if err := store.MarkNotificationUndeliverable(ctx, b[0].Claim, "closed DMs"); err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"stale retry":  store.RetryNotification(ctx, a[0].Claim, outboxT0.Add(time.Hour), "late"),
		"stale failed": store.MarkNotificationFailed(ctx, a[0].Claim, "late"),
		"second mark":  store.MarkNotificationSent(ctx, b[0].Claim, outboxT0),
	} {
		if !errors.Is(err, outbox.ErrLeaseLost) {
			t.Errorf("%s: %v, want ErrLeaseLost", name, err)
		}
	}
	var status, lastError string
	var attempts int
	var locked *time.Time
	if err := pool.QueryRow(ctx, `SELECT status, last_error, attempts, locked_until FROM notifications WHERE id = $1`, id).
		Scan(&status, &lastError, &attempts, &locked); err != nil {
		t.Fatal(err)
	}
	if status != "undeliverable" || lastError != "closed DMs" || attempts != 2 || locked != nil {
		t.Errorf("row = %s %q attempts=%d locked=%v, want B's outcome", status, lastError, attempts, locked)
	}
}

func TestRetryAndSentRecordTimes(t *testing.T) {
	ctx := testContext(t)
	store, pool := outboxStore(t)
	id := queueNote(t, pool, "a", "11", outboxT0)
	c, err := store.ClaimNotifications(ctx, outboxT0, time.Minute, 10)
	if err != nil || len(c) != 1 {
		t.Fatalf("claim: %v, %v", c, err)
	}
	next := outboxT0.Add(5 * time.Second)
	if err := store.RetryNotification(ctx, c[0].Claim, next, "HTTP 500"); err != nil {
		t.Fatal(err)
	}
	if got, err := store.ClaimNotifications(ctx, next.Add(-time.Millisecond), time.Minute, 10); err != nil || len(got) != 0 {
		t.Fatalf("claimed before its next attempt: %v, %v", got, err)
	}
	c, err = store.ClaimNotifications(ctx, next, time.Minute, 10)
	if err != nil || len(c) != 1 || c[0].Attempt != 2 {
		t.Fatalf("claim at next attempt: %v, %v", c, err)
	}
	if err := store.MarkNotificationSent(ctx, c[0].Claim, next); err != nil {
		t.Fatal(err)
	}
	var status, lastError string
	var sentAt time.Time
	if err := pool.QueryRow(ctx, `SELECT status, last_error, sent_at FROM notifications WHERE id = $1`, id).Scan(&status, &lastError, &sentAt); err != nil {
		t.Fatal(err)
	}
	if status != "sent" || lastError != "" || !sentAt.Equal(next) {
		t.Errorf("row = %s %q sent_at=%v", status, lastError, sentAt)
	}
}

func TestClaimNotificationsConcurrently(t *testing.T) {
	ctx := testContext(t)
	store, pool := outboxStore(t)
	const rows = 120
	want := make([]int64, rows)
	for i := range rows {
		want[i] = queueNote(t, pool, "k"+strconv.Itoa(i), "11", outboxT0)
	}
	var mu sync.Mutex
	var got []int64
	start := make(chan struct{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			<-start
			for {
				batch, err := store.ClaimNotifications(ctx, outboxT0, time.Minute, 7)
				if err != nil {
					t.Error(err)
					return
				}
				if len(batch) == 0 {
					return
				}
				mu.Lock()
				got = append(got, claimedIDs(batch)...)
				mu.Unlock()
			}
		})
	}
	close(start)
	wg.Wait()
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("claimed %d rows (%d distinct), want each of %d exactly once", len(got), len(slices.Compact(slices.Clone(got))), rows)
	}
}

func TestOutboxBacklog(t *testing.T) {
	ctx := testContext(t)
	store, pool := outboxStore(t)
	for i := range 3 {
		queueNote(t, pool, "k"+strconv.Itoa(i), "11", outboxT0.Add(time.Duration(i)*time.Hour))
	}
	if _, err := pool.Exec(ctx, `UPDATE notifications SET status = 'failed' WHERE dedup_key = 'k0'`); err != nil {
		t.Fatal(err)
	}
	if n, err := store.OutboxBacklog(ctx); err != nil || n != 2 {
		t.Fatalf("backlog = %d, %v; want 2 (pending, due or not)", n, err)
	}
}
