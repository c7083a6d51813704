package placement

import "time"

// EnterpriseStatus says whether an enterprise may have open positions.
type EnterpriseStatus string

// Enterprise statuses: a mentor's request waits as pending until a coordinator verifies or
// refuses it; a coordinator may suspend a verified enterprise (its positions close, its mentors
// lose their rights) and restore it.
const (
	EnterprisePending   EnterpriseStatus = "pending"
	EnterpriseVerified  EnterpriseStatus = "verified"
	EnterpriseRefused   EnterpriseStatus = "refused"
	EnterpriseSuspended EnterpriseStatus = "suspended"
)

// Enterprise is a company that hosts interns.
type Enterprise struct {
	ID          int64
	GuildID     string
	Name        string
	Industry    string
	City        string
	Description string
	StaffSize   int
	Status      EnterpriseStatus
	RequestedBy string
	Note        string
	Mentors     []string // user ids of linked mentors
	CreatedAt   time.Time
}

// EnterpriseInput is what a coordinator or mentor types about an enterprise.
type EnterpriseInput struct {
	Name, Industry, City, Description string
	StaffSize                         int
}

// Validate checks an enterprise's fields.
func (in *EnterpriseInput) Validate() error {
	var err error
	if in.Name, err = cleanText("name", in.Name, 1, 100); err != nil {
		return err
	}
	if in.Industry, err = cleanText("industry", in.Industry, 0, 60); err != nil {
		return err
	}
	if in.City, err = cleanText("city", in.City, 0, 60); err != nil {
		return err
	}
	if in.Description, err = cleanText("description", in.Description, 0, 1000); err != nil {
		return err
	}
	if in.StaffSize < 1 || in.StaffSize > 1_000_000 {
		return Errorf(EINVALID, "err.staff_size", nil)
	}
	return nil
}
