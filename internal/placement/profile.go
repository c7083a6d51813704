package placement

import "time"

// Profile is what a student tells mentors about themselves.
type Profile struct {
	GuildID       string
	UserID        string
	Program       string
	Cohort        string
	Skills        []string
	Certificates  []string
	Locations     []string
	AvailableFrom time.Time // zero when not given
	AvailableTo   time.Time
	// InvitationsOff: the student asked mentors not to invite them; saving the form keeps it.
	InvitationsOff bool
	UpdatedAt      time.Time
}

// ProfileInput is the profile form as typed.
type ProfileInput struct {
	Program, Cohort, Skills, Certificates, Locations, Availability string
}

// Parse validates the form into a profile. Availability is "YYYY-MM-DD to YYYY-MM-DD" or empty.
func (in ProfileInput) Parse() (Profile, error) {
	var p Profile
	var err error
	if p.Program, err = cleanText("program", in.Program, 1, 80); err != nil {
		return p, err
	}
	if p.Cohort, err = cleanText("cohort", in.Cohort, 0, 20); err != nil {
		return p, err
	}
	if p.Skills, err = ParseList("skills", in.Skills, 30, 40); err != nil {
		return p, err
	}
	if p.Certificates, err = ParseList("certificates", in.Certificates, 20, 80); err != nil {
		return p, err
	}
	if p.Locations, err = ParseList("locations", in.Locations, 10, 60); err != nil {
		return p, err
	}
	p.AvailableFrom, p.AvailableTo, err = ParseRange("availability", in.Availability)
	return p, err
}

// ParseRange reads "from to until" date ranges such as "2026-09-01 to 2027-01-31"; empty is no range.
func ParseRange(field, s string) (from, to time.Time, err error) {
	s = trimSpace(s)
	if s == "" {
		return time.Time{}, time.Time{}, nil
	}
	parts := splitRange(s)
	if len(parts) != 2 {
		return from, to, Errorf(EINVALID, "err.bad_range", map[string]any{"Field": field})
	}
	if from, err = ParseDate(field, parts[0]); err != nil {
		return
	}
	if to, err = ParseDate(field, parts[1]); err != nil {
		return
	}
	if to.Before(from) {
		return from, to, Errorf(EINVALID, "err.range_backwards", map[string]any{"Field": field})
	}
	return from, to, nil
}
