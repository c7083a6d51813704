// Package botenv assembles a whole bot for tests: real Postgres and Redis from testenv, the
// real router and handlers, and a strict fake Discord that every reply goes through.
package botenv

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	goredis "github.com/redis/go-redis/v9"

	"placementbot/internal/demo"
	"placementbot/internal/discord"
	"placementbot/internal/discord/features"
	"placementbot/internal/i18n"
	"placementbot/internal/placement"
	"placementbot/internal/postgres"
	"placementbot/internal/redis"
	"placementbot/internal/testenv"
	"placementbot/internal/testenv/fakediscord"
)

// Bot is the bot under test.
type Bot struct {
	Router   *discord.Router
	Service  *placement.Service
	Store    *postgres.Store
	Pool     *pgxpool.Pool
	Redis    goredis.UniversalClient
	Discord  *fakediscord.Server
	Session  *discordgo.Session
	Catalog  *i18n.Catalog
	Registry *prometheus.Registry
	Logs     *Logs
}

// Logs collects the bot's JSON log lines.
type Logs struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *Logs) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// String returns everything logged so far.
func (l *Logs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// New builds a bot on a fresh database and Redis, with the demo school's setup loaded.
func New(t testing.TB) *Bot {
	t.Helper()
	pool := testenv.NewPool(t)
	rdb := testenv.NewRedisClient(t)
	return NewWith(t, pool, rdb)
}

// NewWith builds a bot on the given database and Redis (for tests that stop them).
func NewWith(t testing.TB, pool *pgxpool.Pool, rdb goredis.UniversalClient) *Bot {
	t.Helper()
	catalog, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	fake := fakediscord.New(t)
	store := postgres.NewStore(pool)
	svc := placement.NewService(store)
	svc.Facts = redis.NewFactsCache(rdb, "test:", time.Minute)
	logs := &Logs{}
	goredis.SetLogger(discardRedisLog{})
	reg := prometheus.NewRegistry()
	deps := discord.Deps{
		Service: svc, Catalog: catalog, Log: slog.New(slog.NewJSONHandler(logs, nil)), Metrics: discord.NewMetrics(reg),
		Limiter: redis.NewRateLimiter(rdb, "test:"), Claims: redis.NewIdempotency(rdb, "test:"),
		Sessions: redis.NewSessions(rdb, "test:"),
	}
	router := discord.NewRouter(deps, features.All(deps))
	router.Members = DemoMembers
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := demo.SeedSetup(ctx, svc, demo.School()); err != nil {
		t.Fatal(err)
	}
	return &Bot{Router: router, Service: svc, Store: store, Pool: pool, Redis: rdb, Discord: fake,
		Session: fake.Session("Bot test"), Catalog: catalog, Registry: reg, Logs: logs}
}

// DemoMembers looks members of the demo server up with their roles, as Discord's REST API
// answers for buttons pressed in DMs.
func DemoMembers(_ context.Context, guildID, userID string) (*discordgo.Member, error) {
	if guildID != demo.GuildID {
		return nil, discord.ErrNotMember
	}
	for _, m := range demo.School().Members {
		if m.ID == userID {
			return &discordgo.Member{User: &discordgo.User{ID: m.ID, Username: m.Name}, Roles: m.RoleIDs}, nil
		}
	}
	return nil, discord.ErrNotMember
}

// Do dispatches the interaction as the gateway transport does (answers over REST to the fake
// Discord) and returns what the member ends up seeing.
func (b *Bot) Do(t testing.TB, in *discordgo.Interaction) Seen {
	t.Helper()
	b.Router.Dispatch(context.Background(), in, discord.RESTResponder{Session: b.Session, Interaction: in})
	return b.Seen(t, in)
}

// Seen is the state of one interaction's answer as Discord holds it.
type Seen struct {
	Type      discordgo.InteractionResponseType
	Data      Message // the initial response's data
	Edits     []Message
	Followups []Message
}

// Message is a message body the bot sent, with its components decoded to discordgo's types.
type Message struct {
	Content         string
	Embeds          []*discordgo.MessageEmbed
	Components      []discordgo.MessageComponent
	Flags           discordgo.MessageFlags
	AllowedMentions *discordgo.MessageAllowedMentions
	CustomID        string // modals
	Title           string // modals
}

// UnmarshalJSON decodes components through discordgo's component decoder.
func (m *Message) UnmarshalJSON(b []byte) error {
	var raw struct {
		Content         *string                           `json:"content"`
		Embeds          []*discordgo.MessageEmbed         `json:"embeds"`
		Components      []json.RawMessage                 `json:"components"`
		Flags           discordgo.MessageFlags            `json:"flags"`
		AllowedMentions *discordgo.MessageAllowedMentions `json:"allowed_mentions"`
		CustomID        string                            `json:"custom_id"`
		Title           string                            `json:"title"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*m = Message{Embeds: raw.Embeds, Flags: raw.Flags, AllowedMentions: raw.AllowedMentions, CustomID: raw.CustomID, Title: raw.Title}
	if raw.Content != nil {
		m.Content = *raw.Content
	}
	for _, c := range raw.Components {
		mc, err := discordgo.MessageComponentFromJSON(c)
		if err != nil {
			return err
		}
		m.Components = append(m.Components, mc)
	}
	return nil
}

// Text is everything the member reads: content, embed titles, descriptions and fields,
// button labels, of the initial response, edits and follow-ups.
func (s Seen) Text() string {
	var b strings.Builder
	for _, m := range append(append([]Message{s.Data}, s.Edits...), s.Followups...) {
		b.WriteString(m.Content + "\n")
		for _, e := range m.Embeds {
			b.WriteString(e.Title + "\n" + e.Description + "\n")
			for _, f := range e.Fields {
				b.WriteString(f.Name + ": " + f.Value + "\n")
			}
		}
		for _, c := range m.Components {
			if row, ok := c.(*discordgo.ActionsRow); ok {
				for _, x := range row.Components {
					if btn, ok := x.(*discordgo.Button); ok {
						b.WriteString("[" + btn.Label + "]\n")
					}
				}
			}
		}
	}
	return b.String()
}

// Ephemeral reports whether the initial response (or its deferral) is visible only to the member.
func (s Seen) Ephemeral() bool { return s.Data.Flags&discordgo.MessageFlagsEphemeral != 0 }

// Seen collects the fake Discord's record of the interaction's answers.
func (b *Bot) Seen(t testing.TB, in *discordgo.Interaction) Seen {
	t.Helper()
	var s Seen
	for _, c := range b.Discord.Calls() {
		switch {
		case strings.HasPrefix(c.Path, "/interactions/"+in.ID+"/"):
			var resp struct {
				Type discordgo.InteractionResponseType `json:"type"`
				Data *Message                          `json:"data"`
			}
			mustDecode(t, c, &resp)
			s.Type = resp.Type
			if resp.Data != nil {
				s.Data = *resp.Data
			}
		case c.Path == "/webhooks/"+in.AppID+"/"+in.Token+"/messages/@original":
			var m Message
			mustDecode(t, c, &m)
			s.Edits = append(s.Edits, m)
		case c.Path == "/webhooks/"+in.AppID+"/"+in.Token && c.Method == "POST":
			var m Message
			mustDecode(t, c, &m)
			s.Followups = append(s.Followups, m)
		}
	}
	return s
}

func mustDecode(t testing.TB, c fakediscord.Call, v any) {
	t.Helper()
	if err := c.Decode(v); err != nil {
		t.Fatalf("decode %s %s: %v", c.Method, c.Path, err)
	}
}

// discardRedisLog silences go-redis's dial errors in tests that stop Redis on purpose.
type discardRedisLog struct{}

func (discardRedisLog) Printf(context.Context, string, ...any) {}

// Discard is a logger for tests that do not read logs.
func Discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// Choices dispatches an autocomplete interaction and returns the suggestions, failing the test
// unless the answer is an autocomplete result.
func (b *Bot) Choices(t testing.TB, in *discordgo.Interaction) []*discordgo.ApplicationCommandOptionChoice {
	t.Helper()
	b.Router.Dispatch(context.Background(), in, discord.RESTResponder{Session: b.Session, Interaction: in})
	for _, c := range b.Discord.Calls() {
		if !strings.HasPrefix(c.Path, "/interactions/"+in.ID+"/") {
			continue
		}
		var resp struct {
			Type discordgo.InteractionResponseType `json:"type"`
			Data struct {
				Choices []*discordgo.ApplicationCommandOptionChoice `json:"choices"`
			} `json:"data"`
		}
		mustDecode(t, c, &resp)
		if resp.Type != discordgo.InteractionApplicationCommandAutocompleteResult {
			t.Fatalf("autocomplete answered with type %d", resp.Type)
		}
		return resp.Data.Choices
	}
	t.Fatal("no answer to the autocomplete")
	return nil
}

// WaitRedis polls until the bot's Redis client answers again after a restart: the client
// waits up to a second before dialling again after failed dials.
func (b *Bot) WaitRedis(t testing.TB) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := b.Redis.Ping(ctx).Err()
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("Redis did not come back: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
