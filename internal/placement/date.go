package placement

import (
	"strconv"
	"strings"
	"time"
	"unicode"
)

// ParseDate reads a calendar date as people type it: 2027-01-02, 2027/1/2, 2027.1.2,
// 2027年1月2日, with full-width digits and separators too. A date that does not exist
// (2027-02-30) is refused with the number of days its month has.
func ParseDate(field, s string) (time.Time, error) {
	typed := strings.TrimSpace(s)
	bad := Errorf(EINVALID, "err.bad_date", map[string]any{"Field": field, "Value": truncate(typed, 20)})
	parts := dateParts(typed)
	if len(parts) != 3 || len(parts[0]) != 4 || len(parts[1]) > 2 || len(parts[2]) > 2 {
		return time.Time{}, bad
	}
	var n [3]int
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil {
			return time.Time{}, bad
		}
		n[i] = v
	}
	year, month, day := n[0], n[1], n[2]
	if year < 2000 || year > 2100 {
		return time.Time{}, bad
	}
	if month < 1 || month > 12 {
		return time.Time{}, Errorf(EINVALID, "err.no_such_month", map[string]any{"Field": field, "Value": truncate(typed, 20), "Month": month})
	}
	days := time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
	if day < 1 || day > days {
		return time.Time{}, Errorf(EINVALID, "err.no_such_day", map[string]any{"Field": field, "Value": truncate(typed, 20),
			"Year": year, "Month": month, "Days": days})
	}
	return time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC), nil
}

// dateParts splits a typed date into its runs of digits (full-width digits read as ASCII),
// or returns nil when anything but a date separator stands between them. 年 and 月 separate,
// and 日 or 号 may end the date.
func dateParts(s string) []string {
	var parts []string
	var cur strings.Builder
	sep := true    // the start and every separator open a new number
	space := false // a space after a number: only a separator may follow
	rs := []rune(s)
	for i, r := range rs {
		if r >= '０' && r <= '９' {
			r = '0' + (r - '０')
		}
		switch {
		case r >= '0' && r <= '9':
			if space && !sep {
				return nil
			}
			space = false
			if sep {
				if cur.Len() > 0 {
					parts = append(parts, cur.String())
					cur.Reset()
				}
				sep = false
			}
			cur.WriteRune(r)
		case strings.ContainsRune("-/.－／．年月", r):
			if sep {
				return nil
			}
			sep, space = true, false
		case (r == '日' || r == '号') && i == len(rs)-1 && !sep && len(parts) == 2:
		case unicode.IsSpace(r):
			// Spaces around separators, as in "2027 年 1 月 2 日".
			space = !sep
		default:
			return nil
		}
	}
	if sep || cur.Len() == 0 {
		return nil
	}
	return append(parts, cur.String())
}
