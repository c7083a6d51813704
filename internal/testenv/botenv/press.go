package botenv

import (
	"slices"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"placementbot/internal/testenv"
)

// Latest is the message the member sees last for this answer: the last edit or follow-up, or
// the initial response.
func (s Seen) Latest() Message {
	switch {
	case len(s.Followups) > 0:
		return s.Followups[len(s.Followups)-1]
	case len(s.Edits) > 0:
		return s.Edits[len(s.Edits)-1]
	}
	return s.Data
}

// Buttons lists the buttons of the message the member sees last, in order.
func (s Seen) Buttons() []*discordgo.Button {
	var out []*discordgo.Button
	for _, c := range s.Latest().Components {
		if row, ok := c.(*discordgo.ActionsRow); ok {
			for _, x := range row.Components {
				if b, ok := x.(*discordgo.Button); ok {
					out = append(out, b)
				}
			}
		}
	}
	return out
}

// Menus lists the select menus of the message the member sees last, in order.
func (s Seen) Menus() []*discordgo.SelectMenu {
	var out []*discordgo.SelectMenu
	for _, c := range s.Latest().Components {
		if row, ok := c.(*discordgo.ActionsRow); ok {
			for _, x := range row.Components {
				if m, ok := x.(*discordgo.SelectMenu); ok {
					out = append(out, m)
				}
			}
		}
	}
	return out
}

// Button finds the one enabled button whose label contains label, failing the test when there
// is none or more than one; it is how tests press what the member was actually shown.
func (s Seen) Button(t testing.TB, label string) *discordgo.Button {
	t.Helper()
	var found []*discordgo.Button
	var labels []string
	for _, b := range s.Buttons() {
		labels = append(labels, b.Label)
		if strings.Contains(b.Label, label) && !b.Disabled {
			found = append(found, b)
		}
	}
	if len(found) != 1 {
		t.Fatalf("want one enabled button labelled %q, found %d among %q\n%s", label, len(found), labels, s.Text())
	}
	return found[0]
}

// HasButton reports whether the message shows a button whose label contains label (enabled
// or not).
func (s Seen) HasButton(label string) bool {
	return slices.ContainsFunc(s.Buttons(), func(b *discordgo.Button) bool { return strings.Contains(b.Label, label) })
}

// Press presses, as member, the button labelled label on the message the answer shows; the
// interaction carries that message's components, as Discord's does.
func (b *Bot) Press(t testing.TB, member string, s Seen, label string) Seen {
	t.Helper()
	in := testenv.Button(testenv.Member(member), s.Button(t, label).CustomID)
	in.Message.Components = s.Latest().Components
	return b.Do(t, in)
}

// MustContain fails the test unless the member reads every one of want.
func (s Seen) MustContain(t testing.TB, want ...string) {
	t.Helper()
	text := s.Text()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("reply lacks %q:\n%s", w, text)
		}
	}
}

// MustRefuse checks a refusal: the message says why, only the member sees it, and it is a new
// message rather than an edit of the message the button sat on.
func (s Seen) MustRefuse(t testing.TB, want string) {
	t.Helper()
	if !strings.Contains(s.Text(), want) || !s.Ephemeral() || s.Type != discordgo.InteractionResponseChannelMessageWithSource {
		t.Errorf("want an ephemeral refusal %q, got type %d: %s", want, s.Type, s.Text())
	}
}

// Pick chooses values, as member, in the n-th select menu (from 0) of the message the answer
// shows; the values must be options the menu offers, unless it is a member or role picker.
func (b *Bot) Pick(t testing.TB, member string, s Seen, n int, values ...string) Seen {
	t.Helper()
	menus := s.Menus()
	if n >= len(menus) {
		t.Fatalf("want select menu %d, the message has %d\n%s", n, len(menus), s.Text())
	}
	m := menus[n]
	if m.MenuType == discordgo.StringSelectMenu || m.MenuType == 0 {
		for _, v := range values {
			if !slices.ContainsFunc(m.Options, func(o discordgo.SelectMenuOption) bool { return o.Value == v }) {
				t.Fatalf("menu %s offers no option %q", m.CustomID, v)
			}
		}
	}
	var in *discordgo.Interaction
	switch m.MenuType {
	case discordgo.StringSelectMenu, 0:
		in = testenv.Select(testenv.Member(member), m.CustomID, values...)
	case discordgo.UserSelectMenu:
		in = testenv.UserSelect(testenv.Member(member), m.CustomID, values...)
	default:
		in = testenv.Select(testenv.Member(member), m.CustomID, values...)
		in.Data = discordgo.MessageComponentInteractionData{CustomID: m.CustomID, ComponentType: discordgo.ComponentType(m.MenuType), Values: values}
	}
	in.Message.Components = s.Latest().Components
	return b.Do(t, in)
}

// Fill submits, as member, the modal the answer opened, with the given values for its inputs
// (by input custom_id); every key must be an input the modal has.
func (b *Bot) Fill(t testing.TB, member string, s Seen, values map[string]string) Seen {
	t.Helper()
	if s.Type != discordgo.InteractionResponseModal {
		t.Fatalf("want a modal, got response type %d\n%s", s.Type, s.Text())
	}
	inputs := map[string]bool{}
	for _, c := range s.Data.Components {
		if row, ok := c.(*discordgo.ActionsRow); ok {
			for _, x := range row.Components {
				if in, ok := x.(*discordgo.TextInput); ok {
					inputs[in.CustomID] = true
				}
			}
		}
	}
	for k := range values {
		if !inputs[k] {
			t.Fatalf("modal %s has no input %q", s.Data.CustomID, k)
		}
	}
	return b.Do(t, testenv.ModalSubmit(testenv.Member(member), s.Data.CustomID, values))
}
