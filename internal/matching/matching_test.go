package matching

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"slices"
	"testing"
)

// pos is a position of a test instance: its capacity and its ranking, best first; students
// in one inner list are tied.
type pos struct {
	cap   int
	ranks [][]string
}

// build turns students' lists (position ids best first) and positions into a problem.
func build(t testing.TB, seed uint64, students map[string][]int64, positions map[int64]pos) *Problem {
	t.Helper()
	b := NewBuilder(seed)
	for _, id := range sortedKeys(positions) {
		b.Position(id, positions[id].cap)
	}
	for _, s := range sortedKeys(students) {
		b.Student(s)
		for i, q := range students[s] {
			b.Add(Entry{Student: s, Position: q, StudentRank: i + 1, PositionRank: rankOf(positions[q], s)})
		}
	}
	p, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func rankOf(p pos, student string) int {
	for i, tier := range p.ranks {
		for _, s := range tier {
			if s == student {
				return i + 1
			}
		}
	}
	return 0
}

func strict(students ...string) [][]string {
	out := make([][]string, len(students))
	for i, s := range students {
		out[i] = []string{s}
	}
	return out
}

func matchOf(r Result) map[string]int64 {
	out := map[string]int64{}
	r.Each(func(m Match) {
		if m.Position != 0 {
			out[m.Student] = m.Position
		}
	})
	return out
}

func TestTextbookInstances(t *testing.T) {
	cases := []struct {
		name      string
		students  map[string][]int64
		positions map[int64]pos
		want      map[string]int64
	}{
		{
			// Gale and Shapley's three-by-three: the rejections chain until everyone settles.
			name:     "one to one",
			students: map[string][]int64{"a": {1, 2, 3}, "b": {1, 3, 2}, "c": {2, 1, 3}},
			positions: map[int64]pos{
				1: {1, strict("b", "a", "c")},
				2: {1, strict("a", "c", "b")},
				3: {1, strict("a", "b", "c")},
			},
			want: map[string]int64{"a": 2, "b": 1, "c": 3},
		},
		{
			// Students propose, so each gets their best stable partner even though the
			// positions would rather have it the other way round.
			name:     "student optimal, not position optimal",
			students: map[string][]int64{"a": {1, 2}, "b": {2, 1}},
			positions: map[int64]pos{
				1: {1, strict("b", "a")},
				2: {1, strict("a", "b")},
			},
			want: map[string]int64{"a": 1, "b": 2},
		},
		{
			// Capacities: position 1 takes two; the third applicant it ranks lowest goes on.
			name:     "many to one",
			students: map[string][]int64{"a": {1, 2}, "b": {1, 2}, "c": {1, 2}, "d": {2}},
			positions: map[int64]pos{
				1: {2, strict("c", "a", "b")},
				2: {1, strict("d", "b", "a", "c")},
			},
			want: map[string]int64{"a": 1, "c": 1, "d": 2},
		},
		{
			// Unranked is unacceptable: the position would rather stay empty.
			name:     "mutual acceptability",
			students: map[string][]int64{"a": {1}, "b": {1}},
			positions: map[int64]pos{
				1: {2, strict("a")},
			},
			want: map[string]int64{"a": 1},
		},
		{
			name:      "capacity zero and no lists",
			students:  map[string][]int64{"a": {1}, "b": nil},
			positions: map[int64]pos{1: {0, strict("a")}},
			want:      map[string]int64{},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := build(t, 1, c.students, c.positions).Match()
			if err := r.Check(); err != nil {
				t.Fatal(err)
			}
			if got := matchOf(r); !maps.Equal(got, c.want) {
				t.Fatalf("match %v, want %v", got, c.want)
			}
		})
	}
}

func TestExplanations(t *testing.T) {
	students := map[string][]int64{"a": {1, 2, 3, 4}, "b": {1}, "c": {3}}
	positions := map[int64]pos{
		1: {1, strict("b", "a")}, // filled by b, ranked above a
		2: {1, strict("c")},      // did not rank a
		3: {1, strict("c", "a")}, // filled by c
		4: {0, strict("a")},      // no place in the round
	}
	r := build(t, 1, students, positions).Match()
	x, ok := r.Explain("a")
	if !ok {
		t.Fatal("a not in the round")
	}
	if x.Position != 0 || x.Rank != 0 || x.Ranked != 4 {
		t.Fatalf("a: %+v, want unmatched with 4 ranked", x)
	}
	want := []Missed{{1, 1, Filled}, {2, 2, NotRanked}, {3, 3, Filled}, {4, 4, NoPlace}}
	if fmt.Sprint(x.Higher) != fmt.Sprint(want) {
		t.Fatalf("a's reasons %v, want %v", x.Higher, want)
	}
	x, _ = r.Explain("b")
	if x.Position != 1 || x.Rank != 1 || len(x.Higher) != 0 {
		t.Fatalf("b: %+v, want first choice with nothing above", x)
	}
	if _, ok := r.Explain("nobody"); ok {
		t.Fatal("explained a student not in the round")
	}
	if got := fmt.Sprint(r.RankCounts()); got != "[2]" {
		t.Fatalf("rank counts %s, want [2]", got)
	}
}

// TestLotteryBreaksTies: two students tied at a one-place position both want it first; the one
// whose lottery number is lower gets it, the same way for the same seed, and another seed can
// turn it round.
func TestLotteryBreaksTies(t *testing.T) {
	students := map[string][]int64{"a": {1, 2}, "b": {1, 2}}
	positions := map[int64]pos{1: {1, [][]string{{"a", "b"}}}, 2: {1, [][]string{{"a", "b"}}}}
	winners := map[string]bool{}
	for seed := uint64(0); seed < 64; seed++ {
		r := build(t, seed, students, positions).Match()
		if err := r.Check(); err != nil {
			t.Fatal(err)
		}
		want := "a"
		if LotteryNumber(seed, "b") < LotteryNumber(seed, "a") {
			want = "b"
		}
		if got := matchOf(r); got[want] != 1 {
			t.Fatalf("seed %d: %v, want %s at position 1", seed, got, want)
		}
		again := build(t, seed, students, positions).Match()
		if !maps.Equal(matchOf(r), matchOf(again)) {
			t.Fatalf("seed %d: two runs differ", seed)
		}
		winners[want] = true
	}
	if len(winners) != 2 {
		t.Fatalf("64 seeds always favoured %v", winners)
	}
}

func TestBuildRefusesBadInput(t *testing.T) {
	cases := []struct {
		name string
		add  func(b *Builder)
		want error
	}{
		{"unknown position", func(b *Builder) { b.Add(Entry{"a", 9, 1, 1}) }, ErrUnknownPosition},
		{"same position twice", func(b *Builder) { b.Add(Entry{"a", 1, 1, 1}); b.Add(Entry{"a", 1, 2, 1}) }, ErrDuplicate},
		{"tied student ranks", func(b *Builder) { b.Add(Entry{"a", 1, 1, 1}); b.Add(Entry{"a", 2, 1, 1}) }, ErrTiedStudentRank},
		{"negative rank", func(b *Builder) { b.Add(Entry{"a", 1, -1, 1}) }, ErrBadRank},
		{"position twice", func(b *Builder) { b.Position(1, 3) }, ErrDuplicateID},
		{"negative capacity", func(b *Builder) { b.Position(3, -1) }, ErrBadCapacity},
	}
	for _, c := range cases {
		b := NewBuilder(1)
		b.Position(1, 1)
		b.Position(2, 1)
		c.add(b)
		if _, err := b.Build(); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
}

func TestCheckFindsViolations(t *testing.T) {
	students := map[string][]int64{"a": {1, 2}, "b": {1, 2}}
	positions := map[int64]pos{1: {1, strict("a", "b")}, 2: {1, strict("b")}}
	p := build(t, 1, students, positions)
	var blocking *BlockingPair
	r, _ := p.Assign(map[string]int64{"b": 1})
	if err := r.Check(); !errors.As(err, &blocking) || blocking.Student != "a" || blocking.Position != 1 {
		t.Fatalf("b at 1 with a unmatched: %v, want a and 1 blocking", err)
	}
	r, _ = p.Assign(map[string]int64{"a": 2})
	if err := r.Check(); !errors.Is(err, ErrUnacceptable) {
		t.Fatalf("a at 2, which did not rank a: %v", err)
	}
	r, _ = p.Assign(map[string]int64{"a": 1, "b": 1})
	if err := r.Check(); !errors.Is(err, ErrOverCapacity) {
		t.Fatalf("two at a one-place position: %v", err)
	}
	r, _ = p.Assign(map[string]int64{"a": 1, "b": 2})
	if err := r.Check(); err != nil {
		t.Fatalf("the stable matching: %v", err)
	}
	if _, err := p.Assign(map[string]int64{"z": 1}); err == nil {
		t.Fatal("assigned a student not in the round")
	}
}

func sortedKeys[K cmp.Ordered, V any](m map[K]V) []K { return slices.Sorted(maps.Keys(m)) }
