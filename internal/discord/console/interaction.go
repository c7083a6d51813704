package console

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"placementbot/internal/demo"
)

// discordEpoch is the start of Discord snowflake time, in Unix milliseconds.
const discordEpoch = 1420070400000

// snowflakes hands out ids shaped like Discord's: time-ordered and strictly increasing.
type snowflakes struct {
	mu   sync.Mutex
	last uint64
}

func (s *snowflakes) next() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := uint64(time.Now().UnixMilli()-discordEpoch) << 22
	if id <= s.last {
		id = s.last + 1
	}
	s.last = id
	return strconv.FormatUint(id, 10)
}

// interactionToken is random, like Discord's: the only thing a response is keyed by.
func interactionToken() string {
	b := make([]byte, 48)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return "aW50ZXJhY3Rpb246" + base64.RawURLEncoding.EncodeToString(b)
}

// joinedAt is when every demo member joined; Discord always reports a join time.
const joinedAt = "2024-09-01T08:00:00+00:00"

// appPermissions are the bot's permissions in the channel, as Discord reports them with every
// interaction: view, send, embed links, attach files, read history.
var appPermissions = discordgo.PermissionViewChannel | discordgo.PermissionSendMessages | discordgo.PermissionEmbedLinks |
	discordgo.PermissionAttachFiles | discordgo.PermissionReadMessageHistory

func userJSON(m demo.Member) map[string]any {
	return map[string]any{"id": m.ID, "username": m.Name, "discriminator": "0", "global_name": nil, "avatar": nil}
}

// memberJSON is a guild member object; the interaction's own member carries its user, resolved
// members do not (their users are listed beside them).
func memberJSON(m demo.Member, withUser bool) map[string]any {
	roles := m.RoleIDs
	if roles == nil {
		roles = []string{}
	}
	out := map[string]any{"roles": roles, "permissions": strconv.FormatInt(m.Permissions, 10), "joined_at": joinedAt,
		"nick": nil, "avatar": nil, "premium_since": nil, "flags": 0, "pending": false, "communication_disabled_until": nil}
	if withUser {
		out["user"], out["deaf"], out["mute"] = userJSON(m), false, false
	}
	return out
}

func (c *Console) resolveMember(res *resolved, m demo.Member) {
	res.Users, res.Members = setDefault(res.Users), setDefault(res.Members)
	res.Users[m.ID], res.Members[m.ID] = userJSON(m), memberJSON(m, false)
}

func (c *Console) resolveRole(res *resolved, r demo.Role) {
	res.Roles = setDefault(res.Roles)
	position := 0
	for i, x := range c.guild.Roles {
		if x.ID == r.ID {
			position = i
		}
	}
	res.Roles[r.ID] = map[string]any{"id": r.ID, "name": r.Name, "managed": r.Managed, "color": 0, "hoist": false,
		"position": position, "permissions": "0", "mentionable": false, "icon": nil, "unicode_emoji": nil, "flags": 0}
}

// interaction builds an interaction as Discord delivers it and decodes it with discordgo, so
// handlers see the same types (float64 numbers, pointer components) as from the gateway.
func (c *Console) interaction(t discordgo.InteractionType, data map[string]any, source *message) (*discordgo.Interaction, error) {
	raw := map[string]any{
		"id": c.ids.next(), "application_id": ApplicationID, "type": t, "data": data, "token": interactionToken(), "version": 1,
		"guild_id": c.guild.ID, "channel_id": c.channel.ID,
		"channel": map[string]any{"id": c.channel.ID, "name": c.channel.Name, "type": c.channel.Type, "guild_id": c.guild.ID},
		"member":  memberJSON(*c.me, true), "locale": c.locale, "guild_locale": discordgo.EnglishUS,
		"app_permissions": strconv.FormatInt(int64(appPermissions), 10), "context": discordgo.InteractionContextGuild,
		"authorizing_integration_owners": map[string]string{"0": c.guild.ID}, "entitlements": []any{},
	}
	if source != nil {
		raw["message"] = c.messageJSON(source)
	}
	b, err := json.Marshal(raw)
	if err != nil {
		return nil, fmt.Errorf("console: encode interaction: %w", err)
	}
	in := new(discordgo.Interaction)
	if err := json.Unmarshal(b, in); err != nil {
		return nil, fmt.Errorf("console: decode interaction: %w", err)
	}
	return in, nil
}

// send dispatches an interaction, then fills the modal the bot answered with, if any.
func (c *Console) send(ctx context.Context, in *discordgo.Interaction, source *message) error {
	ex := &exchange{c: c, in: in, source: source}
	c.router.Dispatch(ctx, in, ex)
	if c.AfterEach != nil {
		defer c.AfterEach(ctx)
	}
	if !ex.acked {
		c.printf("%s didn't answer (Discord would show \"This interaction failed\").\n", botName)
		return nil
	}
	if ex.modal == nil {
		return nil
	}
	return c.fillModal(ctx, ex)
}

// exchange answers one interaction: it is the Responder the router talks to.
type exchange struct {
	c        *Console
	in       *discordgo.Interaction
	source   *message // the message a component sits on
	acked    bool
	original *message // what "@original" edits: the reply, or the component's message
	modal    *modalForm
}

// allowed lists the response types Discord accepts for each interaction type.
func (ex *exchange) allowed(t discordgo.InteractionResponseType) bool {
	switch ex.in.Type {
	case discordgo.InteractionApplicationCommand:
		return t == discordgo.InteractionResponseChannelMessageWithSource || t == discordgo.InteractionResponseDeferredChannelMessageWithSource ||
			t == discordgo.InteractionResponseModal
	case discordgo.InteractionApplicationCommandAutocomplete:
		return t == discordgo.InteractionApplicationCommandAutocompleteResult
	case discordgo.InteractionMessageComponent:
		return t != discordgo.InteractionApplicationCommandAutocompleteResult && t != discordgo.InteractionResponsePong
	case discordgo.InteractionModalSubmit:
		if t == discordgo.InteractionResponseDeferredMessageUpdate || t == discordgo.InteractionResponseUpdateMessage {
			return ex.source != nil
		}
		return t == discordgo.InteractionResponseChannelMessageWithSource || t == discordgo.InteractionResponseDeferredChannelMessageWithSource
	}
	return false
}

// refuse reports a response Discord itself would reject, so the mistake is visible here too.
func (ex *exchange) refuse(format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	ex.c.printf("(Discord would reject this response: %v)\n", err)
	return err
}

// Respond implements discord.Responder.
func (ex *exchange) Respond(_ context.Context, resp *discordgo.InteractionResponse) error {
	if ex.acked {
		return ex.refuse("interaction has already been acknowledged")
	}
	if !ex.allowed(resp.Type) {
		return ex.refuse("response type %d is not valid for interaction type %d", resp.Type, ex.in.Type)
	}
	b, err := json.Marshal(resp)
	if err != nil {
		return ex.refuse("response can't be encoded: %v", err)
	}
	var env struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(b, &env); err != nil {
		return ex.refuse("response can't be decoded: %v", err)
	}
	if len(env.Data) == 0 || string(env.Data) == "null" {
		env.Data = []byte("{}")
	}
	c := ex.c
	var files []attachment
	if resp.Data != nil {
		if files, err = c.readFiles(resp.Data.Files); err != nil {
			return ex.refuse("%v", err)
		}
	}
	c.mu.Lock()
	err = ex.apply(resp.Type, env.Data, files)
	c.mu.Unlock()
	if err != nil {
		return ex.refuse("%v", err)
	}
	ex.acked = true
	return nil
}

// apply shows an initial response and its files; callers hold c.mu.
func (ex *exchange) apply(t discordgo.InteractionResponseType, data []byte, files []attachment) error {
	c := ex.c
	switch t {
	case discordgo.InteractionResponseChannelMessageWithSource, discordgo.InteractionResponseDeferredChannelMessageWithSource:
		m := c.newMessage()
		if err := m.patch(data, true, files); err != nil {
			return fmt.Errorf("message can't be decoded: %w", err)
		}
		ex.original = m
		if t == discordgo.InteractionResponseDeferredChannelMessageWithSource {
			fmt.Fprintf(c.out, "%s is thinking…%s\n", botName, visibility(m))
			return nil
		}
		c.keep(m)
		c.render(heading(m, ""), m)
	case discordgo.InteractionResponseDeferredMessageUpdate:
		ex.original = ex.source
		fmt.Fprintf(c.out, "%s is thinking…\n", botName)
	case discordgo.InteractionResponseUpdateMessage:
		if err := ex.source.patch(data, false, files); err != nil {
			return fmt.Errorf("message can't be decoded: %w", err)
		}
		ex.original = ex.source
		ex.source.edited = time.Now()
		c.render(heading(ex.source, "updated"), ex.source)
	case discordgo.InteractionApplicationCommandAutocompleteResult:
		var d struct {
			Choices []*discordgo.ApplicationCommandOptionChoice `json:"choices"`
		}
		if err := json.Unmarshal(data, &d); err != nil {
			return fmt.Errorf("choices can't be decoded: %w", err)
		}
		c.renderChoices(d.Choices)
	case discordgo.InteractionResponseModal:
		f, err := decodeModal(data)
		if err != nil {
			return fmt.Errorf("modal can't be decoded: %w", err)
		}
		ex.modal = f
	default:
		return fmt.Errorf("response type %d is not one the console can show", t)
	}
	return nil
}

// EditOriginal implements discord.Responder.
func (ex *exchange) EditOriginal(_ context.Context, edit *discordgo.WebhookEdit) error {
	if !ex.acked || ex.original == nil {
		return ex.refuse("unknown message: there is no original response to edit")
	}
	b, err := json.Marshal(edit)
	if err != nil {
		return ex.refuse("edit can't be encoded: %v", err)
	}
	c := ex.c
	files, err := c.readFiles(edit.Files)
	if err != nil {
		return ex.refuse("%v", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	m := ex.original
	if err := m.patch(b, false, files); err != nil {
		// refuse takes the lock itself, so the rejection is written here.
		fmt.Fprintf(c.out, "(Discord would reject this response: edit can't be decoded: %v)\n", err)
		return err
	}
	m.edited = time.Now()
	c.keep(m)
	c.render(heading(m, "updated"), m)
	return nil
}

// Followup implements discord.Responder.
func (ex *exchange) Followup(_ context.Context, params *discordgo.WebhookParams) error {
	if !ex.acked {
		return ex.refuse("unknown webhook: follow-ups need an initial response first")
	}
	b, err := json.Marshal(params)
	if err != nil {
		return ex.refuse("follow-up can't be encoded: %v", err)
	}
	files, err := ex.c.readFiles(params.Files)
	if err != nil {
		return ex.refuse("%v", err)
	}
	m := ex.c.newMessage()
	if err := m.patch(b, true, files); err != nil {
		return ex.refuse("follow-up can't be decoded: %v", err)
	}
	c := ex.c
	c.mu.Lock()
	defer c.mu.Unlock()
	c.keep(m)
	c.render(heading(m, ""), m)
	return nil
}

// message is a message the bot sent, as the console keeps it for later presses and edits.
type message struct {
	id, channelID string
	flags         discordgo.MessageFlags
	content       string
	embeds        []*discordgo.MessageEmbed
	components    []discordgo.MessageComponent
	files         []attachment
	sent, edited  time.Time
}

func (c *Console) newMessage() *message {
	return &message{id: c.ids.next(), channelID: c.channel.ID, sent: time.Now()}
}

// patch applies a message payload and its files: fields present replace what the message had,
// as an edit does on Discord; only a new message takes flags (ephemerality can't be changed
// later).
func (m *message) patch(raw []byte, fresh bool, files []attachment) error {
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(raw, &keys); err != nil {
		return err
	}
	var v discordgo.Message
	if err := json.Unmarshal(raw, &v); err != nil {
		return err
	}
	if _, ok := keys["content"]; ok {
		m.content = v.Content
	}
	if _, ok := keys["embeds"]; ok {
		m.embeds = v.Embeds
	}
	if _, ok := keys["components"]; ok {
		m.components = v.Components
	}
	if fresh {
		m.flags = v.Flags
	}
	_, listed := keys["attachments"]
	m.attach(fresh, listed, v.Attachments, files)
	return nil
}

// keep remembers a message for press and select; callers hold c.mu.
func (c *Console) keep(m *message) {
	for _, x := range c.messages {
		if x == m {
			return
		}
	}
	c.messages = append(c.messages, m)
	// Only recent messages can be pressed; an old history would just hold memory.
	if len(c.messages) > 50 {
		c.messages = c.messages[len(c.messages)-50:]
	}
}

// messageJSON is the message object Discord attaches to a component interaction.
func (c *Console) messageJSON(m *message) map[string]any {
	embeds := m.embeds
	if embeds == nil {
		embeds = []*discordgo.MessageEmbed{}
	}
	comps := m.components
	if comps == nil {
		comps = []discordgo.MessageComponent{}
	}
	out := map[string]any{
		"id": m.id, "channel_id": m.channelID, "type": discordgo.MessageTypeDefault, "content": m.content,
		"embeds": embeds, "components": comps, "flags": m.flags, "application_id": ApplicationID, "webhook_id": ApplicationID,
		"author":    map[string]any{"id": ApplicationID, "username": botName, "discriminator": "0", "bot": true, "avatar": nil},
		"timestamp": m.sent.UTC().Format(time.RFC3339Nano), "edited_timestamp": nil,
		"tts": false, "mention_everyone": false, "mentions": []any{}, "mention_roles": []any{}, "attachments": []any{}, "pinned": false,
	}
	if !m.edited.IsZero() {
		out["edited_timestamp"] = m.edited.UTC().Format(time.RFC3339Nano)
	}
	return out
}
