package placement_test

import (
	"context"
	"testing"
	"time"

	"placementbot/internal/placement"
	"placementbot/internal/postgres"
	"placementbot/internal/redis"
	"placementbot/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// countingStore counts the store reads behind Service.Actor.
type countingStore struct {
	*postgres.Store
	reads int
}

func (c *countingStore) ActorFacts(ctx context.Context, guildID, userID string) (placement.ActorFacts, error) {
	c.reads++
	return c.Store.ActorFacts(ctx, guildID, userID)
}

func TestActorFactsAreCachedAndDroppedOnChange(t *testing.T) {
	ctx := context.Background()
	pool := testenv.NewPool(t)
	store := &countingStore{Store: postgres.NewStore(pool)}
	svc := placement.NewService(store)
	rdb := testenv.NewRedisClient(t)
	svc.Facts = redis.NewFactsCache(rdb, "test:", time.Minute)
	const guild = "900000000000000001"
	owner := placement.Member{UserID: "900000000000000108", Permissions: placement.PermManageGuild}
	mentor := placement.Member{UserID: "900000000000000102", RoleIDs: []string{"900000000000000012"}}
	coord, err := svc.Actor(ctx, guild, owner, "en-US")
	if err != nil {
		t.Fatal(err)
	}
	role := "900000000000000012"
	if _, err := svc.UpdateGuildSettings(ctx, coord, placement.GuildSettingsUpdate{MentorRoleID: &role}); err != nil {
		t.Fatal(err)
	}

	read := func(m placement.Member) placement.Actor {
		t.Helper()
		a, err := svc.Actor(ctx, guild, m, "en-US")
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	a := read(mentor)
	before := store.reads
	read(mentor)
	if store.reads != before {
		t.Fatalf("second interaction within the TTL read the store again")
	}
	if a.Is(placement.RoleMentor) || !a.MentorRole {
		t.Fatalf("unlinked mentor: %+v", a)
	}

	e, err := svc.AddEnterprise(ctx, coord, placement.EnterpriseInput{Name: "Acme", StaffSize: 10})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.LinkMentor(ctx, coord, e.ID, mentor.UserID); err != nil {
		t.Fatal(err)
	}
	if a := read(mentor); !a.MentorsFor(e.ID) {
		t.Fatalf("a link made here applies at once: %+v", a)
	}

	// Another replica shares the cache: what this one forgets, it forgets too.
	other := placement.NewService(store)
	other.Facts = redis.NewFactsCache(rdb, "test:", time.Minute)
	before = store.reads
	if a, err := other.Actor(ctx, guild, mentor, "en-US"); err != nil || !a.MentorsFor(e.ID) || store.reads != before {
		t.Fatalf("the other replica did not use the shared entry: %+v %v, %d reads", a, err, store.reads-before)
	}
	if _, err := pool.Exec(ctx, `DELETE FROM enterprise_mentors`); err != nil {
		t.Fatal(err)
	}
	other.ForgetMember(ctx, guild, mentor.UserID)
	if a := read(mentor); a.Is(placement.RoleMentor) {
		t.Fatalf("a forgotten entry is read again from the database: %+v", a)
	}

	// With Redis gone, every interaction reads the database and still works.
	rdb.Close()
	before = store.reads
	if a := read(owner); !a.Is(placement.RoleCoordinator) || store.reads != before+1 {
		t.Fatalf("without Redis: %+v, %d reads", a, store.reads-before)
	}
}
