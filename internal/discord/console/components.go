package console

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
)

// target is the most recent message with buttons or selects, and its control number n.
func (c *Console) target(arg string) (*message, discordgo.MessageComponent, int, error) {
	if c.me == nil {
		return nil, nil, 0, errNobody
	}
	c.mu.Lock()
	var m *message
	var ctl []discordgo.MessageComponent
	for i := len(c.messages) - 1; i >= 0 && m == nil; i-- {
		if ctl = controls(c.messages[i].components); len(ctl) > 0 {
			m = c.messages[i]
		}
	}
	c.mu.Unlock()
	if m == nil {
		return nil, nil, 0, usageError("There is no message with buttons or menus yet.")
	}
	n, err := strconv.Atoi(arg)
	if err != nil || n < 1 || n > len(ctl) {
		return nil, nil, 0, usageError("Pick a number from 1 to %d: the latest message has %d buttons and menus.", len(ctl), len(ctl))
	}
	return m, ctl[n-1], n, nil
}

// press presses button N of the latest message with components.
func (c *Console) press(ctx context.Context, arg string) error {
	word, _, _ := strings.Cut(arg, " ")
	m, ctl, n, err := c.target(word)
	if err != nil {
		return err
	}
	bt, ok := ctl.(*discordgo.Button)
	if !ok {
		return usageError("%d is a select menu: pick from it with `select %d <option>`.", n, n)
	}
	switch {
	case bt.Style == discordgo.LinkButton:
		return usageError("%d is a link: it opens %s in a browser and sends the bot nothing.", n, bt.URL)
	case bt.Style == discordgo.PremiumButton:
		return usageError("%d is a purchase button: the console can't buy anything.", n)
	case bt.Disabled:
		return usageError("%d (%s) is disabled.", n, bt.Label)
	}
	in, err := c.interaction(discordgo.InteractionMessageComponent,
		map[string]any{"custom_id": bt.CustomID, "component_type": discordgo.ButtonComponent}, m)
	if err != nil {
		return err
	}
	return c.send(ctx, in, m)
}

// choose picks options, by their shown number or their value, in select menu N.
func (c *Console) choose(ctx context.Context, arg string) error {
	args := strings.Fields(arg)
	if len(args) == 0 {
		return usageError("Usage: select N option [option ...]")
	}
	m, ctl, n, err := c.target(args[0])
	if err != nil {
		return err
	}
	sm, ok := ctl.(*discordgo.SelectMenu)
	if !ok {
		return usageError("%d is a button: press it with `press %d`.", n, n)
	}
	if sm.Disabled {
		return usageError("Menu %d is disabled.", n)
	}
	opts := c.selectOptions(sm)
	var values []string
	res := &resolved{}
	for _, a := range args[1:] {
		i := pickOption(opts, a)
		if i < 0 {
			return usageError("Menu %d has no option %q: pick by the number shown or by value.", n, a)
		}
		o := opts[i]
		for _, v := range values {
			if v == o.value {
				return usageError("%s is picked twice.", o.label)
			}
		}
		values = append(values, o.value)
		c.resolveOption(res, o)
	}
	if lo, hi := selectBounds(sm); len(values) < lo || len(values) > hi {
		if lo == hi {
			return usageError("Menu %d takes exactly %d option(s); you picked %d.", n, lo, len(values))
		}
		return usageError("Menu %d takes %d to %d options; you picked %d.", n, lo, hi, len(values))
	}
	data := map[string]any{"custom_id": sm.CustomID, "component_type": sm.Type(), "values": values}
	if !res.empty() {
		data["resolved"] = res
	}
	in, err := c.interaction(discordgo.InteractionMessageComponent, data, m)
	if err != nil {
		return err
	}
	return c.send(ctx, in, m)
}

// pickOption finds an option by its shown number first, then by value, then by label.
func pickOption(opts []selectOption, a string) int {
	if i, err := strconv.Atoi(a); err == nil && i >= 1 && i <= len(opts) {
		return i - 1
	}
	for i, o := range opts {
		if o.value == a {
			return i
		}
	}
	for i, o := range opts {
		if strings.EqualFold(strings.TrimLeft(o.label, "@#"), strings.TrimLeft(a, "@#")) {
			return i
		}
	}
	return -1
}

// resolveOption adds a user, role or channel picked in an auto-populated menu to the resolved
// data Discord sends with it.
func (c *Console) resolveOption(res *resolved, o selectOption) {
	switch o.kind {
	case discordgo.SelectMenuDefaultValueUser:
		if m := c.findMember(o.value); m != nil {
			c.resolveMember(res, *m)
		}
	case discordgo.SelectMenuDefaultValueRole:
		if r := c.findRole(o.value); r != nil {
			c.resolveRole(res, *r)
		}
	case discordgo.SelectMenuDefaultValueChannel:
		if ch := c.findChannel(o.value); ch != nil {
			res.Channels = setDefault(res.Channels)
			res.Channels[ch.ID] = map[string]any{"id": ch.ID, "name": ch.Name, "type": ch.Type, "permissions": "0"}
		}
	}
}

// modalForm is a modal the bot opened.
type modalForm struct {
	customID, title string
	inputs          []*discordgo.TextInput
}

func decodeModal(raw []byte) (*modalForm, error) {
	var head struct {
		CustomID string `json:"custom_id"`
		Title    string `json:"title"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return nil, err
	}
	var body discordgo.Message // decodes components into their concrete types
	if err := json.Unmarshal(raw, &body); err != nil {
		return nil, err
	}
	f := &modalForm{customID: head.CustomID, title: head.Title}
	for _, row := range body.Components {
		ar, ok := row.(*discordgo.ActionsRow)
		if !ok {
			return nil, fmt.Errorf("a modal holds only action rows, not component type %d", row.Type())
		}
		for _, comp := range ar.Components {
			ti, ok := comp.(*discordgo.TextInput)
			if !ok {
				return nil, fmt.Errorf("a modal row holds text inputs, not component type %d", comp.Type())
			}
			f.inputs = append(f.inputs, ti)
		}
	}
	if len(f.inputs) == 0 {
		return nil, fmt.Errorf("a modal needs at least one text input")
	}
	return f, nil
}

// fillModal asks for each field of the modal, one input line each, then submits it.
func (c *Console) fillModal(ctx context.Context, ex *exchange) error {
	f := ex.modal
	c.printf("%s opened a form: %s\n", botName, f.title)
	if c.interactive {
		c.printf("  (one line per field; \\n makes a line break; \"cancel\" abandons the form)\n")
	}
	rows := make([]map[string]any, 0, len(f.inputs))
	for _, ti := range f.inputs {
		value, ok, err := c.askField(ctx, ti)
		if err != nil || !ok {
			return err
		}
		rows = append(rows, map[string]any{"type": discordgo.ActionsRowComponent, "components": []map[string]any{
			{"type": discordgo.TextInputComponent, "custom_id": ti.CustomID, "value": value},
		}})
	}
	// A modal opened from a button belongs to that button's message, as on Discord.
	var source *message
	if ex.in.Type == discordgo.InteractionMessageComponent {
		source = ex.source
	}
	in, err := c.interaction(discordgo.InteractionModalSubmit, map[string]any{"custom_id": f.customID, "components": rows}, source)
	if err != nil {
		return err
	}
	return c.send(ctx, in, source)
}

// askField reads one field's value, asking again while it isn't one Discord would accept;
// ok is false when the form was cancelled or the input ended.
func (c *Console) askField(ctx context.Context, ti *discordgo.TextInput) (string, bool, error) {
	limit := ti.MaxLength
	if limit == 0 {
		limit = 4000
	}
	need := "optional"
	if ti.Required {
		need = "required"
	}
	size := fmt.Sprintf("up to %d characters", limit)
	if ti.MinLength > 0 {
		size = fmt.Sprintf("%d to %d characters", ti.MinLength, limit)
	}
	prompt := fmt.Sprintf("  %s (%s, %s): ", ti.Label, need, size)
	if ti.Value != "" {
		c.printf("  %s is filled in with %q; a blank line keeps it.\n", ti.Label, ti.Value)
	} else if ti.Placeholder != "" {
		c.printf("  hint: %s\n", ti.Placeholder)
	}
	for {
		c.prompt(prompt)
		line, ok, err := c.next(ctx)
		if err != nil {
			return "", false, err
		}
		if !ok {
			c.printf("\nThe input ended: the form was abandoned and nothing was sent.\n")
			return "", false, nil
		}
		if !c.interactive {
			c.printf("%s\n", line)
		}
		if strings.TrimSpace(line) == "cancel" {
			c.printf("Form cancelled: nothing was sent.\n")
			return "", false, nil
		}
		value := unescape(line)
		if value == "" {
			value = ti.Value
		}
		n := utf8.RuneCountInString(value)
		switch {
		case value == "" && ti.Required:
			c.printf("  %s is required.\n", ti.Label)
		case n > limit:
			c.printf("  %s is too long: %d characters, at most %d.\n", ti.Label, n, limit)
		case n > 0 && n < ti.MinLength:
			c.printf("  %s is too short: %d characters, at least %d.\n", ti.Label, n, ti.MinLength)
		default:
			return value, true, nil
		}
	}
}

// unescape turns \n into a line break and \\ into a backslash, so one input line can hold a
// paragraph.
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			switch s[i+1] {
			case 'n':
				b.WriteByte('\n')
				i++
				continue
			case '\\':
				b.WriteByte('\\')
				i++
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
