package testenv

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/bwmarrin/discordgo"

	"placementbot/internal/demo"
)

// AppID is the application id test interactions carry.
const AppID = "800000000000000001"

var interactionSeq atomic.Int64

// Opt is one slash command option as the Discord client sends it.
type Opt struct {
	Name  string
	Type  discordgo.ApplicationCommandOptionType
	Value any
}

// RoleOpt is a role option referring to a demo role id.
func RoleOpt(name, id string) Opt { return Opt{name, discordgo.ApplicationCommandOptionRole, id} }

// ChannelOpt is a channel option referring to a demo channel id.
func ChannelOpt(name, id string) Opt { return Opt{name, discordgo.ApplicationCommandOptionChannel, id} }

// StringOpt is a string option.
func StringOpt(name, v string) Opt { return Opt{name, discordgo.ApplicationCommandOptionString, v} }

// Member finds a demo member by name.
func Member(name string) demo.Member {
	for _, m := range demo.School().Members {
		if m.Name == name {
			return m
		}
	}
	panic("no demo member " + name)
}

func base(m demo.Member, t discordgo.InteractionType) *discordgo.Interaction {
	n := interactionSeq.Add(1)
	return &discordgo.Interaction{
		ID: strconv.FormatInt(700000000000000000+n, 10), AppID: AppID, Type: t, GuildID: demo.GuildID,
		ChannelID: demo.GeneralID, Token: fmt.Sprintf("token-%d", n), Version: 1, Locale: discordgo.EnglishUS,
		Member: &discordgo.Member{User: &discordgo.User{ID: m.ID, Username: m.Name}, Roles: m.RoleIDs, Permissions: m.Permissions},
	}
}

// Slash builds a slash command interaction, "/setup roles" style: path is the command and
// subcommand separated by spaces; options go to the leaf with resolved roles and channels
// filled in from the demo server, as Discord does.
func Slash(m demo.Member, path string, opts ...Opt) *discordgo.Interaction {
	return slash(m, discordgo.InteractionApplicationCommand, path, opts)
}

// Autocomplete builds an autocomplete interaction with the last option focused.
func Autocomplete(m demo.Member, path string, opts ...Opt) *discordgo.Interaction {
	return slash(m, discordgo.InteractionApplicationCommandAutocomplete, path, opts)
}

func slash(m demo.Member, t discordgo.InteractionType, path string, opts []Opt) *discordgo.Interaction {
	in := base(m, t)
	g := demo.School()
	res := &discordgo.ApplicationCommandInteractionDataResolved{}
	var leaf []*discordgo.ApplicationCommandInteractionDataOption
	for i, o := range opts {
		leaf = append(leaf, &discordgo.ApplicationCommandInteractionDataOption{Name: o.Name, Type: o.Type, Value: o.Value,
			Focused: t == discordgo.InteractionApplicationCommandAutocomplete && i == len(opts)-1})
		id, _ := o.Value.(string)
		switch o.Type {
		case discordgo.ApplicationCommandOptionRole:
			for _, r := range g.Roles {
				if r.ID == id {
					if res.Roles == nil {
						res.Roles = map[string]*discordgo.Role{}
					}
					res.Roles[id] = &discordgo.Role{ID: r.ID, Name: r.Name, Managed: r.Managed}
				}
			}
		case discordgo.ApplicationCommandOptionUser:
			for _, m := range g.Members {
				if m.ID == id {
					if res.Users == nil {
						res.Users, res.Members = map[string]*discordgo.User{}, map[string]*discordgo.Member{}
					}
					res.Users[id] = &discordgo.User{ID: m.ID, Username: m.Name}
					res.Members[id] = &discordgo.Member{Roles: m.RoleIDs, Permissions: m.Permissions}
				}
			}
		case discordgo.ApplicationCommandOptionChannel:
			for _, c := range g.Channels {
				if c.ID == id {
					if res.Channels == nil {
						res.Channels = map[string]*discordgo.Channel{}
					}
					res.Channels[id] = &discordgo.Channel{ID: c.ID, Name: c.Name, Type: c.Type}
				}
			}
		}
	}
	parts := append(strings.Fields(path), "")
	name, sub := parts[0], parts[1]
	data := discordgo.ApplicationCommandInteractionData{ID: "600000000000000001", Name: name, CommandType: discordgo.ChatApplicationCommand, Resolved: res}
	if sub != "" {
		data.Options = []*discordgo.ApplicationCommandInteractionDataOption{{Name: sub, Type: discordgo.ApplicationCommandOptionSubCommand, Options: leaf}}
	} else {
		data.Options = leaf
	}
	in.Data = data
	return in
}

// Button builds a button press on a message the bot sent.
func Button(m demo.Member, customID string) *discordgo.Interaction {
	in := base(m, discordgo.InteractionMessageComponent)
	in.Data = discordgo.MessageComponentInteractionData{CustomID: customID, ComponentType: discordgo.ButtonComponent}
	in.Message = &discordgo.Message{ID: "500000000000000001", ChannelID: demo.GeneralID}
	return in
}

// Select builds a select menu choice on a message the bot sent.
func Select(m demo.Member, customID string, values ...string) *discordgo.Interaction {
	in := base(m, discordgo.InteractionMessageComponent)
	in.Data = discordgo.MessageComponentInteractionData{CustomID: customID, ComponentType: discordgo.SelectMenuComponent, Values: values}
	in.Message = &discordgo.Message{ID: "500000000000000001", ChannelID: demo.GeneralID}
	return in
}

// UserSelect builds a pick in a member picker, resolved the way Discord sends it: picked
// members of the demo server come with their user and membership, anyone else with neither.
func UserSelect(m demo.Member, customID string, userIDs ...string) *discordgo.Interaction {
	in := Select(m, customID, userIDs...)
	res := discordgo.MessageComponentInteractionDataResolved{Users: map[string]*discordgo.User{}, Members: map[string]*discordgo.Member{}}
	for _, x := range demo.School().Members {
		if slices.Contains(userIDs, x.ID) {
			res.Users[x.ID], res.Members[x.ID] = &discordgo.User{ID: x.ID, Username: x.Name}, &discordgo.Member{Roles: x.RoleIDs}
		}
	}
	in.Data = discordgo.MessageComponentInteractionData{CustomID: customID, ComponentType: discordgo.UserSelectMenuComponent, Values: userIDs, Resolved: res}
	return in
}

// ModalSubmit builds a modal submission with the given text input values.
func ModalSubmit(m demo.Member, customID string, fields map[string]string) *discordgo.Interaction {
	in := base(m, discordgo.InteractionModalSubmit)
	var rows []discordgo.MessageComponent
	for id, v := range fields {
		rows = append(rows, &discordgo.ActionsRow{Components: []discordgo.MessageComponent{&discordgo.TextInput{CustomID: id, Value: v}}})
	}
	in.Data = discordgo.ModalSubmitInteractionData{CustomID: customID, Components: rows}
	return in
}

// JSON encodes an interaction the way Discord sends it. discordgo does not marshal an
// interaction's data (its field is hidden from encoding/json), so it is added here.
func JSON(in *discordgo.Interaction) []byte {
	b, err := json.Marshal(in)
	if err != nil {
		panic(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		panic(err)
	}
	m["data"] = in.Data
	if in.Type == discordgo.InteractionPing {
		delete(m, "data")
	}
	out, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	return out
}

// IntOpt is an integer option (Discord sends numbers as JSON numbers).
func IntOpt(name string, v int) Opt {
	return Opt{name, discordgo.ApplicationCommandOptionInteger, float64(v)}
}

// BoolOpt is a boolean option.
func BoolOpt(name string, v bool) Opt { return Opt{name, discordgo.ApplicationCommandOptionBoolean, v} }

// UserOpt is a user option referring to a demo member by name.
func UserOpt(name, member string) Opt {
	return Opt{name, discordgo.ApplicationCommandOptionUser, Member(member).ID}
}
