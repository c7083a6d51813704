package ui

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"placementbot/internal/placement"
)

// memSessions keeps sessions in a map, as Redis would, for the pager's rules.
type memSessions struct {
	m map[string][]byte
	n int
}

func (s *memSessions) Put(_ context.Context, kind, key string, v any, _ time.Duration) error {
	b, err := json.Marshal(v)
	s.m[kind+"/"+key] = b
	return err
}

func (s *memSessions) Get(_ context.Context, kind, key string, v any) (bool, error) {
	b, ok := s.m[kind+"/"+key]
	if !ok {
		return false, nil
	}
	return true, json.Unmarshal(b, v)
}

func (s *memSessions) Touch(_ context.Context, kind, key string, _ time.Duration) (bool, error) {
	_, ok := s.m[kind+"/"+key]
	return ok, nil
}

func (s *memSessions) Delete(_ context.Context, kind, key string) error {
	delete(s.m, kind+"/"+key)
	return nil
}

func (s *memSessions) NewKey() string { s.n++; return "k" + strconv.Itoa(s.n) }

func TestPagerChecksOwnerGuildAndKey(t *testing.T) {
	ctx := context.Background()
	p := Pager[string, int64]{Sessions: &memSessions{m: map[string][]byte{}}, Kind: "list", TTL: time.Minute, Command: "/x"}
	bo := placement.Actor{GuildID: "g1", UserID: "bo"}
	slash := func(path string) string { return path }

	st := p.Start(bo, "filter")
	st.SetNext(40, true)
	key, err := p.Save(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	got, err := p.Load(ctx, bo, key, slash)
	if err != nil || got.Filter != "filter" || got.Cursor() != 0 {
		t.Fatalf("own page: %+v, %v", got, err)
	}
	got.Turn(1)
	if got.Cursor() != 40 || got.Page() != 1 || got.HasNext {
		t.Fatalf("after Next: %+v", got)
	}
	got.Turn(1) // a disabled Next pressed anyway stays put
	if got.Cursor() != 40 {
		t.Fatalf("Next without a next page moved to %d", got.Cursor())
	}
	got.Turn(-1)
	if got.Cursor() != 0 {
		t.Fatalf("after Previous: %+v", got)
	}
	for name, tc := range map[string]struct {
		actor placement.Actor
		key   string
		code  string
	}{
		"another member": {placement.Actor{GuildID: "g1", UserID: "li"}, key, placement.EFORBIDDEN},
		"another guild":  {placement.Actor{GuildID: "g2", UserID: "bo"}, key, placement.EFORBIDDEN},
		"expired":        {bo, "k999", placement.ENOTFOUND},
		"malformed":      {bo, "k/../1", placement.EINVALID},
		"empty":          {bo, "", placement.EINVALID},
	} {
		if _, err := p.Load(ctx, tc.actor, tc.key, slash); placement.ErrorCode(err) != tc.code {
			t.Errorf("%s: %v, want code %v", name, err, tc.code)
		}
	}
	down := Pager[string, int64]{Kind: "list", TTL: time.Minute}
	if _, err := down.Save(ctx, st); !SessionsDown(err) {
		t.Errorf("no session storage: %v", err)
	}
}
