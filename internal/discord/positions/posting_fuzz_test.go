package positions

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"placementbot/internal/demo"
	"placementbot/internal/discord"
	"placementbot/internal/i18n"
	"placementbot/internal/placement"
	"placementbot/internal/testenv"
)

// Whatever a forged form puts in a draft, its preview, its refusal and its forms are messages
// Discord accepts, in both languages, as the router sends them.
func FuzzDraftPreviewFitsDiscord(f *testing.F) {
	catalog, err := i18n.Load()
	if err != nil {
		f.Fatal(err)
	}
	alice := testenv.Member("alice")
	mem := &memSessions{m: map[string][]byte{}}
	svc := &placement.Service{Now: time.Now}
	rs := &discord.Routes{}
	feature{svc: svc, sessions: mem, claims: memClaims{}}.Register(rs)
	router := &discord.Router{
		Routes: rs, T: catalog.T, Locale: i18n.Match, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		DeferAfter: time.Minute, Timeout: time.Minute,
		Actors: func(_ context.Context, guildID string, m placement.Member, locale string) (placement.Actor, error) {
			return placement.Actor{GuildID: guildID, UserID: m.UserID, Roles: placement.RoleMentor, EnterpriseIDs: []int64{1}, Locale: locale}, nil
		},
	}

	f.Add("Welder", "Weld.", "cnc, cad", "mechatronics", "Suzhou", "2", "2026-09-01", "", "Acme", false)
	f.Add("**x** @everyone", "# h\n> q", strings.Repeat("s,", 600), strings.Repeat("[p]", 300), strings.Repeat("_", 60), "abc", "next monday", strings.Repeat("`", 60), "", true)
	f.Add("t", "", strings.Repeat("<@1>", 30), "", "", "1", "", "", "", false)
	long := strings.Repeat("*_~`|<>[]", 450)
	f.Add(long, long, long, long, long, long, long, long, long, true)
	f.Fuzz(func(t *testing.T, title, desc, skills, programs, location, slots, date, stipend, enterprise string, remote bool) {
		bound := func(s string) string { return string([]rune(s)[:min(utf8.RuneCountInString(s), draftFieldMax)]) }
		dr := postingDraft{Owner: alice.ID, Guild: demo.GuildID, EnterpriseID: 1, Enterprise: bound(enterprise), In: placement.PositionInput{
			Title: bound(title), Description: bound(desc), Skills: bound(skills), Programs: bound(programs), Location: bound(location),
			Slots: bound(slots), Start: bound(date), End: bound(date), Deadline: bound(date), Stipend: bound(stipend), Remote: remote,
		}}
		// Publishing a draft that parses would need a store; the refusal is what is fuzzed.
		_, invalid := dr.In.Parse(svc.Now())
		for _, lang := range []discordgo.Locale{discordgo.EnglishUS, discordgo.ChineseCN} {
			press := func(action string) *discordgo.InteractionResponse {
				in := testenv.Button(alice, "/draft/AAAAAAAAAA/"+action)
				in.Locale = lang
				if err := mem.Put(context.Background(), draftKind, "AAAAAAAAAA", dr, time.Minute); err != nil {
					t.Fatal(err)
				}
				rsp := &lastResponse{}
				router.Dispatch(context.Background(), in, rsp)
				if rsp.resp == nil {
					t.Fatalf("%s: no response", action)
				}
				return rsp.resp
			}
			actions := []string{"remote"}
			if invalid != nil {
				actions = append(actions, "publish")
			}
			for _, action := range actions {
				resp := press(action)
				if resp.Type != discordgo.InteractionResponseUpdateMessage {
					t.Fatalf("%s: type %d, want the preview:\n%s", action, resp.Type, resp.Data.Content)
				}
				draftMessageFits(t, resp.Data)
			}
			for _, action := range []string{"basics", "details"} {
				resp := press(action)
				if resp.Type != discordgo.InteractionResponseModal {
					t.Fatalf("%s: type %d, want a form:\n%s", action, resp.Type, resp.Data.Content)
				}
				draftModalFits(t, resp.Data)
			}
		}
	})
}

// draftMessageFits fails the test when a preview is not one or breaks one of Discord's message
// limits.
func draftMessageFits(t *testing.T, d *discordgo.InteractionResponseData) {
	t.Helper()
	n := utf8.RuneCountInString
	if n(d.Content) > 2000 || len(d.Embeds) != 1 {
		t.Fatalf("content of %d characters, %d embeds", n(d.Content), len(d.Embeds))
	}
	for _, e := range d.Embeds {
		total := n(e.Title) + n(e.Description)
		if n(e.Title) > 256 || n(e.Description) > 4096 || len(e.Fields) > 25 {
			t.Fatalf("embed title %d, description %d, %d fields", n(e.Title), n(e.Description), len(e.Fields))
		}
		for _, fl := range e.Fields {
			if n(fl.Name) > 256 || fl.Value == "" || n(fl.Value) > 1024 {
				t.Fatalf("field %q: value of %d characters", fl.Name, n(fl.Value))
			}
			total += n(fl.Name) + n(fl.Value)
		}
		if e.Footer != nil {
			total += n(e.Footer.Text)
		}
		if total > 6000 {
			t.Fatalf("embed of %d characters", total)
		}
	}
	if len(d.Components) > 5 {
		t.Fatalf("%d rows", len(d.Components))
	}
	publish := false
	for _, row := range d.Components {
		for _, c := range row.(discordgo.ActionsRow).Components {
			b, ok := c.(discordgo.Button)
			if ok && (len(b.CustomID) > 100 || n(b.Label) > 80) {
				t.Fatalf("button %q %q", b.CustomID, b.Label)
			}
			publish = publish || ok && b.CustomID == "/draft/AAAAAAAAAA/publish"
		}
	}
	if !publish {
		t.Fatalf("no Publish button: not the preview\n%s", d.Content)
	}
}

// draftModalFits fails the test when a form breaks one of Discord's modal limits.
func draftModalFits(t *testing.T, d *discordgo.InteractionResponseData) {
	t.Helper()
	n := utf8.RuneCountInString
	if len(d.Components) != 5 || len(d.CustomID) > 100 || n(d.Title) > 45 {
		t.Fatalf("modal %q: %d inputs, title %q", d.CustomID, len(d.Components), d.Title)
	}
	for _, row := range d.Components {
		in := row.(discordgo.ActionsRow).Components[0].(discordgo.TextInput)
		if n(in.Value) > in.MaxLength || n(in.Label) > 45 || n(in.Placeholder) > 100 {
			t.Fatalf("input %s: value %d of %d, label %q", in.CustomID, n(in.Value), in.MaxLength, in.Label)
		}
	}
}

// memSessions keeps sessions in memory, as JSON like the Redis store does.
type memSessions struct {
	mu sync.Mutex
	m  map[string][]byte
	n  int
}

func (s *memSessions) Put(_ context.Context, kind, key string, v any, _ time.Duration) error {
	b, err := json.Marshal(v)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[kind+":"+key] = b
	return err
}

func (s *memSessions) Get(_ context.Context, kind, key string, v any) (bool, error) {
	s.mu.Lock()
	b, ok := s.m[kind+":"+key]
	s.mu.Unlock()
	if !ok {
		return false, nil
	}
	return true, json.Unmarshal(b, v)
}

func (s *memSessions) Touch(_ context.Context, kind, key string, _ time.Duration) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.m[kind+":"+key]
	return ok, nil
}

func (s *memSessions) Delete(_ context.Context, kind, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, kind+":"+key)
	return nil
}

func (s *memSessions) NewKey() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	return "k" + strconv.Itoa(s.n)
}

// memClaims hands out every key: the fuzz publishes each draft revision once.
type memClaims struct{}

func (memClaims) Claim(context.Context, string, time.Duration) (bool, error) { return true, nil }
func (memClaims) Release(context.Context, string) error                      { return nil }

// lastResponse is a transport that keeps the initial response.
type lastResponse struct {
	resp *discordgo.InteractionResponse
}

func (l *lastResponse) Respond(_ context.Context, resp *discordgo.InteractionResponse) error {
	l.resp = resp
	return nil
}
func (l *lastResponse) EditOriginal(context.Context, *discordgo.WebhookEdit) error { return nil }
func (l *lastResponse) Followup(context.Context, *discordgo.WebhookParams) error   { return nil }
