package outbox_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"placementbot/internal/i18n"
	"placementbot/internal/outbox"
	"placementbot/internal/postgres"
	"placementbot/internal/testenv"
	"placementbot/internal/testenv/fakediscord"
)

func TestMain(m *testing.M) { testenv.Main(m) }

const (
	guildID   = "800000000000000001"
	studentZH = "800000000000000011"
	studentEN = "800000000000000012"
	mentor    = "800000000000000013"
	channel   = "800000000000000021"
)

// t0 is where every test's clock starts; rows are due from it.
var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// clock is the workers' time, moved only by the test.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

var (
	catalogOnce sync.Once
	catalog     *i18n.Catalog
	catalogErr  error
)

func loadCatalog(t *testing.T) *i18n.Catalog {
	t.Helper()
	catalogOnce.Do(func() { catalog, catalogErr = i18n.Load() })
	if catalogErr != nil {
		t.Fatal(catalogErr)
	}
	return catalog
}

// env is one test's world: a fresh database, a strict fake Discord and a clock.
type env struct {
	t     *testing.T
	ctx   context.Context
	url   string
	pool  *pgxpool.Pool
	store *postgres.Store
	fake  *fakediscord.Server
	clock *clock
	reg   *prometheus.Registry
}

func newEnv(t *testing.T) *env {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	url := testenv.NewDatabase(t)
	return setupEnv(t, ctx, url)
}

func setupEnv(t *testing.T, ctx context.Context, url string) *env {
	t.Helper()
	pool, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	e := &env{t: t, ctx: ctx, url: url, pool: pool, store: postgres.NewStore(pool), fake: fakediscord.New(t),
		clock: &clock{now: t0}, reg: prometheus.NewRegistry()}
	e.exec(`INSERT INTO guilds (guild_id) VALUES ($1)`, guildID)
	e.exec(`INSERT INTO members (guild_id, user_id, locale) VALUES ($1, $2, 'zh-CN')`, guildID, studentZH)
	return e
}

func (e *env) exec(sql string, args ...any) {
	e.t.Helper()
	if _, err := e.pool.Exec(e.ctx, sql, args...); err != nil {
		e.t.Fatal(err)
	}
}

// worker returns a worker on its own store and Discord session, as on a replica of its own.
func (e *env) worker(metrics *outbox.Metrics) *outbox.Worker {
	return outbox.New(outbox.Config{
		Store: e.store, Sender: outbox.DiscordSender{Session: e.fake.Session("Bot test")}, Catalog: loadCatalog(e.t),
		Now: e.clock.Now, Metrics: metrics,
	})
}

// row is a notification as the store writes it.
type row struct {
	key, userID, channelID, messageKey, locale string
	data                                       map[string]any
}

// insert queues a notification due at t0 and returns its id.
func (e *env) insert(r row) int64 {
	e.t.Helper()
	data, err := json.Marshal(r.data)
	if err != nil {
		e.t.Fatal(err)
	}
	var id int64
	err = e.pool.QueryRow(e.ctx, `
		INSERT INTO notifications (guild_id, dedup_key, user_id, channel_id, message_key, locale, data, next_attempt_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		guildID, r.key, r.userID, r.channelID, r.messageKey, r.locale, data, t0).Scan(&id)
	if err != nil {
		e.t.Fatal(err)
	}
	return id
}

func offer(key, userID string) row {
	return row{key: key, userID: userID, messageKey: "note.app_offered",
		data: map[string]any{"ID": 31, "Title": "Data analyst intern", "Enterprise": "Harbour Logistics", "Student": userID, "Reason": "", "Days": 7}}
}

// state is a notification row's delivery state.
type state struct {
	Status    string
	Attempts  int
	Next      time.Time
	Locked    bool
	LastError string
	SentAt    *time.Time
}

func (e *env) state(id int64) state {
	e.t.Helper()
	var s state
	err := e.pool.QueryRow(e.ctx, `
		SELECT status, attempts, next_attempt_at, locked_until IS NOT NULL, last_error, sent_at
		FROM notifications WHERE id = $1`, id).Scan(&s.Status, &s.Attempts, &s.Next, &s.Locked, &s.LastError, &s.SentAt)
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}

// runOnce runs one batch and fails the test unless it settled want notifications.
func runOnce(t *testing.T, ctx context.Context, w *outbox.Worker, want int) {
	t.Helper()
	n, err := w.RunOnce(ctx)
	if err != nil {
		t.Fatalf("RunOnce: %v", err)
	}
	if n != want {
		t.Fatalf("RunOnce settled %d notifications, want %d", n, want)
	}
}

// sentMessage is a message POST as the fake recorded it.
type sentMessage struct {
	ChannelID       string
	Content         string `json:"content"`
	Nonce           string `json:"nonce"`
	EnforceNonce    bool   `json:"enforce_nonce"`
	AllowedMentions *struct {
		Parse []string `json:"parse"`
	} `json:"allowed_mentions"`
	Components []struct {
		Type       int `json:"type"`
		Components []struct {
			Type     int    `json:"type"`
			Label    string `json:"label"`
			CustomID string `json:"custom_id"`
		} `json:"components"`
	} `json:"components"`
}

func (e *env) messages() []sentMessage {
	e.t.Helper()
	var out []sentMessage
	for _, c := range e.fake.CallsTo("POST", fakediscord.RouteChannelMessages) {
		var m sentMessage
		if err := c.Decode(&m); err != nil {
			e.t.Fatal(err)
		}
		m.ChannelID = c.Params["channel_id"]
		out = append(out, m)
	}
	return out
}

// nonces counts message POSTs by nonce.
func nonces(ms []sentMessage) map[string]int {
	out := map[string]int{}
	for _, m := range ms {
		out[m.Nonce]++
	}
	return out
}

func nonceOf(id int64) string { return outbox.Claim{ID: id}.Nonce() }

func metric(t *testing.T, reg *prometheus.Registry, name, outcome string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			if outcome == "" {
				return m.GetGauge().GetValue()
			}
			for _, l := range m.GetLabel() {
				if l.GetName() == "outcome" && l.GetValue() == outcome {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	t.Fatalf("metric %s{outcome=%q} not found", name, outcome)
	return 0
}

func TestDMsSentOnceInTheRecipientsLanguage(t *testing.T) {
	e := newEnv(t)
	metrics := outbox.NewMetrics(e.reg)
	w := e.worker(metrics)
	zh := e.insert(offer("zh", studentZH))
	en := e.insert(offer("en", studentEN))
	if err := w.UpdateBacklog(e.ctx); err != nil {
		t.Fatal(err)
	}
	if got := metric(t, e.reg, "placementbot_outbox_backlog", ""); got != 2 {
		t.Errorf("backlog gauge = %v, want 2", got)
	}

	runOnce(t, e.ctx, w, 2)

	dms := e.fake.CallsTo("POST", fakediscord.RouteUserChannels)
	if len(dms) != 2 {
		t.Fatalf("%d DM channel requests, want 2", len(dms))
	}
	dmChannel := map[string]string{} // recipient → DM channel
	for _, c := range dms {
		var req struct {
			RecipientID string `json:"recipient_id"`
		}
		if err := c.Decode(&req); err != nil {
			t.Fatal(err)
		}
		// The fake answers every request for a recipient with the same DM channel.
		resp, err := e.fake.Session("Bot test").UserChannelCreate(req.RecipientID)
		if err != nil {
			t.Fatal(err)
		}
		dmChannel[req.RecipientID] = resp.ID
	}
	want := map[string]struct{ channel, content string }{
		nonceOf(zh): {dmChannel[studentZH], "好消息：Harbour Logistics 的 **Data analyst intern** 向你发出了录用邀请！请在 7 天内答复：用 `/申请 我的申请` 接受或谢绝。"},
		nonceOf(en): {dmChannel[studentEN], "Great news: you have an offer for **Data analyst intern** at Harbour Logistics! You have 7 days to answer: accept or decline it with `/applications mine`."},
	}
	ms := e.messages()
	if len(ms) != 2 {
		t.Fatalf("%d messages sent, want 2", len(ms))
	}
	for _, m := range ms {
		w, ok := want[m.Nonce]
		if !ok {
			t.Fatalf("message with unexpected nonce %q", m.Nonce)
		}
		if m.ChannelID != w.channel || m.Content != w.content {
			t.Errorf("message %s to channel %s:\n%s\nwant channel %s:\n%s", m.Nonce, m.ChannelID, m.Content, w.channel, w.content)
		}
		if !m.EnforceNonce || len(m.Nonce) > 25 {
			t.Errorf("nonce %q enforce=%v: want a short enforced nonce", m.Nonce, m.EnforceNonce)
		}
		if m.AllowedMentions == nil || m.AllowedMentions.Parse == nil || len(m.AllowedMentions.Parse) != 0 {
			t.Errorf("allowed_mentions = %+v, want parse []", m.AllowedMentions)
		}
		if len(m.Components) != 0 {
			t.Errorf("a DM carries components: %+v", m.Components)
		}
	}
	for _, id := range []int64{zh, en} {
		s := e.state(id)
		if s.Status != "sent" || s.Attempts != 1 || s.Locked || s.SentAt == nil || !s.SentAt.Equal(t0) {
			t.Errorf("row %d = %+v, want sent at t0 after one attempt", id, s)
		}
	}
	if got := metric(t, e.reg, "placementbot_notifications_total", "sent"); got != 2 {
		t.Errorf("sent counter = %v, want 2", got)
	}

	e.clock.Advance(24 * time.Hour)
	runOnce(t, e.ctx, w, 0)
	if n := len(e.messages()); n != 2 {
		t.Errorf("%d messages after running again, want still 2", n)
	}
	if err := w.UpdateBacklog(e.ctx); err != nil {
		t.Fatal(err)
	}
	if got := metric(t, e.reg, "placementbot_outbox_backlog", ""); got != 0 {
		t.Errorf("backlog gauge = %v, want 0", got)
	}
}

func TestClosedDMsAreShownInTheNextReply(t *testing.T) {
	e := newEnv(t)
	metrics := outbox.NewMetrics(e.reg)
	var told []string // who the worker reported as unreachable
	w := outbox.New(outbox.Config{
		Store: e.store, Sender: outbox.DiscordSender{Session: e.fake.Session("Bot test")}, Catalog: loadCatalog(t),
		Now: e.clock.Now, Metrics: metrics,
		Undeliverable: func(_ context.Context, guild, user string) { told = append(told, guild+"/"+user) },
	})
	id := e.insert(row{key: "rej", userID: studentZH, messageKey: "note.app_rejected",
		data: map[string]any{"ID": 32, "Title": "Welder", "Enterprise": "Delta Works", "Student": studentZH, "Reason": "名额已满", "Days": 7}})
	e.fake.FailNext("POST", fakediscord.RouteChannelMessages, http.StatusForbidden, `{"code":50007,"message":"Cannot send messages to this user"}`)

	runOnce(t, e.ctx, w, 1)
	if s := e.state(id); s.Status != "undeliverable" || s.Attempts != 1 || s.Locked || !strings.Contains(s.LastError, "50007") {
		t.Fatalf("row = %+v, want undeliverable after one attempt", s)
	}
	e.clock.Advance(48 * time.Hour)
	runOnce(t, e.ctx, w, 0)
	if n := len(e.messages()); n != 1 {
		t.Fatalf("%d message POSTs, want the one refused (no retry)", n)
	}
	if got := metric(t, e.reg, "placementbot_notifications_total", "undeliverable"); got != 1 {
		t.Errorf("undeliverable counter = %v, want 1", got)
	}
	if len(told) != 1 || told[0] != guildID+"/"+studentZH {
		t.Errorf("Undeliverable hook told %v, want the student once (their cached facts must be dropped)", told)
	}

	notes, err := e.store.TakeUndelivered(e.ctx, guildID, studentZH, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(notes) != 1 || notes[0].MessageKey != "note.app_rejected" {
		t.Fatalf("TakeUndelivered = %+v, want the rejection", notes)
	}
	got := loadCatalog(t).T("zh-CN", notes[0].MessageKey, notes[0].Data)
	if want := "很遗憾，你对 Delta Works **Welder** 的申请这次没有通过。原因：名额已满。别灰心"; !strings.HasPrefix(got, want) {
		t.Errorf("shown as %q, want it to start with %q", got, want)
	}
	if again, err := e.store.TakeUndelivered(e.ctx, guildID, studentZH, 10); err != nil || len(again) != 0 {
		t.Errorf("second TakeUndelivered = %v, %v; want nothing", again, err)
	}
}

func TestServerErrorsAreRetriedWithBackoff(t *testing.T) {
	e := newEnv(t)
	metrics := outbox.NewMetrics(e.reg)
	w := e.worker(metrics)
	id := e.insert(offer("retry", studentEN))
	e.fake.FailNext("POST", fakediscord.RouteChannelMessages, http.StatusInternalServerError, `{"message":"500: Internal Server Error","code":0}`)

	runOnce(t, e.ctx, w, 1)
	s := e.state(id)
	if s.Status != "pending" || s.Attempts != 1 || s.Locked || !s.Next.Equal(t0.Add(5*time.Second)) || !strings.Contains(s.LastError, "500") {
		t.Fatalf("after a 500: %+v, want pending, next attempt 5 s later", s)
	}
	e.clock.Advance(5*time.Second - time.Millisecond)
	runOnce(t, e.ctx, w, 0)
	e.clock.Advance(time.Millisecond)
	runOnce(t, e.ctx, w, 1)
	s = e.state(id)
	if s.Status != "sent" || s.Attempts != 2 {
		t.Fatalf("after the retry: %+v, want sent at attempt 2", s)
	}
	if got := nonces(e.messages()); len(got) != 1 || got[nonceOf(id)] != 2 {
		t.Errorf("message POSTs by nonce = %v, want two with the same nonce", got)
	}
	if got := metric(t, e.reg, "placementbot_notifications_total", "retry"); got != 1 {
		t.Errorf("retry counter = %v, want 1", got)
	}
}

func TestRateLimitIsRetried(t *testing.T) {
	e := newEnv(t)
	w := e.worker(nil)
	id := e.insert(offer("limited", studentEN))
	e.fake.FailNext("POST", fakediscord.RouteChannelMessages, http.StatusTooManyRequests, `{"message":"You are being rate limited.","retry_after":0.5,"global":false}`)
	runOnce(t, e.ctx, w, 1)
	if s := e.state(id); s.Status != "pending" || !s.Next.Equal(t0.Add(5*time.Second)) {
		t.Fatalf("after a 429: %+v, want a retry", s)
	}
}

func TestFailedAfterTenAttempts(t *testing.T) {
	e := newEnv(t)
	metrics := outbox.NewMetrics(e.reg)
	w := e.worker(metrics)
	id := e.insert(offer("doomed", studentEN))
	for attempt := 1; attempt <= 10; attempt++ {
		e.fake.FailNext("POST", fakediscord.RouteChannelMessages, http.StatusBadGateway, `{"message":"502: Bad Gateway","code":0}`)
		runOnce(t, e.ctx, w, 1)
		s := e.state(id)
		if s.Attempts != attempt {
			t.Fatalf("attempt %d: row counts %d attempts", attempt, s.Attempts)
		}
		if attempt == 10 {
			if s.Status != "failed" || s.Locked {
				t.Fatalf("after 10 attempts: %+v, want failed", s)
			}
			break
		}
		wait := 5 * time.Second << (attempt - 1)
		if s.Status != "pending" || !s.Next.Equal(e.clock.Now().Add(wait)) {
			t.Fatalf("after attempt %d: %+v, want the next attempt %v later", attempt, s, wait)
		}
		e.clock.Advance(wait)
	}
	e.clock.Advance(24 * time.Hour)
	runOnce(t, e.ctx, w, 0)
	if n := len(e.messages()); n != 10 {
		t.Errorf("%d message POSTs, want 10", n)
	}
	if got := metric(t, e.reg, "placementbot_notifications_total", "failed"); got != 1 {
		t.Errorf("failed counter = %v, want 1", got)
	}
}

func TestClientErrorsFailAtOnce(t *testing.T) {
	e := newEnv(t)
	w := e.worker(nil)
	id := e.insert(row{key: "gone", channelID: channel, messageKey: "note.enterprise_requested", locale: "en-US",
		data: map[string]any{"Name": "Delta Works", "City": "Ningbo", "User": mentor, "ID": 4}})
	e.fake.FailNext("POST", fakediscord.RouteChannelMessages, http.StatusNotFound, `{"message":"Unknown Channel","code":10003}`)
	runOnce(t, e.ctx, w, 1)
	if s := e.state(id); s.Status != "failed" || s.Attempts != 1 || !strings.Contains(s.LastError, "10003") {
		t.Fatalf("after a 404: %+v, want failed", s)
	}
}

func TestTwoReplicasSendEachNotificationOnce(t *testing.T) {
	e := newEnv(t)
	const total = 200
	var want []string
	for i := range total {
		user := strconv.Itoa(810000000000000000 + i%17)
		want = append(want, nonceOf(e.insert(offer("n"+strconv.Itoa(i), user))))
	}
	// Each replica has its own pool and Discord session, and runs two workers.
	other := setupReplica(t, e)
	var workers []*outbox.Worker
	for _, store := range []*postgres.Store{e.store, other} {
		for range 2 {
			workers = append(workers, outbox.New(outbox.Config{
				Store: store, Sender: outbox.DiscordSender{Session: e.fake.Session("Bot test")}, Catalog: loadCatalog(t),
				Now: e.clock.Now, BatchSize: 7,
			}))
		}
	}
	settled := make([]int, len(workers))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, w := range workers {
		wg.Go(func() {
			<-start
			for {
				n, err := w.RunOnce(e.ctx)
				if err != nil {
					t.Error(err)
					return
				}
				if n == 0 {
					return
				}
				settled[i] += n
			}
		})
	}
	close(start)
	wg.Wait()
	t.Logf("notifications settled per worker: %v", settled)

	got := nonces(e.messages())
	for _, n := range want {
		if got[n] != 1 {
			t.Errorf("notification %s sent %d times, want once", n, got[n])
		}
	}
	if len(got) != total {
		t.Errorf("%d distinct notifications sent, want %d", len(got), total)
	}
	var sent int
	if err := e.pool.QueryRow(e.ctx, `SELECT count(*) FROM notifications WHERE status = 'sent' AND attempts = 1`).Scan(&sent); err != nil {
		t.Fatal(err)
	}
	if sent != total {
		t.Errorf("%d rows sent at the first attempt, want %d", sent, total)
	}
}

// setupReplica opens a second pool on the test's database, as another replica would.
func setupReplica(t *testing.T, e *env) *postgres.Store {
	t.Helper()
	pool, err := postgres.Open(e.ctx, e.url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return postgres.NewStore(pool)
}

// crashAfterSend delivers through next and then ends the calling goroutine, as if the
// process died between sending and recording.
type crashAfterSend struct{ next outbox.Sender }

func (c crashAfterSend) Send(ctx context.Context, m outbox.Message) error {
	if err := c.next.Send(ctx, m); err != nil {
		return err
	}
	runtime.Goexit()
	return nil
}

func TestRowsOfADeadWorkerAreSentAfterTheLease(t *testing.T) {
	e := newEnv(t)
	ids := []int64{e.insert(offer("a", studentEN)), e.insert(offer("b", studentZH)), e.insert(offer("c", mentor))}
	dead := outbox.New(outbox.Config{Store: e.store, Sender: crashAfterSend{outbox.DiscordSender{Session: e.fake.Session("Bot test")}},
		Catalog: loadCatalog(t), Now: e.clock.Now})
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = dead.RunOnce(e.ctx)
	}()
	<-done
	if n := len(e.messages()); n != 1 {
		t.Fatalf("the dying worker sent %d messages, want 1", n)
	}

	w := e.worker(nil)
	runOnce(t, e.ctx, w, 0) // all three are still leased by the dead worker
	e.clock.Advance(outbox.DefaultLease)
	runOnce(t, e.ctx, w, 0) // the lease ends after, not at, its last instant
	e.clock.Advance(time.Millisecond)
	runOnce(t, e.ctx, w, 3)

	ms := e.messages()
	if len(ms) != 4 {
		t.Fatalf("%d message POSTs, want 1 + 3", len(ms))
	}
	if ms[0].Nonce != ms[1].Nonce || ms[0].Content != ms[1].Content {
		t.Errorf("the resent message differs from the first attempt: %+v vs %+v", ms[0], ms[1])
	}
	got := nonces(ms)
	for i, id := range ids {
		want := 1
		if i == 0 {
			want = 2 // once by the dead worker, once again with the same nonce
		}
		if got[nonceOf(id)] != want {
			t.Errorf("notification %d: %d POSTs, want %d", id, got[nonceOf(id)], want)
		}
		if s := e.state(id); s.Status != "sent" || s.Attempts != 2 {
			t.Errorf("row %d = %+v, want sent at attempt 2", id, s)
		}
	}
}

func TestPositionPostCarriesViewButton(t *testing.T) {
	e := newEnv(t)
	w := e.worker(nil)
	id := e.insert(row{key: "pos", channelID: channel, messageKey: "note.position_opened", locale: "zh-CN",
		data: map[string]any{"ID": 4242, "Title": "前端开发实习生", "Enterprise": "星河科技", "Location": "深圳", "Remote": true, "Slots": 3, "Deadline": "2026-05-01"}})
	runOnce(t, e.ctx, w, 1)

	if n := len(e.fake.CallsTo("POST", fakediscord.RouteUserChannels)); n != 0 {
		t.Errorf("%d DM channel requests for a channel post", n)
	}
	ms := e.messages()
	if len(ms) != 1 {
		t.Fatalf("%d messages, want 1", len(ms))
	}
	m := ms[0]
	wantContent := "新岗位：**星河科技** 的 **前端开发实习生**\n远程，或在深圳到岗 · 名额：3 · 截止申请：2026-05-01\n点击「查看岗位」了解详情并申请。"
	if m.ChannelID != channel || m.Content != wantContent || m.Nonce != nonceOf(id) {
		t.Errorf("posted to %s with nonce %s:\n%s\nwant %s:\n%s", m.ChannelID, m.Nonce, m.Content, channel, wantContent)
	}
	if len(m.Components) != 1 || m.Components[0].Type != 1 || len(m.Components[0].Components) != 1 {
		t.Fatalf("components = %+v, want one row with one button", m.Components)
	}
	b := m.Components[0].Components[0]
	if b.Type != 2 || b.Label != "查看岗位" || b.CustomID != "/position/4242" {
		t.Errorf("button = %+v, want View position → /position/4242", b)
	}
	if s := e.state(id); s.Status != "sent" {
		t.Errorf("row = %+v, want sent", s)
	}
}

// stopAfter sends through next and stops Postgres right after the nth message.
type stopAfter struct {
	next outbox.Sender
	n    int
	sent *int
	stop func()
}

func (s stopAfter) Send(ctx context.Context, m outbox.Message) error {
	if err := s.next.Send(ctx, m); err != nil {
		return err
	}
	*s.sent++
	if *s.sent == s.n {
		s.stop()
	}
	return nil
}

func TestPostgresOutageMidRun(t *testing.T) {
	srv := testenv.NewPostgresServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	e := setupEnv(t, ctx, testenv.ServerURL(srv))
	const total = 10
	var ids []int64
	for i := range total {
		ids = append(ids, e.insert(offer("n"+strconv.Itoa(i), strconv.Itoa(820000000000000000+i))))
	}
	sent := 0
	w := outbox.New(outbox.Config{Store: e.store, Catalog: loadCatalog(t), Now: e.clock.Now,
		Sender: stopAfter{next: outbox.DiscordSender{Session: e.fake.Session("Bot test")}, n: 4, sent: &sent, stop: func() {
			if err := srv.Stop(); err != nil {
				t.Errorf("stop postgres: %v", err)
			}
		}}})

	if n, err := w.RunOnce(ctx); err == nil || n != 3 {
		t.Fatalf("RunOnce with Postgres stopped after the 4th send = %d, %v; want 3 settled and an error", n, err)
	}
	e.clock.Advance(time.Hour)
	if _, err := w.RunOnce(ctx); err == nil {
		t.Fatal("RunOnce with Postgres down succeeded")
	}
	if n := len(e.messages()); n != 4 {
		t.Fatalf("%d messages while Postgres is down, want the 4 sent before it stopped", n)
	}

	if err := srv.Start(ctx); err != nil {
		t.Fatal(err)
	}
	// The pool may hand out a connection broken by the restart once; it then drops it.
	var n int
	var err error
	for range 5 {
		if n, err = w.RunOnce(ctx); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatalf("RunOnce after the restart: %v", err)
	}
	if n != total-4 {
		t.Errorf("settled %d after the restart, want the %d never sent", n, total-4)
	}
	runOnce(t, ctx, w, 0)

	got := nonces(e.messages())
	for _, id := range ids {
		if got[nonceOf(id)] != 1 {
			t.Errorf("notification %d sent %d times, want once", id, got[nonceOf(id)])
		}
		if s := e.state(id); s.Status != "sent" {
			t.Errorf("row %d = %+v, want sent", id, s)
		}
	}
}

func TestRunSendsWhenKicked(t *testing.T) {
	e := newEnv(t)
	metrics := outbox.NewMetrics(e.reg)
	w := outbox.New(outbox.Config{Store: e.store, Sender: outbox.DiscordSender{Session: e.fake.Session("Bot test")},
		Catalog: loadCatalog(t), Now: e.clock.Now, Metrics: metrics, Poll: time.Hour})
	e.insert(offer("first", studentEN))
	ctx, cancel := context.WithCancel(e.ctx)
	stopped := make(chan error, 1)
	go func() { stopped <- w.Run(ctx) }()

	wait, done := context.WithTimeout(e.ctx, 30*time.Second)
	defer done()
	e.fake.WaitForCalls(wait, "POST", fakediscord.RouteChannelMessages, 1)
	// With an hour between polls, only the kick can get the second one out in time.
	e.insert(offer("second", studentZH))
	w.Kick()
	e.fake.WaitForCalls(wait, "POST", fakediscord.RouteChannelMessages, 2)
	cancel()
	if err := <-stopped; err != nil {
		t.Errorf("Run returned %v", err)
	}
	if n := len(e.messages()); n != 2 {
		t.Errorf("%d messages, want 2", n)
	}
}

// recorder is a console that remembers what it was asked to show, and the files it was given.
type recorder struct {
	shown []string
	files []*discordgo.File
}

func (r *recorder) Show(heading, content string, _ []*discordgo.MessageEmbed, components []discordgo.MessageComponent, files []*discordgo.File) {
	r.shown = append(r.shown, fmt.Sprintf("%s|%s|%d", heading, content, len(components)))
	r.files = append(r.files, files...)
}

func TestConsoleSender(t *testing.T) {
	out := &recorder{}
	names := map[string]string{"1": "bo", "2": "placements"}
	s := outbox.ConsoleSender{Out: out, Name: func(id string) string { return names[id] }}
	button := discordgo.ActionsRow{Components: []discordgo.MessageComponent{discordgo.Button{Label: "View position", CustomID: "/position/1"}}}
	ctx := context.Background()
	for _, m := range []outbox.Message{
		{UserID: "1", Content: "hi"},
		{ChannelID: "2", Content: "new", Components: []discordgo.MessageComponent{button}},
		{UserID: "3", Content: "who"},
	} {
		if err := s.Send(ctx, m); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"DM to @bo|hi|0", "PlacementBot in #placements|new|1", "DM to @3|who|0"}
	if !slices.Equal(out.shown, want) {
		t.Errorf("shown %q, want %q", out.shown, want)
	}
}

// TestEveryNotificationRenders renders every message the service writes, in both languages,
// with numbers as the worker decodes them (int64) and as the store hands undelivered ones back
// (float64), with and without a reason.
func TestEveryNotificationRenders(t *testing.T) {
	c := loadCatalog(t)
	keys := []string{"note.enterprise_requested", "note.enterprise_verified", "note.enterprise_refused", "note.mentor_linked",
		"note.position_opened", "note.app_submitted", "note.mentor_new_application", "note.mentor_app_accepted",
		"note.mentor_app_declined", "button.view_position", "notice.dms_closed"}
	for _, s := range []string{"shortlisted", "offered", "accepted", "approved", "declined", "rejected", "withdrawn", "expired"} {
		keys = append(keys, "note.app_"+s)
	}
	for _, lang := range i18n.Languages {
		for _, id := range c.IDs(lang) {
			if strings.HasPrefix(id, "note.") && !slices.Contains(keys, id) {
				keys = append(keys, id)
			}
		}
	}
	base := map[string]any{"Title": "Nurse aide", "Enterprise": "City Clinic", "Student": "1", "Name": "City Clinic", "City": "Hangzhou",
		"User": "2", "Location": "Hangzhou", "Remote": false, "Deadline": "2026-05-01",
		"Supervisor": "3", "Mentor": "4", "Placed": "Welder trainee",
		"PositionID": int64(5), "Start": "2026-06-01", "End": "2026-09-01", "SlotsLeft": int64(2), "Count": int64(3), "DeadlineAt": int64(1777680000),
		"Skills": "first aid", "Matched": "first aid", "Stipend": ""}
	for _, lang := range i18n.Languages {
		for _, numbers := range []map[string]any{{"ID": int64(9), "Days": int64(1), "Slots": int64(2)}, {"ID": 9.0, "Days": 7.0, "Slots": 2.0}} {
			for _, reason := range []string{"", "Too far"} {
				data := map[string]any{"Reason": reason}
				for k, v := range base {
					data[k] = v
				}
				for k, v := range numbers {
					data[k] = v
				}
				for _, key := range keys {
					if !c.Has(lang, key) {
						t.Errorf("%s has no %s", lang, key)
						continue
					}
					got := c.T(lang, key, data)
					if got == key || strings.Contains(got, "<no value>") || strings.Contains(got, "{{") || (reason == "" && strings.Contains(got, "Too far")) {
						t.Errorf("%s %s with %v: %q", lang, key, data, got)
					}
				}
			}
		}
	}
	if got := c.T("en-US", "note.app_offered", map[string]any{"Title": "T", "Enterprise": "E", "Days": int64(1)}); !strings.Contains(got, "You have 1 day to") {
		t.Errorf("one day: %q", got)
	}
	if got := c.T("en-US", "note.app_offered", map[string]any{"Title": "T", "Enterprise": "E", "Days": 7.0}); !strings.Contains(got, "You have 7 days to") {
		t.Errorf("seven days: %q", got)
	}
}
