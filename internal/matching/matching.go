// Package matching computes a placement round's match: many-to-one, student-proposing deferred
// acceptance with capacities (the algorithm of the residency match), a stability check that
// runs in time linear in the rank entries, and an explanation of the result for each student.
//
// A round's input is its entries, one per application: the student's rank of the position and
// the position's rank of the student. A pair can match only if both sides ranked it. Students'
// lists are strict; a position may rank students equal, and those ties are broken by one
// lottery for the whole round, drawn from the round's seed, so the same seed and ranks always
// give the same match. The package has no dependencies beyond the standard library.
package matching

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
)

// Entry is one application in a round. A rank of 1 is the first choice; 0 means not ranked.
type Entry struct {
	Student      string
	Position     int64
	StudentRank  int // the student's rank of the position; strict within a student's list
	PositionRank int // the position's rank of the student; equal ranks are a tie
}

// Input errors; Build wraps them with the entry concerned.
var (
	ErrUnknownPosition = errors.New("the entry names a position not in the round")
	ErrDuplicate       = errors.New("the student has two entries for the same position")
	ErrTiedStudentRank = errors.New("the student gave two positions the same rank")
	ErrBadRank         = errors.New("a rank is negative")
	ErrBadCapacity     = errors.New("a capacity is negative")
	ErrDuplicateID     = errors.New("the position is in the round twice")
)

// unranked is the key of an entry the position did not rank: never acceptable.
const unranked = math.MaxUint32

// Builder collects a round's positions and entries.
type Builder struct {
	seed      uint64
	posIndex  map[int64]int32
	positions []int64
	capacity  []int32
	stIndex   map[string]int32
	students  []string
	entries   []rawEntry
	err       error
}

type rawEntry struct {
	student, position int32
	sRank, pRank      int
}

// NewBuilder starts a round whose ties are broken by the lottery drawn from seed.
func NewBuilder(seed uint64) *Builder {
	return &Builder{seed: seed, posIndex: map[int64]int32{}, stIndex: map[string]int32{}}
}

// Position adds a position with the number of students it can take in the round.
func (b *Builder) Position(id int64, capacity int) {
	if b.err != nil {
		return
	}
	if _, dup := b.posIndex[id]; dup {
		b.err = fmt.Errorf("position %d: %w", id, ErrDuplicateID)
		return
	}
	if capacity < 0 {
		b.err = fmt.Errorf("position %d: %w", id, ErrBadCapacity)
		return
	}
	b.posIndex[id] = int32(len(b.positions))
	b.positions = append(b.positions, id)
	b.capacity = append(b.capacity, int32(min(capacity, math.MaxInt32)))
}

// Add adds an entry. Entries the student did not rank are ignored: the student finds the
// position unacceptable, so it plays no part in their match or their explanation.
func (b *Builder) Add(e Entry) {
	if b.err != nil {
		return
	}
	if e.StudentRank < 0 || e.PositionRank < 0 {
		b.err = fmt.Errorf("student %s, position %d: %w", e.Student, e.Position, ErrBadRank)
		return
	}
	p, ok := b.posIndex[e.Position]
	if !ok {
		b.err = fmt.Errorf("student %s, position %d: %w", e.Student, e.Position, ErrUnknownPosition)
		return
	}
	s, ok := b.stIndex[e.Student]
	if !ok {
		s = int32(len(b.students))
		b.stIndex[e.Student] = s
		b.students = append(b.students, e.Student)
	}
	if e.StudentRank == 0 {
		return
	}
	b.entries = append(b.entries, rawEntry{student: s, position: p, sRank: e.StudentRank, pRank: e.PositionRank})
}

// Student adds a student with no entries (so they are counted, unmatched, in the result).
func (b *Builder) Student(id string) {
	if _, ok := b.stIndex[id]; !ok && b.err == nil {
		b.stIndex[id] = int32(len(b.students))
		b.students = append(b.students, id)
	}
}

// Problem is a round ready to match: every student's list in order, with the position's
// tie-broken rank of the student beside each entry.
type Problem struct {
	seed      uint64
	students  []string
	positions []int64
	posIndex  map[int64]int32
	capacity  []int32
	// Entries, grouped by student in the student's order: entries start[s]..start[s+1]-1.
	start   []int32
	entries []entry
	// Room for the students a position holds while matching: offsets into one array, sized
	// by the smaller of its capacity and its acceptable entries.
	heapOff  []int32
	heapSize []int32
}

// entry is one ranked application in eight bytes, so that the whole round stays in the cache.
type entry struct {
	// key is the student's place in the position's ranking with its ties broken by the lottery
	// (0 is the position's first choice), or unranked. Keys compare within one position.
	key uint32
	pos int32 // the position
}

// Build checks the entries and returns the problem.
func (b *Builder) Build() (*Problem, error) {
	if b.err != nil {
		return nil, b.err
	}
	nS, nP := len(b.students), len(b.positions)
	p := &Problem{seed: b.seed, students: b.students, positions: b.positions, posIndex: b.posIndex, capacity: b.capacity}

	// Group the entries by student (a counting sort), then order each student's by their rank.
	p.start = make([]int32, nS+1)
	for _, e := range b.entries {
		p.start[e.student+1]++
	}
	for s := range nS {
		p.start[s+1] += p.start[s]
	}
	grouped := make([]rawEntry, len(b.entries))
	fill := slices.Clone(p.start[:nS])
	for _, e := range b.entries {
		grouped[fill[e.student]] = e
		fill[e.student]++
	}
	lottery := drawLottery(b.seed, b.students)
	p.entries = make([]entry, len(grouped))
	seen := make([]int32, nP) // the student (plus one) who last listed each position
	count := make([]int32, nP)
	for s := range nS {
		list := grouped[p.start[s]:p.start[s+1]]
		slices.SortFunc(list, func(x, y rawEntry) int { return x.sRank - y.sRank })
		for i, e := range list {
			if i > 0 && list[i-1].sRank == e.sRank {
				return nil, fmt.Errorf("student %s, rank %d: %w", b.students[s], e.sRank, ErrTiedStudentRank)
			}
			if seen[e.position] == int32(s)+1 {
				return nil, fmt.Errorf("student %s, position %d: %w", b.students[s], b.positions[e.position], ErrDuplicate)
			}
			seen[e.position] = int32(s) + 1
			p.entries[p.start[s]+int32(i)] = entry{key: unranked, pos: e.position}
			if e.pRank > 0 {
				count[e.position]++
			}
		}
	}
	p.rankWithinPositions(grouped, count, lottery)
	p.heapOff = make([]int32, nP+1)
	p.heapSize = make([]int32, nP)
	for i := range nP {
		p.heapSize[i] = min(p.capacity[i], count[i])
		p.heapOff[i+1] = p.heapOff[i] + p.heapSize[i]
	}
	return p, nil
}

// rankWithinPositions sets each ranked entry's key to the student's place in the position's
// list, ordered by the position's rank and then by the lottery.
func (p *Problem) rankWithinPositions(grouped []rawEntry, count []int32, lottery []uint32) {
	type ranked struct {
		at           int32
		rank         int
		lotteryPlace uint32
	}
	off := make([]int32, len(count)+1)
	for q, n := range count {
		off[q+1] = off[q] + n
	}
	lists := make([]ranked, off[len(count)])
	fill := slices.Clone(off[:len(count)])
	for at, e := range grouped {
		if e.pRank > 0 {
			lists[fill[e.position]] = ranked{int32(at), e.pRank, lottery[e.student]}
			fill[e.position]++
		}
	}
	for q := range count {
		list := lists[off[q]:off[q+1]]
		slices.SortFunc(list, func(a, b ranked) int {
			if c := cmp.Compare(a.rank, b.rank); c != 0 {
				return c
			}
			return cmp.Compare(a.lotteryPlace, b.lotteryPlace)
		})
		for place, r := range list {
			p.entries[r.at].key = uint32(place)
		}
	}
}

// Seed is the seed the round's lottery was drawn from.
func (p *Problem) Seed() uint64 { return p.seed }

// Students is how many students are in the round.
func (p *Problem) Students() int { return len(p.students) }

// Entries is how many entries the students ranked.
func (p *Problem) Entries() int { return len(p.entries) }

// Result is a matching of a problem: each student to at most one position.
type Result struct {
	p  *Problem
	of []int32 // per student, the entry they are matched by, or -1
}

// Match runs student-proposing deferred acceptance and returns the student-optimal stable
// matching. Each student proposes down their list; a position holds the best proposers up to
// its capacity and lets the worst held go when a better one proposes, who then proposes on.
func (p *Problem) Match() Result {
	nS, nP := len(p.students), len(p.positions)
	// next[s] is the entry the student proposes by next; a held student's is one past the
	// entry they are held by.
	next := slices.Clone(p.start[:nS])
	// What each position holds: a max-heap of (key, student) in its own stretch of one array,
	// and the key a proposer must beat, kept apart so a refusal reads only that.
	heapKey := make([]uint32, p.heapOff[nP])
	heapStudent := make([]int32, p.heapOff[nP])
	heldLen := make([]int32, nP)
	bar := make([]uint32, nP)
	for q := range nP {
		if p.heapSize[q] > 0 {
			bar[q] = unranked // room left: any ranked proposer is held
		}
	}
	for first := range int32(nS) {
		// The student proposes until held or out of choices; a student let go proposes next.
		for s := first; s >= 0; {
			proposer := s
			s = -1
			for e, end := next[proposer], p.start[proposer+1]; e < end; e++ {
				x := &p.entries[e]
				if x.key >= bar[x.pos] {
					continue
				}
				q := x.pos
				off, size := p.heapOff[q], p.heapSize[q]
				hk, hs := heapKey[off:off+size], heapStudent[off:off+size]
				if n := heldLen[q]; n < size {
					hk[n], hs[n] = x.key, proposer
					siftUp(hk, hs, int(n))
					heldLen[q] = n + 1
					if n+1 == size {
						bar[q] = hk[0]
					}
				} else {
					s = hs[0]
					hk[0], hs[0] = x.key, proposer
					siftDown(hk, hs, 0)
					bar[q] = hk[0]
				}
				next[proposer] = e + 1
				break
			}
		}
	}
	of := make([]int32, nS)
	for s := range of {
		of[s] = -1
	}
	for q := range nP {
		for _, s := range heapStudent[p.heapOff[q] : p.heapOff[q]+heldLen[q]] {
			of[s] = next[s] - 1
		}
	}
	return Result{p: p, of: of}
}

// A position's held students are a max-heap by key: the worst held is at the top.
func siftUp(key []uint32, student []int32, i int) {
	for i > 0 {
		parent := (i - 1) / 2
		if key[parent] >= key[i] {
			return
		}
		key[parent], key[i] = key[i], key[parent]
		student[parent], student[i] = student[i], student[parent]
		i = parent
	}
}

func siftDown(key []uint32, student []int32, i int) {
	for {
		worst, l, r := i, 2*i+1, 2*i+2
		if l < len(key) && key[l] > key[worst] {
			worst = l
		}
		if r < len(key) && key[r] > key[worst] {
			worst = r
		}
		if worst == i {
			return
		}
		key[i], key[worst] = key[worst], key[i]
		student[i], student[worst] = student[worst], student[i]
		i = worst
	}
}

// Assign builds the result that matches each listed student to the given position, to check
// or explain a matching computed elsewhere. Students not listed are unmatched.
func (p *Problem) Assign(match map[string]int64) (Result, error) {
	r := Result{p: p, of: make([]int32, len(p.students))}
	index := make(map[string]int32, len(p.students))
	for s, id := range p.students {
		index[id] = int32(s)
		r.of[s] = -1
	}
	for student, position := range match {
		s, ok := index[student]
		if !ok {
			return Result{}, fmt.Errorf("student %s is not in the round", student)
		}
		e := p.entryOf(s, position)
		if e < 0 {
			return Result{}, fmt.Errorf("student %s did not rank position %d", student, position)
		}
		r.of[s] = e
	}
	return r, nil
}

func (p *Problem) entryOf(s int32, position int64) int32 {
	q, ok := p.posIndex[position]
	if !ok {
		return -1
	}
	for e := p.start[s]; e < p.start[s+1]; e++ {
		if p.entries[e].pos == q {
			return e
		}
	}
	return -1
}

// Match is one student's place in a result.
type Match struct {
	Student  string
	Position int64 // 0 when unmatched
	Rank     int   // the student's rank of it: 1 for their first choice; 0 when unmatched
}

// Each calls fn for every student of the round, matched or not, in the order they were added.
func (r Result) Each(fn func(Match)) {
	for s, e := range r.of {
		fn(r.match(int32(s), e))
	}
}

func (r Result) match(s, e int32) Match {
	if e < 0 {
		return Match{Student: r.p.students[s]}
	}
	return Match{Student: r.p.students[s], Position: r.p.positions[r.p.entries[e].pos], Rank: int(e-r.p.start[s]) + 1}
}

// Matched counts the students matched.
func (r Result) Matched() int {
	n := 0
	for _, e := range r.of {
		if e >= 0 {
			n++
		}
	}
	return n
}

// Filled maps each position of the round to the students matched to it.
func (r Result) Filled() map[int64]int {
	out := make(map[int64]int, len(r.p.positions))
	for _, id := range r.p.positions {
		out[id] = 0
	}
	for _, e := range r.of {
		if e >= 0 {
			out[r.p.positions[r.p.entries[e].pos]]++
		}
	}
	return out
}

// Capacity is the number of students the position can take in the round.
func (p *Problem) Capacity(position int64) int {
	if i, ok := p.posIndex[position]; ok {
		return int(p.capacity[i])
	}
	return 0
}

// RankCounts counts the matched students by the rank they got: RankCounts()[0] got their
// first choice.
func (r Result) RankCounts() []int {
	var out []int
	for s, e := range r.of {
		if e < 0 {
			continue
		}
		rank := int(e - r.p.start[s])
		for len(out) <= rank {
			out = append(out, 0)
		}
		out[rank]++
	}
	return out
}
