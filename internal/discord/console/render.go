package console

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
)

// Show renders a message sent outside an interaction (a channel post, a DM) with its files
// under heading; safe from any goroutine.
func (c *Console) Show(heading string, content string, embeds []*discordgo.MessageEmbed, components []discordgo.MessageComponent, files []*discordgo.File) {
	// Encoding and decoding gives the message the shape it has when Discord hands it back, so
	// its buttons and selects can be pressed like those of any reply. A heading names where it
	// was posted, for example "PlacementBot in #placements".
	raw, err := json.Marshal(map[string]any{"content": content, "embeds": embeds, "components": components})
	m := c.newMessage()
	var kept []attachment
	if err == nil {
		kept, err = c.readFiles(files)
	}
	if err == nil {
		err = m.patch(raw, true, kept)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	heading = strings.TrimSuffix(heading, ":") + ":"
	if err != nil {
		fmt.Fprintf(c.out, "%s\n  (a message Discord would reject: %v)\n", heading, err)
		return
	}
	if c.pending != "" {
		// A prompt is waiting for input: finish its line, show the message, then ask again.
		fmt.Fprintln(c.out)
		defer fmt.Fprint(c.out, c.pending)
	}
	c.keep(m)
	c.render(heading, m)
}

// heading names who a message is from and how it is shown; state is "" or "updated".
func heading(m *message, state string) string {
	var parts []string
	if state != "" {
		parts = append(parts, state)
	}
	if m.flags&discordgo.MessageFlagsEphemeral != 0 {
		parts = append(parts, "only you can see this")
	}
	if len(parts) == 0 {
		return botName + ":"
	}
	return botName + " (" + strings.Join(parts, ", ") + "):"
}

func visibility(m *message) string {
	if m.flags&discordgo.MessageFlagsEphemeral != 0 {
		return " (only you can see this)"
	}
	return ""
}

// render writes a message as text: content, embeds, then components numbered in reading order.
// It is the one renderer for replies, edits, follow-ups and messages shown with Show; callers
// hold c.mu.
func (c *Console) render(heading string, m *message) {
	var b strings.Builder
	b.WriteString(heading + "\n")
	before := b.Len()
	if m.content != "" {
		indent(&b, "  ", c.mentions(m.content))
	}
	for _, e := range m.embeds {
		c.renderEmbed(&b, e)
	}
	renderFiles(&b, m)
	n := 0
	c.renderComponents(&b, m.components, &n)
	if b.Len() == before {
		b.WriteString("  (empty message)\n")
	}
	_, _ = c.out.Write([]byte(b.String()))
}

// indent writes each line of s with a prefix.
func indent(b *strings.Builder, prefix, s string) {
	for _, line := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		b.WriteString(strings.TrimRight(prefix+line, " ") + "\n")
	}
}

func (c *Console) renderEmbed(b *strings.Builder, e *discordgo.MessageEmbed) {
	const bar = "  | "
	if e.Author != nil && e.Author.Name != "" {
		indent(b, bar, c.mentions(e.Author.Name))
	}
	if e.Title != "" {
		title := c.mentions(e.Title)
		if e.URL != "" {
			title += " <" + e.URL + ">"
		}
		indent(b, bar, title)
	}
	if e.Description != "" {
		indent(b, bar, c.mentions(e.Description))
	}
	for _, f := range e.Fields {
		value := c.mentions(f.Value)
		if !strings.Contains(value, "\n") {
			indent(b, bar, c.mentions(f.Name)+": "+value)
			continue
		}
		indent(b, bar, c.mentions(f.Name)+":")
		indent(b, bar+"  ", value)
	}
	if e.Image != nil && e.Image.URL != "" {
		indent(b, bar, "[image: "+imageText(e.Image.URL)+"]")
	}
	if e.Thumbnail != nil && e.Thumbnail.URL != "" {
		indent(b, bar, "[thumbnail: "+imageText(e.Thumbnail.URL)+"]")
	}
	var foot []string
	if e.Footer != nil && e.Footer.Text != "" {
		foot = append(foot, c.mentions(e.Footer.Text))
	}
	if e.Timestamp != "" {
		if t, err := time.Parse(time.RFC3339, e.Timestamp); err == nil {
			foot = append(foot, t.UTC().Format("2006-01-02 15:04 UTC"))
		}
	}
	if len(foot) > 0 {
		indent(b, bar, "— "+strings.Join(foot, " · "))
	}
}

// renderComponents writes rows of buttons on one line each and select menus with their
// options below them; n numbers buttons and selects across the whole message, in the order
// controls lists them.
func (c *Console) renderComponents(b *strings.Builder, comps []discordgo.MessageComponent, n *int) {
	for _, comp := range comps {
		switch x := comp.(type) {
		case *discordgo.ActionsRow:
			var inline []string
			for _, inner := range x.Components {
				switch y := inner.(type) {
				case *discordgo.Button:
					*n++
					inline = append(inline, buttonText(*n, y))
				case *discordgo.SelectMenu:
					if len(inline) > 0 {
						b.WriteString("  " + strings.Join(inline, " ") + "\n")
						inline = nil
					}
					*n++
					c.renderSelect(b, *n, y)
				}
			}
			if len(inline) > 0 {
				b.WriteString("  " + strings.Join(inline, " ") + "\n")
			}
		case *discordgo.TextDisplay:
			indent(b, "  ", c.mentions(x.Content))
		case *discordgo.Section:
			c.renderComponents(b, x.Components, n)
			if bt, ok := x.Accessory.(*discordgo.Button); ok {
				*n++
				b.WriteString("  " + buttonText(*n, bt) + "\n")
			}
		case *discordgo.Container:
			c.renderComponents(b, x.Components, n)
		case *discordgo.Separator:
			b.WriteString("  ----\n")
		case *discordgo.Button:
			*n++
			b.WriteString("  " + buttonText(*n, x) + "\n")
		case *discordgo.SelectMenu:
			*n++
			c.renderSelect(b, *n, x)
		default:
			b.WriteString("  [media]\n")
		}
	}
}

// controls lists a message's buttons and select menus in the order they are numbered.
func controls(comps []discordgo.MessageComponent) []discordgo.MessageComponent {
	var out []discordgo.MessageComponent
	for _, comp := range comps {
		switch x := comp.(type) {
		case *discordgo.ActionsRow:
			out = append(out, controls(x.Components)...)
		case *discordgo.Section:
			out = append(out, controls(x.Components)...)
			if bt, ok := x.Accessory.(*discordgo.Button); ok {
				out = append(out, bt)
			}
		case *discordgo.Container:
			out = append(out, controls(x.Components)...)
		case *discordgo.Button, *discordgo.SelectMenu:
			out = append(out, x)
		}
	}
	return out
}

func emojiText(e *discordgo.ComponentEmoji) string {
	switch {
	case e == nil || e.Name == "":
		return ""
	case e.ID != "":
		return ":" + e.Name + ": "
	}
	return e.Name + " "
}

func buttonText(n int, bt *discordgo.Button) string {
	label := strings.TrimSpace(emojiText(bt.Emoji) + bt.Label)
	switch {
	case bt.Style == discordgo.LinkButton:
		label += " -> " + bt.URL
	case bt.Style == discordgo.PremiumButton:
		label += " (purchase)"
	}
	if bt.Disabled {
		return fmt.Sprintf("(%d %s)", n, label)
	}
	return fmt.Sprintf("[%d %s]", n, label)
}

func (c *Console) renderSelect(b *strings.Builder, n int, sm *discordgo.SelectMenu) {
	ph := sm.Placeholder
	if ph == "" {
		ph = "Make a selection"
	}
	text := fmt.Sprintf("%d %s ▾", n, ph)
	if sm.Disabled {
		text = "(" + text + ")"
	} else {
		text = "[" + text + "]"
	}
	if lo, hi := selectBounds(sm); lo != 1 || hi != 1 {
		text += fmt.Sprintf(" pick %d to %d", lo, hi)
	}
	b.WriteString("  " + text + "\n")
	for i, o := range c.selectOptions(sm) {
		line := fmt.Sprintf("      %d. %s", i+1, strings.TrimSpace(emojiText(o.emoji)+o.label))
		if o.description != "" {
			line += " — " + o.description
		}
		if o.def {
			line += " (selected)"
		}
		b.WriteString(line + "\n")
	}
}

// selectBounds are how many options a select menu takes; Discord's default is exactly one.
func selectBounds(sm *discordgo.SelectMenu) (lo, hi int) {
	lo, hi = 1, 1
	if sm.MinValues != nil {
		lo = *sm.MinValues
	}
	if sm.MaxValues != 0 {
		hi = sm.MaxValues
	}
	return lo, hi
}

// selectOption is one pickable entry of a select menu; auto-populated menus (users, roles,
// channels) list the guild's.
type selectOption struct {
	label, value, description string
	emoji                     *discordgo.ComponentEmoji
	def                       bool
	kind                      discordgo.SelectMenuDefaultValueType
}

func (c *Console) selectOptions(sm *discordgo.SelectMenu) []selectOption {
	isDefault := func(id string) bool {
		return slices.ContainsFunc(sm.DefaultValues, func(d discordgo.SelectMenuDefaultValue) bool { return d.ID == id })
	}
	var out []selectOption
	users := func() {
		for _, m := range c.guild.Members {
			out = append(out, selectOption{label: "@" + m.Name, value: m.ID, def: isDefault(m.ID), kind: discordgo.SelectMenuDefaultValueUser})
		}
	}
	roles := func() {
		for _, r := range c.guild.Roles {
			if r.ID != c.guild.ID { // role menus don't offer @everyone
				out = append(out, selectOption{label: "@" + r.Name, value: r.ID, def: isDefault(r.ID), kind: discordgo.SelectMenuDefaultValueRole})
			}
		}
	}
	switch sm.Type() {
	case discordgo.UserSelectMenuComponent:
		users()
	case discordgo.RoleSelectMenuComponent:
		roles()
	case discordgo.MentionableSelectMenuComponent:
		users()
		roles()
	case discordgo.ChannelSelectMenuComponent:
		for _, ch := range c.guild.Channels {
			if len(sm.ChannelTypes) == 0 || slices.Contains(sm.ChannelTypes, ch.Type) {
				out = append(out, selectOption{label: "#" + ch.Name, value: ch.ID, def: isDefault(ch.ID), kind: discordgo.SelectMenuDefaultValueChannel})
			}
		}
	default:
		for _, o := range sm.Options {
			out = append(out, selectOption{label: o.Label, value: o.Value, description: o.Description, emoji: o.Emoji, def: o.Default})
		}
	}
	return out
}

// renderChoices shows autocomplete suggestions; callers hold c.mu.
func (c *Console) renderChoices(choices []*discordgo.ApplicationCommandOptionChoice) {
	var b strings.Builder
	if len(choices) == 0 {
		b.WriteString("No suggestions.\n")
	} else {
		b.WriteString("Suggestions:\n")
	}
	for i, ch := range choices {
		name := ch.Name
		if l := ch.NameLocalizations[c.locale]; l != "" {
			name = l
		}
		line := fmt.Sprintf("  %d. %s", i+1, name)
		if v := fmt.Sprint(ch.Value); v != name {
			line += " (value: " + v + ")"
		}
		b.WriteString(line + "\n")
	}
	_, _ = c.out.Write([]byte(b.String()))
}

var mentionRE = regexp.MustCompile(`<@!?(\d+)>|<@&(\d+)>|<#(\d+)>|</([^:<>]+):\d+>|<t:(-?\d+)(?::([tTdDfFR]))?>`)

// mentions shows markdown text the way a Discord client does: mention syntax becomes the names
// it shows, and escaped characters show without their backslash (an escaped "<@&1>" is text,
// not a mention), as does the zero-width space that keeps "@everyone" inert.
func (c *Console) mentions(s string) string {
	if !strings.ContainsAny(s, "\\\u200b") {
		return c.names(s)
	}
	var b, raw strings.Builder
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		switch {
		case rs[i] == '\\' && i+1 < len(rs) && rs[i+1] < utf8.RuneSelf && (unicode.IsPunct(rs[i+1]) || unicode.IsSymbol(rs[i+1])):
			b.WriteString(c.names(raw.String()))
			raw.Reset()
			b.WriteRune(rs[i+1])
			i++
		case rs[i] == '\u200b' && i > 0 && rs[i-1] == '@':
		default:
			raw.WriteRune(rs[i])
		}
	}
	b.WriteString(c.names(raw.String()))
	return b.String()
}

// names turns Discord mention syntax into the names a Discord client would show.
func (c *Console) names(s string) string {
	return mentionRE.ReplaceAllStringFunc(s, func(tok string) string {
		g := mentionRE.FindStringSubmatch(tok)
		switch {
		case g[1] != "":
			if g[1] == ApplicationID {
				return "@" + botName
			}
			if m := c.findMember(g[1]); m != nil {
				return "@" + m.Name
			}
			return "@unknown-user"
		case g[2] != "":
			return "@" + c.roleName(g[2])
		case g[3] != "":
			if ch := c.findChannel(g[3]); ch != nil {
				return "#" + ch.Name
			}
			return "#unknown"
		case g[4] != "":
			return "/" + g[4]
		}
		sec, err := strconv.ParseInt(g[5], 10, 64)
		if err != nil {
			return tok
		}
		t := time.Unix(sec, 0).UTC()
		switch g[6] {
		case "d", "D":
			return t.Format("2006-01-02")
		case "t", "T":
			return t.Format("15:04 UTC")
		}
		return t.Format("2006-01-02 15:04 UTC")
	})
}
