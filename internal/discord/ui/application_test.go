package ui_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"placementbot/internal/discord/ui"
	"placementbot/internal/i18n"
	"placementbot/internal/testenv"
	"placementbot/internal/testenv/botenv"
)

// queryCounter counts the statements a pool runs.
type queryCounter struct{ n atomic.Int64 }

func (c *queryCounter) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	c.n.Add(1)
	return ctx
}

func (c *queryCounter) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

// catalogTexts reads the catalog in English, as a request would.
type catalogTexts struct{ c *i18n.Catalog }

func (x catalogTexts) T(key string, data map[string]any) string { return x.c.T("en-US", key, data) }
func (x catalogTexts) Slash(path string) string                 { return path }

// TestApplicationChoicesIsOneQuery: a keystroke in an application option runs one query,
// however many positions and applications match, for a coordinator and for a mentor alike.
func TestApplicationChoicesIsOneQuery(t *testing.T) {
	cfg, err := pgxpool.ParseConfig(testenv.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	counter := &queryCounter{}
	cfg.ConnConfig.Tracer = counter
	pool, err := pgxpool.NewWithConfig(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	b := botenv.NewWith(t, pool, testenv.NewRedisClient(t))
	ent := b.AddEnterprise(t, "Harbor Tools", 5000, "alice")
	if _, err := pool.Exec(t.Context(), `UPDATE guilds SET open_application_cap = 100`); err != nil {
		t.Fatal(err)
	}
	for i := range 15 {
		pos := b.PostPosition(t, "alice", ent.ID, botenv.PositionInput(fmt.Sprintf("Lathe operator %d", i)))
		b.Apply(t, "bo", pos.ID)
		b.Apply(t, "li", pos.ID)
	}
	texts := catalogTexts{b.Catalog}
	for _, member := range []string{"carol", "alice"} {
		actor := b.Actor(t, member)
		for _, typed := range []string{"", "lathe", "#3", "harbor tools", "nothing like it"} {
			before := counter.n.Load()
			choices, err := ui.ApplicationChoices(t.Context(), b.Service, texts, actor, typed, true)
			if err != nil {
				t.Fatal(err)
			}
			if n := counter.n.Load() - before; n != 1 {
				t.Errorf("%s typing %q: %d queries, want 1", member, typed, n)
			}
			if typed == "lathe" && (len(choices) != 25 || !strings.Contains(choices[0].Name, "Lathe operator") || !strings.HasSuffix(choices[0].Name, "(submitted)")) {
				t.Errorf("%s typing lathe: %d choices, first %+v", member, len(choices), choices[0])
			}
		}
	}
}
