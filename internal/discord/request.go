package discord

import (
	"github.com/bwmarrin/discordgo"

	"placementbot/internal/placement"
)

// Request is one interaction as a handler sees it: who asked, in which language, and the
// options or route variables they sent. Everything in it that came from the client is untrusted.
type Request struct {
	Interaction *discordgo.Interaction
	Actor       placement.Actor
	Locale      string
	Path        string            // the route that matched, e.g. "/setup/roles" or "/setup/clear/{which}"
	Vars        map[string]string // route variables from the custom_id: client-controlled text
	options     []*discordgo.ApplicationCommandInteractionDataOption
	t           func(locale, key string, data map[string]any) string
	dm          string // the server a button pressed in a DM belongs to ("" for any other)
}

// T returns the catalog message key in the member's language.
func (r *Request) T(key string, data map[string]any) string { return r.t(r.Locale, key, data) }

// Option returns the named leaf option of a slash command or autocomplete, or nil.
func (r *Request) Option(name string) *discordgo.ApplicationCommandInteractionDataOption {
	for _, o := range r.options {
		if o.Name == name {
			return o
		}
	}
	return nil
}

// String returns a string option's value and whether it was given.
func (r *Request) String(name string) (string, bool) {
	o := r.Option(name)
	if o == nil {
		return "", false
	}
	s, ok := o.Value.(string)
	return s, ok
}

// ID returns the id of a role, channel or user option (sent as a string snowflake).
func (r *Request) ID(name string) (string, bool) {
	s, ok := r.String(name)
	if !ok || !placement.IsSnowflake(s) {
		return "", false
	}
	return s, true
}

// Focused returns the option being typed in an autocomplete interaction.
func (r *Request) Focused() *discordgo.ApplicationCommandInteractionDataOption {
	for _, o := range r.options {
		if o.Focused {
			return o
		}
	}
	return nil
}

// FocusedText is the text being typed in the focused option of an autocomplete, or "".
func (r *Request) FocusedText() string {
	if f := r.Focused(); f != nil {
		if s, ok := f.Value.(string); ok {
			return s
		}
	}
	return ""
}

// Values returns the values picked in a select menu.
func (r *Request) Values() []string {
	if r.Interaction.Type != discordgo.InteractionMessageComponent {
		return nil
	}
	return r.Interaction.MessageComponentData().Values
}

// ModalValue returns the text typed into the modal input with the given custom_id.
func (r *Request) ModalValue(id string) string {
	if r.Interaction.Type != discordgo.InteractionModalSubmit {
		return ""
	}
	for _, row := range r.Interaction.ModalSubmitData().Components {
		ar, ok := row.(*discordgo.ActionsRow)
		if !ok {
			continue
		}
		for _, c := range ar.Components {
			if in, ok := c.(*discordgo.TextInput); ok && in.CustomID == id {
				return in.Value
			}
		}
	}
	return ""
}

// commandPath flattens a slash command into its route path and leaf options:
// "/setup/roles" with the options of the "roles" subcommand.
func commandPath(d discordgo.ApplicationCommandInteractionData) (string, []*discordgo.ApplicationCommandInteractionDataOption) {
	path := "/" + d.Name
	opts := d.Options
	for len(opts) == 1 && (opts[0].Type == discordgo.ApplicationCommandOptionSubCommand ||
		opts[0].Type == discordgo.ApplicationCommandOptionSubCommandGroup) {
		path += "/" + opts[0].Name
		opts = opts[0].Options
	}
	return path, opts
}
