package ui

import (
	"context"
	"strings"

	"github.com/bwmarrin/discordgo"

	"placementbot/internal/placement"
)

// Titled is something a member picks by its title.
type Titled struct {
	ID    int64
	Title string
}

// PositionTitles lists positions by title, to match what a member typed.
func PositionTitles(ps []placement.Position) []Titled {
	out := make([]Titled, len(ps))
	for i, p := range ps {
		out[i] = Titled{p.ID, p.Title}
	}
	return out
}

// MatchTitle finds the one item a typed title names: an exact title (ignoring case), or else
// the only title containing the text.
func MatchTitle(typed string, items []Titled) (int64, bool) {
	typed = strings.ToLower(strings.TrimSpace(typed))
	if typed == "" {
		return 0, false
	}
	var exact, partial []int64
	for _, p := range items {
		t := strings.ToLower(p.Title)
		switch {
		case t == typed:
			exact = append(exact, p.ID)
		case strings.Contains(t, typed):
			partial = append(partial, p.ID)
		}
	}
	switch {
	case len(exact) == 1:
		return exact[0], true
	case len(exact) == 0 && len(partial) == 1:
		return partial[0], true
	}
	return 0, false
}

// ResolveEnterprise reads an enterprise option: normally the id of a suggestion, else a typed
// name that names one enterprise of this guild (an exact name wins over the longer names it
// starts). With verifiedOnly, an enterprise that is not verified reads as not found (browsing
// shows only verified ones); without, a coordinator may name one of any status.
func ResolveEnterprise(ctx context.Context, svc *placement.Service, a placement.Actor, raw string, verifiedOnly bool) (placement.Enterprise, error) {
	notFound := placement.Errorf(placement.ENOTFOUND, "err.enterprise_not_found", nil)
	raw = strings.TrimSpace(raw)
	if id, ok := ParseID(raw); ok {
		e, err := svc.Enterprise(ctx, a, id)
		switch {
		case placement.ErrorCode(err) == placement.ENOTFOUND:
			return e, notFound
		case err != nil:
			return e, err
		case verifiedOnly && e.Status != placement.EnterpriseVerified:
			return e, notFound
		}
		return e, nil
	}
	var es []placement.Enterprise
	var err error
	if !verifiedOnly && a.Is(placement.RoleCoordinator) {
		es, err = svc.Enterprises(ctx, a, placement.EnterpriseFilter{Prefix: raw, Limit: MaxChoices})
	} else {
		es, err = svc.SuggestEnterprises(ctx, a, raw, false)
	}
	if err != nil {
		return placement.Enterprise{}, err
	}
	for _, e := range es {
		if strings.EqualFold(e.Name, raw) {
			return e, nil
		}
	}
	if len(es) == 1 {
		return es[0], nil
	}
	return placement.Enterprise{}, notFound
}

// EnterpriseChoices suggests verified enterprises by name, with their city; the value is the id.
func EnterpriseChoices(ctx context.Context, svc *placement.Service, a placement.Actor, typed string) ([]*discordgo.ApplicationCommandOptionChoice, error) {
	es, err := svc.SuggestEnterprises(ctx, a, typed, false)
	if err != nil {
		return nil, err
	}
	choices := make([]*discordgo.ApplicationCommandOptionChoice, 0, min(len(es), MaxChoices))
	for _, e := range es {
		if len(choices) == MaxChoices {
			break
		}
		name := e.Name
		if e.City != "" {
			name += " (" + e.City + ")"
		}
		choices = append(choices, Choice(name, e.ID))
	}
	return choices, nil
}

// UserPicker is Discord's member picker for one member, with the current one picked already.
func UserPicker(customID, placeholder, current string) discordgo.ActionsRow {
	one := 1
	menu := discordgo.SelectMenu{
		MenuType: discordgo.UserSelectMenu, CustomID: customID,
		Placeholder: Truncate(placeholder, MaxPlaceholder), MinValues: &one, MaxValues: 1,
	}
	if current != "" {
		menu.DefaultValues = []discordgo.SelectMenuDefaultValue{{ID: current, Type: discordgo.SelectMenuDefaultValueUser}}
	}
	return Row(menu)
}

// ReasonInput is the text input of a reason the other side reads (a rejection, a refusal):
// required, 3 to 300 characters, as the service demands.
func ReasonInput(label, placeholder string) discordgo.TextInput {
	return discordgo.TextInput{
		CustomID: "reason", Label: Truncate(label, MaxInputLabel), Style: discordgo.TextInputParagraph,
		Placeholder: Truncate(placeholder, MaxInputPlaceholder), Required: true, MinLength: 3, MaxLength: 300,
	}
}
