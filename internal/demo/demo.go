// Package demo describes the local demo school the console runs against: the Discord side
// (roles, channels, members, as Discord would report them) and the data loaded into the database.
package demo

import (
	"context"
	"fmt"

	"github.com/bwmarrin/discordgo"

	"placementbot/internal/placement"
)

// Role is a Discord role of the demo server.
type Role struct {
	ID, Name string
	Managed  bool
}

// Channel is a Discord channel of the demo server.
type Channel struct {
	ID, Name string
	Type     discordgo.ChannelType
}

// Member is a person in the demo server.
type Member struct {
	ID, Name    string
	RoleIDs     []string
	Permissions int64
}

// Guild is the demo server as Discord knows it.
type Guild struct {
	ID, Name string
	Roles    []Role
	Channels []Channel
	Members  []Member
}

// Ids of the demo server; snowflake-shaped so they pass the same checks as real ones.
const (
	GuildID           = "900000000000000001"
	CoordinatorRoleID = "900000000000000011"
	MentorRoleID      = "900000000000000012"
	StudentRoleID     = "900000000000000013"
	AlumniRoleID      = "900000000000000014"
	BotRoleID         = "900000000000000015"
	AnnouncementsID   = "900000000000000021"
	DigestID          = "900000000000000022"
	GeneralID         = "900000000000000023"
	VoiceID           = "900000000000000024"
)

// School returns the demo server: a coordinator, two mentors, three students, a newcomer
// without roles and the server owner.
func School() Guild {
	return Guild{
		ID: GuildID, Name: "Riverside Vocational College",
		Roles: []Role{
			{ID: GuildID, Name: "everyone"},
			{ID: CoordinatorRoleID, Name: "Coordinator"},
			{ID: MentorRoleID, Name: "Mentor"},
			{ID: StudentRoleID, Name: "Student"},
			{ID: AlumniRoleID, Name: "Alumni"},
			{ID: BotRoleID, Name: "PlacementBot", Managed: true},
		},
		Channels: []Channel{
			{ID: AnnouncementsID, Name: "placements", Type: discordgo.ChannelTypeGuildText},
			{ID: DigestID, Name: "coordinators", Type: discordgo.ChannelTypeGuildText},
			{ID: GeneralID, Name: "general", Type: discordgo.ChannelTypeGuildText},
			{ID: VoiceID, Name: "lounge", Type: discordgo.ChannelTypeGuildVoice},
		},
		Members: []Member{
			{ID: "900000000000000101", Name: "carol", RoleIDs: []string{CoordinatorRoleID}},
			{ID: "900000000000000102", Name: "alice", RoleIDs: []string{MentorRoleID}},
			{ID: "900000000000000103", Name: "mo", RoleIDs: []string{MentorRoleID}},
			{ID: "900000000000000104", Name: "bo", RoleIDs: []string{StudentRoleID}},
			{ID: "900000000000000105", Name: "li", RoleIDs: []string{StudentRoleID}},
			{ID: "900000000000000106", Name: "wei", RoleIDs: []string{StudentRoleID}},
			{ID: "900000000000000107", Name: "sam", RoleIDs: []string{AlumniRoleID}},
			{ID: "900000000000000108", Name: "owner", Permissions: placement.PermManageGuild},
		},
	}
}

// Seed loads the demo school once: its setup, two enterprises with their mentors, three open
// positions and two student profiles. Later runs keep what the person changed.
func Seed(ctx context.Context, svc *placement.Service, g Guild) error {
	fresh, err := SeedSetup(ctx, svc, g)
	if err != nil || !fresh {
		return err
	}
	return seedPlacements(ctx, svc, g, owner(g))
}

func owner(g Guild) placement.Actor {
	return placement.Actor{GuildID: g.ID, UserID: g.member("owner").ID, Roles: placement.RoleCoordinator}
}

// SeedSetup loads only the demo school's setup (roles and channels), once; it reports whether
// it did (false when the school was set up before).
func SeedSetup(ctx context.Context, svc *placement.Service, g Guild) (bool, error) {
	owner := owner(g)
	gs, err := svc.GuildSettings(ctx, owner)
	if err != nil {
		return false, fmt.Errorf("demo: read setup: %w", err)
	}
	if !gs.UpdatedAt.IsZero() {
		return false, nil
	}
	ids := []string{CoordinatorRoleID, MentorRoleID, StudentRoleID, AnnouncementsID, DigestID}
	_, err = svc.UpdateGuildSettings(ctx, owner, placement.GuildSettingsUpdate{
		CoordinatorRoleID: &ids[0], MentorRoleID: &ids[1], StudentRoleID: &ids[2],
		AnnouncementsChannelID: &ids[3], DigestChannelID: &ids[4],
	})
	if err != nil {
		return false, fmt.Errorf("demo: seed setup: %w", err)
	}
	return true, nil
}

func seedPlacements(ctx context.Context, svc *placement.Service, g Guild, owner placement.Actor) error {
	actor := func(name string) (placement.Actor, error) {
		m := g.member(name)
		return svc.Actor(ctx, g.ID, placement.Member{UserID: m.ID, RoleIDs: m.RoleIDs, Permissions: m.Permissions}, "en-US")
	}
	enterprises := []struct {
		in     placement.EnterpriseInput
		mentor string
	}{
		{placement.EnterpriseInput{Name: "Acme Robotics", Industry: "Manufacturing", City: "Suzhou", StaffSize: 400,
			Description: "Industrial robots and CNC machining for the automotive supply chain."}, "alice"},
		{placement.EnterpriseInput{Name: "Lotus Foods", Industry: "Food service", City: "Hangzhou", StaffSize: 120,
			Description: "Central kitchen and catering for schools and hospitals."}, "mo"},
	}
	now := svc.Now()
	date := func(months, days int) string { return now.AddDate(0, months, days).Format(placement.DateLayout) }
	positions := map[string][]placement.PositionInput{
		"alice": {
			{Title: "CNC machining intern", Description: "Set up and run 3-axis CNC mills under a senior machinist; read drawings; measure parts.",
				Skills: "CNC, CAD, measuring", Programs: "Mechatronics, Mechanical engineering", Location: "Suzhou", Slots: "2",
				Start: date(2, 0), End: date(5, 0), Deadline: date(1, 0), Stipend: "2,500 CNY / month"},
			{Title: "Robot maintenance assistant", Description: "Preventive maintenance of welding robots and PLC troubleshooting.",
				Skills: "PLC, electrical, teamwork", Programs: "Mechatronics", Location: "Suzhou", Slots: "1",
				Start: date(2, 0), End: date(6, 0), Deadline: date(1, 0)},
		},
		"mo": {
			{Title: "Kitchen operations trainee", Description: "Prepare meals in a central kitchen; learn HACCP food safety routines.",
				Skills: "food safety, teamwork", Programs: "Culinary arts", Location: "Hangzhou", Slots: "3",
				Start: date(2, 0), End: date(4, 0), Deadline: date(1, 0), Stipend: "2,000 CNY / month"},
			{Title: "厨房帮工", Description: "在中央厨房协助备餐、切配和清洁，学习HACCP食品安全流程。",
				Skills: "食品安全, 刀工", Programs: "Culinary arts", Location: "杭州钱塘区", Slots: "2",
				Start: date(2, 0), End: date(4, 0), Deadline: date(1, 0), Stipend: "每月 1,800 元"},
		},
	}
	for _, e := range enterprises {
		ent, err := svc.AddEnterprise(ctx, owner, e.in)
		if err != nil {
			return fmt.Errorf("demo: add enterprise: %w", err)
		}
		if _, err := svc.LinkMentor(ctx, owner, ent.ID, g.member(e.mentor).ID); err != nil {
			return fmt.Errorf("demo: link mentor: %w", err)
		}
		mentor, err := actor(e.mentor)
		if err != nil {
			return err
		}
		for _, in := range positions[e.mentor] {
			if _, err := svc.PostPosition(ctx, mentor, ent.ID, in); err != nil {
				return fmt.Errorf("demo: post position: %w", err)
			}
		}
	}
	profiles := map[string]placement.ProfileInput{
		"li":  {Program: "Culinary arts", Cohort: "2025", Skills: "food safety, knife skills", Locations: "Hangzhou"},
		"wei": {Program: "Mechatronics", Cohort: "2024", Skills: "PLC, electrical", Certificates: "Electrician (junior)", Locations: "Suzhou, Wuxi"},
	}
	for name, in := range profiles {
		a, err := actor(name)
		if err != nil {
			return err
		}
		if _, err := svc.SaveProfile(ctx, a, in); err != nil {
			return fmt.Errorf("demo: save profile: %w", err)
		}
	}
	return nil
}

// member finds a demo member by name; the names are fixed above.
func (g Guild) member(name string) Member {
	for _, m := range g.Members {
		if m.Name == name {
			return m
		}
	}
	panic("demo: no member " + name)
}

// NameOf names a demo member ("bo") or channel ("placements") by id, for console output.
func (g Guild) NameOf(id string) string {
	for _, m := range g.Members {
		if m.ID == id {
			return m.Name
		}
	}
	for _, c := range g.Channels {
		if c.ID == id {
			return c.Name
		}
	}
	return id
}
