package ui_test

import (
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"placementbot/internal/discord/ui"
)

func TestFitComponentsKeepsAHundredCharacterCustomID(t *testing.T) {
	id := "/approval/12/check/" + strings.Repeat("三", 40) + "/on" // 62 characters, 142 bytes
	out := ui.FitComponents([]discordgo.MessageComponent{ui.Row(discordgo.Button{Label: "x", CustomID: id})})
	got := out[0].(discordgo.ActionsRow).Components[0].(discordgo.Button).CustomID
	if got != id || !utf8.ValidString(got) {
		t.Fatalf("custom_id of %d characters cut to %q", utf8.RuneCountInString(id), got)
	}
}

// FuzzParseID: what ParseID accepts is a positive decimal number, digits only, with surrounding
// spaces and one leading "#" at most; VarID accepts only the digits the bot writes.
func FuzzParseID(f *testing.F) {
	for _, s := range []string{"1", "42", "#42", " 7 ", "0", "-1", "+1", "1 2", "007", "1e3", "0x10", "", "#", "##1", "１",
		"9223372036854775807", "9223372036854775808", "99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, ok := ui.ParseID(s)
		if ok {
			digits := strings.TrimPrefix(strings.TrimSpace(s), "#")
			if id <= 0 || digits == "" || strings.TrimLeft(digits, "0123456789") != "" {
				t.Fatalf("%q accepted as %d", s, id)
			}
			if n, err := strconv.ParseInt(digits, 10, 64); err != nil || n != id {
				t.Fatalf("%q read as %d, want %d (%v)", s, id, n, err)
			}
		}
		if vid, err := ui.VarID(map[string]string{"id": s}, "id"); err == nil && (!ok || vid != id || ui.FormatID(vid) != s) {
			t.Fatalf("VarID accepted %q as %d", s, vid)
		}
	})
}
