package ui

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
)

// unescape reads escaped text the way Discord's markdown shows it: a backslash before
// punctuation shows the punctuation, and the zero-width space after @ is invisible.
func unescape(s string) string {
	var b strings.Builder
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		if rs[i] == '\\' && i+1 < len(rs) && strings.ContainsRune("\\*_~`|[]()<>#-+.@", rs[i+1]) {
			i++
		}
		if rs[i] == '\u200b' {
			continue
		}
		b.WriteRune(rs[i])
	}
	return b.String()
}

func TestEscapeShowsTextAsTyped(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Welding", "Welding"},
		{"[Sign in](https://evil.example)", `\[Sign in\]\(https://evil.example\)`},
		{"# heading", `\# heading`},
		{"  - item\n1. first\n> quote", "  \\- item\n1\\. first\n\\> quote"},
		{"@everyone @here", "@\u200beveryone @\u200bhere"},
		{"<@&123> <#456>", `\<@` + "\u200b" + `&123\> \<#456\>`},
		{"```code```", "\\`\\`\\`code\\`\\`\\`"},
		{"**bold** _it_ ~~x~~ ||spoiler||", `\*\*bold\*\* \_it\_ \~\~x\~\~ \|\|spoiler\|\|`},
		{"C++ -#sub", `C++ -#sub`},
		{"evil\u202edcba", "evildcba"},
		{"مرحبا\u200f جوّ\u200d", "مرحبا\u200f جوّ\u200d"},
	} {
		if got := Escape(tc.in); got != tc.want {
			t.Errorf("Escape(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func FuzzEscapeRoundTrips(f *testing.F) {
	for _, s := range []string{"[a](b)", "# h", "- x", "@everyone", "<@&1>", "```", "a\\b", "1. x", "\u202e"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		want := stripBidi(strings.ReplaceAll(s, "\u200b", ""))
		if got := unescape(Escape(s)); got != want {
			t.Fatalf("Escape(%q) reads as %q", s, got)
		}
	})
}

func TestTruncateNeverLeavesAnEscapeDangling(t *testing.T) {
	if got := Truncate(`ab\\*cd`, 4); got != `ab…` && got != `ab\\…` {
		t.Errorf("cut inside an escape: %q", got)
	}
	if got := Truncate("短文本", 10); got != "短文本" {
		t.Errorf("short text changed: %q", got)
	}
	if got := Truncate(strings.Repeat("字", 300), 256); utf8.RuneCountInString(got) != 256 || !strings.HasSuffix(got, "…") {
		t.Errorf("long text: %d runes", utf8.RuneCountInString(got))
	}
}

func TestParseIDOneRule(t *testing.T) {
	for s, want := range map[string]int64{"12": 12, " #12 ": 12, "#7": 7, "+1": 0, "-1": 0, "0": 0, "1e3": 0, "12a": 0, "": 0,
		"99999999999999999999": 0, "9223372036854775807": 9223372036854775807, "1 2": 0, "##1": 0} {
		got, ok := ParseID(s)
		if got != want || ok != (want != 0) {
			t.Errorf("ParseID(%q) = %d, %v; want %d", s, got, ok, want)
		}
	}
	if _, err := WrittenID("012"); err == nil {
		t.Error("a custom_id id with a leading zero was not written by the bot")
	}
}

func TestFitEmbedsKeepsEveryLimit(t *testing.T) {
	long := strings.Repeat("x", 5000)
	e := &discordgo.MessageEmbed{Title: long, Description: long, Footer: &discordgo.MessageEmbedFooter{Text: long}}
	for range 30 {
		e.Fields = append(e.Fields, &discordgo.MessageEmbedField{Name: long, Value: long})
	}
	second := &discordgo.MessageEmbed{Title: "two", Description: long}
	out := FitEmbeds([]*discordgo.MessageEmbed{e, second})
	total := 0
	for _, x := range out {
		total += embedLength(x)
		if runes(x.Title) > MaxEmbedTitle || runes(x.Description) > MaxEmbedDesc || len(x.Fields) > MaxFields {
			t.Fatalf("embed over a limit: title %d, description %d, fields %d", runes(x.Title), runes(x.Description), len(x.Fields))
		}
		for _, f := range x.Fields {
			if runes(f.Name) > MaxFieldName || runes(f.Value) > MaxFieldValue || f.Name == "" || f.Value == "" {
				t.Fatalf("field over a limit or empty: %d / %d", runes(f.Name), runes(f.Value))
			}
		}
	}
	if total > MaxEmbedsTotal {
		t.Fatalf("embeds hold %d characters, more than %d", total, MaxEmbedsTotal)
	}
	if out[1].Title != "two" {
		t.Errorf("a short title was cut: %q", out[1].Title)
	}
}

func TestFitComponentsUniqueAndWithinLimits(t *testing.T) {
	var rows []discordgo.MessageComponent
	for range 7 {
		var bs []discordgo.MessageComponent
		for range 6 {
			bs = append(bs, discordgo.Button{Label: strings.Repeat("L", 100), CustomID: "/same/" + strings.Repeat("i", 120)})
		}
		rows = append(rows, Row(bs...))
	}
	out := FitComponents(rows)
	if len(out) != MaxRows {
		t.Fatalf("%d rows", len(out))
	}
	seen := map[string]bool{}
	for _, r := range out {
		for _, c := range r.(discordgo.ActionsRow).Components {
			b := c.(discordgo.Button)
			if len(b.CustomID) > MaxCustomID || runes(b.Label) > MaxLabel || seen[b.CustomID] {
				t.Fatalf("button %q (%d) label %d runes, seen before %v", b.CustomID, len(b.CustomID), runes(b.Label), seen[b.CustomID])
			}
			seen[b.CustomID] = true
		}
	}
}
