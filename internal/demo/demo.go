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

// Seed loads the demo school's setup into the database once; later runs keep what the
// person changed.
func Seed(ctx context.Context, svc *placement.Service, g Guild) error {
	owner := placement.Actor{GuildID: g.ID, UserID: g.Members[len(g.Members)-1].ID, Roles: placement.RoleCoordinator}
	gs, err := svc.GuildSettings(ctx, owner)
	if err != nil {
		return fmt.Errorf("demo: read setup: %w", err)
	}
	if !gs.UpdatedAt.IsZero() {
		return nil
	}
	ids := []string{CoordinatorRoleID, MentorRoleID, StudentRoleID, AnnouncementsID, DigestID}
	_, err = svc.UpdateGuildSettings(ctx, owner, placement.GuildSettingsUpdate{
		CoordinatorRoleID: &ids[0], MentorRoleID: &ids[1], StudentRoleID: &ids[2],
		AnnouncementsChannelID: &ids[3], DigestChannelID: &ids[4],
	})
	if err != nil {
		return fmt.Errorf("demo: seed setup: %w", err)
	}
	return nil
}
