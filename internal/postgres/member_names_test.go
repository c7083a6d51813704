package postgres_test

import (
	"slices"
	"testing"

	"placementbot/internal/placement"
)

func TestApplicationsByStudentName(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	wang, li, unnamed := f.user(), f.user(), f.user()
	for _, m := range []struct{ guild, user, name string }{
		{guildA, wang, "王小波"}, {guildA, li, "Li Xiaobo"}, {guildB, wang, "王小波"},
	} {
		if err := f.store.SetMemberName(ctx, m.guild, m.user, m.name); err != nil {
			t.Fatal(err)
		}
	}
	p1 := f.position(f.enterprise(guildA, "Acme", placement.EnterpriseVerified))
	p2 := f.position(f.enterprise(guildA, "Beta", placement.EnterpriseVerified))
	w1, w2 := f.mustApply(p1, wang), f.mustApply(p2, wang)
	l1 := f.mustApply(p1, li)
	f.mustApply(p2, unnamed)
	f.mustApply(f.position(f.enterprise(guildB, "Elsewhere", placement.EnterpriseVerified)), wang)

	ids := func(name string, limit int) []int64 {
		t.Helper()
		apps, err := f.store.ApplicationsByStudentName(ctx, guildA, name, limit)
		if err != nil {
			t.Fatal(err)
		}
		var out []int64
		for _, a := range apps {
			if a.GuildID != guildA || a.PositionTitle == "" || a.EnterpriseName == "" || a.StudentName == "" {
				t.Errorf("incomplete row: %+v", a)
			}
			out = append(out, a.ID)
		}
		return out
	}
	for name, want := range map[string][]int64{
		"小波":     {w2.ID, w1.ID},
		"XIAOBO": {l1.ID},
		"o":      {l1.ID},
		"nobody": nil,
	} {
		if got := ids(name, 25); !slices.Equal(got, want) {
			t.Errorf("%q: %v, want %v", name, got, want)
		}
	}
	if got := ids("小波", 1); !slices.Equal(got, []int64{w2.ID}) {
		t.Errorf("limit 1: %v", got)
	}
}
