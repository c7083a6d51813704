package postgres_test

import (
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgxpool"

	"placementbot/internal/placement"
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

func claimedIDs(ns []placement.QueuedNotification) []int64 {
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
	if err := store.MarkNotificationSent(ctx, a[0].Claim, outboxT0); !errors.Is(err, placement.ErrLeaseLost) {
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
		if !errors.Is(err, placement.ErrLeaseLost) {
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

// Files written with a change come back, in order and intact, with the claimed notification, on
// every claim until it is sent; then they are gone. A notification whose DM could not be
// delivered keeps them until the member's next reply shows it, once.
func TestNotificationFiles(t *testing.T) {
	f := newFixture(t)
	ctx := f.t.Context()
	p := f.position(f.enterprise(guildA, "Acme", placement.EnterpriseVerified))
	student, other := f.user(), f.user()
	csv := placement.File{Name: "placements.csv", ContentType: "text/csv; charset=utf-8", Data: []byte("\xef\xbb\xbfid,name\n1,Li\n")}
	png := placement.File{Name: "chart.png", ContentType: "image/png", Data: []byte{0x89, 'P', 'N', 'G', 0, 0xff, 0}}
	empty := placement.File{Name: "empty.txt"}
	withFiles := func(key, userID string, files ...placement.File) placement.Notification {
		n := dm(guildA, key, userID)
		n.Files = files
		return n
	}
	// Through a change's effects, and through QueueNotification.
	if _, err := f.store.SetPositionStatus(ctx, guildA, p.ID, placement.PositionClosed, placement.Audited(positionEvent(p, "position.closed"),
		withFiles("export", student, csv, png, empty), dm(guildA, "plain", student))); err != nil {
		t.Fatal(err)
	}
	queued, err := f.store.QueueNotification(ctx, withFiles("digest", other, png))
	if err != nil || !queued {
		t.Fatalf("queue: %v, %v", queued, err)
	}
	// A dedup key already taken keeps the first notification's files only.
	if queued, err := f.store.QueueNotification(ctx, withFiles("digest", other, csv)); err != nil || queued {
		t.Fatalf("queue again: %v, %v", queued, err)
	}

	claim := func(at time.Time) map[string]placement.QueuedNotification {
		t.Helper()
		got, err := f.store.ClaimNotifications(ctx, at, time.Minute, 10)
		if err != nil {
			t.Fatal(err)
		}
		byKey := map[string]placement.QueuedNotification{}
		for _, n := range got {
			var data map[string]any
			if err := json.Unmarshal(n.Data, &data); err != nil {
				t.Fatal(err)
			}
			byKey[data["Key"].(string)] = n
		}
		return byKey
	}
	now := time.Now().Add(time.Minute)
	got := claim(now)
	if len(got) != 3 {
		t.Fatalf("claimed %d notifications, want 3", len(got))
	}
	if diff := cmp.Diff([]placement.File{csv, png, {Name: "empty.txt", Data: []byte{}}}, got["export"].Files); diff != "" {
		t.Fatalf("export files (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]placement.File{png}, got["digest"].Files); diff != "" {
		t.Fatalf("digest files (-want +got):\n%s", diff)
	}
	if got["plain"].Files != nil {
		t.Fatalf("a notification without files claimed with %+v", got["plain"].Files)
	}

	// A retry claims the files again; sending drops them.
	if err := f.store.RetryNotification(ctx, got["export"].Claim, now, "timeout"); err != nil {
		t.Fatal(err)
	}
	again := claim(now.Add(time.Second))
	if len(again["export"].Files) != 3 {
		t.Fatalf("after a retry: %+v", again["export"])
	}
	if err := f.store.MarkNotificationSent(ctx, again["export"].Claim, now); err != nil {
		t.Fatal(err)
	}
	files := func(key string) int {
		return f.count(`SELECT count(*) FROM notification_files nf JOIN notifications n ON n.guild_id = nf.guild_id AND n.id = nf.notification_id
			WHERE n.dedup_key = $1`, key)
	}
	if n := files("export"); n != 0 {
		t.Fatalf("%d files kept after sending", n)
	}

	// Undeliverable: kept for the member's next reply, shown once, then gone.
	if err := f.store.MarkNotificationUndeliverable(ctx, got["digest"].Claim, "dms closed"); err != nil {
		t.Fatal(err)
	}
	if n := files("digest"); n != 1 {
		t.Fatalf("%d files kept for the next reply, want 1", n)
	}
	shown, err := f.store.TakeUndelivered(ctx, guildA, other, 100)
	if err != nil || len(shown) != 1 {
		t.Fatalf("undelivered %+v, %v", shown, err)
	}
	if diff := cmp.Diff([]placement.File{png}, shown[0].Files); diff != "" {
		t.Fatalf("shown files (-want +got):\n%s", diff)
	}
	if n := files("digest"); n != 0 {
		t.Fatalf("%d files kept after they were shown", n)
	}
	if again, err := f.store.TakeUndelivered(ctx, guildA, other, 100); err != nil || len(again) != 0 {
		t.Fatalf("shown twice: %+v, %v", again, err)
	}

	// Files Discord would refuse are refused with the change, which does not happen.
	tooBig := placement.File{Name: "big.bin", Data: make([]byte, placement.MaxFileSize+1)}
	_, err = f.store.SetPositionStatus(ctx, guildA, p.ID, placement.PositionOpen, placement.Audited(positionEvent(p, "position.reopened"),
		withFiles("too-big", student, tooBig)))
	if !errors.Is(err, placement.ErrBadNotification) || placement.ErrorCode(err) != placement.EINTERNAL {
		t.Fatalf("too big: err = %v", err)
	}
	if found, _ := f.store.FindPosition(ctx, guildA, p.ID); found.Status != placement.PositionClosed {
		t.Fatalf("the position reopened with a refused notification")
	}
	if _, err := f.store.QueueNotification(ctx, withFiles("too-big", student, tooBig)); !errors.Is(err, placement.ErrBadNotification) {
		t.Fatalf("queue too big: err = %v", err)
	}
}
