package discord

import (
	"strings"

	"github.com/bwmarrin/discordgo"

	"placementbot/internal/discord/ui"
	"placementbot/internal/placement"
)

// Command describes one slash command or subcommand: its name, who may use it, and its options.
// Descriptions come from the message catalog ("cmd.<path>" and "opt.<path>.<option>"), zh-CN
// names from "name.<path>" and "name.<path>.<option>".
type Command struct {
	Name    string
	Roles   placement.Role // who may use it; 0: every member
	Options []Option
	Subs    []Command
}

// Option is one option of a slash command.
type Option struct {
	Name         string
	Type         discordgo.ApplicationCommandOptionType
	Required     bool
	Autocomplete bool
	MaxLength    int
	Min, Max     float64 // for integer options; both zero means no bounds
	Channels     []discordgo.ChannelType
	Choices      []string // fixed values; names come from the catalog "choice.<value>"
}

// Catalog is the part of the message catalog command registration needs.
type Catalog interface {
	T(lang, id string, data map[string]any) string
}

// ApplicationCommands builds the slash command definitions of the features with English names
// and descriptions and their zh-CN localizations, for bulk registration.
func ApplicationCommands(c Catalog, features []Feature) []*discordgo.ApplicationCommand {
	guildOnly := []discordgo.InteractionContextType{discordgo.InteractionContextGuild}
	tree := Commands(features)
	out := make([]*discordgo.ApplicationCommand, 0, len(tree))
	for _, cmd := range tree {
		ac := &discordgo.ApplicationCommand{
			Type:                     discordgo.ChatApplicationCommand,
			Name:                     cmd.Name,
			NameLocalizations:        zhName(c, cmd.Name),
			Description:              description(c, "en-US", "cmd."+cmd.Name),
			DescriptionLocalizations: zhDescription(c, "cmd."+cmd.Name),
			Contexts:                 &guildOnly,
		}
		for _, sub := range cmd.Subs {
			path := cmd.Name + "." + sub.Name
			ac.Options = append(ac.Options, &discordgo.ApplicationCommandOption{
				Type:                     discordgo.ApplicationCommandOptionSubCommand,
				Name:                     sub.Name,
				NameLocalizations:        *zhName(c, path),
				Description:              description(c, "en-US", "cmd."+path),
				DescriptionLocalizations: *zhDescription(c, "cmd."+path),
				Options:                  options(c, path, sub.Options),
			})
		}
		ac.Options = append(ac.Options, options(c, cmd.Name, cmd.Options)...)
		out = append(out, ac)
	}
	return out
}

func options(c Catalog, path string, opts []Option) []*discordgo.ApplicationCommandOption {
	var out []*discordgo.ApplicationCommandOption
	for _, o := range opts {
		key := path + "." + o.Name
		opt := &discordgo.ApplicationCommandOption{
			Type:                     o.Type,
			Name:                     o.Name,
			NameLocalizations:        *zhName(c, key),
			Description:              description(c, "en-US", "opt."+key),
			DescriptionLocalizations: *zhDescription(c, "opt."+key),
			Required:                 o.Required,
			Autocomplete:             o.Autocomplete,
			MaxLength:                o.MaxLength,
			ChannelTypes:             o.Channels,
		}
		if o.Min != 0 || o.Max != 0 {
			lo := o.Min
			opt.MinValue, opt.MaxValue = &lo, o.Max
		}
		for _, v := range o.Choices {
			opt.Choices = append(opt.Choices, &discordgo.ApplicationCommandOptionChoice{
				Name: c.T("en-US", "choice."+v, nil), Value: v,
				NameLocalizations: map[discordgo.Locale]string{discordgo.ChineseCN: c.T("zh-CN", "choice."+v, nil)},
			})
		}
		out = append(out, opt)
	}
	return out
}

// description fits a catalog text into Discord's 100-character limit for descriptions.
func description(c Catalog, lang, key string) string { return ui.Truncate(c.T(lang, key, nil), 100) }

func zhName(c Catalog, path string) *map[discordgo.Locale]string {
	return &map[discordgo.Locale]string{discordgo.ChineseCN: c.T("zh-CN", "name."+path, nil)}
}

func zhDescription(c Catalog, key string) *map[discordgo.Locale]string {
	return &map[discordgo.Locale]string{discordgo.ChineseCN: description(c, "zh-CN", key)}
}

// commandEntry is one invocable command path for /help.
type commandEntry struct {
	Path  string // "/setup/roles"
	Key   string // "cmd.setup.roles"
	Roles placement.Role
}

// commandEntries lists every invocable command path, in tree order.
func commandEntries(tree []Command) []commandEntry {
	var out []commandEntry
	for _, cmd := range tree {
		if len(cmd.Subs) == 0 {
			out = append(out, commandEntry{"/" + cmd.Name, "cmd." + cmd.Name, cmd.Roles})
		}
		for _, sub := range cmd.Subs {
			out = append(out, commandEntry{"/" + cmd.Name + "/" + sub.Name, "cmd." + cmd.Name + "." + sub.Name, sub.Roles})
		}
	}
	return out
}

// Slash renders a route path the way the member's Discord client shows it: "/setup/roles" →
// "/setup roles", or "/设置 身份组" in Chinese, where the client shows localized names.
func (r *Request) Slash(path string) string {
	segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
	if r.Locale == "en-US" {
		return "/" + strings.Join(segs, " ")
	}
	names := make([]string, len(segs))
	for i := range segs {
		names[i] = r.T("name."+strings.Join(segs[:i+1], "."), nil)
	}
	return "/" + strings.Join(names, " ")
}
