package matching

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
)

// instance is a random round: students' lists and positions with rankings that may tie.
type instance struct {
	students  map[string][]int64
	positions map[int64]pos
}

func randomInstance(rng *rand.Rand, maxStudents, maxPositions int) instance {
	in := instance{students: map[string][]int64{}, positions: map[int64]pos{}}
	nS, nP := 1+rng.IntN(maxStudents), 1+rng.IntN(maxPositions)
	var ids []int64
	for q := range nP {
		ids = append(ids, int64(q+1))
	}
	applicants := map[int64][]string{}
	for s := range nS {
		id := fmt.Sprintf("s%d", s)
		list := slices.Clone(ids)
		rng.Shuffle(len(list), func(i, j int) { list[i], list[j] = list[j], list[i] })
		list = list[:rng.IntN(nP+1)]
		in.students[id] = list
		for _, q := range list {
			applicants[q] = append(applicants[q], id)
		}
	}
	for _, q := range ids {
		list := applicants[q]
		rng.Shuffle(len(list), func(i, j int) { list[i], list[j] = list[j], list[i] })
		// The mentor ranks some of the applicants, in tiers that may hold a tie.
		list = list[:rng.IntN(len(list)+1)]
		var ranks [][]string
		for _, s := range list {
			if len(ranks) > 0 && rng.IntN(4) == 0 {
				ranks[len(ranks)-1] = append(ranks[len(ranks)-1], s)
			} else {
				ranks = append(ranks, []string{s})
			}
		}
		in.positions[q] = pos{cap: rng.IntN(3), ranks: ranks}
	}
	return in
}

// bruteForce returns, for every student, the best rank (1-based; 0 unmatched) they get in any
// stable matching, by trying every assignment.
func bruteForce(t *testing.T, p *Problem) map[string]int {
	best := map[string]int{}
	assign := map[string]int64{}
	var try func(s int)
	try = func(s int) {
		if s == len(p.students) {
			r, err := p.Assign(assign)
			if err != nil || r.Check() != nil {
				return
			}
			r.Each(func(m Match) {
				if b, ok := best[m.Student]; !ok || better(m.Rank, b) {
					best[m.Student] = m.Rank
				}
			})
			return
		}
		id := p.students[s]
		try(s + 1)
		for e := p.start[s]; e < p.start[s+1]; e++ {
			if p.entries[e].key != unranked {
				assign[id] = p.positions[p.entries[e].pos]
				try(s + 1)
			}
		}
		delete(assign, id)
	}
	try(0)
	if len(best) == 0 {
		t.Fatal("no stable matching found by brute force")
	}
	return best
}

// better reports whether rank a is better than rank b, where 0 (unmatched) is worst.
func better(a, b int) bool { return a != 0 && (b == 0 || a < b) }

// positionProposing is deferred acceptance with the positions proposing, in their tie-broken
// order: the position-optimal stable matching.
func positionProposing(p *Problem) map[string]int64 {
	nP := len(p.positions)
	lists := make([][]int32, nP) // per position, its acceptable entries best first
	for e := range p.entries {
		if p.entries[e].key != unranked {
			lists[p.entries[e].pos] = append(lists[p.entries[e].pos], int32(e))
		}
	}
	for q := range lists {
		slices.SortFunc(lists[q], func(a, b int32) int { return compareKeys(p.entries[a].key, p.entries[b].key) })
	}
	held := make([]int32, len(p.students)) // per student, the entry they hold, or -1
	for s := range held {
		held[s] = -1
	}
	next := make([]int, nP)
	filled := make([]int32, nP)
	for changed := true; changed; {
		changed = false
		for q := range nP {
			for filled[q] < p.capacity[q] && next[q] < len(lists[q]) {
				e := lists[q][next[q]]
				next[q]++
				s := ownerOf(p, e)
				if h := held[s]; h < 0 || e < h { // entries are in the student's order
					if h >= 0 {
						filled[p.entries[h].pos]--
					}
					held[s] = e
					filled[q]++
					changed = true
				}
			}
		}
	}
	out := map[string]int64{}
	for s, e := range held {
		if e >= 0 {
			out[p.students[s]] = p.positions[p.entries[e].pos]
		}
	}
	return out
}

// ownerOf is the student of an entry.
func ownerOf(p *Problem, e int32) int32 {
	s, _ := slices.BinarySearch(p.start, e+1)
	return int32(s - 1)
}

func compareKeys(a, b uint32) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func TestMatchPropertiesOnRandomInstances(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for i := range 400 {
		in := randomInstance(rng, 6, 4)
		p := build(t, rng.Uint64(), in.students, in.positions)
		r := p.Match()
		if err := r.Check(); err != nil {
			t.Fatalf("instance %d %+v: %v", i, in, err)
		}
		// Student-optimal: everyone gets the best rank of any stable matching.
		best := bruteForce(t, p)
		r.Each(func(m Match) {
			if m.Rank != best[m.Student] {
				t.Fatalf("instance %d %+v: %s got rank %d, best stable rank %d", i, in, m.Student, m.Rank, best[m.Student])
			}
		})
		// Rural hospitals: the position-optimal stable matching matches the same students and
		// fills every position equally.
		po := positionProposing(p)
		pr, err := p.Assign(po)
		if err != nil || pr.Check() != nil {
			t.Fatalf("instance %d: position-proposing result not stable: %v %v", i, err, pr.Check())
		}
		if !slices.Equal(sortedKeys(po), sortedKeys(matchOf(r))) {
			t.Fatalf("instance %d: matched students differ: %v and %v", i, po, matchOf(r))
		}
		if !maps.Equal(pr.Filled(), r.Filled()) {
			t.Fatalf("instance %d: fills differ: %v and %v", i, pr.Filled(), r.Filled())
		}
	}
}

func TestNoStudentGainsByMisreporting(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	for i := range 300 {
		in := randomInstance(rng, 8, 5)
		seed := rng.Uint64()
		truth := matchOf(build(t, seed, in.students, in.positions).Match())
		for student, list := range in.students {
			trueRank := func(q int64) int { return slices.Index(list, q) + 1 } // 0: unmatched
			for range 5 {
				lie := slices.Clone(list)
				rng.Shuffle(len(lie), func(i, j int) { lie[i], lie[j] = lie[j], lie[i] })
				lie = lie[:rng.IntN(len(lie)+1)]
				misreport := maps.Clone(in.students)
				misreport[student] = lie
				got := matchOf(build(t, seed, misreport, in.positions).Match())
				if better(trueRank(got[student]), trueRank(truth[student])) {
					t.Fatalf("instance %d: %s gains by reporting %v instead of %v (%d for %d)",
						i, student, lie, list, trueRank(got[student]), trueRank(truth[student]))
				}
			}
		}
	}
}

func FuzzBuildAndMatch(f *testing.F) {
	f.Add([]byte{3, 1, 2, 1, 1, 1, 0, 2, 1, 2})
	f.Add([]byte{0})
	f.Add([]byte{1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		b := NewBuilder(uint64(data[0]))
		nP := int(data[0]%5) + 1
		for q := range nP {
			b.Position(int64(q+1), int(data[0]>>uint(q%8))%3)
		}
		// Each group of four bytes is an entry; ids and ranks may repeat or be unknown.
		for i := 1; i+3 < len(data); i += 4 {
			b.Add(Entry{
				Student:      fmt.Sprintf("s%d", data[i]%6),
				Position:     int64(data[i+1] % 7),
				StudentRank:  int(data[i+2] % 5),
				PositionRank: int(data[i+3] % 4),
			})
		}
		p, err := b.Build()
		if err != nil {
			return // refused input is fine; it must not panic
		}
		r := p.Match()
		if err := r.Check(); err != nil {
			t.Fatal(err)
		}
		for _, x := range r.ExplainAll() {
			if x.Rank == 0 && len(x.Higher) != x.Ranked || x.Rank > 0 && len(x.Higher) != x.Rank-1 {
				t.Fatalf("explanation %+v does not cover every position ranked above", x)
			}
		}
		total := 0
		for q, n := range r.Filled() {
			if n > p.Capacity(q) {
				t.Fatalf("position %d holds %d of %d", q, n, p.Capacity(q))
			}
			total += n
		}
		if total != r.Matched() {
			t.Fatalf("filled %d, matched %d", total, r.Matched())
		}
	})
}
