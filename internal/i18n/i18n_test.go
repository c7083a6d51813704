package i18n

import (
	"slices"
	"strings"
	"testing"
	"text/template"

	"placementbot/internal/discord/ui"
)

func TestEveryMessageInBothLanguages(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range Languages {
		for _, other := range Languages {
			for _, id := range c.IDs(lang) {
				if strings.HasPrefix(id, "name.") {
					continue // command name localizations exist only in non-English files
				}
				if !c.Has(other, id) {
					t.Errorf("%s has %q but %s does not", lang, id, other)
				}
			}
		}
	}
}

func TestTranslate(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if got := c.T(Match("zh-CN"), "err.rate_limited", map[string]any{"Seconds": 3}); got != "操作太快了。请等待 3 秒后再试。" {
		t.Errorf("zh-CN: %q", got)
	}
	if got := c.T(Match("en-GB"), "err.rate_limited", map[string]any{"Seconds": 3}); got != "You're going a bit fast. Please wait 3 s and try again." {
		t.Errorf("en: %q", got)
	}
	if got := c.T("en-US", "no.such.id", nil); got != "no.such.id" {
		t.Errorf("unknown id: %q", got)
	}
	if !slices.Contains(c.IDs("zh-CN"), "name.setup") {
		t.Error("zh-CN lacks command name localizations")
	}
}

// A message id defined in two files of one language would silently lose one text.
func TestNoMessageDefinedTwice(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range Languages {
		seen := map[string]bool{}
		for _, id := range c.IDs(lang) {
			if seen[id] {
				t.Errorf("%s defines %q twice", lang, id)
			}
			seen[id] = true
		}
	}
}

// Member text is escaped wherever the catalog puts it; markup the bot wrote is not.
func TestValuesEscapedUnlessMarkup(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	hostile := "[Sign in](https://evil.example) @everyone"
	got := c.T("en-US", "err.page_expired", map[string]any{"Cmd": hostile})
	if strings.Contains(got, hostile) || !strings.Contains(got, ui.Escape(hostile)) {
		t.Errorf("member text not escaped once: %q", got)
	}
	got = c.T("en-US", "err.page_expired", map[string]any{"Cmd": ui.Markup("/positions browse")})
	if !strings.Contains(got, "`/positions browse`") {
		t.Errorf("markup escaped: %q", got)
	}
	if got := c.T("en-US", "err.rate_limited", map[string]any{"Seconds": 12}); !strings.Contains(got, "12 s") {
		t.Errorf("number: %q", got)
	}
}

// The fast path for plain substitutions renders exactly what text/template renders.
func TestSimpleSubstitutionMatchesTemplate(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	data := map[string]any{"Title": "CNC <b>", "Count": 3, "Days": float64(7), "Name": "Acme", "Seconds": int64(5)}
	n := 0
	for _, lang := range Languages {
		for id, m := range c.msgs[lang] {
			if !m.simple {
				continue
			}
			n++
			tmpl, err := template.New(id).Parse(m.text)
			if err != nil {
				t.Fatal(err)
			}
			var want strings.Builder
			if err := tmpl.Execute(&want, escaped(data)); err != nil {
				t.Fatal(err)
			}
			if got := m.render(data); got != want.String() {
				t.Errorf("%s %s: %q, text/template gives %q", lang, id, got, want.String())
			}
		}
	}
	if n < 50 {
		t.Fatalf("only %d messages take the fast path", n)
	}
}

// A text naming a command that does not exist fails the catalog's load, in either language.
func TestUnknownCommandRefused(t *testing.T) {
	raw := map[string]map[string]string{"zh-CN": {"name.help": "帮助", "name.setup": "设置", "name.setup.roles": "身份组"}}
	for _, lang := range Languages {
		if got, err := resolveCommands(lang, `see {{cmd "setup roles"}}`, raw); err != nil || !strings.Contains(got, "`/") {
			t.Errorf("%s: %q, %v", lang, got, err)
		}
		if _, err := resolveCommands(lang, `see {{cmd "setup rolez"}}`, raw); err == nil {
			t.Errorf("%s: an unknown command was accepted", lang)
		}
	}
}

// Member text inside the lists a DM ranges over (a round's explanation) is escaped too.
func TestValuesInListsEscaped(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	hostile := "*Weld* [x](https://evil.example) @everyone"
	got := c.T("en-US", "round.note_unmatched", map[string]any{"Round": "Spring", "RoundID": int64(1), "Ranked": int64(1), "Skipped": false,
		"Higher": []any{map[string]any{"Rank": int64(1), "Title": hostile, "Enterprise": "Acme", "Why": "filled"}},
		"Vacant": []any{map[string]any{"ID": int64(2), "Title": hostile, "Enterprise": "Acme", "Free": int64(3)}}})
	if strings.Contains(got, hostile) || strings.Count(got, ui.Escape(hostile)) != 2 {
		t.Errorf("member text in lists not escaped once: %q", got)
	}
	if !strings.Contains(got, "students its mentor ranked above you") || !strings.Contains(got, "free: 3") {
		t.Errorf("list items not rendered: %q", got)
	}
}
