package console

import (
	"strings"
	"testing"
	"time"

	"placementbot/internal/demo"
	"placementbot/internal/discord"
	"placementbot/internal/discord/ui"
	"placementbot/internal/placement"
)

// TestShowTimestampsInUTC: a console user has no Discord client to turn timestamps into their
// own time, so the console prints them in UTC, saying so.
func TestShowTimestampsInUTC(t *testing.T) {
	w := newWatchWriter("")
	c := New(newRouter(t, &discord.Routes{}), nil, demo.School(), strings.NewReader(""), w, false)
	shanghai, err := placement.LoadZone("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	deadline := string(ui.Deadline(time.Date(2027, 1, 2, 0, 0, 0, 0, time.UTC), shanghai))
	c.Show("card", "Apply by "+deadline+" · started "+string(ui.Timestamp(time.Date(2026, 9, 1, 8, 30, 0, 0, time.UTC), 'd')), nil, nil, nil)
	wantAll(t, w.String(), "Apply by 2027-01-02 15:59 UTC (2027-01-02 15:59 UTC) · started 2026-09-01")
	if strings.Contains(w.String(), "<t:") {
		t.Fatalf("raw timestamps shown: %s", w.String())
	}
}
