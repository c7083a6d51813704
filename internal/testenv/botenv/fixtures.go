package botenv

import (
	"context"
	"testing"
	"time"

	"placementbot/internal/i18n"
	"placementbot/internal/placement"
	"placementbot/internal/testenv"
)

// Actor resolves a demo member (by name) as the bot would on an interaction.
func (b *Bot) Actor(t testing.TB, name string) placement.Actor {
	t.Helper()
	m := testenv.Member(name)
	a, err := b.Service.Actor(context.Background(), "900000000000000001",
		placement.Member{UserID: m.ID, RoleIDs: m.RoleIDs, Permissions: m.Permissions}, i18n.Languages[0])
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// AddEnterprise adds a verified enterprise as coordinator carol and links the named mentors.
func (b *Bot) AddEnterprise(t testing.TB, name string, staff int, mentors ...string) placement.Enterprise {
	t.Helper()
	ctx := context.Background()
	e, err := b.Service.AddEnterprise(ctx, b.Actor(t, "carol"), placement.EnterpriseInput{Name: name, Industry: "Manufacturing", City: "Suzhou", StaffSize: staff})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range mentors {
		if e, err = b.Service.LinkMentor(ctx, b.Actor(t, "carol"), e.ID, testenv.Member(m).ID); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// PositionInput is a valid posting starting about two months from now; change fields as needed.
func PositionInput(title string) placement.PositionInput {
	start := time.Now().AddDate(0, 2, 0)
	return placement.PositionInput{
		Title: title, Description: "Hands-on work with a senior technician.", Skills: "CNC, CAD, teamwork",
		Programs: "Mechatronics", Location: "Suzhou", Slots: "2",
		Start: start.Format(placement.DateLayout), End: start.AddDate(0, 3, 0).Format(placement.DateLayout),
		Deadline: time.Now().AddDate(0, 1, 0).Format(placement.DateLayout),
	}
}

// PostPosition posts a position as the named mentor.
func (b *Bot) PostPosition(t testing.TB, mentor string, enterpriseID int64, in placement.PositionInput) placement.Position {
	t.Helper()
	p, err := b.Service.PostPosition(context.Background(), b.Actor(t, mentor), enterpriseID, in)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// SaveProfile saves a student's profile.
func (b *Bot) SaveProfile(t testing.TB, student string, in placement.ProfileInput) placement.Profile {
	t.Helper()
	p, err := b.Service.SaveProfile(context.Background(), b.Actor(t, student), in)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Apply files an application as the named student.
func (b *Bot) Apply(t testing.TB, student string, positionID int64) placement.Application {
	t.Helper()
	a, err := b.Service.Apply(context.Background(), b.Actor(t, student), positionID, "I have trained on these machines for two years and want to learn more.")
	if err != nil {
		t.Fatal(err)
	}
	return a
}
