package placement_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"placementbot/internal/i18n"
	"placementbot/internal/matching"
	"placementbot/internal/placement"
	"placementbot/internal/postgres"
	"placementbot/internal/testenv"
)

const motivation = "I have run CNC mills for two years at school."

// pupil is the i-th extra student of a world, resolved now.
func (w *world) pupil(i int) placement.Actor {
	w.t.Helper()
	a, err := w.svc.Actor(w.ctx, w.guild, placement.Member{UserID: strconv.Itoa(960000000000000000 + i), RoleIDs: []string{studentRole}}, "en-US")
	if err != nil {
		w.t.Fatal(err)
	}
	return a
}

// post posts a position of the first enterprise with the slots and programs.
func (w *world) post(slots int, programs string) placement.Position {
	w.t.Helper()
	in := w.input()
	in.Slots, in.Programs = strconv.Itoa(slots), programs
	p, err := w.svc.PostPosition(w.ctx, w.actor(mentor), w.e1.ID, in)
	if err != nil {
		w.t.Fatal(err)
	}
	return p
}

// apply files the student's application to the position.
func (w *world) apply(a placement.Actor, positionID int64) placement.Application {
	w.t.Helper()
	app, err := w.svc.Apply(w.ctx, a, positionID, motivation)
	if err != nil {
		w.t.Fatal(err)
	}
	return app
}

// tomorrow is the date after today, as typed.
func tomorrow() string { return time.Now().UTC().AddDate(0, 0, 1).Format(placement.DateLayout) }

// openRound opens a round over the first enterprise's positions, due tomorrow.
func (w *world) openRound(outcome string) (placement.Round, []placement.RoundPosition) {
	w.t.Helper()
	r, ps, err := w.svc.OpenRound(w.ctx, w.actor(coordinator), placement.RoundInput{Name: "Spring round", Enterprise: w.e1.ID,
		Deadline: tomorrow(), Outcome: outcome})
	if err != nil {
		w.t.Fatal(err)
	}
	return r, ps
}

// afterDeadline moves the service's clock past any round due tomorrow.
func (w *world) afterDeadline() { w.svc.Now = func() time.Time { return time.Now().AddDate(0, 0, 3) } }

// count runs a counting query.
func (w *world) count(sql string, args ...any) int {
	w.t.Helper()
	var n int
	if err := w.pool.QueryRow(w.ctx, sql, args...).Scan(&n); err != nil {
		w.t.Fatal(err)
	}
	return n
}

func wantCode(t *testing.T, err error, code, key string) *placement.Error {
	t.Helper()
	var e *placement.Error
	if !errors.As(err, &e) || e.Code != code || e.Key != key {
		t.Fatalf("err = %v, want %s %s", err, code, key)
	}
	return e
}

func TestOpenRoundScopesAndRefusals(t *testing.T) {
	pool := testenv.NewPool(t)
	w := newWorld(t, pool)
	coord := w.actor(coordinator)
	welding := w.post(2, "Welding, CNC")
	other, err := w.svc.PostPosition(w.ctx, w.actor(otherMentor), w.e2.ID, w.input())
	if err != nil {
		t.Fatal(err)
	}
	in := placement.RoundInput{Name: "Autumn", Deadline: tomorrow()}

	bad := []struct {
		in        placement.RoundInput
		code, key string
	}{
		{placement.RoundInput{Name: "Autumn", Deadline: time.Now().UTC().AddDate(0, 0, -1).Format(placement.DateLayout)}, placement.EINVALID, "err.round_deadline_past"},
		{placement.RoundInput{Name: "Autumn", Deadline: "2027-02-30"}, placement.EINVALID, "err.no_such_day"},
		{placement.RoundInput{Name: "Autumn", Deadline: tomorrow(), MaxRanks: 51}, placement.EINVALID, "err.round_max_ranks"},
		{placement.RoundInput{Name: "Autumn", Deadline: tomorrow(), MaxRanks: -1}, placement.EINVALID, "err.round_max_ranks"},
		{placement.RoundInput{Name: "Autumn", Deadline: tomorrow(), Outcome: "lottery"}, placement.EINVALID, "err.round_outcome"},
		{placement.RoundInput{Name: "A", Deadline: tomorrow()}, placement.EINVALID, "err.too_short"},
		{placement.RoundInput{Name: "Autumn", Deadline: tomorrow(), Enterprise: w.pending.ID}, placement.EINVALID, "err.round_no_positions"},
		{placement.RoundInput{Name: "Autumn", Deadline: tomorrow(), Program: "Nursing"}, placement.EINVALID, "err.round_no_positions"},
	}
	for _, c := range bad {
		_, _, err := w.svc.OpenRound(w.ctx, coord, c.in)
		if c.key == "err.too_short" {
			if placement.ErrorCode(err) != placement.EINVALID {
				t.Errorf("%+v: err = %v, want invalid", c.in, err)
			}
			continue
		}
		wantCode(t, err, c.code, c.key)
	}
	if n := w.count(`SELECT count(*) FROM rounds WHERE guild_id = $1`, w.guild); n != 0 {
		t.Fatalf("refusals opened %d rounds", n)
	}

	// By program (any casing): only the welding position.
	byProgram := in
	byProgram.Program = "welding"
	r, ps, err := w.svc.OpenRound(w.ctx, coord, byProgram)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 || ps[0].PositionID != welding.ID || ps[0].Slots != 2 {
		t.Fatalf("program scope: %+v", ps)
	}
	if r.MaxRanks != placement.DefaultMaxRanks || r.Outcome != placement.OutcomeOffers || r.Status != placement.RoundStatusOpen {
		t.Fatalf("defaults: %+v", r)
	}
	if want := placement.DayEnd(time.Now().UTC().AddDate(0, 0, 1), time.UTC); !r.Deadline.Equal(want) {
		t.Fatalf("deadline %v, want the end of tomorrow %v", r.Deadline, want)
	}
	// By enterprise: the first enterprise's other position; the welding one is in an open round.
	byEnterprise := in
	byEnterprise.Enterprise = w.e1.ID
	_, ps, err = w.svc.OpenRound(w.ctx, coord, byEnterprise)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 || ps[0].PositionID != w.pos.ID {
		t.Fatalf("enterprise scope: %+v", ps)
	}
	// All: what is left, the second enterprise's position.
	_, ps, err = w.svc.OpenRound(w.ctx, coord, in)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 || ps[0].PositionID != other.ID {
		t.Fatalf("all open positions: %+v", ps)
	}
	_, _, err = w.svc.OpenRound(w.ctx, coord, in)
	wantCode(t, err, placement.EINVALID, "err.round_no_positions")
	if n := w.count(`SELECT count(*) FROM audit_events WHERE guild_id = $1 AND action = 'round.opened'`, w.guild); n != 3 {
		t.Fatalf("%d round.opened audit events, want 3", n)
	}
	rounds, err := w.svc.Rounds(w.ctx, coord, placement.RoundFilter{Prefix: "aut"})
	if err != nil || len(rounds) != 3 {
		t.Fatalf("Rounds = %d, %v; want 3", len(rounds), err)
	}
}

func TestRoundRanksBothSides(t *testing.T) {
	pool := testenv.NewPool(t)
	w := newWorld(t, pool)
	p2 := w.post(1, "")
	st, other := w.actor(student), w.actor(otherStudent)
	a1, a2 := w.apply(st, w.pos.ID), w.apply(st, p2.ID)
	b1 := w.apply(other, w.pos.ID)
	r, _, err := w.svc.OpenRound(w.ctx, w.actor(coordinator), placement.RoundInput{Name: "Ranks", Enterprise: w.e1.ID,
		Deadline: tomorrow(), MaxRanks: 1})
	if err != nil {
		t.Fatal(err)
	}
	// Suggestions offer a round to those who take part in it: coordinators, its applicants and
	// the mentors of its positions, not a mentor of another enterprise or a member with none.
	for who, want := range map[string]int{coordinator: 1, student: 1, mentor: 1, otherMentor: 0} {
		rs, err := w.svc.Rounds(w.ctx, w.actor(who), placement.RoundFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) != want {
			t.Errorf("%s is offered %d rounds, want %d", who, len(rs), want)
		}
	}

	wantCode(t, w.svc.SetStudentRanks(w.ctx, st, r.ID, []int64{a2.ID, a1.ID}), placement.EINVALID, "err.round_too_many_ranks")
	wantCode(t, w.svc.SetStudentRanks(w.ctx, st, r.ID, []int64{b1.ID}), placement.ENOTFOUND, "err.round_not_in_list")
	if err := w.svc.SetStudentRanks(w.ctx, st, r.ID, []int64{a2.ID}); err != nil {
		t.Fatal(err)
	}
	ranking, err := w.svc.StudentRanking(w.ctx, st, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(ranking.Applications) != 2 || ranking.Applications[0].ID != a2.ID || ranking.Applications[0].Rank != 1 ||
		ranking.Applications[1].ID != a1.ID || ranking.Applications[1].Rank != 0 || ranking.Ranked() != 1 {
		t.Fatalf("student ranking: %+v", ranking.Applications)
	}

	m := w.actor(mentor)
	wantCode(t, w.svc.SetPositionRanks(w.ctx, m, r.ID, w.pos.ID, []int64{b1.ID, b1.ID}), placement.EINVALID, "err.round_duplicate_rank")
	wantCode(t, w.svc.SetPositionRanks(w.ctx, m, r.ID, w.pos.ID, []int64{a2.ID}), placement.ENOTFOUND, "err.round_not_in_list")
	wantCode(t, w.svc.SetPositionRanks(w.ctx, w.actor(otherMentor), r.ID, w.pos.ID, []int64{b1.ID}), placement.EFORBIDDEN, "err.not_your_enterprise")
	if err := w.svc.SetPositionRanks(w.ctx, m, r.ID, w.pos.ID, []int64{b1.ID, a1.ID}); err != nil {
		t.Fatal(err)
	}
	// Editing replaces the whole order.
	if err := w.svc.SetPositionRanks(w.ctx, m, r.ID, w.pos.ID, []int64{a1.ID}); err != nil {
		t.Fatal(err)
	}
	pr, err := w.svc.PositionRanking(w.ctx, m, r.ID, w.pos.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(pr.Applications) != 2 || pr.Applications[0].ID != a1.ID || pr.Applications[0].Rank != 1 || pr.Applications[1].Rank != 0 ||
		pr.Applications[0].Profile.Program != "Mechatronics" {
		t.Fatalf("position ranking: %+v", pr.Applications)
	}

	w.afterDeadline()
	e := wantCode(t, w.svc.SetStudentRanks(w.ctx, st, r.ID, []int64{a1.ID}), placement.ECONFLICT, "err.round_closed")
	if e.Data["DeadlineAt"] != r.Deadline.Unix() {
		t.Fatalf("closed error names %v, want the deadline %d", e.Data["DeadlineAt"], r.Deadline.Unix())
	}
	wantCode(t, w.svc.SetPositionRanks(w.ctx, m, r.ID, w.pos.ID, []int64{b1.ID}), placement.ECONFLICT, "err.round_closed")
	if n := w.count(`SELECT count(*) FROM audit_events WHERE guild_id = $1 AND action = 'round.ranked'`, w.guild); n != 3 {
		t.Fatalf("%d round.ranked audit events, want 3 (one per saved list)", n)
	}
}

// rankedRound is a round of five students over three positions of the first enterprise, with
// both sides ranked, for the preview and publish tests.
type rankedRound struct {
	round     placement.Round
	positions []placement.Position // capacities 1, 2, 1
	students  []placement.Actor
	apps      map[string]map[int64]placement.Application // student, position
	sRanks    map[string][]int64                         // student → positions in order
	pRanks    map[int64][]string                         // position → students in order
}

func newRankedRound(t *testing.T, w *world, outcome string) *rankedRound {
	t.Helper()
	w.must(w.svc.ClosePosition(w.ctx, w.actor(mentor), w.pos.ID)) // not in the round
	rr := &rankedRound{apps: map[string]map[int64]placement.Application{}, sRanks: map[string][]int64{}, pRanks: map[int64][]string{}}
	hostile := w.input()
	hostile.Title, hostile.Slots = hostileTitle, "1"
	third, err := w.svc.PostPosition(w.ctx, w.actor(mentor), w.e1.ID, hostile)
	if err != nil {
		t.Fatal(err)
	}
	rr.positions = []placement.Position{w.post(1, ""), w.post(2, ""), third}
	for i := range 5 {
		a := w.pupil(i)
		program, cohort := "Mechatronics", "2025"
		if i%2 == 1 {
			program, cohort = "Welding", "2026"
		}
		w.must(w.svc.SaveProfile(w.ctx, a, placement.ProfileInput{Program: program, Cohort: cohort}))
		rr.students = append(rr.students, a)
		rr.apps[a.UserID] = map[int64]placement.Application{}
		for _, p := range rr.positions {
			rr.apps[a.UserID][p.ID] = w.apply(a, p.ID)
		}
	}
	rr.round, _ = w.openRound(outcome)
	p0, p1, p2 := rr.positions[0].ID, rr.positions[1].ID, rr.positions[2].ID
	s := func(i int) string { return rr.students[i].UserID }
	// Everyone wants p0 first; student 4 ranks nothing.
	rr.sRanks = map[string][]int64{s(0): {p0, p1}, s(1): {p0, p2, p1}, s(2): {p0, p1, p2}, s(3): {p2, p0}}
	rr.pRanks = map[int64][]string{p0: {s(2), s(0), s(1)}, p1: {s(0), s(1), s(2), s(3)}, p2: {s(1), s(2)}}
	for student, order := range rr.sRanks {
		ids := make([]int64, len(order))
		for i, p := range order {
			ids[i] = rr.apps[student][p].ID
		}
		a := rr.students[slicesIndex(rr.students, student)]
		if err := w.svc.SetStudentRanks(w.ctx, a, rr.round.ID, ids); err != nil {
			t.Fatal(err)
		}
	}
	for p, order := range rr.pRanks {
		ids := make([]int64, len(order))
		for i, st := range order {
			ids[i] = rr.apps[st][p].ID
		}
		if err := w.svc.SetPositionRanks(w.ctx, w.actor(mentor), rr.round.ID, p, ids); err != nil {
			t.Fatal(err)
		}
	}
	return rr
}

func slicesIndex(as []placement.Actor, id string) int {
	for i, a := range as {
		if a.UserID == id {
			return i
		}
	}
	return -1
}

// hostileTitle is a position title with markdown and a mass mention, which DMs must show as typed.
const hostileTitle = "Weld *bold* @everyone"

// renderRoundDMs renders every DM of the round in both languages, as the outbox does, and
// checks that each renders whole, within Discord's limit, with member text escaped in lists too.
func renderRoundDMs(t *testing.T, w *world, roundID int64) map[string]int {
	t.Helper()
	catalog, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	rows, err := w.pool.Query(w.ctx, `SELECT message_key, data FROM notifications WHERE guild_id = $1 AND dedup_key LIKE 'round:' || $2::bigint || ':%'`,
		w.guild, roundID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := map[string]int{}
	for rows.Next() {
		var key string
		var raw []byte
		if err := rows.Scan(&key, &raw); err != nil {
			t.Fatal(err)
		}
		data, err := placement.DecodeData(raw)
		if err != nil {
			t.Fatal(err)
		}
		seen[key]++
		for _, lang := range []string{"en-US", "zh-CN"} {
			text := catalog.T(lang, key, data)
			switch {
			case text == key || strings.Contains(text, "{{") || strings.Contains(text, "<no value>") || len([]rune(text)) > 2000:
				t.Errorf("%s %s does not render: %q", lang, key, text)
			case strings.Contains(text, "*bold*") || strings.Contains(text, " @everyone"):
				t.Errorf("%s %s shows member text unescaped: %q", lang, key, text)
			}
			if key == "round.note_matched" && lang == "en-US" && len(data["Higher"].([]any)) > 0 && !strings.Contains(text, "Your choice #1") {
				t.Errorf("matched DM without its explanation: %q", text)
			}
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return seen
}

// expected matches the round's ranks with the matching package directly, leaving out a closed
// position (0: none) and the applications withdrawn (student → position).
func (rr *rankedRound) expected(t *testing.T, closed int64, withdrawn map[string]int64) matching.Result {
	t.Helper()
	b := matching.NewBuilder(rr.round.Seed)
	for _, p := range rr.positions {
		if p.ID != closed {
			b.Position(p.ID, p.Slots)
		}
	}
	for _, a := range rr.students {
		b.Student(a.UserID)
		for _, p := range rr.positions {
			if p.ID == closed || withdrawn[a.UserID] == p.ID {
				continue
			}
			e := matching.Entry{Student: a.UserID, Position: p.ID}
			for i, q := range rr.sRanks[a.UserID] {
				if q == p.ID {
					e.StudentRank = i + 1
				}
			}
			for i, st := range rr.pRanks[p.ID] {
				if st == a.UserID {
					e.PositionRank = i + 1
				}
			}
			b.Add(e)
		}
	}
	pr, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	res := pr.Match()
	if err := res.Check(); err != nil {
		t.Fatal(err)
	}
	return res
}

func TestPreviewRoundMatchesTheMatchingPackage(t *testing.T) {
	pool := testenv.NewPool(t)
	w := newWorld(t, pool)
	rr := newRankedRound(t, w, "")
	coord := w.actor(coordinator)
	if _, ok, err := w.svc.LastPreview(w.ctx, coord, rr.round.ID); err != nil || ok {
		t.Fatalf("LastPreview before any = %v, %v", ok, err)
	}
	p, err := w.svc.PreviewRound(w.ctx, coord, rr.round.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := rr.expected(t, 0, nil)
	if p.Matched != want.Matched() || p.Students != 5 || p.Unmatched != 5-want.Matched() || !p.Stable || !p.Provisional || p.Seed != rr.round.Seed {
		t.Fatalf("preview %+v, want %d of 5 matched", p, want.Matched())
	}
	if got, w := p.RankCounts, want.RankCounts(); !slices.Equal(got, w) {
		t.Fatalf("rank counts %v, want %v", got, w)
	}
	// The program and cohort counts add up to the students, by the profiles.
	matchedOf := map[string]int{}
	want.Each(func(m matching.Match) {
		if m.Position != 0 {
			i := slicesIndex(rr.students, m.Student)
			matchedOf[map[bool]string{true: "Welding", false: "Mechatronics"}[i%2 == 1]]++
		}
	})
	for _, g := range p.ByProgram {
		total := map[string]int{"Mechatronics": 3, "Welding": 2}[g.Group]
		if g.Matched != matchedOf[g.Group] || g.Matched+g.Unmatched != total {
			t.Errorf("program %q: %+v, want %d matched of %d", g.Group, g, matchedOf[g.Group], total)
		}
	}
	if len(p.ByCohort) != 2 || p.ByCohort[0].Group != "2025" {
		t.Errorf("cohorts: %+v", p.ByCohort)
	}
	filled := want.Filled()
	free := 0
	for _, pos := range rr.positions {
		free += pos.Slots - filled[pos.ID]
	}
	got := 0
	for _, u := range p.Unfilled {
		got += u.Free
	}
	if got != free {
		t.Fatalf("unfilled places %d, want %d", got, free)
	}
	last, ok, err := w.svc.LastPreview(w.ctx, coord, rr.round.ID)
	if err != nil || !ok || last.Matched != p.Matched || last.Seed != p.Seed {
		t.Fatalf("LastPreview = %+v, %v, %v", last, ok, err)
	}
	if n := w.count(`SELECT count(*) FROM audit_events WHERE guild_id = $1 AND action = 'round.previewed'`, w.guild); n != 1 {
		t.Fatalf("%d preview audit events, want 1", n)
	}
	// A preview changes no application.
	if n := w.count(`SELECT count(*) FROM applications WHERE guild_id = $1 AND status <> 'submitted'`, w.guild); n != 0 {
		t.Fatalf("preview moved %d applications", n)
	}
}

func TestPublishRoundMovesTheMatchOnce(t *testing.T) {
	pool := testenv.NewPool(t)
	w := newWorld(t, pool)
	rr := newRankedRound(t, w, "")
	coord := w.actor(coordinator)
	_, err := w.svc.PublishRound(w.ctx, coord, rr.round.ID)
	wantCode(t, err, placement.ECONFLICT, "err.round_not_due")
	_, err = w.svc.RoundResult(w.ctx, rr.students[0], rr.round.ID)
	wantCode(t, err, placement.ECONFLICT, "err.round_not_published")

	// Student 2 withdraws from p0 and p2 closes before publishing: both are left out.
	p0, p2 := rr.positions[0].ID, rr.positions[2].ID
	s2 := rr.students[2]
	w.must(w.svc.Withdraw(w.ctx, s2, rr.apps[s2.UserID][p0].ID, ""))
	w.must(w.svc.ClosePosition(w.ctx, w.actor(mentor), p2))
	want := rr.expected(t, p2, map[string]int64{s2.UserID: p0})

	w.afterDeadline()
	pub, err := w.svc.PublishRound(w.ctx, coord, rr.round.ID)
	if err != nil {
		t.Fatal(err)
	}
	if pub.Moved != want.Matched() || pub.Skipped != 0 || pub.Unmatched != 5-want.Matched() || pub.Round.Status != placement.RoundStatusPublished {
		t.Fatalf("published %+v, want %d moved", pub, want.Matched())
	}
	offered := map[int64]bool{}
	want.Each(func(m matching.Match) {
		if m.Position != 0 {
			offered[rr.apps[m.Student][m.Position].ID] = true
		}
		if m.Position == p2 || (m.Student == s2.UserID && m.Position == p0) {
			t.Errorf("the match used a withdrawn application or a closed position: %+v", m)
		}
	})
	rows, err := pool.Query(w.ctx, `SELECT id FROM applications WHERE guild_id = $1 AND status = 'offered'`, w.guild)
	if err != nil {
		t.Fatal(err)
	}
	var id int64
	n := 0
	for rows.Next() {
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		if !offered[id] {
			t.Errorf("application %d offered, not in the match", id)
		}
		n++
	}
	if n != len(offered) {
		t.Fatalf("%d offers, want %d", n, len(offered))
	}
	checks := []struct {
		what string
		sql  string
		want int
	}{
		{"offer events", `SELECT count(*) FROM application_events WHERE guild_id = $1 AND to_status = 'offered' AND $2::bigint > 0`, len(offered)},
		{"offer audit", `SELECT count(*) FROM audit_events WHERE guild_id = $1 AND action = 'application.offered' AND (detail->>'round_id')::bigint = $2`, len(offered)},
		{"publish audit", `SELECT count(*) FROM audit_events WHERE guild_id = $1 AND action = 'round.published' AND subject = 'round:' || $2::bigint`, 1},
		{"matched DMs", `SELECT count(*) FROM notifications WHERE guild_id = $1 AND message_key = 'round.note_matched' AND dedup_key LIKE 'round:' || $2::bigint || ':%'`, len(offered)},
		{"unmatched DMs", `SELECT count(*) FROM notifications WHERE guild_id = $1 AND message_key = 'round.note_unmatched' AND dedup_key LIKE 'round:' || $2::bigint || ':%'`, 5 - len(offered)},
		{"unmatched DMs listing the open positions", `SELECT count(*) FROM notifications WHERE guild_id = $1 AND message_key = 'round.note_unmatched' AND data ? 'Vacant' AND dedup_key LIKE 'round:' || $2::bigint || ':%'`, 5 - len(offered)},
		{"mentor DMs", `SELECT count(*) FROM notifications WHERE guild_id = $1 AND message_key = 'round.note_mentor' AND user_id = '` + members[mentor].UserID + `' AND dedup_key LIKE 'round:' || $2::bigint || ':%'`, positionsFilled(want)},
		{"results", `SELECT count(*) FROM round_results WHERE guild_id = $1 AND round_id = $2`, 5},
		{"taken", `SELECT coalesce(sum(taken), 0) FROM positions WHERE guild_id = $1 AND id IN (SELECT position_id FROM round_positions WHERE round_id = $2)`, len(offered)},
	}
	for _, c := range checks {
		if got := w.count(c.sql, w.guild, rr.round.ID); got != c.want {
			t.Errorf("%s: %d, want %d", c.what, got, c.want)
		}
	}

	seen := renderRoundDMs(t, w, rr.round.ID)
	if seen["round.note_matched"] != len(offered) || seen["round.note_unmatched"] != 5-len(offered) {
		t.Errorf("rendered DMs %v", seen)
	}

	// Each student reads their own result; it names no other student.
	for _, a := range rr.students {
		x, err := w.svc.RoundResult(w.ctx, a, rr.round.ID)
		if err != nil {
			t.Fatal(err)
		}
		exp, _ := want.Explain(a.UserID)
		if a.UserID == s2.UserID || a.UserID == rr.students[4].UserID {
			if x.Ranked != exp.Ranked {
				t.Errorf("%s: ranked %d, want %d", a.UserID, x.Ranked, exp.Ranked)
			}
		}
		if x.Position.PositionID != exp.Position || x.Rank != exp.Rank || len(x.Higher) != len(exp.Higher) {
			t.Errorf("%s: result %+v, want %+v", a.UserID, x, exp)
		}
		for i, h := range x.Higher {
			if h.PositionID != exp.Higher[i].Position || h.Title == "" {
				t.Errorf("%s: missed %+v, want %+v", a.UserID, h, exp.Higher[i])
			}
		}
	}
	_, err = w.svc.PublishRound(w.ctx, coord, rr.round.ID)
	if !errors.Is(err, placement.ErrRoundPublished) {
		t.Fatalf("second publish: %v, want ErrRoundPublished", err)
	}
	wantCode(t, w.svc.SetStudentRanks(w.ctx, rr.students[0], rr.round.ID, nil), placement.ECONFLICT, "err.round_published")
	// The round's positions are free for a next round.
	if n := w.count(`SELECT count(*) FROM round_positions WHERE guild_id = $1 AND round_id = $2 AND round_open`, w.guild, rr.round.ID); n != 0 {
		t.Fatalf("%d positions still held by the published round", n)
	}
}

// positionsFilled counts the positions the match gave at least one student.
func positionsFilled(r matching.Result) int {
	n := 0
	for _, c := range r.Filled() {
		if c > 0 {
			n++
		}
	}
	return n
}

func TestPublishRoundApprovalOutcome(t *testing.T) {
	pool := testenv.NewPool(t)
	w := newWorld(t, pool)
	rr := newRankedRound(t, w, "approval")
	w.afterDeadline()
	pub, err := w.svc.PublishRound(w.ctx, w.actor(coordinator), rr.round.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := rr.expected(t, 0, nil)
	if got := w.count(`SELECT count(*) FROM applications WHERE guild_id = $1 AND status = 'accepted'`, w.guild); got != want.Matched() || pub.Moved != got {
		t.Fatalf("%d accepted (%d moved), want %d", got, pub.Moved, want.Matched())
	}
	page, err := w.svc.ApprovalQueue(w.ctx, w.actor(coordinator), placement.QueueFilter{}, placement.QueueCursor{})
	if err != nil || len(page.Items) != min(want.Matched(), 5) {
		t.Fatalf("approval queue holds %d, %v; want %d", len(page.Items), err, want.Matched())
	}
}

func TestConcurrentPublishPublishesOnce(t *testing.T) {
	pool := testenv.NewPool(t)
	w := newWorld(t, pool)
	rr := newRankedRound(t, w, "")
	w.afterDeadline()
	want := rr.expected(t, 0, nil)
	coord := w.actor(coordinator)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Go(func() { _, errs[i] = w.svc.PublishRound(w.ctx, coord, rr.round.ID) })
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, placement.ErrRoundPublished):
			t.Fatalf("publish: %v", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d publishes won, want exactly 1 (errors %v)", won, errs)
	}
	if got := w.count(`SELECT count(*) FROM applications WHERE guild_id = $1 AND status = 'offered'`, w.guild); got != want.Matched() {
		t.Fatalf("%d offers, want %d", got, want.Matched())
	}
	if got := w.count(`SELECT count(*) FROM application_events WHERE guild_id = $1 AND to_status = 'offered'`, w.guild); got != want.Matched() {
		t.Fatalf("%d offer events, want %d", got, want.Matched())
	}
	if got := w.count(`SELECT count(*) FROM notifications WHERE guild_id = $1 AND message_key LIKE 'round.note_%'`, w.guild); got != 5+positionsFilled(want) {
		t.Fatalf("%d round DMs, want %d", got, 5+positionsFilled(want))
	}
}

// hookStore runs before just before a publish reaches the store, and during inside its
// transaction, once the moves are decided.
type hookStore struct {
	*postgres.Store
	before, during func()
}

func (h hookStore) PublishRound(ctx context.Context, p placement.RoundPublish) ([]placement.RoundMove, error) {
	if h.before != nil {
		h.before()
	}
	if h.during != nil {
		round := p.Round
		p.Round = func(moves []placement.RoundMove, mentors map[int64][]string) placement.Effects {
			h.during()
			return round(moves, mentors)
		}
	}
	return h.Store.PublishRound(ctx, p)
}

// A matched application that changes between the match and the publishing transaction (the
// student withdraws it) is skipped by the single-move rules, counted, and its student told.
func TestPublishSkipsWhatTheRulesNowRefuse(t *testing.T) {
	pool := testenv.NewPool(t)
	w := newWorld(t, pool)
	rr := newRankedRound(t, w, "")
	want := rr.expected(t, 0, nil)
	var app placement.Application
	want.Each(func(m matching.Match) {
		if m.Position != 0 && app.ID == 0 {
			app = rr.apps[m.Student][m.Position]
		}
	})
	st := rr.students[slicesIndex(rr.students, app.StudentID)]
	svc := placement.NewService(hookStore{Store: postgres.NewStore(pool), before: func() {
		w.must(w.svc.Withdraw(w.ctx, st, app.ID, ""))
	}})
	w.afterDeadline()
	svc.Now = w.svc.Now
	pub, err := svc.PublishRound(w.ctx, w.actor(coordinator), rr.round.ID)
	if err != nil {
		t.Fatal(err)
	}
	if pub.Skipped != 1 || pub.Moved != want.Matched()-1 {
		t.Fatalf("published %+v, want 1 skipped and %d moved", pub, want.Matched()-1)
	}
	if n := w.count(`SELECT count(*) FROM applications WHERE guild_id = $1 AND status = 'offered'`, w.guild); n != pub.Moved {
		t.Fatalf("%d offers, want %d", n, pub.Moved)
	}
	x, err := w.svc.RoundResult(w.ctx, st, rr.round.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !x.Skipped || x.ApplicationID != app.ID {
		t.Fatalf("the skipped student's result: %+v", x)
	}
	if n := w.count(`SELECT count(*) FROM notifications WHERE guild_id = $1 AND user_id = $2 AND message_key = 'round.note_unmatched'
		AND (data->>'Skipped')::boolean`, w.guild, st.UserID); n != 1 {
		t.Fatalf("%d unmatched DMs saying the match was skipped, want 1", n)
	}
}

// Postgres stopping in the middle of the publishing transaction leaves nothing published; once
// it is back, the retry publishes the round exactly once.
func TestPublishInterruptedByPostgresStopLeavesNothingHalfDone(t *testing.T) {
	srv := testenv.NewPostgresServer(t)
	pool, err := postgres.Open(t.Context(), testenv.ServerURL(srv))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	w := newWorld(t, pool)
	rr := newRankedRound(t, w, "")
	want := rr.expected(t, 0, nil)
	w.afterDeadline()
	stopped := false
	svc := placement.NewService(hookStore{Store: postgres.NewStore(pool), during: func() {
		stopped = true
		if err := srv.Stop(); err != nil {
			t.Errorf("stop postgres: %v", err)
		}
	}})
	svc.Now = w.svc.Now
	coord := w.actor(coordinator)
	if _, err := svc.PublishRound(w.ctx, coord, rr.round.ID); err == nil || !stopped {
		t.Fatalf("publish with Postgres stopped mid-transaction: %v (stopped %v)", err, stopped)
	}
	if err := srv.Start(w.ctx); err != nil {
		t.Fatal(err)
	}
	for what, sql := range map[string]string{
		"offers":        `SELECT count(*) FROM applications WHERE guild_id = $1 AND status <> 'submitted'`,
		"events":        `SELECT count(*) FROM application_events WHERE guild_id = $1 AND to_status = 'offered'`,
		"results":       `SELECT count(*) FROM round_results WHERE guild_id = $1`,
		"round DMs":     `SELECT count(*) FROM notifications WHERE guild_id = $1 AND message_key LIKE 'round.note_%'`,
		"publication":   `SELECT count(*) FROM rounds WHERE guild_id = $1 AND status = 'published'`,
		"taken":         `SELECT coalesce(sum(taken), 0) FROM positions WHERE guild_id = $1`,
		"publish audit": `SELECT count(*) FROM audit_events WHERE guild_id = $1 AND action = 'round.published'`,
	} {
		var n int
		var err error
		for range 50 { // the pool replaces the connections the stop broke
			if err = pool.QueryRow(w.ctx, sql, w.guild).Scan(&n); err == nil {
				break
			}
		}
		if err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("after the interrupted publish, %s: %d, want 0", what, n)
		}
	}
	var pub placement.RoundPublished
	for range 50 {
		if pub, err = w.svc.PublishRound(w.ctx, coord, rr.round.ID); placement.ErrorCode(err) != placement.EUNAVAILABLE {
			break
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	if pub.Moved != want.Matched() {
		t.Fatalf("retry moved %d, want %d", pub.Moved, want.Matched())
	}
	if n := w.count(`SELECT count(*) FROM application_events WHERE guild_id = $1 AND to_status = 'offered'`, w.guild); n != want.Matched() {
		t.Fatalf("%d offer events after the retry, want %d", n, want.Matched())
	}
	if _, err := w.svc.PublishRound(w.ctx, coord, rr.round.ID); !errors.Is(err, placement.ErrRoundPublished) {
		t.Fatalf("publish after the retry: %v, want ErrRoundPublished", err)
	}
}

// Students and mentors who have not ranked are reminded once within a day of the deadline,
// however many runs go at once.
func TestRemindRoundRanksOncePerMember(t *testing.T) {
	pool := testenv.NewPool(t)
	w := newWorld(t, pool)
	p := w.post(2, "")
	st, other := w.actor(student), w.actor(otherStudent)
	a := w.apply(st, p.ID)
	w.apply(other, p.ID)
	w.apply(other, w.pos.ID)
	r, _ := w.openRound("")
	// The student ranked; the other did not. The mentor ranked p but not w.pos.
	if err := w.svc.SetStudentRanks(w.ctx, st, r.ID, []int64{a.ID}); err != nil {
		t.Fatal(err)
	}
	if err := w.svc.SetPositionRanks(w.ctx, w.actor(mentor), r.ID, p.ID, []int64{a.ID}); err != nil {
		t.Fatal(err)
	}
	// Two days before the deadline: too early.
	early := placement.NewService(postgres.NewStore(pool))
	early.Now = func() time.Time { return r.Deadline.Add(-49 * time.Hour) }
	if n, err := early.RemindRoundRanks(w.ctx); err != nil || n != 0 {
		t.Fatalf("two days early: %d reminded, %v", n, err)
	}
	total := 0
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range 3 {
		svc := placement.NewService(postgres.NewStore(pool))
		svc.Now = func() time.Time { return r.Deadline.Add(-2 * time.Hour) }
		wg.Go(func() {
			n, err := svc.RemindRoundRanks(w.ctx)
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			total += n
			mu.Unlock()
		})
	}
	wg.Wait()
	if total != 2 {
		t.Fatalf("%d reminded, want the other student and the mentor", total)
	}
	for _, c := range []struct {
		user, key string
	}{{other.UserID, "round.note_remind_student"}, {members[mentor].UserID, "round.note_remind_mentor"}} {
		if n := w.count(`SELECT count(*) FROM notifications WHERE guild_id = $1 AND user_id = $2 AND message_key = $3`, w.guild, c.user, c.key); n != 1 {
			t.Errorf("%s: %d reminders, want 1", c.user, n)
		}
	}
	if n := w.count(`SELECT count(*) FROM notifications WHERE guild_id = $1 AND user_id = $2 AND message_key LIKE 'round.note_remind%'`, w.guild, st.UserID); n != 0 {
		t.Errorf("the student who ranked got %d reminders", n)
	}
	if n := w.count(`SELECT count(*) FROM audit_events WHERE guild_id = $1 AND action = 'round.reminded'`, w.guild); n != 2 {
		t.Errorf("%d reminder audit events, want 2", n)
	}
}
