package gateway_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"placementbot/internal/discord/gateway"
	"placementbot/internal/redis"
	"placementbot/internal/testenv"
	"placementbot/internal/testenv/botenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// HELLO → IDENTIFY → READY → INTERACTION_CREATE → the reply over REST.
func TestGatewaySmoke(t *testing.T) {
	b := botenv.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	claims := redis.NewIdempotency(b.Redis, "test:")
	go func() { done <- gateway.Run(runCtx, b.Session, b.Router, claims, 1, 2) }()

	gw := b.Discord.Gateway()
	if err := gw.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	ids := gw.Identifies()
	if len(ids) != 1 || ids[0].Token != "Bot test" || ids[0].Version != "10" || len(ids[0].Shard) != 2 || ids[0].Shard[0] != 1 || ids[0].Shard[1] != 2 {
		t.Fatalf("identify: %+v", ids)
	}
	in := testenv.Slash(testenv.Member("bo"), "help")
	if err := gw.SendInteraction(ctx, json.RawMessage(testenv.JSON(in))); err != nil {
		t.Fatal(err)
	}
	b.Discord.WaitForCalls(ctx, "POST", "/interactions/{interaction_id}/{interaction_token}/callback", 1)
	if text := b.Seen(t, in).Text(); !strings.Contains(text, "You are here as: **student**") {
		t.Fatalf("reply: %q", text)
	}

	// The same event delivered again (a replay after a reconnect) is not handled twice; the
	// next interaction still is.
	if err := gw.SendInteraction(ctx, json.RawMessage(testenv.JSON(in))); err != nil {
		t.Fatal(err)
	}
	next := testenv.Slash(testenv.Member("li"), "help")
	if err := gw.SendInteraction(ctx, json.RawMessage(testenv.JSON(next))); err != nil {
		t.Fatal(err)
	}
	b.Discord.WaitForCalls(ctx, "POST", "/interactions/{interaction_id}/{interaction_token}/callback", 2)
	if n := len(b.Discord.CallsTo("POST", "/interactions/{interaction_id}/{interaction_token}/callback")); n != 2 {
		t.Fatalf("%d answers to two distinct interactions and one replay", n)
	}
	if text := b.Seen(t, next).Text(); !strings.Contains(text, "student") {
		t.Fatalf("reply after the replay: %q", text)
	}
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
