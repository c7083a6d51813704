package placement

import (
	"slices"
	"testing"
	"time"
)

func TestParseDateSpellings(t *testing.T) {
	want := time.Date(2027, 1, 2, 0, 0, 0, 0, time.UTC)
	for _, s := range []string{"2027-01-02", "2027-1-2", "2027/1/2", "2027/01/02", "2027.1.2", "2027.01.02",
		"2027年1月2日", "2027年01月02日", "2027年1月2号", "2027年1月2", "２０２７年１月２日", "２０２７－０１－０２",
		"2027／1／2", "2027 年 1 月 2 日", " 2027-01-02 "} {
		d, err := ParseDate("start", s)
		if err != nil || !d.Equal(want) {
			t.Errorf("%q: %v %v, want 2027-01-02", s, d, err)
		}
	}
}

func TestParseDateRefusals(t *testing.T) {
	tests := []struct {
		typed, key string
		data       map[string]any
	}{
		{"2027-02-30", "err.no_such_day", map[string]any{"Value": "2027-02-30", "Year": 2027, "Month": 2, "Days": 28}},
		{"2028/2/30", "err.no_such_day", map[string]any{"Value": "2028/2/30", "Days": 29}},
		{"2027年4月31日", "err.no_such_day", map[string]any{"Value": "2027年4月31日", "Month": 4, "Days": 30}},
		{"2027-01-00", "err.no_such_day", map[string]any{"Days": 31}},
		{"2027-13-01", "err.no_such_month", map[string]any{"Value": "2027-13-01", "Month": 13}},
		{"2027.0.5", "err.no_such_month", map[string]any{"Month": 0}},
		{"next monday", "err.bad_date", map[string]any{"Value": "next monday"}},
		{"2027-1-2-3", "err.bad_date", nil},
		{"2027--1-2", "err.bad_date", nil},
		{"27-1-2", "err.bad_date", nil},
		{"2027-001-02", "err.bad_date", nil},
		{"2027 1 2", "err.bad_date", nil},
		{"2027-1-2日日", "err.bad_date", nil},
		{"1999-01-01", "err.bad_date", nil},
		{"2027-01-02-", "err.bad_date", nil},
		{"", "err.bad_date", nil},
	}
	for _, tt := range tests {
		_, err := ParseDate("start", tt.typed)
		ps := Problems(err)
		if len(ps) != 1 || ps[0].Key != tt.key || ps[0].Code != EINVALID {
			t.Errorf("%q: %v, want %s", tt.typed, err, tt.key)
			continue
		}
		for k, v := range tt.data {
			if ps[0].Data[k] != v {
				t.Errorf("%q: %s = %v, want %v", tt.typed, k, ps[0].Data[k], v)
			}
		}
	}
}

func TestPositionParseReportsEveryProblemAtOnce(t *testing.T) {
	in := validPosting()
	in.Title, in.Location, in.Slots, in.Start, in.End, in.Deadline = "", "", "abc", "2027-02-30", "2027/5/31", "2026-11-01"
	_, err := in.Parse(today)
	var keys []string
	for _, p := range Problems(err) {
		keys = append(keys, p.Key)
	}
	want := []string{"err.field_required", "err.location_or_remote", "err.slots", "err.no_such_day", "err.deadline_past"}
	if !slices.Equal(keys, want) {
		t.Fatalf("problems %v, want %v", keys, want)
	}
	if ErrorCode(err) != EINVALID {
		t.Fatalf("code %q", ErrorCode(err))
	}

	// Dates that parse are compared with each other, whatever else is wrong.
	in = validPosting()
	in.Title, in.End, in.Deadline = "x", "2027-01-01", "2027-03-01"
	keys = nil
	_, err = in.Parse(today)
	for _, p := range Problems(err) {
		keys = append(keys, p.Key)
	}
	want = []string{"err.field_too_short", "err.end_before_start", "err.deadline_after_start"}
	if !slices.Equal(keys, want) {
		t.Fatalf("problems %v, want %v", keys, want)
	}
}

func TestPositionParseReadsTypedDates(t *testing.T) {
	in := validPosting()
	in.Start, in.End, in.Deadline = "２０２７年２月１日", "2027.5.31", "2027/1/15"
	p, err := in.Parse(today)
	if err != nil {
		t.Fatal(err)
	}
	if p.StartDate.Format(DateLayout) != "2027-02-01" || p.EndDate.Format(DateLayout) != "2027-05-31" || p.Deadline.Format(DateLayout) != "2027-01-15" {
		t.Fatalf("dates %v %v %v", p.StartDate, p.EndDate, p.Deadline)
	}
}
