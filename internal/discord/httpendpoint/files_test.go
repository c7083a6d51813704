package httpendpoint_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"mime"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"placementbot/internal/discord"
	"placementbot/internal/testenv"
	"placementbot/internal/testenv/botenv"
	"placementbot/internal/testenv/fakediscord"
)

// chartPNG is a small PNG image standing in for a report chart.
func chartPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 40, 20))
	for x := range 40 {
		img.Set(x, 20-x/2-1, color.RGBA{R: 200, A: 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// chartReply answers with the chart as a file that its embed shows. It is built for each
// answer because a file's reader can be read only once.
func chartReply(data []byte) *discord.Reply {
	return &discord.Reply{
		Content: "Placements by week",
		Embeds:  []*discordgo.MessageEmbed{{Title: "Placements", Image: &discordgo.MessageEmbedImage{URL: "attachment://chart.png"}}},
		Files:   []*discordgo.File{{Name: "chart.png", ContentType: "image/png", Reader: bytes.NewReader(data)}},
	}
}

// slowChart registers /slowchart, whose handler waits until the router has acknowledged for it.
func slowChart(b *botenv.Bot, data []byte) {
	b.Router.DeferAfter = 10 * time.Millisecond
	release := make(chan struct{})
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		b.Discord.WaitForCalls(ctx, "POST", fakediscord.RouteInteractionCallback, 1)
		close(release)
	}()
	b.Router.Routes.Command("/slowchart", 0, func(ctx context.Context, _ *discord.Request) (*discord.Reply, error) {
		select {
		case <-release:
		case <-ctx.Done():
		}
		return chartReply(data), nil
	})
}

// onlyCall returns the one recorded call with this method and route.
func onlyCall(t *testing.T, fake *fakediscord.Server, method, route string) fakediscord.Call {
	t.Helper()
	calls := fake.CallsTo(method, route)
	if len(calls) != 1 {
		t.Fatalf("%d %s %s calls, want 1", len(calls), method, route)
	}
	return calls[0]
}

// checkChart asserts that the call carried the chart as files[0], listed as attachment "0".
func checkChart(t *testing.T, c fakediscord.Call, data []byte) {
	t.Helper()
	if len(c.Files) != 1 {
		t.Fatalf("%s %s carried %d files, want the chart", c.Method, c.Path, len(c.Files))
	}
	if f := c.Files[0]; f.Field != "files[0]" || f.Name != "chart.png" || f.ContentType != "image/png" || !bytes.Equal(f.Data, data) {
		t.Errorf("file %s %q %s with %d bytes, want files[0] chart.png image/png with %d bytes", f.Field, f.Name, f.ContentType, len(f.Data), len(data))
	}
	type attachment struct {
		ID       string `json:"id"`
		Filename string `json:"filename"`
	}
	var body struct {
		Attachments []attachment `json:"attachments"`
		Data        struct {
			Attachments []attachment `json:"attachments"`
		} `json:"data"`
	}
	if err := c.Decode(&body); err != nil {
		t.Fatal(err)
	}
	list := body.Attachments
	if list == nil {
		list = body.Data.Attachments
	}
	if len(list) != 1 || list[0] != (attachment{"0", "chart.png"}) {
		t.Errorf("attachments %+v, want the chart as id 0", list)
	}
}

func TestFilesThroughTheGateway(t *testing.T) {
	b := botenv.New(t)
	data := chartPNG(t)
	b.Router.Routes.Command("/chart", 0, func(context.Context, *discord.Request) (*discord.Reply, error) {
		return chartReply(data), nil
	})
	in := testenv.Slash(testenv.Member("bo"), "chart")
	b.Do(t, in)
	checkChart(t, onlyCall(t, b.Discord, "POST", fakediscord.RouteInteractionCallback), data)

	// A follow-up with files gets its attachments list from the responder.
	msg := chartReply(data)
	err := discord.RESTResponder{Session: b.Session, Interaction: in}.Followup(context.Background(), &discordgo.WebhookParams{
		Content: msg.Content, Embeds: msg.Embeds, Files: msg.Files, Flags: discordgo.MessageFlagsEphemeral, AllowedMentions: discord.NoMentions(),
	})
	if err != nil {
		t.Fatalf("follow-up: %v", err)
	}
	checkChart(t, onlyCall(t, b.Discord, "POST", fakediscord.RouteWebhook), data)
}

func TestFilesInTheEditAfterADeferral(t *testing.T) {
	b := botenv.New(t)
	data := chartPNG(t)
	slowChart(b, data)
	in := testenv.Slash(testenv.Member("bo"), "slowchart")
	seen := b.Do(t, in)
	if seen.Type != discordgo.InteractionResponseDeferredChannelMessageWithSource {
		t.Fatalf("first response type %d, want a deferral", seen.Type)
	}
	checkChart(t, onlyCall(t, b.Discord, "PATCH", fakediscord.RouteOriginalMessage), data)
}

func TestFilesInTheHTTPReply(t *testing.T) {
	e := newEndpoint(t)
	data := chartPNG(t)
	e.Router.Routes.Command("/chart", 0, func(context.Context, *discord.Request) (*discord.Reply, error) {
		return chartReply(data), nil
	})
	in := testenv.Slash(testenv.Member("bo"), "chart")
	code, contentType, body := e.send(t, testenv.JSON(in), e.priv, time.Now(), true)
	if mt, _, _ := mime.ParseMediaType(contentType); code != 200 || mt != "multipart/form-data" {
		t.Fatalf("reply %d %s, want 200 multipart/form-data", code, contentType)
	}
	e.deliverAs(t, in, contentType, body)
	checkChart(t, onlyCall(t, e.Discord, "POST", fakediscord.RouteInteractionCallback), data)
}

func TestFilesAfterADeferralInTheHTTPReply(t *testing.T) {
	e := newEndpoint(t)
	data := chartPNG(t)
	slowChart(e.Bot, data)
	in := testenv.Slash(testenv.Member("bo"), "slowchart")
	code, contentType, body := e.send(t, testenv.JSON(in), e.priv, time.Now(), true)
	if code != 200 || contentType != "application/json" {
		t.Fatalf("reply %d %s %s, want a JSON deferral", code, contentType, body)
	}
	e.deliver(t, in, body)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	calls := e.Discord.WaitForCalls(ctx, "PATCH", fakediscord.RouteOriginalMessage, 1)
	if len(calls) == 1 {
		checkChart(t, calls[0], data)
	}
}
