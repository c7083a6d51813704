package postgres_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"placementbot/internal/placement"
	"placementbot/internal/postgres"
)

func TestCreatePosition(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	e := f.enterprise(guildA, "Acme", placement.EnterpriseVerified)
	in := positionOf(e)
	in.Status = ""
	announce := func(p placement.Position) []placement.Notification {
		return []placement.Notification{{GuildID: guildA, DedupKey: fmt.Sprintf("position:%d:announced", p.ID),
			ChannelID: "500000000000000002", MessageKey: "note.position_opened",
			Data: map[string]any{"Title": p.Title, "Enterprise": p.EnterpriseName}}}
	}
	p, err := f.store.CreatePosition(ctx, in, positionFx(announce))
	if err != nil {
		t.Fatal(err)
	}
	want := in
	want.ID, want.EnterpriseName, want.Status, want.CreatedAt = p.ID, "Acme", placement.PositionOpen, p.CreatedAt
	if diff := cmp.Diff(want, p); diff != "" || p.ID == 0 || p.CreatedAt.IsZero() {
		t.Fatalf("created (-want +got):\n%s", diff)
	}
	var data map[string]any
	if err := f.pool.QueryRow(ctx, `SELECT data FROM notifications WHERE guild_id = $1 AND dedup_key = $2`,
		guildA, fmt.Sprintf("position:%d:announced", p.ID)).Scan(&data); err != nil {
		t.Fatal(err)
	}
	if data["Enterprise"] != "Acme" {
		t.Fatalf("announcement data %v", data)
	}
	found, err := f.store.FindPosition(ctx, guildA, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(p, found); diff != "" {
		t.Fatalf("found (-created +found):\n%s", diff)
	}

	pending := f.enterprise(guildA, "Pending", placement.EnterprisePending)
	_, err = f.store.CreatePosition(ctx, positionOf(pending), positionFx(announce))
	wantErr(t, err, placement.ECONFLICT, "err.enterprise_not_verified")
	foreign := positionOf(e)
	foreign.GuildID = guildB
	_, err = f.store.CreatePosition(ctx, foreign, positionFx(announce))
	wantErr(t, err, placement.ENOTFOUND, "err.enterprise_not_found")
	if n := f.count(`SELECT count(*) FROM positions`); n != 1 {
		t.Fatalf("%d positions, want 1", n)
	}
	if n := f.count(`SELECT count(*) FROM notifications`); n != 1 {
		t.Fatalf("refused positions left notifications: %d", n)
	}
	// The posting is in the trail of the position and of its enterprise; a position posted
	// without its audit event is refused.
	if trail, err := f.store.AuditTrail(ctx, guildA, placement.EnterpriseSubject(e.ID), 200); err != nil ||
		len(trail) != 2 || trail[1].Action != "position.posted" || trail[1].Subject != placement.PositionSubject(p.ID) {
		t.Fatalf("enterprise trail %+v, %v", trail, err)
	}
	_, err = f.store.CreatePosition(ctx, positionOf(e), func(placement.Position) placement.Effects { return placement.Effects{} })
	if !errors.Is(err, placement.ErrNoAudit) || placement.ErrorCode(err) != placement.EINTERNAL {
		t.Fatalf("unaudited posting: err = %v", err)
	}
	if n := f.count(`SELECT count(*) FROM positions`); n != 1 {
		t.Fatalf("%d positions, want 1", n)
	}
}

func TestFindPosition(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	p := f.position(f.enterprise(guildA, "Acme", placement.EnterpriseVerified))
	_, err := f.store.FindPosition(t.Context(), guildB, p.ID)
	wantErr(t, err, placement.ENOTFOUND, "err.position_not_found")
	_, err = f.store.FindPosition(t.Context(), guildA, p.ID+1)
	wantErr(t, err, placement.ENOTFOUND, "err.position_not_found")
}

func TestUpdatePosition(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	p := f.position(f.enterprise(guildA, "Acme", placement.EnterpriseVerified))
	for range 2 {
		a := f.mustApply(p, f.user())
		if _, err := f.move(a, placement.Offered, placement.Submitted); err != nil {
			t.Fatal(err)
		}
	}

	upd := p
	upd.Title, upd.Description, upd.Skills, upd.Programs = "Data Engineer Intern", "Pipelines.", []string{"python"}, nil
	upd.Location, upd.Remote, upd.Slots, upd.Stipend = "", true, 2, ""
	upd.StartDate, upd.EndDate, upd.Deadline = p.StartDate.AddDate(0, 0, 7), p.EndDate.AddDate(0, 0, 7), p.Deadline.AddDate(0, 0, 7)
	upd.Status, upd.Taken = placement.PositionClosed, 0 // neither is the update's to change
	edited := placement.Audited(positionEvent(p, "position.edited"))
	got, err := f.store.UpdatePosition(ctx, upd, edited)
	if err != nil {
		t.Fatal(err)
	}
	want := upd
	want.Status, want.Taken = placement.PositionOpen, 2
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Fatalf("updated (-want +got):\n%s", diff)
	}
	if found, _ := f.store.FindPosition(ctx, guildA, p.ID); !cmp.Equal(found, got, cmpopts.EquateEmpty()) {
		t.Fatalf("stored %+v", found)
	}

	upd.Slots = 1
	_, err = f.store.UpdatePosition(ctx, upd, edited)
	if e := wantErr(t, err, placement.ECONFLICT, "err.slots_below_taken"); e.Data["Taken"] != 2 {
		t.Fatalf("data %v", e.Data)
	}
	if found, _ := f.store.FindPosition(ctx, guildA, p.ID); found.Slots != 2 {
		t.Fatalf("slots %d after refused update", found.Slots)
	}
	upd.GuildID = guildB
	_, err = f.store.UpdatePosition(ctx, upd, edited)
	wantErr(t, err, placement.ENOTFOUND, "err.position_not_found")
	if n := f.count(`SELECT count(*) FROM audit_events WHERE subject = $1 AND action = 'position.edited'`, placement.PositionSubject(p.ID)); n != 1 {
		t.Fatalf("%d audit events of edits, want 1 (refused edits record nothing)", n)
	}
	upd.GuildID = guildA
	_, err = f.store.UpdatePosition(ctx, upd, placement.Effects{})
	if !errors.Is(err, placement.ErrNoAudit) {
		t.Fatalf("unaudited edit: err = %v", err)
	}
}

func TestSetPositionStatus(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	p := f.position(f.enterprise(guildA, "Acme", placement.EnterpriseVerified))
	notes := func(p placement.Position) []placement.Notification {
		return []placement.Notification{{DedupKey: fmt.Sprintf("position:%d:%s", p.ID, p.Status), ChannelID: "500000000000000002", MessageKey: "note.position_opened"}}
	}
	closeFx := statusFx(guildA, p.ID, placement.PositionClosed)
	closeFx.Notes = notes(placement.Position{ID: p.ID, Status: placement.PositionClosed})
	got, err := f.store.SetPositionStatus(ctx, guildA, p.ID, placement.PositionClosed, closeFx)
	if err != nil || got.Status != placement.PositionClosed || got.EnterpriseName != "Acme" {
		t.Fatalf("closed: %+v, %v", got, err)
	}
	if got, err = f.store.SetPositionStatus(ctx, guildA, p.ID, placement.PositionOpen, statusFx(guildA, p.ID, placement.PositionOpen)); err != nil || got.Status != placement.PositionOpen {
		t.Fatalf("reopened: %+v, %v", got, err)
	}
	if n := f.count(`SELECT count(*) FROM notifications WHERE guild_id = $1 AND dedup_key = $2`, guildA, fmt.Sprintf("position:%d:closed", p.ID)); n != 1 {
		t.Fatalf("%d notifications", n)
	}
	_, err = f.store.SetPositionStatus(ctx, guildB, p.ID, placement.PositionClosed, statusFx(guildB, p.ID, placement.PositionClosed))
	wantErr(t, err, placement.ENOTFOUND, "err.position_not_found")
	if found, _ := f.store.FindPosition(ctx, guildA, p.ID); found.Status != placement.PositionOpen {
		t.Fatal("guild B closed guild A's position")
	}
}

func TestBrowsePositionsFilters(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	acme := f.enterprise(guildA, "Acme", placement.EnterpriseVerified)
	globex := f.enterprise(guildA, "Globex", placement.EnterpriseVerified)
	mk := func(e placement.Enterprise, title string, opts ...func(*placement.Position)) int64 {
		return f.position(e, append([]func(*placement.Position){func(p *placement.Position) { p.Title = title }}, opts...)...).ID
	}
	goLyon := mk(acme, "Go Backend Intern")
	pyParis := mk(acme, "Data Science Intern", func(p *placement.Position) {
		p.Skills, p.Programs, p.Location, p.Description = []string{"python", "machine learning"}, []string{"statistics"}, "Paris", "Models."
	})
	remote := mk(globex, "Frontend Intern", func(p *placement.Position) {
		p.Skills, p.Location, p.Remote, p.Description = []string{"typescript"}, "lyon", true, "Web apps with python tooling."
	})
	wildcard := mk(globex, "Odd Location", func(p *placement.Position) { p.Location, p.Skills = "L_on", nil })
	// Never shown: closed, past its deadline, full, or in another guild.
	closed := f.position(acme, func(p *placement.Position) { p.Title = "Closed Go Intern" })
	if _, err := f.store.SetPositionStatus(ctx, guildA, closed.ID, placement.PositionClosed, statusFx(guildA, closed.ID, placement.PositionClosed)); err != nil {
		t.Fatal(err)
	}
	mk(acme, "Late Go Intern", func(p *placement.Position) { p.Deadline = today.AddDate(0, 0, -1) })
	lastDay := mk(acme, "Last Day Go Intern", func(p *placement.Position) { p.Deadline = today })
	full := f.position(acme, func(p *placement.Position) { p.Title, p.Slots = "Full Go Intern", 1 })
	if _, err := f.move(f.mustApply(full, f.user()), placement.Offered, placement.Submitted); err != nil {
		t.Fatal(err)
	}
	f.position(f.enterprise(guildB, "Acme", placement.EnterpriseVerified), func(p *placement.Position) { p.Title = "Go Intern in B" })

	tests := []browseCase{
		{"no filter", placement.PositionFilter{}, []int64{lastDay, wildcard, remote, pyParis, goLyon}},
		{"keyword in title", placement.PositionFilter{Keyword: "backend"}, []int64{goLyon}},
		{"keyword in description or skills", placement.PositionFilter{Keyword: "python"}, []int64{remote, pyParis}},
		{"keyword phrase", placement.PositionFilter{Keyword: `"machine learning"`}, []int64{pyParis}},
		{"keyword excluded", placement.PositionFilter{Keyword: "python -models"}, []int64{remote}},
		{"keyword without words", placement.PositionFilter{Keyword: "!!"}, nil},
		{"skill", placement.PositionFilter{Skill: "go"}, []int64{lastDay, goLyon}},
		{"skill with a space", placement.PositionFilter{Skill: "machine learning"}, []int64{pyParis}},
		{"program", placement.PositionFilter{Program: "statistics"}, []int64{pyParis}},
		{"location any case", placement.PositionFilter{Location: "LYON"}, []int64{lastDay, remote, goLyon}},
		{"location is not a pattern", placement.PositionFilter{Location: "L_on"}, []int64{wildcard}},
		{"enterprise", placement.PositionFilter{EnterpriseID: globex.ID}, []int64{wildcard, remote}},
		{"remote", placement.PositionFilter{RemoteOnly: true}, []int64{remote}},
		{"combined", placement.PositionFilter{Skill: "go", Location: "lyon", EnterpriseID: acme.ID, Keyword: "intern"}, []int64{lastDay, goLyon}},
		{"nothing matches", placement.PositionFilter{Skill: "cobol"}, nil},
	}
	browseCases(t, f.store, tests)
	if page, err := f.store.BrowsePositions(ctx, guildA, placement.PositionFilter{}, 0, 10, today.AddDate(0, 0, 1)); err != nil ||
		slices.Contains(idsOf(page.Positions, positionID), lastDay) {
		t.Fatalf("the day after its deadline: %v, %v", idsOf(page.Positions, positionID), err)
	}
}

// TestBrowsePositionsChinese finds Chinese words of any length anywhere in a title, skills or
// description, Latin words beside Chinese text, and partial words of Latin text and locations.
func TestBrowsePositionsChinese(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	e := f.enterprise(guildA, "莲花食品", placement.EnterpriseVerified)
	mk := func(title, description string, skills []string, location string) int64 {
		return f.position(e, func(p *placement.Position) {
			p.Title, p.Description, p.Skills, p.Location = title, description, skills, location
		}).ID
	}
	kitchen := mk("厨房帮工", "负责切配和清洁。", []string{"食品安全"}, "苏州工业园区")
	chef := mk("中餐厨师助理", "在大厨房协助Java开发的点餐系统上线，使用Excel记录库存", []string{"刀工"}, "Suzhou")
	java := mk("Java开发实习生", "参与后端开发（Spring Boot）", []string{"java", "sql"}, "杭州")
	english := mk("Backend Intern", "Services in Go, near the 苏州 office.", []string{"go"}, "Hangzhou")
	warehouse := mk("仓库管理员", "整理货架", []string{"叉车"}, "苏州")
	symbols := mk("Symbols", "", nil, "~~~")
	closed := mk("厨房清洁", "厨房", nil, "苏州")
	if _, err := f.store.SetPositionStatus(ctx, guildA, closed, placement.PositionClosed, statusFx(guildA, closed, placement.PositionClosed)); err != nil {
		t.Fatal(err)
	}
	f.position(f.enterprise(guildB, "莲花食品", placement.EnterpriseVerified), func(p *placement.Position) { p.Title = "厨房帮工" })

	tests := []browseCase{
		{"two characters, start of a title", placement.PositionFilter{Keyword: "厨房"}, []int64{chef, kitchen}},
		{"one character inside words", placement.PositionFilter{Keyword: "工"}, []int64{chef, kitchen}},
		{"one character at the end", placement.PositionFilter{Keyword: "生"}, []int64{java}},
		{"whole title", placement.PositionFilter{Keyword: "厨房帮工"}, []int64{kitchen}},
		{"inside a word", placement.PositionFilter{Keyword: "房帮"}, []int64{kitchen}},
		{"three characters in order only", placement.PositionFilter{Keyword: "帮工厨"}, nil},
		{"in the description", placement.PositionFilter{Keyword: "切配"}, []int64{kitchen}},
		{"in the skills", placement.PositionFilter{Keyword: "食品安全"}, []int64{kitchen}},
		{"beside punctuation", placement.PositionFilter{Keyword: "清洁"}, []int64{kitchen}},
		{"Latin word beside Chinese", placement.PositionFilter{Keyword: "java"}, []int64{java, chef}},
		{"Latin word after Chinese punctuation", placement.PositionFilter{Keyword: "spring"}, []int64{java}},
		{"Chinese word beside Latin", placement.PositionFilter{Keyword: "开发"}, []int64{java, chef}},
		{"Latin and Chinese together", placement.PositionFilter{Keyword: "Java开发"}, []int64{java, chef}},
		{"Latin and Chinese as a phrase", placement.PositionFilter{Keyword: `"Java开发实习"`}, []int64{java}},
		{"Chinese phrase in quotes", placement.PositionFilter{Keyword: `"开发实习生"`}, []int64{java}},
		{"Chinese excluded", placement.PositionFilter{Keyword: "厨房 -厨师助理"}, []int64{kitchen}},
		{"Chinese or Chinese", placement.PositionFilter{Keyword: "帮工 or 实习生"}, []int64{java, kitchen}},
		{"Chinese in English text", placement.PositionFilter{Keyword: "苏州"}, []int64{english}},
		{"partial Latin word", placement.PositionFilter{Keyword: "back"}, []int64{english}},
		{"partial Latin word after Chinese", placement.PositionFilter{Keyword: "exc"}, []int64{chef}},
		{"locations are not keywords", placement.PositionFilter{Keyword: "hangzhou"}, nil},
		{"partial Latin location", placement.PositionFilter{Location: "Suz"}, []int64{chef}},
		{"partial Chinese location", placement.PositionFilter{Location: "苏州"}, []int64{warehouse, kitchen}},
		{"Chinese location inside", placement.PositionFilter{Location: "园区"}, []int64{kitchen}},
		{"Chinese location whole", placement.PositionFilter{Location: "苏州工业园区"}, []int64{kitchen}},
		{"location of other words", placement.PositionFilter{Location: "杭"}, []int64{java}},
		{"location and keyword", placement.PositionFilter{Location: "hang", Keyword: "go"}, []int64{english}},
		{"location nothing has", placement.PositionFilter{Location: "北京"}, nil},
		{"location of no words, as written", placement.PositionFilter{Location: "~~~"}, []int64{symbols}},
		{"location of no words, not partly", placement.PositionFilter{Location: "~~"}, nil},
	}
	browseCases(t, f.store, tests)
	// Title autocomplete finds Chinese titles by any part of their words.
	for typed, want := range map[string][]int64{"厨房": {kitchen}, "厨房帮": {kitchen}, "实习": {java}, "java": {java}, "厨师 助理": {chef}} {
		got, err := f.store.SearchPositions(ctx, guildA, typed, 25)
		if err != nil || !cmp.Equal(idsOf(got, positionID), want) {
			t.Errorf("search %q: %v, %v, want %v", typed, idsOf(got, positionID), err, want)
		}
	}
}

func TestPositionLocations(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	e := f.enterprise(guildA, "Acme", placement.EnterpriseVerified)
	for _, l := range []string{"Suzhou", "suzhou", "苏州工业园区", "苏州", "Hangzhou", "", "Lyon"} {
		f.position(e, func(p *placement.Position) { p.Location, p.Remote = l, l == "" })
	}
	closed := f.position(e, func(p *placement.Position) { p.Location = "Closedtown" })
	if _, err := f.store.SetPositionStatus(ctx, guildA, closed.ID, placement.PositionClosed, statusFx(guildA, closed.ID, placement.PositionClosed)); err != nil {
		t.Fatal(err)
	}
	f.position(f.enterprise(guildB, "Acme", placement.EnterpriseVerified), func(p *placement.Position) { p.Location = "Suzhou Other" })
	for _, tt := range []struct {
		typed string
		want  []string
	}{
		{"suz", []string{"Suzhou"}},
		{"ZHOU", []string{"Hangzhou", "Suzhou"}},
		{"苏州", []string{"苏州", "苏州工业园区"}},
		{"园区", []string{"苏州工业园区"}},
		{"closed", nil},
		{"%", nil},
		{"", []string{"Hangzhou", "Lyon", "Suzhou", "苏州", "苏州工业园区"}},
	} {
		got, err := f.store.PositionLocations(ctx, guildA, tt.typed, 25)
		if err != nil {
			t.Fatal(err)
		}
		// The spelling of either Suzhou may be shown; compare them in lower case.
		for i := range got {
			got[i] = strings.ToLower(got[i])
		}
		for i := range tt.want {
			tt.want[i] = strings.ToLower(tt.want[i])
		}
		if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%q (-want +got):\n%s", tt.typed, diff)
		}
	}
	if got, _ := f.store.PositionLocations(ctx, guildA, "", 2); len(got) != 2 {
		t.Fatalf("limit 2: %v", got)
	}
}

// browseCase is a filter and the ids its one page lists, newest first.
type browseCase struct {
	name string
	f    placement.PositionFilter
	want []int64
}

// browseCases browses guild A with each case's filter, through the store as configured and with
// windows so small that searches go on to the GIN lookup.
func browseCases(t *testing.T, s *postgres.Store, tests []browseCase) {
	t.Helper()
	for _, store := range windowed(s) {
		for _, tt := range tests {
			t.Run(fmt.Sprintf("%s/window %d", tt.name, store.window), func(t *testing.T) {
				page, err := store.BrowsePositions(t.Context(), guildA, tt.f, 0, 10, today)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tt.want, idsOf(page.Positions, positionID), cmpopts.EquateEmpty()); diff != "" {
					t.Fatalf("%+v (-want +got):\n%s", tt.f, diff)
				}
				if page.HasMore || page.After != 0 {
					t.Fatalf("one page: HasMore %v, After %d", page.HasMore, page.After)
				}
				for _, p := range page.Positions {
					if p.EnterpriseName == "" {
						t.Fatalf("position %d without enterprise name", p.ID)
					}
				}
			})
		}
	}
}

func TestBrowsePositionsKeyset(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	e := f.enterprise(guildA, "Acme", placement.EnterpriseVerified)
	var all []int64
	for range 25 {
		all = append(all, f.position(e).ID)
	}
	slices.Reverse(all) // newest first

	// Browse every page, changing positions between the first and the second: the cursor must
	// neither repeat nor skip a position that was open all along.
	browseAll := func(store *postgres.Store, filter placement.PositionFilter, between func()) []int64 {
		t.Helper()
		var seen []int64
		after := int64(0)
		for pageNo := 0; ; pageNo++ {
			page, err := store.BrowsePositions(ctx, guildA, filter, after, 10, today)
			if err != nil {
				t.Fatal(err)
			}
			seen = append(seen, idsOf(page.Positions, positionID)...)
			if pageNo == 0 {
				between()
			}
			if !page.HasMore {
				if page.After != 0 {
					t.Fatalf("last page with cursor %d", page.After)
				}
				return seen
			}
			if page.After != page.Positions[len(page.Positions)-1].ID {
				t.Fatalf("cursor %d, want the last id shown", page.After)
			}
			after = page.After
		}
	}
	for _, store := range windowed(f.store) {
		for _, filter := range []placement.PositionFilter{{}, {Skill: "go"}, {Keyword: "backend"}} {
			want := slices.Clone(all)
			var created int64
			seen := browseAll(store.Store, filter, func() {
				// A new position appears (before the cursor: not shown now), and one not yet
				// shown is closed (it must not be shown).
				created = f.position(e).ID
				closing := all[len(all)-1]
				if _, err := f.store.SetPositionStatus(ctx, guildA, closing, placement.PositionClosed, statusFx(guildA, closing, placement.PositionClosed)); err != nil {
					t.Fatal(err)
				}
				all = slices.DeleteFunc(all, func(id int64) bool { return id == closing })
			})
			want = slices.DeleteFunc(want, func(id int64) bool { return !slices.Contains(all, id) })
			if diff := cmp.Diff(want, seen); diff != "" {
				t.Fatalf("window %d, filter %+v: pages (-want +got):\n%s", store.window, filter, diff)
			}
			all = append([]int64{created}, all...)
		}
	}

	// Exactly a page left: no next page is promised.
	page, err := f.store.BrowsePositions(ctx, guildA, placement.PositionFilter{}, all[len(all)-11], 10, today)
	if err != nil || len(page.Positions) != 10 || page.HasMore {
		t.Fatalf("last full page: %d positions, HasMore %v, %v", len(page.Positions), page.HasMore, err)
	}
	// Guild B's browse shows nothing of guild A, with or without a cursor.
	for _, after := range []int64{0, all[0] + 10} {
		if page, err := f.store.BrowsePositions(ctx, guildB, placement.PositionFilter{}, after, 10, today); err != nil || len(page.Positions) != 0 {
			t.Fatalf("guild B browse: %v, %v", idsOf(page.Positions, positionID), err)
		}
	}
}

func TestEnterprisePositions(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	a := f.enterprise(guildA, "A", placement.EnterpriseVerified)
	b := f.enterprise(guildA, "B", placement.EnterpriseVerified)
	c := f.enterprise(guildA, "C", placement.EnterpriseVerified)
	p1, p2, p3 := f.position(a), f.position(b), f.position(a)
	f.position(c)
	if _, err := f.store.SetPositionStatus(ctx, guildA, p1.ID, placement.PositionClosed, statusFx(guildA, p1.ID, placement.PositionClosed)); err != nil {
		t.Fatal(err)
	}
	got, err := f.store.EnterprisePositions(ctx, guildA, []int64{a.ID, b.ID}, 25)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int64{p3.ID, p2.ID, p1.ID}, idsOf(got, positionID)); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
	if got, _ := f.store.EnterprisePositions(ctx, guildA, []int64{a.ID, b.ID}, 2); len(got) != 2 {
		t.Fatalf("limit 2: %d", len(got))
	}
	if got, err := f.store.EnterprisePositions(ctx, guildA, nil, 25); err != nil || len(got) != 0 {
		t.Fatalf("no enterprises: %v, %v", got, err)
	}
	if got, _ := f.store.EnterprisePositions(ctx, guildB, []int64{a.ID}, 25); len(got) != 0 {
		t.Fatalf("guild B: %v", idsOf(got, positionID))
	}
}

func TestCandidatePositions(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	e := f.enterprise(guildA, "Acme", placement.EnterpriseVerified)
	mk := func(skills, programs []string, opts ...func(*placement.Position)) int64 {
		return f.position(e, append([]func(*placement.Position){func(p *placement.Position) { p.Skills, p.Programs = skills, programs }}, opts...)...).ID
	}
	one := mk([]string{"go", "rust"}, nil)
	two := mk([]string{"go", "sql", "k8s"}, nil)
	program := mk([]string{"cobol"}, []string{"computer science"})
	mk([]string{"cobol"}, []string{"design"})
	mk([]string{"go", "sql"}, nil, func(p *placement.Position) { p.Deadline = today.AddDate(0, 0, -1) })
	closed := mk([]string{"go", "sql"}, nil)
	if _, err := f.store.SetPositionStatus(ctx, guildA, closed, placement.PositionClosed, statusFx(guildA, closed, placement.PositionClosed)); err != nil {
		t.Fatal(err)
	}
	full := f.position(e, func(p *placement.Position) { p.Skills, p.Slots = []string{"go"}, 1 })
	if _, err := f.move(f.mustApply(full, f.user()), placement.Offered, placement.Submitted); err != nil {
		t.Fatal(err)
	}
	inB := f.position(f.enterprise(guildB, "Acme", placement.EnterpriseVerified))

	pr := placement.Profile{GuildID: guildA, UserID: f.user(), Program: "Computer Science", Skills: []string{"go", "sql"}}
	for _, store := range windowed(f.store) {
		got, err := store.CandidatePositions(ctx, guildA, pr, 200, today)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]int64{program, two, one}, idsOf(got, positionID)); diff != "" {
			t.Fatalf("window %d, newest matches first (-want +got):\n%s", store.window, diff)
		}
		if got, _ := store.CandidatePositions(ctx, guildA, pr, 1, today); len(got) != 1 || got[0].ID != program {
			t.Fatalf("window %d, limit 1: %v", store.window, idsOf(got, positionID))
		}
	}
	// When the newest positions hold enough matches, the best of them are returned.
	newest := mk([]string{"sql"}, nil)
	if got, _ := f.store.WithWindows(3, 3).CandidatePositions(ctx, guildA, pr, 1, today); len(got) != 1 || got[0].ID != newest {
		t.Fatalf("window of the newest: %v, want [%d]", idsOf(got, positionID), newest)
	}
	if got, err := f.store.CandidatePositions(ctx, guildA, placement.Profile{}, 200, today); err != nil || len(got) != 0 {
		t.Fatalf("empty profile: %v, %v", idsOf(got, positionID), err)
	}
	if got, _ := f.store.CandidatePositions(ctx, guildB, pr, 200, today); !cmp.Equal(idsOf(got, positionID), []int64{inB.ID}) {
		t.Fatalf("guild B: %v, want only its own %d", idsOf(got, positionID), inB.ID)
	}
}

func TestSearchPositions(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	e := f.enterprise(guildA, "Acme", placement.EnterpriseVerified)
	mk := func(title string) int64 { return f.position(e, func(p *placement.Position) { p.Title = title }).ID }
	backend := mk("Backend Developer Intern")
	data := mk("Data Engineer Intern")
	node := mk("Node.js Developer")
	quote := mk("O'Reilly Editor")
	closed := mk("Backend Closed")
	if _, err := f.store.SetPositionStatus(ctx, guildA, closed, placement.PositionClosed, statusFx(guildA, closed, placement.PositionClosed)); err != nil {
		t.Fatal(err)
	}
	// Words only in the description or skills do not make a title match.
	f.position(e, func(p *placement.Position) {
		p.Title, p.Description, p.Skills = "Designer", "backend work", []string{"data"}
	})
	f.position(f.enterprise(guildB, "Acme", placement.EnterpriseVerified), func(p *placement.Position) { p.Title = "Backend in B" })

	tests := []struct {
		prefix string
		want   []int64
	}{
		{"back", []int64{backend}},
		{"BACKEND dev", []int64{backend}},
		{"eng data", []int64{data}},
		{"dev", []int64{node, backend}},
		{"intern", []int64{data, backend}},
		{"node.js", []int64{node}},
		{"o'reilly", []int64{quote}},
		{`back\`, []int64{backend}},
		{"xyz", nil},
		{"!!", nil},
	}
	for _, store := range windowed(f.store) {
		for _, tt := range tests {
			got, err := store.SearchPositions(ctx, guildA, tt.prefix, 25)
			if err != nil {
				t.Fatalf("%q: %v", tt.prefix, err)
			}
			if diff := cmp.Diff(tt.want, idsOf(got, positionID), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("window %d, %q (-want +got):\n%s", store.window, tt.prefix, diff)
			}
		}
	}
	got, err := f.store.SearchPositions(ctx, guildA, "", 3)
	if err != nil || len(got) != 3 || got[0].ID < got[1].ID || got[0].Status != placement.PositionOpen {
		t.Fatalf("empty prefix: %v, %v", idsOf(got, positionID), err)
	}
}

// windowedStore is a store with the window its searches walk before using the GIN indexes.
type windowedStore struct {
	*postgres.Store
	window int
}

// windowed returns the store as configured, and one whose windows are so small that searches
// go on to the GIN lookup.
func windowed(s *postgres.Store) []windowedStore {
	return []windowedStore{{s, 4000}, {s.WithWindows(2, 2), 2}}
}
