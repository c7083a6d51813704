package placement

import (
	"context"
	"time"
)

// Service is the domain's entry point: every handler goes through it, and it checks the
// actor's rights itself so no transport can skip a rule.
type Service struct {
	Store Store
	Now   func() time.Time
	// Facts, when set, keeps each member's ActorFacts between interactions, so an interaction
	// costs one database round trip less. The service drops entries on every change it makes
	// to them; nil reads the store every time.
	Facts FactsCache
}

// FactsCache keeps ActorFacts briefly; implementations are shared by all replicas (Redis), so
// dropping an entry on one replica drops it for all.
type FactsCache interface {
	Get(ctx context.Context, guildID, userID string) (ActorFacts, bool)
	Put(ctx context.Context, guildID, userID string, f ActorFacts)
	// Forget drops one member's entry, or every member of the guild when userID is empty.
	Forget(ctx context.Context, guildID, userID string)
}

// noFacts is the cache that keeps nothing.
type noFacts struct{}

func (noFacts) Get(context.Context, string, string) (ActorFacts, bool) { return ActorFacts{}, false }
func (noFacts) Put(context.Context, string, string, ActorFacts)        {}
func (noFacts) Forget(context.Context, string, string)                 {}

func (s *Service) facts() FactsCache {
	if s.Facts == nil {
		return noFacts{}
	}
	return s.Facts
}

// ForgetMember drops what is cached about a member, for changes made outside the service
// (the outbox marking a DM undeliverable).
func (s *Service) ForgetMember(ctx context.Context, guildID, userID string) {
	s.facts().Forget(ctx, guildID, userID)
}

// NewService returns a service over the store.
func NewService(store Store) *Service {
	return &Service{Store: store, Now: time.Now}
}

// today is the date in the time zone (nil is UTC), as midnight UTC of that date, which is how
// dates without a time are kept: a school's day, not the server's, decides deadlines.
func (s *Service) today(loc *time.Location) time.Time {
	return LocalDate(s.Now(), loc)
}

// NowIn is the current time in the time zone (an actor's Location): the clock that deadlines
// and typed dates are read on.
func (s *Service) NowIn(loc *time.Location) time.Time { return s.Now().In(loc) }

// Location is the actor's guild's time zone.
func (a Actor) Location() *time.Location {
	if a.Zone == nil {
		return time.UTC
	}
	return a.Zone
}

// LocalDate is the date t falls on in the time zone (nil is UTC), as midnight UTC of that date.
func LocalDate(t time.Time, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	n := t.In(loc)
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}

// DayEnd is the last instant of a date (kept as midnight UTC) in the time zone (nil is UTC):
// when a deadline on that date ends for the school.
func DayEnd(date time.Time, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	return time.Date(date.Year(), date.Month(), date.Day()+1, 0, 0, 0, 0, loc).Add(-time.Nanosecond)
}

// Actor resolves the member's roles in a guild from the guild's current setup and the
// enterprises they are linked to, and remembers the language they use and their display name
// (written only when they changed).
func (s *Service) Actor(ctx context.Context, guildID string, m Member, locale string) (Actor, error) {
	facts, ok := s.facts().Get(ctx, guildID, m.UserID)
	if !ok {
		var err error
		if facts, err = s.Store.ActorFacts(ctx, guildID, m.UserID); err != nil {
			return Actor{}, err
		}
		s.facts().Put(ctx, guildID, m.UserID, facts)
	}
	facts.Settings.GuildID = guildID
	a := ResolveActor(facts.Settings, m)
	a.MentorRole = a.Is(RoleMentor)
	a.EnterpriseIDs = facts.EnterpriseIDs
	if len(a.EnterpriseIDs) == 0 {
		a.Roles &^= RoleMentor
	}
	a.Locale, a.Undelivered = locale, facts.Undelivered
	a.Zone = facts.Settings.Location()
	if locale != "" && locale != facts.Locale {
		if err := s.Store.SetMemberLocale(ctx, guildID, m.UserID, locale); err != nil {
			return Actor{}, err
		}
		facts.Locale = locale
		s.facts().Put(ctx, guildID, m.UserID, facts)
	}
	if name := truncate(m.Name, 100); name != "" && name != facts.Name {
		if err := s.Store.SetMemberName(ctx, guildID, m.UserID, name); err != nil {
			return Actor{}, err
		}
		facts.Name = name
		s.facts().Put(ctx, guildID, m.UserID, facts)
	}
	return a, nil
}

// MissedPerReply is how many missed notifications one reply shows: what fits beside the reply
// within Discord's 2,000 characters. The rest show in the next replies, oldest first.
const MissedPerReply = 3

// TakeUndelivered returns, once, up to MissedPerReply of the notifications the actor missed
// because their DMs are closed; a.Undelivered beyond those still waits.
func (s *Service) TakeUndelivered(ctx context.Context, a Actor) ([]Notification, error) {
	if a.Undelivered == 0 {
		return nil, nil
	}
	s.facts().Forget(ctx, a.GuildID, a.UserID)
	return s.Store.TakeUndelivered(ctx, a.GuildID, a.UserID, MissedPerReply)
}

// GuildSettings returns the guild's setup; coordinators only.
func (s *Service) GuildSettings(ctx context.Context, a Actor) (GuildSettings, error) {
	if !a.Is(RoleCoordinator) {
		return GuildSettings{}, Errorf(EFORBIDDEN, "err.coordinator_only", nil)
	}
	return s.Store.FindGuildSettings(ctx, a.GuildID)
}

// UpdateGuildSettings changes the guild's setup and records who did it; coordinators only. A
// change that takes something away (Losses) is refused with err.setup_confirm, naming the
// losses, until it comes back Confirmed.
func (s *Service) UpdateGuildSettings(ctx context.Context, a Actor, upd GuildSettingsUpdate) (GuildSettings, error) {
	if !a.Is(RoleCoordinator) {
		return GuildSettings{}, Errorf(EFORBIDDEN, "err.coordinator_only", nil)
	}
	if upd.Empty() {
		return GuildSettings{}, Errorf(EINVALID, "err.setup_nothing_to_change", nil)
	}
	if err := upd.validate(); err != nil {
		return GuildSettings{}, err
	}
	cur, err := s.Store.FindGuildSettings(ctx, a.GuildID)
	if err != nil {
		return GuildSettings{}, err
	}
	if err := cur.Apply(upd).checkRolesDistinct(); err != nil {
		return GuildSettings{}, err
	}
	if !upd.Confirmed {
		linked := 0
		if upd.MentorRoleID != nil && *upd.MentorRoleID != cur.MentorRoleID {
			if linked, err = s.Store.CountLinkedMentors(ctx, a.GuildID); err != nil {
				return GuildSettings{}, err
			}
		}
		if losses := cur.Losses(upd, linked); len(losses) > 0 {
			return GuildSettings{}, Errorf(ECONFLICT, "err.setup_confirm", map[string]any{"Losses": losses})
		}
	}
	ev := s.audit(a, "setup.update", "guild:"+a.GuildID, upd.detail())
	defer s.facts().Forget(ctx, a.GuildID, "")
	return s.Store.UpdateGuildSettings(ctx, a.GuildID, upd, Audited(ev))
}
