package console

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"placementbot/internal/demo"
	"placementbot/internal/discord"
	"placementbot/internal/discord/ui"
)

// chartReply shows a 1300-byte "chart" in its embed and attaches a CSV beside it.
func chartReply() *discord.Reply {
	return &discord.Reply{
		Content: "Placements by week",
		Embeds:  []*discordgo.MessageEmbed{{Title: "Placements", Image: &discordgo.MessageEmbedImage{URL: "attachment://chart.png"}}},
		Files: []*discordgo.File{
			{Name: "chart.png", ContentType: "image/png", Reader: bytes.NewReader(make([]byte, 1300))},
			{Name: "placements.csv", ContentType: "text/csv", Reader: strings.NewReader("name,company\n")},
		},
	}
}

func TestFilesAreListedAndSaved(t *testing.T) {
	rs := &discord.Routes{}
	rs.Command("/card", 0, func(context.Context, *discord.Request) (*discord.Reply, error) { return chartReply(), nil })
	w := newWatchWriter("")
	c := New(newRouter(t, rs), testCommands(), demo.School(), strings.NewReader("as coordinator\n/card\n"), w, false)
	c.FilesDir = t.TempDir()
	if err := c.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	out := w.String()
	wantAll(t, out, "  Placements by week\n  | Placements\n  | [image: 📎 chart.png]\n  📎 chart.png (1.3 KB), shown in the embed, saved as "+c.FilesDir,
		"\n  📎 placements.csv (13 B), saved as "+c.FilesDir)
	saved, err := filepath.Glob(filepath.Join(c.FilesDir, "*-placements.csv"))
	if err != nil || len(saved) != 1 {
		t.Fatalf("saved files %v %v", saved, err)
	}
	if b, err := os.ReadFile(saved[0]); err != nil || string(b) != "name,company\n" {
		t.Errorf("saved CSV %q %v", b, err)
	}
}

func TestFilesInTheEditAfterADeferral(t *testing.T) {
	w := newWatchWriter("thinking…")
	rs := &discord.Routes{}
	rs.Command("/slow", 0, func(ctx context.Context, _ *discord.Request) (*discord.Reply, error) {
		select {
		case <-w.seen:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		return chartReply(), nil
	})
	r := newRouter(t, rs)
	r.DeferAfter = time.Nanosecond
	out := run(t, r, testCommands(), "as coordinator\n/slow\n", w)
	wantAll(t, out, "PlacementBot (updated, only you can see this):\n  Placements by week\n  | Placements\n  | [image: 📎 chart.png]\n  📎 chart.png (1.3 KB), shown in the embed\n  📎 placements.csv (13 B)\n")
}

func TestShowWithFiles(t *testing.T) {
	w := newWatchWriter("")
	c := New(newRouter(t, &discord.Routes{}), nil, demo.School(), strings.NewReader(""), w, false)
	c.Show("DM to @bo", "Your certificate", nil, nil, []*discordgo.File{{Name: "certificate.pdf", Reader: bytes.NewReader(make([]byte, 3<<20))}})
	wantAll(t, w.String(), "DM to @bo:\n  Your certificate\n  📎 certificate.pdf (3.0 MB)\n")
}

func TestEditsKeepOrReplaceFiles(t *testing.T) {
	m := &message{}
	m.attach(true, false, nil, []attachment{{id: "1", name: "a.png"}})
	m.attach(false, false, nil, nil) // an edit of the text alone keeps the file
	if len(m.files) != 1 {
		t.Fatalf("files after a text edit: %+v", m.files)
	}
	m.attach(false, false, nil, []attachment{{id: "2", name: "b.png"}}) // new files replace it
	if len(m.files) != 1 || m.files[0].name != "b.png" {
		t.Fatalf("files after an edit with a file: %+v", m.files)
	}
	m.attach(false, true, []*discordgo.MessageAttachment{{ID: "2"}}, []attachment{{id: "3", name: "c.png"}})
	if len(m.files) != 2 || m.files[0].name != "b.png" || m.files[1].name != "c.png" {
		t.Fatalf("files after an edit keeping b.png: %+v", m.files)
	}
}

// Escaped member text reads as a Discord client shows it: no backslashes, no mention made of an
// escaped one, and @everyone as plain text.
func TestShowReadsEscapesAsDiscordDoes(t *testing.T) {
	w := newWatchWriter("")
	c := New(newRouter(t, &discord.Routes{}), nil, demo.School(), strings.NewReader(""), w, false)
	c.Show("DM to @bo", ui.Escape("electrician (junior) <@&1> @everyone [a](b)")+" <@"+demo.School().Members[0].ID+">", nil, nil, nil)
	wantAll(t, w.String(), "electrician (junior) <@&1> @everyone [a](b) @"+demo.School().Members[0].Name)
}
