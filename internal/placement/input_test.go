package placement

import (
	"strings"
	"testing"
	"time"
)

var today = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)

func validPosting() PositionInput {
	return PositionInput{Title: "CNC intern", Skills: "CNC, cad", Programs: "Mechatronics", Location: "Suzhou", Slots: "2",
		Start: "2027-02-01", End: "2027-05-31", Deadline: "2027-01-15"}
}

func TestPositionInputValidation(t *testing.T) {
	tests := []struct {
		name string
		edit func(*PositionInput)
		key  string
	}{
		{"valid", func(*PositionInput) {}, ""},
		{"remote without location", func(p *PositionInput) { p.Location, p.Remote = "", true }, ""},
		{"deadline today", func(p *PositionInput) { p.Deadline = "2026-11-22" }, ""},
		{"empty title", func(p *PositionInput) { p.Title = "  " }, "err.field_required"},
		{"title too long", func(p *PositionInput) { p.Title = strings.Repeat("x", 101) }, "err.field_too_long"},
		{"slots 0", func(p *PositionInput) { p.Slots = "0" }, "err.slots"},
		{"slots negative", func(p *PositionInput) { p.Slots = "-1" }, "err.slots"},
		{"slots absurd", func(p *PositionInput) { p.Slots = "100000" }, "err.slots"},
		{"slots text", func(p *PositionInput) { p.Slots = "two" }, "err.slots"},
		{"end before start", func(p *PositionInput) { p.End = "2027-01-01" }, "err.end_before_start"},
		{"deadline past", func(p *PositionInput) { p.Deadline = "2026-11-21" }, "err.deadline_past"},
		{"deadline after start", func(p *PositionInput) { p.Deadline = "2027-03-01" }, "err.deadline_after_start"},
		{"bad date", func(p *PositionInput) { p.Start = "next monday" }, "err.bad_date"},
		{"no location", func(p *PositionInput) { p.Location = "" }, "err.location_or_remote"},
		{"too many skills", func(p *PositionInput) {
			var s []string
			for i := 0; i < 21; i++ {
				s = append(s, strings.Repeat("s", i+1))
			}
			p.Skills = strings.Join(s, ",")
		}, "err.list_too_long"},
		{"three-year placement", func(p *PositionInput) { p.End = "2030-02-01" }, "err.too_long_placement"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := validPosting()
			tt.edit(&in)
			_, err := in.Parse(today)
			var key string
			if ps := Problems(err); len(ps) == 1 {
				key = ps[0].Key
			} else if err != nil {
				t.Fatalf("want one domain error, got %v", err)
			}
			if key != tt.key {
				t.Fatalf("error %q, want %q", key, tt.key)
			}
		})
	}
}

func TestParseList(t *testing.T) {
	got, err := ParseList("skills", " CNC,cad ，  Food   Safety;cnc\n、PLC", 10, 40)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, "|") != "CNC|cad|Food Safety|PLC" {
		t.Fatalf("got %q", got)
	}
}

func TestCleanTextStripsControlCharacters(t *testing.T) {
	got, err := cleanText("title", " a\u0000b\u200bc\nd ", 1, 10)
	if err != nil || got != "ab\u200bc\nd" {
		t.Fatalf("got %q %v", got, err)
	}
}

func TestParseRange(t *testing.T) {
	for _, s := range []string{"2026-09-01 to 2027-01-31", "2026/09/01 - 2027/01/31", "2026-09-01~2027-01-31", "2026-09-01 至 2027-01-31"} {
		from, to, err := ParseRange("availability", s)
		if err != nil || from.Format(DateLayout) != "2026-09-01" || to.Format(DateLayout) != "2027-01-31" {
			t.Errorf("%q: %v %v %v", s, from, to, err)
		}
	}
	if _, _, err := ParseRange("availability", "2027-01-31 to 2026-09-01"); ErrorCode(err) != EINVALID {
		t.Errorf("backwards range: %v", err)
	}
}

func TestFitPrefersMatchingSkillsProgramAndPlace(t *testing.T) {
	p := Profile{Program: "Mechatronics", Skills: []string{"cnc", "cad"}, Locations: []string{"suzhou"}}
	good := Position{ID: 1, Skills: []string{"cnc", "cad", "plc"}, Programs: []string{"mechatronics"}, Location: "Suzhou"}
	poor := Position{ID: 2, Skills: []string{"baking"}, Programs: []string{"culinary arts"}, Location: "Hangzhou"}
	g, b := Fit(p, good), Fit(p, poor)
	if g.Score <= b.Score || strings.Join(g.Matched, ",") != "cnc,cad" || len(b.Matched) != 0 {
		t.Fatalf("good %+v poor %+v", g, b)
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2026-09-01", "2026/9/1", "", "0000-00-00", "2026-02-30", "９９"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate("start", s)
		if err == nil && (d.Year() < 2000 || d.Year() > 2100) {
			t.Fatalf("%q parsed to %v", s, d)
		}
		if err != nil && ErrorCode(err) != EINVALID {
			t.Fatalf("%q: %v", s, err)
		}
	})
}

func FuzzParseList(f *testing.F) {
	for _, s := range []string{"a,b", "", ",,,", "x；y、z", strings.Repeat("a,", 50)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		items, err := ParseList("skills", s, 20, 40)
		if err != nil {
			if ErrorCode(err) != EINVALID {
				t.Fatalf("%q: %v", s, err)
			}
			return
		}
		if len(items) > 20 {
			t.Fatalf("%d items", len(items))
		}
		seen := map[string]bool{}
		for _, it := range items {
			if it == "" || seen[strings.ToLower(it)] {
				t.Fatalf("bad item %q in %q", it, items)
			}
			seen[strings.ToLower(it)] = true
		}
	})
}
