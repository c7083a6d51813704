package ui

import (
	"strconv"
	"time"

	"placementbot/internal/placement"
)

// Timestamp is a Discord timestamp: each member's client shows t in their own time zone and
// language. Styles: 'd' a short date, 'f' date and time, 'R' relative ("in 3 days").
func Timestamp(t time.Time, style byte) Markup {
	return Markup("<t:" + strconv.FormatInt(t.Unix(), 10) + ":" + string(style) + ">")
}

// Deadline shows when applications close for a deadline date, which ends at midnight in the
// school's time zone: the date and time in the member's own zone, and how far off it is.
func Deadline(date time.Time, school *time.Location) Markup {
	end := placement.DayEnd(date, school)
	return Timestamp(end, 'f') + " (" + Timestamp(end, 'R') + ")"
}
