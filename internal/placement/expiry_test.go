package placement_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"placementbot/internal/placement"
	"placementbot/internal/postgres"
	"placementbot/internal/testenv"
)

// An offer left unanswered past the guild's period expires once, frees its slot and tells the
// student, even when every replica runs the expiry at the same moment.
func TestUnansweredOffersExpireOnce(t *testing.T) {
	ctx := context.Background()
	pool := testenv.NewPool(t)
	svc := placement.NewService(postgres.NewStore(pool))
	const guild = "900000000000000001"
	actor := func(id string, roles ...string) placement.Actor {
		a, err := svc.Actor(ctx, guild, placement.Member{UserID: id, RoleIDs: roles}, "en-US")
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	owner := placement.Actor{GuildID: guild, UserID: "900000000000000108", Roles: placement.RoleCoordinator}
	mentorRole, studentRole := "900000000000000012", "900000000000000013"
	if _, err := svc.UpdateGuildSettings(ctx, owner, placement.GuildSettingsUpdate{MentorRoleID: &mentorRole, StudentRoleID: &studentRole}); err != nil {
		t.Fatal(err)
	}
	e, err := svc.AddEnterprise(ctx, owner, placement.EnterpriseInput{Name: "Acme", StaffSize: 50})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.LinkMentor(ctx, owner, e.ID, "900000000000000102"); err != nil {
		t.Fatal(err)
	}
	mentor := actor("900000000000000102", mentorRole)
	start := time.Now().AddDate(0, 2, 0)
	pos, err := svc.PostPosition(ctx, mentor, e.ID, placement.PositionInput{Title: "CNC intern", Location: "Suzhou", Slots: "1",
		Start: start.Format(placement.DateLayout), End: start.AddDate(0, 3, 0).Format(placement.DateLayout),
		Deadline: time.Now().AddDate(0, 1, 0).Format(placement.DateLayout)})
	if err != nil {
		t.Fatal(err)
	}
	student := actor("900000000000000104", studentRole)
	app, err := svc.Apply(ctx, student, pos.ID, "I have run CNC mills for two years at school.")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Offer(ctx, mentor, app.ID); err != nil {
		t.Fatal(err)
	}

	// Not yet due: nothing happens.
	if n, err := svc.ExpireOffers(ctx); err != nil || n != 0 {
		t.Fatalf("fresh offer: %d expired, %v", n, err)
	}
	if _, err := pool.Exec(ctx, `UPDATE applications SET offered_at = now() - interval '8 days' WHERE id = $1`, app.ID); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	total := make(chan int, 4)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := svc.ExpireOffers(ctx)
			if err != nil {
				t.Error(err)
			}
			total <- n
		}()
	}
	wg.Wait()
	close(total)
	sum := 0
	for n := range total {
		sum += n
	}
	if sum != 1 {
		t.Fatalf("%d expiries for one offer", sum)
	}
	got, err := svc.Application(ctx, student, app.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != placement.Expired || len(got.Events) != 3 || got.Events[2].ActorID != "system" {
		t.Fatalf("after expiry: %s, events %+v", got.Status, got.Events)
	}
	var taken, notes int
	if err := pool.QueryRow(ctx, `SELECT taken FROM positions WHERE id = $1`, pos.ID).Scan(&taken); err != nil {
		t.Fatal(err)
	}
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM notifications WHERE message_key = 'note.app_expired' AND user_id = $1`, student.UserID).Scan(&notes); err != nil {
		t.Fatal(err)
	}
	if taken != 0 || notes != 1 {
		t.Fatalf("slot taken %d (want 0), expiry DMs %d (want 1)", taken, notes)
	}
}
