package discord_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"placementbot/internal/discord"
	"placementbot/internal/discord/restbase"
)

// buckets counts the rate-limit buckets discordgo holds.
func buckets(s *discordgo.Session) int {
	s.Ratelimiter.Lock()
	defer s.Ratelimiter.Unlock()
	return reflect.ValueOf(s.Ratelimiter).Elem().FieldByName("buckets").Len()
}

func TestManyInteractionsDoNotKeepTheirRateLimitBuckets(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "/limited/") {
			// This interaction's token is still limited for a minute: its bucket must stay.
			w.Header().Set("X-RateLimit-Remaining", "0")
			w.Header().Set("X-RateLimit-Reset-After", "60")
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	s, _ := discordgo.New("Bot test")
	tr, err := restbase.NewTransport(srv.URL+"/api/v10", http.DefaultTransport)
	if err != nil {
		t.Fatal(err)
	}
	s.Client = &http.Client{Transport: tr}
	respond := func(id, token string) {
		rsp := discord.RESTResponder{Session: s, Interaction: &discordgo.Interaction{ID: id, Token: token}}
		if err := rsp.Respond(context.Background(), &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource}); err != nil {
			t.Error(err)
		}
	}

	const n = 20_000
	var wg sync.WaitGroup
	next := make(chan int)
	for range 16 {
		wg.Go(func() {
			for i := range next {
				respond(fmt.Sprint(i), fmt.Sprintf("token-%d", i))
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	respond("1", "limited")
	if got := buckets(s); got < n {
		t.Fatalf("%d buckets after %d interactions; the test no longer shows discordgo keeping them", got, n)
	}

	dropped := discord.SweepRateLimits(s.Ratelimiter, time.Now())
	if got := buckets(s); got > 10 || dropped < n {
		t.Fatalf("%d buckets kept after %d interactions (%d dropped), want a handful", got, n, dropped)
	}
	if discord.SweepRateLimits(s.Ratelimiter, time.Now()) != 0 || buckets(s) == 0 {
		t.Fatal("the still-limited interaction's bucket was dropped")
	}
	if discord.SweepRateLimits(s.Ratelimiter, time.Now().Add(2*time.Minute)); buckets(s) != 0 {
		t.Fatalf("%d buckets kept once every limit has reset", buckets(s))
	}
}
