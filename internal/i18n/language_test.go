package i18n_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

// Chinese texts name commands as a Chinese Discord client shows them and never show a catalog
// id: a member reading Chinese can neither type "/applications mine" (their client lists
// "/申请 我的申请") nor make sense of "err.not_found".
func TestChineseTextsHaveNoEnglishCommandsOrKeys(t *testing.T) {
	c := load(t)
	prefixes := map[string]bool{}
	for _, id := range c.IDs("en-US") {
		prefixes[strings.SplitN(id, ".", 2)[0]] = true
	}
	var names []string
	for p := range prefixes {
		names = append(names, regexp.QuoteMeta(p))
	}
	slash := regexp.MustCompile(`(^|[^A-Za-z0-9_:/.<])/[a-z]`)
	rawKey := regexp.MustCompile(`\b(` + strings.Join(names, "|") + `)\.[a-z_]+`)
	for _, id := range c.IDs("zh-CN") {
		text := c.Text("zh-CN", id)
		if m := slash.FindString(text); m != "" {
			t.Errorf("zh-CN %s names an English command (%q): %s", id, m, text)
		}
		if m := rawKey.FindString(text); m != "" {
			t.Errorf("zh-CN %s shows the catalog id %q: %s", id, m, text)
		}
	}
}

// {{cmd "…"}} names a command (or one of its options) in the member's language.
func TestCommandsNamedInTheMembersLanguage(t *testing.T) {
	c := load(t)
	for _, tc := range []struct{ lang, id, want string }{
		{"en-US", "apps.err_withdraw_approved", "`/placements end`"},
		{"zh-CN", "apps.err_withdraw_approved", "`/实习 提前结束`"},
		{"en-US", "err.unknown_command", "`/help`"},
		{"zh-CN", "err.unknown_command", "`/帮助`"},
		{"zh-CN", "err.supervisor_not_eligible", "`/设置 身份组 校内导师:`"},
		{"zh-CN", "jobs.note_offer_reminder", "`/申请 我的申请`"},
	} {
		got := c.T(tc.lang, tc.id, map[string]any{"ID": 1, "Title": "T", "Enterprise": "E", "User": "1"})
		if !strings.Contains(got, tc.want) {
			t.Errorf("%s %s: %q lacks %q", tc.lang, tc.id, got, tc.want)
		}
	}
}

// counts are the fields that hold a number in the texts.
var counts = regexp.MustCompile(`^(Count|Days|Slots|Left|Total|Max|Min|Taken|Active|Quota|Pending|Open|Got|Seconds|Approvals|Unanswered|Stale|Unplaced|Staff|MinStaff|Percent|Shown|N|Cap|Items|.*Days)$`)

// fill gives every count a message fills the value n and every other field a word.
func fill(text string, n any) map[string]any {
	data := map[string]any{}
	for _, f := range fields(text) {
		data[f] = "X"
		if counts.MatchString(f) {
			data[f] = n
		}
	}
	return data
}

// neverOne are texts whose count is never one: the "_many" texts are chosen for counts above
// one, and a month has at least 28 days.
func neverOne(id string) bool { return strings.Contains(id, "_many") || id == "err.no_such_day" }

// English counts agree with their nouns: "1 applicant", "2 applicants", never "1 applicants".
func TestEnglishCountsAgree(t *testing.T) {
	c := load(t)
	one := regexp.MustCompile(`\b1 [a-z]+s\b`)
	for _, id := range c.IDs("en-US") {
		if neverOne(id) {
			continue
		}
		if got := c.T("en-US", id, fill(c.Text("en-US", id), 1)); one.MatchString(got) {
			t.Errorf("%s with 1: %q", id, got)
		}
	}
	for _, tc := range []struct {
		id   string
		n    any
		want string
	}{
		{"jobs.note_reminder", 1, "1 application "},
		{"jobs.note_reminder", int64(2), "2 applications"},
		{"jobs.note_reminder", float64(1), "1 application "},
		{"jobs.note_offer_reminder", 0, ""},
	} {
		got := c.T("en-US", tc.id, fill(c.Text("en-US", tc.id), tc.n))
		if !strings.Contains(got, tc.want) {
			t.Errorf("%s with %v: %q lacks %q", tc.id, tc.n, got, tc.want)
		}
	}
}

// A reason a member typed ends its sentence with the language's full stop, so the next sentence
// never runs on from it ("Reason: no slots left See…", "原因：名额已满可以用…"), and a reason
// that ends with its own punctuation gets no second one.
func TestReasonsEndTheirSentence(t *testing.T) {
	c := load(t)
	n := 0
	for _, lang := range []string{"en-US", "zh-CN"} {
		for _, id := range c.IDs(lang) {
			text := c.Text(lang, id)
			if !slices.Contains(fields(text), "Reason") {
				continue
			}
			n++
			data := fill(text, 2)
			data["Reason"] = "RSN"
			got := c.T(lang, id, data)
			i := strings.Index(got, "RSN")
			if i < 0 {
				t.Errorf("%s %s: no reason in %q", lang, id, got)
				continue
			}
			if rest := got[i+len("RSN"):]; !strings.HasPrefix(rest, ".") && !strings.HasPrefix(rest, "。") {
				t.Errorf("%s %s: the reason is not followed by a full stop: %q", lang, id, got)
			}
		}
	}
	if n < 20 {
		t.Fatalf("only %d texts show a reason", n)
	}
	for _, tc := range []struct{ lang, reason, want string }{
		{"en-US", "No slots left", "Reason: No slots left. Don't give up"},
		{"en-US", "Position filled!", "Reason: Position filled! Don't give up"},
		{"en-US", "See (the notice.)", `Reason: See \(the notice.\) Don't give up`},
		{"zh-CN", "名额已满", "原因：名额已满。别灰心"},
		{"zh-CN", "名额已满！", "原因：名额已满！别灰心"},
		{"zh-CN", "Position filled.", "原因：Position filled.别灰心"},
	} {
		got := c.T(tc.lang, "note.app_rejected", map[string]any{"Title": "T", "Enterprise": "E", "Reason": tc.reason})
		if !strings.Contains(got, tc.want) {
			t.Errorf("%s reason %q: %q lacks %q", tc.lang, tc.reason, got, tc.want)
		}
	}
}
