package stress

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"placementbot/internal/demo"
	"placementbot/internal/placement"
	"placementbot/internal/postgres"
	"placementbot/internal/testenv"
	"placementbot/internal/testenv/botenv"
)

// Postgres stops in the middle of an approval storm and comes back: every approval a
// coordinator was told succeeded is in the database, every one they were told failed left
// nothing behind, the bot says plainly that nothing was saved while it is down, and it
// recovers by itself.
func TestApprovalStormSurvivesPostgresRestart(t *testing.T) {
	ctx := context.Background()
	srv := testenv.NewPostgresServer(t)
	pool, err := postgres.Open(ctx, testenv.ServerURL(srv))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	b := botenv.NewWith(t, pool, testenv.NewRedisClient(t))
	b.Router.Limiter = nil // one coordinator approves fast; the rate limit is tested elsewhere
	e := b.AddEnterprise(t, "Storm Works", 100000, "alice")
	const n = 60
	var apps []int64
	for i := range n {
		in := botenv.PositionInput("Storm position " + strconv.Itoa(i))
		in.Slots = "1"
		pos := b.PostPosition(t, "alice", e.ID, in)
		st := placement.Actor{GuildID: demo.GuildID, UserID: studentID(i), Roles: placement.RoleStudent}
		app, err := b.Service.Apply(ctx, st, pos.ID, "Seeded motivation long enough to pass.")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.Service.Offer(ctx, b.Actor(t, "alice"), app.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := b.Service.Accept(ctx, st, app.ID); err != nil {
			t.Fatal(err)
		}
		apps = append(apps, app.ID)
	}
	if _, err := pool.Exec(ctx, `UPDATE guilds SET checklist = '{}' WHERE guild_id = $1`, demo.GuildID); err != nil {
		t.Fatal(err)
	}

	told := make([]string, n) // what each coordinator read
	var wg sync.WaitGroup
	next := make(chan int)
	stopped := make(chan struct{})
	var once sync.Once
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				in := testenv.Button(testenv.Member("carol"), "/approval/"+strconv.FormatInt(apps[i], 10)+"/approve")
				told[i] = b.Do(t, in).Text()
				if i == n/3 {
					once.Do(func() {
						if err := srv.Stop(); err != nil {
							t.Error(err)
						}
						close(stopped)
					})
				}
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	<-stopped
	restart, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := srv.Start(restart); err != nil {
		t.Fatal(err)
	}

	var ok, refused int
	for i, text := range told {
		var status string
		var placements int
		if err := pool.QueryRow(ctx, `SELECT a.status, (SELECT count(*) FROM placements p WHERE p.application_id = a.id)
			FROM applications a WHERE a.id = $1`, apps[i]).Scan(&status, &placements); err != nil {
			t.Fatal(err)
		}
		switch {
		case strings.Contains(text, "✅ Approved"):
			ok++
			if status != "approved" || placements != 1 {
				t.Errorf("application %d: told approved, but it is %s with %d placements", apps[i], status, placements)
			}
		case strings.Contains(text, "nothing was saved"):
			refused++
			if status != "accepted" || placements != 0 {
				t.Errorf("application %d: told nothing was saved, but it is %s with %d placements", apps[i], status, placements)
			}
		default:
			t.Errorf("application %d: unexpected answer %q", apps[i], text)
		}
	}
	if ok == 0 || refused == 0 {
		t.Fatalf("the storm must see both sides of the outage: %d approved, %d refused", ok, refused)
	}
	t.Logf("%d approvals before the outage, %d told nothing was saved", ok, refused)

	// The bot recovers by itself: the refused ones go through now.
	for i, text := range told {
		if !strings.Contains(text, "nothing was saved") {
			continue
		}
		for deadline := time.Now().Add(30 * time.Second); ; {
			again := b.Do(t, testenv.Button(testenv.Member("carol"), "/approval/"+strconv.FormatInt(apps[i], 10)+"/approve")).Text()
			if strings.Contains(again, "✅ Approved") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("application %d still refused after Postgres came back: %q", apps[i], again)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
}
