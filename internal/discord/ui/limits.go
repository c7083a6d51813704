package ui

import (
	"slices"
	"strconv"

	"github.com/bwmarrin/discordgo"
)

// Discord's limits on what one message may carry.
const (
	MaxContent          = 2000
	MaxEmbeds           = 10
	MaxEmbedTitle       = 256
	MaxEmbedDesc        = 4096
	MaxFields           = 25
	MaxFieldName        = 256
	MaxFieldValue       = 1024
	MaxFooter           = 2048
	MaxAuthor           = 256
	MaxEmbedsTotal      = 6000 // characters across every embed of one message
	MaxRows             = 5
	MaxButtonsPerRow    = 5
	MaxOptions          = 25
	MaxLabel            = 80
	MaxOptionText       = 100
	MaxPlaceholder      = 150
	MaxCustomID         = 100
	MaxChoiceName       = 100
	MaxChoices          = 25
	MaxModalTitle       = 45
	MaxInputLabel       = 45
	MaxInputPlaceholder = 100
)

// FitEmbeds cuts every text of the embeds to Discord's limits with an ellipsis, drops fields past
// 25 and embeds past 10, and then cuts from the end until the message's embeds hold at most
// 6,000 characters in total, so no card can be refused whatever a member typed.
func FitEmbeds(embeds []*discordgo.MessageEmbed) []*discordgo.MessageEmbed {
	if len(embeds) > MaxEmbeds {
		embeds = embeds[:MaxEmbeds]
	}
	total := 0
	for _, e := range embeds {
		e.Title = Truncate(e.Title, MaxEmbedTitle)
		e.Description = Truncate(e.Description, MaxEmbedDesc)
		if len(e.Fields) > MaxFields {
			e.Fields = e.Fields[:MaxFields]
		}
		for _, f := range e.Fields {
			f.Name = Truncate(f.Name, MaxFieldName)
			f.Value = Truncate(f.Value, MaxFieldValue)
			if f.Name == "" {
				f.Name = "\u200b"
			}
			if f.Value == "" {
				f.Value = "\u200b"
			}
		}
		if e.Footer != nil {
			e.Footer.Text = Truncate(e.Footer.Text, MaxFooter)
		}
		if e.Author != nil {
			e.Author.Name = Truncate(e.Author.Name, MaxAuthor)
		}
		total += embedLength(e)
	}
	if total > MaxEmbedsTotal {
		// The longest embeds give way first, so a short one beside a long card stays whole.
		order := slices.Clone(embeds)
		slices.SortStableFunc(order, func(a, b *discordgo.MessageEmbed) int { return embedLength(b) - embedLength(a) })
		for _, e := range order {
			if total <= MaxEmbedsTotal {
				break
			}
			total = shrinkEmbed(e, total)
		}
	}
	return embeds
}

// embedLength counts the characters Discord counts towards the 6,000 of a message.
func embedLength(e *discordgo.MessageEmbed) int {
	n := runes(e.Title) + runes(e.Description)
	for _, f := range e.Fields {
		n += runes(f.Name) + runes(f.Value)
	}
	if e.Footer != nil {
		n += runes(e.Footer.Text)
	}
	if e.Author != nil {
		n += runes(e.Author.Name)
	}
	return n
}

// shrinkEmbed cuts the embed's longest texts, last field first, until the total fits; it
// returns the new total.
func shrinkEmbed(e *discordgo.MessageEmbed, total int) int {
	cut := func(s *string, min int) {
		if total <= MaxEmbedsTotal {
			return
		}
		have := runes(*s)
		keep := max(have-(total-MaxEmbedsTotal), min)
		if keep >= have {
			return
		}
		*s = Truncate(*s, keep)
		total -= have - runes(*s)
	}
	cut(&e.Description, 0)
	for i := len(e.Fields) - 1; i >= 0 && total > MaxEmbedsTotal; i-- {
		cut(&e.Fields[i].Value, 1)
	}
	if e.Footer != nil {
		cut(&e.Footer.Text, 0)
	}
	for i := len(e.Fields) - 1; i >= 0 && total > MaxEmbedsTotal; i-- {
		cut(&e.Fields[i].Name, 1)
	}
	cut(&e.Title, 1)
	return total
}

func runes(s string) int {
	n := 0
	for range s {
		n++
	}
	return n
}

// FitComponents keeps components within Discord's limits: at most five rows, five buttons or
// one menu a row, 25 options a menu, labels and custom_ids cut to size; a custom_id seen twice
// in one message gets a suffix so each is unique, as Discord requires.
func FitComponents(comps []discordgo.MessageComponent) []discordgo.MessageComponent {
	if len(comps) > MaxRows {
		comps = comps[:MaxRows]
	}
	seen := map[string]bool{}
	unique := func(id string) string {
		id = cutID(id, MaxCustomID)
		for n := 2; seen[id]; n++ {
			suffix := "~" + strconv.Itoa(n)
			id = cutID(id, MaxCustomID-len(suffix)) + suffix
		}
		seen[id] = true
		return id
	}
	for i, c := range comps {
		row, ok := c.(discordgo.ActionsRow)
		if !ok {
			if p, isPtr := c.(*discordgo.ActionsRow); isPtr {
				row, ok = *p, true
			}
		}
		if !ok {
			continue
		}
		if len(row.Components) > MaxButtonsPerRow {
			row.Components = row.Components[:MaxButtonsPerRow]
		}
		for j, x := range row.Components {
			row.Components[j] = fitComponent(x, unique)
		}
		comps[i] = row
	}
	return comps
}

func fitComponent(x discordgo.MessageComponent, unique func(string) string) discordgo.MessageComponent {
	switch b := x.(type) {
	case discordgo.Button:
		b.Label = Truncate(b.Label, MaxLabel)
		if b.Style != discordgo.LinkButton {
			b.CustomID = unique(b.CustomID)
		}
		return b
	case discordgo.SelectMenu:
		b.CustomID = unique(b.CustomID)
		b.Placeholder = Truncate(b.Placeholder, MaxPlaceholder)
		if len(b.Options) > MaxOptions {
			b.Options = b.Options[:MaxOptions]
		}
		for k := range b.Options {
			b.Options[k].Label = Truncate(b.Options[k].Label, MaxOptionText)
			b.Options[k].Description = Truncate(b.Options[k].Description, MaxOptionText)
			b.Options[k].Value = cutID(b.Options[k].Value, MaxOptionText)
		}
		if b.MaxValues > len(b.Options) && len(b.Options) > 0 {
			b.MaxValues = len(b.Options)
		}
		return b
	}
	return x
}

// cutID cuts an identifier the bot wrote (a custom_id, a menu value) to n characters, as
// Discord counts them; a checklist item named in Chinese is part of some.
func cutID(s string, n int) string {
	if len(s) <= n {
		return s
	}
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

// FitChoices keeps autocomplete choices within 25 and their names within 100 characters.
func FitChoices(cs []*discordgo.ApplicationCommandOptionChoice) []*discordgo.ApplicationCommandOptionChoice {
	if len(cs) > MaxChoices {
		cs = cs[:MaxChoices]
	}
	for _, c := range cs {
		c.Name = Truncate(OneLine(c.Name), MaxChoiceName)
	}
	return cs
}

// Choice is an autocomplete suggestion whose value is an id.
func Choice(name string, id int64) *discordgo.ApplicationCommandOptionChoice {
	return &discordgo.ApplicationCommandOptionChoice{Name: Truncate(OneLine(name), MaxChoiceName), Value: FormatID(id)}
}

// Field is an embed field, cut to Discord's limits.
func Field(name, value string, inline bool) *discordgo.MessageEmbedField {
	return &discordgo.MessageEmbedField{Name: Truncate(name, MaxFieldName), Value: Truncate(value, MaxFieldValue), Inline: inline}
}

// Row is an action row of components.
func Row(cs ...discordgo.MessageComponent) discordgo.ActionsRow {
	return discordgo.ActionsRow{Components: cs}
}
