package postgres_test

import (
	"strings"
	"testing"

	"placementbot/internal/placement"
)

// TestEnterpriseListPlansUseTheNameIndex seeds two guilds with many enterprises and checks that
// every page of /enterprise list, searched or not, walks enterprises_by_name from its cursor:
// no page reads the table, and a later page costs what the first does.
func TestEnterpriseListPlansUseTheNameIndex(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	f, rec := recordingFixture(t)
	pool := f.pool
	f.enterprise(guildA, "Seed", placement.EnterpriseVerified)
	f.enterprise(guildB, "Seed", placement.EnterpriseVerified)
	const seeded = 20000
	for _, g := range []string{guildA, guildB} {
		if _, err := pool.Exec(ctx, `
			INSERT INTO enterprises (guild_id, name, city, staff_size, status)
			SELECT $1, (ARRAY['Firm ', '苏州精密 ', 'Harbor Tools '])[1 + i % 3] || i, 'Suzhou', 50,
			       CASE WHEN i % 50 = 0 THEN 'pending' ELSE 'verified' END
			FROM generate_series(1, $2) AS i`, g, seeded); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := pool.Exec(ctx, `VACUUM ANALYZE enterprises`); err != nil {
		t.Fatal(err)
	}
	var middle int64
	if err := pool.QueryRow(ctx, `SELECT id FROM enterprises WHERE guild_id = $1 AND name = 'Harbor Tools 9998'`, guildA).Scan(&middle); err != nil {
		t.Fatal(err)
	}
	list := func(f2 placement.EnterpriseFilter) func() {
		return func() {
			f2.Limit = 11
			es, err := f.store.FindEnterprises(ctx, guildA, f2)
			if err != nil || len(es) != 11 {
				t.Fatalf("%+v: %d enterprises, %v", f2, len(es), err)
			}
		}
	}
	for _, tt := range []struct {
		name string
		run  func()
		// bounded: the rows looked at do not grow with the guild. A search for a rare name
		// walks the guild's enterprises (20,000 here in a few milliseconds), never the table.
		bounded bool
	}{
		{"first page", list(placement.EnterpriseFilter{}), true},
		{"a later page", list(placement.EnterpriseFilter{After: middle}), true},
		{"waiting ones", list(placement.EnterpriseFilter{Status: placement.EnterprisePending, After: middle}), true},
		{"name search", list(placement.EnterpriseFilter{Contains: "tools 99"}), false},
		{"Chinese name search", list(placement.EnterpriseFilter{Contains: "精密", After: middle}), true},
		{"name prefix", list(placement.EnterpriseFilter{Prefix: "harbor"}), true},
	} {
		for _, st := range rec.record(tt.run) {
			plan, removed := explainPlan(t, pool, st)
			if strings.Contains(plan, "Seq Scan on enterprises") || !strings.Contains(plan, "enterprises_by_name") {
				t.Errorf("%s does not walk the name index:\n%s", tt.name, plan)
			}
			if tt.bounded && removed > 1000 {
				t.Errorf("%s looked at %d rows it did not show:\n%s", tt.name, removed, plan)
			}
		}
	}
}
