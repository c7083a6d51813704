// Package i18n holds every text the bot shows, in English and Simplified Chinese, and picks
// the language from the interaction's locale.
package i18n

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"strings"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
	"gopkg.in/yaml.v3"
)

//go:embed locales
var files embed.FS

// Languages the bot speaks, as Discord locale codes; the first is the fallback.
var Languages = []string{"en-US", "zh-CN"}

// Catalog looks messages up by id.
type Catalog struct {
	bundle     *goi18n.Bundle
	localizers map[string]*goi18n.Localizer
	ids        map[string][]string // language → message ids, for completeness checks
}

// Load reads the embedded message files.
func Load() (*Catalog, error) {
	b := goi18n.NewBundle(language.English)
	b.RegisterUnmarshalFunc("yaml", yaml.Unmarshal)
	c := &Catalog{bundle: b, localizers: map[string]*goi18n.Localizer{}, ids: map[string][]string{}}
	for _, lang := range Languages {
		// One folder per language, one file per feature; go-i18n wants the language in the name.
		names, err := fs.Glob(files, "locales/"+lang+"/*.yaml")
		if err != nil || len(names) == 0 {
			return nil, fmt.Errorf("i18n: no message files for %s", lang)
		}
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
				c.ids[lang] = append(c.ids[lang], m.ID)
			}
		}
		c.localizers[lang] = goi18n.NewLocalizer(b, lang)
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

// T returns message id in the language, filled with data; an unknown id returns the id itself
// so a missing text is visible rather than blank.
func (c *Catalog) T(lang, id string, data map[string]any) string {
	l, ok := c.localizers[lang]
	if !ok {
		l = c.localizers[Languages[0]]
	}
	s, err := l.Localize(&goi18n.LocalizeConfig{MessageID: id, TemplateData: data})
	if err != nil {
		return id
	}
	return s
}

// Has reports whether the language defines the message id itself (no fallback).
func (c *Catalog) Has(lang, id string) bool {
	for _, x := range c.ids[lang] {
		if x == id {
			return true
		}
	}
	return false
}

// IDs returns the message ids a language defines.
func (c *Catalog) IDs(lang string) []string { return append([]string(nil), c.ids[lang]...) }
