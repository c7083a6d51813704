package enterprise_test

import (
	"strings"
	"testing"
	"time"

	"placementbot/internal/placement"
	"placementbot/internal/testenv"
	"placementbot/internal/testenv/botenv"
)

// TestEnterpriseTooSmallForOneInternIsWarned: 3 staff at the 10 % quota host no intern (the
// quota rounds down), which approval would refuse; the coordinator is told when adding or
// verifying it, and its mentor when posting, with the rule behind it, and nothing is refused.
func TestEnterpriseTooSmallForOneInternIsWarned(t *testing.T) {
	b := botenv.New(t)
	b.Router.Limiter = nil // the posting wizard takes more clicks than the rate limit allows
	carol := testenv.Member("carol")
	warning := []string{"With 3 staff, **Tiny Shop** can host no intern at this school's 10 % quota",
		"the national rules cap interns at 10 % of an employer's staff and 20 % of the staff of one post", "at least 10 staff", "`/setup compliance`"}

	seen := b.Do(t, testenv.Slash(carol, "enterprise add", testenv.StringOpt("name", "Tiny Shop"), testenv.IntOpt("staff_size", 3)))
	entWant(t, "add", seen, append([]string{"Added **Tiny Shop**"}, warning...)...)
	seen = b.Do(t, testenv.Slash(carol, "enterprise add", testenv.StringOpt("name", "Big Works"), testenv.IntOpt("staff_size", 10)))
	if seen.MustContain(t, "Added **Big Works**"); strings.Contains(seen.Text(), "can host no intern") {
		t.Errorf("10 staff host one intern at 10 %%: %s", seen.Text())
	}

	req, err := b.Service.RequestEnterprise(t.Context(), b.Actor(t, "mo"), placement.EnterpriseInput{Name: "Mo Garage", StaffSize: 5})
	if err != nil {
		t.Fatal(err)
	}
	seen = b.Do(t, testenv.Slash(carol, "enterprise verify", testenv.StringOpt("enterprise", entID(req.ID)), testenv.StringOpt("decision", "verify")))
	entWant(t, "verify", seen, "Verified **Mo Garage**", "With 5 staff, **Mo Garage** can host no intern", "at least 10 staff")

	// The mentor posts through the wizard: published, and warned.
	tiny := entAll(t, b)[2]
	if tiny.Name != "Tiny Shop" {
		t.Fatalf("enterprises: %+v", entAll(t, b))
	}
	b.Do(t, testenv.Slash(carol, "enterprise link-mentor", testenv.StringOpt("enterprise", entID(tiny.ID)), testenv.UserOpt("mentor", "alice")))
	day := func(d int) string { return time.Now().AddDate(0, 0, d).Format(placement.DateLayout) }
	seen = b.Fill(t, "alice", b.Do(t, testenv.Slash(testenv.Member("alice"), "positions post")), map[string]string{
		"title": "Shop assistant", "description": "Serve customers with the owner.", "skills": "sales", "programs": "Retail", "location": "Suzhou"})
	seen = b.Fill(t, "alice", b.Press(t, "alice", seen, "Details"), map[string]string{"slots": "1", "start": day(60), "end": day(120), "deadline": day(30), "stipend": ""})
	seen = b.Press(t, "alice", seen, "Publish")
	seen.MustContain(t, append([]string{"Published as position #"}, warning...)...)

	// A quota that gives the shop an intern ends the warning.
	pct := 40
	if _, err := b.Service.UpdateCompliance(t.Context(), b.Actor(t, "carol"), placement.ComplianceInput{QuotaPercent: &pct}); err != nil {
		t.Fatal(err)
	}
	q, err := b.Service.HostingQuota(t.Context(), b.Actor(t, "alice"), tiny.ID)
	if err != nil || q.Interns != 1 || q.MinStaff() != 3 {
		t.Fatalf("quota at 40 %%: %+v %v", q, err)
	}
}
