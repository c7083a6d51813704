package discord

import (
	"github.com/bwmarrin/discordgo"

	"placementbot/internal/discord/ui"
)

// Reply is what a handler answers; the router turns it into the right Discord response for the
// moment (initial reply, edit after a deferral, modal, autocomplete) and sets allowed mentions.
type Reply struct {
	Content    string
	Embeds     []*discordgo.MessageEmbed
	Components []discordgo.MessageComponent
	// Public makes the reply visible to the channel; replies are ephemeral unless said otherwise.
	Public bool
	// Modal, when set, answers with a modal instead of a message.
	Modal *Modal
	// Choices answers an autocomplete interaction.
	Choices []*discordgo.ApplicationCommandOptionChoice
	// Files are attachments sent with the message (multipart, as Discord wants them); an embed
	// shows one as its image with the URL "attachment://<name>".
	Files []*discordgo.File
}

// Modal is a form of text inputs; discordgo v0.29.0 sends modals as action rows of text inputs.
type Modal struct {
	CustomID string
	Title    string
	Inputs   []discordgo.TextInput
}

// NoMentions lets no text in a message ping anyone: an explicit empty parse list (an empty
// struct would be sent as "parse": null, which Discord reads as the default).
func NoMentions() *discordgo.MessageAllowedMentions {
	return &discordgo.MessageAllowedMentions{Parse: []discordgo.AllowedMentionType{}}
}

func (r *Reply) flags() discordgo.MessageFlags {
	if r.Public {
		return 0
	}
	return discordgo.MessageFlagsEphemeral
}

func (r *Reply) components() []discordgo.MessageComponent {
	if r.Components == nil {
		return []discordgo.MessageComponent{}
	}
	return ui.FitComponents(r.Components)
}

func (r *Reply) embeds() []*discordgo.MessageEmbed {
	if r.Embeds == nil {
		return []*discordgo.MessageEmbed{}
	}
	return ui.FitEmbeds(r.Embeds)
}

func (r *Reply) content() string { return ui.Truncate(r.Content, ui.MaxContent) }

// response builds the initial response; update edits the message a component sits on.
func (r *Reply) response(update bool) *discordgo.InteractionResponse {
	switch {
	case r.Modal != nil:
		inputs := r.Modal.Inputs
		if len(inputs) > ui.MaxRows {
			inputs = inputs[:ui.MaxRows]
		}
		rows := make([]discordgo.MessageComponent, len(inputs))
		for i, in := range inputs {
			in.Label = ui.Truncate(in.Label, ui.MaxInputLabel)
			in.Placeholder = ui.Truncate(in.Placeholder, ui.MaxInputPlaceholder)
			if in.MaxLength > 0 {
				in.Value = ui.Truncate(in.Value, in.MaxLength)
			}
			rows[i] = discordgo.ActionsRow{Components: []discordgo.MessageComponent{in}}
		}
		return &discordgo.InteractionResponse{Type: discordgo.InteractionResponseModal,
			Data: &discordgo.InteractionResponseData{CustomID: r.Modal.CustomID, Title: ui.Truncate(r.Modal.Title, ui.MaxModalTitle), Components: rows}}
	case r.Choices != nil:
		return &discordgo.InteractionResponse{Type: discordgo.InteractionApplicationCommandAutocompleteResult,
			Data: &discordgo.InteractionResponseData{Choices: ui.FitChoices(r.Choices)}}
	}
	data := &discordgo.InteractionResponseData{
		Content: r.content(), Embeds: r.embeds(), Components: r.components(),
		Flags: r.flags(), AllowedMentions: NoMentions(), Files: r.Files,
	}
	t := discordgo.InteractionResponseChannelMessageWithSource
	if update {
		t = discordgo.InteractionResponseUpdateMessage
	}
	if update || len(r.Files) > 0 {
		// An update keeps only the attachments its list names: no files clears the old ones.
		data.Attachments = r.attachments()
	}
	return &discordgo.InteractionResponse{Type: t, Data: data}
}

// attachments pairs the reply's files with their attachment entries.
func (r *Reply) attachments() *[]*discordgo.MessageAttachment {
	list := Attachments(r.Files)
	return &list
}

// edit builds the edit of the original response after a deferral.
func (r *Reply) edit() *discordgo.WebhookEdit {
	content, embeds, comps := r.content(), r.embeds(), r.components()
	return &discordgo.WebhookEdit{Content: &content, Embeds: &embeds, Components: &comps, AllowedMentions: NoMentions(),
		Files: r.Files, Attachments: r.attachments()}
}

// followup builds a new ephemeral message after the original was used for something else.
func (r *Reply) followup() *discordgo.WebhookParams {
	return &discordgo.WebhookParams{Content: r.content(), Embeds: r.embeds(), Components: r.components(),
		Flags: r.flags(), AllowedMentions: NoMentions(), Files: r.Files}
}

// WireResponse is the JSON body to send for resp. discordgo omits an empty choices list, but
// Discord requires the field in an autocomplete answer, so those are written out by hand.
func WireResponse(resp *discordgo.InteractionResponse) any {
	if resp.Type != discordgo.InteractionApplicationCommandAutocompleteResult {
		return resp
	}
	choices := []*discordgo.ApplicationCommandOptionChoice{}
	if resp.Data != nil && resp.Data.Choices != nil {
		choices = resp.Data.Choices
	}
	type data struct {
		Choices []*discordgo.ApplicationCommandOptionChoice `json:"choices"`
	}
	return struct {
		Type discordgo.InteractionResponseType `json:"type"`
		Data data                              `json:"data"`
	}{resp.Type, data{choices}}
}

// prefixCustomIDs starts the custom_id of every button, menu and form of the reply with prefix,
// so that what a member presses next in a DM comes back naming its server (see DMPrefix). The
// inputs of a form keep theirs: they name fields, not routes.
func (r *Reply) prefixCustomIDs(prefix string) {
	for i, c := range r.Components {
		r.Components[i] = prefixComponent(prefix, c)
	}
	if r.Modal != nil {
		r.Modal.CustomID = prefix + r.Modal.CustomID
	}
}

func prefixComponent(prefix string, c discordgo.MessageComponent) discordgo.MessageComponent {
	switch x := c.(type) {
	case discordgo.ActionsRow:
		row := discordgo.ActionsRow{Components: make([]discordgo.MessageComponent, len(x.Components))}
		for i, in := range x.Components {
			row.Components[i] = prefixComponent(prefix, in)
		}
		return row
	case *discordgo.ActionsRow:
		return prefixComponent(prefix, *x)
	case discordgo.Button:
		if x.URL == "" {
			x.CustomID = prefix + x.CustomID
		}
		return x
	case *discordgo.Button:
		return prefixComponent(prefix, *x)
	case discordgo.SelectMenu:
		x.CustomID = prefix + x.CustomID
		return x
	case *discordgo.SelectMenu:
		return prefixComponent(prefix, *x)
	}
	return c
}
