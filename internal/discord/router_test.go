package discord_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"placementbot/internal/demo"
	"placementbot/internal/discord"
	"placementbot/internal/discord/features"
	"placementbot/internal/placement"
	"placementbot/internal/postgres"
	"placementbot/internal/redis"
	"placementbot/internal/testenv"
	"placementbot/internal/testenv/botenv"
)

func counter(t *testing.T, b *botenv.Bot, route, outcome string) float64 {
	t.Helper()
	mfs, err := b.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "placementbot_interactions_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["route"] == route && labels["outcome"] == outcome {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}

// releaseOnFirstResponse returns a channel closed once the bot has sent its first response,
// so a test handler can hold on until the router has acknowledged for it.
func releaseOnFirstResponse(b *botenv.Bot) chan struct{} {
	release := make(chan struct{})
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		b.Discord.WaitForCalls(ctx, "POST", "/interactions/{interaction_id}/{interaction_token}/callback", 1)
		close(release)
	}()
	return release
}

func TestPanicBecomesErrorReplyAndBotGoesOn(t *testing.T) {
	b := botenv.New(t)
	b.Router.Routes.Command("/boom", 0, func(context.Context, *discord.Request) (*discord.Reply, error) {
		panic("handler bug")
	})
	seen := b.Do(t, testenv.Slash(testenv.Member("bo"), "boom"))
	if !strings.Contains(seen.Text(), "Something went wrong on our side") || !seen.Ephemeral() {
		t.Fatalf("reply after panic: %q", seen.Text())
	}
	if !strings.Contains(b.Logs.String(), "handler bug") {
		t.Error("panic not logged")
	}
	if got := counter(t, b, "/boom", "panic"); got != 1 {
		t.Errorf("panic counter %v", got)
	}
	if text := b.Do(t, testenv.Slash(testenv.Member("bo"), "help")).Text(); !strings.Contains(text, "`/help`") {
		t.Fatalf("next interaction after a panic: %q", text)
	}
}

func TestSlowHandlerIsDeferredThenEdited(t *testing.T) {
	b := botenv.New(t)
	b.Router.DeferAfter = 10 * time.Millisecond
	release := releaseOnFirstResponse(b)
	b.Router.Routes.Command("/slow", 0, func(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
		<-release
		return &discord.Reply{Content: "done at last"}, nil
	})
	in := testenv.Slash(testenv.Member("bo"), "slow")
	seen := b.Do(t, in)
	if seen.Type != discordgo.InteractionResponseDeferredChannelMessageWithSource || !seen.Ephemeral() {
		t.Fatalf("first response type %d flags %d, want an ephemeral deferral", seen.Type, seen.Data.Flags)
	}
	if len(seen.Edits) != 1 || seen.Edits[0].Content != "done at last" {
		t.Fatalf("edits %+v", seen.Edits)
	}
}

func TestSlowUpdateDeferredAsUpdateAndErrorsGoToFollowup(t *testing.T) {
	b := botenv.New(t)
	b.Router.DeferAfter = 10 * time.Millisecond
	release := releaseOnFirstResponse(b)
	b.Router.Routes.UpdateComponent("/slowfail/{id}", 0, func(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
		<-release
		return nil, placement.Errorf(placement.ECONFLICT, "err.not_allowed", nil)
	})
	seen := b.Do(t, testenv.Button(testenv.Member("bo"), "/slowfail/7"))
	if seen.Type != discordgo.InteractionResponseDeferredMessageUpdate {
		t.Fatalf("first response type %d, want a deferred update", seen.Type)
	}
	if len(seen.Edits) != 0 || len(seen.Followups) != 1 || !strings.Contains(seen.Followups[0].Content, "You can't do this") ||
		seen.Followups[0].Flags&discordgo.MessageFlagsEphemeral == 0 {
		t.Fatalf("the card must stay and the error arrive as an ephemeral follow-up: %+v", seen)
	}
}

func TestSlowAutocompleteAnswersEmptyInTime(t *testing.T) {
	b := botenv.New(t)
	b.Router.DeferAfter = 10 * time.Millisecond
	release := releaseOnFirstResponse(b)
	b.Router.Routes.Autocomplete("/find", 0, func(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
		<-release
		return &discord.Reply{Choices: []*discordgo.ApplicationCommandOptionChoice{{Name: "late", Value: "late"}}}, nil
	})
	in := testenv.Autocomplete(testenv.Member("bo"), "find", testenv.StringOpt("q", "ab"))
	b.Router.Dispatch(context.Background(), in, discord.RESTResponder{Session: b.Session, Interaction: in})
	calls := b.Discord.CallsTo("POST", "/interactions/{interaction_id}/{interaction_token}/callback")
	if len(calls) != 1 || !strings.Contains(string(calls[0].Body), `"choices":[]`) {
		t.Fatalf("autocomplete calls: %d %s", len(calls), calls[0].Body)
	}
}

func TestRateLimitPerMember(t *testing.T) {
	b := botenv.New(t)
	b.Router.RateLimit = redis.PerPeriod(3, time.Minute)
	for i := 0; i < 3; i++ {
		if text := b.Do(t, testenv.Slash(testenv.Member("bo"), "help")).Text(); strings.Contains(text, "bit fast") {
			t.Fatalf("call %d refused", i)
		}
	}
	if text := b.Do(t, testenv.Slash(testenv.Member("bo"), "help")).Text(); !strings.Contains(text, "You're going a bit fast. Please wait") {
		t.Fatalf("4th call: %q", text)
	}
	if text := b.Do(t, testenv.Slash(testenv.Member("li"), "help")).Text(); strings.Contains(text, "bit fast") {
		t.Fatal("another member was limited too")
	}
}

func TestOutsideAGuildAndUnknownCommands(t *testing.T) {
	b := botenv.New(t)
	in := testenv.Slash(testenv.Member("bo"), "help")
	in.GuildID, in.User, in.Member = "", in.Member.User, nil
	if text := b.Do(t, in).Text(); !strings.Contains(text, "use this in your school's server") {
		t.Errorf("DM: %q", text)
	}
	if text := b.Do(t, testenv.Slash(testenv.Member("bo"), "nonsense")).Text(); !strings.Contains(text, "I don't know that command") {
		t.Errorf("unknown command: %q", text)
	}
	if got := counter(t, b, "unknown", "refused"); got != 1 {
		t.Errorf("unknown commands are not counted under one label: %v", got)
	}
}

func TestRedisDownSessionlessCommandsStillWork(t *testing.T) {
	srv := testenv.NewRedisServer(t)
	rdb := redis.NewClient(redis.Options{Addrs: []string{srv.Addr()}})
	t.Cleanup(func() { rdb.Close() })
	b := botenv.NewWith(t, testenv.NewPool(t), rdb)
	sessions := redis.NewSessions(rdb, "test:")
	b.Router.Routes.Command("/draft", 0, func(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
		if err := sessions.Put(ctx, "draft", "k", map[string]string{"title": "x"}, time.Minute); err != nil {
			return nil, err
		}
		return &discord.Reply{Content: "draft kept"}, nil
	})
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	if text := b.Do(t, testenv.Slash(testenv.Member("carol"), "setup show")).Text(); !strings.Contains(text, "Placement setup") {
		t.Fatalf("/setup show with Redis down: %q", text)
	}
	if text := b.Do(t, testenv.Slash(testenv.Member("bo"), "draft")).Text(); !strings.Contains(text, "session storage, which can't be reached") {
		t.Fatalf("session command with Redis down: %q", text)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Start(ctx); err != nil {
		t.Fatal(err)
	}
	b.WaitRedis(t)
	if text := b.Do(t, testenv.Slash(testenv.Member("bo"), "draft")).Text(); !strings.Contains(text, "draft kept") {
		t.Fatalf("after Redis came back: %q", text)
	}
}

func TestPostgresDownSaysNothingSavedAndRecovers(t *testing.T) {
	srv := testenv.NewPostgresServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	pool, err := postgres.Open(ctx, testenv.ServerURL(srv))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	b := botenv.NewWith(t, pool, testenv.NewRedisClient(t))
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	seen := b.Do(t, testenv.Slash(testenv.Member("carol"), "setup roles", testenv.RoleOpt("student", "900000000000000014")))
	if !strings.Contains(seen.Text(), "database can't be reached right now, so nothing was saved") {
		t.Fatalf("with Postgres down: %q", seen.Text())
	}
	if err := srv.Start(ctx); err != nil {
		t.Fatal(err)
	}
	seen = b.Do(t, testenv.Slash(testenv.Member("carol"), "setup roles", testenv.RoleOpt("student", "900000000000000014")))
	if !strings.Contains(seen.Text(), "Saved.") {
		t.Fatalf("after Postgres came back: %q", seen.Text())
	}
}

func TestWaitFinishesInflightInteractions(t *testing.T) {
	b := botenv.New(t)
	release, started := make(chan struct{}), make(chan struct{})
	b.Router.Routes.Command("/long", 0, func(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
		close(started)
		<-release
		return &discord.Reply{Content: "finished"}, nil
	})
	in := testenv.Slash(testenv.Member("bo"), "long")
	go b.Router.Dispatch(context.Background(), in, discord.RESTResponder{Session: b.Session, Interaction: in})
	<-started
	short, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := b.Router.Wait(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Wait returned %v while an interaction was in flight", err)
	}
	close(release)
	ctx, cancel2 := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel2()
	if err := b.Router.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if text := b.Seen(t, in).Text(); !strings.Contains(text, "finished") {
		t.Fatalf("in-flight interaction lost its answer: %q", text)
	}
}

func TestCommandDefinitionsAreValidForDiscord(t *testing.T) {
	b := botenv.New(t)
	cmds := discord.ApplicationCommands(b.Catalog, features.All(discord.Deps{}))
	if _, err := b.Session.ApplicationCommandBulkOverwrite(testenv.AppID, "900000000000000001", cmds); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Session.ApplicationCommandBulkOverwrite(testenv.AppID, "", cmds); err != nil {
		t.Fatal(err)
	}
	for _, c := range cmds {
		if c.NameLocalizations == nil || (*c.NameLocalizations)[discordgo.ChineseCN] == "" || (*c.DescriptionLocalizations)[discordgo.ChineseCN] == "" {
			t.Errorf("/%s lacks a zh-CN localization", c.Name)
		}
		for _, o := range c.Options {
			if o.NameLocalizations[discordgo.ChineseCN] == "" || o.DescriptionLocalizations[discordgo.ChineseCN] == "" {
				t.Errorf("/%s %s lacks a zh-CN localization", c.Name, o.Name)
			}
		}
	}
}

// A member whose DMs were closed finds what they missed at the top of their next reply, once.
func TestMissedDMsLeadTheNextReply(t *testing.T) {
	b := botenv.New(t)
	bo := testenv.Member("bo")
	if _, err := b.Pool.Exec(context.Background(), `
		INSERT INTO notifications (guild_id, dedup_key, user_id, message_key, data, status)
		VALUES ($1, 'test:missed', $2, 'note.app_rejected', '{"ID": 7, "Title": "Welder", "Enterprise": "Acme", "Reason": "Too far"}', 'undeliverable')`,
		demo.GuildID, bo.ID); err != nil {
		t.Fatal(err)
	}
	b.Service.ForgetMember(context.Background(), demo.GuildID, bo.ID) // as the outbox does
	first := b.Do(t, testenv.Slash(bo, "help"))
	if !strings.HasPrefix(first.Data.Content, "I couldn't DM you these updates") || !strings.Contains(first.Data.Content, "Welder") ||
		!strings.Contains(first.Text(), "`/help`") {
		t.Fatalf("next reply: %q", first.Text())
	}
	if again := b.Do(t, testenv.Slash(bo, "help")); strings.Contains(again.Text(), "couldn't DM") {
		t.Fatalf("missed DMs shown twice: %q", again.Text())
	}
}

// A burst of autocompletes beyond their own limit gets empty suggestions at once, without
// reading the member from the database or running the handler, and leaves commands alone.
func TestAutocompleteBurstIsLimitedApartFromCommands(t *testing.T) {
	b := botenv.New(t)
	b.Router.RateLimit = redis.PerPeriod(3, time.Minute)
	b.Router.AutocompleteLimit = redis.PerPeriod(5, time.Minute)
	actors, handled := 0, 0
	resolve := b.Router.Actors
	b.Router.Actors = func(ctx context.Context, guildID string, m placement.Member, locale string) (placement.Actor, error) {
		actors++
		return resolve(ctx, guildID, m, locale)
	}
	b.Router.Routes.Autocomplete("/find", 0, func(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
		handled++
		return &discord.Reply{Choices: []*discordgo.ApplicationCommandOptionChoice{{Name: "found", Value: "found"}}}, nil
	})
	bo := testenv.Member("bo")
	for i := range 20 {
		start := time.Now()
		choices := b.Choices(t, testenv.Autocomplete(bo, "find", testenv.StringOpt("q", strings.Repeat("a", i+1))))
		if i < 5 && len(choices) != 1 {
			t.Fatalf("autocomplete %d within the limit: %d choices", i, len(choices))
		}
		if i >= 5 && (len(choices) != 0 || time.Since(start) > 500*time.Millisecond) {
			t.Fatalf("autocomplete %d over the limit: %d choices after %v", i, len(choices), time.Since(start))
		}
	}
	if actors != 5 || handled != 5 {
		t.Fatalf("over the limit the member was read %d times and the handler ran %d times, want 5 and 5", actors, handled)
	}
	if got := counter(t, b, "/find", "refused"); got != 15 {
		t.Errorf("refused autocompletes counted %v, want 15", got)
	}
	for i := range 3 {
		if text := b.Do(t, testenv.Slash(bo, "help")).Text(); !strings.Contains(text, "`/help`") {
			t.Fatalf("command %d after an autocomplete burst: %q", i, text)
		}
	}
	if text := b.Do(t, testenv.Slash(bo, "help")).Text(); !strings.Contains(text, "bit fast") {
		t.Fatalf("commands keep their own limit: %q", text)
	}
	if choices := b.Choices(t, testenv.Autocomplete(testenv.Member("li"), "find", testenv.StringOpt("q", "a"))); len(choices) != 1 {
		t.Fatalf("another member's autocomplete was limited too: %d choices", len(choices))
	}
}

// A route with its own timeout works past the router's and still edits its deferred reply;
// other routes keep the router's bound.
func TestRouteTimeoutOutlastsTheRoutersBound(t *testing.T) {
	b := botenv.New(t)
	b.Router.Timeout = 50 * time.Millisecond
	b.Router.Routes.Add(discord.Route{Kind: discord.KindCommand, Pattern: "/long", Defer: true, Timeout: time.Minute,
		Handler: func(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
			// Outlive the router's own bound: this context must still be alive after it.
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(200 * time.Millisecond):
			}
			return &discord.Reply{Content: "published"}, nil
		}})
	b.Router.Routes.Command("/short", 0, func(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
		deadline, _ := ctx.Deadline()
		if left := time.Until(deadline); left > 50*time.Millisecond {
			return nil, errors.New("the router's bound was not applied")
		}
		return &discord.Reply{Content: "quick"}, nil
	})
	seen := b.Do(t, testenv.Slash(testenv.Member("bo"), "long"))
	if len(seen.Edits) != 1 || seen.Edits[0].Content != "published" {
		t.Fatalf("long route: first %d, edits %+v, want the deferral edited with its reply", seen.Type, seen.Edits)
	}
	if seen := b.Do(t, testenv.Slash(testenv.Member("bo"), "short")); !strings.Contains(seen.Text(), "quick") {
		t.Fatalf("short route: %q", seen.Text())
	}
}
