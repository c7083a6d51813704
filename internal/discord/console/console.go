// Package console is the terminal transport: a person, or a script on standard input, acts as a
// member of the demo school, types slash commands, reads the replies rendered as text, presses
// buttons, picks select options and fills modals. Every action becomes the interaction Discord
// itself would send, so the router and handlers run exactly as they do behind the gateway.
package console

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"

	"placementbot/internal/demo"
	"placementbot/internal/discord"
	"placementbot/internal/placement"
)

// ApplicationID is the demo application's id, which is also the bot user's id, as on Discord.
const ApplicationID = "900000000000000002"

// botName is how the bot's messages are signed and how mentions of the bot read.
const botName = "PlacementBot"

// Console is one terminal session against the demo guild.
type Console struct {
	router      *discord.Router
	cmds        []*discordgo.ApplicationCommand
	cmdIDs      map[string]string
	guild       demo.Guild
	channel     demo.Channel
	in          io.Reader
	interactive bool
	ids         snowflakes

	// mu serializes output and the message history: Show may be called from other goroutines
	// (channel posts, DMs) while an interaction is being answered.
	mu       sync.Mutex
	out      io.Writer
	messages []*message // messages shown, oldest first, for press and select
	pending  string     // the prompt waiting for input, re-shown after a message Show prints

	me     *demo.Member
	locale discordgo.Locale
	lines  chan string

	// AfterEach, when set, runs after every interaction: the bot's entry point uses it to deliver
	// the DMs and channel posts the interaction caused right under its reply.
	AfterEach func(ctx context.Context)
	// SetClock, when set, is what the "clock" line calls: the console moves the bot's clock
	// to a date so that deadlines (a round's ranking deadline) can pass within one session.
	SetClock func(t time.Time)
	// FilesDir, when set, is where files the bot sends (charts, exports) are written so they
	// can be opened; the text view names each file and its size either way.
	FilesDir string
}

// New builds a console sending cmds to r as a member of g; interactive shows a prompt, scripts get their input echoed.
func New(r *discord.Router, cmds []*discordgo.ApplicationCommand, g demo.Guild, in io.Reader, out io.Writer, interactive bool) *Console {
	c := &Console{router: r, cmds: cmds, cmdIDs: map[string]string{}, guild: g, in: in, out: out,
		interactive: interactive, locale: discordgo.EnglishUS}
	for _, cmd := range cmds {
		id := cmd.ID
		if id == "" {
			// Unregistered definitions have no id yet; Discord always sends one.
			id = c.ids.next()
		}
		c.cmdIDs[cmd.Name] = id
	}
	c.channel = pickChannel(g)
	return c
}

// pickChannel is where the console member types: #general when the guild has it, else the
// first text channel.
func pickChannel(g demo.Guild) demo.Channel {
	var first *demo.Channel
	for i, ch := range g.Channels {
		if ch.Type != discordgo.ChannelTypeGuildText {
			continue
		}
		if ch.Name == "general" {
			return ch
		}
		if first == nil {
			first = &g.Channels[i]
		}
	}
	if first != nil {
		return *first
	}
	return demo.Channel{ID: g.ID, Name: "general", Type: discordgo.ChannelTypeGuildText}
}

// errQuit ends the session on quit or exit.
var errQuit = errors.New("quit")

// Run executes input lines until end of input or quit (returning nil) or until ctx ends (returning its error).
func (c *Console) Run(ctx context.Context) error {
	c.lines = make(chan string)
	stop := make(chan struct{})
	defer close(stop)
	go c.read(stop)
	if c.interactive {
		c.printf("Demo school %s. Type `help` for how this console works, `members` for who you can be.\n", c.guild.Name)
	}
	for {
		if c.interactive {
			c.prompt(c.promptName() + "> ")
		}
		line, ok, err := c.next(ctx)
		if err != nil {
			return err
		}
		if !ok {
			if c.interactive {
				c.printf("\n") // end the prompt line left open by the end of input
			}
			return nil
		}
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		if !c.interactive {
			c.printf("> %s\n", trimmed)
		}
		if err := c.exec(ctx, trimmed); err != nil {
			if errors.Is(err, errQuit) {
				return nil
			}
			return err
		}
	}
}

// read feeds input lines to Run until end of input or until Run returns. It runs on its own
// goroutine so that Run can stop when its context ends even while the terminal waits for a line.
func (c *Console) read(stop <-chan struct{}) {
	defer close(c.lines)
	br := bufio.NewReader(c.in)
	for {
		line, err := br.ReadString('\n')
		if line != "" || err == nil {
			select {
			case c.lines <- strings.TrimRight(line, "\r\n"):
			case <-stop:
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// next returns the next input line; ok is false at end of input.
func (c *Console) next(ctx context.Context) (line string, ok bool, err error) {
	select {
	case <-ctx.Done():
		return "", false, ctx.Err()
	case line, ok = <-c.lines:
		c.mu.Lock()
		c.pending = ""
		c.mu.Unlock()
		return line, ok, nil
	}
}

// prompt asks for a line; the prompt is shown again if a message arrives while it waits.
func (c *Console) prompt(s string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pending = s
	fmt.Fprint(c.out, s)
}

func (c *Console) promptName() string {
	if c.me == nil {
		return "nobody"
	}
	return c.me.Name
}

// clock moves the bot's clock to the start of a date, in UTC.
func (c *Console) clock(typed string) error {
	if c.SetClock == nil {
		return usageError("this console has no clock to move")
	}
	date, err := placement.ParseDate("date", typed)
	if err != nil {
		return usageError("clock takes a date, e.g. clock 2027-01-21")
	}
	c.SetClock(date)
	c.printf("The bot's clock now reads %s 00:00 UTC (console only).\n", date.Format(placement.DateLayout))
	return nil
}

// exec runs one console line. Mistakes are printed and the session goes on; only quitting and
// the end of ctx stop it.
func (c *Console) exec(ctx context.Context, line string) error {
	word, rest, _ := strings.Cut(line, " ")
	rest = strings.TrimSpace(rest)
	var err error
	switch strings.ToLower(word) {
	case "quit", "exit":
		return errQuit
	case "help":
		c.help(rest)
	case "members":
		c.members()
	case "as":
		err = c.as(strings.Fields(rest))
	case "locale":
		err = c.setLocale(rest)
	case "complete":
		err = c.complete(ctx, rest)
	case "press":
		err = c.press(ctx, rest)
	case "select":
		err = c.choose(ctx, rest)
	case "clock":
		err = c.clock(rest)
	default:
		if strings.HasPrefix(word, "/") {
			err = c.command(ctx, line)
		} else {
			err = usageError("unknown console command %q: type `help` for what this console understands", word)
		}
	}
	var ue usageErr
	if errors.As(err, &ue) {
		c.printf("%s\n", ue.msg)
		return nil
	}
	return err
}

// usageErr is a mistake in what was typed: it is shown, nothing is sent, the session goes on.
type usageErr struct{ msg string }

func (e usageErr) Error() string { return e.msg }

func usageError(format string, args ...any) error { return usageErr{fmt.Sprintf(format, args...)} }

var errNobody = usageError("Pick who you are first: `as coordinator`, `as mentor`, `as student` or `as <name>` (`members` lists everyone).")

func (c *Console) printf(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	fmt.Fprintf(c.out, format, args...)
}

func (c *Console) help(topic string) {
	if strings.HasPrefix(topic, "/") {
		c.commandHelp(topic)
		return
	}
	var b strings.Builder
	b.WriteString(`Console commands:
  as coordinator | as mentor [name] | as student [name] | as <name>
                                  act as a member of the demo school
  members                         list the members and their roles
  locale en-US | locale zh-CN     the language your interactions carry (now ` + string(c.locale) + `)
  /command [subcommand] name:value ...
                                  run a slash command; quote values with spaces: name:"two words";
                                  roles as @Coordinator, channels as #placements, users as @bo
  complete /command [subcommand] name:partial
                                  show the suggestions for an option as you type it
  press N                         press button N of the latest message with buttons
  select N A [B ...]              pick options (by number or value) in select menu N
  help /command                   the subcommands and options of a slash command
  clock YYYY-MM-DD                move the bot's clock to that date (console only), e.g. past a deadline
  quit | exit                     leave
Forms ask one field per line: \n in a value is a line break, a blank line keeps a prefilled
value, and a line with just "cancel" abandons the form.
Blank lines and lines starting with # are ignored.
`)
	if len(c.cmds) > 0 {
		b.WriteString("Slash commands:\n")
		for _, cmd := range c.cmds {
			var subs []string
			for _, o := range cmd.Options {
				if isSub(o) {
					subs = append(subs, o.Name)
				}
			}
			if len(subs) > 0 {
				fmt.Fprintf(&b, "  /%s %s\n", cmd.Name, strings.Join(subs, " | "))
			} else {
				fmt.Fprintf(&b, "  /%s\n", cmd.Name)
			}
		}
	}
	c.printf("%s", b.String())
}

// commandHelp prints the syntax of every invocable path under a slash command.
func (c *Console) commandHelp(topic string) {
	name := strings.TrimPrefix(strings.Fields(topic)[0], "/")
	cmd := c.findCommand(name)
	if cmd == nil {
		c.printf("No slash command /%s. `help` lists them.\n", name)
		return
	}
	var b strings.Builder
	var walk func(prefix string, opts []*discordgo.ApplicationCommandOption, desc string)
	walk = func(prefix string, opts []*discordgo.ApplicationCommandOption, desc string) {
		hasSubs := false
		for _, o := range opts {
			if isSub(o) {
				hasSubs = true
				walk(prefix+" "+o.Name, o.Options, o.Description)
			}
		}
		if hasSubs {
			return
		}
		b.WriteString("  " + prefix)
		for _, o := range opts {
			arg := o.Name + ":" + typeHint(o)
			if !o.Required {
				arg = "[" + arg + "]"
			}
			b.WriteString(" " + arg)
		}
		b.WriteString("\n")
		if desc != "" {
			b.WriteString("      " + desc + "\n")
		}
		for _, o := range opts {
			line := "      " + o.Name + ": " + o.Description
			if o.Autocomplete {
				line += " (suggestions: complete " + prefix + " " + o.Name + ":...)"
			}
			b.WriteString(line + "\n")
		}
	}
	walk("/"+cmd.Name, cmd.Options, cmd.Description)
	c.printf("%s", b.String())
}

func typeHint(o *discordgo.ApplicationCommandOption) string {
	if len(o.Choices) > 0 {
		var names []string
		for _, ch := range o.Choices {
			names = append(names, fmt.Sprint(ch.Value))
		}
		return strings.Join(names, "|")
	}
	switch o.Type {
	case discordgo.ApplicationCommandOptionInteger:
		return "whole-number"
	case discordgo.ApplicationCommandOptionNumber:
		return "number"
	case discordgo.ApplicationCommandOptionBoolean:
		return "true|false"
	case discordgo.ApplicationCommandOptionUser:
		return "@user"
	case discordgo.ApplicationCommandOptionChannel:
		return "#channel"
	case discordgo.ApplicationCommandOptionRole:
		return "@role"
	case discordgo.ApplicationCommandOptionMentionable:
		return "@user-or-role"
	case discordgo.ApplicationCommandOptionAttachment:
		return "file"
	}
	return "text"
}

func (c *Console) members() {
	var b strings.Builder
	fmt.Fprintf(&b, "Members of %s:\n", c.guild.Name)
	width := 0
	for _, m := range c.guild.Members {
		width = max(width, len(m.Name))
	}
	for _, m := range c.guild.Members {
		line := fmt.Sprintf("  %-*s  %s", width, m.Name, c.describe(m))
		if c.me != nil && c.me.ID == m.ID {
			line += "  <- you"
		}
		b.WriteString(line + "\n")
	}
	c.printf("%s", b.String())
}

// describe lists a member's Discord roles and the permissions that matter to the bot.
func (c *Console) describe(m demo.Member) string {
	var parts []string
	for _, id := range m.RoleIDs {
		parts = append(parts, "@"+c.roleName(id))
	}
	if len(parts) == 0 {
		parts = append(parts, "no roles")
	}
	var perms []string
	if m.Permissions&placement.PermAdministrator != 0 {
		perms = append(perms, "Administrator")
	}
	if m.Permissions&placement.PermManageGuild != 0 {
		perms = append(perms, "Manage Server")
	}
	s := strings.Join(parts, ", ")
	if len(perms) > 0 {
		s += " (permissions: " + strings.Join(perms, ", ") + ")"
	}
	return s
}

// as picks the member the next interactions come from.
func (c *Console) as(args []string) error {
	if len(args) == 0 || len(args) > 2 {
		return usageError("Usage: as coordinator | as mentor [name] | as student [name] | as <name>")
	}
	var pick *demo.Member
	if role := c.findRole(args[0]); role != nil && role.ID != c.guild.ID {
		if len(args) == 1 {
			for i, m := range c.guild.Members {
				if slices.Contains(m.RoleIDs, role.ID) {
					pick = &c.guild.Members[i]
					break
				}
			}
			if pick == nil {
				return usageError("Nobody in %s has the @%s role.", c.guild.Name, role.Name)
			}
		} else {
			pick = c.findMember(args[1])
			if pick == nil {
				return usageError("No member called %q: `members` lists everyone.", args[1])
			}
			if !slices.Contains(pick.RoleIDs, role.ID) {
				return usageError("%s doesn't have the @%s role: %s has %s.", pick.Name, role.Name, pick.Name, c.describe(*pick))
			}
		}
	} else {
		if len(args) == 2 {
			return usageError("No role called %q: `members` lists the members and their roles.", args[0])
		}
		pick = c.findMember(args[0])
		if pick == nil {
			return usageError("No member or role called %q: `members` lists everyone.", args[0])
		}
	}
	c.me = pick
	c.printf("You are now %s: %s.\n", pick.Name, c.describe(*pick))
	return nil
}

func (c *Console) setLocale(arg string) error {
	for l := range discordgo.Locales {
		if strings.EqualFold(string(l), arg) {
			c.locale = l
			c.printf("Your interactions now carry the locale %s: %s.\n", string(l), discordgo.Locales[l])
			return nil
		}
	}
	return usageError("Unknown locale %q: try `locale en-US` or `locale zh-CN`.", arg)
}

func (c *Console) findMember(s string) *demo.Member {
	s = strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(s, "<@"), "!"), "@"), ">")
	for i, m := range c.guild.Members {
		if m.ID == s || strings.EqualFold(m.Name, s) {
			return &c.guild.Members[i]
		}
	}
	return nil
}

func (c *Console) findRole(s string) *demo.Role {
	s = strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(s, "<@&"), "@"), "&"), ">")
	for i, r := range c.guild.Roles {
		if r.ID == s || strings.EqualFold(r.Name, s) {
			return &c.guild.Roles[i]
		}
	}
	return nil
}

func (c *Console) findChannel(s string) *demo.Channel {
	s = strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(s, "<#"), "#"), ">")
	for i, ch := range c.guild.Channels {
		if ch.ID == s || strings.EqualFold(ch.Name, s) {
			return &c.guild.Channels[i]
		}
	}
	return nil
}

// roleName is how Discord shows a role; the guild id is the @everyone role.
func (c *Console) roleName(id string) string {
	for _, r := range c.guild.Roles {
		if r.ID == id {
			if id == c.guild.ID {
				return "everyone"
			}
			return r.Name
		}
	}
	return "deleted-role"
}
