package positions_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"placementbot/internal/placement"
	"placementbot/internal/testenv"
	"placementbot/internal/testenv/botenv"
)

// TestDeadlineInTheSchoolsTimeZone: in a UTC+8 school a position takes applications until
// 00:00 local on the day after its deadline (at 15:59 UTC of the deadline day a student may
// apply, at 16:00 UTC not), and its card shows that instant as a Discord timestamp, which each
// member's client shows in their own time.
func TestDeadlineInTheSchoolsTimeZone(t *testing.T) {
	b := botenv.New(t)
	carol := testenv.Member("carol")
	b.Do(t, testenv.Slash(carol, "setup timezone", testenv.StringOpt("zone", "Asia/Shanghai"))).MustContain(t, "Saved.")
	acme := b.AddEnterprise(t, "Acme", 200, "alice")
	in := botenv.PositionInput("CNC intern")
	p := b.PostPosition(t, "alice", acme.ID, in)
	day := p.Deadline // 00:00 UTC of the deadline date
	end := day.Add(16*time.Hour - time.Second)

	card := b.Do(t, testenv.Slash(testenv.Member("bo"), "positions view", testenv.StringOpt("position", strconv.FormatInt(p.ID, 10))))
	unix := strconv.FormatInt(end.Unix(), 10)
	card.MustContain(t, "<t:"+unix+":f> (<t:"+unix+":R>)")

	// The announcement says the same instant, in each reader's own time.
	var raw []byte
	if err := b.Pool.QueryRow(t.Context(), `SELECT data FROM notifications WHERE message_key = 'note.position_opened'`).Scan(&raw); err != nil {
		t.Fatal(err)
	}
	data, err := placement.DecodeData(raw)
	if err != nil {
		t.Fatal(err)
	}
	for lang, want := range map[string]string{"en-US": "Apply by <t:" + unix + ":f> (<t:" + unix + ":R>)", "zh-CN": "截止申请：<t:" + unix + ":f>"} {
		if text := b.Catalog.T(lang, "note.position_opened", data); !strings.Contains(text, want) {
			t.Errorf("%s announcement %q lacks %q", lang, text, want)
		}
	}

	b.Service.Now = func() time.Time { return day.Add(15*time.Hour + 59*time.Minute) }
	b.Apply(t, "bo", p.ID)
	b.Service.Now = func() time.Time { return day.Add(16 * time.Hour) }
	if _, err := b.Service.Apply(t.Context(), b.Actor(t, "li"), p.ID, "I have trained on these machines for two years and want to learn more."); err == nil || !strings.Contains(err.Error(), "deadline") {
		t.Fatalf("applying at 00:00 in Shanghai: %v, want the deadline refusal", err)
	}
}

// TestDeadlineInAUTCSchool: a school that never set a zone keeps UTC days.
func TestDeadlineInAUTCSchool(t *testing.T) {
	b := botenv.New(t)
	acme := b.AddEnterprise(t, "Acme", 200, "alice")
	p := b.PostPosition(t, "alice", acme.ID, botenv.PositionInput("CNC intern"))
	day := p.Deadline
	b.Service.Now = func() time.Time { return day.Add(24*time.Hour - time.Minute) }
	b.Apply(t, "bo", p.ID)
	b.Service.Now = func() time.Time { return day.Add(24 * time.Hour) }
	if _, err := b.Service.Apply(t.Context(), b.Actor(t, "li"), p.ID, "I have trained on these machines for two years and want to learn more."); err == nil {
		t.Fatal("applying at 00:00 UTC after the deadline day was accepted")
	}
	end := strconv.FormatInt(day.Add(24*time.Hour-time.Second).Unix(), 10)
	b.Do(t, testenv.Slash(testenv.Member("bo"), "positions view", testenv.StringOpt("position", strconv.FormatInt(p.ID, 10)))).
		MustContain(t, "<t:"+end+":f>")
}
