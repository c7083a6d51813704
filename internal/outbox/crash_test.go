package outbox_test

import (
	"strconv"
	"testing"
	"time"

	"placementbot/internal/outbox"
	"placementbot/internal/testenv"
)

// panicky is a catalog whose text for one message crashes whoever renders it.
type panicky struct{ outbox.Translator }

func (p panicky) T(lang, id string, data map[string]any) string {
	if id == "note.boom" {
		panic("template blew up")
	}
	return p.Translator.T(lang, id, data)
}

func TestCrashingNotificationStopsAtTheAttemptLimit(t *testing.T) {
	e := newEnv(t)
	w := outbox.New(outbox.Config{Store: e.store, Sender: outbox.DiscordSender{Session: e.fake.Session("Bot test")},
		Catalog: panicky{loadCatalog(t)}, Now: e.clock.Now, MaxAttempts: 3})
	boom := e.insert(row{key: "boom", userID: studentEN, messageKey: "note.boom"})
	ok := e.insert(offer("ok", studentEN))
	runOnce(t, e.ctx, w, 2)
	if s := e.state(boom); s.Status != "pending" || s.Attempts != 1 || s.Locked {
		t.Fatalf("after a crash: %+v, want pending for a retry", s)
	}
	for range 2 {
		e.clock.Advance(time.Hour)
		runOnce(t, e.ctx, w, 1)
	}
	if s := e.state(boom); s.Status != "failed" || s.Attempts != 3 {
		t.Fatalf("after the last attempt: %+v, want failed", s)
	}
	if s := e.state(ok); s.Status != "sent" {
		t.Fatalf("the notification beside it: %+v", s)
	}

	// A notification whose worker died on it every time is given up once past the limit.
	died := e.insert(offer("died", studentEN))
	e.exec(`UPDATE notifications SET attempts = 3 WHERE id = $1`, died)
	runOnce(t, e.ctx, w, 1)
	if s := e.state(died); s.Status != "failed" || len(e.messages()) != 1 {
		t.Fatalf("claimed a fourth time: %+v, %d messages", s, len(e.messages()))
	}
}

// TestOutageReleasesTheRestOfTheBatch: when recording a sent DM fails because Postgres stopped,
// the rest of the claimed batch goes out as soon as Postgres answers, not after the lease.
func TestOutageReleasesTheRestOfTheBatch(t *testing.T) {
	srv := testenv.NewPostgresServer(t)
	e := setupEnv(t, t.Context(), testenv.ServerURL(srv))
	const total = 10
	for i := range total {
		e.insert(offer("n"+strconv.Itoa(i), strconv.Itoa(820000000000000000+i)))
	}
	sent := 0
	w := outbox.New(outbox.Config{Store: e.store, Catalog: loadCatalog(t), Now: e.clock.Now,
		Sender: stopAfter{next: outbox.DiscordSender{Session: e.fake.Session("Bot test")}, n: 2, sent: &sent, stop: func() {
			if err := srv.Stop(); err != nil {
				t.Errorf("stop postgres: %v", err)
			}
		}}})
	if _, err := w.RunOnce(e.ctx); err == nil {
		t.Fatal("RunOnce with Postgres stopped succeeded")
	}
	if err := srv.Start(e.ctx); err != nil {
		t.Fatal(err)
	}
	// The clock stands still: nothing may wait for the 2-minute lease.
	var err error
	for range 5 {
		if _, err = w.RunOnce(e.ctx); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	var left int
	if err := e.pool.QueryRow(e.ctx, `SELECT count(*) FROM notifications WHERE status <> 'sent'`).Scan(&left); err != nil {
		t.Fatal(err)
	}
	if n := len(e.messages()); n != total || left != 0 {
		t.Fatalf("%d messages and %d rows unsent once Postgres is back, want %d and 0", n, left, total)
	}
}
