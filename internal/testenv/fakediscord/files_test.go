package fakediscord

import (
	"bytes"
	"image"
	"image/png"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"
)

// channelMessage is a channel message create body with an attachments list; discordgo's
// MessageSend has no such field.
type channelMessage struct {
	Content         string                            `json:"content,omitempty"`
	Embeds          []*discordgo.MessageEmbed         `json:"embeds,omitempty"`
	Components      []discordgo.MessageComponent      `json:"components,omitempty"`
	Attachments     []*discordgo.MessageAttachment    `json:"attachments,omitempty"`
	AllowedMentions *discordgo.MessageAllowedMentions `json:"allowed_mentions"`
}

// listFiles is the attachments list for files sent as files[0], files[1], ... in this order.
func listFiles(names ...string) []*discordgo.MessageAttachment {
	out := make([]*discordgo.MessageAttachment, len(names))
	for i, n := range names {
		out[i] = &discordgo.MessageAttachment{ID: string(rune('0' + i)), Filename: n}
	}
	return out
}

// postFiles creates a channel message with files through discordgo's multipart encoding.
func postFiles(s *discordgo.Session, channelID string, msg channelMessage, files ...*discordgo.File) error {
	ct, body, err := discordgo.MultipartBodyWithJSON(msg, files)
	if err != nil {
		return err
	}
	ep := discordgo.EndpointChannelMessages(channelID)
	_, err = s.RequestRaw("POST", ep, ct, body, ep, 0)
	return err
}

func pngBytes(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 2, 2))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func chartFile(data []byte) *discordgo.File {
	return &discordgo.File{Name: "chart.png", ContentType: "image/png", Reader: bytes.NewReader(data)}
}

func chartEmbed() []*discordgo.MessageEmbed {
	return []*discordgo.MessageEmbed{{
		Title:     "Placements by week",
		Image:     &discordgo.MessageEmbedImage{URL: "attachment://chart.png"},
		Thumbnail: &discordgo.MessageEmbedThumbnail{URL: "attachment://chart.png"},
	}}
}

func TestFilesAccepted(t *testing.T) {
	fake := New(t)
	s := fake.Session("Bot x")
	data := pngBytes(t)

	if err := postFiles(s, ChannelID, channelMessage{Embeds: chartEmbed(), Attachments: listFiles("chart.png"), AllowedMentions: noMentions()}, chartFile(data)); err != nil {
		t.Fatalf("channel message: %v", err)
	}
	calls := fake.CallsTo("POST", RouteChannelMessages)
	if len(calls) != 1 || len(calls[0].Files) != 1 {
		t.Fatalf("recorded calls %+v", calls)
	}
	if f := calls[0].Files[0]; f.Field != "files[0]" || f.Name != "chart.png" || f.ContentType != "image/png" || !bytes.Equal(f.Data, data) {
		t.Errorf("recorded file %s %s %s %d bytes", f.Field, f.Name, f.ContentType, len(f.Data))
	}

	in := &discordgo.Interaction{ID: "1300000000000000002", AppID: ApplicationID, Token: "files-token"}
	list := listFiles("chart.png")
	if err := s.InteractionRespond(in, &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Embeds: chartEmbed(), Files: []*discordgo.File{chartFile(data)}, Attachments: &list,
			Flags: discordgo.MessageFlagsEphemeral, AllowedMentions: noMentions()},
	}); err != nil {
		t.Fatalf("initial response: %v", err)
	}
	embeds := chartEmbed()
	edited, err := s.InteractionResponseEdit(in, &discordgo.WebhookEdit{Embeds: &embeds, Files: []*discordgo.File{chartFile(data)}, Attachments: &list, AllowedMentions: noMentions()})
	if err != nil {
		t.Fatalf("edit of @original: %v", err)
	}
	if len(edited.Attachments) != 1 || edited.Attachments[0].Filename != "chart.png" || edited.Attachments[0].Size != len(data) {
		t.Fatalf("edited message attachments %+v, want only the new chart.png", edited.Attachments)
	}
	// An edit that keeps the attachment by its id may still show it, without sending it again.
	keep := []*discordgo.MessageAttachment{{ID: edited.Attachments[0].ID, Filename: "chart.png"}}
	kept, err := s.InteractionResponseEdit(in, &discordgo.WebhookEdit{Embeds: &embeds, Attachments: &keep, AllowedMentions: noMentions()})
	if err != nil {
		t.Fatalf("edit keeping the chart: %v", err)
	}
	if len(kept.Attachments) != 1 || kept.Attachments[0].ID != edited.Attachments[0].ID {
		t.Errorf("kept attachments %+v", kept.Attachments)
	}
	// An empty list drops it.
	text, none := "No chart this week", []*discordgo.MessageAttachment{}
	cleared, err := s.InteractionResponseEdit(in, &discordgo.WebhookEdit{Content: &text, Embeds: &[]*discordgo.MessageEmbed{}, Attachments: &none, AllowedMentions: noMentions()})
	if err != nil {
		t.Fatalf("edit dropping the chart: %v", err)
	}
	if len(cleared.Attachments) != 0 {
		t.Errorf("attachments after an empty list %+v", cleared.Attachments)
	}
	// An UPDATE_MESSAGE callback may carry an empty list too.
	if err := s.InteractionRespond(interaction, &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseUpdateMessage,
		Data: &discordgo.InteractionResponseData{Content: text, Attachments: &none, AllowedMentions: noMentions()},
	}); err != nil {
		t.Fatalf("update with an empty attachments list: %v", err)
	}
	followup, err := s.FollowupMessageCreate(in, true, &discordgo.WebhookParams{Embeds: chartEmbed(), Files: []*discordgo.File{chartFile(data)},
		Attachments: listFiles("chart.png"), Flags: discordgo.MessageFlagsEphemeral, AllowedMentions: noMentions()})
	if err != nil {
		t.Fatalf("follow-up: %v", err)
	}
	if len(followup.Attachments) != 1 || followup.Attachments[0].URL == "" {
		t.Errorf("follow-up attachments %+v", followup.Attachments)
	}
	if vs := fake.Violations(); len(vs) != 0 {
		t.Fatalf("valid file messages were refused: %v", vs)
	}
}

func TestFileMismatchesRefused(t *testing.T) {
	data := pngBytes(t)
	csv := &discordgo.File{Name: "report.csv", ContentType: "text/csv", Reader: strings.NewReader("a,b\n")}
	tests := []struct {
		name  string
		msg   channelMessage
		files []*discordgo.File
		want  []string
	}{
		{"missing attachment entry", channelMessage{Content: "chart"}, []*discordgo.File{chartFile(data)},
			[]string{"files[0] (chart.png) have no entry in attachments"}},
		{"extra entry", channelMessage{Content: "chart", Attachments: listFiles("chart.png", "other.png")}, []*discordgo.File{chartFile(data)},
			[]string{`attachment entry with id "1"`, "no file part files[1]"}},
		{"wrong id", channelMessage{Content: "chart", Attachments: []*discordgo.MessageAttachment{{ID: "1", Filename: "chart.png"}}}, []*discordgo.File{chartFile(data)},
			[]string{`attachment ids ["1"] do not match the file parts files[0] (chart.png)`}},
		{"attachment:// naming an unsent file", channelMessage{Attachments: listFiles("chart.png"),
			Embeds: []*discordgo.MessageEmbed{{Title: "t", Image: &discordgo.MessageEmbedImage{URL: "attachment://other.png"}}}},
			[]*discordgo.File{chartFile(data)}, []string{"/embeds/0/image/url", `no file named "other.png"`}},
		{"non-image attachment:// reference", channelMessage{Attachments: listFiles("report.csv"),
			Embeds: []*discordgo.MessageEmbed{{Title: "t", Footer: &discordgo.MessageEmbedFooter{Text: "f", IconURL: "attachment://report.csv"}}}},
			[]*discordgo.File{csv}, []string{"/embeds/0/footer/icon_url", "only png, jpg, jpeg, webp and gif"}},
		{"non-ASCII filename", channelMessage{Content: "chart", Attachments: listFiles("图表.png")},
			[]*discordgo.File{{Name: "图表.png", ContentType: "image/png", Reader: bytes.NewReader(data)}}, []string{`"图表.png"`, "outside printable ASCII"}},
		{"file over 10 MiB", channelMessage{Content: "chart", Attachments: listFiles("chart.png")},
			[]*discordgo.File{chartFile(make([]byte, MaxFileSize+1))}, []string{"10485761 bytes", "10 MiB"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fake := New(t)
			tc.msg.AllowedMentions = noMentions()
			err := postFiles(fake.Session("Bot x"), ChannelID, tc.msg, tc.files...)
			expectRefused(t, fake, err, tc.want...)
		})
	}
}

func TestFilesRefusedOnEdits(t *testing.T) {
	fake := New(t)
	s := fake.Session("Bot x")
	in := &discordgo.Interaction{ID: "1300000000000000003", AppID: ApplicationID, Token: "edit-token"}
	content := "no chart yet"
	if _, err := s.InteractionResponseEdit(in, &discordgo.WebhookEdit{Content: &content, AllowedMentions: noMentions()}); err != nil {
		t.Fatal(err)
	}
	// Keeping an attachment the message does not have.
	keep := []*discordgo.MessageAttachment{{ID: "1300000000000000999", Filename: "chart.png"}}
	_, err := s.InteractionResponseEdit(in, &discordgo.WebhookEdit{Content: &content, Attachments: &keep, AllowedMentions: noMentions()})
	expectRefused(t, fake, err, `id "1300000000000000999"`, "edited message has no attachment with that id")

	// Files with a deferral, which carries no message.
	err = s.InteractionRespond(interaction, &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral, Files: []*discordgo.File{chartFile(pngBytes(t))}},
	})
	expectRefused(t, fake, err, "sent with a request that carries no message")
}
