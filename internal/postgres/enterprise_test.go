package postgres_test

import (
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"placementbot/internal/placement"
)

func TestCreateEnterprise(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	requester := f.user()
	in := placement.Enterprise{GuildID: guildA, Name: "Acme Robotics", Industry: "robotics", City: "Lyon",
		Description: "Robots.", StaffSize: 120, Status: placement.EnterprisePending, RequestedBy: requester}
	notes := func(e placement.Enterprise) []placement.Notification {
		return []placement.Notification{{GuildID: guildA, DedupKey: "enterprise:" + strconv.FormatInt(e.ID, 10) + ":requested",
			ChannelID: "500000000000000001", MessageKey: "note.enterprise_requested", Locale: "en-US",
			Data: map[string]any{"Name": e.Name, "ID": e.ID}}}
	}
	// The guild has no row yet: creating an enterprise creates it.
	e, err := f.store.CreateEnterprise(ctx, in, enterpriseFx("enterprise.request", notes))
	if err != nil {
		t.Fatal(err)
	}
	if e.ID == 0 || e.CreatedAt.IsZero() || e.Name != in.Name || e.StaffSize != 120 || e.Status != placement.EnterprisePending ||
		e.RequestedBy != requester || len(e.Mentors) != 0 {
		t.Fatalf("created: %+v", e)
	}
	subject := "enterprise:" + strconv.FormatInt(e.ID, 10)
	evs, err := f.store.AuditEvents(ctx, guildA, subject)
	if err != nil || len(evs) != 1 || evs[0].Action != "enterprise.request" {
		t.Fatalf("audit events for %s: %+v, %v", subject, evs, err)
	}
	var channel, locale string
	var data map[string]any
	if err := f.pool.QueryRow(ctx, `SELECT channel_id, locale, data FROM notifications WHERE guild_id = $1 AND dedup_key = $2`,
		guildA, subject+":requested").Scan(&channel, &locale, &data); err != nil {
		t.Fatalf("notification: %v", err)
	}
	if channel != "500000000000000001" || locale != "en-US" || data["Name"] != "Acme Robotics" || data["ID"] != float64(e.ID) {
		t.Fatalf("notification: %s %s %v", channel, locale, data)
	}

	// Audit is required: an enterprise created without its audit event is refused, and nothing
	// of it stays.
	for name, effects := range map[string]func(placement.Enterprise) placement.Effects{
		"no effects": nil,
		"no audit": func(e placement.Enterprise) placement.Effects {
			return placement.Effects{Notes: []placement.Notification{dm(guildA, "unaudited", requester)}}
		},
		"no subject": func(e placement.Enterprise) placement.Effects {
			return placement.Audited(placement.AuditEvent{ActorID: setupActor, Action: "x"})
		},
	} {
		_, err := f.store.CreateEnterprise(ctx, placement.Enterprise{GuildID: guildA, Name: "Other", StaffSize: 1,
			Status: placement.EnterpriseVerified}, effects)
		if placement.ErrorCode(err) != placement.EINTERNAL || (!errors.Is(err, placement.ErrNoAudit) && !errors.Is(err, placement.ErrBadAudit)) {
			t.Fatalf("%s: err = %v, want an internal error", name, err)
		}
	}
	if n := f.count(`SELECT count(*) FROM enterprises WHERE guild_id = $1 AND name = 'Other'`, guildA); n != 0 {
		t.Fatalf("%d enterprises created without an audit event", n)
	}
	if n := f.count(`SELECT count(*) FROM notifications WHERE dedup_key = 'unaudited'`); n != 0 {
		t.Fatalf("%d notifications of a refused creation", n)
	}

	// Names are unique per guild, whatever the case, among enterprises not refused.
	dup := in
	dup.Name = "ACME robotics"
	_, err = f.store.CreateEnterprise(ctx, dup, enterpriseFx("enterprise.request", notes))
	wantErr(t, err, placement.ECONFLICT, "err.enterprise_name_taken")
	if n := f.count(`SELECT count(*) FROM audit_events WHERE action = 'enterprise.request'`); n != 1 {
		t.Fatalf("a refused creation left %d audit events, want 1", n)
	}
	dup.GuildID = guildB
	if _, err := f.store.CreateEnterprise(ctx, dup, enterpriseFx("enterprise.request", nil)); err != nil {
		t.Fatalf("same name in another guild: %v", err)
	}
	if _, err := f.store.DecideEnterprise(ctx, guildA, e.ID, placement.EnterpriseRefused, "no", setupActor, enterpriseFx("enterprise.refused", nil)); err != nil {
		t.Fatal(err)
	}
	dup.GuildID = guildA
	if _, err := f.store.CreateEnterprise(ctx, dup, enterpriseFx("enterprise.request", nil)); err != nil {
		t.Fatalf("name of a refused enterprise: %v", err)
	}
}

func TestFindEnterprise(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	m1, m2 := f.user(), f.user()
	e := f.enterprise(guildA, "Acme", placement.EnterpriseVerified, m1, m2)

	got, err := f.store.FindEnterprise(ctx, guildA, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(e, got); diff != "" || len(got.Mentors) != 2 {
		t.Fatalf("found (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{m1, m2}, got.Mentors); diff != "" {
		t.Fatalf("mentors (-want +got):\n%s", diff)
	}
	_, err = f.store.FindEnterprise(ctx, guildB, e.ID)
	wantErr(t, err, placement.ENOTFOUND, "err.enterprise_not_found")
	_, err = f.store.FindEnterprise(ctx, guildA, e.ID+1000)
	wantErr(t, err, placement.ENOTFOUND, "err.enterprise_not_found")
}

func TestFindEnterprises(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	mentor := f.user()
	for _, n := range []string{"beta Labs", "Alpha", "alpine Tools", "Gamma"} {
		f.enterprise(guildA, n, placement.EnterpriseVerified, mentor)
	}
	f.enterprise(guildA, "Alps Pending", placement.EnterprisePending)
	f.enterprise(guildB, "Alpha B", placement.EnterpriseVerified)
	for i := range 120 {
		f.enterprise(guildB, enterpriseName(i), placement.EnterprisePending)
	}

	tests := []struct {
		name  string
		guild string
		f     placement.EnterpriseFilter
		want  []string
	}{
		{"all by name", guildA, placement.EnterpriseFilter{}, []string{"Alpha", "alpine Tools", "Alps Pending", "beta Labs", "Gamma"}},
		{"verified", guildA, placement.EnterpriseFilter{Status: placement.EnterpriseVerified}, []string{"Alpha", "alpine Tools", "beta Labs", "Gamma"}},
		{"pending", guildA, placement.EnterpriseFilter{Status: placement.EnterprisePending}, []string{"Alps Pending"}},
		{"prefix any case", guildA, placement.EnterpriseFilter{Prefix: "ALP"}, []string{"Alpha", "alpine Tools", "Alps Pending"}},
		{"prefix and status", guildA, placement.EnterpriseFilter{Prefix: "alp", Status: placement.EnterpriseVerified}, []string{"Alpha", "alpine Tools"}},
		{"prefix is not a pattern", guildA, placement.EnterpriseFilter{Prefix: "%"}, nil},
		{"limit", guildA, placement.EnterpriseFilter{Limit: 2}, []string{"Alpha", "alpine Tools"}},
		{"other guild", guildB, placement.EnterpriseFilter{Prefix: "alp"}, []string{"Alpha B"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			es, err := f.store.FindEnterprises(t.Context(), tt.guild, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range es {
				got = append(got, e.Name)
				if e.GuildID != tt.guild {
					t.Errorf("%s is of guild %s", e.Name, e.GuildID)
				}
				if e.Status == placement.EnterpriseVerified && tt.guild == guildA && !cmp.Equal(e.Mentors, []string{mentor}) {
					t.Errorf("%s mentors %v", e.Name, e.Mentors)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Fatalf("(-want +got):\n%s", diff)
			}
		})
	}
	for _, tt := range []struct{ limit, want int }{{0, 25}, {-1, 25}, {1000, 100}} {
		es, err := f.store.FindEnterprises(t.Context(), guildB, placement.EnterpriseFilter{Limit: tt.limit})
		if err != nil || len(es) != tt.want {
			t.Errorf("limit %d: %d enterprises, %v; want %d", tt.limit, len(es), err, tt.want)
		}
	}
}

func TestDecideEnterprise(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	notes := func(status placement.EnterpriseStatus) func(placement.Enterprise) []placement.Notification {
		return func(e placement.Enterprise) []placement.Notification {
			return []placement.Notification{dm(guildA, fmt.Sprintf("enterprise:%d:%s", e.ID, status), e.RequestedBy)}
		}
	}

	t.Run("verify links the requester", func(t *testing.T) {
		f := f.with(t)
		e := f.enterprise(guildA, "To Verify", placement.EnterprisePending)
		ev := auditEvent(guildA, "enterprise.verified")
		ev.Subject = fmt.Sprintf("enterprise:%d", e.ID)
		got, err := f.store.DecideEnterprise(ctx, guildA, e.ID, placement.EnterpriseVerified, "welcome", setupActor,
			enterpriseFx("enterprise.verified", notes(placement.EnterpriseVerified)))
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != placement.EnterpriseVerified || got.Note != "welcome" || !cmp.Equal(got.Mentors, []string{e.RequestedBy}) {
			t.Fatalf("decided: %+v", got)
		}
		var decidedBy string
		if err := f.pool.QueryRow(ctx, `SELECT decided_by FROM enterprises WHERE guild_id = $1 AND id = $2`, guildA, e.ID).Scan(&decidedBy); err != nil || decidedBy != ev.ActorID {
			t.Fatalf("decided_by %q, %v", decidedBy, err)
		}
		if evs, _ := f.store.AuditEvents(ctx, guildA, ev.Subject); len(evs) != 2 {
			t.Fatalf("%d audit events, want creation and decision", len(evs))
		}
		if n := f.count(`SELECT count(*) FROM notifications WHERE guild_id = $1 AND dedup_key = $2 AND user_id = $3`,
			guildA, ev.Subject+":verified", e.RequestedBy); n != 1 {
			t.Fatalf("%d notifications, want 1", n)
		}
		facts, _ := f.store.ActorFacts(ctx, guildA, e.RequestedBy)
		if !cmp.Equal(facts.EnterpriseIDs, []int64{e.ID}) {
			t.Fatalf("requester mentors %v", facts.EnterpriseIDs)
		}

		_, err = f.store.DecideEnterprise(ctx, guildA, e.ID, placement.EnterpriseRefused, "", setupActor, enterpriseFx("enterprise.refused", nil))
		de := wantErr(t, err, placement.ECONFLICT, "err.enterprise_already_verified")
		if de.Data["Name"] != "To Verify" {
			t.Fatalf("data %v", de.Data)
		}
	})

	t.Run("refuse", func(t *testing.T) {
		f := f.with(t)
		e := f.enterprise(guildA, "To Refuse", placement.EnterprisePending)
		got, err := f.store.DecideEnterprise(ctx, guildA, e.ID, placement.EnterpriseRefused, "not a company", setupActor,
			enterpriseFx("enterprise.refused", notes(placement.EnterpriseRefused)))
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != placement.EnterpriseRefused || got.Note != "not a company" || len(got.Mentors) != 0 {
			t.Fatalf("refused: %+v", got)
		}
	})

	t.Run("errors", func(t *testing.T) {
		f := f.with(t)
		e := f.enterprise(guildA, "Scoped", placement.EnterprisePending)
		_, err := f.store.DecideEnterprise(ctx, guildB, e.ID, placement.EnterpriseVerified, "", setupActor, enterpriseFx("x", nil))
		wantErr(t, err, placement.ENOTFOUND, "err.enterprise_not_found")
		_, err = f.store.DecideEnterprise(ctx, guildA, e.ID+1000, placement.EnterpriseVerified, "", setupActor, enterpriseFx("x", nil))
		wantErr(t, err, placement.ENOTFOUND, "err.enterprise_not_found")
		if got, _ := f.store.FindEnterprise(ctx, guildA, e.ID); got.Status != placement.EnterprisePending {
			t.Fatalf("guild B changed guild A's enterprise: %s", got.Status)
		}
	})

	t.Run("two coordinators at once", func(t *testing.T) {
		f := f.with(t)
		e := f.enterprise(guildA, "Raced", placement.EnterprisePending)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, st := range []placement.EnterpriseStatus{placement.EnterpriseVerified, placement.EnterpriseRefused} {
			wg.Go(func() {
				_, errs[i] = f.store.DecideEnterprise(ctx, guildA, e.ID, st, "", setupActor, enterpriseFx("enterprise."+string(st), notes(st)))
			})
		}
		wg.Wait()
		if (errs[0] == nil) == (errs[1] == nil) {
			t.Fatalf("errors %v; want exactly one decision", errs)
		}
		for _, err := range errs {
			var pe *placement.Error
			if err != nil && (!errors.As(err, &pe) || (pe.Key != "err.enterprise_already_verified" && pe.Key != "err.enterprise_already_refused")) {
				t.Errorf("the second decision: %v, want already verified or refused", err)
			}
		}
	})
}

func TestLinkMentor(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	e := f.enterprise(guildA, "Acme", placement.EnterpriseVerified)
	m := f.user()
	key := fmt.Sprintf("enterprise:%d:mentor:%s", e.ID, m)
	for range 2 {
		ev := auditEvent(guildA, "enterprise.link_mentor")
		ev.Subject = fmt.Sprintf("enterprise:%d", e.ID)
		if err := f.store.LinkMentor(ctx, guildA, e.ID, m, setupActor, placement.Audited(ev, dm(guildA, key, m))); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := f.store.FindEnterprise(ctx, guildA, e.ID)
	if !cmp.Equal(got.Mentors, []string{m}) {
		t.Fatalf("mentors %v", got.Mentors)
	}
	if n := f.count(`SELECT count(*) FROM notifications WHERE dedup_key = $1`, key); n != 1 {
		t.Fatalf("%d notifications, want 1", n)
	}
	if n := f.count(`SELECT count(*) FROM audit_events WHERE action = 'enterprise.link_mentor'`); n != 1 {
		t.Fatalf("%d audit events, want 1", n)
	}

	pending := f.enterprise(guildA, "Pending", placement.EnterprisePending)
	err := f.store.LinkMentor(ctx, guildA, pending.ID, m, setupActor, fx(guildA, "x"))
	wantErr(t, err, placement.ECONFLICT, "err.enterprise_not_verified")
	err = f.store.LinkMentor(ctx, guildB, e.ID, m, setupActor, fx(guildB, "x"))
	wantErr(t, err, placement.ENOTFOUND, "err.enterprise_not_found")
}
