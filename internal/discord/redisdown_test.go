package discord_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"placementbot/internal/discord/ui"
	"placementbot/internal/placement"
	"placementbot/internal/redis"
	"placementbot/internal/testenv"
	"placementbot/internal/testenv/botenv"
)

// TestDeadRedisCostsOnlySessions runs the bot against both kinds of dead Redis: commands that
// need no session answer at once, paging and drafts say plainly they are unavailable, the rate
// limit still holds, nothing blames the database, and a real Redis on the address is used again
// without a restart.
func TestDeadRedisCostsOnlySessions(t *testing.T) {
	for name, dead := range testenv.DeadRedisKinds {
		t.Run(name, func(t *testing.T) {
			d := dead(t)
			rdb := redis.NewClient(redis.Options{Addrs: []string{d.Addr()}})
			t.Cleanup(func() { rdb.Close() })
			b := botenv.NewWith(t, testenv.NewPool(t), rdb)
			acme := b.AddEnterprise(t, "Acme", 200, "alice")
			var pos placement.Position
			for i := range 12 {
				pos = b.PostPosition(t, "alice", acme.ID, botenv.PositionInput(fmt.Sprintf("Welder %02d", i)))
			}
			b.SaveProfile(t, "li", placement.ProfileInput{Program: "Mechatronics", Cohort: "2026", Skills: "CNC"})

			for _, c := range []struct {
				member, path string
				opts         []testenv.Opt
				want         string
			}{
				{"bo", "help", nil, "what you can do"},
				{"bo", "applications mine", nil, ""},
				{"li", "profile view", nil, "Mechatronics"},
				{"bo", "positions view", []testenv.Opt{testenv.StringOpt("position", ui.FormatID(pos.ID))}, "Welder 11"},
			} {
				began := time.Now()
				seen := b.Do(t, testenv.Slash(testenv.Member(c.member), c.path, c.opts...))
				took := time.Since(began)
				if took > time.Second || seen.Type != discordgo.InteractionResponseChannelMessageWithSource {
					t.Errorf("/%s took %v (response type %d), want an answer within 1 s without deferring", c.path, took, seen.Type)
				}
				if text := seen.Text(); !strings.Contains(text, c.want) || strings.Contains(text, "database can't be reached") || strings.Contains(text, "went wrong") {
					t.Errorf("/%s with Redis dead: %q", c.path, text)
				}
			}
			seen := b.Do(t, testenv.Slash(testenv.Member("bo"), "positions browse"))
			seen.MustContain(t, "Paging is unavailable right now", "Welder 11")
			seen = b.Do(t, testenv.Slash(testenv.Member("alice"), "positions post"))
			seen.MustContain(t, "session storage, which can't be reached right now")

			// The limit is kept in the process while Redis cannot keep it.
			limit := b.Router.RateLimit
			b.Router.RateLimit = redis.PerPeriod(3, time.Minute)
			for range 3 {
				b.Do(t, testenv.Slash(testenv.Member("wei"), "help"))
			}
			b.Do(t, testenv.Slash(testenv.Member("wei"), "help")).MustContain(t, "You're going a bit fast")
			b.Router.RateLimit = limit

			real := testenv.NewRedisServer(t)
			d.Recover(real.Addr())
			direct := redis.NewClient(redis.Options{Addrs: []string{real.Addr()}})
			t.Cleanup(func() { direct.Close() })
			for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
				seen := b.Do(t, testenv.Slash(testenv.Member("sam"), "help"))
				keys, _ := direct.Keys(context.Background(), "*").Result()
				if strings.Contains(seen.Text(), "what you can do") && len(keys) >= 2 { // the rate limit and the facts cache
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("the bot never used Redis again: keys %v", keys)
				}
			}
			seen = b.Do(t, testenv.Slash(testenv.Member("alice"), "positions post"))
			if seen.Data.Title == "" {
				t.Fatalf("/positions post after Redis came back: %q", seen.Text())
			}
		})
	}
}
