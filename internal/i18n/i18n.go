// Package i18n holds every text the bot shows, in English and Simplified Chinese, and picks
// the language from the interaction's locale.
package i18n

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strconv"
	"strings"
	"text/template"
	"unicode/utf8"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
	"gopkg.in/yaml.v3"

	"placementbot/internal/discord/ui"
)

//go:embed locales
var files embed.FS

// Languages the bot speaks, as Discord locale codes; the first is the fallback.
var Languages = []string{"en-US", "zh-CN"}

// Catalog looks messages up by id. go-i18n reads the message files; the texts are then kept
// ready to use (templates parsed once), because replies render dozens of them per interaction.
type Catalog struct {
	msgs map[string]map[string]*message // language → id → message
	ids  map[string][]string            // language → ids in file order, for completeness checks
}

type message struct {
	text string
	// Most texts only substitute fields ("{{.Title}}"): they are kept as literal parts and
	// field names, filled without text/template's reflection. Others use the parsed template.
	parts  []string // literal, field, literal, field, …, literal
	tmpl   *template.Template
	simple bool
}

// field matches a plain substitution such as {{.Title}}.
var field = regexp.MustCompile(`\{\{\s*\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}`)

func newMessage(lang, id, text string) (*message, error) {
	m := &message{text: text}
	if !strings.Contains(text, "{{") {
		return m, nil
	}
	if rest := field.ReplaceAllString(text, ""); !strings.Contains(rest, "{{") {
		m.simple = true
		last := 0
		for _, loc := range field.FindAllStringSubmatchIndex(text, -1) {
			m.parts = append(m.parts, text[last:loc[0]], text[loc[2]:loc[3]])
			last = loc[1]
		}
		m.parts = append(m.parts, text[last:])
		return m, nil
	}
	var err error
	m.tmpl, err = template.New(id).Funcs(funcs[lang]).Parse(text)
	return m, err
}

// funcs are the functions texts may call, per language: {{plural .Count "day" "days"}} writes
// "1 day" or "3 days"; {{sentence .Reason}} writes member text that ends a sentence followed by
// the language's full stop unless it ends with punctuation of its own.
var funcs = map[string]template.FuncMap{
	"en-US": {"plural": plural, "sentence": sentenceIn(".")},
	"zh-CN": {"plural": plural, "sentence": sentenceIn("。")},
}

// plural writes a count with the singular or the plural word.
func plural(n any, one, other string) (string, error) {
	var v int64
	switch x := n.(type) {
	case int:
		v = int64(x)
	case int64:
		v = x
	case float64:
		v = int64(x)
	default:
		return "", fmt.Errorf("plural of %T", n)
	}
	if v == 1 || v == -1 {
		return strconv.FormatInt(v, 10) + " " + one, nil
	}
	return strconv.FormatInt(v, 10) + " " + other, nil
}

// closing ends text that already reads as a finished sentence: member text often ends with
// its own full stop, question or exclamation mark, or a closing quote or bracket after one.
const closing = ".!?。！？…"

func sentenceIn(stop string) func(s string) string {
	return func(s string) string {
		s = strings.TrimRight(s, " \t\n")
		t := strings.TrimRight(s, `"'”’)）」』\`)
		if t == "" {
			return s
		}
		if r, _ := utf8.DecodeLastRuneInString(t); strings.ContainsRune(closing, r) {
			return s
		}
		return s + stop
	}
}

// command matches a command named in a text, {{cmd "positions browse"}}, or one of its options,
// {{cmd "setup roles supervisor:"}}; the catalog writes it as the member's Discord client shows
// it, localized names included.
var command = regexp.MustCompile(`\{\{\s*cmd\s+"([a-z][a-z0-9_-]*(?: [a-z][a-z0-9_-]*)*)(:?)"\s*\}\}`)

// resolveCommands replaces the commands a text names with their names in the language: English
// names are the command paths, other languages read theirs from the "name.<path>" texts.
func resolveCommands(lang, text string, raw map[string]map[string]string) (string, error) {
	var missing error
	out := command.ReplaceAllStringFunc(text, func(m string) string {
		sub := command.FindStringSubmatch(m)
		segs := strings.Split(sub[1], " ")
		names := make([]string, len(segs))
		for i := range segs {
			key := "name." + strings.Join(segs[:i+1], ".")
			// Every command has a zh-CN name, so a path without one is not a command.
			name, ok := raw["zh-CN"][key]
			if !ok {
				missing = fmt.Errorf("no command %q", strings.Join(segs, " "))
			}
			if lang != "zh-CN" {
				name = segs[i]
			}
			names[i] = name
		}
		return "`/" + strings.Join(names, " ") + sub[2] + "`"
	})
	return out, missing
}

// render fills the message with data the way text/template would, every string value escaped
// as member text (ui.Escape) unless it is ui.Markup the bot wrote itself.
func (m *message) render(data map[string]any) string {
	switch {
	case m.simple:
		var b strings.Builder
		for i, p := range m.parts {
			if i%2 == 0 {
				b.WriteString(p)
				continue
			}
			v, ok := data[p]
			if !ok {
				b.WriteString("<no value>")
				continue
			}
			writeValue(&b, v)
		}
		return b.String()
	case m.tmpl != nil:
		var b strings.Builder
		if err := m.tmpl.Execute(&b, escaped(data)); err != nil {
			return m.text
		}
		return b.String()
	}
	return m.text
}

// writeValue writes one template value: member text escaped, markup and numbers as they are.
func writeValue(b *strings.Builder, v any) {
	switch x := v.(type) {
	case string:
		b.WriteString(ui.Escape(x))
	case ui.Markup:
		b.WriteString(string(x))
	case int:
		b.WriteString(strconv.Itoa(x))
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	default:
		b.WriteString(ui.Escape(fmt.Sprint(x)))
	}
}

// escaped is data with its string values escaped, for the templates with logic; their values
// are then written as they are. Lists and maps (a DM listing positions) are escaped all the
// way down, so a template ranging over them writes member text escaped too.
func escaped(data map[string]any) map[string]any {
	out := make(map[string]any, len(data))
	for k, v := range data {
		out[k] = escapedValue(v)
	}
	return out
}

func escapedValue(v any) any {
	switch x := v.(type) {
	case string:
		return ui.Escape(x)
	case ui.Markup:
		return string(x)
	case map[string]any:
		return escaped(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = escapedValue(e)
		}
		return out
	}
	return v
}

// Load reads the embedded message files.
func Load() (*Catalog, error) {
	b := goi18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("yaml", yaml.Unmarshal)
	c := &Catalog{msgs: map[string]map[string]*message{}, ids: map[string][]string{}}
	raw := map[string]map[string]string{} // language → id → text as written
	where := map[string]string{}          // language and id → file, for errors
	for _, lang := range Languages {
		// One folder per language, one file per feature; go-i18n wants the language in the name.
		names, err := fs.Glob(files, "locales/"+lang+"/*.yaml")
		if err != nil || len(names) == 0 {
			return nil, fmt.Errorf("i18n: no message files for %s", lang)
		}
		raw[lang] = map[string]string{}
		for _, name := range names {
			data, err := fs.ReadFile(files, name)
			if err != nil {
				return nil, fmt.Errorf("i18n: read %s: %w", name, err)
			}
			mf, err := b.ParseMessageFileBytes(data, lang+"/"+path.Base(strings.TrimSuffix(name, ".yaml"))+"."+lang+".yaml")
			if err != nil {
				return nil, fmt.Errorf("i18n: parse %s: %w", name, err)
			}
			for _, m := range mf.Messages {
				raw[lang][m.ID] = m.Other
				where[lang+" "+m.ID] = name
				c.ids[lang] = append(c.ids[lang], m.ID)
			}
		}
	}
	// Command names are known once every language is read.
	for _, lang := range Languages {
		c.msgs[lang] = map[string]*message{}
		for _, id := range c.ids[lang] {
			text, err := resolveCommands(lang, raw[lang][id], raw)
			if err == nil {
				c.msgs[lang][id], err = newMessage(lang, id, text)
			}
			if err != nil {
				return nil, fmt.Errorf("i18n: %s in %s: %w", id, where[lang+" "+id], err)
			}
		}
	}
	return c, nil
}

// Match maps a Discord locale to a language the bot speaks: Chinese for zh-CN (and zh-TW,
// which reads Simplified better than English for most), English otherwise.
func Match(discordLocale string) string {
	if strings.HasPrefix(discordLocale, "zh") {
		return "zh-CN"
	}
	return "en-US"
}

// T returns message id in the language (English when the language lacks it), filled with
// data; an unknown id returns the id itself so a missing text is visible rather than blank.
func (c *Catalog) T(lang, id string, data map[string]any) string {
	m, ok := c.msgs[lang][id]
	if !ok {
		if m, ok = c.msgs[Languages[0]][id]; !ok {
			return id
		}
	}
	return m.render(data)
}

// Has reports whether the language defines the message id itself (no fallback).
func (c *Catalog) Has(lang, id string) bool {
	_, ok := c.msgs[lang][id]
	return ok
}

// IDs returns the message ids a language defines.
func (c *Catalog) IDs(lang string) []string { return append([]string(nil), c.ids[lang]...) }

// Text returns the message's source text in the language ("" when it lacks it), for checks.
func (c *Catalog) Text(lang, id string) string {
	if m, ok := c.msgs[lang][id]; ok {
		return m.text
	}
	return ""
}
