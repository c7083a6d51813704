package outbox_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"placementbot/internal/outbox"
	"placementbot/internal/placement"
	"placementbot/internal/testenv/fakediscord"
)

func chartPNG(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 8, 8))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// attachFiles stores files with a queued notification, in order, as the store writes them.
func (e *env) attachFiles(id int64, files ...placement.File) {
	e.t.Helper()
	for i, f := range files {
		e.exec(`INSERT INTO notification_files (guild_id, notification_id, ord, name, content_type, data) VALUES ($1, $2, $3, $4, $5, $6)`,
			guildID, id, i, f.Name, f.ContentType, f.Data)
	}
}

// checkFiles asserts that a message POST carried exactly files, as files[0..] listed in
// attachments with the same ids and names.
func checkFiles(t *testing.T, c fakediscord.Call, files ...placement.File) {
	t.Helper()
	var body struct {
		Attachments []struct {
			ID       string `json:"id"`
			Filename string `json:"filename"`
		} `json:"attachments"`
	}
	if err := c.Decode(&body); err != nil {
		t.Fatal(err)
	}
	if len(c.Files) != len(files) || len(body.Attachments) != len(files) {
		t.Fatalf("%d file parts and %d attachment entries, want %d", len(c.Files), len(body.Attachments), len(files))
	}
	for i, f := range files {
		got := c.Files[i]
		if got.Index != i || got.Name != f.Name || got.ContentType != f.ContentType || !bytes.Equal(got.Data, f.Data) {
			t.Errorf("file %d: %s %q %s with %d bytes, want %q %s with %d bytes", i, got.Field, got.Name, got.ContentType, len(got.Data), f.Name, f.ContentType, len(f.Data))
		}
		if a := body.Attachments[i]; a.ID != strconv.Itoa(got.Index) || a.Filename != f.Name {
			t.Errorf("attachment %d is %+v for %s", i, a, got.Field)
		}
	}
}

func TestDMWithFilesIsMultipartAndRetriedWhole(t *testing.T) {
	e := newEnv(t)
	w := e.worker(nil)
	id := e.insert(offer("files", studentEN))
	files := []placement.File{
		{Name: "offer.csv", ContentType: "text/csv", Data: []byte("\ufeffposition,enterprise\nData analyst intern,Harbour Logistics\n")},
		{Name: "chart.png", ContentType: "image/png", Data: chartPNG(t)},
	}
	e.attachFiles(id, files...)
	e.fake.FailNext("POST", fakediscord.RouteChannelMessages, http.StatusInternalServerError, `{"message":"500: Internal Server Error","code":0}`)

	runOnce(t, e.ctx, w, 1)
	e.clock.Advance(5 * time.Second)
	runOnce(t, e.ctx, w, 1)

	calls := e.fake.CallsTo("POST", fakediscord.RouteChannelMessages)
	if len(calls) != 2 {
		t.Fatalf("%d message POSTs, want the failed one and its retry", len(calls))
	}
	for _, c := range calls {
		checkFiles(t, c, files...)
	}
	ms := e.messages()
	if ms[1].Nonce != nonceOf(id) || !ms[1].EnforceNonce || ms[1].Content == "" {
		t.Errorf("message %+v, want the offer text with its nonce", ms[1])
	}
	if s := e.state(id); s.Status != "sent" || s.Attempts != 2 {
		t.Errorf("row %+v, want sent at attempt 2", s)
	}
}

func TestChannelPostWithFile(t *testing.T) {
	e := newEnv(t)
	s := outbox.DiscordSender{Session: e.fake.Session("Bot test")}
	file := placement.File{Name: "chart.png", ContentType: "image/png", Data: chartPNG(t)}
	if err := s.Send(e.ctx, outbox.Message{ChannelID: channel, Content: "Weekly placements", Files: []placement.File{file}, Nonce: "outbox-1"}); err != nil {
		t.Fatalf("send: %v", err)
	}
	calls := e.fake.CallsTo("POST", fakediscord.RouteChannelMessages)
	if len(calls) != 1 || calls[0].Params["channel_id"] != channel {
		t.Fatalf("calls %+v", calls)
	}
	checkFiles(t, calls[0], file)
}

func TestConsoleSenderShowsFiles(t *testing.T) {
	out := &recorder{}
	file := placement.File{Name: "certificate.pdf", ContentType: "application/pdf", Data: []byte("%PDF-1.7")}
	m := outbox.Message{UserID: "1", Content: "Your certificate", Files: []placement.File{file}}
	if err := (outbox.ConsoleSender{Out: out}).Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	if len(out.files) != 1 || out.files[0].Name != "certificate.pdf" || out.files[0].ContentType != "application/pdf" {
		t.Fatalf("files shown %+v", out.files)
	}
	if b, err := io.ReadAll(out.files[0].Reader); err != nil || string(b) != "%PDF-1.7" {
		t.Errorf("file content %q %v", b, err)
	}
}
