package discord

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"placementbot/internal/discord/ui"
	"placementbot/internal/placement"
	"placementbot/internal/redis"
)

// Responder delivers the bot's answers to one interaction; each transport implements it.
type Responder interface {
	// Respond sends the initial response; the router calls it exactly once per interaction.
	Respond(ctx context.Context, resp *discordgo.InteractionResponse) error
	// EditOriginal replaces the original response after a deferral.
	EditOriginal(ctx context.Context, edit *discordgo.WebhookEdit) error
	// Followup sends an extra message after the initial response.
	Followup(ctx context.Context, msg *discordgo.WebhookParams) error
}

// RateLimiter limits how often one member may act.
type RateLimiter interface {
	Allow(ctx context.Context, key string, limit redis.Limit) (bool, time.Duration, error)
}

// Claimer hands out a key once: a gateway event replayed after a reconnect, or a double click
// on Publish, is then handled once.
type Claimer interface {
	Claim(ctx context.Context, key string, ttl time.Duration) (bool, error)
	// Release gives a key back, for work that was refused and may be tried again.
	Release(ctx context.Context, key string) error
}

// Router dispatches interactions to routes through the middleware every interaction gets:
// recover, deadline, role resolution and authorization, rate limiting, acknowledging before
// Discord's 3 seconds run out, logging and metrics.
type Router struct {
	Routes *Routes
	Actors func(ctx context.Context, guildID string, m placement.Member, locale string) (placement.Actor, error)
	// Members looks a member of a server up with their current roles, for buttons pressed in a
	// DM (which carry no member); ErrNotMember when they are not on it. Nil refuses DM buttons.
	Members MemberLookup
	// Undelivered hands over, once, the notifications a member missed with their DMs closed.
	Undelivered func(ctx context.Context, a placement.Actor) ([]placement.Notification, error)
	T           func(locale, key string, data map[string]any) string
	Locale      func(discordLocale string) string
	Limiter     RateLimiter // nil: no rate limit
	Log         *slog.Logger
	Metrics     *Metrics
	// DeferAfter is how long a handler may run before the router acknowledges for it.
	DeferAfter time.Duration
	// Timeout bounds each interaction's work, database and Redis calls included.
	Timeout time.Duration
	// RateLimit is how many interactions one member may make in a period.
	RateLimit redis.Limit
	// AutocompleteLimit is how many autocompletes one member may send in a period, counted
	// apart from RateLimit: typing sends one per keystroke, and suggestions must never cost a
	// member their commands. Beyond it suggestions are empty until the period refills. A zero
	// limit (like a zero RateLimit) limits nothing.
	AutocompleteLimit redis.Limit

	inflight sync.WaitGroup
	// localLimit stands in for Limiter while it fails (Redis unreachable).
	localLimit redis.LocalLimiter
}

// Wait blocks until in-flight interactions finish or ctx ends, for graceful shutdown.
func (rt *Router) Wait(ctx context.Context) error {
	done := make(chan struct{})
	go func() { rt.inflight.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

type outcome struct {
	reply *Reply
	err   error
	label string // metrics outcome
}

// Dispatch handles one interaction to the end; transports call it once per interaction.
func (rt *Router) Dispatch(ctx context.Context, in *discordgo.Interaction, rsp Responder) {
	rt.inflight.Add(1)
	defer rt.inflight.Done()
	start := time.Now()
	locale := rt.Locale(string(in.Locale))
	kind, path, opts := classify(in)
	dm := ""
	if kind == KindComponent || kind == KindModal {
		if guild, rest, ok := dmPath(path); ok {
			dm, path = guild, rest
		}
	}
	route, vars := rt.Routes.match(kind, path)
	timeout := rt.Timeout
	if route != nil && route.Timeout > 0 {
		timeout = route.Timeout
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	defer cancel()
	label := "unknown" // never a client-sent path: it would flood the metrics with labels
	if route != nil {
		label = route.Pattern
	}
	log := rt.Log.With("interaction", in.ID, "route", label, "guild", in.GuildID, "user", userID(in))

	req := &Request{Interaction: in, Locale: locale, Path: label, Vars: vars, options: opts, t: rt.T, dm: dm}
	update := route != nil && route.Update
	work := func() outcome { return rt.run(ctx, route, kind, req) }

	res, deferred := rt.respond(ctx, req, route, kind, update, work, rsp, log)
	rt.Metrics.observe(label, res.label, time.Since(start))
	attrs := []any{"outcome", res.label, "ms", time.Since(start).Milliseconds(), "deferred", deferred}
	if res.err != nil && res.label != "refused" {
		log.Error("interaction failed", append(attrs, "err", res.err)...)
		return
	}
	log.Info("interaction", attrs...)
}

// respond runs the work and sends its reply, acknowledging first when the work is slow.
func (rt *Router) respond(ctx context.Context, req *Request, route *Route, kind Kind, update bool, work func() outcome, rsp Responder, log *slog.Logger) (outcome, bool) {
	done := make(chan outcome, 1)
	go func() { done <- work() }()

	wait := rt.DeferAfter
	if route != nil && route.Defer {
		wait = 0
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()

	select {
	case res := <-done:
		resp := res.reply.response(update && res.err == nil)
		if err := rsp.Respond(ctx, resp); err != nil {
			log.Error("sending response failed", "err", err)
		}
		return res, false
	case <-timer.C:
	}

	if kind == KindAutocomplete {
		// Autocomplete cannot be deferred: answer with no suggestions rather than miss the window.
		empty := &Reply{Choices: []*discordgo.ApplicationCommandOptionChoice{}}
		if err := rsp.Respond(ctx, empty.response(false)); err != nil {
			log.Error("sending response failed", "err", err)
		}
		return <-done, true
	}
	ack := &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral}}
	if update {
		ack = &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredMessageUpdate}
	}
	if err := rsp.Respond(ctx, ack); err != nil {
		log.Error("sending acknowledgement failed", "err", err)
	}
	res := <-done
	var err error
	switch {
	case res.reply.Modal != nil:
		// A modal can only be the first response; a handler this slow must not open one.
		res = outcome{reply: rt.message(req.Locale, "err.internal", nil, kind), err: errors.New("modal after deferral"), label: "error"}
		err = rsp.Followup(ctx, res.reply.followup())
	case update && res.err != nil:
		err = rsp.Followup(ctx, res.reply.followup())
	default:
		err = rsp.EditOriginal(ctx, res.reply.edit())
	}
	if err != nil {
		log.Error("sending deferred response failed", "err", err)
	}
	return res, true
}

// run resolves the member, authorizes, rate-limits and calls the handler, turning panics and
// errors into a reply the member can read.
func (rt *Router) run(ctx context.Context, route *Route, kind Kind, req *Request) (res outcome) {
	defer func() {
		if p := recover(); p != nil {
			err := fmt.Errorf("panic: %v\n%s", p, debug.Stack())
			res = outcome{reply: rt.message(req.Locale, "err.internal", nil, kind), err: err, label: "panic"}
		}
	}()
	in := req.Interaction
	refuse := func(key string) outcome {
		return outcome{reply: rt.message(req.Locale, key, nil, kind), err: placement.Errorf(placement.EFORBIDDEN, key, nil), label: "refused"}
	}
	if req.dm != "" {
		if key := rt.joinDM(ctx, req); key != "" {
			return refuse(key)
		}
	}
	if in.GuildID == "" || in.Member == nil || in.Member.User == nil {
		return refuse("err.guild_only")
	}
	if route == nil {
		if kind == KindComponent || kind == KindModal {
			return refuse("err.stale_component")
		}
		return refuse("err.unknown_command")
	}
	if kind == KindAutocomplete {
		// Checked before anything reads the database: a burst of keystrokes costs one Redis call
		// each and gets no suggestions at once, never an error or a wait.
		if ok, _ := rt.allow(ctx, "autocomplete:"+in.GuildID+":"+in.Member.User.ID, rt.AutocompleteLimit); !ok {
			return outcome{reply: &Reply{Choices: []*discordgo.ApplicationCommandOptionChoice{}}, err: placement.Errorf(placement.ECONFLICT, "err.rate_limited", nil), label: "refused"}
		}
	}
	actor, err := rt.Actors(ctx, in.GuildID, placement.Member{UserID: in.Member.User.ID, RoleIDs: in.Member.Roles, Permissions: in.Member.Permissions, Name: displayName(in.Member)}, req.Locale)
	if err != nil {
		return rt.failure(req.Locale, kind, err)
	}
	req.Actor = actor
	if route.Allow != 0 && !actor.Is(route.Allow) {
		return refuse(forbiddenKey(route.Allow))
	}
	if kind != KindAutocomplete {
		if ok, retry := rt.allow(ctx, "user:"+in.GuildID+":"+actor.UserID, rt.RateLimit); !ok {
			secs := int(retry.Round(time.Second) / time.Second)
			return outcome{reply: rt.message(req.Locale, "err.rate_limited", map[string]any{"Seconds": max(secs, 1)}, kind),
				err: placement.Errorf(placement.ECONFLICT, "err.rate_limited", nil), label: "refused"}
		}
	}
	reply, err := route.Handler(ctx, req)
	if err != nil {
		return rt.failure(req.Locale, kind, err)
	}
	if reply == nil {
		return outcome{reply: rt.message(req.Locale, "err.internal", nil, kind), err: errors.New("handler returned no reply"), label: "error"}
	}
	rt.addMissedNotifications(ctx, req, reply)
	if req.dm != "" {
		reply.prefixCustomIDs(DMPrefix(req.dm))
	}
	return outcome{reply: reply, label: "ok"}
}

// MemberLookup finds a member of a server with their current roles.
type MemberLookup func(ctx context.Context, guildID, userID string) (*discordgo.Member, error)

// ErrNotMember means the member looked up is not on the server.
var ErrNotMember = errors.New("discord: not a member of the server")

// DMPrefix starts the custom_id of a button the bot sends in a DM: a DM reaches no server, so
// the server travels in the custom_id ("/dm/<guild id>/apply/12"), and the member's rights are
// read from their current roles on it, as for any interaction.
func DMPrefix(guildID string) string { return "/dm/" + guildID }

// dmPath splits a DM custom_id into its server and the route's own custom_id.
func dmPath(path string) (guildID, rest string, ok bool) {
	after, found := strings.CutPrefix(path, "/dm/")
	if !found {
		return "", path, false
	}
	guildID, rest, found = strings.Cut(after, "/")
	if !found || !placement.IsSnowflake(guildID) {
		return "", path, false
	}
	return guildID, "/" + rest, true
}

// joinDM puts the server named by a DM custom_id into the interaction, with the member as the
// server knows them now; it returns the refusal's message key when it cannot. A DM custom_id
// pressed on a server (the console shows DMs there) must name that server.
func (rt *Router) joinDM(ctx context.Context, req *Request) string {
	in := req.Interaction
	if in.GuildID != "" {
		if in.GuildID != req.dm {
			return "err.stale_component"
		}
		return ""
	}
	if in.User == nil || rt.Members == nil {
		return "err.guild_only"
	}
	m, err := rt.Members(ctx, req.dm, in.User.ID)
	if errors.Is(err, ErrNotMember) {
		return "err.dm_not_member"
	}
	if err != nil {
		rt.Log.Warn("member lookup for a DM button failed", "err", err)
		return "err.dm_member_unavailable"
	}
	if m.User == nil {
		m.User = in.User
	}
	in.GuildID, in.Member = req.dm, m
	return ""
}

// allow records one event for key under limit, in Redis, or in this process while Redis fails;
// with no Limiter, or a zero limit, everything is allowed. When refused, retry says when the
// next is allowed.
func (rt *Router) allow(ctx context.Context, key string, limit redis.Limit) (bool, time.Duration) {
	if rt.Limiter == nil || limit.Rate <= 0 {
		return true, 0
	}
	ok, retry, err := rt.Limiter.Allow(ctx, key, limit)
	if err != nil {
		rt.Metrics.backendError("redis")
		rt.Log.Warn("rate limit unavailable, limiting in this process", "err", err)
		ok, retry = rt.localLimit.Allow(key, limit)
	}
	return ok, retry
}

// addMissedNotifications puts what could not be DMed to the member (their DMs are closed) at
// the top of their next message reply.
func (rt *Router) addMissedNotifications(ctx context.Context, req *Request, reply *Reply) {
	if req.Actor.Undelivered == 0 || rt.Undelivered == nil || reply.Modal != nil || reply.Choices != nil {
		return
	}
	notes, err := rt.Undelivered(ctx, req.Actor)
	if err != nil {
		rt.Log.Warn("missed notifications unavailable", "err", err)
		return
	}
	if len(notes) == 0 {
		return
	}
	var b strings.Builder
	b.WriteString(rt.T(req.Locale, "notice.dms_closed", nil))
	for _, n := range notes {
		b.WriteString("\n• " + rt.T(req.Locale, n.MessageKey, n.Data))
	}
	// A reply shows a few; the others stay waiting for the next replies.
	if more := req.Actor.Undelivered - len(notes); more > 0 {
		b.WriteString("\n" + rt.T(req.Locale, "notice.dms_more", map[string]any{"Count": more}))
	}
	if reply.Content != "" {
		b.WriteString("\n\n" + reply.Content)
	}
	reply.Content = b.String()
}

// failure maps an error to what the member reads and the outcome label for metrics.
func (rt *Router) failure(locale string, kind Kind, err error) outcome {
	var pe *placement.Error
	switch {
	case errors.As(err, &pe) && pe.Code == placement.EUNAVAILABLE:
		rt.Metrics.backendError("postgres")
		return outcome{reply: rt.message(locale, pe.Key, pe.Data, kind), err: err, label: "unavailable"}
	case errors.As(err, &pe) && pe.Code != placement.EINTERNAL:
		return outcome{reply: rt.message(locale, pe.Key, rt.localizeField(locale, pe.Data), kind), err: err, label: "refused"}
	case ui.SessionsDown(err):
		rt.Metrics.backendError("redis")
		return outcome{reply: rt.message(locale, "err.session_unavailable", nil, kind), err: err, label: "unavailable"}
	case errors.Is(err, context.DeadlineExceeded):
		return outcome{reply: rt.message(locale, "err.timeout", nil, kind), err: err, label: "timeout"}
	}
	return outcome{reply: rt.message(locale, "err.internal", nil, kind), err: err, label: "error"}
}

// localizedData names the fields and statuses an error speaks of in the member's language.
var localizedData = map[string]string{"Field": "field.", "From": "status.", "To": "status.", "Status": "status."}

// localizeField translates the error data values that are catalog words, not user text.
func (rt *Router) localizeField(locale string, data map[string]any) map[string]any {
	out := make(map[string]any, len(data))
	for k, v := range data {
		if prefix, ok := localizedData[k]; ok {
			if s, ok := v.(string); ok {
				v = ui.Markup(rt.T(locale, prefix+s, nil))
			}
		}
		out[k] = v
	}
	return out
}

// message is a plain ephemeral text reply; autocomplete gets no suggestions instead.
func (rt *Router) message(locale, key string, data map[string]any, kind Kind) *Reply {
	if kind == KindAutocomplete {
		return &Reply{Choices: []*discordgo.ApplicationCommandOptionChoice{}}
	}
	return &Reply{Content: rt.T(locale, key, data)}
}

func forbiddenKey(allow placement.Role) string {
	switch allow {
	case placement.RoleCoordinator:
		return "err.coordinator_only"
	case placement.RoleMentor:
		return "err.mentor_only"
	case placement.RoleStudent:
		return "err.student_only"
	}
	return "err.not_allowed"
}

// classify finds an interaction's kind, its route path (command path or custom_id) and options.
func classify(in *discordgo.Interaction) (Kind, string, []*discordgo.ApplicationCommandInteractionDataOption) {
	switch in.Type {
	case discordgo.InteractionApplicationCommand:
		p, o := commandPath(in.ApplicationCommandData())
		return KindCommand, p, o
	case discordgo.InteractionApplicationCommandAutocomplete:
		p, o := commandPath(in.ApplicationCommandData())
		return KindAutocomplete, p, o
	case discordgo.InteractionMessageComponent:
		return KindComponent, in.MessageComponentData().CustomID, nil
	case discordgo.InteractionModalSubmit:
		return KindModal, in.ModalSubmitData().CustomID, nil
	}
	return KindCommand, "", nil
}

// displayName is the name the server shows for the member: their server nickname, else their
// global display name, else their username.
func displayName(m *discordgo.Member) string {
	switch {
	case strings.TrimSpace(m.Nick) != "":
		return strings.TrimSpace(m.Nick)
	case strings.TrimSpace(m.User.GlobalName) != "":
		return strings.TrimSpace(m.User.GlobalName)
	}
	return m.User.Username
}

func userID(in *discordgo.Interaction) string {
	if in.Member != nil && in.Member.User != nil {
		return in.Member.User.ID
	}
	if in.User != nil {
		return in.User.ID
	}
	return ""
}
