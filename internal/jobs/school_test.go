package jobs_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"placementbot/internal/i18n"
	"placementbot/internal/jobs"
	"placementbot/internal/placement"
	"placementbot/internal/postgres"
	"placementbot/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

const (
	guildID       = "910000000000000001"
	mentorRole    = "910000000000000012"
	studentRole   = "910000000000000013"
	digestChannel = "910000000000000021"
	alice         = "910000000000000102" // mentor of Acme
	mo            = "910000000000000103" // mentor of Acme
	zed           = "910000000000000104" // mentor of another enterprise
)

// clock is the time the services see; tests move it instead of waiting.
type clock struct{ t atomic.Pointer[time.Time] }

func (c *clock) Now() time.Time  { return *c.t.Load() }
func (c *clock) Set(t time.Time) { c.t.Store(&t) }

// school is a guild set up with roles, a digest channel and Acme with two mentors, on a
// database of the test's own, at the clock's time.
type school struct {
	t      *testing.T
	url    string
	pool   *pgxpool.Pool
	svc    *placement.Service
	clock  *clock
	base   time.Time // when the school was made: rows the database dates itself carry this time
	acme   placement.Enterprise
	other  placement.Enterprise
	seq    atomic.Int64
	mentor placement.Actor
}

func newSchool(t *testing.T) *school {
	t.Helper()
	ctx := t.Context()
	url := testenv.NewDatabase(t)
	s := &school{t: t, url: url, pool: openPool(t, url), clock: &clock{}, base: time.Now().UTC()}
	s.clock.Set(s.base)
	s.svc = s.service(s.pool)
	owner := placement.Actor{GuildID: guildID, UserID: "910000000000000108", Roles: placement.RoleCoordinator}
	mr, sr, dc := mentorRole, studentRole, digestChannel
	if _, err := s.svc.UpdateGuildSettings(ctx, owner, placement.GuildSettingsUpdate{MentorRoleID: &mr, StudentRoleID: &sr, DigestChannelID: &dc}); err != nil {
		t.Fatal(err)
	}
	var err error
	if s.acme, err = s.svc.AddEnterprise(ctx, owner, placement.EnterpriseInput{Name: "Acme", StaffSize: 500}); err != nil {
		t.Fatal(err)
	}
	if s.other, err = s.svc.AddEnterprise(ctx, owner, placement.EnterpriseInput{Name: "Other", StaffSize: 500}); err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{alice, mo} {
		if _, err := s.svc.LinkMentor(ctx, owner, s.acme.ID, m); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.svc.LinkMentor(ctx, owner, s.other.ID, zed); err != nil {
		t.Fatal(err)
	}
	s.mentor = s.actor(alice, mentorRole)
	return s
}

func openPool(t *testing.T, url string) *pgxpool.Pool {
	t.Helper()
	pool, err := postgres.Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// service is a service over the pool that reads the school's clock.
func (s *school) service(pool *pgxpool.Pool) *placement.Service {
	svc := placement.NewService(postgres.NewStore(pool))
	svc.Now = s.clock.Now
	return svc
}

// at is 09:00 UTC, after the digest hour, of the day that many days after the school was made.
func (s *school) at(days int) time.Time {
	d := s.base.Truncate(24 * time.Hour)
	return d.AddDate(0, 0, days).Add(9 * time.Hour)
}

func (s *school) actor(userID, role string) placement.Actor {
	s.t.Helper()
	a, err := s.svc.Actor(s.t.Context(), guildID, placement.Member{UserID: userID, RoleIDs: []string{role}}, "en-US")
	if err != nil {
		s.t.Fatal(err)
	}
	return a
}

// student returns a new student.
func (s *school) student() placement.Actor {
	return s.actor(strconv.FormatInt(920000000000000000+s.seq.Add(1), 10), studentRole)
}

// post publishes a position of Acme whose deadline is that many days after the clock's today.
func (s *school) post(title string, deadlineDays int) placement.Position {
	s.t.Helper()
	today := s.clock.Now()
	p, err := s.svc.PostPosition(s.t.Context(), s.mentor, s.acme.ID, placement.PositionInput{
		Title: title, Location: "Suzhou", Slots: "20",
		Deadline: today.AddDate(0, 0, deadlineDays).Format(placement.DateLayout),
		Start:    today.AddDate(0, 0, deadlineDays+10).Format(placement.DateLayout),
		End:      today.AddDate(0, 0, deadlineDays+100).Format(placement.DateLayout),
	})
	if err != nil {
		s.t.Fatal(err)
	}
	return p
}

// apply files a new student's application to the position.
func (s *school) apply(p placement.Position) placement.Application {
	s.t.Helper()
	app, err := s.svc.Apply(s.t.Context(), s.student(), p.ID, "I have two years of workshop practice at school.")
	if err != nil {
		s.t.Fatal(err)
	}
	return app
}

// count runs a query returning one number.
func (s *school) count(sql string, args ...any) int {
	s.t.Helper()
	var n int
	if err := s.pool.QueryRow(s.t.Context(), sql, args...).Scan(&n); err != nil {
		s.t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// note is a queued notification as the outbox would read it.
type note struct {
	DedupKey, UserID, ChannelID, MessageKey, Locale string
	Data                                            map[string]any
}

// notes lists the queued notifications with the message key, oldest first.
func (s *school) notes(messageKey string) []note {
	s.t.Helper()
	rows, err := s.pool.Query(s.t.Context(), `
		SELECT dedup_key, user_id, channel_id, message_key, locale, data FROM notifications
		WHERE message_key = $1 ORDER BY id`, messageKey)
	if err != nil {
		s.t.Fatal(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (note, error) {
		var n note
		var raw []byte
		if err := r.Scan(&n.DedupKey, &n.UserID, &n.ChannelID, &n.MessageKey, &n.Locale, &raw); err != nil {
			return n, err
		}
		return n, json.Unmarshal(raw, &n.Data)
	})
	if err != nil {
		s.t.Fatal(err)
	}
	return out
}

// recipients counts a message's notifications by recipient and the data field that names what
// it is about.
func recipients(ns []note, about string) map[string]int {
	out := map[string]int{}
	for _, n := range ns {
		out[fmt.Sprintf("%v:%s%s", n.Data[about], n.UserID, n.ChannelID)]++
	}
	return out
}

var (
	catalogOnce sync.Once
	catalog     *i18n.Catalog
)

// render writes a queued notification's text as the outbox would.
func render(t *testing.T, lang string, n note) string {
	t.Helper()
	catalogOnce.Do(func() {
		var err error
		if catalog, err = i18n.Load(); err != nil {
			t.Fatal(err)
		}
	})
	// The outbox reads the stored data back with whole numbers as integers.
	raw, err := json.Marshal(n.Data)
	if err != nil {
		t.Fatal(err)
	}
	data, err := placement.DecodeData(raw)
	if err != nil {
		t.Fatal(err)
	}
	text := catalog.T(lang, n.MessageKey, data)
	if text == n.MessageKey || len([]rune(text)) > 2000 {
		t.Fatalf("%s does not render: %q", n.MessageKey, text)
	}
	return text
}

// startClient migrates river's tables and starts a river client over the pool whose jobs use
// the service, as one replica of the bot would; it is stopped at cleanup.
func startClient(t *testing.T, pool *pgxpool.Pool, svc *placement.Service, tune func(*river.Config)) *river.Client[pgx.Tx] {
	t.Helper()
	ctx := t.Context()
	log := slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if err := jobs.Migrate(ctx, pool, log); err != nil {
		t.Fatal(err)
	}
	client, err := jobs.NewClient(jobs.Config{Pool: pool, Service: svc, Log: log, Tune: func(c *river.Config) {
		c.TestOnly = true
		c.FetchCooldown = 20 * time.Millisecond
		c.FetchPollInterval = 50 * time.Millisecond
		if tune != nil {
			tune(c)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if err := client.Start(context.WithoutCancel(ctx)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := client.Stop(sctx); err != nil {
			t.Errorf("stop river client: %v", err)
		}
	})
	return client
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// testWriter sends river's warnings to the test log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(string(p))
	return len(p), nil
}

// eventually polls cond until it holds, failing the test with its last report at the deadline.
func eventually(t *testing.T, timeout time.Duration, cond func() (bool, string)) {
	t.Helper()
	deadline := time.After(timeout)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		ok, report := cond()
		if ok {
			return
		}
		select {
		case <-deadline:
			t.Fatalf("gave up after %s: %s", timeout, report)
		case <-tick.C:
		}
	}
}
