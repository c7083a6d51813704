// Package jobs runs the bot's time-driven work on river, a job queue kept in Postgres: positions
// closing at their deadline, offers expiring (and their students reminded a day before), stale
// positions flagged and then closed, reminders to mentors, the coordinators' daily digest, and
// the reminders to rank before a placement round's deadline.
//
// Every replica runs a client. River elects one leader, and only the leader enqueues the
// periodic runs; each run is inserted with unique options, so a leader handing over in the
// middle of a period does not enqueue it twice. Any replica may work a run, and a failed run is
// retried by river. The work itself is idempotent in SQL (guarded updates, notifications with
// dedup keys), so even two runs at once change each row once and notify each person once.
package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"

	"placementbot/internal/placement"
)

// Task names, as they appear in job arguments.
const (
	TaskCloseDuePositions   = "close_due_positions"
	TaskExpireOffers        = "expire_offers"
	TaskRemindOffers        = "remind_offers"
	TaskFlagStalePositions  = "flag_stale_positions"
	TaskCloseStalePositions = "close_stale_positions"
	TaskRemindMentors       = "remind_mentors"
	TaskSendDigests         = "send_digests"
	TaskRemindRoundRanks    = "remind_round_ranks"
)

// task is one kind of time-driven work and how often it runs.
type task struct {
	name  string
	every time.Duration
	run   func(svc *placement.Service, ctx context.Context) (int, error)
}

// tasks is the schedule. Deadlines and offer expiries are checked every minute, so nobody can
// apply or accept long after the date; the rest counts in days, and hourly is plenty. The
// digest job runs hourly too: the service posts each guild's digest once a day from
// placement.DigestHour in the guild's time zone, so a run missed while no leader was elected
// is made up an hour later.
var tasks = []task{
	{TaskCloseDuePositions, time.Minute, (*placement.Service).CloseDuePositions},
	{TaskExpireOffers, time.Minute, expireOffers},
	{TaskRemindOffers, time.Hour, (*placement.Service).RemindOffers},
	{TaskFlagStalePositions, time.Hour, (*placement.Service).FlagStalePositions},
	{TaskCloseStalePositions, time.Hour, (*placement.Service).CloseStalePositions},
	{TaskRemindMentors, time.Hour, (*placement.Service).RemindMentors},
	{TaskSendDigests, time.Hour, (*placement.Service).SendDigests},
	{TaskRemindRoundRanks, time.Hour, (*placement.Service).RemindRoundRanks},
}

// expireOffers expires due offers a batch at a time until a batch finds none; a batch of
// ExpireOffers is bounded, and anything left over waits for the next run.
func expireOffers(svc *placement.Service, ctx context.Context) (int, error) {
	total := 0
	for range 50 {
		n, err := svc.ExpireOffers(ctx)
		total += n
		if err != nil || n == 0 {
			return total, err
		}
	}
	return total, nil
}

const (
	// maxAttempts bounds retries of a failed run: river waits attempt⁴ seconds between them
	// (about three hours before the last), and by then later runs have done the work anyway.
	maxAttempts = 10
	// runTimeout bounds one run; a run cut short is retried, and each batch it committed stays.
	runTimeout = 5 * time.Minute
	// queueWorkers is how many runs one replica works at once.
	queueWorkers = 4
)

// Args are the arguments of a job: which task to run.
type Args struct {
	Task string `json:"task"`
}

// Kind is river's name for the job type.
func (Args) Kind() string { return "placement_task" }

// Config is what the jobs need.
type Config struct {
	Pool    *pgxpool.Pool
	Service *placement.Service
	Log     *slog.Logger
	// Tune, when set, adjusts river's configuration before the client is built (tests use it
	// for quick retries).
	Tune func(*river.Config)
}

// NewClient returns a river client that schedules and works every task. Start it with Start
// and stop it with Stop; river's tables must exist (Migrate).
func NewClient(cfg Config) (*river.Client[pgx.Tx], error) {
	log := cfg.Log
	if log == nil {
		log = slog.Default()
	}
	workers := river.NewWorkers()
	if err := river.AddWorkerSafely(workers, &worker{svc: cfg.Service, log: log}); err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	periodic := make([]*river.PeriodicJob, 0, len(tasks))
	for _, t := range tasks {
		periodic = append(periodic, river.NewPeriodicJob(river.PeriodicInterval(t.every),
			func() (river.JobArgs, *river.InsertOpts) { return Args{Task: t.name}, PeriodicInsertOpts(t.name) },
			&river.PeriodicJobOpts{ID: t.name, RunOnStart: true}))
	}
	rc := &river.Config{
		Logger:       log,
		Workers:      workers,
		Queues:       map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: queueWorkers}},
		PeriodicJobs: periodic,
		MaxAttempts:  maxAttempts,
		// A run that is still going when the process is asked to stop gets this long to finish
		// before its context is cancelled; its committed batches stay and a retry does the rest.
		SoftStopTimeout: 10 * time.Second,
	}
	if cfg.Tune != nil {
		cfg.Tune(rc)
	}
	client, err := river.NewClient(riverpgxv5.New(cfg.Pool), rc)
	if err != nil {
		return nil, fmt.Errorf("jobs: new river client: %w", err)
	}
	return client, nil
}

// PeriodicInsertOpts are the insert options of a scheduled run of the task: at most one run of
// a task per period, whichever replica leads when it is due.
func PeriodicInsertOpts(taskName string) *river.InsertOpts {
	for _, t := range tasks {
		if t.name == taskName {
			return &river.InsertOpts{MaxAttempts: maxAttempts, UniqueOpts: river.UniqueOpts{ByArgs: true, ByPeriod: t.every}}
		}
	}
	return &river.InsertOpts{MaxAttempts: maxAttempts}
}

// worker runs the task a job names.
type worker struct {
	river.WorkerDefaults[Args]
	svc *placement.Service
	log *slog.Logger
}

// Work runs one task once; an error makes river retry the job later.
func (w *worker) Work(ctx context.Context, job *river.Job[Args]) error {
	for _, t := range tasks {
		if t.name != job.Args.Task {
			continue
		}
		n, err := t.run(w.svc, ctx)
		if err != nil {
			return fmt.Errorf("jobs: %s: %w", t.name, err)
		}
		if n > 0 {
			w.log.Info("job done", "task", t.name, "count", n, "attempt", job.Attempt)
		}
		return nil
	}
	// A task this binary does not know, enqueued by a newer replica during a rolling upgrade:
	// retrying here cannot help, and the schedule enqueues the next run anyway.
	return river.JobCancel(fmt.Errorf("jobs: unknown task %q", job.Args.Task))
}

// Timeout bounds one run of any task.
func (w *worker) Timeout(*river.Job[Args]) time.Duration { return runTimeout }

// migrationLockKey names the advisory lock that serializes river's migrations when several
// replicas start together: river's migrator takes no lock of its own. It differs from the
// lock of the bot's own migrations.
const migrationLockKey int64 = 0x7269766572717565

// Migrate creates or updates river's tables with river's own migrator, one process at a time.
func Migrate(ctx context.Context, pool *pgxpool.Pool, log *slog.Logger) error {
	if log == nil {
		log = slog.Default()
	}
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("jobs: migrate: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", migrationLockKey); err != nil {
		return fmt.Errorf("jobs: migrate: take lock: %w", err)
	}
	defer func() {
		// If unlocking fails the connection is closed instead, which releases the lock.
		unlockCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if _, err := conn.Exec(unlockCtx, "SELECT pg_advisory_unlock($1)", migrationLockKey); err != nil {
			_ = conn.Conn().Close(unlockCtx)
		}
	}()
	m, err := rivermigrate.New(riverpgxv5.New(pool), &rivermigrate.Config{Logger: log})
	if err != nil {
		return fmt.Errorf("jobs: migrate: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("jobs: migrate: %w", err)
	}
	return nil
}
