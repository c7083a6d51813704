package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
	"github.com/prometheus/client_golang/prometheus"

	"placementbot/internal/i18n"
	"placementbot/internal/placement"
)

// Defaults for the zero values of Config.
const (
	DefaultPoll         = time.Second
	DefaultLease        = 2 * time.Minute
	DefaultBatchSize    = 20
	DefaultSendTimeout  = 10 * time.Second
	DefaultStoreTimeout = 5 * time.Second
	DefaultMaxAttempts  = 10
	DefaultBaseBackoff  = 5 * time.Second
	DefaultMaxBackoff   = time.Hour
	DefaultBacklogEvery = 15 * time.Second
)

// maxErrorBackoff caps how long Run waits between batches while the store keeps failing.
const maxErrorBackoff = 30 * time.Second

// maxContent is Discord's limit on a message's content, in characters.
const maxContent = 2000

// PositionOpenedKey is the message announcing a new position; its channel post carries a
// button that opens the position's card.
const PositionOpenedKey = "note.position_opened"

// Config configures a Worker; zero durations and counts take the defaults above.
type Config struct {
	Store   Store
	Sender  Sender
	Catalog Translator
	Log     *slog.Logger // nil: discard
	Metrics *Metrics     // nil: no metrics
	// Now is the clock for leases, retries and sent times; nil: time.Now.
	Now func() time.Time
	// Poll is how often Run looks for due notifications when nobody calls Kick.
	Poll time.Duration
	// Lease is how long a claim keeps other workers away; a worker that dies holding rows
	// delays them by at most this long.
	Lease     time.Duration
	BatchSize int
	// SendTimeout bounds one delivery, StoreTimeout one store call.
	SendTimeout  time.Duration
	StoreTimeout time.Duration
	// MaxAttempts is how many attempts a notification gets before it is marked failed.
	MaxAttempts int
	// BaseBackoff·2^(attempt-1), at most MaxBackoff, is the wait before the next attempt.
	BaseBackoff time.Duration
	MaxBackoff  time.Duration
	// BacklogEvery is how often Run refreshes the backlog gauge.
	BacklogEvery time.Duration
	// Undeliverable, when set, hears of each member whose DMs turned out closed, so what is
	// cached about them is dropped and their next reply shows what they missed.
	Undeliverable func(ctx context.Context, guildID, userID string)
}

// Worker drains the outbox: it claims due notifications, renders each in its recipient's
// language, sends it and records the outcome.
type Worker struct {
	cfg  Config
	kick chan struct{}

	// mu serializes batches of one worker; parallelism comes from more workers or replicas.
	mu sync.Mutex
	// unrecorded holds outcomes of sends whose recording failed (the store was down). They are
	// recorded before anything else is claimed, so a message already sent is not sent again
	// by this worker once the store is back.
	unrecorded []outcome
}

// New returns a worker with cfg's zero values replaced by the defaults.
func New(cfg Config) *Worker {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	setDefault(&cfg.Poll, DefaultPoll)
	setDefault(&cfg.Lease, DefaultLease)
	setDefault(&cfg.BatchSize, DefaultBatchSize)
	setDefault(&cfg.SendTimeout, DefaultSendTimeout)
	setDefault(&cfg.StoreTimeout, DefaultStoreTimeout)
	setDefault(&cfg.MaxAttempts, DefaultMaxAttempts)
	setDefault(&cfg.BaseBackoff, DefaultBaseBackoff)
	setDefault(&cfg.MaxBackoff, DefaultMaxBackoff)
	setDefault(&cfg.BacklogEvery, DefaultBacklogEvery)
	return &Worker{cfg: cfg, kick: make(chan struct{}, 1)}
}

func setDefault[T time.Duration | int](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}

// Kick wakes Run at once, e.g. right after a change wrote notifications; it never blocks.
func (w *Worker) Kick() {
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

// Run processes batches until ctx ends: straight on while batches come back full, otherwise
// after Poll or a Kick, and more slowly while the store is failing.
func (w *Worker) Run(ctx context.Context) error {
	var lastBacklog time.Time
	failures := 0
	for ctx.Err() == nil {
		n, err := w.RunOnce(ctx)
		wait := w.cfg.Poll
		switch {
		case err != nil && ctx.Err() == nil:
			failures++
			wait = min(w.cfg.Poll<<min(failures, 16), max(maxErrorBackoff, w.cfg.Poll))
			w.cfg.Log.Warn("outbox batch failed", "err", err, "retry_in", wait)
		case err == nil:
			failures = 0
		}
		if time.Since(lastBacklog) >= w.cfg.BacklogEvery {
			if err := w.UpdateBacklog(ctx); err != nil && ctx.Err() == nil {
				w.cfg.Log.Warn("outbox backlog unavailable", "err", err)
			} else {
				lastBacklog = time.Now()
			}
		}
		if err == nil && n >= w.cfg.BatchSize {
			continue
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
		case <-w.kick:
		case <-t.C:
		}
		t.Stop()
	}
	return nil
}

// UpdateBacklog sets the backlog gauge from the store.
func (w *Worker) UpdateBacklog(ctx context.Context) error {
	sctx, cancel := context.WithTimeout(ctx, w.cfg.StoreTimeout)
	defer cancel()
	n, err := w.cfg.Store.OutboxBacklog(sctx)
	if err != nil {
		return err
	}
	if w.cfg.Metrics != nil {
		w.cfg.Metrics.backlog.Set(float64(n))
	}
	return nil
}

// outcome is what became of one claimed notification.
type outcome struct {
	claim   Claim
	userID  string // the DM recipient, if any
	kind    string // sent, undeliverable, retry or failed: the metric's label
	at      time.Time
	errText string
}

// RunOnce processes one batch and returns how many notifications it settled (sent,
// undeliverable, failed or rescheduled). An error means the store could not be reached; what
// was claimed and not settled is claimed again after the lease.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.recordLeftovers(ctx); err != nil {
		return 0, err
	}

	claimedAt := w.cfg.Now()
	sctx, cancel := context.WithTimeout(ctx, w.cfg.StoreTimeout)
	batch, err := w.cfg.Store.ClaimNotifications(sctx, claimedAt, w.cfg.Lease, w.cfg.BatchSize)
	cancel()
	if err != nil {
		return 0, fmt.Errorf("outbox: claim: %w", err)
	}
	// A send must end before the lease does, or another worker could send the same row at the
	// same time; rows left over are claimed again once the lease has run out.
	lastStart := claimedAt.Add(w.cfg.Lease - w.cfg.SendTimeout)
	done := 0
	for i, n := range batch {
		if ctx.Err() != nil {
			return done, ctx.Err()
		}
		if w.cfg.Now().After(lastStart) {
			w.cfg.Log.Warn("outbox lease running out; releasing the rest of the batch", "left", len(batch)-i)
			w.unrecorded = append(w.unrecorded, w.release(batch[i:])...)
			return done, w.recordLeftovers(ctx)
		}
		out := w.deliver(ctx, n)
		if w.cfg.Metrics != nil {
			w.cfg.Metrics.notifications.WithLabelValues(out.kind).Inc()
		}
		if err := w.record(ctx, out); err != nil {
			// The store is down. The rest of the batch is released as soon as it answers
			// again, before anything else is claimed, rather than waiting for the lease.
			w.unrecorded = append(append(w.unrecorded, out), w.release(batch[i+1:])...)
			return done, fmt.Errorf("outbox: record %s notification %d: %w", out.kind, n.ID, err)
		}
		done++
	}
	return done, nil
}

// release gives claimed notifications that were not sent back to the queue, due at once.
func (w *Worker) release(rest []Notification) []outcome {
	out := make([]outcome, len(rest))
	for i, n := range rest {
		out[i] = outcome{claim: n.Claim, userID: n.UserID, kind: "retry", at: w.cfg.Now(), errText: "released unsent"}
	}
	return out
}

// recordLeftovers records the outcomes a store outage kept from being recorded.
func (w *Worker) recordLeftovers(ctx context.Context) error {
	for len(w.unrecorded) > 0 {
		out := w.unrecorded[0]
		if err := w.record(ctx, out); err != nil {
			return fmt.Errorf("outbox: record %s notification %d: %w", out.kind, out.claim.ID, err)
		}
		w.unrecorded = w.unrecorded[1:]
	}
	w.unrecorded = nil
	return nil
}

// record stores an outcome. It is not cancelled with ctx: a send that happened on the way to
// shutdown must still be recorded, within StoreTimeout.
func (w *Worker) record(ctx context.Context, out outcome) error {
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), w.cfg.StoreTimeout)
	defer cancel()
	var err error
	switch out.kind {
	case "sent":
		err = w.cfg.Store.MarkNotificationSent(sctx, out.claim, out.at)
	case "undeliverable":
		err = w.cfg.Store.MarkNotificationUndeliverable(sctx, out.claim, out.errText)
		if err == nil && w.cfg.Undeliverable != nil {
			w.cfg.Undeliverable(sctx, out.claim.GuildID, out.userID)
		}
	case "retry":
		err = w.cfg.Store.RetryNotification(sctx, out.claim, out.at, out.errText)
	default:
		err = w.cfg.Store.MarkNotificationFailed(sctx, out.claim, out.errText)
	}
	if errors.Is(err, ErrLeaseLost) {
		// Another worker owns the row now and will settle it; its send carries the same nonce.
		w.cfg.Log.Warn("outbox claim lost before its outcome was recorded",
			"guild_id", out.claim.GuildID, "notification_id", out.claim.ID, "attempt", out.claim.Attempt, "outcome", out.kind)
		return nil
	}
	return err
}

// deliver renders and sends one notification and decides what becomes of it. A notification
// claimed more than MaxAttempts times (its worker died on it, again and again) is given up
// without another try, and a panic while rendering or sending counts as a failed attempt, so
// no notification can take workers down for ever.
func (w *Worker) deliver(ctx context.Context, n Notification) (out outcome) {
	log := w.cfg.Log.With("guild_id", n.GuildID, "notification_id", n.ID, "attempt", n.Attempt, "message_key", n.MessageKey)
	out = outcome{claim: n.Claim, userID: n.UserID}
	if n.Attempt > w.cfg.MaxAttempts {
		out.kind, out.errText = "failed", fmt.Sprintf("claimed %d times without an outcome", n.Attempt)
		log.Error("notification given up: its attempts never finished")
		return out
	}
	defer func() {
		if p := recover(); p != nil {
			out = w.afterError(log, n, out, fmt.Errorf("panic: %v", p))
		}
	}()
	msg, err := w.render(n)
	if err != nil {
		out.kind, out.errText = "failed", err.Error()
		log.Error("notification cannot be rendered", "err", err)
		return out
	}
	sctx, cancel := context.WithTimeout(ctx, w.cfg.SendTimeout)
	err = w.cfg.Sender.Send(sctx, msg)
	cancel()
	out.at = w.cfg.Now()
	switch {
	case err == nil:
		out.kind = "sent"
		log.Info("notification sent")
	case errors.Is(err, ErrUndeliverable) && n.UserID != "":
		out.kind, out.errText = "undeliverable", errText(err)
		log.Info("notification undeliverable: DMs closed; shown in the member's next reply")
	case errors.Is(err, ErrPermanent) || errors.Is(err, ErrUndeliverable):
		out.kind, out.errText = "failed", errText(err)
		log.Error("notification refused", "err", err)
	case ctx.Err() != nil:
		// Shutting down: whether Discord got the message is unknown, and the next worker's
		// attempt carries the same nonce, so it may go again at once.
		out.kind, out.errText = "retry", errText(err)
		log.Info("notification interrupted by shutdown", "err", err)
	default:
		out = w.afterError(log, n, out, err)
	}
	return out
}

// afterError retries a failed attempt after a backoff, or gives up after the last one.
func (w *Worker) afterError(log *slog.Logger, n Notification, out outcome, err error) outcome {
	out.at, out.errText = w.cfg.Now(), errText(err)
	if n.Attempt >= w.cfg.MaxAttempts {
		out.kind = "failed"
		log.Error("notification failed after its last attempt", "err", err)
		return out
	}
	out.kind = "retry"
	out.at = out.at.Add(w.backoff(n.Attempt))
	log.Warn("notification not sent; will retry", "err", err, "next_attempt_at", out.at)
	return out
}

// backoff is the wait after the given failed attempt: BaseBackoff doubled per earlier attempt.
func (w *Worker) backoff(attempt int) time.Duration {
	d := w.cfg.BaseBackoff
	for i := 1; i < attempt && d < w.cfg.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, w.cfg.MaxBackoff)
}

// errText keeps the stored error short: Discord error bodies can be long.
func errText(err error) string {
	return truncate(err.Error(), 500)
}

// render writes the notification in the recipient's language: their own from their last
// interaction, else the one the row was written with, else English.
func (w *Worker) render(n Notification) (Message, error) {
	data, err := placement.DecodeData(n.Data)
	if err != nil {
		return Message{}, err
	}
	locale := n.MemberLocale
	if locale == "" {
		locale = n.Locale
	}
	lang := i18n.Match(locale)
	content := w.cfg.Catalog.T(lang, n.MessageKey, data)
	if content == n.MessageKey {
		return Message{}, fmt.Errorf("no text for message %q", n.MessageKey)
	}
	m := Message{GuildID: n.GuildID, UserID: n.UserID, ChannelID: n.ChannelID, Content: truncate(content, maxContent), Files: n.Files, Nonce: n.Nonce()}
	// A button pressed in a DM reaches no guild: an invitation's buttons carry theirs in the
	// custom_id (discord.DMPrefix), and the router reads the member's rights there. Other DMs
	// have none.
	if n.UserID != "" && n.MessageKey == placement.InvitationMessage {
		m.Components = w.invitationButtons(lang, n.GuildID, data)
	}
	if n.ChannelID != "" && n.MessageKey == PositionOpenedKey {
		if id, ok := data["ID"].(int64); ok {
			m.Components = []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
				discordgo.Button{Label: truncate(w.cfg.Catalog.T(lang, "button.view_position", nil), 80),
					Style: discordgo.PrimaryButton, CustomID: "/position/" + strconv.FormatInt(id, 10)},
			}}}
		}
	}
	return m, nil
}

// invitationButtons are an invitation DM's Apply (the normal apply flow) and No thanks.
func (w *Worker) invitationButtons(lang, guildID string, data map[string]any) []discordgo.MessageComponent {
	pos, okPos := data["PositionID"].(int64)
	inv, okInv := data["ID"].(int64)
	if !okPos || !okInv || !placement.IsSnowflake(guildID) {
		return nil
	}
	dm := "/dm/" + guildID
	return []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
		discordgo.Button{Label: truncate(w.cfg.Catalog.T(lang, "button.apply_invited", nil), 80),
			Style: discordgo.SuccessButton, CustomID: dm + "/apply/" + strconv.FormatInt(pos, 10)},
		discordgo.Button{Label: truncate(w.cfg.Catalog.T(lang, "button.no_thanks", nil), 80),
			Style: discordgo.SecondaryButton, CustomID: dm + "/invitation/" + strconv.FormatInt(inv, 10) + "/decline"},
	}}}
}

// truncate cuts s to at most max characters, ending with an ellipsis when cut.
func truncate(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	r := []rune(s)
	return string(r[:max-1]) + "…"
}

// Metrics are the outbox's Prometheus metrics, shared by every worker of a process.
type Metrics struct {
	backlog       prometheus.Gauge
	notifications *prometheus.CounterVec
}

// NewMetrics registers the outbox metrics with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		backlog: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "placementbot_outbox_backlog", Help: "Notifications waiting to be sent.",
		}),
		notifications: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "placementbot_notifications_total", Help: "Delivery attempts by outcome: sent, undeliverable (DMs closed), retry, failed.",
		}, []string{"outcome"}),
	}
	for _, o := range []string{"sent", "undeliverable", "retry", "failed"} {
		m.notifications.WithLabelValues(o)
	}
	reg.MustRegister(m.backlog, m.notifications)
	return m
}
