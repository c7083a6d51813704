package fakediscord

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Discord rules that the OpenAPI description cannot express, checked on every request that
// creates or edits a message or opens a modal. Each one is a 400 from real Discord (or, for
// allowed_mentions, a team rule: user text must never ping @everyone, @here or a role).

const (
	// flagComponentsV2 is IS_COMPONENTS_V2: the message is laid out by components only.
	flagComponentsV2 = 1 << 15

	maxActionRows       = 5    // top-level components of a message without IS_COMPONENTS_V2
	maxModalRows        = 5    // top-level components of a modal
	maxTotalComponents  = 40   // all components, nested included, of an IS_COMPONENTS_V2 message
	maxContentRunes     = 2000 // message content sent by a bot
	maxEmbedTotalRunes  = 6000 // title, description, field names and values, footer and author of all embeds
	callbackMessage     = 4    // CHANNEL_MESSAGE_WITH_SOURCE
	callbackUpdate      = 7    // UPDATE_MESSAGE
	callbackModal       = 9    // MODAL
	componentActionRow  = 1    // ACTION_ROW
	componentButton     = 2    // BUTTON
	componentTextInput  = 4    // TEXT_INPUT
	componentStrSelect  = 3    // STRING_SELECT
	buttonStyleLink     = 5    // LINK
	buttonStylePremium  = 6    // PREMIUM
	defaultSelectValues = 1    // min_values and max_values when omitted
)

// selectTypes are the select menu component types; a select fills its action row alone.
var selectTypes = []int64{3, 5, 6, 7, 8}

// messageRequest says whether a request creates or edits a message, and where its message
// fields sit in the body.
type messageRequest struct {
	loc    []string       // location of the message object in the body
	msg    map[string]any // the message object
	create bool           // a new message (must not be empty) rather than an edit
	modal  bool           // a modal (callback type 9) rather than a message
}

// classify finds the message or modal carried by a request, if any.
func classify(method, route string, body any) (messageRequest, []issue) {
	obj, _ := body.(map[string]any)
	if obj == nil {
		return messageRequest{}, nil
	}
	switch {
	case method == "POST" && route == RouteInteractionCallback:
		t, _ := integer(obj["type"])
		data, _ := obj["data"].(map[string]any)
		switch t {
		case callbackMessage:
			if data == nil {
				return messageRequest{}, []issue{{loc: []string{"data"}, msg: "callback type 4 (CHANNEL_MESSAGE_WITH_SOURCE) needs data: Discord answers \"Cannot send an empty message\"", code: "BASE_TYPE_REQUIRED", text: "This field is required"}}
			}
			return messageRequest{loc: []string{"data"}, msg: data, create: true}, nil
		case callbackUpdate:
			if data != nil {
				return messageRequest{loc: []string{"data"}, msg: data}, nil
			}
		case callbackModal:
			if data != nil {
				return messageRequest{loc: []string{"data"}, msg: data, modal: true}, nil
			}
		}
		// Type 5 (deferred) carries at most flags; the content comes with the later edit of
		// @original, which is checked then. Types 1, 6 and 8 carry no message.
		return messageRequest{}, nil
	case method == "POST" && (route == RouteWebhook || route == RouteChannelMessages):
		return messageRequest{msg: obj, create: true}, nil
	case method == "PATCH" && (route == RouteOriginalMessage || route == RouteWebhookMessage || route == RouteChannelMessage):
		return messageRequest{msg: obj}, nil
	}
	return messageRequest{}, nil
}

// checkMessage applies the extra rules to a message or modal. flags are the message flags in
// force (the body's, else those of the message being edited); hasFiles reports uploaded files,
// which make an otherwise empty message valid.
func checkMessage(m messageRequest, flags int64, hasFiles bool) []issue {
	var out []issue
	at := func(tail ...string) []string {
		return append(append([]string(nil), m.loc...), tail...)
	}
	add := func(loc []string, code, format string, args ...any) {
		s := fmt.Sprintf(format, args...)
		out = append(out, issue{loc: loc, msg: s, code: code, text: s})
	}

	if m.modal {
		checkModal(m, at, add)
		return out
	}

	// allowed_mentions: required, with an explicit parse array that never lets text reach
	// @everyone, @here or roles.
	am, present := m.msg["allowed_mentions"]
	switch amObj, _ := am.(map[string]any); {
	case !present:
		add(at("allowed_mentions"), "ALLOWED_MENTIONS_REQUIRED", "allowed_mentions is missing: every message must set it explicitly (with \"parse\": [] or [\"users\"]) so user text cannot ping @everyone, @here or roles")
	case amObj == nil:
		add(at("allowed_mentions"), "ALLOWED_MENTIONS_REQUIRED", "allowed_mentions is %s, want an object with an explicit \"parse\" array", marshal(am))
	default:
		parse, hasParse := amObj["parse"]
		list, isList := parse.([]any)
		switch {
		case !hasParse || !isList:
			add(at("allowed_mentions", "parse"), "ALLOWED_MENTIONS_PARSE", "allowed_mentions.parse is %s, want a JSON array ([] or [\"users\"]); in discordgo set Parse: []discordgo.AllowedMentionType{} because a nil slice is sent as null", describe(parse, hasParse))
		default:
			for i, p := range list {
				if p == "everyone" || p == "roles" {
					add(at("allowed_mentions", "parse", strconv.Itoa(i)), "ALLOWED_MENTIONS_PARSE", "allowed_mentions.parse contains %q: user text could ping %s", p, map[any]string{"everyone": "@everyone and @here", "roles": "roles"}[p])
				}
			}
			if users, _ := amObj["users"].([]any); len(users) > 0 && slices.Contains(list, any("users")) {
				add(at("allowed_mentions", "users"), "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE", "allowed_mentions has both parse [\"users\"] and a users list; Discord rejects the combination")
			}
		}
	}

	content, _ := m.msg["content"].(string)
	if n := utf8.RuneCountInString(content); n > maxContentRunes {
		add(at("content"), "BASE_TYPE_MAX_LENGTH", "content has %d characters, Discord allows %d for a bot message", n, maxContentRunes)
	}

	embeds, _ := m.msg["embeds"].([]any)
	if n := embedRunes(embeds); n > maxEmbedTotalRunes {
		add(at("embeds"), "MAX_EMBED_SIZE_EXCEEDED", "embeds total %d characters (titles, descriptions, fields, footers, authors), Discord allows %d", n, maxEmbedTotalRunes)
	}

	comps, _ := m.msg["components"].([]any)
	if m.create && content == "" && len(embeds) == 0 && len(comps) == 0 && !hasFiles &&
		isEmpty(m.msg["attachments"]) && isEmpty(m.msg["sticker_ids"]) && m.msg["poll"] == nil {
		add(m.loc, "EMPTY_MESSAGE", "message has no content, embeds, components, files or poll: Discord answers 50006 Cannot send an empty message")
	}

	if flags&flagComponentsV2 != 0 {
		if content != "" || len(embeds) > 0 {
			add(m.loc, "COMPONENTS_V2_CONTENT", "message has the IS_COMPONENTS_V2 flag and also content or embeds, which Discord rejects")
		}
		if n := countComponents(comps); n > maxTotalComponents {
			add(at("components"), "BASE_TYPE_MAX_LENGTH", "message has %d components in total, Discord allows %d", n, maxTotalComponents)
		}
	} else if comps != nil {
		if len(comps) > maxActionRows {
			add(at("components"), "BASE_TYPE_MAX_LENGTH", "message has %d action rows, Discord allows %d", len(comps), maxActionRows)
		}
		for i, c := range comps {
			if t := componentType(c); t != componentActionRow {
				add(at("components", strconv.Itoa(i), "type"), "COMPONENT_LAYOUT_WIDTH_EXCEEDED", "top-level component has type %d, but without the IS_COMPONENTS_V2 flag every top-level component must be an action row (type 1)", t)
			}
		}
	}
	walkComponents(comps, at("components"), func(c map[string]any, loc []string) {
		checkRow(c, loc, add)
		checkButton(c, loc, add)
		checkStringSelect(c, loc, add)
	})
	checkUniqueCustomIDs(comps, at("components"), add)
	return out
}

// checkModal: at most 5 rows, one text input per row, coherent lengths, unique custom_ids.
func checkModal(m messageRequest, at func(...string) []string, add func([]string, string, string, ...any)) {
	comps, _ := m.msg["components"].([]any)
	if len(comps) > maxModalRows {
		add(at("components"), "BASE_TYPE_MAX_LENGTH", "modal has %d top-level components, Discord allows %d", len(comps), maxModalRows)
	}
	for i, c := range comps {
		row, _ := c.(map[string]any)
		if componentType(row) != componentActionRow {
			continue
		}
		inner, _ := row["components"].([]any)
		if len(inner) != 1 {
			add(at("components", strconv.Itoa(i), "components"), "COMPONENT_LAYOUT_WIDTH_EXCEEDED", "a modal action row holds exactly one text input, this one has %d components", len(inner))
		}
	}
	walkComponents(comps, at("components"), func(c map[string]any, loc []string) {
		if componentType(c) != componentTextInput {
			return
		}
		minLen, hasMin := integer(c["min_length"])
		maxLen, hasMax := integer(c["max_length"])
		if hasMin && hasMax && minLen > maxLen {
			add(append(loc, "min_length"), "BASE_TYPE_BAD_LENGTH", "text input min_length %d is greater than max_length %d", minLen, maxLen)
		}
		if v, _ := c["value"].(string); hasMax && int64(utf8.RuneCountInString(v)) > maxLen {
			add(append(loc, "value"), "BASE_TYPE_BAD_LENGTH", "text input prefilled value has %d characters, more than its max_length %d", utf8.RuneCountInString(v), maxLen)
		}
	})
	checkUniqueCustomIDs(comps, at("components"), add)
}

// checkRow: a select menu fills its action row alone.
func checkRow(c map[string]any, loc []string, add func([]string, string, string, ...any)) {
	if componentType(c) != componentActionRow {
		return
	}
	inner, _ := c["components"].([]any)
	for _, x := range inner {
		if slices.Contains(selectTypes, componentType(x)) && len(inner) > 1 {
			add(append(loc, "components"), "COMPONENT_LAYOUT_WIDTH_EXCEEDED", "action row holds a select menu and %d other component(s); a select menu must be alone in its row", len(inner)-1)
			return
		}
	}
}

// checkButton: link buttons carry a url, premium buttons a sku_id, all others a custom_id; a
// button shows a label or an emoji.
func checkButton(c map[string]any, loc []string, add func([]string, string, string, ...any)) {
	if componentType(c) != componentButton {
		return
	}
	style, _ := integer(c["style"])
	customID, _ := c["custom_id"].(string)
	link, _ := c["url"].(string)
	sku, _ := c["sku_id"].(string)
	label, _ := c["label"].(string)
	switch style {
	case buttonStyleLink:
		if link == "" {
			add(append(loc, "url"), "BUTTON_COMPONENT_URL_REQUIRED", "link button (style 5) has no url")
		}
		if customID != "" {
			add(append(loc, "custom_id"), "BUTTON_COMPONENT_CUSTOM_ID_NOT_ALLOWED", "link button (style 5) must not have a custom_id")
		}
	case buttonStylePremium:
		if sku == "" {
			add(append(loc, "sku_id"), "BUTTON_COMPONENT_SKU_ID_REQUIRED", "premium button (style 6) has no sku_id")
		}
		if customID != "" || link != "" || label != "" || c["emoji"] != nil {
			add(loc, "BUTTON_COMPONENT_INVALID", "premium button (style 6) must not have a custom_id, url, label or emoji")
		}
		return
	default:
		if customID == "" {
			add(append(loc, "custom_id"), "BUTTON_COMPONENT_CUSTOM_ID_REQUIRED", "button with style %d has no custom_id", style)
		}
		if link != "" {
			add(append(loc, "url"), "BUTTON_COMPONENT_URL_NOT_ALLOWED", "only link buttons (style 5) may have a url")
		}
	}
	if label == "" && c["emoji"] == nil {
		add(append(loc, "label"), "BUTTON_COMPONENT_LABEL_OR_EMOJI_REQUIRED", "button has neither a label nor an emoji")
	}
}

// checkStringSelect: min_values ≤ max_values ≤ number of options, option values unique, no
// more default options than max_values.
func checkStringSelect(c map[string]any, loc []string, add func([]string, string, string, ...any)) {
	if componentType(c) != componentStrSelect {
		return
	}
	opts, _ := c["options"].([]any)
	minV, ok := integer(c["min_values"])
	if !ok {
		minV = defaultSelectValues
	}
	maxV, ok := integer(c["max_values"])
	if !ok {
		maxV = defaultSelectValues
	}
	if minV > maxV {
		add(append(loc, "min_values"), "SELECT_COMPONENT_MIN_MAX_INVALID", "select min_values %d is greater than max_values %d", minV, maxV)
	}
	if maxV > int64(len(opts)) {
		add(append(loc, "max_values"), "SELECT_COMPONENT_MAX_VALUES_EXCEEDS_OPTIONS", "select max_values %d is more than its %d option(s)", maxV, len(opts))
	}
	seen := map[string]bool{}
	defaults := int64(0)
	for i, o := range opts {
		om, _ := o.(map[string]any)
		v, _ := om["value"].(string)
		if seen[v] {
			add(append(loc, "options", strconv.Itoa(i), "value"), "SELECT_COMPONENT_OPTION_VALUE_DUPLICATED", "select option value %q is used twice", v)
		}
		seen[v] = true
		if d, _ := om["default"].(bool); d {
			defaults++
		}
	}
	if defaults > maxV {
		add(append(loc, "options"), "SELECT_COMPONENT_TOO_MANY_DEFAULTS", "select has %d default options but max_values %d", defaults, maxV)
	}
}

// checkUniqueCustomIDs: Discord refuses a message or modal whose components share a custom_id.
func checkUniqueCustomIDs(comps []any, loc []string, add func([]string, string, string, ...any)) {
	seen := map[string]bool{}
	walkComponents(comps, loc, func(c map[string]any, l []string) {
		id, _ := c["custom_id"].(string)
		if id == "" {
			return
		}
		if seen[id] {
			add(append(l, "custom_id"), "COMPONENT_CUSTOM_ID_DUPLICATED", "custom_id %q is used by more than one component", id)
		}
		seen[id] = true
	})
}

// walkComponents visits every component, nested ones included (action rows, sections,
// containers, labels), with its location.
func walkComponents(comps []any, loc []string, visit func(c map[string]any, loc []string)) {
	for i, x := range comps {
		c, ok := x.(map[string]any)
		if !ok {
			continue
		}
		l := append(append([]string(nil), loc...), strconv.Itoa(i))
		visit(c, l)
		if inner, ok := c["components"].([]any); ok {
			walkComponents(inner, append(l, "components"), visit)
		}
		for _, key := range []string{"accessory", "component"} {
			if one, ok := c[key].(map[string]any); ok {
				visit(one, append(append([]string(nil), l...), key))
			}
		}
	}
}

func countComponents(comps []any) int {
	n := 0
	walkComponents(comps, nil, func(map[string]any, []string) { n++ })
	return n
}

func componentType(v any) int64 {
	c, _ := v.(map[string]any)
	t, _ := integer(c["type"])
	return t
}

// embedRunes counts the characters Discord adds up against the 6000 limit.
func embedRunes(embeds []any) int {
	n := 0
	count := func(v any) {
		s, _ := v.(string)
		n += utf8.RuneCountInString(s)
	}
	for _, e := range embeds {
		em, _ := e.(map[string]any)
		count(em["title"])
		count(em["description"])
		if f, ok := em["footer"].(map[string]any); ok {
			count(f["text"])
		}
		if a, ok := em["author"].(map[string]any); ok {
			count(a["name"])
		}
		fields, _ := em["fields"].([]any)
		for _, f := range fields {
			fm, _ := f.(map[string]any)
			count(fm["name"])
			count(fm["value"])
		}
	}
	return n
}

// integer reads a JSON number decoded with UseNumber (or a float64) as an int64.
func integer(v any) (int64, bool) {
	switch n := v.(type) {
	case json.Number:
		i, err := n.Int64()
		return i, err == nil
	case float64:
		return int64(n), n == float64(int64(n))
	}
	return 0, false
}

func isEmpty(v any) bool {
	s, ok := v.([]any)
	return v == nil || (ok && len(s) == 0)
}

func describe(v any, present bool) string {
	if !present {
		return "missing"
	}
	return marshal(v)
}

// commandName is Discord's rule for CHAT_INPUT command and option names (and their
// localizations); the description only limits their length.
var commandName = regexp.MustCompile(`^[-_'\p{L}\p{N}\p{Devanagari}\p{Thai}]{1,32}$`)

// checkCommands applies Discord's command registration rules to the body of PUT (a list) or
// POST/PATCH (one command) on the commands routes.
func checkCommands(body any) []issue {
	var out []issue
	add := func(loc []string, format string, args ...any) {
		s := fmt.Sprintf(format, args...)
		out = append(out, issue{loc: loc, msg: s, code: "APPLICATION_COMMAND_INVALID", text: s})
	}
	var cmds []any
	var base [][]string
	if list, ok := body.([]any); ok {
		for i, c := range list {
			cmds = append(cmds, c)
			base = append(base, []string{strconv.Itoa(i)})
		}
	} else {
		cmds, base = []any{body}, [][]string{nil}
	}
	seen := map[string]bool{}
	for i, c := range cmds {
		cmd, _ := c.(map[string]any)
		if cmd == nil {
			continue
		}
		typ, ok := integer(cmd["type"])
		if !ok {
			typ = 1
		}
		name, _ := cmd["name"].(string)
		key := fmt.Sprint(typ, "/", name)
		if seen[key] {
			add(append(base[i], "name"), "two commands of type %d are named %q", typ, name)
		}
		seen[key] = true
		if typ != 1 {
			continue // user and message commands allow spaces and capitals
		}
		checkCommandNode(cmd, base[i], true, add)
	}
	return out
}

// checkCommandNode checks a CHAT_INPUT command or one of its options, recursively.
func checkCommandNode(node map[string]any, loc []string, top bool, add func([]string, string, ...any)) {
	at := func(tail ...string) []string { return append(append([]string(nil), loc...), tail...) }
	what := "option"
	if top {
		what = "command"
	}
	name, _ := node["name"].(string)
	checkName := func(l []string, n string) {
		if !commandName.MatchString(n) || strings.ToLower(n) != n {
			add(l, "%s name %q must be 1-32 lowercase letters, digits, '-', '_' or '\\'' with no spaces", what, n)
		}
	}
	checkName(at("name"), name)
	if locs, ok := node["name_localizations"].(map[string]any); ok {
		for lang, v := range locs {
			if s, ok := v.(string); ok {
				checkName(at("name_localizations", lang), s)
			}
		}
	}
	if d, _ := node["description"].(string); d == "" {
		add(at("description"), "%s %q needs a description of 1-100 characters", what, name)
	}
	if _, hasChoices := node["choices"].([]any); hasChoices {
		if ac, _ := node["autocomplete"].(bool); ac && len(node["choices"].([]any)) > 0 {
			add(at("autocomplete"), "option %q has both choices and autocomplete", name)
		}
	}
	opts, _ := node["options"].([]any)
	optional := false
	seen := map[string]bool{}
	for i, o := range opts {
		om, _ := o.(map[string]any)
		if om == nil {
			continue
		}
		on, _ := om["name"].(string)
		if seen[on] {
			add(at("options", strconv.Itoa(i), "name"), "option name %q is used twice", on)
		}
		seen[on] = true
		if req, _ := om["required"].(bool); req && optional {
			add(at("options", strconv.Itoa(i), "required"), "required option %q comes after an optional one", on)
		}
		t, _ := integer(om["type"])
		if t != 1 && t != 2 { // subcommands and groups have no required flag of their own
			if req, _ := om["required"].(bool); !req {
				optional = true
			}
		}
		checkCommandNode(om, at("options", strconv.Itoa(i)), false, add)
	}
}
