package postgres_test

import (
	"testing"

	"placementbot/internal/placement"
)

func TestGuildSettings(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()

	gs, err := f.store.FindGuildSettings(ctx, guildA)
	if err != nil {
		t.Fatal(err)
	}
	if gs != (placement.GuildSettings{GuildID: guildA}) {
		t.Fatalf("unknown guild: %+v, want empty settings", gs)
	}

	role := "400000000000000001"
	gs, err = f.store.UpdateGuildSettings(ctx, guildA, placement.GuildSettingsUpdate{MentorRoleID: &role}, fx(guildA, "setup.update"))
	if err != nil {
		t.Fatal(err)
	}
	if gs.MentorRoleID != role || gs.OpenApplicationCap != 10 || gs.OfferExpiryDays != 7 {
		t.Fatalf("after update: %+v", gs)
	}
	if _, err := f.pool.Exec(ctx, `UPDATE guilds SET open_application_cap = 3, offer_expiry_days = 14 WHERE guild_id = $1`, guildA); err != nil {
		t.Fatal(err)
	}
	gs, err = f.store.FindGuildSettings(ctx, guildA)
	if err != nil {
		t.Fatal(err)
	}
	if gs.MentorRoleID != role || gs.OpenApplicationCap != 3 || gs.OfferExpiryDays != 14 || gs.UpdatedAt.IsZero() {
		t.Fatalf("find: %+v", gs)
	}
	if other, err := f.store.FindGuildSettings(ctx, guildB); err != nil || other.MentorRoleID != "" {
		t.Fatalf("guild B sees guild A's settings: %+v, %v", other, err)
	}
}
