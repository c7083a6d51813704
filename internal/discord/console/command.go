package console

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
)

// token is one word of a console line; name:value pairs are split at the first colon outside
// quotes.
type token struct {
	text      string // the whole word, unquoted
	name      string // for name:value
	value     string
	pair      bool
	quotedVal bool
}

// tokenize splits a line at spaces, keeping "quoted parts" together (\" and \\ escape inside).
func tokenize(line string) ([]token, error) {
	var out []token
	var cur strings.Builder
	var t token
	inWord, inQuote, escaped := false, false, false
	flush := func() {
		if !inWord {
			return
		}
		t.text = cur.String()
		if t.pair {
			t.value = t.text[len(t.name)+1:]
		}
		out = append(out, t)
		cur.Reset()
		t, inWord = token{}, false
	}
	for _, r := range line {
		switch {
		case escaped:
			cur.WriteRune(r)
			escaped = false
		case inQuote && r == '\\':
			escaped = true
		case r == '"':
			inQuote = !inQuote
			inWord = true
			if t.pair {
				t.quotedVal = true
			}
		case !inQuote && (r == ' ' || r == '\t'):
			flush()
		case !inQuote && r == ':' && !t.pair:
			t.pair, t.name = true, cur.String()
			cur.WriteRune(r)
			inWord = true
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if inQuote {
		return nil, usageError("A quote is never closed: put the value in \"double quotes\".")
	}
	flush()
	return out, nil
}

// invocation is a slash command as the Discord client would send it.
type invocation struct {
	cmd      *discordgo.ApplicationCommand
	path     string // "/setup roles", for messages
	options  []map[string]any
	resolved *resolved
}

// resolved is the data.resolved object Discord sends with role, channel and user options.
type resolved struct {
	Users    map[string]any `json:"users,omitempty"`
	Members  map[string]any `json:"members,omitempty"`
	Roles    map[string]any `json:"roles,omitempty"`
	Channels map[string]any `json:"channels,omitempty"`
}

func (r *resolved) empty() bool {
	return len(r.Users) == 0 && len(r.Members) == 0 && len(r.Roles) == 0 && len(r.Channels) == 0
}

func isSub(o *discordgo.ApplicationCommandOption) bool {
	return o.Type == discordgo.ApplicationCommandOptionSubCommand || o.Type == discordgo.ApplicationCommandOptionSubCommandGroup
}

// named reports whether typed is the option's or command's name in any language.
func named(typed, name string, loc map[discordgo.Locale]string) bool {
	if strings.EqualFold(typed, name) {
		return true
	}
	for _, l := range loc {
		if l != "" && strings.EqualFold(typed, l) {
			return true
		}
	}
	return false
}

func (c *Console) findCommand(name string) *discordgo.ApplicationCommand {
	for _, cmd := range c.cmds {
		if cmd.Type != 0 && cmd.Type != discordgo.ChatApplicationCommand {
			continue
		}
		var loc map[discordgo.Locale]string
		if cmd.NameLocalizations != nil {
			loc = *cmd.NameLocalizations
		}
		if named(name, cmd.Name, loc) {
			return cmd
		}
	}
	return nil
}

func names(opts []*discordgo.ApplicationCommandOption, subs bool) string {
	var out []string
	for _, o := range opts {
		if isSub(o) == subs {
			out = append(out, o.Name)
		}
	}
	if len(out) == 0 {
		return "none"
	}
	return strings.Join(out, ", ")
}

// parseInvocation reads "/command [group] [subcommand] name:value ..." the way the Discord client
// would let it be sent. With focus set (autocomplete), the last option is the focused one: its
// partial text is sent as typed and required options may still be missing.
func (c *Console) parseInvocation(line string, focus bool) (*invocation, error) {
	toks, err := tokenize(line)
	if err != nil {
		return nil, err
	}
	if len(toks) == 0 || !strings.HasPrefix(toks[0].text, "/") || toks[0].pair {
		return nil, usageError("A slash command starts with /, like `/help`.")
	}
	name := strings.TrimPrefix(toks[0].text, "/")
	cmd := c.findCommand(name)
	if cmd == nil {
		return nil, usageError("No slash command /%s. `help` lists them.", name)
	}
	inv := &invocation{cmd: cmd, path: "/" + cmd.Name, resolved: &resolved{}}
	toks = toks[1:]

	// Walk down subcommand groups and subcommands.
	opts := cmd.Options
	var chain []*discordgo.ApplicationCommandOption
	for slices.ContainsFunc(opts, isSub) {
		if len(toks) == 0 || toks[0].pair {
			return nil, usageError("%s needs a subcommand: %s.", inv.path, names(opts, true))
		}
		var sub *discordgo.ApplicationCommandOption
		for _, o := range opts {
			if isSub(o) && named(toks[0].text, o.Name, o.NameLocalizations) {
				sub = o
			}
		}
		if sub == nil {
			return nil, usageError("%s has no subcommand %q; it has: %s.", inv.path, toks[0].text, names(opts, true))
		}
		chain = append(chain, sub)
		inv.path += " " + sub.Name
		opts = sub.Options
		toks = toks[1:]
	}

	given := map[string]map[string]any{}
	var focused *discordgo.ApplicationCommandOption
	for i, t := range toks {
		if !t.pair {
			return nil, usageError("%q isn't an option: options are written name:value (%s takes: %s).", t.text, inv.path, names(opts, false))
		}
		var def *discordgo.ApplicationCommandOption
		for _, o := range opts {
			if !isSub(o) && named(t.name, o.Name, o.NameLocalizations) {
				def = o
			}
		}
		if def == nil {
			return nil, usageError("%s has no option %q; it takes: %s.", inv.path, t.name, names(opts, false))
		}
		if given[def.Name] != nil {
			return nil, usageError("The option %s is given twice.", def.Name)
		}
		opt := map[string]any{"name": def.Name, "type": def.Type}
		if focus && i == len(toks)-1 {
			if !def.Autocomplete {
				return nil, usageError("The option %s of %s offers no suggestions.", def.Name, inv.path)
			}
			// The focused option carries the partial text exactly as typed so far.
			opt["value"], opt["focused"] = t.value, true
			focused = def
		} else {
			v, err := c.optionValue(def, t.value, inv.resolved)
			if err != nil {
				return nil, err
			}
			opt["value"] = v
		}
		given[def.Name] = opt
	}
	if focus && focused == nil {
		return nil, usageError("Say which option you are typing: complete %s name:partial.", inv.path)
	}

	var leaf []map[string]any
	for _, o := range opts {
		if g := given[o.Name]; g != nil {
			leaf = append(leaf, g)
		} else if o.Required && !focus {
			return nil, usageError("%s needs the option %s (%s).", inv.path, o.Name, typeHint(o))
		}
	}
	inv.options = leaf
	for i := len(chain) - 1; i >= 0; i-- {
		if leaf == nil {
			leaf = []map[string]any{}
		}
		leaf = []map[string]any{{"name": chain[i].Name, "type": chain[i].Type, "options": leaf}}
		inv.options = leaf
	}
	return inv, nil
}

// optionValue converts typed text to the value Discord sends for the option's type, filling
// the resolved data for roles, channels and users.
func (c *Console) optionValue(def *discordgo.ApplicationCommandOption, s string, res *resolved) (any, error) {
	switch def.Type {
	case discordgo.ApplicationCommandOptionString:
		if len(def.Choices) > 0 {
			return choice(def, s, func(v any) bool { return fmt.Sprint(v) == s })
		}
		n := utf8.RuneCountInString(s)
		if def.MinLength != nil && n < *def.MinLength {
			return nil, usageError("%s must be at least %d characters long.", def.Name, *def.MinLength)
		}
		if limit := cmp0(def.MaxLength, 6000); n > limit {
			return nil, usageError("%s can be at most %d characters long (it has %d).", def.Name, limit, n)
		}
		return s, nil
	case discordgo.ApplicationCommandOptionInteger, discordgo.ApplicationCommandOptionNumber:
		var f float64
		if def.Type == discordgo.ApplicationCommandOptionInteger {
			i, err := strconv.ParseInt(s, 10, 64)
			if err != nil || i > 1<<53 || i < -(1<<53) {
				return nil, usageError("%s must be a whole number, not %q.", def.Name, s)
			}
			f = float64(i)
		} else {
			x, err := strconv.ParseFloat(s, 64)
			if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
				return nil, usageError("%s must be a number, not %q.", def.Name, s)
			}
			f = x
		}
		if len(def.Choices) > 0 {
			return choice(def, s, func(v any) bool { return toFloat(v) == f })
		}
		if def.MinValue != nil && f < *def.MinValue {
			return nil, usageError("%s must be at least %v.", def.Name, *def.MinValue)
		}
		if def.MaxValue != 0 && f > def.MaxValue {
			return nil, usageError("%s must be at most %v.", def.Name, def.MaxValue)
		}
		return f, nil
	case discordgo.ApplicationCommandOptionBoolean:
		switch strings.ToLower(s) {
		case "true", "yes":
			return true, nil
		case "false", "no":
			return false, nil
		}
		return nil, usageError("%s must be true or false, not %q.", def.Name, s)
	case discordgo.ApplicationCommandOptionUser:
		m := c.findMember(s)
		if m == nil {
			return nil, usageError("No member called %q for %s: `members` lists everyone.", s, def.Name)
		}
		c.resolveMember(res, *m)
		return m.ID, nil
	case discordgo.ApplicationCommandOptionRole:
		r := c.findRole(s)
		if r == nil {
			return nil, usageError("No role called %q for %s; the roles are: %s.", s, def.Name, c.roleList())
		}
		c.resolveRole(res, *r)
		return r.ID, nil
	case discordgo.ApplicationCommandOptionMentionable:
		if m := c.findMember(s); m != nil {
			c.resolveMember(res, *m)
			return m.ID, nil
		}
		if r := c.findRole(s); r != nil {
			c.resolveRole(res, *r)
			return r.ID, nil
		}
		return nil, usageError("No member or role called %q for %s.", s, def.Name)
	case discordgo.ApplicationCommandOptionChannel:
		ch := c.findChannel(s)
		if ch == nil {
			return nil, usageError("No channel called %q for %s; the channels are: %s.", s, def.Name, c.channelList(nil))
		}
		if len(def.ChannelTypes) > 0 && !slices.Contains(def.ChannelTypes, ch.Type) {
			return nil, usageError("#%s can't be picked for %s; the channels it takes are: %s.", ch.Name, def.Name, c.channelList(def.ChannelTypes))
		}
		res.Channels = setDefault(res.Channels)
		res.Channels[ch.ID] = map[string]any{"id": ch.ID, "name": ch.Name, "type": ch.Type, "permissions": "0"}
		return ch.ID, nil
	case discordgo.ApplicationCommandOptionAttachment:
		return nil, usageError("The console can't attach files, so %s can't be given here.", def.Name)
	}
	return nil, usageError("The option %s has a type the console doesn't know.", def.Name)
}

func cmp0(v, fallback int) int {
	if v == 0 {
		return fallback
	}
	return v
}

func toFloat(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case int:
		return float64(x)
	case int64:
		return float64(x)
	}
	f, _ := strconv.ParseFloat(fmt.Sprint(v), 64)
	return f
}

// choice maps a typed choice (its value, or its name) to the value Discord sends.
func choice(def *discordgo.ApplicationCommandOption, s string, same func(any) bool) (any, error) {
	var listed []string
	for _, ch := range def.Choices {
		if same(ch.Value) || strings.EqualFold(ch.Name, s) {
			if def.Type == discordgo.ApplicationCommandOptionString {
				return fmt.Sprint(ch.Value), nil
			}
			return toFloat(ch.Value), nil
		}
		listed = append(listed, fmt.Sprint(ch.Value))
	}
	return nil, usageError("%s must be one of: %s.", def.Name, strings.Join(listed, ", "))
}

func setDefault(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

func (c *Console) roleList() string {
	var out []string
	for _, r := range c.guild.Roles {
		out = append(out, "@"+c.roleName(r.ID))
	}
	return strings.Join(out, ", ")
}

func (c *Console) channelList(types []discordgo.ChannelType) string {
	var out []string
	for _, ch := range c.guild.Channels {
		if len(types) == 0 || slices.Contains(types, ch.Type) {
			out = append(out, "#"+ch.Name)
		}
	}
	return strings.Join(out, ", ")
}

// command sends a slash command.
func (c *Console) command(ctx context.Context, line string) error {
	if c.me == nil {
		return errNobody
	}
	inv, err := c.parseInvocation(line, false)
	if err != nil {
		return err
	}
	in, err := c.interaction(discordgo.InteractionApplicationCommand, c.commandData(inv), nil)
	if err != nil {
		return err
	}
	return c.send(ctx, in, nil)
}

// complete sends an autocomplete request for the last option typed.
func (c *Console) complete(ctx context.Context, line string) error {
	if c.me == nil {
		return errNobody
	}
	inv, err := c.parseInvocation(line, true)
	if err != nil {
		return err
	}
	in, err := c.interaction(discordgo.InteractionApplicationCommandAutocomplete, c.commandData(inv), nil)
	if err != nil {
		return err
	}
	return c.send(ctx, in, nil)
}

func (c *Console) commandData(inv *invocation) map[string]any {
	data := map[string]any{"id": c.cmdIDs[inv.cmd.Name], "name": inv.cmd.Name, "type": discordgo.ChatApplicationCommand,
		"guild_id": c.guild.ID}
	if len(inv.options) > 0 {
		data["options"] = inv.options
	}
	if !inv.resolved.empty() {
		data["resolved"] = inv.resolved
	}
	return data
}
