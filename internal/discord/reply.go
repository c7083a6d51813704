package discord

import (
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
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
	return r.Components
}

func (r *Reply) embeds() []*discordgo.MessageEmbed {
	if r.Embeds == nil {
		return []*discordgo.MessageEmbed{}
	}
	return r.Embeds
}

// response builds the initial response; update edits the message a component sits on.
func (r *Reply) response(update bool) *discordgo.InteractionResponse {
	switch {
	case r.Modal != nil:
		rows := make([]discordgo.MessageComponent, len(r.Modal.Inputs))
		for i, in := range r.Modal.Inputs {
			rows[i] = discordgo.ActionsRow{Components: []discordgo.MessageComponent{in}}
		}
		return &discordgo.InteractionResponse{Type: discordgo.InteractionResponseModal,
			Data: &discordgo.InteractionResponseData{CustomID: r.Modal.CustomID, Title: Truncate(r.Modal.Title, 45), Components: rows}}
	case r.Choices != nil:
		return &discordgo.InteractionResponse{Type: discordgo.InteractionApplicationCommandAutocompleteResult,
			Data: &discordgo.InteractionResponseData{Choices: r.Choices}}
	}
	t := discordgo.InteractionResponseChannelMessageWithSource
	if update {
		t = discordgo.InteractionResponseUpdateMessage
	}
	return &discordgo.InteractionResponse{Type: t, Data: &discordgo.InteractionResponseData{
		Content: r.Content, Embeds: r.embeds(), Components: r.components(),
		Flags: r.flags(), AllowedMentions: NoMentions(),
	}}
}

// edit builds the edit of the original response after a deferral.
func (r *Reply) edit() *discordgo.WebhookEdit {
	content, embeds, comps := r.Content, r.embeds(), r.components()
	return &discordgo.WebhookEdit{Content: &content, Embeds: &embeds, Components: &comps, AllowedMentions: NoMentions()}
}

// followup builds a new ephemeral message after the original was used for something else.
func (r *Reply) followup() *discordgo.WebhookParams {
	return &discordgo.WebhookParams{Content: r.Content, Embeds: r.embeds(), Components: r.components(),
		Flags: r.flags(), AllowedMentions: NoMentions()}
}

// Truncate cuts s to at most n characters, ending with an ellipsis when it had to cut.
func Truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
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
