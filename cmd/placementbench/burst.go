package main

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"placementbot/internal/i18n"
	"placementbot/internal/jobs"
	"placementbot/internal/outbox"
	"placementbot/internal/placement"
	"placementbot/internal/postgres"
)

// backgroundPoolSize is the background pool the bot gets by default
// (PLACEMENTBOT_DB_BACKGROUND_POOL_SIZE).
const backgroundPoolSize = 5

// burstCheck offers the fixed-rate mix twice, first alone and then during a burst of background
// work run as the bot runs it, on its own pool: river working a queue of job runs over the
// whole data set and the outbox sending a backlog of DMs. It prints both p99s.
func burstCheck(ctx context.Context, e *env, ops []op, rate int, phase time.Duration, dms int) error {
	bg, err := postgres.OpenSized(ctx, e.pg.URL("bench"), backgroundPoolSize)
	if err != nil {
		return err
	}
	defer bg.Close()
	fmt.Printf("\nbackground burst: %d interactions/s for %s alone, then for %s while river works %d job runs and the outbox sends %d DMs\n",
		rate, phase, phase, burstRuns, dms)
	fmt.Printf("  (background work on its own pool of %d connections)\n", backgroundPoolSize)
	quiet := fixedRate(ctx, ops, rate, phase)["all"]

	stop, progress, err := startBurst(ctx, bg, dms)
	if err != nil {
		return err
	}
	firstError.Store(nil)
	busy := fixedRate(ctx, ops, rate, phase)["all"]
	runs, sent := progress()
	stop()
	fmt.Printf("  alone       p50 %-8s p99 %-8s errors %d\n", ms(quiet.pct(50)), ms(quiet.pct(99)), quiet.errors)
	fmt.Printf("  with burst  p50 %-8s p99 %-8s errors %d   (%d job runs and %d DMs done meanwhile)\n",
		ms(busy.pct(50)), ms(busy.pct(99)), busy.errors, runs, sent)
	if e := firstError.Load(); e != nil {
		fmt.Printf("  first error with burst: %s\n", *e)
	}
	return nil
}

// burstRuns is how many job runs the burst queues: every task, many times over.
const burstRuns = 240

var burstTasks = []string{jobs.TaskCloseDuePositions, jobs.TaskExpireOffers, jobs.TaskFlagStalePositions,
	jobs.TaskCloseStalePositions, jobs.TaskRemindMentors, jobs.TaskSendDigests}

// startBurst queues job runs and DMs and starts river and an outbox worker on the pool; progress
// reports the job runs finished and the DMs sent so far, and stop ends the burst.
func startBurst(ctx context.Context, pool *pgxpool.Pool, dms int) (stop func(), progress func() (int, int), err error) {
	if err := jobs.Migrate(ctx, pool, quietLog()); err != nil {
		return nil, nil, err
	}
	if _, err := pool.Exec(ctx, `INSERT INTO notifications (guild_id, dedup_key, user_id, message_key)
		SELECT $1, 'burst-' || g, (800000000000000000 + g)::text, 'notice.dms_closed' FROM generate_series(1, $2) g`, guildID, dms); err != nil {
		return nil, nil, fmt.Errorf("queue DMs: %w", err)
	}
	// DMs sent: every notification the outbox finished during the burst, the burst's own and
	// those the load queued before it (applications tell mentors), oldest first.
	finished := func() (runs, sent int) {
		_ = pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM river_job WHERE state = 'completed'),
			(SELECT count(*) FROM notifications WHERE status <> 'pending')`).Scan(&runs, &sent)
		return runs, sent
	}
	_, sentBefore := finished()
	svc := placement.NewService(postgres.NewStore(pool))
	client, err := jobs.NewClient(jobs.Config{Pool: pool, Service: svc, Log: warnLog()})
	if err != nil {
		return nil, nil, err
	}
	runs := make([]river.InsertManyParams, burstRuns)
	for i := range runs {
		runs[i] = river.InsertManyParams{Args: jobs.Args{Task: burstTasks[i%len(burstTasks)]}}
	}
	if _, err := client.InsertMany(ctx, runs); err != nil {
		return nil, nil, fmt.Errorf("queue job runs: %w", err)
	}
	catalog, err := i18n.Load()
	if err != nil {
		return nil, nil, err
	}
	s, closeSink, err := sinkSession()
	if err != nil {
		return nil, nil, err
	}
	bctx, cancel := context.WithCancel(ctx)
	if err := client.Start(bctx); err != nil {
		cancel()
		closeSink()
		return nil, nil, err
	}
	w := outbox.New(outbox.Config{Store: postgres.NewStore(pool), Sender: outbox.DiscordSender{Session: s}, Catalog: catalog, Log: warnLog()})
	done := make(chan struct{})
	go func() { _ = w.Run(bctx); close(done) }()
	progress = func() (int, int) {
		runs, sent := finished()
		return runs, sent - sentBefore
	}
	stop = func() {
		cancel()
		<-done
		sctx, cancelStop := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancelStop()
		_ = client.Stop(sctx)
		closeSink()
	}
	return stop, progress, nil
}
