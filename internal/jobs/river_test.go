package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"placementbot/internal/jobs"
	"placementbot/internal/placement"
	"placementbot/internal/postgres"
)

var allTasks = []string{jobs.TaskCloseDuePositions, jobs.TaskExpireOffers, jobs.TaskRemindOffers, jobs.TaskFlagStalePositions,
	jobs.TaskCloseStalePositions, jobs.TaskRemindMentors, jobs.TaskSendDigests, jobs.TaskRemindRoundRanks}

// waitIdle waits until river holds at least want jobs and has finished them all, and fails the
// test if any of them did not complete.
func waitIdle(t *testing.T, s *school, want int) {
	t.Helper()
	eventually(t, 30*time.Second, func() (bool, string) {
		var total, done int
		if err := s.pool.QueryRow(t.Context(), `SELECT count(*), count(*) FILTER (WHERE finalized_at IS NOT NULL) FROM river_job`).Scan(&total, &done); err != nil {
			return false, err.Error()
		}
		return total >= want && done == total, fmt.Sprintf("%d of %d jobs finished, want %d", done, total, want)
	})
	if bad := s.count(`SELECT count(*) FROM river_job WHERE state <> 'completed'`); bad != 0 {
		t.Fatalf("%d jobs did not complete", bad)
	}
}

// Two processes, each with its own pool, service and river client, run every job on the same
// database at once: the leader's scheduled runs and extra runs inserted by both. Every position
// still closes once, every offer expires once, and every DM and the digest is written once.
func TestTwoProcessesDoEverythingOnce(t *testing.T) {
	s := newSchool(t)
	ctx := t.Context()

	// Positions whose deadline passes and which are also flagged stale: the deadline closure
	// and the stale closure race for them.
	var due, stale, flag []placement.Position
	for i := range 5 {
		due = append(due, s.post(fmt.Sprintf("Due %d", i), 0))
	}
	// Positions flagged stale at day 31, closed as stale at day 40.
	for i := range 3 {
		stale = append(stale, s.post(fmt.Sprintf("Stale %d", i), 90))
	}
	// Positions confirmed at day 9, flagged at day 40.
	for i := range 4 {
		flag = append(flag, s.post(fmt.Sprintf("Flag %d", i), 90))
	}
	// Positions with offers, confirmed at day 20 so no job but the expiry touches them.
	offerPos := []placement.Position{s.post("Offers A", 90), s.post("Offers B", 90)}
	var offers []placement.Application
	for i := range 6 {
		app := s.apply(offerPos[i%2])
		if _, err := s.svc.Offer(ctx, s.mentor, app.ID); err != nil {
			t.Fatal(err)
		}
		offers = append(offers, app)
	}
	// Applications nobody answers, on the stale positions.
	var waiting []placement.Application
	for i := range 4 {
		waiting = append(waiting, s.apply(stale[i%3]))
	}
	s.clock.Set(s.at(9))
	for _, p := range flag {
		if _, err := s.svc.ConfirmPosition(ctx, s.mentor, p.ID); err != nil {
			t.Fatal(err)
		}
	}
	s.clock.Set(s.at(20))
	for _, p := range offerPos {
		if _, err := s.svc.ConfirmPosition(ctx, s.mentor, p.ID); err != nil {
			t.Fatal(err)
		}
	}
	s.clock.Set(s.at(31))
	if n, err := s.svc.FlagStalePositions(ctx); err != nil || n != len(due)+len(stale) {
		t.Fatalf("flagged %d (%v) at day 31, want %d", n, err, len(due)+len(stale))
	}
	s.clock.Set(s.at(40))

	// Two processes.
	clients := []*river.Client[pgx.Tx]{
		startClient(t, s.pool, s.svc, nil),
		startClient(t, openPool(t, s.url), s.service(openPool(t, s.url)), nil),
	}
	const copies = 3
	var wg sync.WaitGroup
	for _, c := range clients {
		for _, task := range allTasks {
			for range copies {
				wg.Go(func() {
					if _, err := c.Insert(ctx, jobs.Args{Task: task}, nil); err != nil {
						t.Error(err)
					}
				})
			}
		}
	}
	wg.Wait()
	waitIdle(t, s, len(allTasks)*(1+copies*len(clients)))
	// Both processes took part: the runs were shared, not serialized through one client.
	if n := s.count(`SELECT count(DISTINCT attempted_by[array_upper(attempted_by, 1)]) FROM river_job`); n != len(clients) {
		t.Fatalf("jobs were worked by %d clients, want %d", n, len(clients))
	}

	// Each due or stale position closed once, by one job or the other, and each mentor told once.
	closedDMs := append(s.notes("jobs.note_closed_deadline"), s.notes("jobs.note_closed_stale")...)
	byPos := recipients(closedDMs, "ID")
	for _, p := range append(append([]placement.Position{}, due...), stale...) {
		if c := s.count(`SELECT count(*) FROM audit_events WHERE action IN ('position.closed_deadline', 'position.closed_stale')
			AND (detail->>'position_id')::bigint = $1`, p.ID); c != 1 {
			t.Errorf("%s closed %d times", p.Title, c)
		}
		if c := s.count(`SELECT count(*) FROM positions WHERE id = $1 AND status = 'closed'`, p.ID); c != 1 {
			t.Errorf("%s is not closed", p.Title)
		}
		for _, m := range []string{alice, mo} {
			if n := byPos[itoa(p.ID)+":"+m]; n != 1 {
				t.Errorf("%s: %d closing DMs to %s", p.Title, n, m)
			}
		}
	}
	if len(closedDMs) != 2*(len(due)+len(stale)) {
		t.Errorf("%d closing DMs, want %d", len(closedDMs), 2*(len(due)+len(stale)))
	}
	for _, p := range stale {
		if c := s.count(`SELECT count(*) FROM audit_events WHERE action = 'position.closed_stale' AND (detail->>'position_id')::bigint = $1`, p.ID); c != 1 {
			t.Errorf("%s: not closed as stale", p.Title)
		}
	}

	// Each flag position flagged once, each mentor asked once.
	asked := recipients(s.notes("jobs.note_stale"), "ID")
	for _, p := range flag {
		if c := s.count(`SELECT count(*) FROM audit_events WHERE action = 'position.flagged_stale' AND (detail->>'position_id')::bigint = $1`, p.ID); c != 1 {
			t.Errorf("%s flagged %d times", p.Title, c)
		}
		for _, m := range []string{alice, mo} {
			if n := asked[itoa(p.ID)+":"+m]; n != 1 {
				t.Errorf("%s: %d stale DMs to %s", p.Title, n, m)
			}
		}
	}

	// Each offer expired once, its slot freed once, its student told once.
	for _, app := range offers {
		if c := s.count(`SELECT count(*) FROM application_events WHERE application_id = $1 AND to_status = 'expired'`, app.ID); c != 1 {
			t.Errorf("offer %d expired %d times", app.ID, c)
		}
		if c := s.count(`SELECT count(*) FROM notifications WHERE user_id = $1 AND message_key = 'note.app_expired'`, app.StudentID); c != 1 {
			t.Errorf("offer %d: %d expiry DMs", app.ID, c)
		}
	}
	for _, p := range offerPos {
		if c := s.count(`SELECT taken FROM positions WHERE id = $1`, p.ID); c != 0 {
			t.Errorf("%s: %d slots still taken", p.Title, c)
		}
	}

	// Each unanswered application reminded about once: the reminders each mentor got about a
	// position (runs at once may split its applications between them) count each once.
	if c := s.count(`SELECT count(*) FROM applications WHERE reminded_at IS NOT NULL`); c != len(waiting) {
		t.Errorf("%d applications reminded about, want %d", c, len(waiting))
	}
	counted := map[string]int{}
	for _, n := range s.notes("jobs.note_reminder") {
		counted[fmt.Sprintf("%v:%s", n.Data["ID"], n.UserID)] += int(n.Data["Count"].(float64))
	}
	for i, p := range stale {
		want := 0
		for j := range waiting {
			if j%3 == i {
				want++
			}
		}
		for _, m := range []string{alice, mo} {
			if n := counted[itoa(p.ID)+":"+m]; n != want {
				t.Errorf("%s: reminders to %s count %d applications, want %d", p.Title, m, n, want)
			}
		}
	}

	// One digest.
	if ds := s.notes("jobs.digest"); len(ds) != 1 {
		t.Errorf("%d digests", len(ds))
	}
}

// The scheduled run of a task is inserted once per period, whichever process inserts it.
func TestScheduledRunInsertedOncePerPeriod(t *testing.T) {
	s := newSchool(t)
	ctx := t.Context()
	other := openPool(t, s.url)
	if err := jobs.Migrate(ctx, s.pool, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatal(err)
	}
	// Clients that only insert, as a leader's scheduler does.
	var clients []*river.Client[pgx.Tx]
	for _, pool := range []*pgxpool.Pool{s.pool, other} {
		c, err := jobs.NewClient(jobs.Config{Pool: pool, Service: s.svc})
		if err != nil {
			t.Fatal(err)
		}
		clients = append(clients, c)
	}
	// One moment for both inserts, so they fall in one period even at a period's edge.
	at := time.Now().Truncate(time.Hour).Add(30 * time.Second)
	for _, task := range allTasks {
		opts := jobs.PeriodicInsertOpts(task)
		opts.ScheduledAt = at
		var inserted, skipped atomic.Int32
		var wg sync.WaitGroup
		for _, c := range clients {
			wg.Go(func() {
				res, err := c.Insert(ctx, jobs.Args{Task: task}, opts)
				switch {
				case err != nil:
					t.Error(err)
				case res.UniqueSkippedAsDuplicate:
					skipped.Add(1)
				default:
					inserted.Add(1)
				}
			})
		}
		wg.Wait()
		if inserted.Load() != 1 || skipped.Load() != 1 {
			t.Errorf("%s: %d inserted, %d skipped; want one of each", task, inserted.Load(), skipped.Load())
		}
	}
	if c := s.count(`SELECT count(*) FROM river_job`); c != len(allTasks) {
		t.Fatalf("%d scheduled runs for %d tasks", c, len(allTasks))
	}
}

// flakyStore fails the first deadline sweep, as a store does when the database drops a
// connection mid-run.
type flakyStore struct {
	*postgres.Store
	calls atomic.Int32
}

func (f *flakyStore) CloseDuePositions(ctx context.Context, now time.Time, limit int, effects func(placement.PositionNotice) placement.Effects) ([]placement.PositionNotice, error) {
	if f.calls.Add(1) == 1 {
		return nil, placement.Unavailable("err.db_unavailable", errors.New("connection reset by peer"))
	}
	return f.Store.CloseDuePositions(ctx, now, limit, effects)
}

// retryNow retries a failed job at once.
type retryNow struct{}

func (retryNow) NextRetry(*rivertype.JobRow) time.Time { return time.Now() }

// A run that fails on a store error is retried by river and then does its work; nothing is lost.
// A run of a task this binary does not know is cancelled rather than retried forever.
func TestFailedRunIsRetried(t *testing.T) {
	s := newSchool(t)
	ctx := t.Context()
	p := s.post("CNC intern", 0)
	s.clock.Set(s.at(1))
	store := &flakyStore{Store: postgres.NewStore(s.pool)}
	svc := placement.NewService(store)
	svc.Now = s.clock.Now
	client := startClient(t, s.pool, svc, func(c *river.Config) {
		c.PeriodicJobs = nil // only the run inserted below
		c.RetryPolicy = retryNow{}
	})
	res, err := client.Insert(ctx, jobs.Args{Task: jobs.TaskCloseDuePositions}, nil)
	if err != nil {
		t.Fatal(err)
	}
	unknown, err := client.Insert(ctx, jobs.Args{Task: "no_such_task"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var job *rivertype.JobRow
	eventually(t, 30*time.Second, func() (bool, string) {
		job, err = client.JobGet(ctx, res.Job.ID)
		if err != nil {
			return false, err.Error()
		}
		return job.State == rivertype.JobStateCompleted, fmt.Sprintf("job %s after %d attempts", job.State, job.Attempt)
	})
	if job.Attempt != 2 || len(job.Errors) != 1 {
		t.Fatalf("completed after %d attempts with errors %+v; want the second attempt after one error", job.Attempt, job.Errors)
	}
	if got, err := s.svc.Position(ctx, s.mentor, p.ID); err != nil || got.Status != placement.PositionClosed {
		t.Fatalf("position %s (%v) after the retry", got.Status, err)
	}
	if ns := s.notes("jobs.note_closed_deadline"); len(ns) != 2 {
		t.Fatalf("%d closing DMs after the retry, want 2", len(ns))
	}
	eventually(t, 30*time.Second, func() (bool, string) {
		j, err := client.JobGet(ctx, unknown.Job.ID)
		if err != nil {
			return false, err.Error()
		}
		return j.State == rivertype.JobStateCancelled, fmt.Sprintf("unknown task's job is %s", j.State)
	})
}
