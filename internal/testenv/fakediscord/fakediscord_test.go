package fakediscord

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
)

// noMentions is the allowed_mentions every bot message carries in these tests.
func noMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// interaction is the interaction the REST tests answer; its id is a snowflake as the
// callback route requires.
var interaction = &discordgo.Interaction{ID: "1300000000000000001", AppID: ApplicationID, Token: "interaction-token"}

func buttonRow(buttons ...discordgo.MessageComponent) discordgo.ActionsRow {
	return discordgo.ActionsRow{Components: buttons}
}

func respondWith(s *discordgo.Session, comps []discordgo.MessageComponent) error {
	return s.InteractionRespond(interaction, &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{
			Content:         "Pick one",
			Components:      comps,
			Flags:           discordgo.MessageFlagsEphemeral,
			AllowedMentions: noMentions(),
		},
	})
}

// expectRefused asserts that err is Discord's 400 Invalid Form Body and that exactly one
// violation was recorded whose text contains every one of want.
func expectRefused(t *testing.T, fake *Server, err error, want ...string) {
	t.Helper()
	var rest *discordgo.RESTError
	if !errors.As(err, &rest) {
		t.Fatalf("discordgo returned %v, want a REST error", err)
	}
	if rest.Response.StatusCode != http.StatusBadRequest || rest.Message == nil || rest.Message.Code != 50035 {
		t.Errorf("answer %d %s, want 400 with code 50035", rest.Response.StatusCode, rest.ResponseBody)
	}
	vs := fake.TakeViolations()
	if len(vs) != 1 {
		t.Fatalf("got %d violations, want exactly 1: %v", len(vs), vs)
	}
	text := vs[0].String()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("violation %q does not mention %q", text, w)
		}
	}
}

func TestRouteConstantsAreSpecOperations(t *testing.T) {
	spec, err := loadSpec()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ method, route string }{
		{"POST", RouteInteractionCallback}, {"POST", RouteWebhook}, {"PATCH", RouteOriginalMessage},
		{"PATCH", RouteWebhookMessage}, {"POST", RouteChannelMessages}, {"PATCH", RouteChannelMessage},
		{"POST", RouteUserChannels}, {"PUT", RouteGlobalCommands}, {"PUT", RouteGuildCommands},
		{"GET", RouteGateway}, {"GET", RouteGatewayBot}, {"GET", RouteCurrentUser}, {"GET", RouteCurrentApplication},
	} {
		if spec.operation(c.method, c.route) == nil {
			t.Errorf("%s %s is not in the description", c.method, c.route)
		}
	}
}

func TestRoutingPrefersLiteralSegments(t *testing.T) {
	spec, err := loadSpec()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ method, path, route string }{
		{"POST", "/interactions/1/tok/callback", RouteInteractionCallback},
		{"PATCH", "/webhooks/1/tok/messages/@original", RouteOriginalMessage},
		{"PATCH", "/webhooks/1/tok/messages/2", RouteWebhookMessage},
		{"POST", "/webhooks/1/tok", RouteWebhook},
		{"POST", "/users/@me/channels", RouteUserChannels},
		{"GET", "/users/@me", RouteCurrentUser},
		{"GET", "/users/5", "/users/{user_id}"},
		{"PUT", "/applications/1/commands", RouteGlobalCommands},
		{"PUT", "/applications/1/guilds/2/commands", RouteGuildCommands},
		{"GET", "/gateway/bot", RouteGatewayBot},
	} {
		op, _, _ := spec.match(c.method, c.path)
		if op == nil || op.route != c.route {
			t.Errorf("%s %s matched %v, want %s", c.method, c.path, op, c.route)
		}
	}
}

func TestCustomIDLength(t *testing.T) {
	fake := New(t)
	s := fake.Session("Bot x")

	err := respondWith(s, []discordgo.MessageComponent{buttonRow(discordgo.Button{Label: "Apply", Style: discordgo.PrimaryButton, CustomID: strings.Repeat("a", 101)})})
	expectRefused(t, fake, err, "custom_id", "maxLength", "/interactions/"+interaction.ID+"/interaction-token/callback", RouteInteractionCallback)

	if err := respondWith(s, []discordgo.MessageComponent{buttonRow(discordgo.Button{Label: "Apply", Style: discordgo.PrimaryButton, CustomID: strings.Repeat("a", 100)})}); err != nil {
		t.Fatalf("100-character custom_id refused: %v", err)
	}
	if vs := fake.Violations(); len(vs) != 0 {
		t.Fatalf("100-character custom_id: %v", vs)
	}
	calls := fake.CallsTo("POST", RouteInteractionCallback)
	if len(calls) != 2 || calls[0].Status != http.StatusBadRequest || calls[1].Status != http.StatusNoContent {
		t.Fatalf("recorded calls %+v", calls)
	}
	// discordgo cannot unmarshal its own InteractionResponseData (components are interfaces),
	// so tests decode into their own shapes.
	var resp struct {
		Type int `json:"type"`
		Data struct {
			Content string `json:"content"`
			Flags   int    `json:"flags"`
		} `json:"data"`
	}
	if err := calls[1].Decode(&resp); err != nil {
		t.Fatal(err)
	}
	if resp.Type != 4 || resp.Data.Content != "Pick one" || resp.Data.Flags != 64 {
		t.Fatalf("decoded %+v", resp)
	}
}

func TestComponentLimits(t *testing.T) {
	row := func() discordgo.MessageComponent {
		return buttonRow(discordgo.Button{Label: "ok", Style: discordgo.SecondaryButton, CustomID: "x"})
	}
	var sixRows []discordgo.MessageComponent
	for i := range 6 {
		sixRows = append(sixRows, buttonRow(discordgo.Button{Label: "ok", Style: discordgo.SecondaryButton, CustomID: fmt.Sprint("row", i)}))
	}
	var options []discordgo.SelectMenuOption
	for i := range 26 {
		options = append(options, discordgo.SelectMenuOption{Label: fmt.Sprint("Option ", i), Value: fmt.Sprint(i)})
	}
	tests := []struct {
		name  string
		comps []discordgo.MessageComponent
		want  []string
	}{
		{"6 action rows", sixRows, []string{"6 action rows", "components"}},
		{"26 select options", []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.SelectMenu{CustomID: "pick", Placeholder: "Choose", Options: options},
		}}}, []string{"/data/components/0/components/0/options", "maxItems"}},
		{"81-character label", []discordgo.MessageComponent{buttonRow(discordgo.Button{Label: strings.Repeat("L", 81), Style: discordgo.PrimaryButton, CustomID: "x"})},
			[]string{"/data/components/0/components/0/label", "maxLength: got 81, want 80"}},
		{"6 buttons in a row", []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
			discordgo.Button{Label: "1", CustomID: "1"}, discordgo.Button{Label: "2", CustomID: "2"}, discordgo.Button{Label: "3", CustomID: "3"},
			discordgo.Button{Label: "4", CustomID: "4"}, discordgo.Button{Label: "5", CustomID: "5"}, discordgo.Button{Label: "6", CustomID: "6"},
		}}}, []string{"/data/components/0/components", "maxItems"}},
		{"duplicate custom_id", []discordgo.MessageComponent{row(), row()}, []string{`custom_id "x" is used by more than one component`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fake := New(t)
			err := respondWith(fake.Session("Bot x"), tc.comps)
			expectRefused(t, fake, err, tc.want...)
		})
	}
}

func TestAllowedMentions(t *testing.T) {
	send := func(s *discordgo.Session, am *discordgo.MessageAllowedMentions) error {
		_, err := s.ChannelMessageSendComplex(ChannelID, &discordgo.MessageSend{Content: "Hello <@1>", AllowedMentions: am})
		return err
	}
	t.Run("missing", func(t *testing.T) {
		fake := New(t)
		expectRefused(t, fake, send(fake.Session("Bot x"), nil), "allowed_mentions is missing")
	})
	t.Run("parse null from an empty struct", func(t *testing.T) {
		fake := New(t)
		err := send(fake.Session("Bot x"), &discordgo.MessageAllowedMentions{})
		expectRefused(t, fake, err, "allowed_mentions.parse is null", `"parse":null`)
	})
	t.Run("everyone", func(t *testing.T) {
		fake := New(t)
		err := send(fake.Session("Bot x"), &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{discordgo.AllowedMentionTypeEveryone}})
		expectRefused(t, fake, err, `contains "everyone"`)
	})
	t.Run("roles", func(t *testing.T) {
		fake := New(t)
		err := send(fake.Session("Bot x"), &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{discordgo.AllowedMentionTypeRoles}})
		expectRefused(t, fake, err, `contains "roles"`)
	})
	t.Run("empty parse", func(t *testing.T) {
		fake := New(t)
		if err := send(fake.Session("Bot x"), noMentions()); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("users", func(t *testing.T) {
		fake := New(t)
		if err := send(fake.Session("Bot x"), &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{discordgo.AllowedMentionTypeUsers}}); err != nil {
			t.Fatal(err)
		}
	})
}

func TestValidPayloadsAccepted(t *testing.T) {
	fake := New(t)
	s := fake.Session("Bot x")

	// An ephemeral reply with an embed and a button.
	err := s.InteractionRespond(interaction, &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{
			Content: "Here is the slot you asked about.",
			Flags:   discordgo.MessageFlagsEphemeral,
			Embeds: []*discordgo.MessageEmbed{{
				Title:       "Backend intern at Acme",
				Description: "Three months, Berlin or remote.",
				Color:       0x2b6cb0,
				Timestamp:   time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC).Format(time.RFC3339),
				Fields: []*discordgo.MessageEmbedField{
					{Name: "Mentor", Value: "Ada", Inline: true},
					{Name: "Places", Value: "2 of 3 left", Inline: true},
				},
				Footer: &discordgo.MessageEmbedFooter{Text: "Page 1 of 3"},
			}},
			Components: []discordgo.MessageComponent{buttonRow(
				discordgo.Button{Label: "Apply", Style: discordgo.SuccessButton, CustomID: "apply:42"},
				discordgo.Button{Label: "Details", Style: discordgo.LinkButton, URL: "https://example.com/slots/42"},
			)},
			AllowedMentions: noMentions(),
		},
	})
	if err != nil {
		t.Fatalf("ephemeral message with embed and button: %v", err)
	}

	// A modal with a text input.
	err = s.InteractionRespond(&discordgo.Interaction{ID: "1300000000000000002", Token: "modal-token"}, &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseModal,
		Data: &discordgo.InteractionResponseData{
			CustomID: "apply_modal:42",
			Title:    "Apply to Backend intern",
			Components: []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
				discordgo.TextInput{CustomID: "motivation", Label: "Why this placement?", Style: discordgo.TextInputParagraph, Required: true, MinLength: 10, MaxLength: 1000, Placeholder: "A few sentences"},
			}}},
		},
	})
	if err != nil {
		t.Fatalf("modal: %v", err)
	}

	// A deferred reply, then the edit of @original that carries the content.
	if err := s.InteractionRespond(&discordgo.Interaction{ID: "1300000000000000003", Token: "deferred-token"}, &discordgo.InteractionResponse{
		Type: discordgo.InteractionResponseDeferredChannelMessageWithSource,
		Data: &discordgo.InteractionResponseData{Flags: discordgo.MessageFlagsEphemeral},
	}); err != nil {
		t.Fatalf("deferred reply: %v", err)
	}
	content := "Your application was saved."
	edited, err := s.InteractionResponseEdit(&discordgo.Interaction{AppID: ApplicationID, Token: "deferred-token"}, &discordgo.WebhookEdit{
		Content:         &content,
		Components:      &[]discordgo.MessageComponent{buttonRow(discordgo.Button{Label: "Withdraw", Style: discordgo.DangerButton, CustomID: "withdraw:42"})},
		AllowedMentions: noMentions(),
	})
	if err != nil {
		t.Fatalf("edit of @original: %v", err)
	}
	if edited.Content != content || edited.ID == "" || len(edited.Components) != 1 {
		t.Errorf("edited message %+v", edited)
	}

	// A followup.
	follow, err := s.FollowupMessageCreate(interaction, true, &discordgo.WebhookParams{Content: "One more thing", Flags: discordgo.MessageFlagsEphemeral, AllowedMentions: noMentions()})
	if err != nil || follow.Content != "One more thing" {
		t.Fatalf("followup: %v %+v", err, follow)
	}

	// A DM: open the channel, then post in it.
	ch, err := s.UserChannelCreate(UserID)
	if err != nil {
		t.Fatalf("create DM channel: %v", err)
	}
	if ch.Type != discordgo.ChannelTypeDM || ch.ID == "" || len(ch.Recipients) != 1 || ch.Recipients[0].ID != UserID {
		t.Errorf("DM channel %+v", ch)
	}
	again, err := s.UserChannelCreate(UserID)
	if err != nil || again.ID != ch.ID {
		t.Errorf("second DM channel %v, %v; want the same id %s", again, err, ch.ID)
	}
	msg, err := s.ChannelMessageSendComplex(ch.ID, &discordgo.MessageSend{
		Content:         "Your offer from Acme is waiting.",
		Embeds:          []*discordgo.MessageEmbed{{Title: "Offer", Description: "Accept by Friday."}},
		AllowedMentions: noMentions(),
	})
	if err != nil {
		t.Fatalf("DM message: %v", err)
	}
	if msg.ChannelID != ch.ID || msg.Content != "Your offer from Acme is waiting." || len(msg.Embeds) != 1 {
		t.Errorf("DM message %+v", msg)
	}

	// Command registration, with a subcommand and zh-CN localizations.
	perms := int64(discordgo.PermissionManageGuild)
	cmds := []*discordgo.ApplicationCommand{
		{
			Name:                     "slots",
			Description:              "Browse and manage placement slots",
			NameLocalizations:        &map[discordgo.Locale]string{discordgo.ChineseCN: "名额"},
			DescriptionLocalizations: &map[discordgo.Locale]string{discordgo.ChineseCN: "浏览和管理实习名额"},
			DefaultMemberPermissions: &perms,
			Contexts:                 &[]discordgo.InteractionContextType{discordgo.InteractionContextGuild},
			Options: []*discordgo.ApplicationCommandOption{
				{
					Type:                     discordgo.ApplicationCommandOptionSubCommand,
					Name:                     "list",
					Description:              "List open slots",
					NameLocalizations:        map[discordgo.Locale]string{discordgo.ChineseCN: "列表"},
					DescriptionLocalizations: map[discordgo.Locale]string{discordgo.ChineseCN: "列出开放的名额"},
					Options: []*discordgo.ApplicationCommandOption{
						{Type: discordgo.ApplicationCommandOptionString, Name: "skill", Description: "Filter by skill", Autocomplete: true},
					},
				},
				{
					Type:        discordgo.ApplicationCommandOptionSubCommand,
					Name:        "close",
					Description: "Close a slot",
					Options: []*discordgo.ApplicationCommandOption{
						{Type: discordgo.ApplicationCommandOptionInteger, Name: "slot", Description: "Slot number", Required: true},
						{Type: discordgo.ApplicationCommandOptionString, Name: "reason", Description: "Why", Choices: []*discordgo.ApplicationCommandOptionChoice{{Name: "Filled", Value: "filled"}, {Name: "Cancelled", Value: "cancelled"}}},
					},
				},
			},
		},
		{Name: "Report to coordinator", Type: discordgo.MessageApplicationCommand},
	}
	created, err := s.ApplicationCommandBulkOverwrite(ApplicationID, GuildID, cmds)
	if err != nil {
		t.Fatalf("bulk overwrite: %v", err)
	}
	if len(created) != 2 || created[0].ID == "" || created[0].GuildID != GuildID || created[0].Name != "slots" || len(created[0].Options) != 2 {
		t.Errorf("created commands %+v", created)
	}
	recreated, err := s.ApplicationCommandBulkOverwrite(ApplicationID, GuildID, cmds)
	if err != nil || recreated[0].ID != created[0].ID {
		t.Errorf("overwriting again changed the command id: %v %v", err, recreated)
	}
	if _, err := s.ApplicationCommandBulkOverwrite(ApplicationID, "", cmds); err != nil {
		t.Fatalf("global bulk overwrite: %v", err)
	}

	// A file upload goes as multipart with payload_json.
	if err := postFiles(s, ChannelID, channelMessage{
		Content:         "The evaluation form",
		Attachments:     listFiles("form.txt"),
		AllowedMentions: noMentions(),
	}, &discordgo.File{Name: "form.txt", ContentType: "text/plain", Reader: strings.NewReader("hello")}); err != nil {
		t.Fatalf("message with a file: %v", err)
	}

	if _, err := s.User("@me"); err != nil {
		t.Fatalf("GET /users/@me: %v", err)
	}

	if vs := fake.Violations(); len(vs) != 0 {
		t.Fatalf("valid payloads were refused: %v", vs)
	}
	if got := len(fake.CallsTo("PUT", RouteGuildCommands)); got != 2 {
		t.Errorf("guild command overwrites recorded: %d, want 2", got)
	}
	if c := fake.CallsTo("POST", RouteChannelMessages); len(c) != 2 || c[1].JSON.(map[string]any)["content"] != "The evaluation form" {
		t.Errorf("channel message calls %+v", c)
	}
}

// TestMoreDiscordgoPayloadsAccepted covers the other shapes a handler sends through discordgo,
// so the fake never refuses something real Discord takes.
func TestMoreDiscordgoPayloadsAccepted(t *testing.T) {
	fake := New(t)
	s := fake.Session("Bot x")
	one := 1
	respond := func(name string, typ discordgo.InteractionResponseType, data *discordgo.InteractionResponseData) {
		t.Helper()
		if err := s.InteractionRespond(interaction, &discordgo.InteractionResponse{Type: typ, Data: data}); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	respond("autocomplete", discordgo.InteractionApplicationCommandAutocompleteResult, &discordgo.InteractionResponseData{
		Choices: []*discordgo.ApplicationCommandOptionChoice{{Name: "Go", Value: "go"}, {Name: "Rust", Value: "rust"}},
	})
	respond("deferred update", discordgo.InteractionResponseDeferredMessageUpdate, nil)
	respond("update with selects", discordgo.InteractionResponseUpdateMessage, &discordgo.InteractionResponseData{
		Content: "Filter the slots",
		Components: []discordgo.MessageComponent{
			discordgo.ActionsRow{Components: []discordgo.MessageComponent{discordgo.SelectMenu{
				CustomID: "skills", Placeholder: "Skills", MinValues: &one, MaxValues: 2,
				Options: []discordgo.SelectMenuOption{
					{Label: "Go", Value: "go", Description: "Backend", Default: true},
					{Label: "Rust", Value: "rust", Emoji: &discordgo.ComponentEmoji{Name: "🦀"}},
				},
			}}},
			discordgo.ActionsRow{Components: []discordgo.MessageComponent{discordgo.SelectMenu{
				MenuType: discordgo.UserSelectMenu, CustomID: "mentor", Placeholder: "Mentor",
			}}},
			discordgo.ActionsRow{Components: []discordgo.MessageComponent{
				discordgo.Button{Label: "Previous", Style: discordgo.SecondaryButton, CustomID: "page:0", Disabled: true},
				discordgo.Button{Label: "Next", Style: discordgo.SecondaryButton, CustomID: "page:2", Emoji: &discordgo.ComponentEmoji{Name: "➡️"}},
			}},
		},
		AllowedMentions: noMentions(),
	})
	content := "Closed"
	if _, err := s.ChannelMessageEditComplex(&discordgo.MessageEdit{
		ID: "1300000000000000200", Channel: ChannelID, Content: &content,
		Components: &[]discordgo.MessageComponent{}, AllowedMentions: noMentions(),
	}); err != nil {
		t.Errorf("message edit: %v", err)
	}
	if err := s.ChannelMessageDelete(ChannelID, "1300000000000000200"); err != nil {
		t.Errorf("message delete: %v", err)
	}
	if err := s.InteractionResponseDelete(&discordgo.Interaction{AppID: ApplicationID, Token: "tok"}); err != nil {
		t.Errorf("delete @original: %v", err)
	}
	if vs := fake.Violations(); len(vs) != 0 {
		t.Fatalf("valid payloads were refused: %v", vs)
	}
}

func TestMultipartPayloadIsValidated(t *testing.T) {
	fake := New(t)
	var rows []discordgo.MessageComponent
	for i := range 6 {
		rows = append(rows, buttonRow(discordgo.Button{Label: "ok", CustomID: fmt.Sprint(i)}))
	}
	err := postFiles(fake.Session("Bot x"), ChannelID, channelMessage{
		Content:         "x",
		Components:      rows,
		Attachments:     listFiles("a.txt"),
		AllowedMentions: noMentions(),
	}, &discordgo.File{Name: "a.txt", Reader: strings.NewReader("a")})
	expectRefused(t, fake, err, "6 action rows")
}

func TestFailNext(t *testing.T) {
	fake := New(t)
	s := fake.Session("Bot x")
	fake.FailNext("POST", RouteChannelMessages, http.StatusForbidden, `{"code":50007,"message":"Cannot send messages to this user"}`)

	dm, err := s.UserChannelCreate(UserID)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.ChannelMessageSendComplex(dm.ID, &discordgo.MessageSend{Content: "hi", AllowedMentions: noMentions()})
	var rest *discordgo.RESTError
	if !errors.As(err, &rest) || rest.Response.StatusCode != http.StatusForbidden || rest.Message == nil || rest.Message.Code != discordgo.ErrCodeCannotSendMessagesToThisUser {
		t.Fatalf("got %v, want 403 with code 50007", err)
	}
	if _, err := s.ChannelMessageSendComplex(dm.ID, &discordgo.MessageSend{Content: "hi", AllowedMentions: noMentions()}); err != nil {
		t.Fatalf("FailNext applied twice: %v", err)
	}
}

func TestInvalidCallDoesNotUseUpFault(t *testing.T) {
	fake := New(t)
	s := fake.Session("Bot x")
	fake.FailNext("POST", RouteChannelMessages, http.StatusForbidden, `{"code":50007,"message":"Cannot send messages to this user"}`)
	_, err := s.ChannelMessageSendComplex(ChannelID, &discordgo.MessageSend{Content: "hi"})
	expectRefused(t, fake, err, "allowed_mentions")
	_, err = s.ChannelMessageSendComplex(ChannelID, &discordgo.MessageSend{Content: "hi", AllowedMentions: noMentions()})
	var rest *discordgo.RESTError
	if !errors.As(err, &rest) || rest.Response.StatusCode != http.StatusForbidden {
		t.Fatalf("got %v, want the queued 403", err)
	}
}

func TestSetResponse(t *testing.T) {
	fake := New(t)
	fake.SetResponse("GET", "/guilds/{guild_id}/members/{user_id}", http.StatusOK,
		`{"user":{"id":"`+UserID+`","username":"member"},"roles":["1400000000000000001"],"joined_at":"2024-01-01T00:00:00Z"}`)
	m, err := fake.Session("Bot x").GuildMember(GuildID, UserID)
	if err != nil || len(m.Roles) != 1 {
		t.Fatalf("GuildMember: %v %+v", err, m)
	}
}

// raw sends a request straight to the fake, for payloads discordgo would not build.
func raw(t *testing.T, fake *Server, method, path, contentType, body string, header ...string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, fake.URL()+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Authorization", "Bot x")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestRoutingViolations(t *testing.T) {
	tests := []struct {
		name, method, path string
		header             []string
		status             int
		want               string
	}{
		{"unknown path", "GET", "/no/such/route", nil, http.StatusNotFound, "no such route"},
		{"unknown method", "DELETE", "/gateway", nil, http.StatusMethodNotAllowed, "not the method DELETE"},
		{"bad snowflake", "POST", "/channels/general/messages", nil, http.StatusBadRequest, "channel_id"},
		{"empty snowflake", "GET", "/channels//messages/1", nil, http.StatusBadRequest, "channel_id"},
		{"no token", "GET", "/users/@me", []string{"Authorization", ""}, http.StatusUnauthorized, "Bot <token>"},
		{"token without Bot prefix", "GET", "/users/@me", []string{"Authorization", "abc.def"}, http.StatusUnauthorized, "Bot <token>"},
		{"bad boolean query", "GET", "/applications/1/commands?with_localizations=yes", nil, http.StatusBadRequest, "with_localizations"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fake := New(t)
			body := ""
			ct := ""
			if tc.method == "POST" {
				body, ct = `{"content":"x","allowed_mentions":{"parse":[]}}`, "application/json"
			}
			status, _ := raw(t, fake, tc.method, tc.path, ct, body, tc.header...)
			if status != tc.status {
				t.Errorf("status %d, want %d", status, tc.status)
			}
			vs := fake.TakeViolations()
			if len(vs) != 1 || !strings.Contains(vs[0].String(), tc.want) {
				t.Errorf("violations %v, want one mentioning %q", vs, tc.want)
			}
		})
	}
	t.Run("outside the REST base", func(t *testing.T) {
		fake := New(t)
		resp, err := http.Get(strings.TrimSuffix(fake.URL(), apiPrefix) + "/api/v9/gateway")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		vs := fake.TakeViolations()
		if resp.StatusCode != http.StatusNotFound || len(vs) != 1 || !strings.Contains(vs[0].Reason, "restbase.NewTransport") {
			t.Errorf("status %d, violations %v", resp.StatusCode, vs)
		}
	})
}

func TestExtraRules(t *testing.T) {
	const am = `"allowed_mentions":{"parse":[]}`
	callback := "/interactions/1300000000000000009/tok/callback"
	messages := "/channels/" + ChannelID + "/messages"
	tests := []struct {
		name, path, body string
		want             string // "" means accepted
	}{
		{"select shares its row", callback, `{"type":4,"data":{"content":"x",` + am + `,"components":[{"type":1,"components":[{"type":3,"custom_id":"s","options":[{"label":"a","value":"a"}]},{"type":2,"style":1,"label":"b","custom_id":"b"}]}]}}`, "select menu must be alone"},
		{"select max_values above options", callback, `{"type":4,"data":{"content":"x",` + am + `,"components":[{"type":1,"components":[{"type":3,"custom_id":"s","max_values":3,"options":[{"label":"a","value":"a"},{"label":"b","value":"b"}]}]}]}}`, "max_values 3 is more than its 2 option"},
		{"duplicate option values", callback, `{"type":4,"data":{"content":"x",` + am + `,"components":[{"type":1,"components":[{"type":3,"custom_id":"s","options":[{"label":"a","value":"a"},{"label":"b","value":"a"}]}]}]}}`, `value "a" is used twice`},
		{"link button without url", callback, `{"type":4,"data":{"content":"x",` + am + `,"components":[{"type":1,"components":[{"type":2,"style":5,"label":"b"}]}]}}`, "has no url"},
		{"button without custom_id", callback, `{"type":4,"data":{"content":"x",` + am + `,"components":[{"type":1,"components":[{"type":2,"style":1,"label":"b"}]}]}}`, "has no custom_id"},
		{"button without label", callback, `{"type":4,"data":{"content":"x",` + am + `,"components":[{"type":1,"components":[{"type":2,"style":1,"label":"","custom_id":"b"}]}]}}`, "neither a label nor an emoji"},
		{"top-level button", callback, `{"type":4,"data":{"content":"x",` + am + `,"components":[{"type":2,"style":1,"label":"b","custom_id":"b"}]}}`, "/data/components/0/type: component or payload type 2 is not one of"},
		{"top-level text display without V2", callback, `{"type":4,"data":{` + am + `,"components":[{"type":10,"content":"hi"}]}}`, "must be an action row"},
		{"type 4 without data", callback, `{"type":4}`, "needs data"},
		{"type 4 empty message", callback, `{"type":4,"data":{"content":"",` + am + `}}`, "Cannot send an empty message"},
		{"type 5 without allowed_mentions", callback, `{"type":5,"data":{"flags":64}}`, ""},
		{"type 6", callback, `{"type":6}`, ""},
		{"type 7 without allowed_mentions", callback, `{"type":7,"data":{"content":"x"}}`, "allowed_mentions is missing"},
		{"allowed_mentions null", callback, `{"type":4,"data":{"content":"x","allowed_mentions":null}}`, "allowed_mentions is null"},
		{"parse users with users list", messages, `{"content":"x","allowed_mentions":{"parse":["users"],"users":["1"]}}`, "both parse"},
		{"content over 2000", messages, `{"content":"` + strings.Repeat("a", 2001) + `",` + am + `}`, "2001 characters"},
		{"embeds over 6000", messages, `{` + am + `,"embeds":[{"description":"` + strings.Repeat("a", 4000) + `"},{"description":"` + strings.Repeat("a", 2001) + `"}]}`, "6001 characters"},
		{"components v2 with content", messages, `{"flags":32768,"content":"x",` + am + `,"components":[{"type":10,"content":"hi"}]}`, "IS_COMPONENTS_V2"},
		{"components v2", messages, `{"flags":32768,` + am + `,"components":[{"type":10,"content":"hi"},{"type":1,"components":[{"type":2,"style":1,"label":"b","custom_id":"b"}]}]}`, ""},
		{"modal with two inputs in a row", callback, `{"type":9,"data":{"custom_id":"m","title":"t","components":[{"type":1,"components":[{"type":4,"custom_id":"a","style":1,"label":"a"},{"type":4,"custom_id":"b","style":1,"label":"b"}]}]}}`, "exactly one text input"},
		{"modal with 6 rows", callback, `{"type":9,"data":{"custom_id":"m","title":"t","components":[` + strings.TrimSuffix(strings.Repeat(`{"type":1,"components":[{"type":4,"custom_id":"a","style":1,"label":"a"}]},`, 6), ",") + `]}}`, "6 top-level components"},
		{"modal min above max", callback, `{"type":9,"data":{"custom_id":"m","title":"t","components":[{"type":1,"components":[{"type":4,"custom_id":"a","style":1,"label":"a","min_length":10,"max_length":5}]}]}}`, "min_length 10 is greater"},
		{"modal title over 45", callback, `{"type":9,"data":{"custom_id":"m","title":"` + strings.Repeat("t", 46) + `","components":[{"type":1,"components":[{"type":4,"custom_id":"a","style":1,"label":"a"}]}]}}`, "/data/title"},
		{"embed url not a URL", messages, `{` + am + `,"embeds":[{"title":"t","url":"not a url"}]}`, "/embeds/0/url"},
		{"not JSON", messages, `{"content":`, "not valid JSON"},
		{"command name with capitals", "/applications/" + ApplicationID + "/commands", `[{"name":"Slots","description":"d"}]`, "lowercase"},
		{"command without description", "/applications/" + ApplicationID + "/commands", `[{"name":"slots"}]`, "needs a description"},
		{"required option after optional", "/applications/" + ApplicationID + "/commands", `[{"name":"slots","description":"d","options":[{"type":3,"name":"a","description":"a"},{"type":3,"name":"b","description":"b","required":true}]}]`, "comes after an optional"},
		{"permissions as string", "/applications/" + ApplicationID + "/commands", `[{"name":"slots","description":"d","default_member_permissions":"32"}]`, ""},
		{"permissions as text", "/applications/" + ApplicationID + "/commands", `[{"name":"slots","description":"d","default_member_permissions":"admin"}]`, "default_member_permissions"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fake := New(t)
			method := "POST"
			if strings.HasSuffix(tc.path, "/commands") {
				method = "PUT"
			}
			status, answer := raw(t, fake, method, tc.path, "application/json", tc.body)
			vs := fake.TakeViolations()
			if tc.want == "" {
				if status >= 300 || len(vs) != 0 {
					t.Fatalf("refused with %d %s: %v", status, answer, vs)
				}
				return
			}
			if status != http.StatusBadRequest {
				t.Errorf("status %d, want 400", status)
			}
			found := false
			for _, v := range vs {
				found = found || strings.Contains(v.String(), tc.want)
			}
			if !found {
				t.Errorf("violations %v, want one mentioning %q", vs, tc.want)
			}
		})
	}
}

func TestDiscordShapedError(t *testing.T) {
	fake := New(t)
	status, body := raw(t, fake, "POST", "/interactions/1300000000000000009/tok/callback", "application/json",
		`{"type":4,"data":{"content":"x","allowed_mentions":{"parse":[]},"components":[{"type":1,"components":[{"type":2,"style":1,"label":"b","custom_id":"`+strings.Repeat("c", 101)+`"}]}]}}`)
	fake.TakeViolations()
	want := `{"code":50035,"errors":{"data":{"components":{"0":{"components":{"0":{"custom_id":{"_errors":[{"code":"BASE_TYPE_MAX_LENGTH","message":"Must be 100 or fewer in length."}]}}}}}}},"message":"Invalid Form Body"}`
	if status != http.StatusBadRequest || body != want {
		t.Fatalf("got %d %s\nwant 400 %s", status, body, want)
	}
}

func TestCallbackWithResponse(t *testing.T) {
	fake := New(t)
	status, body := raw(t, fake, "POST", "/interactions/1300000000000000009/tok/callback?with_response=true", "application/json",
		`{"type":4,"data":{"content":"hello","allowed_mentions":{"parse":[]}}}`)
	if status != http.StatusOK || !strings.Contains(body, `"content":"hello"`) || !strings.Contains(body, `"resource"`) {
		t.Fatalf("got %d %s", status, body)
	}
	// The reply became @original, which a later read returns.
	msg, err := fake.Session("Bot x").InteractionResponse(&discordgo.Interaction{AppID: ApplicationID, Token: "tok"})
	if err != nil || msg.Content != "hello" {
		t.Fatalf("GET @original: %v %+v", err, msg)
	}
}

func TestWaitForCallsAcrossGoroutines(t *testing.T) {
	fake := New(t)
	s := fake.Session("Bot x")
	ctx := testCtx(t)
	var wg sync.WaitGroup
	for i := range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.ChannelMessageSendComplex(ChannelID, &discordgo.MessageSend{Content: fmt.Sprint("n", i), AllowedMentions: noMentions()}); err != nil {
				t.Error(err)
			}
		}()
	}
	calls := fake.WaitForCalls(ctx, "POST", RouteChannelMessages, 5)
	wg.Wait()
	if len(calls) != 5 {
		t.Fatalf("got %d calls", len(calls))
	}
	fake.Reset()
	if len(fake.Calls()) != 0 {
		t.Fatal("Reset kept calls")
	}
}

// recordingTB captures what the fake reports on a test, to check the reports themselves.
type recordingTB struct {
	testing.TB
	mu       sync.Mutex
	errors   []string
	cleanups []func()
}

func (r *recordingTB) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func (r *recordingTB) Cleanup(f func()) { r.cleanups = append(r.cleanups, f) }

func (r *recordingTB) runCleanups() {
	for i := len(r.cleanups) - 1; i >= 0; i-- {
		r.cleanups[i]()
	}
}

func TestUntakenViolationsFailTheTest(t *testing.T) {
	rec := &recordingTB{TB: t}
	fake := New(rec)
	_, _ = fake.Session("Bot x").ChannelMessageSendComplex(ChannelID, &discordgo.MessageSend{Content: "hi @everyone"})
	rec.runCleanups()
	if len(rec.errors) != 1 {
		t.Fatalf("reported %d errors, want 1: %v", len(rec.errors), rec.errors)
	}
	for _, want := range []string{"POST", "/channels/" + ChannelID + "/messages", RouteChannelMessages, "allowed_mentions is missing", `"content":"hi @everyone"`} {
		if !strings.Contains(rec.errors[0], want) {
			t.Errorf("report %q does not mention %q", rec.errors[0], want)
		}
	}
}

func TestWaitForCallsReportsTimeout(t *testing.T) {
	rec := &recordingTB{TB: t}
	fake := New(rec)
	defer rec.runCleanups()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if got := fake.WaitForCalls(ctx, "POST", RouteChannelMessages, 1); len(got) != 0 {
		t.Fatalf("got %v", got)
	}
	if len(rec.errors) != 1 || !strings.Contains(rec.errors[0], "waiting for 1 POST") {
		t.Fatalf("errors %v", rec.errors)
	}
}

func TestMissingSpecIsReported(t *testing.T) {
	t.Setenv(SpecEnv, t.TempDir()+"/missing/openapi.json")
	_, err := readSpec()
	if err == nil || !strings.Contains(err.Error(), "does not exist") || !strings.Contains(err.Error(), SpecEnv) {
		t.Fatalf("got %v, want a clear missing-spec error", err)
	}
}

func TestSpecPathFindsRepositoryRoot(t *testing.T) {
	t.Setenv(SpecEnv, "")
	root, err := filepath.Abs(filepath.Join("..", "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("this package is expected three levels below the repository root: %v", err)
	}
	p, err := specPath()
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(root, "..", "shared", "discord-api-spec", "openapi.json"); p != want {
		t.Fatalf("spec path %q, want %q", p, want)
	}
}

// TestEveryRequestSchemaCompiles compiles every request body and parameter schema of the
// description with a fresh parse, proving the validator handles the whole file, and logs
// what the first parse and compiles cost.
func TestEveryRequestSchemaCompiles(t *testing.T) {
	start := time.Now()
	spec, err := readSpec()
	if err != nil {
		t.Fatal(err)
	}
	parsed := time.Since(start)
	cb := spec.operation("POST", RouteInteractionCallback)
	start = time.Now()
	if _, err := spec.schema(cb.content["application/json"]); err != nil {
		t.Fatal(err)
	}
	first := time.Since(start)
	start = time.Now()
	n := 0
	for _, r := range spec.routes {
		for _, op := range r.ops {
			for _, ptr := range op.content {
				if _, err := spec.schema(ptr); err != nil {
					t.Errorf("%s %s: %v", op.method, op.route, err)
				}
				n++
			}
			for _, p := range op.params {
				if p.ptr == "" {
					continue
				}
				if _, err := spec.schema(p.ptr); err != nil {
					t.Errorf("%s %s parameter %s: %v", op.method, op.route, p.name, err)
				}
				n++
			}
		}
	}
	t.Logf("parse %v; first compile (interaction callback) %v; %d more schemas %v", parsed, first, n, time.Since(start))
}

func TestGatewaySmoke(t *testing.T) {
	fake := New(t)
	ctx := testCtx(t)
	s := fake.Session("Bot x")

	ready := make(chan *discordgo.Ready, 1)
	s.AddHandler(func(_ *discordgo.Session, r *discordgo.Ready) { ready <- r })
	responded := make(chan error, 1)
	s.AddHandler(func(s *discordgo.Session, i *discordgo.InteractionCreate) {
		if i.Type != discordgo.InteractionApplicationCommand || i.ApplicationCommandData().Name != "ping" {
			responded <- fmt.Errorf("unexpected interaction %+v", i.Interaction)
			return
		}
		responded <- s.InteractionRespond(i.Interaction, &discordgo.InteractionResponse{
			Type: discordgo.InteractionResponseChannelMessageWithSource,
			Data: &discordgo.InteractionResponseData{Content: "pong", Flags: discordgo.MessageFlagsEphemeral, AllowedMentions: noMentions()},
		})
	})

	if err := s.Open(); err != nil {
		t.Fatalf("open: %v", err)
	}
	defer s.Close()

	select {
	case r := <-ready:
		if r.User == nil || r.User.ID != BotUserID || !r.User.Bot || r.SessionID == "" || r.Application == nil || r.Application.ID != ApplicationID {
			t.Errorf("READY %+v", r)
		}
	case <-ctx.Done():
		t.Fatal("no READY")
	}
	if err := fake.Gateway().WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	ids := fake.Gateway().Identifies()
	if len(ids) != 1 || ids[0].Token != "Bot x" || ids[0].Intents != int64(discordgo.IntentsAllWithoutPrivileged) || ids[0].Encoding != "json" {
		t.Errorf("IDENTIFY %+v", ids)
	}

	in := fake.Interaction(discordgo.InteractionApplicationCommand, map[string]any{"id": "1300000000000000100", "name": "ping", "type": 1})
	if err := fake.Gateway().SendInteraction(ctx, in); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-responded:
		if err != nil {
			t.Fatalf("respond: %v", err)
		}
	case <-ctx.Done():
		t.Fatal("the InteractionCreate handler did not run")
	}
	calls := fake.WaitForCalls(ctx, "POST", RouteInteractionCallback, 1)
	if len(calls) != 1 || calls[0].Params["interaction_id"] != in["id"] || calls[0].Params["interaction_token"] != in["token"] {
		t.Fatalf("callback calls %+v", calls)
	}
	if got := fake.CallsTo("GET", RouteGateway); len(got) != 1 {
		t.Errorf("GET /gateway calls: %d", len(got))
	}
	if err := s.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
}

func TestSendInteractionWithoutConnection(t *testing.T) {
	fake := New(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	err := fake.Gateway().SendInteraction(ctx, bytes.NewBufferString("{}").Bytes())
	if !errors.Is(err, ErrGatewayNotReady) {
		t.Fatalf("got %v", err)
	}
}
