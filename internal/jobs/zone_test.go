package jobs_test

import (
	"testing"
	"time"

	"placementbot/internal/placement"
)

// A position closes at midnight after its deadline day in its own guild's time zone: in a
// UTC+8 school at 16:00 UTC of the deadline day, while a UTC school's position with the same
// deadline stays open until 00:00 UTC. Students of the UTC+8 school can apply until 15:59 UTC.
func TestDeadlineFollowsTheGuildsTimeZone(t *testing.T) {
	s := newSchool(t)
	ctx := t.Context()
	day := s.base.Truncate(24*time.Hour).AddDate(0, 0, 3) // the deadline day, 00:00 UTC
	s.clock.Set(day)

	// A second school, in UTC, with its own mentor and position due the same day.
	const utcGuild, utcMentor = "910000000000000005", "910000000000000109"
	owner := placement.Actor{GuildID: utcGuild, UserID: "910000000000000108", Roles: placement.RoleCoordinator}
	mr := mentorRole
	if _, err := s.svc.UpdateGuildSettings(ctx, owner, placement.GuildSettingsUpdate{MentorRoleID: &mr}); err != nil {
		t.Fatal(err)
	}
	e, err := s.svc.AddEnterprise(ctx, owner, placement.EnterpriseInput{Name: "Acme UTC", StaffSize: 500})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.svc.LinkMentor(ctx, owner, e.ID, utcMentor); err != nil {
		t.Fatal(err)
	}
	m, err := s.svc.Actor(ctx, utcGuild, placement.Member{UserID: utcMentor, RoleIDs: []string{mentorRole}}, "en-US")
	if err != nil {
		t.Fatal(err)
	}
	in := placement.PositionInput{Title: "UTC intern", Location: "London", Slots: "2", Deadline: day.Format(placement.DateLayout),
		Start: day.AddDate(0, 0, 10).Format(placement.DateLayout), End: day.AddDate(0, 0, 100).Format(placement.DateLayout)}
	utcPos, err := s.svc.PostPosition(ctx, m, e.ID, in)
	if err != nil {
		t.Fatal(err)
	}

	shanghai := "Asia/Shanghai"
	coord := placement.Actor{GuildID: guildID, UserID: "910000000000000108", Roles: placement.RoleCoordinator}
	if _, err := s.svc.UpdateGuildSettings(ctx, coord, placement.GuildSettingsUpdate{TimeZone: &shanghai}); err != nil {
		t.Fatal(err)
	}
	s.mentor = s.actor(alice, mentorRole)
	local := s.post("Shanghai intern", 0)
	if !local.Deadline.Equal(day) {
		t.Fatalf("deadline %v, want %v", local.Deadline, day)
	}
	status := func(guild string, id int64) placement.PositionStatus {
		t.Helper()
		var st placement.PositionStatus
		if err := s.pool.QueryRow(ctx, `SELECT status FROM positions WHERE guild_id = $1 AND id = $2`, guild, id).Scan(&st); err != nil {
			t.Fatal(err)
		}
		return st
	}

	// 23:59 in Shanghai: the deadline day still takes applications.
	s.clock.Set(day.Add(15*time.Hour + 59*time.Minute))
	run(t, "close at 23:59 in Shanghai", func() (int, error) { return s.svc.CloseDuePositions(ctx) }, 0)
	s.apply(local)

	// 00:00 in Shanghai: closed there, by the job and for a student applying before it runs.
	s.clock.Set(day.Add(16 * time.Hour))
	if _, err := s.svc.Apply(ctx, s.student(), local.ID, "I have two years of workshop practice at school."); placement.ErrorCode(err) != placement.ECONFLICT {
		t.Fatalf("applying after local midnight: %v, want a refusal", err)
	}
	run(t, "close at 00:00 in Shanghai", func() (int, error) { return s.svc.CloseDuePositions(ctx) }, 1)
	if status(guildID, local.ID) != placement.PositionClosed || status(utcGuild, utcPos.ID) != placement.PositionOpen {
		t.Fatal("want the Shanghai position closed and the UTC one open at 16:00 UTC")
	}

	s.clock.Set(day.Add(24*time.Hour - time.Minute))
	run(t, "close at 23:59 UTC", func() (int, error) { return s.svc.CloseDuePositions(ctx) }, 0)
	s.clock.Set(day.Add(24 * time.Hour))
	run(t, "close at 00:00 UTC", func() (int, error) { return s.svc.CloseDuePositions(ctx) }, 1)
	if status(utcGuild, utcPos.ID) != placement.PositionClosed {
		t.Fatal("the UTC position is still open after its deadline day")
	}
}

// The digest follows the guild's day: a UTC+8 school gets it from 09:00 local (01:00 UTC),
// dated with its local date, once.
func TestDigestFollowsTheGuildsTimeZone(t *testing.T) {
	s := newSchool(t)
	ctx := t.Context()
	shanghai := "Asia/Shanghai"
	coord := placement.Actor{GuildID: guildID, UserID: "910000000000000108", Roles: placement.RoleCoordinator}
	if _, err := s.svc.UpdateGuildSettings(ctx, coord, placement.GuildSettingsUpdate{TimeZone: &shanghai}); err != nil {
		t.Fatal(err)
	}
	day := s.base.Truncate(24*time.Hour).AddDate(0, 0, 2)
	s.clock.Set(day.Add(-time.Hour)) // 23:00 UTC the day before: 07:00 in Shanghai
	run(t, "digest at 07:00 local", func() (int, error) { return s.svc.SendDigests(ctx) }, 0)
	s.clock.Set(day.Add(time.Hour)) // 09:00 in Shanghai
	run(t, "digest at 09:00 local", func() (int, error) { return s.svc.SendDigests(ctx) }, 1)
	s.clock.Set(day.Add(10 * time.Hour)) // 18:00 in Shanghai, 10:00 UTC
	run(t, "digest again the same local day", func() (int, error) { return s.svc.SendDigests(ctx) }, 0)
	ns := s.notes("jobs.digest_quiet")
	if len(ns) != 1 || ns[0].DedupKey != "digest:"+day.Format(placement.DateLayout) || ns[0].Data["Date"] != day.Format(placement.DateLayout) {
		t.Fatalf("digests %+v", ns)
	}
}
