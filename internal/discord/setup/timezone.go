package setup

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/bwmarrin/discordgo"

	"placementbot/internal/discord"
	"placementbot/internal/discord/ui"
	"placementbot/internal/placement"
)

// suggestedZones are the IANA time zones offered while a coordinator types: UTC, the places the
// bot's schools are in, then the world's large cities. Any other IANA name typed in full
// is accepted too.
var suggestedZones = []string{
	"UTC", "Asia/Shanghai", "Asia/Hong_Kong", "Asia/Macau", "Asia/Taipei", "Asia/Singapore", "Asia/Kuala_Lumpur",
	"Asia/Bangkok", "Asia/Jakarta", "Asia/Ho_Chi_Minh", "Asia/Phnom_Penh", "Asia/Vientiane", "Asia/Yangon",
	"Asia/Manila", "Asia/Tokyo", "Asia/Seoul", "Asia/Ulaanbaatar", "Asia/Kolkata", "Asia/Colombo", "Asia/Kathmandu",
	"Asia/Dhaka", "Asia/Karachi", "Asia/Tashkent", "Asia/Almaty", "Asia/Bishkek", "Asia/Dushanbe", "Asia/Dubai",
	"Asia/Riyadh", "Asia/Tehran", "Asia/Baku", "Asia/Tbilisi", "Europe/London", "Europe/Dublin", "Europe/Lisbon",
	"Europe/Paris", "Europe/Berlin", "Europe/Madrid", "Europe/Rome", "Europe/Amsterdam", "Europe/Brussels",
	"Europe/Vienna", "Europe/Zurich", "Europe/Stockholm", "Europe/Warsaw", "Europe/Prague", "Europe/Budapest",
	"Europe/Belgrade", "Europe/Athens", "Europe/Istanbul", "Europe/Moscow", "Africa/Cairo", "Africa/Casablanca",
	"Africa/Lagos", "Africa/Nairobi", "Africa/Addis_Ababa", "Africa/Djibouti", "Africa/Johannesburg",
	"America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Anchorage",
	"America/Toronto", "America/Vancouver", "America/Mexico_City", "America/Bogota", "America/Lima",
	"America/Santiago", "America/Sao_Paulo", "America/Argentina/Buenos_Aires", "Australia/Perth",
	"Australia/Sydney", "Australia/Melbourne", "Pacific/Auckland", "Pacific/Honolulu",
}

// timezone sets the guild's time zone. The name is free text: it must be an IANA name the
// bot and the database both know; a suggested name typed in another case is taken as listed.
func (h handlers) timezone(ctx context.Context, r *discord.Request) (*discord.Reply, error) {
	zone, _ := r.String("zone")
	zone = strings.TrimSpace(zone)
	for _, z := range suggestedZones {
		if strings.EqualFold(z, zone) {
			zone = z
		}
	}
	if _, err := placement.LoadZone(zone); err != nil {
		return nil, err
	}
	return h.save(ctx, r, placement.GuildSettingsUpdate{TimeZone: &zone})
}

// timezoneAutocomplete suggests time zones whose name contains what was typed (spaces read as
// underscores), with their current offset from UTC; Asia/Shanghai comes first for members
// using Chinese.
func (h handlers) timezoneAutocomplete(_ context.Context, r *discord.Request) (*discord.Reply, error) {
	typed := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(ui.Truncate(r.FocusedText(), 64)), " ", "_"))
	zones := suggestedZones
	if strings.HasPrefix(r.Actor.Locale, "zh") {
		zones = append([]string{"Asia/Shanghai"}, slices.DeleteFunc(slices.Clone(suggestedZones), func(z string) bool { return z == "Asia/Shanghai" })...)
	}
	now := time.Now()
	choices := []*discordgo.ApplicationCommandOptionChoice{}
	for _, z := range zones {
		if !strings.Contains(strings.ToLower(z), typed) {
			continue
		}
		loc, err := placement.LoadZone(z)
		if err != nil {
			continue
		}
		choices = append(choices, &discordgo.ApplicationCommandOptionChoice{Name: z + " · " + utcOffset(now.In(loc)), Value: z})
	}
	return &discord.Reply{Choices: ui.FitChoices(choices)}, nil
}

// utcOffset names a time's offset from UTC: "UTC+08:00", "UTC-03:00", "UTC+05:45".
func utcOffset(t time.Time) string {
	return "UTC" + t.Format("-07:00")
}

// zoneLabel is how the setup card shows the guild's time zone: its name and current offset.
func zoneLabel(gs placement.GuildSettings) string {
	name := gs.TimeZone
	if name == "" {
		name = "UTC"
	}
	return name + " (" + utcOffset(time.Now().In(gs.Location())) + ")"
}
