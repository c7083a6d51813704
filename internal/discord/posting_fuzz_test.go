package discord

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"placementbot/internal/i18n"
	"placementbot/internal/placement"
)

// Whatever a forged form puts in a draft, its preview is a message Discord accepts.
func FuzzDraftPreviewFitsDiscord(f *testing.F) {
	catalog, err := i18n.Load()
	if err != nil {
		f.Fatal(err)
	}
	h := postingHandlers{svc: &placement.Service{Now: time.Now}}
	f.Add("Welder", "Weld.", "cnc, cad", "mechatronics", "Suzhou", "2", "2026-09-01", "", "Acme", false)
	f.Add("**x** @everyone", "# h\n> q", strings.Repeat("s,", 600), strings.Repeat("[p]", 300), strings.Repeat("_", 60), "abc", "next monday", strings.Repeat("`", 60), "", true)
	long := strings.Repeat("*_~`|<>[]", 450)
	f.Add(long, long, long, long, long, long, long, long, long, true)
	f.Fuzz(func(t *testing.T, title, desc, skills, programs, location, slots, date, stipend, enterprise string, remote bool) {
		bound := func(s string) string { return string([]rune(s)[:min(utf8.RuneCountInString(s), draftFieldMax)]) }
		dr := postingDraft{EnterpriseID: 1, Enterprise: bound(enterprise), In: placement.PositionInput{
			Title: bound(title), Description: bound(desc), Skills: bound(skills), Programs: bound(programs), Location: bound(location),
			Slots: bound(slots), Start: bound(date), End: bound(date), Deadline: bound(date), Stipend: bound(stipend), Remote: remote,
		}}
		for _, lang := range i18n.Languages {
			r := &Request{Locale: lang, t: catalog.T}
			for _, refused := range []error{nil, placement.Errorf(placement.EINVALID, "err.list_item_too_long", map[string]any{"Field": "skills", "Item": bound(skills), "Max": 40})} {
				draftReplyFits(t, h.preview(r, "AAAAAAAAAA", dr, refused))
			}
			for _, m := range []*Modal{draftBasicsModal(r, "AAAAAAAAAA", dr, "update"), draftDetailsModal(r, "AAAAAAAAAA", dr)} {
				if len(m.Inputs) > 5 || len(m.CustomID) > 100 || utf8.RuneCountInString(m.Title) > 45 {
					t.Fatalf("modal %q: %d inputs, title %q", m.CustomID, len(m.Inputs), m.Title)
				}
				for _, in := range m.Inputs {
					if utf8.RuneCountInString(in.Value) > in.MaxLength || utf8.RuneCountInString(in.Label) > 45 || utf8.RuneCountInString(in.Placeholder) > 100 {
						t.Fatalf("input %s: value %d of %d, label %q", in.CustomID, utf8.RuneCountInString(in.Value), in.MaxLength, in.Label)
					}
				}
			}
		}
	})
}

// draftReplyFits fails the test when a reply breaks one of Discord's message limits.
func draftReplyFits(t *testing.T, reply *Reply) {
	t.Helper()
	n := utf8.RuneCountInString
	if n(reply.Content) > 2000 {
		t.Fatalf("content of %d characters", n(reply.Content))
	}
	for _, e := range reply.Embeds {
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
	if len(reply.Components) > 5 {
		t.Fatalf("%d rows", len(reply.Components))
	}
	for _, row := range reply.Components {
		for _, c := range row.(discordgo.ActionsRow).Components {
			if b, ok := c.(discordgo.Button); ok && (len(b.CustomID) > 100 || n(b.Label) > 80) {
				t.Fatalf("button %q %q", b.CustomID, b.Label)
			}
		}
	}
}
