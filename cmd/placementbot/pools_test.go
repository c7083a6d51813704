package main

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"placementbot/internal/config"
	"placementbot/internal/testenv"
)

func TestBackgroundWorkCannotTakeInteractionConnections(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cfg, err := config.Load(func(k string) (string, bool) {
		v, ok := map[string]string{"PLACEMENTBOT_DB_POOL_SIZE": "3", "PLACEMENTBOT_DB_BACKGROUND_POOL_SIZE": "2"}[k]
		return v, ok
	})
	if err != nil {
		t.Fatal(err)
	}
	// The connection string's own pool size is overridden by the settings.
	interactions, background, err := openPools(ctx, cfg, testenv.NewDatabase(t)+"&pool_max_conns=50")
	if err != nil {
		t.Fatal(err)
	}
	defer interactions.Close()
	defer background.Close()
	if got := [2]int32{interactions.Config().MaxConns, background.Config().MaxConns}; got != [2]int32{3, 2} {
		t.Fatalf("pool sizes %v, want [3 2]", got)
	}

	// A burst of background work holds every connection it may have...
	var held []*pgxpool.Conn
	for range 2 {
		c, err := background.Acquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
	}
	defer func() {
		for _, c := range held {
			c.Release()
		}
	}()
	// ...and members' interactions still get all of theirs at once.
	qctx, qcancel := context.WithTimeout(ctx, 2*time.Second)
	defer qcancel()
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	for range 3 {
		wg.Go(func() {
			_, err := interactions.Exec(qctx, "SELECT pg_sleep(0.05)")
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("an interaction's query during a background burst: %v", err)
		}
	}
}
