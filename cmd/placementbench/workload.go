package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"

	"placementbot/internal/placement"
	"placementbot/internal/postgres"
)

// workload builds the interactions students send.
type workload struct {
	c       *client
	sz      sizes
	pages   chan page    // browse messages whose Next button a later request presses
	applied atomic.Int64 // applications sent so far, across phases
}

type page struct {
	student  int64
	customID string
}

var skillWords = []string{"cnc", "welding", "python", "food safety", "plc", "accounting", "nursing", "logistics"}

func (w *workload) student(n int64) int64 { return n % int64(w.sz.students) }

func interaction(student int64, typ discordgo.InteractionType, data map[string]any) []byte {
	return interactionAs(strconv.FormatInt(studentBase+student, 10), studentRoleID, typ, data)
}

// interactionAs is an interaction by a member holding one role, as Discord sends it.
func interactionAs(userID, roleID string, typ discordgo.InteractionType, data map[string]any) []byte {
	id := 700000000000000000 + interactionSeq.Add(1)
	b, _ := json.Marshal(map[string]any{
		"id": strconv.FormatInt(id, 10), "application_id": "800000000000000001", "type": typ, "token": "t" + strconv.FormatInt(id, 10),
		"version": 1, "guild_id": guildID, "channel_id": "950000000000000023", "locale": "en-US", "data": data,
		"message": map[string]any{"id": "500000000000000001", "channel_id": "950000000000000023"},
		"member":  map[string]any{"user": map[string]any{"id": userID, "username": "member"}, "roles": []string{roleID}, "permissions": "0"},
	})
	return b
}

func slash(student int64, name, sub string, opts ...map[string]any) []byte {
	return interaction(student, discordgo.InteractionApplicationCommand, map[string]any{
		"id": "600000000000000001", "name": name, "type": 1,
		"options": []any{map[string]any{"name": sub, "type": 1, "options": opts}},
	})
}

func str(name, v string) map[string]any { return map[string]any{"name": name, "type": 3, "value": v} }

// browseFilter varies the filters like real students do: skill, keyword, program, or none.
func browseFilter(n int64) []map[string]any {
	switch n % 4 {
	case 0:
		return []map[string]any{str("skill", skillWords[n%int64(len(skillWords))])}
	case 1:
		return []map[string]any{str("keyword", "technician")}
	case 2:
		return []map[string]any{str("program", "mechatronics")}
	}
	return nil
}

// expect checks that a reply is the answer asked for, not a polite refusal: an error message
// still comes back as HTTP 200.
func expect(body []byte, err error, marker string) error {
	if err != nil {
		return err
	}
	if !bytes.Contains(body, []byte(marker)) {
		return fmt.Errorf("unexpected reply (no %q): %.300s", marker, body)
	}
	return nil
}

func (w *workload) browse(ctx context.Context, n int64) error {
	s := w.student(n)
	body, err := w.c.post(ctx, slash(s, "positions", "browse", browseFilter(n)...))
	if err := expect(body, err, `"custom_id":"/browse/`); err != nil {
		return err
	}
	if w.pages != nil {
		if m := nextKey.FindSubmatch(body); m != nil {
			select {
			case w.pages <- page{s, string(m[1])}:
			default:
			}
		}
	}
	return nil
}

func (w *workload) browseOp() op { return op{"browse", w.browse} }

// searchFilters are the searches that go beyond whole words: Chinese keywords of one, two and
// three characters, a partial Latin word, and partial locations in both scripts.
var searchFilters = []placement.PositionFilter{
	{Keyword: "厨房"}, {Keyword: "工"}, {Keyword: "技术员"}, {Keyword: "tech"}, {Keyword: "库存"},
	{Location: "苏州"}, {Location: "Suz"},
}

// searchOp browses with searchFilters in turn.
func (w *workload) searchOp() op {
	return op{"search", func(ctx context.Context, n int64) error {
		var opts []map[string]any
		switch f := searchFilters[n%int64(len(searchFilters))]; {
		case f.Keyword != "":
			opts = append(opts, str("keyword", f.Keyword))
		default:
			opts = append(opts, str("location", f.Location))
		}
		body, err := w.c.post(ctx, slash(w.student(n), "positions", "browse", opts...))
		return expect(body, err, `"custom_id":"/browse/`)
	}}
}

func (w *workload) ops() []op {
	w.pages = make(chan page, 4096)
	return []op{
		{"browse", w.browse},
		{"next", func(ctx context.Context, n int64) error {
			select {
			case p := <-w.pages:
				body, err := w.c.post(ctx, interaction(p.student, discordgo.InteractionMessageComponent,
					map[string]any{"custom_id": p.customID, "component_type": 2}))
				return expect(body, err, `"custom_id":"/browse/`)
			default:
				return w.browse(ctx, n)
			}
		}},
		{"recommended", func(ctx context.Context, n int64) error {
			body, err := w.c.post(ctx, slash(w.student(n), "positions", "recommended"))
			return expect(body, err, `"custom_id":"/recommended/open"`)
		}},
		{"view", func(ctx context.Context, n int64) error {
			id := 1 + (n*7919)%int64(w.sz.positions)
			body, err := w.c.post(ctx, slash(w.student(n), "positions", "view", str("position", strconv.FormatInt(id, 10))))
			return expect(body, err, fmt.Sprintf("#%d", id))
		}},
		{"apply", func(ctx context.Context, n int64) error {
			// Continue each student's seeded sequence of positions (see seed), so every
			// application is to a position the student has not applied to yet.
			k := w.applied.Add(1) - 1
			s := k % int64(w.sz.students)
			j := int64(w.sz.applications/w.sz.students) + k/int64(w.sz.students)
			id := 1 + (s*13+j*9973)%int64(w.sz.positions)
			if id%10 == 9 {
				id-- // every tenth position is closed (see seed)
			}
			body, err := w.c.post(ctx, interaction(s, discordgo.InteractionModalSubmit, map[string]any{
				"custom_id": fmt.Sprintf("/apply/%d/submit", id),
				"components": []any{map[string]any{"type": 1, "components": []any{map[string]any{
					"type": 4, "custom_id": motivationInput, "value": "I trained on this kind of work for two years and want to learn on the job."}}}},
			}))
			return expect(body, err, `"custom_id":"/application/`)
		}},
	}
}

// motivationInput is the custom_id of the apply modal's text input.
const motivationInput = "motivation"

// baseline is the least an endpoint must do for a browse: check the signature, read the
// interaction, run the same browse query and answer with a page of the same shape.
type baseline struct {
	store *postgres.Store
	key   ed25519.PublicKey
}

func (b *baseline) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	sig, _ := hex.DecodeString(r.Header.Get("X-Signature-Ed25519"))
	ts := r.Header.Get("X-Signature-Timestamp")
	if len(sig) != ed25519.SignatureSize || !ed25519.Verify(b.key, append([]byte(ts), body...), sig) {
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var in discordgo.Interaction
	if err := json.Unmarshal(body, &in); err != nil {
		http.Error(w, "bad json", http.StatusBadRequest)
		return
	}
	var f placement.PositionFilter
	for _, o := range in.ApplicationCommandData().Options[0].Options {
		switch v, _ := o.Value.(string); o.Name {
		case "skill":
			f.Skill = v
		case "keyword":
			f.Keyword = v
		case "program":
			f.Program = v
		}
	}
	page, err := b.store.BrowsePositions(r.Context(), in.GuildID, f, 0, placement.PageSize, time.Now().UTC().Truncate(24*time.Hour))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	lines, opts := "", []discordgo.SelectMenuOption{}
	for _, p := range page.Positions {
		lines += fmt.Sprintf("**%s** — %s · %s · %d left\n", p.Title, p.EnterpriseName, p.Location, p.SlotsLeft())
		opts = append(opts, discordgo.SelectMenuOption{Label: p.Title, Value: strconv.FormatInt(p.ID, 10)})
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(discordgo.InteractionResponse{Type: 4, Data: &discordgo.InteractionResponseData{
		Flags: discordgo.MessageFlagsEphemeral, Embeds: []*discordgo.MessageEmbed{{Title: "Positions", Description: lines}},
		Components: []discordgo.MessageComponent{
			discordgo.ActionsRow{Components: []discordgo.MessageComponent{discordgo.SelectMenu{CustomID: "/browse/0000000000/open", Options: opts}}},
			discordgo.ActionsRow{Components: []discordgo.MessageComponent{discordgo.Button{Label: "Next", CustomID: "/browse/0000000000/next"}}},
		},
		AllowedMentions: &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}},
	}})
}
