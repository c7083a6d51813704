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
	"math/bits"
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
	// Each position's ranked entries in the position's order: place k of position q is
	// ranked[listOff[q]+k], the entry and its student.
	listOff []int32
	ranked  []placed
}

// placed is the entry at one place of a position's ranking, and whose entry it is.
type placed struct{ entry, student int32 }

// entry is one ranked application in eight bytes, so that the whole round stays in the cache.
type entry struct {
	// key is the student's place in the position's ranking with its ties broken by the lottery,
	// counted in the round's list of all positions' rankings one after another (so the
	// position's first choice is its listOff), or unranked. Keys compare within one position.
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
	p.listOff = make([]int32, len(count)+1)
	for q, n := range count {
		p.listOff[q+1] = p.listOff[q] + n
	}
	lists := make([]ranked, p.listOff[len(count)])
	fill := slices.Clone(p.listOff[:len(count)])
	for at, e := range grouped {
		if e.pRank > 0 {
			lists[fill[e.position]] = ranked{int32(at), e.pRank, lottery[e.student]}
			fill[e.position]++
		}
	}
	p.ranked = make([]placed, len(lists))
	for q := range count {
		off := p.listOff[q]
		list := lists[off:p.listOff[q+1]]
		slices.SortFunc(list, func(a, b ranked) int {
			if c := cmp.Compare(a.rank, b.rank); c != 0 {
				return c
			}
			return cmp.Compare(a.lotteryPlace, b.lotteryPlace)
		})
		for place, r := range list {
			p.entries[r.at].key = uint32(off + int32(place))
			p.ranked[off+int32(place)] = placed{r.at, grouped[r.at].student}
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
// The result does not depend on the order of proposals: every student first proposes once,
// in order, and those let go propose again afterwards, oldest first.
func (p *Problem) Match() Result {
	nS, nP := len(p.students), len(p.positions)
	m := matcher{p: p, at: make([]holding, nP), bar: make([]uint32, nP), of: make([]int32, nS)}
	for q := range nP {
		m.at[q] = holding{room: min(p.capacity[q], p.listOff[q+1]-p.listOff[q])}
		if m.at[q].room > 0 {
			m.bar[q] = unranked
		}
	}
	m.held = make([]uint64, (len(p.ranked)+63)/64)
	var let []uint32 // the places of students let go, who propose again
	for s := range int32(nS) {
		if out := m.propose(s, p.start[s], p.start[s+1]); out >= 0 {
			let = append(let, uint32(out))
		}
	}
	// A student let go is anywhere in memory. Reading a few of the next ones ahead of time
	// starts their loads while this one proposes, instead of waiting for each in turn.
	const ahead = 8
	for i := 0; i < len(let); i++ {
		if j := i + 2*ahead; j < len(let) {
			m.warm += p.ranked[let[j]].entry
		}
		if j := i + ahead; j < len(let) {
			m.warm += int32(p.entries[p.ranked[let[j]].entry].pos)
		}
		r := p.ranked[let[i]]
		if out := m.propose(r.student, r.entry+1, p.start[r.student+1]); out >= 0 {
			let = append(let, uint32(out))
		}
	}
	return Result{p: p, of: m.of}
}

// matcher is the state of a match. What the positions hold is one bit per place of all their
// lists, so holding a student and finding the worst held are bit operations on a few words.
type matcher struct {
	p    *Problem
	at   []holding
	bar  []uint32 // per position, the key a proposer must beat: unranked while there is room
	held []uint64 // per place, whether its student is held
	of   []int32  // per student, the entry they are held by, or -1
	warm int32    // what reading ahead read, kept so that the reads are made
}

type holding struct {
	held int32
	room int32 // how many it can hold: its capacity, or fewer when fewer ranked it
}

// propose has student s propose by their entries e..end-1 until held or out of choices. It
// returns the place of the student let go to hold them, or -1.
func (m *matcher) propose(s, e, end int32) int64 {
	p, bar := m.p, m.bar
	m.of[s] = -1
	for ; e < end; e++ {
		x := p.entries[e]
		if x.key >= bar[x.pos] {
			continue
		}
		m.held[x.key/64] |= 1 << (x.key % 64)
		m.of[s] = e
		h := &m.at[x.pos]
		if h.held < h.room {
			h.held++
			if h.held == h.room {
				bar[x.pos] = highest(m.held, p.listOff[x.pos+1]-1)
			}
			return -1
		}
		// Full: the worst held, at the bar, goes.
		out := bar[x.pos]
		m.held[out/64] &^= 1 << (out % 64)
		bar[x.pos] = highest(m.held, int32(out))
		return int64(out)
	}
	return -1
}

// highest is the highest place at or below from whose student is held. Called for a position
// that holds someone at or below from, it finds that position's.
func highest(w []uint64, from int32) uint32 {
	i := from / 64
	word := w[i] & (^uint64(0) >> (63 - from%64))
	for word == 0 {
		i--
		word = w[i]
	}
	return uint32(i*64 + 63 - int32(bits.LeadingZeros64(word)))
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
